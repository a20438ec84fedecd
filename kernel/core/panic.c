/* panic(): report a broken kernel invariant and stop this CPU for good. */
#include <stdarg.h>
#include <console.h>
#include <panic.h>
#include <arch/cpu.h>

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	kprintf("\nPANIC: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	for (;;)
		cpu_halt();
}
