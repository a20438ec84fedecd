/*
 * The suite's helpers: text output over the debug console, the record of
 * the current test's failures, kernel-state snapshots, threads in the
 * suite's own address space, and the few routines that must be assembly.
 */
#include "abi.h"

const struct kip *the_kip;
uint8_t *the_utcb;

/* ------------------------------------------------------------ text */

void sb_str(struct sb *b, const char *s)
{
	while (*s && b->n < sizeof b->buf - 1)
		b->buf[b->n++] = *s++;
}

void sb_dec(struct sb *b, uint64_t v)
{
	char t[24];
	int i = 0;

	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0 && b->n < sizeof b->buf - 1)
		b->buf[b->n++] = t[--i];
}

void sb_hex(struct sb *b, uint64_t v)
{
	char t[20];
	int i = 0;

	do
		t[i++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	sb_str(b, "0x");
	while (i > 0 && b->n < sizeof b->buf - 1)
		b->buf[b->n++] = t[--i];
}

static const char *const error_names[] = {
	"E_OK", "E_NOSYS", "E_INVAL", "E_FAULT", "E_CAP_RANGE", "E_CAP_EMPTY",
	"E_CAP_TYPE", "E_CAP_RIGHTS", "E_CAP_OCCUPIED", "E_NOMEM", "E_ALIGN",
	"E_RANGE", "E_NOTMAPPED", "E_STATE", "E_WOULDBLOCK", "E_ABORTED",
	"E_DEAD", "E_TOOBIG", "E_PERM", "E_NOENT", "E_EXIST",
};
_Static_assert(sizeof error_names / sizeof error_names[0] == E_NERRORS,
	       "a name for every error");

void sb_err(struct sb *b, long e)
{
	if (e >= 0 && e < E_NERRORS) {
		sb_str(b, error_names[e]);
		sb_str(b, " (");
		sb_dec(b, (uint64_t)e);
		sb_str(b, ")");
	} else {
		sb_str(b, "unknown error ");
		sb_hex(b, (uint64_t)e);
	}
}

void sb_flush(struct sb *b)
{
	sys_debug_write(SLOT_DEBUG_CONSOLE, b->buf, b->n);
	b->n = 0;
}

void say(const char *s)
{
	struct sb b = { .n = 0 };

	sb_str(&b, s);
	sb_str(&b, "\n");
	sb_flush(&b);
}

/* ------------------------------------------------------------ expectations */

#define DETAIL_MAX   700        /* characters of failure detail per test */
#define DETAIL_FIRST 3          /* failures described in full */

static int failures;
static struct sb detail;
static const char *ctx_name;
static uint64_t ctx_value;

void test_begin(void)
{
	failures = 0;
	detail.n = 0;
	ctx_clear();
}

int test_failures(void)
{
	return failures;
}

const char *test_detail(void)
{
	if (failures > DETAIL_FIRST) {
		sb_str(&detail, "; and ");
		sb_dec(&detail, (uint64_t)(failures - DETAIL_FIRST));
		sb_str(&detail, " more");
	}
	detail.buf[detail.n < DETAIL_MAX ? detail.n : DETAIL_MAX] = '\0';
	return detail.buf;
}

void ctx_set(const char *name, uint64_t value)
{
	ctx_name = name;
	ctx_value = value;
}

void ctx_clear(void)
{
	ctx_name = NULL;
}

/* Starts the description of a new failure, or returns NULL past the first few. */
static struct sb *failure(int line)
{
	if (++failures > DETAIL_FIRST)
		return NULL;
	if (detail.n)
		sb_str(&detail, "; ");
	sb_str(&detail, "line ");
	sb_dec(&detail, (uint64_t)line);
	if (ctx_name) {
		sb_str(&detail, " [");
		sb_str(&detail, ctx_name);
		sb_str(&detail, "=");
		sb_hex(&detail, ctx_value);
		sb_str(&detail, "]");
	}
	sb_str(&detail, ": ");
	return &detail;
}

int expect_err(long got, long want, const char *expr, int line)
{
	struct sb *b;

	if (got == want)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, expr);
		sb_str(b, ": expected ");
		sb_err(b, want);
		sb_str(b, ", got ");
		sb_err(b, got);
	}
	return 0;
}

int expect_eq(uint64_t got, uint64_t want, const char *expr, int line)
{
	struct sb *b;

	if (got == want)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, expr);
		sb_str(b, ": expected ");
		sb_hex(b, want);
		sb_str(b, ", got ");
		sb_hex(b, got);
	}
	return 0;
}

int expect_true(int cond, const char *expr, int line)
{
	struct sb *b;

	if (cond)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, "expected ");
		sb_str(b, expr);
	}
	return 0;
}

void fail_msg(const char *msg, int line)
{
	struct sb *b = failure(line);

	if (b)
		sb_str(b, msg);
}

/* ------------------------------------------------------------ kernel state */

struct kinfo kinfo(void)
{
	struct kinfo k;

	if (sys_kernel_info(&k.free, &k.used, &k.limit) != E_OK)
		k.free = k.used = k.limit = ~0ull;
	return k;
}

int expect_no_leak(const struct kinfo *before, const char *what, int line)
{
	struct kinfo after = kinfo();
	struct sb *b;

	if (after.free == before->free && after.used == before->used)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, what);
		sb_str(b, ": free frames ");
		sb_dec(b, before->free);
		sb_str(b, " -> ");
		sb_dec(b, after.free);
		sb_str(b, ", quota used ");
		sb_dec(b, before->used);
		sb_str(b, " -> ");
		sb_dec(b, after.used);
	}
	return 0;
}

struct capinfo cap_info(uint64_t slot)
{
	struct capinfo c;

	c.err = sys_cap_info(slot, &c.type, &c.rights, &c.badge);
	return c;
}

int expect_cap(uint64_t slot, uint64_t type, uint64_t rights, uint64_t badge, int line)
{
	struct capinfo c = cap_info(slot);
	struct sb *b;

	if (c.err == E_OK && c.type == type && c.rights == rights && c.badge == badge)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, "slot ");
		sb_dec(b, slot);
		sb_str(b, ": expected type ");
		sb_dec(b, type);
		sb_str(b, " rights ");
		sb_hex(b, rights);
		sb_str(b, " badge ");
		sb_hex(b, badge);
		sb_str(b, ", got ");
		if (c.err != E_OK) {
			sb_err(b, c.err);
		} else {
			sb_str(b, "type ");
			sb_dec(b, c.type);
			sb_str(b, " rights ");
			sb_hex(b, c.rights);
			sb_str(b, " badge ");
			sb_hex(b, c.badge);
		}
	}
	return 0;
}

int expect_empty(uint64_t slot, int line)
{
	struct capinfo c = cap_info(slot);
	struct sb *b;

	if (c.err == E_CAP_EMPTY)
		return 1;
	if ((b = failure(line))) {
		sb_str(b, "slot ");
		sb_dec(b, slot);
		sb_str(b, ": expected empty (E_CAP_EMPTY), got ");
		sb_err(b, c.err);
		if (c.err == E_OK) {
			sb_str(b, " type ");
			sb_dec(b, c.type);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ threads */

static uint8_t stacks[NSTACKS][STACK_SIZE] __attribute__((aligned(16)));

uint64_t stack_top(int i)
{
	return (uint64_t)(uintptr_t)&stacks[i][STACK_SIZE];
}

void regs_for(struct mica_regs *r, const void *fn, int stack, uint64_t a0, uint64_t a1)
{
	*r = (struct mica_regs){
		.rip = (uint64_t)(uintptr_t)fn,
		/* as if called: the return address would sit at the top */
		.rsp = stack_top(stack) - 8,
		.rflags = RFLAGS_FIXED,
		.rdi = a0,
		.rsi = a1,
	};
}

long thread_new(uint64_t slot, const void *fn, int stack, uint64_t a0, uint64_t a1,
		uint64_t prio, uint64_t slice)
{
	struct mica_regs r;
	long e;

	regs_for(&r, fn, stack, a0, a1);
	if ((e = sys_thread_create(SLOT_SELF_TASK, slot)) != E_OK)
		return e;
	if ((e = sys_thread_write_regs(slot, &r)) != E_OK ||
	    (e = sys_thread_config(slot, prio, slice)) != E_OK)
		sys_cap_delete(slot);
	return e;
}

int yield_until(volatile uint64_t *v, uint64_t atleast, int max)
{
	for (int i = 0; i < max; i++) {
		if (*v >= atleast)
			return i;
		sys_yield();
	}
	return *v >= atleast ? max : -1;
}

/* ------------------------------------------------------------ assembly */

/*
 * syscall_probe(nr, in, out): loads in[0..11] into RDI, RSI, RDX, R10, R8,
 * R9, RBX, RBP, R12, R13, R14, R15, makes system call nr and stores the
 * same registers into out[0..11]; returns RAX. The callee-saved registers
 * are the caller's again on return.
 */
__asm__(
	".text\n"
	".globl syscall_probe\n"
	"syscall_probe:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdx\n"                    /* out */
	"	mov %rdi, %rax\n"
	"	mov %rsi, %r11\n"
	"	mov 0(%r11), %rdi\n"
	"	mov 8(%r11), %rsi\n"
	"	mov 16(%r11), %rdx\n"
	"	mov 24(%r11), %r10\n"
	"	mov 32(%r11), %r8\n"
	"	mov 40(%r11), %r9\n"
	"	mov 48(%r11), %rbx\n"
	"	mov 56(%r11), %rbp\n"
	"	mov 64(%r11), %r12\n"
	"	mov 72(%r11), %r13\n"
	"	mov 80(%r11), %r14\n"
	"	mov 88(%r11), %r15\n"
	"	syscall\n"
	"	mov (%rsp), %r11\n"
	"	mov %rdi, 0(%r11)\n"
	"	mov %rsi, 8(%r11)\n"
	"	mov %rdx, 16(%r11)\n"
	"	mov %r10, 24(%r11)\n"
	"	mov %r8, 32(%r11)\n"
	"	mov %r9, 40(%r11)\n"
	"	mov %rbx, 48(%r11)\n"
	"	mov %rbp, 56(%r11)\n"
	"	mov %r12, 64(%r11)\n"
	"	mov %r13, 72(%r11)\n"
	"	mov %r14, 80(%r11)\n"
	"	mov %r15, 88(%r11)\n"
	"	add $8, %rsp\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
);

/* XMM0 by hand: the suite is built without SSE, so the compiler never
 * touches these registers and the FPU test owns them. */
__asm__(
	".text\n"
	".globl fpu_set_xmm0\n"
	"fpu_set_xmm0:\n"
	"	movq %rdi, %xmm0\n"
	"	ret\n"
	".globl fpu_get_xmm0\n"
	"fpu_get_xmm0:\n"
	"	movq %xmm0, %rax\n"
	"	ret\n"
);
