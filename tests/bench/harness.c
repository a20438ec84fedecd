/*
 * The benchmark harness: times every operation of bench_ops[] (ops.c) as
 * bench.h describes and prints one BENCH line per operation. It runs as
 * the root task of build/bench.iso (main.c) and inside the shell's bench
 * command, which differ only in where the lines go and what they may use.
 */
#include "bench.h"

uint64_t scratch_base;
uint64_t bench_priority;
const char *bench_skip_why;
static void (*out)(const char *text, size_t len);

/* ------------------------------------------------------------ text */

/* A line under construction, written in one piece so that other
 * programs' text never lands in the middle of it. */
struct line {
	char buf[256];
	unsigned n;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->n < sizeof l->buf)
		l->buf[l->n++] = *s++;
}

static void put_dec(struct line *l, uint64_t v)
{
	char t[24];
	int i = 0;

	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0 && l->n < sizeof l->buf)
		l->buf[l->n++] = t[--i];
}

/* v tenths, as "12.3". */
static void put_tenths(struct line *l, uint64_t v)
{
	put_dec(l, v / 10);
	put_str(l, ".");
	put_dec(l, v % 10);
}

static void put_end(struct line *l)
{
	put_str(l, "\n");
	out(l->buf, l->n);
	l->n = 0;
}

static void say(const char *s)
{
	struct line l = { .n = 0 };

	put_str(&l, s);
	put_end(&l);
}

/* "bench: error: <what>: <name>: error <e>"; the run ends without
 * "bench: done". */
static long fail(const char *what, const char *name, long e)
{
	struct line l = { .n = 0 };

	put_str(&l, "bench: error: ");
	put_str(&l, what);
	put_str(&l, ": ");
	put_str(&l, name);
	put_str(&l, ": error ");
	put_dec(&l, (uint64_t)e);
	put_end(&l);
	return e;
}

/* ------------------------------------------------------------ timing */

/*
 * The timestamps: LFENCE keeps RDTSC from running ahead of the code
 * before it; RDTSCP waits for the code before it, and the LFENCE after it
 * keeps later code from starting early. (Under TCG both are exact anyway.)
 */
static inline uint64_t ts_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t ts_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "rcx", "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Ticks taken by run(n), timestamps included. Every loop is called the
 * same way, through a pointer, so the empty one costs what theirs do. */
static uint64_t timed(void (*run)(uint64_t), uint64_t n)
{
	uint64_t t0 = ts_begin();

	run(n);
	return ts_end() - t0;
}

/* The empty loop's ticks (measure_empty), once measured. */
static uint64_t empty_ticks;

uint64_t bench_timed(void (*run)(uint64_t), uint64_t n)
{
	uint64_t t = timed(run, n);

	return t > empty_ticks ? t - empty_ticks : 0;
}

/* The empty timed loop. Not inlined, like the operations' loops. */
static __attribute__((noinline)) void run_empty(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("");
}

/* ------------------------------------------------------------ statistics */

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The median of the sorted v[0..n-1], rounded up. */
static uint64_t median(const uint64_t *v, unsigned n)
{
	if (n & 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2] + 1) / 2;
}

/* Tenths of a tick per operation in a batch of total ticks and ops
 * operations, its empty loop's ticks taken off; rounded up. */
static uint64_t per_op(uint64_t total, uint64_t empty, uint64_t ops)
{
	uint64_t net = total > empty ? total - empty : 0;

	return (net * 10 + ops - 1) / ops;
}

/* ------------------------------------------------------------ harness */

/* The empty loop's cost: the minimum of NBATCH runs after a warm-up. The
 * minimum is the run no interrupt landed in; it is also the smallest
 * figure to subtract, so no operation comes out cheaper than it is. */
static uint64_t measure_empty(void)
{
	uint64_t best = ~0ull;

	timed(run_empty, NITER);
	for (unsigned b = 0; b < NBATCH; b++) {
		uint64_t t = timed(run_empty, NITER);

		if (t < best)
			best = t;
	}
	return best;
}

static long bench(const struct bench_op *op, uint64_t empty)
{
	uint64_t v[NBATCH];
	struct line l = { .n = 0 };
	long e;

	if (op->setup && (e = op->setup()) == BENCH_SKIP) {
		put_str(&l, "bench: ");
		put_str(&l, op->name);
		put_str(&l, " skipped: ");
		put_str(&l, bench_skip_why);
		put_end(&l);
		return E_OK;
	}
	if (op->setup && e != E_OK)
		return fail("setup", op->name, e);
	if (op->measure) {
		op->measure(NITER);     /* warm-up */
		for (unsigned b = 0; b < NBATCH; b++)
			v[b] = per_op(op->measure(NITER), 0, (uint64_t)NITER * op->per_iter);
	} else {
		op->run(NITER);         /* warm-up */
		for (unsigned b = 0; b < NBATCH; b++)
			v[b] = per_op(timed(op->run, NITER), empty,
				      (uint64_t)NITER * op->per_iter);
	}
	if (op->teardown && (e = op->teardown()) != E_OK)
		return fail("check", op->name, e);
	sort(v, NBATCH);

	put_str(&l, "BENCH ");
	put_str(&l, op->name);
	put_str(&l, " ");
	put_tenths(&l, median(v, NBATCH));
	put_str(&l, " ");
	put_tenths(&l, v[0]);
	put_end(&l);
	return E_OK;
}

/* The first slot above every capability the program was given. */
static void find_scratch(void)
{
	uint64_t type, rights, badge;

	scratch_base = 0;
	for (uint64_t s = 0; s < BENCH_SLOTS; s++)
		if (sys_cap_info(s, &type, &rights, &badge) == E_OK)
			scratch_base = s + 1;
}

/* Touches every page of the program, so that each is mapped before an
 * operation maps it on (a program init started is paged on demand, and a
 * page fault inside a timed loop would be timed). */
static void prefault(void)
{
	extern const volatile char __image_start[], __image_end[];

	for (const volatile char *p = __image_start; p < __image_end; p += 4096)
		(void)*p;
}

long bench_run_all(void (*write)(const char *text, size_t len))
{
	struct line l = { .n = 0 };
	uint64_t empty, state;
	long e;

	out = write;
	prefault();
	put_str(&l, "bench: ");
	put_dec(&l, bench_nops);
	put_str(&l, " operations, ");
	put_dec(&l, NBATCH);
	put_str(&l, " batches of ");
	put_dec(&l, NITER);
	put_str(&l, " iterations each; ticks per operation, median and minimum");
	put_end(&l);

	find_scratch();
	if (scratch_base + NSCRATCH > BENCH_SLOTS)
		return fail("setup", "scratch slots", E_NOMEM);
	/* Our own priority and a known slice, which the operations' threads share. */
	if ((e = sys_thread_info(SLOT_SELF_THREAD, &state, &bench_priority)) != E_OK ||
	    (e = sys_thread_config(SLOT_SELF_THREAD, bench_priority, BENCH_SLICE)) != E_OK)
		return fail("setup", "thread_config", e);

	empty = empty_ticks = measure_empty();
	put_str(&l, "bench: empty timed loop of ");
	put_dec(&l, NITER);
	put_str(&l, " iterations: ");
	put_dec(&l, empty);
	put_str(&l, " ticks, subtracted from every batch");
	put_end(&l);

	/* The one-way figures' timestamp pair, the minimum of as many. */
	ts_pair_ticks = ~0ull;
	for (unsigned i = 0; i < NITER; i++) {
		uint64_t t = bench_ts_pair();

		if (t < ts_pair_ticks)
			ts_pair_ticks = t;
	}
	put_str(&l, "bench: timestamp pair of the one-way figures: ");
	put_dec(&l, ts_pair_ticks);
	put_str(&l, " ticks, subtracted from every one-way operation");
	put_end(&l);

	for (unsigned i = 0; i < bench_nops; i++)
		if ((e = bench(&bench_ops[i], empty)) != E_OK)
			return e;
	say("bench: done");
	return E_OK;
}
