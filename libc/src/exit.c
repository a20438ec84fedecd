/* Ending a program. */
#include <abi/cap.h>
#include <mica/syscall.h>

void _exit(int status);

/* Stops the calling thread. Until tasks can be destroyed the status goes
 * nowhere; a supervisor notices the stop. */
void _exit(int status)
{
	(void)status;
	for (;;)
		sys_thread_stop(SLOT_SELF_THREAD);
}
