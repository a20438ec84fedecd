/*
 * Per-task I/O-port bitmaps (obj/ioport.h). Bits as the CPU reads them:
 * a set bit denies the port. Few tasks (drivers) have one, so they are
 * kept on a list and all recomputed when a port capability goes away.
 */
#include <klib.h>
#include <kmem.h>
#include <panic.h>
#include <abi/cap.h>
#include <arch/ioport.h>
#include <arch/memlayout.h>
#include <obj/cap.h>
#include <obj/ioport.h>
#include <obj/task.h>
#include <obj/thread.h>

static struct task *io_tasks;   /* tasks with a bitmap, through task.io_next */

static void bitmap_free(struct task *t)
{
	struct task **p;

	for (unsigned i = 0; i < IOPORT_BITMAP_PAGES; i++)
		kmem_page_free(t->quota, virt_to_phys(t->io_bitmap[i]));
	for (p = &io_tasks; *p != t; p = &(*p)->io_next)
		;
	*p = t->io_next;
	t->io_bitmap[0] = NULL;
}

/* A bitmap denying everything, or false when the quota cannot pay. */
static bool bitmap_alloc(struct task *t)
{
	for (unsigned i = 0; i < IOPORT_BITMAP_PAGES; i++) {
		uint64_t pa = kmem_page_alloc(t->quota);

		if (pa == FRAME_NONE) {
			while (i--)
				kmem_page_free(t->quota, virt_to_phys(t->io_bitmap[i]));
			t->io_bitmap[0] = NULL;
			return false;
		}
		t->io_bitmap[i] = phys_to_virt(pa);
	}
	t->io_next = io_tasks;
	io_tasks = t;
	return true;
}

static void allow(struct task *t, uint32_t first, uint32_t last)
{
	for (uint32_t port = first; port <= last; port++)
		t->io_bitmap[port / (8 * FRAME_SIZE)][(port / 8) % FRAME_SIZE] &=
			(uint8_t)~(1u << (port % 8));
}

void ioport_refresh(struct task *t)
{
	bool any = false;

	for (uint32_t i = 0; i < t->cspace.nslots; i++)
		any |= t->cspace.slots[i].type == CAP_IOPORT;
	if (!any) {
		if (t->io_bitmap[0])
			bitmap_free(t);
	} else if (t->io_bitmap[0] || bitmap_alloc(t)) {
		/* A task whose quota cannot pay for a bitmap gets no ports. */
		for (unsigned p = 0; p < IOPORT_BITMAP_PAGES; p++)
			memset(t->io_bitmap[p], 0xFF, FRAME_SIZE);
		for (uint32_t i = 0; i < t->cspace.nslots; i++) {
			const struct cap *c = &t->cspace.slots[i];

			if (c->type == CAP_IOPORT)
				allow(t, c->badge & 0xFFFF, (c->badge >> 16) & 0xFFFF);
		}
	}
	t->io_generation++;
	if (thread_current() && thread_current()->task == t)
		arch_ioport_load(t);
}

void ioport_refresh_all(void)
{
	for (struct task *t = io_tasks, *next; t; t = next) {
		next = t->io_next;
		ioport_refresh(t);
	}
}

void ioport_task_gone(struct task *t)
{
	if (t->io_bitmap[0])
		bitmap_free(t);
	arch_ioport_forget(t);
}
