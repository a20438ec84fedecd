/*
 * The in-guest microbenchmarks (tests/bench/): what the harness (main.c)
 * and the operations (ops.c) share. The program is the root task of
 * build/bench.iso; `make bench` (tools/bench.sh) boots it and turns its
 * output into the table of docs/perf.md.
 *
 * Method (issue 5): every operation is warmed up once, then timed in
 * NBATCH batches of NITER iterations. A batch is one timed loop: `lfence;
 * rdtsc` before it, `rdtscp; lfence` after it. From each batch's ticks
 * the cost of an empty timed loop of the same length is subtracted (so
 * the loop and the timestamps themselves are not counted), and the rest
 * is divided by the operations the batch performed. The result, per
 * operation, is the median and the minimum over the batches, in tenths
 * of a tick, rounded up.
 *
 * Under QEMU TCG with -icount shift=0 a tick is one guest instruction;
 * elsewhere it is a TSC cycle. The program does not know which: the
 * script that boots it names the unit.
 *
 * Output, one line per operation and a last line:
 *
 *	BENCH <name> <median> <min>
 *	bench: done
 *
 * or "bench: error: ..." (and no "done") when an operation cannot be set
 * up or finds its own results wrong.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/regs.h>
#include <abi/syscall.h>
#include <mica/syscall.h>

#define NITER  10000u           /* iterations per batch */
#define NBATCH 15u              /* batches per operation, after the warm-up */

/* The priority the benchmark's threads run at is the calling thread's
 * own (bench_priority): the root thread's 128 (kernel/core/root_task.c)
 * in build/bench.iso, the shell's in its bench command; the slice is the
 * default. */
#define BENCH_ROOT_PRIORITY 128
#define BENCH_SLICE    2
#define BENCH_SLOTS    64       /* the table of the root task and of init's programs */
#define BENCH_SKIP     (-1L)    /* setup: this operation cannot run here */
extern uint64_t bench_priority;

/*
 * One operation, one entry of bench_ops[]. setup (NULL: none) creates
 * what the operation needs (threads, endpoints, tasks) and answers E_OK
 * or an error; run(n) is the timed loop: n iterations, each doing
 * per_iter operations (1 for a system call, 2 for a ping-pong in which
 * each side yields once); teardown (NULL: none) deletes what setup made
 * and answers E_OK, or an error when the operation's own checks (results
 * kept by the loop, looked at outside it) failed.
 *
 * An operation timed from inside instead (the one-way IPC figures, whose
 * timestamps travel in the messages) has measure instead of run:
 * measure(n) does n iterations and answers their ticks, the timestamps'
 * own cost (ts_pair_ticks per pair) already taken off; the empty loop is
 * then not subtracted.
 */
struct bench_op {
	const char *name;
	long (*setup)(void);
	void (*run)(uint64_t n);
	uint64_t (*measure)(uint64_t n);
	long (*teardown)(void);
	unsigned per_iter;
};

/* Why the last setup answered BENCH_SKIP. */
extern const char *bench_skip_why;

/* Runs every operation, each line through write; E_OK, or the error
 * that ended the run (after a "bench: error" line). */
long bench_run_all(void (*write)(const char *text, size_t len));

/* Ticks from one timestamp of the one-way measurement to the next when
 * nothing is between them: the minimum of many (main.c, ops.c). */
extern uint64_t ts_pair_ticks;
uint64_t bench_ts_pair(void);

/* For a measure that does untimed work first: run(n) timed as the
 * harness times a run, the empty loop taken off. */
uint64_t bench_timed(void (*run)(uint64_t), uint64_t n);

extern const struct bench_op bench_ops[];
extern const unsigned bench_nops;

/*
 * Capability slots free for the operations: slot(0) .. slot(NSCRATCH - 1),
 * above every capability the root task was given at boot (main.c finds
 * where they start).
 */
#define NSCRATCH 8
extern uint64_t scratch_base;
#define SLOT(n) (scratch_base + (n))

/* What the compiler may call for struct initialisers and copies (main.c). */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/*
 * XMM0, by hand: the program is built without SSE, so the compiler never
 * touches the vector registers and an operation that writes XMM0 is the
 * only thing that makes a thread an FPU user.
 */
static inline void xmm0_set(uint64_t v)
{
	__asm__ volatile("movq %0, %%xmm0" : : "r"(v));
}

static inline uint64_t xmm0_get(void)
{
	uint64_t v;

	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	return v;
}

#endif
