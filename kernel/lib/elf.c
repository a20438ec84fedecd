/*
 * ELF64 image validation for the loaders: the kernel's of the root task,
 * and init's of every other program (so it needs nothing but the
 * compiler's memcpy and memset).
 *
 * The image is a boot module: nothing in it is trusted. Every offset and
 * size is checked against the bytes that really exist, and every sum for
 * overflow, before it is used; headers are copied out with memcpy because
 * the module may sit at any alignment. Checking and loading are separate
 * (check first, then act): the loader maps only what elf_parse() returned
 * and cannot fail on the image's account.
 */
#include <stdbool.h>
#include <elf.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf.c reads little-endian headers by memcpy: port it for this host"
#endif

#define PAGE_SHIFT 12

static const char *const messages[ELF_NSTATUS] = {
	[ELF_OK] = "ok",
	[ELF_ETRUNC] = "image shorter than an ELF64 header",
	[ELF_EMAGIC] = "not an ELF image (bad magic)",
	[ELF_ECLASS] = "not a 64-bit ELF image",
	[ELF_EDATA] = "not a little-endian ELF image",
	[ELF_EVERSION] = "unknown ELF version",
	[ELF_EMACHINE] = "not an x86-64 image",
	[ELF_ETYPE] = "not a static executable (ET_EXEC)",
	[ELF_EPHENTSIZE] = "program header size is not 56 bytes",
	[ELF_EPHDR] = "program header table outside the image",
	[ELF_EDYNAMIC] = "dynamically linked (PT_INTERP or PT_DYNAMIC)",
	[ELF_EFILESZ] = "segment file size exceeds its memory size",
	[ELF_ESEGMENT] = "segment data outside the image",
	[ELF_EUSER] = "segment outside user space",
	[ELF_EALIGN] = "segment address and file offset differ modulo 4 KiB",
	[ELF_EOVERLAP] = "segments overlap (share a 4 KiB page)",
	[ELF_ETOOMANY] = "too many loadable segments",
	[ELF_ENOLOAD] = "no loadable segment",
	[ELF_EENTRY] = "entry point not in an executable segment",
};

const char *elf_strerror(enum elf_status st)
{
	if ((unsigned)st >= ELF_NSTATUS || !messages[st])
		return "unknown ELF status";
	return messages[st];
}

/* Does [off, off + len) lie inside an image of size bytes? */
static bool in_image(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Do the pages that segments a and b touch intersect? (memsz > 0 for both) */
static bool pages_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
	/* Inclusive page numbers: vaddr + memsz - 1 cannot overflow here. */
	uint64_t a_first = a->vaddr >> PAGE_SHIFT;
	uint64_t a_last = (a->vaddr + a->memsz - 1) >> PAGE_SHIFT;
	uint64_t b_first = b->vaddr >> PAGE_SHIFT;
	uint64_t b_last = (b->vaddr + b->memsz - 1) >> PAGE_SHIFT;

	return a_first <= b_last && b_first <= a_last;
}

static enum elf_status check_header(const uint8_t *img, uint64_t size,
				    struct elf64_ehdr *eh)
{
	if (size < sizeof *eh)
		return ELF_ETRUNC;
	__builtin_memcpy(eh, img, sizeof *eh);
	if (eh->e_ident[ELF_EI_MAG0 + 0] != ELF_MAG0 ||
	    eh->e_ident[ELF_EI_MAG0 + 1] != ELF_MAG1 ||
	    eh->e_ident[ELF_EI_MAG0 + 2] != ELF_MAG2 ||
	    eh->e_ident[ELF_EI_MAG0 + 3] != ELF_MAG3)
		return ELF_EMAGIC;
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return ELF_ECLASS;
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
		return ELF_EDATA;
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT ||
	    eh->e_version != ELF_EV_CURRENT)
		return ELF_EVERSION;
	if (eh->e_machine != ELF_EM_X86_64)
		return ELF_EMACHINE;
	if (eh->e_type != ELF_ET_EXEC)
		return ELF_ETYPE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_EPHENTSIZE;
	/* PN_XNUM defers the count to a section header: not for static init. */
	if (eh->e_phnum == ELF_PN_XNUM ||
	    !in_image(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
		return ELF_EPHDR;
	return ELF_OK;
}

/*
 * Checks one PT_LOAD on its own and, when it is not empty, adds it to out
 * after checking it against the segments already there.
 */
static enum elf_status add_load(const struct elf64_phdr *ph, uint64_t size,
				uint64_t user_base, uint64_t user_end,
				struct elf_image *out)
{
	struct elf_segment *seg;
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return ELF_EFILESZ;
	if (ph->p_memsz == 0)
		return ELF_OK;          /* maps nothing: ignore, like Linux */
	if (!in_image(ph->p_offset, ph->p_filesz, size))
		return ELF_ESEGMENT;
	end = ph->p_vaddr + ph->p_memsz;
	if (end < ph->p_vaddr || ph->p_vaddr < user_base || end > user_end)
		return ELF_EUSER;
	/* Page k of the file must be able to back page k of the segment. */
	if ((ph->p_vaddr ^ ph->p_offset) & (ELF_PAGE_SIZE - 1))
		return ELF_EALIGN;
	if (out->nsegments == ELF_MAX_SEGMENTS)
		return ELF_ETOOMANY;

	seg = &out->segments[out->nsegments];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->flags = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
	for (unsigned i = 0; i < out->nsegments; i++)
		if (pages_overlap(&out->segments[i], seg))
			return ELF_EOVERLAP;
	out->nsegments++;
	return ELF_OK;
}

static enum elf_status parse(const uint8_t *img, uint64_t size, uint64_t user_base,
			     uint64_t user_end, struct elf_image *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	enum elf_status st;

	st = check_header(img, size, &eh);
	if (st != ELF_OK)
		return st;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		__builtin_memcpy(&ph, img + eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
		switch (ph.p_type) {
		case ELF_PT_LOAD:
			st = add_load(&ph, size, user_base, user_end, out);
			if (st != ELF_OK)
				return st;
			break;
		case ELF_PT_INTERP:
		case ELF_PT_DYNAMIC:
			/* Nothing here would run the dynamic linker or relocate. */
			return ELF_EDYNAMIC;
		default:
			/* PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_*: not ours. */
			break;
		}
	}
	if (out->nsegments == 0)
		return ELF_ENOLOAD;

	for (unsigned i = 0; i < out->nsegments; i++) {
		const struct elf_segment *seg = &out->segments[i];

		if ((seg->flags & ELF_PF_X) && eh.e_entry >= seg->vaddr &&
		    eh.e_entry - seg->vaddr < seg->memsz) {
			out->entry = eh.e_entry;
			return ELF_OK;
		}
	}
	return ELF_EENTRY;
}

enum elf_status elf_parse(const void *image, uint64_t size, uint64_t user_base,
			  uint64_t user_end, struct elf_image *out)
{
	enum elf_status st;

	__builtin_memset(out, 0, sizeof *out);
	st = parse(image, size, user_base, user_end, out);
	if (st != ELF_OK)
		__builtin_memset(out, 0, sizeof *out);
	return st;
}
