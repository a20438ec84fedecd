/*
 * Per-CPU data, reached through GS in the kernel (SWAPGS on every entry
 * from user mode) so that a second CPU is an extension, not a rewrite.
 * The first fields are used by the entry code (frame.inc has the offsets).
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stddef.h>
#include <stdint.h>

struct thread;

struct percpu {
	struct percpu *self;    /* gs:0, to turn GS into a pointer */
	uint64_t kstack_top;    /* this CPU's kernel stack */
	uint64_t user_rsp;      /* scratch for SYSCALL entry */
	uint64_t regs_top;      /* end of the current thread's trap_frame */
	struct thread *current; /* running thread; NULL while idle */
	uint32_t cpu;           /* index, 0 for the boot CPU */
};
_Static_assert(offsetof(struct percpu, self) == 0, "frame.inc PERCPU_SELF");
_Static_assert(offsetof(struct percpu, kstack_top) == 8, "frame.inc PERCPU_KSTACK_TOP");
_Static_assert(offsetof(struct percpu, user_rsp) == 16, "frame.inc PERCPU_USER_RSP");
_Static_assert(offsetof(struct percpu, regs_top) == 24, "frame.inc PERCPU_REGS_TOP");
_Static_assert(offsetof(struct percpu, current) == 32, "frame.inc PERCPU_CURRENT");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Sets up the boot CPU's block, GS base, and the SYSCALL MSRs. */
void percpu_init_boot(void);

#endif
