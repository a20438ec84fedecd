/*
 * The root task's window on physical memory (sigma0.h). What each
 * physical page may become:
 *   - a boot module page: mapped as it is, read-write-execute (init loads
 *     the servers from them);
 *   - free RAM: taken out of the kernel's frame pool, zeroed, and owned by
 *     the mapping, so it returns to the pool when the last derived
 *     mapping and the window's are gone;
 *   - RAM the kernel uses, or marked bad: refused;
 *   - ACPI tables and NVS: read-only;
 *   - anything else below the physical address width that the kernel does
 *     not drive itself (framebuffer, PCI BARs): uncached read-write.
 */
#include <klib.h>
#include <kstate.h>
#include <mapping.h>
#include <sigma0.h>
#include <abi/errno.h>
#include <arch/cpufeature.h>
#include <arch/memlayout.h>
#include <arch/paging.h>
#include <obj/task.h>

struct task *sigma0_task;

static bool in_module(uint64_t pa)
{
	for (uint32_t i = 0; i < boot_info.nmodules; i++)
		if (pa + PAGE_SIZE > boot_info.modules[i].start && pa < boot_info.modules[i].end)
			return true;
	return false;
}

/* The memory-map type at pa; a non-usable region wins over a usable one. */
static uint32_t region_type(uint64_t pa)
{
	uint32_t type = 0;      /* 0: in no region (a hole) */

	for (uint32_t i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];

		if (pa >= r->base && pa - r->base < r->len && (type == 0 || type == MEM_USABLE))
			type = r->type;
	}
	return type;
}

/* Decides what pa may be: E_OK with the permissions and ownership, or an error. */
static int classify(uint64_t pa, unsigned *perms, bool *owned)
{
	*owned = false;
	if (pa >> cpu_info.phys_bits)
		return E_RANGE;
	if (in_module(pa)) {
		*perms = VM_READ | VM_WRITE | VM_EXEC;
		return E_OK;
	}
	switch (region_type(pa)) {
	case MEM_USABLE:
		if (frame_take(&frame_pool, pa) != FRAME_OK)
			return E_STATE;         /* the kernel's */
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		*perms = VM_READ | VM_WRITE | VM_EXEC;
		*owned = true;
		return E_OK;
	case MEM_ACPI_RECLAIM:
	case MEM_ACPI_NVS:
		*perms = VM_READ;
		return E_OK;
	case MEM_BAD:
		return E_STATE;
	default:
		if (paging_is_kernel_device(pa))
			return E_STATE;
		*perms = VM_READ | VM_WRITE | VM_UNCACHED;
		return E_OK;
	}
}

bool sigma0_fill(struct task *t, uint64_t va)
{
	uint64_t page = ALIGN_DOWN(va, PAGE_SIZE), pa, old;
	unsigned perms;
	struct mapping *m;
	bool owned;

	if (t != sigma0_task || va < SIGMA0_BASE || va - SIGMA0_BASE >= SIGMA0_SIZE)
		return false;
	if (vspace_lookup(&t->vspace, page, &old, &perms, &m))
		return false;           /* mapped already: a real protection fault */
	pa = page - SIGMA0_BASE;
	if (classify(pa, &perms, &owned) != E_OK)
		return false;
	if (mapping_insert(&t->vspace, t->quota, page, pa, perms, NULL, owned) != E_OK) {
		if (owned)
			frame_free(&frame_pool, pa);
		return false;
	}
	return true;
}
