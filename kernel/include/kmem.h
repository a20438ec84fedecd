/*
 * Kernel memory and its quotas. Every page of kernel memory a task causes
 * (thread control blocks, page tables, capability tables) is charged to
 * that task's quota; a new task's quota is carved out of its creator's.
 * Exhaustion is an error for the caller, never a kernel failure.
 */
#ifndef KMEM_H
#define KMEM_H

#include <stdint.h>
#include <frame.h>

struct quota {
	uint64_t limit;         /* bytes this task may cause the kernel to hold */
	uint64_t used;
};

/* Charges bytes to q. Returns E_OK, or E_NOMEM past the limit. */
int quota_charge(struct quota *q, uint64_t bytes);
void quota_release(struct quota *q, uint64_t bytes);

/*
 * A zeroed frame of kernel memory charged to q: its physical address, or
 * FRAME_NONE when the quota or physical memory is exhausted.
 */
uint64_t kmem_page_alloc(struct quota *q);
void kmem_page_free(struct quota *q, uint64_t phys);

#endif
