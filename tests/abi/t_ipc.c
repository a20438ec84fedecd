/*
 * IPC (t_ipc.c): call, reply_wait, send, recv, reply and abort, between
 * threads of the suite's own task and with a server in a child task.
 *
 * Most tests drive "jobs": threads of ours that make one IPC operation,
 * record what it answered and stop themselves. They run below the main
 * thread's priority, so they only run when the main thread lets them:
 * settle() stops the main thread, and the waker, a thread at priority 1,
 * starts it again, which happens only once every other thread of ours
 * has blocked or stopped. That makes the order of events deterministic
 * without timing: "start job A, settle" leaves A blocked in its IPC.
 * Operations of the main thread that must not block carry IPC_NONBLOCK,
 * so that a kernel that gets them wrong answers E_WOULDBLOCK, not hangs.
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
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/* ------------------------------------------------------------ helpers */

#define NB              IPC_NONBLOCK
#define JOB_PRIO        100             /* below the main thread */
#define NJOBS           5               /* on stacks 0-4 */
#define JOB(i)          S(10 + (i))     /* their thread capabilities */
#define WAKER           S(31)
#define WAKER_STACK     5
#define WAKER_PRIO      1
#define HOLE            0x00007f0000000000ull   /* nothing is mapped there */

/* A UTCB page for each server thread of ours (the main thread has the_utcb). */
static struct utcb ipc_utcbs[2] __attribute__((aligned(4096)));
#define MAIN_UTCB ((struct utcb *)(void *)the_utcb)

/* A word that differs for every length n and index i (never 0). */
static uint64_t pat(uint64_t n, uint64_t i)
{
	return 0x9E3779B97F4A7C15ull * (n * IPC_MAX_WORDS + i + 1);
}

/* ---- the waker, and settle() */

static int waker_on;

static noreturn void waker_fn(uint64_t main_thread, uint64_t unused)
{
	(void)unused;
	for (;;) {
		sys_thread_start(main_thread);
		sys_yield();
	}
}

static int waker_begin(void)
{
	if (!EXPECT_ERR(thread_new(WAKER, (const void *)waker_fn, WAKER_STACK, SLOT_SELF_THREAD,
				   0, WAKER_PRIO, 1), E_OK))
		return 0;
	if (!EXPECT_ERR(sys_thread_start(WAKER), E_OK)) {
		sys_cap_delete(WAKER);
		return 0;
	}
	waker_on = 1;
	return 1;
}

/* Lets every other thread of ours run until all have blocked or stopped. */
static void settle(void)
{
	if (waker_on) {
		sys_thread_stop(SLOT_SELF_THREAD);
	} else {
		for (int i = 0; i < 20; i++)
			sys_yield();
	}
}

/* ---- jobs */

struct job {
	uint64_t self, ep, op, tag, w[IPC_REG_WORDS];
	volatile uint64_t done, err, rtag, rbadge, rw[IPC_REG_WORDS];
};

static struct job jobs[NJOBS];

/* One IPC operation as the job describes it; records the answer; stops. */
static noreturn void job_main(uint64_t jp, uint64_t unused)
{
	struct job *j = (struct job *)(uintptr_t)jp;
	struct ipc_msg m;
	long e;

	(void)unused;
	m.tag = j->tag;
	m.badge = 0;
	for (int i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = j->w[i];
	e = ipc_syscall(j->op, j->ep, &m);
	j->rtag = m.tag;
	j->rbadge = m.badge;
	for (int i = 0; i < IPC_REG_WORDS; i++)
		j->rw[i] = m.w[i];
	j->err = (uint64_t)e;
	j->done = 1;
	for (;;)
		sys_thread_stop(j->self);
}

/* Job i (thread JOB(i) on stack i, at prio): operation op on endpoint ep
 * with tag, word 0 w0 and words 1-7 w0 << 8 | k; created, not started. */
static int job_new(int i, uint64_t prio, uint64_t op, uint64_t ep, uint64_t tag, uint64_t w0,
		   int line)
{
	struct job *j = &jobs[i];

	j->self = JOB(i);
	j->ep = ep;
	j->op = op;
	j->tag = tag;
	j->w[0] = w0;
	for (int k = 1; k < IPC_REG_WORDS; k++)
		j->w[k] = w0 << 8 | (uint64_t)k;
	j->done = 0;
	j->err = j->rtag = j->rbadge = ~0ull;
	for (int k = 0; k < IPC_REG_WORDS; k++)
		j->rw[k] = ~0ull;
	return expect_err(thread_new(JOB(i), (const void *)job_main, i, (uint64_t)(uintptr_t)j,
				     0, prio, 2), E_OK, "job thread_new", line);
}

static int job_start(int i, uint64_t prio, uint64_t op, uint64_t ep, uint64_t tag, uint64_t w0,
		     int line)
{
	return job_new(i, prio, op, ep, tag, w0, line) &&
	       expect_err(sys_thread_start(JOB(i)), E_OK, "job start", line);
}
#define JOB_NEW(i, op, ep, tag, w0) job_new((i), JOB_PRIO, (op), (ep), (tag), (w0), __LINE__)
#define JOB_START(i, op, ep, tag, w0) job_start((i), JOB_PRIO, (op), (ep), (tag), (w0), __LINE__)
#define JOB_START_P(i, prio, op, ep, tag, w0) \
	job_start((i), (prio), (op), (ep), (tag), (w0), __LINE__)

/* Expects job i to have finished with err (and, if w0 != ~0, word 0 w0). */
static void expect_job(int i, long err, uint64_t w0, int line)
{
	if (!expect_eq(jobs[i].done, 1, "job done", line))
		return;
	expect_err((long)jobs[i].err, err, "job error", line);
	if (w0 != ~0ull)
		expect_eq(jobs[i].rw[0], w0, "job word 0", line);
}
#define EXPECT_JOB(i, err, w0) expect_job((i), (err), (w0), __LINE__)
#define EXPECT_BLOCKED(i) expect_eq(jobs[i].done, 0, "job still blocked", __LINE__)

/* Deletes every job thread (whatever exists). */
static void jobs_clear(void)
{
	for (int i = 0; i < NJOBS; i++)
		sys_cap_delete(JOB(i));
}

/* Deletes every job thread and the waker. */
static void jobs_end(void)
{
	jobs_clear();
	if (waker_on)
		sys_cap_delete(WAKER);
	waker_on = 0;
}

/* The main thread's IPC with one word (and flags), for brevity. */
static long op1(uint64_t op, uint64_t ep, uint64_t tag, uint64_t w0, struct ipc_msg *m)
{
	m->tag = tag;
	m->badge = 0xbadbadbad;
	m->w[0] = w0;
	for (int i = 1; i < IPC_REG_WORDS; i++)
		m->w[i] = 0xdead0000 + (uint64_t)i;
	return ipc_syscall(op, ep, m);
}

/* ---- the long-message echo server (its own UTCB) */

#define UTCB_POISON 0x5a5a5a5a5a5a5a5aull      /* its UTCB before each receive */
#define REG_POISON  0xbad0000000000000ull      /* its word registers likewise */
#define REPLY_JUNK  0x0dd0000000000000ull      /* what it leaves beyond its reply */
#define REPLY_XOR   0xffff0000ffff0000ull      /* its reply: each word ^ this */

static volatile uint64_t le_count, le_err, le_tag, le_badge, le_reply_err;
static volatile uint64_t le_w[IPC_MAX_WORDS];

/*
 * Receives a message, records everything it saw (words 8.. from its UTCB),
 * answers with the same number of words, each ^ REPLY_XOR, label + 1,
 * junk in the registers and UTCB words beyond; and again.
 */
static noreturn void long_echo(uint64_t ep, uint64_t self)
{
	struct utcb *u = &ipc_utcbs[0];
	struct ipc_msg m;
	unsigned n;
	long e;

	(void)self;
	for (;;) {
		for (int i = 0; i < IPC_MAX_WORDS; i++)
			u->mr[i] = UTCB_POISON;
		m.tag = 0;
		for (int i = 0; i < IPC_REG_WORDS; i++)
			m.w[i] = REG_POISON + (uint64_t)i;
		e = ipc_recv(ep, &m);
		n = IPC_TAG_WORDS(m.tag);
		le_err = (uint64_t)e;
		le_tag = m.tag;
		le_badge = m.badge;
		for (int i = 0; i < IPC_MAX_WORDS; i++)
			le_w[i] = i < IPC_REG_WORDS ? m.w[i] : u->mr[i];
		le_count++;
		if (n > IPC_MAX_WORDS)
			n = 0;
		for (unsigned i = 0; i < IPC_REG_WORDS; i++)
			m.w[i] = i < n ? m.w[i] ^ REPLY_XOR : REPLY_JUNK + i;
		for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
			u->mr[i] = i < n ? u->mr[i] ^ REPLY_XOR : REPLY_JUNK + i;
		m.tag = IPC_TAG(IPC_TAG_LABEL(m.tag) + 1, n, 0, 0);
		le_reply_err = (uint64_t)ipc_reply(&m);
	}
}

/* The long echo server in slot, at prio, on stack, with its UTCB. */
static int long_echo_begin(uint64_t slot, uint64_t ep, int stack, int line)
{
	le_count = 0;
	if (!expect_err(thread_new(slot, (const void *)long_echo, stack, ep, slot, ROOT_PRIORITY,
				   2), E_OK, "thread_new", line))
		return 0;
	if (!expect_err(sys_thread_config_ipc(slot, (uint64_t)(uintptr_t)&ipc_utcbs[0], CAP_NONE,
					      CAP_NONE), E_OK, "config_ipc", line) ||
	    !expect_err(sys_thread_start(slot), E_OK, "start", line)) {
		sys_cap_delete(slot);
		return 0;
	}
	return 1;
}

/* ---- a server in a child task */

/*
 * ipc_other_server(endpoint, record): runs in a child task, which has its
 * own thread in slot 1, and needs no stack. Receives; records the error,
 * badge, tag and word registers in the record page (count in word 0,
 * last); unless record word 12 (mode) is 1, answers with label + 1,
 * word 0 + 1, the other registers as they came, and the UTCB words 8..
 * (the UTCB at record word 13) complemented, then waits again
 * (reply_wait). Mode 1 never answers: it just receives again. An error
 * stops it (restarted, it receives), but in mode 2, which answers it
 * with label + 1 and no words.
 */
void ipc_other_server(void);
_Static_assert(SYS_RECV == 26 && SYS_REPLY_WAIT == 24 && SYS_THREAD_STOP == 16,
	       "ipc_other_server's system-call numbers");

__asm__(
	".section .text.ipcother, \"ax\"\n"
	".balign 4096\n"
	".globl ipc_other_server\n"
	"ipc_other_server:\n"
	"	mov %rsi, %rbx\n"
	"	mov %rdi, %rbp\n"
	"1:	mov %rbp, %rdi\n"
	"	xor %esi, %esi\n"
	"	mov $26, %eax\n"
	"	syscall\n"
	"2:	mov %rax, 8(%rbx)\n"
	"	mov %rdi, 16(%rbx)\n"
	"	mov %rsi, 24(%rbx)\n"
	"	mov %rdx, 32(%rbx)\n"
	"	mov %r8, 40(%rbx)\n"
	"	mov %r9, 48(%rbx)\n"
	"	mov %r10, 56(%rbx)\n"
	"	mov %r12, 64(%rbx)\n"
	"	mov %r13, 72(%rbx)\n"
	"	mov %r14, 80(%rbx)\n"
	"	mov %r15, 88(%rbx)\n"
	"	incq 0(%rbx)\n"
	"	test %rax, %rax\n"
	"	jnz 3f\n"
	"	cmpq $1, 96(%rbx)\n"
	"	je 1b\n"
	"	mov %esi, %ecx\n"
	"	and $0x7f, %ecx\n"
	"	mov 104(%rbx), %r11\n"
	"	mov $8, %eax\n"
	"	jmp 5f\n"
	"4:	notq (%r11,%rax,8)\n"
	"	inc %eax\n"
	"5:	cmp %ecx, %eax\n"
	"	jb 4b\n"
	"	add $0x10000, %rsi\n"
	"	inc %rdx\n"
	"	mov %rbp, %rdi\n"
	"	mov $24, %eax\n"
	"	syscall\n"
	"	jmp 2b\n"
	"3:	cmpq $2, 96(%rbx)\n"
	"	jne 6f\n"
	"	and $-0x10000, %rsi\n"
	"	add $0x10000, %rsi\n"
	"	mov %rbp, %rdi\n"
	"	mov $24, %eax\n"
	"	syscall\n"
	"	jmp 2b\n"
	"6:	mov $1, %edi\n"
	"	mov $16, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	".balign 4096\n"
	".text\n"
);

enum { REC_COUNT, REC_ERR, REC_BADGE, REC_TAG, REC_W0, REC_MODE = 12, REC_UTCB = 13 };
static volatile uint64_t other_rec[PAGE / 8] __attribute__((aligned(4096)));
static struct utcb other_utcb __attribute__((aligned(4096)));
static struct utcb other_utcb2 __attribute__((aligned(4096)));     /* another page for it */

#define OTHER_CODE ((uint64_t)(uintptr_t)ipc_other_server & ~(PAGE - 1))
#define OTHER_PRIO 110

static long abi_map(uint64_t task, uint64_t src, uint64_t dst, uint64_t size_log2,
		    uint64_t perms)
{
	return mica_syscall(SYS_MAP, task, src, dst, size_log2, perms, 0, NULL);
}

/*
 * A child task in task_slot whose thread (our capability in thread_slot)
 * runs ipc_other_server on a read-only copy of endpoint ep (its slot 2),
 * in mode; started.
 */
static int other_server_begin(uint64_t task_slot, uint64_t thread_slot, uint64_t ep,
			      uint64_t mode, int line)
{
	const uint64_t rec = (uint64_t)(uintptr_t)other_rec;
	const uint64_t utcb = (uint64_t)(uintptr_t)&other_utcb;
	struct mica_regs r;

	for (unsigned i = 0; i < PAGE / 8; i++)
		other_rec[i] = 0;
	memset(&other_utcb, 0, sizeof other_utcb);
	other_rec[REC_MODE] = mode;
	other_rec[REC_UTCB] = utcb;
	if (!expect_err(sys_task_create(SLOT_SELF_TASK, task_slot, task_min + 256 * 1024, 4), E_OK,
			"task_create", line))
		return 0;
	regs_for(&r, (const void *)ipc_other_server, 0, 2, rec);
	r.rsp = 0;
	return expect_err(abi_map(task_slot, OTHER_CODE, OTHER_CODE, 12, MAP_EXEC), E_OK,
			  "map code", line) &&
	       expect_err(abi_map(task_slot, rec, rec, 12, MAP_WRITE), E_OK, "map record", line) &&
	       expect_err(abi_map(task_slot, utcb, utcb, 12, MAP_WRITE), E_OK, "map utcb", line) &&
	       expect_err(sys_thread_create(task_slot, thread_slot), E_OK, "thread_create", line) &&
	       expect_err(sys_cap_copy(thread_slot, task_slot, 1, RIGHTS_ALL), E_OK,
			  "copy thread", line) &&
	       expect_err(sys_cap_copy(ep, task_slot, 2, RIGHT_READ), E_OK, "copy endpoint",
			  line) &&
	       expect_err(sys_thread_config_ipc(thread_slot, utcb, CAP_NONE, CAP_NONE), E_OK,
			  "config_ipc", line) &&
	       expect_err(sys_thread_write_regs(thread_slot, &r), E_OK, "write_regs", line) &&
	       expect_err(sys_thread_config(thread_slot, OTHER_PRIO, 2), E_OK, "config", line) &&
	       expect_err(sys_thread_start(thread_slot), E_OK, "start", line);
}
#define OTHER_SERVER_BEGIN(task, thread, ep, mode) \
	other_server_begin((task), (thread), (ep), (mode), __LINE__)

static long abi_unmap(uint64_t base, uint64_t size_log2, uint64_t flags)
{
	return mica_syscall(SYS_UNMAP, base, size_log2, flags, 0, 0, 0, NULL);
}

/* ------------------------------------------------------------ tests */

/*
 * Every length 0..64: the receiver sees exactly the words sent (words 8..
 * in its UTCB), the tag's word count and label as sent; register words
 * beyond the count arrive as 0 and UTCB words beyond it are not written.
 * The reply, through the other UTCB, likewise.
 */
void test_ipc_words_every_length(void)
{
	struct utcb *mu = MAIN_UTCB;
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!long_echo_begin(S(0), S(1), 0, __LINE__))
		goto out;
	for (uint64_t n = 0; n <= IPC_MAX_WORDS; n++) {
		uint64_t label = 0xA5A500000000ull | n << 8;
		uint64_t count = le_count;

		ctx_set("words", n);
		for (uint64_t i = 0; i < IPC_MAX_WORDS; i++) {
			if (i < IPC_REG_WORDS)
				m.w[i] = pat(n, i);
			else
				mu->mr[i] = pat(n, i);
		}
		m.tag = IPC_TAG(label, n, 0, 0);
		m.badge = 0xbad;
		if (!EXPECT_ERR(ipc_call(S(1), &m), E_OK))
			continue;
		EXPECT_EQ(le_count, count + 1);
		EXPECT_ERR((long)le_err, E_OK);
		EXPECT_EQ(le_tag, IPC_TAG(label, n, 0, 0));
		EXPECT_EQ(le_badge, 0);
		for (uint64_t i = 0; i < IPC_MAX_WORDS; i++) {
			uint64_t want = i < n ? pat(n, i) : i < IPC_REG_WORDS ? 0 : UTCB_POISON;

			if (le_w[i] != want) {
				ctx_set("words/index", n << 8 | i);
				EXPECT_EQ(le_w[i], want);
			}
		}
		ctx_set("words", n);
		/* the reply */
		EXPECT_ERR((long)le_reply_err, E_OK);
		EXPECT_EQ(m.tag, IPC_TAG(label + 1, n, 0, 0));
		EXPECT_EQ(m.badge, 0);
		for (uint64_t i = 0; i < IPC_MAX_WORDS; i++) {
			uint64_t got = i < IPC_REG_WORDS ? m.w[i] : mu->mr[i];
			uint64_t want = i < n ? pat(n, i) ^ REPLY_XOR :
					i < IPC_REG_WORDS ? 0 : pat(n, i);

			if (got != want) {
				ctx_set("reply words/index", n << 8 | i);
				EXPECT_EQ(got, want);
			}
		}
	}
	ctx_clear();
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/*
 * The label arrives whole; the receiver sees the badge of the capability
 * the sender used (0 for an unbadged one, a copy keeps its badge), both
 * when the receiver waited and when the sender did; a reply carries none.
 */
void test_ipc_label_badge(void)
{
	static const uint64_t labels[] = { 0, 1, 0x123456789ABCull, 0xFFFFFFFFFFF0ull };
	static const struct {
		int slot;
		uint64_t badge;
	} caps[] = {
		{ 1, 0 }, { 2, 0x1111 }, { 3, 0xFEDCBA9876543210ull }, { 4, 0 }, { 5, 0x1111 },
	};
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL, 0x1111), E_OK) ||
	    !EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(3), RIGHT_WRITE,
				     0xFEDCBA9876543210ull), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(4), RIGHT_WRITE), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(2), SLOT_SELF_TASK, S(5), RIGHT_WRITE), E_OK))
		goto out;
	if (!long_echo_begin(S(0), S(1), 0, __LINE__))
		goto out;
	/* the server waits: the sender's capability gives the badge */
	for (unsigned c = 0; c < sizeof caps / sizeof caps[0]; c++) {
		for (unsigned l = 0; l < sizeof labels / sizeof labels[0]; l++) {
			ctx_set("slot/label", (uint64_t)caps[c].slot << 48 | labels[l]);
			if (!EXPECT_ERR(op1(SYS_CALL, S(caps[c].slot), IPC_TAG(labels[l], 1, 0, 0),
					    0x42, &m), E_OK))
				continue;
			EXPECT_EQ(le_badge, caps[c].badge);
			EXPECT_EQ(le_tag, IPC_TAG(labels[l], 1, 0, 0));
			EXPECT_EQ(IPC_TAG_LABEL(m.tag), labels[l] + 1);
			EXPECT_EQ(m.badge, 0);
		}
	}
	ctx_clear();
	sys_cap_delete(S(0));

	/* the sender waits: the badge it queued with */
	if (!waker_begin())
		goto out;
	for (unsigned c = 0; c < sizeof caps / sizeof caps[0]; c++) {
		ctx_set("slot", (uint64_t)caps[c].slot);
		if (!JOB_START(0, SYS_CALL, S(caps[c].slot), IPC_TAG(0xABCDEF, 1, 0, 0), 7))
			break;
		settle();
		if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK)) {
			EXPECT_EQ(m.badge, caps[c].badge);
			EXPECT_EQ(m.tag, IPC_TAG(0xABCDEF, 1, 0, 0));
			EXPECT_EQ(m.w[0], 7);
			EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 8, &m), E_OK);
			settle();
			EXPECT_JOB(0, E_OK, 8);
			EXPECT_EQ(jobs[0].rbadge, 0);
		}
		sys_cap_delete(JOB(0));
	}
	ctx_clear();
out:
	jobs_end();
	sys_cap_delete(S(0));
	for (int s = 5; s >= 1; s--)
		sys_cap_delete(S(s));
}

/* Senders of one priority are served in the order they came. */
void test_ipc_fifo(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	/* calls, in order 0 1 2 (the first through a badged copy) */
	if (!EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(2), RIGHT_WRITE, 0xB0), E_OK))
		goto out;
	for (int i = 0; i < 3; i++) {
		if (!JOB_START(i, SYS_CALL, i == 0 ? S(2) : S(1), IPC_TAG(0x10 + i, 1, 0, 0),
			       0x100 + (uint64_t)i))
			goto out;
		settle();
	}
	for (int i = 0; i < 3; i++)
		EXPECT_BLOCKED(i);
	for (int i = 0; i < 3; i++) {
		ctx_set("receive", (uint64_t)i);
		if (!EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK))
			continue;
		EXPECT_EQ(m.w[0], 0x100 + (uint64_t)i);
		EXPECT_EQ(m.tag, IPC_TAG(0x10 + i, 1, 0, 0));
		EXPECT_EQ(m.badge, i == 0 ? 0xB0 : 0);
		EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(0, 1, 0, 0), 0x200 + (uint64_t)i, &m), E_OK);
	}
	ctx_clear();
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);
	settle();
	for (int i = 0; i < 3; i++)
		EXPECT_JOB(i, E_OK, 0x200 + (uint64_t)i);

	/* sends too, and the two kinds mixed: one queue */
	for (int i = 0; i < 3; i++) {
		sys_cap_delete(JOB(i));
		if (!JOB_START(i, i == 1 ? SYS_CALL : SYS_SEND, S(1), IPC_TAG(1, 1, 0, 0),
			       0x300 + (uint64_t)i))
			goto out;
		settle();
	}
	for (int i = 0; i < 3; i++) {
		ctx_set("receive", (uint64_t)i);
		if (!EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK))
			continue;
		EXPECT_EQ(m.w[0], 0x300 + (uint64_t)i);
		if (i == 1)
			EXPECT_ERR(op1(SYS_REPLY, 0, 0, 0, &m), E_OK);
	}
	ctx_clear();
	settle();
	for (int i = 0; i < 3; i++)
		EXPECT_JOB(i, E_OK, ~0ull);
out:
	jobs_end();
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
}

/* A sender of higher priority goes before those of lower priority that
 * came earlier, and after those of its own that did; receivers too. */
void test_ipc_priority_order(void)
{
	/* in the order they call: job, priority; served: 1 3 0 2 */
	static const uint64_t prio[4] = { 50, 60, 50, 60 };
	static const int served[4] = { 1, 3, 0, 2 };
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	for (int i = 0; i < 4; i++) {
		if (!JOB_START_P(i, prio[i], SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0),
				 0x10 + (uint64_t)i))
			goto out;
		settle();
	}
	for (int k = 0; k < 4; k++) {
		ctx_set("receive", (uint64_t)k);
		if (!EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK))
			continue;
		EXPECT_EQ(m.w[0], 0x10 + (uint64_t)served[k]);
		EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(0, 1, 0, 0), 0x20 + (uint64_t)k, &m), E_OK);
	}
	ctx_clear();
	settle();
	for (int k = 0; k < 4; k++)
		EXPECT_JOB(served[k], E_OK, 0x20 + (uint64_t)k);

	/* receivers likewise: the first of the highest priority gets a message */
	jobs_clear();
	for (int i = 0; i < 4; i++) {
		if (!JOB_START_P(i, prio[i], SYS_RECV, S(1), 0, 0))
			goto out;
		settle();
	}
	for (int k = 0; k < 4; k++) {
		ctx_set("send", (uint64_t)k);
		EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 1, 0, NB), 0x30 + (uint64_t)k, &m), E_OK);
		settle();
		EXPECT_JOB(served[k], E_OK, 0x30 + (uint64_t)k);
		for (int l = k + 1; l < 4; l++)
			EXPECT_BLOCKED(served[l]);
	}
	ctx_clear();
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/* IPC_NONBLOCK: E_WOULDBLOCK at once when the partner is not there; fine
 * when it is (and the receiver never sees the flag). */
void test_ipc_nonblock(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	EXPECT_ERR(op1(SYS_CALL, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_REPLY_WAIT, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_CALL, S(1), IPC_TAG(1, 64, 0, NB), 1, &m), E_WOULDBLOCK);
	if (!waker_begin())
		goto out;

	/* a sender waits: senders do not meet senders; a receive takes it */
	if (!JOB_START(0, SYS_SEND, S(1), IPC_TAG(3, 1, 0, 0), 0x30))
		goto out;
	settle();
	EXPECT_BLOCKED(0);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_CALL, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK)) {
		EXPECT_EQ(m.tag, IPC_TAG(3, 1, 0, 0));
		EXPECT_EQ(m.w[0], 0x30);
	}
	settle();
	EXPECT_JOB(0, E_OK, ~0ull);

	/* a receiver waits: receivers do not meet receivers; a send reaches it */
	if (!JOB_START(1, SYS_RECV, S(1), 0, 0))
		goto out;
	settle();
	EXPECT_BLOCKED(1);
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_REPLY_WAIT, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(4, 2, 0, NB), 0x40, &m), E_OK);
	settle();
	EXPECT_JOB(1, E_OK, 0x40);
	EXPECT_EQ(jobs[1].rtag, IPC_TAG(4, 2, 0, 0));   /* no IPC_NONBLOCK */
	EXPECT_EQ(jobs[1].rw[1], 0xdead0001);
	EXPECT_EQ(jobs[1].rw[2], 0);
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * ipc_abort ends a blocked send, receive or wait for a reply with
 * E_ABORTED, and the aborted thread leaves the endpoint's queue; the
 * server's reply right goes with it. Threads not in IPC: E_STATE.
 */
void test_ipc_abort(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;

	/* a call nobody receives */
	if (!JOB_START(0, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x10))
		goto out;
	settle();
	EXPECT_BLOCKED(0);
	EXPECT_ERR(ipc_abort(JOB(0)), E_OK);
	settle();
	EXPECT_JOB(0, E_ABORTED, ~0ull);
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);      /* not queued */
	EXPECT_ERR(ipc_abort(JOB(0)), E_STATE);                         /* stopped now */

	/* a call received and never answered */
	if (!JOB_START(1, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x11))
		goto out;
	settle();
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK);
	EXPECT_ERR(ipc_abort(JOB(1)), E_OK);
	settle();
	EXPECT_JOB(1, E_ABORTED, ~0ull);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 1, &m), E_DEAD);     /* right gone */

	/* a receive */
	if (!JOB_START(2, SYS_RECV, S(1), 0, 0))
		goto out;
	settle();
	EXPECT_BLOCKED(2);
	EXPECT_ERR(ipc_abort(JOB(2)), E_OK);
	settle();
	EXPECT_JOB(2, E_ABORTED, ~0ull);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);

	/* a send */
	if (!JOB_START(3, SYS_SEND, S(1), IPC_TAG(1, 1, 0, 0), 0x13))
		goto out;
	settle();
	EXPECT_ERR(ipc_abort(JOB(3)), E_OK);
	settle();
	EXPECT_JOB(3, E_ABORTED, ~0ull);
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);

	/* not in IPC, not a thread, no right, dead */
	EXPECT_ERR(ipc_abort(SLOT_SELF_THREAD), E_STATE);              /* running */
	EXPECT_ERR(ipc_abort(WAKER), E_STATE);                          /* ready */
	if (EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(2)), E_OK))
		EXPECT_ERR(ipc_abort(S(2)), E_STATE);                   /* inactive */
	sys_cap_delete(S(2));
	EXPECT_ERR(ipc_abort(S(1)), E_CAP_TYPE);
	EXPECT_ERR(ipc_abort(SLOT_SELF_TASK), E_CAP_TYPE);
	EXPECT_ERR(ipc_abort(S(30)), E_CAP_EMPTY);
	EXPECT_ERR(ipc_abort(1ull << 40), E_CAP_RANGE);
	if (JOB_START(4, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x14)) {
		settle();
		if (EXPECT_ERR(sys_cap_copy(JOB(4), SLOT_SELF_TASK, S(2), RIGHT_READ | RIGHT_WRITE),
			       E_OK))
			EXPECT_ERR(ipc_abort(S(2)), E_CAP_RIGHTS);
		sys_cap_delete(S(2));
		EXPECT_BLOCKED(4);
		EXPECT_ERR(ipc_abort(JOB(4)), E_OK);
		settle();
		EXPECT_JOB(4, E_ABORTED, ~0ull);
	}
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(3), task_min + 8192, 2), E_OK) &&
	    EXPECT_ERR(sys_thread_create(S(3), S(2)), E_OK)) {
		EXPECT_ERR(sys_cap_delete(S(3)), E_OK);
		EXPECT_ERR(ipc_abort(S(2)), E_DEAD);
	}
	sys_cap_delete(S(2));
	sys_cap_delete(S(3));
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * The message checks, before anything blocks: more than 64 words
 * E_TOOBIG; typed items or the reserved tag bits E_INVAL; words for a UTCB
 * the sending thread has not got (or that is not mapped) E_FAULT.
 */
void test_ipc_message_errors(void)
{
	/* w0 is the first word: with no untyped words, a typed item's first word */
	static const struct {
		uint64_t tag, w0;
		long err;
	} bad[] = {
		{ IPC_TAG(1, 65, 0, NB), 1, E_TOOBIG },
		{ IPC_TAG(1, 100, 0, NB), 1, E_TOOBIG },
		{ IPC_TAG(1, 127, 0, NB), 1, E_TOOBIG },
		{ IPC_TAG(1, 0, 1, NB), 0, E_INVAL },           /* item kind 0 */
		{ IPC_TAG(1, 0, 1, NB), 0xF, E_INVAL },         /* item kind 15 */
		{ IPC_TAG(1, 0, 33, NB), 1, E_TOOBIG },         /* 66 words of items */
		{ IPC_TAG(1, 64, 1, NB), 1, E_TOOBIG },
		{ IPC_TAG(1, 1, 0, NB | 1u << 14), 1, E_INVAL },
		{ IPC_TAG(1, 1, 0, NB | 1u << 15), 1, E_INVAL },
		{ IPC_TAG(1, 1, 0, NB | 3u << 14), 1, E_INVAL },
	};
	static const uint64_t ops[4] = { SYS_CALL, SYS_SEND, SYS_REPLY_WAIT, SYS_REPLY };
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (unsigned o = 0; o < 4; o++) {
			ctx_set("op/tag", ops[o] << 32 | (bad[i].tag & 0xFFFF));
			EXPECT_ERR(op1(ops[o], S(1), bad[i].tag, bad[i].w0, &m), bad[i].err);
		}
	}
	ctx_clear();
	/* refused even with a receiver waiting, which keeps waiting */
	if (!waker_begin())
		goto out;
	if (!JOB_NEW(0, SYS_RECV, S(1), 0, 0) ||
	    !EXPECT_ERR(sys_thread_config_ipc(JOB(0), (uint64_t)(uintptr_t)&ipc_utcbs[1], CAP_NONE,
					      CAP_NONE), E_OK) ||
	    !EXPECT_ERR(sys_thread_start(JOB(0)), E_OK))
		goto out;
	settle();
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 65, 0, NB), 1, &m), E_TOOBIG);
	EXPECT_ERR(op1(SYS_CALL, S(1), IPC_TAG(1, 0, 2, NB), 0, &m), E_INVAL);
	settle();
	EXPECT_BLOCKED(0);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 64, 0, NB), 1, &m), E_OK);
	settle();
	EXPECT_JOB(0, E_OK, 1);
	EXPECT_EQ(jobs[0].rtag, IPC_TAG(1, 64, 0, 0));

	/* a thread with no UTCB: 8 words fine, 9 E_FAULT (also with a receiver
	 * waiting, and for a reply); a UTCB address with nothing mapped: E_FAULT */
	if (JOB_START(1, SYS_CALL, S(1), IPC_TAG(1, 9, 0, NB), 1)) {
		settle();
		EXPECT_JOB(1, E_FAULT, ~0ull);
	}
	if (JOB_START(2, SYS_SEND, S(1), IPC_TAG(1, 8, 0, NB), 1)) {
		settle();
		EXPECT_JOB(2, E_WOULDBLOCK, ~0ull);
	}
	if (JOB_START(3, SYS_REPLY, 0, IPC_TAG(1, 9, 0, 0), 1)) {
		settle();
		EXPECT_JOB(3, E_FAULT, ~0ull);
	}
	sys_cap_delete(JOB(0));
	if (JOB_START(0, SYS_RECV, S(1), 0, 0) &&
	    JOB_NEW(4, SYS_SEND, S(1), IPC_TAG(1, 12, 0, NB), 1)) {
		settle();
		EXPECT_ERR(sys_thread_config_ipc(JOB(4), HOLE, CAP_NONE, CAP_NONE), E_OK);
		EXPECT_ERR(sys_thread_start(JOB(4)), E_OK);
		settle();
		EXPECT_JOB(4, E_FAULT, ~0ull);
		EXPECT_BLOCKED(0);                      /* nothing arrived */
	}
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * A receiver without a UTCB (or with a read-only one) gets a long message's
 * first eight words and E_FAULT; a sender's UTCB may be read-only.
 */
void test_ipc_recv_no_utcb(void)
{
	struct utcb *mu = MAIN_UTCB;
	const uint64_t code = OTHER_CODE;
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	for (uint64_t i = 0; i < IPC_MAX_WORDS; i++)
		mu->mr[i] = pat(12, i);
	for (uint64_t i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = pat(12, i);

	/* no UTCB */
	if (JOB_START(0, SYS_RECV, S(1), 0, 0)) {
		settle();
		m.tag = IPC_TAG(7, 12, 0, NB);
		EXPECT_ERR(ipc_send(S(1), &m), E_OK);
		settle();
		EXPECT_JOB(0, E_FAULT, pat(12, 0));
		EXPECT_EQ(jobs[0].rtag, IPC_TAG(7, 12, 0, 0));
		EXPECT_EQ(jobs[0].rw[7], pat(12, 7));
	}
	/* no UTCB, no need of one */
	if (JOB_START(1, SYS_RECV, S(1), 0, 0)) {
		settle();
		m.tag = IPC_TAG(7, 8, 0, NB);
		EXPECT_ERR(ipc_send(S(1), &m), E_OK);
		settle();
		EXPECT_JOB(1, E_OK, pat(12, 0));
		EXPECT_EQ(jobs[1].rw[7], pat(12, 7));
	}
	/* a read-only UTCB (a page of code) */
	if (JOB_NEW(2, SYS_RECV, S(1), 0, 0)) {
		EXPECT_ERR(sys_thread_config_ipc(JOB(2), code, CAP_NONE, CAP_NONE), E_OK);
		EXPECT_ERR(sys_thread_start(JOB(2)), E_OK);
		settle();
		m.tag = IPC_TAG(7, 9, 0, NB);
		EXPECT_ERR(ipc_send(S(1), &m), E_OK);
		settle();
		EXPECT_JOB(2, E_FAULT, pat(12, 0));
	}
	/* a sender's read-only UTCB is fine: the words come from the code page */
	if (JOB_NEW(3, SYS_SEND, S(1), IPC_TAG(8, 12, 0, 0), 0x33)) {
		const volatile uint64_t *cw = (const volatile uint64_t *)(uintptr_t)code;

		EXPECT_ERR(sys_thread_config_ipc(JOB(3), code, CAP_NONE, CAP_NONE), E_OK);
		EXPECT_ERR(sys_thread_start(JOB(3)), E_OK);
		settle();
		for (uint64_t i = 0; i < IPC_MAX_WORDS; i++)
			mu->mr[i] = 0;
		if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK)) {
			EXPECT_EQ(m.tag, IPC_TAG(8, 12, 0, 0));
			EXPECT_EQ(m.w[0], 0x33);
			for (uint64_t i = IPC_REG_WORDS; i < 12; i++)
				EXPECT_EQ(mu->mr[i], cw[i]);
			EXPECT_EQ(mu->mr[12], 0);
		}
		settle();
		EXPECT_JOB(3, E_OK, ~0ull);
	}
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/* Rights: sending needs RIGHT_WRITE, receiving RIGHT_READ; other types and
 * empty or out-of-range slots are refused before anything happens. */
void test_ipc_rights(void)
{
	static const uint64_t senders[2] = { SYS_CALL, SYS_SEND };
	static const uint64_t receivers[2] = { SYS_RECV, SYS_REPLY_WAIT };
	static const uint64_t all[4] = { SYS_CALL, SYS_SEND, SYS_RECV, SYS_REPLY_WAIT };
	struct ipc_msg m;
	const uint64_t tag = IPC_TAG(1, 1, 0, NB);

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(3), RIGHT_WRITE), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(4), RIGHT_GRANT | RIGHT_CONTROL),
			E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(5)), E_OK) ||
	    !EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(6), RIGHT_READ, 5), E_OK))
		goto out;
	for (int o = 0; o < 2; o++) {
		ctx_set("op", senders[o]);
		EXPECT_ERR(op1(senders[o], S(2), tag, 1, &m), E_CAP_RIGHTS);
		EXPECT_ERR(op1(senders[o], S(4), tag, 1, &m), E_CAP_RIGHTS);
		EXPECT_ERR(op1(senders[o], S(6), tag, 1, &m), E_CAP_RIGHTS);
		EXPECT_ERR(op1(senders[o], S(3), tag, 1, &m), E_WOULDBLOCK);
		ctx_set("op", receivers[o]);
		EXPECT_ERR(op1(receivers[o], S(3), tag, 1, &m), E_CAP_RIGHTS);
		EXPECT_ERR(op1(receivers[o], S(4), tag, 1, &m), E_CAP_RIGHTS);
		EXPECT_ERR(op1(receivers[o], S(2), tag, 1, &m), E_WOULDBLOCK);
		EXPECT_ERR(op1(receivers[o], S(6), tag, 1, &m), E_WOULDBLOCK);
	}
	for (int o = 0; o < 4; o++) {
		ctx_set("op", all[o]);
		EXPECT_ERR(op1(all[o], SLOT_SELF_TASK, tag, 1, &m), E_CAP_TYPE);
		EXPECT_ERR(op1(all[o], SLOT_SELF_THREAD, tag, 1, &m), E_CAP_TYPE);
		EXPECT_ERR(op1(all[o], SLOT_DEBUG_CONSOLE, tag, 1, &m), E_CAP_TYPE);
		EXPECT_ERR(op1(all[o], S(5), tag, 1, &m), E_CAP_TYPE);
		EXPECT_ERR(op1(all[o], S(30), tag, 1, &m), E_CAP_EMPTY);
		EXPECT_ERR(op1(all[o], ROOT_CAP_SLOTS, tag, 1, &m), E_CAP_RANGE);
		EXPECT_ERR(op1(all[o], 1ull << 40, tag, 1, &m), E_CAP_RANGE);
		EXPECT_ERR(op1(all[o], ~0ull, tag, 1, &m), E_CAP_RANGE);
	}
	ctx_clear();
out:
	for (int s = 6; s >= 1; s--)
		sys_cap_delete(S(s));
}

/*
 * A dead client does not block its server: the reply to it answers
 * E_DEAD and the server serves the next call; a dead sender leaves the
 * endpoint's queue.
 */
void test_ipc_dead_client(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	for (int i = 0; i < 2; i++) {
		if (!JOB_START(i, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0xA + (uint64_t)i))
			goto out;
		settle();
	}
	if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK))
		EXPECT_EQ(m.w[0], 0xA);
	EXPECT_ERR(sys_cap_delete(JOB(0)), E_OK);                       /* the client dies */
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0xAA, &m), E_DEAD);
	if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK)) {
		EXPECT_EQ(m.w[0], 0xB);
		EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0xBB, &m), E_OK);
	}
	settle();
	EXPECT_JOB(1, E_OK, 0xBB);

	/* a queued caller dies: out of the queue */
	if (JOB_START(2, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0xC)) {
		settle();
		EXPECT_ERR(sys_cap_delete(JOB(2)), E_OK);
		EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);
	}
out:
	jobs_end();
	sys_cap_delete(S(1));
}

static volatile uint64_t sds_got;

/* Receives one message, then deletes its own (last) capability. */
static noreturn void self_deleting_server(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };

	if (ipc_recv(ep, &m) == E_OK)
		sds_got = m.w[0];
	sys_cap_delete(self);
	for (;;)
		sys_thread_stop(self);
}

/*
 * Nobody waits forever on a dead partner: a server that dies while a
 * client waits for its reply releases it with E_DEAD; a deleted endpoint
 * releases its senders and receivers with E_DEAD; a call already received
 * does not depend on the endpoint.
 */
void test_ipc_dead_server(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;

	/* server job 0 receives client job 1's call and stops; then dies */
	if (!JOB_START(0, SYS_RECV, S(1), 0, 0))
		goto out;
	settle();
	if (!JOB_START(1, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x11))
		goto out;
	settle();
	EXPECT_JOB(0, E_OK, 0x11);
	EXPECT_BLOCKED(1);
	EXPECT_ERR(sys_cap_delete(JOB(0)), E_OK);
	settle();
	EXPECT_JOB(1, E_DEAD, ~0ull);

	/* a server that deletes itself (its last capability) */
	sds_got = 0;
	if (EXPECT_ERR(thread_new(S(2), (const void *)self_deleting_server, 4, S(1), S(2),
				  JOB_PRIO, 2), E_OK)) {
		EXPECT_ERR(sys_thread_start(S(2)), E_OK);
		settle();
		if (JOB_START(2, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x22)) {
			settle();
			EXPECT_EQ(sds_got, 0x22);
			EXPECT_EMPTY(S(2));
			EXPECT_JOB(2, E_DEAD, ~0ull);
		}
		sys_cap_delete(S(2));
	}

	/* endpoints deleted under two receivers, and under a caller and a sender */
	jobs_clear();
	if (EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(3)), E_OK) &&
	    JOB_START(0, SYS_RECV, S(3), 0, 0) && JOB_START(1, SYS_RECV, S(3), 0, 0)) {
		settle();
		EXPECT_BLOCKED(0);
		EXPECT_BLOCKED(1);
		EXPECT_ERR(sys_cap_delete(S(3)), E_OK);
		settle();
		EXPECT_JOB(0, E_DEAD, ~0ull);
		EXPECT_JOB(1, E_DEAD, ~0ull);
	}
	sys_cap_delete(S(3));
	jobs_clear();
	if (EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(3)), E_OK) &&
	    JOB_START(0, SYS_CALL, S(3), IPC_TAG(1, 1, 0, 0), 0x33) &&
	    JOB_START(1, SYS_SEND, S(3), IPC_TAG(1, 1, 0, 0), 0x34)) {
		settle();
		EXPECT_BLOCKED(0);
		EXPECT_BLOCKED(1);
		EXPECT_ERR(sys_cap_delete(S(3)), E_OK);
		settle();
		EXPECT_JOB(0, E_DEAD, ~0ull);
		EXPECT_JOB(1, E_DEAD, ~0ull);
	}
	sys_cap_delete(S(3));
	jobs_clear();

	/* a call received outlives the endpoint: the reply still arrives */
	if (EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(3)), E_OK) &&
	    JOB_START(0, SYS_CALL, S(3), IPC_TAG(1, 1, 0, 0), 0x55)) {
		settle();
		EXPECT_ERR(op1(SYS_RECV, S(3), NB, 0, &m), E_OK);
		EXPECT_ERR(sys_cap_delete(S(3)), E_OK);
		settle();
		EXPECT_BLOCKED(0);
		EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0x56, &m), E_OK);
		settle();
		EXPECT_JOB(0, E_OK, 0x56);
	}
out:
	jobs_end();
	sys_cap_delete(S(3));
	sys_cap_delete(S(1));
}

/* A reply right is used once: the second reply, or one with no call
 * received, answers E_DEAD; reply_wait with no caller just waits. */
void test_ipc_reply_once(void)
{
	struct ipc_msg m;

	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 1, &m), E_DEAD);
	EXPECT_ERR(op1(SYS_REPLY, 12345, IPC_TAG(1, 0, 0, 0), 1, &m), E_DEAD);
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_WRITE), E_OK) ||
	    !waker_begin())
		goto out;

	/* reply, reply again */
	if (!JOB_START(0, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x10))
		goto out;
	settle();
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(2, 1, 0, 0), 0x11, &m), E_OK);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(3, 1, 0, 0), 0x12, &m), E_DEAD);
	settle();
	EXPECT_JOB(0, E_OK, 0x11);
	EXPECT_EQ(jobs[0].rtag, IPC_TAG(2, 1, 0, 0));

	/* reply_wait answers once: a refused one keeps the right */
	if (!JOB_START(1, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x20))
		goto out;
	settle();
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK);
	EXPECT_ERR(op1(SYS_REPLY_WAIT, S(2), IPC_TAG(2, 1, 0, NB), 0x21, &m), E_CAP_RIGHTS);
	EXPECT_ERR(op1(SYS_REPLY_WAIT, S(1), IPC_TAG(2, 65, 0, NB), 0x21, &m), E_TOOBIG);
	settle();
	EXPECT_BLOCKED(1);
	EXPECT_ERR(op1(SYS_REPLY_WAIT, S(1), IPC_TAG(2, 1, 0, NB), 0x22, &m), E_WOULDBLOCK);
	settle();
	EXPECT_JOB(1, E_OK, 0x22);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(3, 1, 0, 0), 0x23, &m), E_DEAD);

	/* reply_wait with no caller waits for a message */
	if (!JOB_START(2, SYS_REPLY_WAIT, S(1), 0, 0))
		goto out;
	settle();
	EXPECT_BLOCKED(2);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(9, 1, 0, NB), 0x99, &m), E_OK);
	settle();
	EXPECT_JOB(2, E_OK, 0x99);
	EXPECT_EQ(jobs[2].rtag, IPC_TAG(9, 1, 0, 0));
out:
	jobs_end();
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
}

/*
 * Send: the sender goes on at once when a receiver waits (no reply is
 * owed, none can be given); with none, it waits until one comes.
 */
void test_ipc_send(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;

	/* a receiver waits: the send returns before the receiver even ran */
	if (!JOB_START(0, SYS_RECV, S(1), 0, 0))
		goto out;
	settle();
	m.tag = IPC_TAG(5, 2, 0, 0);
	m.w[0] = 0x55;
	m.w[1] = 0x66;
	m.w[2] = 0x77;
	EXPECT_ERR(ipc_send(S(1), &m), E_OK);
	EXPECT_BLOCKED(0);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 1, &m), E_DEAD);     /* nothing owed */
	settle();
	EXPECT_JOB(0, E_OK, 0x55);
	EXPECT_EQ(jobs[0].rtag, IPC_TAG(5, 2, 0, 0));
	EXPECT_EQ(jobs[0].rw[1], 0x66);
	EXPECT_EQ(jobs[0].rw[2], 0);
	EXPECT_EQ(jobs[0].rbadge, 0);

	/* none waits: the sender blocks until a receive */
	if (!JOB_START(1, SYS_SEND, S(1), IPC_TAG(6, 1, 0, 0), 0x88))
		goto out;
	settle();
	EXPECT_BLOCKED(1);
	if (EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK)) {
		EXPECT_EQ(m.tag, IPC_TAG(6, 1, 0, 0));
		EXPECT_EQ(m.w[0], 0x88);
		EXPECT_EQ(m.w[1], 0);
	}
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 1, &m), E_DEAD);
	settle();
	EXPECT_JOB(1, E_OK, ~0ull);

	/* to a receiver of equal priority: it runs, the sender goes on */
	if (JOB_START_P(2, ROOT_PRIORITY, SYS_RECV, S(1), 0, 0)) {
		for (int i = 0; i < 3; i++)
			sys_yield();
		EXPECT_BLOCKED(2);
		EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(7, 1, 0, 0), 0x99, &m), E_OK);
		yield_until(&jobs[2].done, 1, 100);
		EXPECT_JOB(2, E_OK, 0x99);
	}
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * A call across tasks: the server runs in a child task with a copy of the
 * endpoint; it sees the badge of the client's capability, long messages
 * go from UTCB to UTCB across address spaces, both ways.
 */
void test_ipc_cross_task(void)
{
	struct utcb *mu = MAIN_UTCB;
	struct ipc_msg m;
	const uint64_t n = 20;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(3), RIGHT_WRITE, 0xB0B5), E_OK) ||
	    !OTHER_SERVER_BEGIN(S(0), S(2), S(1), 0))
		goto out;
	for (uint64_t i = 0; i < IPC_MAX_WORDS; i++) {
		if (i < IPC_REG_WORDS)
			m.w[i] = pat(n, i);
		else
			mu->mr[i] = pat(n, i);
	}
	m.tag = IPC_TAG(0x77, n, 0, 0);
	if (EXPECT_ERR(ipc_call(S(3), &m), E_OK)) {
		EXPECT_EQ(other_rec[REC_COUNT], 1);
		EXPECT_ERR((long)other_rec[REC_ERR], E_OK);
		EXPECT_EQ(other_rec[REC_BADGE], 0xB0B5);
		EXPECT_EQ(other_rec[REC_TAG], IPC_TAG(0x77, n, 0, 0));
		for (uint64_t i = 0; i < IPC_REG_WORDS; i++)
			EXPECT_EQ(other_rec[REC_W0 + i], pat(n, i));
		for (uint64_t i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
			EXPECT_EQ(other_utcb.mr[i], i < n ? ~pat(n, i) : 0);    /* complemented */
		EXPECT_EQ(m.tag, IPC_TAG(0x78, n, 0, 0));
		EXPECT_EQ(m.badge, 0);
		EXPECT_EQ(m.w[0], pat(n, 0) + 1);
		for (uint64_t i = 1; i < IPC_REG_WORDS; i++)
			EXPECT_EQ(m.w[i], pat(n, i));
		for (uint64_t i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
			EXPECT_EQ(mu->mr[i], i < n ? ~pat(n, i) : pat(n, i));
	}
	/* unbadged; and a non-blocking call to the waiting server */
	if (EXPECT_ERR(op1(SYS_CALL, S(1), IPC_TAG(3, 1, 0, 0), 0x30, &m), E_OK)) {
		EXPECT_EQ(other_rec[REC_BADGE], 0);
		EXPECT_EQ(m.w[0], 0x31);
	}
	if (EXPECT_ERR(op1(SYS_CALL, S(3), IPC_TAG(3, 1, 0, NB), 0x40, &m), E_OK)) {
		EXPECT_EQ(other_rec[REC_BADGE], 0xB0B5);
		EXPECT_EQ(m.w[0], 0x41);
	}
	EXPECT_EQ(other_rec[REC_COUNT], 3);
	/* the server's task goes: it no longer receives */
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	EXPECT_ERR(op1(SYS_CALL, S(3), IPC_TAG(3, 1, 0, NB), 0x50, &m), E_WOULDBLOCK);
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(2));
	sys_cap_delete(S(3));
	sys_cap_delete(S(1));
}

/*
 * A stop ends a blocked IPC: restarted, the thread sees E_ABORTED (in a
 * receive, a send, and waiting for a reply, whose right goes).
 */
void test_ipc_stop(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;

	/* in recv */
	if (!JOB_START(0, SYS_RECV, S(1), 0, 0))
		goto out;
	settle();
	EXPECT_ERR(sys_thread_stop(JOB(0)), E_OK);
	EXPECT_ERR(op1(SYS_SEND, S(1), IPC_TAG(1, 1, 0, NB), 1, &m), E_WOULDBLOCK);
	settle();
	EXPECT_BLOCKED(0);                              /* stopped */
	EXPECT_ERR(sys_thread_start(JOB(0)), E_OK);
	settle();
	EXPECT_JOB(0, E_ABORTED, ~0ull);

	/* in call, queued */
	if (!JOB_START(1, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x10))
		goto out;
	settle();
	EXPECT_ERR(sys_thread_stop(JOB(1)), E_OK);
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_WOULDBLOCK);
	EXPECT_ERR(sys_thread_start(JOB(1)), E_OK);
	settle();
	EXPECT_JOB(1, E_ABORTED, ~0ull);

	/* waiting for the reply */
	if (!JOB_START(2, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0x20))
		goto out;
	settle();
	EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK);
	EXPECT_ERR(sys_thread_stop(JOB(2)), E_OK);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0x21, &m), E_DEAD);
	EXPECT_ERR(sys_thread_start(JOB(2)), E_OK);
	settle();
	EXPECT_JOB(2, E_ABORTED, ~0ull);
out:
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * A server that received a second call before answering the first owes
 * the second: the first caller aborted (or dead) must not take that right
 * away.
 */
void test_ipc_reply_right_kept(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	for (int i = 0; i < 2; i++) {
		if (!JOB_START(i, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0xA + (uint64_t)i))
			goto out;
		settle();
	}
	if (!EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK) || !EXPECT_EQ(m.w[0], 0xA) ||
	    !EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK) || !EXPECT_EQ(m.w[0], 0xB))
		goto out;
	{
		long e = ipc_abort(JOB(0));     /* E_STATE if already released */

		EXPECT(e == E_OK || e == E_STATE);
	}
	settle();
	EXPECT(jobs[0].done && (jobs[0].err == E_ABORTED || jobs[0].err == E_DEAD));
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(2, 1, 0, 0), 0xBB, &m), E_OK);
	settle();
	EXPECT_JOB(1, E_OK, 0xBB);
out:
	if (!jobs[1].done)
		ipc_abort(JOB(1));
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * A server that dies releases every caller waiting on it with E_DEAD, also
 * one whose call it received before another it received later. (The
 * server runs in a child task, so that its thread object outlives its
 * death while we hold its capability.)
 */
void test_ipc_dead_server_callers(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin() || !OTHER_SERVER_BEGIN(S(0), S(2), S(1), 1))
		goto out;
	settle();                                       /* the server waits */
	for (int i = 0; i < 2; i++) {
		if (!JOB_START(i, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0xA + (uint64_t)i))
			goto out;
		settle();
		EXPECT_EQ(other_rec[REC_COUNT], (uint64_t)i + 1);
		EXPECT_EQ(other_rec[REC_W0], 0xA + (uint64_t)i);
	}
	EXPECT_BLOCKED(0);
	EXPECT_BLOCKED(1);
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);         /* its task goes: the server dies */
	settle();
	EXPECT_JOB(1, E_DEAD, ~0ull);
	EXPECT_JOB(0, E_DEAD, ~0ull);
out:
	for (int i = 0; i < 2; i++) {
		if (!jobs[i].done) {
			ipc_abort(JOB(i));
			settle();
		}
	}
	jobs_end();
	sys_cap_delete(S(0));
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
}

/*
 * A server that took several calls owes each a reply: a reply answers the
 * newest it still owes; a caller aborted or dead in the middle drops out
 * of the list, the others keep their place.
 */
void test_ipc_callers_newest_first(void)
{
	struct ipc_msg m;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!waker_begin())
		goto out;
	for (int i = 0; i < 4; i++) {
		if (!JOB_START(i, SYS_CALL, S(1), IPC_TAG(1, 1, 0, 0), 0xA0 + (uint64_t)i))
			goto out;
		settle();
	}
	for (int i = 0; i < 4; i++) {
		ctx_set("receive", (uint64_t)i);
		if (!EXPECT_ERR(op1(SYS_RECV, S(1), NB, 0, &m), E_OK) ||
		    !EXPECT_EQ(m.w[0], 0xA0 + (uint64_t)i))
			goto out;
	}
	ctx_clear();
	EXPECT_ERR(ipc_abort(JOB(1)), E_OK);                    /* from the middle */
	EXPECT_ERR(sys_cap_delete(JOB(3)), E_OK);               /* the newest dies */
	settle();
	EXPECT_JOB(1, E_ABORTED, ~0ull);
	EXPECT_BLOCKED(0);
	EXPECT_BLOCKED(2);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0xC2, &m), E_OK);
	settle();
	EXPECT_JOB(2, E_OK, 0xC2);
	EXPECT_BLOCKED(0);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0xC0, &m), E_OK);
	settle();
	EXPECT_JOB(0, E_OK, 0xC0);
	EXPECT_ERR(op1(SYS_REPLY, 0, IPC_TAG(1, 1, 0, 0), 0xCC, &m), E_DEAD);
out:
	for (int i = 0; i < 4; i++)
		if (!jobs[i].done)
			ipc_abort(JOB(i));
	jobs_end();
	sys_cap_delete(S(1));
}

/*
 * Long messages across tasks, both ways on the fast path where it exists
 * (the server at our priority), while one side's UTCB changes and the
 * other's does not: the fast path copies through UTCB addresses cached by
 * an earlier message, and must notice that the server's task lost its
 * UTCB, or got another page there, or that ours lost some translation.
 */
#define LX_MARK 0x3c3c3c3c3c3c3c3cull

/* One call of n words (round r); the server's UTCB is page theirs
 * (NULL: none), its receive ends with err (mode 2: answered anyway). */
static void lx_round(uint64_t r, unsigned n, struct utcb *theirs, long err)
{
	struct utcb *mu = MAIN_UTCB, *pages[2] = { &other_utcb, &other_utcb2 };
	uint64_t count = other_rec[REC_COUNT];
	struct ipc_msg m;

	ctx_set("round", r);
	for (unsigned i = 0; i < IPC_MAX_WORDS; i++) {
		mu->mr[i] = i < n ? pat(r, i) : LX_MARK;
		other_utcb.mr[i] = other_utcb2.mr[i] = LX_MARK;
	}
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = pat(r, i);
	m.tag = IPC_TAG(0x50 + r, n, 0, 0);
	if (!EXPECT_ERR(ipc_call(S(1), &m), E_OK))
		return;
	EXPECT_EQ(other_rec[REC_COUNT], count + 1);
	EXPECT_ERR((long)other_rec[REC_ERR], err);
	EXPECT_EQ(other_rec[REC_TAG], IPC_TAG(0x50 + r, n, 0, 0));
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		EXPECT_EQ(other_rec[REC_W0 + i], i < n ? pat(r, i) : 0);
	EXPECT_EQ(m.tag, IPC_TAG(0x51 + r, err == E_OK ? n : 0, 0, 0));
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		EXPECT_EQ(m.w[i], err != E_OK || i >= n ? 0 : i == 0 ? pat(r, 0) + 1 : pat(r, i));
	/* UTCB words: ours complemented by the server (or as we sent them,
	 * if nothing came back), its page complemented in place, nothing
	 * beyond the count, nothing in a page that is not its UTCB. */
	for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++) {
		uint64_t want = i >= n ? LX_MARK : err == E_OK ? ~pat(r, i) : pat(r, i);

		if (mu->mr[i] != want) {
			ctx_set("round/word", r << 8 | i);
			EXPECT_EQ(mu->mr[i], want);
		}
		for (unsigned p = 0; p < 2; p++) {
			want = pages[p] == theirs && i < n && err == E_OK ? ~pat(r, i) : LX_MARK;
			if (pages[p]->mr[i] != want) {
				ctx_set("round/page/word", r << 16 | p << 8 | i);
				EXPECT_EQ(pages[p]->mr[i], want);
			}
		}
	}
	ctx_clear();
}

void test_ipc_long_utcb_cross_task(void)
{
	const uint64_t utcb = (uint64_t)(uintptr_t)&other_utcb;
	const uint64_t utcb2 = (uint64_t)(uintptr_t)&other_utcb2;
	const uint64_t alias = 0x5c0000ull;     /* nothing mapped there (t_map.c) */
	uint64_t r = 0;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_OK))
		return;
	if (!OTHER_SERVER_BEGIN(S(0), S(2), S(1), 2) ||
	    !EXPECT_ERR(sys_thread_config(S(2), ROOT_PRIORITY, 2), E_OK))
		goto out;
	for (int i = 0; i < 4; i++)
		sys_yield();                    /* it waits in recv */
	for (int i = 0; i < 3; i++)
		lx_round(++r, 64, &other_utcb, E_OK);
	lx_round(++r, 30, &other_utcb, E_OK);
	/* Its UTCB taken away (our page stays ours): E_FAULT there. */
	EXPECT_ERR(abi_unmap(utcb, 12, 0), E_OK);
	lx_round(++r, 64, NULL, E_FAULT);
	/* Another page of ours there, then the first again (mapped over). */
	EXPECT_ERR(abi_map(S(0), utcb2, utcb, 12, MAP_WRITE), E_OK);
	lx_round(++r, 64, &other_utcb2, E_OK);
	lx_round(++r, 64, &other_utcb2, E_OK);
	EXPECT_ERR(abi_map(S(0), utcb, utcb, 12, MAP_WRITE), E_OK);
	lx_round(++r, 64, &other_utcb, E_OK);
	lx_round(++r, 64, &other_utcb, E_OK);
	/* We lose a translation that is not the UTCB: still right. */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, utcb2, alias, 12, MAP_READ), E_OK);
	EXPECT_ERR(abi_unmap(alias, 12, UNMAP_SELF), E_OK);
	lx_round(++r, 64, &other_utcb, E_OK);
	lx_round(++r, 64, &other_utcb, E_OK);
out:
	sys_cap_delete(S(2));
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}
