/*
 * Entry and exit, and the calls that touch no capability but the debug
 * console: SYS_NULL, unknown numbers, the register convention, SYS_YIELD,
 * SYS_KERNEL_INFO (and the kernel info page), SYS_DEBUG_WRITE.
 */
#include "abi.h"
#include <abi/version.h>

/* SYS_NULL answers E_OK and ignores its argument registers. */
void test_null(void)
{
	EXPECT_ERR(sys_null(), E_OK);
	EXPECT_ERR(mica_syscall(SYS_NULL, ~0ull, 1, 2, 3, 4, 5, NULL), E_OK);
	EXPECT_ERR(mica_syscall(SYS_NULL, 0xffffffff80000000ull, USER_END, 0, ~0ull, 64, 1ull << 63,
				NULL), E_OK);
}

/* Every number outside the table is E_NOSYS: no truncation to 32 bits
 * (1 << 32 | SYS_YIELD must not be a yield), no sign confusion. */
void test_nosys(void)
{
	static const uint64_t bad[] = {
		SYS_NSYSCALLS, SYS_NSYSCALLS + 1, 1000, 0x7fffffffull, 0x80000000ull,
		0xffffffffull, 1ull << 32, (1ull << 32) | SYS_NULL, (1ull << 32) | SYS_YIELD,
		(1ull << 32) | SYS_DEBUG_WRITE, ~0ull, 1ull << 63, (1ull << 63) | SYS_NULL,
	};

	static const char text[] = "abi: (nosys: this line must not appear)\n";

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("nr", bad[i]);
		EXPECT_ERR(mica_syscall(bad[i], SLOT_DEBUG_CONSOLE, (uint64_t)(uintptr_t)text,
					sizeof text - 1, 0, 0, 0, NULL), E_NOSYS);
	}
}

/*
 * The register convention (docs/abi.md): RCX and R11 are the instruction's;
 * results come back only in the registers the call names; every other
 * register is preserved, whatever the call answers.
 */
static void probe(uint64_t nr, long want, unsigned first_kept, const char *what)
{
	uint64_t in[12], out[12];
	static const char *const names[12] = {
		"rdi", "rsi", "rdx", "r10", "r8", "r9", "rbx", "rbp", "r12", "r13", "r14", "r15",
	};
	static char buf[16];
	long e;

	for (unsigned i = 0; i < 12; i++)
		in[i] = 0x0123456789abcdefull ^ (0x1111111111111111ull * (i + 1));
	/* where a call needs real arguments, give them */
	if (nr == SYS_CAP_INFO) {
		in[0] = SLOT_DEBUG_CONSOLE;
	} else if (nr == SYS_DEBUG_WRITE) {
		in[0] = SLOT_DEBUG_CONSOLE;
		in[1] = (uint64_t)(uintptr_t)buf;
		in[2] = 0;
	} else if (nr == SYS_CAP_DELETE) {
		in[0] = S(30);  /* empty: an error */
	}
	e = syscall_probe(nr, in, out);
	ctx_set(what, nr);
	EXPECT_ERR(e, want);
	for (unsigned i = first_kept; i < 12; i++) {
		if (out[i] != in[i]) {
			FAIL(names[i]);
			break;
		}
	}
	if (nr == SYS_CAP_INFO) {
		EXPECT_EQ(out[0], CAP_DEBUG_CONSOLE);
		EXPECT_EQ(out[1], RIGHT_WRITE);
		EXPECT_EQ(out[2], 0);
	}
}

void test_regs_preserved(void)
{
	probe(SYS_NULL, E_OK, 0, "null: all preserved");
	probe(SYS_NSYSCALLS, E_NOSYS, 0, "nosys: all preserved");
	probe(SYS_YIELD, E_OK, 0, "yield: all preserved");
	probe(SYS_DEBUG_WRITE, E_OK, 0, "debug_write: all preserved");
	probe(SYS_CAP_DELETE, E_CAP_EMPTY, 0, "failed call: all preserved");
	probe(SYS_KERNEL_INFO, E_OK, 3, "kernel_info: r10.. preserved");
	probe(SYS_CAP_INFO, E_OK, 3, "cap_info: r10.. preserved");
}

void test_yield(void)
{
	for (int i = 0; i < 10; i++)
		EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_ERR(mica_syscall(SYS_YIELD, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, NULL), E_OK);
}

/* Plausible numbers, consistent with the memory map of the KIP; and the
 * KIP itself says what it should. */
void test_kernel_info(void)
{
	struct kinfo a, b;
	uint64_t usable = 0;
	const struct kip *k = the_kip;

	EXPECT_ERR(sys_kernel_info(&a.free, &a.used, &a.limit), E_OK);
	EXPECT(a.free > 0);
	EXPECT(a.limit > 0);
	EXPECT(a.used > 0);     /* the suite's own task, stack, tables */
	EXPECT(a.used <= a.limit);
	EXPECT(a.used % 64 == 0);
	b = kinfo();
	EXPECT_EQ(b.free, a.free);      /* asking costs nothing */
	EXPECT_EQ(b.used, a.used);
	EXPECT_EQ(b.limit, a.limit);

	EXPECT_EQ(k->magic, KIP_MAGIC);
	EXPECT_EQ(k->abi_major, MICA_ABI_VERSION_MAJOR);
	EXPECT_EQ(k->abi_minor, MICA_ABI_VERSION_MINOR);
	EXPECT(k->ncpus >= 1);
	EXPECT(k->nregions >= 1 && k->nregions <= KIP_MAX_REGIONS);
	EXPECT(k->nmodules >= 1 && k->nmodules <= KIP_MAX_MODULES);
	if (k->nmodules >= 1)
		EXPECT(k->modules[0].cmdline[0] == 'a' && k->modules[0].cmdline[1] == 'b' &&
		       k->modules[0].cmdline[2] == 'i' && k->modules[0].cmdline[3] == '\0');
	for (uint32_t i = 0; i < k->nregions && i < KIP_MAX_REGIONS; i++)
		if (k->regions[i].type == 1)
			usable += k->regions[i].len;
	EXPECT(a.free * PAGE <= usable);
	EXPECT(a.limit <= usable);
}

/* Good writes: the text appears (the guest case requires these lines). */
void test_debug_write_ok(void)
{
	static const char odd[] __attribute__((aligned(8))) =
		"Xabi: (debug_write) from an odd address\n";
	static char two_pages[2 * PAGE] __attribute__((aligned(4096)));
	static const char across[] = "abi: (debug_write) across a page boundary\n";
	static const char head[] = "abi: (debug_write) 1024 bytes: ";
	static const char tail[] = " end\n";
	static char big[DEBUG_WRITE_MAX];
	static const char magic[] = "abi: (debug_write) kip magic: ";
	char *p;
	unsigned i;

	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, "", 0), E_OK);
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, odd, 0), E_OK);
	EXPECT(((uintptr_t)(odd + 1) & 1) == 1);
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, odd + 1, sizeof odd - 2), E_OK);

	/* a buffer that starts 20 bytes before a page boundary */
	p = two_pages + PAGE - 20;
	for (i = 0; i < sizeof across - 1; i++)
		p[i] = across[i];
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, p, sizeof across - 1), E_OK);

	/* exactly the limit */
	for (i = 0; i < sizeof head - 1; i++)
		big[i] = head[i];
	for (; i < DEBUG_WRITE_MAX - (sizeof tail - 1); i++)
		big[i] = '.';
	for (unsigned j = 0; j < sizeof tail - 1; j++)
		big[i++] = tail[j];
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, big, DEBUG_WRITE_MAX), E_OK);

	/* from a read-only page: the KIP's magic reads "IMCAKIP" */
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, magic, sizeof magic - 1), E_OK);
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, the_kip, 7), E_OK);
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, "\n", 1), E_OK);
}

/* Longer than the limit: E_INVAL, whatever the upper bits say. */
void test_debug_write_inval(void)
{
	static char buf[2 * DEBUG_WRITE_MAX];
	static const uint64_t lens[] = {
		DEBUG_WRITE_MAX + 1, 2 * DEBUG_WRITE_MAX, 1ull << 32, (1ull << 32) + 5,
		1ull << 63, ~0ull,
	};

	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		ctx_set("len", lens[i]);
		buf[0] = '!';
		EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, buf, lens[i]), E_INVAL);
	}
}

/* Pointers that do not designate readable user memory: E_FAULT, nothing printed. */
void test_debug_write_fault(void)
{
	const struct {
		uint64_t buf, len;
	} bad[] = {
		{ 0xffffffff80000000ull, 16 },          /* kernel image */
		{ 0xffffffff80100000ull, 1 },
		{ 0xffff800000000000ull, 16 },          /* direct map */
		{ 0xffff800000100000ull, DEBUG_WRITE_MAX },
		{ USER_END, 16 },                       /* non-canonical */
		{ 0x8000000000000000ull, 16 },
		{ 0x0000900000000000ull, 1 },
		{ 0x10000000ull, 16 },                  /* unmapped user page */
		{ 0x3ff000ull, 8 },                     /* just below the program */
		{ 0, 16 },                              /* null */
		{ 0, 1 },
		{ ~0ull - 7, 16 },                      /* wraps around 2^64 */
		{ ~0ull, 2 },
		{ ~0ull - DEBUG_WRITE_MAX + 2, DEBUG_WRITE_MAX },
		{ USER_END - 0x100, 0x101 },            /* crosses USER_END */
		{ USER_END - DEBUG_WRITE_MAX + 1, DEBUG_WRITE_MAX },
		{ USER_END - 8, 16 },
		{ USER_END - 1, 2 },
		/* the UTCB is mapped, the guard page above it is not */
		{ (uint64_t)(uintptr_t)the_utcb + PAGE - 8, 16 },
		{ (uint64_t)(uintptr_t)the_utcb + PAGE, 1 },
	};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("buf", bad[i].buf);
		EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, (const void *)(uintptr_t)bad[i].buf,
					   bad[i].len), E_FAULT);
	}
}
