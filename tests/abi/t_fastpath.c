/*
 * The edges of the IPC fast path and of the light system-call entry
 * (t_fastpath.c). A thread that blocks in call or reply_wait through the
 * assembly fast path keeps only RIP, RFLAGS, RSP, RBX and RBP in the
 * kernel; these tests block threads that way (on the kernel without the
 * fast path, the same steps take the slow path and must give answers the
 * ABI allows too) and then read them, answer them through the slow path,
 * abort them, or end their receive with a notification. docs/abi.md,
 * "Registers of a thread blocked in IPC", is the rule checked.
 *
 * Every thread here runs at the main thread's priority, so that a call
 * to a waiting partner switches to it directly, as the fast path needs.
 */
#include <mica/ipc.h>
#include "abi.h"

#define EP      S(1)
#define PEER    S(2)
#define NTFN    S(3)
#define MAGIC_RBX 0xB0B0B0B0B0B0B0B0ull
#define MAGIC_RBP 0xB1B1B1B1B1B1B1B1ull

/* syscall_probe's register order (util.c). */
enum { P_RDI, P_RSI, P_RDX, P_R10, P_R8, P_R9, P_RBX, P_RBP, P_R12, P_R13, P_R14, P_R15 };

/* The message words' places in that order: RDX, R8, R9, R10, R12-R15. */
static const int word_at[IPC_REG_WORDS] = { P_RDX, P_R8, P_R9, P_R10, P_R12, P_R13, P_R14, P_R15 };

/* What the peer sends (its registers on every system call), what its
 * last system call answered, and how many it made. */
static uint64_t peer_in[12], peer_out[12];
static volatile uint64_t peer_ret, peer_rounds;

/* The peer: op on ep with peer_in's registers, forever, recording each
 * answer; op2 after the first. */
static noreturn void peer_main(uint64_t ep, uint64_t ops)
{
	uint64_t in[12], out[12], op = ops & 0xFF;

	for (;;) {
		memcpy(in, peer_in, sizeof in);
		in[P_RDI] = ep;
		peer_ret = (uint64_t)syscall_probe(op, in, out);
		memcpy(peer_out, out, sizeof out);
		peer_rounds++;
		op = ops >> 8;
	}
}

static void peer_regs_set(uint64_t tag)
{
	for (int i = 0; i < 12; i++)
		peer_in[i] = 0x5100 + (uint64_t)i;
	peer_in[P_RSI] = tag;
	peer_in[P_RBX] = MAGIC_RBX;
	peer_in[P_RBP] = MAGIC_RBP;
	peer_rounds = 0;
}

/*
 * The peer's registers as SYS_THREAD_READ_REGS shows them while it is
 * blocked in IPC: RBX and RBP as it called; RAX, RDI, RSI and the words
 * each 0 or what it called with (nr, ep and peer_in).
 */
static void expect_blocked_regs(uint64_t nr, uint64_t ep)
{
	struct mica_regs r;

	if (!EXPECT_ERR(sys_thread_read_regs(PEER, &r), E_OK))
		return;
	EXPECT_EQ(r.rbx, MAGIC_RBX);
	EXPECT_EQ(r.rbp, MAGIC_RBP);
	EXPECT(r.rip >= 0x1000 && r.rip < USER_END);
	EXPECT(r.rsp > stack_top(0) - STACK_SIZE && r.rsp <= stack_top(0));
	EXPECT(r.rax == 0 || r.rax == nr);
	EXPECT(r.rdi == 0 || r.rdi == ep);
	EXPECT(r.rsi == 0 || r.rsi == peer_in[P_RSI]);
	EXPECT(r.rdx == 0 || r.rdx == peer_in[P_RDX]);
	EXPECT(r.r8 == 0 || r.r8 == peer_in[P_R8]);
	EXPECT(r.r9 == 0 || r.r9 == peer_in[P_R9]);
	EXPECT(r.r10 == 0 || r.r10 == peer_in[P_R10]);
	EXPECT(r.r12 == 0 || r.r12 == peer_in[P_R12]);
	EXPECT(r.r13 == 0 || r.r13 == peer_in[P_R13]);
	EXPECT(r.r14 == 0 || r.r14 == peer_in[P_R14]);
	EXPECT(r.r15 == 0 || r.r15 == peer_in[P_R15]);
}

/* The peer's last answer: err, RDI rdi, RSI rsi, words w[0..n-1] and the
 * rest 0, RBX and RBP as it called. */
static void expect_answer(long err, uint64_t rdi, uint64_t rsi, const uint64_t *w, unsigned n)
{
	EXPECT_ERR(peer_ret, err);
	EXPECT_EQ(peer_out[P_RDI], rdi);
	EXPECT_EQ(peer_out[P_RSI], rsi);
	for (unsigned i = 0; i < IPC_REG_WORDS; i++) {
		ctx_set("word", i);
		EXPECT_EQ(peer_out[word_at[i]], i < n ? w[i] : 0);
	}
	ctx_clear();
	EXPECT_EQ(peer_out[P_RBX], MAGIC_RBX);
	EXPECT_EQ(peer_out[P_RBP], MAGIC_RBP);
}

/*
 * A caller blocked waiting for its reply (through the fast path where it
 * exists): read, answered by SYS_REPLY (the slow path), aborted.
 */
void test_ipc_blocked_caller(void)
{
	static const uint64_t reply[3] = { 0xA0, 0xA1, 0xA2 };
	const uint64_t tag = IPC_TAG(7, 2, 0, 0);
	struct ipc_msg m = { 0 };

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, EP), E_OK))
		return;
	peer_regs_set(tag);
	if (!EXPECT_ERR(thread_new(PEER, peer_main, 0, EP, SYS_CALL | SYS_CALL << 8,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(PEER), E_OK))
		goto out;
	/* We wait first, so its call finds us waiting. */
	if (!EXPECT_ERR(ipc_recv(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(m.tag, tag);
	EXPECT_EQ(m.w[0], peer_in[P_RDX]);
	EXPECT_EQ(m.w[1], peer_in[P_R8]);
	expect_blocked_regs(SYS_CALL, EP);

	/* SYS_REPLY answers through the slow path; our receive lets it run
	 * and call again. */
	m.tag = IPC_TAG(9, 3, 0, 0);
	for (int i = 0; i < 3; i++)
		m.w[i] = reply[i];
	EXPECT_ERR(ipc_reply(&m), E_OK);
	if (!EXPECT_ERR(ipc_recv(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(peer_rounds, 1);
	expect_answer(E_OK, 0, IPC_TAG(9, 3, 0, 0), reply, 3);

	/* Aborted: E_ABORTED, no message, RBX and RBP kept. */
	EXPECT_ERR(ipc_abort(PEER), E_OK);
	if (!EXPECT_ERR(ipc_recv(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(peer_rounds, 2);
	expect_answer(E_ABORTED, 0, 0, NULL, 0);
out:
	sys_cap_delete(PEER);
	sys_cap_delete(EP);
}

/*
 * A server blocked in reply_wait (through the fast path where it exists)
 * after answering us: read, then its receive ended by its bound
 * notification, which brings the bits and IPC_TAG_NOTIFY.
 */
void test_ipc_blocked_server(void)
{
	struct ipc_msg m = { 0 };
	struct mica_regs r;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, EP), E_OK))
		return;
	if (!EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, NTFN), E_OK))
		goto out;
	peer_regs_set(IPC_TAG(5, 1, 0, 0));
	if (!EXPECT_ERR(thread_new(PEER, peer_main, 0, EP, SYS_RECV | SYS_REPLY_WAIT << 8,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(ntfn_bind(PEER, NTFN), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(PEER), E_OK))
		goto out;
	if (!EXPECT(yield_until(&peer_rounds, 1, 5) < 0))       /* it waits in recv */
		goto out;

	/* Our call runs it; its reply_wait answers us and waits. */
	m.tag = IPC_TAG(3, 1, 0, 0);
	m.w[0] = 0xC0;
	if (!EXPECT_ERR(ipc_call(EP, &m), E_OK))
		goto out;
	EXPECT_EQ(m.tag, IPC_TAG(5, 1, 0, 0));
	EXPECT_EQ(m.w[0], peer_in[P_RDX]);
	EXPECT_EQ(peer_rounds, 1);
	expect_answer(E_OK, 0, IPC_TAG(3, 1, 0, 0), (const uint64_t[]){ 0xC0 }, 1);
	expect_blocked_regs(SYS_REPLY_WAIT, EP);

	/* The notification ends its receive: the bits in RDI. The words
	 * carry no message: 0, or (slow path) what its reply sent. */
	EXPECT_ERR(ntfn_signal(NTFN), E_OK);
	if (!EXPECT(yield_until(&peer_rounds, 2, 5) >= 0))
		goto out;
	EXPECT_ERR(peer_ret, E_OK);
	EXPECT_EQ(peer_out[P_RDI], 1);
	EXPECT_EQ(peer_out[P_RSI], IPC_TAG_NOTIFY);
	for (unsigned i = 0; i < IPC_REG_WORDS; i++) {
		ctx_set("word", i);
		EXPECT(peer_out[word_at[i]] == 0 || peer_out[word_at[i]] == peer_in[word_at[i]]);
	}
	ctx_clear();
	EXPECT_EQ(peer_out[P_RBX], MAGIC_RBX);
	EXPECT_EQ(peer_out[P_RBP], MAGIC_RBP);
	/* Its reply_wait with nobody to answer waits again: still readable. */
	EXPECT_ERR(sys_thread_read_regs(PEER, &r), E_OK);
	EXPECT_EQ(r.rbx, MAGIC_RBX);
out:
	sys_cap_delete(PEER);
	sys_cap_delete(NTFN);
	sys_cap_delete(EP);
}

/*
 * A light system call (SYS_THREAD_CONFIG, docs/kernel.md) whose exit has
 * work: lowering our own priority lets a thread of the old priority run
 * before the call returns, and every register still comes back as it
 * was. The thread puts our priority back.
 */
static volatile uint64_t raised;

static noreturn void raise_main(uint64_t main_thread, uint64_t slice)
{
	struct ipc_msg m = { 0 };

	raised = 1;
	sys_thread_config(main_thread, ROOT_PRIORITY, slice);
	ipc_recv(EP, &m);               /* nobody sends: waits until deleted */
	for (;;)
		;
}

void test_light_exit_preempts(void)
{
	uint64_t in[12], out[12];
	long e;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, EP), E_OK))
		return;
	raised = 0;
	if (!EXPECT_ERR(thread_new(PEER, raise_main, 0, SLOT_SELF_THREAD, 2, ROOT_PRIORITY, 2),
			E_OK) ||
	    !EXPECT_ERR(sys_thread_start(PEER), E_OK))
		goto out;
	for (int i = 0; i < 12; i++)
		in[i] = 0x7700 + (uint64_t)i;
	in[P_RDI] = SLOT_SELF_THREAD;
	in[P_RSI] = ROOT_PRIORITY - 1;
	in[P_RDX] = 2;
	e = (long)syscall_probe(SYS_THREAD_CONFIG, in, out);
	EXPECT_ERR(e, E_OK);
	EXPECT_EQ(raised, 1);           /* it ran inside our call */
	for (int i = 0; i < 12; i++) {
		ctx_set("register", (uint64_t)i);
		EXPECT_EQ(out[i], in[i]);
	}
	ctx_clear();
out:
	sys_cap_delete(PEER);
	sys_cap_delete(EP);
}

/*
 * Long messages (words 8-63 through the UTCBs) between two threads of
 * one priority, both ways on the fast path where it exists, while the
 * UTCBs change under them: the fast path copies through addresses cached
 * by an earlier message (docs/kernel.md), and no change may leave it
 * copying to or from a page that is no longer the UTCB. Each UTCB here is
 * a page of ours mapped again at an alias address (in the part of the
 * address space whose page table exists, as t_map.c does), so that the
 * alias can be unmapped, made read-only or pointed elsewhere while the
 * page itself stays readable to the test.
 */
#define LU_ALIAS   0x5c0000ull                  /* nothing is mapped there */
#define LU_AL(i)   (LU_ALIAS + (uint64_t)(i) * PAGE)
#define LU_MARK    0x3c3c3c3c3c3c3c3cull        /* a page's words before a round */

static struct utcb lu_pages[3] __attribute__((aligned(PAGE)));
#define LU_PAGE(i) ((uint64_t)(uintptr_t)&lu_pages[i])

/* What the peer received last, and how many receives it made. */
static volatile uint64_t lu_err, lu_tag, lu_w[IPC_REG_WORDS], lu_rounds;

static long lu_map(uint64_t src, uint64_t dst, uint64_t perms)
{
	return mica_syscall(SYS_MAP, SLOT_SELF_TASK, src, dst, 12, perms, 0, NULL);
}

static long lu_unmap(uint64_t va)
{
	return mica_syscall(SYS_UNMAP, va, 12, UNMAP_SELF, 0, 0, 0, NULL);
}

/*
 * The peer (UTCB at *utcb): receives, records, and answers with the same
 * count of words, each complemented (words 8.. complemented in place in
 * its UTCB), label + 1; a receive that failed is answered with no words,
 * its UTCB untouched. Then reply_wait, forever.
 */
static noreturn void long_peer(uint64_t ep, uint64_t utcb)
{
	volatile uint64_t *const *u = (volatile uint64_t *const *)(uintptr_t)utcb;
	struct ipc_msg m = { 0 };
	long e = ipc_recv(ep, &m);

	for (;;) {
		unsigned n = IPC_TAG_WORDS(m.tag);

		lu_err = (uint64_t)e;
		lu_tag = m.tag;
		for (unsigned i = 0; i < IPC_REG_WORDS; i++) {
			lu_w[i] = m.w[i];
			m.w[i] = ~m.w[i];
		}
		if (e != E_OK)
			n = 0;
		for (unsigned i = IPC_REG_WORDS; i < n; i++)
			(*u)[i] = ~(*u)[i];
		lu_rounds++;
		m.tag = IPC_TAG(IPC_TAG_LABEL(m.tag) + 1, n, 0, 0);
		e = ipc_reply_wait(ep, &m);
	}
}

/* The peer's UTCB as it addresses it (long_peer reads it at each round). */
static uint64_t lu_peer_utcb;

/* A word that differs for every round r and index i. */
static uint64_t lu_pat(uint64_t r, uint64_t i)
{
	return 0xD1B54A32D192ED03ull * (r * IPC_MAX_WORDS + i + 1);
}

/*
 * One call of n words (round r) from our UTCB, page mine, to the peer,
 * whose UTCB is page theirs (NULL: none) and whose receive should end
 * with err. Every other page of lu_pages starts as LU_MARK and must stay
 * so: no copy may go to or come from a page that is not a UTCB now.
 */
static void lu_round(uint64_t r, unsigned n, struct utcb *mine, struct utcb *theirs, long err)
{
	uint64_t rounds = lu_rounds;
	struct ipc_msg m;

	ctx_set("round", r);
	for (unsigned p = 0; p < 3; p++)
		for (unsigned i = 0; i < IPC_MAX_WORDS; i++)
			lu_pages[p].mr[i] = &lu_pages[p] == mine && i < n ? lu_pat(r, i) : LU_MARK;
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = lu_pat(r, i);
	m.tag = IPC_TAG(0x40 + r, n, 0, 0);
	if (!EXPECT_ERR(ipc_call(EP, &m), E_OK))
		return;
	EXPECT_EQ(lu_rounds, rounds + 1);
	EXPECT_ERR((long)lu_err, err);
	EXPECT_EQ(lu_tag, IPC_TAG(0x40 + r, n, 0, 0));
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		EXPECT_EQ(lu_w[i], i < n ? lu_pat(r, i) : 0);
	/* The answer: the words complemented; none after a failed receive. */
	EXPECT_EQ(m.tag, IPC_TAG(0x41 + r, err == E_OK ? n : 0, 0, 0));
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		EXPECT_EQ(m.w[i], i < n && err == E_OK ? ~lu_pat(r, i) : 0);
	/* The pages: ours has what came back (or what we sent, if nothing
	 * did), theirs what it received, complemented; words beyond the
	 * count and every other page untouched. */
	for (unsigned p = 0; p < 3; p++) {
		for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++) {
			uint64_t want = LU_MARK, got = lu_pages[p].mr[i];

			if (&lu_pages[p] == mine && i < n)
				want = err == E_OK ? ~lu_pat(r, i) : lu_pat(r, i);
			else if (&lu_pages[p] == theirs && i < n && err == E_OK)
				want = ~lu_pat(r, i);
			if (got != want) {
				ctx_set("round/page/word", r << 16 | p << 8 | i);
				EXPECT_EQ(got, want);
			}
		}
	}
	ctx_clear();
}

void test_ipc_long_utcb_changes(void)
{
	struct utcb *p0 = &lu_pages[0], *p1 = &lu_pages[1], *p2 = &lu_pages[2];
	struct ipc_msg m;
	uint64_t r = 0, rounds;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, EP), E_OK))
		return;
	/* Our UTCB: page 0 at alias 0; the peer's: page 1 at alias 1. */
	lu_peer_utcb = LU_AL(1);
	if (!EXPECT_ERR(lu_map(LU_PAGE(0), LU_AL(0), MAP_WRITE), E_OK) ||
	    !EXPECT_ERR(lu_map(LU_PAGE(1), LU_AL(1), MAP_WRITE), E_OK) ||
	    !EXPECT_ERR(sys_thread_config_ipc(SLOT_SELF_THREAD, LU_AL(0), CAP_NONE, CAP_NONE),
			E_OK) ||
	    !EXPECT_ERR(thread_new(PEER, long_peer, 0, EP, (uint64_t)(uintptr_t)&lu_peer_utcb,
				   ROOT_PRIORITY, 2), E_OK) ||
	    !EXPECT_ERR(sys_thread_config_ipc(PEER, LU_AL(1), CAP_NONE, CAP_NONE), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(PEER), E_OK))
		goto out;
	for (int i = 0; i < 4; i++)
		sys_yield();                    /* it waits in recv */

	/* Warm: after the first, the rounds go by the fast path both ways. */
	for (int i = 0; i < 3; i++)
		lu_round(++r, 64, p0, p1, E_OK);
	lu_round(++r, 20, p0, p1, E_OK);
	lu_round(++r, 9, p0, p1, E_OK);

	/* The peer's UTCB unmapped: it gets 8 words and E_FAULT; page 1,
	 * the UTCB it had, is not written. */
	EXPECT_ERR(lu_unmap(LU_AL(1)), E_OK);
	lu_round(++r, 64, p0, NULL, E_FAULT);
	/* Another page there: the words go to it. */
	EXPECT_ERR(lu_map(LU_PAGE(2), LU_AL(1), MAP_WRITE), E_OK);
	lu_round(++r, 64, p0, p2, E_OK);
	lu_round(++r, 64, p0, p2, E_OK);
	/* Mapped over without an unmap first (SYS_MAP replaces it). */
	EXPECT_ERR(lu_map(LU_PAGE(1), LU_AL(1), MAP_WRITE), E_OK);
	lu_round(++r, 64, p0, p1, E_OK);
	lu_round(++r, 64, p0, p1, E_OK);
	/* Read-only: E_FAULT, nothing written; writable again. */
	EXPECT_ERR(lu_map(LU_PAGE(1), LU_AL(1), MAP_READ), E_OK);
	lu_round(++r, 64, p0, p1, E_FAULT);
	EXPECT_ERR(lu_map(LU_PAGE(1), LU_AL(1), MAP_WRITE), E_OK);
	lu_round(++r, 64, p0, p1, E_OK);
	lu_round(++r, 64, p0, p1, E_OK);
	/* Its UTCB moved by SYS_THREAD_CONFIG_IPC while it waits. */
	EXPECT_ERR(lu_map(LU_PAGE(2), LU_AL(2), MAP_WRITE), E_OK);
	EXPECT_ERR(sys_thread_config_ipc(PEER, LU_AL(2), CAP_NONE, CAP_NONE), E_OK);
	lu_peer_utcb = LU_AL(2);
	lu_round(++r, 64, p0, p2, E_OK);
	lu_round(++r, 64, p0, p2, E_OK);

	/* Our UTCB unmapped: E_FAULT before anything is sent. */
	EXPECT_ERR(lu_unmap(LU_AL(0)), E_OK);
	rounds = lu_rounds;
	m.tag = IPC_TAG(1, 64, 0, 0);
	EXPECT_ERR(ipc_call(EP, &m), E_FAULT);
	EXPECT_EQ(lu_rounds, rounds);
	/* Back, and moved to page 1 (alias 1). */
	EXPECT_ERR(lu_map(LU_PAGE(0), LU_AL(0), MAP_WRITE), E_OK);
	lu_round(++r, 64, p0, p2, E_OK);
	lu_round(++r, 64, p0, p2, E_OK);
	EXPECT_ERR(sys_thread_config_ipc(SLOT_SELF_THREAD, LU_AL(1), CAP_NONE, CAP_NONE), E_OK);
	lu_round(++r, 64, p1, p2, E_OK);
	lu_round(++r, 64, p1, p2, E_OK);
out:
	sys_thread_config_ipc(SLOT_SELF_THREAD, (uint64_t)(uintptr_t)the_utcb, CAP_NONE, CAP_NONE);
	sys_cap_delete(PEER);
	for (int i = 0; i < 3; i++)
		lu_unmap(LU_AL(i));
	sys_cap_delete(EP);
}
