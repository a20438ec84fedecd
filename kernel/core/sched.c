/*
 * The scheduling decision, over the ready queues of runqueue.c: every
 * runnable thread is in the queue of its priority, and the running thread
 * stays at the head of its queue. Its turn ends when its slice runs out or
 * it yields: the head moves on (rq_rotate) and the highest ready thread
 * runs.
 */
#include <stddef.h>
#include <runqueue.h>
#include <sched.h>
#include <syscall.h>
#include <abi/errno.h>
#include <obj/thread.h>
#include <arch/idle.h>

_Static_assert(SCHED_PRIORITIES == RQ_PRIORITIES, "a queue per priority");

static struct runqueue ready;   /* the runnable threads, through thread.rq */

static struct thread *rq_thread(struct rq_link *l)
{
	return (struct thread *)((char *)l - offsetof(struct thread, rq));
}

void sched_enqueue(struct thread *t)
{
	rq_enqueue(&ready, &t->rq, t->priority);
}

void sched_dequeue(struct thread *t)
{
	rq_dequeue(&ready, &t->rq, t->priority);
}

#ifndef CONFIG_LAZY_SCHED
#define CONFIG_LAZY_SCHED 1
#endif

void sched_block(struct thread *t)
{
	if (!CONFIG_LAZY_SCHED)
		sched_dequeue(t);
}

bool preempt_pending;

void sched_make_ready(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	if (!rq_queued(&t->rq))
		sched_enqueue(t);
}

void sched_wake(struct thread *t)
{
	struct thread *self = thread_current();

	sched_make_ready(t);
	if (self && t->priority > self->priority)
		preempt_pending = true;
}

int sched_highest_priority(void)
{
	unsigned prio;

	return rq_highest(&ready, &prio) ? (int)prio : -1;
}

void schedule(void)
{
	struct rq_link *l;

	/* Blocked threads met here leave the queue: lazy scheduling's debt. */
	while ((l = rq_highest(&ready, NULL)) && rq_thread(l)->state != THREAD_RUNNABLE)
		rq_dequeue(&ready, l, rq_thread(l)->priority);
	if (!l)
		arch_idle();
	thread_run(rq_thread(l));
}

/* Ends t's turn: the next thread of its priority goes first, t refills. */
static void sched_rotate(struct thread *t)
{
	rq_rotate(&ready, &t->rq, t->priority);
	t->slice_left = t->slice;
}

void sched_priority_changed(void)
{
	preempt_pending = true;
}

void sched_preempt_check(void)
{
	unsigned prio;

	if (!preempt_pending)
		return;
	preempt_pending = false;
	if (rq_highest(&ready, &prio) && prio > thread_current()->priority)
		schedule();
}

void sched_tick(void)
{
	struct thread *t = thread_current();

	if (!t || --t->slice_left > 0)
		return;
	sched_rotate(t);
	schedule();
}

/* SYS_YIELD(): E_OK, after every other ready thread of the same priority had a turn. */
int sys_yield(struct trap_frame *f)
{
	struct thread *t = thread_current();

	sys_set_error(f, E_OK);
	sched_rotate(t);
	schedule();
}
