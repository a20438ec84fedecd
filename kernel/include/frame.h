/*
 * Physical frame allocator: one bit per 4 KiB frame of RAM, set when the
 * frame is free. Pure C over a caller-supplied view of physical memory, so
 * the host unit tests drive it with made-up memory maps.
 */
#ifndef FRAME_H
#define FRAME_H

#include <stdint.h>
#include <bootinfo.h>

#define FRAME_SIZE  4096u
#define FRAME_SHIFT 12
#define FRAME_NONE  (~(uint64_t)0)

/* A physical range [base, end) that must never be handed out. */
struct phys_range {
	uint64_t base;
	uint64_t end;
};

/* Returns a usable pointer to physical memory [phys, phys + len). */
typedef void *(*frame_map_fn)(uint64_t phys, uint64_t len);

struct frame_pool {
	uint64_t *bitmap;       /* bit n set: frame n is free */
	uint64_t bitmap_phys;   /* where the bitmap itself lives */
	uint64_t bitmap_bytes;
	uint64_t nframes;       /* frames covered: 0 .. end of the last RAM */
	uint64_t nfree;
	uint64_t hint;          /* no free frame below word index hint */
};

enum frame_status {
	FRAME_OK = 0,
	FRAME_ENOMEM = -1,      /* no usable memory, or no room for the bitmap */
	FRAME_EINVAL = -2,      /* not a frame address, or beyond the pool */
	FRAME_EFREE = -3,       /* the frame is already free */
	FRAME_EUSED = -4,       /* the frame is not free */
};

/*
 * Builds the pool from the memory map: every whole frame of a MEM_USABLE
 * region becomes free unless any other region type or a reserved range
 * touches it. The bitmap is placed in free memory below map_limit (the
 * part of physical memory map can reach) and reserved too.
 */
enum frame_status frame_pool_init(struct frame_pool *fp,
				  const struct mem_region *regions, unsigned nregions,
				  const struct phys_range *reserved, unsigned nreserved,
				  uint64_t map_limit, frame_map_fn map);

/* Returns the physical address of a free frame, lowest first, or FRAME_NONE. */
uint64_t frame_alloc(struct frame_pool *fp);

/* Returns a frame to the pool; refuses a bad address or a double free. */
enum frame_status frame_free(struct frame_pool *fp, uint64_t phys);

/* Takes the specific frame at phys out of the pool: FRAME_OK, FRAME_EINVAL
 * (not a frame of the pool) or FRAME_EUSED (not free). */
enum frame_status frame_take(struct frame_pool *fp, uint64_t phys);

/*
 * Returns the first of count physically contiguous free frames, the run
 * aligned to count when count is a power of two, or FRAME_NONE. Freed
 * frame by frame.
 */
uint64_t frame_alloc_contig(struct frame_pool *fp, unsigned count);

#endif
