/*
 * Where IPC puts things in a thread's saved registers (abi/ipc.h): the
 * endpoint or badge in RDI, the tag in RSI, message words 0..7 in RDX,
 * R8, R9, R10, R12, R13, R14, R15, the error code in RAX.
 */
#ifndef ARCH_IPC_REGS_H
#define ARCH_IPC_REGS_H

#include <stddef.h>
#include <stdint.h>
#include <abi/ipc.h>
#include <arch/trap.h>

static inline uint64_t *ipc_word(struct trap_frame *f, unsigned i)
{
	static const uint8_t offset[IPC_REG_WORDS] = {
		offsetof(struct trap_frame, rdx), offsetof(struct trap_frame, r8),
		offsetof(struct trap_frame, r9), offsetof(struct trap_frame, r10),
		offsetof(struct trap_frame, r12), offsetof(struct trap_frame, r13),
		offsetof(struct trap_frame, r14), offsetof(struct trap_frame, r15),
	};

	return (uint64_t *)((uint8_t *)f + offset[i]);
}

/* No message: badge, tag and words 0. */
static inline void ipc_clear_msg(struct trap_frame *f)
{
	f->rdi = f->rsi = 0;
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*ipc_word(f, i) = 0;
}

static inline uint64_t ipc_tag(const struct trap_frame *f) { return f->rsi; }
static inline void ipc_set_tag(struct trap_frame *f, uint64_t tag) { f->rsi = tag; }
static inline void ipc_set_badge(struct trap_frame *f, uint64_t badge) { f->rdi = badge; }
static inline void ipc_set_error(struct trap_frame *f, uint64_t e) { f->rax = e; }

#endif
