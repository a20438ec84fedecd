/*
 * The scheduler: 256 fixed priorities, round-robin within a priority. The
 * ready queues (runqueue.h) hold the runnable threads, the running one at
 * the head of its queue; a bitmap finds the highest non-empty queue.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdbool.h>
#include <compiler.h>

struct thread;

#define SCHED_PRIORITIES 256

/* Puts a runnable thread, in no queue yet, at the tail of its priority's queue. */
void sched_enqueue(struct thread *t);

/* Takes t out of its priority's queue when it stops being runnable, or
 * before its priority changes; nothing if t is in no queue. */
void sched_dequeue(struct thread *t);

/*
 * t blocks (its state says on what) / becomes ready again. With lazy
 * scheduling a blocked thread stays in the ready queue until schedule()
 * meets it, so a thread woken before then costs no queue operation.
 */
void sched_block(struct thread *t);
void sched_wake(struct thread *t);

/* sched_wake for a thread that runs next anyway (the fast path's direct
 * switch): no note for the preemption check. */
void sched_make_ready(struct thread *t);

/* The highest priority with a ready thread (lazily queued blocked ones
 * may count: an upper bound); -1 when none. */
int sched_highest_priority(void);

/* Runs the highest-priority ready thread, or idles until there is one. */
noreturn void schedule(void);

/* A thread more important than the running one became ready since the
 * last check. Also read by the light system-call exit (syscall_entry.asm). */
extern bool preempt_pending;

/* Runs a ready thread of higher priority than the current one if one was
 * made ready since the last check (by a system call or an interrupt);
 * returns otherwise. */
void sched_preempt_check(void);

/* A priority changed: the next sched_preempt_check() looks again. */
void sched_priority_changed(void);

/* A timer tick: charges the running thread, and ends its turn when its
 * slice is used up. Interrupts off; the tick is acknowledged already. */
void sched_tick(void);

#endif
