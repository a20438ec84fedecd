/*
 * What the generic IPC code needs of the assembly fast path
 * (fastpath.asm), in builds with CONFIG_FASTPATH.
 */
#ifndef ARCH_FASTPATH_H
#define ARCH_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>
#include <arch/trap.h>

struct thread;

/* Whether the fast path may resume a thread blocked with frame f: it
 * leaves by SYSRET, so the frame must come from SYSCALL. */
static inline bool fastpath_resumable(const struct trap_frame *f)
{
	return f->vector >= VEC_SYSCALL;
}

/*
 * Switches from self, just blocked on its page-fault report, to rcv, made
 * ready to receive it, and enters user mode in rcv with the report in
 * registers (badge, self's fault_tag and its three words, the rest zero,
 * E_OK), as the fast path delivers a call. rcv must be fastpath_resumable.
 */
noreturn void fastpath_fault(struct thread *self, struct thread *rcv, uint64_t badge);

#endif
