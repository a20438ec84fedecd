/*
 * Fatal kernel errors. panic() is for a broken kernel invariant only, never
 * for anything user space can cause: it prints "PANIC: <message>" on the
 * debug console (the test harness treats that line as a failure) and halts.
 */
#ifndef PANIC_H
#define PANIC_H

#include <compiler.h>

noreturn void panic(const char *fmt, ...) printf_like(1, 2);

#ifdef NDEBUG
#define assert(c) ((void)0)
#else
#define assert(c) \
	((c) ? (void)0 : panic("%s:%d: assertion '%s' failed", __FILE__, __LINE__, #c))
#endif

#endif
