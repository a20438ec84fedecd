/*
 * Not linked into the kernel: compiled to assembly only, so that the
 * Makefile can turn each DEFINE below into a NASM %define in
 * $(B)/kernel/arch/x86_64/asm-offsets.inc. The assembly that walks kernel
 * objects (fastpath.asm, syscall_entry.asm) takes its offsets and
 * constants from there, so a changed structure cannot silently break it.
 */
#include <stddef.h>
#include <ipc.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <abi/syscall.h>
#include <arch/trap.h>
#include <obj/cap.h>
#include <obj/endpoint.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

/* "->NAME value" in the assembler output; the Makefile's sed picks it up. */
#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %0\"" : : "n"((long)(value)))
#define OFFSET(name, type, member) DEFINE(name, offsetof(struct type, member))

/* The fast path finds a thread's saved registers at the thread itself. */
_Static_assert(offsetof(struct thread, regs) == 0, "regs first in struct thread");

void asm_offsets(void);

void asm_offsets(void)
{
	OFFSET(T_TASK, thread, task);
	OFFSET(T_STATE, thread, state);
	OFFSET(T_PRIORITY, thread, priority);
	OFFSET(T_SLICE_LEFT, thread, slice_left);
	OFFSET(T_RQ_NEXT, thread, rq.next);
	OFFSET(T_IPC_EP, thread, ipc_ep);
	OFFSET(T_BOUND_NTFN, thread, bound_ntfn);
	OFFSET(T_IPC_NEXT, thread, ipc_next);
	OFFSET(T_IPC_PREV, thread, ipc_prev);
	OFFSET(T_CALLER, thread, caller);
	OFFSET(T_REPLY_FROM, thread, reply_from);
	OFFSET(T_REPLY_NEXT, thread, reply_next);
	OFFSET(T_FAULT_TAG, thread, fault_tag);
	OFFSET(T_FAULT_MSG, thread, fault_msg);
	OFFSET(T_FPU_USED, thread, fpu.used);
	OFFSET(T_UTCB_KVA, thread, utcb_kva);
	OFFSET(T_UTCB_GEN, thread, utcb_gen);
	DEFINE(THREAD_RUNNABLE, THREAD_RUNNABLE);
	DEFINE(THREAD_RECV, THREAD_RECV);
	DEFINE(THREAD_SEND, THREAD_SEND);
	DEFINE(THREAD_REPLY, THREAD_REPLY);

	OFFSET(TASK_PML4, task, vspace.pml4);
	OFFSET(TASK_PCID, task, vspace.pcid);
	OFFSET(TASK_STALE, task, vspace.stale);
	OFFSET(TASK_VS_GENERATION, task, vspace.generation);
	OFFSET(TASK_SLOTS, task, cspace.slots);
	OFFSET(TASK_NSLOTS, task, cspace.nslots);
	OFFSET(TASK_IO_BITMAP, task, io_bitmap[0]);
	OFFSET(TASK_IO_GENERATION, task, io_generation);

	OFFSET(CAP_OBJ, cap, obj);
	OFFSET(CAP_BADGE, cap, badge);
	OFFSET(CAP_TYPE, cap, type);
	OFFSET(CAP_RIGHTS, cap, rights);
	DEFINE(CAP_SIZE, sizeof(struct cap));
	DEFINE(CAP_ENDPOINT, CAP_ENDPOINT);
	DEFINE(RIGHT_READ, RIGHT_READ);
	DEFINE(RIGHT_WRITE, RIGHT_WRITE);

	OFFSET(EP_HEAD, endpoint, head);
	OFFSET(EP_TAIL, endpoint, tail);
	OFFSET(NTFN_BITS, notification, bits);

	DEFINE(IPC_REG_WORDS, IPC_REG_WORDS);
	DEFINE(IPC_MAX_WORDS, IPC_MAX_WORDS);
	DEFINE(UTCB_MR, offsetof(struct utcb, mr));
	DEFINE(IPC_TAG_ONE_ITEM, IPC_TAG(0, 0, 1, 0));
	DEFINE(IPC_ITEM_MAP_PAGES, IPC_ITEM_MAP_PAGES);
	DEFINE(IPC_FAULT_TAG_PAGE, IPC_FAULT_TAG_PAGE);
	DEFINE(SYS_CALL, SYS_CALL);
	DEFINE(SYS_REPLY_WAIT, SYS_REPLY_WAIT);
	DEFINE(SYS_NSYSCALLS, SYS_NSYSCALLS);
	DEFINE(SYSCALL_LIGHT_MASK, SYSCALL_LIGHT_MASK);
}
