/* The kernel info page: filled at boot, mapped into every task. */
#ifndef KIP_H
#define KIP_H

#include <bootinfo.h>
#include <kmem.h>
#include <arch/vspace.h>

/* Writes what the KIP publishes, from the boot information and boot state. */
void kip_fill(const struct boot_info *bi);

/* Maps the KIP read-only at KIP_ADDR in vs (page tables charged to q). */
int kip_map(struct vspace *vs, struct quota *q);

#endif
