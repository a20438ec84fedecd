/*
 * Host unit tests of the mapping database and the memory system calls
 * (SYS_MAP, SYS_GRANT, SYS_UNMAP): the real mapping.c and mdb.c, with
 * host stubs for everything around them. An address space is a sorted
 * array of (va, pa, perms, node) with page tables charged to the quota
 * like the real ones; kernel memory is malloc with a per-quota count; the
 * frame pool records every frame that comes back; capabilities, the
 * current thread and sigma0's window are small fakes.
 *
 * Directed tests cover each decode error of the three calls, holes in a
 * flexpage, replacing a destination, grant, unmap with and without
 * UNMAP_SELF, kernel pages, quota and mid-way exhaustion, sigma0 and
 * teardown. A long random run of map/grant/unmap/teardown over six
 * spaces is checked after every step against a reference model written
 * from docs/abi.md (per space: page -> frame, permissions, parent): the
 * mappings, every node's parent, which frames return to the pool, and how
 * much kernel memory is held.
 *
 * sources: kernel/mm/mapping.c kernel/lib/mdb.c
 */
#define UNIT_SUITE "mapping"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <sys/syscall.h>

#include "unit.h"

#include <kstate.h>
#include <mapping.h>
#include <mdb.h>
#include <panic.h>
#include <sigma0.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/syscall.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <obj/task.h>
#include <obj/thread.h>

/* ============================================================ the fakes */

#define NTASKS     6
#define SLOT_NOCTL (NTASKS)             /* task 0 without RIGHT_CONTROL */
#define SLOT_ENDPT (NTASKS + 1)         /* an endpoint, not a task */
#define SLOT_EMPTY (NTASKS + 2)
#define NSLOTS     (NTASKS + 3)

#define NFRAMES    4096
#define FRAME_BASE 0x1000000ull         /* pool frame i is FRAME_BASE + i pages */
#define S0_PAGES   64                   /* pool frames 0..63: sigma0's fake window */
#define DEV_BASE   0xFE000000ull        /* device memory: never in the pool */

#define BIG_QUOTA  (1ull << 40)
#define R          VM_READ
#define RW         (VM_READ | VM_WRITE)
#define RX         (VM_READ | VM_EXEC)
#define RWX        (VM_READ | VM_WRITE | VM_EXEC)

/* ------------------------------------------------ stub errors and panic */

/* The first thing a stub found wrong (a broken contract of mapping.c). */
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

void panic(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s.%s: panic: ", UNIT_SUITE, unit_current ? unit_current : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (env_err[0])
		printf("    stub: %s\n", env_err);
	exit(1);
}

/* ------------------------------------------------ tasks, caps, thread */

static struct task tasks[NTASKS];
static struct quota quotas[NTASKS];
static struct cap cslots[NTASKS][NSLOTS];
static int endpoint_dummy;
static struct thread cur_thread;

/* thread_current() is an inline load through GS (arch/percpu.h): GS
 * points at a fake per-CPU block whose current thread is cur_thread. */
static struct percpu unit_cpu = { .self = &unit_cpu, .current = &cur_thread };

__attribute__((constructor)) static void unit_gs_init(void)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&unit_cpu) != 0) {
		printf("FAIL %s.setup: arch_prctl(ARCH_SET_GS) failed\n", UNIT_SUITE);
		exit(1);
	}
}

/* As core/cspace.c: range, empty, type, rights, in that order. */
int cap_lookup(const struct cspace *cs, uint64_t idx, unsigned type, unsigned rights,
	       struct cap **out)
{
	struct cap *c;

	if (idx >= cs->nslots)
		return E_CAP_RANGE;
	c = &cs->slots[idx];
	if (!c->obj)
		return E_CAP_EMPTY;
	if (type != CAP_NULL && c->type != type)
		return E_CAP_TYPE;
	if ((c->rights & rights) != rights)
		return E_CAP_RIGHTS;
	*out = c;
	return E_OK;
}

/* ------------------------------------------------ quotas, kernel memory */

/* quota_charge and quota_release are kmem.h's own (inline); no task's
 * quota is orphaned here, so their rare part is never called. */
void quota_collect(struct quota *q)
{
	env_fail("quota_collect: quota %p is not orphaned", (void *)q);
}

static int quota_index(const struct quota *q)
{
	for (int i = 0; i < NTASKS; i++)
		if (q == &quotas[i])
			return i;
	env_fail("not one of the tasks' quotas: %p", (const void *)q);
	return 0;
}

/* Every live object, so that a test can count and free them. */
struct khdr {
	struct khdr *next, *prev;
	struct quota *q;
	size_t size;
	uint64_t magic;
	uint64_t pad;
};
#define KMAGIC 0x6b6d656d6f626a21ull

static struct khdr *klive;
static uint64_t kobjs, kbytes;          /* live objects and their charges */
static uint64_t kq_bytes[NTASKS];       /* kmem charges per quota */
static uint64_t tq_bytes[NTASKS];       /* page-table charges per quota */
static long kmem_fail_after = -1;       /* >= 0: that many more succeed, then "no memory" */

void *kmem_alloc(struct quota *q, size_t size)
{
	uint64_t c = kmem_class_bytes(size);
	struct khdr *h;

	if (size == 0 || size > KMEM_OBJ_MAX) {
		env_fail("kmem_alloc: size %zu", size);
		return NULL;
	}
	if (quota_charge(q, c) != E_OK)
		return NULL;
	if (kmem_fail_after == 0) {     /* physical memory ran out */
		quota_release(q, c);
		return NULL;
	}
	if (kmem_fail_after > 0)
		kmem_fail_after--;
	h = calloc(1, sizeof *h + size);
	if (!h)
		abort();
	h->q = q;
	h->size = size;
	h->magic = KMAGIC;
	h->next = klive;
	if (klive)
		klive->prev = h;
	klive = h;
	kobjs++;
	kbytes += c;
	kq_bytes[quota_index(q)] += c;
	return h + 1;
}

static void kobj_unlink(struct khdr *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		klive = h->next;
	if (h->next)
		h->next->prev = h->prev;
	h->magic = 0;
	free(h);
}

static bool node_still_mapped(const struct mapping *m);

/* kmem_free (inline, kmem.h) comes here, then releases the charge from
 * the quota it was given: a free to another quota than the allocation's
 * leaves the two quotas' used unequal to their kq_bytes + tq_bytes, which
 * the consistency check reports. */
void kmem_free_uncharged(void *obj, size_t size)
{
	struct khdr *h = (struct khdr *)obj - 1;
	uint64_t c = kmem_class_bytes(size);

	if (h->magic != KMAGIC) {
		env_fail("kmem_free: %p is not a live object", obj);
		return;
	}
	if (kmem_class_bytes(h->size) != c)
		env_fail("kmem_free: %p freed with size %zu, allocated with size %zu",
			 obj, size, h->size);
	if (size == sizeof(struct mapping) && node_still_mapped(obj))
		env_fail("kmem_free: node %p freed while a page table still names it", obj);
	kobjs--;
	kbytes -= c;
	kq_bytes[quota_index(h->q)] -= c;
	kobj_unlink(h);
}

/* ------------------------------------------------ the frame pool */

struct frame_pool frame_pool;
static bool frame_taken[NFRAMES];       /* out of the pool */
static bool frame_kernel[NFRAMES];      /* taken for "the kernel's own use" */
static unsigned frame_cursor;
#define FREED_MAX (2 * NFRAMES)
static uint64_t freed[FREED_MAX];       /* frames returned since freed_clear() */
static unsigned nfreed;

static uint64_t frame_pa(unsigned i)
{
	return FRAME_BASE + (uint64_t)i * PAGE_SIZE;
}

static int frame_index(uint64_t pa)
{
	if (pa < FRAME_BASE || (pa & (PAGE_SIZE - 1)) || (pa - FRAME_BASE) / PAGE_SIZE >= NFRAMES)
		return -1;
	return (int)((pa - FRAME_BASE) / PAGE_SIZE);
}

/* A frame out of the pool, round robin (a frame just freed is not reused at once). */
static uint64_t pool_take(void)
{
	unsigned n = NFRAMES - S0_PAGES;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = S0_PAGES + (frame_cursor + k) % n;

		if (!frame_taken[i]) {
			frame_taken[i] = true;
			frame_cursor = (frame_cursor + k + 1) % n;
			return frame_pa(i);
		}
	}
	env_fail("the fake pool is empty");
	return FRAME_NONE;
}

enum frame_status frame_free(struct frame_pool *fp, uint64_t phys)
{
	int i = frame_index(phys);

	if (fp != &frame_pool) {
		env_fail("frame_free: not the frame pool");
		return FRAME_EINVAL;
	}
	if (i < 0) {
		env_fail("frame_free: %" PRIx64 " is not a pool frame", phys);
		return FRAME_EINVAL;
	}
	if (!frame_taken[i]) {
		env_fail("frame_free: %" PRIx64 " freed twice", phys);
		return FRAME_EFREE;
	}
	frame_taken[i] = false;
	if (nfreed < FREED_MAX)
		freed[nfreed++] = phys;
	return FRAME_OK;
}

static void freed_clear(void)
{
	nfreed = 0;
}

/* Whether exactly the frames listed (FRAME_NONE-terminated) came back since freed_clear(). */
static bool freed_are(const uint64_t *want)
{
	unsigned k;

	for (k = 0; want[k] != FRAME_NONE; k++) {
		unsigned hits = 0;

		for (unsigned j = 0; j < nfreed; j++)
			hits += freed[j] == want[k];
		if (hits != 1) {
			printf("    frame %" PRIx64 " returned %u times\n", want[k], hits);
			return false;
		}
	}
	if (k != nfreed)
		printf("    %u frames returned, expected %u\n", nfreed, k);
	return k == nfreed;
}
#define FREED(...) freed_are((const uint64_t[]){ __VA_ARGS__ FRAME_NONE })

/* ------------------------------------------------ address spaces */

struct fpte {
	uint64_t va, pa;
	unsigned perms;
	struct mapping *node;
};

/* A page table the space holds: level 3 (PDPT), 2 (PD) or 1 (leaf pair). */
struct ftable {
	int level;
	uint64_t key;
	int qi;
};

struct fspace {
	struct fpte *e;         /* sorted by va */
	size_t n, cap;
	struct ftable *t;
	size_t nt, tcap;
};

static struct fspace fspaces[NTASKS];

static struct fspace *fs_of(const struct vspace *vs)
{
	for (int i = 0; i < NTASKS; i++)
		if (vs == &tasks[i].vspace && vs->pml4 == (uint64_t)i + 1)
			return &fspaces[i];
	printf("FAIL %s.%s: not a task's vspace: %p\n", UNIT_SUITE, unit_current,
	       (const void *)vs);
	exit(1);
}

static int space_of(const struct vspace *vs)
{
	return (int)(fs_of(vs) - fspaces);
}

/* The first entry at or above va. */
static size_t fs_lower(const struct fspace *fs, uint64_t va)
{
	size_t lo = 0, hi = fs->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (fs->e[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct fpte *fs_find(const struct fspace *fs, uint64_t va)
{
	size_t i = fs_lower(fs, va);

	return i < fs->n && fs->e[i].va == va ? &fs->e[i] : NULL;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	if (*cap < need)
		*cap = need;
	p = realloc(p, *cap * elem);
	if (!p)
		abort();
	return p;
}

/* The tables va needs, charged to q as the real ones are: false if q cannot pay. */
static bool tables_ensure(struct fspace *fs, uint64_t va, struct quota *q)
{
	static const struct { int level, shift; uint64_t bytes; } lv[] = {
		{ 3, 39, PAGE_SIZE }, { 2, 30, PAGE_SIZE }, { 1, 21, 2 * PAGE_SIZE },
	};

	for (unsigned l = 0; l < 3; l++) {
		uint64_t key = va >> lv[l].shift;
		bool have = false;

		for (size_t i = 0; i < fs->nt && !have; i++)
			have = fs->t[i].level == lv[l].level && fs->t[i].key == key;
		if (have)
			continue;
		if (quota_charge(q, lv[l].bytes) != E_OK)
			return false;
		fs->t = grow(fs->t, &fs->tcap, fs->nt + 1, sizeof *fs->t);
		fs->t[fs->nt++] = (struct ftable){ lv[l].level, key, quota_index(q) };
		tq_bytes[quota_index(q)] += lv[l].bytes;
	}
	return true;
}

int vspace_map(struct vspace *vs, uint64_t va, uint64_t pa, unsigned perms,
	       struct mapping *node, struct quota *q)
{
	struct fspace *fs = fs_of(vs);
	size_t i;

	if ((va & (PAGE_SIZE - 1)) || (pa & (PAGE_SIZE - 1)) || va >= USER_END)
		env_fail("vspace_map: va %" PRIx64 " pa %" PRIx64, va, pa);
	if (perms & ~(VM_READ | VM_WRITE | VM_EXEC | VM_UNCACHED))
		env_fail("vspace_map: perms %x", perms);
	if (fs_find(fs, va)) {
		env_fail("vspace_map: %" PRIx64 " in space %d is mapped already", va,
			 (int)(fs - fspaces));
		return E_NOMEM;
	}
	if (!tables_ensure(fs, va, q))
		return E_NOMEM;
	i = fs_lower(fs, va);
	fs->e = grow(fs->e, &fs->cap, fs->n + 1, sizeof *fs->e);
	memmove(&fs->e[i + 1], &fs->e[i], (fs->n - i) * sizeof *fs->e);
	fs->e[i] = (struct fpte){ va, pa, perms, node };
	fs->n++;
	return E_OK;
}

bool vspace_lookup(struct vspace *vs, uint64_t va, uint64_t *pa, unsigned *perms,
		   struct mapping **node)
{
	struct fpte *e = fs_find(fs_of(vs), va);

	if (!e)
		return false;
	*pa = e->pa;
	*perms = e->perms | VM_READ;    /* the hardware cannot take read away */
	*node = e->node;
	return true;
}

bool vspace_mapped(struct vspace *vs, uint64_t va, struct mapping **node)
{
	struct fpte *e = fs_find(fs_of(vs), va);

	if (!e)
		return false;
	*node = e->node;
	return true;
}

void vspace_unmap(struct vspace *vs, uint64_t va)
{
	struct fspace *fs = fs_of(vs);
	size_t i = fs_lower(fs, va);

	if (i == fs->n || fs->e[i].va != va) {
		env_fail("vspace_unmap: nothing at %" PRIx64 " in space %d", va,
			 (int)(fs - fspaces));
		return;
	}
	memmove(&fs->e[i], &fs->e[i + 1], (fs->n - i - 1) * sizeof *fs->e);
	fs->n--;
}

struct mapping *vspace_unmap_node(struct vspace *vs, uint64_t va, uint64_t *pa)
{
	struct fpte *e = fs_find(fs_of(vs), va);
	struct mapping *m;

	if (!e || !(m = e->node))
		return NULL;
	*pa = e->pa;
	vspace_unmap(vs, va);
	return m;
}

/* In address order, from a cursor, so that fn may remove any mapping. */
void vspace_each_mapping(struct vspace *vs, void (*fn)(struct mapping *m, void *arg),
			 void *arg)
{
	struct fspace *fs = fs_of(vs);
	uint64_t cursor = 0;

	for (;;) {
		size_t i = fs_lower(fs, cursor);

		while (i < fs->n && !fs->e[i].node)
			i++;
		if (i == fs->n)
			return;
		cursor = fs->e[i].va + PAGE_SIZE;
		fn(fs->e[i].node, arg);
	}
}

static bool node_still_mapped(const struct mapping *m)
{
	for (int s = 0; s < NTASKS; s++)
		for (size_t i = 0; i < fspaces[s].n; i++)
			if (fspaces[s].e[i].node == m)
				return true;
	return false;
}

/* Not zeroed: filled with a pattern, so that a field the caller forgets shows. */
void *kmem_alloc_raw(struct quota *q, size_t size)
{
	void *obj = kmem_alloc(q, size);

	if (obj)
		memset(obj, 0xA5, size);
	return obj;
}

/* ------------------------------------------------ sigma0 */

struct task *sigma0_task;
static unsigned sigma0_fills;

/* Window page p is pool frame p, unless "the kernel" has it (frame_kernel). */
bool sigma0_fill(struct task *t, uint64_t va)
{
	uint64_t page = va & ~(PAGE_SIZE - 1), pa;
	unsigned perms, p;
	struct mapping *m;

	if (t != sigma0_task || va < SIGMA0_BASE || va - SIGMA0_BASE >= S0_PAGES * PAGE_SIZE)
		return false;
	if (vspace_lookup(&t->vspace, page, &pa, &perms, &m))
		return false;
	p = (unsigned)((page - SIGMA0_BASE) / PAGE_SIZE);
	if (frame_taken[p])
		return false;
	frame_taken[p] = true;
	if (mapping_insert(&t->vspace, t->quota, page, frame_pa(p), RWX, NULL, true) != E_OK) {
		frame_taken[p] = false;
		return false;
	}
	sigma0_fills++;
	return true;
}

/* ------------------------------------------------ set-up and teardown */

static void env_reset(void)
{
	while (klive)
		kobj_unlink(klive);
	for (int s = 0; s < NTASKS; s++) {
		free(fspaces[s].e);
		free(fspaces[s].t);
	}
	memset(fspaces, 0, sizeof fspaces);
	memset(tasks, 0, sizeof tasks);
	memset(quotas, 0, sizeof quotas);
	memset(cslots, 0, sizeof cslots);
	memset(kq_bytes, 0, sizeof kq_bytes);
	memset(tq_bytes, 0, sizeof tq_bytes);
	memset(frame_taken, 0, sizeof frame_taken);
	memset(frame_kernel, 0, sizeof frame_kernel);
	kobjs = kbytes = 0;
	kmem_fail_after = -1;
	frame_cursor = 0;
	sigma0_task = NULL;
	sigma0_fills = 0;
	env_err[0] = 0;
	freed_clear();
	for (int i = 0; i < NTASKS; i++) {
		struct task *t = &tasks[i];

		quotas[i].limit = BIG_QUOTA;
		t->quota = &quotas[i];
		t->hdr.quota = &quotas[i];
		t->id = (uint32_t)i + 1;
		t->vspace.pml4 = (uint64_t)i + 1;       /* how fs_of() finds its table */
		t->cspace.slots = cslots[i];
		t->cspace.nslots = NSLOTS;
		for (int j = 0; j < NTASKS; j++)
			cslots[i][j] = (struct cap){ .obj = &tasks[j], .type = CAP_TASK,
						     .rights = RIGHTS_ALL };
		cslots[i][SLOT_NOCTL] = (struct cap){ .obj = &tasks[0], .type = CAP_TASK,
						      .rights = RIGHTS_ALL & ~RIGHT_CONTROL };
		cslots[i][SLOT_ENDPT] = (struct cap){ .obj = &endpoint_dummy,
						      .type = CAP_ENDPOINT, .rights = RIGHTS_ALL };
	}
}

static struct mapping *mapping_of(struct mdb_node *n)
{
	return n ? (struct mapping *)((uint8_t *)n - offsetof(struct mapping, mdb)) : NULL;
}

static struct mapping *parent_of(const struct mapping *m)
{
	return mapping_of(m->mdb.parent);
}

/*
 * The invariants every state must keep: each page's node names that page,
 * the derivation links are consistent and lead to live nodes, kernel
 * memory is exactly the nodes, and each quota holds its nodes and tables.
 */
static bool consistent(void)
{
	uint64_t nodes = 0;

	if (!env_ok())
		return false;
	for (int s = 0; s < NTASKS; s++) {
		const struct fspace *fs = &fspaces[s];

		for (size_t i = 0; i < fs->n; i++) {
			const struct fpte *e = &fs->e[i];
			const struct mapping *m = e->node, *p;
			const struct mdb_node *c, *prev = NULL;
			bool found = false;

			if (!m)
				continue;
			nodes++;
			if (m->vs != &tasks[s].vspace || m->va != e->va || m->quota != &quotas[s]) {
				printf("    space %d va %" PRIx64 ": node names space %d va %" PRIx64
				       "\n", s, e->va, space_of(m->vs), m->va);
				return false;
			}
			for (c = m->mdb.child; c; prev = c, c = c->next) {
				if (c->parent != &m->mdb || c->prev != prev) {
					printf("    space %d va %" PRIx64 ": broken child list\n", s,
					       e->va);
					return false;
				}
			}
			p = parent_of(m);
			if (!p) {
				if (m->mdb.next || m->mdb.prev) {
					printf("    space %d va %" PRIx64 ": a root with siblings\n", s,
					       e->va);
					return false;
				}
				continue;
			}
			if (!node_still_mapped(p)) {
				printf("    space %d va %" PRIx64 ": parent not mapped\n", s, e->va);
				return false;
			}
			for (c = p->mdb.child; c && !found; c = c->next)
				found = c == &m->mdb;
			if (!found) {
				printf("    space %d va %" PRIx64 ": not in its parent's list\n", s,
				       e->va);
				return false;
			}
		}
	}
	if (kobjs != nodes || kbytes != nodes * kmem_class_bytes(sizeof(struct mapping))) {
		printf("    %" PRIu64 " nodes, %" PRIu64 " kernel objects, %" PRIu64 " bytes\n",
		       nodes, kobjs, kbytes);
		return false;
	}
	for (int q = 0; q < NTASKS; q++) {
		if (quotas[q].used != kq_bytes[q] + tq_bytes[q]) {
			printf("    quota %d: used %" PRIu64 ", objects %" PRIu64 " + tables %" PRIu64
			       "\n", q, quotas[q].used, kq_bytes[q], tq_bytes[q]);
			return false;
		}
	}
	return env_ok();
}

/*
 * Every space goes (mapping_teardown); then nothing may be left: no node,
 * no kernel object, and no frame out of the pool but the kernel's own.
 * Pages without a node (kernel pages) are the caller's to remove.
 */
static bool teardown_all(void)
{
	if (!consistent())
		return false;
	for (int s = 0; s < NTASKS; s++)
		mapping_teardown(&tasks[s].vspace);
	for (int s = 0; s < NTASKS; s++) {
		for (size_t i = 0; i < fspaces[s].n; i++) {
			if (fspaces[s].e[i].node) {
				printf("    space %d keeps va %" PRIx64 "\n", s, fspaces[s].e[i].va);
				return false;
			}
		}
	}
	if (kobjs || kbytes) {
		printf("    %" PRIu64 " kernel objects leaked\n", kobjs);
		return false;
	}
	for (unsigned i = 0; i < NFRAMES; i++) {
		if (frame_taken[i] != frame_kernel[i]) {
			printf("    frame %" PRIx64 " never returned\n", frame_pa(i));
			return false;
		}
	}
	return consistent();
}

/* ------------------------------------------------ system calls */

static int syscall5(int caller, syscall_fn fn, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4)
{
	struct trap_frame *f = &cur_thread.regs, saved;
	int err;

	memset(f, 0x5a, sizeof *f);
	f->rdi = a0;
	f->rsi = a1;
	f->rdx = a2;
	f->r10 = a3;
	f->r8 = a4;
	saved = *f;
	cur_thread.task = &tasks[caller];
	err = fn(f);
	if (memcmp(&saved, f, sizeof saved))
		env_fail("a memory system call changed the caller's registers");
	return err;
}

/* caller maps/grants its flexpage at src to task slot dslot's at dst. */
static int sys_map_as(int caller, uint64_t dslot, uint64_t src, uint64_t dst,
		      uint64_t size_log2, uint64_t perms)
{
	return syscall5(caller, sys_map, dslot, src, dst, size_log2, perms);
}

static int sys_grant_as(int caller, uint64_t dslot, uint64_t src, uint64_t dst,
			uint64_t size_log2, uint64_t perms)
{
	return syscall5(caller, sys_grant, dslot, src, dst, size_log2, perms);
}

static int sys_unmap_as(int caller, uint64_t base, uint64_t size_log2, uint64_t flags)
{
	return syscall5(caller, sys_unmap, base, size_log2, flags, 0x1234, 0x5678);
}

/* ------------------------------------------------ queries */

static struct fpte *pte_at(int s, uint64_t va)
{
	return fs_find(&fspaces[s], va);
}

static struct mapping *node_at(int s, uint64_t va)
{
	struct fpte *e = pte_at(s, va);

	return e ? e->node : NULL;
}

static uint64_t pa_at(int s, uint64_t va)
{
	struct fpte *e = pte_at(s, va);

	return e ? e->pa : FRAME_NONE;
}

static unsigned perms_at(int s, uint64_t va)
{
	struct fpte *e = pte_at(s, va);

	return e ? e->perms : 0;
}

static size_t nmapped(int s)
{
	return fspaces[s].n;
}

/* A root in s at va: a fresh frame of the pool that the mapping owns. */
static struct mapping *root(int s, uint64_t va, unsigned perms)
{
	uint64_t pa = pool_take();

	if (mapping_insert(&tasks[s].vspace, &quotas[s], va, pa, perms, NULL, true) != E_OK) {
		env_fail("root: mapping_insert failed");
		return NULL;
	}
	return node_at(s, va);
}

/* A root in s at va of memory that is not the pool's (device memory). */
static struct mapping *dev_root(int s, uint64_t va, uint64_t pa, unsigned perms)
{
	if (mapping_insert(&tasks[s].vspace, &quotas[s], va, pa, perms, NULL, false) != E_OK) {
		env_fail("dev_root: mapping_insert failed");
		return NULL;
	}
	return node_at(s, va);
}

/* Whether m at (s, va) is mapped with pa and perms, derived from parent. */
static bool is_node(int s, uint64_t va, uint64_t pa, unsigned perms, const struct mapping *parent)
{
	struct fpte *e = pte_at(s, va);

	if (!e || !e->node) {
		printf("    space %d va %" PRIx64 ": no node\n", s, va);
		return false;
	}
	if (e->pa != pa || e->perms != perms || parent_of(e->node) != parent) {
		printf("    space %d va %" PRIx64 ": pa %" PRIx64 " perms %x parent %p; want %"
		       PRIx64 " %x %p\n", s, va, e->pa, e->perms, (void *)parent_of(e->node), pa,
		       perms, (const void *)parent);
		return false;
	}
	return true;
}

/* ------------------------------------------------ snapshots */

/* Everything a failed call must leave as it was. */
struct snap {
	struct fpte e[NTASKS][256];
	struct mapping *parent[NTASKS][256];
	bool owns[NTASKS][256];
	size_t n[NTASKS];
	uint64_t used[NTASKS];
	uint64_t kobjs;
	bool taken[NFRAMES];
};

static struct snap snap_buf;

static void snap_take(void)
{
	struct snap *sn = &snap_buf;

	for (int s = 0; s < NTASKS; s++) {
		sn->n[s] = fspaces[s].n;
		for (size_t i = 0; i < fspaces[s].n && i < 256; i++) {
			sn->e[s][i] = fspaces[s].e[i];
			sn->parent[s][i] = fspaces[s].e[i].node ? parent_of(fspaces[s].e[i].node) : NULL;
			sn->owns[s][i] = fspaces[s].e[i].node && fspaces[s].e[i].node->owns_frame;
		}
		sn->used[s] = quotas[s].used;
	}
	sn->kobjs = kobjs;
	memcpy(sn->taken, frame_taken, sizeof frame_taken);
}

static bool snap_same(void)
{
	const struct snap *sn = &snap_buf;

	for (int s = 0; s < NTASKS; s++) {
		if (sn->n[s] != fspaces[s].n || sn->used[s] != quotas[s].used) {
			printf("    space %d: %zu pages (was %zu), quota used %" PRIu64 " (was %" PRIu64
			       ")\n", s, fspaces[s].n, sn->n[s], quotas[s].used, sn->used[s]);
			return false;
		}
		for (size_t i = 0; i < sn->n[s] && i < 256; i++) {
			const struct fpte *a = &sn->e[s][i], *b = &fspaces[s].e[i];

			if (a->va != b->va || a->pa != b->pa || a->perms != b->perms ||
			    a->node != b->node ||
			    (b->node && (parent_of(b->node) != sn->parent[s][i] ||
					 b->node->owns_frame != sn->owns[s][i]))) {
				printf("    space %d va %" PRIx64 " changed\n", s, a->va);
				return false;
			}
		}
	}
	if (sn->kobjs != kobjs || memcmp(sn->taken, frame_taken, sizeof frame_taken)) {
		printf("    kernel objects or frames changed\n");
		return false;
	}
	return consistent();
}

/* ============================================================ directed tests */

enum { A, B, C, D, E, F };

/* Page n of a 2 MiB-aligned test area. */
#define VA(n) (0x200000ull + (uint64_t)(n) * PAGE_SIZE)

/* ------------------------------------------------ decode errors */

TEST(decode_size_log2_outside_12_to_22)
{
	static const uint64_t bad[] = { 0, 1, 11, 23, 30, 63, 64, (1ull << 32) | 12, ~0ull };

	env_reset();
	CHECK(root(A, VA(0), RWX));
	CHECK(root(B, VA(0), RWX));
	snap_take();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(sys_map_as(A, B, VA(0), VA(8), bad[i], 0) == E_INVAL);
		CHECK(sys_grant_as(A, B, VA(0), VA(8), bad[i], 0) == E_INVAL);
		CHECK(sys_unmap_as(A, VA(0), bad[i], 0) == E_INVAL);
		CHECK(sys_unmap_as(A, VA(0), bad[i], UNMAP_SELF) == E_INVAL);
	}
	CHECK(snap_same());
	/* The ends of the range decode: 2^12 maps, 2^22 finds nothing. */
	CHECK(sys_map_as(A, C, 0x400000, 0x800000, 22, 0) == E_NOTMAPPED);
	CHECK(sys_grant_as(A, C, 0x400000, 0x800000, 22, 0) == E_NOTMAPPED);
	CHECK(sys_unmap_as(A, 0x400000, 22, 0) == E_NOTMAPPED);
	CHECK(sys_map_as(A, C, VA(0), VA(0), 12, 0) == E_OK);
	CHECK(is_node(C, VA(0), pa_at(A, VA(0)), R, node_at(A, VA(0))));
	CHECK(teardown_all());
}

TEST(decode_misaligned_bases)
{
	env_reset();
	CHECK(root(A, VA(0), RWX));
	CHECK(root(A, VA(1), RWX));
	snap_take();
	/* Source, destination, and both, for several sizes. */
	CHECK(sys_map_as(A, B, VA(1), VA(0), 13, 0) == E_ALIGN);
	CHECK(sys_map_as(A, B, VA(0), VA(1), 13, 0) == E_ALIGN);
	CHECK(sys_map_as(A, B, VA(0) + 0x800, VA(0), 12, 0) == E_ALIGN);
	CHECK(sys_map_as(A, B, VA(0), VA(0) + 8, 12, 0) == E_ALIGN);
	CHECK(sys_map_as(A, B, VA(2), VA(0), 14, 0) == E_ALIGN);
	CHECK(sys_map_as(A, B, 0x300000, 0x400000, 22, 0) == E_ALIGN);
	CHECK(sys_grant_as(A, B, VA(1), VA(0), 13, 0) == E_ALIGN);
	CHECK(sys_grant_as(A, B, VA(0), VA(3), 13, 0) == E_ALIGN);
	CHECK(sys_unmap_as(A, VA(1), 13, 0) == E_ALIGN);
	CHECK(sys_unmap_as(A, VA(1), 13, UNMAP_SELF) == E_ALIGN);
	CHECK(sys_unmap_as(A, VA(0) + 1, 12, UNMAP_SELF) == E_ALIGN);
	CHECK(snap_same());
	CHECK(teardown_all());
}

TEST(decode_outside_0x1000_to_kip)
{
	static const struct { uint64_t base, log2; } bad[] = {
		{ 0, 12 }, { 0, 13 }, { 0, 22 },
		{ KIP_ADDR, 12 }, { KIP_ADDR, 13 },             /* the KIP itself */
		{ KIP_ADDR & ~0x3FFFull, 14 },                  /* overlaps the KIP */
		{ KIP_ADDR & ~0x3FFFFFull, 22 },
		{ USER_END, 12 }, { USER_END, 22 },
		{ 0xFFFF800000000000ull, 12 }, { 0xFFFFFFFFFFFFF000ull, 12 },
		{ 0xFFFFFFFFFFC00000ull, 22 }, { 1ull << 63, 12 },
	};

	env_reset();
	CHECK(root(A, 0x1000, RWX));
	CHECK(root(A, KIP_ADDR - PAGE_SIZE, RWX));
	snap_take();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(sys_map_as(A, B, bad[i].base, 0x400000, bad[i].log2, 0) == E_RANGE);
		CHECK(sys_map_as(A, B, 0x400000, bad[i].base, bad[i].log2, 0) == E_RANGE);
		CHECK(sys_grant_as(A, B, 0x400000, bad[i].base, bad[i].log2, 0) == E_RANGE);
		CHECK(sys_grant_as(A, B, bad[i].base, 0x400000, bad[i].log2, 0) == E_RANGE);
		CHECK(sys_unmap_as(A, bad[i].base, bad[i].log2, 0) == E_RANGE);
		CHECK(sys_unmap_as(A, bad[i].base, bad[i].log2, UNMAP_SELF) == E_RANGE);
	}
	CHECK(snap_same());
	/* The first and last mappable pages. */
	CHECK(sys_map_as(A, B, 0x1000, KIP_ADDR - PAGE_SIZE, 12, 0) == E_OK);
	CHECK(sys_map_as(A, B, KIP_ADDR - PAGE_SIZE, 0x1000, 12, MAP_WRITE) == E_OK);
	CHECK(is_node(B, KIP_ADDR - PAGE_SIZE, pa_at(A, 0x1000), R, node_at(A, 0x1000)));
	CHECK(is_node(B, 0x1000, pa_at(A, KIP_ADDR - PAGE_SIZE), RW,
		      node_at(A, KIP_ADDR - PAGE_SIZE)));
	CHECK(sys_grant_as(B, C, KIP_ADDR - PAGE_SIZE, 0x1000, 12, 0) == E_OK);
	CHECK(sys_unmap_as(C, 0x1000, 12, 0) == E_OK);
	CHECK(sys_unmap_as(A, KIP_ADDR - PAGE_SIZE, 12, UNMAP_SELF) == E_OK);
	CHECK(nmapped(B) == 0 && nmapped(C) == 1);
	CHECK(teardown_all());
}

TEST(decode_unknown_permission_and_flag_bits)
{
	static const uint64_t bad[] = { VM_UNCACHED, 0x10, 0x80, 0x100 | MAP_READ, 1ull << 32,
					(1ull << 32) | MAP_WRITE, 1ull << 63, ~0ull };

	env_reset();
	CHECK(root(A, VA(0), RWX | VM_UNCACHED));
	snap_take();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(sys_map_as(A, B, VA(0), VA(0), 12, bad[i]) == E_INVAL);
		CHECK(sys_grant_as(A, B, VA(0), VA(0), 12, bad[i]) == E_INVAL);
		if (bad[i] & ~(uint64_t)UNMAP_SELF)
			CHECK(sys_unmap_as(A, VA(0), 12, bad[i]) == E_INVAL);
	}
	CHECK(snap_same());
	/* Every known combination is accepted. */
	for (uint64_t p = 0; p <= (MAP_READ | MAP_WRITE | MAP_EXEC); p++) {
		CHECK(sys_map_as(A, B, VA(0), VA(p), 12, p) == E_OK);
		CHECK(is_node(B, VA(p), pa_at(A, VA(0)), (unsigned)p | R | VM_UNCACHED,
			      node_at(A, VA(0))));
	}
	CHECK(teardown_all());
}

TEST(decode_capability_errors)
{
	static const struct { uint64_t slot; int err; } bad[] = {
		{ NSLOTS, E_CAP_RANGE }, { NSLOTS + 1, E_CAP_RANGE }, { 1ull << 40, E_CAP_RANGE },
		{ ~0ull, E_CAP_RANGE }, { SLOT_EMPTY, E_CAP_EMPTY }, { SLOT_ENDPT, E_CAP_TYPE },
		{ SLOT_NOCTL, E_CAP_RIGHTS },
	};

	env_reset();
	CHECK(root(A, VA(0), RWX));
	snap_take();
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(sys_map_as(A, bad[i].slot, VA(0), VA(1), 12, 0) == bad[i].err);
		CHECK(sys_grant_as(A, bad[i].slot, VA(0), VA(1), 12, 0) == bad[i].err);
	}
	CHECK(snap_same());
	CHECK(teardown_all());
}

/* ------------------------------------------------ permissions, sources */

TEST(map_permission_the_source_lacks)
{
	struct mapping *r, *rw, *rx, *rwx;

	env_reset();
	CHECK((r = root(A, VA(0), R)));
	CHECK((rw = root(A, VA(1), RW)));
	CHECK((rx = root(A, VA(2), RX)));
	CHECK((rwx = root(A, VA(3), RWX)));
	CHECK(root(B, VA(1), RW));      /* to show a refused call replaces nothing */
	snap_take();
	CHECK(sys_map_as(A, B, VA(0), VA(0), 12, MAP_WRITE) == E_PERM);
	CHECK(sys_map_as(A, B, VA(0), VA(0), 12, MAP_EXEC) == E_PERM);
	CHECK(sys_map_as(A, B, VA(1), VA(1), 12, MAP_EXEC) == E_PERM);
	CHECK(sys_map_as(A, B, VA(2), VA(2), 12, MAP_WRITE) == E_PERM);
	/* One page of four lacking it refuses the whole flexpage. */
	CHECK(sys_map_as(A, B, VA(0), VA(0), 14, MAP_WRITE) == E_PERM);
	CHECK(sys_map_as(A, B, VA(0), VA(0), 14, MAP_EXEC | MAP_READ) == E_PERM);
	CHECK(sys_grant_as(A, B, VA(0), VA(0), 14, MAP_WRITE) == E_PERM);
	CHECK(sys_grant_as(A, B, VA(2), VA(2), 12, MAP_WRITE | MAP_EXEC) == E_PERM);
	CHECK(snap_same());
	/* Read is implied; each page gives what it has. */
	CHECK(sys_map_as(A, B, VA(0), VA(0), 14, 0) == E_OK);
	CHECK(is_node(B, VA(0), pa_at(A, VA(0)), R, r));
	CHECK(is_node(B, VA(1), pa_at(A, VA(1)), R, rw));
	CHECK(is_node(B, VA(2), pa_at(A, VA(2)), R, rx));
	CHECK(is_node(B, VA(3), pa_at(A, VA(3)), R, rwx));
	CHECK(sys_map_as(A, C, VA(1), VA(1), 12, MAP_WRITE) == E_OK);
	CHECK(sys_map_as(A, C, VA(2), VA(2), 12, MAP_EXEC) == E_OK);
	CHECK(sys_map_as(A, C, VA(3), VA(3), 12, MAP_READ | MAP_WRITE | MAP_EXEC) == E_OK);
	CHECK(perms_at(C, VA(1)) == RW && perms_at(C, VA(2)) == RX && perms_at(C, VA(3)) == RWX);
	/* A derived page has only what it was given. */
	CHECK(sys_map_as(B, D, VA(3), VA(3), 12, MAP_WRITE) == E_PERM);
	CHECK(sys_map_as(C, D, VA(1), VA(1), 12, MAP_EXEC) == E_PERM);
	CHECK(sys_map_as(C, D, VA(1), VA(1), 12, MAP_WRITE) == E_OK);
	CHECK(is_node(D, VA(1), pa_at(A, VA(1)), RW, node_at(C, VA(1))));
	CHECK(teardown_all());
}

TEST(map_uncached_is_inherited)
{
	struct mapping *dev;

	env_reset();
	CHECK((dev = dev_root(A, VA(0), DEV_BASE, RW | VM_UNCACHED)));
	CHECK(sys_map_as(A, B, VA(0), VA(0), 12, 0) == E_OK);
	CHECK(is_node(B, VA(0), DEV_BASE, R | VM_UNCACHED, dev));
	CHECK(sys_grant_as(B, C, VA(0), VA(0), 12, 0) == E_OK);
	CHECK(is_node(C, VA(0), DEV_BASE, R | VM_UNCACHED, dev));
	CHECK(!node_at(C, VA(0))->owns_frame);
	/* Device memory is not the pool's: it never goes back to it. */
	freed_clear();
	CHECK(sys_unmap_as(A, VA(0), 12, UNMAP_SELF) == E_OK);
	CHECK(nmapped(A) == 0 && nmapped(C) == 0);
	CHECK(FREED());
	CHECK(teardown_all());
}

TEST(map_nothing_mapped_in_source)
{
	env_reset();
	CHECK(sys_map_as(A, B, VA(0), VA(0), 12, 0) == E_NOTMAPPED);
	CHECK(sys_grant_as(A, B, VA(0), VA(0), 16, 0) == E_NOTMAPPED);
	/* Pages next to the flexpage, and the destination's own, do not count. */
	CHECK(root(A, VA(4), RWX));
	CHECK(root(A, VA(3), RWX));      /* a page that was there and went */
	CHECK(sys_unmap_as(A, VA(3), 12, UNMAP_SELF) == E_OK);
	CHECK(root(B, VA(0), RWX));
	snap_take();
	CHECK(sys_map_as(A, B, VA(0), VA(0), 14, MAP_WRITE) == E_NOTMAPPED);
	CHECK(sys_grant_as(A, B, VA(0), VA(0), 14, 0) == E_NOTMAPPED);
	CHECK(sys_map_as(A, B, VA(5), VA(5), 12, 0) == E_NOTMAPPED);
	CHECK(snap_same());
	CHECK(teardown_all());
}

TEST(map_range_onto_itself)
{
	struct mapping *p;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	snap_take();
	CHECK(sys_map_as(A, A, VA(0), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_map_as(A, A, VA(0), VA(0), 14, 0) == E_INVAL);
	CHECK(sys_grant_as(A, A, VA(0), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_grant_as(A, A, VA(0), VA(0), 20, 0) == E_INVAL);
	CHECK(snap_same());
	/* Elsewhere in the same space is an alias, derived like any other. */
	CHECK(sys_map_as(A, A, VA(0), VA(8), 12, MAP_WRITE) == E_OK);
	CHECK(is_node(A, VA(8), pa_at(A, VA(0)), RW, p));
	CHECK(sys_map_as(A, A, VA(0), VA(4), 14, 0) == E_OK);
	CHECK(is_node(A, VA(4), pa_at(A, VA(0)), R, p));
	/* The alias may be granted within the space too. */
	CHECK(sys_grant_as(A, A, VA(8), VA(16), 12, 0) == E_OK);
	CHECK(!pte_at(A, VA(8)) && is_node(A, VA(16), pa_at(A, VA(0)), R, p));
	CHECK(teardown_all());
}

TEST(map_destination_the_source_derives_from)
{
	struct mapping *p, *b, *c;
	uint64_t fp;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	CHECK(sys_map_as(A, B, VA(0), VA(8), 12, MAP_WRITE) == E_OK);
	CHECK(sys_map_as(B, C, VA(8), VA(16), 12, 0) == E_OK);
	CHECK(root(C, VA(17), RWX));
	b = node_at(B, VA(8));
	c = node_at(C, VA(16));
	CHECK(parent_of(b) == p && parent_of(c) == b);
	snap_take();
	/* The parent, the grandparent, with map and grant; one page or a larger flexpage. */
	CHECK(sys_map_as(B, A, VA(8), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_map_as(C, A, VA(16), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_map_as(C, B, VA(16), VA(8), 12, 0) == E_INVAL);
	CHECK(sys_grant_as(B, A, VA(8), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_grant_as(C, A, VA(16), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_grant_as(C, B, VA(16), VA(8), 12, 0) == E_INVAL);
	CHECK(sys_map_as(C, A, VA(16), VA(0), 13, 0) == E_INVAL);
	CHECK(sys_grant_as(C, B, VA(16), VA(8), 13, 0) == E_INVAL);
	CHECK(snap_same());
	/* A destination derived from the source is replaced, not refused. */
	fp = pa_at(A, VA(0));
	CHECK(sys_map_as(A, C, VA(0), VA(16), 12, MAP_EXEC) == E_OK);
	CHECK(is_node(C, VA(16), fp, RX, p));
	CHECK(is_node(B, VA(8), fp, RW, p));
	CHECK(sys_map_as(B, D, VA(8), VA(24), 12, 0) == E_OK);
	/* Granted over a child of itself: the child (and D's from it) goes, C's follows. */
	CHECK(sys_grant_as(A, B, VA(0), VA(8), 12, 0) == E_OK);
	CHECK(!pte_at(A, VA(0)) && !pte_at(D, VA(24)));
	CHECK(is_node(B, VA(8), fp, R, NULL) && node_at(B, VA(8))->owns_frame);
	CHECK(is_node(C, VA(16), fp, RX, node_at(B, VA(8))));
	CHECK(teardown_all());
}

/*
 * The destination flexpage holds a page that another page of the source
 * flexpage was derived from: replacing it would unmap that source page
 * (and what the call itself just derived from it). docs/abi.md: E_INVAL
 * for "a destination page the source was derived from".
 */
TEST(map_destination_the_source_derives_from_at_another_offset)
{
	struct mapping *p;

	env_reset();
	/* A's page P at VA(1); B's VA(8) derived from it; B's own page at VA(9). */
	CHECK((p = root(A, VA(1), RWX)));
	CHECK(sys_map_as(A, B, VA(1), VA(8), 12, 0) == E_OK);
	CHECK(root(B, VA(9), RWX));
	snap_take();
	/* B's [VA(8), VA(10)) onto A's [VA(0), VA(2)): VA(1) is P, what VA(8) came from. */
	CHECK(sys_map_as(B, A, VA(8), VA(0), 13, 0) == E_INVAL);
	CHECK(snap_same());
	CHECK(sys_grant_as(B, A, VA(8), VA(0), 13, 0) == E_INVAL);
	CHECK(snap_same());
	CHECK(teardown_all());
}

/* ------------------------------------------------ map effects */

TEST(map_multi_page_flexpage_skips_holes)
{
	static const unsigned have[] = { 0, 3, 7, 15 };
	struct mapping *keep;
	uint64_t keep_pa;

	env_reset();
	for (unsigned i = 0; i < ARRAY_SIZE(have); i++)
		CHECK(root(A, VA(have[i]), RW));
	CHECK(root(A, VA(16), RW));     /* just past the flexpage */
	/* B's own page at a hole of the source stays as it is. */
	CHECK((keep = root(B, VA(32 + 5), RWX)));
	keep_pa = pa_at(B, VA(32 + 5));
	CHECK(sys_map_as(A, B, VA(0), VA(32), 16, MAP_WRITE) == E_OK);
	CHECK(nmapped(B) == 5);
	for (unsigned i = 0; i < ARRAY_SIZE(have); i++)
		CHECK(is_node(B, VA(32 + have[i]), pa_at(A, VA(have[i])), RW,
			      node_at(A, VA(have[i]))));
	CHECK(is_node(B, VA(37), keep_pa, RWX, NULL) && node_at(B, VA(37)) == keep);
	CHECK(!pte_at(B, VA(48)));
	CHECK(teardown_all());
}

TEST(map_four_mib_flexpage)
{
	env_reset();
	CHECK(root(A, 0x400000, RWX));
	CHECK(root(A, 0x400000 + 511 * PAGE_SIZE, RWX));
	CHECK(root(A, 0x400000 + 512 * PAGE_SIZE, RWX));
	CHECK(root(A, 0x7FF000, RWX));
	CHECK(sys_map_as(A, B, 0x400000, 0xC00000, 22, MAP_EXEC) == E_OK);
	CHECK(nmapped(B) == 4);
	CHECK(is_node(B, 0xC00000 + 512 * PAGE_SIZE, pa_at(A, 0x400000 + 512 * PAGE_SIZE), RX,
		      node_at(A, 0x400000 + 512 * PAGE_SIZE)));
	CHECK(is_node(B, 0xFFF000, pa_at(A, 0x7FF000), RX, node_at(A, 0x7FF000)));
	CHECK(sys_grant_as(B, C, 0xC00000, 0x400000, 22, 0) == E_OK);
	CHECK(nmapped(B) == 0 && nmapped(C) == 4);
	CHECK(sys_unmap_as(A, 0x400000, 22, 0) == E_OK);
	CHECK(nmapped(C) == 0 && nmapped(A) == 4);
	CHECK(teardown_all());
}

TEST(map_over_an_existing_mapping_removes_its_subtree)
{
	struct mapping *p, *q;
	uint64_t fp, fq;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	CHECK((q = root(B, VA(32), RWX)));
	fp = pa_at(A, VA(0));
	fq = pa_at(B, VA(32));
	CHECK(sys_map_as(B, C, VA(32), VA(40), 12, MAP_WRITE) == E_OK);
	CHECK(sys_map_as(C, D, VA(40), VA(48), 12, 0) == E_OK);
	CHECK(sys_map_as(B, D, VA(32), VA(49), 12, 0) == E_OK);
	CHECK(sys_map_as(A, D, VA(0), VA(50), 12, 0) == E_OK);
	freed_clear();
	/* A's page over B's root: B's, and all derived from it, go; its frame returns. */
	CHECK(sys_map_as(A, B, VA(0), VA(32), 12, MAP_WRITE) == E_OK);
	CHECK(is_node(B, VA(32), fp, RW, p));
	CHECK(!pte_at(C, VA(40)) && !pte_at(D, VA(48)) && !pte_at(D, VA(49)));
	CHECK(is_node(D, VA(50), fp, R, p));
	CHECK(FREED(fq, ));
	/* Over a page derived from the same frame: replaced by a new child. */
	CHECK(sys_map_as(A, D, VA(0), VA(50), 12, MAP_EXEC) == E_OK);
	CHECK(is_node(D, VA(50), fp, RX, p));
	/* Over one derived from it elsewhere (B's child of p): B's goes, D's replaces it. */
	CHECK(sys_map_as(B, C, VA(32), VA(40), 12, 0) == E_OK);
	CHECK(sys_map_as(D, B, VA(50), VA(32), 12, 0) == E_OK);
	CHECK(!pte_at(C, VA(40)));
	CHECK(is_node(B, VA(32), fp, R, node_at(D, VA(50))));
	CHECK(FREED(fq, ));
	CHECK(teardown_all());
}

/* ------------------------------------------------ grant */

TEST(grant_moves_the_page_and_keeps_derivations)
{
	struct mapping *p, *b, *c, *d, *e;
	uint64_t fp;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	fp = pa_at(A, VA(0));
	CHECK(sys_map_as(A, B, VA(0), VA(8), 12, MAP_WRITE) == E_OK);
	CHECK(sys_map_as(B, C, VA(8), VA(16), 12, 0) == E_OK);
	CHECK(sys_map_as(A, C, VA(0), VA(18), 12, MAP_EXEC) == E_OK);
	b = node_at(B, VA(8));
	c = node_at(C, VA(16));
	CHECK(quotas[A].used == kq_bytes[A] + tq_bytes[A] && kq_bytes[A] == 64);
	freed_clear();

	/* A root: D's new page takes its place and its frame. */
	CHECK(sys_grant_as(A, D, VA(0), VA(24), 12, MAP_WRITE | MAP_EXEC) == E_OK);
	CHECK(!pte_at(A, VA(0)) && kq_bytes[A] == 0 && kq_bytes[D] == 64);
	CHECK(is_node(D, VA(24), fp, RWX, NULL));
	d = node_at(D, VA(24));
	CHECK(d->owns_frame);
	CHECK(node_at(B, VA(8)) == b && parent_of(b) == d);
	CHECK(node_at(C, VA(16)) == c && parent_of(c) == b);
	CHECK(parent_of(node_at(C, VA(18))) == d);
	CHECK(FREED());

	/* A derived page: same parent, its children follow, no frame to own. */
	CHECK(sys_grant_as(B, E, VA(8), VA(40), 12, MAP_WRITE) == E_OK);
	CHECK(!pte_at(B, VA(8)));
	CHECK(is_node(E, VA(40), fp, RW, d));
	e = node_at(E, VA(40));
	CHECK(!e->owns_frame && parent_of(c) == e);
	CHECK(FREED());
	CHECK(consistent());

	/* The frame now goes back with D's page, once. */
	CHECK(sys_unmap_as(D, VA(24), 12, 0) == E_OK);
	CHECK(nmapped(C) == 0 && nmapped(E) == 0 && is_node(D, VA(24), fp, RWX, NULL));
	CHECK(FREED());
	CHECK(sys_unmap_as(D, VA(24), 12, UNMAP_SELF) == E_OK);
	CHECK(FREED(fp, ));
	CHECK(teardown_all());
}

TEST(grant_with_fewer_permissions_and_over_a_mapping)
{
	struct mapping *p;
	uint64_t fp, fq;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	CHECK(root(B, VA(0), RW));
	fp = pa_at(A, VA(0));
	fq = pa_at(B, VA(0));
	CHECK(sys_map_as(B, C, VA(0), VA(0), 12, 0) == E_OK);
	freed_clear();
	CHECK(sys_grant_as(A, B, VA(0), VA(0), 12, 0) == E_OK);
	CHECK(is_node(B, VA(0), fp, R, NULL) && node_at(B, VA(0))->owns_frame);
	CHECK(!pte_at(C, VA(0)) && !pte_at(A, VA(0)));
	CHECK(FREED(fq, ));
	/* What it no longer has, it cannot pass on. */
	CHECK(sys_map_as(B, C, VA(0), VA(0), 12, MAP_WRITE) == E_PERM);
	CHECK(teardown_all());
}

TEST(grant_a_multi_page_flexpage_with_holes)
{
	uint64_t f0, f2;

	env_reset();
	CHECK(root(A, VA(0), RWX));
	CHECK(root(A, VA(2), RWX));
	f0 = pa_at(A, VA(0));
	f2 = pa_at(A, VA(2));
	CHECK(sys_map_as(A, C, VA(0), VA(0), 14, 0) == E_OK);
	CHECK(root(B, VA(9), R));
	CHECK(sys_grant_as(A, B, VA(0), VA(8), 14, MAP_WRITE) == E_OK);
	CHECK(nmapped(A) == 0 && nmapped(B) == 3);
	CHECK(is_node(B, VA(8), f0, RW, NULL) && is_node(B, VA(10), f2, RW, NULL));
	CHECK(perms_at(B, VA(9)) == R);
	CHECK(parent_of(node_at(C, VA(0))) == node_at(B, VA(8)));
	CHECK(parent_of(node_at(C, VA(2))) == node_at(B, VA(10)));
	CHECK(teardown_all());
}

/* ------------------------------------------------ unmap */

TEST(unmap_without_self_keeps_the_callers_pages)
{
	struct mapping *p;
	uint64_t fp;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	fp = pa_at(A, VA(0));
	CHECK(sys_map_as(A, B, VA(0), VA(8), 12, 0) == E_OK);
	CHECK(sys_map_as(B, C, VA(8), VA(16), 12, 0) == E_OK);
	CHECK(sys_map_as(A, D, VA(0), VA(24), 12, 0) == E_OK);
	CHECK(sys_map_as(A, A, VA(0), VA(1), 12, 0) == E_OK);   /* derived, in A itself */
	freed_clear();
	CHECK(sys_unmap_as(A, VA(0), 12, 0) == E_OK);
	CHECK(nmapped(B) == 0 && nmapped(C) == 0 && nmapped(D) == 0);
	CHECK(nmapped(A) == 1 && is_node(A, VA(0), fp, RWX, NULL) && !p->mdb.child);
	CHECK(FREED());
	/* Mapped but with nothing derived: still E_OK. */
	CHECK(sys_unmap_as(A, VA(0), 12, 0) == E_OK);
	CHECK(nmapped(A) == 1);
	CHECK(sys_unmap_as(A, VA(1), 12, 0) == E_NOTMAPPED);
	CHECK(sys_unmap_as(B, VA(8), 12, 0) == E_NOTMAPPED);
	CHECK(sys_unmap_as(B, VA(8), 12, UNMAP_SELF) == E_NOTMAPPED);
	CHECK(consistent());
	CHECK(teardown_all());
}

TEST(unmap_self_removes_the_page_and_returns_its_frame)
{
	struct mapping *p;
	uint64_t fp;

	env_reset();
	CHECK((p = root(A, VA(0), RWX)));
	fp = pa_at(A, VA(0));
	CHECK(sys_map_as(A, B, VA(0), VA(8), 12, 0) == E_OK);
	CHECK(sys_map_as(B, C, VA(8), VA(16), 12, 0) == E_OK);
	CHECK(sys_map_as(A, D, VA(0), VA(24), 12, 0) == E_OK);
	freed_clear();
	/* From the middle: B's and C's go, A's and D's stay. */
	CHECK(sys_unmap_as(B, VA(8), 12, UNMAP_SELF) == E_OK);
	CHECK(nmapped(B) == 0 && nmapped(C) == 0);
	CHECK(is_node(D, VA(24), fp, R, p) && FREED());
	/* The root: everything, and the frame, once. */
	CHECK(sys_unmap_as(A, VA(0), 12, UNMAP_SELF) == E_OK);
	CHECK(nmapped(A) == 0 && nmapped(D) == 0);
	CHECK(FREED(fp, ));
	CHECK(sys_unmap_as(A, VA(0), 12, UNMAP_SELF) == E_NOTMAPPED);
	CHECK(sys_unmap_as(A, VA(0), 12, 0) == E_NOTMAPPED);
	CHECK(teardown_all());
}

TEST(unmap_a_multi_page_flexpage)
{
	uint64_t f[4];

	env_reset();
	for (unsigned i = 0; i < 4; i++) {
		CHECK(root(A, VA(i * 2), RWX));
		f[i] = pa_at(A, VA(i * 2));
	}
	CHECK(root(A, VA(8), RWX));
	CHECK(sys_map_as(A, B, VA(0), VA(0), 16, 0) == E_OK);
	/* A page of the flexpage derived from another one of it. */
	CHECK(sys_map_as(A, A, VA(2), VA(17), 12, 0) == E_OK);
	CHECK(sys_map_as(A, A, VA(17), VA(3), 12, 0) == E_OK);
	CHECK(nmapped(B) == 5);
	freed_clear();
	CHECK(sys_unmap_as(A, VA(0), 15, 0) == E_OK);   /* VA(0)..VA(7) */
	CHECK(nmapped(B) == 1 && pte_at(B, VA(8)));
	CHECK(!pte_at(A, VA(3)) && !pte_at(A, VA(17)) && nmapped(A) == 5);
	CHECK(FREED());
	CHECK(sys_unmap_as(A, VA(0), 15, UNMAP_SELF) == E_OK);
	CHECK(nmapped(A) == 1 && nmapped(B) == 1);
	CHECK(FREED(f[0], f[1], f[2], f[3], ));
	CHECK(sys_unmap_as(A, VA(0), 15, UNMAP_SELF) == E_NOTMAPPED);
	CHECK(teardown_all());
}

/* ------------------------------------------------ kernel pages */

TEST(kernel_pages_have_no_node)
{
	int err;

	env_reset();
	/* A kernel-provided page, as the KIP is, but where a flexpage reaches it. */
	CHECK(vspace_map(&tasks[A].vspace, VA(0), DEV_BASE, R, NULL, &quotas[A]) == E_OK);
	CHECK(root(A, VA(1), RWX));
	CHECK(root(B, VA(0), RWX));
	snap_take();
	CHECK(sys_map_as(A, B, VA(0), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_map_as(A, B, VA(0), VA(0), 13, 0) == E_INVAL);
	CHECK(sys_grant_as(A, B, VA(0), VA(0), 12, 0) == E_INVAL);
	err = sys_map_as(A, B, VA(0), VA(0), 12, MAP_WRITE);      /* read-only, too */
	CHECK(err == E_PERM || err == E_INVAL);
	CHECK(sys_map_as(B, A, VA(0), VA(0), 12, 0) == E_INVAL);
	CHECK(sys_grant_as(B, A, VA(0), VA(0), 13, 0) == E_INVAL);
	CHECK(sys_unmap_as(A, VA(0), 12, 0) == E_NOTMAPPED);
	CHECK(sys_unmap_as(A, VA(0), 12, UNMAP_SELF) == E_NOTMAPPED);
	CHECK(snap_same());
	/* Unmap of a flexpage around it takes the other page only. */
	CHECK(sys_unmap_as(A, VA(0), 13, UNMAP_SELF) == E_OK);
	CHECK(nmapped(A) == 1 && pte_at(A, VA(0)));
	CHECK(teardown_all());
	CHECK(nmapped(A) == 1);         /* teardown leaves it to vspace_destroy */
}

/* ------------------------------------------------ kernel memory */

TEST(map_quota_too_small_changes_nothing)
{
	env_reset();
	CHECK(root(A, VA(0), RWX));
	CHECK(root(A, VA(1), RWX));
	CHECK(root(B, VA(9), RWX));
	CHECK(sys_map_as(B, C, VA(9), VA(9), 12, 0) == E_OK);
	quotas[B].limit = quotas[B].used + 1000;
	snap_take();
	CHECK(sys_map_as(A, B, VA(0), VA(8), 13, 0) == E_NOMEM);
	CHECK(sys_grant_as(A, B, VA(0), VA(8), 13, 0) == E_NOMEM);
	CHECK(sys_map_as(A, B, VA(1), VA(9), 12, 0) == E_NOMEM);
	CHECK(snap_same());
	/* Enough for the worst case: it works. */
	quotas[B].limit = quotas[B].used + 64 * 1024;
	CHECK(sys_map_as(A, B, VA(0), VA(8), 13, 0) == E_OK);
	CHECK(nmapped(B) == 2 && parent_of(node_at(B, VA(9))) == node_at(A, VA(1)));
	CHECK(!pte_at(C, VA(9)));
	quotas[B].limit = BIG_QUOTA;
	CHECK(teardown_all());
}

TEST(insert_when_quota_cannot_pay)
{
	uint64_t used;

	env_reset();
	/* Not even the node. */
	quotas[A].limit = 32;
	CHECK(mapping_insert(&tasks[A].vspace, &quotas[A], VA(0), frame_pa(100), RW, NULL,
			     true) == E_NOMEM);
	CHECK(nmapped(A) == 0 && kobjs == 0 && quotas[A].used == 0);
	/* The node, two upper tables, but not the leaf: vspace_map fails. */
	quotas[A].limit = 64 + 2 * PAGE_SIZE + 100;
	CHECK(mapping_insert(&tasks[A].vspace, &quotas[A], VA(0), frame_pa(100), RW, NULL,
			     true) == E_NOMEM);
	CHECK(nmapped(A) == 0 && kobjs == 0 && kq_bytes[A] == 0);
	CHECK(consistent());
	used = quotas[A].used;          /* the upper tables stay, as in the real vspace */
	CHECK(used == 2 * PAGE_SIZE);
	quotas[A].limit = used + 64 + 2 * PAGE_SIZE;
	frame_taken[100] = true;
	CHECK(mapping_insert(&tasks[A].vspace, &quotas[A], VA(0), frame_pa(100), RW, NULL,
			     true) == E_OK);
	CHECK(is_node(A, VA(0), frame_pa(100), RW, NULL));
	/* A child in another space, its quota short. */
	quotas[B].limit = 63;
	CHECK(mapping_insert(&tasks[B].vspace, &quotas[B], VA(0), frame_pa(100), R,
			     node_at(A, VA(0)), false) == E_NOMEM);
	CHECK(!node_at(A, VA(0))->mdb.child && nmapped(B) == 0);
	quotas[A].limit = quotas[B].limit = BIG_QUOTA;
	CHECK(teardown_all());
}

TEST(map_runs_out_of_memory_midway)
{
	uint64_t f[4];

	env_reset();
	for (unsigned i = 0; i < 4; i++) {
		CHECK(root(A, VA(i), RWX));
		f[i] = pa_at(A, VA(i));
	}
	/* Physical memory for two nodes only. */
	kmem_fail_after = 2;
	CHECK(sys_map_as(A, B, VA(0), VA(8), 14, 0) == E_NOMEM);
	kmem_fail_after = -1;
	CHECK(is_node(B, VA(8), f[0], R, node_at(A, VA(0))));
	CHECK(is_node(B, VA(9), f[1], R, node_at(A, VA(1))));
	CHECK(!pte_at(B, VA(10)) && !pte_at(B, VA(11)));
	CHECK(consistent());
	/* A grant that fails half-way: the page it failed on stays with the source. */
	kmem_fail_after = 1;
	CHECK(sys_grant_as(A, C, VA(2), VA(2), 13, 0) == E_NOMEM);
	kmem_fail_after = -1;
	CHECK(is_node(C, VA(2), f[2], R, NULL) && node_at(C, VA(2))->owns_frame);
	CHECK(!pte_at(A, VA(2)) && !pte_at(C, VA(3)));
	CHECK(is_node(A, VA(3), f[3], RWX, NULL) && node_at(A, VA(3))->owns_frame);
	CHECK(consistent());
	CHECK(teardown_all());
}

/* ------------------------------------------------ sigma0 */

TEST(sigma0_maps_from_its_window_before_touching_it)
{
	env_reset();
	sigma0_task = &tasks[A];
	frame_taken[5] = frame_kernel[5] = true;        /* the kernel's own frame */
	CHECK(sys_map_as(A, B, SIGMA0_BASE, VA(0), 13, MAP_WRITE) == E_OK);
	CHECK(sigma0_fills == 2 && nmapped(A) == 2);
	CHECK(is_node(A, SIGMA0_BASE, frame_pa(0), RWX, NULL));
	CHECK(is_node(B, VA(0), frame_pa(0), RW, node_at(A, SIGMA0_BASE)));
	CHECK(is_node(B, VA(1), frame_pa(1), RW, node_at(A, SIGMA0_BASE + PAGE_SIZE)));
	/* Filled once only. */
	CHECK(sys_map_as(A, C, SIGMA0_BASE, VA(0), 12, 0) == E_OK);
	CHECK(sigma0_fills == 2);
	/* What may not be handed out is not there to map. */
	CHECK(sys_map_as(A, B, SIGMA0_BASE + 5 * PAGE_SIZE, VA(5), 12, 0) == E_NOTMAPPED);
	/* Nor does anyone else's window fill. */
	CHECK(sys_map_as(B, C, SIGMA0_BASE + 8 * PAGE_SIZE, VA(8), 12, 0) == E_NOTMAPPED);
	CHECK(sigma0_fills == 2);
	/* The frames go back with the window's pages. */
	freed_clear();
	CHECK(sys_unmap_as(A, SIGMA0_BASE, 13, UNMAP_SELF) == E_OK);
	CHECK(nmapped(A) == 0 && nmapped(B) == 0 && nmapped(C) == 0);
	CHECK(FREED(frame_pa(0), frame_pa(1), ));
	CHECK(teardown_all());
}

/* ------------------------------------------------ teardown */

TEST(teardown_removes_everything_derived_from_the_space)
{
	struct mapping *pa0;
	uint64_t fa, fb0, fb1;

	env_reset();
	CHECK((pa0 = root(A, VA(0), RWX)));
	fa = pa_at(A, VA(0));
	CHECK(root(B, VA(16), RWX));
	CHECK(root(B, VA(17), RWX));
	fb0 = pa_at(B, VA(16));
	fb1 = pa_at(B, VA(17));
	CHECK(sys_map_as(A, B, VA(0), VA(8), 12, 0) == E_OK);   /* B's page from A */
	CHECK(sys_map_as(B, C, VA(8), VA(8), 12, 0) == E_OK);   /* ... and on to C */
	CHECK(sys_map_as(A, C, VA(0), VA(9), 12, 0) == E_OK);   /* C's straight from A */
	CHECK(sys_map_as(B, C, VA(16), VA(16), 13, 0) == E_OK); /* C's from B's roots */
	CHECK(sys_map_as(C, D, VA(16), VA(16), 12, 0) == E_OK);
	CHECK(sys_map_as(B, B, VA(17), VA(18), 12, 0) == E_OK); /* within B */
	CHECK(sys_map_as(C, A, VA(17), VA(17), 12, 0) == E_OK); /* back into A */
	freed_clear();
	mapping_teardown(&tasks[B].vspace);
	CHECK(nmapped(B) == 0 && kq_bytes[B] == 0);
	CHECK(nmapped(D) == 0);
	CHECK(nmapped(C) == 1 && is_node(C, VA(9), fa, R, pa0));
	CHECK(nmapped(A) == 1 && is_node(A, VA(0), fa, RWX, NULL));
	CHECK(FREED(fb0, fb1, ));
	CHECK(consistent());
	/* An empty space tears down to nothing. */
	mapping_teardown(&tasks[B].vspace);
	mapping_teardown(&tasks[E].vspace);
	CHECK(FREED(fb0, fb1, ));
	CHECK(teardown_all());
}

/* ============================================================ random run */

/*
 * The reference model, from docs/abi.md only. Six spaces, pages in a
 * window of R_PAGES pages at R_BASE; each page is unmapped or has a frame,
 * permissions and a parent (space, page) or none (a root). A frame of the
 * pool returns to it when the last page mapping it goes.
 */
#define R_PAGES 64
#define R_BASE  0x40000000ull           /* 1 GiB: 4 MiB aligned */
#define R_NONE  (-1)

struct ment {
	bool used;
	bool pool;              /* the frame is the pool's */
	uint64_t frame;
	unsigned perms;
	int ps, pi;             /* parent: space and page; ps == R_NONE: a root */
};

static struct ment M[NTASKS][R_PAGES];
static unsigned mrefs[NFRAMES];         /* pages mapping each pool frame */
static bool mreturn[NFRAMES];           /* the model returned it in this step */
static unsigned nmreturn;

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)((rnd() >> 16) % n);
}

/* The model's page index of va, or -1 outside the window. */
static int m_idx(uint64_t va)
{
	if (va < R_BASE || va >= R_BASE + R_PAGES * PAGE_SIZE)
		return -1;
	return (int)((va - R_BASE) / PAGE_SIZE);
}

static void m_add(int s, int i, bool pool, uint64_t frame, unsigned perms, int ps, int pi)
{
	M[s][i] = (struct ment){ true, pool, frame, perms, ps, pi };
	if (pool)
		mrefs[frame_index(frame)]++;
}

static void m_drop(int s, int i)
{
	struct ment *e = &M[s][i];

	e->used = false;
	if (e->pool && --mrefs[frame_index(e->frame)] == 0) {
		mreturn[frame_index(e->frame)] = true;
		nmreturn++;
	}
}

/* Removes what was derived from (s, i), and (s, i) itself if self. */
static void m_remove(int s, int i, bool self)
{
	for (int t = 0; t < NTASKS; t++)
		for (int j = 0; j < R_PAGES; j++)
			if (M[t][j].used && M[t][j].ps == s && M[t][j].pi == i)
				m_remove(t, j, true);
	if (self)
		m_drop(s, i);
}

/* Whether (as, ai) is (s, i) or one of the pages it was derived from. */
static bool m_derives_from(int as, int ai, int s, int i)
{
	while (s != R_NONE) {
		const struct ment *e = &M[s][i];

		if (s == as && i == ai)
			return true;
		s = e->ps;
		i = e->pi;
	}
	return false;
}

static unsigned m_live(void)
{
	unsigned n = 0;

	for (int s = 0; s < NTASKS; s++)
		for (int i = 0; i < R_PAGES; i++)
			n += M[s][i].used;
	return n;
}

/* A flexpage's decode, from the ABI: size, alignment, 0x1000..KIP_ADDR. */
static int m_decode(uint64_t base, uint64_t log2, uint64_t *size)
{
	if (log2 < 12 || log2 > 22)
		return E_INVAL;
	*size = 1ull << log2;
	if (base % *size)
		return E_ALIGN;
	if (base < 0x1000 || base > KIP_ADDR || base + *size > KIP_ADDR)
		return E_RANGE;
	return E_OK;
}

#define EBIT(e) (1u << (e))

/* The last operations, for the report of a failure. */
#define R_LOG 12
static char r_log[R_LOG][160];
static unsigned r_nlog;

static void r_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r_log[r_nlog++ % R_LOG], sizeof r_log[0], fmt, ap);
	va_end(ap);
}

static void r_dump(unsigned step, const char *why)
{
	printf("    step %u: %s; the last operations:\n", step, why);
	for (unsigned k = r_nlog > R_LOG ? r_nlog - R_LOG : 0; k < r_nlog; k++)
		printf("      %s\n", r_log[k % R_LOG]);
}

/* Everything the model says, against the real state. */
static bool r_compare(unsigned step)
{
	char why[200];
	unsigned live = m_live();

	for (int s = 0; s < NTASKS; s++) {
		const struct fspace *fs = &fspaces[s];
		unsigned want = 0;

		for (int i = 0; i < R_PAGES; i++)
			want += M[s][i].used;
		if (fs->n != want) {
			snprintf(why, sizeof why, "space %d has %zu pages, the model %u", s, fs->n,
				 want);
			goto bad;
		}
		for (size_t k = 0; k < fs->n; k++) {
			const struct fpte *e = &fs->e[k];
			int i = m_idx(e->va);
			const struct ment *me = i >= 0 ? &M[s][i] : NULL;
			const struct mapping *m = e->node, *p;

			if (!me || !me->used) {
				snprintf(why, sizeof why, "space %d va %" PRIx64 " is not in the model",
					 s, e->va);
				goto bad;
			}
			if (e->pa != me->frame || e->perms != me->perms) {
				snprintf(why, sizeof why, "space %d page %d: pa %" PRIx64 " perms %x, "
					 "model %" PRIx64 " %x", s, i, e->pa, e->perms, me->frame,
					 me->perms);
				goto bad;
			}
			if (!m || m->owns_frame != (me->ps == R_NONE && me->pool)) {
				snprintf(why, sizeof why, "space %d page %d: node %p owns_frame %d",
					 s, i, (const void *)m, m ? m->owns_frame : -1);
				goto bad;
			}
			p = parent_of(m);
			if (me->ps == R_NONE ? p != NULL :
			    p != node_at(me->ps, R_BASE + (uint64_t)me->pi * PAGE_SIZE)) {
				snprintf(why, sizeof why, "space %d page %d: parent %d:%d, model %d:%d",
					 s, i, p ? space_of(p->vs) : -1,
					 p ? m_idx(p->va) : -1, me->ps, me->pi);
				goto bad;
			}
		}
	}
	/* The frames that came back are exactly those the model returned, once each. */
	if (nfreed != nmreturn) {
		snprintf(why, sizeof why, "%u frames returned, the model %u", nfreed, nmreturn);
		goto bad;
	}
	for (unsigned k = 0; k < nfreed; k++) {
		int fi = frame_index(freed[k]);

		if (fi < 0 || !mreturn[fi]) {
			snprintf(why, sizeof why, "frame %" PRIx64 " returned (twice, or while mapped)",
				 freed[k]);
			goto bad;
		}
		mreturn[fi] = false;
	}
	if (kobjs != live || kbytes != live * kmem_class_bytes(sizeof(struct mapping))) {
		snprintf(why, sizeof why, "%" PRIu64 " kernel objects (%" PRIu64 " bytes) for %u "
			 "pages", kobjs, kbytes, live);
		goto bad;
	}
	if (!consistent()) {
		snprintf(why, sizeof why, "inconsistent (above)");
		goto bad;
	}
	return true;
bad:
	r_dump(step, why);
	return false;
}

/* Mostly small flexpages, sometimes up to the whole window, rarely 4 MiB. */
static uint64_t r_size_log2(void)
{
	unsigned r = rnd_below(100);

	if (r < 50)
		return 12;
	if (r < 75)
		return 13;
	if (r < 90)
		return 14;
	if (r < 96)
		return 15 + rnd_below(2);
	if (r < 99)
		return 17 + rnd_below(2);
	return 22;
}

static uint64_t r_base(uint64_t log2)
{
	uint64_t size = 1ull << log2;

	if (size >= R_PAGES * PAGE_SIZE)
		return R_BASE;
	return R_BASE + rnd_below((unsigned)(R_PAGES * PAGE_SIZE / size)) * size;
}

/* Mostly a flexpage around one of s's pages, so that most calls do something. */
static uint64_t r_base_in(int s, uint64_t log2)
{
	int have[R_PAGES], n = 0;

	for (int i = 0; i < R_PAGES; i++)
		if (M[s][i].used)
			have[n++] = i;
	if (!n || rnd_below(10) < 2)
		return r_base(log2);
	return (R_BASE + (uint64_t)have[rnd_below((unsigned)n)] * PAGE_SIZE) &
	       ~((1ull << log2) - 1);
}

/* One of the ways a call can be malformed; the model finds the error itself. */
static void r_malform(uint64_t *slot, uint64_t *src, uint64_t *dst, uint64_t *log2,
		      uint64_t *perms)
{
	static const uint64_t bad_log2[] = { 0, 11, 23, 64, (1ull << 32) | 12 };
	uint64_t *base = rnd_below(2) ? src : dst;

	switch (rnd_below(5)) {
	case 0:
		*slot = NTASKS + rnd_below(NSLOTS - NTASKS + 2);
		break;
	case 1:
		*log2 = bad_log2[rnd_below(ARRAY_SIZE(bad_log2))];
		break;
	case 2:
		*base += rnd_below(2) ? 0x800 : (*log2 > 12 ? PAGE_SIZE : 8);
		break;
	case 3:
		*base = rnd_below(2) ? 0 : KIP_ADDR & ~((1ull << *log2) - 1);
		break;
	default:
		*perms |= 8ull << rnd_below(56);
		break;
	}
}

struct r_stats {
	unsigned map_ok, grant_ok, unmap_ok, unmap_self_ok, roots, teardowns;
	unsigned errors[E_NERRORS];
	unsigned max_depth, returned;
};

static unsigned m_depth(int s, int i)
{
	unsigned d = 0;

	while (s != R_NONE) {
		int ps = M[s][i].ps, pi = M[s][i].pi;

		s = ps;
		i = pi;
		d++;
	}
	return d;
}

/* One random map or grant, performed on the kernel and on the model. */
static bool r_map(unsigned step, bool grant, struct r_stats *st)
{
	int S = (int)rnd_below(NTASKS), D;
	uint64_t slot = rnd_below(NTASKS), log2 = r_size_log2();
	uint64_t src = r_base_in(S, log2), dst = r_base(log2), size = 0;
	uint64_t perms = rnd_below(2) ? rnd_below(8) : MAP_READ * rnd_below(2);
	uint64_t dsize;
	unsigned errs = 0, mapped = 0;
	int err;

	if (rnd_below(100) < 8)
		r_malform(&slot, &src, &dst, &log2, &perms);
	r_note("%s as %d to slot %" PRIu64 ": %" PRIx64 " -> %" PRIx64 ", 2^%" PRIu64
	       ", perms %" PRIx64, grant ? "grant" : "map", S, slot, src, dst, log2, perms);

	/* Decode, as the ABI describes it. */
	if (slot >= NSLOTS)
		errs |= EBIT(E_CAP_RANGE);
	else if (slot == SLOT_EMPTY)
		errs |= EBIT(E_CAP_EMPTY);
	else if (slot == SLOT_ENDPT)
		errs |= EBIT(E_CAP_TYPE);
	else if (slot == SLOT_NOCTL)
		errs |= EBIT(E_CAP_RIGHTS);
	if ((err = m_decode(src, log2, &size)) != E_OK)
		errs |= EBIT(err);
	if ((err = m_decode(dst, log2, &dsize)) != E_OK)
		errs |= EBIT(err);
	if (perms & ~(uint64_t)(MAP_READ | MAP_WRITE | MAP_EXEC))
		errs |= EBIT(E_INVAL);
	D = (int)slot;
	if (!errs && D == S && src < dst + size && dst < src + size)
		errs |= EBIT(E_INVAL);
	if (!errs) {
		unsigned want = (unsigned)perms | MAP_READ;

		for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
			int si = m_idx(src + off);

			if (si < 0 || !M[S][si].used)
				continue;
			mapped++;
			if (want & ~M[S][si].perms)
				errs |= EBIT(E_PERM);
		}
		/* No destination page may be one that any source page came from. */
		for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
			int di = m_idx(dst + off);

			if (di < 0 || !M[D][di].used)
				continue;
			for (uint64_t o2 = 0; o2 < size; o2 += PAGE_SIZE) {
				int sj = m_idx(src + o2);

				if (sj >= 0 && M[S][sj].used && m_derives_from(D, di, S, sj))
					errs |= EBIT(E_INVAL);
			}
		}
		if (!errs && !mapped)
			errs |= EBIT(E_NOTMAPPED);
	}

	freed_clear();
	nmreturn = 0;
	err = (grant ? sys_grant_as : sys_map_as)(S, slot, src, dst, log2, perms);
	if (errs) {
		if (err < 0 || err >= E_NERRORS || !(errs & EBIT(err))) {
			char why[100];

			snprintf(why, sizeof why, "returned %d, the model expects one of mask %#x",
				 err, errs);
			r_dump(step, why);
			return false;
		}
		st->errors[err]++;
		return r_compare(step);
	}
	if (err != E_OK) {
		char why[100];

		snprintf(why, sizeof why, "returned %d, the model expects E_OK", err);
		r_dump(step, why);
		return false;
	}

	/* Page by page: the destination's page goes, the source's is derived or moved. */
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		int si = m_idx(src + off), di = m_idx(dst + off);
		struct ment se;

		if (si < 0 || !M[S][si].used)
			continue;
		if (di < 0) {
			r_dump(step, "the model left its window");
			return false;
		}
		if (M[D][di].used)
			m_remove(D, di, true);
		se = M[S][si];
		if (!grant) {
			m_add(D, di, se.pool, se.frame,
			      (unsigned)perms | VM_READ | (se.perms & VM_UNCACHED), S, si);
			continue;
		}
		m_add(D, di, se.pool, se.frame, (unsigned)perms | VM_READ | (se.perms & VM_UNCACHED),
		      se.ps, se.pi);
		for (int t = 0; t < NTASKS; t++)
			for (int j = 0; j < R_PAGES; j++)
				if (M[t][j].used && M[t][j].ps == S && M[t][j].pi == si) {
					M[t][j].ps = D;
					M[t][j].pi = di;
				}
		m_drop(S, si);
	}
	if (grant)
		st->grant_ok++;
	else
		st->map_ok++;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		int di = m_idx(dst + off);

		if (di >= 0 && M[D][di].used && m_depth(D, di) > st->max_depth)
			st->max_depth = m_depth(D, di);
	}
	st->returned += nmreturn;
	return r_compare(step);
}

static bool r_unmap(unsigned step, struct r_stats *st)
{
	int S = (int)rnd_below(NTASKS), err, want;
	uint64_t log2 = r_size_log2(), base = r_base_in(S, log2), size = 0;
	uint64_t flags = rnd_below(2) ? UNMAP_SELF : 0;
	unsigned found = 0;

	if (rnd_below(100) < 5) {
		switch (rnd_below(4)) {
		case 0: flags |= 2ull << rnd_below(62); break;
		case 1: log2 = rnd_below(2) ? 11 : 23; break;
		case 2: base += 0x800; break;
		default: base = 0; break;
		}
	}
	r_note("unmap as %d: %" PRIx64 ", 2^%" PRIu64 ", flags %" PRIx64, S, base, log2, flags);
	freed_clear();
	nmreturn = 0;
	err = sys_unmap_as(S, base, log2, flags);
	want = m_decode(base, log2, &size);
	if (want == E_OK && (flags & ~(uint64_t)UNMAP_SELF))
		want = E_INVAL;
	if (want == E_OK) {
		for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
			int i = m_idx(base + off);

			if (i < 0 || !M[S][i].used)
				continue;
			found++;
			m_remove(S, i, flags & UNMAP_SELF);
		}
		want = found ? E_OK : E_NOTMAPPED;
	}
	if (err != want) {
		char why[100];

		snprintf(why, sizeof why, "returned %d, the model expects %d", err, want);
		r_dump(step, why);
		return false;
	}
	if (err == E_OK && (flags & UNMAP_SELF))
		st->unmap_self_ok++;
	else if (err == E_OK)
		st->unmap_ok++;
	else
		st->errors[err]++;
	st->returned += nmreturn;
	return r_compare(step);
}

/* A new original page: the pool's (owned) mostly, device memory sometimes. */
static bool r_root(unsigned step, struct r_stats *st)
{
	static const unsigned perms[] = { R, RW, RX, RWX };
	int s = (int)rnd_below(NTASKS), i = (int)rnd_below(R_PAGES);
	bool pool = rnd_below(5) != 0;
	unsigned p = pool ? perms[rnd_below(4)] : (rnd_below(2) ? RW : R) | VM_UNCACHED;
	uint64_t va = R_BASE + (uint64_t)i * PAGE_SIZE, pa;

	if (M[s][i].used)
		return true;
	pa = pool ? pool_take() : DEV_BASE + rnd_below(16) * PAGE_SIZE;
	r_note("root in %d at %" PRIx64 ": pa %" PRIx64 " perms %x", s, va, pa, p);
	freed_clear();
	nmreturn = 0;
	if (mapping_insert(&tasks[s].vspace, &quotas[s], va, pa, p, NULL, pool) != E_OK) {
		r_dump(step, "mapping_insert failed");
		return false;
	}
	m_add(s, i, pool, pa, p, R_NONE, 0);
	st->roots++;
	return r_compare(step);
}

static bool r_teardown(unsigned step, struct r_stats *st)
{
	int s = (int)rnd_below(NTASKS);

	r_note("teardown of %d", s);
	freed_clear();
	nmreturn = 0;
	mapping_teardown(&tasks[s].vspace);
	for (int i = 0; i < R_PAGES; i++)
		if (M[s][i].used)
			m_remove(s, i, true);
	st->teardowns++;
	st->returned += nmreturn;
	return r_compare(step);
}

static bool r_run(uint64_t seed, unsigned steps, struct r_stats *st)
{
	env_reset();
	memset(M, 0, sizeof M);
	memset(mrefs, 0, sizeof mrefs);
	memset(mreturn, 0, sizeof mreturn);
	r_nlog = 0;
	rng = seed;
	/* A few dozen roots to start with. */
	for (unsigned k = 0; k < 36; k++)
		if (!r_root(0, st))
			return false;
	for (unsigned step = 1; step <= steps; step++) {
		unsigned r = rnd_below(1000), live = m_live();
		bool ok;

		if (r < (live < 60 ? 250u : 40u))
			ok = r_root(step, st);
		else if (r < 500)
			ok = r_map(step, false, st);
		else if (r < 680)
			ok = r_map(step, true, st);
		else if (r < 995)
			ok = r_unmap(step, st);
		else
			ok = r_teardown(step, st);
		if (!ok) {
			printf("    seed %#" PRIx64 "\n", seed);
			return false;
		}
	}
	return teardown_all();
}

TEST(random_against_model)
{
	static const uint64_t seeds[] = { 0x9E3779B97F4A7C15ull, 0x0123456789ABCDEFull,
					  0xC0FFEE, 0x5EED5EED5EEDull };
	struct r_stats st;

	memset(&st, 0, sizeof st);
	for (unsigned k = 0; k < ARRAY_SIZE(seeds); k++)
		CHECK(r_run(seeds[k], 10000, &st));
	/* The run did exercise what it is about (seen: about twice these). */
	CHECK(st.map_ok > 2500 && st.grant_ok > 1500);
	CHECK(st.unmap_ok > 2000 && st.unmap_self_ok > 2000);
	CHECK(st.teardowns > 100 && st.returned > 2500 && st.max_depth >= 5);
	CHECK(st.errors[E_PERM] > 1000 && st.errors[E_INVAL] > 500 && st.errors[E_NOTMAPPED] > 1000);
	CHECK(st.errors[E_ALIGN] > 100 && st.errors[E_RANGE] > 100);
	CHECK(st.errors[E_CAP_RANGE] && st.errors[E_CAP_EMPTY] && st.errors[E_CAP_TYPE] &&
	      st.errors[E_CAP_RIGHTS]);
}
