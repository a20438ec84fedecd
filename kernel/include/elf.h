/*
 * ELF64 image validation for the program loaders. The kernel loads the
 * first boot module, a static x86-64 executable, into a fresh address
 * space; elf_parse() checks the whole image first and hands the loader a
 * short list of segments it can map without further checks. Pure C, so the
 * host unit tests feed it well-formed, truncated and corrupt images.
 *
 * Layouts are those of the System V ABI "ELF-64 Object File Format"
 * (version 1.5) and its x86-64 supplement; only the parts we read are here.
 */
#ifndef ELF_H
#define ELF_H

#include <stddef.h>
#include <stdint.h>

/* e_ident[] indices and the values we accept. */
#define ELF_EI_MAG0       0
#define ELF_EI_CLASS      4
#define ELF_EI_DATA       5
#define ELF_EI_VERSION    6
#define ELF_EI_NIDENT     16
#define ELF_MAG0          0x7f
#define ELF_MAG1          'E'
#define ELF_MAG2          'L'
#define ELF_MAG3          'F'
#define ELF_CLASS64       2
#define ELF_DATA2LSB      1
#define ELF_EV_CURRENT    1

#define ELF_ET_EXEC       2
#define ELF_ET_DYN        3
#define ELF_EM_X86_64     62
#define ELF_PN_XNUM       0xffff  /* real e_phnum is in section header 0 */

/* p_type values. */
#define ELF_PT_NULL         0
#define ELF_PT_LOAD         1
#define ELF_PT_DYNAMIC      2
#define ELF_PT_INTERP       3
#define ELF_PT_NOTE         4
#define ELF_PT_PHDR         6
#define ELF_PT_TLS          7
#define ELF_PT_GNU_STACK    0x6474e551
#define ELF_PT_GNU_PROPERTY 0x6474e553

/* p_flags bits. */
#define ELF_PF_X          1u
#define ELF_PF_W          2u
#define ELF_PF_R          4u

#define ELF_PAGE_SIZE     4096u

/* The file header, at offset 0 of the image. */
struct elf64_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;       /* program header table, file offset */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;   /* size of one program header */
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* One program header: a segment of the image and where it goes in memory. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 24, "e_entry");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 32, "e_phoff");
_Static_assert(offsetof(struct elf64_ehdr, e_phentsize) == 54, "e_phentsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "e_phnum");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");
_Static_assert(offsetof(struct elf64_phdr, p_filesz) == 32, "p_filesz");
_Static_assert(offsetof(struct elf64_phdr, p_memsz) == 40, "p_memsz");

#define ELF_MAX_SEGMENTS 16

/* A PT_LOAD segment that passed every check. */
struct elf_segment {
	uint64_t vaddr;         /* p_vaddr */
	uint64_t memsz;         /* p_memsz, > 0 */
	uint64_t offset;        /* p_offset in the image */
	uint64_t filesz;        /* p_filesz, <= memsz; the rest is zero-filled */
	uint32_t flags;         /* ELF_PF_R | ELF_PF_W | ELF_PF_X, other bits dropped */
};

struct elf_image {
	uint64_t entry;
	unsigned nsegments;
	struct elf_segment segments[ELF_MAX_SEGMENTS];  /* PT_LOAD only, in file order */
};

/* What elf_parse() found; elf_strerror() gives each a message. */
enum elf_status {
	ELF_OK = 0,
	ELF_ETRUNC,             /* image shorter than the ELF header */
	ELF_EMAGIC,             /* no 0x7f 'E' 'L' 'F' */
	ELF_ECLASS,             /* not ELFCLASS64 */
	ELF_EDATA,              /* not little-endian */
	ELF_EVERSION,           /* EI_VERSION or e_version is not 1 */
	ELF_EMACHINE,           /* not x86-64 */
	ELF_ETYPE,              /* not ET_EXEC (PIE and objects rejected) */
	ELF_EPHENTSIZE,         /* e_phentsize is not 56 */
	ELF_EPHDR,              /* program header table outside the image */
	ELF_EDYNAMIC,           /* PT_INTERP or PT_DYNAMIC present */
	ELF_EFILESZ,            /* PT_LOAD with p_filesz > p_memsz */
	ELF_ESEGMENT,           /* PT_LOAD file bytes outside the image */
	ELF_EUSER,              /* PT_LOAD memory outside [user_base, user_end) */
	ELF_EALIGN,             /* p_vaddr and p_offset differ modulo 4 KiB */
	ELF_EOVERLAP,           /* two PT_LOADs share a 4 KiB page */
	ELF_ETOOMANY,           /* more than ELF_MAX_SEGMENTS non-empty PT_LOADs */
	ELF_ENOLOAD,            /* no non-empty PT_LOAD */
	ELF_EENTRY,             /* entry point not inside an executable PT_LOAD */
	ELF_NSTATUS
};

/*
 * Validates the ELF64 image of size bytes (any alignment) and fills out
 * with its entry and non-empty PT_LOAD segments; user space is
 * [user_base, user_end), both page-aligned. Returns ELF_OK or the first
 * problem found, in which case *out is cleared. Reads nothing outside
 * [image, image + size).
 */
enum elf_status elf_parse(const void *image, uint64_t size, uint64_t user_base,
			  uint64_t user_end, struct elf_image *out);

/* Returns a one-line description of st, e.g. "segment outside user space". */
const char *elf_strerror(enum elf_status st);

#endif
