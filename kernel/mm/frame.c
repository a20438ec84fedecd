/*
 * Physical frame allocator.
 *
 * A bitmap rather than a free list: initialising it touches only the bitmap
 * (32 KiB per GiB of RAM), not every free frame, which matters with 8 GiB
 * guests under emulation; and it can later find contiguous runs for DMA.
 * Allocation scans upward from the lowest word that may hold a free frame,
 * so early boot allocations come from low memory, which the boot page
 * tables reach.
 */
#include <klib.h>
#include <frame.h>

#define BITS 64u

static uint64_t pfn_down(uint64_t a) { return a >> FRAME_SHIFT; }
static uint64_t pfn_up(uint64_t a)
{
	return (a >> FRAME_SHIFT) + ((a & (FRAME_SIZE - 1)) != 0);
}

static void mark(struct frame_pool *fp, uint64_t first, uint64_t last, int free)
{
	uint64_t pfn;

	if (last > fp->nframes)
		last = fp->nframes;
	for (pfn = first; pfn < last; pfn++) {
		if (free)
			fp->bitmap[pfn / BITS] |= 1ull << (pfn % BITS);
		else
			fp->bitmap[pfn / BITS] &= ~(1ull << (pfn % BITS));
	}
}

/* Counts set bits without the compiler's runtime helper (-mno-popcnt). */
static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int overlaps(uint64_t a, uint64_t aend, uint64_t b, uint64_t bend)
{
	return a < bend && b < aend;
}

/*
 * The first frame boundary at or above a, or FRAME_NONE when that is past
 * the top of the address space (rounding up would wrap to 0).
 */
static uint64_t frame_above(uint64_t a)
{
	if (a > FRAME_NONE - (FRAME_SIZE - 1))
		return FRAME_NONE;
	return ALIGN_UP(a, (uint64_t)FRAME_SIZE);
}

/*
 * Finds a frame-aligned place for len bytes inside usable memory below
 * limit that touches no other region and no reserved range. Returns its
 * address or FRAME_NONE.
 */
static uint64_t place(const struct mem_region *regions, unsigned nregions,
		      const struct phys_range *reserved, unsigned nreserved,
		      uint64_t len, uint64_t limit)
{
	unsigned r, i;

	for (r = 0; r < nregions; r++) {
		uint64_t end = regions[r].base + regions[r].len;
		uint64_t at = frame_above(regions[r].base);
		int moved = 1;

		if (regions[r].type != MEM_USABLE)
			continue;
		if (end > limit)
			end = limit;
		while (moved && at + len <= end && at + len > at) {
			moved = 0;
			for (i = 0; i < nregions; i++) {
				uint64_t b = regions[i].base, e = b + regions[i].len;

				if (regions[i].type != MEM_USABLE && overlaps(at, at + len, b, e)) {
					at = frame_above(e);
					moved = 1;
				}
			}
			for (i = 0; i < nreserved; i++) {
				if (overlaps(at, at + len, reserved[i].base, reserved[i].end)) {
					at = frame_above(reserved[i].end);
					moved = 1;
				}
			}
		}
		if (!moved && at + len <= end && at + len > at)
			return at;
	}
	return FRAME_NONE;
}

enum frame_status frame_pool_init(struct frame_pool *fp,
				  const struct mem_region *regions, unsigned nregions,
				  const struct phys_range *reserved, unsigned nreserved,
				  uint64_t map_limit, frame_map_fn map)
{
	uint64_t words, at, i;
	unsigned r;

	memset(fp, 0, sizeof *fp);
	for (r = 0; r < nregions; r++)
		if (regions[r].type == MEM_USABLE &&
		    pfn_down(regions[r].base + regions[r].len) > fp->nframes)
			fp->nframes = pfn_down(regions[r].base + regions[r].len);
	if (fp->nframes == 0)
		return FRAME_ENOMEM;

	words = (fp->nframes + BITS - 1) / BITS;
	fp->bitmap_bytes = ALIGN_UP(words * sizeof(uint64_t), (uint64_t)FRAME_SIZE);
	at = place(regions, nregions, reserved, nreserved, fp->bitmap_bytes, map_limit);
	if (at == FRAME_NONE)
		return FRAME_ENOMEM;
	fp->bitmap_phys = at;
	fp->bitmap = map(at, fp->bitmap_bytes);
	memset(fp->bitmap, 0, fp->bitmap_bytes);

	/* Usable first, then everything that must win over it. */
	for (r = 0; r < nregions; r++)
		if (regions[r].type == MEM_USABLE)
			mark(fp, pfn_up(regions[r].base),
			     pfn_down(regions[r].base + regions[r].len), 1);
	for (r = 0; r < nregions; r++)
		if (regions[r].type != MEM_USABLE)
			mark(fp, pfn_down(regions[r].base),
			     pfn_up(regions[r].base + regions[r].len), 0);
	for (r = 0; r < nreserved; r++)
		mark(fp, pfn_down(reserved[r].base), pfn_up(reserved[r].end), 0);
	mark(fp, pfn_down(at), pfn_up(at + fp->bitmap_bytes), 0);

	for (i = 0; i < words; i++)
		fp->nfree += popcount64(fp->bitmap[i]);
	return FRAME_OK;
}

uint64_t frame_alloc(struct frame_pool *fp)
{
	uint64_t words = (fp->nframes + BITS - 1) / BITS, w;

	for (w = fp->hint; w < words; w++) {
		if (fp->bitmap[w]) {
			unsigned bit = (unsigned)__builtin_ctzll(fp->bitmap[w]);

			fp->bitmap[w] &= ~(1ull << bit);
			fp->hint = w;
			fp->nfree--;
			return (w * BITS + bit) << FRAME_SHIFT;
		}
	}
	fp->hint = words;
	return FRAME_NONE;
}

enum frame_status frame_free(struct frame_pool *fp, uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT;

	if ((phys & (FRAME_SIZE - 1)) || pfn >= fp->nframes)
		return FRAME_EINVAL;
	if (fp->bitmap[pfn / BITS] & (1ull << (pfn % BITS)))
		return FRAME_EFREE;
	fp->bitmap[pfn / BITS] |= 1ull << (pfn % BITS);
	fp->nfree++;
	if (pfn / BITS < fp->hint)
		fp->hint = pfn / BITS;
	return FRAME_OK;
}

static int frame_is_free(const struct frame_pool *fp, uint64_t pfn)
{
	return (fp->bitmap[pfn / BITS] >> (pfn % BITS)) & 1;
}

enum frame_status frame_take(struct frame_pool *fp, uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT;

	if ((phys & (FRAME_SIZE - 1)) || pfn >= fp->nframes)
		return FRAME_EINVAL;
	if (!frame_is_free(fp, pfn))
		return FRAME_EUSED;
	fp->bitmap[pfn / BITS] &= ~(1ull << (pfn % BITS));
	fp->nfree--;
	return FRAME_OK;
}

uint64_t frame_alloc_contig(struct frame_pool *fp, unsigned count)
{
	uint64_t run = 0;

	if (count == 0)
		return FRAME_NONE;
	/* A power-of-two run starts on a multiple of its size (a leaf page
	 * table pair, later DMA buffers); other runs start anywhere. */
	for (uint64_t pfn = fp->hint * BITS; pfn < fp->nframes; pfn++) {
		if (pfn % BITS == 0 && fp->bitmap[pfn / BITS] == 0) {
			pfn += BITS - 1;        /* a whole word in use */
			run = 0;
			continue;
		}
		if (!frame_is_free(fp, pfn)) {
			run = 0;
			continue;
		}
		if (run == 0 && (pfn & (count - 1)) != 0 && !(count & (count - 1)))
			continue;
		if (++run == count) {
			uint64_t first = pfn + 1 - count;

			for (uint64_t p = first; p <= pfn; p++)
				fp->bitmap[p / BITS] &= ~(1ull << (p % BITS));
			fp->nfree -= count;
			return first << FRAME_SHIFT;
		}
	}
	return FRAME_NONE;
}
