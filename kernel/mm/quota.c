/*
 * Kernel-memory quotas. Charges and releases are plain arithmetic; the
 * interesting part is the end of a quota's life: an orphaned quota (its
 * task is gone) is freed with its last charge, which returns its limit and
 * its own small allocation to its parent, and so on up an orphaned chain,
 * in a loop: nested tasks must not nest kernel stack frames.
 */
#include <kmem.h>
#include <panic.h>
#include <abi/errno.h>

void quota_collect(struct quota *q)
{
	while (q && q->orphan && q->used == 0) {
		struct quota *parent = q->parent;
		uint64_t bytes = q->limit + kmem_class_bytes(sizeof *q);

		kmem_free_uncharged(q, sizeof *q);
		assert(parent && parent->used >= bytes);
		parent->used -= bytes;
		q = parent;
	}
}

struct quota *quota_create(struct quota *parent, uint64_t limit)
{
	struct quota *q;

	if (quota_charge(parent, limit) != E_OK)
		return NULL;
	q = kmem_alloc(parent, sizeof *q);
	if (!q) {
		quota_release(parent, limit);
		return NULL;
	}
	q->limit = limit;
	q->parent = parent;
	return q;
}

void quota_orphan(struct quota *q)
{
	q->orphan = true;
	quota_collect(q);
}
