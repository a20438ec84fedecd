/* Kernel memory pages from the frame pool, charged to quotas. */
#include <klib.h>
#include <kmem.h>
#include <kstate.h>
#include <panic.h>
#include <abi/errno.h>
#include <arch/memlayout.h>

int quota_charge(struct quota *q, uint64_t bytes)
{
	if (bytes > q->limit - q->used)
		return E_NOMEM;
	q->used += bytes;
	return E_OK;
}

void quota_release(struct quota *q, uint64_t bytes)
{
	assert(bytes <= q->used);
	q->used -= bytes;
}

uint64_t kmem_page_alloc(struct quota *q)
{
	uint64_t pa;

	if (quota_charge(q, FRAME_SIZE) != E_OK)
		return FRAME_NONE;
	pa = frame_alloc(&frame_pool);
	if (pa == FRAME_NONE) {
		quota_release(q, FRAME_SIZE);
		return FRAME_NONE;
	}
	memset(phys_to_virt(pa), 0, FRAME_SIZE);
	return pa;
}

void kmem_page_free(struct quota *q, uint64_t phys)
{
	if (frame_free(&frame_pool, phys) != FRAME_OK)
		panic("kmem_page_free: frame %lx was not allocated", phys);
	quota_release(q, FRAME_SIZE);
}
