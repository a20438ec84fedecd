/* Thread objects: creation, control, faults, death. */
#include <klib.h>
#include <ipc.h>
#include <console.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/regs.h>
#include <abi/syscall.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <obj/task.h>
#include <obj/thread.h>

_Static_assert(sizeof(struct thread) <= FRAME_SIZE, "a thread fits its page");

static uint32_t next_thread_id = 1;

int thread_create(struct task *task, struct thread **out)
{
	uint64_t pa = kmem_page_alloc(task->quota);
	struct thread *t;

	if (pa == FRAME_NONE)
		return E_NOMEM;
	t = phys_to_virt(pa);
	t->hdr.quota = task->quota;
	t->task = task;
	t->state = THREAD_INACTIVE;
	t->slice = t->slice_left = THREAD_SLICE_TICKS;
	t->id = next_thread_id++;
	/* Valid user state from the start: a thread started without its
	 * registers set faults at address 0 in user mode, not in the kernel. */
	thread_set_entry(t, 0, 0, 0, 0);
	t->task_next = task->threads;
	task->threads = t;
	*out = t;
	return E_OK;
}

void thread_fault_stop(const char *what, uint64_t addr)
{
	struct thread *t = thread_current();

	kprintf("fault: task %u '%s' thread %u: %s (vector %lu), address %016lx, ip %016lx; "
		"thread stopped\n", t->task->id, t->task->name, t->id, what, t->regs.vector, addr,
		t->regs.rip);
	t->state = THREAD_STOPPED;
	sched_dequeue(t);
	thread_reap_current();
	__builtin_unreachable();
}

/* Decodes a thread capability with the control right. */
static int thread_decode(uint64_t idx, struct thread **out)
{
	struct cap *cap;
	int err = cap_lookup(&thread_current()->task->cspace, idx, CAP_THREAD, RIGHT_CONTROL,
			     &cap);

	if (err != E_OK)
		return err;
	*out = cap->obj;
	return (*out)->state == THREAD_DEAD ? E_DEAD : E_OK;
}

/*
 * SYS_THREAD_STOP(thread): the thread stops and keeps its state (a thread
 * that stops itself sees E_OK when started again).
 */
int sys_thread_stop(struct trap_frame *f)
{
	struct thread *t;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK)
		return err;
	ipc_cancel(t, E_ABORTED);
	sched_dequeue(t);
	t->state = THREAD_STOPPED;
	return E_OK;
}

/* The kernel's thread states as the ABI names them. */
static const uint8_t abi_thread_state[] = {
	[THREAD_INACTIVE] = THREAD_STATE_INACTIVE, [THREAD_RUNNABLE] = THREAD_STATE_READY,
	[THREAD_STOPPED] = THREAD_STATE_STOPPED,   [THREAD_DEAD] = THREAD_STATE_DEAD,
	[THREAD_SEND] = THREAD_STATE_SEND,         [THREAD_RECV] = THREAD_STATE_RECV,
	[THREAD_REPLY] = THREAD_STATE_REPLY,       [THREAD_WAIT] = THREAD_STATE_WAIT,
};

/* SYS_THREAD_INFO(thread) -> RDI state (THREAD_STATE_*), RSI priority. A
 * dead thread answers E_OK with THREAD_STATE_DEAD, so that a supervisor
 * can tell it from a bad capability. */
int sys_thread_info(struct trap_frame *f)
{
	struct cap *cap;
	struct thread *t;
	int err = cap_lookup(&thread_current()->task->cspace, sys_arg0(f), CAP_THREAD,
			     RIGHT_CONTROL, &cap);

	if (err != E_OK)
		return err;
	t = cap->obj;
	sys_set_result(f, 0, abi_thread_state[t->state]);
	sys_set_result(f, 1, t->priority);
	return E_OK;
}

static void thread_free(struct thread *t)
{
	fpu_forget(t);
	kmem_page_free(t->hdr.quota, virt_to_phys(t));
}

void thread_kill(struct thread *t)
{
	struct thread **p;

	if (t->state == THREAD_DEAD)
		return;
	ipc_release(t);
	sched_dequeue(t);
	for (p = &t->task->threads; *p != t; p = &(*p)->task_next)
		;
	*p = t->task_next;
	t->task = NULL;
	t->state = THREAD_DEAD;
	if (t->pager.obj)
		cap_delete(&t->pager);
	if (t->handler.obj)
		cap_delete(&t->handler);
}

void thread_destroy(struct thread *t)
{
	thread_kill(t);
	/* The current thread is still in this kernel entry: freed on the way out. */
	if (t != thread_current())
		thread_free(t);
}

void thread_reap_current(void)
{
	struct thread *t = thread_current();

	if (t->state == THREAD_RUNNABLE)
		return;
	if (t->state == THREAD_DEAD && t->hdr.refs == 0)
		thread_free(t);
	thread_clear_current();
	schedule();
}

/* SYS_THREAD_CREATE(task, slot): a new inactive thread in task. */
int sys_thread_create(struct trap_frame *f)
{
	struct task *owner;
	struct thread *t;
	int err;

	if ((err = create_decode(f, &owner)) != E_OK ||
	    (err = thread_create(owner, &t)) != E_OK)
		return err;
	create_install(f, CAP_THREAD, t);
	return E_OK;
}

/*
 * SYS_THREAD_CONFIG(thread, priority, slice): priority at most the
 * caller's own (no thread can make a thread that starves it), slice in
 * timer ticks, 1..255.
 */
int sys_thread_config(struct trap_frame *f)
{
	struct thread *t;
	uint64_t prio = sys_arg1(f), slice = sys_arg2(f);
	bool queued;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK)
		return err;
	if (prio > thread_current()->priority || slice == 0 || slice > 255)
		return E_INVAL;
	/* Lazily queued blocked threads move queue too. (One waiting on an
	 * endpoint keeps its place there.) */
	queued = rq_queued(&t->rq);
	sched_dequeue(t);
	t->priority = (uint8_t)prio;
	t->slice = t->slice_left = (uint8_t)slice;
	if (queued)
		sched_enqueue(t);
	sched_priority_changed();
	return E_OK;
}

/* SYS_THREAD_START(thread): an inactive or stopped thread becomes runnable. */
int sys_thread_start(struct trap_frame *f)
{
	struct thread *t;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK)
		return err;
	if (t->state != THREAD_INACTIVE && t->state != THREAD_STOPPED)
		return E_STATE;
	sched_wake(t);
	return E_OK;
}

/* SYS_THREAD_READ_REGS(thread, buf): struct mica_regs to user memory. */
int sys_thread_read_regs(struct trap_frame *f)
{
	struct mica_regs r;
	struct thread *t;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK)
		return err;
	thread_get_regs(t, &r);
	return copy_to_user(sys_arg1(f), &r, sizeof r);
}

/* SYS_THREAD_WRITE_REGS(thread, buf): not for a running thread (E_STATE). */
int sys_thread_write_regs(struct trap_frame *f)
{
	struct mica_regs r;
	struct thread *t;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK)
		return err;
	if (t == thread_current())
		return E_STATE;
	if ((err = copy_from_user(&r, sys_arg1(f), sizeof r)) != E_OK)
		return err;
	return thread_set_regs(t, &r);
}

/* Decodes an optional endpoint to send faults to: CAP_NONE, or an endpoint
 * with the write (send) right. */
static int fault_endpoint_decode(uint64_t idx, struct cap **out)
{
	*out = NULL;
	if (idx == CAP_NONE)
		return E_OK;
	return cap_lookup(&thread_current()->task->cspace, idx, CAP_ENDPOINT, RIGHT_WRITE, out);
}

/* Replaces the thread's copy of a fault endpoint with one derived from src. */
static void fault_endpoint_set(struct cap *slot, struct cap *src)
{
	if (slot->obj)
		cap_delete(slot);
	if (src) {
		mdb_init(&slot->mdb);
		cap_derive(src, slot, RIGHTS_ALL, 0);
	}
}

/*
 * SYS_THREAD_CONFIG_IPC(thread, utcb, pager, handler): the page its long
 * messages go through (0: none; page-aligned, mappable user address), and
 * the endpoints its page faults and other exceptions are sent to
 * (CAP_NONE: none). The thread keeps copies derived from the caller's
 * capabilities, so revoking those takes them away again.
 */
int sys_thread_config_ipc(struct trap_frame *f)
{
	uint64_t utcb = sys_arg1(f);
	struct cap *pager, *handler;
	struct thread *t;
	int err;

	if ((err = thread_decode(sys_arg0(f), &t)) != E_OK ||
	    (err = fault_endpoint_decode(sys_arg2(f), &pager)) != E_OK ||
	    (err = fault_endpoint_decode(sys_arg3(f), &handler)) != E_OK)
		return err;
	if (utcb & (PAGE_SIZE - 1))
		return E_ALIGN;
	if (utcb != 0 && (utcb < PAGE_SIZE || utcb >= KIP_ADDR))
		return E_RANGE;
	t->utcb = utcb;
	t->utcb_gen = 0;        /* the cached UTCB was the old one's */
	fault_endpoint_set(&t->pager, pager);
	fault_endpoint_set(&t->handler, handler);
	return E_OK;
}
