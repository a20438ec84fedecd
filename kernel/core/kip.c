/*
 * The kernel info page (abi/kip.h): filled once at boot, then mapped
 * read-only at KIP_ADDR into every task. Its pages belong to the kernel
 * image, so they are contiguous and never freed.
 */
#include <klib.h>
#include <kip.h>
#include <kstate.h>
#include <version.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/version.h>
#include <sigma0.h>
#include <obj/irq.h>
#include <arch/memlayout.h>

_Static_assert(KIP_ADDR + KIP_SIZE == USER_END,
	       "the KIP ends user space: no SYSCALL can end at USER_END (syscall_entry.asm)");

static union {
	struct kip kip;
	uint8_t bytes[KIP_SIZE];
} kip_page aligned(4096);

void kip_fill(const struct boot_info *bi)
{
	struct kip *k = &kip_page.kip;

	k->magic = KIP_MAGIC;
	k->abi_major = MICA_ABI_VERSION_MAJOR;
	k->abi_minor = MICA_ABI_VERSION_MINOR;
	version_build_id(k->build_id, sizeof k->build_id);
	k->tsc_hz = tsc_hz;
	k->phys_window = SIGMA0_BASE;
	k->ncpus = kstate_ncpus;
	k->nirqs = irq_nlines;
	for (uint32_t i = 0; i < bi->nregions && i < KIP_MAX_REGIONS; i++, k->nregions++)
		k->regions[i] = (struct kip_region){ bi->regions[i].base, bi->regions[i].len,
						     bi->regions[i].type, 0 };
	for (uint32_t i = 0; i < bi->nmodules && i < KIP_MAX_MODULES; i++, k->nmodules++) {
		k->modules[i].base = bi->modules[i].start;
		k->modules[i].size = bi->modules[i].end - bi->modules[i].start;
		snprintf(k->modules[i].cmdline, KIP_MODLINE_MAX, "%s", bi->modules[i].cmdline);
	}
	if (bi->has_fb) {
		k->fb_present = 1;
		k->fb_addr = bi->fb.addr;
		k->fb_width = bi->fb.width;
		k->fb_height = bi->fb.height;
		k->fb_pitch = bi->fb.pitch;
		k->fb_bpp = bi->fb.bpp;
	}
}

int kip_map(struct vspace *vs, struct quota *q)
{
	uint64_t pa = virt_to_phys(&kip_page);
	int err;

	for (uint64_t off = 0; off < KIP_SIZE; off += PAGE_SIZE)
		if ((err = vspace_map(vs, KIP_ADDR + off, pa + off, VM_READ, NULL, q)) != E_OK)
			return err;
	return E_OK;
}

