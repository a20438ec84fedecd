/*
 * Typed items (t_items.c): a capability and a page sent in messages, and a
 * pager that answers a page fault with a map item.
 */
#include <mica/ipc.h>
#include "abi.h"

#define WINDOW 0x00000000005FE000ull    /* unmapped, in the image's 2 MiB */

static uint8_t item_utcb[PAGE] __attribute__((aligned(PAGE)));
static uint8_t item_page[PAGE] __attribute__((aligned(PAGE)));
static volatile uint64_t it_done, it_tag, it_w0, it_w1, it_err;

/* Receives one message with a receive slot and window set, records it, replies. */
static noreturn void item_receiver(uint64_t ep, uint64_t self)
{
	struct utcb *u = (struct utcb *)(uintptr_t)item_utcb;
	struct ipc_msg m = { 0 };

	u->recv_slot = self + 1 + 1;    /* the slot after our own thread's */
	u->recv_window = WINDOW | 12;
	it_err = (uint64_t)ipc_recv(ep, &m);
	it_tag = m.tag;
	it_w0 = m.w[0];
	it_w1 = m.w[1];
	it_done = 1;
	m.tag = 0;
	ipc_reply(&m);
	sys_thread_stop(self);
	for (;;)
		;
}

/* A capability copied with fewer rights and a page mapped, by message. */
void test_items_cap_and_page(void)
{
	uint64_t type, rights, badge;
	struct ipc_msg m = { 0 };

	it_done = 0;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(3)), E_OK))
		goto out;
	/* the receiver's slot S(2) (= its own S(1) + 1) takes the capability */
	if (!EXPECT_ERR(thread_new(S(1), (const void *)item_receiver, 0, S(0), S(1),
				   ROOT_PRIORITY, 2), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_config_ipc(S(1), (uint64_t)(uintptr_t)item_utcb, CAP_NONE,
					 CAP_NONE), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	/* without the grant right: refused */
	if (EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(4), RIGHT_WRITE), E_OK)) {
		m.tag = IPC_TAG(5, 0, 1, IPC_NONBLOCK);
		m.w[0] = IPC_ITEM_CAP(IPC_ITEM_MAP_CAP, S(3), RIGHT_READ);
		EXPECT_ERR(ipc_call(S(4), &m), E_CAP_RIGHTS);
		sys_cap_delete(S(4));
	}
	item_page[0] = 0x5a;
	m.tag = IPC_TAG(5, 0, 2, 0);
	m.w[0] = IPC_ITEM_CAP(IPC_ITEM_MAP_CAP, S(3), RIGHT_READ);
	m.w[1] = 0;
	m.w[2] = IPC_ITEM_PAGES(IPC_ITEM_MAP_PAGES, (uint64_t)(uintptr_t)item_page, 12, MAP_READ);
	m.w[3] = 0;                     /* at the start of the window */
	EXPECT_ERR(ipc_call(S(0), &m), E_OK);
	EXPECT_EQ(it_done, 1);
	EXPECT_ERR(it_err, E_OK);
	EXPECT_EQ(IPC_TAG_ITEMS(it_tag), 2);            /* both arrived */
	if (EXPECT_ERR(sys_cap_info(S(2), &type, &rights, &badge), E_OK)) {
		EXPECT_EQ(type, CAP_NOTIFICATION);
		EXPECT_EQ(rights, RIGHT_READ);
	}
	EXPECT_EQ(*(volatile uint8_t *)WINDOW, 0x5a);  /* the same frame */
	EXPECT_ERR(sys_unmap(WINDOW, 12, UNMAP_SELF), E_OK);
out:
	item_page[0] = 0;
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	sys_cap_delete(S(3));
	sys_cap_delete(S(0));
}

static uint8_t fault_page[PAGE] __attribute__((aligned(PAGE)));
static volatile uint64_t pf_touched;

static noreturn void item_toucher(uint64_t self, uint64_t unused)
{
	(void)unused;
	pf_touched = *(volatile uint64_t *)WINDOW + 1;
	sys_thread_stop(self);
	for (;;)
		;
}

/* The pager answers the fault with a map item: no SYS_MAP of its own. */
static noreturn void item_pager(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	if (ipc_recv(ep, &m) == E_OK && IPC_TAG_LABEL(m.tag) == IPC_LABEL_PAGE_FAULT) {
		uint64_t page = m.w[0] & ~(PAGE - 1);

		m.tag = IPC_TAG(0, 0, 1, 0);
		m.w[0] = IPC_ITEM_PAGES(IPC_ITEM_MAP_PAGES, (uint64_t)(uintptr_t)fault_page, 12,
					MAP_READ);
		m.w[1] = page;
		ipc_reply(&m);
	}
	sys_thread_stop(self);
	for (;;)
		;
}

void test_items_pager_map_reply(void)
{
	pf_touched = 0;
	fault_page[0] = 41;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(S(1), (const void *)item_pager, 0, S(0), S(1), ROOT_PRIORITY,
				   2), E_OK) ||
	    !EXPECT_ERR(thread_new(S(2), (const void *)item_toucher, 1, S(2), 0, ROOT_PRIORITY,
				   2), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_config_ipc(S(2), 0, S(0), CAP_NONE), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	EXPECT_ERR(sys_thread_start(S(2)), E_OK);
	EXPECT(yield_until(&pf_touched, 1, 200) >= 0);
	EXPECT_EQ(pf_touched, 42);
	EXPECT_ERR(sys_unmap(WINDOW, 12, UNMAP_SELF), E_OK);
out:
	fault_page[0] = 0;
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

static volatile uint64_t rv_done, rv_err;

/* Calls through its capability and records how the call ended. */
static noreturn void revoked_sender(uint64_t cap, uint64_t self)
{
	struct ipc_msg m = { .tag = IPC_TAG(1, 1, 0, 0) };

	rv_err = (uint64_t)ipc_call(cap, &m);
	rv_done = 1;
	sys_thread_stop(self);
	for (;;)
		;
}

/* A send queued through a capability that is then revoked ends with
 * E_DEAD: it cannot go on without the capability it used. */
void test_ipc_send_cap_revoked(void)
{
	rv_done = 0;
	rv_err = ~0ull;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(2), RIGHTS_ALL, 0x77), E_OK) ||
	    !EXPECT_ERR(thread_new(S(1), (const void *)revoked_sender, 0, S(2), S(1),
				   ROOT_PRIORITY, 2), E_OK))
		goto out;
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(rv_done, 0);                          /* queued: nobody receives */
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);         /* takes S(2) */
	EXPECT(yield_until(&rv_done, 1, 100) >= 0);
	EXPECT_ERR(rv_err, E_DEAD);
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(2));
	sys_cap_delete(S(0));
}
