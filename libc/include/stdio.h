/*
 * Formatted output and the three standard streams over the console
 * server (mica/console.h). stdout is line-buffered: each whole line that
 * fits the buffer reaches the console in one write, so that lines of
 * different tasks do not mix. stderr keeps the output of one call
 * together and writes it before the call returns. Reading stdin first
 * flushes stdout, so a prompt shows. No floating point: the printf family
 * knows the flags - + space # 0, width and precision (also *), the lengths
 * hh h l ll z j t and the conversions d i u o x X c s p %.
 */
#ifndef LIBC_STDIO_H
#define LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct file FILE;

extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;

#define LIBC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Write at most size bytes, the last a NUL, and return the length the
 * whole output has (or -1 past INT_MAX). */
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...) LIBC_PRINTF(3, 4);
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap) LIBC_PRINTF(3, 0);
int sprintf(char *restrict buf, const char *restrict fmt, ...) LIBC_PRINTF(2, 3);
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap) LIBC_PRINTF(2, 0);

/* Return the number of bytes written, or a negative value (errno set)
 * when the console refused them. */
int printf(const char *restrict fmt, ...) LIBC_PRINTF(1, 2);
int vprintf(const char *restrict fmt, va_list ap) LIBC_PRINTF(1, 0);
int fprintf(FILE *restrict f, const char *restrict fmt, ...) LIBC_PRINTF(2, 3);
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap) LIBC_PRINTF(2, 0);

/* Return a non-negative value (fputc: the byte), or EOF on error. */
int fputc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);                /* appends a newline */
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f);

/* Writes out what f holds (all output streams for NULL); 0 or EOF. */
int fflush(FILE *f);

/* Input from stdin. getchar: the next byte, or EOF at end of input or on
 * error. fgets: up to n - 1 bytes, through the first newline, then a NUL;
 * NULL when nothing was read. */
int getchar(void);
char *fgets(char *restrict s, int n, FILE *restrict f);

#endif
