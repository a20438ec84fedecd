/*
 * init's own heap (mica/heap.h). init is the root task: nobody pages it,
 * so its heap pages are mapped from its own free pages as it grows and
 * put back on the free list as it shrinks.
 */
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/syscall.h>
#include <mica/heap.h>
#include <mica/start.h>
#include <mica/syscall.h>
#include "frames.h"

#define PAGE 4096u
#define INIT_HEAP_MAX (64u << 20)

static uint64_t heap_top = HEAP_BASE;
static uint64_t heap_pa[INIT_HEAP_MAX / PAGE];  /* the page behind each heap page */

void *heap_more(size_t len)
{
	uint64_t old = heap_top;

	if (len > INIT_HEAP_MAX - (heap_top - HEAP_BASE))
		return NULL;
	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t i = (heap_top - HEAP_BASE) / PAGE;

		if (frame_map_new(SLOT_SELF_TASK, heap_top, MAP_WRITE, &heap_pa[i]) != E_OK) {
			heap_less(heap_top - old);
			return NULL;
		}
		heap_top += PAGE;
	}
	return (void *)old;
}

void heap_less(size_t len)
{
	if (len > heap_top - HEAP_BASE)
		return;
	for (; len; len -= PAGE) {
		heap_top -= PAGE;
		sys_unmap(heap_top, 12, UNMAP_SELF);
		frame_free(heap_pa[(heap_top - HEAP_BASE) / PAGE]);
	}
}
