/* General utilities (C11 7.22): memory, number parsing, sorting, ending a program. */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* Memory from the heap (mica/heap.h), 16-byte aligned; NULL with errno
 * ENOMEM when there is none. malloc(0) and realloc(p, 0) return a unique
 * minimal block, never NULL. A pointer that malloc did not return, or one
 * freed twice, ends the program with a message where the block header
 * shows it. Not for several threads at once. */
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);

int abs(int n);
long labs(long n);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));

/* exit: runs the atexit handlers (last registered first), flushes stdout
 * and stderr, then _exit. abort: a message on stderr, then _exit(134)
 * (128 + SIGABRT, as a POSIX shell would show it). */
int atexit(void (*fn)(void));
_Noreturn void exit(int status);
_Noreturn void abort(void);

/* Ends the program at once: no handlers, no flushing (libc/src/exit.c;
 * POSIX declares it in unistd.h, which Mica does not have). */
_Noreturn void _exit(int status);

#endif
