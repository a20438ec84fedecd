/*
 * Capability tables and the operations on capabilities: allocation of a
 * table, the lookup every system call decodes its capability arguments
 * with, and the invoke steps of copy, mint, move, delete and revoke, which
 * keep each object's reference count and the derivation tree. Pure table
 * logic: nothing here reads the current thread or a trap frame (the
 * system calls are in cap_syscalls.c), so tests/unit/test_cspace.c runs
 * it on the host.
 */
#include <stddef.h>
#include <panic.h>
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
	for (uint32_t i = 0; i < cs->nslots; i++)
		assert(!cs->slots[i].obj);
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

/* ------------------------------------------------------ object lifetime */

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

/* Empties c's fields; the reference it held is the caller's to drop. */
static void cap_zero(struct cap *c)
{
	c->obj = NULL;
	c->type = CAP_NULL;
	c->rights = 0;
	c->badge = 0;
}

/* Empties c, which is already out of the derivation tree: the object
 * loses a reference and dies with its last. */
static void cap_clear(struct cap *c)
{
	struct kobj *k = kobj_of(c->type, c->obj);
	unsigned type = c->type;
	void *obj = c->obj;

	/* Sends queued through this capability cannot go on without it. */
	if (type == CAP_ENDPOINT)
		endpoint_cap_gone(obj, c, NULL);
	cap_zero(c);
	if (k && --k->refs == 0)
		kobj_destroy(type, obj);
}

/* ------------------------------------------------------ invoke steps */

void cap_install(struct cspace *cs, uint32_t idx, unsigned type, void *obj,
		 unsigned rights, uint64_t badge)
{
	struct cap *c = &cs->slots[idx];

	assert(idx < cs->nslots && !c->obj && obj);
	mdb_init(&c->mdb);
	cap_fill(c, type, obj, rights, badge);
}

void cap_derive(struct cap *src, struct cap *dst, unsigned mask, uint64_t badge)
{
	assert(src->obj && !dst->obj);
	mdb_init(&dst->mdb);
	cap_fill(dst, src->type, src->obj, src->rights & mask, badge ? badge : src->badge);
	mdb_insert_child(&src->mdb, &dst->mdb);
}

void cap_move(struct cap *src, struct cap *dst)
{
	assert(src->obj && !dst->obj);
	if (src->type == CAP_ENDPOINT)
		endpoint_cap_gone(src->obj, src, dst);  /* queued sends follow it */
	*dst = *src;
	mdb_init(&dst->mdb);
	mdb_replace(&src->mdb, &dst->mdb);
	cap_zero(src);          /* the reference moved with it */
}

void cap_delete(struct cap *c)
{
	assert(c->obj);
	mdb_remove(&c->mdb);
	cap_clear(c);
}

static void revoke_one(struct mdb_node *n, void *arg)
{
	(void)arg;
	cap_clear((struct cap *)((uint8_t *)n - offsetof(struct cap, mdb)));
}

void cap_revoke(struct cap *c)
{
	assert(c->obj);
	mdb_revoke(&c->mdb, revoke_one, NULL);
}
