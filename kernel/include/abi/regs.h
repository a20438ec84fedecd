/*
 * A thread's user registers as SYS_THREAD_READ_REGS and
 * SYS_THREAD_WRITE_REGS exchange them. Writing checks them: RIP and RSP
 * must be canonical user addresses, and of RFLAGS only the arithmetic
 * flags, TF, DF and AC are taken (IF stays on, IOPL stays 0).
 */
#ifndef ABI_REGS_H
#define ABI_REGS_H

#include <stdint.h>

struct mica_regs {
	uint64_t rip, rsp, rflags;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

#endif
