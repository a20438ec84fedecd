/*
 * Small kernel objects (endpoints, notifications, mapping nodes): a slab
 * per power-of-two size class from 64 bytes to 2 KiB. Each slab is one
 * page with its header in the first object slot; a page whose objects are
 * all free goes back to the frame pool at once, so the free-frame count
 * measures kernel memory exactly (the test suites' leak checks rely on it).
 * Quotas are charged the size class, not the page.
 */
#include <klib.h>
#include <kmem.h>
#include <kstate.h>
#include <panic.h>
#include <abi/errno.h>
#include <arch/memlayout.h>

#define CLASS_MIN_SHIFT KMEM_CLASS_MIN_SHIFT
#define NCLASSES        6       /* 64 .. 2048 */

struct slab {
	struct slab *next, *prev;       /* pages of this class with a free object */
	void *free;                     /* free objects, linked through their first word */
	uint32_t inuse;
	uint32_t cls;
};

static struct slab *partial[NCLASSES];

static unsigned class_of(size_t size)
{
	unsigned c = 0;

	while (((size_t)1 << (c + CLASS_MIN_SHIFT)) < size)
		c++;
	return c;
}

static void list_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

/* A fresh page cut into objects of class c; the first slot holds the
 * header. Out of line: once per page of objects, and its frame would
 * burden every allocation. */
static noinline struct slab *slab_new(unsigned c)
{
	uint64_t pa = frame_alloc(&frame_pool);
	size_t osize = (size_t)1 << (c + CLASS_MIN_SHIFT);
	struct slab *s;

	if (pa == FRAME_NONE)
		return NULL;
	s = phys_to_virt(pa);
	memset(s, 0, sizeof *s);
	s->cls = c;
	for (size_t off = FRAME_SIZE - osize; off >= ALIGN_UP(sizeof *s, osize); off -= osize) {
		void **obj = (void **)((uint8_t *)s + off);

		*obj = s->free;
		s->free = obj;
	}
	list_push(s);
	return s;
}

/* An object of s, which has one free. */
static inline void *take(struct slab *s)
{
	void **obj = s->free;

	s->free = *obj;
	s->inuse++;
	if (!s->free)
		list_remove(s);         /* full: no longer a candidate */
	return obj;
}

void *kmem_alloc(struct quota *q, size_t size)
{
	void *obj = kmem_alloc_raw(q, size);

	if (obj)
		memset(obj, 0, kmem_class_bytes(size));
	return obj;
}

/* kmem_alloc_raw when class c has no page with a free object: a new one. */
static noinline void *alloc_new_slab(struct quota *q, unsigned c)
{
	uint64_t bytes = (uint64_t)1 << (c + CLASS_MIN_SHIFT);
	struct slab *s;

	if (quota_charge(q, bytes) != E_OK)
		return NULL;
	s = slab_new(c);
	if (!s) {
		quota_release(q, bytes);
		return NULL;
	}
	return take(s);
}

void *kmem_alloc_raw(struct quota *q, size_t size)
{
	unsigned c;
	struct slab *s;

	assert(size > 0 && size <= KMEM_OBJ_MAX);
	c = class_of(size);
	s = partial[c];
	/* The common case, a page with room, without a call: every map. */
	if (!s)
		return alloc_new_slab(q, c);
	if (quota_charge(q, (uint64_t)1 << (c + CLASS_MIN_SHIFT)) != E_OK)
		return NULL;
	return take(s);
}

void kmem_free_uncharged(void *obj, size_t size)
{
	struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)obj, (uintptr_t)FRAME_SIZE);

	assert(s->cls == class_of(size) && s->inuse > 0);
	if (!s->free)
		list_push(s);           /* it was full: it has room again */
	*(void **)obj = s->free;
	s->free = obj;
	if (--s->inuse == 0) {
		list_remove(s);
		if (frame_free(&frame_pool, virt_to_phys(s)) != FRAME_OK)
			panic("kmem_free: slab page %p was not allocated", (void *)s);
	}
}
