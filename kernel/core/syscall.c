/* The system-call table (xv6 syscall.c): designated initialisers, bounds-checked. */
#include <syscall.h>
#include <abi/errno.h>
#include <abi/syscall.h>
#include <arch/trap.h>

static const syscall_fn syscalls[SYS_NSYSCALLS] = {
	[SYS_NULL] = sys_null,
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_THREAD_STOP] = sys_thread_stop,
};

void syscall_dispatch(struct trap_frame *f)
{
	uint64_t n = sys_number(f);

	if (n >= SYS_NSYSCALLS || !syscalls[n]) {
		sys_set_error(f, E_NOSYS);
		return;
	}
	sys_set_error(f, (uint64_t)syscalls[n](f));
}

int sys_null(struct trap_frame *f)
{
	(void)f;
	return E_OK;
}
