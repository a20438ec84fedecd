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
	    (e = sys_thread_config(PARTNER, BENCH_PRIORITY, BENCH_SLICE)) != E_OK ||
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

/* ------------------------------------------------------------ IPC */

#define ENDPOINT SLOT(1)

/* The server: answers every call at once with the words it got. */
static noreturn void partner_server(uint64_t ep)
{
	struct ipc_msg m = { 0 };

	partner_up = 1;
	ipc_recv(ep, &m);
	for (;;)
		ipc_reply_wait(ep, &m);
}

static long setup_ipc(void)
{
	long e = sys_endpoint_create(SLOT_SELF_TASK, ENDPOINT);

	if (e != E_OK)
		return e;
	if ((e = partner_start((void (*)(uint64_t))partner_server, ENDPOINT)) != E_OK)
		sys_cap_delete(ENDPOINT);
	return e;
}

static long teardown_ipc(void)
{
	long e = sys_cap_delete(PARTNER);

	sys_cap_delete(ENDPOINT);
	return e;
}

/* call + reply_wait round trips with `words` register words each way. */
static void run_ipc(uint64_t n, unsigned words)
{
	struct ipc_msg m = { .tag = IPC_TAG(1, words, 0, 0) };

	for (uint64_t i = 0; i < n; i++) {
		m.tag = IPC_TAG(1, words, 0, 0);
		ipc_call(ENDPOINT, &m);
	}
}

static void run_ipc0(uint64_t n) { run_ipc(n, 0); }
static void run_ipc8(uint64_t n) { run_ipc(n, 8); }

/* ------------------------------------------------------------ the table */

const struct bench_op bench_ops[] = {
	{ "null_syscall", NULL, run_null, NULL, 1 },
	{ "yield_self", NULL, run_yield, NULL, 1 },
	{ "yield_switch", setup_switch, run_yield, teardown_switch, 2 },
	/* one call + reply_wait round trip per iteration, same task */
	{ "ipc_roundtrip_0w_intra", setup_ipc, run_ipc0, teardown_ipc, 1 },
	{ "ipc_roundtrip_8w_intra", setup_ipc, run_ipc8, teardown_ipc, 1 },
	/* last: makes the main thread an FPU user */
	{ "yield_switch_fpu", setup_switch_fpu, run_yield_fpu, teardown_switch_fpu, 2 },
};

const unsigned bench_nops = sizeof bench_ops / sizeof bench_ops[0];
