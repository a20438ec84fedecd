/*
 * System-call stubs over the kernel ABI (<abi/syscall.h>): SYSCALL with the
 * number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9, the error code
 * back in RAX; RCX and R11 are clobbered by the instruction.
 */
#ifndef MICA_SYSCALL_H
#define MICA_SYSCALL_H

#include <stdint.h>
#include <abi/syscall.h>

static inline long mica_syscall3(long n, uint64_t a0, uint64_t a1, uint64_t a2)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys_null(void)
{
	return mica_syscall3(SYS_NULL, 0, 0, 0);
}

static inline long sys_debug_write(uint64_t cap, const void *buf, uint64_t len)
{
	return mica_syscall3(SYS_DEBUG_WRITE, cap, (uint64_t)buf, len);
}

static inline long sys_thread_stop(uint64_t cap)
{
	return mica_syscall3(SYS_THREAD_STOP, cap, 0, 0);
}

#endif
