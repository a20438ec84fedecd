/* The kernel's time base: calibrated TSC and the local APIC timer tick. */
#ifndef PC_TIMER_H
#define PC_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100

extern uint64_t lapic_timer_hz; /* local APIC timer ticks per second */
extern volatile uint64_t timer_ticks;

/*
 * Measures the TSC and the local APIC timer against the HPET (or the PIT
 * when there is none), then starts the periodic tick. Needs lapic_init()
 * and the IDT.
 */
void timer_init(uint64_t hpet_phys);

#endif
