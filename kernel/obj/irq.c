/* IRQ line and I/O-port objects: static, one per GSI, never destroyed. */
#include <obj/irq.h>

struct irq_line irq_lines[IRQ_LINES_MAX];
uint32_t irq_nlines;
struct ioport_space ioport_space;

void irq_init(uint32_t ngsi)
{
	irq_nlines = ngsi < IRQ_LINES_MAX ? ngsi : IRQ_LINES_MAX;
	for (uint32_t i = 0; i < irq_nlines; i++)
		irq_lines[i].gsi = i;
}
