/*
 * SYS_THREAD_INFO and SYS_TASK_INFO: what a supervisor sees of a thread
 * (its state and priority) and of a task (live threads, quota used and
 * limit). Their capability checks, every state a thread of ours can be
 * put in, and the counts as threads come and go.
 */
#include <mica/ipc.h>
#include "abi.h"

/* The state sys_thread_info reports for slot (~0 if it fails). */
static uint64_t state_of(uint64_t slot)
{
	uint64_t state, prio;

	return sys_thread_info(slot, &state, &prio) == E_OK ? state : ~0ull;
}

/* Yields until the thread in slot is in state, at most 100 times. */
static int await_state(uint64_t slot, uint64_t state)
{
	for (int i = 0; i < 100; i++) {
		if (state_of(slot) == state)
			return 1;
		sys_yield();
	}
	return state_of(slot) == state;
}

static noreturn void spin(uint64_t a, uint64_t b)
{
	(void)a;
	(void)b;
	for (;;)
		;
}

/* Each blocks once (receive, call, wait), then stops itself. */
static noreturn void recv_then_stop(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	ipc_recv(ep, &m);
	sys_thread_stop(self);
	for (;;)
		;
}

static noreturn void call_then_stop(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { .tag = IPC_TAG(7, 0, 0, 0) };

	ipc_call(ep, &m);
	sys_thread_stop(self);
	for (;;)
		;
}

static noreturn void wait_then_stop(uint64_t ntfn, uint64_t self)
{
	uint64_t bits;

	ntfn_wait(ntfn, &bits);
	sys_thread_stop(self);
	for (;;)
		;
}

/* Both calls check their capability as every call does: range, empty,
 * type, then the control right; a failure changes nothing. */
void test_info_cap_errors(void)
{
	uint64_t a = 11, b = 22, c = 33;

	EXPECT_ERR(sys_thread_info(ROOT_CAP_SLOTS, &a, &b), E_CAP_RANGE);
	EXPECT_ERR(sys_thread_info(~0ull, &a, &b), E_CAP_RANGE);
	EXPECT_ERR(sys_thread_info(S(30), &a, &b), E_CAP_EMPTY);
	EXPECT_ERR(sys_thread_info(SLOT_SELF_TASK, &a, &b), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_info(SLOT_DEBUG_CONSOLE, &a, &b), E_CAP_TYPE);
	EXPECT_ERR(sys_task_info(ROOT_CAP_SLOTS, &a, &b, &c), E_CAP_RANGE);
	EXPECT_ERR(sys_task_info(1ull << 32, &a, &b, &c), E_CAP_RANGE);
	EXPECT_ERR(sys_task_info(S(30), &a, &b, &c), E_CAP_EMPTY);
	EXPECT_ERR(sys_task_info(SLOT_SELF_THREAD, &a, &b, &c), E_CAP_TYPE);
	EXPECT_ERR(sys_task_info(SLOT_DEBUG_CONSOLE, &a, &b, &c), E_CAP_TYPE);
	if (EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK)) {
		EXPECT_ERR(sys_thread_info(S(0), &a, &b), E_CAP_TYPE);
		EXPECT_ERR(sys_task_info(S(0), &a, &b, &c), E_CAP_TYPE);
	}
	/* every right but control is not enough; control alone is */
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(1), RIGHTS_ALL & ~RIGHT_CONTROL),
		   E_OK);
	EXPECT_ERR(sys_thread_info(S(1), &a, &b), E_CAP_RIGHTS);
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(2), RIGHTS_ALL & ~RIGHT_CONTROL),
		   E_OK);
	EXPECT_ERR(sys_task_info(S(2), &a, &b, &c), E_CAP_RIGHTS);
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(3), RIGHT_CONTROL), E_OK);
	if (EXPECT_ERR(sys_thread_info(S(3), &a, &b), E_OK)) {
		EXPECT_EQ(a, THREAD_STATE_READY);       /* the caller itself runs */
		EXPECT_EQ(b, ROOT_PRIORITY);
	}
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(4), RIGHT_CONTROL), E_OK);
	EXPECT_ERR(sys_task_info(S(4), &a, &b, &c), E_OK);
	for (uint64_t s = S(0); s <= S(4); s++)
		sys_cap_delete(s);
}

/* A thread's state through its life: inactive, ready, stopped, blocked
 * receiving, sending, waiting for a reply, waiting on a notification, and
 * dead once its task is gone; its priority as configured. */
void test_thread_info_states(void)
{
	struct ipc_msg m = { 0 };
	uint64_t state = 99, prio = 99;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(2)), E_OK))
		goto out;

	/* inactive, priority 0 as created; then configured, ready, stopped */
	if (EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(3)), E_OK)) {
		struct mica_regs r;

		EXPECT_ERR(sys_thread_info(S(3), &state, &prio), E_OK);
		EXPECT_EQ(state, THREAD_STATE_INACTIVE);
		EXPECT_EQ(prio, 0);
		regs_for(&r, (const void *)spin, 0, 0, 0);
		EXPECT_ERR(sys_thread_write_regs(S(3), &r), E_OK);
		EXPECT_ERR(sys_thread_config(S(3), 5, 1), E_OK);
		EXPECT_ERR(sys_thread_info(S(3), &state, &prio), E_OK);
		EXPECT_EQ(state, THREAD_STATE_INACTIVE);
		EXPECT_EQ(prio, 5);
		/* below us, it stays ready and never runs while we do */
		EXPECT_ERR(sys_thread_start(S(3)), E_OK);
		EXPECT_EQ(state_of(S(3)), THREAD_STATE_READY);
		EXPECT_ERR(sys_thread_stop(S(3)), E_OK);
		EXPECT_EQ(state_of(S(3)), THREAD_STATE_STOPPED);
		EXPECT_ERR(sys_thread_start(S(3)), E_OK);
		EXPECT_EQ(state_of(S(3)), THREAD_STATE_READY);
		EXPECT_ERR(sys_cap_delete(S(3)), E_OK);
	}

	/* blocked receiving; stopped, its receive aborted */
	if (EXPECT_ERR(thread_new(S(4), recv_then_stop, 0, S(0), S(4), ROOT_PRIORITY, 1), E_OK)) {
		EXPECT_ERR(sys_thread_start(S(4)), E_OK);
		EXPECT(await_state(S(4), THREAD_STATE_RECV));
		EXPECT_ERR(sys_thread_info(S(4), &state, &prio), E_OK);
		EXPECT_EQ(prio, ROOT_PRIORITY);
		EXPECT_ERR(sys_thread_stop(S(4)), E_OK);
		EXPECT_EQ(state_of(S(4)), THREAD_STATE_STOPPED);
		EXPECT_ERR(sys_cap_delete(S(4)), E_OK);
	}

	/* sending (a call nobody takes), then waiting for our reply */
	if (EXPECT_ERR(thread_new(S(5), call_then_stop, 1, S(1), S(5), ROOT_PRIORITY, 1), E_OK)) {
		EXPECT_ERR(sys_thread_start(S(5)), E_OK);
		EXPECT(await_state(S(5), THREAD_STATE_SEND));
		m.tag = IPC_NONBLOCK;
		if (EXPECT_ERR(ipc_recv(S(1), &m), E_OK)) {
			EXPECT_EQ(IPC_TAG_LABEL(m.tag), 7);
			EXPECT_EQ(state_of(S(5)), THREAD_STATE_REPLY);
			m.tag = 0;
			EXPECT_ERR(ipc_reply(&m), E_OK);
			/* it runs on and stops itself */
			EXPECT(await_state(S(5), THREAD_STATE_STOPPED));
		}
		EXPECT_ERR(sys_cap_delete(S(5)), E_OK);
	}

	/* waiting on a notification; a signal makes it ready again */
	if (EXPECT_ERR(thread_new(S(6), wait_then_stop, 2, S(2), S(6), ROOT_PRIORITY, 1), E_OK)) {
		EXPECT_ERR(sys_thread_start(S(6)), E_OK);
		EXPECT(await_state(S(6), THREAD_STATE_WAIT));
		EXPECT_ERR(ntfn_signal(S(2)), E_OK);
		EXPECT(await_state(S(6), THREAD_STATE_STOPPED));
		EXPECT_ERR(sys_cap_delete(S(6)), E_OK);
	}

	/* dead: its task torn down; the call still answers E_OK, unlike
	 * the other thread calls (E_DEAD) */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + 2 * PAGE, 1), E_OK)) {
		EXPECT_ERR(sys_thread_create(S(10), S(11)), E_OK);
		EXPECT_EQ(state_of(S(11)), THREAD_STATE_INACTIVE);
		EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
		EXPECT_ERR(sys_thread_info(S(11), &state, &prio), E_OK);
		EXPECT_EQ(state, THREAD_STATE_DEAD);
		EXPECT_ERR(sys_thread_start(S(11)), E_DEAD);
		EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
	}
out:
	for (uint64_t s = S(0); s <= S(2); s++)
		sys_cap_delete(s);
}

/* A task's live threads, counted as they are created and killed, and its
 * quota: for the caller's own task exactly what SYS_KERNEL_INFO says; for
 * a child the limit it was created with, and a page per thread. */
void test_task_info_counts(void)
{
	uint64_t n, used, limit, n0, used0;
	struct kinfo k = kinfo();
	const uint64_t q = task_min + 4 * PAGE;

	/* our own task: the suite's one thread, the quota SYS_KERNEL_INFO shows */
	if (EXPECT_ERR(sys_task_info(SLOT_SELF_TASK, &n, &used, &limit), E_OK)) {
		EXPECT_EQ(n, 1);
		EXPECT_EQ(used, k.used);
		EXPECT_EQ(limit, k.limit);
	}
	if (EXPECT_ERR(thread_new(S(0), spin, 0, 0, 0, 0, 1), E_OK)) {
		EXPECT_ERR(sys_task_info(SLOT_SELF_TASK, &n, &used, &limit), E_OK);
		EXPECT_EQ(n, 2);
		EXPECT_EQ(used, kinfo().used);
		EXPECT_EQ(used, k.used + PAGE);
		EXPECT_ERR(sys_thread_start(S(0)), E_OK);       /* ready, never runs */
		EXPECT_ERR(sys_task_info(SLOT_SELF_TASK, &n, &used, &limit), E_OK);
		EXPECT_EQ(n, 2);
		EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
		EXPECT_ERR(sys_task_info(SLOT_SELF_TASK, &n, &used, &limit), E_OK);
		EXPECT_EQ(n, 1);
		EXPECT_EQ(used, k.used);
	}

	/* a child: no threads, the smallest quota's worth used, our limit */
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), q, 1), E_OK))
		return;
	if (EXPECT_ERR(sys_task_info(S(10), &n0, &used0, &limit), E_OK)) {
		EXPECT_EQ(n0, 0);
		EXPECT_EQ(used0, task_min);
		EXPECT_EQ(limit, q);
	}
	k = kinfo();
	for (uint64_t i = 1; i <= 3; i++) {
		ctx_set("threads", i);
		EXPECT_ERR(sys_thread_create(S(10), S(10 + i)), E_OK);
		EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
		EXPECT_EQ(n, i);
		EXPECT_EQ(used, used0 + i * PAGE);
		EXPECT_EQ(limit, q);
	}
	ctx_clear();
	EXPECT_EQ(kinfo().used, k.used);        /* charged to the child, within ours */
	/* a stopped thread is alive; a deleted one is not, and its page is back */
	EXPECT_ERR(sys_thread_stop(S(13)), E_OK);
	EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
	EXPECT_EQ(n, 3);
	EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
	EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(used, used0 + 2 * PAGE);
	/* the quota full: the next thread fails and nothing changes */
	EXPECT_ERR(sys_thread_create(S(10), S(12)), E_OK);
	EXPECT_ERR(sys_thread_create(S(10), S(14)), E_OK);
	EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
	EXPECT_EQ(n, 4);
	EXPECT_EQ(used, limit);
	EXPECT_ERR(sys_thread_create(S(10), S(15)), E_NOMEM);
	EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
	EXPECT_EQ(n, 4);
	EXPECT_EQ(used, limit);
	for (uint64_t s = S(11); s <= S(14); s++)
		EXPECT_ERR(sys_cap_delete(s), E_OK);
	EXPECT_ERR(sys_task_info(S(10), &n, &used, &limit), E_OK);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(used, used0);
	sys_cap_delete(S(10));
}
