/*
 * Host unit tests of the ELF64 image validator behind the root-task
 * loader: a small valid image built byte by byte (header, program headers,
 * payload), each rejection on its own, the edges of user space, page
 * overlap and entry-point rules, every truncation, and random corruption.
 * Every image is handed over in a malloc'd buffer of exactly its length
 * (at a chosen misalignment), so ASan catches any overread and UBSan any
 * misaligned load.
 *
 * sources: kernel/lib/elf.c
 */
#define UNIT_SUITE "elf"

#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <compiler.h>
#include <elf.h>

/*
 * Field offsets, written here from the ELF-64 specification rather than
 * taken from the kernel's structs, so that a wrong struct cannot agree
 * with itself.
 */
enum {
	EH_CLASS = 4, EH_DATA = 5, EH_IVERSION = 6, EH_TYPE = 16, EH_MACHINE = 18,
	EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 32, EH_EHSIZE = 52,
	EH_PHENTSIZE = 54, EH_PHNUM = 56, EH_SIZE = 64,
};
enum {
	PH_TYPE = 0, PH_FLAGS = 4, PH_OFFSET = 8, PH_VADDR = 16, PH_PADDR = 24,
	PH_FILESZ = 32, PH_MEMSZ = 40, PH_ALIGN = 48, PH_SIZE = 56,
};

#define PT_NULL         0u
#define PT_LOAD         1u
#define PT_DYNAMIC      2u
#define PT_INTERP       3u
#define PT_NOTE         4u
#define PT_SHLIB        5u
#define PT_PHDR         6u
#define PT_TLS          7u
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u
#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

#define USER_BASE 0x10000ull
#define USER_END  0x800000000000ull     /* canonical lower half */
#define U64_MAX   (~0ull)

/* ------------------------------------------------------------ image builder */

#define IMG_MAX 8192

struct image {
	uint8_t b[IMG_MAX];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Starts an image of len bytes: a payload pattern, then a valid header
 * (ET_EXEC, x86-64) with phnum program headers at phoff.
 */
static void img_init(struct image *im, size_t len, uint64_t phoff, uint16_t phnum,
		     uint64_t entry)
{
	if (len > IMG_MAX)
		abort();
	for (size_t i = 0; i < IMG_MAX; i++)
		im->b[i] = (uint8_t)(i * 13 + 7);
	im->len = len;
	memset(im->b, 0, EH_SIZE);
	im->b[0] = 0x7f;
	im->b[1] = 'E';
	im->b[2] = 'L';
	im->b[3] = 'F';
	im->b[EH_CLASS] = 2;            /* ELFCLASS64 */
	im->b[EH_DATA] = 1;             /* ELFDATA2LSB */
	im->b[EH_IVERSION] = 1;         /* EV_CURRENT */
	put16(im->b + EH_TYPE, 2);      /* ET_EXEC */
	put16(im->b + EH_MACHINE, 62);  /* EM_X86_64 */
	put32(im->b + EH_VERSION, 1);
	put64(im->b + EH_ENTRY, entry);
	put64(im->b + EH_PHOFF, phoff);
	put16(im->b + EH_EHSIZE, EH_SIZE);
	put16(im->b + EH_PHENTSIZE, PH_SIZE);
	put16(im->b + EH_PHNUM, phnum);
}

/* Where program header i lives (by the header's e_phoff). */
static uint8_t *ph_at(struct image *im, unsigned i)
{
	uint64_t off = get64(im->b + EH_PHOFF) + (uint64_t)i * PH_SIZE;

	if (off + PH_SIZE > IMG_MAX)
		abort();
	return im->b + off;
}

static void img_phdr(struct image *im, unsigned i, uint32_t type, uint32_t flags,
		     uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = ph_at(im, i);

	put32(p + PH_TYPE, type);
	put32(p + PH_FLAGS, flags);
	put64(p + PH_OFFSET, offset);
	put64(p + PH_VADDR, vaddr);
	put64(p + PH_PADDR, vaddr);
	put64(p + PH_FILESZ, filesz);
	put64(p + PH_MEMSZ, memsz);
	put64(p + PH_ALIGN, 0x1000);
}

/* Overwrites one u64 field of program header i. */
static void ph_set64(struct image *im, unsigned i, int field, uint64_t v)
{
	put64(ph_at(im, i) + field, v);
}

/*
 * The standard valid image, laid out like a small static executable with
 * its pieces packed together (each segment's vaddr and offset agree
 * modulo 4 KiB, as ld arranges it). The file ends with the data segment's
 * bytes, so every shorter length is invalid.
 *
 *   0x000 header, 0x040 five program headers (to 0x158), 0x160 a note,
 *   text   PT_LOAD R+X  offset 0x000 vaddr 0x400000 filesz 0x180 memsz 0x180
 *   rodata PT_LOAD R    offset 0x180 vaddr 0x401180 filesz 0x080 memsz 0x080
 *   data   PT_LOAD R+W  offset 0x200 vaddr 0x402200 filesz 0x040 memsz 0x2000
 */
#define STD_LEN     0x240
#define STD_PHNUM   5
#define STD_PHEND   (EH_SIZE + STD_PHNUM * PH_SIZE)
#define STD_ENTRY   0x400100ull
enum { STD_TEXT = 0, STD_NOTE = 1, STD_RODATA = 2, STD_DATA = 3, STD_STACK = 4 };

static void build_std(struct image *im)
{
	img_init(im, STD_LEN, EH_SIZE, STD_PHNUM, STD_ENTRY);
	img_phdr(im, STD_TEXT, PT_LOAD, PF_R | PF_X, 0x000, 0x400000, 0x180, 0x180);
	img_phdr(im, STD_NOTE, PT_NOTE, PF_R, 0x160, 0x400160, 0x20, 0x20);
	img_phdr(im, STD_RODATA, PT_LOAD, PF_R, 0x180, 0x401180, 0x80, 0x80);
	img_phdr(im, STD_DATA, PT_LOAD, PF_R | PF_W, 0x200, 0x402200, 0x40, 0x2000);
	img_phdr(im, STD_STACK, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ calling the parser */

/*
 * Parses the first len bytes of bytes, copied to a heap buffer that ends
 * exactly at the image's end and starts misalign bytes past malloc's
 * alignment. out is prefilled with garbage to see that it is cleared.
 */
static enum elf_status parse_mis(const uint8_t *bytes, size_t len, unsigned misalign,
				 uint64_t base, uint64_t end, struct elf_image *out)
{
	uint8_t *buf = malloc(len + misalign + 1);
	enum elf_status st;

	if (!buf)
		abort();
	/* One spare byte, moved to the front: the image still ends the buffer. */
	buf += 1;
	memcpy(buf + misalign, bytes, len);
	memset(out, 0xa5, sizeof *out);
	st = elf_parse(buf + misalign, len, base, end, out);
	free(buf - 1);
	return st;
}

static enum elf_status parse_in(const struct image *im, uint64_t base, uint64_t end,
				struct elf_image *out)
{
	return parse_mis(im->b, im->len, 0, base, end, out);
}

static enum elf_status parse(const struct image *im, struct elf_image *out)
{
	return parse_in(im, USER_BASE, USER_END, out);
}

/* A failed parse leaves nothing usable behind. */
static int cleared(const struct elf_image *out)
{
	static const struct elf_image zero;

	return memcmp(out, &zero, sizeof zero) == 0;
}

/* parse() with the expectation that it fails with want and clears out. */
static int rejects(const struct image *im, enum elf_status want)
{
	struct elf_image out;
	enum elf_status st = parse(im, &out);

	if (st != want)
		printf("    got %d (%s), expected %d (%s)\n", st, elf_strerror(st),
		       want, elf_strerror(want));
	return st == want && cleared(&out);
}

static int seg_is(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz,
		  uint64_t offset, uint64_t filesz, uint32_t flags)
{
	return s->vaddr == vaddr && s->memsz == memsz && s->offset == offset &&
	       s->filesz == filesz && s->flags == flags;
}

static int std_parsed(enum elf_status st, const struct elf_image *out)
{
	return st == ELF_OK && out->entry == STD_ENTRY && out->nsegments == 3 &&
	       seg_is(&out->segments[0], 0x400000, 0x180, 0x000, 0x180, PF_R | PF_X) &&
	       seg_is(&out->segments[1], 0x401180, 0x80, 0x180, 0x80, PF_R) &&
	       seg_is(&out->segments[2], 0x402200, 0x2000, 0x200, 0x40, PF_R | PF_W);
}

/* ------------------------------------------------------------ valid images */

TEST(valid_image_every_field)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	CHECK(std_parsed(parse(&im, &out), &out));
	/* The unused slots stay zero. */
	for (unsigned i = 3; i < ELF_MAX_SEGMENTS; i++)
		CHECK(seg_is(&out.segments[i], 0, 0, 0, 0, 0));
}

TEST(valid_image_any_alignment)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	for (unsigned mis = 0; mis < 16; mis++)
		CHECK(std_parsed(parse_mis(im.b, im.len, mis, USER_BASE, USER_END, &out), &out));
}

/* The usual ld layout: segments start on page boundaries of the file. */
TEST(valid_page_aligned_layout)
{
	struct image im;
	struct elf_image out;

	img_init(&im, 0x1800, EH_SIZE, 2, 0x401000);
	img_phdr(&im, 0, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x400, 0x400);
	img_phdr(&im, 1, PT_LOAD, PF_R | PF_W, 0x1400, 0x402400, 0x400, 0x10000);
	CHECK(parse(&im, &out) == ELF_OK);
	CHECK(out.entry == 0x401000 && out.nsegments == 2);
	CHECK(seg_is(&out.segments[0], 0x401000, 0x400, 0x1000, 0x400, PF_R | PF_X));
	CHECK(seg_is(&out.segments[1], 0x402400, 0x10000, 0x1400, 0x400, PF_R | PF_W));
}

/* Segments are reported in file order, not address order. */
TEST(segments_in_file_order)
{
	struct image im;
	struct elf_image out;

	img_init(&im, 0x200, EH_SIZE, 2, 0x500000);
	img_phdr(&im, 0, PT_LOAD, PF_R | PF_W, 0x100, 0x600100, 0x80, 0x80);
	img_phdr(&im, 1, PT_LOAD, PF_R | PF_X, 0x180, 0x500180, 0x80, 0x80);
	put64(im.b + EH_ENTRY, 0x5001a0);
	CHECK(parse(&im, &out) == ELF_OK);
	CHECK(out.nsegments == 2 && out.entry == 0x5001a0);
	CHECK(out.segments[0].vaddr == 0x600100 && out.segments[1].vaddr == 0x500180);
}

/* Only R, W and X survive of p_flags (PF_MASKOS / PF_MASKPROC dropped). */
TEST(flags_masked)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	put32(ph_at(&im, STD_RODATA) + PH_FLAGS, 0xfff00000u | PF_R | 0x8u);
	CHECK(parse(&im, &out) == ELF_OK);
	CHECK(out.segments[1].flags == PF_R);
}

/* A program header table at the very end of the image is inside it. */
TEST(phdrs_at_end_of_image)
{
	struct image im;
	struct elf_image out;

	img_init(&im, 0x100 + 2 * PH_SIZE, 0x100, 2, 0x400080);
	img_phdr(&im, 0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x100, 0x100);
	img_phdr(&im, 1, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	CHECK(parse(&im, &out) == ELF_OK);
	im.len--;
	CHECK(rejects(&im, ELF_EPHDR));
}

/* ------------------------------------------------------------ program header types */

TEST(ignored_phdr_types)
{
	static const uint32_t types[] = {
		PT_NULL, PT_NOTE, PT_SHLIB, PT_PHDR, PT_TLS, PT_GNU_EH_FRAME,
		PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_PROPERTY, 0x60000000u,
		0x70000000u, 0xffffffffu, 8u,
	};
	struct image im;
	struct elf_image out;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		/* Garbage in the ignored header must not matter either. */
		build_std(&im);
		img_phdr(&im, STD_NOTE, types[i], 0xffffffffu, U64_MAX, U64_MAX - 1,
			 U64_MAX, 3);
		CHECK(std_parsed(parse(&im, &out), &out));
	}
}

TEST(dynamic_images_rejected)
{
	struct image im;

	build_std(&im);
	img_phdr(&im, STD_NOTE, PT_INTERP, PF_R, 0x160, 0x400160, 0x1c, 0x1c);
	CHECK(rejects(&im, ELF_EDYNAMIC));
	build_std(&im);
	img_phdr(&im, STD_STACK, PT_DYNAMIC, PF_R | PF_W, 0x200, 0x402200, 0x40, 0x40);
	CHECK(rejects(&im, ELF_EDYNAMIC));
}

/* ------------------------------------------------------------ header checks */

TEST(truncated_header)
{
	struct image im;

	build_std(&im);
	for (im.len = 0; im.len < EH_SIZE; im.len++)
		CHECK(rejects(&im, ELF_ETRUNC));
}

TEST(bad_magic)
{
	struct image im;

	for (int i = 0; i < 4; i++) {
		build_std(&im);
		im.b[i] ^= 0x20;
		CHECK(rejects(&im, ELF_EMAGIC));
	}
	/* A big-endian-looking or all-zero start is not an ELF image either. */
	build_std(&im);
	memset(im.b, 0, 4);
	CHECK(rejects(&im, ELF_EMAGIC));
}

TEST(bad_class)
{
	static const uint8_t bad[] = { 0, 1 /* ELFCLASS32 */, 3, 0xff };
	struct image im;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		im.b[EH_CLASS] = bad[i];
		CHECK(rejects(&im, ELF_ECLASS));
	}
}

TEST(bad_data_encoding)
{
	static const uint8_t bad[] = { 0, 2 /* ELFDATA2MSB */, 3 };
	struct image im;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		im.b[EH_DATA] = bad[i];
		CHECK(rejects(&im, ELF_EDATA));
	}
}

TEST(bad_version)
{
	struct image im;

	build_std(&im);
	im.b[EH_IVERSION] = 0;
	CHECK(rejects(&im, ELF_EVERSION));
	build_std(&im);
	im.b[EH_IVERSION] = 2;
	CHECK(rejects(&im, ELF_EVERSION));
	build_std(&im);
	put32(im.b + EH_VERSION, 0);
	CHECK(rejects(&im, ELF_EVERSION));
}

TEST(bad_machine)
{
	static const uint16_t bad[] = { 0, 3 /* i386 */, 40 /* ARM */, 183 /* AArch64 */,
					243 /* RISC-V */, 62 << 8 };
	struct image im;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		put16(im.b + EH_MACHINE, bad[i]);
		CHECK(rejects(&im, ELF_EMACHINE));
	}
}

TEST(bad_type)
{
	/* ET_NONE, ET_REL, ET_DYN (PIE), ET_CORE, OS- and processor-specific. */
	static const uint16_t bad[] = { 0, 1, 3, 4, 0xfe00, 0xff00, 0x0200 };
	struct image im;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		put16(im.b + EH_TYPE, bad[i]);
		CHECK(rejects(&im, ELF_ETYPE));
	}
}

TEST(bad_phentsize)
{
	static const uint16_t bad[] = { 0, 32 /* Elf32_Phdr */, 55, 57, 64, 0xffff };
	struct image im;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		put16(im.b + EH_PHENTSIZE, bad[i]);
		CHECK(rejects(&im, ELF_EPHENTSIZE));
	}
}

TEST(phdr_table_outside_image)
{
	struct image im;
	struct elf_image out;

	/* Just past the end, by one byte. */
	build_std(&im);
	put64(im.b + EH_PHOFF, STD_LEN - STD_PHNUM * PH_SIZE + 1);
	CHECK(rejects(&im, ELF_EPHDR));
	/* Starting beyond the end. */
	build_std(&im);
	put64(im.b + EH_PHOFF, STD_LEN + 1);
	CHECK(rejects(&im, ELF_EPHDR));
	/* e_phoff + e_phnum * 56 wraps around to a small number. */
	build_std(&im);
	put64(im.b + EH_PHOFF, U64_MAX - PH_SIZE + 1);
	CHECK(rejects(&im, ELF_EPHDR));
	build_std(&im);
	put64(im.b + EH_PHOFF, U64_MAX);
	CHECK(rejects(&im, ELF_EPHDR));
	build_std(&im);
	put64(im.b + EH_PHOFF, 1ull << 63);
	CHECK(rejects(&im, ELF_EPHDR));
	/* Too many entries for the image. */
	build_std(&im);
	put16(im.b + EH_PHNUM, (STD_LEN - EH_SIZE) / PH_SIZE + 1);
	CHECK(rejects(&im, ELF_EPHDR));
	/* PN_XNUM (count in section header 0) is not supported. */
	build_std(&im);
	put16(im.b + EH_PHNUM, 0xffff);
	CHECK(rejects(&im, ELF_EPHDR));
	/* A table that fits exactly is fine (the standard image). */
	build_std(&im);
	put16(im.b + EH_PHNUM, (STD_LEN - EH_SIZE) / PH_SIZE);
	CHECK(parse(&im, &out) != ELF_EPHDR);
}

/*
 * e_phnum == PN_XNUM means "the real count is in section header 0", even
 * when an image is large enough to hold 0xffff program headers.
 */
TEST(pn_xnum_rejected)
{
	size_t len = EH_SIZE + 0xffffu * PH_SIZE;
	uint8_t *big = calloc(1, len);
	struct image im;
	struct elf_image out;
	enum elf_status st;

	if (!big)
		abort();
	build_std(&im);
	memcpy(big, im.b, STD_LEN);
	put16(big + EH_PHNUM, 0xffff);     /* the rest are PT_NULL (zero) */
	st = parse_mis(big, len, 0, USER_BASE, USER_END, &out);
	free(big);
	CHECK(st == ELF_EPHDR && cleared(&out));
}

/* ------------------------------------------------------------ PT_LOAD checks */

TEST(filesz_exceeds_memsz)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_FILESZ, 0x81);
	ph_set64(&im, STD_RODATA, PH_MEMSZ, 0x80);
	CHECK(rejects(&im, ELF_EFILESZ));
	/* Equal is fine. */
	build_std(&im);
	CHECK(parse(&im, &out) == ELF_OK && out.segments[1].filesz == out.segments[1].memsz);
	/* An empty segment with file bytes is still wrong. */
	build_std(&im);
	img_phdr(&im, STD_STACK, PT_LOAD, PF_R, 0x200, 0x500000, 1, 0);
	CHECK(rejects(&im, ELF_EFILESZ));
}

TEST(segment_data_outside_image)
{
	struct image im;
	struct elf_image out;

	/* One byte too long. */
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_FILESZ, 0x41);
	CHECK(rejects(&im, ELF_ESEGMENT));
	/* Starting past the end (same page offset, so alignment holds). */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_OFFSET, 0x1180);
	CHECK(rejects(&im, ELF_ESEGMENT));
	/* Starting exactly at the end with no file bytes is fine... */
	build_std(&im);
	img_phdr(&im, STD_STACK, PT_LOAD, PF_R, STD_LEN, 0x500000 + STD_LEN, 0, 0x10);
	CHECK(parse(&im, &out) == ELF_OK && out.nsegments == 4);
	/* ...one byte further is not. */
	ph_set64(&im, STD_STACK, PH_OFFSET, STD_LEN + 1);
	ph_set64(&im, STD_STACK, PH_VADDR, 0x500000 + STD_LEN + 1);
	CHECK(rejects(&im, ELF_ESEGMENT));
	/* p_offset + p_filesz wraps around to a small number. */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_OFFSET, U64_MAX - 0xf);
	ph_set64(&im, STD_RODATA, PH_FILESZ, 0x20);
	ph_set64(&im, STD_RODATA, PH_MEMSZ, 0x20);
	CHECK(rejects(&im, ELF_ESEGMENT));
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_OFFSET, 0x180);
	ph_set64(&im, STD_RODATA, PH_FILESZ, U64_MAX - 0x17f);
	ph_set64(&im, STD_RODATA, PH_MEMSZ, U64_MAX - 0x17f);
	CHECK(rejects(&im, ELF_ESEGMENT));
}

TEST(segment_outside_user_space)
{
	struct image im;

	/* Kernel half. */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0xffffffff80001180ull);
	CHECK(rejects(&im, ELF_EUSER));
	/* Below user_base: the null page region. */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x180);
	CHECK(rejects(&im, ELF_EUSER));
	/* Starting inside, ending beyond. */
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_VADDR, USER_END - 0x1e00);
	CHECK(rejects(&im, ELF_EUSER));
	/* Huge memsz. */
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_MEMSZ, USER_END);
	CHECK(rejects(&im, ELF_EUSER));
}

/*
 * p_vaddr + p_memsz wraps around: with user_end at the top of the address
 * space only the overflow check can catch it.
 */
TEST(segment_address_wraps)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	ph_set64(&im, STD_DATA, PH_VADDR, U64_MAX - 0xdff);    /* ...f200 */
	CHECK(parse_in(&im, USER_BASE, U64_MAX, &out) == ELF_EUSER && cleared(&out));
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_MEMSZ, U64_MAX);
	CHECK(parse_in(&im, USER_BASE, U64_MAX, &out) == ELF_EUSER && cleared(&out));
	/* Ending at the top (user_end, excluded) is fine. */
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_VADDR, U64_MAX - 0x1dff);   /* ...e200 */
	ph_set64(&im, STD_DATA, PH_MEMSZ, 0x1dff);
	CHECK(parse_in(&im, USER_BASE, U64_MAX, &out) == ELF_OK);
	CHECK(out.segments[2].vaddr + out.segments[2].memsz == U64_MAX);
}

TEST(segment_edges_of_user_space)
{
	struct image im;
	struct elf_image out;
	/* The data segment is [0x402200, 0x404200). */
	const uint64_t base = 0x400000, end = 0x404200;

	build_std(&im);
	CHECK(parse_in(&im, base, end, &out) == ELF_OK);
	CHECK(out.segments[2].vaddr + out.segments[2].memsz == end);
	/* One byte past user_end. */
	ph_set64(&im, STD_DATA, PH_MEMSZ, 0x2001);
	CHECK(parse_in(&im, base, end, &out) == ELF_EUSER && cleared(&out));
	/* The same with a page-aligned user_end. */
	build_std(&im);
	ph_set64(&im, STD_DATA, PH_MEMSZ, 0x1e00);
	CHECK(parse_in(&im, base, 0x404000, &out) == ELF_OK);
	ph_set64(&im, STD_DATA, PH_MEMSZ, 0x1e01);
	CHECK(parse_in(&im, base, 0x404000, &out) == ELF_EUSER);
	/* Text starts exactly at user_base; one byte higher it starts below. */
	build_std(&im);
	CHECK(parse_in(&im, 0x400000, USER_END, &out) == ELF_OK);
	CHECK(parse_in(&im, 0x400001, USER_END, &out) == ELF_EUSER);
}

TEST(segment_misaligned)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x401181);
	CHECK(rejects(&im, ELF_EALIGN));
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x401000);
	CHECK(rejects(&im, ELF_EALIGN));
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x401980);  /* differs in bit 11 */
	CHECK(rejects(&im, ELF_EALIGN));
	/* Any page will do as long as the offset within it agrees. */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x7ff180);
	CHECK(parse(&im, &out) == ELF_OK && out.segments[1].vaddr == 0x7ff180);
}

TEST(empty_segments_skipped)
{
	struct image im;
	struct elf_image out;

	/* Nothing of an empty PT_LOAD is checked or kept: not even its address. */
	build_std(&im);
	img_phdr(&im, STD_NOTE, PT_LOAD, PF_R | PF_X, U64_MAX, 0xffffffff80000001ull, 0, 0);
	CHECK(std_parsed(parse(&im, &out), &out));
	/* Empty segments do not count towards the limit... */
	img_init(&im, 0x1000, EH_SIZE, 40, 0x400000);
	for (unsigned i = 0; i < 40; i++)
		img_phdr(&im, i, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0, i % 2 ? 0 : 0x1000);
	/* ...but 20 non-empty ones on the same page overlap. */
	CHECK(rejects(&im, ELF_EOVERLAP));
	for (unsigned i = 0; i < 40; i += 2)
		ph_set64(&im, i, PH_VADDR, 0x400000 + (uint64_t)i * 0x1000);
	CHECK(rejects(&im, ELF_ETOOMANY));
	for (unsigned i = 0; i < 40; i++)
		ph_set64(&im, i, PH_MEMSZ, i < 2 * ELF_MAX_SEGMENTS && i % 2 == 0 ? 0x1000 : 0);
	CHECK(parse(&im, &out) == ELF_OK && out.nsegments == ELF_MAX_SEGMENTS);
}

/* ------------------------------------------------------------ overlap */

/* Two PT_LOADs [a, a + alen) and [b, b + blen) plus a text segment for the entry. */
static enum elf_status two_segments(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	struct image im;
	struct elf_image out;

	img_init(&im, 0x1000, EH_SIZE, 3, 0x200010);
	img_phdr(&im, 0, PT_LOAD, PF_R | PF_X, 0, 0x200000, 0x100, 0x100);
	img_phdr(&im, 1, PT_LOAD, PF_R, a & 0xfff, a, 0, alen);
	img_phdr(&im, 2, PT_LOAD, PF_R | PF_W, b & 0xfff, b, 0, blen);
	return parse(&im, &out);
}

TEST(overlap_in_bytes)
{
	CHECK(two_segments(0x400000, 0x2000, 0x401000, 0x1000) == ELF_EOVERLAP);
	CHECK(two_segments(0x400000, 0x3000, 0x401000, 0x10) == ELF_EOVERLAP);  /* inside */
	CHECK(two_segments(0x401000, 0x10, 0x400000, 0x3000) == ELF_EOVERLAP);  /* around */
	CHECK(two_segments(0x400000, 0x1000, 0x400000, 0x1000) == ELF_EOVERLAP);
	/* With the text segment, whichever comes first in the file. */
	CHECK(two_segments(0x200080, 0x10, 0x400000, 0x10) == ELF_EOVERLAP);
	CHECK(two_segments(0x400000, 0x10, 0x2000ff, 0x1) == ELF_EOVERLAP);
}

TEST(overlap_partial_page)
{
	/* Disjoint in bytes, but both touch page 0x400. */
	CHECK(two_segments(0x400000, 0x800, 0x400c00, 0x400) == ELF_EOVERLAP);
	CHECK(two_segments(0x400c00, 0x400, 0x400000, 0x800) == ELF_EOVERLAP);
	/* The last byte of one and the first of the other share page 0x401. */
	CHECK(two_segments(0x400000, 0x1001, 0x401fff, 0x1) == ELF_EOVERLAP);
	CHECK(two_segments(0x401fff, 0x10, 0x400000, 0x1001) == ELF_EOVERLAP);
	/* Next to the text page. */
	CHECK(two_segments(0x200f00, 0x10, 0x500000, 0x10) == ELF_EOVERLAP);
	/* Ending exactly on a page boundary leaves the next page free. */
	CHECK(two_segments(0x400000, 0x1000, 0x401000, 0x1000) == ELF_OK);
	CHECK(two_segments(0x401000, 0x1000, 0x400000, 0x1000) == ELF_OK);
	CHECK(two_segments(0x400800, 0x800, 0x401000, 0x1) == ELF_OK);
	CHECK(two_segments(0x201000, 0x1, 0x202000, 0x1) == ELF_OK);
}

/* ------------------------------------------------------------ counts */

/* n one-page PT_LOADs on consecutive pages, the first executable. */
static void build_many(struct image *im, unsigned n)
{
	img_init(im, EH_SIZE + n * PH_SIZE, EH_SIZE, (uint16_t)n, 0x400000);
	for (unsigned i = 0; i < n; i++)
		img_phdr(im, i, PT_LOAD, i ? PF_R : PF_R | PF_X, 0,
			 0x400000 + (uint64_t)i * 0x1000, 0, 0x1000);
}

TEST(segment_limit)
{
	struct image im;
	struct elf_image out;

	build_many(&im, ELF_MAX_SEGMENTS);
	CHECK(parse(&im, &out) == ELF_OK && out.nsegments == ELF_MAX_SEGMENTS);
	CHECK(out.segments[ELF_MAX_SEGMENTS - 1].vaddr ==
	      0x400000 + (ELF_MAX_SEGMENTS - 1) * 0x1000ull);
	build_many(&im, ELF_MAX_SEGMENTS + 1);
	CHECK(rejects(&im, ELF_ETOOMANY));
	build_many(&im, 100);
	CHECK(rejects(&im, ELF_ETOOMANY));
}

TEST(no_loadable_segment)
{
	struct image im;

	/* No program headers at all. */
	build_std(&im);
	put16(im.b + EH_PHNUM, 0);
	CHECK(rejects(&im, ELF_ENOLOAD));
	/* e_phoff at the end of the image with no entries is still "inside". */
	put64(im.b + EH_PHOFF, STD_LEN);
	CHECK(rejects(&im, ELF_ENOLOAD));
	/* Only ignored types and empty PT_LOADs. */
	build_std(&im);
	img_phdr(&im, STD_TEXT, PT_NULL, 0, 0, 0, 0, 0);
	img_phdr(&im, STD_RODATA, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0, 0);
	img_phdr(&im, STD_DATA, PT_GNU_PROPERTY, PF_R, 0x200, 0x402200, 0x20, 0x20);
	CHECK(rejects(&im, ELF_ENOLOAD));
}

/* ------------------------------------------------------------ entry point */

TEST(entry_point)
{
	struct image im;
	struct elf_image out;
	static const uint64_t good[] = {
		0x400000, 0x400001, 0x40017f,
	};
	static const uint64_t bad[] = {
		0x401180,       /* rodata: readable, not executable */
		0x402200,       /* data */
		0x403000,       /* data's bss */
		0x400180,       /* one past the end of text */
		0x3fffff,       /* one before text */
		0x400fff,       /* text's page, but not text */
		0, U64_MAX,
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		build_std(&im);
		put64(im.b + EH_ENTRY, good[i]);
		CHECK(parse(&im, &out) == ELF_OK && out.entry == good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_std(&im);
		put64(im.b + EH_ENTRY, bad[i]);
		CHECK(rejects(&im, ELF_EENTRY));
	}
	/* Making the data segment executable makes its bss a valid entry. */
	build_std(&im);
	put64(im.b + EH_ENTRY, 0x403000);
	put32(ph_at(&im, STD_DATA) + PH_FLAGS, PF_R | PF_W | PF_X);
	CHECK(parse(&im, &out) == ELF_OK && out.entry == 0x403000);
	/* An executable segment that is empty holds no entry point. */
	build_std(&im);
	put64(im.b + EH_ENTRY, 0x500000);
	img_phdr(&im, STD_STACK, PT_LOAD, PF_R | PF_X, 0, 0x500000, 0, 0);
	CHECK(rejects(&im, ELF_EENTRY));
}

/* ------------------------------------------------------------ order and messages */

/* With several problems, the first in the order of the checks wins. */
TEST(first_problem_reported)
{
	struct image im;

	build_std(&im);
	im.b[EH_CLASS] = 1;
	put16(im.b + EH_MACHINE, 3);
	CHECK(rejects(&im, ELF_ECLASS));
	build_std(&im);
	put16(im.b + EH_TYPE, 3);
	put16(im.b + EH_PHENTSIZE, 32);
	CHECK(rejects(&im, ELF_ETYPE));
	/* Program headers are taken in file order. */
	build_std(&im);
	ph_set64(&im, STD_TEXT, PH_VADDR, 0x180);               /* EUSER (and EALIGN) */
	img_phdr(&im, STD_STACK, PT_INTERP, PF_R, 0, 0, 0, 0);  /* EDYNAMIC */
	CHECK(rejects(&im, ELF_EUSER));
	build_std(&im);
	img_phdr(&im, STD_NOTE, PT_DYNAMIC, PF_R, 0, 0, 0, 0);
	ph_set64(&im, STD_DATA, PH_FILESZ, 0x3000);
	CHECK(rejects(&im, ELF_EDYNAMIC));
	/* Within one segment: file size, file range, user range, alignment. */
	build_std(&im);
	ph_set64(&im, STD_RODATA, PH_FILESZ, 0x10000);
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x11);
	CHECK(rejects(&im, ELF_EFILESZ));
	ph_set64(&im, STD_RODATA, PH_MEMSZ, 0x10000);
	CHECK(rejects(&im, ELF_ESEGMENT));
	ph_set64(&im, STD_RODATA, PH_FILESZ, 0x80);
	CHECK(rejects(&im, ELF_EUSER));
	ph_set64(&im, STD_RODATA, PH_VADDR, 0x10011);
	CHECK(rejects(&im, ELF_EALIGN));
	/* Entry is checked last. */
	build_std(&im);
	put64(im.b + EH_ENTRY, 0);
	ph_set64(&im, STD_DATA, PH_VADDR, 0x401200);
	CHECK(rejects(&im, ELF_EOVERLAP));
}

TEST(strerror_messages)
{
	CHECK(strcmp(elf_strerror(ELF_EUSER), "segment outside user space") == 0);
	CHECK(strcmp(elf_strerror(ELF_OK), "ok") == 0);
	for (int a = 0; a < ELF_NSTATUS; a++) {
		const char *m = elf_strerror((enum elf_status)a);

		CHECK(m && m[0] && strcmp(m, "unknown ELF status") != 0);
		for (int b = 0; b < a; b++)
			CHECK(strcmp(m, elf_strerror((enum elf_status)b)) != 0);
	}
	CHECK(strcmp(elf_strerror(ELF_NSTATUS), "unknown ELF status") == 0);
	CHECK(strcmp(elf_strerror((enum elf_status)-1), "unknown ELF status") == 0);
	CHECK(strcmp(elf_strerror((enum elf_status)1000), "unknown ELF status") == 0);
}

/* ------------------------------------------------------------ truncation and fuzzing */

TEST(truncate_every_length)
{
	struct image im;
	struct elf_image out;

	build_std(&im);
	for (size_t len = 0; len <= STD_LEN; len++) {
		enum elf_status want = len < EH_SIZE ? ELF_ETRUNC :
				       len < STD_PHEND ? ELF_EPHDR :
				       len < STD_LEN ? ELF_ESEGMENT : ELF_OK;

		for (unsigned mis = 0; mis < 8; mis += 3) {
			enum elf_status st = parse_mis(im.b, len, mis, USER_BASE, USER_END, &out);

			CHECK(st == want);
			CHECK(st == ELF_OK ? std_parsed(st, &out) : cleared(&out));
		}
	}
}

/* xorshift64: a fixed seed, so that a failure reproduces. */
static unsigned long long rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	return unit_rng(&rng_state);
}

/*
 * Whatever the input, an accepted image keeps every promise the loader
 * relies on, checked here from scratch.
 */
static int output_sane(enum elf_status st, const struct elf_image *out, uint64_t size)
{
	int entry_ok = 0;

	if ((unsigned)st >= ELF_NSTATUS)
		return 0;
	if (st != ELF_OK)
		return cleared(out);
	if (out->nsegments < 1 || out->nsegments > ELF_MAX_SEGMENTS)
		return 0;
	for (unsigned i = 0; i < out->nsegments; i++) {
		const struct elf_segment *s = &out->segments[i];
		uint64_t end = s->vaddr + s->memsz;

		if (s->memsz == 0 || s->filesz > s->memsz || s->flags & ~7u)
			return 0;
		if (s->offset > size || s->filesz > size - s->offset)
			return 0;
		if (end < s->vaddr || s->vaddr < USER_BASE || end > USER_END)
			return 0;
		if ((s->vaddr - s->offset) % 4096)
			return 0;
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &out->segments[j];

			if (s->vaddr / 4096 <= (t->vaddr + t->memsz - 1) / 4096 &&
			    t->vaddr / 4096 <= (end - 1) / 4096)
				return 0;
		}
		if ((s->flags & PF_X) && out->entry >= s->vaddr && out->entry < end)
			entry_ok = 1;
	}
	return entry_ok;
}

TEST(fuzz_random_corruption)
{
	struct image im, bent;
	struct elf_image out;
	unsigned seen[ELF_NSTATUS] = { 0 }, kinds = 0;

	build_std(&im);
	for (unsigned iter = 0; iter < 30000; iter++) {
		unsigned flips = 1 + (unsigned)(rng() % 4);
		size_t len = im.len;
		enum elf_status st;

		bent = im;
		for (unsigned k = 0; k < flips; k++) {
			/* Most flips hit the headers, where the offsets and sizes live. */
			size_t at = rng() % 4 ? rng() % STD_PHEND : rng() % im.len;

			bent.b[at] ^= (uint8_t)(1 + rng() % 255);
		}
		if (rng() % 8 == 0)
			len = (size_t)(rng() % (im.len + 1));
		st = parse_mis(bent.b, len, (unsigned)(rng() % 8), USER_BASE, USER_END, &out);
		CHECK(output_sane(st, &out, len));
		seen[st]++;
	}
	for (int i = 0; i < ELF_NSTATUS; i++)
		kinds += seen[i] != 0;
	/* The corruption got past the header checks into the segment walk. */
	CHECK(seen[ELF_OK] && seen[ELF_EMAGIC] && seen[ELF_EPHDR] && seen[ELF_EUSER] &&
	      seen[ELF_ESEGMENT] && seen[ELF_EALIGN]);
	CHECK(kinds >= 12);
}

/*
 * Random program headers: plausible segments (page offsets agree, data
 * inside the image, a few pages apart) with, now and then, one field
 * replaced by an edge value. The deep checks then see every kind of
 * number, and enough images pass to check the output's promises.
 */
static uint64_t edge_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 0x7f, 0x180, 0xfff, 0x1000, 0x1001, 0x400000, 0x401180,
		USER_BASE - 1, USER_BASE, USER_END - 1, USER_END, USER_END - 0x1000,
		1ull << 63, U64_MAX - 0xfff, U64_MAX - 1, U64_MAX,
	};

	return edges[rng() % ARRAY_SIZE(edges)] + (rng() % 2 ? 0 : rng() % 0x40);
}

TEST(fuzz_edge_values)
{
	static const uint32_t types[] = { PT_LOAD, PT_LOAD, PT_LOAD, PT_LOAD, PT_LOAD,
					  PT_NULL, PT_NOTE, PT_GNU_STACK, PT_INTERP };
	static const int fields[] = { PH_OFFSET, PH_VADDR, PH_FILESZ, PH_MEMSZ };
	struct image im;
	struct elf_image out;
	unsigned seen[ELF_NSTATUS] = { 0 };

	for (unsigned iter = 0; iter < 40000; iter++) {
		unsigned n = (unsigned)(rng() % 7);
		size_t len = 0x400 + rng() % 0x800;
		uint64_t entry = 0x400000 + rng() % 0x8000;
		enum elf_status st;

		img_init(&im, len, EH_SIZE, (uint16_t)n, entry);
		for (unsigned i = 0; i < n; i++) {
			uint64_t off = rng() % len;
			uint64_t filesz = rng() % (len - off + 1);
			uint64_t vaddr = 0x400000 + (rng() % 8) * 0x1000 + (off & 0xfff);

			img_phdr(&im, i, types[rng() % ARRAY_SIZE(types)],
				 (uint32_t)(rng() % 2 ? PF_R | PF_X : rng() % 8), off, vaddr,
				 filesz, filesz + rng() % 0x800);
			if (rng() % 3 == 0)
				ph_set64(&im, i, fields[rng() % 4], edge_value());
		}
		if (rng() % 8 == 0)
			put64(im.b + EH_ENTRY, edge_value());
		st = parse(&im, &out);
		CHECK(output_sane(st, &out, im.len));
		seen[st]++;
	}
	/* Each segment-level outcome happened. */
	for (int i = ELF_EDYNAMIC; i < ELF_NSTATUS; i++)
		CHECK(i == ELF_ETOOMANY || seen[i]);
	CHECK(seen[ELF_OK] > 100);
}
