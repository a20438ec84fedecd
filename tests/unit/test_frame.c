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

/* ------------------------------------------------------------ take/contig */

/* Whether the bitmap says frame pfn is free. */
static int frame_bit(const struct frame_pool *fp, uint64_t pfn)
{
	return (int)((fp->bitmap[pfn / 64] >> (pfn % 64)) & 1);
}

/* A copy of which frames are free, one byte per frame; free() it. */
static unsigned char *snapshot(const struct frame_pool *fp)
{
	unsigned char *s = malloc(fp->nframes);
	uint64_t pfn;

	if (!s)
		abort();
	for (pfn = 0; pfn < fp->nframes; pfn++)
		s[pfn] = (unsigned char)frame_bit(fp, pfn);
	return s;
}

/* The bitmap still says exactly what the snapshot says. */
static int same_as(const struct frame_pool *fp, const unsigned char *s)
{
	uint64_t pfn;

	for (pfn = 0; pfn < fp->nframes; pfn++)
		if (frame_bit(fp, pfn) != s[pfn])
			return 0;
	return 1;
}

/*
 * The model of frame_alloc_contig over free[]: the lowest first frame of
 * count free frames in a row, the first a multiple of count when count is
 * a power of two.
 */
static uint64_t model_contig(const unsigned char *free_now, uint64_t nframes, uint64_t count)
{
	int pow2 = count && !(count & (count - 1));
	uint64_t first, i;

	if (count == 0)
		return FRAME_NONE;
	for (first = 0; first + count <= nframes; first++) {
		if (pow2 && first % count)
			continue;
		for (i = 0; i < count && free_now[first + i]; i++)
			;
		if (i == count)
			return first * FRAME_SIZE;
	}
	return FRAME_NONE;
}

/*
 * Calls frame_alloc_contig(fp, count) and checks it against the model:
 * the run the model finds or FRAME_NONE; every frame of the run was free,
 * is allowed by the memory map and is now in use; power-of-two runs are
 * aligned to their size; no other frame changed; nfree went down by count
 * (by nothing on failure). The result goes to *got. Returns 1 if all hold.
 */
static int contig_ok(struct frame_pool *fp, const struct layout *lay, unsigned count,
		     uint64_t *got)
{
	unsigned char *before = snapshot(fp);
	uint64_t nfree = fp->nfree, want, a, pfn;
	int ok = 0;

	want = model_contig(before, fp->nframes, count);
	a = frame_alloc_contig(fp, count);
	*got = a;
	if (a != want)
		goto out;
	if (a == FRAME_NONE) {
		ok = fp->nfree == nfree && same_as(fp, before);
		goto out;
	}
	if (a % FRAME_SIZE || a / FRAME_SIZE + count > fp->nframes)
		goto out;
	if (!(count & (count - 1)) && (a / FRAME_SIZE) % count)
		goto out;
	if (fp->nfree != nfree - count || bitmap_count(fp) != fp->nfree)
		goto out;
	for (pfn = a / FRAME_SIZE; pfn < a / FRAME_SIZE + count; pfn++) {
		if (!before[pfn] || frame_bit(fp, pfn) || !frame_allowed(fp, lay, pfn))
			goto out;
		before[pfn] = 0;
	}
	ok = same_as(fp, before);
out:
	free(before);
	return ok;
}

/* Frees count frames from a one by one; each must have been in use. */
static int free_run(struct frame_pool *fp, uint64_t a, unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++)
		if (frame_free(fp, a + (uint64_t)i * FRAME_SIZE) != FRAME_OK)
			return 0;
	return 1;
}

TEST(take_checks_the_frame)
{
	static const struct mem_region regions[] = {
		U(0, 1 * MIB),
		R(512 * KIB, 512 * KIB + 0x800),       /* one partial frame */
		U(2 * MIB, 3 * MIB),                   /* hole at 1..2 MiB */
	};
	static const struct phys_range reserved[] = { { 0, 64 * KIB } };
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	unsigned char *before;
	uint64_t nfree, a;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 3 * MIB / FRAME_SIZE);
	CHECK(fp.bitmap_phys == 64 * KIB);
	nfree = fp.nfree;
	CHECK(nfree == 256 - 16 - 1 - 1 + 256);

	/* A free frame: taken once, then in use. */
	CHECK(frame_take(&fp, 200 * KIB) == FRAME_OK);
	CHECK(fp.nfree == nfree - 1);
	CHECK(!frame_bit(&fp, 200 * KIB / FRAME_SIZE));
	CHECK(bitmap_count(&fp) == fp.nfree);
	CHECK(frame_take(&fp, 200 * KIB) == FRAME_EUSED);
	CHECK(fp.nfree == nfree - 1);

	/* The first and last frames of the pool. */
	CHECK(frame_take(&fp, 3 * MIB - FRAME_SIZE) == FRAME_OK);
	CHECK(frame_take(&fp, 3 * MIB - FRAME_SIZE) == FRAME_EUSED);
	CHECK(frame_take(&fp, 68 * KIB) == FRAME_OK);
	CHECK(fp.nfree == nfree - 3);

	/* None of these may come out and none may change anything. */
	before = snapshot(&fp);
	nfree = fp.nfree;
	CHECK(frame_take(&fp, 0) == FRAME_EUSED);                      /* reserved */
	CHECK(frame_take(&fp, 60 * KIB) == FRAME_EUSED);               /* reserved */
	CHECK(frame_take(&fp, 64 * KIB) == FRAME_EUSED);               /* the bitmap */
	CHECK(frame_take(&fp, 512 * KIB) == FRAME_EUSED);              /* other type */
	CHECK(frame_take(&fp, 1 * MIB) == FRAME_EUSED);                /* the hole */
	CHECK(frame_take(&fp, 2 * MIB - FRAME_SIZE) == FRAME_EUSED);   /* the hole */
	CHECK(frame_take(&fp, 3 * MIB) == FRAME_EINVAL);               /* beyond */
	CHECK(frame_take(&fp, 4 * GIB) == FRAME_EINVAL);
	CHECK(frame_take(&fp, FRAME_NONE) == FRAME_EINVAL);
	CHECK(frame_take(&fp, FRAME_NONE & ~(uint64_t)(FRAME_SIZE - 1)) == FRAME_EINVAL);
	/* Unaligned addresses in free frames: refused, not rounded. */
	CHECK(frame_take(&fp, 300 * KIB + 1) == FRAME_EINVAL);
	CHECK(frame_take(&fp, 300 * KIB + FRAME_SIZE / 2) == FRAME_EINVAL);
	CHECK(frame_take(&fp, 300 * KIB + FRAME_SIZE - 1) == FRAME_EINVAL);
	CHECK(frame_take(&fp, 300 * KIB - 1) == FRAME_EINVAL);
	CHECK(frame_take(&fp, 3 * MIB - 1) == FRAME_EINVAL);
	CHECK(fp.nfree == nfree);
	CHECK(same_as(&fp, before));
	free(before);

	/* An allocated frame is in use; once freed it can be taken. */
	a = frame_alloc(&fp);
	CHECK(a == 72 * KIB);
	CHECK(frame_take(&fp, a) == FRAME_EUSED);
	CHECK(frame_free(&fp, a) == FRAME_OK);
	CHECK(frame_take(&fp, a) == FRAME_OK);
	CHECK(frame_free(&fp, a) == FRAME_OK);
	CHECK(frame_free(&fp, 200 * KIB) == FRAME_OK);
	CHECK(frame_free(&fp, 200 * KIB) == FRAME_EFREE);
	CHECK(fp.nfree == nfree + 1);
	CHECK(bitmap_count(&fp) == fp.nfree);
}

TEST(take_every_frame_matches_model)
{
	/* Taking each frame of the pool succeeds exactly where the model allows. */
	static const struct mem_region regions[] = {
		U(0x1800, 0x5800),
		U(0x10123, 0x1ffff),
		AN(0x18000 - 1, 0x18000 + 1),
		U(0x40000, 0x80000),
	};
	static const struct phys_range reserved[] = {
		{ 0x2000, 0x3000 },
		{ 0x50800, 0x51000 },
		{ 0x7f000, 0x7f001 },
	};
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	uint64_t pfn, nfree, taken = 0;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	nfree = fp.nfree;
	CHECK(model_free(&fp, &lay) == nfree);
	/* Backwards, so that the words below the hint are not the only ones. */
	for (pfn = fp.nframes; pfn-- > 0;) {
		enum frame_status want = frame_allowed(&fp, &lay, pfn) ? FRAME_OK : FRAME_EUSED;

		CHECK(frame_take(&fp, pfn * FRAME_SIZE) == want);
		taken += want == FRAME_OK;
		CHECK(fp.nfree == nfree - taken);
		CHECK(frame_take(&fp, pfn * FRAME_SIZE) == FRAME_EUSED);
	}
	CHECK(taken == nfree);
	CHECK(fp.nfree == 0 && bitmap_count(&fp) == 0);
	CHECK(frame_alloc(&fp) == FRAME_NONE);
	CHECK(frame_alloc_contig(&fp, 1) == FRAME_NONE);
	/* Given back, they come out of frame_alloc again, lowest first. */
	for (pfn = 0; pfn < fp.nframes; pfn++)
		if (frame_allowed(&fp, &lay, pfn))
			CHECK(frame_free(&fp, pfn * FRAME_SIZE) == FRAME_OK);
	CHECK(fp.nfree == nfree);
	CHECK(drain(&fp, &lay) == (int64_t)nfree);
}

TEST(alloc_never_returns_taken_frames)
{
	static const struct mem_region regions[] = { U(1 * MIB, 2 * MIB) };
	static const struct phys_range reserved[] = { { 1 * MIB, 1 * MIB + FRAME_SIZE } };
	const struct layout lay = LAYOUT(regions, reserved);
	/* pfn 0x102 is the first free frame; 0x13f/0x140 straddle a word. */
	static const uint64_t take[] = { 0x102, 0x103, 0x13f, 0x140, 0x141, 0x17f, 0x1ff };
	struct frame_pool fp;
	uint64_t nfree, a, n = 0, prev = 0;
	unsigned i;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.bitmap_phys == 1 * MIB + FRAME_SIZE);
	nfree = fp.nfree;
	CHECK(nfree == 256 - 2);
	for (i = 0; i < ARRAY_SIZE(take); i++)
		CHECK(frame_take(&fp, take[i] * FRAME_SIZE) == FRAME_OK);
	CHECK(fp.nfree == nfree - ARRAY_SIZE(take));

	CHECK(frame_alloc(&fp) == 0x104 * FRAME_SIZE);
	n++;
	prev = 0x104 * FRAME_SIZE;
	while ((a = frame_alloc(&fp)) != FRAME_NONE) {
		CHECK(a > prev && frame_allowed(&fp, &lay, a / FRAME_SIZE));
		for (i = 0; i < ARRAY_SIZE(take); i++)
			CHECK(a != take[i] * FRAME_SIZE);
		prev = a;
		n++;
	}
	CHECK(n == nfree - ARRAY_SIZE(take));
	CHECK(fp.nfree == 0);

	/* A freed frame taken back before the next alloc is not handed out
	 * though the hint now points at its word. */
	CHECK(frame_free(&fp, 0x150 * FRAME_SIZE) == FRAME_OK);
	CHECK(frame_free(&fp, 0x1c0 * FRAME_SIZE) == FRAME_OK);
	CHECK(frame_take(&fp, 0x150 * FRAME_SIZE) == FRAME_OK);
	CHECK(fp.nfree == 1);
	CHECK(frame_alloc(&fp) == 0x1c0 * FRAME_SIZE);
	CHECK(frame_alloc(&fp) == FRAME_NONE);

	/* Taken frames are in use: frame_free takes them back. */
	for (i = 0; i < ARRAY_SIZE(take); i++)
		CHECK(frame_free(&fp, take[i] * FRAME_SIZE) == FRAME_OK);
	CHECK(frame_alloc(&fp) == 0x102 * FRAME_SIZE);
	CHECK(fp.nfree == ARRAY_SIZE(take) - 1);
}

/*
 * 1..26 MiB with a hole at 20..22 MiB, a kernel at 1..3 MiB, the bitmap at
 * 3 MiB and small obstacles that break the 2 MiB runs at 4, 6, 8 and
 * 12 MiB: 512-frame runs exist only at 10, 14, 16, 18, 22 and 24 MiB.
 */
static const struct mem_region contig_regions[] = {
	U(1 * MIB, 20 * MIB),
	R(13 * MIB + 0x1000, 13 * MIB + 0x3000),
	U(22 * MIB, 26 * MIB),
};
static const struct phys_range contig_reserved[] = {
	{ 1 * MIB, 3 * MIB },
	{ 5 * MIB + 0x123, 5 * MIB + 0x5000 },
	{ 8 * MIB - 1, 8 * MIB + 1 },
};

TEST(contig_runs_of_each_size)
{
	static const unsigned counts[] = { 1, 2, 3, 4, 8, 512 };
	/* What each count gets first: the bitmap is pfn 0x300. */
	static const uint64_t first[] = {
		3 * MIB + 1 * FRAME_SIZE, 3 * MIB + 2 * FRAME_SIZE, 3 * MIB + 1 * FRAME_SIZE,
		3 * MIB + 4 * FRAME_SIZE, 3 * MIB + 8 * FRAME_SIZE, 10 * MIB,
	};
	const struct layout lay = LAYOUT(contig_regions, contig_reserved);
	static uint64_t runs[8192];
	struct frame_pool fp;
	unsigned char *initial;
	uint64_t nfree, a;
	unsigned c, n, i;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
		CHECK(fp.nframes == 26 * MIB / FRAME_SIZE);
		CHECK(fp.bitmap_phys == 3 * MIB && fp.bitmap_bytes == FRAME_SIZE);
		CHECK(model_free(&fp, &lay) == fp.nfree);
		nfree = fp.nfree;
		initial = snapshot(&fp);

		/* Until exhausted, every run exactly where the model puts it. */
		n = 0;
		do {
			CHECK(contig_ok(&fp, &lay, counts[c], &a));
			CHECK(n || a == first[c]);
			CHECK(n < ARRAY_SIZE(runs));
			runs[n++] = a;
		} while (a != FRAME_NONE);
		n--;
		CHECK(fp.nfree == nfree - (uint64_t)n * counts[c]);
		if (counts[c] == 1)
			CHECK(n == nfree && fp.nfree == 0);
		if (counts[c] == 512) {
			static const uint64_t mib[] = { 10, 14, 16, 18, 22, 24 };

			CHECK(n == ARRAY_SIZE(mib));
			for (i = 0; i < n; i++)
				CHECK(runs[i] == mib[i] * MIB);
		}
		/* No run of twice the count either (an aligned one holds two
		 * aligned ones); an unaligned run of count + 1 may remain. */
		CHECK(contig_ok(&fp, &lay, counts[c] * 2, &a) && a == FRAME_NONE);
		CHECK(contig_ok(&fp, &lay, counts[c] + 1, &a));
		if (a != FRAME_NONE)
			CHECK(free_run(&fp, a, counts[c] + 1));

		/* Freed frame by frame, the pool is what it was... */
		for (i = 0; i < n; i++)
			CHECK(free_run(&fp, runs[i], counts[c]));
		CHECK(fp.nfree == nfree);
		CHECK(same_as(&fp, initial));
		free(initial);
		/* ...and hands out the same runs again, in the same order. */
		for (i = 0; i < n && i < 64; i++)
			CHECK(contig_ok(&fp, &lay, counts[c], &a) && a == runs[i]);
		CHECK(drain(&fp, &lay) == (int64_t)(nfree - (uint64_t)i * counts[c]));
	}
}

TEST(contig_bad_counts)
{
	const struct layout lay = LAYOUT(contig_regions, contig_reserved);
	struct frame_pool fp;
	unsigned char *before;
	uint64_t nfree, a;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	nfree = fp.nfree;
	before = snapshot(&fp);
	CHECK(frame_alloc_contig(&fp, 0) == FRAME_NONE);
	/* More than the pool has, free or at all. */
	CHECK(frame_alloc_contig(&fp, (unsigned)nfree + 1) == FRAME_NONE);
	CHECK(frame_alloc_contig(&fp, (unsigned)fp.nframes) == FRAME_NONE);
	CHECK(frame_alloc_contig(&fp, (unsigned)fp.nframes + 1) == FRAME_NONE);
	CHECK(frame_alloc_contig(&fp, 2048) == FRAME_NONE);     /* no aligned 8 MiB */
	CHECK(frame_alloc_contig(&fp, 1u << 31) == FRAME_NONE);
	CHECK(frame_alloc_contig(&fp, ~0u) == FRAME_NONE);
	CHECK(fp.nfree == nfree);
	CHECK(same_as(&fp, before));
	free(before);
	/* The longest runs there are: 13 MiB + 12 KiB .. 20 MiB, then
	 * 8 MiB + 4 KiB .. 13 MiB + 4 KiB; an aligned 4 MiB one at 16 MiB. */
	CHECK(contig_ok(&fp, &lay, 1790, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1024, &a) && a == 16 * MIB);
	CHECK(free_run(&fp, a, 1024));
	CHECK(contig_ok(&fp, &lay, 1789, &a) && a == 13 * MIB + 0x3000);
	CHECK(contig_ok(&fp, &lay, 1789, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1281, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1280, &a) && a == 8 * MIB + FRAME_SIZE);
	CHECK(fp.nfree == nfree - 1789 - 1280);
}

TEST(contig_skips_taken_frames)
{
	const struct layout lay = LAYOUT(contig_regions, contig_reserved);
	struct frame_pool fp;
	uint64_t a;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	/* One frame in the middle of each of the first two 2 MiB runs. */
	CHECK(frame_take(&fp, 11 * MIB) == FRAME_OK);
	CHECK(frame_take(&fp, 16 * MIB - FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 16 * MIB);
	/* Small runs go round taken frames too. */
	CHECK(frame_take(&fp, 3 * MIB + 2 * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 3 * MIB + 4 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 3 * MIB + 6 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 3 * MIB + 1 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 3 * MIB + 3 * FRAME_SIZE);
	/* A contig run is in use: taking any frame of it fails. */
	CHECK(frame_take(&fp, 16 * MIB) == FRAME_EUSED);
	CHECK(frame_take(&fp, 18 * MIB - FRAME_SIZE) == FRAME_EUSED);
	CHECK(frame_take(&fp, 18 * MIB) == FRAME_OK);
}

/* Every frame of the 256-frame pool below in use, then the listed ones freed. */
static int only_free(struct frame_pool *fp, const struct layout *lay,
		     const uint64_t *pfns, unsigned n)
{
	unsigned i;

	if (init(fp, lay, NO_LIMIT) != FRAME_OK || drain(fp, lay) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (frame_free(fp, pfns[i] * FRAME_SIZE) != FRAME_OK)
			return 0;
	return fp->nfree == n && bitmap_count(fp) == n;
}

#define ONLY_FREE(fp, lay, ...)                                             \
	only_free((fp), (lay), (const uint64_t[]){ __VA_ARGS__ },           \
		  sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

TEST(contig_fragmented)
{
	static const struct mem_region regions[] = { U(0, 1 * MIB) };
	static const struct phys_range reserved[] = { { 0, 64 * KIB } };
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	uint64_t a, pfn, n;

	/* Every other frame free: no pair, though 119 single frames. */
	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.bitmap_phys == 64 * KIB);
	CHECK(drain(&fp, &lay) == 256 - 17);
	for (pfn = 18; pfn < 256; pfn += 2)
		CHECK(frame_free(&fp, pfn * FRAME_SIZE) == FRAME_OK);
	CHECK(fp.nfree == 119);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 4, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 8, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 18 * FRAME_SIZE);
	for (n = 1, pfn = 20; pfn < 256; pfn += 2, n++)
		CHECK(frame_alloc(&fp) == pfn * FRAME_SIZE);
	CHECK(n == 119);
	CHECK(frame_alloc(&fp) == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == FRAME_NONE);

	/* Odd frames only: the same. */
	CHECK(drain(&fp, &lay) == 0);
	for (pfn = 17; pfn < 256; pfn += 2)
		CHECK(frame_free(&fp, pfn * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == FRAME_NONE);
	/* Filling one gap makes a run of three, but an unaligned pair. */
	CHECK(frame_free(&fp, 100 * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 100 * FRAME_SIZE);
	CHECK(free_run(&fp, 100 * FRAME_SIZE, 2));
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 99 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == FRAME_NONE);

	/* An unaligned pair is no pair. */
	CHECK(ONLY_FREE(&fp, &lay, 33, 34));
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(frame_free(&fp, 35 * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 34 * FRAME_SIZE);

	/* Four free frames that are not four-aligned, then ones that are. */
	CHECK(ONLY_FREE(&fp, &lay, 41, 42, 43, 44, 54, 55, 56, 57, 58, 59, 60, 61));
	CHECK(contig_ok(&fp, &lay, 4, &a) && a == 56 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 4, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 41 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 54 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 60 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 44 * FRAME_SIZE);
	CHECK(fp.nfree == 0);

	/* Eight frames from 4 (mod 8): no run of eight, two of four. */
	CHECK(ONLY_FREE(&fp, &lay, 20, 21, 22, 23, 24, 25, 26, 27));
	CHECK(contig_ok(&fp, &lay, 8, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 5, &a) && a == 20 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 25 * FRAME_SIZE);
	CHECK(fp.nfree == 0);
}

TEST(contig_across_word_boundaries)
{
	static const struct mem_region regions[] = { U(0, 1 * MIB) };
	static const struct phys_range reserved[] = { { 0, 64 * KIB } };
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	uint64_t a;

	/* Bit 63 of word 0 and bit 0 of word 1. */
	CHECK(ONLY_FREE(&fp, &lay, 62, 63, 64));
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 62 * FRAME_SIZE);
	CHECK(ONLY_FREE(&fp, &lay, 63, 64));
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 63 * FRAME_SIZE);
	CHECK(ONLY_FREE(&fp, &lay, 63, 64, 65));
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 64 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 63 * FRAME_SIZE);

	/* A long run through two whole free words into a third. */
	CHECK(ONLY_FREE(&fp, &lay, 60));
	for (a = 61; a < 256; a++)
		CHECK(frame_free(&fp, a * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 140, &a) && a == 60 * FRAME_SIZE);
	CHECK(fp.nfree == 196 - 140);
	CHECK(ONLY_FREE(&fp, &lay, 60));
	for (a = 61; a < 256; a++)
		CHECK(frame_free(&fp, a * FRAME_SIZE) == FRAME_OK);
	/* Aligned runs of whole words. */
	CHECK(contig_ok(&fp, &lay, 128, &a) && a == 128 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 64, &a) && a == 64 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 5, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 4, &a) && a == 60 * FRAME_SIZE);
	CHECK(fp.nfree == 0);

	/* A run broken by a whole word in use is no run. */
	CHECK(ONLY_FREE(&fp, &lay, 61, 62, 63, 128, 129, 130));
	CHECK(contig_ok(&fp, &lay, 4, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 6, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 61 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 128 * FRAME_SIZE);
	/* ...nor by one frame in use at either edge of the word. */
	CHECK(ONLY_FREE(&fp, &lay, 62, 63, 65, 66, 126, 127, 129, 130));
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 62 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 126 * FRAME_SIZE);
	/* 65/66 and 129/130 are pairs, but not aligned ones. */
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == FRAME_NONE);
	CHECK(contig_ok(&fp, &lay, 1, &a) && a == 65 * FRAME_SIZE);
}

TEST(contig_runs_found_again_after_free)
{
	const struct layout lay = LAYOUT(contig_regions, contig_reserved);
	static const uint64_t mib[] = { 10, 14, 16, 18, 22, 24 };
	struct frame_pool fp;
	uint64_t a;
	unsigned i;

	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	for (i = 0; i < ARRAY_SIZE(mib); i++)
		CHECK(contig_ok(&fp, &lay, 512, &a) && a == mib[i] * MIB);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);

	/* A run freed in the middle, then an earlier one: lowest first. */
	CHECK(free_run(&fp, 18 * MIB, 512));
	CHECK(free_run(&fp, 14 * MIB, 512));
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 14 * MIB);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 18 * MIB);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);

	/* All but one frame of a run freed: no run until that one is too. */
	CHECK(free_run(&fp, 22 * MIB, 511));
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);
	CHECK(frame_free(&fp, 24 * MIB - FRAME_SIZE) == FRAME_OK);
	CHECK(frame_free(&fp, 24 * MIB - FRAME_SIZE) == FRAME_EFREE);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 22 * MIB);
	/* Or its first frame. */
	CHECK(free_run(&fp, 10 * MIB + FRAME_SIZE, 511));
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);
	CHECK(frame_free(&fp, 10 * MIB) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 10 * MIB);

	/* Smaller runs come out of a freed big one, and go back. */
	CHECK(free_run(&fp, 16 * MIB, 512));
	CHECK(drain(&fp, &lay) >= 0);
	CHECK(free_run(&fp, 16 * MIB, 512));
	CHECK(contig_ok(&fp, &lay, 3, &a) && a == 16 * MIB);
	CHECK(contig_ok(&fp, &lay, 8, &a) && a == 16 * MIB + 8 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 2, &a) && a == 16 * MIB + 4 * FRAME_SIZE);
	CHECK(contig_ok(&fp, &lay, 256, &a) && a == 16 * MIB + 1 * MIB);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);
	/* Frames 3, 6, 7 and 16 .. 255 of it are left. */
	CHECK(drain(&fp, &lay) == 3 + 240);
	CHECK(free_run(&fp, 16 * MIB, 3));
	CHECK(free_run(&fp, 16 * MIB + 8 * FRAME_SIZE, 8));
	CHECK(free_run(&fp, 16 * MIB + 4 * FRAME_SIZE, 2));
	CHECK(free_run(&fp, 16 * MIB + 6 * FRAME_SIZE, 2));
	CHECK(free_run(&fp, 16 * MIB + 16 * FRAME_SIZE, 240));
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);
	CHECK(free_run(&fp, 17 * MIB, 256));
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == FRAME_NONE);     /* 16 MiB + 12 KiB */
	CHECK(fp.nfree == 511);
	CHECK(frame_free(&fp, 16 * MIB + 3 * FRAME_SIZE) == FRAME_OK);
	CHECK(contig_ok(&fp, &lay, 512, &a) && a == 16 * MIB);
	CHECK(fp.nfree == 0);

	/* Everything back: the pool is whole again. */
	for (i = 0; i < ARRAY_SIZE(mib); i++)
		CHECK(free_run(&fp, mib[i] * MIB, 512));
	CHECK(drain(&fp, &lay) == 6 * 512);
}

/* A small deterministic generator for the test below. */
static uint64_t rng_state;

static uint64_t rng(uint64_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (rng_state >> 33) % n;
}

TEST(mixed_operations_match_model)
{
	/*
	 * Random allocs, contig allocs, takes and frees against a plain array
	 * model of which frames are free: every result and the whole bitmap
	 * must agree with it after every step.
	 */
	static const struct mem_region regions[] = {
		U(0x3000, 2 * MIB + 0x800),
		R(300 * KIB, 308 * KIB),
		U(3 * MIB, 8 * MIB),
		BAD(5 * MIB + 0x100, 5 * MIB + 0x200),
	};
	static const struct phys_range reserved[] = {
		{ 1 * MIB, 1 * MIB + 100 * KIB },
		{ 6 * MIB + 1, 6 * MIB + 2 },
	};
	static const unsigned counts[] = { 1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 65, 128, 512 };
	const struct layout lay = LAYOUT(regions, reserved);
	struct frame_pool fp;
	unsigned char *model, *ours;
	uint64_t pfn, nfree, a, want, i, k;
	unsigned step, count, op;

	rng_state = 42;
	CHECK(init(&fp, &lay, NO_LIMIT) == FRAME_OK);
	CHECK(fp.nframes == 8 * MIB / FRAME_SIZE);
	model = snapshot(&fp);          /* 1: free */
	ours = calloc(fp.nframes, 1);   /* 1: handed out by the pool, ours to free */
	CHECK(model && ours);
	for (pfn = 0; pfn < fp.nframes; pfn++)
		CHECK(model[pfn] == frame_allowed(&fp, &lay, pfn));

	for (step = 0; step < 20000; step++) {
		/* Mostly taking until about half is used, then mostly freeing. */
		nfree = fp.nfree;
		op = (unsigned)rng(10);
		if (nfree < model_free(&fp, &lay) / 2 ? op < 3 : op < 6) {
			count = counts[rng(ARRAY_SIZE(counts))];
			want = model_contig(model, fp.nframes, count);
			a = op == 0 && count == 1 ? frame_alloc(&fp) : frame_alloc_contig(&fp, count);
			CHECK(a == want);
			if (a != FRAME_NONE) {
				for (pfn = a / FRAME_SIZE; pfn < a / FRAME_SIZE + count; pfn++) {
					model[pfn] = 0;
					ours[pfn] = 1;
				}
				nfree -= count;
			}
		} else if (op < 8) {
			/* Take any frame of the pool: only free ones come out. */
			pfn = rng(fp.nframes);
			CHECK(frame_take(&fp, pfn * FRAME_SIZE) == (model[pfn] ? FRAME_OK : FRAME_EUSED));
			if (model[pfn]) {
				model[pfn] = 0;
				ours[pfn] = 1;
				nfree--;
			}
		} else {
			/* Free a run of our frames from a random place on. */
			pfn = rng(fp.nframes);
			for (k = 0; k < fp.nframes && !ours[pfn]; k++)
				pfn = (pfn + 1) % fp.nframes;
			for (k = 1 + rng(40); k && pfn < fp.nframes && ours[pfn]; k--, pfn++) {
				CHECK(frame_free(&fp, pfn * FRAME_SIZE) == FRAME_OK);
				CHECK(frame_free(&fp, pfn * FRAME_SIZE) == FRAME_EFREE);
				model[pfn] = 1;
				ours[pfn] = 0;
				nfree++;
			}
		}
		CHECK(fp.nfree == nfree);
		if (step % 16 == 0) {
			CHECK(same_as(&fp, model));
			CHECK(bitmap_count(&fp) == nfree);
		}
	}
	CHECK(same_as(&fp, model));
	/* Drained at the end, the lowest free frames come first. */
	for (i = 0, pfn = 0; pfn < fp.nframes; pfn++) {
		if (!model[pfn])
			continue;
		CHECK(frame_alloc(&fp) == pfn * FRAME_SIZE);
		i++;
	}
	CHECK(frame_alloc(&fp) == FRAME_NONE);
	CHECK(i == nfree && fp.nfree == 0);
	free(model);
	free(ours);
}
