/*
 * Multiboot2 boot information parser.
 *
 * The loader's structure is a u32 total_size, a u32 reserved, then tags of
 * {u32 type, u32 size, payload}, each starting 8-byte aligned, ending with
 * a tag of type 0 and size 8. Nothing in it is trusted: every size is
 * checked against the space that really holds it before a byte is read.
 */
#include <klib.h>
#include <pc/multiboot2.h>

enum {
	TAG_END = 0,
	TAG_CMDLINE = 1,
	TAG_LOADER_NAME = 2,
	TAG_MODULE = 3,
	TAG_MMAP = 6,
	TAG_FRAMEBUFFER = 8,
	TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15,
};

enum {
	MMAP_AVAILABLE = 1,
	MMAP_ACPI_RECLAIM = 3,
	MMAP_ACPI_NVS = 4,
	MMAP_BAD = 5,
};

#define TAG_HEADER     8u
#define MMAP_HEADER    16u      /* tag header + entry_size + entry_version */
#define MMAP_ENTRY_MIN 24u
#define MODULE_HEADER  16u      /* tag header + mod_start + mod_end */
#define FB_COMMON      32u      /* as GRUB lays it out: u16 reserved */
#define FB_RGB         38u      /* common part + six colour bytes */
#define RSDP_V1_LEN    20u
#define RSDP_V2_LEN    36u

struct parser {
	const uint8_t *info;
	struct boot_info *out;
	mb2_log_fn log;
	uint32_t seen;          /* bit per tag type already taken */
};

static uint32_t read32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t read64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void bad(struct parser *p, uint32_t type, size_t off, const char *why)
{
	p->out->bad_tags++;
	p->log("multiboot2: tag type %u at offset %zu: %s; skipped\n",
	       (unsigned)type, off, why);
}

/*
 * Copies the NUL-terminated string of at most len bytes at s into dst.
 * Returns 0, or -1 when s has no terminator inside len.
 */
static int copy_string(char *dst, size_t dstlen, const uint8_t *s, size_t len)
{
	size_t n = strnlen((const char *)s, len);

	if (n == len)
		return -1;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static uint32_t mem_type_of(uint32_t mb2_type)
{
	switch (mb2_type) {
	case MMAP_AVAILABLE:    return MEM_USABLE;
	case MMAP_ACPI_RECLAIM: return MEM_ACPI_RECLAIM;
	case MMAP_ACPI_NVS:     return MEM_ACPI_NVS;
	case MMAP_BAD:          return MEM_BAD;
	default:                return MEM_RESERVED;
	}
}

static void parse_mmap(struct parser *p, const uint8_t *tag, uint32_t size, size_t off)
{
	struct boot_info *out = p->out;
	uint32_t esize, i, n;

	if (size < MMAP_HEADER) {
		bad(p, TAG_MMAP, off, "memory map tag too short");
		return;
	}
	esize = read32(tag + 8);
	if (esize < MMAP_ENTRY_MIN || esize % 8 != 0) {
		bad(p, TAG_MMAP, off, "memory map entry size invalid");
		return;
	}
	n = (size - MMAP_HEADER) / esize;
	for (i = 0; i < n; i++) {
		const uint8_t *e = tag + MMAP_HEADER + (size_t)i * esize;
		uint64_t base = read64(e), len = read64(e + 8);

		if (len == 0)
			continue;
		if (base + len < base) {
			bad(p, TAG_MMAP, off, "memory map entry wraps around");
			continue;
		}
		if (out->nregions == BOOT_MAX_REGIONS) {
			bad(p, TAG_MMAP, off, "more memory map entries than the kernel keeps");
			return;
		}
		out->regions[out->nregions].base = base;
		out->regions[out->nregions].len = len;
		out->regions[out->nregions].type = mem_type_of(read32(e + 16));
		out->nregions++;
	}
}

static void parse_module(struct parser *p, const uint8_t *tag, uint32_t size, size_t off)
{
	struct boot_info *out = p->out;
	struct boot_module *m;
	uint32_t start, end;

	if (size < MODULE_HEADER + 1) {
		bad(p, TAG_MODULE, off, "module tag too short");
		return;
	}
	start = read32(tag + 8);
	end = read32(tag + 12);
	if (end < start) {
		bad(p, TAG_MODULE, off, "module ends before it starts");
		return;
	}
	if (out->nmodules == BOOT_MAX_MODULES) {
		bad(p, TAG_MODULE, off, "more modules than the kernel keeps");
		return;
	}
	m = &out->modules[out->nmodules];
	if (copy_string(m->cmdline, sizeof m->cmdline, tag + MODULE_HEADER,
			size - MODULE_HEADER) < 0) {
		bad(p, TAG_MODULE, off, "module command line not terminated");
		return;
	}
	m->start = start;
	m->end = end;
	out->nmodules++;
}

static int fb_bpp_valid(uint8_t bpp)
{
	return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

static void parse_framebuffer(struct parser *p, const uint8_t *tag, uint32_t size, size_t off)
{
	struct boot_fb fb;

	if (size < FB_COMMON) {
		bad(p, TAG_FRAMEBUFFER, off, "framebuffer tag too short");
		return;
	}
	memset(&fb, 0, sizeof fb);
	fb.addr = read64(tag + 8);
	fb.pitch = read32(tag + 16);
	fb.width = read32(tag + 20);
	fb.height = read32(tag + 24);
	fb.bpp = tag[28];
	fb.type = tag[29];
	if (fb.type == 1) {
		if (size < FB_RGB) {
			bad(p, TAG_FRAMEBUFFER, off, "RGB framebuffer without colour layout");
			return;
		}
		fb.red_pos = tag[32];
		fb.red_size = tag[33];
		fb.green_pos = tag[34];
		fb.green_size = tag[35];
		fb.blue_pos = tag[36];
		fb.blue_size = tag[37];
	}
	if (fb.width == 0 || fb.height == 0 || fb.pitch == 0 ||
	    (fb.type != 2 && !fb_bpp_valid(fb.bpp)) ||
	    (fb.type != 2 && (uint64_t)fb.pitch * 8 < (uint64_t)fb.width * fb.bpp) ||
	    fb.addr + (uint64_t)fb.pitch * fb.height < fb.addr) {
		bad(p, TAG_FRAMEBUFFER, off, "framebuffer geometry inconsistent");
		return;
	}
	p->out->fb = fb;
	p->out->has_fb = true;
}

static void parse_rsdp(struct parser *p, uint32_t type, const uint8_t *tag,
		       uint32_t size, size_t off)
{
	uint32_t len = type == TAG_ACPI_NEW ? RSDP_V2_LEN : RSDP_V1_LEN;

	if (size < TAG_HEADER + len) {
		bad(p, type, off, "ACPI RSDP tag too short");
		return;
	}
	/* The ACPI 2.0 copy supersedes the 1.0 one whichever comes first. */
	if (p->out->rsdp_len > len)
		return;
	memcpy(p->out->rsdp, tag + TAG_HEADER, len);
	p->out->rsdp_len = (uint8_t)len;
}

static void parse_tag(struct parser *p, uint32_t type, const uint8_t *tag,
		      uint32_t size, size_t off)
{
	struct boot_info *out = p->out;
	const uint32_t once = (1u << TAG_CMDLINE) | (1u << TAG_LOADER_NAME) |
			      (1u << TAG_MMAP) | (1u << TAG_FRAMEBUFFER);

	if (type < 32 && (once & (1u << type))) {
		if (p->seen & (1u << type)) {
			bad(p, type, off, "duplicate tag");
			return;
		}
		p->seen |= 1u << type;
	}
	switch (type) {
	case TAG_CMDLINE:
		if (copy_string(out->cmdline, sizeof out->cmdline, tag + TAG_HEADER,
				size - TAG_HEADER) < 0)
			bad(p, type, off, "command line not terminated");
		break;
	case TAG_LOADER_NAME:
		if (copy_string(out->loader, sizeof out->loader, tag + TAG_HEADER,
				size - TAG_HEADER) < 0)
			bad(p, type, off, "boot loader name not terminated");
		break;
	case TAG_MODULE:
		parse_module(p, tag, size, off);
		break;
	case TAG_MMAP:
		parse_mmap(p, tag, size, off);
		break;
	case TAG_FRAMEBUFFER:
		parse_framebuffer(p, tag, size, off);
		break;
	case TAG_ACPI_OLD:
	case TAG_ACPI_NEW:
		parse_rsdp(p, type, tag, size, off);
		break;
	default:
		/* The specification: unknown tags must be ignored. */
		break;
	}
}

enum mb2_status mb2_parse(const void *info, size_t avail, struct boot_info *out,
			  mb2_log_fn log)
{
	struct parser p = { .info = info, .out = out, .log = log };
	uint32_t total;
	size_t off;

	memset(out, 0, sizeof *out);
	if (avail < 2 * TAG_HEADER) {
		log("multiboot2: information structure of %zu bytes is too short\n", avail);
		return MB2_ESIZE;
	}
	total = read32(p.info);
	if (total < 2 * TAG_HEADER || total > avail || total > MB2_INFO_MAX) {
		log("multiboot2: total size %u is impossible\n", (unsigned)total);
		return MB2_ESIZE;
	}
	for (off = TAG_HEADER; off + TAG_HEADER <= total;
	     off = ALIGN_UP(off + read32(p.info + off + 4), (size_t)8)) {
		const uint8_t *tag = p.info + off;
		uint32_t type = read32(tag), size = read32(tag + 4);

		if (size < TAG_HEADER || size > total - off) {
			log("multiboot2: tag type %u at offset %zu has size %u beyond the "
			    "structure; ignoring the rest\n", (unsigned)type, off, (unsigned)size);
			return MB2_ETRUNC;
		}
		if (type == TAG_END)
			return MB2_OK;
		parse_tag(&p, type, tag, size, off);
	}
	log("multiboot2: no end tag\n");
	return MB2_ENOEND;
}
