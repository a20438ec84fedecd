/*
 * The IPC fast path: register-only call and reply_wait when the partner
 * already waits, the common case of every client-server exchange. It does
 * what the slow path (ipc.c) would do in that case, in one straight line,
 * and returns to the slow path untouched at the first check that fails.
 * CONFIG_FASTPATH=0 builds without it, so that the tests cover both and
 * the benchmark shows what it buys.
 *
 * Preconditions, checked below in this order: no more than the register
 * words, no typed items, no flags; the capability is an endpoint with the
 * right the operation needs; the partner waits on it and is at least as
 * important as the caller (so running it next is what the scheduler
 * would choose); nothing else is due (a queued sender, bound
 * notification bits, a fault report).
 */
#include <ipc.h>
#include <sched.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <arch/ipc_regs.h>
#include <obj/cap.h>
#include <obj/endpoint.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 1
#endif

/* The tag bits a fast-path message may have: a label and a word count. */
#define TAG_FAST_MASK (~(uint64_t)0xFFFF | 0x7F)

/* Moves the register words of from's message (tag in from's frame) to to. */
static inline void copy_words_fp(struct trap_frame *from, struct trap_frame *to,
				 uint64_t tag, uint64_t badge)
{
	unsigned words = IPC_TAG_WORDS(tag);

	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*ipc_word(to, i) = i < words ? *ipc_word(from, i) : 0;
	ipc_set_tag(to, tag);
	ipc_set_badge(to, badge);
	ipc_set_error(to, E_OK);
}

/* The endpoint capability idx of self with right, or NULL. */
static inline struct cap *endpoint_cap_fp(struct thread *self, uint64_t idx, unsigned right)
{
	const struct cspace *cs = &self->task->cspace;
	struct cap *c;

	if (unlikely(idx >= cs->nslots))
		return NULL;
	c = &cs->slots[idx];
	if (unlikely(c->type != CAP_ENDPOINT || !(c->rights & right)))
		return NULL;
	return c;
}

void fastpath_call(struct trap_frame *f)
{
	struct thread *self = thread_current(), *rcv;
	uint64_t tag = ipc_tag(f);
	struct endpoint *ep;
	struct cap *c;

	if (!CONFIG_FASTPATH)
		return;
	/* Words in registers only, no items, no flags. */
	if (unlikely((tag & ~TAG_FAST_MASK) || IPC_TAG_WORDS(tag) > IPC_REG_WORDS))
		return;
	/* An endpoint we may send on. */
	c = endpoint_cap_fp(self, f->rdi, RIGHT_WRITE);
	if (unlikely(!c))
		return;
	ep = c->obj;
	/* Its first waiter is a receiver... */
	rcv = ep->head;
	if (unlikely(!rcv || rcv->state != THREAD_RECV))
		return;
	/* ...that the scheduler would run now anyway. */
	if (unlikely(rcv->priority < self->priority))
		return;

	/* POINT OF NO RETURN */
	endpoint_dequeue(ep, rcv);
	copy_words_fp(f, &rcv->regs, tag, c->badge);
	caller_push(rcv, self);
	self->state = THREAD_REPLY;
	sched_block(self);
	sched_make_ready(rcv);
	thread_run(rcv);
}

void fastpath_reply_wait(struct trap_frame *f)
{
	struct thread *self = thread_current(), *client = self->caller, *first;
	uint64_t tag = ipc_tag(f);
	struct endpoint *ep;
	struct cap *c;

	if (!CONFIG_FASTPATH)
		return;
	if (unlikely((tag & ~TAG_FAST_MASK) || IPC_TAG_WORDS(tag) > IPC_REG_WORDS))
		return;
	/* A caller to answer, with a message rather than a fault report... */
	if (unlikely(!client || client->fault_tag))
		return;
	/* ...who should run next. */
	if (unlikely(client->priority < self->priority))
		return;
	/* An endpoint we may receive on, with no sender waiting to be taken. */
	c = endpoint_cap_fp(self, f->rdi, RIGHT_READ);
	if (unlikely(!c))
		return;
	ep = c->obj;
	first = ep->head;
	if (unlikely(first && first->state == THREAD_SEND))
		return;
	/* No notification bits waiting for us. */
	if (unlikely(self->bound_ntfn && self->bound_ntfn->bits))
		return;

	/* POINT OF NO RETURN */
	caller_remove(client);
	client->slice_left = self->slice_left;
	copy_words_fp(f, &client->regs, tag, 0);
	endpoint_enqueue(ep, self);
	self->state = THREAD_RECV;
	sched_block(self);
	sched_make_ready(client);
	thread_run(client);
}
