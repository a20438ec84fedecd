/* The boot CPU's local APIC: x2APIC (MSRs) where the CPU has it, else xAPIC (MMIO). */
#ifndef PC_LAPIC_H
#define PC_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

enum lapic_timer_mode {
	LAPIC_TIMER_ONESHOT = 0,
	LAPIC_TIMER_PERIODIC = 1,
	LAPIC_TIMER_TSC_DEADLINE = 2,   /* fires when the TSC reaches IA32_TSC_DEADLINE */
};

/* Enables the local APIC at phys (xAPIC mode only); masks LINT0. */
void lapic_init(uint64_t phys);
bool lapic_is_x2apic(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Timer clocked at bus clock / 16. Count 0 stops it. */
void lapic_timer_start(uint8_t vector, enum lapic_timer_mode mode, uint32_t count,
		       bool masked);
uint32_t lapic_timer_current(void);

/* TSC-deadline mode: the next interrupt when the TSC reaches tsc. */
void lapic_timer_deadline(uint64_t tsc);

#endif
