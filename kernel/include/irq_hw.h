/*
 * What the platform does for interrupt lines (pc/ioapic.c on a PC): the
 * generic IRQ objects (obj/irq.c) route, mask and acknowledge through it.
 */
#ifndef IRQ_HW_H
#define IRQ_HW_H

#include <stdint.h>

/* Sends line gsi to vector on the boot CPU, masked, with its trigger mode. */
void irq_hw_route(uint32_t gsi, uint8_t vector);
void irq_hw_mask(uint32_t gsi);
void irq_hw_unmask(uint32_t gsi);

/* Ends the interrupt being handled at the CPU's interrupt controller. */
void irq_hw_eoi(void);

#endif
