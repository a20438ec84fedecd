/*
 * Host unit tests of the bitmap physical frame allocator: made-up memory
 * maps with holes, unaligned edges, overlapping regions and reserved
 * ranges. Most tests drain the pool and compare what came out with a
 * brute-force model of which frames may be handed out.
 *
 * sources: kernel/mm/frame.c
 */
#define UNIT_SUITE "frame"

#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <bootinfo.h>
#include <compiler.h>
#include <frame.h>

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define NO_LIMIT (~0ull)

/* Memory map regions [b, e) of each type. */
#define U(b, e)  { (b), (e) - (b), MEM_USABLE }
#define R(b, e)  { (b), (e) - (b), MEM_RESERVED }
#define AR(b, e) { (b), (e) - (b), MEM_ACPI_RECLAIM }
#define AN(b, e) { (b), (e) - (b), MEM_ACPI_NVS }
#define BAD(b, e) { (b), (e) - (b), MEM_BAD }

#define LAYOUT(r, res) { (r), ARRAY_SIZE(r), (res), ARRAY_SIZE(res) }

/* ------------------------------------------------------------ host map */

/*
 * The "physical memory" the bitmap lives in: a heap buffer of exactly the
 * length asked for, so ASan catches the allocator reaching past its
 * bitmap. The last one stays reachable from here until the next init.
 */
static void *map_buf;
static uint64_t map_phys, map_len;
static unsigned map_calls;

static void *host_map(uint64_t phys, uint64_t len)
{
	free(map_buf);
	map_buf = malloc(len);
	if (!map_buf)
		abort();
	/* Garbage, so that the allocator must clear the bitmap itself. */
	memset(map_buf, 0xa5, len);
	map_phys = phys;
	map_len = len;
	map_calls++;
	return map_buf;
}

/* The memory map and reserved ranges of the pool under test. */
struct layout {
	const struct mem_region *regions;
	unsigned nregions;
	const struct phys_range *reserved;
	unsigned nreserved;
};

static enum frame_status init(struct frame_pool *fp, const struct layout *lay, uint64_t limit)
{
	map_calls = 0;
	map_phys = map_len = 0;
	return frame_pool_init(fp, lay->regions, lay->nregions, lay->reserved,
			       lay->nreserved, limit, host_map);
}

/* ------------------------------------------------------------ model */

static int overlaps(uint64_t a, uint64_t aend, uint64_t b, uint64_t bend)
{
	return a < bend && b < aend;
}

/*
 * The model of the contract: frame pfn may be handed out when a usable
 * region holds all of it and no other region type, reserved range or
 * the bitmap touches any byte of it.
 */
static int frame_allowed(const struct frame_pool *fp, const struct layout *lay, uint64_t pfn)
{
	uint64_t a = pfn * FRAME_SIZE, e = a + FRAME_SIZE;
	int in_usable = 0;
	unsigned i;

	for (i = 0; i < lay->nregions; i++) {
		const struct mem_region *r = &lay->regions[i];
		uint64_t rend = r->base + r->len;

		if (r->type == MEM_USABLE) {
			if (r->base <= a && e <= rend)
				in_usable = 1;
		} else if (overlaps(a, e, r->base, rend)) {
			return 0;
		}
	}
	for (i = 0; i < lay->nreserved; i++)
		if (overlaps(a, e, lay->reserved[i].base, lay->reserved[i].end))
			return 0;
	if (overlaps(a, e, fp->bitmap_phys, fp->bitmap_phys + fp->bitmap_bytes))
		return 0;
	return in_usable;
}

static uint64_t model_free(const struct frame_pool *fp, const struct layout *lay)
{
	uint64_t pfn, n = 0;

	for (pfn = 0; pfn < fp->nframes; pfn++)
		n += frame_allowed(fp, lay, pfn);
	return n;
}

/* Free frames according to the bitmap itself. */
static uint64_t bitmap_count(const struct frame_pool *fp)
{
	uint64_t words = (fp->nframes + 63) / 64, w, n = 0;

	for (w = 0; w < words; w++)
		n += (uint64_t)__builtin_popcountll(fp->bitmap[w]);
	return n;
}

/* The bitmap must be frame-aligned, inside usable memory and below limit. */
static int bitmap_placed_well(const struct frame_pool *fp, const struct layout *lay,
			      uint64_t limit)
{
	uint64_t pfn;

	if (fp->bitmap_phys % FRAME_SIZE || fp->bitmap_bytes % FRAME_SIZE)
		return 0;
	if (fp->bitmap_bytes < (fp->nframes + 63) / 64 * 8)
		return 0;
	if (fp->bitmap_phys + fp->bitmap_bytes > limit)
		return 0;
	if (map_calls != 1 || map_phys != fp->bitmap_phys || map_len != fp->bitmap_bytes ||
	    (void *)fp->bitmap != map_buf)
		return 0;
	/* Every bitmap frame would be free but for the bitmap itself. */
	for (pfn = fp->bitmap_phys / FRAME_SIZE;
	     pfn < (fp->bitmap_phys + fp->bitmap_bytes) / FRAME_SIZE; pfn++) {
		struct frame_pool other = *fp;

		other.bitmap_bytes = 0;
		if (!frame_allowed(&other, lay, pfn))
			return 0;
	}
	return 1;
}

/*
 * Allocates until FRAME_NONE. Each frame must be allowed by the model and
 * higher than the one before (lowest first, hence also unique), and the
 * count must be what nfree promised. Returns the count, or -1.
 */
static int64_t drain(struct frame_pool *fp, const struct layout *lay)
{
	uint64_t start = fp->nfree, n = 0, prev = 0, a;

	while ((a = frame_alloc(fp)) != FRAME_NONE) {
		if (a % FRAME_SIZE || (n && a <= prev) || !frame_allowed(fp, lay, a / FRAME_SIZE))
			return -1;
		if (fp->nfree != start - n - 1)
			return -1;
		prev = a;
		n++;
	}
	if (n != start || fp->nfree != 0 || bitmap_count(fp) != 0)
		return -1;
	if (frame_alloc(fp) != FRAME_NONE)
		return -1;
	return (int64_t)n;
}

/* ------------------------------------------------------------ layouts */

TEST(simple_map)
{
	static const struct mem_region regions[] = {
		U(0, 0x9f000),
		R(0x9f000, 0x100000),
		U(1 * MIB, 128 * MIB),
	};
	static const struct phys_range reserved[] = {
		{ 0, 1 * MIB },                 /* low memory */
		{ 1 * MIB, 3 * MIB },           /* kernel image */
	};
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 128 * MIB / FRAME_SIZE);
	/* 32768 bits: one frame, right after the kernel. */
	CHECK(fp.bitmap_bytes == FRAME_SIZE);
	CHECK(fp.bitmap_phys == 3 * MIB);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	/* 1..128 MiB usable, minus the kernel's 2 MiB and the bitmap's frame. */
	CHECK(fp.nfree == (128 - 3) * MIB / FRAME_SIZE - 1);
	CHECK(fp.nfree == 31999);
	CHECK(bitmap_count(&fp) == fp.nfree);
	CHECK(model_free(&fp, &lay) == fp.nfree);
	CHECK(frame_alloc(&fp) == 3 * MIB + FRAME_SIZE);
	CHECK(frame_free(&fp, 3 * MIB + FRAME_SIZE) == FRAME_OK);
	CHECK(drain(&fp, &lay) == 31999);
}

TEST(holes_and_unaligned_edges)
{
	static const struct mem_region regions[] = {
		U(0x1800, 0x5800),              /* whole frames 2, 3, 4 */
		U(0x10123, 0x1ffff),            /* whole frames 0x11 .. 0x1e */
		U(0x30800, 0x31800),            /* no whole frame at all */
	};
	static const struct phys_range reserved[] = { { 0, 0 } };
	const struct layout lay = { regions, ARRAY_SIZE(regions), reserved, 0 };
	struct frame_pool fp;
	uint64_t a, want;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 0x31);
	CHECK(fp.bitmap_phys == 0x2000);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	CHECK(fp.nfree == 3 + 14 - 1);
	CHECK(model_free(&fp, &lay) == fp.nfree);

	/* Exactly these frames, in this order. */
	CHECK(frame_alloc(&fp) == 0x3000);
	CHECK(frame_alloc(&fp) == 0x4000);
	for (want = 0x11000; want <= 0x1e000; want += FRAME_SIZE) {
		a = frame_alloc(&fp);
		CHECK(a == want);
	}
	CHECK(frame_alloc(&fp) == FRAME_NONE);
	CHECK(fp.nfree == 0);
}

TEST(non_usable_regions_win)
{
	static const struct mem_region regions[] = {
		/* Listed before the usable region it overlaps: order must not matter. */
		R(0, 0x2800),
		U(0, 64 * MIB),
		R(16 * MIB + 0x800, 16 * MIB + 0x1800),        /* two partial frames */
		AR(32 * MIB, 33 * MIB),
		AN(40 * MIB - 1, 40 * MIB + 1),                 /* one byte either side */
		BAD(63 * MIB, 65 * MIB),                        /* past the end of RAM */
		U(8 * MIB, 12 * MIB),                           /* usable twice: counted once */
	};
	static const struct phys_range none[] = { { 0, 0 } };
	const struct layout lay = { regions, ARRAY_SIZE(regions), none, 0 };
	struct frame_pool fp;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 64 * MIB / FRAME_SIZE);
	/* The bitmap skips the reserved first frames too. */
	CHECK(fp.bitmap_phys == 0x3000);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	/* 16384 frames - 3 - 2 - 256 - 2 - 256 - the bitmap's one. */
	CHECK(fp.nfree == 16384 - 3 - 2 - 256 - 2 - 256 - 1);
	CHECK(model_free(&fp, &lay) == fp.nfree);
	CHECK(drain(&fp, &lay) == 16384 - 3 - 2 - 256 - 2 - 256 - 1);
}

TEST(reserved_ranges_never_handed_out)
{
	static const struct mem_region regions[] = {
		U(1 * MIB, 16 * MIB),
		U(16 * MIB, 32 * MIB),          /* adjacent to the first */
		U(64 * MIB, 96 * MIB),
	};
	static const struct phys_range reserved[] = {
		{ 1 * MIB, 1 * MIB + 0x10 },                    /* very start of a region */
		{ 16 * MIB - 0x800, 16 * MIB + 0x800 },         /* straddles two regions */
		{ 96 * MIB - 1, 96 * MIB },                     /* very end of RAM */
		{ 70 * MIB + 0x123, 72 * MIB + 0x10 },          /* unaligned module */
		{ 2 * MIB + 8, 2 * MIB + 0x1008 },              /* boot info, two frames */
		{ 33 * MIB, 34 * MIB },                         /* in a hole: no effect */
		{ 200 * MIB, 201 * MIB },                       /* beyond RAM: no effect */
		{ 80 * MIB, 80 * MIB },                         /* empty, frame-aligned */
	};
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 96 * MIB / FRAME_SIZE);
	/* The first frame is touched by the first range: the bitmap takes the next. */
	CHECK(fp.bitmap_phys == 1 * MIB + FRAME_SIZE);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	/* 16128 usable frames - 1 - 2 - 1 - 513 - 2 - the bitmap's one. */
	CHECK(fp.nfree == 16128 - 1 - 2 - 1 - 513 - 2 - 1);
	CHECK(model_free(&fp, &lay) == fp.nfree);
	CHECK(drain(&fp, &lay) == 15608);
}

TEST(bitmap_skips_covered_regions)
{
	static const struct mem_region regions[] = {
		U(1 * MIB, 2 * MIB),            /* all reserved */
		R(2 * MIB, 3 * MIB),
		U(3 * MIB, 3 * MIB + 16 * KIB), /* free, but too small for the bitmap */
		U(4 * MIB, 8 * MIB),
		U(1 * GIB, 2 * GIB),            /* sizes the bitmap: 64 KiB */
	};
	static const struct phys_range reserved[] = {
		{ 1 * MIB, 1 * MIB + 512 * KIB },
		{ 1 * MIB + 512 * KIB, 2 * MIB },
		{ 4 * MIB, 4 * MIB + 1 },
	};
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 2 * GIB / FRAME_SIZE);
	CHECK(fp.bitmap_bytes == 64 * KIB);
	CHECK(fp.bitmap_phys == 4 * MIB + FRAME_SIZE);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	CHECK(fp.nfree == 4 + (4 * MIB / FRAME_SIZE - 1 - 16) + GIB / FRAME_SIZE);
	CHECK(model_free(&fp, &lay) == fp.nfree);
	/* The small region's frames are still handed out, first of all. */
	CHECK(frame_alloc(&fp) == 3 * MIB);
	CHECK(drain(&fp, &lay) >= 0);
}

TEST(bitmap_respects_map_limit)
{
	static const struct mem_region regions[] = {
		U(1 * MIB, 64 * MIB),
		U(4 * GIB, 8 * GIB),            /* 8 GiB of frames: a 256 KiB bitmap */
	};
	static const struct phys_range low[] = { { 1 * MIB, 1 * MIB + 512 * KIB } };
	static const struct phys_range more[] = { { 1 * MIB, 1 * MIB + 800 * KIB } };
	const struct layout lay_low = LAYOUT(regions, low);
	const struct layout lay_more = LAYOUT(regions, more);
	struct frame_pool fp;

	/* Without a limit the first place that fits is taken... */
	CHECK(init(&fp, &lay_low, NO_LIMIT) == FRAME_OK);
	CHECK(fp.bitmap_bytes == 256 * KIB);
	CHECK(fp.bitmap_phys == 1 * MIB + 512 * KIB);

	/* ...and with it, as long as it ends at or below the limit. */
	CHECK(init(&fp, &lay_low, 1 * MIB + 768 * KIB) == FRAME_OK);
	CHECK(fp.bitmap_phys == 1 * MIB + 512 * KIB);
	CHECK(bitmap_placed_well(&fp, &lay_low, 1 * MIB + 768 * KIB));
	CHECK(init(&fp, &lay_low, 1 * MIB + 768 * KIB - 1) == FRAME_ENOMEM);
	CHECK(map_calls == 0);

	/* The reserved range pushes it to 1.8 MiB: too high for a 2 MiB limit. */
	CHECK(init(&fp, &lay_more, 2 * MIB) == FRAME_ENOMEM);
	CHECK(map_calls == 0);
	CHECK(init(&fp, &lay_more, 3 * MIB) == FRAME_OK);
	CHECK(fp.bitmap_phys == 1 * MIB + 800 * KIB);
	CHECK(bitmap_placed_well(&fp, &lay_more, 3 * MIB));

	/* Only memory above the limit: no place at all, though RAM exists. */
	CHECK(init(&fp, &lay_low, 1 * MIB) == FRAME_ENOMEM);
	CHECK(init(&fp, &lay_low, 0) == FRAME_ENOMEM);

	/* The frames above the limit are still handed out. */
	CHECK(init(&fp, &lay_low, 2 * MIB) == FRAME_OK);
	CHECK(model_free(&fp, &lay_low) == fp.nfree);
	CHECK(drain(&fp, &lay_low) == (int64_t)((63 * MIB - 512 * KIB - 256 * KIB) / FRAME_SIZE +
					      4 * GIB / FRAME_SIZE));
}

TEST(no_usable_memory)
{
	static const struct mem_region none_usable[] = {
		R(0, 1 * MIB),
		AR(1 * MIB, 2 * MIB),
		AN(2 * MIB, 3 * MIB),
		BAD(3 * MIB, 4 * MIB),
	};
	static const struct mem_region sub_frame[] = { U(0x800, 0xc00), U(0x1800, 0x2400) };
	static const struct mem_region covered[] = { U(1 * MIB, 2 * MIB), R(1 * MIB, 2 * MIB) };
	static const struct phys_range all[] = { { 0, 4 * GIB } };
	static const struct mem_region some[] = { U(1 * MIB, 2 * MIB) };
	/* nreserved 0 except in lay4: "all" is then only a valid pointer. */
	const struct layout lay0 = { none_usable, 0, all, 0 };
	const struct layout lay1 = { none_usable, ARRAY_SIZE(none_usable), all, 0 };
	const struct layout lay2 = { sub_frame, ARRAY_SIZE(sub_frame), all, 0 };
	const struct layout lay3 = { covered, ARRAY_SIZE(covered), all, 0 };
	const struct layout lay4 = LAYOUT(some, all);
	struct frame_pool fp;

	CHECK(init(&fp, &lay0, NO_LIMIT) == FRAME_ENOMEM);
	CHECK(init(&fp, &lay1, NO_LIMIT) == FRAME_ENOMEM);
	CHECK(init(&fp, &lay2, NO_LIMIT) == FRAME_ENOMEM);
	/* Usable memory exists but no frame of it is free for the bitmap. */
	CHECK(init(&fp, &lay3, NO_LIMIT) == FRAME_ENOMEM);
	CHECK(init(&fp, &lay4, NO_LIMIT) == FRAME_ENOMEM);
	CHECK(map_calls == 0);
}

/* ------------------------------------------------------------ alloc/free */

TEST(free_rejects_bad_addresses)
{
	static const struct mem_region regions[] = { U(0, 1 * MIB) };
	static const struct phys_range reserved[] = { { 0, 64 * KIB } };
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	uint64_t a, nfree;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 256);
	a = frame_alloc(&fp);
	CHECK(a == 64 * KIB + FRAME_SIZE);
	nfree = fp.nfree;

	CHECK(frame_free(&fp, a + 1) == FRAME_EINVAL);
	CHECK(frame_free(&fp, a + FRAME_SIZE / 2) == FRAME_EINVAL);
	CHECK(frame_free(&fp, a + FRAME_SIZE - 1) == FRAME_EINVAL);
	CHECK(frame_free(&fp, fp.nframes * FRAME_SIZE) == FRAME_EINVAL);
	CHECK(frame_free(&fp, 4 * GIB) == FRAME_EINVAL);
	CHECK(frame_free(&fp, FRAME_NONE) == FRAME_EINVAL);
	CHECK(frame_free(&fp, FRAME_NONE & ~(uint64_t)(FRAME_SIZE - 1)) == FRAME_EINVAL);
	/* A frame that was never handed out is already free. */
	CHECK(frame_free(&fp, a + FRAME_SIZE) == FRAME_EFREE);
	CHECK(frame_free(&fp, (fp.nframes - 1) * FRAME_SIZE) == FRAME_EFREE);
	CHECK(fp.nfree == nfree);
	CHECK(bitmap_count(&fp) == nfree);

	CHECK(frame_free(&fp, a) == FRAME_OK);
	CHECK(fp.nfree == nfree + 1);
	CHECK(frame_free(&fp, a) == FRAME_EFREE);
	CHECK(fp.nfree == nfree + 1);
	CHECK(bitmap_count(&fp) == fp.nfree);
	CHECK(frame_alloc(&fp) == a);
}

TEST(freed_frames_return_lowest_first)
{
	static const struct mem_region regions[] = { U(1 * MIB, 16 * MIB) };
	static const struct phys_range reserved[] = { { 1 * MIB, 1 * MIB + FRAME_SIZE } };
	const struct layout lay = LAYOUT(regions, reserved);
	static const unsigned order[] = { 150, 7, 199, 3, 64, 63, 5, 128 };
	static const unsigned sorted[] = { 3, 5, 7, 63, 64, 128, 150, 199 };
	struct frame_pool fp;
	uint64_t got[200], start;
	unsigned i;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	start = fp.nfree;
	/* 200 frames span four bitmap words. */
	for (i = 0; i < 200; i++) {
		got[i] = frame_alloc(&fp);
		CHECK(got[i] == 1 * MIB + (i + 2) * FRAME_SIZE);
	}
	CHECK(fp.nfree == start - 200);

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		CHECK(frame_free(&fp, got[order[i]]) == FRAME_OK);
		CHECK(fp.nfree == start - 200 + i + 1);
		CHECK(bitmap_count(&fp) == fp.nfree);
	}
	for (i = 0; i < ARRAY_SIZE(sorted); i++)
		CHECK(frame_alloc(&fp) == got[sorted[i]]);
	/* Then on from where the first 200 ended. */
	CHECK(frame_alloc(&fp) == 1 * MIB + 202 * FRAME_SIZE);
	CHECK(fp.nfree == start - 201);

	/* After draining, a freed frame in the middle is found again. */
	CHECK(drain(&fp, &lay) >= 0);
	CHECK(frame_free(&fp, got[100]) == FRAME_OK);
	CHECK(frame_free(&fp, got[1]) == FRAME_OK);
	CHECK(fp.nfree == 2);
	CHECK(frame_alloc(&fp) == got[1]);
	CHECK(frame_alloc(&fp) == got[100]);
	CHECK(frame_alloc(&fp) == FRAME_NONE);
	CHECK(fp.nfree == 0);
}

TEST(qemu_8g_map)
{
	/* QEMU's e820 for -m 8G: 3 GiB low, the PCI hole, 5 GiB above 4 GiB. */
	static const struct mem_region regions[] = {
		U(0, 0x9fc00),
		R(0x9fc00, 0xa0000),
		R(0xf0000, 0x100000),
		U(0x100000, 0xbffe0000),
		R(0xbffe0000, 0xc0000000),
		R(0xfeffc000, 0xff000000),
		R(0xfffc0000, 0x100000000),
		U(0x100000000, 0x240000000),
	};
	static const struct phys_range reserved[] = {
		{ 0, 1 * MIB },
		{ 1 * MIB, 3 * MIB },                   /* kernel */
		{ 0x10000, 0x10a40 },                   /* boot info */
		{ 4 * MIB, 8 * MIB },                   /* module */
		{ 0xbffd0000, 0x100001000 },            /* module across the hole */
	};
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	uint64_t usable, want;

	CHECK(init(&fp, &lay, 1 * GIB) == FRAME_OK);
	CHECK(fp.nframes == 0x240000);
	/* 2.25 Mi frames: 288 KiB of bitmap, after the kernel. */
	CHECK(fp.bitmap_bytes == 288 * KIB);
	CHECK(fp.bitmap_phys == 3 * MIB);
	CHECK(bitmap_placed_well(&fp, &lay, 1 * GIB));

	usable = 159 + (0xbffe0 - 0x100) + 5 * GIB / FRAME_SIZE;
	want = usable - 159 - 512 - 1024 - (16 + 1) - 72;
	CHECK(fp.nfree == want);
	CHECK(model_free(&fp, &lay) == want);
	CHECK(drain(&fp, &lay) == (int64_t)want);
	/* The last frame of RAM was handed out, then nothing. */
	CHECK(frame_free(&fp, 0x240000000 - FRAME_SIZE) == FRAME_OK);
	CHECK(frame_alloc(&fp) == 0x240000000 - FRAME_SIZE);
	CHECK(frame_free(&fp, 0x240000000) == FRAME_EINVAL);
}

/* ------------------------------------------------------------ edge cases */

TEST(reserved_up_to_top_of_address_space)
{
	/*
	 * A range that ends in the last frame of the 64-bit space: rounding
	 * its end up to a frame must not wrap to 0 and put the bitmap there.
	 */
	static const struct mem_region regions[] = {
		U(1 * MIB, 2 * MIB),
		U(64 * KIB, 128 * KIB),
	};
	static const struct phys_range to_top[] = { { 1 * MIB, ~0ull } };
	static const struct mem_region regions_top[] = {
		U(1 * MIB, 2 * MIB),
		R(1 * MIB, ~0ull),
		U(64 * KIB, 128 * KIB),
	};
	static const struct phys_range none[] = { { 0, 0 } };
	const struct layout lay = LAYOUT(regions, to_top);
	const struct layout lay_top = { regions_top, ARRAY_SIZE(regions_top), none, 0 };
	struct frame_pool fp;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.bitmap_phys == 64 * KIB);
	CHECK(bitmap_placed_well(&fp, &lay, NO_LIMIT));
	CHECK(fp.nfree == 15);
	CHECK(drain(&fp, &lay) == 15);

	CHECK(init(&fp, &lay_top, NO_LIMIT) == FRAME_OK);
	CHECK(fp.bitmap_phys == 64 * KIB);
	CHECK(bitmap_placed_well(&fp, &lay_top, NO_LIMIT));
	CHECK(drain(&fp, &lay_top) == 15);

	/* With no other region, there is no room at all. */
	CHECK(init(&fp, &(struct layout){ regions, 1, to_top, 1 }, NO_LIMIT) == FRAME_ENOMEM);
}
