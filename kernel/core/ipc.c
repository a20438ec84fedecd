/*
 * Synchronous IPC: the slow path, which handles every case.
 *
 * A message is a tag and up to 64 words (abi/ipc.h): words 0..7 move from
 * the sender's saved registers to the receiver's, the rest from the
 * sender's UTCB page to the receiver's, once, through the direct map.
 * When the partner already waits, the kernel switches straight to it
 * (direct process switch) if it is at least as important as the thread
 * that made it ready; otherwise the scheduler decides.
 *
 * A call leaves the caller waiting for a reply and gives the receiver a
 * one-shot right to answer it: the receiver's list of callers, newest
 * first, and a reply answers the newest. A right goes away when used, or
 * when its caller is aborted or dies; a server that dies releases all its
 * callers with E_DEAD: nobody waits forever on a dead partner.
 */
#include <klib.h>
#include <ipc.h>
#include <sched.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <abi/regs.h>
#include <arch/fastpath.h>
#include <arch/ipc_regs.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <obj/cap.h>
#include <mapping.h>
#include <obj/endpoint.h>
#include <obj/ioport.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

/*
 * The words of t's UTCB, or NULL when it has none mapped (writable if
 * need). A writable one is remembered in t (thread.utcb_kva) until its
 * task loses a translation, for the next message and for the fast path.
 */
static uint64_t *utcb_words(struct thread *t, bool writable)
{
	struct mapping *m;
	unsigned perms;
	uint64_t pa;

	if (!t->task)
		return NULL;
	if (t->utcb_gen == vspace_generation(&t->task->vspace))
		return t->utcb_kva;
	if (!t->utcb || !vspace_lookup(&t->task->vspace, t->utcb, &pa, &perms, &m) ||
	    (writable && !(perms & VM_WRITE)))
		return NULL;
	if (perms & VM_WRITE) {
		t->utcb_kva = ((struct utcb *)phys_to_virt(pa))->mr;
		t->utcb_gen = vspace_generation(&t->task->vspace);
	}
	return ((struct utcb *)phys_to_virt(pa))->mr;
}

/* Word idx of the message from sends (registers, UTCB, or fault report). */
static uint64_t msg_word(struct thread *from, unsigned idx)
{
	uint64_t *mr;

	if (from->fault_tag)
		return from->fault_msg[idx];
	if (idx < IPC_REG_WORDS)
		return *ipc_word(&from->regs, idx);
	mr = utcb_words(from, false);
	return mr ? mr[idx] : 0;
}

/* A page item w0 of from's to dst in to's task: mapped, or granted. */
static int item_pages(struct thread *from, struct thread *to, uint64_t w0, uint64_t dst)
{
	return mapping_transfer(from->task, w0 & ~0xFFFull, to->task, dst,
				((w0 >> 7) & 0x1F) + 12, (w0 >> 4) & 7,
				(w0 & 0xF) == IPC_ITEM_GRANT_PAGES);
}

/*
 * One typed item (w0, w1) from from to to; in the answer to a page fault
 * (to_fault) pages go to the address w1 of to's task, otherwise into to's
 * receive window or receive slot. Returns whether it arrived.
 */
static bool item_transfer(struct thread *from, struct thread *to, uint64_t w0, uint64_t w1,
			  bool to_fault)
{
	unsigned kind = w0 & 0xF, size_log2 = (unsigned)((w0 >> 7) & 0x1F) + 12;
	bool pages = kind == IPC_ITEM_MAP_PAGES || kind == IPC_ITEM_GRANT_PAGES;
	uint64_t dst = w1;
	struct utcb *u;
	struct cap *src;

	if (!from->task || !to->task)
		return false;
	/* The answer to a page fault has no receive window to look up. */
	u = pages && to_fault ? NULL : (struct utcb *)utcb_words(to, false);
	if (pages) {
		if (!to_fault) {
			uint64_t win = u ? u->recv_window : 0, wsize = 1ull << (win & 0x3F);

			if (!win || (win & 0x3F) < size_log2 || (win & 0x3F) > 47 ||
			    (w1 & ((1ull << size_log2) - 1)) || w1 > wsize - (1ull << size_log2))
				return false;
			dst = (win & ~0xFFFull) + w1;
		}
		return item_pages(from, to, w0, dst) == E_OK;
	}
	if ((kind != IPC_ITEM_MAP_CAP && kind != IPC_ITEM_GRANT_CAP) || !u || !u->recv_slot ||
	    cap_lookup(&from->task->cspace, w0 >> 16, CAP_NULL, 0, &src) != E_OK ||
	    cap_slot_free(&to->task->cspace, u->recv_slot - 1) != E_OK)
		return false;
	if (kind == IPC_ITEM_MAP_CAP)
		cap_derive(src, &to->task->cspace.slots[u->recv_slot - 1], (w0 >> 4) & 0xF, 0);
	else
		cap_move(src, &to->task->cspace.slots[u->recv_slot - 1]);
	if (to->task->cspace.slots[u->recv_slot - 1].type == CAP_IOPORT) {
		ioport_refresh(to->task);
		ioport_refresh_all();
	}
	return true;
}

/* The typed items of from's message (tag) to to; returns how many arrived. */
static unsigned items_transfer(struct thread *from, struct thread *to, uint64_t tag,
			       bool to_fault)
{
	unsigned words = IPC_TAG_WORDS(tag), got = 0;

	for (unsigned i = 0; i < IPC_TAG_ITEMS(tag); i++)
		got += item_transfer(from, to, msg_word(from, words + 2 * i),
				     msg_word(from, words + 2 * i + 1), to_fault);
	return got;
}

/*
 * Copies the message from's registers (and UTCB) describe into to's, with
 * the badge; to's error code is E_OK, or E_FAULT when the message had
 * words for a UTCB it does not have (it still gets the first eight).
 */
static void transfer(struct thread *from, struct thread *to, uint64_t badge)
{
	/* A faulting thread's message is the kernel's report, not its registers. */
	uint64_t tag = from->fault_tag ? from->fault_tag : ipc_tag(&from->regs);
	/* The items' words travel too, for the receiver to see what came. */
	unsigned words = IPC_TAG_WORDS(tag) + 2 * IPC_TAG_ITEMS(tag), err = E_OK;

	trap_frame_fill(&to->regs);     /* it may have blocked through the fast path */
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*ipc_word(&to->regs, i) = i >= words ? 0 :
			from->fault_tag ? from->fault_msg[i] : *ipc_word(&from->regs, i);
	if (words > IPC_REG_WORDS) {
		uint64_t *src = from->fault_tag ? from->fault_msg : utcb_words(from, false);
		uint64_t *dst = utcb_words(to, true);

		if (dst && src)
			memcpy(dst + IPC_REG_WORDS, src + IPC_REG_WORDS,
			       (words - IPC_REG_WORDS) * sizeof *dst);
		else
			err = E_FAULT;
	}
	if (IPC_TAG_ITEMS(tag)) {
		unsigned got = items_transfer(from, to, tag, false);

		tag = (tag & ~(0x3Full << 7)) | (uint64_t)got << 7;
	}
	ipc_set_tag(&to->regs, tag & ~(uint64_t)IPC_TAG_FLAGS_MASK);
	ipc_set_badge(&to->regs, badge);
	ipc_set_error(&to->regs, err);
}

/*
 * client called server, whose call server took: client waits for it, and
 * server works on client's time (the rest of client's slice), which goes
 * back with the reply (reply_slice).
 */
static void caller_push(struct thread *server, struct thread *client)
{
	client->reply_from = server;
	client->reply_next = server->caller;
	server->caller = client;
	server->slice_left = client->slice_left;
}

/* client no longer waits for its server's answer. */
static void caller_remove(struct thread *client)
{
	struct thread **p = &client->reply_from->caller;

	while (*p != client)
		p = &(*p)->reply_next;
	*p = client->reply_next;
	client->reply_from = client->reply_next = NULL;
}

/*
 * t, blocked, becomes ready with error err (its message, if any, is in).
 * An IPC that ends in an error carries no message: RDI, RSI and the word
 * registers become 0, whichever path it blocked through (the fast path
 * did not keep them). A thread whose fault report went unanswered cannot
 * go on: it stops, registers untouched, for whoever controls it to decide.
 */
static void wake(struct thread *t, int err)
{
	if (t->fault_tag) {
		t->fault_tag = 0;
		t->state = THREAD_STOPPED;
		sched_dequeue(t);
		return;
	}
	trap_frame_fill(&t->regs);
	if (err != E_OK && t->state != THREAD_WAIT)
		ipc_clear_msg(&t->regs);
	ipc_set_error(&t->regs, (uint64_t)err);
	sched_wake(t);
}

static void block(struct thread *t, enum thread_state state)
{
	t->state = state;
	sched_block(t);
}

/*
 * Runs next, which the current thread just made ready, at once if it is at
 * least as important as everything ready; otherwise lets the scheduler
 * choose. Returns only if the current thread can go on running.
 */
static void switch_to(struct thread *next)
{
	struct thread *self = thread_current();

	if (next->priority >= sched_highest_priority())
		thread_run(next);       /* direct process switch */
	if (self->state != THREAD_RUNNABLE) {
		thread_clear_current();
		schedule();
	}
}

void ipc_cancel(struct thread *t, int err)
{
	switch (t->state) {
	case THREAD_SEND:
	case THREAD_RECV:
		endpoint_dequeue(t->ipc_ep, t);
		wake(t, err);
		break;
	case THREAD_WAIT:
		notification_dequeue(t->ipc_ntfn, t);
		wake(t, err);
		break;
	case THREAD_REPLY:
		if (t->reply_from)
			caller_remove(t);
		wake(t, err);
		break;
	default:
		break;
	}
}

void ipc_cancel_recv(struct thread *t)
{
	endpoint_dequeue(t->ipc_ep, t);
}

void ipc_release(struct thread *t)
{
	ipc_cancel(t, E_DEAD);
	if (t->bound_ntfn) {
		t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
	}
	while (t->caller) {
		struct thread *c = t->caller;

		caller_remove(c);
		wake(c, E_DEAD);
	}
}

/* ------------------------------------------------------ decoding */

/* The endpoint behind capability idx with right, for the current thread. */
static int endpoint_decode(uint64_t idx, unsigned right, struct endpoint **ep, uint64_t *badge,
			   const struct cap **capp)
{
	struct cap *c;
	int err = cap_lookup(&thread_current()->task->cspace, idx, CAP_ENDPOINT, right, &c);

	if (err != E_OK)
		return err;
	*ep = c->obj;
	if (badge)
		*badge = c->badge;
	if (capp)
		*capp = c;
	return E_OK;
}

/* The message the current thread sends: at most 64 words, no typed items
 * yet, and a UTCB for the words beyond the registers. */
static int message_decode(struct trap_frame *f)
{
	uint64_t tag = ipc_tag(f);

	unsigned total = IPC_TAG_WORDS(tag) + 2 * IPC_TAG_ITEMS(tag);

	if (total > IPC_MAX_WORDS)
		return E_TOOBIG;
	if (tag & (0x4000 | IPC_TAG_NOTIFY))
		return E_INVAL;
	if (total > IPC_REG_WORDS && !utcb_words(thread_current(), false))
		return E_FAULT;
	for (unsigned i = 0; i < IPC_TAG_ITEMS(tag); i++) {
		unsigned kind = msg_word(thread_current(), IPC_TAG_WORDS(tag) + 2 * i) & 0xF;

		if (kind < IPC_ITEM_MAP_PAGES || kind > IPC_ITEM_GRANT_CAP)
			return E_INVAL;
	}
	return E_OK;
}

/* ------------------------------------------------------ operations */

/* The waiting receiver of ep, taken out of its queue, or NULL. */
static struct thread *take_receiver(struct endpoint *ep)
{
	struct thread *t = ep->head;

	if (!t || t->state != THREAD_RECV)
		return NULL;
	endpoint_dequeue(ep, t);
	return t;
}

/* Send (call if call): to a waiting receiver, or wait in ep's queue. */
static int do_send(struct trap_frame *f, bool call)
{
	struct thread *self = thread_current(), *rcv;
	const struct cap *used;
	struct endpoint *ep;
	uint64_t badge;
	int err;

	if ((err = endpoint_decode(sys_arg0(f), RIGHT_WRITE, &ep, &badge, &used)) != E_OK ||
	    (err = message_decode(f)) != E_OK)
		return err;
	/* Typed items also need the grant right on the endpoint. */
	if (IPC_TAG_ITEMS(ipc_tag(f)) &&
	    (err = endpoint_decode(sys_arg0(f), RIGHT_WRITE | RIGHT_GRANT, &ep, &badge, &used)) != E_OK)
		return err;
	rcv = take_receiver(ep);
	if (!rcv) {
		if (ipc_tag(f) & IPC_NONBLOCK)
			return E_WOULDBLOCK;
		self->ipc_badge = badge;
		self->ipc_cap = used;
		self->ipc_call = call;
		endpoint_enqueue(ep, self);
		block(self, THREAD_SEND);
		return E_OK;            /* the receiver sets our error when it takes us */
	}
	transfer(self, rcv, badge);
	if (call) {
		caller_push(rcv, self);
		block(self, THREAD_REPLY);
	}
	sched_wake(rcv);
	sys_set_error(f, E_OK);
	switch_to(rcv);
	return E_OK;
}

/*
 * Receive on ep (the current thread): pending bits of its bound
 * notification first, then a waiting sender, or wait for either.
 */
static int do_recv(struct trap_frame *f, struct endpoint *ep)
{
	struct thread *self = thread_current(), *snd = ep->head;
	uint64_t bits = notification_take_bound(self);

	if (bits) {
		ipc_set_badge(f, bits);
		ipc_set_tag(f, IPC_TAG_NOTIFY);
		return E_OK;
	}
	if (!snd || snd->state != THREAD_SEND) {
		if (ipc_tag(f) & IPC_NONBLOCK)
			return E_WOULDBLOCK;
		endpoint_enqueue(ep, self);
		block(self, THREAD_RECV);
		return E_OK;            /* the sender sets our registers when it comes */
	}
	endpoint_dequeue(ep, snd);
	transfer(snd, self, snd->ipc_badge);
	if (snd->ipc_call) {
		caller_push(self, snd);
		snd->state = THREAD_REPLY;
	} else {
		wake(snd, E_OK);
	}
	return (int)self->regs.rax;
}

/*
 * The answer to a fault report: a page fault is retried; an exception
 * resumes with the registers the handler sent (IPC_LABEL_RESUME, 18 words),
 * else the thread stays stopped. Its own registers are not a message box.
 */
static void fault_answered(struct thread *self, struct thread *t)
{
	uint64_t tag = ipc_tag(&self->regs), kind = IPC_TAG_LABEL(t->fault_tag);
	struct mica_regs r;
	uint64_t *w = (uint64_t *)&r, *mr;

	t->fault_tag = 0;
	if (kind == IPC_LABEL_PAGE_FAULT) {
		items_transfer(self, t, tag, true);     /* the pager's map items */
		sched_wake(t);
		return;
	}
	mr = utcb_words(self, false);
	if (IPC_TAG_LABEL(tag) == IPC_LABEL_RESUME && IPC_TAG_WORDS(tag) == 18 && mr) {
		for (unsigned i = 0; i < 18; i++)
			w[i] = i < IPC_REG_WORDS ? *ipc_word(&self->regs, i) : mr[i];
		if (thread_set_regs(t, &r) == E_OK) {
			sched_wake(t);
			return;
		}
	}
	t->state = THREAD_STOPPED;
	sched_dequeue(t);
}

/* Answers the current thread's caller, if it has one. E_OK or E_DEAD. */
static int do_reply(struct thread *self)
{
	struct thread *client = self->caller;

	if (!client)
		return E_DEAD;          /* none, already answered, aborted or dead */
	caller_remove(client);
	client->slice_left = self->slice_left;  /* what is left of its time */
	if (client->fault_tag) {
		fault_answered(self, client);
		return E_OK;
	}
	transfer(self, client, 0);
	sched_wake(client);
	return E_OK;
}

/* SYS_CALL(endpoint, tag, words): send, then wait for the reply. */
int sys_call(struct trap_frame *f)
{
	return do_send(f, true);
}

/* SYS_SEND(endpoint, tag, words): send only. */
int sys_send(struct trap_frame *f)
{
	return do_send(f, false);
}

/* SYS_RECV(endpoint, flags in tag): wait for a message. */
int sys_recv(struct trap_frame *f)
{
	struct endpoint *ep;
	int err;

	if ((err = endpoint_decode(sys_arg0(f), RIGHT_READ, &ep, NULL, NULL)) != E_OK)
		return err;
	return do_recv(f, ep);
}

/* SYS_REPLY(tag, words): answer the last call received. */
int sys_reply(struct trap_frame *f)
{
	struct thread *self = thread_current();
	int err;

	if ((err = message_decode(f)) != E_OK)
		return err;
	return do_reply(self);
}

/*
 * SYS_REPLY_WAIT(endpoint, tag, words): answer the last call (if there is
 * one still waiting), then wait on the endpoint, in one kernel entry.
 */
int sys_reply_wait(struct trap_frame *f)
{
	struct thread *self = thread_current(), *client = self->caller;
	struct endpoint *ep;
	int err;

	if ((err = endpoint_decode(sys_arg0(f), RIGHT_READ, &ep, NULL, NULL)) != E_OK ||
	    (err = message_decode(f)) != E_OK)
		return err;
	if (client)
		do_reply(self);
	err = do_recv(f, ep);
	/* Nothing to serve: run the one we answered (unless the answer left
	 * it stopped: a fault report answered with anything but a resume). */
	if (self->state == THREAD_RECV && client && client->state == THREAD_RUNNABLE)
		switch_to(client);
	return err;
}

/* SYS_IPC_ABORT(thread): a blocked IPC of the thread ends with E_ABORTED. */
int sys_ipc_abort(struct trap_frame *f)
{
	struct cap *c;
	struct thread *t;
	int err;

	err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_THREAD, RIGHT_CONTROL, &c);
	if (err != E_OK)
		return err;
	t = c->obj;
	if (t->state == THREAD_DEAD)
		return E_DEAD;
	if (t->state != THREAD_SEND && t->state != THREAD_RECV && t->state != THREAD_REPLY &&
	    t->state != THREAD_WAIT)
		return E_STATE;
	ipc_cancel(t, E_ABORTED);
	return E_OK;
}

#if CONFIG_FASTPATH
/*
 * The fault fast path: a page-fault report to a pager that already waits
 * (the common case of every pager), delivered as the call fast path
 * delivers a message. Its preconditions are those of fastpath_call for a
 * 3-word message: the first thread in the queue a receiver, at least as
 * important as the faulter, resumable by SYSRET. Returns if one fails;
 * otherwise enters user mode in the pager.
 */
static void fault_fastpath(struct thread *self, struct endpoint *ep, uint64_t badge)
{
	struct thread *rcv = ep->head;

	if (!rcv || rcv->state != THREAD_RECV || rcv->priority < self->priority ||
	    !fastpath_resumable(&rcv->regs))
		return;
	/* POINT OF NO RETURN */
	endpoint_dequeue(ep, rcv);
	caller_push(rcv, self);
	block(self, THREAD_REPLY);
	sched_make_ready(rcv);
	fastpath_fault(self, rcv, badge);
}

void fastpath_fault_answer(struct thread *self, struct thread *client, uint64_t w0, uint64_t w1)
{
	client->fault_tag = 0;
	item_pages(self, client, w0, w1);       /* item_transfer's case, decoded already */
}
#endif

/* A page fault report's access bits by the error code's P (1), W (2) and
 * I/D (16) bits: one load where the three tests took ten instructions. */
#define FAULT_ACCESS(e) (((e) & 2 ? IPC_FAULT_WRITE : 0) | ((e) & 16 ? IPC_FAULT_EXEC : 0) | \
			 ((e) & 1 ? IPC_FAULT_PRESENT : 0))
#define FAULT_ACCESS4(e) FAULT_ACCESS(e), FAULT_ACCESS((e) + 1), FAULT_ACCESS((e) + 2), \
			 FAULT_ACCESS((e) + 3)
#define FAULT_ACCESS16(e) FAULT_ACCESS4(e), FAULT_ACCESS4((e) + 4), FAULT_ACCESS4((e) + 8), \
			  FAULT_ACCESS4((e) + 12)
static const uint8_t fault_access[32] = { FAULT_ACCESS16(0), FAULT_ACCESS16(16) };

/*
 * The current thread faulted: send the report as a call on its pager (a
 * page fault) or exception handler (anything else), on its behalf. Returns
 * false when it has none; otherwise the thread waits for the answer and
 * this does not return.
 */
bool ipc_fault(struct trap_frame *tf, uint64_t addr)
{
	struct thread *self = thread_current(), *rcv;
	bool page_fault = tf->vector == 14;
	struct cap *to = page_fault ? &self->pager : &self->handler;
	struct endpoint *ep = to->obj;

	if (!ep)
		return false;
	if (page_fault) {
		self->fault_msg[0] = addr;
		self->fault_msg[1] = tf->rip;
		self->fault_msg[2] = fault_access[tf->error & 31];
		self->fault_tag = IPC_FAULT_TAG_PAGE;
#if CONFIG_FASTPATH
		fault_fastpath(self, ep, to->badge);
#endif
	} else {
		thread_get_regs(self, (struct mica_regs *)self->fault_msg);
		self->fault_msg[18] = tf->vector;
		self->fault_msg[19] = tf->error;
		self->fault_tag = IPC_TAG(IPC_LABEL_EXCEPTION, IPC_EXCEPTION_WORDS, 0, 0);
	}
	rcv = take_receiver(ep);
	if (!rcv) {
		self->ipc_cap = to;
		self->ipc_badge = to->badge;
		self->ipc_call = true;
		endpoint_enqueue(ep, self);
		block(self, THREAD_SEND);
		thread_clear_current();
		schedule();
	}
	transfer(self, rcv, to->badge);
	caller_push(rcv, self);
	block(self, THREAD_REPLY);
	sched_wake(rcv);
	switch_to(rcv);
	__builtin_unreachable();
}
