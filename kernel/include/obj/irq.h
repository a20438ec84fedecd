/*
 * Interrupt lines and I/O ports as capabilities. An IRQ capability names
 * one global system interrupt (GSI): bound to a notification, the line's
 * interrupts arrive as signals; the kernel masks the line at each one
 * and the driver's SYS_IRQ_ACK unmasks it. An I/O-port capability names a
 * range of ports.
 */
#ifndef OBJ_IRQ_H
#define OBJ_IRQ_H

#include <stdint.h>
#include <obj/cap.h>

#define IRQ_LINES_MAX 48        /* GSIs given to the root task */
#define VEC_IRQ_BASE  0x30      /* GSI n arrives on vector VEC_IRQ_BASE + n */

struct irq_line {
	uint32_t gsi;
	struct cap ntfn;        /* where its interrupts go: a copy of the binder's */
};

/* The one object I/O-port capabilities point at; their range is in the cap. */
struct ioport_space {
	int unused;
};

extern struct irq_line irq_lines[IRQ_LINES_MAX];
extern uint32_t irq_nlines;
extern struct ioport_space ioport_space;

/* Creates the line objects for GSIs 0 .. ngsi-1 (at most IRQ_LINES_MAX)
 * and takes their vectors. */
void irq_init(uint32_t ngsi);

#endif
