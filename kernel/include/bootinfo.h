/*
 * What the boot loader told us, in the kernel's own words. The platform's
 * boot protocol parser (multiboot2 on the PC) fills it once, copying
 * everything it keeps, so that no later code reads loader memory.
 */
#ifndef BOOTINFO_H
#define BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_REGIONS  128
#define BOOT_MAX_MODULES  32
#define BOOT_CMDLINE_MAX  256
#define BOOT_MODLINE_MAX  128

enum mem_type {
	MEM_USABLE = 1,         /* free RAM */
	MEM_RESERVED,           /* firmware, devices, unknown: never touched */
	MEM_ACPI_RECLAIM,       /* ACPI tables; RAM once they are read */
	MEM_ACPI_NVS,           /* firmware state kept across sleep */
	MEM_BAD,                /* RAM the firmware found defective */
};

struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;          /* enum mem_type */
};

struct boot_module {
	uint64_t start;         /* physical, first byte */
	uint64_t end;           /* physical, one past the last byte */
	char cmdline[BOOT_MODLINE_MAX];
};

struct boot_fb {
	uint64_t addr;          /* physical */
	uint32_t pitch;         /* bytes per line */
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type;           /* 0 indexed, 1 RGB, 2 EGA text */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	uint32_t nregions;
	struct mem_region regions[BOOT_MAX_REGIONS];
	uint32_t nmodules;
	struct boot_module modules[BOOT_MAX_MODULES];
	bool has_fb;
	struct boot_fb fb;
	uint8_t rsdp_len;       /* 0: none; 20: ACPI 1.0; 36: ACPI 2.0+ */
	uint8_t rsdp[36];       /* copy of the RSDP structure, unchecked */
	uint32_t bad_tags;      /* malformed entries that were skipped */
	uint64_t info_phys;     /* the loader's own structure, kept reserved */
	uint64_t info_size;
};

#endif
