/*
 * assert(e): in a build without NDEBUG, a false e prints
 * "assertion failed: e (file:line, function)" on stderr and aborts.
 * With NDEBUG, e is not evaluated. Like C's, this header may be included
 * again after NDEBUG changes.
 */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef LIBC_ASSERT_H
#define LIBC_ASSERT_H

#define static_assert _Static_assert

_Noreturn void __assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
