/*
 * Capability tables: allocation, the decode step every system call starts
 * with, and the capability operations (copy, mint, move, delete, revoke),
 * which keep each object's reference count and the derivation tree.
 */
#include <stdbool.h>
#include <klib.h>
#include <syscall.h>
#include <abi/errno.h>
#include <arch/memlayout.h>
#include <obj/cap.h>
#include <obj/endpoint.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

#define SLOTS_PER_PAGE (FRAME_SIZE / sizeof(struct cap))

/*
 * Slots live in kernel pages reached through the direct map, so a table
 * larger than a page needs physically contiguous frames. The frame pool
 * hands out single frames only, so for now a table is at most one page
 * (SLOTS_PER_PAGE slots); larger tables come with a contiguous allocator.
 */
int cspace_init(struct cspace *cs, uint32_t nslots, struct quota *q)
{
	uint64_t pa;

	if (nslots == 0 || nslots > SLOTS_PER_PAGE)
		return E_INVAL;
	pa = kmem_page_alloc(q);
	if (pa == FRAME_NONE)
		return E_NOMEM;
	cs->slots = phys_to_virt(pa);
	cs->nslots = nslots;
	cs->npages = 1;
	for (uint32_t i = 0; i < nslots; i++)
		mdb_init(&cs->slots[i].mdb);
	return E_OK;
}

void cspace_destroy(struct cspace *cs, struct quota *q)
{
	kmem_page_free(q, virt_to_phys(cs->slots));
	cs->slots = NULL;
	cs->nslots = 0;
	cs->npages = 0;
}

int cap_lookup(const struct cspace *cs, uint64_t idx, unsigned type, unsigned rights,
	       struct cap **out)
{
	struct cap *c;

	if (idx >= cs->nslots)
		return E_CAP_RANGE;
	c = &cs->slots[idx];
	if (!c->obj)
		return E_CAP_EMPTY;
	if (type != CAP_NULL && c->type != type)
		return E_CAP_TYPE;
	if ((c->rights & rights) != rights)
		return E_CAP_RIGHTS;
	*out = c;
	return E_OK;
}


int cap_slot_free(const struct cspace *cs, uint64_t idx)
{
	if (idx >= cs->nslots)
		return E_CAP_RANGE;
	return cs->slots[idx].obj ? E_CAP_OCCUPIED : E_OK;
}

/* The reference count of obj, or NULL for objects that are never destroyed. */
static struct kobj *kobj_of(unsigned type, void *obj)
{
	switch (type) {
	case CAP_TASK:          return &((struct task *)obj)->hdr;
	case CAP_THREAD:        return &((struct thread *)obj)->hdr;
	case CAP_ENDPOINT:      return &((struct endpoint *)obj)->hdr;
	case CAP_NOTIFICATION:  return &((struct notification *)obj)->hdr;
	default:                return NULL;    /* debug console, IRQ lines, I/O ports */
	}
}

void kobj_destroy(unsigned type, void *obj)
{
	switch (type) {
	case CAP_TASK:
		task_destroy(obj);
		break;
	case CAP_THREAD:
		thread_destroy(obj);
		break;
	case CAP_ENDPOINT:
		endpoint_destroy(obj);
		break;
	case CAP_NOTIFICATION:
		notification_destroy(obj);
		break;
	default:
		break;
	}
}

/* Fills slot c with a capability to obj: the object gains a reference. */
static void cap_fill(struct cap *c, unsigned type, void *obj, unsigned rights,
		     uint64_t badge)
{
	struct kobj *k = kobj_of(type, obj);

	c->obj = obj;
	c->type = (uint8_t)type;
	c->rights = (uint8_t)rights;
	c->badge = badge;
	if (k)
		k->refs++;
}

void cap_install(struct cspace *cs, uint32_t idx, unsigned type, void *obj,
		 unsigned rights, uint64_t badge)
{
	struct cap *c = &cs->slots[idx];

	mdb_init(&c->mdb);
	cap_fill(c, type, obj, rights, badge);
}

/* Empties c, which is already out of the derivation tree. */
static void cap_clear(struct cap *c)
{
	struct kobj *k = kobj_of(c->type, c->obj);
	unsigned type = c->type;
	void *obj = c->obj;

	c->obj = NULL;
	c->type = CAP_NULL;
	c->rights = 0;
	c->badge = 0;
	if (k && --k->refs == 0)
		kobj_destroy(type, obj);
}

void cap_delete(struct cap *c)
{
	mdb_remove(&c->mdb);
	cap_clear(c);
}

static void revoke_one(struct mdb_node *n, void *arg)
{
	(void)arg;
	cap_clear((struct cap *)((uint8_t *)n - offsetof(struct cap, mdb)));
}

/* ------------------------------------------------------ system calls */

/* Decodes (dst_task, dst_slot): a task capability with the control right
 * (slot 0 names the caller's own task) and an empty slot in its table. */
static int decode_dest(uint64_t task_idx, uint64_t slot, struct cap **out)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct cap *tc;
	struct task *t;
	int err;

	if ((err = cap_lookup(cs, task_idx, CAP_TASK, RIGHT_CONTROL, &tc)) != E_OK)
		return err;
	t = tc->obj;
	if ((err = cap_slot_free(&t->cspace, slot)) != E_OK)
		return err;
	*out = &t->cspace.slots[slot];
	return E_OK;
}

/* Copy and mint: a child of src in the destination, with rights narrowed
 * to mask and, for mint, a badge. */
static int derive(uint64_t src_idx, uint64_t task_idx, uint64_t slot, uint64_t mask,
		  bool mint, uint64_t badge)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct cap *src, *dst;
	int err;

	if ((err = cap_lookup(cs, src_idx, CAP_NULL, 0, &src)) != E_OK)
		return err;
	if (mask & ~(uint64_t)RIGHTS_ALL)
		return E_INVAL;
	if (mint) {
		if (src->type != CAP_ENDPOINT && src->type != CAP_NOTIFICATION)
			return E_CAP_TYPE;
		if (badge == 0)
			return E_INVAL;
		if (src->badge != 0)
			return E_STATE;         /* a badge, once given, is fixed */
	}
	if ((err = decode_dest(task_idx, slot, &dst)) != E_OK)
		return err;
	mdb_init(&dst->mdb);
	cap_fill(dst, src->type, src->obj, src->rights & mask, mint ? badge : src->badge);
	mdb_insert_child(&src->mdb, &dst->mdb);
	return E_OK;
}

/* SYS_CAP_COPY(src, dst_task, dst_slot, rights) */
int sys_cap_copy(struct trap_frame *f)
{
	return derive(sys_arg0(f), sys_arg1(f), sys_arg2(f), sys_arg3(f), false, 0);
}

/* SYS_CAP_MINT(src, dst_task, dst_slot, rights, badge) */
int sys_cap_mint(struct trap_frame *f)
{
	return derive(sys_arg0(f), sys_arg1(f), sys_arg2(f), sys_arg3(f), true, sys_arg4(f));
}

/* SYS_CAP_MOVE(src, dst_task, dst_slot): the capability changes slot, and
 * keeps its place in the derivation tree. */
int sys_cap_move(struct trap_frame *f)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct cap *src, *dst;
	int err;

	if ((err = cap_lookup(cs, sys_arg0(f), CAP_NULL, 0, &src)) != E_OK ||
	    (err = decode_dest(sys_arg1(f), sys_arg2(f), &dst)) != E_OK)
		return err;
	*dst = *src;
	mdb_init(&dst->mdb);
	mdb_replace(&src->mdb, &dst->mdb);
	src->obj = NULL;
	src->type = CAP_NULL;
	src->rights = 0;
	src->badge = 0;
	return E_OK;
}

/* SYS_CAP_DELETE(slot) */
int sys_cap_delete(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_NULL, 0,
			      &c)) != E_OK)
		return err;
	cap_delete(c);
	return E_OK;
}

/* SYS_CAP_REVOKE(slot): deletes every capability derived from it, in
 * every task; the capability itself stays. */
int sys_cap_revoke(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_NULL, 0,
			      &c)) != E_OK)
		return err;
	mdb_revoke(&c->mdb, revoke_one, NULL);
	return E_OK;
}

/* SYS_CAP_INFO(slot) -> RDI type, RSI rights, RDX badge */
int sys_cap_info(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_NULL, 0,
			      &c)) != E_OK)
		return err;
	sys_set_result(f, 0, c->type);
	sys_set_result(f, 1, c->rights);
	sys_set_result(f, 2, c->badge);
	return E_OK;
}
