/*
 * The scheduler: 256 fixed priorities, round-robin within a priority. The
 * ready queues hold runnable threads; a bitmap finds the highest non-empty
 * queue in two instructions.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdbool.h>
#include <compiler.h>

struct thread;

#define SCHED_PRIORITIES 256

/* Puts a runnable thread at the tail of its priority's queue. */
void sched_enqueue(struct thread *t);
void sched_dequeue(struct thread *t);

/* Runs the highest-priority ready thread, or idles until there is one. */
noreturn void schedule(void);

/* A timer tick: charges the running thread, and ends its turn when its
 * slice is used up. Interrupts off; the tick is acknowledged already. */
void sched_tick(void);

#endif
