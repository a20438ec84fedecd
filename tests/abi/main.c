/*
 * The kernel ABI suite, loaded as the root task of build/abi.iso.
 * (Placeholder: the suite is being written.)
 */
#include <stdint.h>
#include <abi/cap.h>
#include <abi/kip.h>
#include <mica/syscall.h>

int main(const struct kip *kip, void *utcb);

int main(const struct kip *kip, void *utcb)
{
	static const char msg[] = "abi: 0 passed, 0 failed\n";

	(void)kip;
	(void)utcb;
	sys_debug_write(SLOT_DEBUG_CONSOLE, msg, sizeof msg - 1);
	return 0;
}
