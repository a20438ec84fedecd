/*
 * The kernel info page (KIP): read-only, mapped into every task; init
 * finds its address in RDI at entry. It describes the kernel and the
 * machine so that user space never has to probe for either.
 */
#ifndef ABI_KIP_H
#define ABI_KIP_H

#include <stdint.h>

#define KIP_MAGIC        0x50494B41434D49ull    /* "IMCAKIP" read as bytes */
#define KIP_SIZE         8192u
#define KIP_ADDR         0x00007FFFFFFFE000ull  /* in every task: the top of user space */
#define KIP_MAX_REGIONS  128
#define KIP_MAX_MODULES  32
#define KIP_MODLINE_MAX  96

struct kip_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;          /* 1 usable, 2 reserved, 3 ACPI data, 4 ACPI NVS, 5 bad */
	uint32_t reserved;
};

struct kip_module {
	uint64_t base;          /* physical */
	uint64_t size;
	char cmdline[KIP_MODLINE_MAX];
};

struct kip {
	uint64_t magic;
	uint32_t abi_major, abi_minor;
	char build_id[48];      /* hex, NUL-terminated */
	uint64_t tsc_hz;
	uint64_t phys_window;   /* root task: physical address p is at phys_window + p */
	uint32_t ncpus;
	uint32_t nirqs;         /* root task: IRQ capabilities from SLOT_IRQ_BASE */
	uint32_t nregions;
	uint32_t nmodules;
	uint32_t fb_present;
	uint64_t fb_addr;       /* physical */
	uint32_t fb_width, fb_height, fb_pitch, fb_bpp;
	struct kip_region regions[KIP_MAX_REGIONS];
	struct kip_module modules[KIP_MAX_MODULES];
};
_Static_assert(sizeof(struct kip) <= KIP_SIZE, "the KIP fits its pages");

#endif
