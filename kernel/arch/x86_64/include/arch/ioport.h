/* The TSS I/O-permission bitmap: the running task's ports. */
#ifndef ARCH_IOPORT_H
#define ARCH_IOPORT_H

#define IOPORT_BITMAP_PAGES 2   /* 65536 ports, one bit each */

struct task;

/* Makes t's ports the ones this CPU allows in ring 3 (none if it has no bitmap). */
void arch_ioport_load(struct task *t);

/* t is going: the TSS must not think it holds t's bitmap. */
void arch_ioport_forget(struct task *t);

#endif
