/*
 * User address spaces: one PML4 per task whose upper half is the kernel's
 * (shared page tables, copied PML4 entries) and whose lower half maps the
 * task's pages. Page tables are kernel memory, charged to a quota.
 */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include <stdbool.h>
#include <stdint.h>
#include <kmem.h>

#define VM_READ     1u
#define VM_WRITE    2u
#define VM_EXEC     4u
#define VM_UNCACHED 8u          /* device memory; inherited, never asked for */

#define PAGE_SIZE 4096ull

struct vspace {
	uint64_t pml4;          /* physical */
	uint16_t pcid;          /* TLB tag where the CPU has PCID; 0: none */
	bool stale;             /* the TLB may hold old translations under pcid */
	/* Bumped whenever a translation goes (from 1 up: 0 is never current):
	 * a kernel copy of one, such as a thread's cached UTCB address
	 * (thread.utcb_kva), is good while the count it was taken at is. */
	uint64_t generation;
	/* The leaf table leaf_find() found last and the 2 MiB it covers
	 * (va >> 21; ~0: none). User page tables go only with the space, so
	 * it stays right until vspace_destroy. */
	uint64_t leaf_region;
	uint64_t *leaf;
};

/* Turns on PCID where the CPU has it; call while CR3 is the kernel's. */
void vspace_init_pcid(void);

/* Creates an empty user half. E_OK or E_NOMEM. */
int vspace_init(struct vspace *vs, struct quota *q);

/* Frees every user page table (not the frames they map) and the PML4. */
void vspace_destroy(struct vspace *vs, struct quota *q);

struct mapping;

/*
 * Maps the frame at pa at user address va (both page-aligned, va below
 * USER_END, nothing mapped there yet) with perms (VM_*; read is implied),
 * recording node as its mapping-database node (NULL for kernel-provided
 * pages such as the KIP). E_OK or E_NOMEM (a page table not charged).
 */
int vspace_map(struct vspace *vs, uint64_t va, uint64_t pa, unsigned perms,
	       struct mapping *node, struct quota *q);

/* What is mapped at va: false if nothing; else the frame, perms and node. */
bool vspace_lookup(struct vspace *vs, uint64_t va, uint64_t *pa, unsigned *perms,
		   struct mapping **node);

/* Whether anything is mapped at va, and its node (NULL: a kernel page,
 * the KIP): vspace_lookup without the frame and permissions, for unmap
 * and a map's destination, which need nothing else. */
bool vspace_mapped(struct vspace *vs, uint64_t va, struct mapping **node);

/* Removes whatever is mapped at va, from the tables and the TLB. */
void vspace_unmap(struct vspace *vs, uint64_t va);

/* vspace_unmap of a page with a node (NULL: nothing, or a kernel page,
 * which stays), returning the node and the frame: the one-page unmap's
 * single look-up of the page. */
struct mapping *vspace_unmap_node(struct vspace *vs, uint64_t va, uint64_t *pa);

/* Calls fn on every mapping node of vs; fn may remove mappings. */
void vspace_each_mapping(struct vspace *vs, void (*fn)(struct mapping *m, void *arg),
			 void *arg);

/* The count of translations vs lost so far (struct vspace). */
static inline uint64_t vspace_generation(const struct vspace *vs)
{
	return vs->generation;
}

/* Switches this CPU to vs. */
void vspace_activate(struct vspace *vs);

#endif
