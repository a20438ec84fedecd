/* Boot-time physical memory set-up: report the map, build the frame pool. */
#include <klib.h>
#include <console.h>
#include <kstate.h>
#include <panic.h>
#include <physmem.h>
#include <arch/memlayout.h>

#define MIB (1024ul * 1024)

static const char *const type_names[] = {
	[MEM_USABLE] = "usable", [MEM_RESERVED] = "reserved",
	[MEM_ACPI_RECLAIM] = "ACPI data", [MEM_ACPI_NVS] = "ACPI NVS",
	[MEM_BAD] = "bad",
};

static void *map_early(uint64_t phys, uint64_t len)
{
	(void)len;
	return phys_to_virt(phys);
}

uint64_t physmem_init(const struct boot_info *bi, const struct phys_range *reserved,
		      unsigned nreserved, uint64_t map_limit)
{
	uint64_t total = 0, usable = 0, ram_end = 0;
	enum frame_status st;

	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct mem_region *r = &bi->regions[i];

		kprintf("mem: %016lx-%016lx %s\n", r->base, r->base + r->len - 1,
			type_names[r->type]);
		if (r->type == MEM_RESERVED)
			continue;
		total += r->len;
		if (r->type == MEM_USABLE)
			usable += r->len;
		if (r->type != MEM_BAD && r->base + r->len > ram_end)
			ram_end = r->base + r->len;
	}
	st = frame_pool_init(&frame_pool, bi->regions, bi->nregions, reserved, nreserved,
			     map_limit, map_early);
	if (st != FRAME_OK)
		panic("physmem: no usable memory for the frame allocator (%d)", st);
	kprintf("mem: %lu MiB total, %lu MiB usable, %lu MiB free after the kernel, "
		"modules and boot data\n", total / MIB, usable / MIB,
		frame_pool.nfree * FRAME_SIZE / MIB);
	return ram_end;
}
