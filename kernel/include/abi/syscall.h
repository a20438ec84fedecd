/*
 * System-call numbers and the register convention (docs/abi.md).
 *
 * SYSCALL with the number in RAX and arguments in RDI, RSI, RDX, R10, R8,
 * R9 (RCX and R11 are taken by the instruction itself). The error code
 * (abi/errno.h) comes back in RAX, results in the argument registers the
 * call's description names. Every other register is preserved.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

enum mica_syscall {
	SYS_NULL = 0,           /* does nothing: the entry/exit cost */
	SYS_DEBUG_WRITE,        /* (cap, buf, len): text to the kernel debug console */
	SYS_YIELD,              /* (): the rest of this turn to the next equal thread */
	SYS_KERNEL_INFO,        /* (): free frames, own quota used and limit */
	SYS_CAP_COPY,           /* (src, dst_task, dst_slot, rights) */
	SYS_CAP_MINT,           /* (src, dst_task, dst_slot, rights, badge) */
	SYS_CAP_MOVE,           /* (src, dst_task, dst_slot) */
	SYS_CAP_DELETE,         /* (slot) */
	SYS_CAP_REVOKE,         /* (slot): delete everything derived from it */
	SYS_CAP_INFO,           /* (slot): type, rights, badge */
	SYS_TASK_CREATE,        /* (task, slot, quota, nslots) */
	SYS_THREAD_CREATE,      /* (task, slot) */
	SYS_ENDPOINT_CREATE,    /* (task, slot) */
	SYS_NOTIFICATION_CREATE, /* (task, slot) */
	SYS_THREAD_CONFIG,      /* (thread, priority, slice) */
	SYS_THREAD_START,       /* (thread) */
	SYS_THREAD_STOP,        /* (thread) */
	SYS_THREAD_READ_REGS,   /* (thread, struct mica_regs *) */
	SYS_THREAD_WRITE_REGS,  /* (thread, const struct mica_regs *) */
	SYS_THREAD_CONFIG_IPC,  /* (thread, utcb, pager, handler) */
	SYS_MAP,                /* (dst_task, src, dst, size_log2, perms) */
	SYS_GRANT,              /* (dst_task, src, dst, size_log2, perms) */
	SYS_UNMAP,              /* (base, size_log2, flags) */
	SYS_CALL,               /* IPC (abi/ipc.h): (endpoint, tag, words) */
	SYS_REPLY_WAIT,         /* (endpoint, tag, words) */
	SYS_SEND,               /* (endpoint, tag, words) */
	SYS_RECV,               /* (endpoint, flags) */
	SYS_REPLY,              /* (-, tag, words) */
	SYS_IPC_ABORT,          /* (thread) */
	SYS_SIGNAL,             /* (notification) */
	SYS_WAIT,               /* (notification) -> bits */
	SYS_POLL,               /* (notification) -> bits */
	SYS_NOTIFICATION_BIND,  /* (thread, notification or CAP_NONE) */
	SYS_IRQ_BIND,           /* (irq, notification or CAP_NONE) */
	SYS_IRQ_ACK,            /* (irq) */
	SYS_THREAD_INFO,        /* (thread) -> state, priority */
	SYS_TASK_INFO,          /* (task) -> threads, quota used, quota limit */
	SYS_NSYSCALLS
};

/* A thread's state as SYS_THREAD_INFO reports it. */
enum {
	THREAD_STATE_INACTIVE,  /* created, never started */
	THREAD_STATE_READY,     /* running or ready to run */
	THREAD_STATE_STOPPED,
	THREAD_STATE_DEAD,
	THREAD_STATE_SEND,      /* blocked sending (or calling) */
	THREAD_STATE_RECV,      /* blocked receiving */
	THREAD_STATE_REPLY,     /* called, waits for the reply */
	THREAD_STATE_WAIT,      /* waits on a notification */
};

/* Memory permissions of SYS_MAP and SYS_GRANT (read is always implied). */
#define MAP_READ    1u
#define MAP_WRITE   2u
#define MAP_EXEC    4u

/* SYS_UNMAP flags. */
#define UNMAP_SELF  1u          /* the caller's own pages too, not only derived ones */

#endif
