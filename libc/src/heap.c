/*
 * The heap's pages (mica/heap.h) of a program init started: init's pager
 * fills [HEAP_BASE, HEAP_BASE + heap_limit) with zeroed pages on first
 * touch, so growing is moving the break; shrinking gives the pages back
 * to init. A root task has no pager and provides both functions itself.
 */
#include <stddef.h>
#include <mica/heap.h>
#include <mica/init.h>
#include <mica/start.h>

static uint64_t heap_top = HEAP_BASE;

__attribute__((weak)) void *heap_more(size_t len)
{
	uint64_t old = heap_top;

	if (!start_info || len > start_info->heap_limit - (heap_top - HEAP_BASE))
		return NULL;
	heap_top += len;
	return (void *)old;
}

__attribute__((weak)) void heap_less(size_t len)
{
	if (len > heap_top - HEAP_BASE)
		return;
	heap_top -= len;
	init_release(heap_top, len);
}
