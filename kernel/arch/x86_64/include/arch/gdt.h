/*
 * Segment selectors. The order is fixed by SYSCALL/SYSRET: STAR[47:32]
 * gives the kernel CS (SS = CS + 8), STAR[63:48] + 16 the 64-bit user CS
 * and + 8 the user SS.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UBASE   0x18    /* STAR[63:48]; the slot itself stays null */
#define SEL_UDATA   0x23    /* 0x20 | RPL 3 */
#define SEL_UCODE   0x2B    /* 0x28 | RPL 3 */
#define SEL_TSS     0x30

/* Interrupt stack table slots, for faults that cannot trust the stack. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Loads the GDT and the TSS of the boot CPU and reloads every segment. */
void gdt_init(void);

/* The TSS and its I/O bitmap (gdt.c), and whose bitmap it holds (the
 * task, and its io_generation then): the IPC fast path switches to a
 * task whose bitmap is loaded already without calling arch_ioport_load. */
struct task;
extern struct tss_io tss_io;
extern const struct task *tss_bitmap_owner;
extern uint64_t tss_bitmap_generation;

/* The kernel stack the CPU switches to on entry from user mode. */
void tss_set_kernel_stack(uint64_t rsp0);

/* Kernel stack bounds, for the backtrace's sanity checks. */
extern uint8_t kstack_boot[];
extern uint8_t kstack_boot_top[];
#endif

#endif
