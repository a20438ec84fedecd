/*
 * Notification objects and their system calls: signal, wait, poll, bind.
 * A waiter or a bound receiver that is woken gets the bits in RDI (and a
 * receive gets IPC_TAG_NOTIFY in its tag); the bits are cleared as taken.
 */
#include <ipc.h>
#include <sched.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <arch/ipc_regs.h>
#include <obj/cap.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

int notification_create(struct quota *q, struct notification **out)
{
	struct notification *n = kmem_alloc(q, sizeof *n);

	if (!n)
		return E_NOMEM;
	n->hdr.quota = q;
	*out = n;
	return E_OK;
}

void notification_destroy(struct notification *n)
{
	while (n->head)
		ipc_cancel(n->head, E_DEAD);
	if (n->bound)
		n->bound->bound_ntfn = NULL;
	kmem_free(n->hdr.quota, n, sizeof *n);
}

void notification_dequeue(struct notification *n, struct thread *t)
{
	waitq_unlink(&n->head, &n->tail, t);
	t->ipc_ntfn = NULL;
}

/*
 * t, blocked, wakes with the bits in RDI: a waiter (SYS_WAIT) with nothing
 * else changed, as the ABI promises; a bound receiver also with the tag
 * IPC_TAG_NOTIFY in RSI.
 */
static void deliver(struct thread *t, uint64_t bits, bool receive)
{
	trap_frame_fill(&t->regs);      /* a receiver may have blocked through the fast path */
	ipc_set_badge(&t->regs, bits);
	if (receive)
		ipc_set_tag(&t->regs, IPC_TAG_NOTIFY);
	ipc_set_error(&t->regs, E_OK);
	sched_wake(t);
}

void notification_signal(struct notification *n, uint64_t bits)
{
	struct thread *t = n->head;

	n->bits |= bits;
	if (t) {
		notification_dequeue(n, t);
		deliver(t, n->bits, false);
		n->bits = 0;
	} else if (n->bound && n->bound->state == THREAD_RECV) {
		t = n->bound;
		ipc_cancel_recv(t);
		deliver(t, n->bits, true);
		n->bits = 0;
	}
}

uint64_t notification_take_bound(struct thread *t)
{
	uint64_t bits;

	if (!t->bound_ntfn)
		return 0;
	bits = t->bound_ntfn->bits;
	t->bound_ntfn->bits = 0;
	return bits;
}

/* The notification behind capability idx with right. */
static int decode(uint64_t idx, unsigned right, struct cap **out)
{
	return cap_lookup(&thread_current()->task->cspace, idx, CAP_NOTIFICATION, right, out);
}

/* SYS_SIGNAL(notification): ORs the capability's badge (1 if it has none). */
int sys_signal(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = decode(sys_arg0(f), RIGHT_WRITE, &c)) != E_OK)
		return err;
	notification_signal(c->obj, c->badge ? c->badge : 1);
	return E_OK;
}

/* SYS_WAIT(notification) -> RDI bits: blocks while none are pending. */
int sys_wait(struct trap_frame *f)
{
	struct thread *self = thread_current();
	struct notification *n;
	struct cap *c;
	int err;

	if ((err = decode(sys_arg0(f), RIGHT_READ, &c)) != E_OK)
		return err;
	n = c->obj;
	if (n->bits) {
		sys_set_result(f, 0, n->bits);
		n->bits = 0;
		return E_OK;
	}
	self->ipc_prev = n->tail;
	self->ipc_next = NULL;
	if (n->tail)
		n->tail->ipc_next = self;
	else
		n->head = self;
	n->tail = self;
	self->ipc_ntfn = n;
	self->state = THREAD_WAIT;
	sched_block(self);
	return E_OK;
}

/* SYS_POLL(notification) -> RDI bits (0 if none): never blocks. */
int sys_poll(struct trap_frame *f)
{
	struct notification *n;
	struct cap *c;
	int err;

	if ((err = decode(sys_arg0(f), RIGHT_READ, &c)) != E_OK)
		return err;
	n = c->obj;
	sys_set_result(f, 0, n->bits);
	n->bits = 0;
	return E_OK;
}

/*
 * SYS_NOTIFICATION_BIND(thread, notification or CAP_NONE): binds (or
 * unbinds) the thread's notification. E_STATE if either is bound already.
 */
int sys_notification_bind(struct trap_frame *f)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct cap *tc, *nc = NULL;
	struct thread *t;
	struct notification *n;
	int err;

	if ((err = cap_lookup(cs, sys_arg0(f), CAP_THREAD, RIGHT_CONTROL, &tc)) != E_OK)
		return err;
	if (sys_arg1(f) != CAP_NONE && (err = decode(sys_arg1(f), RIGHT_READ, &nc)) != E_OK)
		return err;
	t = tc->obj;
	if (t->state == THREAD_DEAD)
		return E_DEAD;
	if (!nc) {
		if (t->bound_ntfn)
			t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
		return E_OK;
	}
	n = nc->obj;
	if (t->bound_ntfn || n->bound)
		return E_STATE;
	n->bound = t;
	t->bound_ntfn = n;
	/* Bits already pending end a receive the thread is blocked in now. */
	if (n->bits)
		notification_signal(n, 0);
	return E_OK;
}

/* SYS_NOTIFICATION_CREATE(task, slot): as SYS_ENDPOINT_CREATE. */
int sys_notification_create(struct trap_frame *f)
{
	struct notification *n;
	struct task *owner;
	int err;

	if ((err = create_decode(f, &owner)) != E_OK ||
	    (err = notification_create(owner->quota, &n)) != E_OK)
		return err;
	create_install(f, CAP_NOTIFICATION, n);
	return E_OK;
}
