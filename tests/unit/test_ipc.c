/*
 * Host unit tests of the IPC state machine: the real core/ipc.c,
 * obj/endpoint.c and obj/notification.c, their system-call handlers
 * driven through the saved registers of fake threads (the trap frame the
 * entry code would have filled), with host stubs for everything around
 * them. Eight threads, each in a task of its own; the tasks share one
 * capability table; a UTCB is a host page that vspace_lookup hands out
 * through the direct map. thread_run and schedule, which never return in
 * the kernel, longjmp back to the test driver and record which thread
 * would run; the ready queue is a small model of the real one, lazy or
 * not, that checks its own contracts (a thread runs only when runnable
 * and queued; a runnable thread is always queued).
 *
 * Directed tests cover every transition: a sender meeting a waiting
 * receiver and the other way round, call and the caller list, reply to
 * the newest caller, reply_wait, the zero timeout, aborts in every state,
 * deaths of callers, servers, endpoints and notifications, queue order,
 * badges, 0..64 words through the UTCBs, E_FAULT, notifications and bound
 * receives, and fault reports to pagers and exception handlers. Three
 * long random runs (lazy and eager scheduling; the third with exception
 * reports) of eight threads on three endpoints and a notification are
 * checked after every step against a reference model: every thread's
 * state, registers and UTCB, the endpoint and notification queues in
 * order, the caller lists, and what each kernel entry returned or whom it
 * switched to.
 *
 * sources: kernel/core/ipc.c kernel/obj/endpoint.c kernel/obj/notification.c
 */
#define UNIT_SUITE "ipc"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <sys/syscall.h>

#include "unit.h"

/* thread_current() is an inline load through GS (arch/percpu.h): GS
 * points at a fake per-CPU block below. */
#include <arch/percpu.h>
#include <obj/thread.h>

#include <ipc.h>
#include <sched.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <abi/regs.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <obj/endpoint.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

/* ============================================================ the fakes */

#define NT      8               /* threads, each in a task of its own */
#define NEP     3               /* endpoints */
#define PRIO    10              /* default priority */

/* The capability table every task shares. */
enum {
	S_EP = 0,               /* 0..2: endpoint i, all rights, no badge */
	S_EPB = 3,              /* 3..5: endpoint i, write only, badge EP_BADGE(i) */
	S_EPB2 = 6,             /* endpoint 0, all rights, badge 0xC0FFEE */
	S_EP_RO = 7,            /* endpoint 0, read only */
	S_EP_WO = 8,            /* endpoint 0, write only, no badge */
	S_NT = 9,               /* the notification, all rights, no badge (signals 1) */
	S_NTB = 10,             /* the notification, write only, badge 0x30 */
	S_NTB2 = 11,            /* the notification, write only, badge 0x100 */
	S_NT_RO = 12,           /* the notification, read only */
	S_TASK = 13,            /* task 0, all rights */
	S_TH = 16,              /* 16..23: thread i, all rights */
	S_TH_NOCTL = 24,        /* thread 1, read and write but no control */
	S_EMPTY = 25,
	S_EMPTY2 = 26,
	NSLOTS = 28,
	S_RANGE = 1000,         /* beyond the table */
};
#define EP_BADGE(i)     (0xB00 + (uint64_t)(i))
#define PAGER_BADGE(i)  (0xF00 + (uint64_t)(i))
#define HANDLER_BADGE(i) (0xE00 + (uint64_t)(i))
#define NO_PAGER        4       /* the thread without pager or handler */

enum { O_EP = 1, O_NT, O_TH, O_TASK };

struct capdef {
	uint8_t type;           /* CAP_*; CAP_NULL: empty */
	uint8_t rights;
	uint8_t kind;           /* O_* */
	int obj;                /* endpoint or thread index */
	uint64_t badge;
};
static struct capdef capdef[NSLOTS];

static struct task tasks[NT];
static struct thread th[NT];
static struct cap cslots[NSLOTS];
static struct quota quota = { .limit = 1ull << 40 };
static struct endpoint *eps[NEP];
static struct notification *ntfn;

/* UTCBs: a host page per thread, mapped (or not) at UTCB_VA(i) in task i. */
enum { U_RW, U_RO, U_UNMAPPED, U_NONE };
#define UTCB_VA(i)      (0x10000000ull + (uint64_t)(i) * 0x1000)
static struct utcb utcbs[NT] aligned(4096);
static int utcb_cfg[NT];

/* ------------------------------------------------ stub errors */

/* The first thing a stub found wrong (a broken contract of the IPC code). */
static char env_err[512];

static void env_fail(const char *fmt, ...)
{
	va_list ap;

	if (env_err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(env_err, sizeof env_err, fmt, ap);
	va_end(ap);
}

static bool env_ok(void)
{
	if (!env_err[0])
		return true;
	printf("    stub: %s\n", env_err);
	return false;
}

static const char *stname(int s)
{
	static const char *const names[] = {
		"INACTIVE", "RUNNABLE", "STOPPED", "DEAD", "SEND", "RECV", "REPLY", "WAIT",
	};

	return s >= 0 && s < (int)(sizeof names / sizeof names[0]) ? names[s] : "?";
}

static int tix(const struct thread *t)
{
	if (t < th || t >= th + NT) {
		printf("FAIL %s.%s: not a fake thread: %p\n", UNIT_SUITE,
		       unit_current ? unit_current : "?", (const void *)t);
		exit(1);
	}
	return (int)(t - th);
}

/* ------------------------------------------------ kernel entries */

enum { OUT_NONE, OUT_RETURN, OUT_RUN, OUT_SCHEDULE };
static const char *const outname[] = { "none", "return", "run", "schedule" };

static jmp_buf sw_jmp;
static bool sw_armed;
static int out;                 /* how the last kernel entry ended */
static struct thread *out_next; /* RUN: the thread; SCHEDULE: the scheduler's pick */
static int out_ret;             /* the handler's return value; -1: it never returned */
#define HIGHEST_NONE (-1000)
static int highest_seen;        /* sched_highest_priority's last answer */

static struct percpu unit_cpu = { .self = &unit_cpu };
#define cur unit_cpu.current

__attribute__((constructor)) static void unit_gs_init(void)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&unit_cpu) != 0) {
		printf("FAIL %s.setup: arch_prctl(ARCH_SET_GS) failed\n", UNIT_SUITE);
		exit(1);
	}
}

void thread_clear_current(void)
{
	cur = NULL;
}

/* ------------------------------------------------ the ready queue */

static bool lazy = true;        /* CONFIG_LAZY_SCHED */
static bool rq_in[NT];
static uint64_t rq_seq[NT], rq_clock;

void sched_enqueue(struct thread *t)
{
	int i = tix(t);

	if (rq_in[i])
		env_fail("sched_enqueue(t%d): already queued", i);
	rq_in[i] = true;
	rq_seq[i] = ++rq_clock;
}

void sched_dequeue(struct thread *t)
{
	rq_in[tix(t)] = false;
}

void sched_block(struct thread *t)
{
	if (t->state == THREAD_RUNNABLE)
		env_fail("sched_block(t%d) of a runnable thread", tix(t));
	if (!lazy)
		sched_dequeue(t);
}

void sched_wake(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	if (!rq_in[tix(t)])
		sched_enqueue(t);
}

int sched_highest_priority(void)
{
	int h = -1;

	for (int i = 0; i < NT; i++)
		if (rq_in[i] && th[i].priority > h)
			h = th[i].priority;
	highest_seen = h;
	return h;
}

void thread_run(struct thread *t)
{
	int i = tix(t);

	if (!sw_armed) {
		printf("FAIL %s.%s: thread_run outside a kernel entry\n", UNIT_SUITE, unit_current);
		exit(1);
	}
	if (t->state != THREAD_RUNNABLE)
		env_fail("thread_run(t%d) of a thread in state %s", i, stname(t->state));
	else if (!rq_in[i])
		env_fail("thread_run(t%d) of a runnable thread not in the ready queue", i);
	cur = t;
	out = OUT_RUN;
	out_next = t;
	longjmp(sw_jmp, 1);
}

/* As sched.c: blocked threads met at the top leave the queue; the
 * highest-priority runnable thread runs, first come first. */
void schedule(void)
{
	int best;

	if (!sw_armed) {
		printf("FAIL %s.%s: schedule outside a kernel entry\n", UNIT_SUITE, unit_current);
		exit(1);
	}
	for (;;) {
		best = -1;
		for (int i = 0; i < NT; i++)
			if (rq_in[i] && (best < 0 || th[i].priority > th[best].priority ||
					 (th[i].priority == th[best].priority &&
					  rq_seq[i] < rq_seq[best])))
				best = i;
		if (best < 0 || th[best].state == THREAD_RUNNABLE)
			break;
		rq_in[best] = false;
	}
	cur = best < 0 ? NULL : &th[best];
	out = OUT_SCHEDULE;
	out_next = cur;
	longjmp(sw_jmp, 1);
}

/* ------------------------------------------------ capabilities, memory */

/* As core/cspace.c: range, empty, type, rights, in that order. */
int cap_lookup(const struct cspace *cs, uint64_t idx, unsigned type, unsigned rights,
	       struct cap **out_cap)
{
	struct cap *c;

	if (cs->slots != cslots)
		env_fail("cap_lookup: not a task's table");
	if (idx >= cs->nslots)
		return E_CAP_RANGE;
	c = &cs->slots[idx];
	if (!c->obj)
		return E_CAP_EMPTY;
	if (type != CAP_NULL && c->type != type)
		return E_CAP_TYPE;
	if ((c->rights & rights) != rights)
		return E_CAP_RIGHTS;
	*out_cap = c;
	return E_OK;
}

int cap_slot_free(const struct cspace *cs, uint64_t idx)
{
	if (idx >= cs->nslots)
		return E_CAP_RANGE;
	return cs->slots[idx].obj ? E_CAP_OCCUPIED : E_OK;
}

/*
 * Typed items (ipc.c hands them to the mapping database and the capability
 * tables): these tests send none, so any call here is a failure.
 */
static int unexpected_item_calls;

int mapping_transfer(struct task *src, uint64_t sbase, struct task *dst, uint64_t dbase,
		     uint64_t size_log2, uint64_t perms, bool grant)
{
	(void)src; (void)sbase; (void)dst; (void)dbase; (void)size_log2; (void)perms; (void)grant;
	unexpected_item_calls++;
	return E_INVAL;
}

void cap_derive(struct cap *src, struct cap *dst, unsigned mask, uint64_t badge)
{
	(void)src; (void)dst; (void)mask; (void)badge;
	unexpected_item_calls++;
}

void cap_move(struct cap *src, struct cap *dst)
{
	(void)src; (void)dst;
	unexpected_item_calls++;
}

void ioport_refresh(struct task *t)
{
	(void)t;
	unexpected_item_calls++;
}

void ioport_refresh_all(void)
{
	unexpected_item_calls++;
}

void cap_install(struct cspace *cs, uint32_t idx, unsigned type, void *obj, unsigned rights,
		 uint64_t badge)
{
	struct cap *c = &cs->slots[idx];

	if (c->obj)
		env_fail("cap_install: slot %u is full", idx);
	c->obj = obj;
	c->type = (uint8_t)type;
	c->rights = (uint8_t)rights;
	c->badge = badge;
}

struct khdr {
	size_t size;
	uint64_t magic;
};
#define KMAGIC 0x6970636f626a6563ull
static long kmem_live;

void *kmem_alloc(struct quota *q, size_t size)
{
	struct khdr *h;

	if (q != &quota)
		env_fail("kmem_alloc: not the test quota");
	if (quota_charge(q, kmem_class_bytes(size)) != E_OK)
		env_fail("kmem_alloc: the test quota is exhausted");
	h = calloc(1, sizeof *h + size);
	if (!h)
		abort();
	h->size = size;
	h->magic = KMAGIC;
	kmem_live++;
	return h + 1;
}

/* kmem.h's inline quota_release: its assertion, and its rare part,
 * which the test quota (never orphaned) does not reach. */
void panic(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s.%s: panic: ", UNIT_SUITE, unit_current ? unit_current : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

void quota_collect(struct quota *q)
{
	env_fail("quota_collect: quota %p is not orphaned", (void *)q);
}

/* kmem_free (inline, kmem.h) comes here and releases the charge that
 * kmem_alloc made, from the test quota: a free to another quota would
 * take more than it holds, which quota_release's assertion catches. */
void kmem_free_uncharged(void *obj, size_t size)
{
	struct khdr *h = (struct khdr *)obj - 1;

	if (h->magic != KMAGIC || h->size != size) {
		env_fail("kmem_free_uncharged: %p is not a live object of %zu bytes", obj, size);
		return;
	}
	h->magic = 0;
	free(h);
	kmem_live--;
}

/* ------------------------------------------------ UTCBs, registers */

bool vspace_lookup(struct vspace *vs, uint64_t va, uint64_t *pa, unsigned *perms,
		   struct mapping **node)
{
	int i;

	for (i = 0; i < NT && vs != &tasks[i].vspace; i++)
		;
	if (i == NT) {
		env_fail("vspace_lookup: not a task's address space");
		return false;
	}
	if (va != UTCB_VA(i) || (utcb_cfg[i] != U_RW && utcb_cfg[i] != U_RO))
		return false;
	*pa = (uint64_t)(uintptr_t)&utcbs[i] - DIRECT_MAP_BASE;
	*perms = utcb_cfg[i] == U_RW ? VM_READ | VM_WRITE : VM_READ;
	*node = NULL;
	return true;
}

void thread_get_regs(struct thread *t, struct mica_regs *r)
{
	const struct trap_frame *f = &t->regs;

	*r = (struct mica_regs){
		.rip = f->rip, .rsp = f->rsp, .rflags = f->rflags,
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx,
		.rsi = f->rsi, .rdi = f->rdi, .rbp = f->rbp,
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
	};
}

/* The checks of the real one (a user RIP and RSP), then a plain copy. */
int thread_set_regs(struct thread *t, const struct mica_regs *r)
{
	struct trap_frame *f = &t->regs;

	if (r->rip >= USER_END || r->rsp >= USER_END)
		return E_INVAL;
	f->rip = r->rip, f->rsp = r->rsp, f->rflags = r->rflags;
	f->rax = r->rax, f->rbx = r->rbx, f->rcx = r->rcx, f->rdx = r->rdx;
	f->rsi = r->rsi, f->rdi = r->rdi, f->rbp = r->rbp;
	f->r8 = r->r8, f->r9 = r->r9, f->r10 = r->r10, f->r11 = r->r11;
	f->r12 = r->r12, f->r13 = r->r13, f->r14 = r->r14, f->r15 = r->r15;
	return E_OK;
}

/* ------------------------------------------------ setting up */

static void capdefs_init(void)
{
	memset(capdef, 0, sizeof capdef);
	for (int i = 0; i < NEP; i++) {
		capdef[S_EP + i] = (struct capdef){ CAP_ENDPOINT, RIGHTS_ALL, O_EP, i, 0 };
		capdef[S_EPB + i] = (struct capdef){ CAP_ENDPOINT, RIGHT_WRITE, O_EP, i, EP_BADGE(i) };
	}
	capdef[S_EPB2] = (struct capdef){ CAP_ENDPOINT, RIGHTS_ALL, O_EP, 0, 0xC0FFEE };
	capdef[S_EP_RO] = (struct capdef){ CAP_ENDPOINT, RIGHT_READ, O_EP, 0, 0 };
	capdef[S_EP_WO] = (struct capdef){ CAP_ENDPOINT, RIGHT_WRITE, O_EP, 0, 0 };
	capdef[S_NT] = (struct capdef){ CAP_NOTIFICATION, RIGHTS_ALL, O_NT, 0, 0 };
	capdef[S_NTB] = (struct capdef){ CAP_NOTIFICATION, RIGHT_WRITE, O_NT, 0, 0x30 };
	capdef[S_NTB2] = (struct capdef){ CAP_NOTIFICATION, RIGHT_WRITE, O_NT, 0, 0x100 };
	capdef[S_NT_RO] = (struct capdef){ CAP_NOTIFICATION, RIGHT_READ, O_NT, 0, 0 };
	capdef[S_TASK] = (struct capdef){ CAP_TASK, RIGHTS_ALL, O_TASK, 0, 0 };
	for (int i = 0; i < NT; i++)
		capdef[S_TH + i] = (struct capdef){ CAP_THREAD, RIGHTS_ALL, O_TH, i, 0 };
	capdef[S_TH_NOCTL] = (struct capdef){ CAP_THREAD, RIGHT_READ | RIGHT_WRITE, O_TH, 1, 0 };
}

static void *capdef_obj(const struct capdef *d)
{
	switch (d->kind) {
	case O_EP: return eps[d->obj];
	case O_NT: return ntfn;
	case O_TH: return &th[d->obj];
	case O_TASK: return &tasks[d->obj];
	default: return NULL;
	}
}

/* Fills the table from capdef, with the objects of now. */
static void caps_install(void)
{
	memset(cslots, 0, sizeof cslots);
	for (int s = 0; s < NSLOTS; s++) {
		if (capdef[s].type == CAP_NULL)
			continue;
		cslots[s].obj = capdef_obj(&capdef[s]);
		cslots[s].type = capdef[s].type;
		cslots[s].rights = capdef[s].rights;
		cslots[s].badge = capdef[s].badge;
	}
}

/* Thread i's UTCB becomes cfg: as if its task had lost the old mapping
 * (the generation moves, as vspace_unmap moves it) and got the new one. */
static void set_utcb(int i, int cfg)
{
	utcb_cfg[i] = cfg;
	th[i].utcb = cfg == U_NONE ? 0 : UTCB_VA(i);
	tasks[i].vspace.generation++;
}

static void set_fault_caps(int i, int pager_ep, int handler_ep)
{
	memset(&th[i].pager, 0, sizeof th[i].pager);
	memset(&th[i].handler, 0, sizeof th[i].handler);
	if (pager_ep >= 0)
		th[i].pager = (struct cap){ .obj = eps[pager_ep], .badge = PAGER_BADGE(i),
					    .type = CAP_ENDPOINT, .rights = RIGHT_WRITE };
	if (handler_ep >= 0)
		th[i].handler = (struct cap){ .obj = eps[handler_ep], .badge = HANDLER_BADGE(i),
					      .type = CAP_ENDPOINT, .rights = RIGHT_WRITE };
}

#define SENTINEL(i, j)  (0x5E47000000000000ull | (uint64_t)(i) << 8 | (uint64_t)(j))

static bool utcb_fresh[NT];     /* UTCB i holds the sentinel since utcb_sentinel */

static void utcb_sentinel(int i)
{
	utcb_fresh[i] = true;
	for (int j = 0; j < IPC_MAX_WORDS; j++)
		utcbs[i].mr[j] = SENTINEL(i, j);
}

/* A recognisable pattern in every register; RIP and RSP are user addresses. */
static void frame_fill(struct trap_frame *f, uint64_t seed)
{
	uint64_t *w = (uint64_t *)f;

	for (unsigned j = 0; j < sizeof *f / 8; j++)
		w[j] = seed << 16 | 0xFA00 | j;
	f->rip = 0x400000 + seed * 0x1000;
	f->rsp = 0x7FF000 - seed * 0x1000;
}

/* Everything fresh: endpoints and notification, threads inactive at PRIO
 * with a writable UTCB, pager endpoint i % 3 and handler (i + 1) % 3. */
static void reset(void)
{
	for (int i = 0; i < NEP; i++)
		if (eps[i])
			kmem_free(&quota, eps[i], sizeof *eps[i]);
	if (ntfn)
		kmem_free(&quota, ntfn, sizeof *ntfn);
	memset(eps, 0, sizeof eps);
	ntfn = NULL;
	memset(th, 0, sizeof th);
	memset(tasks, 0, sizeof tasks);
	memset(rq_in, 0, sizeof rq_in);
	env_err[0] = 0;
	lazy = true;
	cur = NULL;
	out = OUT_NONE;
	for (int i = 0; i < NEP; i++)
		if (endpoint_create(&quota, &eps[i]) != E_OK)
			abort();
	if (notification_create(&quota, &ntfn) != E_OK)
		abort();
	capdefs_init();
	for (int i = 0; i < NT; i++) {
		tasks[i].quota = &quota;
		tasks[i].hdr.quota = &quota;
		tasks[i].id = (uint32_t)i;
		tasks[i].cspace.slots = cslots;
		tasks[i].cspace.nslots = NSLOTS;
		tasks[i].vspace.generation = 1;        /* as vspace_init starts it */
		th[i].task = &tasks[i];
		th[i].id = (uint32_t)i;
		th[i].state = THREAD_INACTIVE;
		th[i].priority = PRIO;
		frame_fill(&th[i].regs, (uint64_t)i + 1);
		set_utcb(i, U_RW);
		utcb_sentinel(i);
		set_fault_caps(i, i == NO_PAGER ? -1 : i % NEP, i == NO_PAGER ? -1 : (i + 1) % NEP);
	}
	caps_install();
}

static void start(int i, int prio)
{
	th[i].state = THREAD_RUNNABLE;
	th[i].priority = (uint8_t)prio;
	sched_enqueue(&th[i]);
}

/* What thread_kill does around ipc_release. */
static void kill_thread(int i)
{
	ipc_release(&th[i]);
	sched_dequeue(&th[i]);
	th[i].task = NULL;
	th[i].state = THREAD_DEAD;
}

/* ------------------------------------------------ system calls */

/* Message word i in saved registers (abi/ipc.h): RDX, R8, R9, R10, R12..R15. */
static uint64_t *fw(struct trap_frame *f, unsigned i)
{
	switch (i) {
	case 0: return &f->rdx;
	case 1: return &f->r8;
	case 2: return &f->r9;
	case 3: return &f->r10;
	case 4: return &f->r12;
	case 5: return &f->r13;
	case 6: return &f->r14;
	default: return &f->r15;
	}
}

/*
 * Thread t enters the kernel with system call fn on its own saved
 * registers, as syscall_dispatch runs it: RAX gets what the handler
 * returns; a caller no longer runnable goes to the scheduler. Returns the
 * handler's value, -1 when it never returned (thread_run, schedule).
 */
static int enter(int t, syscall_fn fn)
{
	struct thread *self = &th[t];

	if (self->state != THREAD_RUNNABLE)
		env_fail("test bug: t%d enters the kernel in state %s", t, stname(self->state));
	cur = self;
	out = OUT_NONE;
	out_next = NULL;
	out_ret = -1;
	highest_seen = HIGHEST_NONE;
	sw_armed = true;
	if (setjmp(sw_jmp) == 0) {
		int r = fn(&th[t].regs);

		out_ret = r;
		th[t].regs.rax = (uint64_t)r;
		if (th[t].state != THREAD_RUNNABLE) {
			thread_clear_current();
			schedule();
		}
		out = OUT_RETURN;
	}
	sw_armed = false;
	return out_ret;
}

/* Thread t takes exception vector (error code error, address addr): 1 if
 * ipc_fault returned true (never: it does not return then), 0 if false,
 * -1 when it switched away. */
static int fault(int t, uint64_t vector, uint64_t error, uint64_t addr)
{
	th[t].regs.vector = vector;
	th[t].regs.error = error;
	if (th[t].state != THREAD_RUNNABLE)
		env_fail("test bug: t%d faults in state %s", t, stname(th[t].state));
	cur = &th[t];
	out = OUT_NONE;
	out_next = NULL;
	out_ret = -1;
	highest_seen = HIGHEST_NONE;
	sw_armed = true;
	if (setjmp(sw_jmp) == 0) {
		out_ret = ipc_fault(&th[t].regs, addr) ? 1 : 0;
		out = OUT_RETURN;
	}
	sw_armed = false;
	return out_ret;
}

#define W(seed, i)      ((uint64_t)(seed) << 32 | 0x3000 | (uint64_t)(i))

/* Puts message seed with tag in t's registers and UTCB (every word, past
 * the count too: the receiver must see zeroes there). */
static void put_msg(int t, uint64_t tag, unsigned seed)
{
	th[t].regs.rsi = tag;
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*fw(&th[t].regs, i) = W(seed, i);
	for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
		utcbs[t].mr[i] = W(seed, i);
	utcb_fresh[t] = false;
}

static int op_send(int t, uint64_t cap, uint64_t tag, unsigned seed)
{
	put_msg(t, tag, seed);
	th[t].regs.rdi = cap;
	return enter(t, sys_send);
}

static int op_call(int t, uint64_t cap, uint64_t tag, unsigned seed)
{
	put_msg(t, tag, seed);
	th[t].regs.rdi = cap;
	return enter(t, sys_call);
}

static int op_recv(int t, uint64_t cap, uint64_t flags)
{
	th[t].regs.rdi = cap;
	th[t].regs.rsi = flags;
	return enter(t, sys_recv);
}

static int op_reply(int t, uint64_t tag, unsigned seed)
{
	put_msg(t, tag, seed);
	return enter(t, sys_reply);
}

static int op_reply_wait(int t, uint64_t cap, uint64_t tag, unsigned seed)
{
	put_msg(t, tag, seed);
	th[t].regs.rdi = cap;
	return enter(t, sys_reply_wait);
}

static int op_abort(int t, uint64_t cap)
{
	th[t].regs.rdi = cap;
	return enter(t, sys_ipc_abort);
}

static int op_signal(int t, uint64_t cap)
{
	th[t].regs.rdi = cap;
	return enter(t, sys_signal);
}

static int op_wait(int t, uint64_t cap)
{
	th[t].regs.rdi = cap;
	return enter(t, sys_wait);
}

static int op_poll(int t, uint64_t cap)
{
	th[t].regs.rdi = cap;
	return enter(t, sys_poll);
}

static int op_bind(int t, uint64_t thread_cap, uint64_t ntfn_cap)
{
	th[t].regs.rdi = thread_cap;
	th[t].regs.rsi = ntfn_cap;
	return enter(t, sys_notification_bind);
}

/* ------------------------------------------------ checks */

#define RAN(i)          (out == OUT_RUN && out_next == &th[i])
#define SCHEDULED       (out == OUT_SCHEDULE)
#define RETURNED        (out == OUT_RETURN)

static bool state_is(int i, int s)
{
	if ((int)th[i].state == s)
		return true;
	printf("    t%d is %s, expected %s\n", i, stname(th[i].state), stname(s));
	return false;
}

/* Receiver r holds message seed with tag, badge, error err in its
 * registers, the words past eight in its UTCB (and if the UTCB was filled
 * with the sentinel, nothing else there; nothing at all if err is not E_OK). */
static bool got_msg(int r, uint64_t tag, uint64_t badge, unsigned seed, uint64_t err)
{
	struct trap_frame *f = &th[r].regs;
	unsigned n = IPC_TAG_WORDS(tag);
	bool ok = true;

	if (f->rsi != (tag & ~(uint64_t)IPC_NONBLOCK)) {
		printf("    t%d: tag %#" PRIx64 ", expected %#" PRIx64 "\n", r, f->rsi,
		       tag & ~(uint64_t)IPC_NONBLOCK);
		ok = false;
	}
	if (f->rdi != badge) {
		printf("    t%d: badge %#" PRIx64 ", expected %#" PRIx64 "\n", r, f->rdi, badge);
		ok = false;
	}
	if (f->rax != err) {
		printf("    t%d: error %" PRIu64 ", expected %" PRIu64 "\n", r, f->rax, err);
		ok = false;
	}
	for (unsigned i = 0; i < IPC_REG_WORDS; i++) {
		uint64_t want = i < n ? W(seed, i) : 0;

		if (*fw(f, i) != want) {
			printf("    t%d: word %u %#" PRIx64 ", expected %#" PRIx64 "\n", r, i,
			       *fw(f, i), want);
			ok = false;
		}
	}
	for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++) {
		uint64_t want = i < n && err == E_OK ? W(seed, i) : SENTINEL(r, i);

		if ((i < n && err == E_OK) || utcb_fresh[r] ? utcbs[r].mr[i] != want : false) {
			printf("    t%d: UTCB word %u %#" PRIx64 ", expected %#" PRIx64 "\n", r, i,
			       utcbs[r].mr[i], want);
			ok = false;
			break;
		}
	}
	return ok;
}

/* Endpoint e's queue is exactly want (ending -1), both ways. */
static bool queue_is(int e, const int *want)
{
	struct endpoint *ep = eps[e];
	struct thread *t = ep->head, *prev = NULL;
	int k;

	for (k = 0; want[k] >= 0; k++, prev = t, t = t->ipc_next) {
		if (t != &th[want[k]]) {
			printf("    endpoint %d: place %d holds %s%d, expected t%d\n", e, k,
			       t ? "t" : "nothing", t ? tix(t) : 0, want[k]);
			return false;
		}
		if (t->ipc_prev != prev || t->ipc_ep != ep) {
			printf("    endpoint %d: t%d has bad links\n", e, want[k]);
			return false;
		}
	}
	if (t) {
		printf("    endpoint %d: t%d past the end\n", e, tix(t));
		return false;
	}
	if (ep->tail != prev) {
		printf("    endpoint %d: wrong tail\n", e);
		return false;
	}
	return true;
}
#define QUEUE(e, ...)   queue_is(e, (const int[]){ __VA_ARGS__, -1 })
#define QEMPTY(e)       queue_is(e, (const int[]){ -1 })

/* Server s's callers, newest first, are exactly want; each in REPLY on s. */
static bool callers_are(int s, const int *want)
{
	struct thread *t = th[s].caller;
	int k;

	for (k = 0; want[k] >= 0; k++, t = t->reply_next) {
		if (t != &th[want[k]]) {
			printf("    t%d: caller %d is %s%d, expected t%d\n", s, k, t ? "t" : "none ",
			       t ? tix(t) : 0, want[k]);
			return false;
		}
		if (t->reply_from != &th[s] || t->state != THREAD_REPLY) {
			printf("    t%d: caller t%d is %s, reply_from %p\n", s, want[k],
			       stname(t->state), (void *)t->reply_from);
			return false;
		}
	}
	if (t) {
		printf("    t%d: caller t%d past the end\n", s, tix(t));
		return false;
	}
	return true;
}
#define CALLERS(s, ...) callers_are(s, (const int[]){ __VA_ARGS__, -1 })
#define NO_CALLERS(s)   callers_are(s, (const int[]){ -1 })

/* The notification's waiters are exactly want, in order. */
static bool waiters_are(const int *want)
{
	struct thread *t = ntfn->head, *prev = NULL;
	int k;

	for (k = 0; want[k] >= 0; k++, prev = t, t = t->ipc_next) {
		if (t != &th[want[k]] || t->ipc_prev != prev || t->ipc_ntfn != ntfn ||
		    t->state != THREAD_WAIT) {
			printf("    notification: waiter %d is not t%d (or bad links)\n", k, want[k]);
			return false;
		}
	}
	if (t || ntfn->tail != prev) {
		printf("    notification: wrong end of the queue\n");
		return false;
	}
	return true;
}
#define WAITERS(...)    waiters_are((const int[]){ __VA_ARGS__, -1 })
#define NO_WAITERS      waiters_are((const int[]){ -1 })

/* A copy of everything IPC could touch, to show a call changed nothing. */
static struct snap {
	struct thread th[NT];
	struct endpoint ep[NEP];
	struct notification nt;
	struct utcb u[NT];
	bool rq[NT];
} snap_buf;

static void snap_take(void)
{
	memcpy(snap_buf.th, th, sizeof th);
	for (int i = 0; i < NEP; i++)
		snap_buf.ep[i] = *eps[i];
	snap_buf.nt = *ntfn;
	memcpy(snap_buf.u, utcbs, sizeof utcbs);
	memcpy(snap_buf.rq, rq_in, sizeof rq_in);
}

/* Nothing changed since snap_take but thread except's RAX (-1: none). */
static bool snap_same(int except, uint64_t rax)
{
	for (int i = 0; i < NT; i++) {
		struct thread a = th[i];

		if (i == except) {
			if (a.regs.rax != rax) {
				printf("    t%d: RAX %" PRIu64 ", expected %" PRIu64 "\n", i, a.regs.rax,
				       rax);
				return false;
			}
			a.regs.rax = snap_buf.th[i].regs.rax;
		}
		/* The cached UTCB address is a memo of a lookup, not state. */
		a.utcb_kva = snap_buf.th[i].utcb_kva;
		a.utcb_gen = snap_buf.th[i].utcb_gen;
		if (memcmp(&a, &snap_buf.th[i], sizeof a)) {
			printf("    t%d changed\n", i);
			return false;
		}
	}
	for (int i = 0; i < NEP; i++)
		if (memcmp(eps[i], &snap_buf.ep[i], sizeof *eps[i])) {
			printf("    endpoint %d changed\n", i);
			return false;
		}
	if (memcmp(ntfn, &snap_buf.nt, sizeof *ntfn) || memcmp(utcbs, snap_buf.u, sizeof utcbs) ||
	    memcmp(rq_in, snap_buf.rq, sizeof rq_in)) {
		printf("    notification, UTCBs or ready queue changed\n");
		return false;
	}
	return true;
}

/* t's system call fn with RDI and RSI fails with want and changes nothing else. */
static bool fails_alone(int t, syscall_fn fn, uint64_t rdi, uint64_t rsi, int want)
{
	th[t].regs.rdi = rdi;
	th[t].regs.rsi = rsi;
	snap_take();
	if (enter(t, fn) == want && RETURNED && snap_same(t, (uint64_t)want))
		return true;
	printf("    returned %d (%s), expected %d\n", out_ret, outname[out], want);
	return false;
}

/* ============================================================ rendezvous */

TEST(send_meets_waiting_receiver)
{
	uint64_t tag = IPC_TAG(0x42, 5, 0, 0);

	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(SCHEDULED && out_next == &th[1]);
	CHECK(state_is(0, THREAD_RECV) && th[0].ipc_ep == eps[0] && QUEUE(0, 0));
	/* the receiver is at least as important: a direct switch to it */
	CHECK(op_send(1, S_EP + 0, tag, 1) == -1);
	CHECK(RAN(0));
	CHECK(state_is(0, THREAD_RUNNABLE) && state_is(1, THREAD_RUNNABLE) && QEMPTY(0));
	CHECK(th[0].ipc_ep == NULL);
	CHECK(got_msg(0, tag, 0, 1, E_OK));
	CHECK(th[1].regs.rax == E_OK);
	CHECK(rq_in[0] && rq_in[1]);
	CHECK(th[0].caller == NULL && th[1].reply_from == NULL);
	CHECK(env_ok());
}

TEST(send_to_a_less_important_receiver_does_not_switch)
{
	uint64_t tag = IPC_TAG(1, 2, 0, 0);

	for (int mode = 0; mode < 2; mode++) {
		reset();
		lazy = mode == 0;
		start(0, 5);
		start(1, PRIO);
		CHECK(op_recv(0, S_EP + 1, 0) == E_OK);
		CHECK(SCHEDULED && out_next == &th[1]);
		CHECK(lazy ? rq_in[0] : !rq_in[0]);
		CHECK(op_send(1, S_EP + 1, tag, 2) == E_OK);
		CHECK(RETURNED && highest_seen == PRIO);
		CHECK(state_is(0, THREAD_RUNNABLE) && rq_in[0] && QEMPTY(1));
		CHECK(got_msg(0, tag, 0, 2, E_OK) && th[1].regs.rax == E_OK);
		/* nor when something more important than both is ready */
		start(2, 20);
		CHECK(op_recv(0, S_EP + 1, 0) == E_OK && SCHEDULED && out_next == &th[2]);
		th[0].priority = 15;
		CHECK(op_send(1, S_EP + 1, tag, 3) == E_OK && RETURNED);
		CHECK(got_msg(0, tag, 0, 3, E_OK) && rq_in[0]);
		CHECK(env_ok());
	}
}

TEST(receiver_meets_waiting_sender)
{
	uint64_t tag = IPC_TAG(0x77, 8, 0, IPC_NONBLOCK);

	for (int mode = 0; mode < 2; mode++) {
		reset();
		lazy = mode == 0;
		start(0, PRIO);
		start(1, PRIO);
		tag &= ~(uint64_t)IPC_NONBLOCK;
		CHECK(op_send(1, S_EPB + 2, tag, 4) == E_OK);
		CHECK(SCHEDULED && out_next == &th[0]);
		CHECK(state_is(1, THREAD_SEND) && QUEUE(2, 1));
		CHECK(th[1].ipc_call == false && th[1].ipc_badge == EP_BADGE(2));
		CHECK(lazy ? rq_in[1] : !rq_in[1]);
		CHECK(op_recv(0, S_EP + 2, 0) == E_OK);
		CHECK(RETURNED);
		CHECK(got_msg(0, tag, EP_BADGE(2), 4, E_OK));
		CHECK(state_is(1, THREAD_RUNNABLE) && rq_in[1] && th[1].regs.rax == E_OK);
		CHECK(QEMPTY(2) && th[1].ipc_ep == NULL && NO_CALLERS(0));
		/* the sender's own message registers are as it left them */
		CHECK(th[1].regs.rsi == tag && th[1].regs.rdx == W(4, 0) && th[1].regs.r15 == W(4, 7));
		CHECK(env_ok());
	}
}

TEST(call_meets_waiting_receiver_and_waits_for_the_reply)
{
	uint64_t tag = IPC_TAG(7, 3, 0, 0), rtag = IPC_TAG(8, 2, 0, 0);

	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && SCHEDULED);
	/* the call switches straight to the server */
	CHECK(op_call(1, S_EPB + 0, tag, 5) == -1);
	CHECK(RAN(0));
	CHECK(state_is(1, THREAD_REPLY) && th[1].reply_from == &th[0] && CALLERS(0, 1));
	CHECK(th[1].ipc_ep == NULL && QEMPTY(0));
	CHECK(got_msg(0, tag, EP_BADGE(0), 5, E_OK));
	/* the reply answers it, once */
	CHECK(op_reply(0, rtag, 6) == E_OK && RETURNED);
	CHECK(state_is(1, THREAD_RUNNABLE) && rq_in[1] && th[1].reply_from == NULL);
	CHECK(got_msg(1, rtag, 0, 6, E_OK));
	CHECK(NO_CALLERS(0));
	CHECK(op_reply(0, rtag, 7) == E_DEAD && RETURNED);
	CHECK(got_msg(1, rtag, 0, 6, E_OK));
	CHECK(state_is(0, THREAD_RUNNABLE) && env_ok());
}

TEST(call_to_a_less_important_server_goes_to_the_scheduler)
{
	reset();
	start(0, 5);
	start(1, PRIO);
	start(2, 7);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && SCHEDULED && out_next == &th[1]);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 8) == -1);
	/* the caller (10, lazily queued) outranks the server (5): no switch;
	 * the scheduler drops the blocked caller and runs thread 2 (7) */
	CHECK(SCHEDULED && out_next == &th[2] && highest_seen == PRIO);
	CHECK(state_is(1, THREAD_REPLY) && CALLERS(0, 1) && state_is(0, THREAD_RUNNABLE));
	CHECK(got_msg(0, IPC_TAG(1, 1, 0, 0), 0, 8, E_OK));
	CHECK(!rq_in[1] && rq_in[0] && env_ok());
}

TEST(call_queued_until_received)
{
	uint64_t tag = IPC_TAG(9, 4, 0, 0);

	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_call(1, S_EPB2, tag, 9) == E_OK && SCHEDULED);
	CHECK(state_is(1, THREAD_SEND) && th[1].ipc_call && th[1].ipc_badge == 0xC0FFEE);
	CHECK(QUEUE(0, 1) && th[1].regs.rax == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && RETURNED);
	CHECK(got_msg(0, tag, 0xC0FFEE, 9, E_OK));
	CHECK(state_is(1, THREAD_REPLY) && CALLERS(0, 1) && QEMPTY(0));
	CHECK(op_reply(0, IPC_TAG(0, 0, 0, 0), 10) == E_OK);
	CHECK(state_is(1, THREAD_RUNNABLE) && got_msg(1, 0, 0, 10, E_OK) && env_ok());
}

TEST(reply_answers_the_newest_caller)
{
	reset();
	for (int i = 0; i < 5; i++)
		start(i, PRIO);
	/* calls from 1, 2 and 3, a send from 4 in between */
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 11) == E_OK);
	CHECK(op_call(2, S_EP + 0, IPC_TAG(2, 1, 0, 0), 12) == E_OK);
	CHECK(op_send(4, S_EP + 0, IPC_TAG(4, 1, 0, 0), 14) == E_OK);
	CHECK(op_call(3, S_EP + 0, IPC_TAG(3, 1, 0, 0), 13) == E_OK);
	CHECK(QUEUE(0, 1, 2, 4, 3));
	/* the server takes them all, answering none */
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(1, 1, 0, 0), 0, 11, E_OK));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(2, 1, 0, 0), 0, 12, E_OK));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(4, 1, 0, 0), 0, 14, E_OK));
	CHECK(state_is(4, THREAD_RUNNABLE));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(3, 1, 0, 0), 0, 13, E_OK));
	CHECK(CALLERS(0, 3, 2, 1) && QEMPTY(0));
	/* each reply answers the newest still waiting */
	CHECK(op_reply(0, IPC_TAG(30, 2, 0, 0), 33) == E_OK);
	CHECK(state_is(3, THREAD_RUNNABLE) && got_msg(3, IPC_TAG(30, 2, 0, 0), 0, 33, E_OK));
	CHECK(CALLERS(0, 2, 1) && state_is(2, THREAD_REPLY));
	CHECK(op_reply(0, IPC_TAG(20, 2, 0, 0), 22) == E_OK);
	CHECK(got_msg(2, IPC_TAG(20, 2, 0, 0), 0, 22, E_OK) && CALLERS(0, 1));
	CHECK(op_reply(0, IPC_TAG(10, 2, 0, 0), 21) == E_OK);
	CHECK(got_msg(1, IPC_TAG(10, 2, 0, 0), 0, 21, E_OK) && NO_CALLERS(0));
	CHECK(op_reply(0, IPC_TAG(10, 2, 0, 0), 99) == E_DEAD);
	CHECK(got_msg(1, IPC_TAG(10, 2, 0, 0), 0, 21, E_OK) && env_ok());
}

TEST(reply_wait_replies_then_takes_a_waiting_sender)
{
	uint64_t rtag = IPC_TAG(5, 3, 0, 0), stag = IPC_TAG(6, 2, 0, 0);

	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && CALLERS(0, 1));
	CHECK(op_send(2, S_EPB + 0, stag, 2) == E_OK && QUEUE(0, 2));
	CHECK(op_reply_wait(0, S_EP + 0, rtag, 3) == E_OK && RETURNED);
	CHECK(state_is(1, THREAD_RUNNABLE) && got_msg(1, rtag, 0, 3, E_OK));
	CHECK(got_msg(0, stag, EP_BADGE(0), 2, E_OK));
	CHECK(state_is(2, THREAD_RUNNABLE) && th[2].regs.rax == E_OK);
	CHECK(NO_CALLERS(0) && QEMPTY(0) && env_ok());
}

TEST(reply_wait_replies_then_takes_a_waiting_caller)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && CALLERS(0, 1));
	CHECK(op_call(2, S_EP + 0, IPC_TAG(2, 1, 0, 0), 2) == E_OK && QUEUE(0, 2));
	CHECK(op_reply_wait(0, S_EP + 0, IPC_TAG(3, 1, 0, 0), 3) == E_OK && RETURNED);
	CHECK(got_msg(1, IPC_TAG(3, 1, 0, 0), 0, 3, E_OK) && state_is(1, THREAD_RUNNABLE));
	CHECK(got_msg(0, IPC_TAG(2, 1, 0, 0), 0, 2, E_OK));
	CHECK(CALLERS(0, 2) && QEMPTY(0) && env_ok());
}

TEST(reply_wait_with_nothing_to_serve_switches_to_the_one_answered)
{
	for (int mode = 0; mode < 2; mode++) {
		reset();
		lazy = mode == 0;
		start(0, PRIO);
		start(1, PRIO);
		CHECK(op_call(1, S_EP + 1, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
		CHECK(op_recv(0, S_EP + 1, 0) == E_OK && CALLERS(0, 1));
		CHECK(op_reply_wait(0, S_EP + 1, IPC_TAG(2, 8, 0, 0), 2) == -1);
		CHECK(RAN(1));
		CHECK(state_is(0, THREAD_RECV) && QUEUE(1, 0) && NO_CALLERS(0));
		CHECK(state_is(1, THREAD_RUNNABLE) && got_msg(1, IPC_TAG(2, 8, 0, 0), 0, 2, E_OK));
		/* a less important client is only made ready */
		th[1].priority = 3;
		CHECK(op_call(1, S_EP + 1, IPC_TAG(1, 0, 0, 0), 3) == -1 && RAN(0));
		CHECK(CALLERS(0, 1) && got_msg(0, IPC_TAG(1, 0, 0, 0), 0, 3, E_OK));
		CHECK(op_reply_wait(0, S_EP + 1, IPC_TAG(2, 1, 0, 0), 4) == -1);
		/* lazily, the blocked server (10) still counts: the scheduler
		 * runs the client; eagerly the client is the highest there is */
		CHECK(lazy ? SCHEDULED && out_next == &th[1] : RAN(1));
		CHECK(state_is(0, THREAD_RECV));
		CHECK(got_msg(1, IPC_TAG(2, 1, 0, 0), 0, 4, E_OK) && env_ok());
	}
}

TEST(reply_wait_without_a_caller_only_receives)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_reply_wait(0, S_EP + 2, IPC_TAG(1, 2, 0, 0), 1) == E_OK);
	CHECK(SCHEDULED && state_is(0, THREAD_RECV) && QUEUE(2, 0));
	CHECK(state_is(1, THREAD_RUNNABLE) && NO_CALLERS(0));
	CHECK(op_send(1, S_EP + 2, IPC_TAG(3, 1, 0, 0), 3) == -1 && RAN(0));
	CHECK(got_msg(0, IPC_TAG(3, 1, 0, 0), 0, 3, E_OK) && env_ok());
}

TEST(server_keeps_callers_while_calling_another_server)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	/* 2 calls 1; 1, holding that call, calls 0 */
	CHECK(op_recv(1, S_EP + 1, 0) == E_OK);
	CHECK(op_call(2, S_EP + 1, IPC_TAG(2, 0, 0, 0), 2) == -1 && RAN(1) && CALLERS(1, 2));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == -1 && RAN(0));
	CHECK(CALLERS(0, 1) && CALLERS(1, 2) && state_is(1, THREAD_REPLY));
	/* 0 answers 1, which answers 2 */
	CHECK(op_reply(0, IPC_TAG(10, 1, 0, 0), 10) == E_OK && NO_CALLERS(0));
	CHECK(got_msg(1, IPC_TAG(10, 1, 0, 0), 0, 10, E_OK) && CALLERS(1, 2));
	CHECK(op_reply(1, IPC_TAG(11, 1, 0, 0), 11) == E_OK);
	CHECK(got_msg(2, IPC_TAG(11, 1, 0, 0), 0, 11, E_OK) && NO_CALLERS(1) && env_ok());
}

/* ============================================================ zero timeout, decoding */

TEST(nonblock_gives_e_wouldblock_and_changes_nothing)
{
	uint64_t nb = IPC_NONBLOCK;

	reset();
	for (int i = 0; i < 4; i++)
		start(i, PRIO);
	/* nobody waits */
	put_msg(1, IPC_TAG(1, 12, 0, nb), 1);
	th[1].regs.rdi = S_EP + 0;
	snap_take();
	CHECK(enter(1, sys_send) == E_WOULDBLOCK && RETURNED && snap_same(1, E_WOULDBLOCK));
	th[1].regs.rax = snap_buf.th[1].regs.rax;
	CHECK(enter(1, sys_call) == E_WOULDBLOCK && RETURNED && snap_same(1, E_WOULDBLOCK));
	th[1].regs.rdi = S_EP + 0;
	th[1].regs.rsi = nb;
	th[1].regs.rax = 0;
	snap_take();
	CHECK(enter(1, sys_recv) == E_WOULDBLOCK && RETURNED && snap_same(1, E_WOULDBLOCK));
	/* senders wait: a non-blocking send still does not queue */
	CHECK(op_send(2, S_EP + 0, IPC_TAG(2, 1, 0, 0), 2) == E_OK && QUEUE(0, 2));
	put_msg(1, IPC_TAG(1, 1, 0, nb), 3);
	th[1].regs.rdi = S_EP + 0;
	snap_take();
	CHECK(enter(1, sys_call) == E_WOULDBLOCK && snap_same(1, E_WOULDBLOCK));
	/* receivers wait: a non-blocking receive does not queue */
	CHECK(op_recv(3, S_EP + 1, 0) == E_OK && QUEUE(1, 3));
	th[1].regs.rdi = S_EP + 1;
	th[1].regs.rsi = nb;
	snap_take();
	CHECK(enter(1, sys_recv) == E_WOULDBLOCK && snap_same(1, E_WOULDBLOCK));
	/* but it meets a waiting partner, and the flag does not travel */
	CHECK(op_send(1, S_EP + 1, IPC_TAG(5, 2, 0, nb), 5) == -1 && RAN(3));
	CHECK(got_msg(3, IPC_TAG(5, 2, 0, 0), 0, 5, E_OK) && th[3].regs.rsi == IPC_TAG(5, 2, 0, 0));
	CHECK(op_recv(0, S_EP + 0, nb) == E_OK && got_msg(0, IPC_TAG(2, 1, 0, 0), 0, 2, E_OK));
	CHECK(env_ok());
}

TEST(nonblock_reply_wait_still_replies)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && CALLERS(0, 1));
	CHECK(op_reply_wait(0, S_EP + 0, IPC_TAG(2, 1, 0, IPC_NONBLOCK), 2) == E_WOULDBLOCK);
	CHECK(RETURNED && state_is(0, THREAD_RUNNABLE) && QEMPTY(0));
	CHECK(state_is(1, THREAD_RUNNABLE) && got_msg(1, IPC_TAG(2, 1, 0, 0), 0, 2, E_OK));
	CHECK(env_ok());
}

/* Each decode error of fn, as thread 1 (thread 0 has a call to answer). */
static bool decode_errors(syscall_fn fn, bool has_cap, unsigned right, bool sends)
{
	static const struct {
		uint64_t cap;
		uint64_t tag;
		int want;
	} cases[] = {
		{ S_RANGE, IPC_TAG(1, 1, 0, 0), E_CAP_RANGE },
		{ S_EMPTY, IPC_TAG(1, 1, 0, 0), E_CAP_EMPTY },
		{ S_NT, IPC_TAG(1, 1, 0, 0), E_CAP_TYPE },
		{ S_TH + 1, IPC_TAG(1, 1, 0, 0), E_CAP_TYPE },
		{ S_EP_RO, IPC_TAG(1, 1, 0, 0), -RIGHT_WRITE },
		{ S_EP_WO, IPC_TAG(1, 1, 0, 0), -RIGHT_READ },
		{ S_EP + 0, IPC_TAG(1, 65, 0, 0), E_TOOBIG },
		{ S_EP + 0, IPC_TAG(1, 127, 0, 0), E_TOOBIG },
		{ S_EP + 0, IPC_TAG(1, 0, 63, 0), E_TOOBIG },  /* 126 words of items */
		{ S_EP + 0, IPC_TAG(1, 62, 2, 0), E_TOOBIG },
		{ S_EP + 0, IPC_TAG(1, 1, 0, 0x4000), E_INVAL },
		{ S_EP + 0, IPC_TAG(1, 1, 0, IPC_TAG_NOTIFY), E_INVAL },
	};

	for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		int want = cases[k].want;

		if (want < 0)
			want = (unsigned)-want == right ? E_CAP_RIGHTS : -1;
		if (!has_cap && cases[k].want != E_TOOBIG && cases[k].want != E_INVAL)
			want = -1;
		if (want < 0)
			continue;
		put_msg(1, cases[k].tag, 1);
		th[1].regs.rdi = cases[k].cap;
		snap_take();
		if (enter(1, fn) != want || !RETURNED || !snap_same(1, (uint64_t)want)) {
			printf("    case %u: returned %d (%s), expected %d\n", k, out_ret, outname[out],
			       want);
			return false;
		}
	}
	/* words beyond the registers need a UTCB, the sender's */
	for (int cfg = U_UNMAPPED; cfg <= U_NONE; cfg++) {
		set_utcb(1, cfg);
		put_msg(1, IPC_TAG(1, 9, 0, 0), 1);
		th[1].regs.rdi = S_EP + 0;
		snap_take();
		if (enter(1, fn) != E_FAULT || !snap_same(1, E_FAULT)) {
			printf("    no UTCB: returned %d, expected E_FAULT\n", out_ret);
			return false;
		}
		/* eight words need none */
		if (!sends)
			continue;
		put_msg(1, IPC_TAG(1, 8, 0, IPC_NONBLOCK), 1);
		th[1].regs.rdi = S_EP + 0;
		if (enter(1, fn) == E_FAULT) {
			printf("    eight words and no UTCB: E_FAULT\n");
			return false;
		}
	}
	set_utcb(1, U_RW);
	return true;
}

TEST(decode_errors_change_nothing)
{
	syscall_fn fns[] = { sys_send, sys_call, sys_reply_wait, sys_reply };
	unsigned rights[] = { RIGHT_WRITE, RIGHT_WRITE, RIGHT_READ, 0 };

	for (unsigned k = 0; k < 4; k++) {
		reset();
		start(0, PRIO);
		start(1, PRIO);
		/* thread 1 has a caller, 0, whom an error must leave waiting */
		CHECK(op_call(0, S_EP + 1, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
		CHECK(op_recv(1, S_EP + 1, 0) == E_OK && CALLERS(1, 0));
		CHECK(decode_errors(fns[k], k < 3, rights[k], k < 2));
		CHECK(CALLERS(1, 0) && env_ok());
	}
	/* receive: the capability only */
	reset();
	start(1, PRIO);
	for (unsigned k = 0; k < 5; k++) {
		static const uint64_t caps[] = { S_RANGE, S_EMPTY, S_NT, S_EP_WO, S_EPB + 1 };
		static const int want[] = { E_CAP_RANGE, E_CAP_EMPTY, E_CAP_TYPE, E_CAP_RIGHTS,
					    E_CAP_RIGHTS };

		th[1].regs.rdi = caps[k];
		th[1].regs.rsi = 0;
		snap_take();
		CHECK(enter(1, sys_recv) == want[k] && RETURNED && snap_same(1, (uint64_t)want[k]));
	}
	/* 64 words are fine */
	start(0, PRIO);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_send(1, S_EP + 0, IPC_TAG(1, 64, 0, 0), 2) == -1 && RAN(0));
	CHECK(got_msg(0, IPC_TAG(1, 64, 0, 0), 0, 2, E_OK) && env_ok());
}

/* ============================================================ abort */

TEST(abort_a_sender)
{
	reset();
	for (int i = 0; i < 4; i++)
		start(i, PRIO);
	CHECK(op_send(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 1) == E_OK);
	CHECK(op_call(2, S_EP + 0, IPC_TAG(2, 1, 0, 0), 2) == E_OK);
	CHECK(op_send(3, S_EP + 0, IPC_TAG(3, 1, 0, 0), 3) == E_OK && QUEUE(0, 1, 2, 3));
	CHECK(op_abort(0, S_TH + 2) == E_OK && RETURNED);
	CHECK(state_is(2, THREAD_RUNNABLE) && th[2].regs.rax == E_ABORTED && rq_in[2]);
	CHECK(th[2].ipc_ep == NULL && th[2].ipc_next == NULL && th[2].ipc_prev == NULL);
	CHECK(QUEUE(0, 1, 3));
	CHECK(op_abort(0, S_TH + 3) == E_OK && QUEUE(0, 1));
	CHECK(op_abort(0, S_TH + 1) == E_OK && QEMPTY(0));
	CHECK(th[1].regs.rax == E_ABORTED && th[3].regs.rax == E_ABORTED);
	CHECK(NO_CALLERS(0) && env_ok());
}

TEST(abort_a_receiver)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_recv(1, S_EP + 2, 0) == E_OK && QUEUE(2, 1));
	CHECK(op_abort(0, S_TH + 1) == E_OK);
	CHECK(state_is(1, THREAD_RUNNABLE) && th[1].regs.rax == E_ABORTED && QEMPTY(2));
	/* a later sender finds nobody */
	CHECK(op_send(0, S_EP + 2, IPC_TAG(1, 0, 0, IPC_NONBLOCK), 1) == E_WOULDBLOCK);
	CHECK(env_ok());
}

TEST(abort_a_caller_waiting_for_its_reply)
{
	reset();
	for (int i = 0; i < 4; i++)
		start(i, PRIO);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 1) == -1 && RAN(0) && CALLERS(0, 1));
	CHECK(op_abort(3, S_TH + 1) == E_OK);
	CHECK(state_is(1, THREAD_RUNNABLE) && th[1].regs.rax == E_ABORTED);
	CHECK(th[1].reply_from == NULL && NO_CALLERS(0));
	/* the server's reply finds nobody, and it carries on */
	CHECK(op_reply(0, IPC_TAG(2, 1, 0, 0), 2) == E_DEAD && RETURNED);
	CHECK(state_is(0, THREAD_RUNNABLE) && th[1].regs.rax == E_ABORTED);
	/* with two callers, an aborted newest one leaves the older to answer */
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 3) == E_OK);
	CHECK(op_call(2, S_EP + 0, IPC_TAG(2, 1, 0, 0), 4) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(CALLERS(0, 2, 1));
	CHECK(op_abort(3, S_TH + 1) == E_OK && CALLERS(0, 2));
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 1, 0, 0), 5) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && CALLERS(0, 1, 2));
	CHECK(op_abort(3, S_TH + 1) == E_OK && CALLERS(0, 2));
	CHECK(op_reply(0, IPC_TAG(6, 1, 0, 0), 6) == E_OK && got_msg(2, IPC_TAG(6, 1, 0, 0), 0, 6, E_OK));
	CHECK(th[1].regs.rax == E_ABORTED && state_is(1, THREAD_RUNNABLE) && env_ok());
}

TEST(abort_a_waiter)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_wait(1, S_NT) == E_OK && SCHEDULED && state_is(1, THREAD_WAIT));
	CHECK(op_wait(2, S_NT) == E_OK && WAITERS(1, 2));
	CHECK(op_abort(0, S_TH + 1) == E_OK);
	CHECK(state_is(1, THREAD_RUNNABLE) && th[1].regs.rax == E_ABORTED && th[1].ipc_ntfn == NULL);
	CHECK(WAITERS(2));
	CHECK(op_abort(0, S_TH + 2) == E_OK && NO_WAITERS);
	/* a signal now only sets bits */
	CHECK(op_signal(0, S_NT) == E_OK && ntfn->bits == 1 && th[2].regs.rax == E_ABORTED);
	CHECK(env_ok());
}

TEST(abort_errors)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	start(3, PRIO);
	CHECK(fails_alone(0, sys_ipc_abort, S_TH + 1, 0, E_STATE));     /* runnable */
	CHECK(fails_alone(0, sys_ipc_abort, S_TH + 0, 0, E_STATE));     /* itself */
	CHECK(fails_alone(0, sys_ipc_abort, S_TH + 2, 0, E_STATE));     /* inactive */
	th[3].state = THREAD_STOPPED;
	sched_dequeue(&th[3]);
	CHECK(fails_alone(0, sys_ipc_abort, S_TH + 3, 0, E_STATE));
	CHECK(op_recv(1, S_EP + 0, 0) == E_OK);
	CHECK(fails_alone(0, sys_ipc_abort, S_TH_NOCTL, 0, E_CAP_RIGHTS));
	CHECK(fails_alone(0, sys_ipc_abort, S_EP + 0, 0, E_CAP_TYPE));
	CHECK(fails_alone(0, sys_ipc_abort, S_EMPTY, 0, E_CAP_EMPTY));
	CHECK(fails_alone(0, sys_ipc_abort, S_RANGE, 0, E_CAP_RANGE));
	kill_thread(5);
	CHECK(fails_alone(0, sys_ipc_abort, S_TH + 5, 0, E_DEAD));
	CHECK(state_is(1, THREAD_RECV) && QUEUE(0, 1) && env_ok());
}

TEST(cancel_of_a_thread_not_in_ipc_does_nothing)
{
	reset();
	start(0, PRIO);
	th[2].state = THREAD_STOPPED;
	snap_take();
	ipc_cancel(&th[0], E_ABORTED);
	ipc_cancel(&th[1], E_ABORTED);
	ipc_cancel(&th[2], E_ABORTED);
	CHECK(snap_same(-1, 0) && env_ok());
}

/* ============================================================ deaths */

TEST(death_of_a_caller)
{
	reset();
	for (int i = 0; i < 4; i++)
		start(i, PRIO);
	for (int i = 1; i < 4; i++)
		CHECK(op_call(i, S_EP + 0, IPC_TAG((uint64_t)i, 1, 0, 0), (unsigned)i) == E_OK);
	for (int i = 1; i < 4; i++)
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(CALLERS(0, 3, 2, 1));
	kill_thread(2);
	CHECK(CALLERS(0, 3, 1) && th[2].reply_from == NULL && th[2].reply_next == NULL);
	CHECK(op_reply(0, IPC_TAG(7, 1, 0, 0), 7) == E_OK && got_msg(3, IPC_TAG(7, 1, 0, 0), 0, 7, E_OK));
	kill_thread(1);
	CHECK(NO_CALLERS(0));
	/* the server's reply finds nobody; it carries on */
	CHECK(op_reply(0, IPC_TAG(8, 1, 0, 0), 8) == E_DEAD && RETURNED && state_is(0, THREAD_RUNNABLE));
	CHECK(state_is(1, THREAD_DEAD) && state_is(2, THREAD_DEAD) && !rq_in[1] && !rq_in[2]);
	CHECK(env_ok());
}

TEST(death_of_a_server_with_several_callers)
{
	for (int mode = 0; mode < 2; mode++) {
		reset();
		lazy = mode == 0;
		for (int i = 0; i < 6; i++)
			start(i, PRIO);
		for (int i = 1; i < 4; i++)
			CHECK(op_call(i, S_EP + 0, IPC_TAG(1, 1, 0, 0), 1) == E_OK);
		for (int i = 1; i < 4; i++)
			CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		/* and waits again, with a caller queued on another endpoint */
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK && QUEUE(0, 0));
		CHECK(op_call(4, S_EP + 1, IPC_TAG(1, 1, 0, 0), 1) == E_OK && QUEUE(1, 4));
		CHECK(CALLERS(0, 3, 2, 1));
		kill_thread(0);
		for (int i = 1; i < 4; i++) {
			CHECK(state_is(i, THREAD_RUNNABLE) && th[i].regs.rax == E_DEAD);
			CHECK(th[i].reply_from == NULL && th[i].reply_next == NULL && rq_in[i]);
		}
		CHECK(th[0].caller == NULL && QEMPTY(0) && th[0].ipc_ep == NULL);
		CHECK(state_is(0, THREAD_DEAD) && !rq_in[0]);
		CHECK(QUEUE(1, 4) && state_is(4, THREAD_SEND));
		CHECK(env_ok());
	}
}

TEST(death_of_a_server_that_is_itself_a_caller)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_call(2, S_EP + 1, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(1, S_EP + 1, 0) == E_OK && CALLERS(1, 2));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == -1 && CALLERS(0, 1));
	kill_thread(1);
	CHECK(NO_CALLERS(0) && NO_CALLERS(1));
	CHECK(state_is(2, THREAD_RUNNABLE) && th[2].regs.rax == E_DEAD);
	CHECK(op_reply(0, IPC_TAG(1, 0, 0, 0), 1) == E_DEAD && env_ok());
}

TEST(death_of_a_thread_in_every_ipc_state)
{
	reset();
	for (int i = 0; i < 6; i++)
		start(i, PRIO);
	CHECK(op_send(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(2, S_EP + 1, 0) == E_OK);
	CHECK(op_wait(3, S_NT) == E_OK);
	CHECK(op_bind(0, S_TH + 4, S_NT) == E_OK && th[4].bound_ntfn == ntfn);
	for (int i = 1; i < 5; i++) {
		kill_thread(i);
		CHECK(state_is(i, THREAD_DEAD) && !rq_in[i]);
		CHECK(th[i].ipc_ep == NULL && th[i].ipc_ntfn == NULL && th[i].bound_ntfn == NULL);
		CHECK(th[i].ipc_next == NULL && th[i].ipc_prev == NULL);
	}
	CHECK(QEMPTY(0) && QEMPTY(1) && NO_WAITERS && ntfn->bound == NULL);
	CHECK(env_ok());
}

TEST(death_of_an_endpoint_with_waiters)
{
	long live;

	reset();
	for (int i = 0; i < 6; i++)
		start(i, PRIO);
	/* a caller answered-to-be holds no place in the queue */
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_call(5, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == -1 && CALLERS(0, 5));
	CHECK(op_send(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_call(2, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK && QUEUE(0, 1, 2));
	CHECK(op_recv(3, S_EP + 1, 0) == E_OK);
	CHECK(op_reply_wait(4, S_EP + 1, IPC_TAG(1, 0, 0, 0), 1) == E_OK && QUEUE(1, 3, 4));
	live = kmem_live;
	endpoint_destroy(eps[0]);
	eps[0] = NULL;
	CHECK(kmem_live == live - 1);
	for (int i = 1; i < 3; i++)
		CHECK(state_is(i, THREAD_RUNNABLE) && th[i].regs.rax == E_DEAD && th[i].ipc_ep == NULL);
	CHECK(state_is(5, THREAD_REPLY) && CALLERS(0, 5));
	endpoint_destroy(eps[1]);
	eps[1] = NULL;
	for (int i = 3; i < 5; i++)
		CHECK(state_is(i, THREAD_RUNNABLE) && th[i].regs.rax == E_DEAD && rq_in[i]);
	CHECK(op_reply(0, IPC_TAG(2, 0, 0, 0), 2) == E_OK && got_msg(5, IPC_TAG(2, 0, 0, 0), 0, 2, E_OK));
	CHECK(env_ok());
}

TEST(death_of_a_notification_with_waiters)
{
	reset();
	for (int i = 0; i < 4; i++)
		start(i, PRIO);
	CHECK(op_wait(1, S_NT) == E_OK && op_wait(2, S_NT) == E_OK && WAITERS(1, 2));
	CHECK(op_bind(0, S_TH + 3, S_NT) == E_OK);
	CHECK(op_recv(3, S_EP + 0, 0) == E_OK);
	notification_destroy(ntfn);
	ntfn = NULL;
	CHECK(state_is(1, THREAD_RUNNABLE) && th[1].regs.rax == E_DEAD && th[1].ipc_ntfn == NULL);
	CHECK(state_is(2, THREAD_RUNNABLE) && th[2].regs.rax == E_DEAD);
	CHECK(th[3].bound_ntfn == NULL && state_is(3, THREAD_RECV) && QUEUE(0, 3));
	CHECK(env_ok());
}

/* ============================================================ queue order, badges */

TEST(endpoint_queue_is_by_priority_then_fifo)
{
	static const int prio[7] = { 5, 10, 5, 10, 1, 10, 7 };     /* threads 1..7 */
	static const int got[7] = { 2, 6, 4, 7, 1, 3, 5 };

	reset();
	start(0, 20);
	for (int i = 1; i < NT; i++)
		start(i, prio[i - 1]);
#define SEND_AS(i) op_send(i, S_EP + 0, IPC_TAG(i, 1, 0, 0), i)
	CHECK(SEND_AS(1) == E_OK && QUEUE(0, 1));
	CHECK(SEND_AS(2) == E_OK && QUEUE(0, 2, 1));
	CHECK(SEND_AS(3) == E_OK && QUEUE(0, 2, 1, 3));
	CHECK(op_call(4, S_EP + 0, IPC_TAG(4, 1, 0, 0), 4) == E_OK && QUEUE(0, 2, 4, 1, 3));
	CHECK(SEND_AS(5) == E_OK && QUEUE(0, 2, 4, 1, 3, 5));
	CHECK(SEND_AS(6) == E_OK && QUEUE(0, 2, 4, 6, 1, 3, 5));
	CHECK(op_call(7, S_EP + 0, IPC_TAG(7, 1, 0, 0), 7) == E_OK && QUEUE(0, 2, 4, 6, 7, 1, 3, 5));
	/* out of the middle and back: to the end of its priority */
	CHECK(op_abort(0, S_TH + 4) == E_OK && QUEUE(0, 2, 6, 7, 1, 3, 5));
	CHECK(SEND_AS(4) == E_OK && QUEUE(0, 2, 6, 4, 7, 1, 3, 5));
	CHECK(op_abort(0, S_TH + 5) == E_OK && QUEUE(0, 2, 6, 4, 7, 1, 3));
	CHECK(SEND_AS(5) == E_OK && QUEUE(0, 2, 6, 4, 7, 1, 3, 5));
#undef SEND_AS
	/* a receiver takes them in that order */
	for (int k = 0; k < 7; k++) {
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK && RETURNED);
		CHECK(got_msg(0, IPC_TAG(got[k], 1, 0, 0), 0, (unsigned)got[k], E_OK));
		CHECK(state_is(got[k], got[k] == 7 ? THREAD_REPLY : THREAD_RUNNABLE));
	}
	CHECK(QEMPTY(0) && CALLERS(0, 7) && env_ok());
}

TEST(receivers_are_served_by_priority_then_fifo)
{
	reset();
	start(0, 1);
	start(1, 3);
	start(2, 8);
	start(3, 3);
	start(4, 8);
	for (int i = 1; i < 5; i++)
		CHECK(op_recv(i, S_EP + 2, 0) == E_OK);
	CHECK(QUEUE(2, 2, 4, 1, 3));
	static const int got[4] = { 2, 4, 1, 3 };
	for (int k = 0; k < 4; k++) {
		op_send(0, S_EP + 2, IPC_TAG(1, 1, 0, 0), 40 + (unsigned)k);
		CHECK(state_is(got[k], THREAD_RUNNABLE));
		CHECK(got_msg(got[k], IPC_TAG(1, 1, 0, 0), 0, 40 + (unsigned)k, E_OK));
	}
	CHECK(QEMPTY(2) && env_ok());
}

TEST(receiver_gets_the_badge_of_the_senders_capability)
{
	static const uint64_t caps[] = { S_EP + 0, S_EPB + 0, S_EPB2, S_EP_WO };
	static const uint64_t badges[] = { 0, EP_BADGE(0), 0xC0FFEE, 0 };

	reset();
	for (int i = 0; i < 6; i++)
		start(i, PRIO);
	/* queued senders keep theirs */
	for (int k = 0; k < 4; k++)
		CHECK(op_call(k + 1, caps[k], IPC_TAG(k, 1, 0, 0), (unsigned)k) == E_OK);
	for (int k = 0; k < 4; k++) {
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		CHECK(got_msg(0, IPC_TAG(k, 1, 0, 0), badges[k], (unsigned)k, E_OK));
	}
	/* and directly */
	start(6, PRIO);
	for (int k = 0; k < 4; k++) {
		CHECK(op_recv(5, S_EP + 0, 0) == E_OK);
		CHECK(op_send(6, caps[k], IPC_TAG(k, 1, 0, 0), 10 + (unsigned)k) == -1 && RAN(5));
		CHECK(got_msg(5, IPC_TAG(k, 1, 0, 0), badges[k], 10 + (unsigned)k, E_OK));
	}
	/* replies carry none */
	CHECK(op_reply(0, IPC_TAG(1, 1, 0, 0), 20) == E_OK && got_msg(4, IPC_TAG(1, 1, 0, 0), 0, 20, E_OK));
	CHECK(env_ok());
}

/* ============================================================ words, UTCBs */

TEST(words_0_to_64_arrive_intact)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	for (unsigned n = 0; n <= IPC_MAX_WORDS; n++) {
		uint64_t tag = IPC_TAG(n + 1, n, 0, 0);
		unsigned s = 100 + n;

		/* the receiver waits */
		utcb_sentinel(0);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		CHECK(op_send(1, S_EP + 0, tag, s) == -1 && RAN(0));
		CHECK(got_msg(0, tag, 0, s, E_OK));
		/* the sender waits */
		utcb_sentinel(0);
		CHECK(op_call(1, S_EPB + 0, tag, s + 1000) == E_OK);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, tag, EP_BADGE(0), s + 1000, E_OK));
		/* the reply */
		utcb_sentinel(1);
		CHECK(op_reply(0, tag, s + 2000) == E_OK && got_msg(1, tag, 0, s + 2000, E_OK));
		/* through reply_wait, the reply and the next message */
		CHECK(op_call(1, S_EP + 0, tag, s + 3000) == E_OK);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		utcb_sentinel(1);
		CHECK(op_reply_wait(0, S_EP + 0, tag, s + 4000) == -1 && RAN(1));
		CHECK(got_msg(1, tag, 0, s + 4000, E_OK));
		utcb_sentinel(0);
		CHECK(op_send(1, S_EP + 0, tag, s + 5000) == -1 && RAN(0));
		CHECK(got_msg(0, tag, 0, s + 5000, E_OK));
	}
	CHECK(env_ok());
}

TEST(receiver_without_a_utcb_gets_e_fault)
{
	uint64_t tag = IPC_TAG(3, 20, 0, 0);

	for (int cfg = U_RO; cfg <= U_NONE; cfg++) {
		reset();
		start(0, PRIO);
		start(1, PRIO);
		set_utcb(0, cfg);
		/* waiting, or taking a queued sender */
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		CHECK(op_send(1, S_EP + 0, tag, 1) == -1 && RAN(0));
		CHECK(got_msg(0, tag, 0, 1, E_FAULT) && th[1].regs.rax == E_OK);
		CHECK(op_send(1, S_EPB + 0, tag, 2) == E_OK);
		CHECK(op_recv(0, S_EP + 0, 0) == E_FAULT && RETURNED);
		CHECK(got_msg(0, tag, EP_BADGE(0), 2, E_FAULT) && state_is(1, THREAD_RUNNABLE));
		CHECK(th[1].regs.rax == E_OK);
		/* eight words need no UTCB */
		CHECK(op_send(1, S_EP + 0, IPC_TAG(3, 8, 0, 0), 3) == E_OK);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(3, 8, 0, 0), 0, 3, E_OK));
		/* a reply to a client without one */
		set_utcb(0, U_RW);
		set_utcb(1, cfg);
		CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 4) == E_OK);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		CHECK(op_reply(0, tag, 5) == E_OK && RETURNED);
		CHECK(state_is(1, THREAD_RUNNABLE) && got_msg(1, tag, 0, 5, E_FAULT));
		CHECK(env_ok());
	}
}

/* ============================================================ notifications */

TEST(signal_wait_poll)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_signal(1, S_NT) == E_OK && RETURNED && ntfn->bits == 1);
	CHECK(op_signal(1, S_NTB) == E_OK && ntfn->bits == 0x31);
	CHECK(op_wait(0, S_NT) == E_OK && RETURNED && th[0].regs.rdi == 0x31 && ntfn->bits == 0);
	CHECK(op_poll(0, S_NT_RO) == E_OK && th[0].regs.rdi == 0);
	CHECK(op_signal(1, S_NTB2) == E_OK && op_signal(1, S_NTB2) == E_OK);
	CHECK(op_poll(0, S_NT) == E_OK && th[0].regs.rdi == 0x100 && ntfn->bits == 0);
	/* rights and types */
	CHECK(op_signal(1, S_NT_RO) == E_CAP_RIGHTS && op_wait(0, S_NTB) == E_CAP_RIGHTS);
	CHECK(op_poll(0, S_NTB) == E_CAP_RIGHTS && op_poll(0, S_EP + 0) == E_CAP_TYPE);
	CHECK(op_signal(1, S_EP + 0) == E_CAP_TYPE && op_wait(0, S_EMPTY) == E_CAP_EMPTY);
	CHECK(ntfn->bits == 0 && env_ok());
}

TEST(wait_blocks_until_a_signal)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	th[0].regs.rsi = 0x5151;                /* SYS_WAIT leaves it alone */
	CHECK(op_wait(0, S_NT) == E_OK && SCHEDULED && state_is(0, THREAD_WAIT));
	CHECK(th[0].ipc_ntfn == ntfn && WAITERS(0));
	CHECK(op_wait(2, S_NT_RO) == E_OK && WAITERS(0, 2));
	CHECK(op_signal(1, S_NTB) == E_OK && RETURNED);
	CHECK(state_is(0, THREAD_RUNNABLE) && rq_in[0] && th[0].regs.rdi == 0x30);
	CHECK(th[0].regs.rsi == 0x5151 && th[0].regs.rax == E_OK && th[0].ipc_ntfn == NULL);
	CHECK(WAITERS(2) && ntfn->bits == 0);
	CHECK(op_signal(1, S_NT) == E_OK && state_is(2, THREAD_RUNNABLE) && th[2].regs.rdi == 1);
	CHECK(NO_WAITERS && ntfn->bits == 0 && env_ok());
}

TEST(bound_notification_ends_a_receive)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_bind(1, S_TH + 0, S_NT) == E_OK && th[0].bound_ntfn == ntfn && ntfn->bound == &th[0]);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && QUEUE(0, 0));
	CHECK(op_signal(1, S_NTB) == E_OK && RETURNED);
	CHECK(state_is(0, THREAD_RUNNABLE) && QEMPTY(0) && th[0].ipc_ep == NULL && rq_in[0]);
	CHECK(th[0].regs.rsi == IPC_TAG_NOTIFY && th[0].regs.rdi == 0x30 && th[0].regs.rax == E_OK);
	CHECK(ntfn->bits == 0);
	/* pending bits end the next receive at once, even with a sender queued */
	CHECK(op_signal(1, S_NT) == E_OK && ntfn->bits == 1);
	CHECK(op_send(2, S_EP + 0, IPC_TAG(1, 1, 0, 0), 1) == E_OK && QUEUE(0, 2));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && RETURNED);
	CHECK(th[0].regs.rsi == IPC_TAG_NOTIFY && th[0].regs.rdi == 1 && ntfn->bits == 0);
	CHECK(QUEUE(0, 2) && state_is(2, THREAD_SEND));
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && got_msg(0, IPC_TAG(1, 1, 0, 0), 0, 1, E_OK));
	/* a thread waiting on the notification comes first */
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_wait(2, S_NT) == E_OK);
	CHECK(op_signal(1, S_NT) == E_OK && state_is(2, THREAD_RUNNABLE) && state_is(0, THREAD_RECV));
	/* a receive on another endpoint ends as well */
	CHECK(op_abort(1, S_TH + 0) == E_OK);
	CHECK(op_recv(0, S_EP + 2, 0) == E_OK && QUEUE(2, 0));
	CHECK(op_signal(1, S_NTB2) == E_OK && state_is(0, THREAD_RUNNABLE) && QEMPTY(2));
	CHECK(th[0].regs.rdi == 0x100 && th[0].regs.rsi == IPC_TAG_NOTIFY);
	/* not a wait on something else */
	CHECK(op_bind(1, S_TH + 0, CAP_NONE) == E_OK && th[0].bound_ntfn == NULL && ntfn->bound == NULL);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	CHECK(op_signal(1, S_NT) == E_OK && state_is(0, THREAD_RECV) && ntfn->bits == 1);
	CHECK(env_ok());
}

TEST(bound_notification_in_reply_wait)
{
	reset();
	for (int i = 0; i < 3; i++)
		start(i, PRIO);
	CHECK(op_bind(1, S_TH + 0, S_NT) == E_OK);
	CHECK(op_call(1, S_EP + 0, IPC_TAG(1, 0, 0, 0), 1) == E_OK);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK && CALLERS(0, 1));
	CHECK(op_signal(2, S_NTB) == E_OK && ntfn->bits == 0x30);
	/* pending bits: the reply goes out, the receive ends at once */
	CHECK(op_reply_wait(0, S_EP + 0, IPC_TAG(2, 2, 0, 0), 2) == E_OK && RETURNED);
	CHECK(got_msg(1, IPC_TAG(2, 2, 0, 0), 0, 2, E_OK) && state_is(1, THREAD_RUNNABLE));
	CHECK(th[0].regs.rsi == IPC_TAG_NOTIFY && th[0].regs.rdi == 0x30 && th[0].regs.rax == E_OK);
	CHECK(ntfn->bits == 0 && NO_CALLERS(0) && QEMPTY(0));
	/* waiting in reply_wait, woken by a signal */
	CHECK(op_reply_wait(0, S_EP + 0, IPC_TAG(2, 2, 0, 0), 3) == E_OK && SCHEDULED);
	CHECK(state_is(0, THREAD_RECV) && QUEUE(0, 0));
	CHECK(op_signal(2, S_NT) == E_OK && state_is(0, THREAD_RUNNABLE) && QEMPTY(0));
	CHECK(th[0].regs.rsi == IPC_TAG_NOTIFY && th[0].regs.rdi == 1 && env_ok());
}

TEST(bind_errors)
{
	syscall_fn b = sys_notification_bind;

	reset();
	start(0, PRIO);
	start(1, PRIO);
	CHECK(op_bind(0, S_TH + 1, S_NT) == E_OK);
	CHECK(fails_alone(0, b, S_TH + 1, S_NT, E_STATE));              /* bound already */
	CHECK(fails_alone(0, b, S_TH + 2, S_NT_RO, E_STATE));           /* taken */
	CHECK(fails_alone(0, b, S_TH + 2, S_NTB, E_CAP_RIGHTS));
	CHECK(fails_alone(0, b, S_TH_NOCTL, S_NT, E_CAP_RIGHTS));
	CHECK(fails_alone(0, b, S_EP + 0, S_NT, E_CAP_TYPE));
	CHECK(fails_alone(0, b, S_TH + 2, S_EP + 0, E_CAP_TYPE));
	CHECK(fails_alone(0, b, S_TH + 2, S_EMPTY, E_CAP_EMPTY));
	CHECK(fails_alone(0, b, S_TH + 2, S_RANGE, E_CAP_RANGE));
	kill_thread(1);
	CHECK(ntfn->bound == NULL);
	kill_thread(3);
	CHECK(fails_alone(0, b, S_TH + 3, S_NT, E_DEAD));
	CHECK(fails_alone(0, b, S_TH + 3, CAP_NONE, E_DEAD));
	CHECK(op_bind(0, S_TH + 2, S_NT) == E_OK && ntfn->bound == &th[2]);
	/* unbinding an unbound thread is fine */
	CHECK(op_bind(0, S_TH + 5, CAP_NONE) == E_OK && ntfn->bound == &th[2]);
	CHECK(env_ok());
}

/* ============================================================ fault reports */

static struct trap_frame fault_frame;

/* Thread t with a recognisable register file, remembered in fault_frame. */
static void fault_regs(int t)
{
	frame_fill(&th[t].regs, 0x40 + (uint64_t)t);
	fault_frame = th[t].regs;
}

/* t's registers are what they were at the fault (vector and error aside). */
static bool regs_untouched(int t, uint64_t vector, uint64_t error)
{
	struct trap_frame want = fault_frame;

	want.vector = vector;
	want.error = error;
	if (memcmp(&th[t].regs, &want, sizeof want) == 0)
		return true;
	printf("    t%d: registers changed\n", t);
	return false;
}

TEST(page_fault_report_to_a_waiting_pager)
{
	static const struct {
		uint64_t error, access;
	} kinds[] = {
		{ 0, 0 }, { 2 | 4, IPC_FAULT_WRITE }, { 16 | 4, IPC_FAULT_EXEC },
		{ 1 | 2 | 4, IPC_FAULT_WRITE | IPC_FAULT_PRESENT },
	};

	for (unsigned k = 0; k < 4; k++) {
		reset();
		start(0, PRIO);
		start(1, PRIO);
		set_fault_caps(1, 0, 2);
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		fault_regs(1);
		CHECK(fault(1, 14, kinds[k].error, 0xDEAD123) == -1 && RAN(0));
		CHECK(state_is(1, THREAD_REPLY) && CALLERS(0, 1) && QEMPTY(0));
		CHECK(th[0].regs.rsi == IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0));
		CHECK(th[0].regs.rdi == PAGER_BADGE(1) && th[0].regs.rax == E_OK);
		CHECK(th[0].regs.rdx == 0xDEAD123 && th[0].regs.r8 == fault_frame.rip);
		CHECK(th[0].regs.r9 == kinds[k].access);
		CHECK(th[0].regs.r10 == 0 && th[0].regs.r12 == 0 && th[0].regs.r15 == 0);
		CHECK(regs_untouched(1, 14, kinds[k].error));
		/* any reply resumes it, registers untouched */
		CHECK(op_reply(0, IPC_TAG(0x55, 2, 0, 0), 1) == E_OK && RETURNED);
		CHECK(state_is(1, THREAD_RUNNABLE) && rq_in[1] && th[1].fault_tag == 0);
		CHECK(regs_untouched(1, 14, kinds[k].error) && NO_CALLERS(0));
		CHECK(env_ok());
	}
}

TEST(page_fault_report_queued_for_a_busy_pager)
{
	for (int mode = 0; mode < 2; mode++) {
		reset();
		lazy = mode == 0;
		start(0, PRIO);
		start(1, PRIO);
		start(2, PRIO);
		set_fault_caps(1, 0, 2);
		fault_regs(1);
		CHECK(fault(1, 14, 6, 0x1000) == -1 && SCHEDULED);
		CHECK(state_is(1, THREAD_SEND) && QUEUE(0, 1) && th[1].ipc_call);
		CHECK(th[1].ipc_badge == PAGER_BADGE(1) && regs_untouched(1, 14, 6));
		CHECK(lazy ? rq_in[1] : !rq_in[1]);
		/* the pager comes; the report is a call */
		CHECK(op_recv(0, S_EP + 0, 0) == E_OK && RETURNED);
		CHECK(th[0].regs.rsi == IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0));
		CHECK(th[0].regs.rdi == PAGER_BADGE(1) && th[0].regs.rdx == 0x1000);
		CHECK(th[0].regs.r9 == IPC_FAULT_WRITE && state_is(1, THREAD_REPLY) && CALLERS(0, 1));
		/* the answer through reply_wait: it resumes and runs */
		CHECK(op_reply_wait(0, S_EP + 0, IPC_TAG(0, 0, 0, 0), 2) == -1 && RAN(1));
		CHECK(state_is(1, THREAD_RUNNABLE) && regs_untouched(1, 14, 6));
		CHECK(state_is(0, THREAD_RECV) && th[1].fault_tag == 0 && env_ok());
	}
}

/* The exception report of thread 1 (frame fault_frame) as handler 0 sees it. */
static bool exception_report_is(uint64_t vector, uint64_t error, uint64_t err)
{
	const struct trap_frame *f = &fault_frame, *h = &th[0].regs;
	uint64_t want[IPC_EXCEPTION_WORDS] = {
		f->rip, f->rsp, f->rflags, f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi,
		f->rbp, f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
		vector, error,
	};

	if (h->rsi != IPC_TAG(IPC_LABEL_EXCEPTION, IPC_EXCEPTION_WORDS, 0, 0) ||
	    h->rdi != HANDLER_BADGE(1) || h->rax != err) {
		printf("    tag %#" PRIx64 " badge %#" PRIx64 " error %" PRIu64 "\n", h->rsi, h->rdi,
		       h->rax);
		return false;
	}
	for (unsigned i = 0; i < IPC_EXCEPTION_WORDS; i++) {
		uint64_t got = i < IPC_REG_WORDS ? *fw(&th[0].regs, i) : utcbs[0].mr[i];

		if (err != E_OK && i >= IPC_REG_WORDS)
			want[i] = SENTINEL(0, i);
		if (got != want[i]) {
			printf("    word %u: %#" PRIx64 ", expected %#" PRIx64 "\n", i, got, want[i]);
			return false;
		}
	}
	return true;
}

/* Handler 0 holds thread 1's exception (vector 13, error 0x18). */
static bool exception_pending(void)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	set_fault_caps(1, 2, 0);
	if (op_recv(0, S_EP + 0, 0) != E_OK)
		return false;
	fault_regs(1);
	if (fault(1, 13, 0x18, 0) != -1 || !RAN(0) || !CALLERS(0, 1))
		return false;
	return exception_report_is(13, 0x18, E_OK) && regs_untouched(1, 13, 0x18);
}

/* Handler 0's answer: tag, and 18 register words from seed. */
static void resume_msg(uint64_t tag, unsigned seed)
{
	put_msg(0, tag, seed);
	th[0].regs.rdx = 0x401234;              /* rip */
	th[0].regs.r8 = 0x7FFF00;               /* rsp */
}

TEST(exception_report_resumed_with_new_registers)
{
	struct trap_frame want;

	CHECK(exception_pending());
	resume_msg(IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0), 7);
	CHECK(enter(0, sys_reply) == E_OK && RETURNED);
	CHECK(state_is(1, THREAD_RUNNABLE) && rq_in[1] && th[1].fault_tag == 0 && NO_CALLERS(0));
	want = fault_frame;
	want.vector = 13;
	want.error = 0x18;
	want.rip = 0x401234, want.rsp = 0x7FFF00, want.rflags = W(7, 2);
	want.rax = W(7, 3), want.rbx = W(7, 4), want.rcx = W(7, 5), want.rdx = W(7, 6);
	want.rsi = W(7, 7), want.rdi = W(7, 8), want.rbp = W(7, 9);
	want.r8 = W(7, 10), want.r9 = W(7, 11), want.r10 = W(7, 12), want.r11 = W(7, 13);
	want.r12 = W(7, 14), want.r13 = W(7, 15), want.r14 = W(7, 16), want.r15 = W(7, 17);
	CHECK(memcmp(&th[1].regs, &want, sizeof want) == 0);
	CHECK(env_ok());
}

TEST(exception_report_any_other_reply_leaves_it_stopped)
{
	static const uint64_t tags[] = {
		IPC_TAG(0, 0, 0, 0), IPC_TAG(2, 18, 0, 0), IPC_TAG(IPC_LABEL_RESUME, 17, 0, 0),
		IPC_TAG(IPC_LABEL_RESUME, 19, 0, 0), IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0),
	};

	for (unsigned k = 0; k < 5; k++) {
		CHECK(exception_pending());
		resume_msg(tags[k], 8);
		if (k == 4)
			th[0].regs.rdx = USER_END;      /* not a user RIP */
		CHECK(enter(0, sys_reply) == E_OK && RETURNED);
		CHECK(state_is(1, THREAD_STOPPED) && !rq_in[1] && th[1].fault_tag == 0);
		CHECK(regs_untouched(1, 13, 0x18) && NO_CALLERS(0) && env_ok());
	}
}

TEST(exception_report_to_a_handler_without_a_utcb)
{
	reset();
	start(0, PRIO);
	start(1, PRIO);
	set_fault_caps(1, 2, 0);
	set_utcb(0, U_NONE);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	fault_regs(1);
	CHECK(fault(1, 6, 0, 0) == -1 && RAN(0));
	CHECK(exception_report_is(6, 0, E_FAULT) && CALLERS(0, 1));
	/* it cannot send 18 words back: the thread stays stopped */
	CHECK(op_reply(0, IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0), 1) == E_FAULT && CALLERS(0, 1));
	CHECK(op_reply(0, IPC_TAG(IPC_LABEL_RESUME, 8, 0, 0), 1) == E_OK);
	CHECK(state_is(1, THREAD_STOPPED) && regs_untouched(1, 6, 0) && env_ok());
}

/*
 * The handler answers with reply_wait and then has nothing to serve:
 * reply_wait switches to the thread it answered, which must not happen
 * when the answer left that thread stopped.
 */
TEST(exception_left_stopped_by_reply_wait_does_not_run)
{
	static const uint64_t tags[] = {
		IPC_TAG(2, 0, 0, 0),                    /* not a resume */
		IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0),    /* with a bad RIP */
	};

	for (unsigned k = 0; k < 2; k++) {
		CHECK(exception_pending());
		resume_msg(tags[k], 9);
		if (k == 1)
			th[0].regs.rdx = USER_END;
		th[0].regs.rdi = S_EP + 0;
		enter(0, sys_reply_wait);
		CHECK(state_is(0, THREAD_RECV) && QUEUE(0, 0));
		CHECK(state_is(1, THREAD_STOPPED) && regs_untouched(1, 13, 0x18));
		if (RAN(1))
			printf("    reply_wait ran t1 (state %s) by direct switch\n",
			       stname(th[1].state));
		CHECK(!RAN(1) && SCHEDULED);
		CHECK(env_ok());
	}
}

TEST(unanswerable_report_stops_the_thread)
{
	/* 0: queued, aborted; 1: queued, endpoint dies; 2: taken, aborted;
	 * 3: taken, the pager dies; 4: queued, stopped (thread_stop) */
	for (int k = 0; k < 5; k++) {
		reset();
		start(0, PRIO);
		start(1, PRIO);
		start(2, PRIO);
		set_fault_caps(1, 0, 0);
		if (k == 2 || k == 3)
			CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
		fault_regs(1);
		CHECK(fault(1, k == 2 ? 13 : 14, 4, 0x5000) == -1);
		CHECK(state_is(1, k == 2 || k == 3 ? THREAD_REPLY : THREAD_SEND));
		switch (k) {
		case 0:
		case 2:
			CHECK(op_abort(2, S_TH + 1) == E_OK);
			break;
		case 1:
			endpoint_destroy(eps[0]);
			eps[0] = NULL;
			break;
		case 3:
			kill_thread(0);
			break;
		case 4:
			ipc_cancel(&th[1], E_ABORTED);
			break;
		}
		CHECK(state_is(1, THREAD_STOPPED) && !rq_in[1] && th[1].fault_tag == 0);
		CHECK(regs_untouched(1, k == 2 ? 13 : 14, 4));
		CHECK(th[1].reply_from == NULL && th[1].ipc_ep == NULL);
		if (eps[0])
			CHECK(QEMPTY(0));
		if (k != 3)
			CHECK(NO_CALLERS(0));
		CHECK(env_ok());
	}
}

TEST(fault_without_pager_or_handler_is_not_reported)
{
	reset();
	start(0, PRIO);
	start(NO_PAGER, PRIO);
	CHECK(op_recv(0, S_EP + 0, 0) == E_OK);
	fault_regs(NO_PAGER);
	th[NO_PAGER].regs.vector = 14;
	th[NO_PAGER].regs.error = 2;
	snap_take();
	CHECK(fault(NO_PAGER, 14, 2, 0x1000) == 0 && RETURNED && snap_same(-1, 0));
	th[NO_PAGER].regs.vector = 13;
	snap_take();
	CHECK(fault(NO_PAGER, 13, 2, 0) == 0 && RETURNED && snap_same(-1, 0));
	CHECK(state_is(NO_PAGER, THREAD_RUNNABLE) && th[NO_PAGER].fault_tag == 0 && env_ok());
}

/* The kernel's shared create steps (core/cap_syscalls.c), over these stubs. */
int create_decode(struct trap_frame *f, struct task **owner)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct cap *tc;
	int err;

	if ((err = cap_lookup(cs, sys_arg0(f), CAP_TASK, RIGHT_CONTROL, &tc)) != E_OK ||
	    (err = cap_slot_free(cs, sys_arg1(f))) != E_OK)
		return err;
	*owner = tc->obj;
	return E_OK;
}

void create_install(struct trap_frame *f, unsigned type, void *obj)
{
	cap_install(&thread_current()->task->cspace, (uint32_t)sys_arg1(f), type, obj, RIGHTS_ALL, 0);
}

/* ============================================================ creation */

TEST(endpoint_and_notification_creation)
{
	long live;

	reset();
	start(0, PRIO);
	live = kmem_live;
	th[0].regs.rdi = S_TASK;
	th[0].regs.rsi = S_EMPTY;
	CHECK(enter(0, sys_endpoint_create) == E_OK && kmem_live == live + 1);
	CHECK(cslots[S_EMPTY].type == CAP_ENDPOINT && cslots[S_EMPTY].rights == RIGHTS_ALL);
	CHECK(cslots[S_EMPTY].badge == 0 && cslots[S_EMPTY].obj != NULL);
	th[0].regs.rdi = S_TASK;
	th[0].regs.rsi = S_EMPTY;
	CHECK(enter(0, sys_endpoint_create) == E_CAP_OCCUPIED && kmem_live == live + 1);
	th[0].regs.rdi = S_TASK;
	th[0].regs.rsi = S_EMPTY2;
	CHECK(enter(0, sys_notification_create) == E_OK && kmem_live == live + 2);
	CHECK(cslots[S_EMPTY2].type == CAP_NOTIFICATION);
	th[0].regs.rdi = S_EP + 0;
	th[0].regs.rsi = S_RANGE;
	CHECK(enter(0, sys_notification_create) == E_CAP_TYPE);
	th[0].regs.rdi = S_TASK;
	CHECK(enter(0, sys_endpoint_create) == E_CAP_RANGE && kmem_live == live + 2);
	endpoint_destroy(cslots[S_EMPTY].obj);
	notification_destroy(cslots[S_EMPTY2].obj);
	CHECK(kmem_live == live && env_ok());
}

/* ============================================================ the random run */

/*
 * The reference model: per thread its state, queue, caller list, pending
 * fault report and every register and UTCB word it should hold; per
 * endpoint the queue; the notification's bits, waiters and bound thread.
 * It is written from the rules in ipc.h, abi/ipc.h and the headers of the
 * objects, not from ipc.c.
 */
enum { F_NONE, F_PAGE, F_EXC };

struct mth {
	int state, prio;
	int ep;                         /* SEND, RECV */
	bool call;                      /* SEND */
	uint64_t badge;                 /* SEND */
	int reply_from;                 /* REPLY */
	int callers[NT], ncallers;      /* newest first */
	int fault;                      /* F_*: its message is a fault report */
	uint64_t ftag, fmsg[IPC_EXCEPTION_WORDS];
	struct trap_frame f;            /* what its registers must hold */
	uint64_t mr[IPC_MAX_WORDS];     /* what its UTCB page must hold */
};
static struct mth M[NT];
static int MQ[NEP][NT], MQn[NEP];
static uint64_t MNbits;
static int MNq[NT], MNn, MNbound;
static int Mpager[NT], Mhandler[NT];

/* What the kernel entry under test should end in. */
static int x_out, x_next, x_ret;
static bool x_ret_any;          /* any return value will do (and RAX as returned) */

static struct {
	unsigned long msgs, faults, efault, replies, dead_replies, notify, direct, sched, ret;
	unsigned long aborted, died, stopped, resumed, wouldblock, errors;
} st;

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static unsigned rn(unsigned n)
{
	return (unsigned)((rnd() >> 32) % n);
}

static bool m_readable(int t)
{
	return utcb_cfg[t] == U_RW || utcb_cfg[t] == U_RO;
}

static bool m_writable(int t)
{
	return utcb_cfg[t] == U_RW;
}

static int m_decode(uint64_t slot, int type, unsigned rights, const struct capdef **d)
{
	if (slot >= NSLOTS)
		return E_CAP_RANGE;
	if (capdef[slot].type == CAP_NULL)
		return E_CAP_EMPTY;
	if (capdef[slot].type != type)
		return E_CAP_TYPE;
	if ((capdef[slot].rights & rights) != rights)
		return E_CAP_RIGHTS;
	*d = &capdef[slot];
	return E_OK;
}

static int m_message(int t, uint64_t tag)
{
	/* The random messages carry no typed items (those are tested in the
	 * guest, where the mapping database and tables are real). */
	if (IPC_TAG_WORDS(tag) + 2 * IPC_TAG_ITEMS(tag) > IPC_MAX_WORDS)
		return E_TOOBIG;
	if (tag & (0x4000 | IPC_TAG_NOTIFY))
		return E_INVAL;
	if (IPC_TAG_WORDS(tag) > IPC_REG_WORDS && !m_readable(t))
		return E_FAULT;
	return E_OK;
}

static void m_enqueue(int e, int t)
{
	int k = MQn[e];

	while (k > 0 && M[MQ[e][k - 1]].prio < M[t].prio)
		k--;
	memmove(&MQ[e][k + 1], &MQ[e][k], (size_t)(MQn[e] - k) * sizeof MQ[e][0]);
	MQ[e][k] = t;
	MQn[e]++;
	M[t].ep = e;
}

static void m_remove(int *q, int *n, int t)
{
	int k;

	for (k = 0; k < *n && q[k] != t; k++)
		;
	if (k == *n) {
		printf("    model: t%d not in its queue\n", t);
		abort();
	}
	memmove(&q[k], &q[k + 1], (size_t)(*n - k - 1) * sizeof q[0]);
	(*n)--;
}

static void m_dequeue(int t)
{
	m_remove(MQ[M[t].ep], &MQn[M[t].ep], t);
	M[t].ep = -1;
}

static void m_push_caller(int s, int c)
{
	memmove(&M[s].callers[1], &M[s].callers[0], (size_t)M[s].ncallers * sizeof(int));
	M[s].callers[0] = c;
	M[s].ncallers++;
	M[c].reply_from = s;
	M[c].state = THREAD_REPLY;
}

static void m_remove_caller(int c)
{
	int s = M[c].reply_from;

	m_remove(M[s].callers, &M[s].ncallers, c);
	M[c].reply_from = -1;
}

/* A blocked thread becomes ready with err; one whose report went unanswered stops. */
static void m_wake(int t, int err)
{
	if (M[t].fault) {
		M[t].fault = F_NONE;
		M[t].state = THREAD_STOPPED;
		st.stopped++;
		return;
	}
	if (err != E_OK && M[t].state != THREAD_WAIT) {    /* no message */
		M[t].f.rdi = M[t].f.rsi = 0;
		for (unsigned i = 0; i < IPC_REG_WORDS; i++)
			*fw(&M[t].f, i) = 0;
	}
	M[t].f.rax = (uint64_t)err;
	M[t].state = THREAD_RUNNABLE;
}

static int m_transfer(int s, int r, uint64_t badge)
{
	struct mth *S = &M[s], *R = &M[r];
	uint64_t tag = S->fault ? S->ftag : S->f.rsi;
	unsigned n = IPC_TAG_WORDS(tag);
	int err = E_OK;

	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*fw(&R->f, i) = i >= n ? 0 : S->fault ? S->fmsg[i] : *fw(&S->f, i);
	if (n > IPC_REG_WORDS) {
		if ((S->fault || m_readable(s)) && m_writable(r)) {
			for (unsigned i = IPC_REG_WORDS; i < n; i++)
				R->mr[i] = S->fault ? S->fmsg[i] : S->mr[i];
		} else {
			err = E_FAULT;
			st.efault++;
		}
	}
	R->f.rsi = tag & ~(uint64_t)IPC_NONBLOCK;
	R->f.rdi = badge;
	R->f.rax = (uint64_t)err;
	st.msgs++;
	return err;
}

static void m_cancel(int t, int err)
{
	switch (M[t].state) {
	case THREAD_SEND:
	case THREAD_RECV:
		m_dequeue(t);
		m_wake(t, err);
		break;
	case THREAD_WAIT:
		m_remove(MNq, &MNn, t);
		m_wake(t, err);
		break;
	case THREAD_REPLY:
		m_remove_caller(t);
		m_wake(t, err);
		break;
	default:
		break;
	}
}

static void m_release(int t)
{
	m_cancel(t, E_DEAD);
	if (MNbound == t)
		MNbound = -1;
	while (M[t].ncallers) {
		int c = M[t].callers[0];

		m_remove_caller(c);
		m_wake(c, E_DEAD);
	}
}

/* The mica_regs order of a frame (abi/regs.h). */
static void m_regs_of(const struct trap_frame *f, uint64_t *w)
{
	const uint64_t r[18] = {
		f->rip, f->rsp, f->rflags, f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi,
		f->rbp, f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
	};

	memcpy(w, r, sizeof r);
}

/* Server s answers fault report of k (abi/ipc.h's kernel protocols). */
static void m_fault_answered(int s, int k)
{
	uint64_t tag = M[s].f.rsi, w[18];
	int kind = M[k].fault;

	M[k].fault = F_NONE;
	if (kind == F_PAGE) {
		M[k].state = THREAD_RUNNABLE;
		st.resumed++;
		return;
	}
	if (IPC_TAG_LABEL(tag) == IPC_LABEL_RESUME && IPC_TAG_WORDS(tag) == 18) {
		for (unsigned i = 0; i < 18; i++)
			w[i] = i < IPC_REG_WORDS ? *fw(&M[s].f, i) : M[s].mr[i];
		if (w[0] < USER_END && w[1] < USER_END) {
			struct trap_frame *f = &M[k].f;

			f->rip = w[0], f->rsp = w[1], f->rflags = w[2], f->rax = w[3];
			f->rbx = w[4], f->rcx = w[5], f->rdx = w[6], f->rsi = w[7];
			f->rdi = w[8], f->rbp = w[9], f->r8 = w[10], f->r9 = w[11];
			f->r10 = w[12], f->r11 = w[13], f->r12 = w[14], f->r13 = w[15];
			f->r14 = w[16], f->r15 = w[17];
			M[k].state = THREAD_RUNNABLE;
			st.resumed++;
			return;
		}
	}
	M[k].state = THREAD_STOPPED;
	st.stopped++;
}

static int m_reply(int s)
{
	int k;

	if (!M[s].ncallers) {
		st.dead_replies++;
		return E_DEAD;
	}
	k = M[s].callers[0];
	m_remove_caller(k);
	st.replies++;
	if (M[k].fault) {
		m_fault_answered(s, k);
		return E_OK;
	}
	m_transfer(s, k, 0);
	M[k].state = THREAD_RUNNABLE;
	return E_OK;
}

/* Receive on e: the bound notification's bits, a waiting sender, or wait. */
static int m_recv(int c, int e, bool nonblock)
{
	int s;

	if (MNbound == c && MNbits) {
		M[c].f.rdi = MNbits;
		M[c].f.rsi = IPC_TAG_NOTIFY;
		MNbits = 0;
		st.notify++;
		return E_OK;
	}
	s = MQn[e] ? MQ[e][0] : -1;
	if (s < 0 || M[s].state != THREAD_SEND) {
		if (nonblock) {
			st.wouldblock++;
			return E_WOULDBLOCK;
		}
		m_enqueue(e, c);
		M[c].state = THREAD_RECV;
		return E_OK;
	}
	m_dequeue(s);
	m_transfer(s, c, M[s].badge);
	if (M[s].call)
		m_push_caller(c, s);
	else
		m_wake(s, E_OK);
	return (int)M[c].f.rax;
}

/* The handler returned ret: RAX, then the scheduler if c blocked. */
static void m_returns(int c, int ret)
{
	M[c].f.rax = (uint64_t)ret;
	x_ret = ret;
	x_out = M[c].state == THREAD_RUNNABLE ? OUT_RETURN : OUT_SCHEDULE;
	if (ret != E_OK && ret != E_WOULDBLOCK && ret != E_DEAD)
		st.errors++;
}

/* c made next ready and switches to it if it is at least as important
 * as everything ready; true if it did not (c goes on, if runnable). */
static bool m_switch(int c, int next)
{
	if (M[next].prio >= highest_seen) {
		x_out = OUT_RUN;
		x_next = next;
		x_ret = -1;
		st.direct++;
		return false;
	}
	if (M[c].state != THREAD_RUNNABLE) {
		x_out = OUT_SCHEDULE;
		x_ret = -1;
		return false;
	}
	return true;
}

static void m_signal(uint64_t bits)
{
	MNbits |= bits;
	if (MNn) {
		int w = MNq[0];

		m_remove(MNq, &MNn, w);
		M[w].f.rdi = MNbits;          /* RSI and the rest untouched */
		M[w].f.rax = E_OK;
		M[w].state = THREAD_RUNNABLE;
		MNbits = 0;
		st.notify++;
	} else if (MNbound >= 0 && M[MNbound].state == THREAD_RECV) {
		int b = MNbound;

		m_dequeue(b);
		M[b].f.rdi = MNbits;
		M[b].f.rsi = IPC_TAG_NOTIFY;
		M[b].f.rax = E_OK;
		M[b].state = THREAD_RUNNABLE;
		MNbits = 0;
		st.notify++;
	}
}

/* ------------------------------------------------ comparing */

static const char *const regname[22] = {
	"r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi",
	"rdx", "rcx", "rbx", "rax", "vector", "error", "rip", "cs", "rflags", "rsp", "ss",
};

static char why[4096];
static size_t whylen;

static void whyf(const char *fmt, ...)
{
	va_list ap;

	if (whylen >= sizeof why - 1)
		return;
	va_start(ap, fmt);
	whylen += (size_t)vsnprintf(why + whylen, sizeof why - whylen, fmt, ap);
	va_end(ap);
	if (whylen > sizeof why - 1)
		whylen = sizeof why - 1;
}

static void check_list(const char *what, struct thread *head, struct thread *tail,
		       const int *q, int n, bool ntfn_queue)
{
	struct thread *t = head, *prev = NULL;

	for (int k = 0; k < n; k++, prev = t, t = t->ipc_next) {
		if (t != &th[q[k]]) {
			whyf("    %s: place %d holds %s%d, model t%d\n", what, k, t ? "t" : "nothing",
			     t ? tix(t) : 0, q[k]);
			return;
		}
		if (t->ipc_prev != prev)
			whyf("    %s: t%d has a wrong ipc_prev\n", what, q[k]);
		if (ntfn_queue ? t->ipc_ntfn != ntfn : t->ipc_ep != eps[M[q[k]].ep])
			whyf("    %s: t%d names another object\n", what, q[k]);
	}
	if (t)
		whyf("    %s: t%d past the model's end\n", what, tix(t));
	else if (tail != prev)
		whyf("    %s: wrong tail\n", what);
}

static bool rnd_check(void)
{
	whylen = 0;
	why[0] = 0;
	if (out != x_out || (x_out == OUT_RUN && out_next != &th[x_next]))
		whyf("    the kernel entry ended in %s (t%d), the model says %s (t%d)\n",
		     outname[out], out_next ? tix(out_next) : -1, outname[x_out],
		     x_out == OUT_RUN ? x_next : -1);
	if (!x_ret_any && out_ret != x_ret)
		whyf("    handler returned %d, model %d\n", out_ret, x_ret);
	for (int i = 0; i < NT; i++) {
		struct thread *t = &th[i];
		struct mth *m = &M[i];
		struct thread *c = t->caller;
		int k;

		if ((int)t->state != m->state) {
			whyf("    t%d: %s, model %s\n", i, stname(t->state), stname(m->state));
			continue;
		}
		if (t->ipc_ep != (m->state == THREAD_SEND || m->state == THREAD_RECV ? eps[m->ep] : NULL))
			whyf("    t%d: ipc_ep wrong\n", i);
		if (t->ipc_ntfn != (m->state == THREAD_WAIT ? ntfn : NULL))
			whyf("    t%d: ipc_ntfn wrong\n", i);
		if (m->state != THREAD_SEND && m->state != THREAD_RECV && m->state != THREAD_WAIT &&
		    (t->ipc_next || t->ipc_prev))
			whyf("    t%d: queue links outside a queue\n", i);
		if (m->state == THREAD_SEND && (t->ipc_call != m->call || t->ipc_badge != m->badge))
			whyf("    t%d: call %d badge %#" PRIx64 ", model %d %#" PRIx64 "\n", i,
			     t->ipc_call, t->ipc_badge, m->call, m->badge);
		if (t->reply_from != (m->state == THREAD_REPLY ? &th[m->reply_from] : NULL))
			whyf("    t%d: reply_from wrong\n", i);
		for (k = 0; k < m->ncallers && c; k++, c = c->reply_next)
			if (c != &th[m->callers[k]])
				break;
		if (k != m->ncallers || c) {
			whyf("    t%d: callers", i);
			for (c = t->caller, k = 0; c && k < NT; c = c->reply_next, k++)
				whyf(" t%d", tix(c));
			whyf(", model");
			for (k = 0; k < m->ncallers; k++)
				whyf(" t%d", m->callers[k]);
			whyf("\n");
		}
		if ((t->fault_tag != 0) != (m->fault != F_NONE) ||
		    (m->fault && (t->fault_tag != m->ftag ||
				  memcmp(t->fault_msg, m->fmsg,
					 IPC_TAG_WORDS(m->ftag) * sizeof m->fmsg[0]))))
			whyf("    t%d: fault report %#" PRIx64 ", model %d\n", i, t->fault_tag, m->fault);
		if (t->bound_ntfn != (MNbound == i ? ntfn : NULL))
			whyf("    t%d: bound_ntfn wrong\n", i);
		if (memcmp(&t->regs, &m->f, sizeof m->f)) {
			const uint64_t *a = (const uint64_t *)&t->regs, *b = (const uint64_t *)&m->f;

			for (unsigned j = 0; j < 22; j++)
				if (a[j] != b[j])
					whyf("    t%d: %s %#" PRIx64 ", model %#" PRIx64 "\n", i,
					     regname[j], a[j], b[j]);
		}
		for (unsigned j = 0; j < IPC_MAX_WORDS; j++)
			if (utcbs[i].mr[j] != m->mr[j]) {
				whyf("    t%d: UTCB word %u %#" PRIx64 ", model %#" PRIx64 "\n", i, j,
				     utcbs[i].mr[j], m->mr[j]);
				break;
			}
		if (m->state == THREAD_RUNNABLE && !rq_in[i])
			whyf("    t%d: runnable but not in the ready queue\n", i);
		if ((m->state == THREAD_STOPPED || m->state == THREAD_DEAD) && rq_in[i])
			whyf("    t%d: %s but in the ready queue\n", i, stname(m->state));
		if (!lazy && m->state != THREAD_RUNNABLE && rq_in[i])
			whyf("    t%d: blocked in the ready queue without lazy scheduling\n", i);
	}
	for (int e = 0; e < NEP; e++) {
		char name[32];

		snprintf(name, sizeof name, "endpoint %u", (unsigned)e % NEP);
		check_list(name, eps[e]->head, eps[e]->tail, MQ[e], MQn[e], false);
	}
	check_list("notification", ntfn->head, ntfn->tail, MNq, MNn, true);
	if (ntfn->bits != MNbits)
		whyf("    notification bits %#" PRIx64 ", model %#" PRIx64 "\n", ntfn->bits, MNbits);
	if (ntfn->bound != (MNbound >= 0 ? &th[MNbound] : NULL))
		whyf("    notification bound wrong\n");
	if (env_err[0])
		whyf("    stub: %s\n", env_err);
	return whylen == 0;
}

/* ------------------------------------------------ the operations */

#define LOGN 48
static char oplog[LOGN][200];
static unsigned long nlog;

static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oplog[nlog % LOGN], sizeof oplog[0], fmt, ap);
	va_end(ap);
	nlog++;
}

static void log_result(void)
{
	size_t n = strlen(oplog[(nlog - 1) % LOGN]);

	char who[8] = "";

	if (out_next)
		snprintf(who, sizeof who, " t%d", tix(out_next));
	else if (out == OUT_SCHEDULE)
		snprintf(who, sizeof who, " idle");
	snprintf(oplog[(nlog - 1) % LOGN] + n, sizeof oplog[0] - n, " -> %s%s, returned %d",
		 outname[out], who, out_ret);
}

/* Writes the model's registers and UTCB of c to the thread. */
static void sync_in(int c)
{
	th[c].regs = M[c].f;
	memcpy(utcbs[c].mr, M[c].mr, sizeof M[c].mr);
}

static uint64_t rnd_tag(bool exceptions)
{
	unsigned r = rn(100), words;
	uint64_t tag;

	if (exceptions && r < 12)
		return IPC_TAG(IPC_LABEL_RESUME, 18, 0, 0);
	if (r < 50)
		words = rn(IPC_REG_WORDS + 1);
	else if (r < 94)
		words = IPC_REG_WORDS + 1 + rn(IPC_MAX_WORDS - IPC_REG_WORDS);
	else if (r < 96)
		words = IPC_MAX_WORDS + 1 + rn(63);
	else
		words = rn(IPC_MAX_WORDS + 1);
	tag = IPC_TAG(rn(0x10000), words, 0, 0);
	if (r >= 96) {
		switch (rn(3)) {
		case 0: tag |= (uint64_t)(33 + rn(31)) << 7; break;     /* too many words */
		case 1: tag |= 0x4000; break;
		default: tag |= IPC_TAG_NOTIFY; break;
		}
	}
	if (rn(5) == 0)
		tag |= IPC_NONBLOCK;
	return tag;
}

/* A message from c: a tag and fresh words, in the model and the thread. */
static void rnd_msg(int c, uint64_t tag)
{
	M[c].f.rsi = tag;
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		*fw(&M[c].f, i) = rnd();
	for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
		M[c].mr[i] = rnd();
	if (IPC_TAG_LABEL(tag) == IPC_LABEL_RESUME) {
		/* register words for an exception answer: mostly good ones */
		M[c].f.rdx = rn(20) ? rnd() % USER_END : USER_END + rn(100);
		M[c].f.r8 = rnd() % USER_END;
	}
}

static uint64_t rnd_send_slot(void)
{
	static const uint64_t bad[] = { S_EP_RO, S_EP_WO, S_NT, S_EMPTY, S_RANGE, S_TH + 1 };
	unsigned r = rn(100);

	if (r < 45)
		return S_EP + rn(NEP);
	if (r < 85)
		return S_EPB + rn(NEP);
	if (r < 92)
		return S_EPB2;
	return bad[rn(6)];
}

static uint64_t rnd_recv_slot(void)
{
	static const uint64_t bad[] = { S_EP_RO, S_EP_WO, S_NT, S_EMPTY, S_RANGE, S_EPB + 1 };
	unsigned r = rn(100);

	if (r < 88)
		return S_EP + rn(NEP);
	if (r < 93)
		return S_EPB2;
	return bad[rn(6)];
}

/* Send or call by c. */
static void r_send(int c, bool call, bool exceptions)
{
	uint64_t slot = rnd_send_slot(), tag = rnd_tag(exceptions);
	const struct capdef *d;
	int err, e, r;

	rnd_msg(c, tag);
	M[c].f.rdi = slot;
	sync_in(c);
	logf_("t%d %s slot %" PRIu64 " words %u%s", c, call ? "call" : "send", slot,
	      IPC_TAG_WORDS(tag), tag & IPC_NONBLOCK ? " nb" : "");
	enter(c, call ? sys_call : sys_send);
	if ((err = m_decode(slot, CAP_ENDPOINT, RIGHT_WRITE, &d)) != E_OK ||
	    (err = m_message(c, tag)) != E_OK) {
		m_returns(c, err);
		return;
	}
	e = d->obj;
	r = MQn[e] ? MQ[e][0] : -1;
	if (r < 0 || M[r].state != THREAD_RECV) {
		if (tag & IPC_NONBLOCK) {
			st.wouldblock++;
			m_returns(c, E_WOULDBLOCK);
			return;
		}
		M[c].badge = d->badge;
		M[c].call = call;
		m_enqueue(e, c);
		M[c].state = THREAD_SEND;
		m_returns(c, E_OK);
		return;
	}
	m_dequeue(r);
	m_transfer(c, r, d->badge);
	if (call)
		m_push_caller(r, c);
	M[r].state = THREAD_RUNNABLE;
	M[c].f.rax = E_OK;
	if (m_switch(c, r))
		m_returns(c, E_OK);
}

static void r_recv(int c)
{
	uint64_t slot = rnd_recv_slot(), flags = rn(4) == 0 ? IPC_NONBLOCK : 0;
	const struct capdef *d;
	int err;

	M[c].f.rdi = slot;
	M[c].f.rsi = flags | (uint64_t)rn(0x10000) << 16;
	sync_in(c);
	logf_("t%d recv slot %" PRIu64 "%s", c, slot, flags ? " nb" : "");
	enter(c, sys_recv);
	if ((err = m_decode(slot, CAP_ENDPOINT, RIGHT_READ, &d)) != E_OK) {
		m_returns(c, err);
		return;
	}
	m_returns(c, m_recv(c, d->obj, flags != 0));
}

/* Whom c's reply answers, for the log. */
static const char *owed(int c)
{
	static char buf[64];
	int k;

	if (!M[c].ncallers)
		return "(no caller)";
	k = M[c].callers[0];
	snprintf(buf, sizeof buf, "(answers t%d%s, %d callers)", k,
		 M[k].fault == F_PAGE ? "'s page fault" : M[k].fault == F_EXC ? "'s exception" : "",
		 M[c].ncallers);
	return buf;
}

static void r_reply(int c, bool exceptions)
{
	uint64_t tag = rnd_tag(exceptions);
	int err;

	rnd_msg(c, tag);
	sync_in(c);
	logf_("t%d reply words %u label %#" PRIx64 " %s", c, IPC_TAG_WORDS(tag),
	      IPC_TAG_LABEL(tag), owed(c));
	enter(c, sys_reply);
	if ((err = m_message(c, tag)) != E_OK) {
		m_returns(c, err);
		return;
	}
	m_returns(c, m_reply(c));
}

static void r_reply_wait(int c, bool exceptions)
{
	uint64_t slot = rnd_recv_slot(), tag = rnd_tag(exceptions);
	const struct capdef *d;
	int err, client, ret;

	rnd_msg(c, tag);
	M[c].f.rdi = slot;
	sync_in(c);
	logf_("t%d reply_wait slot %" PRIu64 " words %u label %#" PRIx64 "%s %s", c, slot,
	      IPC_TAG_WORDS(tag), IPC_TAG_LABEL(tag), tag & IPC_NONBLOCK ? " nb" : "", owed(c));
	enter(c, sys_reply_wait);
	if ((err = m_decode(slot, CAP_ENDPOINT, RIGHT_READ, &d)) != E_OK ||
	    (err = m_message(c, tag)) != E_OK) {
		m_returns(c, err);
		return;
	}
	client = M[c].ncallers ? M[c].callers[0] : -1;
	if (client >= 0)
		m_reply(c);
	ret = m_recv(c, d->obj, tag & IPC_NONBLOCK);
	if (M[c].state == THREAD_RECV && client >= 0) {
		if (M[client].state == THREAD_RUNNABLE) {
			m_switch(c, client);    /* c blocked: RUN or SCHEDULE */
		} else {
			/* the answer left it stopped: nothing to switch to */
			x_out = OUT_SCHEDULE;
			x_ret_any = true;
			if (out_ret >= 0)
				M[c].f.rax = (uint64_t)out_ret;
		}
		return;
	}
	m_returns(c, ret);
}

static void r_abort(int c)
{
	uint64_t slot = rn(10) ? S_TH + rn(NT) : (uint64_t[]){ S_TH_NOCTL, S_EP + 0, S_EMPTY }[rn(3)];
	const struct capdef *d;
	int err, t;

	M[c].f.rdi = slot;
	sync_in(c);
	logf_("t%d abort slot %" PRIu64, c, slot);
	enter(c, sys_ipc_abort);
	if ((err = m_decode(slot, CAP_THREAD, RIGHT_CONTROL, &d)) != E_OK) {
		m_returns(c, err);
		return;
	}
	t = d->obj;
	if (M[t].state == THREAD_DEAD) {
		m_returns(c, E_DEAD);
		return;
	}
	if (M[t].state != THREAD_SEND && M[t].state != THREAD_RECV && M[t].state != THREAD_REPLY &&
	    M[t].state != THREAD_WAIT) {
		m_returns(c, E_STATE);
		return;
	}
	m_cancel(t, E_ABORTED);
	st.aborted++;
	m_returns(c, E_OK);
}

static void r_notification(int c, int what)
{
	static const uint64_t sig_slots[] = { S_NT, S_NTB, S_NTB2, S_NTB2, S_NT_RO, S_EP + 0 };
	static const uint64_t wait_slots[] = { S_NT, S_NT, S_NT_RO, S_NTB, S_EMPTY };
	const struct capdef *d;
	uint64_t slot;
	int err;

	slot = what == 0 ? sig_slots[rn(6)] : wait_slots[rn(5)];
	M[c].f.rdi = slot;
	sync_in(c);
	logf_("t%d %s slot %" PRIu64, c, what == 0 ? "signal" : what == 1 ? "wait" : "poll", slot);
	enter(c, what == 0 ? sys_signal : what == 1 ? sys_wait : sys_poll);
	if ((err = m_decode(slot, CAP_NOTIFICATION, what == 0 ? RIGHT_WRITE : RIGHT_READ, &d)) !=
	    E_OK) {
		m_returns(c, err);
		return;
	}
	if (what == 0) {
		m_signal(d->badge ? d->badge : 1);
	} else if (what == 2 || MNbits) {
		M[c].f.rdi = MNbits;
		MNbits = 0;
	} else {
		MNq[MNn++] = c;
		M[c].state = THREAD_WAIT;
	}
	m_returns(c, E_OK);
}

static void r_bind(int c)
{
	uint64_t tslot = rn(12) ? S_TH + rn(NT) : S_TH_NOCTL;
	uint64_t nslot = rn(3) == 0 ? CAP_NONE : rn(8) ? S_NT : S_NTB;
	const struct capdef *d, *n = NULL;
	int err, t;

	M[c].f.rdi = tslot;
	M[c].f.rsi = nslot;
	sync_in(c);
	logf_("t%d bind slot %" PRIu64 " to %s", c, tslot, nslot == CAP_NONE ? "none" : "ntfn");
	enter(c, sys_notification_bind);
	if ((err = m_decode(tslot, CAP_THREAD, RIGHT_CONTROL, &d)) != E_OK ||
	    (nslot != CAP_NONE && (err = m_decode(nslot, CAP_NOTIFICATION, RIGHT_READ, &n)) != E_OK)) {
		m_returns(c, err);
		return;
	}
	t = d->obj;
	if (M[t].state == THREAD_DEAD) {
		m_returns(c, E_DEAD);
		return;
	}
	if (!n) {
		if (MNbound == t)
			MNbound = -1;
		m_returns(c, E_OK);
		return;
	}
	if (MNbound >= 0) {
		m_returns(c, E_STATE);
		return;
	}
	MNbound = t;
	/* bits already pending end the receive it is blocked in now */
	if (MNbits)
		m_signal(0);
	m_returns(c, E_OK);
}

static void r_fault(int c, bool exceptions)
{
	bool page = !exceptions || rn(2);
	int e = page ? Mpager[c] : Mhandler[c];
	uint64_t addr = rnd() % USER_END, vector, error;
	int r;

	if (page) {
		vector = 14;
		error = (rn(2) ? 1 : 0) | (rn(2) ? 2 : 0) | 4 | (rn(2) ? 16 : 0);
	} else {
		vector = (uint64_t[]){ 0, 6, 13, 17 }[rn(4)];
		error = rn(2) ? rnd() & 0xFFFF : 0;
	}
	M[c].f.vector = vector;
	M[c].f.error = error;
	sync_in(c);
	logf_("t%d %s fault", c, page ? "page" : "exception");
	fault(c, vector, error, addr);
	x_ret = -1;
	if (e < 0) {
		x_out = OUT_RETURN;
		x_ret = 0;
		return;
	}
	st.faults++;
	M[c].fault = page ? F_PAGE : F_EXC;
	if (page) {
		M[c].ftag = IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0);
		M[c].fmsg[0] = addr;
		M[c].fmsg[1] = M[c].f.rip;
		M[c].fmsg[2] = (error & 2 ? IPC_FAULT_WRITE : 0) | (error & 16 ? IPC_FAULT_EXEC : 0) |
			       (error & 1 ? IPC_FAULT_PRESENT : 0);
	} else {
		M[c].ftag = IPC_TAG(IPC_LABEL_EXCEPTION, IPC_EXCEPTION_WORDS, 0, 0);
		m_regs_of(&M[c].f, M[c].fmsg);
		M[c].fmsg[18] = vector;
		M[c].fmsg[19] = error;
	}
	r = MQn[e] ? MQ[e][0] : -1;
	if (r < 0 || M[r].state != THREAD_RECV) {
		M[c].badge = page ? PAGER_BADGE(c) : HANDLER_BADGE(c);
		M[c].call = true;
		m_enqueue(e, c);
		M[c].state = THREAD_SEND;
		x_out = OUT_SCHEDULE;
		return;
	}
	m_dequeue(r);
	m_transfer(c, r, page ? PAGER_BADGE(c) : HANDLER_BADGE(c));
	m_push_caller(r, c);
	M[r].state = THREAD_RUNNABLE;
	m_switch(c, r);
}

/* A thread made afresh where a dead one was (a new thread, new priority). */
static void r_revive(int t)
{
	static const int prios[] = { 3, 7, 7, 12 };
	int p = prios[rn(4)];

	logf_("revive t%d at %d", t, p);
	if (th[t].caller || th[t].reply_from || th[t].reply_next || th[t].ipc_ep ||
	    th[t].ipc_ntfn || th[t].bound_ntfn || th[t].ipc_next || th[t].ipc_prev || th[t].fault_tag)
		env_fail("dead t%d still linked", t);
	th[t].task = &tasks[t];
	th[t].priority = (uint8_t)p;
	th[t].state = THREAD_RUNNABLE;
	sched_enqueue(&th[t]);
	M[t].prio = p;
	M[t].state = THREAD_RUNNABLE;
}

static void r_endpoint_dies(int e)
{
	logf_("endpoint %d dies", e);
	endpoint_destroy(eps[e]);
	while (MQn[e])
		m_cancel(MQ[e][0], E_DEAD);
	if (endpoint_create(&quota, &eps[e]) != E_OK)
		abort();
	for (int i = 0; i < NT; i++)
		set_fault_caps(i, Mpager[i], Mhandler[i]);
	caps_install();
}

static int pick(bool (*ok)(int))
{
	int cand[NT], n = 0;

	for (int i = 0; i < NT; i++)
		if (ok(i))
			cand[n++] = i;
	return n ? cand[rn((unsigned)n)] : -1;
}

static bool is_runnable(int i) { return M[i].state == THREAD_RUNNABLE; }
static bool is_dead(int i) { return M[i].state == THREAD_DEAD; }
static bool is_stopped(int i) { return M[i].state == THREAD_STOPPED; }
static bool is_alive(int i) { return M[i].state != THREAD_DEAD; }
static bool is_serving(int i) { return M[i].state == THREAD_RUNNABLE && M[i].ncallers; }

static bool is_blocked(int i)
{
	return M[i].state == THREAD_SEND || M[i].state == THREAD_RECV ||
	       M[i].state == THREAD_REPLY || M[i].state == THREAD_WAIT;
}

enum {
	R_SEND, R_CALL, R_RECV, R_REPLY, R_REPLY_WAIT, R_ABORT, R_SIGNAL, R_WAIT, R_POLL, R_BIND,
	R_FAULT, R_KILL, R_REVIVE, R_START, R_EPDIE, R_CANCEL, R_NOPS
};
static const unsigned weights[R_NOPS] = { 12, 14, 16, 10, 16, 4, 6, 3, 2, 3, 4, 1, 3, 4, 1, 2 };

static bool rnd_step(bool exceptions)
{
	int c = pick(is_runnable), op, t;
	unsigned total = 0, r;

	for (int k = 0; k < R_NOPS; k++)
		total += weights[k];
	x_out = OUT_NONE;
	x_next = -1;
	x_ret = -1;
	x_ret_any = false;
	out = OUT_NONE;
	out_next = NULL;
	out_ret = -1;
	for (;;) {
		r = rn(total);
		for (op = 0; r >= weights[op]; op++)
			r -= weights[op];
		if (op <= R_FAULT && c < 0)
			continue;
		if ((op == R_REVIVE && pick(is_dead) < 0) || (op == R_START && pick(is_stopped) < 0) ||
		    (op == R_CANCEL && pick(is_blocked) < 0) || (op == R_KILL && pick(is_alive) < 0))
			continue;
		break;
	}
	/* replies mostly from threads that owe one */
	if ((op == R_REPLY || op == R_REPLY_WAIT) && rn(5) && pick(is_serving) >= 0)
		c = pick(is_serving);
	switch (op) {
	case R_SEND: r_send(c, false, exceptions); break;
	case R_CALL: r_send(c, true, exceptions); break;
	case R_RECV: r_recv(c); break;
	case R_REPLY: r_reply(c, exceptions); break;
	case R_REPLY_WAIT: r_reply_wait(c, exceptions); break;
	case R_ABORT: r_abort(c); break;
	case R_SIGNAL: r_notification(c, 0); break;
	case R_WAIT: r_notification(c, 1); break;
	case R_POLL: r_notification(c, 2); break;
	case R_BIND: r_bind(c); break;
	case R_FAULT: r_fault(c, exceptions); break;
	case R_KILL:
		t = pick(is_alive);
		logf_("kill t%d (%s)", t, stname(M[t].state));
		kill_thread(t);
		m_release(t);
		M[t].state = THREAD_DEAD;
		st.died++;
		break;
	case R_REVIVE:
		r_revive(pick(is_dead));
		break;
	case R_START:
		t = pick(is_stopped);
		logf_("start t%d", t);
		sched_wake(&th[t]);
		M[t].state = THREAD_RUNNABLE;
		break;
	case R_EPDIE:
		r_endpoint_dies((int)rn(NEP));
		break;
	case R_CANCEL:
		t = pick(is_blocked);
		logf_("cancel t%d (%s)", t, stname(M[t].state));
		ipc_cancel(&th[t], E_ABORTED);
		m_cancel(t, E_ABORTED);
		break;
	}
	log_result();
	switch (x_out) {
	case OUT_RUN: break;
	case OUT_SCHEDULE: st.sched++; break;
	case OUT_RETURN: st.ret++; break;
	}
	return rnd_check();
}

static bool random_run(uint64_t seed, unsigned steps, bool lazy_mode, bool exceptions)
{
	static const int prios[] = { 3, 7, 7, 12 };
	unsigned long step;

	reset();
	lazy = lazy_mode;
	rng = seed;
	nlog = 0;
	memset(&st, 0, sizeof st);
	memset(M, 0, sizeof M);
	memset(MQn, 0, sizeof MQn);
	MNbits = 0;
	MNn = 0;
	MNbound = -1;
	for (int i = 0; i < NT; i++) {
		set_utcb(i, i == 5 ? U_UNMAPPED : i == 6 ? U_NONE : i == 7 ? U_RO : U_RW);
		Mpager[i] = i == NO_PAGER ? -1 : i % NEP;
		Mhandler[i] = i == NO_PAGER ? -1 : (i + 1) % NEP;
		start(i, prios[rn(4)]);
		M[i].state = THREAD_RUNNABLE;
		M[i].prio = th[i].priority;
		M[i].ep = M[i].reply_from = -1;
		M[i].f = th[i].regs;
		memcpy(M[i].mr, utcbs[i].mr, sizeof M[i].mr);
	}
	for (step = 0; step < steps; step++) {
		if (!rnd_step(exceptions)) {
			unsigned long first = nlog > LOGN ? nlog - LOGN : 0;

			printf("    step %lu (seed %#" PRIx64 ", %s scheduling): the last operations:\n",
			       step, seed, lazy ? "lazy" : "eager");
			for (unsigned long k = first; k < nlog; k++)
				printf("      %lu: %s\n", k, oplog[k % LOGN]);
			printf("%s", why);
			return false;
		}
	}
	printf("    random(%s%s): %u steps, %lu messages (%lu E_FAULT), %lu replies "
	       "(%lu to nobody), %lu notifications, %lu fault reports (%lu resumed, %lu stopped), "
	       "%lu aborts, %lu deaths, %lu direct switches, %lu to the scheduler, %lu returns, "
	       "%lu E_WOULDBLOCK, %lu other errors\n",
	       lazy ? "lazy" : "eager", exceptions ? ", exceptions" : "", steps, st.msgs, st.efault,
	       st.replies, st.dead_replies, st.notify, st.faults, st.resumed, st.stopped, st.aborted,
	       st.died, st.direct, st.sched, st.ret, st.wouldblock, st.errors);
	return true;
}

TEST(random_against_model_lazy)
{
	CHECK(random_run(0x1C0FFEE0001ull, 30000, true, false));
}

TEST(random_against_model_eager)
{
	CHECK(random_run(0x5EED0000BEEFull, 30000, false, false));
}

TEST(random_against_model_with_exception_reports)
{
	CHECK(random_run(0xABCDEF0123ull, 30000, true, true));
}
