/*
 * Calibration and the periodic tick. The local APIC timer's frequency is
 * the bus clock, which no register states, so it is measured once against
 * a clock of known frequency; the TSC is measured in the same window.
 */
#include <console.h>
#include <kstate.h>
#include <panic.h>
#include <sched.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/trap.h>
#include <pc/lapic.h>
#include <pc/refclock.h>
#include <pc/timer.h>

#define CALIBRATE_US 10000u

uint64_t lapic_timer_hz;
volatile uint64_t timer_ticks;

static uint64_t deadline_period;        /* TSC ticks per timer tick; 0: periodic mode */
static uint64_t next_deadline;

static void timer_tick(struct trap_frame *tf)
{
	(void)tf;
	timer_ticks++;
	if (deadline_period) {
		uint64_t now = rdtsc();

		/* Keep the rate; after a long stall, do not fire a burst. */
		next_deadline += deadline_period;
		if (next_deadline <= now)
			next_deadline = now + deadline_period;
		lapic_timer_deadline(next_deadline);
	}
	lapic_eoi();
	sched_tick();
}

void timer_init(uint64_t hpet_phys)
{
	bool hpet = hpet_phys && hpet_init(hpet_phys);
	uint64_t tsc0, tsc1;
	uint32_t lapic0, lapic1;

	lapic_timer_start(VEC_TIMER, LAPIC_TIMER_ONESHOT, 0xFFFFFFFFu, true);
	lapic0 = lapic_timer_current();
	tsc0 = rdtsc();
	if (hpet)
		hpet_delay_us(CALIBRATE_US);
	else
		pit_delay_us(CALIBRATE_US);
	lapic1 = lapic_timer_current();
	tsc1 = rdtsc();
	lapic_timer_start(VEC_TIMER, LAPIC_TIMER_ONESHOT, 0, true);

	tsc_hz = (tsc1 - tsc0) * (1000000u / CALIBRATE_US);
	lapic_timer_hz = (uint64_t)(lapic0 - lapic1) * (1000000u / CALIBRATE_US);
	if (lapic_timer_hz < TIMER_HZ)
		panic("timer: local APIC timer does not count (%u -> %u)", lapic0, lapic1);
	kprintf("timer: tsc %lu kHz, lapic timer %lu kHz (calibrated against the %s)\n",
		tsc_hz / 1000, lapic_timer_hz / 1000, hpet ? "HPET" : "PIT");

	trap_set_handler(VEC_TIMER, timer_tick);
	if (cpu_info.tsc_deadline) {
		/* Preferred: no divider rounding, and the TSC is what the KIP
		 * publishes; the timer then shares one clock with user space. */
		deadline_period = tsc_hz / TIMER_HZ;
		lapic_timer_start(VEC_TIMER, LAPIC_TIMER_TSC_DEADLINE, 0, false);
		next_deadline = rdtsc() + deadline_period;
		lapic_timer_deadline(next_deadline);
	} else {
		lapic_timer_start(VEC_TIMER, LAPIC_TIMER_PERIODIC,
				  (uint32_t)(lapic_timer_hz / TIMER_HZ), false);
	}
	kprintf("timer: %u Hz tick in %s mode\n", TIMER_HZ,
		deadline_period ? "TSC-deadline" : "periodic");
}
