/*
 * FPU, SSE and AVX state of user threads. The kernel itself never uses
 * them (it is built with -mno-sse). Strategy (docs/perf.md): a thread's
 * state is saved and restored eagerly when the CPU switches between two
 * threads that use the FPU; a thread that never used it costs nothing on
 * a switch, and its first FPU instruction traps (#NM) once to mark it.
 * Registers not owned by the incoming thread are reset to the initial
 * state before it runs, so no state crosses from one thread to another.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

#define FPU_AREA_SIZE 3072      /* XSAVE area; XCR0 is trimmed to fit */

struct thread;

struct fpu_state {
	uint8_t area[FPU_AREA_SIZE] aligned(64);
	bool used;              /* has executed an FPU/SSE/AVX instruction */
};

/* Enables x87/SSE (and XSAVE with AVX where present) on this CPU. */
void fpu_init_cpu(void);

/* Before entering next in user mode: moves the registers to next's state. */
void fpu_switch_to(struct thread *next);

/* The thread whose FPU state is in the registers; NULL: the initial
 * state, and CR0.TS set. */
extern struct thread *fpu_live;

/* The first FPU instruction of the current thread trapped (#NM). */
void fpu_first_use(struct thread *t);

/* t is being freed: its state must not stay in the registers. */
void fpu_forget(struct thread *t);

void fpu_print_info(void);

#endif
