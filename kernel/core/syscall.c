/* The system-call table (xv6 syscall.c): designated initialisers, bounds-checked. */
#include <ipc.h>
#include <sched.h>
#include <syscall.h>
#include <kstate.h>
#include <obj/task.h>
#include <obj/thread.h>
#include <abi/errno.h>
#include <abi/syscall.h>
#include <arch/trap.h>

const syscall_fn syscall_table[SYS_NSYSCALLS] = {
	[SYS_NULL] = sys_null,
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_YIELD] = sys_yield,
	[SYS_KERNEL_INFO] = sys_kernel_info,
	[SYS_CAP_COPY] = sys_cap_copy,
	[SYS_CAP_MINT] = sys_cap_mint,
	[SYS_CAP_MOVE] = sys_cap_move,
	[SYS_CAP_DELETE] = sys_cap_delete,
	[SYS_CAP_REVOKE] = sys_cap_revoke,
	[SYS_CAP_INFO] = sys_cap_info,
	[SYS_TASK_CREATE] = sys_task_create,
	[SYS_THREAD_CREATE] = sys_thread_create,
	[SYS_ENDPOINT_CREATE] = sys_endpoint_create,
	[SYS_NOTIFICATION_CREATE] = sys_notification_create,
	[SYS_THREAD_CONFIG] = sys_thread_config,
	[SYS_THREAD_START] = sys_thread_start,
	[SYS_THREAD_STOP] = sys_thread_stop,
	[SYS_THREAD_READ_REGS] = sys_thread_read_regs,
	[SYS_THREAD_WRITE_REGS] = sys_thread_write_regs,
	[SYS_THREAD_CONFIG_IPC] = sys_thread_config_ipc,
	[SYS_MAP] = sys_map,
	[SYS_CALL] = sys_call,
	[SYS_REPLY_WAIT] = sys_reply_wait,
	[SYS_SEND] = sys_send,
	[SYS_RECV] = sys_recv,
	[SYS_REPLY] = sys_reply,
	[SYS_IPC_ABORT] = sys_ipc_abort,
	[SYS_SIGNAL] = sys_signal,
	[SYS_WAIT] = sys_wait,
	[SYS_POLL] = sys_poll,
	[SYS_NOTIFICATION_BIND] = sys_notification_bind,
	[SYS_IRQ_BIND] = sys_irq_bind,
	[SYS_IRQ_ACK] = sys_irq_ack,
	[SYS_GRANT] = sys_grant,
	[SYS_UNMAP] = sys_unmap,
	[SYS_THREAD_INFO] = sys_thread_info,
	[SYS_TASK_INFO] = sys_task_info,
};

void syscall_dispatch(struct trap_frame *f)
{
	uint64_t n = sys_number(f);

	if (n >= SYS_NSYSCALLS || !syscall_table[n]) {
		sys_set_error(f, E_NOSYS);
		return;
	}
	sys_set_error(f, (uint64_t)syscall_table[n](f));
	syscall_exit_work();
}

void syscall_exit_work(void)
{
	if (unlikely(task_reap_list != NULL))
		task_reap();
	/* The call may have stopped or destroyed its own thread, or made a
	 * more important one ready. */
	if (unlikely(thread_current()->state != THREAD_RUNNABLE))
		thread_reap_current();
	sched_preempt_check();
}

int sys_null(struct trap_frame *f)
{
	(void)f;
	return E_OK;
}

/* SYS_KERNEL_INFO() -> RDI free frames, RSI own quota used, RDX its limit.
 * What the test suites' leak checks compare before and after. */
int sys_kernel_info(struct trap_frame *f)
{
	struct task *t = thread_current()->task;

	sys_set_result(f, 0, frame_pool.nfree);
	sys_set_result(f, 1, t->quota->used);
	sys_set_result(f, 2, t->quota->limit);
	return E_OK;
}
