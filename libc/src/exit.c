/* Ending a program: init tears a program it started down; the root task,
 * which nobody tears down, stops its thread. */
#include <stdnoreturn.h>
#include <abi/cap.h>
#include <mica/init.h>
#include <mica/start.h>
#include <mica/syscall.h>

noreturn void _exit(int status);

noreturn void _exit(int status)
{
	if (start_info)
		init_exit(status);
	for (;;)
		sys_thread_stop(SLOT_SELF_THREAD);
}
