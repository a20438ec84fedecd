/*
 * The benchmark image's root task (build/bench.iso, make bench): every
 * operation of the harness, its lines on the kernel's debug console.
 */
#include <abi/cap.h>
#include <mica/syscall.h>
#include "bench.h"

int main(void);

static void debug_write(const char *text, size_t len)
{
	sys_debug_write(SLOT_DEBUG_CONSOLE, text, len);
}

int main(void)
{
	return bench_run_all(debug_write) == E_OK ? 0 : 1;
}
