/*
 * The few C library routines the kernel needs. The compiler may also emit
 * calls to memcpy/memset/memmove/memcmp on its own, so these keep the
 * standard names and contracts.
 */
#ifndef KLIB_H
#define KLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <compiler.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * printf-style formatting into buf (always NUL-terminated when size > 0).
 * Supports %% %c %s %d %i %u %x %X %p with flags '-' '0', width, '.prec'
 * and '.*' for strings, and the length modifiers hh h l ll z. Returns the length the
 * full output would have had.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);

/*
 * Looks for the word "key" or "key=value" in a space-separated command
 * line. Returns the value (pointing into cmdline, ending at a space or NUL),
 * "" for a bare key, or NULL when the key is absent.
 */
const char *cmdline_find(const char *cmdline, const char *key);

/* The length of the value cmdline_find() returned: up to a space or the end. */
size_t cmdline_value_len(const char *value);

#endif
