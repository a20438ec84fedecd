/*
 * User page tables. The kernel half of every PML4 (entries 256..511) is a
 * copy of the kernel's, made at creation: paging_init() created every
 * kernel PML4 slot up front, so these copies never go stale.
 *
 * With PCID (CR4.PCIDE) each address space tags its TLB entries with its
 * own PCID, so a switch keeps them (CR3 bit 63: no flush). An address
 * space whose translations changed while it was not current is "stale"
 * and flushes its PCID on the next switch, unless INVPCID could remove
 * the one address at once. PCIDs of destroyed spaces are reused, stale.
 * Without PCID every switch flushes the non-global TLB entries. QEMU's
 * TCG has no PCID, so the fallback is what the test suite runs.
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

#define CR3_NOFLUSH (1ull << 63)
#define PCID_COUNT  4096        /* 12-bit tag; 0 is the kernel's */

/* The kernel's own PML4 (user half empty), for when no task's will do. */
static uint64_t kernel_cr3;
static bool pcid_enabled;
static uint64_t pcid_used[PCID_COUNT / 64] = { 1 };    /* bit n: PCID n taken */

void vspace_init_pcid(void)
{
	if (!cpu_info.pcid)
		return;
	write_cr4(read_cr4() | CR4_PCIDE);
	pcid_enabled = true;
}

/* A free PCID, or 0 (no tag: flush on every switch) when all are taken. */
static uint16_t pcid_alloc(void)
{
	for (unsigned w = 0; pcid_enabled && w < PCID_COUNT / 64; w++) {
		if (~pcid_used[w]) {
			unsigned bit = (unsigned)__builtin_ctzll(~pcid_used[w]);

			pcid_used[w] |= 1ull << bit;
			return (uint16_t)(w * 64 + bit);
		}
	}
	return 0;
}

static void pcid_free(uint16_t pcid)
{
	if (pcid)
		pcid_used[pcid / 64] &= ~(1ull << (pcid % 64));
}

static bool vspace_is_current(const struct vspace *vs)
{
	return (read_cr3() & PTE_ADDR) == vs->pml4;
}

/* Removes any translation of va in vs from this CPU's TLB. */
static void tlb_flush_page(struct vspace *vs, uint64_t va)
{
	struct { uint64_t pcid, addr; } desc = { vs->pcid, va };

	if (vspace_is_current(vs))
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	else if (vs->pcid && cpu_info.invpcid)
		/* Type 0: one address in one PCID. */
		__asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"(0ul) : "memory");
	else
		vs->stale = true;
}

static uint64_t *table(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

int vspace_init(struct vspace *vs, struct quota *q)
{
	uint64_t pa = kmem_page_alloc(q);
	uint64_t *pml4, *kernel;

	if (!kernel_cr3)
		kernel_cr3 = read_cr3() & PTE_ADDR;     /* first call: still the kernel's */
	kernel = phys_to_virt(kernel_cr3);
	if (pa == FRAME_NONE)
		return E_NOMEM;
	pml4 = phys_to_virt(pa);
	memcpy(pml4 + KERNEL_HALF, kernel + KERNEL_HALF, KERNEL_HALF * sizeof *pml4);
	vs->pml4 = pa;
	vs->pcid = pcid_alloc();
	vs->stale = true;       /* a reused PCID may still tag old entries */
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
	/* A task tearing itself down still runs on its own tables. */
	if (vspace_is_current(vs))
		write_cr3(kernel_cr3);
	free_tables(vs->pml4, 4, KERNEL_HALF, q);
	pcid_free(vs->pcid);
	vs->pml4 = 0;
}

int vspace_map(struct vspace *vs, uint64_t va, uint64_t pa, unsigned perms,
	       struct quota *q)
{
	uint64_t *t = phys_to_virt(vs->pml4), *pte, old;
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
	pte = &t[(va >> 12) & 511];
	old = *pte;
	*pte = pa | flags;
	/* The TLB caches no absent entries: only a replaced one needs a flush. */
	if (old & PTE_P)
		tlb_flush_page(vs, va);
	return E_OK;
}

void vspace_activate(struct vspace *vs)
{
	uint64_t cr3 = vs->pml4;

	if (pcid_enabled && vs->pcid) {
		cr3 |= vs->pcid;
		if (!vs->stale)
			cr3 |= CR3_NOFLUSH;
		vs->stale = false;
	}
	write_cr3(cr3);
}
