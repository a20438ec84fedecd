/*
 * proto, a test program (tests/guest/manifest): the servers' answers to
 * good and bad requests. Every request init and the console serve is
 * sent here well-formed and malformed, from a program whose manifest line
 * allows it to look up "console" and "ghost" (never registered), without
 * the control flag, with a 1 MiB heap. One line per check, then a
 * summary the guest test looks for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/init.h>
#include <mica/ipc.h>
#include <mica/proto/console.h>
#include <mica/start.h>
#include <mica/syscall.h>

#define SLOT_A (SLOT_FREE + 0)
#define SLOT_B (SLOT_FREE + 1)
#define SLOT_C (SLOT_FREE + 2)

enum { CRASHSRV_ECHO = 1, CRASHSRV_CRASH };       /* tests/crashsrv */

static unsigned passed, failed;

static void expect(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		printf("proto: %s: ok\n", what);
	} else {
		failed++;
		printf("proto: %s: FAILED: got %ld, want %ld\n", what, got, want);
	}
}

/* A raw request: label, words w[0..words-1], items; the answer's status,
 * its register words back in w[0..7] (w must hold 8). */
static long raw(uint64_t ep, uint64_t label, unsigned words, unsigned items, uint64_t *w)
{
	struct ipc_msg m = { 0 };
	long err;

	m.tag = IPC_TAG(label, words, items, 0);
	for (unsigned i = 0; i < words + 2 * items && i < IPC_REG_WORDS; i++)
		m.w[i] = w[i];
	if ((err = ipc_call(ep, &m)) != E_OK)
		return -err;    /* a kernel error, told apart by its sign */
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		w[i] = m.w[i];
	return (long)IPC_TAG_LABEL(m.tag);
}

static void check_init(void)
{
	uint64_t w[8] = { 0 };
	struct init_task_info t;
	uint64_t n;

	expect("lookup an allowed service", init_lookup("console", SLOT_A), E_OK);
	expect("lookup a service the manifest does not allow", init_lookup("sh", SLOT_B), E_PERM);
	expect("lookup an allowed name nobody registered", init_lookup("ghost", SLOT_B), E_NOENT);
	expect("lookup an empty name", init_lookup("", SLOT_B), E_INVAL);
	expect("lookup a name of 17 characters", init_lookup("abcdefghijklmnopq", SLOT_B), E_INVAL);
	expect("unknown label", raw(SLOT_INIT, 77, 0, 0, w), E_NOSYS);
	expect("lookup without its name words", raw(SLOT_INIT, INIT_LOOKUP, 1, 0, w), E_INVAL);
	init_name_pack("proto", w);
	expect("register without the capability", raw(SLOT_INIT, INIT_REGISTER, 2, 0, w), E_INVAL);
	expect("endpoint for registering", sys_endpoint_create(SLOT_SELF_TASK, SLOT_B), E_OK);
	expect("register another program's name", init_register("console", SLOT_B), E_PERM);
	expect("register a thread, not an endpoint", init_register("proto", SLOT_SELF_THREAD),
	       E_CAP_TYPE);
	expect("register its own name", init_register("proto", SLOT_B), E_OK);
	expect("register it twice", init_register("proto", SLOT_B), E_EXIST);
	expect("kill without the control flag", init_kill("sh"), E_PERM);
	expect("start without the control flag", init_start("sh", &n), E_PERM);
	expect("reboot without the control flag", init_reboot(), E_PERM);
	expect("release a misaligned range", init_release(HEAP_BASE + 1, 4096), E_INVAL);
	expect("release a wrapping range", init_release(~0xFFFull, 8192), E_INVAL);
	expect("release pages never given", init_release(HEAP_BASE + (512ull << 20), 4096), E_OK);
	expect("task info past the last task", init_task_info(1000, &t), E_RANGE);
	expect("task info of init", init_task_info(0, &t) == E_OK && strcmp(t.name, "init") == 0, 1);
}

static void check_console(void)
{
	uint64_t w[8] = { 600, 0 };

	expect("console: write longer than a message", raw(SLOT_A, CONSOLE_WRITE, 1, 0, w), E_INVAL);
	w[0] = 100;
	expect("console: write with fewer words than its length",
	       raw(SLOT_A, CONSOLE_WRITE, 2, 0, w), E_INVAL);
	expect("console: unknown label", raw(SLOT_A, 99, 0, 0, w), E_NOSYS);
	expect("console: write without its length word", raw(SLOT_A, CONSOLE_WRITE, 0, 0, w),
	       E_INVAL);
	w[0] = 0;
	expect("console: read into no room", raw(SLOT_A, CONSOLE_READ, 1, 0, w), E_INVAL);
	w[0] = 80;
	expect("console: read while the shell reads", raw(SLOT_A, CONSOLE_READ, 1, 0, w), E_STATE);
}

/* ECHO to crashsrv through slot: its answer's status; words in w[0..1]. */
static long crashsrv_echo(uint64_t slot, uint64_t *w)
{
	w[0] = 41;
	return raw(slot, CRASHSRV_ECHO, 1, 0, w);
}

/* A server that faults is restarted by init (its line says restart=yes);
 * its clients' capabilities die with it and a new lookup finds the new
 * instance. crashsrv runs above us, so it is up whenever we run. */
static void check_restart(void)
{
	uint64_t w[8] = { 0 };

	expect("restart: lookup crashsrv", init_lookup("crashsrv", SLOT_C), E_OK);
	expect("restart: echo", crashsrv_echo(SLOT_C, w) == E_OK && w[0] == 42 && w[1] == 0, 1);
	expect("restart: the server dies in our call", raw(SLOT_C, CRASHSRV_CRASH, 0, 0, w),
	       -E_DEAD);
	expect("restart: the old capability is revoked", crashsrv_echo(SLOT_C, w), -E_CAP_EMPTY);
	expect("restart: lookup finds the new instance", init_lookup("crashsrv", SLOT_C), E_OK);
	expect("restart: the new instance answers, restarted once",
	       crashsrv_echo(SLOT_C, w) == E_OK && w[0] == 42 && w[1] == 1, 1);
}

/* Stack pages come on demand: a frame deeper than the first page. */
static __attribute__((noinline)) unsigned stack_deep(unsigned depth)
{
	volatile char pad[4096];

	pad[0] = (char)depth;
	pad[4095] = (char)depth;
	return depth ? stack_deep(depth - 1) + (unsigned char)pad[4095] - (unsigned char)pad[0] : 0;
}

static void check_memory(void)
{
	char *p = malloc(512 << 10);

	expect("heap: 512 KiB", p != NULL, 1);
	if (p) {
		memset(p, 0xA5, 512 << 10);
		expect("heap: the pages hold what was written", (unsigned char)p[(512 << 10) - 1],
		       0xA5);
		free(p);
	}
	expect("heap: beyond the manifest's 1 MiB", malloc(2 << 20) == NULL, 1);
	expect("stack: 8 pages deep, within the manifest's 64 KiB", stack_deep(8), 0);
}

int main(void)
{
	check_init();
	check_console();
	check_memory();
	check_restart();
	printf("proto: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
