/*
 * Interrupt descriptor table: one interrupt gate per vector, all pointing
 * at the stubs of trap_entry.asm. Interrupt gates (not trap gates) so that
 * every handler starts with interrupts off.
 */
#include <klib.h>
#include <arch/gdt.h>
#include <arch/trap.h>

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} packed;
_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");

#define GATE_INTERRUPT 0x8E     /* P, DPL 0, 64-bit interrupt gate */

extern const uint64_t trap_stubs[256];
static struct idt_entry idt[256] aligned(16);

static void idt_set(unsigned vec, uint8_t ist)
{
	uint64_t a = trap_stubs[vec];

	idt[vec] = (struct idt_entry){
		.offset_lo = (uint16_t)a,
		.selector = SEL_KCODE,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_hi = (uint32_t)(a >> 32),
	};
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} packed ptr = { sizeof idt - 1, (uint64_t)idt };

	for (unsigned v = 0; v < 256; v++)
		idt_set(v, 0);
	/* These may strike on a corrupt or overflowed stack: give them their own. */
	idt_set(2, IST_NMI);
	idt_set(8, IST_DOUBLE_FAULT);
	idt_set(18, IST_MACHINE_CHECK);
	__asm__ volatile("lidt %0" : : "m"(ptr));
}
