/* Task objects: creation, and teardown when the last capability goes. */
#include <klib.h>
#include <kip.h>
#include <mapping.h>
#include <obj/ioport.h>
#include <kstate.h>
#include <syscall.h>
#include <abi/errno.h>
#include <obj/cap.h>
#include <obj/thread.h>
#include <arch/memlayout.h>
#include <obj/task.h>

static uint32_t next_task_id = 1;

int task_create(struct quota *q, uint32_t nslots, const char *name, struct task **out)
{
	uint64_t pa = kmem_page_alloc(q);
	struct task *t;
	int err;

	if (pa == FRAME_NONE)
		return E_NOMEM;
	t = phys_to_virt(pa);
	t->quota = t->hdr.quota = q;
	if ((err = vspace_init(&t->vspace, q)) != E_OK)
		goto fail_task;
	if ((err = kip_map(&t->vspace, q)) != E_OK ||
	    (err = cspace_init(&t->cspace, nslots, q)) != E_OK)
		goto fail_vspace;
	t->id = next_task_id++;
	snprintf(t->name, sizeof t->name, "%s", name);
	*out = t;
	return E_OK;

fail_vspace:
	vspace_destroy(&t->vspace, q);
fail_task:
	kmem_page_free(q, pa);
	return err;
}

struct task *task_reap_list;

void task_destroy(struct task *t)
{
	t->reap_next = task_reap_list;
	task_reap_list = t;
}

void task_reap(void)
{
	while (task_reap_list) {
		struct task *t = task_reap_list;
		struct quota *q = t->quota;

		task_reap_list = t->reap_next;
		while (t->threads)
			thread_kill(t->threads);
		for (uint32_t i = 0; i < t->cspace.nslots; i++)
			if (t->cspace.slots[i].obj)
				cap_delete(&t->cspace.slots[i]);
		ioport_task_gone(t);
		cspace_destroy(&t->cspace, q);
		mapping_teardown(&t->vspace);
		vspace_destroy(&t->vspace, q);
		kmem_page_free(q, virt_to_phys(t));
		quota_orphan(q);
	}
}

/* SYS_TASK_INFO(task) -> RDI live threads, RSI quota bytes used, RDX its
 * limit: what a supervisor shows of a task. */
int sys_task_info(struct trap_frame *f)
{
	struct cap *cap;
	struct task *t;
	uint64_t n = 0;
	int err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_TASK,
			     RIGHT_CONTROL, &cap);

	if (err != E_OK)
		return err;
	t = cap->obj;
	for (struct thread *th = t->threads; th; th = th->task_next)
		n++;
	sys_set_result(f, 0, n);
	sys_set_result(f, 1, t->quota->used);
	sys_set_result(f, 2, t->quota->limit);
	return E_OK;
}

/*
 * SYS_TASK_CREATE(task, slot, quota, nslots): a new task whose quota of
 * quota bytes is charged to task's, with an empty address space and an
 * empty table of nslots; its capability in the caller's empty slot.
 */
int sys_task_create(struct trap_frame *f)
{
	struct task *owner, *t;
	struct quota *q;
	int err;

	if ((err = create_decode(f, &owner)) != E_OK)
		return err;
	if (sys_arg3(f) == 0 || sys_arg3(f) > UINT32_MAX)
		return E_INVAL;
	q = quota_create(owner->quota, sys_arg2(f));
	if (!q)
		return E_NOMEM;
	if ((err = task_create(q, (uint32_t)sys_arg3(f), "task", &t)) != E_OK) {
		quota_orphan(q);
		return err;
	}
	create_install(f, CAP_TASK, t);
	return E_OK;
}
