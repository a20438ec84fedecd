/*
 * The kernel's virtual address layout (docs/boot.md draws it).
 *
 *   0x0000000000000000 .. 0x00007FFFFFFFFFFF  user space (128 TiB)
 *   0xFFFF800000000000 .. +64 TiB             direct map of physical memory
 *   0xFFFFFE0000000000 .. +512 GiB            device (MMIO) window, uncached
 *   0xFFFFFFFF80000000 .. top                 kernel image (-mcmodel=kernel)
 */
#ifndef ARCH_MEMLAYOUT_H
#define ARCH_MEMLAYOUT_H

#include <stdint.h>

#define USER_END          0x0000800000000000ull
#define DIRECT_MAP_BASE   0xFFFF800000000000ull
#define DIRECT_MAP_MAX    0x0000400000000000ull  /* 64 TiB */
#define DEVICE_MAP_BASE   0xFFFFFE0000000000ull
#define DEVICE_MAP_SIZE   0x0000008000000000ull  /* one PML4 slot */
#define KERNEL_VMA        0xFFFFFFFF80000000ull

/* The boot trampoline maps physical 0..4 GiB at DIRECT_MAP_BASE. */
#define BOOT_DIRECT_LIMIT 0x100000000ull

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

#endif
