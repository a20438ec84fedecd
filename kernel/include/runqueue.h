/*
 * Ready queues: one FIFO per priority, 0 (lowest) to 255 (highest), and a
 * bitmap of the non-empty ones, so that finding the highest ready priority
 * takes at most four word tests and one count of leading zeros, however
 * many threads are ready.
 *
 * A queue is a circular doubly linked list of struct rq_link, embedded in
 * whatever is queued (a thread control block); the structure never
 * allocates memory. The scheduler keeps the running thread at the head of
 * its queue: entering and leaving are O(1), and when its turn ends (slice
 * used up, or a yield) rq_rotate() makes the next one the head, so that
 * equal priorities take turns.
 *
 * Not locked: the caller serialises every operation on one runqueue.
 */
#ifndef RUNQUEUE_H
#define RUNQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RQ_PRIORITIES 256

/* In no queue while next is NULL: a zeroed link, or one rq_dequeue() left. */
struct rq_link {
	struct rq_link *next, *prev;
};

struct runqueue {
	struct rq_link *head[RQ_PRIORITIES];    /* first of each queue; NULL: empty */
	uint64_t bitmap[RQ_PRIORITIES / 64];    /* bit p of word p / 64: head[p] != NULL */
};

/* Makes rq empty (a zeroed or static runqueue is empty already). */
void rq_init(struct runqueue *rq);

/* Puts l, which must be in no queue, at the tail of queue prio (< RQ_PRIORITIES). */
void rq_enqueue(struct runqueue *rq, struct rq_link *l, unsigned int prio);

/* Takes l out of queue prio, the one it was put in; nothing if l is in no queue. */
void rq_dequeue(struct runqueue *rq, struct rq_link *l, unsigned int prio);

/*
 * The head of the highest non-empty queue, and its priority in *prio
 * unless prio is NULL; NULL (and *prio untouched) if every queue is empty.
 */
struct rq_link *rq_highest(const struct runqueue *rq, unsigned int *prio);

/*
 * Ends the turn of l in queue prio: if l is the head, the next link
 * becomes the head and l goes last. Nothing if l is not the head.
 */
void rq_rotate(struct runqueue *rq, struct rq_link *l, unsigned int prio);

/* Makes l a link in no queue. */
static inline void rq_link_init(struct rq_link *l)
{
	l->next = l->prev = NULL;
}

/* Whether l is in a queue. */
static inline bool rq_queued(const struct rq_link *l)
{
	return l->next != NULL;
}

#endif
