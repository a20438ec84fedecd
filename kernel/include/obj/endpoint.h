/*
 * Endpoints: the gates of synchronous rendezvous IPC. Threads that wait
 * on one, all senders or all receivers, queue on it in priority order,
 * first come first served within a priority.
 */
#ifndef OBJ_ENDPOINT_H
#define OBJ_ENDPOINT_H

#include <obj/kobj.h>

struct cap;
struct thread;

struct endpoint {
	struct kobj hdr;        /* must be first */
	struct thread *head;    /* waiting threads, through thread.ipc_next */
	struct thread *tail;
};

/* Creates an endpoint charged to q. E_OK or E_NOMEM. */
int endpoint_create(struct quota *q, struct endpoint **out);

/* Frees it; the threads still waiting on it wake with E_DEAD. */
void endpoint_destroy(struct endpoint *ep);

/*
 * Capability c to ep is going away (moved_to NULL: queued sends through it
 * end with E_DEAD) or moving to moved_to (they follow it).
 */
void endpoint_cap_gone(struct endpoint *ep, const struct cap *c, const struct cap *moved_to);

/* Queues t (priority order, FIFO within one); takes it out again. */
void endpoint_enqueue(struct endpoint *ep, struct thread *t);
void endpoint_dequeue(struct endpoint *ep, struct thread *t);

#endif
