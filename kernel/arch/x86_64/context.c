/*
 * Entering user mode and idling: the two ways this CPU leaves the kernel
 * for good (until the next trap). Both abandon the kernel stack: with one
 * kernel stack per CPU nothing on it outlives a kernel entry.
 */
#include <console.h>
#include <panic.h>
#include <abi/errno.h>
#include <abi/regs.h>
#include <arch/memlayout.h>
#include <sched.h>
#include <obj/task.h>
#include <obj/thread.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/idle.h>
#include <arch/ioport.h>
#include <arch/percpu.h>
#include <arch/vspace.h>

#define RFLAGS_RESERVED1 (1ul << 1)     /* always set */

extern noreturn void return_to_user(void);

void thread_set_entry(struct thread *t, uint64_t ip, uint64_t sp, uint64_t arg0,
		      uint64_t arg1)
{
	t->regs = (struct trap_frame){
		.rip = ip,
		.rsp = sp,
		.rdi = arg0,
		.rsi = arg1,
		.cs = SEL_UCODE,
		.ss = SEL_UDATA,
		.rflags = RFLAGS_IF | RFLAGS_RESERVED1,
	};
}

void thread_clear_current(void)
{
	this_cpu()->current = NULL;
}

void thread_get_regs(struct thread *t, struct mica_regs *r)
{
	struct trap_frame *f = &t->regs;

	trap_frame_fill(f);

	*r = (struct mica_regs){
		.rip = f->rip, .rsp = f->rsp, .rflags = f->rflags,
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx,
		.rsi = f->rsi, .rdi = f->rdi, .rbp = f->rbp,
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
	};
}

/* Flags user code may set: CF PF AF ZF SF TF DF OF AC. */
#define RFLAGS_USER 0x40DD5ul

int thread_set_regs(struct thread *t, const struct mica_regs *r)
{
	struct trap_frame *f = &t->regs;

	/* A non-canonical RIP would fault IRETQ in ring 0. */
	if (r->rip >= USER_END || r->rsp >= USER_END)
		return E_INVAL;
	*f = (struct trap_frame){
		.rip = r->rip, .rsp = r->rsp,
		.rflags = (r->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_RESERVED1,
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rbp = r->rbp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		/* vector 0: leave by IRETQ, which restores RCX and R11 too */
		.cs = SEL_UCODE, .ss = SEL_UDATA,
	};
	return E_OK;
}

void thread_run(struct thread *t)
{
	struct percpu *cpu = this_cpu();
	uint64_t top = (uint64_t)(&t->regs + 1);

	/* return_to_user restores every register: none may be missing. */
	assert(t->regs.vector != VEC_IPC_FAST);

	if (!cpu->current || cpu->current->task != t->task) {
		vspace_activate(&t->task->vspace);
		arch_ioport_load(t->task);
	}
	cpu->current = t;
	cpu->regs_top = top;
	tss_set_kernel_stack(top);
	fpu_switch_to(t);
	return_to_user();
}

/* Runs on a fresh kernel stack: see arch_idle. */
static noreturn void idle_loop(void)
{
	this_cpu()->current = NULL;
	for (;;) {
		cpu_idle();             /* sti; hlt; cli */
		schedule();
	}
}

void arch_idle(void)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "jmp *%1"
			 /* - 8: entered as if called, as the ABI aligns it */
			 : : "r"(this_cpu()->kstack_top - 8), "r"(idle_loop) : "memory");
	__builtin_unreachable();
}
