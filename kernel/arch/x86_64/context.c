/*
 * Entering user mode and idling: the two ways this CPU leaves the kernel
 * for good (until the next trap). Both abandon the kernel stack: with one
 * kernel stack per CPU nothing on it outlives a kernel entry.
 */
#include <console.h>
#include <sched.h>
#include <obj/task.h>
#include <obj/thread.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idle.h>
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

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

void thread_run(struct thread *t)
{
	struct percpu *cpu = this_cpu();
	uint64_t top = (uint64_t)(&t->regs + 1);

	if (!cpu->current || cpu->current->task != t->task)
		vspace_activate(&t->task->vspace);
	cpu->current = t;
	cpu->regs_top = top;
	tss_set_kernel_stack(top);
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
			 : : "r"(this_cpu()->kstack_top), "r"(idle_loop) : "memory");
	__builtin_unreachable();
}
