/*
 * The edges of the page-fault fast paths (t_faultpath.c): a fault
 * reported straight to a pager that waits, and a pager's reply_wait
 * whose answer is one map item. On the kernel with the fast path these
 * steps take it where they can and fall back to the slow path at each
 * edge; on the kernel without it the same steps take the slow path, and
 * every answer must be the same (docs/abi.md, "User exceptions").
 *
 * The main thread is the pager unless a test says otherwise; the faulter
 * is a thread of the suite's own task at the same priority, so that a
 * report to a waiting pager and an answer to a waiting faulter switch
 * directly, as the fast paths need.
 */
#include <mica/ipc.h>
#include "abi.h"

/* Unmapped, in the 2 MiB the suite's image occupies (its page table
 * exists, so mapping there costs the leak check nothing). */
#define FP_HOLE   0x00000000005FD000ull
#define EP        S(0)
#define FAULTER   S(1)
#define BADGED    S(2)
#define OTHER     S(3)
#define FP_BADGE  0x5EEDull
#define JUNK      0xDEADBEEFull

static uint8_t fp_page[2][PAGE] __attribute__((aligned(PAGE)));
/* What the faulter read in each round, and how many rounds it finished. */
static volatile uint64_t fp_seen[4], fp_rounds;

/* Reads the hole `rounds` times, unmapping it after each read (so that
 * the next read faults again), then stops. */
static noreturn void fp_faulter(uint64_t self, uint64_t rounds)
{
	for (uint64_t i = 0; i < rounds; i++) {
		fp_seen[i] = *(volatile uint64_t *)FP_HOLE;
		fp_rounds = i + 1;
		sys_unmap(FP_HOLE, 12, UNMAP_SELF);
	}
	sys_thread_stop(self);
	for (;;)
		;
}

static uint64_t thread_state(uint64_t slot)
{
	uint64_t state, prio;

	return sys_thread_info(slot, &state, &prio) == E_OK ? state : ~0ull;
}

/* The faulter in FAULTER, paging through BADGED (EP with FP_BADGE), not started. */
static int faulter_new(uint64_t rounds)
{
	fp_rounds = 0;
	for (int i = 0; i < 4; i++)
		fp_seen[i] = 0;
	fp_page[0][0] = 11;
	fp_page[1][0] = 22;
	return EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, EP), E_OK) &&
	       EXPECT_ERR(sys_cap_mint(EP, SLOT_SELF_TASK, BADGED, RIGHTS_ALL, FP_BADGE), E_OK) &&
	       EXPECT_ERR(thread_new(FAULTER, (const void *)fp_faulter, 1, FAULTER, rounds,
				     ROOT_PRIORITY, 2), E_OK) &&
	       EXPECT_ERR(sys_thread_config_ipc(FAULTER, 0, BADGED, CAP_NONE), E_OK);
}

static void faulter_end(void)
{
	sys_unmap(FP_HOLE, 12, UNMAP_SELF);
	sys_cap_delete(OTHER);
	sys_cap_delete(FAULTER);
	sys_cap_delete(BADGED);
	sys_cap_delete(EP);
}

/* m is the faulter's report of a read at the hole: tag, badge, words;
 * the words beyond the third are 0 (they were JUNK before the receive). */
static void expect_report(const struct ipc_msg *m)
{
	EXPECT_EQ(m->tag, IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0));
	EXPECT_EQ(m->badge, FP_BADGE);
	EXPECT_EQ(m->w[0], FP_HOLE);
	EXPECT(m->w[1] >= 0x400000 && m->w[1] < 0x500000);
	EXPECT_EQ(m->w[2], 0);                          /* a read of a missing page */
	for (unsigned i = 3; i < IPC_REG_WORDS; i++) {
		ctx_set("word", i);
		EXPECT_EQ(m->w[i], 0);
	}
	ctx_clear();
}

/* The answer to a fault: one map item, our page at src to the hole. */
static void map_answer(struct ipc_msg *m, uint64_t src, uint64_t perms)
{
	m->tag = IPC_TAG(0, 0, 1, 0);
	m->w[0] = IPC_ITEM_PAGES(IPC_ITEM_MAP_PAGES, src, 12, perms);
	m->w[1] = FP_HOLE;
	for (unsigned i = 2; i < IPC_REG_WORDS; i++)
		m->w[i] = JUNK;
}

static uint64_t page_of(int which)
{
	return (uint64_t)(uintptr_t)fp_page[which];
}

/* Receives on EP (reply_wait if `answer`, with what m holds), words JUNK
 * before; expects a report of the faulter's. */
static int next_report(struct ipc_msg *m, int answer)
{
	long e;

	if (!answer) {
		m->tag = 0;
		for (unsigned i = 0; i < IPC_REG_WORDS; i++)
			m->w[i] = JUNK;
	}
	e = answer ? ipc_reply_wait(EP, m) : ipc_recv(EP, m);
	if (!EXPECT_ERR(e, E_OK))
		return 0;
	expect_report(m);
	return 1;
}

/*
 * A pager that waits: the report arrives in registers with the badge;
 * reply_wait with a map item resumes the faulter, whose next fault comes
 * back to the pager's receive; the last answer by SYS_REPLY.
 */
void test_faultpath_pager_waits(void)
{
	struct ipc_msg m;

	if (!faulter_new(3) || !EXPECT_ERR(sys_thread_start(FAULTER), E_OK))
		goto out;
	if (!next_report(&m, 0))
		goto out;
	map_answer(&m, page_of(0), MAP_READ);
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_rounds, 1);
	EXPECT_EQ(fp_seen[0], 11);
	map_answer(&m, page_of(1), MAP_READ | MAP_WRITE);
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_rounds, 2);
	EXPECT_EQ(fp_seen[1], 22);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 3, 50) >= 0);
	EXPECT_EQ(fp_seen[2], 11);
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_STOPPED);
out:
	faulter_end();
}

/* The pager not waiting: the fault waits in the queue, and the receive
 * takes it; the answers then as above. */
void test_faultpath_pager_not_waiting(void)
{
	struct ipc_msg m;

	if (!faulter_new(2) || !EXPECT_ERR(sys_thread_start(FAULTER), E_OK))
		goto out;
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_SEND);
	if (!next_report(&m, 0))
		goto out;
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_REPLY);
	map_answer(&m, page_of(1), MAP_READ);
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_seen[0], 22);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 2, 50) >= 0);
	EXPECT_EQ(fp_seen[1], 11);
out:
	faulter_end();
}

static volatile uint64_t pager_got;

/* A pager thread that takes one report and stops without answering. */
static noreturn void silent_pager(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	if (ipc_recv(ep, &m) == E_OK && m.tag == IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0))
		pager_got = m.w[0];
	sys_thread_stop(self);
	for (;;)
		;
}

/*
 * The pager dead: dead while it waited (the fault must not go to it: it
 * waits in the queue for the next receiver), and dead after it took the
 * report (the faulter stops rather than wait forever).
 */
void test_faultpath_pager_dead(void)
{
	struct ipc_msg m;

	pager_got = 0;
	if (!faulter_new(1) ||
	    !EXPECT_ERR(thread_new(OTHER, (const void *)silent_pager, 2, EP, OTHER,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(OTHER), E_OK))
		goto out;
	sys_yield();                                    /* it waits */
	EXPECT_EQ(thread_state(OTHER), THREAD_STATE_RECV);
	EXPECT_ERR(sys_cap_delete(OTHER), E_OK);        /* and dies */
	EXPECT_ERR(sys_thread_start(FAULTER), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_SEND);
	EXPECT_EQ(pager_got, 0);
	if (!next_report(&m, 0))
		goto out;
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 1, 50) >= 0);
	EXPECT_EQ(fp_seen[0], 11);
	faulter_end();

	if (!faulter_new(1) ||
	    !EXPECT_ERR(thread_new(OTHER, (const void *)silent_pager, 2, EP, OTHER,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(OTHER), E_OK))
		goto out;
	sys_yield();
	EXPECT_EQ(thread_state(OTHER), THREAD_STATE_RECV);
	EXPECT_ERR(sys_thread_start(FAULTER), E_OK);
	EXPECT(yield_until(&pager_got, 1, 50) >= 0);
	EXPECT_EQ(pager_got, FP_HOLE);
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_REPLY);
	EXPECT_ERR(sys_cap_delete(OTHER), E_OK);        /* the pager dies */
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_STOPPED);
	EXPECT_EQ(fp_rounds, 0);
out:
	faulter_end();
}

/*
 * Answers that map nothing: a source page that is not mapped, the KIP,
 * more rights than the source has. The faulter resumes, faults again at
 * the same address, and the report comes back. An item of no known kind
 * fails the reply_wait itself (E_INVAL) and leaves the faulter waiting.
 */
void test_faultpath_bad_item(void)
{
	uint64_t code = (uint64_t)(uintptr_t)fp_faulter & ~(PAGE - 1);
	struct ipc_msg m;

	if (!faulter_new(1) || !EXPECT_ERR(sys_thread_start(FAULTER), E_OK))
		goto out;
	if (!next_report(&m, 0))
		goto out;
	map_answer(&m, 0x00007f0000000000ull, MAP_READ);        /* not mapped */
	if (!next_report(&m, 1))
		goto out;
	map_answer(&m, (uint64_t)(uintptr_t)the_kip, MAP_READ); /* the kernel's */
	if (!next_report(&m, 1))
		goto out;
	map_answer(&m, code, MAP_READ | MAP_WRITE);            /* read-only: E_PERM */
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_rounds, 0);
	map_answer(&m, page_of(0), MAP_READ);
	m.w[0] = (m.w[0] & ~0xFull) | 7;                        /* no such kind */
	EXPECT_ERR(ipc_reply_wait(EP, &m), E_INVAL);
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_REPLY);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 1, 50) >= 0);
	EXPECT_EQ(fp_seen[0], 11);
out:
	faulter_end();
}

/*
 * Answers that are not one map item: no item (the faulter retries and
 * faults again), words before the item (mapped all the same), a
 * capability item (the faulter has no UTCB: dropped, it faults again).
 */
void test_faultpath_other_answers(void)
{
	struct ipc_msg m;

	if (!faulter_new(2) || !EXPECT_ERR(sys_thread_start(FAULTER), E_OK))
		goto out;
	if (!next_report(&m, 0))
		goto out;
	m.tag = IPC_TAG(5, 2, 0, 0);
	m.w[0] = m.w[1] = JUNK;
	if (!next_report(&m, 1))
		goto out;
	m.tag = IPC_TAG(0, 0, 1, 0);
	m.w[0] = IPC_ITEM_CAP(IPC_ITEM_MAP_CAP, EP, RIGHTS_ALL);
	m.w[1] = 0;
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_rounds, 0);
	map_answer(&m, page_of(1), MAP_READ);
	m.tag = IPC_TAG(0, 2, 1, 0);
	m.w[2] = m.w[0];
	m.w[3] = m.w[1];
	m.w[0] = m.w[1] = JUNK;
	if (!next_report(&m, 1))
		goto out;
	EXPECT_EQ(fp_rounds, 1);
	EXPECT_EQ(fp_seen[0], 22);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 2, 50) >= 0);
	EXPECT_EQ(fp_seen[1], 11);
out:
	faulter_end();
}

/*
 * The faulter aborted, then stopped, while its report waits for the
 * answer: it stops either way, the answer finds no caller (E_DEAD) and
 * maps nothing; started again, it retries the access and faults anew.
 */
void test_faultpath_faulter_aborted(void)
{
	struct ipc_msg m;

	if (!faulter_new(1) || !EXPECT_ERR(sys_thread_start(FAULTER), E_OK))
		goto out;
	if (!next_report(&m, 0))
		goto out;
	EXPECT_ERR(ipc_abort(FAULTER), E_OK);
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_STOPPED);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_DEAD);
	EXPECT_ERR(sys_unmap(FP_HOLE, 12, UNMAP_SELF), E_NOTMAPPED);

	EXPECT_ERR(sys_thread_start(FAULTER), E_OK);
	if (!next_report(&m, 0))
		goto out;
	EXPECT_ERR(sys_thread_stop(FAULTER), E_OK);
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_STOPPED);
	map_answer(&m, page_of(0), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_DEAD);
	EXPECT_ERR(sys_unmap(FP_HOLE, 12, UNMAP_SELF), E_NOTMAPPED);

	EXPECT_ERR(sys_thread_start(FAULTER), E_OK);
	if (!next_report(&m, 0))
		goto out;
	map_answer(&m, page_of(1), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 1, 50) >= 0);
	EXPECT_EQ(fp_seen[0], 22);
out:
	faulter_end();
}

static volatile uint64_t sender_done;

/* Calls ep once with label 5, then stops. */
static noreturn void fp_sender(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { .tag = IPC_TAG(5, 1, 0, 0), .w = { 55 } };

	ipc_call(ep, &m);
	sender_done = 1;
	sys_thread_stop(self);
	for (;;)
		;
}

/*
 * Senders queued on the pager's endpoint: the fault queues behind them
 * (first come, first served); and a map-item answer while a sender
 * waits hands the pager that sender at once.
 */
void test_faultpath_queued_senders(void)
{
	struct ipc_msg m = { 0 };

	sender_done = 0;
	if (!faulter_new(2) ||
	    !EXPECT_ERR(thread_new(OTHER, (const void *)fp_sender, 2, EP, OTHER,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(OTHER), E_OK))
		goto out;
	sys_yield();
	EXPECT_EQ(thread_state(OTHER), THREAD_STATE_SEND);
	EXPECT_ERR(sys_thread_start(FAULTER), E_OK);
	sys_yield();
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_SEND);
	if (!EXPECT_ERR(ipc_recv(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(m.tag, IPC_TAG(5, 1, 0, 0));
	EXPECT_EQ(m.w[0], 55);
	m.tag = 0;
	if (!next_report(&m, 1))                        /* the sender answered */
		goto out;
	EXPECT(yield_until(&sender_done, 1, 50) >= 0);

	/* The sender again, queued while the faulter waits for its answer. */
	EXPECT_ERR(sys_cap_delete(OTHER), E_OK);
	sender_done = 0;
	if (!EXPECT_ERR(thread_new(OTHER, (const void *)fp_sender, 2, EP, OTHER,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(OTHER), E_OK))
		goto out;
	sys_yield();
	EXPECT_EQ(thread_state(OTHER), THREAD_STATE_SEND);
	map_answer(&m, page_of(0), MAP_READ);
	if (!EXPECT_ERR(ipc_reply_wait(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(m.tag, IPC_TAG(5, 1, 0, 0));          /* the sender, at once */
	EXPECT_EQ(thread_state(FAULTER), THREAD_STATE_READY);
	m.tag = 0;
	if (!next_report(&m, 1))                        /* the faulter's second fault */
		goto out;
	EXPECT_EQ(fp_seen[0], 11);
	map_answer(&m, page_of(1), MAP_READ);
	EXPECT_ERR(ipc_reply(&m), E_OK);
	EXPECT(yield_until(&fp_rounds, 2, 50) >= 0);
	EXPECT_EQ(fp_seen[1], 22);
	EXPECT(yield_until(&sender_done, 1, 50) >= 0);
out:
	faulter_end();
}
