/*
 * Per-CPU blocks and the SYSCALL/SYSRET set-up of each CPU.
 */
#include <klib.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/percpu.h>

#define MSR_STAR          0xC0000081u
#define MSR_LSTAR         0xC0000082u
#define MSR_SFMASK        0xC0000084u
#define MSR_GS_BASE       0xC0000101u
#define MSR_KERNEL_GS     0xC0000102u
#define EFER_SCE          (1u << 0)

/* RFLAGS bits SYSCALL clears: IF (entry runs with interrupts off until the
 * frame is saved), TF (no single-step into the kernel), DF (the C ABI
 * wants it clear), AC (SMAP stays on), NT and IOPL (no stale task state). */
#define SFMASK_BITS (0x100u | 0x200u | 0x400u | 0x40000u | 0x4000u | 0x3000u)

extern void syscall_entry(void);

static struct percpu boot_cpu;

void percpu_init_boot(void)
{
	boot_cpu.self = &boot_cpu;
	boot_cpu.kstack_top = (uint64_t)kstack_boot_top;
	boot_cpu.cpu = 0;
	/* In the kernel GS is the per-CPU block; user space gets GS base 0,
	 * swapped in by SWAPGS on the way out. */
	wrmsr(MSR_GS_BASE, (uint64_t)&boot_cpu);
	wrmsr(MSR_KERNEL_GS, 0);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* STAR[47:32]: SYSCALL loads CS = KCODE, SS = KCODE + 8.
	 * STAR[63:48]: SYSRET loads CS = UBASE + 16, SS = UBASE + 8 (RPL 3). */
	wrmsr(MSR_STAR, ((uint64_t)SEL_UBASE << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
}
