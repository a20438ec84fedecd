/*
 * Faults as IPC (t_pager.c): a page fault handled by a user-level pager
 * that maps a zero page, and an exception handler that skips the faulting
 * instruction and resumes the thread.
 */
#include <mica/ipc.h>
#include "abi.h"

/* Unmapped, but in the 2 MiB the suite's image occupies, so its page
 * table exists already and mapping there costs the leak check nothing. */
#define HOLE 0x00000000005FF000ull

static uint8_t zero_page[PAGE] __attribute__((aligned(PAGE)));
static uint8_t handler_utcb[PAGE] __attribute__((aligned(PAGE)));
static volatile uint64_t seen_addr, seen_ip, seen_access, seen_vector, touched, resumed;

/* Touches the hole: reads it, then writes it, then stops. */
static noreturn void toucher(uint64_t self, uint64_t unused)
{
	(void)unused;
	touched = *(volatile uint64_t *)HOLE + 1;       /* 0 from a zero page */
	*(volatile uint64_t *)HOLE = 77;
	sys_thread_stop(self);
	for (;;)
		;
}

/* The pager: one fault, answered by mapping the zero page there. */
static noreturn void pager(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	if (ipc_recv(ep, &m) == E_OK && IPC_TAG_LABEL(m.tag) == IPC_LABEL_PAGE_FAULT) {
		seen_addr = m.w[0];
		seen_ip = m.w[1];
		seen_access = m.w[2];
		sys_map(SLOT_SELF_TASK, (uint64_t)(uintptr_t)zero_page,
			m.w[0] & ~(PAGE - 1), 12, MAP_READ | MAP_WRITE);
		m.tag = 0;
		ipc_reply(&m);
	}
	sys_thread_stop(self);
	for (;;)
		;
}

void test_pager_zero_page(void)
{
	seen_addr = seen_ip = seen_access = touched = 0;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(S(1), (const void *)pager, 0, S(0), S(1), ROOT_PRIORITY, 2),
			E_OK) ||
	    !EXPECT_ERR(thread_new(S(2), (const void *)toucher, 1, S(2), 0, ROOT_PRIORITY, 2),
			E_OK))
		goto out;
	EXPECT_ERR(sys_thread_config_ipc(S(2), 0, S(0), CAP_NONE), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	EXPECT_ERR(sys_thread_start(S(2)), E_OK);
	EXPECT(yield_until(&touched, 1, 200) >= 0);
	EXPECT_EQ(seen_addr, HOLE);
	EXPECT(seen_ip >= 0x400000 && seen_ip < 0x500000);
	EXPECT_EQ(seen_access, 0);                      /* a read of a missing page */
	EXPECT_EQ(touched, 1);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(*(volatile uint64_t *)(uintptr_t)zero_page, 77);     /* the write went there */
	EXPECT_ERR(sys_unmap(HOLE, 12, UNMAP_SELF), E_OK);
out:
	*(volatile uint64_t *)(uintptr_t)zero_page = 0;
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/* Executes ud2 (two bytes), then, resumed past it, says so and stops. */
static noreturn void faulter(uint64_t self, uint64_t unused)
{
	(void)unused;
	__asm__ volatile("ud2");
	resumed = 1;
	sys_thread_stop(self);
	for (;;)
		;
}

/* The handler: one exception; resumes the thread two bytes further on. */
static noreturn void handler(uint64_t ep, uint64_t self)
{
	struct utcb *u = (struct utcb *)(uintptr_t)handler_utcb;
	struct ipc_msg m = { 0 };

	if (ipc_recv(ep, &m) == E_OK && IPC_TAG_LABEL(m.tag) == IPC_LABEL_EXCEPTION &&
	    IPC_TAG_WORDS(m.tag) == IPC_EXCEPTION_WORDS) {
		seen_vector = u->mr[18];
		m.w[0] += 2;                    /* rip: past ud2 */
		m.tag = IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0);
		ipc_reply(&m);                  /* words 8-17 are still in our UTCB */
	}
	sys_thread_stop(self);
	for (;;)
		;
}

void test_exception_handler_resumes(void)
{
	seen_vector = resumed = 0;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(S(1), (const void *)handler, 0, S(0), S(1), ROOT_PRIORITY, 2),
			E_OK) ||
	    !EXPECT_ERR(thread_new(S(2), (const void *)faulter, 1, S(2), 0, ROOT_PRIORITY, 2),
			E_OK))
		goto out;
	EXPECT_ERR(sys_thread_config_ipc(S(1), (uint64_t)(uintptr_t)handler_utcb, CAP_NONE,
					 CAP_NONE), E_OK);
	EXPECT_ERR(sys_thread_config_ipc(S(2), 0, CAP_NONE, S(0)), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	EXPECT_ERR(sys_thread_start(S(2)), E_OK);
	EXPECT(yield_until(&resumed, 1, 200) >= 0);
	EXPECT_EQ(seen_vector, 6);                      /* #UD */
out:
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}
