/*
 * Where malloc gets its memory: one contiguous heap that starts at a
 * page-aligned base and grows and shrinks at its top, a page at a time.
 * malloc is the only caller; heap.c implements it over the task's pager.
 */
#ifndef MICA_HEAP_H
#define MICA_HEAP_H

#include <stddef.h>

/* Extends the heap by len bytes (a multiple of 4096) of writable
 * memory and returns the old top (the base on the first call), or NULL,
 * changing nothing, when that would pass the task's heap limit. */
void *heap_more(size_t len);

/* Gives back the top len bytes (a multiple of 4096, at most what is in
 * use); the caller no longer touches them. */
void heap_less(size_t len);

#endif
