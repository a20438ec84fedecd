/* Physical memory at boot: the memory map in the log, and the frame pool. */
#ifndef PHYSMEM_H
#define PHYSMEM_H

#include <stdint.h>
#include <bootinfo.h>
#include <frame.h>

/*
 * Prints the memory map and its totals, then builds frame_pool from it,
 * never handing out the reserved ranges. map_limit bounds where the pool's
 * bitmap may go (what is mapped this early). Returns the end of the
 * highest RAM region (usable or ACPI), which the direct map must cover.
 */
uint64_t physmem_init(const struct boot_info *bi, const struct phys_range *reserved,
		      unsigned nreserved, uint64_t map_limit);

#endif
