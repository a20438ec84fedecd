/*
 * Deliberate kernel exceptions, reached only through the boot command-line
 * flag mica.test.fault=KIND, which is reserved for the test suite.
 */
#include <stdint.h>
#include <klib.h>
#include <console.h>
#include <arch/selftest.h>

void selftest_fault(const char *kind)
{
	kprintf("selftest: raising a kernel '%s' fault on purpose\n", kind);
	if (strncmp(kind, "pf", 2) == 0) {
		/* The user half has no mappings in the kernel's tables. */
		*(volatile uint64_t *)0x1000 = 0xDEAD;
	} else if (strncmp(kind, "gp", 2) == 0) {
		(void)*(volatile uint64_t *)0x8000000000000000ull;  /* non-canonical */
	} else if (strncmp(kind, "ud", 2) == 0) {
		__asm__ volatile("ud2");
	} else if (strncmp(kind, "de", 2) == 0) {
		/* In assembly: the compiler may rewrite a C division by zero. */
		__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
	}
	kprintf("selftest: unknown fault kind '%s'\n", kind);
}
