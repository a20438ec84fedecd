/* Kernel memory pages from the frame pool, charged to quotas. */
#include <klib.h>
#include <kmem.h>
#include <kstate.h>
#include <panic.h>
#include <abi/errno.h>
#include <arch/memlayout.h>

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
