/*
 * The programs init starts: loading (a task, a thread, the capabilities
 * of its manifest line, a start-up page), paging (ELF segments, stack and
 * heap filled on first touch), and supervision (a fault is reported and
 * the task torn down; restarted when its line says so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/regs.h>
#include <abi/syscall.h>
#include <mica/start.h>
#include <mica/syscall.h>
#include "frames.h"
#include "init.h"

#define PAGE 4096ull
#define PAGE_DOWN(a) ((a) & ~(PAGE - 1))
#define PAGE_UP(a)   (((a) + PAGE - 1) & ~(PAGE - 1))
#define SLICE_TICKS 2

struct child children[CHILDREN_MAX + 1];

static long remember(struct child *c, uint64_t va, uint64_t pa)
{
	if (c->npages == c->pages_cap) {
		size_t cap = c->pages_cap ? 2 * c->pages_cap : 64;
		struct page_rec *p = realloc(c->pages, cap * sizeof(*p));

		if (!p)
			return E_NOMEM;
		c->pages = p;
		c->pages_cap = cap;
	}
	c->pages[c->npages++] = (struct page_rec){ va, pa };
	return E_OK;
}

/* The page init gave c at va, or NULL. */
static const struct page_rec *given(const struct child *c, uint64_t va)
{
	for (size_t i = 0; i < c->npages; i++)
		if (c->pages[i].va == va)
			return &c->pages[i];
	return NULL;
}

/* A fresh zeroed page for c at va; its address in init's window in *win. */
static long give_page(struct child *c, uint64_t va, uint64_t perms, void **win)
{
	uint64_t pa;
	long err = frame_map_new(c->task, va, perms, &pa);

	if (err != E_OK)
		return err;
	if ((err = remember(c, va, pa)) != E_OK) {
		frame_free(pa);
		return err;
	}
	if (win)
		*win = frame_window(pa);
	return E_OK;
}

uint64_t child_pages_total(void)
{
	uint64_t n = 0;

	for (unsigned i = 1; i <= CHILDREN_MAX; i++)
		n += children[i].npages;
	return n;
}

/* ------------------------------------------------------------ loading */

static const char *module_name(const struct kip_module *mod)
{
	const char *s = mod->cmdline;

	while (*s == ' ')
		s++;
	return s;
}

/* The boot module whose command line's first word is name. */
static const struct kip_module *module_find(const char *name)
{
	const struct kip *kip = (const struct kip *)KIP_ADDR;

	for (uint32_t i = 0; i < kip->nmodules && i < KIP_MAX_MODULES; i++) {
		const char *s = module_name(&kip->modules[i]);
		size_t n = strlen(name);

		if (strncmp(s, name, n) == 0 && (s[n] == 0 || s[n] == ' '))
			return &kip->modules[i];
	}
	return NULL;
}

/* Copies init's capability src into c's table at dst, as a badged copy
 * when badge is not 0. */
static long give_cap(struct child *c, uint64_t src, uint64_t dst, unsigned rights,
		     uint64_t badge)
{
	if (badge)
		return sys_cap_mint(src, c->task, dst, rights, badge);
	return sys_cap_copy(src, c->task, dst, rights);
}

/* The manifest's IRQ lines, I/O ranges and memory, recorded in info. */
static long give_grants(struct child *c, struct start_info *info)
{
	const struct kip *kip = (const struct kip *)KIP_ADDR;
	uint64_t va = DEVICE_BASE;
	long err = E_OK;

	for (unsigned i = 0; i < c->m.ngrants && err == E_OK; i++) {
		const struct grant *g = &c->m.grants[i];
		struct start_cap *sc = &info->caps[info->ncaps++];

		*sc = (struct start_cap){ .a = g->a, .b = g->b, .slot = SLOT_GRANTED + i };
		switch (g->kind) {
		case GRANT_IRQ:
			sc->kind = START_CAP_IRQ;
			if (g->a >= kip->nirqs)
				return E_RANGE;
			err = give_cap(c, SLOT_IRQ_BASE + g->a, sc->slot, RIGHTS_ALL, 0);
			break;
		case GRANT_IO:
			sc->kind = START_CAP_IOPORT;
			err = give_cap(c, SLOT_IOPORTS, sc->slot, RIGHTS_ALL, IOPORT_RANGE(g->a, g->b));
			break;
		case GRANT_MEM:
			sc->kind = START_CAP_MEM;
			sc->slot = 0;
			sc->va = va;
			for (uint64_t off = 0; off < g->b && err == E_OK; off += PAGE)
				err = sys_map(c->task, kip->phys_window + g->a + off, va + off, 12,
					      MAP_WRITE);
			va += PAGE_UP(g->b) + PAGE;
			break;
		}
	}
	return err;
}

/* init's log for the console: a ring page, read-only for it, and a
 * notification it waits on and init signals. */
static long give_log(struct child *c, struct start_info *info)
{
	struct console_log *ring;
	uint64_t ntfn = slot_alloc();
	long err;

	if (!ntfn)
		return E_NOMEM;
	if ((err = sys_notification_create(c->task, ntfn)) != E_OK ||
	    (err = sys_cap_copy(ntfn, c->task, SLOT_LOG, RIGHTS_ALL)) != E_OK ||
	    (c->log_ntfn = slot_alloc()) == 0 ||
	    (err = sys_cap_mint(ntfn, SLOT_SELF_TASK, c->log_ntfn, RIGHT_WRITE,
				CONSOLE_LOG_BIT)) != E_OK ||
	    (err = give_page(c, START_LOG_ADDR, 0, (void **)&ring)) != E_OK) {
		slot_free(ntfn);
		return err ? err : E_NOMEM;
	}
	slot_free(ntfn);        /* the child's copy and init's badged one remain */
	info->caps[info->ncaps++] = (struct start_cap){ .kind = START_CAP_LOG, .slot = SLOT_LOG,
							.va = START_LOG_ADDR };
	c->log_ring = ring;
	return E_OK;
}

static long give_start_info(struct child *c)
{
	struct start_info *info;
	long err;

	if ((err = give_page(c, START_INFO_ADDR, 0, (void **)&info)) != E_OK)
		return err;
	info->magic = START_MAGIC;
	strncpy(info->name, c->m.name, START_NAME_MAX);
	strncpy(info->args, c->m.args, START_ARGS_MAX - 1);
	info->heap_limit = c->m.heap;
	info->stack_limit = c->m.stack;
	info->restarts = c->restarts;
	if ((err = give_grants(c, info)) != E_OK)
		return err;
	if (c->m.log)
		err = give_log(c, info);
	return err;
}

/* The task's capabilities: itself, its thread, init (badged: its
 * number). init keeps the badged original, so that revoking it at
 * teardown takes every copy back, wherever the program passed them. */
static long give_basics(struct child *c)
{
	long err;

	if (!(c->init_cap = slot_alloc()))
		return E_NOMEM;
	if ((err = sys_cap_copy(c->task, c->task, SLOT_SELF_TASK, RIGHTS_ALL)) != E_OK ||
	    (err = sys_cap_copy(c->thread, c->task, SLOT_SELF_THREAD, RIGHTS_ALL)) != E_OK ||
	    (err = sys_cap_mint(init_endpoint, SLOT_SELF_TASK, c->init_cap,
				RIGHT_WRITE | RIGHT_GRANT, c->number)) != E_OK ||
	    (err = sys_thread_config_ipc(c->thread, START_UTCB_ADDR, c->init_cap,
					 c->init_cap)) != E_OK)
		return err;
	return sys_cap_copy(c->init_cap, c->task, SLOT_INIT, RIGHTS_ALL);
}

static long load(struct child *c)
{
	const struct kip_module *mod = module_find(c->m.module);
	const struct kip *kip = (const struct kip *)KIP_ADDR;
	struct mica_regs r;
	enum elf_status st;
	long err;

	if (!mod) {
		printf("init: %s: no boot module named %s\n", c->m.name, c->m.module);
		c->reported = 1;
		return E_NOENT;
	}
	c->image = (const uint8_t *)(kip->phys_window + mod->base);
	c->image_size = mod->size;
	if ((st = elf_parse(c->image, c->image_size, PAGE, HEAP_BASE, &c->elf)) != ELF_OK) {
		printf("init: %s: module %s is not a program: %s\n", c->m.name, c->m.module,
		       elf_strerror(st));
		c->reported = 1;
		return E_INVAL;
	}
	if (!(c->task = slot_alloc()) || !(c->thread = slot_alloc()))
		return E_NOMEM;
	if ((err = sys_task_create(SLOT_SELF_TASK, c->task, c->m.quota, PROGRAM_SLOTS)) != E_OK ||
	    (err = sys_thread_create(c->task, c->thread)) != E_OK ||
	    (err = give_basics(c)) != E_OK ||
	    (err = give_page(c, START_UTCB_ADDR, MAP_WRITE, NULL)) != E_OK ||
	    (err = give_start_info(c)) != E_OK ||
	    (err = sys_thread_config(c->thread, c->m.prio, SLICE_TICKS)) != E_OK)
		return err;
	r = (struct mica_regs){ .rip = c->elf.entry, .rsp = STACK_TOP,
				.rdi = START_INFO_ADDR, .rsi = START_UTCB_ADDR };
	if ((err = sys_thread_write_regs(c->thread, &r)) != E_OK)
		return err;
	return sys_thread_start(c->thread);
}

/* Everything of c's goes: capabilities (and what was derived from them),
 * its names, its pages. */
static void teardown(struct child *c)
{
	/* An interrupt line stays bound to a notification of the task's
	 * (the binding holds a capability of its own) until it is unbound. */
	for (unsigned i = 0; i < c->m.ngrants; i++)
		if (c->m.grants[i].kind == GRANT_IRQ && c->task)
			sys_irq_bind(SLOT_IRQ_BASE + c->m.grants[i].a, CAP_NONE);
	registry_drop_owner(c->number);
	if (c->m.log) {
		log_detach();
		slot_free(c->log_ntfn);
		c->log_ntfn = 0;
	}
	if (c->thread) {
		sys_cap_revoke(c->thread);
		slot_free(c->thread);
	}
	if (c->task) {
		sys_cap_revoke(c->task);       /* its capability to itself */
		slot_free(c->task);
	}
	if (c->init_cap) {
		sys_cap_revoke(c->init_cap);
		slot_free(c->init_cap);
	}
	c->task = c->thread = c->init_cap = 0;
	for (size_t i = 0; i < c->npages; i++)
		frame_free(c->pages[i].pa);
	free(c->pages);
	c->pages = NULL;
	c->npages = c->pages_cap = 0;
}

long child_start(struct child *c)
{
	long err;

	c->reported = 0;
	if ((err = load(c)) != E_OK) {
		if (!c->reported)
			printf("init: %s: cannot start: %s\n", c->m.name, strerror((int)err));
		teardown(c);
		c->state = INIT_TASK_FAULTED;
		return err;
	}
	c->state = INIT_TASK_RUNNING;
	return E_OK;
}

void child_stop(struct child *c, enum init_task_state why)
{
	teardown(c);
	c->state = why;
	if (why != INIT_TASK_FAULTED || !c->m.restart)
		return;
	if (c->restarts >= RESTARTS_MAX) {
		printf("init: %s: restarted %u times, left stopped\n", c->m.name, c->restarts);
		return;
	}
	c->restarts++;
	printf("init: %s: restarting (%u)\n", c->m.name, c->restarts);
	child_start(c);
}

/* ------------------------------------------------------------ paging */

static uint64_t segment_perms(uint32_t flags)
{
	return ((flags & ELF_PF_W) ? MAP_WRITE : 0) | ((flags & ELF_PF_X) ? MAP_EXEC : 0);
}

/* The permissions of c's page at va, which init gave it. */
static uint64_t page_perms(const struct child *c, uint64_t va)
{
	for (unsigned i = 0; i < c->elf.nsegments; i++) {
		const struct elf_segment *s = &c->elf.segments[i];

		if (va >= PAGE_DOWN(s->vaddr) && va < PAGE_UP(s->vaddr + s->memsz))
			return segment_perms(s->flags);
	}
	if (va == START_INFO_ADDR || va == START_LOG_ADDR)
		return 0;
	return MAP_WRITE;       /* stack, heap, UTCB */
}

/* The page at va of segment s: fresh, with the image's bytes copied in. */
static long page_segment(struct child *c, const struct elf_segment *s, uint64_t va)
{
	uint64_t from = va > s->vaddr ? va : s->vaddr;
	uint64_t to = va + PAGE < s->vaddr + s->filesz ? va + PAGE : s->vaddr + s->filesz;
	uint8_t *win;
	long err = give_page(c, va, segment_perms(s->flags), (void **)&win);

	if (err == E_OK && from < to)
		memcpy(win + (from - va), c->image + s->offset + (from - s->vaddr), to - from);
	return err;
}

static const char *access_name(uint64_t access)
{
	if (access & IPC_FAULT_EXEC)
		return "execute";
	return (access & IPC_FAULT_WRITE) ? "write" : "read";
}

static void report_page_fault(struct child *c, uint64_t addr, uint64_t ip, uint64_t access,
			      const char *what)
{
	if (c->m.log)
		log_detach();   /* the console cannot print its own death */
	printf("init: %s faulted: page fault at 0x%llx, ip 0x%llx (%s, %s); stopped\n",
	       c->m.name, (unsigned long long)addr, (unsigned long long)ip,
	       access_name(access), what);
}

int child_page_fault(struct child *c, const struct ipc_msg *m)
{
	uint64_t addr = m->w[0], ip = m->w[1], access = m->w[2], va = PAGE_DOWN(addr);
	const char *what = "outside its memory";
	long err = E_RANGE;

	const struct page_rec *had = given(c, va);

	if (access & IPC_FAULT_PRESENT) {
		what = "not permitted";
	} else if (had) {
		/* A page it gave away or unmapped itself: the same one again,
		 * so that faults can never make init hand out more memory than
		 * the program's ranges hold. */
		err = frame_map(c->task, had->pa, va, page_perms(c, va));
	} else if (va >= STACK_TOP - c->m.stack && va < STACK_TOP) {
		err = give_page(c, va, MAP_WRITE, NULL);
	} else if (va >= HEAP_BASE && va - HEAP_BASE < c->m.heap) {
		err = give_page(c, va, MAP_WRITE, NULL);
	} else {
		for (unsigned i = 0; i < c->elf.nsegments; i++) {
			const struct elf_segment *s = &c->elf.segments[i];

			if (va >= PAGE_DOWN(s->vaddr) && va < PAGE_UP(s->vaddr + s->memsz)) {
				if (((access & IPC_FAULT_WRITE) && !(s->flags & ELF_PF_W)) ||
				    ((access & IPC_FAULT_EXEC) && !(s->flags & ELF_PF_X))) {
					what = "not permitted";
					break;
				}
				err = page_segment(c, s, va);
				break;
			}
		}
	}
	if (err == E_OK)
		return 1;
	if (err == E_NOMEM)
		what = "out of memory";
	report_page_fault(c, addr, ip, access, what);
	child_stop(c, INIT_TASK_FAULTED);
	return 0;
}

static const char *const exception_names[32] = {
	[0] = "divide error", [1] = "debug", [3] = "breakpoint", [4] = "overflow",
	[5] = "bound range", [6] = "invalid opcode", [7] = "device not available",
	[13] = "general protection", [16] = "x87 error", [17] = "alignment check",
	[19] = "SIMD error",
};

void child_exception(struct child *c, const struct ipc_msg *m)
{
	const struct utcb *u = utcb_self();
	uint64_t vector = u->mr[18], error = u->mr[19];
	const char *name = vector < 32 && exception_names[vector] ? exception_names[vector] :
			   "exception";

	if (c->m.log)
		log_detach();   /* the console cannot print its own death */
	printf("init: %s faulted: %s (vector %llu, error 0x%llx) at ip 0x%llx; stopped\n",
	       c->m.name, name, (unsigned long long)vector, (unsigned long long)error,
	       (unsigned long long)m->w[0]);
	child_stop(c, INIT_TASK_FAULTED);
}

long child_release(struct child *c, uint64_t addr, uint64_t len)
{
	if ((addr | len) & (PAGE - 1) || addr + len < addr)
		return E_INVAL;
	for (size_t i = 0; i < c->npages;) {
		const struct page_rec *p = &c->pages[i];

		if (p->va >= addr && p->va - addr < len && p->va >= HEAP_BASE &&
		    p->va - HEAP_BASE < c->m.heap) {
			frame_free(p->pa);
			c->pages[i] = c->pages[--c->npages];
		} else {
			i++;
		}
	}
	return E_OK;
}
