/*
 * System-call dispatch: one table indexed by the number in the saved
 * frame, bounds-checked. Handlers decode (check every argument, change
 * nothing) and then invoke; they return the abi/errno.h code for RAX.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>
#include <abi/syscall.h>
#include <arch/syscall_args.h>

typedef int (*syscall_fn)(struct trap_frame *f);

/* Every handler by number; NULL: none (E_NOSYS). Read by the entry code. */
extern const syscall_fn syscall_table[SYS_NSYSCALLS];

/*
 * The light system calls: handlers that never block, never switch to
 * another thread, never stop, kill or reap their caller, and read or
 * write none of its registers but the arguments and results (RAX, RDI,
 * RSI, RDX, R10, R8, R9). The entry code (syscall_entry.asm) saves only
 * those, RIP and RFLAGS for them; the caller's other registers stay in the
 * CPU, which the C calling convention preserves. What a light call makes
 * due, a more important thread ready (preempt_pending), is done at its
 * exit, after the rest of the registers were saved. Every other call
 * saves all of them first.
 */
#define SYSCALL_BIT(n) (1ull << (n))
#define SYSCALL_LIGHT_MASK \
	(SYSCALL_BIT(SYS_NULL) | SYSCALL_BIT(SYS_DEBUG_WRITE) | SYSCALL_BIT(SYS_KERNEL_INFO) | \
	 SYSCALL_BIT(SYS_CAP_COPY) | SYSCALL_BIT(SYS_CAP_MINT) | SYSCALL_BIT(SYS_CAP_MOVE) | \
	 SYSCALL_BIT(SYS_CAP_INFO) | SYSCALL_BIT(SYS_TASK_CREATE) | \
	 SYSCALL_BIT(SYS_THREAD_CREATE) | SYSCALL_BIT(SYS_ENDPOINT_CREATE) | \
	 SYSCALL_BIT(SYS_NOTIFICATION_CREATE) | SYSCALL_BIT(SYS_THREAD_CONFIG) | \
	 SYSCALL_BIT(SYS_THREAD_START) | SYSCALL_BIT(SYS_THREAD_WRITE_REGS) | \
	 SYSCALL_BIT(SYS_THREAD_CONFIG_IPC) | SYSCALL_BIT(SYS_MAP) | SYSCALL_BIT(SYS_GRANT) | \
	 SYSCALL_BIT(SYS_UNMAP) | SYSCALL_BIT(SYS_SIGNAL) | SYSCALL_BIT(SYS_POLL) | \
	 SYSCALL_BIT(SYS_NOTIFICATION_BIND) | SYSCALL_BIT(SYS_IRQ_BIND) | SYSCALL_BIT(SYS_IRQ_ACK))
_Static_assert(SYS_NSYSCALLS <= 64, "SYSCALL_LIGHT_MASK is one word");

/* Called by the entry code with the current thread's saved registers
 * (all of them): runs the handler and the work due at exit. */
void syscall_dispatch(struct trap_frame *f);

/* The work due at the exit of a system call: tasks to tear down, a caller
 * that stopped or died, a more important thread made ready. May switch
 * threads; all of the current thread's registers must be saved. */
void syscall_exit_work(void);

struct task;

/* The shared decode and install steps of the *_CREATE calls (cap_syscalls.c). */
int create_decode(struct trap_frame *f, struct task **owner);
void create_install(struct trap_frame *f, unsigned type, void *obj);

int sys_null(struct trap_frame *f);
int sys_debug_write(struct trap_frame *f);
int sys_yield(struct trap_frame *f);
int sys_kernel_info(struct trap_frame *f);
int sys_cap_copy(struct trap_frame *f);
int sys_cap_mint(struct trap_frame *f);
int sys_cap_move(struct trap_frame *f);
int sys_cap_delete(struct trap_frame *f);
int sys_cap_revoke(struct trap_frame *f);
int sys_cap_info(struct trap_frame *f);
int sys_task_create(struct trap_frame *f);
int sys_thread_create(struct trap_frame *f);
int sys_endpoint_create(struct trap_frame *f);
int sys_notification_create(struct trap_frame *f);
int sys_thread_config(struct trap_frame *f);
int sys_thread_start(struct trap_frame *f);
int sys_thread_stop(struct trap_frame *f);
int sys_thread_info(struct trap_frame *f);
int sys_task_info(struct trap_frame *f);
int sys_thread_read_regs(struct trap_frame *f);
int sys_thread_write_regs(struct trap_frame *f);
int sys_thread_config_ipc(struct trap_frame *f);
int sys_map(struct trap_frame *f);
int sys_call(struct trap_frame *f);
int sys_reply_wait(struct trap_frame *f);
int sys_send(struct trap_frame *f);
int sys_recv(struct trap_frame *f);
int sys_reply(struct trap_frame *f);
int sys_ipc_abort(struct trap_frame *f);
int sys_signal(struct trap_frame *f);
int sys_wait(struct trap_frame *f);
int sys_poll(struct trap_frame *f);
int sys_notification_bind(struct trap_frame *f);
int sys_irq_bind(struct trap_frame *f);
int sys_irq_ack(struct trap_frame *f);
int sys_grant(struct trap_frame *f);
int sys_unmap(struct trap_frame *f);

#endif
