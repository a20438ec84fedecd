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

typedef void (*trap_handler_fn)(struct trap_frame *tf);

/* Loads the IDT: every vector has an entry, so none can triple-fault. */
void idt_init(void);

/* Installs the handler for an interrupt vector (32..255). */
void trap_set_handler(uint8_t vector, trap_handler_fn fn);

/* Called by trap_entry.asm with interrupts off. */
void trap_dispatch(struct trap_frame *tf);
void trap_dispatch_paranoid(struct trap_frame *tf);

#endif
