/*
 * init's physical pages (frames.h). The kernel gives the root task every
 * free page of RAM through its physical window, on first touch or first
 * map from there; a page the kernel uses itself is refused. init takes
 * new pages from each usable region's top down (the kernel allocates
 * from the bottom, so refusals are rare), skipping the boot modules. It
 * claims a page by mapping it from the window to a scratch address of
 * its own: SYS_MAP fills the window first and answers E_NOTMAPPED
 * instead of faulting when the kernel keeps the page. Pages that come
 * back go on a free list threaded through the pages themselves and are
 * zeroed again when reused.
 */
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/syscall.h>
#include <mica/syscall.h>
#include "frames.h"

#define PAGE 4096ull
#define LOW_RAM (1ull << 20)            /* firmware and real-mode leftovers: never */
#define SCRATCH 0x0000300000000000ull   /* where a new page is claimed: unused otherwise */

static const struct kip *const kip = (const struct kip *)KIP_ADDR;
static int region = -1;                 /* the usable region the cursor is in */
static uint64_t cursor;                 /* next candidate is below it */
static uint64_t free_head;              /* physical address + 1 of the first free page; 0: none */
static uint64_t free_count;

void *frame_window(uint64_t pa)
{
	return (void *)(kip->phys_window + pa);
}

static int in_module(uint64_t pa)
{
	for (uint32_t i = 0; i < kip->nmodules && i < KIP_MAX_MODULES; i++)
		if (pa + PAGE > kip->modules[i].base &&
		    pa < kip->modules[i].base + kip->modules[i].size)
			return 1;
	return 0;
}

/* Moves the cursor to the next lower usable region with pages left. */
static int next_region(void)
{
	while (++region < (int)kip->nregions && region < KIP_MAX_REGIONS) {
		const struct kip_region *r = &kip->regions[region];
		uint64_t end = (r->base + r->len) & ~(PAGE - 1);

		if (r->type == 1 && end > LOW_RAM && end > r->base) {
			cursor = end;
			return 1;
		}
	}
	return 0;
}

void frames_init(void)
{
	region = -1;
	next_region();
}

uint64_t frames_total_bytes(void)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < kip->nregions && i < KIP_MAX_REGIONS; i++)
		if (kip->regions[i].type == 1)
			total += kip->regions[i].len;
	return total;
}

/* The next fresh candidate page, or 0 when RAM is exhausted. The regions
 * are walked in the KIP's order, each from its top down. */
static uint64_t candidate(void)
{
	for (;;) {
		if (region >= (int)kip->nregions)
			return 0;
		const struct kip_region *r = &kip->regions[region];
		uint64_t low = r->base > LOW_RAM ? r->base : LOW_RAM;

		if (cursor >= low + PAGE) {
			cursor -= PAGE;
			if (!in_module(cursor))
				return cursor;
			continue;
		}
		if (!next_region())
			return 0;
	}
}

long frame_map(uint64_t task, uint64_t pa, uint64_t va, uint64_t perms)
{
	return sys_map(task, (uint64_t)frame_window(pa), va, 12, perms);
}

long frame_map_new(uint64_t task, uint64_t va, uint64_t perms, uint64_t *pa)
{
	long err;

	if (free_head) {
		uint64_t p = free_head - 1;
		uint64_t *page = frame_window(p), next = page[0];

		/* Zeroed before anyone else can see it. */
		memset(page, 0, PAGE);
		if ((err = frame_map(task, p, va, perms)) != E_OK) {
			page[0] = next;
			return err;
		}
		free_head = next;
		free_count--;
		*pa = p;
		return E_OK;
	}
	for (;;) {
		uint64_t p = candidate();

		if (!p)
			return E_NOMEM;
		err = sys_map(SLOT_SELF_TASK, (uint64_t)frame_window(p), SCRATCH, 12, MAP_WRITE);
		if (err == E_NOTMAPPED)
			continue;       /* the kernel's */
		if (err != E_OK)
			return err;
		sys_unmap(SCRATCH, 12, UNMAP_SELF);
		if ((err = frame_map(task, p, va, perms)) != E_OK) {
			frame_free(p);  /* ours now, just not wanted there */
			return err;
		}
		*pa = p;                /* the kernel zeroed it for the window */
		return E_OK;
	}
}

void frame_free(uint64_t pa)
{
	uint64_t *page = frame_window(pa);

	/* Every mapping derived from init's takes the page back. */
	sys_unmap((uint64_t)page, 12, 0);
	page[0] = free_head;
	free_head = pa + 1;
	free_count++;
}

uint64_t frames_free_count(void)
{
	return free_count;
}
