/* Compiler attributes used across the kernel, named for what they mean. */
#ifndef COMPILER_H
#define COMPILER_H

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define noreturn        __attribute__((noreturn))
#define noinline        __attribute__((noinline))
#define always_inline   inline __attribute__((always_inline))
#define packed          __attribute__((packed))
#define aligned(n)      __attribute__((aligned(n)))
#define printf_like(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + (a) - 1, (a))

#endif
