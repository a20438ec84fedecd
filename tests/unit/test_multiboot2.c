/*
 * Host unit tests of the multiboot2 boot information parser: well-formed,
 * truncated and corrupt tag lists built byte by byte, then a little
 * fuzzing. Every list is handed to the parser in a malloc'd buffer of
 * exactly the bytes it may read, so AddressSanitizer catches any overread.
 *
 * sources: kernel/platform/pc/multiboot2.c
 */
#define UNIT_SUITE "multiboot2"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <bootinfo.h>
#include <compiler.h>
#include <pc/multiboot2.h>

/* Tag types of the multiboot2 specification, section 3.6. */
enum {
	T_END = 0,
	T_CMDLINE = 1,
	T_LOADER = 2,
	T_MODULE = 3,
	T_MEMINFO = 4,
	T_MMAP = 6,
	T_FB = 8,
	T_ACPI_OLD = 14,
	T_ACPI_NEW = 15,
	T_LOAD_BASE = 21,
};

/* ------------------------------------------------------------ list builder */

#define LIST_MAX 16384
#define TAGS_MAX 256

/*
 * A boot information structure under construction: the u32 total_size and
 * u32 reserved header, then tags, each padded to 8 bytes. Where each tag
 * starts is recorded so that the truncation tests can predict the outcome.
 */
struct mb2_list {
	uint64_t words[LIST_MAX / 8];   /* uint64_t: keeps the tags 8-aligned */
	size_t len;
	unsigned ntags;
	size_t tag_start[TAGS_MAX];
	uint32_t tag_size[TAGS_MAX];
	uint32_t tag_type[TAGS_MAX];
};

static uint8_t *list_bytes(struct mb2_list *l)
{
	return (uint8_t *)l->words;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}

static void list_init(struct mb2_list *l)
{
	memset(l, 0, sizeof *l);
	l->len = 8;
}

/* Writes len as total_size: call after the last tag. */
static void list_finish(struct mb2_list *l)
{
	put32(list_bytes(l), (uint32_t)l->len);
}

/* Appends a tag of the given type with n bytes of payload, then pads. */
static void add_raw(struct mb2_list *l, uint32_t type, const void *payload, size_t n)
{
	uint8_t *p = list_bytes(l) + l->len;

	if (l->len + 8 + n + 7 > LIST_MAX || l->ntags == TAGS_MAX)
		abort();        /* a test asked for more than the builder holds */
	put32(p, type);
	put32(p + 4, (uint32_t)(8 + n));
	if (n)
		memcpy(p + 8, payload, n);
	l->tag_start[l->ntags] = l->len;
	l->tag_size[l->ntags] = (uint32_t)(8 + n);
	l->tag_type[l->ntags++] = type;
	l->len = (l->len + 8 + n + 7) & ~(size_t)7;
}

static void add_end(struct mb2_list *l)
{
	add_raw(l, T_END, NULL, 0);
}

/* Command line or boot loader name: a NUL-terminated string. */
static void add_string(struct mb2_list *l, uint32_t type, const char *s)
{
	add_raw(l, type, s, strlen(s) + 1);
}

/* A module tag; cmdline_len bytes of cmdline are copied (with or without NUL). */
static void add_module_n(struct mb2_list *l, uint32_t start, uint32_t end,
			 const char *cmdline, size_t cmdline_len)
{
	uint8_t p[512];

	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, cmdline, cmdline_len);
	add_raw(l, T_MODULE, p, 8 + cmdline_len);
}

static void add_module(struct mb2_list *l, uint32_t start, uint32_t end, const char *cmdline)
{
	add_module_n(l, start, end, cmdline, strlen(cmdline) + 1);
}

struct mmap_ent {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

/*
 * A memory map tag with entries of entry_size bytes (at least 24 in a valid
 * list; larger ones are zero-padded, as the specification allows for
 * future fields). A smaller entry_size writes only that much of each entry.
 */
static void add_mmap(struct mb2_list *l, uint32_t entry_size,
		     const struct mmap_ent *e, size_t n)
{
	static uint8_t p[LIST_MAX];
	uint8_t ent[64];
	size_t i;

	if (entry_size > sizeof ent || 8 + n * entry_size > sizeof p)
		abort();
	put32(p, entry_size);
	put32(p + 4, 0);        /* entry_version */
	for (i = 0; i < n; i++) {
		memset(ent, 0, sizeof ent);
		put64(ent, e[i].base);
		put64(ent + 8, e[i].len);
		put32(ent + 16, e[i].type);
		memcpy(p + 8 + i * entry_size, ent, entry_size);
	}
	add_raw(l, T_MMAP, p, 8 + n * entry_size);
}

struct fb_spec {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint8_t rgb[6];         /* red pos/size, green pos/size, blue pos/size */
};

/*
 * A framebuffer tag as GRUB lays it out: the common part (with a u16
 * reserved) ends at offset 32, the RGB colour layout follows. size is the
 * tag's size field; the payload is cut to match, to build short tags.
 */
static void add_fb(struct mb2_list *l, const struct fb_spec *fb, uint32_t size)
{
	uint8_t p[30];

	memset(p, 0, sizeof p);
	put64(p, fb->addr);
	put32(p + 8, fb->pitch);
	put32(p + 12, fb->width);
	put32(p + 16, fb->height);
	p[20] = fb->bpp;
	p[21] = fb->type;
	memcpy(p + 24, fb->rgb, sizeof fb->rgb);
	if (size < 8 || size - 8 > sizeof p)
		abort();
	add_raw(l, T_FB, p, size - 8);
}

/* 1024x768x32 RGB: red at bit 16, green at 8, blue at 0. */
static const struct fb_spec fb_good = {
	.addr = 0xfd000000, .pitch = 4096, .width = 1024, .height = 768,
	.bpp = 32, .type = 1, .rgb = { 16, 8, 8, 8, 0, 8 },
};

/* An RSDP copy of n bytes, each byte first + index, to see which one won. */
static void add_rsdp(struct mb2_list *l, uint32_t type, size_t n, uint8_t first)
{
	uint8_t p[64];
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
	add_raw(l, type, p, n);
}

/* ------------------------------------------------------------ parsing */

/* What the parser logged since the last parse. */
static char log_text[8192];
static size_t log_len;
static unsigned log_calls;

__attribute__((format(printf, 1, 2)))
static void log_capture(const char *fmt, ...)
{
	va_list ap;
	int n;

	log_calls++;
	va_start(ap, fmt);
	n = vsnprintf(log_text + log_len, sizeof log_text - log_len, fmt, ap);
	va_end(ap);
	/* vsnprintf returns the untruncated length: stop at the buffer's end. */
	if (n > 0)
		log_len = log_len + (size_t)n < sizeof log_text ?
			  log_len + (size_t)n : sizeof log_text - 1;
}

/*
 * Parses the first avail bytes of l from a heap buffer of exactly avail
 * bytes (filler beyond the list, if avail is larger), so that any read past
 * avail is an ASan error.
 */
static enum mb2_status parse_avail(struct mb2_list *l, size_t avail, struct boot_info *out)
{
	uint8_t *buf = malloc(avail ? avail : 1);
	size_t n = avail < l->len ? avail : l->len;
	enum mb2_status st;

	if (!buf)
		abort();
	memcpy(buf, list_bytes(l), n);
	memset(buf + n, 0xa5, avail - n);
	log_text[0] = '\0';
	log_len = 0;
	log_calls = 0;
	st = mb2_parse(buf, avail, out, log_capture);
	free(buf);
	return st;
}

static enum mb2_status parse(struct mb2_list *l, struct boot_info *out)
{
	return parse_avail(l, l->len, out);
}

static int logged(const char *s)
{
	return strstr(log_text, s) != NULL;
}

/* A list holding every tag type the parser knows, plus two it does not. */
static const struct mmap_ent full_mmap[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 3 },
	{ 0xfec00000, 0x1000, 4 },
	{ 0x100000000, 0x80000000, 5 },
	{ 0x200000000, 0x1000, 0 },
	{ 0x300000000, 0x1000, 6 },
	{ 0x400000000, 0x1000, 0xffffffff },
};

static void build_full(struct mb2_list *l)
{
	const uint8_t meminfo[8] = { 0x7f, 0x02, 0, 0, 0x80, 0xfb, 0x01, 0 };
	const uint8_t load_base[4] = { 0, 0, 0x20, 0 };

	list_init(l);
	add_string(l, T_CMDLINE, "console=ttyS0 test=all");
	add_string(l, T_LOADER, "GRUB 2.06");
	add_raw(l, T_MEMINFO, meminfo, sizeof meminfo);
	add_module(l, 0x200000, 0x212345, "/boot/init init --verbose");
	add_module(l, 0x300000, 0x300000, "");
	add_mmap(l, 24, full_mmap, ARRAY_SIZE(full_mmap));
	add_fb(l, &fb_good, 38);
	add_rsdp(l, T_ACPI_OLD, 20, 0x10);
	add_rsdp(l, T_ACPI_NEW, 36, 0x80);
	add_raw(l, T_LOAD_BASE, load_base, sizeof load_base);
	add_end(l);
	list_finish(l);
}

/* ------------------------------------------------------------ well-formed */

TEST(full_list_parses_every_field)
{
	static const uint32_t want_type[] = {
		MEM_USABLE, MEM_RESERVED, MEM_RESERVED, MEM_USABLE, MEM_ACPI_RECLAIM,
		MEM_ACPI_NVS, MEM_BAD, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,
	};
	struct mb2_list l;
	struct boot_info bi;
	unsigned i;

	build_full(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(log_calls == 0);

	CHECK(strcmp(bi.cmdline, "console=ttyS0 test=all") == 0);
	CHECK(strcmp(bi.loader, "GRUB 2.06") == 0);

	CHECK(bi.nmodules == 2);
	CHECK(bi.modules[0].start == 0x200000);
	CHECK(bi.modules[0].end == 0x212345);
	CHECK(strcmp(bi.modules[0].cmdline, "/boot/init init --verbose") == 0);
	CHECK(bi.modules[1].start == 0x300000);
	CHECK(bi.modules[1].end == 0x300000);
	CHECK(bi.modules[1].cmdline[0] == '\0');

	CHECK(bi.nregions == ARRAY_SIZE(full_mmap));
	for (i = 0; i < ARRAY_SIZE(full_mmap); i++) {
		CHECK(bi.regions[i].base == full_mmap[i].base);
		CHECK(bi.regions[i].len == full_mmap[i].len);
		CHECK(bi.regions[i].type == want_type[i]);
	}

	CHECK(bi.has_fb);
	CHECK(bi.fb.addr == 0xfd000000);
	CHECK(bi.fb.pitch == 4096);
	CHECK(bi.fb.width == 1024);
	CHECK(bi.fb.height == 768);
	CHECK(bi.fb.bpp == 32);
	CHECK(bi.fb.type == 1);
	CHECK(bi.fb.red_pos == 16 && bi.fb.red_size == 8);
	CHECK(bi.fb.green_pos == 8 && bi.fb.green_size == 8);
	CHECK(bi.fb.blue_pos == 0 && bi.fb.blue_size == 8);

	/* The ACPI 2.0 copy wins over the 1.0 one. */
	CHECK(bi.rsdp_len == 36);
	for (i = 0; i < 36; i++)
		CHECK(bi.rsdp[i] == (uint8_t)(0x80 + i));

	/* The parser does not know where the structure lives; boot.c fills these. */
	CHECK(bi.info_phys == 0 && bi.info_size == 0);
}

TEST(output_is_cleared_first)
{
	struct mb2_list l;
	struct boot_info bi, zero;

	list_init(&l);
	add_end(&l);
	list_finish(&l);
	memset(&zero, 0, sizeof zero);

	memset(&bi, 0xa5, sizeof bi);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(memcmp(&bi, &zero, sizeof bi) == 0);

	/* Also when the structure is rejected outright. */
	memset(&bi, 0xa5, sizeof bi);
	CHECK(parse_avail(&l, 8, &bi) == MB2_ESIZE);
	CHECK(memcmp(&bi, &zero, sizeof bi) == 0);
}

TEST(minimal_list_and_slack_after_it)
{
	struct mb2_list l;
	struct boot_info bi;

	list_init(&l);
	add_end(&l);
	list_finish(&l);
	CHECK(l.len == 16);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(log_calls == 0);
	/* The boot code passes MB2_INFO_MAX as avail: bytes after total_size are ignored. */
	CHECK(parse_avail(&l, 4096, &bi) == MB2_OK);
	CHECK(log_calls == 0);
}

TEST(unknown_tags_are_ignored)
{
	static const uint32_t types[] = { 4, 5, 7, 9, 16, 21, 31, 32, 33, 0x80000000u, 0xffffffffu };
	struct mb2_list l;
	struct boot_info bi;
	uint8_t junk[13] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3 };
	unsigned i;

	list_init(&l);
	/* Each twice: an unknown type is never a "duplicate". */
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		add_raw(&l, types[i], junk, sizeof junk);
		add_raw(&l, types[i], NULL, 0);
	}
	add_string(&l, T_CMDLINE, "after");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(log_calls == 0);
	CHECK(strcmp(bi.cmdline, "after") == 0);
	CHECK(bi.nregions == 0 && bi.nmodules == 0 && !bi.has_fb && bi.rsdp_len == 0);
}

TEST(mmap_with_larger_entries)
{
	static const struct mmap_ent e[] = {
		{ 0x1000, 0x2000, 1 },
		{ 0x100000, 0x300000, 3 },
		{ 0xfee00000, 0x1000, 2 },
	};
	struct mb2_list l;
	struct boot_info bi;
	uint8_t *p;
	unsigned i;

	/* 32-byte entries, as a future version of the layout may have. */
	list_init(&l);
	add_mmap(&l, 32, e, ARRAY_SIZE(e));
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(bi.nregions == 3);
	for (i = 0; i < 3; i++) {
		CHECK(bi.regions[i].base == e[i].base);
		CHECK(bi.regions[i].len == e[i].len);
	}
	CHECK(bi.regions[0].type == MEM_USABLE);
	CHECK(bi.regions[1].type == MEM_ACPI_RECLAIM);
	CHECK(bi.regions[2].type == MEM_RESERVED);

	/*
	 * A partial last entry: the tag ends 8 bytes into the third one,
	 * which is dropped without a complaint and without being read.
	 */
	list_init(&l);
	add_mmap(&l, 24, e, 3);
	l.len = l.tag_start[0] + 16 + 2 * 24 + 8;
	p = list_bytes(&l) + l.tag_start[0];
	put32(p + 4, (uint32_t)(l.len - l.tag_start[0]));
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(bi.nregions == 2);
	CHECK(bi.regions[1].base == 0x100000);
}

TEST(long_strings_are_cut_to_fit)
{
	char longline[400], want[BOOT_CMDLINE_MAX];
	struct mb2_list l;
	struct boot_info bi;
	size_t i;

	for (i = 0; i < sizeof longline - 1; i++)
		longline[i] = (char)('a' + i % 26);
	longline[sizeof longline - 1] = '\0';

	list_init(&l);
	add_string(&l, T_CMDLINE, longline);
	add_string(&l, T_LOADER, longline);
	add_module(&l, 0x1000, 0x2000, longline);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);

	memcpy(want, longline, BOOT_CMDLINE_MAX - 1);
	want[BOOT_CMDLINE_MAX - 1] = '\0';
	CHECK(strcmp(bi.cmdline, want) == 0);
	CHECK(strlen(bi.loader) == sizeof bi.loader - 1);
	CHECK(memcmp(bi.loader, longline, sizeof bi.loader - 1) == 0);
	CHECK(bi.nmodules == 1);
	CHECK(strlen(bi.modules[0].cmdline) == BOOT_MODLINE_MAX - 1);
	CHECK(memcmp(bi.modules[0].cmdline, longline, BOOT_MODLINE_MAX - 1) == 0);
}

/* ------------------------------------------------------------ truncated */

TEST(avail_smaller_than_total_size)
{
	struct mb2_list l;
	struct boot_info bi;

	build_full(&l);
	CHECK(parse_avail(&l, l.len - 1, &bi) == MB2_ESIZE);
	CHECK(log_calls == 1);
	CHECK(logged("multiboot2: total size"));
	/* Nothing is parsed from a structure that does not fit. */
	CHECK(bi.cmdline[0] == '\0' && bi.nregions == 0);

	CHECK(parse_avail(&l, 16, &bi) == MB2_ESIZE);
	CHECK(log_calls == 1);
}

TEST(avail_below_header)
{
	struct mb2_list l;
	struct boot_info bi;
	size_t avail;

	build_full(&l);
	for (avail = 0; avail < 16; avail++) {
		CHECK(parse_avail(&l, avail, &bi) == MB2_ESIZE);
		CHECK(log_calls == 1);
		CHECK(logged("too short"));
	}
}

TEST(total_size_out_of_bounds)
{
	static const uint32_t totals[] = { 0, 8, 15, MB2_INFO_MAX + 8, 0xffffffffu };
	struct mb2_list l;
	struct boot_info bi;
	enum mb2_status st_over, st_max;
	unsigned i, calls_over;
	uint8_t *big;

	for (i = 0; i < ARRAY_SIZE(totals); i++) {
		list_init(&l);
		add_end(&l);
		list_finish(&l);
		put32(list_bytes(&l), totals[i]);
		CHECK(parse(&l, &bi) == MB2_ESIZE);
		CHECK(log_calls == 1);
		CHECK(logged("impossible"));
	}

	/*
	 * Above MB2_INFO_MAX even when the buffer really is that large: the
	 * limit is a sanity bound, not only a buffer check. Exactly
	 * MB2_INFO_MAX is fine (one huge unknown tag, then the end tag).
	 */
	big = calloc(1, MB2_INFO_MAX + 16);
	CHECK(big != NULL);
	put32(big, MB2_INFO_MAX + 16);
	put32(big + MB2_INFO_MAX + 8, T_END);
	put32(big + MB2_INFO_MAX + 12, 8);
	log_calls = 0;
	st_over = mb2_parse(big, MB2_INFO_MAX + 16, &bi, log_capture);
	calls_over = log_calls;

	put32(big, MB2_INFO_MAX);
	put32(big + 8, 0x1234);
	put32(big + 12, MB2_INFO_MAX - 16);
	put32(big + MB2_INFO_MAX - 8, T_END);
	put32(big + MB2_INFO_MAX - 4, 8);
	log_calls = 0;
	st_max = mb2_parse(big, MB2_INFO_MAX, &bi, log_capture);
	free(big);
	CHECK(st_over == MB2_ESIZE);
	CHECK(calls_over == 1);
	CHECK(st_max == MB2_OK);
	CHECK(log_calls == 0);
}

TEST(total_size_cuts_a_tag)
{
	struct mb2_list l;
	struct boot_info bi;
	static const struct mmap_ent e[] = { { 0x100000, 0x100000, 1 } };

	list_init(&l);
	add_string(&l, T_LOADER, "loader");
	add_string(&l, T_CMDLINE, "hello");
	add_mmap(&l, 24, e, 1);
	add_end(&l);
	/* total_size ends 20 bytes into the memory map tag. */
	l.len = l.tag_start[2] + 20;
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_ETRUNC);
	CHECK(log_calls == 1);
	CHECK(logged("tag type 6"));
	CHECK(strcmp(bi.loader, "loader") == 0);
	CHECK(strcmp(bi.cmdline, "hello") == 0);
	CHECK(bi.nregions == 0);
	CHECK(bi.bad_tags == 0);
}

TEST(tag_size_runs_past_end)
{
	struct mb2_list l;
	struct boot_info bi;
	static const struct mmap_ent e[] = {
		{ 0x0, 0x9f000, 1 },
		{ 0x100000, 0x1000000, 1 },
	};
	uint8_t *p;

	list_init(&l);
	add_string(&l, T_CMDLINE, "root=/");
	add_module(&l, 0x400000, 0x401000, "mod");
	add_mmap(&l, 24, e, 2);
	add_string(&l, T_LOADER, "never seen");
	add_end(&l);
	list_finish(&l);

	/* The loader name tag claims one byte more than the structure holds. */
	p = list_bytes(&l) + l.tag_start[3];
	put32(p + 4, (uint32_t)(l.len - l.tag_start[3] + 1));
	CHECK(parse(&l, &bi) == MB2_ETRUNC);
	CHECK(log_calls == 1);
	CHECK(logged("tag type 2"));
	CHECK(strcmp(bi.cmdline, "root=/") == 0);
	CHECK(bi.nmodules == 1 && bi.modules[0].end == 0x401000);
	CHECK(bi.nregions == 2 && bi.regions[1].len == 0x1000000);
	CHECK(bi.loader[0] == '\0');

	/* Exactly up to the end is fine, though it swallows the end tag. */
	put32(p + 4, (uint32_t)(l.len - l.tag_start[3]));
	CHECK(parse(&l, &bi) == MB2_ENOEND);
	CHECK(log_calls == 1);

	/* A size that would wrap a 32-bit offset. */
	put32(p + 4, 0xfffffff8u);
	CHECK(parse(&l, &bi) == MB2_ETRUNC);
	CHECK(bi.nregions == 2);
}

/* ------------------------------------------------------------ corrupt */

TEST(tag_size_below_header)
{
	static const uint32_t sizes[] = { 0, 1, 4, 7 };
	struct mb2_list l;
	struct boot_info bi;
	unsigned i;

	/* Size 0 must not make the walk spin in place. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		list_init(&l);
		add_string(&l, T_CMDLINE, "kept");
		add_raw(&l, 0x77, NULL, 0);
		add_string(&l, T_LOADER, "lost");
		add_end(&l);
		list_finish(&l);
		put32(list_bytes(&l) + l.tag_start[1] + 4, sizes[i]);
		CHECK(parse(&l, &bi) == MB2_ETRUNC);
		CHECK(log_calls == 1);
		CHECK(strcmp(bi.cmdline, "kept") == 0);
		CHECK(bi.loader[0] == '\0');
	}
}

TEST(missing_end_tag)
{
	struct mb2_list l;
	struct boot_info bi;
	uint8_t odd[4] = { 1, 2, 3, 4 };

	list_init(&l);
	add_string(&l, T_CMDLINE, "no end");
	add_module(&l, 0x1000, 0x2000, "m");
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_ENOEND);
	CHECK(log_calls == 1);
	CHECK(logged("no end tag"));
	CHECK(strcmp(bi.cmdline, "no end") == 0);
	CHECK(bi.nmodules == 1);

	/* A total_size that is not a multiple of 8: the last tag ends unaligned. */
	list_init(&l);
	add_raw(&l, 0x55, odd, sizeof odd);
	l.len = 8 + 12;
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_ENOEND);

	/* Only the header and one 8-byte tag that is not the end tag. */
	list_init(&l);
	add_raw(&l, T_CMDLINE + 100, NULL, 0);
	list_finish(&l);
	CHECK(l.len == 16);
	CHECK(parse(&l, &bi) == MB2_ENOEND);

	/* Fewer than 8 bytes left after the last tag: no room for a header. */
	list_init(&l);
	add_string(&l, T_CMDLINE, "x");
	l.len += 4;
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_ENOEND);
	CHECK(strcmp(bi.cmdline, "x") == 0);
}

TEST(mmap_bad_entry_size)
{
	static const uint32_t sizes[] = { 0, 8, 16, 20, 28, 36, 44 };
	static const struct mmap_ent e[] = { { 0x100000, 0x100000, 1 }, { 0x200000, 0x1000, 1 } };
	struct mb2_list l;
	struct boot_info bi;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		list_init(&l);
		add_mmap(&l, sizes[i], e, 2);
		add_string(&l, T_CMDLINE, "after");
		add_end(&l);
		list_finish(&l);
		CHECK(parse(&l, &bi) == MB2_OK);
		CHECK(bi.bad_tags == 1);
		CHECK(bi.nregions == 0);
		CHECK(log_calls == 1);
		CHECK(logged("tag type 6"));
		CHECK(strcmp(bi.cmdline, "after") == 0);
	}

	/* A memory map tag without even entry_size and entry_version. */
	list_init(&l);
	add_raw(&l, T_MMAP, "\x18\0\0\0", 4);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 1);
	CHECK(log_calls == 1);
	CHECK(bi.nregions == 0);
}

TEST(mmap_wrapping_and_empty_entries)
{
	static const struct mmap_ent e[] = {
		{ 0x0, 0x9f000, 1 },
		{ 0x9f000, 0, 2 },                      /* empty: dropped quietly */
		{ 0xffffffff00000000, 0x100000000, 1 }, /* ends at 2^64: wraps */
		{ 0x100000, 0x1000000, 1 },
		{ 0x8000000000000000, 0x8000000000001000, 2 },  /* wraps */
		{ 0x200000, 0, 1 },                     /* empty */
		{ 0xfffffffffffff000, 0xfff, 2 },       /* ends at 2^64 - 1: fine */
	};
	struct mb2_list l;
	struct boot_info bi;

	list_init(&l);
	add_mmap(&l, 24, e, ARRAY_SIZE(e));
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 2);
	CHECK(log_calls == 2);
	CHECK(logged("wraps"));
	CHECK(bi.nregions == 3);
	CHECK(bi.regions[0].base == 0 && bi.regions[0].len == 0x9f000);
	CHECK(bi.regions[1].base == 0x100000 && bi.regions[1].type == MEM_USABLE);
	CHECK(bi.regions[2].base == 0xfffffffffffff000 && bi.regions[2].len == 0xfff);
	CHECK(bi.regions[2].type == MEM_RESERVED);
}

TEST(module_end_before_start)
{
	struct mb2_list l;
	struct boot_info bi;

	list_init(&l);
	add_module(&l, 0x1000, 0x3000, "first");
	add_module(&l, 0x5000, 0x4fff, "backwards");
	add_module(&l, 0x6000, 0x7000, "third");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 1);
	CHECK(log_calls == 1);
	CHECK(logged("tag type 3"));
	CHECK(bi.nmodules == 2);
	CHECK(strcmp(bi.modules[0].cmdline, "first") == 0);
	CHECK(bi.modules[1].start == 0x6000 && bi.modules[1].end == 0x7000);
	CHECK(strcmp(bi.modules[1].cmdline, "third") == 0);
}

TEST(module_cmdline_unterminated_or_missing)
{
	struct mb2_list l;
	struct boot_info bi;
	uint8_t bare[8];

	list_init(&l);
	add_module_n(&l, 0x1000, 0x2000, "abcdefgh", 8);    /* no NUL */
	put32(bare, 0x3000);
	put32(bare + 4, 0x4000);
	add_raw(&l, T_MODULE, bare, sizeof bare);           /* no string at all */
	add_module(&l, 0x5000, 0x6000, "ok");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 2);
	CHECK(log_calls == 2);
	CHECK(bi.nmodules == 1);
	CHECK(bi.modules[0].start == 0x5000);
	CHECK(strcmp(bi.modules[0].cmdline, "ok") == 0);
	/* The rejected module left no trace in the next slot. */
	CHECK(bi.modules[1].start == 0 && bi.modules[1].cmdline[0] == '\0');
}

TEST(cmdline_and_loader_unterminated)
{
	struct mb2_list l;
	struct boot_info bi;

	list_init(&l);
	add_raw(&l, T_CMDLINE, "console", 7);
	add_raw(&l, T_LOADER, "GRUB", 4);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 2);
	CHECK(log_calls == 2);
	CHECK(logged("tag type 1"));
	CHECK(logged("tag type 2"));
	CHECK(bi.cmdline[0] == '\0');
	CHECK(bi.loader[0] == '\0');

	/* Empty payloads: no room for even the terminator. */
	list_init(&l);
	add_raw(&l, T_CMDLINE, NULL, 0);
	add_raw(&l, T_LOADER, NULL, 0);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 2);

	/* The empty string itself is fine. */
	list_init(&l);
	add_string(&l, T_CMDLINE, "");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
}

/* Parses a list of one framebuffer tag; returns bad_tags (-1 on a bad status). */
static int parse_fb(const struct fb_spec *fb, uint32_t size, struct boot_info *bi)
{
	struct mb2_list l;

	list_init(&l);
	add_fb(&l, fb, size);
	add_end(&l);
	list_finish(&l);
	if (parse(&l, bi) != MB2_OK)
		return -1;
	if (log_calls != bi->bad_tags)
		return -1;
	return (int)bi->bad_tags;
}

TEST(framebuffer_too_short)
{
	struct fb_spec ega = fb_good, indexed = fb_good;
	struct boot_info bi;
	uint32_t size;

	/* Shorter than the common part. */
	for (size = 8; size < 32; size++) {
		CHECK(parse_fb(&fb_good, size, &bi) == 1);
		CHECK(!bi.has_fb);
		CHECK(logged("tag type 8"));
	}
	/* RGB without (all of) the colour layout. */
	for (size = 32; size < 38; size++) {
		CHECK(parse_fb(&fb_good, size, &bi) == 1);
		CHECK(!bi.has_fb);
	}
	CHECK(parse_fb(&fb_good, 38, &bi) == 0);
	CHECK(bi.has_fb);

	/* EGA text and indexed colour need only the common part. */
	ega.type = 2;
	ega.bpp = 16;
	ega.width = 80;
	ega.height = 25;
	ega.pitch = 160;
	ega.addr = 0xb8000;
	for (size = 8; size < 32; size++)
		CHECK(parse_fb(&ega, size, &bi) == 1);
	CHECK(parse_fb(&ega, 32, &bi) == 0);
	CHECK(bi.has_fb && bi.fb.type == 2 && bi.fb.width == 80 && bi.fb.addr == 0xb8000);
	/* The colour bytes are not read for a non-RGB type. */
	CHECK(bi.fb.red_pos == 0 && bi.fb.blue_size == 0);
	indexed.type = 0;
	indexed.bpp = 8;
	CHECK(parse_fb(&indexed, 32, &bi) == 0);
	CHECK(bi.has_fb && bi.fb.bpp == 8);
}

TEST(framebuffer_bad_geometry)
{
	struct fb_spec fb;
	struct boot_info bi;

	fb = fb_good;
	fb.width = 0;
	CHECK(parse_fb(&fb, 38, &bi) == 1);
	CHECK(!bi.has_fb);
	CHECK(logged("tag type 8"));

	fb = fb_good;
	fb.height = 0;
	CHECK(parse_fb(&fb, 38, &bi) == 1);

	fb = fb_good;
	fb.pitch = 0;
	CHECK(parse_fb(&fb, 38, &bi) == 1);

	/* A line of 1024 32-bit pixels needs 4096 bytes. */
	fb = fb_good;
	fb.pitch = 4095;
	CHECK(parse_fb(&fb, 38, &bi) == 1);
	fb.pitch = 4096;
	CHECK(parse_fb(&fb, 38, &bi) == 0);
	CHECK(bi.has_fb);

	/* The framebuffer would run past the top of the address space. */
	fb = fb_good;
	fb.addr = 0xffffffffffff0000;
	CHECK(parse_fb(&fb, 38, &bi) == 1);
	CHECK(!bi.has_fb);

	/* EGA text has no bpp rule, but still needs sane sizes. */
	fb = fb_good;
	fb.type = 2;
	fb.height = 0;
	CHECK(parse_fb(&fb, 32, &bi) == 1);
}

TEST(framebuffer_bpp)
{
	static const uint8_t good[] = { 8, 15, 16, 24, 32 };
	static const uint8_t bad_bpp[] = { 0, 1, 4, 7, 12, 31, 33, 64, 255 };
	struct fb_spec fb = fb_good;
	struct boot_info bi;
	unsigned i;

	fb.pitch = 1024 * 4;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		fb.bpp = good[i];
		CHECK(parse_fb(&fb, 38, &bi) == 0);
		CHECK(bi.has_fb && bi.fb.bpp == good[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad_bpp); i++) {
		fb.bpp = bad_bpp[i];
		fb.pitch = 1024 * 32;   /* so the pitch check alone would pass */
		CHECK(parse_fb(&fb, 38, &bi) == 1);
		CHECK(!bi.has_fb);
	}
}

TEST(rsdp_too_short)
{
	struct mb2_list l;
	struct boot_info bi;

	list_init(&l);
	add_rsdp(&l, T_ACPI_OLD, 19, 0x10);
	add_rsdp(&l, T_ACPI_NEW, 35, 0x80);
	add_rsdp(&l, T_ACPI_NEW, 20, 0x80);     /* a 1.0 RSDP in a 2.0 tag */
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 3);
	CHECK(log_calls == 3);
	CHECK(logged("tag type 14"));
	CHECK(logged("tag type 15"));
	CHECK(bi.rsdp_len == 0);

	/* A short 2.0 tag does not disturb a good 1.0 one. */
	list_init(&l);
	add_rsdp(&l, T_ACPI_OLD, 20, 0x10);
	add_rsdp(&l, T_ACPI_NEW, 30, 0x80);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 1);
	CHECK(bi.rsdp_len == 20);
	CHECK(bi.rsdp[0] == 0x10 && bi.rsdp[19] == 0x10 + 19);
}

TEST(rsdp_new_supersedes_old)
{
	struct mb2_list l;
	struct boot_info bi;
	unsigned i;

	/* Old only: 20 bytes, the rest of the copy untouched (zero). */
	list_init(&l);
	add_rsdp(&l, T_ACPI_OLD, 24, 0x10);     /* a longer tag copies only 20 */
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.rsdp_len == 20);
	for (i = 0; i < 20; i++)
		CHECK(bi.rsdp[i] == (uint8_t)(0x10 + i));
	for (; i < 36; i++)
		CHECK(bi.rsdp[i] == 0);

	/* New first, then old: the old one is ignored. */
	list_init(&l);
	add_rsdp(&l, T_ACPI_NEW, 36, 0x80);
	add_rsdp(&l, T_ACPI_OLD, 20, 0x10);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(bi.rsdp_len == 36);
	for (i = 0; i < 36; i++)
		CHECK(bi.rsdp[i] == (uint8_t)(0x80 + i));

	/* Old first, then new: the new one replaces it entirely. */
	list_init(&l);
	add_rsdp(&l, T_ACPI_OLD, 20, 0x10);
	add_rsdp(&l, T_ACPI_NEW, 36, 0x80);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 0);
	CHECK(bi.rsdp_len == 36);
	for (i = 0; i < 36; i++)
		CHECK(bi.rsdp[i] == (uint8_t)(0x80 + i));
}

TEST(duplicate_tags)
{
	static const struct mmap_ent e1[] = { { 0x100000, 0x100000, 1 } };
	static const struct mmap_ent e2[] = { { 0x0, 0x1000, 1 }, { 0x5000, 0x1000, 1 } };
	struct fb_spec fb2 = fb_good;
	struct mb2_list l;
	struct boot_info bi;

	fb2.addr = 0xe0000000;
	list_init(&l);
	add_string(&l, T_CMDLINE, "first");
	add_mmap(&l, 24, e1, 1);
	add_string(&l, T_LOADER, "loader one");
	add_fb(&l, &fb_good, 38);
	add_string(&l, T_CMDLINE, "second");
	add_mmap(&l, 24, e2, 2);
	add_string(&l, T_LOADER, "loader two");
	add_fb(&l, &fb2, 38);
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.bad_tags == 4);
	CHECK(log_calls == 4);
	CHECK(logged("duplicate"));
	CHECK(strcmp(bi.cmdline, "first") == 0);
	CHECK(strcmp(bi.loader, "loader one") == 0);
	CHECK(bi.nregions == 1 && bi.regions[0].base == 0x100000);
	CHECK(bi.has_fb && bi.fb.addr == 0xfd000000);
}

TEST(too_many_modules)
{
	struct mb2_list l;
	struct boot_info bi;
	char name[16];
	unsigned i;

	list_init(&l);
	for (i = 0; i < BOOT_MAX_MODULES + 2; i++) {
		snprintf(name, sizeof name, "mod%u", i);
		add_module(&l, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000 + i, name);
	}
	add_string(&l, T_CMDLINE, "still parsed");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.nmodules == BOOT_MAX_MODULES);
	CHECK(bi.bad_tags == 2);
	CHECK(log_calls == 2);
	for (i = 0; i < BOOT_MAX_MODULES; i++) {
		snprintf(name, sizeof name, "mod%u", i);
		CHECK(strcmp(bi.modules[i].cmdline, name) == 0);
		CHECK(bi.modules[i].start == 0x100000ull * (i + 1));
		CHECK(bi.modules[i].end == 0x100000ull * (i + 1) + 0x1000 + i);
	}
	CHECK(strcmp(bi.cmdline, "still parsed") == 0);
}

TEST(too_many_regions)
{
	static struct mmap_ent e[BOOT_MAX_REGIONS + 5];
	struct mb2_list l;
	struct boot_info bi;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(e); i++) {
		e[i].base = 0x10000ull * i;
		e[i].len = 0x8000;
		e[i].type = i % 2 ? 1 : 2;
	}
	list_init(&l);
	add_mmap(&l, 24, e, ARRAY_SIZE(e));
	add_string(&l, T_LOADER, "still parsed");
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.nregions == BOOT_MAX_REGIONS);
	/* One report for the whole overflowing tag, not one per entry. */
	CHECK(bi.bad_tags == 1);
	CHECK(log_calls == 1);
	for (i = 0; i < BOOT_MAX_REGIONS; i++) {
		CHECK(bi.regions[i].base == 0x10000ull * i);
		CHECK(bi.regions[i].type == (i % 2 ? MEM_USABLE : MEM_RESERVED));
	}
	CHECK(strcmp(bi.loader, "still parsed") == 0);

	/* Exactly BOOT_MAX_REGIONS, plus empty entries, is not an overflow. */
	for (i = BOOT_MAX_REGIONS; i < ARRAY_SIZE(e); i++)
		e[i].len = 0;
	list_init(&l);
	add_mmap(&l, 24, e, ARRAY_SIZE(e));
	add_end(&l);
	list_finish(&l);
	CHECK(parse(&l, &bi) == MB2_OK);
	CHECK(bi.nregions == BOOT_MAX_REGIONS);
	CHECK(bi.bad_tags == 0);
}

/* ------------------------------------------------------------ fuzzing */

/* xorshift64: a fixed seed, so that a failure reproduces. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	return unit_rng(&rng_state);
}

static int status_valid(enum mb2_status st)
{
	return st == MB2_OK || st == MB2_ESIZE || st == MB2_ETRUNC || st == MB2_ENOEND;
}

/*
 * Whatever the input, the output keeps the parser's promises: counts in
 * range, strings terminated, only sane regions, modules and framebuffers,
 * and one log line per skipped entry plus one per failed walk.
 */
static int output_sane(enum mb2_status st, const struct boot_info *bi)
{
	uint32_t i;

	if (!status_valid(st))
		return 0;
	if (log_calls != bi->bad_tags + (st != MB2_OK))
		return 0;
	if (bi->nregions > BOOT_MAX_REGIONS || bi->nmodules > BOOT_MAX_MODULES)
		return 0;
	if (bi->rsdp_len != 0 && bi->rsdp_len != 20 && bi->rsdp_len != 36)
		return 0;
	if (!memchr(bi->cmdline, 0, sizeof bi->cmdline) || !memchr(bi->loader, 0, sizeof bi->loader))
		return 0;
	for (i = 0; i < bi->nregions; i++) {
		const struct mem_region *r = &bi->regions[i];

		if (r->len == 0 || r->base + r->len < r->base ||
		    r->type < MEM_USABLE || r->type > MEM_BAD)
			return 0;
	}
	for (i = 0; i < bi->nmodules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end < m->start || !memchr(m->cmdline, 0, sizeof m->cmdline))
			return 0;
	}
	if (bi->has_fb && (bi->fb.width == 0 || bi->fb.height == 0 || bi->fb.pitch == 0))
		return 0;
	return 1;
}

TEST(fuzz_truncate_every_length)
{
	struct mb2_list l, cut;
	struct boot_info bi;
	size_t t;

	build_full(&l);

	/* The buffer shrinks under an unchanged total_size. */
	for (t = 0; t < l.len; t++) {
		enum mb2_status st = parse_avail(&l, t, &bi);

		CHECK(st == MB2_ESIZE);
		CHECK(output_sane(st, &bi));
	}

	/*
	 * total_size (and the buffer) shrink together: predict the outcome
	 * from where the tags start and end.
	 */
	for (t = 0; t <= l.len; t++) {
		enum mb2_status st, want = MB2_ENOEND;
		unsigned i, modules = 0;

		cut = l;
		cut.len = t;
		if (t >= 4)
			put32(list_bytes(&cut), (uint32_t)t);
		st = parse_avail(&cut, t, &bi);
		CHECK(output_sane(st, &bi));
		if (t < 16) {
			CHECK(st == MB2_ESIZE);
			continue;
		}
		for (i = 0; i < l.ntags; i++) {
			if (l.tag_start[i] + 8 > t)
				break;
			if (l.tag_start[i] + l.tag_size[i] > t) {
				want = MB2_ETRUNC;
				break;
			}
			if (l.tag_type[i] == T_END) {
				want = MB2_OK;
				break;
			}
			modules += l.tag_type[i] == T_MODULE;
		}
		CHECK(st == want);
		CHECK(bi.nmodules == modules);
		CHECK(bi.bad_tags == 0);
	}
}

TEST(fuzz_random_corruption)
{
	struct mb2_list l, bent;
	struct boot_info bi;
	unsigned iter, seen[4] = { 0 };

	build_full(&l);
	for (iter = 0; iter < 20000; iter++) {
		unsigned flips = 1 + (unsigned)(rng() % 4), k;
		size_t avail = l.len;
		enum mb2_status st;

		bent = l;
		for (k = 0; k < flips; k++) {
			size_t at;

			/* Half the flips hit tag headers, where sizes live. */
			if (rng() % 2)
				at = l.tag_start[rng() % l.ntags] + rng() % 8;
			else
				at = rng() % l.len;
			list_bytes(&bent)[at] ^= (uint8_t)(1 + rng() % 255);
		}
		if (rng() % 4 == 0)
			avail = (size_t)(rng() % (l.len + 64));
		st = parse_avail(&bent, avail, &bi);
		CHECK(output_sane(st, &bi));
		seen[-st]++;
	}
	/* The corruption reached every outcome, so the walk was exercised. */
	CHECK(seen[0] && seen[1] && seen[2] && seen[3]);
}
