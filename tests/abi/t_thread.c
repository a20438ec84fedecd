/*
 * Threads: configuration, registers, start and stop, death with their
 * task, user exceptions, and the scheduler (priorities, round robin,
 * preemption by the timer, yield), and the FPU state each thread owns.
 *
 * The threads run in the suite's own task (they share its address space):
 * their entry points are functions of this program and their stacks the
 * static arrays of util.c. A thread never returns: it ends by stopping
 * itself, or by a fault on purpose, and the test deletes it.
 */
#include "abi.h"

/* ------------------------------------------------------------ assembly entries */

/* Bumped by each faulting entry just before its faulting instruction. */
volatile uint64_t fault_flag;

/* The spinner's counter, its verdict, and the values it keeps in 15 registers. */
volatile uint64_t spin_count, spin_bad;
const uint64_t spin_pattern[15] = {
	0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
	0x4444444444444444ull, 0x5555555555555555ull, 0x6666666666666666ull,
	0x7777777777777777ull, 0x8888888888888888ull, 0x9999999999999999ull,
	0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull, 0xccccccccccccccccull,
	0xddddddddddddddddull, 0xeeeeeeeeeeeeeeeeull, 0xfedcba9876543210ull,
};

void ud2_entry(void);
void pf_null_entry(void);
void pf_text_entry(void);
void pf_kernel_entry(void);
void gp_hlt_entry(void);
void gp_int_entry(void);
void de_entry(void);
void reg_spinner(void);
extern const char ud2_insn[], pf_null_insn[], pf_text_insn[], gp_hlt_insn[],
	gp_int_insn[], de_insn[];

#define FAULT_ENTRY(name, body) \
	".globl " #name "_entry\n" #name "_entry:\n" \
	"	incq fault_flag(%rip)\n" body "\n" \
	"9:	jmp 9b\n"

__asm__(
	".text\n"
	/* #UD */
	FAULT_ENTRY(ud2, ".globl ud2_insn\nud2_insn: ud2")
	/* #PF: a write near address 0 */
	FAULT_ENTRY(pf_null, ".globl pf_null_insn\npf_null_insn: movq $42, 0x10")
	/* #PF: a write to the program's own (read-only) code */
	FAULT_ENTRY(pf_text, ".globl pf_text_insn\npf_text_insn: movq $42, pf_text_entry(%rip)")
	/* #PF: a jump into the kernel's half */
	FAULT_ENTRY(pf_kernel, "movabs $0xffffffff80100000, %rax\njmp *%rax")
	/* #GP: a privileged instruction */
	FAULT_ENTRY(gp_hlt, ".globl gp_hlt_insn\ngp_hlt_insn: hlt")
	/* #GP: a software interrupt through a kernel-only gate (the timer's) */
	FAULT_ENTRY(gp_int, ".globl gp_int_insn\ngp_int_insn: int $0xf0")
	/* #DE */
	FAULT_ENTRY(de, "xor %ecx, %ecx\nxor %edx, %edx\nmov $1, %eax\n"
		    ".globl de_insn\nde_insn: div %ecx")

	/*
	 * Spins forever without a system call, with 15 registers holding
	 * spin_pattern, checking them on every round: a preemption that
	 * loses or mixes up a register sets spin_bad.
	 */
	".globl reg_spinner\n"
	"reg_spinner:\n"
	"	mov spin_pattern+0(%rip), %rax\n"
	"	mov spin_pattern+8(%rip), %rbx\n"
	"	mov spin_pattern+16(%rip), %rcx\n"
	"	mov spin_pattern+24(%rip), %rdx\n"
	"	mov spin_pattern+32(%rip), %rsi\n"
	"	mov spin_pattern+40(%rip), %rdi\n"
	"	mov spin_pattern+48(%rip), %rbp\n"
	"	mov spin_pattern+56(%rip), %r8\n"
	"	mov spin_pattern+64(%rip), %r9\n"
	"	mov spin_pattern+72(%rip), %r10\n"
	"	mov spin_pattern+80(%rip), %r11\n"
	"	mov spin_pattern+88(%rip), %r12\n"
	"	mov spin_pattern+96(%rip), %r13\n"
	"	mov spin_pattern+104(%rip), %r14\n"
	"	mov spin_pattern+112(%rip), %r15\n"
	"1:	incq spin_count(%rip)\n"
	"	cmp spin_pattern+0(%rip), %rax\n"
	"	jne 2f\n"
	"	cmp spin_pattern+8(%rip), %rbx\n"
	"	jne 2f\n"
	"	cmp spin_pattern+16(%rip), %rcx\n"
	"	jne 2f\n"
	"	cmp spin_pattern+24(%rip), %rdx\n"
	"	jne 2f\n"
	"	cmp spin_pattern+32(%rip), %rsi\n"
	"	jne 2f\n"
	"	cmp spin_pattern+40(%rip), %rdi\n"
	"	jne 2f\n"
	"	cmp spin_pattern+48(%rip), %rbp\n"
	"	jne 2f\n"
	"	cmp spin_pattern+56(%rip), %r8\n"
	"	jne 2f\n"
	"	cmp spin_pattern+64(%rip), %r9\n"
	"	jne 2f\n"
	"	cmp spin_pattern+72(%rip), %r10\n"
	"	jne 2f\n"
	"	cmp spin_pattern+80(%rip), %r11\n"
	"	jne 2f\n"
	"	cmp spin_pattern+88(%rip), %r12\n"
	"	jne 2f\n"
	"	cmp spin_pattern+96(%rip), %r13\n"
	"	jne 2f\n"
	"	cmp spin_pattern+104(%rip), %r14\n"
	"	jne 2f\n"
	"	cmp spin_pattern+112(%rip), %r15\n"
	"	jne 2f\n"
	"	jmp 1b\n"
	"2:	movq $1, spin_bad(%rip)\n"
	"3:	jmp 3b\n"
);

/* ------------------------------------------------------------ C entries */

/* Stops itself whenever it runs. */
static noreturn void parked(uint64_t self, uint64_t unused)
{
	(void)unused;
	for (;;)
		sys_thread_stop(self);
}

static volatile uint64_t run_count, stop_ret, got_args[6];

/* Records the six argument registers it was started with, then stops
 * itself; each restart counts and records what its stop answered. */
static noreturn void runner6(uint64_t self, uint64_t a1, uint64_t a2, uint64_t a3,
			     uint64_t a4, uint64_t a5)
{
	got_args[0] = self;
	got_args[1] = a1;
	got_args[2] = a2;
	got_args[3] = a3;
	got_args[4] = a4;
	got_args[5] = a5;
	run_count++;
	for (;;) {
		stop_ret = (uint64_t)sys_thread_stop(self);
		run_count++;
	}
}

static volatile uint64_t sd_flag, sd_ret;

/* Deletes its own (last) capability: it must never come back from that. */
static noreturn void self_deleter(uint64_t self, uint64_t unused)
{
	(void)unused;
	sd_flag = 1;
	sd_ret = (uint64_t)sys_cap_delete(self);
	sd_flag = 2;
	for (;;)
		sys_yield();
}

static volatile uint64_t repaired_flag;

static noreturn void repaired(uint64_t self, uint64_t value)
{
	repaired_flag = value;
	parked(self, 0);
}

static volatile char order_log[8];
static volatile uint64_t order_n;

/* Logs its letter, yields, logs it again, stops. */
static noreturn void order_fn(uint64_t self, uint64_t letter)
{
	order_log[order_n++ & 7] = (char)letter;
	sys_yield();
	order_log[order_n++ & 7] = (char)letter;
	parked(self, 0);
}

static volatile uint64_t low_flag, low_after, low_ret;

/* The low-priority thread: sets its flag, restarts the main thread
 * (main_cap), notes that it went on, stops itself. */
static noreturn void low_fn(uint64_t main_cap, uint64_t self)
{
	low_flag = 1;
	low_ret = (uint64_t)sys_thread_start(main_cap);
	low_after = 1;
	parked(self, 0);
}

static volatile uint64_t fpu_step, fpu_first, fpu_second;

/* Records XMM0 as it starts (it must not see another thread's value),
 * sets its own, yields, and records XMM0 again (it must be its own). */
static noreturn void fpu_fn(uint64_t self, uint64_t value)
{
	fpu_first = fpu_get_xmm0();
	fpu_set_xmm0(value);
	fpu_step = 1;
	sys_yield();
	fpu_second = fpu_get_xmm0();
	fpu_step = 2;
	parked(self, 0);
}

/* ------------------------------------------------------------ helpers */

static const char *const reg_names[18] = {
	"rip", "rsp", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
_Static_assert(sizeof(struct mica_regs) == 18 * 8, "18 registers");

/* Expects the registers of got to equal want, field by field. */
static void expect_regs(const struct mica_regs *got, const struct mica_regs *want, int line)
{
	const uint64_t *g = (const uint64_t *)got, *w = (const uint64_t *)want;

	for (int i = 0; i < 18; i++) {
		if (g[i] == w[i])
			continue;
		expect_eq(g[i], w[i], reg_names[i], line);
	}
}

static int reads_back(uint64_t slot, const struct mica_regs *want, int line)
{
	struct mica_regs r;

	if (!expect_err(sys_thread_read_regs(slot, &r), E_OK, "read_regs", line))
		return 0;
	expect_regs(&r, want, line);
	return 1;
}
#define EXPECT_REGS(slot, want) reads_back((slot), (want), __LINE__)

/*
 * Runs entry as a thread of ours at our priority and expects it to stop
 * with a fault whose instruction pointer is ip, its stack untouched; then
 * deletes it. (The kernel's "fault:" line is for the guest case to see.)
 */
static void expect_fault(const void *entry, uint64_t ip, int line)
{
	uint64_t before = fault_flag;
	struct mica_regs r;

	if (!expect_err(thread_new(S(0), entry, 0, 0, 0, ROOT_PRIORITY, 2), E_OK, "thread_new", line))
		return;
	expect_err(sys_thread_start(S(0)), E_OK, "start", line);
	yield_until(&fault_flag, before + 1, 1000);
	/* a few more turns, in case a tick came between the flag and the fault */
	for (int i = 0; i < 3; i++)
		sys_yield();
	expect_eq(fault_flag, before + 1, "entries run", line);
	if (expect_err(sys_thread_read_regs(S(0), &r), E_OK, "read_regs", line)) {
		expect_eq(r.rip, ip, "rip at the fault", line);
		expect_eq(r.rsp, stack_top(0) - 8, "rsp at the fault", line);
	}
	/* stopped, not runnable: start answers E_OK (at priority 0 it will not run) */
	expect_err(sys_thread_config(S(0), 0, 1), E_OK, "config", line);
	expect_err(sys_thread_start(S(0)), E_OK, "start after the fault", line);
	expect_err(sys_cap_delete(S(0)), E_OK, "delete", line);
}
#define EXPECT_FAULT(entry, ip) expect_fault((const void *)(entry), (uint64_t)(ip), __LINE__)

/* ------------------------------------------------------------ tests */

/*
 * UTCB and fault endpoints: every argument checked; the thread holds
 * derived copies, so its endpoint outlives the caller's capability until
 * the thread goes or the caller revokes.
 */
void test_thread_config_ipc(void)
{
	uint64_t frames, used0, used1, limit;

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0x10000, CAP_NONE, CAP_NONE), E_OK);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0x10001, CAP_NONE, CAP_NONE), E_ALIGN);
	EXPECT_ERR(sys_thread_config_ipc(S(0), KIP_ADDR, CAP_NONE, CAP_NONE), E_RANGE);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0xffffffff80000000ull, CAP_NONE, CAP_NONE), E_RANGE);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0, SLOT_SELF_TASK, CAP_NONE), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0, CAP_NONE, S(30)), E_CAP_EMPTY);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0, 1ull << 40, CAP_NONE), E_CAP_RANGE);
	EXPECT_ERR(sys_thread_config_ipc(SLOT_SELF_TASK, 0, CAP_NONE, CAP_NONE), E_CAP_TYPE);
	if (EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK)) {
		EXPECT_ERR(sys_thread_config_ipc(S(0), 0, S(2), CAP_NONE), E_CAP_RIGHTS);
		sys_cap_delete(S(2));
	}

	/* the thread's copy keeps the endpoint alive past our capability */
	sys_kernel_info(&frames, &used0, &limit);
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0, S(1), S(1)), E_OK);
	EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	sys_kernel_info(&frames, &used1, &limit);
	EXPECT_EQ(used1, used0);
	/* replacing them with nothing lets it go */
	EXPECT_ERR(sys_thread_config_ipc(S(0), 0, CAP_NONE, CAP_NONE), E_OK);
	sys_kernel_info(&frames, &used1, &limit);
	EXPECT(used1 < used0);

	/* revoking our capability takes the thread's copy away */
	if (EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK)) {
		sys_kernel_info(&frames, &used0, &limit);
		EXPECT_ERR(sys_thread_config_ipc(S(0), 0, S(1), CAP_NONE), E_OK);
		EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
		sys_kernel_info(&frames, &used1, &limit);
		EXPECT(used1 < used0);
	}
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/* Priority up to the caller's own, slice 1..255 ticks; checked in full. */
void test_thread_config(void)
{
	static const uint64_t bad_prio[] = {
		ROOT_PRIORITY + 1, 255, 256, (1ull << 32) + 5, (1ull << 32) + ROOT_PRIORITY, ~0ull,
	};
	static const uint64_t bad_slice[] = { 0, 256, 1000, 1ull << 32, (1ull << 32) + 2, ~0ull };

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_thread_config(S(0), ROOT_PRIORITY, 2), E_OK);
	EXPECT_ERR(sys_thread_config(S(0), 0, 1), E_OK);
	EXPECT_ERR(sys_thread_config(S(0), 127, 255), E_OK);
	for (unsigned i = 0; i < sizeof bad_prio / sizeof bad_prio[0]; i++) {
		ctx_set("priority", bad_prio[i]);
		EXPECT_ERR(sys_thread_config(S(0), bad_prio[i], 2), E_INVAL);
		EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, bad_prio[i], 2), E_INVAL);
	}
	for (unsigned i = 0; i < sizeof bad_slice / sizeof bad_slice[0]; i++) {
		ctx_set("slice", bad_slice[i]);
		EXPECT_ERR(sys_thread_config(S(0), 100, bad_slice[i]), E_INVAL);
		EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, bad_slice[i]), E_INVAL);
	}
	ctx_clear();
	/* our own, unchanged: the root thread's priority and default slice */
	EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, 2), E_OK);
	sys_cap_delete(S(0));
}

/* RIP and RSP must be user addresses; a refused write changes nothing;
 * a thread cannot write its own registers. */
void test_write_regs_inval(void)
{
	static const uint64_t bad[] = {
		USER_END, USER_END + 1, 0x0000900000000000ull, 0x8000000000000000ull,
		0xffff800000000000ull, 0xffffffff80000000ull, ~0ull,
	};
	struct mica_regs g, r;

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	regs_for(&g, (const void *)parked, 0, S(0), 0);
	g.rax = 0x1234;
	EXPECT_ERR(sys_thread_write_regs(S(0), &g), E_OK);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("address", bad[i]);
		r = g;
		r.rip = bad[i];
		r.rax = 0xdead;
		EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_INVAL);
		r = g;
		r.rsp = bad[i];
		r.rbx = 0xdead;
		EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_INVAL);
	}
	ctx_clear();
	EXPECT_REGS(S(0), &g);
	/* the edges of user space are fine */
	r = g;
	r.rip = USER_END - 1;
	r.rsp = 0;
	EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_OK);
	r.rip = 0;
	r.rsp = USER_END - 1;
	EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_OK);
	EXPECT_REGS(S(0), &r);
	/* not one's own: the running thread's registers are in use */
	EXPECT_ERR(sys_thread_write_regs(SLOT_SELF_THREAD, &g), E_STATE);
	if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK)) {
		EXPECT_ERR(sys_thread_write_regs(S(1), &g), E_STATE);
		EXPECT_ERR(sys_thread_read_regs(S(1), &r), E_OK);
	}
	EXPECT_ERR(sys_thread_read_regs(SLOT_SELF_THREAD, &r), E_OK);
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/* What write_regs writes, read_regs reads: all 18 registers, RFLAGS filtered. */
void test_regs_roundtrip(void)
{
	static const struct {
		uint64_t in, out;
	} flags[] = {
		{ ~0ull, (~0ull & RFLAGS_USER) | RFLAGS_FIXED },
		{ 0, RFLAGS_FIXED },
		{ RFLAGS_USER, RFLAGS_USER | RFLAGS_FIXED },
		{ 0x3000 | 0x200, RFLAGS_FIXED },                       /* IOPL 3: stays 0 */
		{ 0x200000 | 0x20000 | 0x4000 | 0x100, 0x100 | RFLAGS_FIXED }, /* ID VM NT dropped, TF kept */
		{ 0x40000 | 0x400 | 0x1, 0x40000 | 0x400 | 0x1 | RFLAGS_FIXED }, /* AC DF CF */
	};
	struct mica_regs w = {
		.rip = 0x0000123456789ab0ull, .rsp = 0x00007ffedcba9870ull, .rflags = RFLAGS_USER,
		.rax = 0xfedcba9876543210ull, .rbx = 0x8000000000000001ull, .rcx = ~0ull,
		.rdx = 0, .rsi = 0x0123456789abcdefull, .rdi = 0x1111111111111111ull,
		.rbp = 0x2222222222222222ull, .r8 = 0x3333333333333333ull,
		.r9 = 0x4444444444444444ull, .r10 = 0x5555555555555555ull,
		.r11 = 0x6666666666666666ull, .r12 = 0x7777777777777777ull,
		.r13 = 0x8888888888888888ull, .r14 = 0x9999999999999999ull,
		.r15 = 0xaaaaaaaaaaaaaaaaull,
	};
	struct mica_regs want;

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_thread_write_regs(S(0), &w), E_OK);
	want = w;
	want.rflags = RFLAGS_USER | RFLAGS_FIXED;
	EXPECT_REGS(S(0), &want);
	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		ctx_set("rflags", flags[i].in);
		w.rflags = flags[i].in;
		w.rax++;
		EXPECT_ERR(sys_thread_write_regs(S(0), &w), E_OK);
		want = w;
		want.rflags = flags[i].out;
		EXPECT_REGS(S(0), &want);
	}
	sys_cap_delete(S(0));
}

/* Register buffers that are not user memory: E_FAULT, nothing changed;
 * unaligned buffers are fine; read-only memory can be read, not written. */
void test_regs_fault(void)
{
	static const struct mica_regs ro = {
		.rip = 0x401000, .rsp = 0x7000, .rflags = RFLAGS_FIXED, .rax = 0x42,
	};
	static uint8_t raw[sizeof(struct mica_regs) + 16] __attribute__((aligned(16)));
	const uint64_t bad[] = {
		0xffffffff80000000ull, 0xffff800000000000ull, USER_END, 0x8000000000000000ull,
		0x10000000ull, 0, 8, ~0ull - 7, ~0ull - sizeof(struct mica_regs) + 1,
		USER_END - 8, USER_END - sizeof(struct mica_regs) + 1,
		(uint64_t)(uintptr_t)the_utcb + PAGE - 8,
	};
	struct mica_regs g, r;
	uint8_t *p;

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	regs_for(&g, (const void *)parked, 0, S(0), 0);
	g.r15 = 0x1515;
	EXPECT_ERR(sys_thread_write_regs(S(0), &g), E_OK);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("buf", bad[i]);
		EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)(uintptr_t)bad[i]), E_FAULT);
		EXPECT_ERR(sys_thread_write_regs(S(0), (const struct mica_regs *)(uintptr_t)bad[i]),
			   E_FAULT);
	}
	ctx_clear();
	EXPECT_REGS(S(0), &g);

	/* read-only destinations: the KIP, the program's constants and code */
	EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)(uintptr_t)the_kip), E_FAULT);
	EXPECT_EQ(((const volatile struct kip *)the_kip)->magic, KIP_MAGIC);
	EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)(uintptr_t)&ro), E_FAULT);
	EXPECT_EQ(((const volatile struct mica_regs *)&ro)->rax, 0x42);
	EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)(uintptr_t)test_regs_fault),
		   E_FAULT);
	/* a read-only source is fine */
	EXPECT_ERR(sys_thread_write_regs(S(0), &ro), E_OK);
	EXPECT_REGS(S(0), &ro);
	EXPECT_ERR(sys_thread_write_regs(S(0), &g), E_OK);
	/* so are unaligned buffers, and the UTCB */
	p = raw + 1;
	EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)p), E_OK);
	for (unsigned i = 0; i < sizeof r; i++)
		((uint8_t *)&r)[i] = p[i];
	expect_regs(&r, &g, __LINE__);
	g.rax = 0x7777;
	p = raw + 3;
	for (unsigned i = 0; i < sizeof g; i++)
		p[i] = ((const uint8_t *)&g)[i];
	EXPECT_ERR(sys_thread_write_regs(S(0), (const struct mica_regs *)p), E_OK);
	EXPECT_REGS(S(0), &g);
	EXPECT_ERR(sys_thread_read_regs(S(0), (struct mica_regs *)the_utcb), E_OK);
	sys_cap_delete(S(0));
}

/* Start wants an inactive or stopped thread; stop is fine in any state. */
void test_thread_start_state(void)
{
	if (!EXPECT_ERR(thread_new(S(0), (const void *)parked, 0, S(0), 0, 0, 1), E_OK))
		return;
	/* priority 0: it never runs while we do, so its state is ours to step */
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_thread_start(S(0)), E_STATE);
	EXPECT_ERR(sys_thread_stop(S(0)), E_OK);
	EXPECT_ERR(sys_thread_stop(S(0)), E_OK);
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_thread_config(S(0), 0, 7), E_OK);        /* while runnable */
	EXPECT_ERR(sys_thread_start(S(0)), E_STATE);
	/* a ready thread that is not running: its registers can be set */
	{
		struct mica_regs r;

		regs_for(&r, (const void *)parked, 1, S(0), 0);
		EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_OK);
		EXPECT_REGS(S(0), &r);
	}
	EXPECT_ERR(sys_thread_stop(S(0)), E_OK);
	/* we are running: start of ourselves is E_STATE */
	EXPECT_ERR(sys_thread_start(SLOT_SELF_THREAD), E_STATE);
	sys_cap_delete(S(0));

	/* stop of a thread never started */
	if (EXPECT_ERR(thread_new(S(0), (const void *)parked, 0, S(0), 0, 0, 1), E_OK)) {
		EXPECT_ERR(sys_thread_stop(S(0)), E_OK);
		EXPECT_ERR(sys_thread_start(S(0)), E_OK);
		sys_cap_delete(S(0));
	}
	/* a runnable thread deleted: gone from the ready queue (the leak check
	 * and later tests would notice otherwise) */
	if (EXPECT_ERR(thread_new(S(1), (const void *)parked, 1, S(1), 0, 0, 1), E_OK)) {
		EXPECT_ERR(sys_thread_start(S(1)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	}
}

/* A started thread runs with the registers written; one that stopped itself
 * resumes after its stop call, which answers E_OK. */
void test_thread_runs(void)
{
	struct mica_regs r;

	run_count = stop_ret = 0;
	for (int i = 0; i < 6; i++)
		got_args[i] = 0;
	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	regs_for(&r, (const void *)runner6, 0, S(0), 0x1111111111111111ull);
	r.rdx = 0x2222222222222222ull;
	r.rcx = 0x3333333333333333ull;
	r.r8 = 0x4444444444444444ull;
	r.r9 = 0x5555555555555555ull;
	EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_OK);
	/* ready at priority 0, it does not run while we do ... */
	EXPECT_ERR(sys_thread_config(S(0), 0, 2), E_OK);
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	for (int i = 0; i < 5; i++)
		sys_yield();
	EXPECT_EQ(run_count, 0);
	/* ... raised to ours while ready, it gets its turn at our next yield */
	EXPECT_ERR(sys_thread_config(S(0), ROOT_PRIORITY, 2), E_OK);
	EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_EQ(run_count, 1);
	EXPECT(yield_until(&run_count, 1, 1000) >= 0);
	EXPECT_EQ(got_args[0], S(0));
	EXPECT_EQ(got_args[1], 0x1111111111111111ull);
	EXPECT_EQ(got_args[2], 0x2222222222222222ull);
	EXPECT_EQ(got_args[3], 0x3333333333333333ull);  /* RCX: restored too */
	EXPECT_EQ(got_args[4], 0x4444444444444444ull);
	EXPECT_EQ(got_args[5], 0x5555555555555555ull);
	/* it stopped itself: start resumes it */
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(run_count, 1);
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&run_count, 2, 1000) >= 0);
	EXPECT_ERR(stop_ret, E_OK);
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&run_count, 3, 1000) >= 0);
	/* its stack pointer is in its stack */
	if (EXPECT_ERR(sys_thread_read_regs(S(0), &r), E_OK))
		EXPECT(r.rsp < stack_top(0) && r.rsp >= stack_top(0) - STACK_SIZE);
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
}

/* A thread that deletes its own last capability is gone, and freed. */
void test_thread_self_delete(void)
{
	struct kinfo k0 = kinfo();

	sd_flag = sd_ret = 0;
	if (!EXPECT_ERR(thread_new(S(0), (const void *)self_deleter, 0, S(0), 0, ROOT_PRIORITY, 2),
			E_OK))
		return;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&sd_flag, 1, 1000) >= 0);
	for (int i = 0; i < 5; i++)
		sys_yield();
	EXPECT_EQ(sd_flag, 1);
	EXPECT_EMPTY(S(0));
	EXPECT_NO_LEAK(&k0, "the thread deleted itself");
}

/* Threads of a task that is torn down die with it: E_DEAD for every thread
 * call; their capabilities stay until deleted, and then the memory returns. */
void test_thread_dead(void)
{
	struct kinfo k0 = kinfo();
	struct mica_regs r;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + 3 * PAGE, 1), E_OK))
		return;
	EXPECT_ERR(sys_thread_create(S(10), S(11)), E_OK);      /* inactive */
	EXPECT_ERR(sys_thread_create(S(10), S(12)), E_OK);      /* runnable at priority 0 */
	regs_for(&r, (const void *)0x1000, 0, 0, 0);
	EXPECT_ERR(sys_thread_write_regs(S(12), &r), E_OK);
	EXPECT_ERR(sys_thread_config(S(12), 0, 1), E_OK);
	EXPECT_ERR(sys_thread_start(S(12)), E_OK);
	EXPECT_ERR(sys_thread_create(S(10), S(13)), E_OK);      /* stopped */
	EXPECT_ERR(sys_thread_stop(S(13)), E_OK);
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	for (uint64_t s = S(11); s <= S(13); s++) {
		ctx_set("slot", s);
		EXPECT_CAP(s, CAP_THREAD, RIGHTS_ALL, 0);
		EXPECT_ERR(sys_thread_start(s), E_DEAD);
		EXPECT_ERR(sys_thread_stop(s), E_DEAD);
		EXPECT_ERR(sys_thread_config(s, 0, 1), E_DEAD);
		EXPECT_ERR(sys_thread_read_regs(s, &r), E_DEAD);
		EXPECT_ERR(sys_thread_write_regs(s, &r), E_DEAD);
	}
	ctx_clear();
	/* a capability to a dead thread can be copied, and keeps it */
	EXPECT_ERR(sys_cap_copy(S(11), SLOT_SELF_TASK, S(14), RIGHT_CONTROL), E_OK);
	EXPECT_ERR(sys_thread_start(S(14)), E_DEAD);
	EXPECT(kinfo().used > k0.used);         /* the dead threads' pages, still charged */
	for (uint64_t s = S(11); s <= S(14); s++)
		EXPECT_ERR(sys_cap_delete(s), E_OK);
	EXPECT_NO_LEAK(&k0, "dead threads deleted");
}

/* A thread of another task runs in that task's (empty) address space: its
 * first fetch faults; the kernel stops it and we carry on. */
void test_thread_other_task(void)
{
	struct mica_regs r;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + 2 * PAGE, 1), E_OK))
		return;
	if (EXPECT_ERR(sys_thread_create(S(10), S(11)), E_OK)) {
		regs_for(&r, (const void *)0x1000, 0, 0, 0);
		r.rsp = 0x2000;
		EXPECT_ERR(sys_thread_write_regs(S(11), &r), E_OK);
		EXPECT_ERR(sys_thread_config(S(11), ROOT_PRIORITY, 2), E_OK);
		EXPECT_ERR(sys_thread_start(S(11)), E_OK);
		for (int i = 0; i < 3; i++)
			EXPECT_ERR(sys_yield(), E_OK);
		if (EXPECT_ERR(sys_thread_read_regs(S(11), &r), E_OK)) {
			EXPECT_EQ(r.rip, 0x1000);
			EXPECT_EQ(r.rsp, 0x2000);
		}
		/* it stopped: start answers E_OK (at priority 0 it will not run again) */
		EXPECT_ERR(sys_thread_config(S(11), 0, 1), E_OK);
		EXPECT_ERR(sys_thread_start(S(11)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
	}
	sys_cap_delete(S(10));
}

/* User exceptions stop the thread at the faulting instruction. */
void test_fault_ud(void)
{
	EXPECT_FAULT(ud2_entry, ud2_insn);
}

void test_fault_pf(void)
{
	EXPECT_FAULT(pf_null_entry, pf_null_insn);
	EXPECT_FAULT(pf_text_entry, pf_text_insn);
	EXPECT_FAULT(pf_kernel_entry, 0xffffffff80100000ull);
}

void test_fault_gp(void)
{
	EXPECT_FAULT(gp_hlt_entry, gp_hlt_insn);
	EXPECT_FAULT(gp_int_entry, gp_int_insn);
	EXPECT_FAULT(de_entry, de_insn);
}

/* A faulted thread, its registers rewritten, runs again (what an
 * exception handler will do). */
void test_fault_repair(void)
{
	struct mica_regs r;
	uint64_t before = fault_flag;

	repaired_flag = 0;
	if (!EXPECT_ERR(thread_new(S(0), (const void *)ud2_entry, 0, 0, 0, ROOT_PRIORITY, 2), E_OK))
		return;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&fault_flag, before + 1, 1000) >= 0);
	for (int i = 0; i < 3; i++)
		sys_yield();
	regs_for(&r, (const void *)repaired, 1, S(0), 0x600d);
	EXPECT_ERR(sys_thread_write_regs(S(0), &r), E_OK);
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&repaired_flag, 1, 1000) >= 0);
	EXPECT_EQ(repaired_flag, 0x600d);
	EXPECT_EQ(fault_flag, before + 1);
	sys_cap_delete(S(0));
}

/* Yield gives every other ready thread of the same priority one turn, in
 * the order they became ready, before the caller runs again. (Slices of
 * 255 ticks keep the timer out of it.) */
void test_sched_yield_order(void)
{
	order_n = 0;
	for (int i = 0; i < 8; i++)
		order_log[i] = '.';
	EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, 255), E_OK);
	if (!EXPECT_ERR(thread_new(S(0), (const void *)order_fn, 0, S(0), 'A', ROOT_PRIORITY, 255),
			E_OK) ||
	    !EXPECT_ERR(thread_new(S(1), (const void *)order_fn, 1, S(1), 'B', ROOT_PRIORITY, 255),
			E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	EXPECT_EQ(order_n, 0);
	EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_EQ(order_n, 2);
	EXPECT(order_log[0] == 'A' && order_log[1] == 'B');
	EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_EQ(order_n, 4);
	EXPECT(order_log[2] == 'A' && order_log[3] == 'B');
	EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_EQ(order_n, 4);
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
	EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, 2), E_OK);
}

/*
 * A thread spinning at our priority, without a system call, cannot keep
 * the CPU: the timer ends its 2-tick slice and our yield comes back. It
 * is preempted and resumed several times, and must find all its
 * registers as it left them; so must we, across our yields.
 */
void test_sched_spinner(void)
{
	uint64_t c1, c2, c3, in[12], out[12];

	spin_count = spin_bad = 0;
	if (!EXPECT_ERR(thread_new(S(0), (const void *)reg_spinner, 0, 0, 0, ROOT_PRIORITY, 2), E_OK))
		return;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_yield(), E_OK);
	c1 = spin_count;
	EXPECT(c1 > 0);
	EXPECT_ERR(sys_yield(), E_OK);
	c2 = spin_count;
	EXPECT(c2 > c1);
	for (unsigned i = 0; i < 12; i++)
		in[i] = ~spin_pattern[i];
	EXPECT_ERR(syscall_probe(SYS_YIELD, in, out), E_OK);
	for (unsigned i = 0; i < 12; i++) {
		ctx_set("register", i);
		EXPECT_EQ(out[i], in[i]);
	}
	ctx_clear();
	EXPECT(spin_count > c2);
	EXPECT_EQ(spin_bad, 0);
	/* stopped, it runs no more */
	EXPECT_ERR(sys_thread_stop(S(0)), E_OK);
	c3 = spin_count;
	for (int i = 0; i < 5; i++)
		sys_yield();
	EXPECT_EQ(spin_count, c3);
	/* started again, it resumes where the timer stopped it, registers intact */
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_yield(), E_OK);
	EXPECT(spin_count > c3);
	EXPECT_EQ(spin_bad, 0);
	/* deleted while runnable: it runs no more */
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	c3 = spin_count;
	for (int i = 0; i < 5; i++)
		sys_yield();
	EXPECT_EQ(spin_count, c3);
	EXPECT_EQ(spin_bad, 0);
}

/*
 * A lower-priority thread runs only when we stop: yield does not give it
 * the CPU. Once we stop ourselves it runs, and restarts us through a copy
 * of our thread capability.
 */
void test_sched_lower(void)
{
	low_flag = low_after = 0;
	low_ret = ~0ull;
	if (!EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(S(0), (const void *)low_fn, 0, S(1), S(0), 100, 2), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	for (int i = 0; i < 5; i++)
		EXPECT_ERR(sys_yield(), E_OK);
	EXPECT_EQ(low_flag, 0);
	EXPECT_ERR(sys_thread_stop(SLOT_SELF_THREAD), E_OK);
	EXPECT_EQ(low_flag, 1);
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/*
 * Fixed priorities (DESIGN.md): when a lower-priority thread starts a
 * higher-priority one, the higher one runs at once, not at the end of the
 * lower one's slice.
 */
void test_sched_wakeup(void)
{
	low_flag = low_after = 0;
	low_ret = ~0ull;
	if (!EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK))
		return;
	/* a long slice: the timer cannot be what hands the CPU back to us */
	if (!EXPECT_ERR(thread_new(S(0), (const void *)low_fn, 0, S(1), S(0), 100, 255), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT_ERR(sys_thread_stop(SLOT_SELF_THREAD), E_OK);
	EXPECT_EQ(low_flag, 1);
	if (low_after != 0)
		FAIL("the lower-priority thread went on running after it started us");
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* Each thread has its own FPU/SSE registers: a new thread starts from the
 * initial state, not another's; a switch keeps each one's values. */
void test_fpu_isolated(void)
{
	const uint64_t mine = 0x1111222233334444ull, its = 0x5555666677778888ull;

	fpu_step = fpu_first = fpu_second = 0;
	fpu_set_xmm0(mine);
	EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, 255), E_OK);
	if (!EXPECT_ERR(thread_new(S(0), (const void *)fpu_fn, 0, S(0), its, ROOT_PRIORITY, 255), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	EXPECT(yield_until(&fpu_step, 1, 1000) >= 0);
	EXPECT_EQ(fpu_get_xmm0(), mine);
	EXPECT_EQ(fpu_first, 0);
	EXPECT(yield_until(&fpu_step, 2, 1000) >= 0);
	EXPECT_EQ(fpu_second, its);
	EXPECT_EQ(fpu_get_xmm0(), mine);
out:
	sys_cap_delete(S(0));
	EXPECT_ERR(sys_thread_config(SLOT_SELF_THREAD, ROOT_PRIORITY, 2), E_OK);
	fpu_set_xmm0(0);
}

/*
 * A thread whose registers were never written, started: the kernel may
 * refuse, or run it and stop it at its first fault; it must not go down.
 * (Last in the table: a kernel that gets this wrong panics.)
 */
void test_start_unset_regs(void)
{
	long e;

	if (!EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_thread_config(S(0), ROOT_PRIORITY, 2), E_OK);
	e = sys_thread_start(S(0));
	for (int i = 0; i < 3; i++)
		EXPECT_ERR(sys_yield(), E_OK);
	if (e == E_OK) {
		/* it ran and must have stopped at a fault: start works again */
		EXPECT_ERR(sys_thread_config(S(0), 0, 1), E_OK);
		EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	}
	sys_cap_delete(S(0));
}
