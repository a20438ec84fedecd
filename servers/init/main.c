/*
 * init, the root task. For now it shows that user mode works: it reads
 * the kernel info page and greets on the kernel debug console. Loading the
 * boot manifest's servers, paging and supervision come with user space.
 */
#include <stdint.h>
#include <abi/cap.h>
#include <abi/kip.h>
#include <mica/syscall.h>

int main(const struct kip *kip, void *utcb);

static uint64_t length(const char *s)
{
	uint64_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys_debug_write(SLOT_DEBUG_CONSOLE, s, length(s));
}

int main(const struct kip *kip, void *utcb)
{
	(void)utcb;
	if (kip->magic != KIP_MAGIC) {
		say("init: the kernel info page is missing\n");
		return 1;
	}
	say("init: hello from user mode\n");
	return 0;
}
