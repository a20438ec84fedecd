/*
 * Notifications (t_ntfn.c): signal, wait, poll, and a notification bound
 * to a server that waits in reply_wait.
 */
#include <mica/ipc.h>
#include "abi.h"

static volatile uint64_t ntfn_bits, ntfn_err, ntfn_done;

/* Waits on the notification, records what came, stops. */
static noreturn void waiter(uint64_t ntfn, uint64_t self)
{
	uint64_t bits = 0;

	ntfn_err = (uint64_t)ntfn_wait(ntfn, &bits);
	ntfn_bits = bits;
	ntfn_done = 1;
	sys_thread_stop(self);
	for (;;)
		;
}

/* Signal ORs badges; poll and wait take and clear; rights and types checked. */
void test_ntfn_signal_poll(void)
{
	uint64_t bits = 99;

	if (!EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(ntfn_poll(S(0), &bits), E_OK);
	EXPECT_EQ(bits, 0);
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL, 0x10), E_OK);
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(2), RIGHT_WRITE, 0x4), E_OK);
	EXPECT_ERR(ntfn_signal(S(1)), E_OK);
	EXPECT_ERR(ntfn_signal(S(2)), E_OK);
	EXPECT_ERR(ntfn_signal(S(0)), E_OK);            /* unbadged: bit 0 */
	EXPECT_ERR(ntfn_poll(S(0), &bits), E_OK);
	EXPECT_EQ(bits, 0x15);
	EXPECT_ERR(ntfn_poll(S(0), &bits), E_OK);
	EXPECT_EQ(bits, 0);
	EXPECT_ERR(ntfn_signal(S(1)), E_OK);
	EXPECT_ERR(ntfn_wait(S(0), &bits), E_OK);       /* pending: no block */
	EXPECT_EQ(bits, 0x10);
	EXPECT_ERR(ntfn_poll(S(2), &bits), E_CAP_RIGHTS);       /* no read right */
	EXPECT_ERR(ntfn_wait(S(2), &bits), E_CAP_RIGHTS);
	EXPECT_ERR(ntfn_signal(SLOT_SELF_TASK), E_CAP_TYPE);
	EXPECT_ERR(ntfn_poll(S(30), &bits), E_CAP_EMPTY);
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/* A blocked waiter wakes with the bits; a deleted notification wakes it with E_DEAD. */
void test_ntfn_wait_wakes(void)
{
	if (!EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(2), RIGHTS_ALL, 0x300), E_OK);
	ntfn_done = ntfn_bits = 0;
	ntfn_err = ~0ull;
	if (!EXPECT_ERR(thread_new(S(1), (const void *)waiter, 0, S(0), S(1), ROOT_PRIORITY, 2),
			E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(ntfn_done, 0);                        /* blocked in wait */
	EXPECT_ERR(ntfn_signal(S(2)), E_OK);
	EXPECT(yield_until(&ntfn_done, 1, 100) >= 0);
	EXPECT_ERR(ntfn_err, E_OK);
	EXPECT_EQ(ntfn_bits, 0x300);
	sys_cap_delete(S(1));

	/* waiting when the notification goes */
	ntfn_done = 0;
	ntfn_err = ~0ull;
	if (!EXPECT_ERR(thread_new(S(1), (const void *)waiter, 0, S(0), S(1), ROOT_PRIORITY, 2),
			E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_ERR(ipc_abort(S(1)), E_OK);              /* waiting is an IPC state */
	EXPECT(yield_until(&ntfn_done, 1, 100) >= 0);
	EXPECT_ERR(ntfn_err, E_ABORTED);
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(2));
	sys_cap_delete(S(0));
}

static volatile uint64_t srv_tag, srv_badge, srv_w0, srv_done;

/* A server bound to a notification, waiting in reply_wait: reports each
 * receive until a real message comes. */
static noreturn void bound_server(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };
	long e;

	for (;;) {
		/* reply_wait: with no caller yet it only waits, as a server's loop does */
		m.tag = 0;
		e = ipc_reply_wait(ep, &m);
		srv_tag = m.tag;
		srv_badge = m.badge;
		srv_w0 = m.w[0];
		srv_done++;
		if (e != E_OK || !(m.tag & IPC_TAG_NOTIFY))
			break;
	}
	if (!(m.tag & IPC_TAG_NOTIFY)) {
		m.tag = 0;
		ipc_reply(&m);
	}
	sys_thread_stop(self);
	for (;;)
		;
}

/* A notification bound to a server ends its receive: tag IPC_TAG_NOTIFY,
 * the bits in the badge; pending bits come before queued senders. */
void test_ntfn_bound(void)
{
	struct ipc_msg m = { 0 };

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(1)), E_OK))
		goto out;
	EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(3), RIGHTS_ALL, 0x8), E_OK);
	srv_done = 0;
	if (!EXPECT_ERR(thread_new(S(2), (const void *)bound_server, 0, S(0), S(2),
				   ROOT_PRIORITY, 2), E_OK))
		goto out;
	EXPECT_ERR(ntfn_bind(S(2), S(1)), E_OK);
	EXPECT_ERR(ntfn_bind(S(2), S(1)), E_STATE);     /* bound already */
	EXPECT_ERR(ntfn_bind(SLOT_SELF_THREAD, S(1)), E_STATE);
	EXPECT_ERR(sys_thread_start(S(2)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(srv_done, 0);                         /* waiting in recv */
	EXPECT_ERR(ntfn_signal(S(3)), E_OK);
	EXPECT(yield_until(&srv_done, 1, 100) >= 0);
	EXPECT(srv_tag & IPC_TAG_NOTIFY);
	EXPECT_EQ(srv_badge, 0x8);
	/* then a real message ends the loop */
	m.tag = IPC_TAG(7, 1, 0, 0);
	m.w[0] = 1234;
	EXPECT_ERR(ipc_call(S(0), &m), E_OK);
	EXPECT_EQ(srv_done, 2);
	EXPECT_EQ(srv_w0, 1234);
	EXPECT_EQ(IPC_TAG_LABEL(srv_tag), 7);
	EXPECT_ERR(ntfn_bind(S(2), CAP_NONE), E_OK);
out:
	sys_cap_delete(S(2));
	sys_cap_delete(S(3));
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}
