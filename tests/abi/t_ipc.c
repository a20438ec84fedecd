/*
 * IPC (t_ipc.c): call, reply_wait, send, recv, reply and abort between
 * threads of the suite's own task.
 */
#include <mica/ipc.h>
#include "abi.h"

/* An echo server: answers every call with w[i] + 1 and the label + 1,
 * until a call with label 0. */
static noreturn void echo_server(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	ipc_recv(ep, &m);
	while (IPC_TAG_LABEL(m.tag) != 0) {
		for (int i = 0; i < IPC_REG_WORDS; i++)
			m.w[i]++;
		m.tag = IPC_TAG(IPC_TAG_LABEL(m.tag) + 1, IPC_TAG_WORDS(m.tag), 0, 0);
		ipc_reply_wait(ep, &m);
	}
	m.tag = 0;
	ipc_reply(&m);
	sys_thread_stop(self);
	for (;;)
		;
}

/* A call round trip: words and label arrive, the reply comes back. */
void test_ipc_call_echo(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(S(0), (const void *)echo_server, 0, S(1), S(0),
				   ROOT_PRIORITY, 2), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(0)), E_OK);
	for (uint64_t round = 1; round <= 3; round++) {
		m.tag = IPC_TAG(round * 10, 8, 0, 0);
		for (int i = 0; i < 8; i++)
			m.w[i] = round * 100 + (uint64_t)i;
		EXPECT_ERR(ipc_call(S(1), &m), E_OK);
		EXPECT_EQ(IPC_TAG_LABEL(m.tag), round * 10 + 1);
		EXPECT_EQ(IPC_TAG_WORDS(m.tag), 8);
		for (int i = 0; i < 8; i++)
			EXPECT_EQ(m.w[i], round * 100 + (uint64_t)i + 1);
	}
	m.tag = IPC_TAG(0, 0, 0, 0);
	EXPECT_ERR(ipc_call(S(1), &m), E_OK);
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}
