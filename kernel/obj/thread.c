/* Thread objects: creation, and stopping a thread that faulted. */
#include <klib.h>
#include <console.h>
#include <sched.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <arch/memlayout.h>
#include <obj/task.h>
#include <obj/thread.h>

_Static_assert(sizeof(struct thread) <= FRAME_SIZE, "a thread fits its page");

static uint32_t next_thread_id = 1;

int thread_create(struct task *task, struct thread **out)
{
	uint64_t pa = kmem_page_alloc(&task->quota);
	struct thread *t;

	if (pa == FRAME_NONE)
		return E_NOMEM;
	t = phys_to_virt(pa);
	t->task = task;
	t->state = THREAD_INACTIVE;
	t->id = next_thread_id++;
	*out = t;
	return E_OK;
}

void thread_fault_stop(const char *what, uint64_t addr)
{
	struct thread *t = thread_current();

	kprintf("fault: task %u '%s' thread %u: %s, address %016lx, ip %016lx; thread stopped\n",
		t->task->id, t->task->name, t->id, what, addr, t->regs.rip);
	t->state = THREAD_STOPPED;
	sched_dequeue(t);
	schedule();
}

/*
 * SYS_THREAD_STOP(cap): E_CAP_* or E_OK. A thread that stops itself
 * returns E_OK when it is started again.
 */
int sys_thread_stop(struct trap_frame *f)
{
	struct thread *self = thread_current(), *t;
	struct cap *cap;
	int err;

	err = cap_lookup(&self->task->cspace, sys_arg0(f), CAP_THREAD, RIGHT_CONTROL, &cap);
	if (err != E_OK)
		return err;
	t = cap->obj;
	if (t->state == THREAD_RUNNABLE)
		sched_dequeue(t);
	t->state = THREAD_STOPPED;
	if (t == self) {
		sys_set_error(f, E_OK);
		schedule();
	}
	return E_OK;
}
