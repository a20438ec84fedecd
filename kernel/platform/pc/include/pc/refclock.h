/*
 * Reference clocks of known frequency, used once at boot to calibrate the
 * TSC and the local APIC timer: the HPET where ACPI lists one, else the
 * 8254 PIT.
 */
#ifndef PC_REFCLOCK_H
#define PC_REFCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Maps and starts the HPET main counter. False if it is unusable. */
bool hpet_init(uint64_t phys);
/* Busy-waits for us microseconds on the HPET main counter. */
void hpet_delay_us(uint32_t us);

/* Busy-waits for us (at most 50 000) microseconds on PIT channel 2. */
void pit_delay_us(uint32_t us);

#endif
