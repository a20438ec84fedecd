/*
 * init, the root task. For now it shows that user mode works: it reads
 * the kernel info page, greets on the kernel debug console and looks at
 * its own boot module through its window on physical memory. Loading the
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
	/* sigma0: the physical window shows init its own boot module. */
	if (kip->nmodules > 0) {
		const uint8_t *image = (const uint8_t *)(kip->phys_window + kip->modules[0].base);

		if (image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' && image[3] == 'F')
			say("init: module 0 seen through the physical window is an ELF image\n");
		else
			say("init: module 0 through the physical window is not what the KIP says\n");
	}
	return 0;
}
