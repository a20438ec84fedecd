/* Threads: saved user registers, scheduling state, the task they run in. */
#ifndef OBJ_THREAD_H
#define OBJ_THREAD_H

#include <stdint.h>
#include <compiler.h>
#include <arch/trap.h>

struct task;

enum thread_state {
	THREAD_INACTIVE,        /* created, not started */
	THREAD_RUNNABLE,
	THREAD_STOPPED,         /* faulted with no one to handle it, or stopped */
};

struct thread {
	/* Must stay first: the entry code saves the user registers here, at
	 * the address the per-CPU block publishes (percpu.h). */
	struct trap_frame regs;
	struct task *task;
	enum thread_state state;
	uint8_t priority;
	uint64_t utcb;          /* user address of its UTCB page */
	uint32_t id;
	struct thread *rq_next, *rq_prev;       /* ready queue of its priority */
};

/*
 * Creates an inactive thread in task, its control block charged to the
 * task's quota. E_OK or E_NOMEM.
 */
int thread_create(struct task *task, struct thread **out);

/* Sets the user-mode entry state: ip, sp, and the first two argument registers. */
void thread_set_entry(struct thread *t, uint64_t ip, uint64_t sp, uint64_t arg0,
		      uint64_t arg1);

/* Makes t this CPU's current thread and enters user mode in it. */
noreturn void thread_run(struct thread *t);

/* The thread this CPU runs (NULL while idle). */
struct thread *thread_current(void);

/* Stops the current thread after a fault it cannot survive, says why, and schedules. */
noreturn void thread_fault_stop(const char *what, uint64_t addr);

#endif
