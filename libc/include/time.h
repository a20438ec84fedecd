/*
 * Monotonic time since boot, read from the TSC and scaled by the TSC
 * frequency that the kernel measured and published in its info page.
 * There is no wall clock yet.
 */
#ifndef LIBC_TIME_H
#define LIBC_TIME_H

#include <stdint.h>

typedef int64_t time_t;
typedef int clockid_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;           /* 0 .. 999999999 */
};

#define CLOCK_MONOTONIC 1

/* Nanoseconds since boot; exact integer arithmetic, good for centuries. */
uint64_t time_ns_since_boot(void);

/* CLOCK_MONOTONIC only: 0, or -1 with errno EINVAL for another clock. */
int clock_gettime(clockid_t clock, struct timespec *ts);

#endif
