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
#include <kstate.h>
#include <panic.h>
#include <abi/errno.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/memlayout.h>
#include <arch/paging.h>
#include <arch/vspace.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define KERNEL_HALF 256

#define CR3_NOFLUSH (1ull << 63)
#define PCID_COUNT  4096        /* 12-bit tag; 0 is the kernel's */

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
	uint64_t *pml4, *kernel = phys_to_virt(kernel_pml4_phys);

	if (pa == FRAME_NONE)
		return E_NOMEM;
	pml4 = phys_to_virt(pa);
	memcpy(pml4 + KERNEL_HALF, kernel + KERNEL_HALF, KERNEL_HALF * sizeof *pml4);
	vs->pml4 = pa;
	vs->pcid = pcid_alloc();
	vs->stale = true;       /* a reused PCID may still tag old entries */
	vs->generation = 1;
	vs->leaf_region = ~0ull;
	return E_OK;
}

/*
 * Leaf page tables come in pairs of frames: the table, and after it an
 * array of 512 mapping-node pointers, one per entry, so that unmap finds
 * the node of (space, address) in the same walk that finds the entry.
 */
#define LEAF_FRAMES 2

static uint64_t leaf_alloc(struct quota *q)
{
	uint64_t pa;

	if (quota_charge(q, LEAF_FRAMES * PAGE_SIZE) != E_OK)
		return FRAME_NONE;
	pa = frame_alloc_contig(&frame_pool, LEAF_FRAMES);
	if (pa == FRAME_NONE) {
		quota_release(q, LEAF_FRAMES * PAGE_SIZE);
		return FRAME_NONE;
	}
	memset(phys_to_virt(pa), 0, LEAF_FRAMES * PAGE_SIZE);
	return pa;
}

static void leaf_free(uint64_t pa, struct quota *q)
{
	for (unsigned i = 0; i < LEAF_FRAMES; i++)
		if (frame_free(&frame_pool, pa + i * PAGE_SIZE) != FRAME_OK)
			panic("vspace: leaf table %lx was not allocated", pa);
	quota_release(q, LEAF_FRAMES * PAGE_SIZE);
}

/* Frees the user tables below the table at pa, which is at level (4: PML4). */
static void free_tables(uint64_t pa, int level, unsigned entries, struct quota *q)
{
	uint64_t *t = phys_to_virt(pa);

	if (level == 1) {
		leaf_free(pa, q);
		return;
	}
	for (unsigned i = 0; i < entries; i++)
		if (t[i] & PTE_P)
			free_tables(t[i] & PTE_ADDR, level - 1, 512, q);
	kmem_page_free(q, pa);
}

void vspace_destroy(struct vspace *vs, struct quota *q)
{
	/* A task tearing itself down still runs on its own tables. */
	if (vspace_is_current(vs))
		write_cr3(kernel_pml4_phys);
	free_tables(vs->pml4, 4, KERNEL_HALF, q);
	pcid_free(vs->pcid);
	vs->pml4 = 0;
	vs->leaf_region = ~0ull;
}

/*
 * Returns the leaf table covering va, creating the path to it when q is
 * given; NULL when it does not exist (or cannot be charged). Out of line:
 * vspace_map needs it once per new 2 MiB, and its frame would burden
 * every map.
 */
static noinline uint64_t *leaf_of(struct vspace *vs, uint64_t va, struct quota *q)
{
	uint64_t *t = phys_to_virt(vs->pml4);

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			uint64_t next;

			if (!q)
				return NULL;
			next = shift == 21 ? leaf_alloc(q) : kmem_page_alloc(q);
			if (next == FRAME_NONE)
				return NULL;
			/* Intermediate levels allow everything; the leaf decides. */
			*e = next | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	return t;
}

/*
 * The leaf table covering va, or NULL: leaf_of without the allocation,
 * the walk unrolled, and remembered (every lookup of map, unmap and
 * IPC's typed items and UTCBs comes through here, most of them in the
 * 2 MiB of the one before: leaf_find, inline, answers those).
 */
static noinline uint64_t *leaf_walk(struct vspace *vs, uint64_t va)
{
	uint64_t e = ((uint64_t *)phys_to_virt(vs->pml4))[(va >> 39) & 511];

	if (!(e & PTE_P))
		return NULL;
	e = table(e)[(va >> 30) & 511];
	if (!(e & PTE_P))
		return NULL;
	e = table(e)[(va >> 21) & 511];
	if (!(e & PTE_P))
		return NULL;
	vs->leaf_region = va >> 21;
	vs->leaf = table(e);
	return vs->leaf;
}

static inline uint64_t *leaf_find(struct vspace *vs, uint64_t va)
{
	return va >> 21 == vs->leaf_region ? vs->leaf : leaf_walk(vs, va);
}

static struct mapping **node_slot(uint64_t *leaf, uint64_t va)
{
	return (struct mapping **)(leaf + 512) + ((va >> 12) & 511);
}

int vspace_map(struct vspace *vs, uint64_t va, uint64_t pa, unsigned perms,
	       struct mapping *node, struct quota *q)
{
	uint64_t *leaf, *pte, flags = PTE_P | PTE_U;

	assert(va < USER_END && !(va & (PAGE_SIZE - 1)) && !(pa & (PAGE_SIZE - 1)));
	leaf = leaf_find(vs, va);
	if (!leaf)
		leaf = leaf_of(vs, va, q);      /* a new path of tables */
	if (!leaf)
		return E_NOMEM;
	pte = &leaf[(va >> 12) & 511];
	assert(!(*pte & PTE_P));
	if (perms & VM_WRITE)
		flags |= PTE_W;
	if (!(perms & VM_EXEC) && cpu_info.nx)
		flags |= PTE_NX;
	if (perms & VM_UNCACHED)
		flags |= PTE_PCD | PTE_PWT;
	/* The TLB caches no absent entries: a new mapping needs no flush. */
	*pte = pa | flags;
	*node_slot(leaf, va) = node;
	return E_OK;
}

bool vspace_lookup(struct vspace *vs, uint64_t va, uint64_t *pa, unsigned *perms,
		   struct mapping **node)
{
	uint64_t *leaf = leaf_find(vs, va), pte;

	if (!leaf || !((pte = leaf[(va >> 12) & 511]) & PTE_P))
		return false;
	*pa = pte & PTE_ADDR;
	*perms = VM_READ | (pte & PTE_W ? VM_WRITE : 0) |
		 (!(pte & PTE_NX) ? VM_EXEC : 0) | (pte & PTE_PCD ? VM_UNCACHED : 0);
	*node = *node_slot(leaf, va);
	return true;
}

bool vspace_mapped(struct vspace *vs, uint64_t va, struct mapping **node)
{
	uint64_t *leaf = leaf_find(vs, va);

	if (!leaf || !(leaf[(va >> 12) & 511] & PTE_P))
		return false;
	*node = *node_slot(leaf, va);
	return true;
}

void vspace_unmap(struct vspace *vs, uint64_t va)
{
	uint64_t *leaf = leaf_find(vs, va);

	if (!leaf || !(leaf[(va >> 12) & 511] & PTE_P))
		return;
	leaf[(va >> 12) & 511] = 0;
	*node_slot(leaf, va) = NULL;
	vs->generation++;
	tlb_flush_page(vs, va);
}

struct mapping *vspace_unmap_node(struct vspace *vs, uint64_t va, uint64_t *pa)
{
	uint64_t *leaf = leaf_find(vs, va), *pte;
	struct mapping *m;

	if (!leaf || !(*(pte = &leaf[(va >> 12) & 511]) & PTE_P) ||
	    !(m = *node_slot(leaf, va)))
		return NULL;
	*pa = *pte & PTE_ADDR;
	*pte = 0;
	*node_slot(leaf, va) = NULL;
	vs->generation++;
	tlb_flush_page(vs, va);
	return m;
}

/* Calls fn on every mapping node in the user half; fn may remove any. */
static void each_node(uint64_t pa, int level, uint64_t va, unsigned entries,
		      void (*fn)(struct mapping *m, void *arg), void *arg)
{
	uint64_t *t = phys_to_virt(pa);

	for (unsigned i = 0; i < entries; i++) {
		uint64_t sub = va + ((uint64_t)i << (12 + 9 * (level - 1)));

		if (level == 1) {
			struct mapping *m = *node_slot(t, sub);

			if (m)
				fn(m, arg);
		} else if (t[i] & PTE_P) {
			each_node(t[i] & PTE_ADDR, level - 1, sub, 512, fn, arg);
		}
	}
}

void vspace_each_mapping(struct vspace *vs, void (*fn)(struct mapping *m, void *arg),
			 void *arg)
{
	each_node(vs->pml4, 4, 0, KERNEL_HALF, fn, arg);
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
