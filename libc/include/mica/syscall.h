/*
 * System-call stubs over the kernel ABI (<abi/syscall.h>, docs/abi.md):
 * SYSCALL with the number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9;
 * the error code comes back in RAX and results in RDI, RSI, RDX. RCX and
 * R11 are destroyed by the instruction.
 */
#ifndef MICA_SYSCALL_H
#define MICA_SYSCALL_H

#include <stdint.h>
#include <abi/regs.h>
#include <abi/syscall.h>

struct sys_results {
	uint64_t r0, r1, r2;    /* RDI, RSI, RDX after the call */
};

/* The one raw system call; every stub below is a name for it. */
static inline long mica_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
				uint64_t a3, uint64_t a4, uint64_t a5,
				struct sys_results *res)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	uint64_t rax = n;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(a0), "+S"(a1), "+d"(a2),
			   "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	if (res) {
		res->r0 = a0;
		res->r1 = a1;
		res->r2 = a2;
	}
	return (long)rax;
}

/* Calls without arguments or results load the number only: the kernel
 * preserves every register but RAX, RCX and R11. */
static inline long mica_syscall0(uint64_t n)
{
	__asm__ volatile("syscall" : "+a"(n) : : "rcx", "r11", "memory");
	return (long)n;
}

#define SYSCALL0(n)             mica_syscall0(n)
#define SYSCALL1(n, a)          mica_syscall(n, a, 0, 0, 0, 0, 0, 0)
#define SYSCALL2(n, a, b)       mica_syscall(n, a, b, 0, 0, 0, 0, 0)
#define SYSCALL3(n, a, b, c)    mica_syscall(n, a, b, c, 0, 0, 0, 0)

static inline long sys_null(void) { return SYSCALL0(SYS_NULL); }
static inline long sys_yield(void) { return SYSCALL0(SYS_YIELD); }

static inline long sys_debug_write(uint64_t cap, const void *buf, uint64_t len)
{
	return SYSCALL3(SYS_DEBUG_WRITE, cap, (uint64_t)buf, len);
}

/* Free frames in the kernel, and the caller's quota used and limit. */
static inline long sys_kernel_info(uint64_t *free_frames, uint64_t *used, uint64_t *limit)
{
	struct sys_results r;
	long e = mica_syscall(SYS_KERNEL_INFO, 0, 0, 0, 0, 0, 0, &r);

	*free_frames = r.r0;
	*used = r.r1;
	*limit = r.r2;
	return e;
}

static inline long sys_cap_copy(uint64_t src, uint64_t dst_task, uint64_t dst_slot,
				uint64_t rights)
{
	return mica_syscall(SYS_CAP_COPY, src, dst_task, dst_slot, rights, 0, 0, 0);
}

static inline long sys_cap_mint(uint64_t src, uint64_t dst_task, uint64_t dst_slot,
				uint64_t rights, uint64_t badge)
{
	return mica_syscall(SYS_CAP_MINT, src, dst_task, dst_slot, rights, badge, 0, 0);
}

static inline long sys_cap_move(uint64_t src, uint64_t dst_task, uint64_t dst_slot)
{
	return SYSCALL3(SYS_CAP_MOVE, src, dst_task, dst_slot);
}

static inline long sys_cap_delete(uint64_t slot) { return SYSCALL1(SYS_CAP_DELETE, slot); }
static inline long sys_cap_revoke(uint64_t slot) { return SYSCALL1(SYS_CAP_REVOKE, slot); }

static inline long sys_cap_info(uint64_t slot, uint64_t *type, uint64_t *rights,
				uint64_t *badge)
{
	struct sys_results r;
	long e = mica_syscall(SYS_CAP_INFO, slot, 0, 0, 0, 0, 0, &r);

	*type = r.r0;
	*rights = r.r1;
	*badge = r.r2;
	return e;
}

static inline long sys_task_create(uint64_t task, uint64_t slot, uint64_t quota,
				   uint64_t nslots)
{
	return mica_syscall(SYS_TASK_CREATE, task, slot, quota, nslots, 0, 0, 0);
}

static inline long sys_thread_create(uint64_t task, uint64_t slot)
{
	return SYSCALL2(SYS_THREAD_CREATE, task, slot);
}

static inline long sys_endpoint_create(uint64_t task, uint64_t slot)
{
	return SYSCALL2(SYS_ENDPOINT_CREATE, task, slot);
}

static inline long sys_notification_create(uint64_t task, uint64_t slot)
{
	return SYSCALL2(SYS_NOTIFICATION_CREATE, task, slot);
}

static inline long sys_thread_config(uint64_t thread, uint64_t prio, uint64_t slice)
{
	return SYSCALL3(SYS_THREAD_CONFIG, thread, prio, slice);
}

static inline long sys_thread_start(uint64_t t) { return SYSCALL1(SYS_THREAD_START, t); }
static inline long sys_thread_stop(uint64_t t) { return SYSCALL1(SYS_THREAD_STOP, t); }

/* The thread's UTCB address (0: none) and the endpoints its page faults and
 * other exceptions go to (CAP_NONE: none). */
static inline long sys_thread_config_ipc(uint64_t t, uint64_t utcb, uint64_t pager,
					 uint64_t handler)
{
	return mica_syscall(SYS_THREAD_CONFIG_IPC, t, utcb, pager, handler, 0, 0, 0);
}

static inline long sys_thread_read_regs(uint64_t t, struct mica_regs *r)
{
	return SYSCALL2(SYS_THREAD_READ_REGS, t, (uint64_t)r);
}

static inline long sys_thread_write_regs(uint64_t t, const struct mica_regs *r)
{
	return SYSCALL2(SYS_THREAD_WRITE_REGS, t, (uint64_t)r);
}

/* Routes interrupt line irq to a notification (CAP_NONE: masks and unbinds). */
static inline long sys_irq_bind(uint64_t irq, uint64_t ntfn)
{
	return SYSCALL2(SYS_IRQ_BIND, irq, ntfn);
}

/* Unmasks line irq again after its interrupt was handled. */
static inline long sys_irq_ack(uint64_t irq) { return SYSCALL1(SYS_IRQ_ACK, irq); }

/* A thread's state (THREAD_STATE_*) and priority. */
static inline long sys_thread_info(uint64_t t, uint64_t *state, uint64_t *priority)
{
	struct sys_results r;
	long err = mica_syscall(SYS_THREAD_INFO, t, 0, 0, 0, 0, 0, &r);

	*state = r.r0;
	*priority = r.r1;
	return err;
}

/* A task's live threads and its kernel-memory quota, used and limit. */
static inline long sys_task_info(uint64_t task, uint64_t *threads, uint64_t *used,
				 uint64_t *limit)
{
	struct sys_results r;
	long err = mica_syscall(SYS_TASK_INFO, task, 0, 0, 0, 0, 0, &r);

	*threads = r.r0;
	*used = r.r1;
	*limit = r.r2;
	return err;
}

/* Memory (docs/abi.md): flexpages of 2^size_log2 bytes. */
static inline long sys_map(uint64_t dst_task, uint64_t src, uint64_t dst, uint64_t size_log2,
			   uint64_t perms)
{
	return mica_syscall(SYS_MAP, dst_task, src, dst, size_log2, perms, 0, 0);
}

static inline long sys_grant(uint64_t dst_task, uint64_t src, uint64_t dst, uint64_t size_log2,
			     uint64_t perms)
{
	return mica_syscall(SYS_GRANT, dst_task, src, dst, size_log2, perms, 0, 0);
}

static inline long sys_unmap(uint64_t base, uint64_t size_log2, uint64_t flags)
{
	return SYSCALL3(SYS_UNMAP, base, size_log2, flags);
}

#endif
