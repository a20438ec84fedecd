/*
 * System-call numbers and the register convention (docs/abi.md).
 *
 * SYSCALL with the number in RAX and arguments in RDI, RSI, RDX, R10, R8,
 * R9 (RCX and R11 are taken by the instruction itself). The error code
 * (abi/errno.h) comes back in RAX, results in the argument registers the
 * call's description names. Every other register is preserved.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

enum mica_syscall {
	SYS_NULL = 0,           /* does nothing: the entry/exit cost */
	SYS_DEBUG_WRITE = 1,    /* (cap, buf, len): text to the kernel debug console */
	SYS_THREAD_STOP = 2,    /* (cap): stop the thread; it keeps its state */
	SYS_NSYSCALLS
};

#endif
