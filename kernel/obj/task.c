/* Task objects: creation, with the quota carved out of the creator's. */
#include <klib.h>
#include <kstate.h>
#include <abi/errno.h>
#include <arch/memlayout.h>
#include <obj/task.h>

static uint32_t next_task_id = 1;

int task_create(struct quota *parent, uint64_t limit, uint32_t nslots, const char *name,
		struct task **out)
{
	struct quota q = { .limit = limit };
	struct task *t;
	uint64_t pa;
	int err;

	if (parent && (err = quota_charge(parent, limit)) != E_OK)
		return err;
	pa = kmem_page_alloc(&q);
	if (pa == FRAME_NONE) {
		err = E_NOMEM;
		goto fail_quota;
	}
	t = phys_to_virt(pa);
	t->quota = q;
	t->parent_quota = parent;
	if ((err = vspace_init(&t->vspace, &t->quota)) != E_OK)
		goto fail_task;
	if ((err = cspace_init(&t->cspace, nslots, &t->quota)) != E_OK)
		goto fail_vspace;
	t->id = next_task_id++;
	snprintf(t->name, sizeof t->name, "%s", name);
	*out = t;
	return E_OK;

fail_vspace:
	vspace_destroy(&t->vspace, &t->quota);
fail_task:
	q = t->quota;
	kmem_page_free(&q, pa);
fail_quota:
	if (parent)
		quota_release(parent, limit);
	return err;
}
