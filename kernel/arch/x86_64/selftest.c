/*
 * Deliberate kernel exceptions, reached only through the boot command-line
 * flag mica.test.fault=KIND, which is reserved for the test suite.
 */
#include <stdint.h>
#include <klib.h>
#include <console.h>
#include <arch/selftest.h>

/* Whether the command-line value at v is exactly word. */
static int value_is(const char *v, const char *word)
{
	size_t n = cmdline_value_len(v);

	return n == strlen(word) && strncmp(v, word, n) == 0;
}

void selftest_fault(const char *kind)
{
	int len = (int)cmdline_value_len(kind);

	kprintf("selftest: raising a kernel '%.*s' fault on purpose\n", len, kind);
	if (value_is(kind, "pf")) {
		/* The user half has no mappings in the kernel's tables. */
		*(volatile uint64_t *)0x1000 = 0xDEAD;
	} else if (value_is(kind, "gp")) {
		(void)*(volatile uint64_t *)0x8000000000000000ull;  /* non-canonical */
	} else if (value_is(kind, "ud")) {
		__asm__ volatile("ud2");
	} else if (value_is(kind, "de")) {
		/* In assembly: the compiler may rewrite a C division by zero. */
		__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
	}
	kprintf("selftest: unknown fault kind '%.*s'\n", len, kind);
}
