/*
 * Traps: exceptions and interrupts share one entry path (trap_entry.asm)
 * that saves the registers into a trap_frame and calls trap_dispatch.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stddef.h>
#include <stdint.h>

#define VEC_PIC_BASE    0x20    /* legacy PIC, remapped and masked */
#define VEC_TIMER       0xF0    /* local APIC timer */
#define VEC_SPURIOUS    0xFF    /* local APIC spurious vector */

/*
 * trap_frame.vector also says how the frame was saved, and so how the
 * thread may be resumed (frame.inc has the same numbers):
 *   0..255        an interrupt or exception, or registers written by
 *                 SYS_THREAD_WRITE_REGS: every field is the thread's;
 *                 resumed by IRETQ;
 *   VEC_SYSCALL   a SYSCALL entry that saved everything (RCX and R11 hold
 *                 RIP and RFLAGS, as the instruction left them); resumed
 *                 by SYSRET;
 *   VEC_IPC_FAST  a thread that blocked in call or reply_wait through the
 *                 IPC fast path (fastpath.asm), which saved RIP, RFLAGS,
 *                 RSP, RBX and RBP only: the rest is whatever an older
 *                 entry left. trap_frame_fill() makes it a VEC_SYSCALL
 *                 frame before anything else reads or writes it.
 * A SYSCALL that returns to its own thread through the light exit
 * (syscall_entry.asm) saves less still, but nobody sees that frame: the
 * next entry of the thread overwrites it.
 */
#define VEC_SYSCALL     0x100
#define VEC_IPC_FAST    0x101

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
/* trap_entry.asm pushes in exactly this order. */
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "trap_frame.vector");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "trap_frame.rip");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame size");

/*
 * Makes a frame the IPC fast path saved in part (VEC_IPC_FAST) a full
 * VEC_SYSCALL frame: the registers it did not save become 0 (never a
 * stale value), RCX and R11 the RIP and RFLAGS that SYSRET will load into
 * them anyway. Nothing for any other frame. Whoever reads or writes the
 * registers of a thread that may have blocked in IPC calls this first.
 */
static inline void trap_frame_fill(struct trap_frame *f)
{
	if (f->vector != VEC_IPC_FAST)
		return;
	f->rax = f->rdx = f->rsi = f->rdi = 0;
	f->r8 = f->r9 = f->r10 = f->r12 = f->r13 = f->r14 = f->r15 = 0;
	f->rcx = f->rip;
	f->r11 = f->rflags;
	f->vector = VEC_SYSCALL;
}

typedef void (*trap_handler_fn)(struct trap_frame *tf);

/* Loads the IDT: every vector has an entry, so none can triple-fault. */
void idt_init(void);

/* Installs the handler for an interrupt vector (32..255). */
void trap_set_handler(uint8_t vector, trap_handler_fn fn);

/* Called by trap_entry.asm with interrupts off. */
void trap_dispatch(struct trap_frame *tf);
void trap_dispatch_paranoid(struct trap_frame *tf);

#endif
