/*
 * Global descriptor table and task-state segment. In long mode segments
 * are flat; the GDT exists for the privilege levels of CS/SS and to point
 * at the TSS, whose only jobs are RSP0 (the stack on entry from ring 3)
 * and the IST stacks for double fault, NMI and machine check.
 */
#include <stddef.h>
#include <klib.h>
#include <arch/gdt.h>
#include <arch/ioport.h>
#include <obj/task.h>

#define IST_SIZE    8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} packed;
_Static_assert(sizeof(struct tss) == 104, "TSS layout is fixed by the CPU");

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} packed;

/* Access byte P|DPL|S|type and flags L/D/G, written out for each entry. */
static uint64_t gdt[8] = {
	[SEL_KCODE / 8] = 0x00AF9A000000FFFFull,   /* P, DPL0, code RX, L */
	[SEL_KDATA / 8] = 0x00CF92000000FFFFull,   /* P, DPL0, data RW */
	[0x20 / 8]      = 0x00CFF2000000FFFFull,   /* P, DPL3, data RW */
	[0x28 / 8]      = 0x00AFFA000000FFFFull,   /* P, DPL3, code RX, L */
	/* SEL_TSS: two slots, filled in by gdt_init */
};

/* The TSS with room for a full I/O bitmap after it, and the 0xFF byte the
 * CPU may read past its end (SDM 19.5.2). */
struct tss_io {
	struct tss tss;
	uint8_t bitmap[IOPORT_BITMAP_PAGES * 4096];
	uint8_t end;
} packed tss_io = { .end = 0xFF };
/* The IPC fast path writes RSP0 and the bitmap offset itself (frame.inc). */
_Static_assert(offsetof(struct tss, rsp) == 4 && offsetof(struct tss, iomap_base) == 102,
	       "frame.inc TSS_RSP0, TSS_IOMAP_BASE");

/* iomap_base past the limit: every port denied. */
#define IOMAP_NONE 0xFFFF
_Static_assert(IOMAP_NONE == 0xFFFF && offsetof(struct tss_io, bitmap) == 104,
	       "frame.inc IOMAP_NONE, IOMAP_OWN");

const struct task *tss_bitmap_owner;    /* whose bitmap tss_io holds */
uint64_t tss_bitmap_generation;         /* of tss_bitmap_owner's, when copied */

void arch_ioport_load(struct task *t)
{
	if (!t || !t->io_bitmap[0]) {
		tss_io.tss.iomap_base = IOMAP_NONE;
		return;
	}
	/* Copying 8 KiB happens only when another driver's ports come in. */
	if (tss_bitmap_owner != t || tss_bitmap_generation != t->io_generation) {
		for (unsigned i = 0; i < IOPORT_BITMAP_PAGES; i++)
			memcpy(tss_io.bitmap + i * 4096, t->io_bitmap[i], 4096);
		tss_bitmap_owner = t;
		tss_bitmap_generation = t->io_generation;
	}
	tss_io.tss.iomap_base = sizeof tss_io.tss;
}

void arch_ioport_forget(struct task *t)
{
	if (tss_bitmap_owner == t)
		tss_bitmap_owner = NULL;
}
static uint8_t ist_stacks[3][IST_SIZE] aligned(16);

void tss_set_kernel_stack(uint64_t rsp0)
{
	tss_io.tss.rsp[0] = rsp0;
}

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss_io, limit = sizeof tss_io - 1;
	struct gdt_ptr ptr = { sizeof gdt - 1, (uint64_t)gdt };

	/* 64-bit available TSS descriptor (type 9), 16 bytes. */
	gdt[SEL_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
			   (0x89ull << 40) | (((limit >> 16) & 0xF) << 48) |
			   (((base >> 24) & 0xFF) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	tss_io.tss.rsp[0] = (uint64_t)kstack_boot_top;
	tss_io.tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)ist_stacks[0] + IST_SIZE;
	tss_io.tss.ist[IST_NMI - 1] = (uint64_t)ist_stacks[1] + IST_SIZE;
	tss_io.tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)ist_stacks[2] + IST_SIZE;
	/* No task's ports yet: an offset past the limit denies every port. */
	tss_io.tss.iomap_base = IOMAP_NONE;

	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %w1, %%ds\n\t"
		"mov %w1, %%es\n\t"
		"mov %w1, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		"pushq %2\n\t"
		"lea 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"ltr %w3"
		: : "m"(ptr), "r"((uint64_t)SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
		: "rax", "memory");
}
