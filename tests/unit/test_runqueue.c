/*
 * Host unit tests of the ready queues: directed tests of each operation
 * (FIFO order, removal from every place, the bitmap at every word
 * boundary, round robin by rotation, the asserted preconditions), and a
 * long random run checked after every step against a reference model of
 * one array per priority.
 *
 * sources: kernel/core/runqueue.c
 */
#define UNIT_SUITE "runqueue"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <compiler.h>
#include <panic.h>
#include <runqueue.h>

/* ------------------------------------------------------------ panic */

/*
 * runqueue.c asserts its preconditions. A test that breaks one on purpose
 * arms panic_jmp; any other panic fails the whole program.
 */
static jmp_buf panic_jmp;
static int panic_armed;

void panic(const char *fmt, ...)
{
	va_list ap;

	if (panic_armed) {
		panic_armed = 0;
		longjmp(panic_jmp, 1);
	}
	printf("PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	abort();
}

/* Whether stmt panics; the queues are as they were if it does (every
 * assertion comes before the first change). */
#define PANICS(stmt)                                                        \
	({                                                                  \
		volatile int panicked_ = 0;                                 \
		panic_armed = 1;                                            \
		if (setjmp(panic_jmp) == 0)                                 \
			stmt;                                               \
		else                                                        \
			panicked_ = 1;                                      \
		panic_armed = 0;                                            \
		panicked_;                                                  \
	})

/* ------------------------------------------------------------ helpers */

#define NL 16
static struct runqueue rq;
static struct rq_link L[NL];

/* An empty runqueue and NL links in no queue. */
static void reset(void)
{
	memset(&rq, 0xa5, sizeof(rq));
	rq_init(&rq);
	for (int i = 0; i < NL; i++)
		rq_link_init(&L[i]);
}

static int bit_set(unsigned int prio)
{
	return (rq.bitmap[prio / 64] >> (prio % 64)) & 1;
}

/*
 * Whether queue prio is exactly want[] (indices into L, ending with -1):
 * the same links forward from the head and backward from the tail,
 * closing into a circle, and the bitmap bit set just when it is non-empty.
 */
static int queue_is(unsigned int prio, const int *want)
{
	const struct rq_link *head = rq.head[prio], *l;
	int n = 0, k;

	while (want[n] >= 0)
		n++;
	if (n == 0)
		return head == NULL && !bit_set(prio);
	if (!head || !bit_set(prio))
		return 0;
	for (k = 0, l = head; k < n; k++, l = l->next)
		if (l != &L[want[k]] || l->next->prev != l || !rq_queued(l))
			return 0;
	if (l != head)
		return 0;
	for (k = n - 1, l = head->prev; k >= 0; k--, l = l->prev)
		if (l != &L[want[k]])
			return 0;
	return l == head->prev;
}
#define Q(p, ...) queue_is((p), (const int[]){ __VA_ARGS__, -1 })
#define EMPTY(p)  queue_is((p), (const int[]){ -1 })

static int unlinked(int i)
{
	return !rq_queued(&L[i]) && !L[i].next && !L[i].prev;
}

static int all_empty(void)
{
	for (unsigned int p = 0; p < RQ_PRIORITIES; p++)
		if (rq.head[p])
			return 0;
	for (unsigned int w = 0; w < RQ_PRIORITIES / 64; w++)
		if (rq.bitmap[w])
			return 0;
	return 1;
}

/* The runqueue and the links, to show that an operation changed nothing. */
struct snapshot {
	struct runqueue rq;
	struct rq_link l[NL];
};

static void snap(struct snapshot *s)
{
	memcpy(&s->rq, &rq, sizeof(rq));
	memcpy(s->l, L, sizeof(L));
}

static int unchanged(const struct snapshot *s)
{
	return !memcmp(&s->rq, &rq, sizeof(rq)) && !memcmp(s->l, L, sizeof(L));
}

/* Whether rq_highest() gives L[i] at prio (i < 0: nothing, prio untouched). */
static int highest_is(int i, unsigned int prio)
{
	unsigned int p = 12345;
	struct rq_link *h = rq_highest(&rq, &p);

	if (rq_highest(&rq, NULL) != h)
		return 0;
	if (i < 0)
		return h == NULL && p == 12345;
	return h == &L[i] && p == prio;
}

/* ------------------------------------------------------------ enqueue */

TEST(init_and_unqueued_links)
{
	static struct rq_link zeroed;
	struct rq_link l;

	reset();
	CHECK(all_empty());
	CHECK(highest_is(-1, 0));
	CHECK(!rq_queued(&zeroed));
	memset(&l, 0x5a, sizeof(l));
	rq_link_init(&l);
	CHECK(!rq_queued(&l) && !l.next && !l.prev);
}

TEST(enqueue_is_fifo)
{
	reset();
	rq_enqueue(&rq, &L[0], 10);
	/* A queue of one is a circle of one. */
	CHECK(L[0].next == &L[0] && L[0].prev == &L[0] && rq.head[10] == &L[0]);
	CHECK(Q(10, 0));
	rq_enqueue(&rq, &L[1], 10);
	rq_enqueue(&rq, &L[5], 11);
	rq_enqueue(&rq, &L[2], 10);
	rq_enqueue(&rq, &L[6], 11);
	rq_enqueue(&rq, &L[3], 10);
	rq_enqueue(&rq, &L[4], 10);
	CHECK(Q(10, 0, 1, 2, 3, 4));
	CHECK(Q(11, 5, 6));
	CHECK(rq.bitmap[0] == (1ull << 10 | 1ull << 11));
	CHECK(!rq.bitmap[1] && !rq.bitmap[2] && !rq.bitmap[3]);
	CHECK(highest_is(5, 11));
}

/* ------------------------------------------------------------ dequeue */

TEST(dequeue_middle_head_tail_only)
{
	reset();
	for (int i = 0; i < 5; i++)
		rq_enqueue(&rq, &L[i], 200);
	rq_enqueue(&rq, &L[9], 201);

	rq_dequeue(&rq, &L[2], 200);
	CHECK(unlinked(2) && Q(200, 0, 1, 3, 4));
	rq_dequeue(&rq, &L[0], 200);
	CHECK(unlinked(0) && Q(200, 1, 3, 4) && rq.head[200] == &L[1]);
	rq_dequeue(&rq, &L[4], 200);
	CHECK(unlinked(4) && Q(200, 1, 3));
	rq_dequeue(&rq, &L[1], 200);
	CHECK(unlinked(1) && Q(200, 3));
	rq_dequeue(&rq, &L[3], 200);
	CHECK(unlinked(3) && EMPTY(200));
	CHECK(Q(201, 9) && rq.bitmap[3] == 1ull << (201 - 192));

	/* A dequeued link can be queued again, at any priority. */
	rq_enqueue(&rq, &L[2], 201);
	rq_enqueue(&rq, &L[0], 200);
	CHECK(Q(201, 9, 2) && Q(200, 0));
	rq_dequeue(&rq, &L[9], 201);
	CHECK(Q(201, 2) && rq.head[201] == &L[2]);
}

TEST(dequeue_unqueued_is_noop)
{
	struct snapshot s;

	reset();
	rq_enqueue(&rq, &L[0], 7);
	rq_enqueue(&rq, &L[1], 7);
	rq_enqueue(&rq, &L[2], 7);
	rq_dequeue(&rq, &L[1], 7);
	snap(&s);
	/* Never queued; at a busy priority, an empty one, the highest, 0. */
	rq_dequeue(&rq, &L[5], 7);
	rq_dequeue(&rq, &L[5], 8);
	rq_dequeue(&rq, &L[5], 255);
	rq_dequeue(&rq, &L[5], 0);
	/* Dequeued already, at its old priority. */
	rq_dequeue(&rq, &L[1], 7);
	CHECK(unchanged(&s));
	CHECK(Q(7, 0, 2) && unlinked(1) && unlinked(5));
}

/* ------------------------------------------------------------ highest */

TEST(highest_each_priority_alone)
{
	reset();
	CHECK(highest_is(-1, 0));
	for (unsigned int p = 0; p < RQ_PRIORITIES; p++) {
		rq_enqueue(&rq, &L[p % NL], p);
		CHECK(highest_is((int)(p % NL), p));
		CHECK(rq.bitmap[p / 64] == 1ull << (p % 64));
		rq_dequeue(&rq, &L[p % NL], p);
		CHECK(all_empty() && highest_is(-1, 0));
	}
}

TEST(highest_across_bitmap_words)
{
	/* The first and last priority of each bitmap word. */
	static const unsigned int edge[8] = { 0, 63, 64, 127, 128, 191, 192, 255 };
	static const int order[8] = { 3, 0, 6, 1, 7, 2, 5, 4 };
	int top = -1;

	/* Added in a scrambled order: the highest is always the top so far. */
	reset();
	for (int k = 0; k < 8; k++) {
		int i = order[k];

		rq_enqueue(&rq, &L[i], edge[i]);
		if (i > top)
			top = i;
		CHECK(highest_is(top, edge[top]));
	}
	CHECK(rq.bitmap[0] == (1ull | 1ull << 63) && rq.bitmap[1] == (1ull | 1ull << 63));
	CHECK(rq.bitmap[2] == (1ull | 1ull << 63) && rq.bitmap[3] == (1ull | 1ull << 63));
	/* Taken from the top: each one down is next. */
	for (int i = 7; i >= 0; i--) {
		CHECK(highest_is(i, edge[i]));
		rq_dequeue(&rq, &L[i], edge[i]);
	}
	CHECK(all_empty() && highest_is(-1, 0));

	/* Taken from the bottom: 255 stays the highest to the end. */
	for (int i = 0; i < 8; i++)
		rq_enqueue(&rq, &L[i], edge[i]);
	for (int i = 0; i < 7; i++) {
		rq_dequeue(&rq, &L[i], edge[i]);
		CHECK(highest_is(7, 255));
	}
	rq_dequeue(&rq, &L[7], 255);
	CHECK(all_empty());
}

TEST(highest_with_every_priority_queued)
{
	static struct rq_link m[RQ_PRIORITIES];
	unsigned int p, got;

	reset();
	for (p = 0; p < RQ_PRIORITIES; p++) {
		rq_link_init(&m[p]);
		rq_enqueue(&rq, &m[p], p);
		CHECK(rq_highest(&rq, &got) == &m[p] && got == p);
	}
	for (unsigned int w = 0; w < RQ_PRIORITIES / 64; w++)
		CHECK(rq.bitmap[w] == ~0ull);
	/* Down through every priority. */
	for (p = RQ_PRIORITIES; p-- > 0;) {
		CHECK(rq_highest(&rq, &got) == &m[p] && got == p);
		rq_dequeue(&rq, &m[p], p);
	}
	CHECK(all_empty() && rq_highest(&rq, NULL) == NULL);
}

/* ------------------------------------------------------------ bitmap */

TEST(bitmap_clears_exactly_when_queue_empties)
{
	const uint64_t w0 = 1ull << 63, w1 = 1ull << 0 | 1ull << 63;

	/* Neighbours across a word boundary: 63 | 64, and 127 in word 1. */
	reset();
	for (int i = 0; i < 3; i++) {
		rq_enqueue(&rq, &L[i], 63);
		rq_enqueue(&rq, &L[3 + i], 64);
		rq_enqueue(&rq, &L[6 + i], 127);
	}
	CHECK(rq.bitmap[0] == w0 && rq.bitmap[1] == w1);
	/* Queue 64: tail, head, then the last one. */
	rq_dequeue(&rq, &L[5], 64);
	CHECK(rq.bitmap[0] == w0 && rq.bitmap[1] == w1);
	rq_dequeue(&rq, &L[3], 64);
	CHECK(rq.bitmap[0] == w0 && rq.bitmap[1] == w1 && Q(64, 4));
	rq_dequeue(&rq, &L[4], 64);
	CHECK(rq.bitmap[0] == w0 && rq.bitmap[1] == 1ull << 63 && EMPTY(64));
	/* Queue 63: head first; the word goes to zero with it. */
	rq_dequeue(&rq, &L[0], 63);
	rq_dequeue(&rq, &L[1], 63);
	CHECK(rq.bitmap[0] == w0);
	rq_dequeue(&rq, &L[2], 63);
	CHECK(rq.bitmap[0] == 0 && rq.bitmap[1] == 1ull << 63);
	CHECK(highest_is(6, 127));
	/* Filling again sets it again. */
	rq_enqueue(&rq, &L[0], 64);
	CHECK(rq.bitmap[1] == w1 && Q(64, 0) && Q(127, 6, 7, 8));
}

/* ------------------------------------------------------------ rotate */

TEST(rotation_is_round_robin)
{
	enum { N = 7 };

	reset();
	for (int i = 0; i < N; i++)
		rq_enqueue(&rq, &L[i], 128);
	rq_enqueue(&rq, &L[N], 127);
	/* The scheduler's loop: run the highest, end its turn. Each runs
	 * once per N turns, in the order they came. */
	for (int turn = 0; turn < 3 * N; turn++) {
		int want[N + 1];

		CHECK(highest_is(turn % N, 128));
		rq_rotate(&rq, &L[turn % N], 128);
		for (int k = 0; k < N; k++)
			want[k] = (turn + 1 + k) % N;
		want[N] = -1;
		CHECK(queue_is(128, want));
	}
	CHECK(Q(128, 0, 1, 2, 3, 4, 5, 6) && Q(127, 7));

	/* Alone in its queue, a thread's turns follow one another. */
	rq_rotate(&rq, &L[N], 127);
	CHECK(Q(127, 7) && rq.head[127] == &L[N]);
}

TEST(rotation_of_non_head_is_noop)
{
	struct snapshot s;

	/* Five in queue 90, so that four wrong turns do not come full circle. */
	reset();
	for (int i = 0; i < 5; i++)
		rq_enqueue(&rq, &L[i], 90);
	rq_enqueue(&rq, &L[5], 91);
	snap(&s);
	rq_rotate(&rq, &L[1], 90);      /* middle */
	rq_rotate(&rq, &L[4], 90);      /* tail */
	rq_rotate(&rq, &L[9], 90);      /* in no queue */
	rq_rotate(&rq, &L[9], 200);     /* in no queue, at an empty priority */
	rq_rotate(&rq, &L[5], 90);      /* the head of another queue */
	rq_rotate(&rq, &L[0], 91);      /* a head, at the wrong priority */
	CHECK(unchanged(&s));
	CHECK(Q(90, 0, 1, 2, 3, 4) && Q(91, 5) && unlinked(9));
}

TEST(running_thread_keeps_the_head)
{
	/* A runs at 50; B of equal priority waits for A's turn to end. */
	reset();
	rq_enqueue(&rq, &L[0], 50);
	rq_enqueue(&rq, &L[1], 50);
	CHECK(highest_is(0, 50));
	rq_rotate(&rq, &L[0], 50);
	CHECK(highest_is(1, 50) && Q(50, 1, 0));
	/* C, higher, preempts B; when C leaves, B's turn goes on. */
	rq_enqueue(&rq, &L[2], 60);
	CHECK(highest_is(2, 60));
	rq_dequeue(&rq, &L[2], 60);
	CHECK(highest_is(1, 50));
	/* D, started by B, goes after A: behind everyone waiting. */
	rq_enqueue(&rq, &L[3], 50);
	CHECK(Q(50, 1, 0, 3));
	/* B blocks: the next in line runs, not the newest. */
	rq_dequeue(&rq, &L[1], 50);
	CHECK(highest_is(0, 50) && Q(50, 0, 3));
}

/* ------------------------------------------------------------ asserts */

TEST(broken_preconditions_panic)
{
	struct snapshot s;

	reset();
	rq_enqueue(&rq, &L[0], 5);
	rq_enqueue(&rq, &L[1], 5);
	snap(&s);
	/* Queued already: at its own priority, at another. */
	CHECK(PANICS(rq_enqueue(&rq, &L[0], 5)));
	CHECK(PANICS(rq_enqueue(&rq, &L[1], 6)));
	/* No such priority. */
	CHECK(PANICS(rq_enqueue(&rq, &L[2], RQ_PRIORITIES)));
	CHECK(PANICS(rq_dequeue(&rq, &L[0], RQ_PRIORITIES)));
	CHECK(PANICS(rq_rotate(&rq, &L[0], RQ_PRIORITIES)));
	/* Queued, but said to be at a priority whose queue is empty. */
	CHECK(PANICS(rq_dequeue(&rq, &L[1], 4)));
	CHECK(unchanged(&s));
	CHECK(!PANICS(rq_dequeue(&rq, &L[1], 5)));
	CHECK(Q(5, 0));
}

/* ------------------------------------------------------------ random */

/*
 * The model: prio[i] is link i's queue (-1: none), and queue p is
 * mq[p][0 .. mn[p] - 1], head first.
 */
#define RL     300
#define STEPS  60000
static struct rq_link rl[RL];
static int m_prio[RL], mq[RQ_PRIORITIES][RL], mn[RQ_PRIORITIES];
static uint64_t seed;
static int step;

static uint64_t rnd(uint64_t n)
{
	/* xorshift64*: a fixed sequence for a fixed seed. */
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return (seed * 0x2545f4914f6cdd1dull >> 32) % n;
}

static void m_enqueue(int i, int p)
{
	m_prio[i] = p;
	mq[p][mn[p]++] = i;
}

static void m_dequeue(int i)
{
	int p = m_prio[i], k;

	if (p < 0)
		return;
	for (k = 0; mq[p][k] != i; k++)
		;
	for (; k + 1 < mn[p]; k++)
		mq[p][k] = mq[p][k + 1];
	mn[p]--;
	m_prio[i] = -1;
}

static void m_rotate(int i, int p)
{
	if (mn[p] == 0 || mq[p][0] != i)
		return;
	for (int k = 0; k + 1 < mn[p]; k++)
		mq[p][k] = mq[p][k + 1];
	mq[p][mn[p] - 1] = i;
}

static int m_highest(void)
{
	for (int p = RQ_PRIORITIES - 1; p >= 0; p--)
		if (mn[p])
			return p;
	return -1;
}

static int fail(int p, const char *what)
{
	printf("    step %d, priority %d: %s\n", step, p, what);
	return 0;
}

/* Everything the runqueue holds against the model. */
static int check_all(void)
{
	uint64_t bits[RQ_PRIORITIES / 64] = { 0 };
	const struct rq_link *l;
	unsigned int got = 12345;
	int hp = m_highest(), p, k;

	l = rq_highest(&rq, &got);
	if (hp < 0 ? l != NULL || got != 12345 : l != &rl[mq[hp][0]] || got != (unsigned int)hp)
		return fail(hp, "rq_highest() differs from the model");
	for (p = 0; p < RQ_PRIORITIES; p++) {
		const struct rq_link *head = rq.head[p];

		if (mn[p] == 0) {
			if (head)
				return fail(p, "a queue that should be empty has a head");
			continue;
		}
		bits[p / 64] |= 1ull << (p % 64);
		for (k = 0, l = head; k < mn[p]; k++, l = l->next)
			if (l != &rl[mq[p][k]] || l->next->prev != l)
				return fail(p, "wrong order forward (or a broken prev)");
		if (l != head)
			return fail(p, "the queue does not close into a circle");
		for (k = mn[p] - 1, l = head->prev; k >= 0; k--, l = l->prev)
			if (l != &rl[mq[p][k]])
				return fail(p, "wrong order backward");
		if (l != head->prev)
			return fail(p, "the queue does not close backward");
	}
	for (int w = 0; w < RQ_PRIORITIES / 64; w++)
		if (rq.bitmap[w] != bits[w])
			return fail(w * 64, "the bitmap word is not the set of non-empty queues");
	for (int i = 0; i < RL; i++) {
		if (rq_queued(&rl[i]) != (m_prio[i] >= 0))
			return fail(m_prio[i], "rq_queued() differs from the model");
		if (m_prio[i] < 0 && (rl[i].next || rl[i].prev))
			return fail(-1, "a link in no queue still points somewhere");
	}
	return 1;
}

/* Half uniform, the rest on the bitmap's word edges or a few busy queues. */
static int random_prio(void)
{
	static const int edge[] = { 0, 63, 64, 127, 128, 191, 192, 255 };
	static const int busy[] = { 1, 100, 254 };
	uint64_t r = rnd(10);

	if (r < 5)
		return (int)rnd(RQ_PRIORITIES);
	if (r < 8)
		return edge[rnd(ARRAY_SIZE(edge))];
	return busy[rnd(ARRAY_SIZE(busy))];
}

TEST(random_against_model)
{
	int queued = 0, max_queued = 0, max_len = 0, emptied = 0, was_empty = 1;
	int enq = 0, deq = 0, deq_noop = 0, rot = 0, rot_noop = 0;

	seed = 0x9e3779b97f4a7c15ull;
	rq_init(&rq);
	for (int i = 0; i < RL; i++) {
		rq_link_init(&rl[i]);
		m_prio[i] = -1;
	}
	memset(mn, 0, sizeof(mn));
	for (step = 0; step < STEPS; step++) {
		/* Phases of 3000 steps: filling up, then draining to empty. */
		int fill = (step / 3000) % 2 == 0, op = (int)rnd(100), i = (int)rnd(RL), p;

		if (op < (fill ? 50 : 10)) {
			/* A thread becomes runnable. */
			for (int tries = 0; m_prio[i] >= 0 && tries < 8; tries++)
				i = (int)rnd(RL);
			if (m_prio[i] >= 0)
				continue;
			p = random_prio();
			rq_enqueue(&rq, &rl[i], (unsigned int)p);
			m_enqueue(i, p);
			enq++;
		} else if (op < 60) {
			/* Any thread stops: queued or not (then at any priority). */
			p = m_prio[i] >= 0 ? m_prio[i] : random_prio();
			deq_noop += m_prio[i] < 0;
			rq_dequeue(&rq, &rl[i], (unsigned int)p);
			m_dequeue(i);
			deq++;
		} else if (op < 70) {
			/* The running thread blocks. */
			if ((p = m_highest()) < 0)
				continue;
			i = mq[p][0];
			rq_dequeue(&rq, &rl[i], (unsigned int)p);
			m_dequeue(i);
			deq++;
		} else if (op < 88) {
			/* The running thread's turn ends. */
			if ((p = m_highest()) < 0)
				continue;
			i = mq[p][0];
			rq_rotate(&rq, &rl[i], (unsigned int)p);
			m_rotate(i, p);
			rot++;
		} else {
			/* Any link rotated: mostly not a head, so nothing happens. */
			p = m_prio[i] >= 0 && rnd(2) ? m_prio[i] : random_prio();
			rot_noop += mn[p] == 0 || mq[p][0] != i;
			rq_rotate(&rq, &rl[i], (unsigned int)p);
			m_rotate(i, p);
			rot++;
		}
		CHECK(check_all());

		queued = 0;
		for (p = 0; p < RQ_PRIORITIES; p++) {
			queued += mn[p];
			if (mn[p] > max_len)
				max_len = mn[p];
		}
		if (queued > max_queued)
			max_queued = queued;
		if (queued == 0 && max_queued > 0 && !was_empty)
			emptied++;
		was_empty = queued == 0;
	}
	/* The run filled and drained the queues, and tried every case often. */
	if (max_queued < 200 || max_len < 20 || emptied < 10)
		printf("    max queued %d, longest queue %d, emptied %d times\n", max_queued,
		       max_len, emptied);
	CHECK(max_queued >= 200 && max_len >= 20 && emptied >= 10);
	CHECK(enq > 5000 && deq > 10000 && deq_noop > 3000 && rot > 10000 && rot_noop > 3000);
}
