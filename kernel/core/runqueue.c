/*
 * The ready queues (see runqueue.h): pure list and bitmap manipulation,
 * kept apart from the scheduling decision in sched.c so that host unit
 * tests can check it (tests/unit/test_runqueue.c).
 *
 * Why this shape: the running thread stays at the head of its queue, so
 * the scheduler needs no "current" special case. Picking a thread is
 * "head of the highest non-empty queue", found through the bitmap; ending
 * a turn is one pointer move (the list is circular, so the old head is
 * then the tail); a thread that blocks or stops just leaves its queue.
 * Every operation is O(1): rq_highest() looks at no more than four
 * bitmap words.
 */
#include <runqueue.h>
#include <panic.h>

static inline uint64_t prio_bit(unsigned int prio)
{
	return 1ull << (prio % 64);
}

void rq_init(struct runqueue *rq)
{
	for (unsigned int p = 0; p < RQ_PRIORITIES; p++)
		rq->head[p] = NULL;
	for (unsigned int w = 0; w < RQ_PRIORITIES / 64; w++)
		rq->bitmap[w] = 0;
}

void rq_enqueue(struct runqueue *rq, struct rq_link *l, unsigned int prio)
{
	struct rq_link *head;

	/* Enqueued twice, l would be linked into two places at once. */
	assert(prio < RQ_PRIORITIES && !rq_queued(l));
	head = rq->head[prio];
	if (!head) {
		l->next = l->prev = l;
		rq->head[prio] = l;
		rq->bitmap[prio / 64] |= prio_bit(prio);
		return;
	}
	/* The tail is just before the head. */
	l->next = head;
	l->prev = head->prev;
	head->prev->next = l;
	head->prev = l;
}

void rq_dequeue(struct runqueue *rq, struct rq_link *l, unsigned int prio)
{
	assert(prio < RQ_PRIORITIES);
	if (!rq_queued(l))
		return;
	/* A queued link is in a non-empty queue: else prio is not its queue. */
	assert(rq->head[prio]);
	if (l->next == l) {
		rq->head[prio] = NULL;
		rq->bitmap[prio / 64] &= ~prio_bit(prio);
	} else {
		l->prev->next = l->next;
		l->next->prev = l->prev;
		if (rq->head[prio] == l)
			rq->head[prio] = l->next;
	}
	rq_link_init(l);
}

struct rq_link *rq_highest(const struct runqueue *rq, unsigned int *prio)
{
	/* The highest set bit of the highest non-zero word. */
	for (int w = RQ_PRIORITIES / 64 - 1; w >= 0; w--) {
		if (rq->bitmap[w]) {
			unsigned int p = (unsigned int)(w * 64 + 63 - __builtin_clzll(rq->bitmap[w]));

			if (prio)
				*prio = p;
			return rq->head[p];
		}
	}
	return NULL;
}

void rq_rotate(struct runqueue *rq, struct rq_link *l, unsigned int prio)
{
	assert(prio < RQ_PRIORITIES);
	if (rq->head[prio] == l)
		rq->head[prio] = l->next;
}
