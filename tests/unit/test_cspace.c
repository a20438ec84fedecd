/*
 * Host unit tests of the capability tables (kernel/core/cspace.c): table
 * allocation, the lookup every system call decodes with (its error order),
 * and the invoke steps of copy/mint (cap_derive), move, delete and revoke,
 * which keep the derivation tree and each object's reference count. A long
 * random run over several tables and objects is checked after every step
 * against a reference model of each slot (object, rights, badge, parent
 * slot), each object's reference count and the destroy calls.
 *
 * Nothing else of the kernel is linked: the stubs below stand in for the
 * kernel-memory pages (host memory), the four destroy functions (they
 * record their calls) and panic (which a test can catch).
 *
 * sources: kernel/core/cspace.c kernel/lib/mdb.c
 */
#define UNIT_SUITE "cspace"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <panic.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <arch/memlayout.h>
#include <obj/cap.h>
#include <obj/endpoint.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

/* What cspace.c can hold in its one page. */
#define SLOTS_PER_PAGE ((uint32_t)(FRAME_SIZE / sizeof(struct cap)))

/* Set by a stub that saw something wrong; tests check it is still NULL. */
static const char *stub_error;

static void stub_fail(const char *what)
{
	if (!stub_error)
		stub_error = what;
	printf("    stub: %s\n", what);
}

/* ------------------------------------------------------------ kernel pages */

/*
 * kmem_page_alloc hands out physical addresses that cspace.c reaches
 * through phys_to_virt(), i.e. pa + DIRECT_MAP_BASE. The stub returns
 * host address - DIRECT_MAP_BASE (mod 2^64), so that the sum is the host
 * address again; virt_to_phys() of a host (lower-half) pointer undoes it.
 */
#define PAGES_MAX 64
static void *pages[PAGES_MAX];
static struct quota *page_quota[PAGES_MAX];
static int pages_live;

uint64_t kmem_page_alloc(struct quota *q)
{
	void *p;

	if (q->used + FRAME_SIZE > q->limit)
		return FRAME_NONE;
	for (int i = 0; i < PAGES_MAX; i++) {
		if (pages[i])
			continue;
		p = aligned_alloc(FRAME_SIZE, FRAME_SIZE);
		if (!p)
			abort();
		memset(p, 0, FRAME_SIZE);       /* the contract: a zeroed frame */
		pages[i] = p;
		page_quota[i] = q;
		pages_live++;
		q->used += FRAME_SIZE;
		return (uint64_t)(uintptr_t)p - DIRECT_MAP_BASE;
	}
	stub_fail("kmem_page_alloc: out of test pages");
	return FRAME_NONE;
}

void kmem_page_free(struct quota *q, uint64_t phys)
{
	void *p = phys_to_virt(phys);

	for (int i = 0; i < PAGES_MAX; i++) {
		if (pages[i] != p)
			continue;
		if (page_quota[i] != q)
			stub_fail("kmem_page_free: credited to another quota");
		free(p);
		pages[i] = NULL;
		pages_live--;
		q->used -= FRAME_SIZE;
		return;
	}
	stub_fail("kmem_page_free: not an allocated page");
}

/* Frees what a failed test left behind. */
static void pages_reset(void)
{
	for (int i = 0; i < PAGES_MAX; i++) {
		free(pages[i]);
		pages[i] = NULL;
	}
	pages_live = 0;
}

/* ------------------------------------------------------------ objects */

/*
 * A pool of objects of every type; object i is pool[i], of type
 * pool_type[i]. Types without a reference count (I/O ports, IRQ lines,
 * the debug console) use the same storage.
 */
#define NOBJ 40
union anyobj {
	struct task task;
	struct thread thread;
	struct endpoint ep;
	struct notification ntfn;
};
static union anyobj pool[NOBJ];
static unsigned pool_type[NOBJ];

/* Written into refs by the destroy stubs: a later touch shows. */
#define DEAD_REFS 0x5a5a5a5au

static int counted(unsigned type)
{
	return type == CAP_TASK || type == CAP_THREAD || type == CAP_ENDPOINT ||
	       type == CAP_NOTIFICATION;
}

/* The reference count of object i, as the kernel keeps it. */
static uint32_t *refs_of(int i)
{
	switch (pool_type[i]) {
	case CAP_TASK:          return &pool[i].task.hdr.refs;
	case CAP_THREAD:        return &pool[i].thread.hdr.refs;
	case CAP_ENDPOINT:      return &pool[i].ep.hdr.refs;
	case CAP_NOTIFICATION:  return &pool[i].ntfn.hdr.refs;
	default:                return NULL;
	}
}

/* A fresh, zeroed object i of type type (as the *_create calls leave it). */
static void *obj_new(int i, unsigned type)
{
	memset(&pool[i], 0, sizeof(pool[i]));
	pool_type[i] = type;
	return &pool[i];
}

static int obj_id(const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)pool;

	if ((uintptr_t)p < (uintptr_t)pool || off >= sizeof(pool) || off % sizeof(pool[0]))
		return -1;
	return (int)(off / sizeof(pool[0]));
}

/* ------------------------------------------------------------ tables */

/* The tables of the current test; the destroy stubs look through them. */
#define TABLES_MAX 8
static struct cspace tables[TABLES_MAX];
static int ntables;
static struct quota tq;

/* Sets up n tables of the given sizes, all empty. */
static int tables_new(int n, const uint32_t *sizes)
{
	for (int t = 0; t < n; t++)
		if (cspace_init(&tables[t], sizes[t], &tq) != E_OK)
			return 0;
	ntables = n;
	return 1;
}

/* Empties every table and frees them; whether every page came back. */
static int tables_free(void)
{
	for (int t = 0; t < ntables; t++) {
		for (uint32_t i = 0; i < tables[t].nslots; i++)
			if (tables[t].slots[i].obj)
				cap_delete(&tables[t].slots[i]);
		cspace_destroy(&tables[t], &tq);
	}
	ntables = 0;
	return pages_live == 0 && tq.used == 0 && !stub_error;
}

#define SLOT(t, i) (&tables[t].slots[i])

/* Whether some slot of the current tables names obj. */
static int named(const void *obj)
{
	for (int t = 0; t < ntables; t++)
		for (uint32_t i = 0; i < tables[t].nslots; i++)
			if (tables[t].slots[i].obj == obj)
				return 1;
	return 0;
}

/* ------------------------------------------------------------ destroy stubs */

#define DLOG_MAX 4096
static struct { unsigned type; void *obj; } dlog[DLOG_MAX];
static int ndlog;

/* A destroy call: the count is 0 and no capability names the object. */
static void destroyed(unsigned type, void *obj, struct kobj *hdr)
{
	if (ndlog == DLOG_MAX) {
		stub_fail("too many destroy calls");
		return;
	}
	dlog[ndlog].type = type;
	dlog[ndlog++].obj = obj;
	if (hdr->refs != 0)
		stub_fail("destroyed with references left");
	if (named(obj))
		stub_fail("destroyed while a capability names it");
	hdr->refs = DEAD_REFS;
}

void task_destroy(struct task *t)
{
	destroyed(CAP_TASK, t, &t->hdr);
}

void thread_destroy(struct thread *t)
{
	destroyed(CAP_THREAD, t, &t->hdr);
}

void endpoint_destroy(struct endpoint *ep)
{
	destroyed(CAP_ENDPOINT, ep, &ep->hdr);
}

void notification_destroy(struct notification *n)
{
	destroyed(CAP_NOTIFICATION, n, &n->hdr);
}

/* Queued sends are IPC's business (tested in test_ipc.c): nothing queues here. */
void endpoint_cap_gone(struct endpoint *ep, const struct cap *c, const struct cap *moved_to)
{
	(void)ep;
	(void)c;
	(void)moved_to;
}

/* How often obj was destroyed, and whether always as type. */
static int ndestroyed(const void *obj, unsigned type)
{
	int n = 0;

	for (int i = 0; i < ndlog; i++) {
		if (dlog[i].obj != obj)
			continue;
		if (dlog[i].type != type)
			return -1;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ panic */

/* A failed assert() in cspace.c: caught when a test expects it. */
static jmp_buf panic_jmp;
static int panic_armed;

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	if (panic_armed) {
		panic_armed = 0;
		longjmp(panic_jmp, 1);
	}
	printf("PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	abort();
}

/* Whether stmt panics. */
#define PANICS(stmt)                                                        \
	({                                                                  \
		volatile int panicked_ = 1;                                 \
		panic_armed = 1;                                            \
		if (setjmp(panic_jmp) == 0) {                               \
			stmt;                                               \
			panicked_ = 0;                                      \
		}                                                           \
		panic_armed = 0;                                            \
		panicked_;                                                  \
	})

/* ------------------------------------------------------------ helpers */

/* Every test starts here: no tables, fresh objects, empty logs. */
static void reset(void)
{
	pages_reset();
	memset(tables, 0, sizeof(tables));
	ntables = 0;
	memset(&tq, 0, sizeof(tq));
	tq.limit = (uint64_t)PAGES_MAX * FRAME_SIZE;
	memset(pool, 0, sizeof(pool));
	memset(pool_type, 0, sizeof(pool_type));
	ndlog = 0;
	stub_error = NULL;
	panic_armed = 0;
}

static int is_unlinked(const struct mdb_node *n)
{
	return !n->parent && !n->child && !n->next && !n->prev;
}

/* An empty slot: no object, no type, rights or badge, out of the tree. */
static int is_empty(const struct cap *c)
{
	return !c->obj && c->type == CAP_NULL && !c->rights && !c->badge &&
	       is_unlinked(&c->mdb);
}

static int is_root(const struct cap *c)
{
	return !c->mdb.parent && !c->mdb.next && !c->mdb.prev;
}

/* Whether c's children are exactly want[] (ending with NULL), in order,
 * doubly linked and pointing back at c. */
static int kids_are(const struct cap *c, struct cap *const *want)
{
	const struct mdb_node *n, *prev = NULL;
	int k = 0;

	for (n = c->mdb.child; n; prev = n, n = n->next, k++) {
		if (!want[k] || n != &want[k]->mdb || n->prev != prev || n->parent != &c->mdb)
			return 0;
	}
	return want[k] == NULL;
}
#define KIDS(c, ...) kids_are((c), (struct cap *const[]){ __VA_ARGS__, NULL })
#define LEAF(c)      (!(c)->mdb.child)

/* Whether c holds exactly (obj, type, rights, badge). */
static int holds(const struct cap *c, const void *obj, unsigned type, unsigned rights,
		 uint64_t badge)
{
	return c->obj == obj && c->type == type && c->rights == rights && c->badge == badge;
}

/* ------------------------------------------------------------ tables */

TEST(init_and_destroy)
{
	struct cspace cs;
	uint32_t n;

	reset();
	/* Table sizes: 1 up to a page's worth; 0 and more are E_INVAL, without
	 * touching memory or the quota. */
	CHECK(SLOTS_PER_PAGE == 73);
	memset(&cs, 0x77, sizeof(cs));
	CHECK(cspace_init(&cs, 0, &tq) == E_INVAL);
	CHECK(cspace_init(&cs, SLOTS_PER_PAGE + 1, &tq) == E_INVAL);
	CHECK(cspace_init(&cs, UINT32_MAX, &tq) == E_INVAL);
	CHECK(pages_live == 0 && tq.used == 0);

	for (n = 1; n <= SLOTS_PER_PAGE; n += 12) {
		CHECK(cspace_init(&cs, n, &tq) == E_OK);
		CHECK(cs.nslots == n && cs.npages == 1 && cs.slots);
		CHECK(pages_live == 1 && tq.used == FRAME_SIZE);
		for (uint32_t i = 0; i < n; i++)
			CHECK(is_empty(&cs.slots[i]));
		/* The table is within its page. */
		CHECK((uintptr_t)(cs.slots + n) - (uintptr_t)pages[0] <= FRAME_SIZE);
		cspace_destroy(&cs, &tq);
		CHECK(!cs.slots && cs.nslots == 0 && cs.npages == 0);
		CHECK(pages_live == 0 && tq.used == 0 && !stub_error);
	}
	CHECK(cspace_init(&cs, SLOTS_PER_PAGE, &tq) == E_OK);
	cspace_destroy(&cs, &tq);

	/* The quota is exhausted: E_NOMEM, and nothing was taken. */
	tq.limit = FRAME_SIZE - 1;
	CHECK(cspace_init(&cs, 8, &tq) == E_NOMEM);
	CHECK(pages_live == 0 && tq.used == 0 && !stub_error);
}

TEST(destroy_of_a_table_in_use_panics)
{
	static const uint32_t sz[] = { 4 };

	reset();
	CHECK(tables_new(1, sz));
	cap_install(&tables[0], 2, CAP_ENDPOINT, obj_new(0, CAP_ENDPOINT), RIGHTS_ALL, 0);
	CHECK(PANICS(cspace_destroy(&tables[0], &tq)));
	CHECK(pages_live == 1);
	CHECK(tables_free());
}

/* ------------------------------------------------------------ lookup */

TEST(lookup_error_order)
{
	static const uint32_t sz[] = { 6 };
	struct cap *out, *const sentinel = (struct cap *)&out;
	void *ep;

	reset();
	CHECK(tables_new(1, sz));
	ep = obj_new(0, CAP_ENDPOINT);
	cap_install(&tables[0], 1, CAP_ENDPOINT, ep, RIGHT_READ | RIGHT_WRITE, 7);
	cap_install(&tables[0], 5, CAP_IOPORT, obj_new(1, CAP_IOPORT), RIGHTS_ALL,
		    IOPORT_RANGE(0x60, 0x64));

	/* Range first: the index alone decides, whatever else is asked. */
	out = sentinel;
	CHECK(cap_lookup(&tables[0], 6, CAP_NULL, 0, &out) == E_CAP_RANGE);
	CHECK(cap_lookup(&tables[0], 7, CAP_TASK, RIGHTS_ALL, &out) == E_CAP_RANGE);
	CHECK(cap_lookup(&tables[0], UINT64_MAX, CAP_NULL, 0, &out) == E_CAP_RANGE);
	/* No truncation to 32 bits: 2^32 + 1 is not slot 1. */
	CHECK(cap_lookup(&tables[0], (1ull << 32) | 1, CAP_NULL, 0, &out) == E_CAP_RANGE);
	CHECK(cap_lookup(&tables[0], 1ull << 63 | 1, CAP_ENDPOINT, 0, &out) == E_CAP_RANGE);
	/* Then empty, before type and rights. */
	CHECK(cap_lookup(&tables[0], 0, CAP_NULL, 0, &out) == E_CAP_EMPTY);
	CHECK(cap_lookup(&tables[0], 2, CAP_TASK, RIGHTS_ALL, &out) == E_CAP_EMPTY);
	/* Then type, before rights. */
	CHECK(cap_lookup(&tables[0], 1, CAP_NOTIFICATION, RIGHTS_ALL, &out) == E_CAP_TYPE);
	CHECK(cap_lookup(&tables[0], 1, CAP_TASK, 0, &out) == E_CAP_TYPE);
	CHECK(cap_lookup(&tables[0], 5, CAP_IRQ, 0, &out) == E_CAP_TYPE);
	/* Then rights: every one asked for must be there. */
	CHECK(cap_lookup(&tables[0], 1, CAP_ENDPOINT, RIGHT_GRANT, &out) == E_CAP_RIGHTS);
	CHECK(cap_lookup(&tables[0], 1, CAP_NULL, RIGHT_READ | RIGHT_CONTROL, &out) ==
	      E_CAP_RIGHTS);
	CHECK(cap_lookup(&tables[0], 1, CAP_ENDPOINT, RIGHTS_ALL, &out) == E_CAP_RIGHTS);
	/* No failure writes *out. */
	CHECK(out == sentinel);

	/* Success: CAP_NULL matches any type, no rights or a subset pass. */
	CHECK(cap_lookup(&tables[0], 1, CAP_NULL, 0, &out) == E_OK && out == SLOT(0, 1));
	out = sentinel;
	CHECK(cap_lookup(&tables[0], 1, CAP_ENDPOINT, RIGHT_WRITE, &out) == E_OK &&
	      out == SLOT(0, 1));
	out = sentinel;
	CHECK(cap_lookup(&tables[0], 1, CAP_ENDPOINT, RIGHT_READ | RIGHT_WRITE, &out) ==
	      E_OK && out == SLOT(0, 1));
	/* The last slot is in range. */
	CHECK(cap_lookup(&tables[0], 5, CAP_IOPORT, RIGHTS_ALL, &out) == E_OK &&
	      out == SLOT(0, 5));
	/* Lookups change nothing. */
	CHECK(holds(SLOT(0, 1), ep, CAP_ENDPOINT, RIGHT_READ | RIGHT_WRITE, 7));
	CHECK(*refs_of(0) == 1 && ndlog == 0);
	CHECK(tables_free());
}

TEST(slot_free)
{
	static const uint32_t sz[] = { 3 };

	reset();
	CHECK(tables_new(1, sz));
	cap_install(&tables[0], 1, CAP_NOTIFICATION, obj_new(0, CAP_NOTIFICATION),
		    RIGHT_READ, 0);
	CHECK(cap_slot_free(&tables[0], 0) == E_OK);
	CHECK(cap_slot_free(&tables[0], 1) == E_CAP_OCCUPIED);
	CHECK(cap_slot_free(&tables[0], 2) == E_OK);
	CHECK(cap_slot_free(&tables[0], 3) == E_CAP_RANGE);
	CHECK(cap_slot_free(&tables[0], (1ull << 32) | 0) == E_CAP_RANGE);
	CHECK(cap_slot_free(&tables[0], UINT64_MAX) == E_CAP_RANGE);
	cap_delete(SLOT(0, 1));
	CHECK(cap_slot_free(&tables[0], 1) == E_OK);
	CHECK(tables_free());
}

/* ------------------------------------------------------------ install */

TEST(install_sets_refcount)
{
	static const uint32_t sz[] = { 8, 8 };
	static const unsigned types[] = { CAP_TASK, CAP_THREAD, CAP_ENDPOINT,
					  CAP_NOTIFICATION };
	void *o;

	reset();
	CHECK(tables_new(2, sz));
	for (int k = 0; k < 4; k++) {
		o = obj_new(k, types[k]);
		cap_install(&tables[0], (uint32_t)k, types[k], o, RIGHTS_ALL, 0);
		CHECK(holds(SLOT(0, k), o, types[k], RIGHTS_ALL, 0));
		CHECK(is_root(SLOT(0, k)) && LEAF(SLOT(0, k)));
		CHECK(*refs_of(k) == 1);
		/* A second original, in another table: a second reference,
		 * a second root. */
		cap_install(&tables[1], (uint32_t)k + 4, types[k], o, RIGHT_READ, 9);
		CHECK(holds(SLOT(1, k + 4), o, types[k], RIGHT_READ, 9));
		CHECK(is_root(SLOT(1, k + 4)) && LEAF(SLOT(1, k + 4)));
		CHECK(*refs_of(k) == 2);
	}
	/* Objects without a count are named all the same, with their badge. */
	o = obj_new(4, CAP_IOPORT);
	cap_install(&tables[0], 7, CAP_IOPORT, o, RIGHT_WRITE, IOPORT_RANGE(0, 0xFFFF));
	CHECK(holds(SLOT(0, 7), o, CAP_IOPORT, RIGHT_WRITE, IOPORT_RANGE(0, 0xFFFF)));
	CHECK(ndlog == 0);
	/* Into a full slot: a broken invariant, and nothing changes. */
	CHECK(PANICS(cap_install(&tables[0], 0, CAP_ENDPOINT, &pool[2], RIGHTS_ALL, 0)));
	CHECK(holds(SLOT(0, 0), &pool[0], CAP_TASK, RIGHTS_ALL, 0) && *refs_of(2) == 2);

	CHECK(tables_free());
	for (int k = 0; k < 4; k++)
		CHECK(ndestroyed(&pool[k], types[k]) == 1);
	CHECK(ndlog == 4);
}

/* ------------------------------------------------------------ derive */

TEST(derive_narrows_rights)
{
	static const uint32_t sz[] = { 2, 2 };
	void *ep;

	reset();
	CHECK(tables_new(2, sz));
	ep = obj_new(0, CAP_ENDPOINT);
	/* Every source rights and every mask: the intersection, never more. */
	for (unsigned r = 0; r <= RIGHTS_ALL; r++) {
		for (unsigned m = 0; m <= RIGHTS_ALL; m++) {
			cap_install(&tables[0], 0, CAP_ENDPOINT, ep, r, 0);
			cap_derive(SLOT(0, 0), SLOT(1, 1), m, 0);
			CHECK(holds(SLOT(1, 1), ep, CAP_ENDPOINT, r & m, 0));
			CHECK((SLOT(1, 1)->rights & ~r) == 0);
			/* And a copy of the copy with everything asked: no more. */
			cap_derive(SLOT(1, 1), SLOT(0, 1), RIGHTS_ALL, 0);
			CHECK(SLOT(0, 1)->rights == (r & m));
			CHECK(*refs_of(0) == 3);
			cap_delete(SLOT(0, 1));
			cap_delete(SLOT(1, 1));
			cap_delete(SLOT(0, 0));
			CHECK(ndlog == 1 && ndestroyed(ep, CAP_ENDPOINT) == 1);
			ep = obj_new(0, CAP_ENDPOINT);
			ndlog = 0;
		}
	}
	CHECK(tables_free());
}

TEST(derive_badge_and_tree)
{
	static const uint32_t sz[] = { 8, 8, 8 };
	void *n, *io;
	struct cap *src, *a, *b, *c, *d;

	reset();
	CHECK(tables_new(3, sz));
	n = obj_new(0, CAP_NOTIFICATION);
	io = obj_new(1, CAP_IOPORT);
	src = SLOT(0, 0);
	a = SLOT(1, 3);
	b = SLOT(2, 7);
	c = SLOT(0, 5);
	d = SLOT(1, 0);
	cap_install(&tables[0], 0, CAP_NOTIFICATION, n, RIGHTS_ALL, 0);

	/* Copy: the badge (none) carries over; a child of the source. */
	cap_derive(src, a, RIGHTS_ALL, 0);
	CHECK(holds(a, n, CAP_NOTIFICATION, RIGHTS_ALL, 0));
	CHECK(a->mdb.parent == &src->mdb && KIDS(src, a) && LEAF(a));
	CHECK(is_root(src));
	/* Mint: the badge given. A new child goes first. */
	cap_derive(src, b, RIGHT_WRITE, 0x1234);
	CHECK(holds(b, n, CAP_NOTIFICATION, RIGHT_WRITE, 0x1234));
	CHECK(KIDS(src, b, a));
	/* A copy of the badged one keeps its badge, one level down. */
	cap_derive(b, c, RIGHTS_ALL, 0);
	CHECK(holds(c, n, CAP_NOTIFICATION, RIGHT_WRITE, 0x1234));
	CHECK(KIDS(b, c) && KIDS(src, b, a) && LEAF(c));
	CHECK(*refs_of(0) == 4);
	/* The source is unchanged by all of this. */
	CHECK(holds(src, n, CAP_NOTIFICATION, RIGHTS_ALL, 0));

	/* An uncounted object: the badge (its port range) carries over. */
	cap_install(&tables[2], 0, CAP_IOPORT, io, RIGHTS_ALL, IOPORT_RANGE(0x3F8, 0x3FF));
	cap_derive(SLOT(2, 0), d, RIGHT_READ, 0);
	CHECK(holds(d, io, CAP_IOPORT, RIGHT_READ, IOPORT_RANGE(0x3F8, 0x3FF)));
	CHECK(KIDS(SLOT(2, 0), d));

	/* Into a full slot, or from an empty one: broken invariants, and
	 * nothing changes. */
	CHECK(PANICS(cap_derive(src, a, RIGHTS_ALL, 0)));
	CHECK(PANICS(cap_derive(SLOT(0, 7), SLOT(0, 6), RIGHTS_ALL, 0)));
	CHECK(KIDS(src, b, a) && *refs_of(0) == 4 && is_empty(SLOT(0, 6)));

	CHECK(ndlog == 0);
	CHECK(tables_free());
	CHECK(ndlog == 1 && ndestroyed(n, CAP_NOTIFICATION) == 1);
}

/* ------------------------------------------------------------ move */

TEST(move_keeps_derivation)
{
	/*
	 * g (t0:0) -> x (t1:1), s (t0:2), y (t2:3) in that order;
	 * s -> k1 (t1:4), k2 (t2:5); k1 -> kk (t0:6).
	 */
	static const uint32_t sz[] = { 8, 8, 8 };
	struct cap *g, *x, *s, *y, *k1, *k2, *kk, *d;
	void *t;

	reset();
	CHECK(tables_new(3, sz));
	t = obj_new(0, CAP_THREAD);
	g = SLOT(0, 0); x = SLOT(1, 1); s = SLOT(0, 2); y = SLOT(2, 3);
	k1 = SLOT(1, 4); k2 = SLOT(2, 5); kk = SLOT(0, 6); d = SLOT(1, 7);
	cap_install(&tables[0], 0, CAP_THREAD, t, RIGHTS_ALL, 0);
	cap_derive(g, y, RIGHTS_ALL, 0);
	cap_derive(g, s, RIGHT_READ | RIGHT_CONTROL, 5);
	cap_derive(g, x, RIGHT_READ, 0);
	cap_derive(s, k2, RIGHT_READ, 0);
	cap_derive(s, k1, RIGHT_CONTROL, 0);
	cap_derive(k1, kk, RIGHTS_ALL, 0);
	CHECK(KIDS(g, x, s, y) && KIDS(s, k1, k2) && KIDS(k1, kk));
	CHECK(*refs_of(0) == 7);

	/* Across tables: same contents, same place, same children. */
	cap_move(s, d);
	CHECK(is_empty(s));
	CHECK(holds(d, t, CAP_THREAD, RIGHT_READ | RIGHT_CONTROL, 5));
	CHECK(d->mdb.parent == &g->mdb && KIDS(g, x, d, y));
	CHECK(KIDS(d, k1, k2) && KIDS(k1, kk));
	CHECK(*refs_of(0) == 7 && ndlog == 0);

	/* Back into the old slot; a leaf; a root with children; a first and
	 * a last child. */
	cap_move(d, s);
	CHECK(is_empty(d) && KIDS(g, x, s, y) && KIDS(s, k1, k2));
	cap_move(kk, d);
	CHECK(is_empty(kk) && KIDS(k1, d) && LEAF(d));
	CHECK(holds(d, t, CAP_THREAD, RIGHT_CONTROL, 5));
	cap_move(g, kk);
	CHECK(is_empty(g) && is_root(kk) && KIDS(kk, x, s, y));
	cap_move(x, g);
	CHECK(KIDS(kk, g, s, y));
	cap_move(y, x);
	CHECK(KIDS(kk, g, s, x) && is_empty(y));
	CHECK(*refs_of(0) == 7 && ndlog == 0);

	/* The moved capability revokes what was derived from it. */
	cap_revoke(kk);
	CHECK(LEAF(kk) && *refs_of(0) == 1);
	for (int tb = 0; tb < 3; tb++)
		for (int i = 0; i < 8; i++)
			if (SLOT(tb, i) != kk)
				CHECK(is_empty(SLOT(tb, i)));

	/* From an empty slot, or into a full one: broken invariants. */
	CHECK(PANICS(cap_move(SLOT(0, 1), SLOT(0, 3))));
	cap_install(&tables[0], 1, CAP_DEBUG_CONSOLE, obj_new(1, CAP_DEBUG_CONSOLE),
		    RIGHT_WRITE, 0);
	CHECK(PANICS(cap_move(SLOT(0, 1), kk)));
	CHECK(holds(kk, t, CAP_THREAD, RIGHTS_ALL, 0) && is_root(kk));
	CHECK(holds(SLOT(0, 1), &pool[1], CAP_DEBUG_CONSOLE, RIGHT_WRITE, 0));

	CHECK(ndlog == 0);
	CHECK(tables_free());
	CHECK(ndlog == 1 && ndestroyed(t, CAP_THREAD) == 1);
}

/* ------------------------------------------------------------ delete */

TEST(delete_reparents_children)
{
	/* r (t0:0) -> a (t1:0), b (t1:1); a -> c (t0:1), e (t1:2); c -> f (t0:2). */
	static const uint32_t sz[] = { 4, 4 };
	struct cap *r, *a, *b, *c, *e, *f;
	void *ep;

	reset();
	CHECK(tables_new(2, sz));
	ep = obj_new(0, CAP_ENDPOINT);
	r = SLOT(0, 0); a = SLOT(1, 0); b = SLOT(1, 1);
	c = SLOT(0, 1); e = SLOT(1, 2); f = SLOT(0, 2);
	cap_install(&tables[0], 0, CAP_ENDPOINT, ep, RIGHTS_ALL, 0);
	cap_derive(r, b, RIGHTS_ALL, 0);
	cap_derive(r, a, RIGHTS_ALL, 0);
	cap_derive(a, e, RIGHTS_ALL, 0);
	cap_derive(a, c, RIGHTS_ALL, 0);
	cap_derive(c, f, RIGHTS_ALL, 0);
	CHECK(KIDS(r, a, b) && KIDS(a, c, e) && KIDS(c, f));
	CHECK(*refs_of(0) == 6);

	/* An inner node: its children take its place, in their order. */
	cap_delete(a);
	CHECK(is_empty(a));
	CHECK(KIDS(r, c, e, b) && KIDS(c, f));
	CHECK(*refs_of(0) == 5 && ndlog == 0);
	/* A leaf. */
	cap_delete(f);
	CHECK(is_empty(f) && LEAF(c) && *refs_of(0) == 4);
	/* The root: each child becomes a root. */
	cap_delete(r);
	CHECK(is_empty(r));
	CHECK(is_root(c) && is_root(e) && is_root(b));
	CHECK(LEAF(c) && LEAF(e) && LEAF(b));
	CHECK(*refs_of(0) == 3 && ndlog == 0);
	/* The slot is free again, and reusable. */
	CHECK(cap_slot_free(&tables[0], 0) == E_OK);
	cap_derive(b, r, RIGHT_READ, 0);
	CHECK(KIDS(b, r) && *refs_of(0) == 4);

	CHECK(PANICS(cap_delete(a)));
	CHECK(tables_free());
	CHECK(ndlog == 1);
}

TEST(delete_destroys_with_last_reference)
{
	static const unsigned types[] = { CAP_TASK, CAP_THREAD, CAP_ENDPOINT,
					  CAP_NOTIFICATION };
	static const uint32_t sz[] = { 8, 8 };
	void *o;

	for (int k = 0; k < 4; k++) {
		reset();
		CHECK(tables_new(2, sz));
		o = obj_new(k, types[k]);
		/* Two originals and derived copies in both tables. */
		cap_install(&tables[0], 0, types[k], o, RIGHTS_ALL, 0);
		cap_install(&tables[1], 0, types[k], o, RIGHTS_ALL, 0);
		cap_derive(SLOT(0, 0), SLOT(1, 5), RIGHT_READ, 0);
		cap_derive(SLOT(1, 5), SLOT(0, 3), RIGHT_READ, 0);
		cap_derive(SLOT(1, 0), SLOT(1, 7), RIGHT_WRITE, 0);
		CHECK(*refs_of(k) == 5);
		/* Originals first, then copies: each takes one reference; the
		 * last takes the object, once, with its type. */
		cap_delete(SLOT(0, 0));
		cap_delete(SLOT(1, 7));
		cap_delete(SLOT(1, 0));
		cap_delete(SLOT(0, 3));
		CHECK(*refs_of(k) == 1 && ndlog == 0);
		cap_move(SLOT(1, 5), SLOT(0, 7));
		CHECK(*refs_of(k) == 1 && ndlog == 0);
		cap_delete(SLOT(0, 7));
		CHECK(ndlog == 1 && dlog[0].obj == o && dlog[0].type == types[k]);
		CHECK(!stub_error);
		CHECK(tables_free());
		CHECK(ndlog == 1);
	}

	/* Objects without a count are never destroyed. */
	reset();
	CHECK(tables_new(2, sz));
	cap_install(&tables[0], 0, CAP_IRQ, obj_new(0, CAP_IRQ), RIGHTS_ALL, 0);
	cap_install(&tables[0], 1, CAP_IOPORT, obj_new(1, CAP_IOPORT), RIGHTS_ALL, 1);
	cap_install(&tables[0], 2, CAP_DEBUG_CONSOLE, obj_new(2, CAP_DEBUG_CONSOLE),
		    RIGHTS_ALL, 0);
	for (int i = 0; i < 3; i++)
		cap_derive(SLOT(0, i), SLOT(1, i), RIGHTS_ALL, 0);
	for (int i = 0; i < 3; i++) {
		cap_delete(SLOT(0, i));
		cap_delete(SLOT(1, i));
	}
	CHECK(ndlog == 0);
	/* They have no header the code may have written into. */
	for (int i = 0; i < 3; i++)
		for (size_t b = 0; b < sizeof(pool[i]); b++)
			CHECK(((unsigned char *)&pool[i])[b] == 0);
	CHECK(tables_free());
}

/* ------------------------------------------------------------ revoke */

TEST(revoke_across_tables)
{
	/*
	 * Endpoint e: r (t0:0) -> a (t1:0), b (t2:0); a -> a1 (t0:1), a2 (t2:1);
	 * a1 -> a11 (t1:1); b -> b1 (t1:2). An independent original o (t2:2)
	 * of e, with a child o1 (t0:2). Notification n in t0:3 -> t1:3.
	 */
	static const uint32_t sz[] = { 4, 4, 4 };
	struct cap *r, *a, *b, *a1, *a2, *a11, *b1, *o, *o1;
	void *e, *n;

	reset();
	CHECK(tables_new(3, sz));
	e = obj_new(0, CAP_ENDPOINT);
	n = obj_new(1, CAP_NOTIFICATION);
	r = SLOT(0, 0); a = SLOT(1, 0); b = SLOT(2, 0);
	a1 = SLOT(0, 1); a2 = SLOT(2, 1); a11 = SLOT(1, 1); b1 = SLOT(1, 2);
	o = SLOT(2, 2); o1 = SLOT(0, 2);
	cap_install(&tables[0], 0, CAP_ENDPOINT, e, RIGHTS_ALL, 0);
	cap_derive(r, b, RIGHTS_ALL, 0);
	cap_derive(r, a, RIGHTS_ALL, 3);
	cap_derive(a, a2, RIGHT_READ, 0);
	cap_derive(a, a1, RIGHT_WRITE, 0);
	cap_derive(a1, a11, RIGHTS_ALL, 0);
	cap_derive(b, b1, RIGHTS_ALL, 0);
	cap_install(&tables[2], 2, CAP_ENDPOINT, e, RIGHT_READ, 0);
	cap_derive(o, o1, RIGHTS_ALL, 0);
	cap_install(&tables[0], 3, CAP_NOTIFICATION, n, RIGHTS_ALL, 0);
	cap_derive(SLOT(0, 3), SLOT(1, 3), RIGHTS_ALL, 0);
	CHECK(*refs_of(0) == 9 && *refs_of(1) == 2);

	/* A subtree: a stays, with its place and contents. */
	cap_revoke(a);
	CHECK(is_empty(a1) && is_empty(a2) && is_empty(a11));
	CHECK(holds(a, e, CAP_ENDPOINT, RIGHTS_ALL, 3) && LEAF(a));
	CHECK(KIDS(r, a, b) && KIDS(b, b1));
	CHECK(*refs_of(0) == 6 && ndlog == 0);
	/* A leaf, and again: nothing to do. */
	cap_revoke(a);
	cap_revoke(b1);
	CHECK(*refs_of(0) == 6 && KIDS(r, a, b) && KIDS(b, b1));
	/* The whole tree: the other original and its child are not in it,
	 * nor is the notification. */
	cap_revoke(r);
	CHECK(is_empty(a) && is_empty(b) && is_empty(b1) && LEAF(r) && is_root(r));
	CHECK(holds(o, e, CAP_ENDPOINT, RIGHT_READ, 0) && KIDS(o, o1));
	CHECK(KIDS(SLOT(0, 3), SLOT(1, 3)) && *refs_of(1) == 2);
	CHECK(*refs_of(0) == 3);
	/*
	 * Everything derived from c names c's object and c stays: a revoke
	 * never takes a count to zero, so it never destroys.
	 */
	CHECK(ndlog == 0);
	cap_revoke(o);
	CHECK(is_empty(o1) && *refs_of(0) == 2 && ndlog == 0);
	cap_delete(o);
	cap_delete(r);
	CHECK(ndlog == 1 && ndestroyed(e, CAP_ENDPOINT) == 1);
	CHECK(!stub_error);

	CHECK(PANICS(cap_revoke(r)));
	CHECK(tables_free());
	CHECK(ndlog == 2 && ndestroyed(n, CAP_NOTIFICATION) == 1);
}

TEST(revoke_deep_chain)
{
	/* A chain through every slot of two full tables, revoked from the top. */
	static const uint32_t sz[] = { SLOTS_PER_PAGE, SLOTS_PER_PAGE };
	struct cap *prev;
	void *t;

	reset();
	CHECK(tables_new(2, sz));
	t = obj_new(0, CAP_TASK);
	cap_install(&tables[0], 0, CAP_TASK, t, RIGHTS_ALL, 0);
	prev = SLOT(0, 0);
	for (uint32_t k = 1; k < 2 * SLOTS_PER_PAGE; k++) {
		struct cap *c = SLOT(k % 2, k / 2);

		cap_derive(prev, c, RIGHTS_ALL, 0);
		CHECK(c->mdb.parent == &prev->mdb);
		prev = c;
	}
	CHECK(*refs_of(0) == 2 * SLOTS_PER_PAGE);
	/* From the middle, then from the top. */
	cap_revoke(SLOT(1, 30));
	CHECK(*refs_of(0) == 2 * 30 + 2 && LEAF(SLOT(1, 30)));
	cap_revoke(SLOT(0, 0));
	CHECK(*refs_of(0) == 1 && ndlog == 0);
	for (uint32_t k = 1; k < 2 * SLOTS_PER_PAGE; k++)
		CHECK(is_empty(SLOT(k % 2, k / 2)));
	CHECK(tables_free());
	CHECK(ndlog == 1 && ndestroyed(t, CAP_TASK) == 1);
}

/* ------------------------------------------------------------ random */

/*
 * The reference model: for each slot of every table (numbered globally)
 * the object it names (-1: empty), its rights, badge and parent slot
 * (-1: a root); for each object whether it lives, its reference count
 * (counted types only) and how often it was destroyed.
 */
#define RT    4
#define NS    (73 + 31 + 7 + 45)
#define STEPS 20000
#define ROBJ  NOBJ
static const uint32_t rsizes[RT] = { 73, 31, 7, 45 };
static int m_obj[NS], m_rights[NS], m_par[NS];
static uint64_t m_badge[NS];
static int m_alive[ROBJ], m_refs[ROBJ], m_ndestroyed[ROBJ];
static int exp_destroy[ROBJ], nexp;
static uint64_t rng = 0x2545f4914f6cdd1dull;
static int step;
static struct { int ops[8], depth, revoked, destroys, moved_with_kids, lookups_ok; } st;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* The table of global slot g. */
static int gtable(int g)
{
	for (int t = 0; t < RT; t++) {
		if (g < (int)rsizes[t])
			return t;
		g -= (int)rsizes[t];
	}
	abort();
}

static struct cap *gslot(int g)
{
	for (int t = 0; t < RT; t++) {
		if (g < (int)rsizes[t])
			return SLOT(t, g);
		g -= (int)rsizes[t];
	}
	abort();
}

/* The global slot of table t, index i. */
static int gindex(int t, uint64_t i)
{
	int g = 0;

	for (int k = 0; k < t; k++)
		g += (int)rsizes[k];
	return g + (int)i;
}

/* Which slot a derivation node belongs to; -1: none of ours. */
static int node_slot(const struct mdb_node *n)
{
	for (int t = 0, g = 0; t < RT; g += (int)rsizes[t], t++) {
		uintptr_t off = (uintptr_t)n - (uintptr_t)tables[t].slots;

		if ((uintptr_t)n >= (uintptr_t)tables[t].slots &&
		    off < rsizes[t] * sizeof(struct cap) &&
		    off % sizeof(struct cap) == offsetof(struct cap, mdb))
			return g + (int)(off / sizeof(struct cap));
	}
	return -1;
}

/* A random slot that is full (1) or empty (0); -1 if there is none. */
static int pick(int full)
{
	int n = 0, k;

	for (int g = 0; g < NS; g++)
		n += (m_obj[g] >= 0) == full;
	if (n == 0)
		return -1;
	k = (int)rnd((unsigned)n);
	for (int g = 0; g < NS; g++)
		if ((m_obj[g] >= 0) == full && k-- == 0)
			return g;
	return -1;
}

/* The model's side of emptying slot g (already out of the tree). */
static void m_clear(int g)
{
	int o = m_obj[g];

	m_obj[g] = -1;
	m_rights[g] = 0;
	m_badge[g] = 0;
	m_par[g] = -1;
	if (counted(pool_type[o]) && --m_refs[o] == 0) {
		m_alive[o] = 0;
		exp_destroy[nexp++] = o;
	}
}

static int m_is_descendant(int d, int a)
{
	for (int p = m_par[d], k = 0; p >= 0; p = m_par[p])
		if (p == a || ++k > NS)
			return p == a;
	return 0;
}

static int fail(int g, const char *what)
{
	printf("    step %d, slot %d: %s\n", step, g, what);
	return 0;
}

/* The real tables, counts and destroy calls against the model. */
static int check_world(void)
{
	static int nkids[NS];
	const struct mdb_node *n, *prev;
	int g, k, o, depth;

	if (stub_error)
		return fail(-1, stub_error);
	for (g = 0; g < NS; g++)
		nkids[g] = 0;
	for (g = 0; g < NS; g++)
		if (m_obj[g] >= 0 && m_par[g] >= 0)
			nkids[m_par[g]]++;
	for (g = 0; g < NS; g++) {
		const struct cap *c = gslot(g);

		if (m_obj[g] < 0) {
			if (!is_empty(c))
				return fail(g, "an empty slot is not clean");
			continue;
		}
		o = m_obj[g];
		if (!holds(c, &pool[o], pool_type[o], (unsigned)m_rights[g], m_badge[g]))
			return fail(g, "wrong object, type, rights or badge");
		if (c->mdb.parent != (m_par[g] < 0 ? NULL : &gslot(m_par[g])->mdb))
			return fail(g, "wrong parent");
		if (!c->mdb.parent && (c->mdb.next || c->mdb.prev))
			return fail(g, "a root has siblings");
		prev = NULL;
		for (n = c->mdb.child, k = 0; n; prev = n, n = n->next, k++) {
			if (k >= nkids[g])
				return fail(g, "too many children (or a cycle)");
			if (node_slot(n) < 0 || n->parent != &c->mdb || n->prev != prev)
				return fail(g, "a child list is broken");
		}
		if (k != nkids[g])
			return fail(g, "too few children");
		depth = 0;
		for (int p = m_par[g]; p >= 0; p = m_par[p])
			depth++;
		if (depth > st.depth)
			st.depth = depth;
	}
	for (o = 0; o < ROBJ; o++) {
		if (!counted(pool_type[o]))
			continue;
		if (m_alive[o] && *refs_of(o) != (uint32_t)m_refs[o])
			return fail(-1, "an object's reference count is wrong");
		/* Once destroyed, nothing touches the count again. */
		if (!m_alive[o] && m_ndestroyed[o] > 0 && *refs_of(o) != DEAD_REFS)
			return fail(-1, "a dead object's count was touched");
	}
	/* This step's destroy calls: exactly the objects whose count hit 0. */
	if (ndlog != nexp)
		return fail(-1, "wrong number of destroy calls");
	for (k = 0; k < ndlog; k++) {
		o = obj_id(dlog[k].obj);
		if (o < 0 || dlog[k].type != pool_type[o])
			return fail(-1, "a destroy call for a stranger or with the wrong type");
		for (int j = 0; j < nexp && o >= 0; j++) {
			if (exp_destroy[j] == o) {
				exp_destroy[j] = -1;
				o = -1;
			}
		}
		if (o >= 0)
			return fail(-1, "an object destroyed that should live, or twice");
		m_ndestroyed[obj_id(dlog[k].obj)]++;
		st.destroys++;
	}
	ndlog = nexp = 0;
	return 1;
}

/* Looks up random indexes with random demands, against the model. */
static int check_lookups(void)
{
	for (int k = 0; k < 8; k++) {
		int t = (int)rnd(RT), g, want;
		uint64_t idx = rnd(8) ? rnd(rsizes[t] + 4) : (rnd(2) ? 1ull << 32 : 1ull << 63) +
								rnd(rsizes[t]);
		/* Often "any type" and few rights, so that many succeed. */
		unsigned type = rnd(2) ? CAP_NULL : rnd(CAP_NTYPES);
		unsigned rights = rnd(2) ? 1u << rnd(4) : rnd(RIGHTS_ALL + 1);
		struct cap *out = NULL;

		if (idx >= rsizes[t]) {
			want = E_CAP_RANGE;
		} else {
			g = gindex(t, idx);
			if (m_obj[g] < 0)
				want = E_CAP_EMPTY;
			else if (type != CAP_NULL && type != pool_type[m_obj[g]])
				want = E_CAP_TYPE;
			else if (((unsigned)m_rights[g] & rights) != rights)
				want = E_CAP_RIGHTS;
			else
				want = E_OK;
		}
		if (cap_lookup(&tables[t], idx, type, rights, &out) != want)
			return fail(-1, "cap_lookup answered wrong");
		if (want == E_OK ? out != SLOT(t, idx) : out != NULL)
			return fail(-1, "cap_lookup set *out wrong");
		st.lookups_ok += want == E_OK;
		want = idx >= rsizes[t] ? E_CAP_RANGE :
		       m_obj[gindex(t, idx)] >= 0 ? E_CAP_OCCUPIED : E_OK;
		if (cap_slot_free(&tables[t], idx) != want)
			return fail(-1, "cap_slot_free answered wrong");
	}
	return 1;
}

TEST(random_against_model)
{
	/* Object o's type: every counted type, and two that are not. */
	static const unsigned otypes[] = { CAP_TASK, CAP_THREAD, CAP_ENDPOINT,
					   CAP_NOTIFICATION, CAP_ENDPOINT, CAP_IOPORT,
					   CAP_NOTIFICATION, CAP_IRQ };
	enum { INSTALL, DERIVE, MOVE, DELETE, REVOKE, LOOKUP };
	int s, d, o, op, kind, last = -1;

	reset();
	CHECK(tables_new(RT, rsizes));
	for (int g = 0; g < NS; g++) {
		m_obj[g] = m_par[g] = -1;
		m_rights[g] = 0;
		m_badge[g] = 0;
	}
	for (o = 0; o < ROBJ; o++) {
		pool_type[o] = otypes[o % ARRAY_SIZE(otypes)];
		m_alive[o] = m_refs[o] = m_ndestroyed[o] = 0;
	}
	memset(&st, 0, sizeof(st));

	for (step = 0; step < STEPS; step++) {
		/* Phases of 300 steps: growing (mostly derives), then shrinking
		 * (mostly deletes and revokes), so that objects die often. */
		op = (int)rnd(100);
		if ((step / 300) % 2 == 0)
			kind = op < 12 ? INSTALL : op < 67 ? DERIVE : op < 77 ? MOVE :
			       op < 87 ? DELETE : op < 92 ? REVOKE : LOOKUP;
		else
			kind = op < 5 ? INSTALL : op < 20 ? DERIVE : op < 35 ? MOVE :
			       op < 80 ? DELETE : op < 90 ? REVOKE : LOOKUP;
		s = pick(1);
		d = pick(0);
		if (s < 0)
			kind = INSTALL;

		if (kind == INSTALL) {
			/* Install an original: of a live object, or of a new one. */
			if (d < 0)
				continue;
			o = (int)rnd(ROBJ);
			if (!m_alive[o]) {
				unsigned ty = pool_type[o];

				obj_new(o, ty);
				m_alive[o] = 1;
				m_refs[o] = 0;
			}
			m_rights[d] = (int)rnd(RIGHTS_ALL + 1);
			m_badge[d] = rnd(3) ? 0 : rnd(1000) + 1;
			m_obj[d] = o;
			m_par[d] = -1;
			if (counted(pool_type[o]))
				m_refs[o]++;
			cap_install(&tables[gtable(d)], (uint32_t)(gslot(d) - tables[gtable(d)].slots),
				    pool_type[o], &pool[o], (unsigned)m_rights[d], m_badge[d]);
			st.ops[INSTALL]++;
		} else if (kind == DERIVE) {
			/* Copy, or mint where the system call would allow it; often
			 * from the slot derived last, for depth. */
			unsigned mask = rnd(RIGHTS_ALL + 1);
			uint64_t badge = 0;

			if (d < 0)
				continue;
			if (last >= 0 && m_obj[last] >= 0 && rnd(2))
				s = last;
			last = d;
			o = m_obj[s];
			if ((pool_type[o] == CAP_ENDPOINT || pool_type[o] == CAP_NOTIFICATION) &&
			    m_badge[s] == 0 && rnd(3) == 0)
				badge = (uint64_t)rnd(1u << 30) << 20 | 1;
			cap_derive(gslot(s), gslot(d), mask, badge);
			m_obj[d] = o;
			m_rights[d] = m_rights[s] & (int)mask;
			m_badge[d] = badge ? badge : m_badge[s];
			m_par[d] = s;
			if (counted(pool_type[o]))
				m_refs[o]++;
			st.ops[DERIVE]++;
		} else if (kind == MOVE) {
			int kids = 0;

			if (d < 0)
				continue;
			cap_move(gslot(s), gslot(d));
			for (int g = 0; g < NS; g++)
				if (m_obj[g] >= 0 && m_par[g] == s)
					m_par[g] = d, kids++;
			m_obj[d] = m_obj[s];
			m_rights[d] = m_rights[s];
			m_badge[d] = m_badge[s];
			m_par[d] = m_par[s];
			m_obj[s] = m_par[s] = -1;
			m_rights[s] = 0;
			m_badge[s] = 0;
			if (last == s)
				last = d;
			st.moved_with_kids += kids > 0;
			st.ops[MOVE]++;
		} else if (kind == DELETE) {
			/* Delete; its children move up to its parent. */
			cap_delete(gslot(s));
			for (int g = 0; g < NS; g++)
				if (m_obj[g] >= 0 && m_par[g] == s)
					m_par[g] = m_par[s];
			m_clear(s);
			st.ops[DELETE]++;
		} else if (kind == REVOKE) {
			/* Revoke; half of the time from a root. */
			static int gone[NS];
			int n = 0;

			if (rnd(2))
				while (m_par[s] >= 0)
					s = m_par[s];
			cap_revoke(gslot(s));
			for (int g = 0; g < NS; g++)
				gone[g] = m_obj[g] >= 0 && m_is_descendant(g, s);
			for (int g = 0; g < NS; g++) {
				if (gone[g]) {
					m_clear(g);
					n++;
				}
			}
			if (n > st.revoked)
				st.revoked = n;
			st.ops[REVOKE]++;
		} else {
			CHECK(check_lookups());
			st.ops[LOOKUP]++;
		}
		CHECK(check_world());
	}
	/* Tear down: whatever lives dies now, each exactly once. */
	CHECK(tables_free());
	for (o = 0; o < ROBJ; o++) {
		if (!counted(pool_type[o]))
			continue;
		m_ndestroyed[o] += m_alive[o];
		CHECK(ndestroyed(&pool[o], pool_type[o]) == m_alive[o]);
		CHECK(!m_alive[o] || *refs_of(o) == DEAD_REFS);
	}
	/* The run saw deep trees, big revokes, many deaths, every operation. */
	printf("    depth %d, largest revoke %d, destroys %d, moves with children %d, "
	       "good lookups %d, ops %d %d %d %d %d %d\n", st.depth, st.revoked, st.destroys,
	       st.moved_with_kids, st.lookups_ok, st.ops[INSTALL], st.ops[DERIVE], st.ops[MOVE],
	       st.ops[DELETE], st.ops[REVOKE], st.ops[LOOKUP]);
	CHECK(st.depth >= 15 && st.revoked >= 40 && st.destroys >= 500);
	CHECK(st.moved_with_kids >= 400 && st.lookups_ok >= 200);
	CHECK(st.ops[INSTALL] > 1000 && st.ops[DERIVE] > 4000 && st.ops[MOVE] > 1500 &&
	      st.ops[DELETE] > 3000 && st.ops[REVOKE] > 800 && st.ops[LOOKUP] > 800);
}
