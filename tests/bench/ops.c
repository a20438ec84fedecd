/*
 * The operations measured, one entry of bench_ops[] each (bench.h). IPC
 * operations join the table as they come: a setup that makes the
 * partner (a thread, or a task) and its endpoint, a timed loop, a
 * teardown.
 *
 * Order matters: an operation that makes the main thread an FPU user
 * leaves it one for good, and every later switch to or from a thread
 * without FPU state would then pay for a save or a restore. Those
 * operations come last.
 */
#include <stdnoreturn.h>
#include <mica/ipc.h>
#include "bench.h"

/* ------------------------------------------------------------ system calls */

/* SYS_NULL through the libc stub, as a program calls it: the figure
 * includes the stub's loading of the number and the six argument
 * registers. */
static void run_null(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sys_null();
}

/* SYS_YIELD with no other thread of our priority ready: the kernel's
 * scheduling decision alone, no switch. */
static void run_yield(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sys_yield();
}

/* ------------------------------------------------------------ the partner thread */

/*
 * The partner of the switch benchmarks, a second thread of our own task
 * at our priority, on a static stack: it yields forever, so each of our
 * yields runs it once and its yield brings us back: two switches per
 * iteration of ours. The FPU variant writes XMM0 before every yield, as
 * our loop does, so that both threads have live FPU state and every
 * switch saves one and restores the other.
 */
#define PARTNER SLOT(0)
#define STACK_SIZE 16384
#define MAIN_XMM0    0x1111222233334444ull
#define PARTNER_XMM0 0x5555666677778888ull

static uint8_t partner_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile uint64_t partner_up;

static noreturn void partner_yield(uint64_t unused)
{
	(void)unused;
	partner_up = 1;
	for (;;)
		sys_yield();
}

static noreturn void partner_yield_fpu(uint64_t value)
{
	partner_up = 1;
	for (;;) {
		xmm0_set(value);
		sys_yield();
	}
}

/* Creates the partner to run fn(arg), starts it, and waits until it runs. */
static long partner_start(void (*fn)(uint64_t), uint64_t arg)
{
	struct mica_regs r = {
		.rip = (uint64_t)(uintptr_t)fn,
		/* as if called: the return address would sit at the top */
		.rsp = (uint64_t)(uintptr_t)&partner_stack[STACK_SIZE] - 8,
		.rflags = 0x202,
		.rdi = arg,
	};
	long e;

	partner_up = 0;
	if ((e = sys_thread_create(SLOT_SELF_TASK, PARTNER)) != E_OK)
		return e;
	if ((e = sys_thread_write_regs(PARTNER, &r)) != E_OK ||
	    (e = sys_thread_config(PARTNER, bench_priority, BENCH_SLICE)) != E_OK ||
	    (e = sys_thread_start(PARTNER)) != E_OK) {
		sys_cap_delete(PARTNER);
		return e;
	}
	for (int i = 0; i < 100 && !partner_up; i++)
		sys_yield();
	if (!partner_up) {
		sys_cap_delete(PARTNER);
		return E_STATE;
	}
	return E_OK;
}

static long setup_switch(void)
{
	return partner_start(partner_yield, 0);
}

static long setup_switch_fpu(void)
{
	return partner_start(partner_yield_fpu, PARTNER_XMM0);
}

/* Deleting its last capability destroys the partner, wherever it is. */
static long teardown_switch(void)
{
	return sys_cap_delete(PARTNER);
}

/* The same, and a check that our XMM0 survived every switch. */
static long teardown_switch_fpu(void)
{
	long e = sys_cap_delete(PARTNER);

	if (e == E_OK && xmm0_get() != MAIN_XMM0)
		e = E_STATE;
	return e;
}

/* Our side of the FPU ping-pong: XMM0 written before every yield. */
static void run_yield_fpu(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		xmm0_set(MAIN_XMM0);
		sys_yield();
	}
}

/* ------------------------------------------------------------ IPC partners */

/*
 * The partners of the IPC, notification and fault benchmarks: a few
 * instructions of assembly each, stackless, on one page of their own
 * (bench_srv_page) so that the same code runs as a second thread of our
 * task or, mapped into a child task, as a thread there. Each keeps what
 * it needs in RBX and RBP, which system calls preserve.
 *
 *   bench_echo:      RBX endpoint. recv, then reply_wait forever, every
 *                    reply echoing what arrived (tag and words; words
 *                    8-63 stay in its UTCB, so they go back too).
 *   bench_oneway:    RBX endpoint. After every receive it takes a
 *                    timestamp and replies, in word 1, the time since
 *                    the one the caller sent in word 0; in word 0 it
 *                    sends a timestamp taken just before its reply_wait.
 *   bench_ntfn:      RBX notification A, RBP notification B: wait(A),
 *                    signal(B), forever.
 *   bench_faulter:   RBX an address: loads from it, then unmaps its page
 *                    (UNMAP_SELF), forever: every load faults.
 *   bench_faulter_walk: RBX the start, RBP the end of a range: loads from
 *                    each page of it in turn, forever (from the start
 *                    again at the end), unmapping nothing.
 *
 * A timestamp is "lfence; rdtsc; shl; or" (bench_ts_pair measures two).
 */
_Static_assert(SYS_UNMAP == 22 && SYS_CALL == 23 && SYS_REPLY_WAIT == 24 && SYS_RECV == 26 &&
	       SYS_SIGNAL == 29 && SYS_WAIT == 30 && UNMAP_SELF == 1,
	       "the system-call numbers in the assembly below");

void bench_srv_page(void);
void bench_echo(void);
void bench_oneway(void);
void bench_ntfn(void);
void bench_faulter(void);
void bench_faulter_walk(void);
uint64_t bench_ts_pair(void);
void bench_oneway_client(uint64_t n, uint64_t ep, uint64_t *acc, uint64_t tag);

__asm__(
	".section .text.bench_srv, \"ax\"\n"
	".balign 4096\n"
	".globl bench_srv_page\n"
	"bench_srv_page:\n"
	".globl bench_echo\n"
	"bench_echo:\n"
	"	mov %rbx, %rdi\n"
	"	mov $26, %eax\n"                /* SYS_RECV */
	"	syscall\n"
	"1:	mov %rbx, %rdi\n"
	"	mov $24, %eax\n"                /* SYS_REPLY_WAIT */
	"	syscall\n"
	"	jmp 1b\n"

	".globl bench_oneway\n"
	"bench_oneway:\n"
	"	mov %rbx, %rdi\n"
	"	mov $26, %eax\n"
	"	syscall\n"
	"1:	mov %rdx, %rcx\n"               /* the caller's timestamp */
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	sub %rcx, %rax\n"
	"	mov %rax, %r8\n"                /* word 1: the call's ticks */
	"	mov $2, %esi\n"                 /* tag: two words */
	"	mov %rbx, %rdi\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rax, %rdx\n"                /* word 0: our timestamp */
	"	mov $24, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"

	".globl bench_ntfn\n"
	"bench_ntfn:\n"
	"1:	mov %rbx, %rdi\n"
	"	mov $30, %eax\n"                /* SYS_WAIT */
	"	syscall\n"
	"	mov %rbp, %rdi\n"
	"	mov $29, %eax\n"                /* SYS_SIGNAL */
	"	syscall\n"
	"	jmp 1b\n"

	".globl bench_faulter\n"
	"bench_faulter:\n"
	"1:	mov (%rbx), %rax\n"
	"	mov %rbx, %rdi\n"
	"	mov $12, %esi\n"
	"	mov $1, %edx\n"                 /* UNMAP_SELF */
	"	mov $22, %eax\n"                /* SYS_UNMAP */
	"	syscall\n"
	"	jmp 1b\n"

	".globl bench_faulter_walk\n"
	"bench_faulter_walk:\n"
	"	mov %rbx, %rsi\n"
	"1:	mov (%rbx), %rax\n"
	"	add $4096, %rbx\n"
	"	cmp %rbp, %rbx\n"
	"	jb 1b\n"
	"	mov %rsi, %rbx\n"
	"	jmp 1b\n"
	".balign 4096\n"
	".text\n"

	/* Two timestamps back to back, as the one-way measurement takes
	 * them: the ticks from the first to the second. */
	".globl bench_ts_pair\n"
	"bench_ts_pair:\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rax, %rdx\n"
	"	mov %rdx, %rcx\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	sub %rcx, %rax\n"
	"	ret\n"

	/* bench_oneway_client(n, ep, acc, tag): n calls to bench_oneway,
	 * each with the tag (1, 8 or 64 words) and a timestamp in word 0 taken
	 * just before the call; acc[0] += the call's ticks (word 1 of the
	 * reply), acc[1] += the reply's (our timestamp just after the return
	 * minus its word 0). Words 1-7 of a longer call are whatever R8-R15
	 * hold, words 8-63 whatever our UTCB holds. */
	".globl bench_oneway_client\n"
	"bench_oneway_client:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdx\n"
	"	push %rcx\n"                    /* the tag */
	"	mov %rdi, %rbp\n"
	"	mov %rsi, %rbx\n"
	"1:	mov (%rsp), %rsi\n"
	"	mov %rbx, %rdi\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rax, %rdx\n"                /* word 0: our timestamp */
	"	mov $23, %eax\n"                /* SYS_CALL */
	"	syscall\n"
	"	mov %rdx, %rcx\n"               /* the server's timestamp */
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	sub %rcx, %rax\n"
	"	mov 8(%rsp), %rcx\n"
	"	add %r8, (%rcx)\n"
	"	add %rax, 8(%rcx)\n"
	"	dec %rbp\n"
	"	jnz 1b\n"
	"	pop %rcx\n"
	"	pop %rdx\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
);

/* ------------------------------------------------------------ IPC setup */

#define ENDPOINT SLOT(1)
#define CHILD    SLOT(2)
#define NTFN_A   SLOT(3)
#define NTFN_B   SLOT(4)
#define COPY     SLOT(5)

/* The child's table: the endpoint in slot 0, the notifications in 1 and 2. */
#define CHILD_EP     0
#define CHILD_NTFN_A 1
#define CHILD_NTFN_B 2
#define CHILD_QUOTA  (2ull << 20)

/* The partner's UTCB (words 8-63 of the 64-word messages); mapped at the
 * same address in the child. */
static uint8_t srv_utcb[4096] __attribute__((aligned(4096)));

/* The page the pager maps, and where: an address of the child's. */
static uint8_t pf_page[4096] __attribute__((aligned(4096)));
#define PF_ADDR 0x10000000ull

/* Where map_unmap maps a page of ours: unused, but in the 2 MiB of the
 * program's image, so its page table exists. */
static uint8_t map_src[4096] __attribute__((aligned(4096)));
#define MAP_DST 0x5FF000ull

/* A child task with the partners' code page, the partner's UTCB page and
 * the endpoint (slot CHILD_EP) in it. */
static long child_create(void)
{
	const uint64_t code = (uint64_t)(uintptr_t)bench_srv_page;
	const uint64_t utcb = (uint64_t)(uintptr_t)srv_utcb;
	long e;

	if ((e = sys_task_create(SLOT_SELF_TASK, CHILD, CHILD_QUOTA, 4)) != E_OK)
		return e;
	if ((e = sys_map(CHILD, code, code, 12, MAP_EXEC)) != E_OK ||
	    (e = sys_map(CHILD, utcb, utcb, 12, MAP_WRITE)) != E_OK ||
	    (e = sys_cap_copy(ENDPOINT, CHILD, CHILD_EP, RIGHTS_ALL)) != E_OK) {
		sys_cap_delete(CHILD);
		return e;
	}
	return E_OK;
}

/*
 * The partner thread, in task (SLOT_SELF_TASK or CHILD), running entry
 * with RBX = rbx and RBP = rbp, the UTCB srv_utcb and no pager (or the
 * pager given); it runs until it blocks, and we are back.
 */
static long srv_start(uint64_t task, void (*entry)(void), uint64_t rbx, uint64_t rbp,
		      uint64_t pager)
{
	struct mica_regs r = {
		.rip = (uint64_t)(uintptr_t)entry,
		.rsp = 0,                       /* stackless */
		.rflags = 0x202,
		.rbx = rbx,
		.rbp = rbp,
	};
	long e;

	if ((e = sys_thread_create(task, PARTNER)) != E_OK)
		return e;
	if ((e = sys_thread_write_regs(PARTNER, &r)) != E_OK ||
	    (e = sys_thread_config(PARTNER, bench_priority, BENCH_SLICE)) != E_OK ||
	    (e = sys_thread_config_ipc(PARTNER, (uint64_t)(uintptr_t)srv_utcb, pager,
				       CAP_NONE)) != E_OK ||
	    (e = sys_thread_start(PARTNER)) != E_OK) {
		sys_cap_delete(PARTNER);
		return e;
	}
	for (int i = 0; i < 4; i++)
		sys_yield();
	return E_OK;
}

/* An endpoint, and the partner running entry on it, in our task or a child. */
static long setup_srv(int cross, void (*entry)(void))
{
	long e = sys_endpoint_create(SLOT_SELF_TASK, ENDPOINT);

	if (e != E_OK)
		return e;
	if (cross && (e = child_create()) != E_OK) {
		sys_cap_delete(ENDPOINT);
		return e;
	}
	e = srv_start(cross ? CHILD : SLOT_SELF_TASK, entry, cross ? CHILD_EP : ENDPOINT, 0,
		      CAP_NONE);
	if (e != E_OK) {
		if (cross)
			sys_cap_delete(CHILD);
		sys_cap_delete(ENDPOINT);
	}
	return e;
}

static long setup_echo_intra(void) { return setup_srv(0, bench_echo); }
static long setup_echo_xas(void) { return setup_srv(1, bench_echo); }
static long setup_oneway_intra(void) { return setup_srv(0, bench_oneway); }
static long setup_oneway_xas(void) { return setup_srv(1, bench_oneway); }

/* An operation's own failure, found in the timed loop and reported by
 * its teardown. */
static long op_error;

/* Partner, child (if any), endpoint and notifications go. */
static long teardown_srv(void)
{
	long e = sys_cap_delete(PARTNER);

	sys_cap_delete(CHILD);
	sys_cap_delete(ENDPOINT);
	sys_cap_delete(NTFN_A);
	sys_cap_delete(NTFN_B);
	if (e == E_OK && op_error != E_OK)
		e = op_error;
	op_error = E_OK;
	return e;
}

/* ------------------------------------------------------------ IPC round trips */

/* call + reply_wait round trips with `words` words each way (words 8 and
 * up through the UTCBs); the echo must come back whole. */
static void run_ipc(uint64_t n, unsigned words)
{
	struct ipc_msg m = { .tag = 0 };
	long e;

	for (uint64_t i = 0; i < n; i++) {
		m.tag = IPC_TAG(1, words, 0, 0);
		if ((e = ipc_call(ENDPOINT, &m)) != E_OK && op_error == E_OK)
			op_error = e;
	}
	if (IPC_TAG_WORDS(m.tag) != words && op_error == E_OK)
		op_error = E_STATE;
}

static void run_ipc0(uint64_t n) { run_ipc(n, 0); }
static void run_ipc4(uint64_t n) { run_ipc(n, 4); }
static void run_ipc8(uint64_t n) { run_ipc(n, 8); }
static void run_ipc64(uint64_t n) { run_ipc(n, 64); }

/* ------------------------------------------------------------ one-way IPC */

/*
 * seL4's sel4bench method: the sender's timestamp travels in the message,
 * the receiver takes its own just after its system call returns; minus
 * the ticks of the same two timestamps back to back (bench_ts_pair, the
 * minimum of many), what remains is the operation: loading the system
 * call number, SYSCALL, the kernel, SYSRET, and one MOV that saves the
 * received word (which the pair contains too, in its place).
 */
uint64_t ts_pair_ticks;

static uint64_t oneway(uint64_t n, unsigned which, unsigned words)
{
	uint64_t acc[2] = { 0, 0 };
	uint64_t over = n * ts_pair_ticks;

	bench_oneway_client(n, ENDPOINT, acc, IPC_TAG(0, words, 0, 0));
	return acc[which] > over ? acc[which] - over : 0;
}

static uint64_t measure_oneway_call(uint64_t n) { return oneway(n, 0, 1); }
static uint64_t measure_oneway_reply(uint64_t n) { return oneway(n, 1, 1); }
static uint64_t measure_oneway_call8(uint64_t n) { return oneway(n, 0, 8); }
static uint64_t measure_oneway_call64(uint64_t n) { return oneway(n, 0, 64); }

/* ------------------------------------------------------------ notifications */

/* Two notifications and the partner in a child: wait(A), signal(B). Each
 * iteration of ours signals A and waits for B: two handoffs. */
static __attribute__((unused)) long setup_ntfn_xas(void)
{
	long e;

	if ((e = sys_endpoint_create(SLOT_SELF_TASK, ENDPOINT)) != E_OK)
		return e;
	if ((e = sys_notification_create(SLOT_SELF_TASK, NTFN_A)) != E_OK ||
	    (e = sys_notification_create(SLOT_SELF_TASK, NTFN_B)) != E_OK ||
	    (e = child_create()) != E_OK ||
	    (e = sys_cap_copy(NTFN_A, CHILD, CHILD_NTFN_A, RIGHTS_ALL)) != E_OK ||
	    (e = sys_cap_copy(NTFN_B, CHILD, CHILD_NTFN_B, RIGHTS_ALL)) != E_OK ||
	    (e = srv_start(CHILD, bench_ntfn, CHILD_NTFN_A, CHILD_NTFN_B, CAP_NONE)) != E_OK) {
		teardown_srv();
		return e;
	}
	return E_OK;
}

static __attribute__((unused)) void run_ntfn(uint64_t n)
{
	uint64_t bits = 0;
	long e;

	for (uint64_t i = 0; i < n; i++) {
		ntfn_signal(NTFN_A);
		if ((e = ntfn_wait(NTFN_B, &bits)) != E_OK && op_error == E_OK)
			op_error = e;
	}
	if (bits != 1 && op_error == E_OK)
		op_error = E_STATE;
}

/* ------------------------------------------------------------ interrupts */

/*
 * IRQ-to-driver-thread latency, with COM1 (GSI 4) as the device: its
 * THR-empty interrupt is raised the moment IER's ETBEI bit is set while
 * the transmitter is empty (QEMU's 16550 does so at once, as Windows
 * expects of real ones). The driver, a thread at a priority above ours,
 * waits on the notification the line is bound to. We take a timestamp
 * and write IER; the interrupt arrives after that OUT, the kernel masks
 * the line and signals, the driver preempts us and takes its timestamp
 * just after its SYS_WAIT returns, adds the difference to irq_acc, turns
 * ETBEI off again (the line drops, the next OUT makes a new edge) and
 * acknowledges the line. The timestamp pair's cost is subtracted as for
 * the one-way IPC figures; what remains is the two register loads and
 * the OUT that trigger, the interrupt entry, the kernel's handler and
 * signal, the switch, and the driver's SYSRET. Our priority is lowered
 * for the operation (a helper at the old one puts it back).
 */
#define COM1_IER      0x3F9
#define IER_ETBEI     0x02
#define COM1_GSI      4
#define IRQ_SLOT      (SLOT_IRQ_BASE + COM1_GSI)
#define DRIVER_PRIO   BENCH_ROOT_PRIORITY
#define TRIGGER_PRIO  (BENCH_ROOT_PRIORITY - 1)

static volatile uint64_t irq_ts0, irq_acc;

void bench_irq_driver(void);
void bench_irq_trigger(uint64_t n, volatile uint64_t *ts0);
void bench_raise(void);

__asm__(
	".text\n"
	/* RBX notification, RBP IRQ capability, R12 &irq_ts0, R13 &irq_acc */
	".globl bench_irq_driver\n"
	"bench_irq_driver:\n"
	"1:	mov %rbx, %rdi\n"
	"	mov $30, %eax\n"                /* SYS_WAIT */
	"	syscall\n"
	"	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	sub (%r12), %rax\n"
	"	add %rax, (%r13)\n"
	"	mov $0x3F9, %edx\n"             /* IER = 0: THR-empty interrupt off */
	"	xor %eax, %eax\n"
	"	out %al, %dx\n"
	"	mov %rbp, %rdi\n"
	"	mov $34, %eax\n"                /* SYS_IRQ_ACK */
	"	syscall\n"
	"	jmp 1b\n"

	/* bench_irq_trigger(n, ts0): n times a timestamp into *ts0, then ETBEI on */
	".globl bench_irq_trigger\n"
	"bench_irq_trigger:\n"
	"	mov %rsi, %rcx\n"
	"1:	lfence\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, (%rcx)\n"
	"	mov $0x3F9, %edx\n"
	"	mov $2, %al\n"                  /* IER_ETBEI */
	"	out %al, %dx\n"
	"	dec %rdi\n"
	"	jnz 1b\n"
	"	ret\n"

	/* RBX the main thread, RBP our own: its priority back, then stop */
	".globl bench_raise\n"
	"bench_raise:\n"
	"	mov %rbx, %rdi\n"
	"	mov $128, %esi\n"               /* BENCH_ROOT_PRIORITY */
	"	mov $2, %edx\n"                 /* BENCH_SLICE */
	"	mov $14, %eax\n"                /* SYS_THREAD_CONFIG */
	"	syscall\n"
	"	mov %rbp, %rdi\n"
	"	mov $16, %eax\n"                /* SYS_THREAD_STOP */
	"	syscall\n"
	"	ud2\n"
);
_Static_assert(SYS_THREAD_CONFIG == 14 && SYS_THREAD_STOP == 16 && SYS_IRQ_ACK == 34 &&
	       BENCH_ROOT_PRIORITY == 128 && BENCH_SLICE == 2 && COM1_IER == 0x3F9 && IER_ETBEI == 2,
	       "the numbers in the assembly above");

static long setup_irq(void)
{
	uint64_t type = 0, rights, badge;
	long e;

	/* Only the root task holds the UART's line (in a running system the
	 * console server does), and the assembly assumes its priority. */
	if (sys_cap_info(IRQ_SLOT, &type, &rights, &badge) != E_OK || type != CAP_IRQ ||
	    bench_priority != BENCH_ROOT_PRIORITY) {
		bench_skip_why = "needs the UART's interrupt line and the root task's priority";
		return BENCH_SKIP;
	}

	if ((e = sys_notification_create(SLOT_SELF_TASK, NTFN_A)) != E_OK)
		return e;
	if ((e = mica_syscall(SYS_IRQ_BIND, IRQ_SLOT, NTFN_A, 0, 0, 0, 0, 0)) != E_OK) {
		sys_cap_delete(NTFN_A);
		return e;
	}
	/* The driver (on the partners' page: stackless), then our priority
	 * below it. */
	{
		struct mica_regs r = {
			.rip = (uint64_t)(uintptr_t)bench_irq_driver,
			.rflags = 0x202,
			.rbx = NTFN_A,
			.rbp = IRQ_SLOT,
			.r12 = (uint64_t)(uintptr_t)&irq_ts0,
			.r13 = (uint64_t)(uintptr_t)&irq_acc,
		};

		/* The helper that will put our priority back: made now, while
		 * we may still give it our priority; started by the teardown. */
		struct mica_regs h = {
			.rip = (uint64_t)(uintptr_t)bench_raise,
			.rflags = 0x202,
			.rbx = SLOT_SELF_THREAD,
			.rbp = COPY,
		};

		if ((e = sys_thread_create(SLOT_SELF_TASK, PARTNER)) != E_OK ||
		    (e = sys_thread_write_regs(PARTNER, &r)) != E_OK ||
		    (e = sys_thread_config(PARTNER, DRIVER_PRIO, BENCH_SLICE)) != E_OK ||
		    (e = sys_thread_start(PARTNER)) != E_OK ||
		    (e = sys_thread_create(SLOT_SELF_TASK, COPY)) != E_OK ||
		    (e = sys_thread_write_regs(COPY, &h)) != E_OK ||
		    (e = sys_thread_config(COPY, bench_priority, BENCH_SLICE)) != E_OK ||
		    (e = sys_thread_config(SLOT_SELF_THREAD, TRIGGER_PRIO, BENCH_SLICE)) != E_OK) {
			sys_cap_delete(COPY);
			sys_cap_delete(PARTNER);
			mica_syscall(SYS_IRQ_BIND, IRQ_SLOT, CAP_NONE, 0, 0, 0, 0, 0);
			sys_cap_delete(NTFN_A);
			return e;
		}
	}
	return E_OK;
}

static uint64_t measure_irq(uint64_t n)
{
	uint64_t over = n * ts_pair_ticks, acc;

	irq_acc = 0;
	bench_irq_trigger(n, &irq_ts0);
	acc = irq_acc;
	return acc > over ? acc - over : 0;
}

/* Our priority back (a helper of the old priority sets it), then the
 * driver, the binding and the notification go; the UART is as it was
 * (the driver left ETBEI off). */
static long teardown_irq(void)
{
	/* More important than we are now, it runs at once. */
	long e = sys_thread_start(COPY);

	sys_cap_delete(COPY);
	mica_syscall(SYS_IRQ_BIND, IRQ_SLOT, CAP_NONE, 0, 0, 0, 0, 0);
	if (e == E_OK && irq_acc == 0)
		e = E_STATE;                    /* no interrupt arrived */
	return teardown_srv() != E_OK ? E_STATE : e;
}

/* ------------------------------------------------------------ page faults */

/*
 * A faulter in a child, its pager the endpoint, we the pager: each fault
 * is answered by a reply with a map item (pf_page at the fault address),
 * the faulter's load then succeeds, and it unmaps the page itself
 * (SYS_UNMAP with UNMAP_SELF, inside the timed loop) and faults again.
 * One iteration: fault, the kernel's call to us, our reply_wait with the
 * map item, resumed load, the faulter's unmap.
 */
static struct ipc_msg pf_msg;

/* The faulter (entry, with RBX = its first address and RBP = rbp) in the
 * child, paged by us; its first fault taken outside the timed loop. */
static long setup_faulter(void (*entry)(void), uint64_t first, uint64_t rbp)
{
	long e;

	if ((e = sys_endpoint_create(SLOT_SELF_TASK, ENDPOINT)) != E_OK)
		return e;
	if ((e = child_create()) != E_OK ||
	    (e = srv_start(CHILD, entry, first, rbp, ENDPOINT)) != E_OK) {
		teardown_srv();
		return e;
	}
	pf_msg.tag = 0;
	if ((e = ipc_recv(ENDPOINT, &pf_msg)) != E_OK ||
	    IPC_TAG_LABEL(pf_msg.tag) != IPC_LABEL_PAGE_FAULT || pf_msg.w[0] != first) {
		teardown_srv();
		return e != E_OK ? e : E_STATE;
	}
	return E_OK;
}

static long setup_pf(void)
{
	return setup_faulter(bench_faulter, PF_ADDR, 0);
}

/* n faults answered, each with pf_page mapped where it faulted. */
static inline void answer_faults(uint64_t n)
{
	long e;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t addr = pf_msg.w[0] & ~0xFFFull;

		pf_msg.tag = IPC_TAG(0, 0, 1, 0);
		pf_msg.w[0] = IPC_ITEM_PAGES(IPC_ITEM_MAP_PAGES, (uint64_t)(uintptr_t)pf_page, 12,
					     MAP_READ);
		pf_msg.w[1] = addr;
		if ((e = ipc_reply_wait(ENDPOINT, &pf_msg)) != E_OK && op_error == E_OK)
			op_error = e;
	}
}

static void run_pf(uint64_t n)
{
	answer_faults(n);
	if ((IPC_TAG_LABEL(pf_msg.tag) != IPC_LABEL_PAGE_FAULT || pf_msg.w[0] != PF_ADDR) &&
	    op_error == E_OK)
		op_error = E_STATE;
}

/*
 * The same fault resolved without the faulter's own unmap (a sub-figure
 * of pagefault_pager_xas, not a replacement): the faulter
 * (bench_faulter_walk) loads from NITER + 1 pages in a row from
 * PF_WALK_ADDR, then from the start again. Before each batch of NITER,
 * untimed, we take back every page derived from pf_page (SYS_UNMAP
 * without UNMAP_SELF: a revoke), so that each of the batch's loads, and
 * the one whose report ends it, finds its page missing. One iteration:
 * fault, the kernel's call to us, our reply_wait with the map item,
 * resumed load, the faulter's next address.
 */
#define PF_WALK_ADDR 0x20000000ull
#define PF_WALK_SIZE ((NITER + 1) * 4096ull)
#define PF_WALK_END  (PF_WALK_ADDR + PF_WALK_SIZE)

static long setup_pf_walk(void)
{
	return setup_faulter(bench_faulter_walk, PF_WALK_ADDR, PF_WALK_END);
}

static void run_pf_walk(uint64_t n)
{
	answer_faults(n);
}

static uint64_t measure_pf_walk(uint64_t n)
{
	uint64_t at = pf_msg.w[0], t;
	long e;

	if ((e = sys_unmap((uint64_t)(uintptr_t)pf_page, 12, 0)) != E_OK && op_error == E_OK)
		op_error = e;
	t = bench_timed(run_pf_walk, n);
	/* Every load faulted once: n faults later, the faulter is n pages
	 * on (a map that failed would have brought the same address back). */
	if ((IPC_TAG_LABEL(pf_msg.tag) != IPC_LABEL_PAGE_FAULT ||
	     pf_msg.w[0] != PF_WALK_ADDR + (at - PF_WALK_ADDR + n * 4096) % PF_WALK_SIZE) &&
	    op_error == E_OK)
		op_error = E_STATE;
	return t;
}

/* ------------------------------------------------------------ map, capabilities */

/* One page of ours mapped at MAP_DST and unmapped again. */
static void run_map_unmap(uint64_t n)
{
	long e;

	for (uint64_t i = 0; i < n; i++) {
		if ((e = sys_map(SLOT_SELF_TASK, (uint64_t)(uintptr_t)map_src, MAP_DST, 12,
				 MAP_READ)) != E_OK && op_error == E_OK)
			op_error = e;
		if ((e = sys_unmap(MAP_DST, 12, UNMAP_SELF)) != E_OK && op_error == E_OK)
			op_error = e;
	}
}

/* A capability (an endpoint's) copied to a free slot and deleted again. */
static long setup_cap(void)
{
	return sys_endpoint_create(SLOT_SELF_TASK, ENDPOINT);
}

static void run_cap_copy_delete(uint64_t n)
{
	long e;

	for (uint64_t i = 0; i < n; i++) {
		if ((e = sys_cap_copy(ENDPOINT, SLOT_SELF_TASK, COPY, RIGHTS_ALL)) != E_OK &&
		    op_error == E_OK)
			op_error = e;
		if ((e = sys_cap_delete(COPY)) != E_OK && op_error == E_OK)
			op_error = e;
	}
}

static long teardown_op(void)
{
	long e = op_error;

	op_error = E_OK;
	sys_cap_delete(ENDPOINT);
	return e;
}

/* ------------------------------------------------------------ the table */

#define RT(name, setup, run) { name, setup, run, NULL, teardown_srv, 1 }
#define OW(name, setup, measure) { name, setup, NULL, measure, teardown_srv, 1 }

const struct bench_op bench_ops[] = {
	{ "null_syscall", NULL, run_null, NULL, NULL, 1 },
	{ "yield_self", NULL, run_yield, NULL, NULL, 1 },
	{ "yield_switch", setup_switch, run_yield, NULL, teardown_switch, 2 },
	/* call + reply_wait round trips, one per iteration; the server a
	 * second thread of our task (intra) or a thread of a child (xas) */
	RT("ipc_roundtrip_0w_intra", setup_echo_intra, run_ipc0),
	RT("ipc_roundtrip_4w_intra", setup_echo_intra, run_ipc4),
	RT("ipc_roundtrip_8w_intra", setup_echo_intra, run_ipc8),
	RT("ipc_roundtrip_64w_intra", setup_echo_intra, run_ipc64),
	RT("ipc_roundtrip_0w_xas", setup_echo_xas, run_ipc0),
	RT("ipc_roundtrip_4w_xas", setup_echo_xas, run_ipc4),
	RT("ipc_roundtrip_8w_xas", setup_echo_xas, run_ipc8),
	RT("ipc_roundtrip_64w_xas", setup_echo_xas, run_ipc64),
	/* one way, timestamps in the messages (sel4bench) */
	OW("ipc_oneway_call_intra", setup_oneway_intra, measure_oneway_call),
	OW("ipc_oneway_reply_wait_intra", setup_oneway_intra, measure_oneway_reply),
	OW("ipc_oneway_call_xas", setup_oneway_xas, measure_oneway_call),
	OW("ipc_oneway_reply_wait_xas", setup_oneway_xas, measure_oneway_reply),
	OW("ipc_oneway_call_8w_xas", setup_oneway_xas, measure_oneway_call8),
	OW("ipc_oneway_call_64w_xas", setup_oneway_xas, measure_oneway_call64),
		/* signal -> wait across tasks, both ways: per handoff */
	{ "ntfn_signal_wait_xas", setup_ntfn_xas, run_ntfn, NULL, teardown_srv, 2 },
	{ "pagefault_pager_xas", setup_pf, run_pf, NULL, teardown_srv, 1 },
	/* sub-figure: the same without the faulter's own unmap (fresh pages) */
	{ "pagefault_pager_xas_nounmap", setup_pf_walk, NULL, measure_pf_walk, teardown_srv, 1 },
	/* COM1's THR-empty interrupt to a driver thread's return from wait */
	{ "irq_to_driver", setup_irq, NULL, measure_irq, teardown_irq, 1 },
	{ "map_unmap_page", NULL, run_map_unmap, NULL, teardown_op, 1 },
	{ "cap_copy_delete", setup_cap, run_cap_copy_delete, NULL, teardown_op, 1 },
	/* last: makes the main thread an FPU user */
	{ "yield_switch_fpu", setup_switch_fpu, run_yield_fpu, NULL, teardown_switch_fpu, 2 },
};

const unsigned bench_nops = sizeof bench_ops / sizeof bench_ops[0];
