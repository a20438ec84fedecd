/*
 * The kernel debug console as a capability: whoever holds one with the
 * write right may print on the kernel's console. init gets it at boot; the
 * console server replaces it for everything but early output and panics.
 */
#include <console.h>
#include <syscall.h>
#include <uaccess.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <obj/task.h>
#include <obj/thread.h>

/* One call's limit: several lines, copied whole so that a bad pointer
 * prints nothing rather than a prefix. */
#define DEBUG_WRITE_MAX 1024u

/* The object a debug-console capability points at; it has no state. */
struct debug_console { int unused; } debug_console;

/* SYS_DEBUG_WRITE(cap, buf, len): E_CAP_*, E_INVAL (len too long), E_FAULT. */
int sys_debug_write(struct trap_frame *f)
{
	struct thread *self = thread_current();
	uint64_t buf = sys_arg1(f), len = sys_arg2(f);
	struct cap *cap;
	char text[DEBUG_WRITE_MAX];
	int err;

	err = cap_lookup(&self->task->cspace, sys_arg0(f), CAP_DEBUG_CONSOLE, RIGHT_WRITE, &cap);
	if (err != E_OK)
		return err;
	if (len > DEBUG_WRITE_MAX)
		return E_INVAL;
	if ((err = copy_from_user(text, buf, len)) != E_OK)
		return err;
	console_write(text, len);
	return E_OK;
}
