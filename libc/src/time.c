/*
 * Monotonic time from the TSC, scaled by the frequency the kernel measured
 * at boot (the KIP's tsc_hz). It assumes an invariant TSC, one that ticks
 * at that rate on every CPU and in every power state (the kernel's boot
 * line "invariant-tsc=" says whether the machine has one; QEMU's does).
 */
#include <abi/kip.h>
#include <errno.h>
#include <time.h>

#define NS_PER_S 1000000000ull

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The time since boot from one TSC reading. */
static struct timespec monotonic_now(void)
{
	uint64_t ticks = rdtsc();
	uint64_t hz = ((const struct kip *)KIP_ADDR)->tsc_hz;

	/*
	 * Whole seconds and the remainder apart: ticks * 10^9 would overflow
	 * within seconds, while remainder * 10^9 < hz * 10^9 fits 64 bits for
	 * any TSC below 18 GHz.
	 */
	return (struct timespec){
		.tv_sec = (time_t)(ticks / hz),
		.tv_nsec = (long)(ticks % hz * NS_PER_S / hz),
	};
}

/* Overflows after 584 years. */
uint64_t time_ns_since_boot(void)
{
	struct timespec t = monotonic_now();

	return (uint64_t)t.tv_sec * NS_PER_S + (uint64_t)t.tv_nsec;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock != CLOCK_MONOTONIC) {
		errno = EINVAL;
		return -1;
	}
	*ts = monotonic_now();
	return 0;
}
