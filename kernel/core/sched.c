/*
 * Ready queues and the scheduling decision. Queues are circular doubly
 * linked lists through the thread control blocks; bit p of ready_bitmap
 * is set while queue p is non-empty. The running thread stays at the
 * head of its queue; its turn ends when its slice runs out or it yields,
 * and the head moves on.
 */
#include <stdint.h>
#include <kstate.h>
#include <panic.h>
#include <sched.h>
#include <syscall.h>
#include <abi/errno.h>
#include <obj/thread.h>
#include <arch/idle.h>

static struct thread *ready[SCHED_PRIORITIES];  /* head of each queue */
static uint64_t ready_bitmap[SCHED_PRIORITIES / 64];

void sched_enqueue(struct thread *t)
{
	struct thread **head = &ready[t->priority];

	if (!*head) {
		t->rq_next = t->rq_prev = t;
		*head = t;
		ready_bitmap[t->priority / 64] |= 1ull << (t->priority % 64);
		return;
	}
	t->rq_next = *head;
	t->rq_prev = (*head)->rq_prev;
	(*head)->rq_prev->rq_next = t;
	(*head)->rq_prev = t;
}

void sched_dequeue(struct thread *t)
{
	struct thread **head = &ready[t->priority];

	if (!t->rq_next)
		return;
	if (t->rq_next == t) {
		*head = NULL;
		ready_bitmap[t->priority / 64] &= ~(1ull << (t->priority % 64));
	} else {
		t->rq_prev->rq_next = t->rq_next;
		t->rq_next->rq_prev = t->rq_prev;
		if (*head == t)
			*head = t->rq_next;
	}
	t->rq_next = t->rq_prev = NULL;
}

static struct thread *highest_ready(void)
{
	for (int w = SCHED_PRIORITIES / 64 - 1; w >= 0; w--)
		if (ready_bitmap[w])
			return ready[w * 64 + 63 - __builtin_clzll(ready_bitmap[w])];
	return NULL;
}

void schedule(void)
{
	struct thread *t = highest_ready();

	if (!t)
		arch_idle();
	thread_run(t);
}

/* Ends t's turn: the next thread of its priority goes first, t refills. */
static void sched_rotate(struct thread *t)
{
	if (ready[t->priority] == t)
		ready[t->priority] = t->rq_next;
	t->slice_left = t->slice;
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
