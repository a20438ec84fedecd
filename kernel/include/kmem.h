/*
 * Kernel memory and its quotas. Every page of kernel memory a task causes
 * (thread control blocks, page tables, capability tables) is charged to
 * that task's quota; a new task's quota is carved out of its creator's.
 * Exhaustion is an error for the caller, never a kernel failure.
 */
#ifndef KMEM_H
#define KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <frame.h>
#include <panic.h>
#include <abi/errno.h>

/*
 * A quota outlives its task for as long as kernel memory is charged to it
 * (an endpoint a dead task created may live on in another task): the task
 * orphans it, and the last release frees it and returns its limit to the
 * parent quota.
 */
struct quota {
	uint64_t limit;         /* bytes this task may cause the kernel to hold */
	uint64_t used;
	struct quota *parent;   /* where limit (and this struct) is charged; NULL: root */
	bool orphan;            /* its task is gone */
};

/* An orphaned quota whose charges are all released: frees it and its
 * orphaned ancestors that are left empty (quota_release's rare part). */
void quota_collect(struct quota *q);

/* Charges bytes to q. Returns E_OK, or E_NOMEM past the limit. Inline:
 * every map and unmap charges or releases its node. */
static inline int quota_charge(struct quota *q, uint64_t bytes)
{
	if (bytes > q->limit - q->used)
		return E_NOMEM;
	q->used += bytes;
	return E_OK;
}

static inline void quota_release(struct quota *q, uint64_t bytes)
{
	assert(bytes <= q->used);
	q->used -= bytes;
	if (q->orphan && q->used == 0)
		quota_collect(q);
}

/* A new quota of limit bytes charged to parent. NULL: E_NOMEM. */
struct quota *quota_create(struct quota *parent, uint64_t limit);

/* Its task is gone: freed now or with its last charge. */
void quota_orphan(struct quota *q);

/*
 * A zeroed frame of kernel memory charged to q: its physical address, or
 * FRAME_NONE when the quota or physical memory is exhausted.
 */
uint64_t kmem_page_alloc(struct quota *q);
void kmem_page_free(struct quota *q, uint64_t phys);

#define KMEM_OBJ_MAX 2048

/*
 * A zeroed kernel object of size bytes (at most KMEM_OBJ_MAX), charged to
 * q by its size class; NULL when the quota or memory is exhausted.
 * kmem_free takes the same size back.
 */
void *kmem_alloc(struct quota *q, size_t size);
/* The same, not zeroed: for objects whose every field the caller sets
 * (a mapping node at every map). */
void *kmem_alloc_raw(struct quota *q, size_t size);

/* A free that charges nobody (for the quota code, which settles its
 * accounts itself). */
void kmem_free_uncharged(void *obj, size_t size);

#define KMEM_CLASS_MIN_SHIFT 6  /* the smallest size class: 64 bytes */

/* What kmem_alloc charges for size bytes. Inline so that a constant size
 * (every caller's sizeof) folds to a constant. */
static inline uint64_t kmem_class_bytes(size_t size)
{
	uint64_t bytes = (uint64_t)1 << KMEM_CLASS_MIN_SHIFT;

	while (bytes < size)
		bytes <<= 1;
	return bytes;
}

static inline void kmem_free(struct quota *q, void *obj, size_t size)
{
	kmem_free_uncharged(obj, size);
	quota_release(q, kmem_class_bytes(size));
}

#endif
