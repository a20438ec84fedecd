/*
 * The kernel half of every address space.
 *
 * The direct map uses the largest pages the CPU has (1 GiB, else 2 MiB);
 * it is never used for device memory, which gets uncached 4 KiB mappings
 * in the device window instead. The kernel image gets 4 KiB pages so that
 * text is read-only, and data and bss are not executable. All of it is
 * global: kernel translations survive address-space switches.
 */
#include <klib.h>
#include <kstate.h>
#include <panic.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/memlayout.h>
#include <arch/paging.h>
#include <arch/vspace.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull

extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_data_end[];

uint64_t direct_map_end;
uint64_t kernel_pml4_phys;
static uint64_t *kernel_pml4;
static uint64_t device_next = DEVICE_MAP_BASE;
static uint64_t nx_bit;         /* PTE_NX where the CPU has NX, else 0 */

static uint64_t *table_at(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

/* Returns a zeroed page-table frame. Boot-time: no memory is fatal. */
static uint64_t table_alloc(void)
{
	uint64_t pa = frame_alloc(&frame_pool);

	if (pa == FRAME_NONE)
		panic("paging: out of memory for kernel page tables");
	if (!direct_map_end && pa >= BOOT_DIRECT_LIMIT)
		panic("paging: early page table above the boot direct map");
	memset(phys_to_virt(pa), 0, SZ_4K);
	return pa;
}

/*
 * Returns the entry for va at the level whose pages are page_size,
 * creating intermediate tables on the way.
 */
static uint64_t *walk_create(uint64_t va, uint64_t page_size)
{
	uint64_t *table = kernel_pml4;
	int shift;

	for (shift = 39; ; shift -= 9) {
		uint64_t *e = &table[(va >> shift) & 511];

		if ((1ull << shift) == page_size)
			return e;
		if (!(*e & PTE_P))
			*e = table_alloc() | PTE_P | PTE_W;
		else if (*e & PTE_PS)
			panic("paging: %016lx already mapped by a large page", va);
		table = table_at(*e);
	}
}

static void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t page_size,
		      uint64_t flags)
{
	uint64_t large = page_size > SZ_4K ? PTE_PS : 0;

	for (uint64_t off = 0; off < len; off += page_size)
		*walk_create(va + off, page_size) = (pa + off) | flags | large | PTE_P;
}

static void map_image_section(const char *start, const char *end, uint64_t flags)
{
	uint64_t va = (uint64_t)start;

	map_range(va, va - KERNEL_VMA, (uint64_t)(end - start), SZ_4K, flags | PTE_G);
}

void paging_init(uint64_t direct_end)
{
	uint64_t page = cpu_info.pdpe1gb ? SZ_1G : SZ_2M;

	uint64_t end = ALIGN_UP(direct_end, page);

	nx_bit = cpu_info.nx ? PTE_NX : 0;
	if (end > DIRECT_MAP_MAX)
		end = DIRECT_MAP_MAX;

	kernel_pml4 = phys_to_virt(table_alloc());
	map_range(DIRECT_MAP_BASE, 0, end, page, PTE_W | PTE_G | nx_bit);
	map_image_section(kernel_text_start, kernel_text_end, 0);
	map_image_section(kernel_rodata_start, kernel_rodata_end, nx_bit);
	map_image_section(kernel_data_start, kernel_data_end, PTE_W | nx_bit);
	/* The device window's PML4 slot exists from the start, so later
	 * address spaces can share the kernel half by copying PML4[256..511]. */
	kernel_pml4[(DEVICE_MAP_BASE >> 39) & 511] = table_alloc() | PTE_P | PTE_W;
	/* The power-on PAT, written out so that PCD|PWT (entry 3) is UC
	 * whatever the firmware left: WB, WT, UC-, UC, twice. */
	wrmsr(MSR_PAT, 0x0007040600070406ull);
	write_cr3(virt_to_phys(kernel_pml4));
	kernel_pml4_phys = virt_to_phys(kernel_pml4);
	vspace_init_pcid();     /* CR3's PCID field is 0 now, as PCIDE requires */
	/* From here on every frame has a kernel address, not just those below 4 GiB. */
	direct_map_end = end;
}

/* Device memory the kernel drives itself, which sigma0 must never hand out. */
#define KERNEL_DEVICES_MAX 16
static struct { uint64_t base, end; } kernel_devices[KERNEL_DEVICES_MAX];
static unsigned nkernel_devices;

bool paging_is_kernel_device(uint64_t pa)
{
	for (unsigned i = 0; i < nkernel_devices; i++)
		if (pa >= kernel_devices[i].base && pa < kernel_devices[i].end)
			return true;
	return false;
}

volatile void *paging_map_device(uint64_t phys, uint64_t size)
{
	uint64_t base = ALIGN_DOWN(phys, SZ_4K);
	uint64_t len = ALIGN_UP(phys + size, SZ_4K) - base;
	uint64_t va = device_next;

	if (len > DEVICE_MAP_BASE + DEVICE_MAP_SIZE - va || nkernel_devices == KERNEL_DEVICES_MAX)
		panic("paging: device window full");
	kernel_devices[nkernel_devices].base = base;
	kernel_devices[nkernel_devices++].end = base + len;
	/* PCD|PWT selects PAT entry 3, uncached, in the power-on PAT. */
	map_range(va, base, len, SZ_4K, PTE_W | PTE_PCD | PTE_PWT | PTE_G | nx_bit);
	device_next += len;
	return (volatile void *)(va + (phys - base));
}
