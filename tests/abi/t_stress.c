/*
 * The IPC stress test (t_stress.c): many clients in several tasks call one
 * server in a loop, while the main thread aborts blocked clients and kills
 * some part-way; at the end every call is accounted for.
 *
 * The server is a thread of ours, looping in reply_wait: it echoes each
 * call's sequence number and counts, per client and call, how often it
 * received it. Now and then (its own fixed-seed generator decides) it
 * holds a call for a few yields and answers with an explicit reply, whose
 * answer (E_OK or E_DEAD) it records; meanwhile the other clients queue on
 * the endpoint, so that the main thread finds clients blocked both in the
 * endpoint's queue and waiting for a reply.
 *
 * The clients are one piece of assembly that needs no stack, run by two
 * threads of ours and by two threads in each of three child tasks, into
 * which its code page and the page of the clients' records are mapped.
 * Each calls the server ST_CALLS times through an endpoint capability
 * badged with its number, yields after each call, and records the outcome
 * of each call: the right echo, E_ABORTED, or E_DEAD (anything else is
 * "wrong"). A call's state is "pending" from just before the system call
 * until its outcome is written.
 *
 * The main thread, driven by a fixed-seed generator, yields in a bounded
 * loop; between yields it aborts random clients (ipc_abort: E_OK if the
 * client was blocked, E_STATE if not), and at random points of the run it
 * kills a client of ours (its thread capability deleted), a client in a
 * child task (its capabilities revoked and deleted) and a whole child task
 * (torn down with both its clients). Nothing here depends on timing; timer
 * preemption changes the interleaving, never the conclusions:
 *
 *   - a live client made all its calls; every call it made ended echoed or
 *     aborted (nothing the clients depend on dies, so E_DEAD is wrong);
 *   - a killed client's calls are echoed or aborted, except its last,
 *     which may still be pending: ended by its death;
 *   - the server received no call twice and every echoed call once; it
 *     never received one that was not made; an explicit reply that the
 *     kernel delivered (E_OK) reached a client that echoed it or died, one
 *     it refused (E_DEAD) belonged to a call aborted or ended by death;
 *   - every abort that succeeded shows as a call aborted, except for
 *     clients killed before they could record it;
 *   - the server is alive and answers a final call with its counts;
 *   - with everything deleted, no frame and no quota is left behind.
 */
#include <mica/ipc.h>
#include "abi.h"

#define ST_LOCAL        2                       /* clients in our own task */
#define ST_TASKS        3                       /* child tasks ... */
#define ST_PER_TASK     2                       /* ... with this many clients each */
#define ST_CLIENTS      (ST_LOCAL + ST_TASKS * ST_PER_TASK)
#define ST_CALLS        200                     /* per client */
#define ST_STEPS        40000                   /* the main thread's yields, at most */
#define ST_SEED         0x5EED0F1CA11ull        /* the main thread's generator */
#define ST_SERVER_SEED  0xC0FFEE5EEDull         /* the server's */
#define ST_PRIO         ROOT_PRIORITY           /* everyone: turns by yield and tick */
#define ST_SERVER_STACK 0

/* Our slots. */
#define ST_EP           S(0)
#define ST_SERVER       S(1)
#define ST_THREAD(c)    S(2 + (c))              /* clients 0-7: S(2)-S(9) */
#define ST_LOCAL_EP(c)  S(10 + (c))             /* local clients' badged endpoints */
#define ST_TASK(t)      S(12 + (t))             /* S(12)-S(14) */
#define ST_FINAL        S(15)                   /* the thread that makes the last call */
#define ST_FINAL_STACK  1

/* A child task's table: its clients' own thread capabilities in slots 1,
 * 2; their badged endpoint capabilities in slots 3, 4. */
#define CHILD_SLOTS     8
#define CHILD_SELF(c)   (1 + (uint64_t)(c))
#define CHILD_EP(c)     (3 + (uint64_t)(c))

/* Client c (0-7): local for c < ST_LOCAL, else in task (c - ST_LOCAL) / 2. */
#define CLIENT_TASK(c)  (((c) - ST_LOCAL) / ST_PER_TASK)
#define CLIENT_IN_TASK(t, k) (ST_LOCAL + (t) * ST_PER_TASK + (k))

/*
 * The messages. Request: label 0x57, word 0 the client's number << 32 |
 * its call's sequence number, word 1 the complement of word 0; badge the
 * client's number + 1. Echo: label 0x58, word 0 as it came, word 1 word 0
 * ^ ST_K. (Literal numbers, as the assembly below uses them.)
 */
#define ST_REQ_TAG      0x570002
#define ST_ECHO_TAG     0x580002
#define ST_K            0xC3A5C3A55A3C5A3C
#define ST_FINAL_TAG    IPC_TAG(0x46, 0, 0, 0)  /* the main thread's last call */
#define ST_FINAL_ECHO   IPC_TAG(0x47, 6, 0, 0)
#define ST_BAD_TAG      IPC_TAG(0xBAD, 0, 0, 0) /* the server's answer to nonsense */
_Static_assert(ST_REQ_TAG == IPC_TAG(0x57, 2, 0, 0) && ST_ECHO_TAG == IPC_TAG(0x58, 2, 0, 0),
	       "the clients' tags");

#define XSTR(x) #x
#define STR(x)  XSTR(x)

/* What a client records of each call. */
enum {
	ST_NONE,        /* not made */
	ST_PENDING,     /* made (or about to be), no outcome yet */
	ST_ECHOED,      /* E_OK with the right echo */
	ST_ABORTED,     /* E_ABORTED */
	ST_DEADRET,     /* E_DEAD */
	ST_WRONG,       /* anything else: details in bad_* */
};

/* A client's record, in the page shared with the child tasks. */
struct stress_rec {
	volatile uint64_t sent;         /*  0: calls begun */
	uint64_t ncalls;                /*  8: calls to make */
	uint64_t id;                    /* 16: the client's number */
	volatile uint64_t done;         /* 24: 1 once all were made */
	uint64_t self;                  /* 32: its thread capability, in its task */
	uint64_t ep;                    /* 40: its endpoint capability, in its task */
	volatile uint64_t bad_err;      /* 48: the last wrong answer: error, */
	volatile uint64_t bad_tag;      /* 56: tag, */
	volatile uint64_t bad_w0;       /* 64: words 0 */
	volatile uint64_t bad_w1;       /* 72: and 1 */
	uint64_t reserved[6];
	volatile uint8_t st[256];       /* 128: per call, ST_* */
};
_Static_assert(offsetof(struct stress_rec, sent) == 0 && offsetof(struct stress_rec, ncalls) == 8 &&
	       offsetof(struct stress_rec, id) == 16 && offsetof(struct stress_rec, done) == 24 &&
	       offsetof(struct stress_rec, self) == 32 && offsetof(struct stress_rec, ep) == 40 &&
	       offsetof(struct stress_rec, bad_err) == 48 && offsetof(struct stress_rec, bad_tag) == 56 &&
	       offsetof(struct stress_rec, bad_w0) == 64 && offsetof(struct stress_rec, bad_w1) == 72 &&
	       offsetof(struct stress_rec, st) == 128, "stress_client's record offsets");
_Static_assert(ST_CALLS <= 256, "a status byte per call");

static union {
	struct stress_rec r[ST_CLIENTS];
	uint8_t page[PAGE];
} recs __attribute__((aligned(4096)));
_Static_assert(sizeof recs == PAGE, "the records fill one page");

/*
 * stress_client(record): the client loop above; no stack, no UTCB. Only
 * RBX and RBP survive a system call, so the loop keeps its state in the
 * record. Stops itself (record->self) when done.
 */
void stress_client(void);
_Static_assert(SYS_CALL == 23 && SYS_YIELD == 2 && SYS_THREAD_STOP == 16,
	       "stress_client's system-call numbers");
_Static_assert(E_ABORTED == 15 && E_DEAD == 16, "stress_client's error codes");
_Static_assert(ST_PENDING == 1 && ST_ECHOED == 2 && ST_ABORTED == 3 && ST_DEADRET == 4 &&
	       ST_WRONG == 5, "stress_client's states");

__asm__(
	".section .text.stress, \"ax\"\n"
	".balign 4096\n"
	".globl stress_client\n"
	"stress_client:\n"
	"	mov %rdi, %rbx\n"
	"1:	mov 0(%rbx), %rcx\n"                    /* i = sent */
	"	cmp 8(%rbx), %rcx\n"
	"	jae 8f\n"
	"	movb $1, 128(%rbx,%rcx)\n"              /* st[i] = pending */
	"	lea 1(%rcx), %rax\n"
	"	mov %rax, 0(%rbx)\n"                    /* sent = i + 1 */
	"	mov 16(%rbx), %rdx\n"
	"	shl $32, %rdx\n"
	"	or %rcx, %rdx\n"                        /* w0 = id << 32 | i */
	"	mov %rdx, %r8\n"
	"	not %r8\n"                              /* w1 = ~w0 */
	"	mov 40(%rbx), %rdi\n"
	"	mov $" STR(ST_REQ_TAG) ", %esi\n"
	"	mov $23, %eax\n"                        /* SYS_CALL */
	"	syscall\n"
	"	mov 0(%rbx), %rcx\n"
	"	dec %rcx\n"                             /* i again */
	"	test %rax, %rax\n"
	"	jnz 3f\n"
	"	mov 16(%rbx), %r11\n"
	"	shl $32, %r11\n"
	"	or %rcx, %r11\n"
	"	cmp %r11, %rdx\n"                       /* w0 as sent */
	"	jne 5f\n"
	"	movabs $" STR(ST_K) ", %r11\n"
	"	xor %rdx, %r11\n"
	"	cmp %r11, %r8\n"                        /* w1 = w0 ^ K */
	"	jne 5f\n"
	"	cmp $" STR(ST_ECHO_TAG) ", %rsi\n"
	"	jne 5f\n"
	"	movb $2, 128(%rbx,%rcx)\n"              /* echoed */
	"	jmp 6f\n"
	"3:	cmp $15, %rax\n"
	"	jne 4f\n"
	"	movb $3, 128(%rbx,%rcx)\n"              /* aborted */
	"	jmp 6f\n"
	"4:	cmp $16, %rax\n"
	"	jne 5f\n"
	"	movb $4, 128(%rbx,%rcx)\n"              /* E_DEAD */
	"	jmp 6f\n"
	"5:	mov %rax, 48(%rbx)\n"
	"	mov %rsi, 56(%rbx)\n"
	"	mov %rdx, 64(%rbx)\n"
	"	mov %r8, 72(%rbx)\n"
	"	movb $5, 128(%rbx,%rcx)\n"              /* wrong */
	"6:	mov $2, %eax\n"                         /* SYS_YIELD */
	"	syscall\n"
	"	jmp 1b\n"
	"8:	movq $1, 24(%rbx)\n"                    /* done */
	"9:	mov 32(%rbx), %rdi\n"
	"	mov $16, %eax\n"                        /* SYS_THREAD_STOP: itself */
	"	syscall\n"
	"	jmp 9b\n"
	".balign 4096\n"
	".text\n"
);

#define ST_CODE ((uint64_t)(uintptr_t)stress_client & ~(PAGE - 1))
#define ST_RECS ((uint64_t)(uintptr_t)&recs)

/* ------------------------------------------------------------ the server */

/* What the server saw: per client and call, receptions and its explicit
 * reply's answer (0 none: answered by reply_wait; 1 E_OK, 2 E_DEAD, 3 other). */
static volatile uint8_t seen[ST_CLIENTS][ST_CALLS];
static volatile uint8_t replied[ST_CLIENTS][ST_CALLS];

static volatile struct {
	uint64_t calls;         /* clients' calls received */
	uint64_t bad;           /* messages that were none of ours */
	uint64_t bad_badge, bad_tag, bad_w0, bad_w1;
	uint64_t errs, last_err; /* receives that failed */
	uint64_t held;          /* calls held for a few yields */
	uint64_t reply_ok, reply_dead, reply_other;     /* explicit replies' answers */
} srv;

/* xorshift64*: the generators of the main thread and of the server. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s * 0x2545F4914F6CDD1Dull;
}

static noreturn void stress_server(uint64_t ep, uint64_t seed)
{
	struct ipc_msg m = { 0 };
	uint64_t rng = seed;
	long e;

	m.tag = 0;
	e = ipc_recv(ep, &m);
	for (;;) {
		uint64_t id = m.badge - 1, seq = m.w[0] & 0xFFFFFFFFu, r;

		if (e != E_OK) {
			srv.errs++;
			srv.last_err = (uint64_t)e;
			m.tag = 0;
			e = ipc_recv(ep, &m);
			continue;
		}
		if (m.badge == 0 && m.tag == ST_FINAL_TAG) {
			m.tag = ST_FINAL_ECHO;
			m.w[0] = srv.calls;
			m.w[1] = srv.bad;
			m.w[2] = srv.errs;
			m.w[3] = srv.held;
			m.w[4] = srv.reply_ok;
			m.w[5] = srv.reply_dead;
			e = ipc_reply_wait(ep, &m);
			continue;
		}
		if (m.tag != ST_REQ_TAG || id >= ST_CLIENTS || m.w[0] >> 32 != id ||
		    m.w[1] != ~m.w[0] || seq >= ST_CALLS) {
			srv.bad++;
			srv.bad_badge = m.badge;
			srv.bad_tag = m.tag;
			srv.bad_w0 = m.w[0];
			srv.bad_w1 = m.w[1];
			m.tag = ST_BAD_TAG;
			e = ipc_reply_wait(ep, &m);
			continue;
		}
		srv.calls++;
		if (seen[id][seq] < 255)
			seen[id][seq]++;
		m.tag = ST_ECHO_TAG;
		m.w[1] = m.w[0] ^ ST_K;
		r = rnd(&rng);
		if (r % 4 != 0) {
			e = ipc_reply_wait(ep, &m);
			continue;
		}
		/* hold the caller for a turn or three: the others queue */
		srv.held++;
		for (uint64_t n = 1 + (r >> 8) % 3; n > 0; n--)
			sys_yield();
		e = ipc_reply(&m);
		replied[id][seq] = e == E_OK ? 1 : e == E_DEAD ? 2 : 3;
		if (e == E_OK)
			srv.reply_ok++;
		else if (e == E_DEAD)
			srv.reply_dead++;
		else
			srv.reply_other++;
		m.tag = 0;
		e = ipc_recv(ep, &m);
	}
}

/* The last call: non-blocking until the server waits (it may still hold
 * a dead client's call for a turn or two), then waits for the answer. */
static volatile struct {
	uint64_t done, err, tag, w[IPC_REG_WORDS];
} fin;

static noreturn void final_caller(uint64_t ep, uint64_t self)
{
	struct ipc_msg m = { 0 };
	long e = E_WOULDBLOCK;

	for (int i = 0; i < 1000 && e == E_WOULDBLOCK; i++) {
		m.tag = ST_FINAL_TAG | IPC_NONBLOCK;
		for (int k = 0; k < IPC_REG_WORDS; k++)
			m.w[k] = 0;
		e = ipc_call(ep, &m);
		if (e == E_WOULDBLOCK)
			sys_yield();
	}
	fin.err = (uint64_t)e;
	fin.tag = m.tag;
	for (int k = 0; k < IPC_REG_WORDS; k++)
		fin.w[k] = m.w[k];
	fin.done = 1;
	for (;;)
		sys_thread_stop(self);
}

/* ------------------------------------------------------------ setup */

/* Client c's record, to run in a task whose slots self and ep it names. */
static void rec_init(int c, uint64_t self, uint64_t ep)
{
	struct stress_rec *r = &recs.r[c];

	memset(r, 0, sizeof *r);
	r->ncalls = ST_CALLS;
	r->id = (uint64_t)c;
	r->self = self;
	r->ep = ep;
	r->bad_err = ~0ull;
}

/* Client c's thread (our capability ST_THREAD(c), already created): set up, not started. */
static int client_setup(int c, int line)
{
	struct mica_regs r;

	regs_for(&r, (const void *)stress_client, 0, (uint64_t)(uintptr_t)&recs.r[c], 0);
	r.rsp = 0;
	return expect_err(sys_thread_write_regs(ST_THREAD(c), &r), E_OK, "client write_regs", line) &&
	       expect_err(sys_thread_config(ST_THREAD(c), ST_PRIO, 1), E_OK, "client config", line);
}

/* Child task t, with its clients' threads, capabilities and pages. */
static int child_setup(int t, int line)
{
	uint64_t task = ST_TASK(t);

	if (!expect_err(sys_task_create(SLOT_SELF_TASK, task, task_min + 256 * 1024, CHILD_SLOTS),
			E_OK, "task_create", line) ||
	    !expect_err(sys_map(task, ST_CODE, ST_CODE, 12, MAP_EXEC), E_OK, "map code", line) ||
	    !expect_err(sys_map(task, ST_RECS, ST_RECS, 12, MAP_WRITE), E_OK, "map records", line))
		return 0;
	for (int k = 0; k < ST_PER_TASK; k++) {
		int c = CLIENT_IN_TASK(t, k);

		rec_init(c, CHILD_SELF(k), CHILD_EP(k));
		if (!expect_err(sys_thread_create(task, ST_THREAD(c)), E_OK, "thread_create", line) ||
		    !expect_err(sys_cap_copy(ST_THREAD(c), task, CHILD_SELF(k), RIGHTS_ALL), E_OK,
				"copy thread", line) ||
		    !expect_err(sys_cap_mint(ST_EP, task, CHILD_EP(k), RIGHT_WRITE, (uint64_t)c + 1),
				E_OK, "mint endpoint", line) ||
		    !client_setup(c, line))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ the test */

struct stress_totals {
	uint64_t calls, echoed, aborted, dead, lost;    /* lost: none of the others */
};

/* Checks client c's record against the server's; adds it to the totals. */
static void account(int c, int killed, struct stress_totals *t)
{
	struct stress_rec *r = &recs.r[c];
	uint64_t sent = r->sent;

	ctx_set("client", (uint64_t)c);
	if (!EXPECT(sent <= ST_CALLS))
		sent = ST_CALLS;
	if (!killed) {
		EXPECT_EQ(r->done, 1);
		EXPECT_EQ(sent, ST_CALLS);
	}
	t->calls += sent;
	for (uint64_t i = 0; i < ST_CALLS; i++) {
		uint8_t st = r->st[i], sn = seen[c][i], rp = replied[c][i];

		ctx_set("client/call", (uint64_t)c << 32 | i);
		EXPECT(sn <= 1);                        /* no call received twice */
		if (i >= sent) {                        /* not made */
			EXPECT(st == ST_NONE || (killed && i == sent && st == ST_PENDING));
			EXPECT_EQ(sn, 0);
			EXPECT_EQ(rp, 0);
			continue;
		}
		switch (st) {
		case ST_ECHOED:
			t->echoed++;
			EXPECT_EQ(sn, 1);
			EXPECT(rp == 0 || rp == 1);
			break;
		case ST_ABORTED:
			if (rp == 1)                    /* delivered, says the kernel */
				FAIL("a reply the kernel delivered was lost");
			else
				t->aborted++;
			break;
		case ST_PENDING:
			if (killed && i == sent - 1) {  /* ended by the client's death */
				t->dead++;
				EXPECT(rp != 3);
			} else {
				FAIL("a call never ended");
			}
			break;
		case ST_DEADRET:
			t->dead++;
			FAIL("a call answered E_DEAD though its server and endpoint live");
			break;
		default:
			if (st == ST_WRONG) {
				EXPECT_ERR((long)r->bad_err, E_OK);
				EXPECT_EQ(r->bad_tag, ST_ECHO_TAG);
				EXPECT_EQ(r->bad_w0, (uint64_t)c << 32 | i);
				EXPECT_EQ(r->bad_w1, ((uint64_t)c << 32 | i) ^ ST_K);
			}
			FAIL("a call ended with a wrong answer");
			break;
		}
	}
	ctx_clear();
}

void test_ipc_stress(void)
{
	struct kinfo k0 = kinfo();
	struct stress_totals tot = { 0 };
	uint64_t rng = ST_SEED, at[3], aborts_ok = 0, step;
	int killed[ST_CLIENTS] = { 0 }, task_gone[ST_TASKS] = { 0 }, kill_done[3] = { 0 };
	int nkilled = 0, victim_local, victim_task, victim_child;
	struct sb b = { .n = 0 };
	long e;

	memset((void *)seen, 0, sizeof seen);
	memset((void *)replied, 0, sizeof replied);
	memset((void *)&srv, 0, sizeof srv);
	memset(&recs, 0, sizeof recs);

	/* the plan: who dies, and when (after how many calls in all) */
	victim_local = (int)(rnd(&rng) % ST_LOCAL);
	victim_task = (int)(rnd(&rng) % ST_TASKS);
	victim_child = CLIENT_IN_TASK((victim_task + 1 + (int)(rnd(&rng) % (ST_TASKS - 1))) % ST_TASKS,
				      (int)(rnd(&rng) % ST_PER_TASK));
	for (int k = 0; k < 3; k++)
		at[k] = ST_CLIENTS * ST_CALLS * (15 + rnd(&rng) % 50) / 100;

	/* the endpoint and the server */
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, ST_EP), E_OK))
		return;
	if (!EXPECT_ERR(thread_new(ST_SERVER, (const void *)stress_server, ST_SERVER_STACK, ST_EP,
				   ST_SERVER_SEED, ST_PRIO, 1), E_OK))
		goto out;
	if (!EXPECT_ERR(sys_thread_start(ST_SERVER), E_OK))
		goto out;

	/* the clients: ours, then the child tasks' */
	for (int c = 0; c < ST_LOCAL; c++) {
		rec_init(c, ST_THREAD(c), ST_LOCAL_EP(c));
		if (!EXPECT_ERR(sys_cap_mint(ST_EP, SLOT_SELF_TASK, ST_LOCAL_EP(c), RIGHT_WRITE,
					     (uint64_t)c + 1), E_OK) ||
		    !EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, ST_THREAD(c)), E_OK) ||
		    !client_setup(c, __LINE__))
			goto out;
	}
	for (int t = 0; t < ST_TASKS; t++)
		if (!child_setup(t, __LINE__))
			goto out;
	for (int c = 0; c < ST_CLIENTS; c++)
		if (!EXPECT_ERR(sys_thread_start(ST_THREAD(c)), E_OK))
			goto out;

	/* the run */
	for (step = 0; step < ST_STEPS; step++) {
		uint64_t progress = 0, r;
		int running = 0;

		for (int c = 0; c < ST_CLIENTS; c++) {
			progress += recs.r[c].sent;
			running += !killed[c] && !recs.r[c].done;
		}
		if (!running)
			break;
		if (!kill_done[0] && progress >= at[0]) {       /* a client of ours */
			kill_done[0] = 1;
			EXPECT_ERR(sys_cap_delete(ST_THREAD(victim_local)), E_OK);
			killed[victim_local] = 1;
			nkilled++;
		}
		if (!kill_done[1] && progress >= at[1]) {       /* a client in a child task */
			kill_done[1] = 1;
			EXPECT_ERR(sys_cap_revoke(ST_THREAD(victim_child)), E_OK);
			EXPECT_ERR(sys_cap_delete(ST_THREAD(victim_child)), E_OK);
			killed[victim_child] = 1;
			nkilled++;
		}
		if (!kill_done[2] && progress >= at[2]) {       /* a whole child task */
			kill_done[2] = 1;
			EXPECT_ERR(sys_cap_delete(ST_TASK(victim_task)), E_OK);
			task_gone[victim_task] = 1;
			for (int k = 0; k < ST_PER_TASK; k++) {
				int c = CLIENT_IN_TASK(victim_task, k);

				ctx_set("client", (uint64_t)c);
				EXPECT_ERR(ipc_abort(ST_THREAD(c)), E_DEAD);
				EXPECT_ERR(sys_cap_delete(ST_THREAD(c)), E_OK);
				killed[c] = 1;
				nkilled++;
			}
			ctx_clear();
		}
		r = rnd(&rng);
		if (r % 8 < 3 || r % 61 == 0) {
			/* abort one client, or now and then every one */
			for (int c = 0; c < ST_CLIENTS; c++) {
				if (killed[c] || (r % 61 != 0 && (uint64_t)c != (r >> 16) % ST_CLIENTS))
					continue;
				e = ipc_abort(ST_THREAD(c));
				if (e == E_OK) {
					aborts_ok++;
				} else if (e != E_STATE) {      /* E_STATE: not blocked */
					ctx_set("abort client", (uint64_t)c);
					EXPECT_ERR(e, E_OK);
					ctx_clear();
				}
			}
		}
		sys_yield();
	}
	if (step == ST_STEPS)
		FAIL("the clients did not finish within the bound of yields");

	/* the accounting */
	for (int c = 0; c < ST_CLIENTS; c++)
		account(c, killed[c], &tot);
	tot.lost = tot.calls - tot.echoed - tot.aborted - tot.dead;
	sb_str(&b, "abi: stress: ");
	sb_dec(&b, tot.calls);
	sb_str(&b, " calls, ");
	sb_dec(&b, tot.echoed);
	sb_str(&b, " echoed, ");
	sb_dec(&b, tot.aborted);
	sb_str(&b, " aborted, ");
	sb_dec(&b, tot.dead);
	sb_str(&b, " ended by death, ");
	sb_dec(&b, tot.lost);
	sb_str(&b, " lost\n");
	sb_flush(&b);
	EXPECT_EQ(tot.lost, 0);
	EXPECT(kill_done[0] && kill_done[1] && kill_done[2]);
	EXPECT_EQ(nkilled, 2 + ST_PER_TASK);
	EXPECT(tot.dead <= (uint64_t)nkilled);
	EXPECT(tot.aborted <= aborts_ok);
	EXPECT(aborts_ok <= tot.aborted + (uint64_t)nkilled);
	EXPECT(tot.aborted > 0);                        /* the test aborted something */
	EXPECT_EQ(srv.bad, 0);
	EXPECT_EQ(srv.errs, 0);
	EXPECT_EQ(srv.reply_other, 0);
	EXPECT(srv.reply_dead <= tot.aborted + tot.dead);
	{
		uint64_t nseen = 0;

		for (int c = 0; c < ST_CLIENTS; c++)
			for (int i = 0; i < ST_CALLS; i++)
				nseen += seen[c][i];
		EXPECT_EQ(srv.calls, nseen);
		EXPECT(srv.calls >= tot.echoed && srv.calls <= tot.calls);
	}

	/* the server lives and answers: a last call, by a thread of ours, so
	 * that a server that never answers cannot hang the suite */
	fin.done = 0;
	if (EXPECT_ERR(thread_new(ST_FINAL, (const void *)final_caller, ST_FINAL_STACK, ST_EP,
				  ST_FINAL, ST_PRIO, 1), E_OK) &&
	    EXPECT_ERR(sys_thread_start(ST_FINAL), E_OK)) {
		if (!EXPECT(yield_until(&fin.done, 1, 5000) >= 0)) {
			FAIL("the server did not answer the last call");
			ipc_abort(ST_FINAL);
		} else if (EXPECT_ERR((long)fin.err, E_OK)) {
			EXPECT_EQ(fin.tag, ST_FINAL_ECHO);
			EXPECT_EQ(fin.w[0], srv.calls);
			EXPECT_EQ(fin.w[1], 0);
			EXPECT_EQ(fin.w[2], 0);
			EXPECT_EQ(fin.w[3], srv.held);
			EXPECT_EQ(fin.w[4], srv.reply_ok);
			EXPECT_EQ(fin.w[5], srv.reply_dead);
		}
	}
out:
	/* the tasks first (their threads die with them), then our capabilities */
	for (int t = 0; t < ST_TASKS; t++)
		if (!task_gone[t])
			sys_cap_delete(ST_TASK(t));
	for (int c = 0; c < ST_CLIENTS; c++)
		sys_cap_delete(ST_THREAD(c));
	for (int c = 0; c < ST_LOCAL; c++)
		sys_cap_delete(ST_LOCAL_EP(c));
	sys_cap_delete(ST_FINAL);
	sys_cap_delete(ST_SERVER);
	sys_cap_delete(ST_EP);
	EXPECT_NO_LEAK(&k0, "everything deleted");
}
