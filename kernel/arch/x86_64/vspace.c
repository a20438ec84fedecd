/*
 * User page tables. The kernel half of every PML4 (entries 256..511) is a
 * copy of the kernel's, made at creation: paging_init() created every
 * kernel PML4 slot up front, so these copies never go stale.
 */
#include <klib.h>
#include <panic.h>
#include <abi/errno.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define KERNEL_HALF 256

static uint64_t *table(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

int vspace_init(struct vspace *vs, struct quota *q)
{
	uint64_t pa = kmem_page_alloc(q);
	uint64_t *pml4, *kernel = phys_to_virt(read_cr3() & PTE_ADDR);

	if (pa == FRAME_NONE)
		return E_NOMEM;
	pml4 = phys_to_virt(pa);
	memcpy(pml4 + KERNEL_HALF, kernel + KERNEL_HALF, KERNEL_HALF * sizeof *pml4);
	vs->pml4 = pa;
	return E_OK;
}

/* Frees the user tables below the table at pa, which is at level (4: PML4). */
static void free_tables(uint64_t pa, int level, unsigned entries, struct quota *q)
{
	uint64_t *t = phys_to_virt(pa);

	if (level > 1)
		for (unsigned i = 0; i < entries; i++)
			if (t[i] & PTE_P)
				free_tables(t[i] & PTE_ADDR, level - 1, 512, q);
	kmem_page_free(q, pa);
}

void vspace_destroy(struct vspace *vs, struct quota *q)
{
	free_tables(vs->pml4, 4, KERNEL_HALF, q);
	vs->pml4 = 0;
}

int vspace_map(struct vspace *vs, uint64_t va, uint64_t pa, unsigned perms,
	       struct quota *q)
{
	uint64_t *t = phys_to_virt(vs->pml4);
	uint64_t flags = PTE_P | PTE_U;

	assert(va < USER_END && !(va & (PAGE_SIZE - 1)) && !(pa & (PAGE_SIZE - 1)));
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			uint64_t next = kmem_page_alloc(q);

			if (next == FRAME_NONE)
				return E_NOMEM;
			/* Intermediate levels allow everything; the leaf decides. */
			*e = next | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	if (perms & VM_WRITE)
		flags |= PTE_W;
	if (!(perms & VM_EXEC) && cpu_info.nx)
		flags |= PTE_NX;
	t[(va >> 12) & 511] = pa | flags;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	return E_OK;
}

void vspace_activate(const struct vspace *vs)
{
	write_cr3(vs->pml4);
}
