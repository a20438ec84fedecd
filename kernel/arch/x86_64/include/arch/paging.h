/* The kernel's own address space: direct map, kernel image, device window. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Builds the kernel page tables and switches to them: physical memory
 * [0, direct_end) at DIRECT_MAP_BASE, the kernel image at KERNEL_VMA with
 * per-section permissions, nothing in the user half. Needs the frame pool
 * and cpu_enable_protections() (for NX) first.
 */
void paging_init(uint64_t direct_end);

/*
 * Maps device memory [phys, phys + size) uncached into the device window
 * and returns the address of phys there. Boot-time only; never unmapped.
 */
volatile void *paging_map_device(uint64_t phys, uint64_t size);

/* Whether pa is device memory the kernel maps for itself (APIC, HPET...). */
bool paging_is_kernel_device(uint64_t pa);

/* End of the direct map: physical addresses below it have a kernel address. */
extern uint64_t direct_map_end;

/* The kernel's own PML4 (empty user half), the base of every task's. */
extern uint64_t kernel_pml4_phys;

#endif
