/*
 * Trap dispatch. Interrupts go to the handler installed for their vector.
 * An exception in the kernel is a kernel bug (but for a fault inside a
 * checked user copy): it gets a full register dump, the faulting address
 * and a backtrace on the debug console, then PANIC. An exception in user
 * mode stops the thread and is reported.
 */
#include <klib.h>
#include <console.h>
#include <panic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/memlayout.h>
#include <arch/trap.h>
#include <ipc.h>
#include <sigma0.h>
#include <obj/task.h>
#include <obj/thread.h>

#define BACKTRACE_MAX 16

extern const char uaccess_copy_insn[], uaccess_copy_fixup[];

static trap_handler_fn handlers[256];
static volatile int in_fatal;           /* a fault while reporting one */

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void trap_set_handler(uint8_t vector, trap_handler_fn fn)
{
	handlers[vector] = fn;
}

static void dump_registers(const struct trap_frame *tf)
{
	kprintf("  rip %016lx  cs %04lx  rflags %016lx\n", tf->rip, tf->cs, tf->rflags);
	kprintf("  rsp %016lx  ss %04lx  error  %016lx\n", tf->rsp, tf->ss, tf->error);
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11, tf->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("  cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

/*
 * Walks the frame-pointer chain (the kernel is built with frame pointers).
 * Frames must lie on the kernel stack and move upward, so a corrupt chain
 * ends the walk instead of faulting.
 */
static void backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t lo = (uint64_t)kstack_boot, hi = (uint64_t)kstack_boot_top;
	int i;

	kprintf("backtrace:\n  #0  %016lx\n", rip);
	for (i = 1; i < BACKTRACE_MAX; i++) {
		const uint64_t *frame = (const uint64_t *)rbp;

		if (rbp < lo || rbp + 16 > hi || (rbp & 7))
			break;
		if (frame[1] < KERNEL_VMA)
			break;
		kprintf("  #%-2d %016lx\n", i, frame[1]);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static void page_fault_detail(const struct trap_frame *tf)
{
	uint64_t e = tf->error;

	kprintf("fault address %016lx: %s, %s, %s mode%s%s\n", read_cr2(),
		e & 1 ? "protection violation" : "page not present",
		e & 16 ? "instruction fetch" : e & 2 ? "write" : "read",
		e & 4 ? "user" : "kernel",
		e & 8 ? ", reserved bit set" : "",
		e & 32 ? ", protection key" : "");
}

static noreturn void kernel_exception(struct trap_frame *tf)
{
	if (in_fatal)
		panic("exception %lu while reporting an exception", tf->vector);
	in_fatal = 1;
	kprintf("\nEXCEPTION %s (vector %lu) in %s mode\n",
		exception_names[tf->vector], tf->vector, tf->cs & 3 ? "user" : "kernel");
	dump_registers(tf);
	if (tf->vector == 14)
		page_fault_detail(tf);
	backtrace(tf->rip, tf->rbp);
	panic("unhandled kernel exception %s at %016lx",
	      exception_names[tf->vector], tf->rip);
}

/*
 * A user exception: a fault in the root task's physical window fills it;
 * otherwise it goes to the thread's pager (page faults) or exception
 * handler (the rest) as IPC; with neither, the thread stops, reported.
 */
static void user_exception(struct trap_frame *tf)
{
	uint64_t addr = tf->vector == 14 ? read_cr2() : 0;

	if (tf->vector == 14 && sigma0_in_window(thread_current()->task, addr) &&
	    sigma0_fill(thread_current()->task, addr))
		return;
	if (ipc_fault(tf, addr))
		return;                 /* not reached: the handler answers */
	thread_fault_stop(exception_names[tf->vector], addr);
}

/*
 * NMI, #DF and #MC (trap_entry.asm's paranoid path): never a thread's
 * doing, never with a trustworthy frame for #DF. Nothing here sends NMIs,
 * so one is reported and ignored; the two aborts stop the machine.
 */
void trap_dispatch_paranoid(struct trap_frame *tf)
{
	if (tf->vector == 2) {
		kprintf("nmi: unexpected NMI at %016lx, ignored\n", tf->rip);
		return;
	}
	kernel_exception(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector < 32) {
		/* #NM: a thread's first FPU instruction (arch/fpu.h). */
		if (tf->vector == 7 && (tf->cs & 3) && !thread_current()->fpu.used) {
			fpu_first_use(thread_current());
			return;
		}
		if (tf->cs & 3) {
			user_exception(tf);
			return;
		}
		/* A user page missing under a checked copy: the copy fails. */
		if (tf->vector == 14 && tf->rip == (uint64_t)uaccess_copy_insn) {
			tf->rip = (uint64_t)uaccess_copy_fixup;
			return;
		}
		kernel_exception(tf);
	}
	if (handlers[tf->vector])
		handlers[tf->vector](tf);
	/* Otherwise spurious: the PIC lines are masked and nothing else routes here. */
}
