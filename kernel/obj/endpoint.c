/*
 * Endpoint objects: creation, destruction and their wait queues. The
 * queue is a doubly linked list through the waiting threads, highest
 * priority first and first come first served within a priority, so that
 * taking the next partner is O(1); queueing is O(waiters of higher or
 * equal priority), usually a step or two from the tail.
 */
#include <ipc.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <obj/cap.h>
#include <obj/endpoint.h>
#include <obj/task.h>
#include <obj/thread.h>

int endpoint_create(struct quota *q, struct endpoint **out)
{
	struct endpoint *ep = kmem_alloc(q, sizeof *ep);

	if (!ep)
		return E_NOMEM;
	ep->hdr.quota = q;
	*out = ep;
	return E_OK;
}

void endpoint_destroy(struct endpoint *ep)
{
	while (ep->head)
		ipc_cancel(ep->head, E_DEAD);
	kmem_free(ep->hdr.quota, ep, sizeof *ep);
}

void endpoint_cap_gone(struct endpoint *ep, const struct cap *c, const struct cap *moved_to)
{
	for (struct thread *t = ep->head, *next; t; t = next) {
		next = t->ipc_next;
		if (t->state != THREAD_SEND || t->ipc_cap != c)
			continue;
		if (moved_to)
			t->ipc_cap = moved_to;
		else
			ipc_cancel(t, E_DEAD);
	}
}

void endpoint_enqueue(struct endpoint *ep, struct thread *t)
{
	struct thread *after = ep->tail;

	while (after && after->priority < t->priority)
		after = after->ipc_prev;
	t->ipc_prev = after;
	t->ipc_next = after ? after->ipc_next : ep->head;
	if (t->ipc_next)
		t->ipc_next->ipc_prev = t;
	else
		ep->tail = t;
	if (after)
		after->ipc_next = t;
	else
		ep->head = t;
	t->ipc_ep = ep;
}

void endpoint_dequeue(struct endpoint *ep, struct thread *t)
{
	waitq_unlink(&ep->head, &ep->tail, t);
	t->ipc_ep = NULL;
}

/* Creation for the system calls: an object charged to task's quota, its
 * capability (all rights) in the caller's empty slot. */
int sys_endpoint_create(struct trap_frame *f)
{
	struct endpoint *ep;
	struct task *owner;
	int err;

	if ((err = create_decode(f, &owner)) != E_OK ||
	    (err = endpoint_create(owner->quota, &ep)) != E_OK)
		return err;
	create_install(f, CAP_ENDPOINT, ep);
	return E_OK;
}
