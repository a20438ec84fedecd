/*
 * System-call dispatch: one table indexed by the number in the saved
 * frame, bounds-checked. Handlers decode (check every argument, change
 * nothing) and then invoke; they return the abi/errno.h code for RAX.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>
#include <arch/syscall_args.h>

typedef int (*syscall_fn)(struct trap_frame *f);

/* Called by the entry code with the current thread's saved registers. */
void syscall_dispatch(struct trap_frame *f);

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
