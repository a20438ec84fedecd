/*
 * Capability tables: allocation and the decode step every system call
 * starts with. Copy, mint, move, delete and revoke build on cap_lookup and
 * the derivation tree.
 */
#include <klib.h>
#include <abi/errno.h>
#include <arch/memlayout.h>
#include <obj/cap.h>

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

void cap_install(struct cspace *cs, uint32_t idx, unsigned type, void *obj,
		 unsigned rights, uint64_t badge)
{
	struct cap *c = &cs->slots[idx];

	c->obj = obj;
	c->type = (uint8_t)type;
	c->rights = (uint8_t)rights;
	c->badge = badge;
	mdb_init(&c->mdb);
}
