/* I/O APICs: where the legacy and PCI interrupt lines (GSIs) arrive. */
#ifndef PC_IOAPIC_H
#define PC_IOAPIC_H

#include <stdint.h>

/*
 * Maps every I/O APIC ACPI listed, masks all of their lines (nothing is
 * routed until a driver asks), and returns the number of GSIs they cover.
 */
uint32_t ioapic_init(void);

#endif
