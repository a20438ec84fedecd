/*
 * Which register holds which system-call argument, written once (NOVA's
 * abi.hpp): RDI, RSI, RDX, R10, R8, R9 in, RAX out (abi/syscall.h).
 */
#ifndef ARCH_SYSCALL_ARGS_H
#define ARCH_SYSCALL_ARGS_H

#include <stdint.h>
#include <arch/trap.h>

static inline uint64_t sys_number(const struct trap_frame *f) { return f->rax; }
static inline uint64_t sys_arg0(const struct trap_frame *f) { return f->rdi; }
static inline uint64_t sys_arg1(const struct trap_frame *f) { return f->rsi; }
static inline uint64_t sys_arg2(const struct trap_frame *f) { return f->rdx; }
static inline uint64_t sys_arg3(const struct trap_frame *f) { return f->r10; }
static inline uint64_t sys_arg4(const struct trap_frame *f) { return f->r8; }
static inline uint64_t sys_arg5(const struct trap_frame *f) { return f->r9; }
static inline void sys_set_error(struct trap_frame *f, uint64_t e) { f->rax = e; }

/* Results 0, 1, 2 come back in RDI, RSI, RDX. */
static inline void sys_set_result(struct trap_frame *f, int n, uint64_t v)
{
	*(n == 0 ? &f->rdi : n == 1 ? &f->rsi : &f->rdx) = v;
}

#endif
