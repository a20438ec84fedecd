/*
 * Interrupt lines and I/O ports as capabilities. An IRQ capability names
 * one global system interrupt (GSI); an I/O-port capability names a range
 * of ports. The root task receives them all at boot; binding a line to a
 * notification and using ports come with interrupt delivery.
 */
#ifndef OBJ_IRQ_H
#define OBJ_IRQ_H

#include <stdint.h>

#define IRQ_LINES_MAX 48        /* GSIs given to the root task */

struct irq_line {
	uint32_t gsi;
};

/* The one object I/O-port capabilities point at; their range is in the cap. */
struct ioport_space {
	int unused;
};

extern struct irq_line irq_lines[IRQ_LINES_MAX];
extern uint32_t irq_nlines;
extern struct ioport_space ioport_space;

/* Creates the line objects for GSIs 0 .. ngsi-1 (at most IRQ_LINES_MAX). */
void irq_init(uint32_t ngsi);

#endif
