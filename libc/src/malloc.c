/*
 * The heap allocator: boundary-tagged blocks in one contiguous heap that
 * grows and shrinks at its top (mica/heap.h), free blocks in lists by
 * size class, first fit within a class.
 *
 * Every block starts with a 16-byte header: the size of the block below
 * and its own size and state; the payload follows, 16-byte aligned. A free
 * block keeps its list links in its payload. Free neighbours are always
 * merged, so no two free blocks touch, and a header-only sentinel of size
 * 0, never free, ends the heap. When the free block at the top reaches
 * TRIM_THRESHOLD, all but TRIM_KEEP of it goes back as whole pages.
 *
 * The state in each header is a 16-bit magic number, checked before free
 * or realloc trusts a pointer, together with the size the next block
 * records: a second free of a block, or a pointer malloc did not return,
 * ends the program with a message (unless its memory has since been
 * handed out again and looks like a header).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mica/heap.h>

#define PAGE_SIZE       4096u
#define HEADER          16u             /* the header's size, and the alignment */
#define MIN_BLOCK       32u             /* a header and the two links of a free block */
#define GROW_MIN        (32u * 1024)    /* the least the heap grows by */
#define TRIM_THRESHOLD  (64u * 1024)    /* free space at the top that goes back */
#define TRIM_KEEP       (16u * 1024)    /* what stays of it, so that malloc after free does not grow at once */
#define MAX_REQUEST     ((size_t)1 << 46)

#define TAG_USED        ((size_t)0xA110 << 48)
#define TAG_FREE        ((size_t)0xF4EE << 48)
#define TAG_MASK        ((size_t)0xFFFF << 48)

struct block {
	size_t prev_size;               /* the size of the block below; 0 for the first */
	size_t head;                    /* tag | size, header included, a multiple of 16 */
	struct block *next, *prev;      /* free blocks: the list of their size class */
};

/* Class c holds the free blocks of sizes [2^c, 2^(c+1)); sizes stay below 2^47. */
#define NCLASSES 47

static struct block *free_lists[NCLASSES];
static uintptr_t heap_base, heap_top;   /* what heap_more gave so far; page-aligned */

static size_t block_size(const struct block *b)
{
	return b->head & ~TAG_MASK;
}

static size_t block_tag(const struct block *b)
{
	return b->head & TAG_MASK;
}

static struct block *block_after(struct block *b)
{
	return (struct block *)((char *)b + block_size(b));
}

static struct block *block_before(struct block *b)
{
	return (struct block *)((char *)b - b->prev_size);
}

static struct block *sentinel(void)
{
	return (struct block *)(heap_top - HEADER);
}

/* Sets b's tag and size, and the size that the block after b records. */
static void block_set(struct block *b, size_t tag, size_t size)
{
	b->head = tag | size;
	block_after(b)->prev_size = size;
}

static unsigned size_class(size_t size)
{
	return 63 - (unsigned)__builtin_clzll(size);
}

static void list_add(struct block *b)
{
	struct block **list = &free_lists[size_class(block_size(b))];

	b->prev = NULL;
	b->next = *list;
	if (b->next)
		b->next->prev = b;
	*list = b;
}

static void list_remove(struct block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		free_lists[size_class(block_size(b))] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/* The heap can no longer be trusted: report and stop. */
static _Noreturn void heap_fail(const char *func, const char *what, const void *p)
{
	fprintf(stderr, "%s: %s %p\n", func, what, p);
	abort();
}

/* The block of a pointer that malloc returned, for func; anything else ends the program. */
static struct block *block_of(void *ptr, const char *func)
{
	uintptr_t p = (uintptr_t)ptr;
	struct block *b = (struct block *)(p - HEADER);
	size_t size;

	/* Read nothing outside the heap. */
	if (p % HEADER || p < heap_base + HEADER || p >= heap_top)
		heap_fail(func, "bad pointer", ptr);
	if (block_tag(b) == TAG_FREE)
		heap_fail(func, "pointer already freed:", ptr);
	size = block_size(b);
	if (block_tag(b) != TAG_USED || size < MIN_BLOCK || size % HEADER ||
	    size > heap_top - HEADER - (uintptr_t)b || block_after(b)->prev_size != size)
		heap_fail(func, "bad pointer", ptr);
	return b;
}

/* The block size that holds n bytes of payload. */
static size_t block_size_for(size_t n)
{
	size_t size = (n + HEADER + HEADER - 1) & ~(size_t)(HEADER - 1);

	return size < MIN_BLOCK ? MIN_BLOCK : size;
}

static uintptr_t round_up_page(uintptr_t n)
{
	return (n + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
}

/* Gives back all but TRIM_KEEP of b, the free block at the top (in no list). */
static void heap_trim(struct block *b)
{
	uintptr_t new_top = round_up_page((uintptr_t)b + TRIM_KEEP + HEADER);
	size_t release = heap_top - new_top;

	heap_top = new_top;
	sentinel()->head = TAG_USED;
	block_set(b, TAG_FREE, heap_top - HEADER - (uintptr_t)b);
	heap_less(release);
}

/* Frees b (a block with a valid header, in no list): merges it with free
 * neighbours, then lists the result or gives it back. */
static void block_release(struct block *b)
{
	size_t size = block_size(b);
	struct block *next = block_after(b);

	/* If b is merged into the block below, its stale header still says freed. */
	b->head = TAG_FREE | size;
	if (block_tag(next) == TAG_FREE) {
		list_remove(next);
		size += block_size(next);
	}
	if (b->prev_size && block_tag(block_before(b)) == TAG_FREE) {
		b = block_before(b);
		list_remove(b);
		size += block_size(b);
	}
	block_set(b, TAG_FREE, size);
	if (block_after(b) == sentinel() && size >= TRIM_THRESHOLD)
		heap_trim(b);
	list_add(b);
}

/* Cuts a used block b down to size, freeing the rest if it makes a block. */
static void block_shrink(struct block *b, size_t size)
{
	size_t rest = block_size(b) - size;
	struct block *tail;

	if (rest < MIN_BLOCK)
		return;
	block_set(b, TAG_USED, size);
	tail = block_after(b);
	block_set(tail, TAG_USED, rest);
	block_release(tail);
}

/* The first listed free block of at least size bytes, or NULL. */
static struct block *find_free(size_t size)
{
	for (unsigned c = size_class(size); c < NCLASSES; c++)
		for (struct block *b = free_lists[c]; b; b = b->next)
			if (block_size(b) >= size)
				return b;
	return NULL;
}

/* Grows the heap until its top free block (listed) has size bytes; that
 * block, or NULL when heap_more refuses. */
static struct block *heap_grow(size_t size)
{
	struct block *b, *top_free = NULL;
	size_t have = 0, len;
	void *p;

	if (heap_top) {
		top_free = block_before(sentinel());
		if (block_tag(top_free) == TAG_FREE)
			have = block_size(top_free);
		else
			top_free = NULL;
	}
	/* The first time, the sentinel needs room too. */
	len = round_up_page(size - have + (heap_top ? 0 : HEADER));
	if (len < GROW_MIN)
		len = GROW_MIN;
	if (!(p = heap_more(len)))
		return NULL;

	if (!heap_top) {
		heap_base = (uintptr_t)p;
		heap_top = heap_base + len;
		b = p;
		b->prev_size = 0;
		sentinel()->head = TAG_USED;
		block_set(b, TAG_FREE, len - HEADER);
	} else {
		if ((uintptr_t)p != heap_top)
			heap_fail("malloc", "heap_more moved the top of the heap to", p);
		/* The old sentinel's header becomes the new block's. */
		b = sentinel();
		heap_top += len;
		sentinel()->head = TAG_USED;
		block_set(b, TAG_FREE, len);
		if (top_free) {
			list_remove(top_free);
			block_set(top_free, TAG_FREE, have + len);
			b = top_free;
		}
	}
	list_add(b);
	return b;
}

void *malloc(size_t n)
{
	size_t size;
	struct block *b;

	if (n > MAX_REQUEST) {
		errno = ENOMEM;
		return NULL;
	}
	size = block_size_for(n);
	if (!(b = find_free(size)) && !(b = heap_grow(size))) {
		errno = ENOMEM;
		return NULL;
	}
	list_remove(b);
	block_set(b, TAG_USED, block_size(b));
	block_shrink(b, size);
	return (char *)b + HEADER;
}

void free(void *ptr)
{
	if (ptr)
		block_release(block_of(ptr, "free"));
}

void *calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = malloc(total)))
		memset(p, 0, total);
	return p;
}

/* In place when the block, or it and a free block above, is big enough;
 * else a new block and a copy. realloc(ptr, 0) keeps a minimal block. */
void *realloc(void *ptr, size_t n)
{
	struct block *b, *next;
	size_t size;
	void *p;

	if (!ptr)
		return malloc(n);
	b = block_of(ptr, "realloc");
	if (n > MAX_REQUEST) {
		errno = ENOMEM;
		return NULL;
	}
	size = block_size_for(n);
	next = block_after(b);
	if (block_size(b) < size && block_tag(next) == TAG_FREE &&
	    block_size(b) + block_size(next) >= size) {
		list_remove(next);
		block_set(b, TAG_USED, block_size(b) + block_size(next));
	}
	if (block_size(b) >= size) {
		block_shrink(b, size);
		return ptr;
	}
	if ((p = malloc(n))) {
		memcpy(p, ptr, block_size(b) - HEADER);
		free(ptr);
	}
	return p;
}
