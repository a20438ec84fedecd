/* Threads: saved user registers, scheduling state, the task they run in. */
#ifndef OBJ_THREAD_H
#define OBJ_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <compiler.h>
#include <obj/cap.h>
#include <obj/kobj.h>
#include <runqueue.h>
#include <abi/ipc.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/trap.h>

struct task;
struct mica_regs;

#define THREAD_SLICE_TICKS 2    /* default time slice: 20 ms at 100 Hz */

enum thread_state {
	THREAD_INACTIVE,        /* created, not started */
	THREAD_RUNNABLE,
	THREAD_STOPPED,         /* faulted with no one to handle it, or stopped */
	THREAD_DEAD,            /* killed with its task, or its last capability is gone */
	THREAD_SEND,            /* blocked sending on ipc_ep (a call if ipc_call) */
	THREAD_RECV,            /* blocked receiving on ipc_ep */
	THREAD_REPLY,           /* called: waits for reply_from to answer */
	THREAD_WAIT,            /* waits for signals on ipc_ntfn */
};

struct endpoint;
struct notification;

struct thread {
	/* Must stay first: the entry code saves the user registers here, at
	 * the address the per-CPU block publishes (percpu.h). */
	struct trap_frame regs;
	struct kobj hdr;
	struct task *task;      /* NULL once dead */
	struct thread *task_next;       /* the task's list of threads */
	enum thread_state state;
	uint8_t priority;
	uint8_t slice;          /* timer ticks per turn */
	uint8_t slice_left;
	uint64_t utcb;          /* user address of its UTCB page; 0: none yet */
	/* Its UTCB through the kernel's direct map, found by the slow path
	 * and valid while utcb_gen is its task's vspace_generation() (0: none
	 * cached); only a writable UTCB is cached. The fast path copies long
	 * messages with it, with no page-table walk and no SMAP lift. */
	uint64_t *utcb_kva;
	uint64_t utcb_gen;
	struct cap pager;       /* endpoint its page faults go to; may be empty */
	struct cap handler;     /* endpoint its other exceptions go to; may be empty */
	uint32_t id;
	struct rq_link rq;      /* in the ready queue of its priority while runnable */
	/* IPC (core/ipc.c) */
	struct endpoint *ipc_ep;        /* blocked on (SEND, RECV) */
	struct notification *ipc_ntfn;  /* blocked on (WAIT) */
	struct notification *bound_ntfn;        /* ends our receives when signalled */
	struct thread *ipc_next, *ipc_prev;     /* the endpoint's queue */
	uint64_t ipc_badge;             /* SEND: badge of the capability used */
	const struct cap *ipc_cap;      /* SEND: the capability used; its end ends the send */
	bool ipc_call;                  /* SEND: a call, so the receiver owes a reply */
	struct thread *caller;          /* calls received and not yet answered, the
					 * newest first: the one a reply answers */
	struct thread *reply_from;      /* REPLY: who owes us the answer */
	struct thread *reply_next;      /* REPLY: the next older caller of reply_from */
	uint64_t fault_tag;             /* non-zero: our message is a fault report */
	uint64_t fault_msg[IPC_EXCEPTION_WORDS];        /* its words */
	struct fpu_state fpu;
};

/*
 * Takes t out of a wait queue (an endpoint's or a notification's): a list
 * through thread.ipc_next/ipc_prev with the given head and tail.
 */
static inline void waitq_unlink(struct thread **head, struct thread **tail, struct thread *t)
{
	if (t->ipc_prev)
		t->ipc_prev->ipc_next = t->ipc_next;
	else
		*head = t->ipc_next;
	if (t->ipc_next)
		t->ipc_next->ipc_prev = t->ipc_prev;
	else
		*tail = t->ipc_prev;
	t->ipc_next = t->ipc_prev = NULL;
}

/*
 * Creates an inactive thread in task, its control block charged to the
 * task's quota. E_OK or E_NOMEM.
 */
int thread_create(struct task *task, struct thread **out);

/* Frees t once no capability names it (kobj_destroy); kills it first if needed. */
void thread_destroy(struct thread *t);

/* Ends t for good (its task is going): it leaves the scheduler and its
 * task; its control block lives on while capabilities name it. */
void thread_kill(struct thread *t);

/* Frees the current thread if it died during this kernel entry, then schedules. */
void thread_reap_current(void);

/* Copies t's user registers out (making its frame full first: arch/trap.h),
 * or checks and copies them in (E_INVAL). */
void thread_get_regs(struct thread *t, struct mica_regs *r);
int thread_set_regs(struct thread *t, const struct mica_regs *r);

/* Sets the user-mode entry state: ip, sp, and the first two argument registers. */
void thread_set_entry(struct thread *t, uint64_t ip, uint64_t sp, uint64_t arg0,
		      uint64_t arg1);

/* Makes t this CPU's current thread and enters user mode in it. */
noreturn void thread_run(struct thread *t);

/* The thread this CPU runs (NULL while idle). Inline: a call around the
 * per-CPU load cost more than the load, on every system call. */
static inline struct thread *thread_current(void)
{
	return this_cpu()->current;
}

void thread_clear_current(void);

/* Stops the current thread after a fault it cannot survive, says why, and schedules. */
noreturn void thread_fault_stop(const char *what, uint64_t addr);

#endif
