/*
 * The mapping database and the memory system calls: map, grant, unmap.
 * A flexpage is 2^size bytes at an address aligned to its size; at most
 * MAP_SIZE_MAX per call, so that one call's work is bounded. Pages of a
 * flexpage that are not mapped in the source are skipped, as in L4.
 */
#include <klib.h>
#include <kstate.h>
#include <mapping.h>
#include <panic.h>
#include <sigma0.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/syscall.h>
#include <arch/memlayout.h>
#include <obj/task.h>
#include <obj/thread.h>

_Static_assert(MAP_READ == VM_READ && MAP_WRITE == VM_WRITE && MAP_EXEC == VM_EXEC,
	       "the ABI's map permissions are the kernel's");

#define MAP_SIZE_MIN  12
#define MAP_SIZE_MAX  22        /* 4 MiB: 1024 pages per call */
#define USER_MAP_BASE 0x1000ull /* page 0 stays unmapped: null pointers fault */

/* mapping_insert's body, inline into page_install: a fault's answer
 * comes here through three layers, each a prologue and argument moves. */
static always_inline int node_insert(struct vspace *vs, struct quota *q, uint64_t va,
				     uint64_t pa, unsigned perms, struct mapping *parent,
				     bool owns_frame)
{
	struct mapping *m = kmem_alloc_raw(q, sizeof *m);       /* every field set below */
	int err;

	if (!m)
		return E_NOMEM;
	mdb_init(&m->mdb);
	m->vs = vs;
	m->quota = q;
	m->va = va;
	m->owns_frame = owns_frame;
	if ((err = vspace_map(vs, va, pa, perms, m, q)) != E_OK) {
		kmem_free(q, m, sizeof *m);
		return err;
	}
	if (parent)
		mdb_insert_child(&parent->mdb, &m->mdb);
	return E_OK;
}

int mapping_insert(struct vspace *vs, struct quota *q, uint64_t va, uint64_t pa,
		   unsigned perms, struct mapping *parent, bool owns_frame)
{
	return node_insert(vs, q, va, pa, perms, parent, owns_frame);
}

static struct mapping *mapping_of(struct mdb_node *n)
{
	return (struct mapping *)((uint8_t *)n - offsetof(struct mapping, mdb));
}

/* Frees a node that is out of the tree, with its page and maybe its frame.
 * Inline: every unmap and every replaced page comes here. */
static always_inline void mapping_free(struct mapping *m)
{
	uint64_t pa;
	unsigned perms;
	struct mapping *node;

	if (m->owns_frame && vspace_lookup(m->vs, m->va, &pa, &perms, &node) &&
	    frame_free(&frame_pool, pa) != FRAME_OK)
		panic("mapping_free: frame %lx was not allocated", pa);
	vspace_unmap(m->vs, m->va);
	kmem_free(m->quota, m, sizeof *m);
}

static void revoke_one(struct mdb_node *n, void *arg)
{
	(void)arg;
	mapping_free(mapping_of(n));
}

void mapping_revoke(struct mapping *m)
{
	mdb_revoke(&m->mdb, revoke_one, NULL);
}

/* mapping_remove's body, inline into the one-page unmap. */
static always_inline void node_remove(struct mapping *m)
{
	if (mdb_has_children(&m->mdb))
		mapping_revoke(m);
	mdb_remove_leaf(&m->mdb);       /* the revoke left it none */
	mapping_free(m);
}

void mapping_remove(struct mapping *m)
{
	node_remove(m);
}

static void teardown_one(struct mapping *m, void *arg)
{
	(void)arg;
	mapping_remove(m);
}

void mapping_teardown(struct vspace *vs)
{
	vspace_each_mapping(vs, teardown_one, NULL);
}

/* ------------------------------------------------------ system calls */

struct flexpage {
	uint64_t base;
	uint64_t size;
};

/* Checks a flexpage: size in range, aligned, inside the mappable user range. */
static int flexpage_decode(uint64_t base, uint64_t size_log2, struct flexpage *fp)
{
	if (size_log2 < MAP_SIZE_MIN || size_log2 > MAP_SIZE_MAX)
		return E_INVAL;
	fp->size = 1ull << size_log2;
	if (base & (fp->size - 1))
		return E_ALIGN;
	if (base < USER_MAP_BASE || base > KIP_ADDR || KIP_ADDR - base < fp->size)
		return E_RANGE;
	fp->base = base;
	return E_OK;
}

/* Worst-case kernel memory for mapping npages: nodes and page tables. */
static uint64_t map_cost(uint64_t npages)
{
	return npages * kmem_class_bytes(sizeof(struct mapping)) +
	       ((npages + 511) / 512 + 1) * 2 * PAGE_SIZE + 3 * PAGE_SIZE;
}

/* A source page and what is at its destination. */
struct page_pair {
	uint64_t pa;            /* the source's frame */
	unsigned sp;            /* its permissions */
	struct mapping *sn;     /* its node (NULL: a kernel page, the KIP) */
	bool dmapped;           /* something is mapped at the destination: */
	struct mapping *dn;     /* its node */
};

/* Looks up the source page at sva and the destination at dva; false if
 * the source has nothing there. */
static bool page_pair_find(struct vspace *src, uint64_t sva, struct vspace *dst, uint64_t dva,
			   struct page_pair *p)
{
	if (!vspace_lookup(src, sva, &p->pa, &p->sp, &p->sn))
		return false;
	p->dmapped = vspace_mapped(dst, dva, &p->dn);
	return true;
}

/*
 * Decode of one page of a map or grant to dst, whose flexpage is d_size
 * bytes at d_base: the source page must hold the requested permissions;
 * the destination page may not be the source page itself or one the
 * source was derived from, nor may any other page of the destination
 * flexpage (replacing it would unmap the source). O(derivation depth).
 * Inline, as page_install: a fault's answer comes here.
 */
static always_inline int page_check(const struct page_pair *p, unsigned perms,
				    const struct vspace *dst, uint64_t d_base, uint64_t d_size)
{
	if ((p->sp & perms) != perms)
		return E_PERM;
	if (!p->sn)
		return E_INVAL;         /* the KIP is the kernel's to map */
	if (p->dmapped && (p->dn == p->sn || !p->dn))
		return E_INVAL;
	for (struct mdb_node *a = p->sn->mdb.parent; a; a = a->parent) {
		const struct mapping *am = mapping_of(a);

		if (am->vs == dst && am->va - d_base < d_size)
			return E_INVAL;
	}
	return E_OK;
}

/*
 * Invoke of one page that page_check passed: p's source page at dva in
 * dt with perms (plus the source's cache attribute), replacing what was
 * there; moved rather than derived if grant. E_OK or E_NOMEM.
 */
static always_inline int page_install(struct task *dt, uint64_t dva, const struct page_pair *p,
				      unsigned perms, bool grant)
{
	struct mapping *sn = p->sn, *dn;
	unsigned sp = perms | (p->sp & VM_UNCACHED);
	int err;

	if (p->dmapped)
		mapping_remove(p->dn);
	if (!grant)
		return node_insert(&dt->vspace, dt->quota, dva, p->pa, sp, sn, false);
	err = node_insert(&dt->vspace, dt->quota, dva, p->pa, sp, NULL, sn->owns_frame);
	if (err != E_OK)
		return err;
	/* The new node takes the old one's place, children included; the old
	 * one leaves with nothing derived from it and no frame. */
	vspace_mapped(&dt->vspace, dva, &dn);
	mdb_replace(&sn->mdb, &dn->mdb);
	sn->owns_frame = false;
	mapping_free(sn);
	return E_OK;
}

/*
 * A one-page flexpage, the common case (every fault answer, most maps):
 * the checks of flexpage_decode and map_check for one page, each once,
 * with the same errors in the same order as mapping_transfer's.
 */
static int page_decode(uint64_t base)
{
	if (base & (PAGE_SIZE - 1))
		return E_ALIGN;
	/* base in [USER_MAP_BASE, KIP_ADDR - PAGE_SIZE]: one unsigned compare */
	if (base - USER_MAP_BASE >= KIP_ADDR - USER_MAP_BASE)
		return E_RANGE;
	return E_OK;
}

static int map_page(struct task *self, uint64_t sva, struct task *dt, uint64_t dva,
		    uint64_t perms_in, bool grant)
{
	unsigned perms = (unsigned)perms_in | MAP_READ;
	struct page_pair p;
	int err;

	if ((err = page_decode(sva)) != E_OK || (err = page_decode(dva)) != E_OK)
		return err;
	if (perms_in & ~(uint64_t)(MAP_READ | MAP_WRITE | MAP_EXEC))
		return E_INVAL;
	if (dt == self && sva == dva)
		return E_INVAL;         /* a page onto itself */
	if (sigma0_in_window(self, sva))
		sigma0_fill(self, sva);
	if (!page_pair_find(&self->vspace, sva, &dt->vspace, dva, &p))
		return E_NOTMAPPED;
	if ((err = page_check(&p, perms, &dt->vspace, dva, PAGE_SIZE)) != E_OK)
		return err;
	if (dt->quota->limit - dt->quota->used < map_cost(1))
		return E_NOMEM;
	return page_install(dt, dva, &p, perms, grant);
}

/*
 * Decode of map and grant over a flexpage: page_check for every source
 * page that is mapped. O(pages x derivation depth). Sets *mapped to how
 * many are.
 */
static int map_check(struct vspace *src, const struct flexpage *s, struct vspace *dst,
		     const struct flexpage *d, unsigned perms, uint64_t *mapped)
{
	*mapped = 0;
	for (uint64_t off = 0; off < s->size; off += PAGE_SIZE) {
		struct page_pair p;
		int err;

		if (!page_pair_find(src, s->base + off, dst, d->base + off, &p))
			continue;
		if ((err = page_check(&p, perms, dst, d->base, d->size)) != E_OK)
			return err;
		(*mapped)++;
	}
	return *mapped ? E_OK : E_NOTMAPPED;
}

int mapping_transfer(struct task *self, uint64_t sbase, struct task *dt, uint64_t dbase,
		     uint64_t size_log2, uint64_t perms_in, bool grant)
{
	struct flexpage s, d;
	unsigned perms = (unsigned)perms_in;
	uint64_t mapped;
	int err;

	if (size_log2 == MAP_SIZE_MIN)
		return map_page(self, sbase, dt, dbase, perms_in, grant);
	if ((err = flexpage_decode(sbase, size_log2, &s)) != E_OK ||
	    (err = flexpage_decode(dbase, size_log2, &d)) != E_OK)
		return err;
	if (perms_in & ~(uint64_t)(MAP_READ | MAP_WRITE | MAP_EXEC))
		return E_INVAL;
	perms |= MAP_READ;
	if (dt == self && s.base < d.base + d.size && d.base < s.base + s.size)
		return E_INVAL;         /* a range onto itself */
	/* sigma0 maps from its window before it has touched it. */
	for (uint64_t off = 0; self == sigma0_task && off < s.size; off += PAGE_SIZE)
		sigma0_fill(self, s.base + off);
	if ((err = map_check(&self->vspace, &s, &dt->vspace, &d, perms, &mapped)) != E_OK)
		return err;
	if (dt->quota->limit - dt->quota->used < map_cost(mapped))
		return E_NOMEM;

	for (uint64_t off = 0; off < s.size; off += PAGE_SIZE) {
		struct page_pair p;

		if (!page_pair_find(&self->vspace, s.base + off, &dt->vspace, d.base + off, &p))
			continue;
		if ((err = page_install(dt, d.base + off, &p, perms, grant)) != E_OK)
			return err;     /* physical memory ran out mid-way */
	}
	return E_OK;
}

/* SYS_MAP / SYS_GRANT (dst_task, src_base, dst_base, size_log2, perms) */
static int map_or_grant(struct trap_frame *f, bool grant)
{
	struct task *self = thread_current()->task;
	struct cap *cap;
	int err;

	if ((err = cap_lookup(&self->cspace, sys_arg0(f), CAP_TASK, RIGHT_CONTROL, &cap)) != E_OK)
		return err;
	return mapping_transfer(self, sys_arg1(f), cap->obj, sys_arg2(f), sys_arg3(f),
				sys_arg4(f), grant);
}

/* SYS_MAP(dst_task, src, dst, size_log2, perms): dst gets src's pages,
 * derived from them, with perms (read implied). */
int sys_map(struct trap_frame *f)
{
	return map_or_grant(f, false);
}

/* SYS_GRANT(dst_task, src, dst, size_log2, perms): as map, but the pages
 * move: src loses them, and what was derived from them stays derived. */
int sys_grant(struct trap_frame *f)
{
	return map_or_grant(f, true);
}

/* A one-page unmap, the common case (a pager's or faulter's page): the
 * checks and the step of unmap_range's loop once, same errors, same order. */
static int unmap_page(struct vspace *vs, uint64_t base, uint64_t flags)
{
	struct mapping *m;
	uint64_t pa;
	int err;

	if ((err = page_decode(base)) != E_OK)
		return err;
	if (flags & ~(uint64_t)UNMAP_SELF)
		return E_INVAL;
	if (!(flags & UNMAP_SELF)) {
		if (!vspace_mapped(vs, base, &m) || !m)
			return E_NOTMAPPED;
		mapping_revoke(m);
		return E_OK;
	}
	/* node_remove with the page cleared first, by the look-up itself:
	 * the same end state, one leaf walk instead of three. */
	if (!(m = vspace_unmap_node(vs, base, &pa)))
		return E_NOTMAPPED;
	if (mdb_has_children(&m->mdb))
		mapping_revoke(m);
	mdb_remove_leaf(&m->mdb);       /* the revoke left it none */
	if (m->owns_frame && frame_free(&frame_pool, pa) != FRAME_OK)
		panic("unmap_page: frame %lx was not allocated", pa);
	kmem_free(m->quota, m, sizeof *m);
	return E_OK;
}

/* sys_unmap of a flexpage of any size. Out of line: its frame (the
 * loop's state) would burden the one-page unmap. */
static noinline int unmap_range(struct vspace *vs, uint64_t base, uint64_t size_log2,
				uint64_t flags)
{
	uint64_t found = 0;
	struct flexpage fp;
	int err;

	if ((err = flexpage_decode(base, size_log2, &fp)) != E_OK)
		return err;
	if (flags & ~(uint64_t)UNMAP_SELF)
		return E_INVAL;
	for (uint64_t off = 0; off < fp.size; off += PAGE_SIZE) {
		struct mapping *m;

		if (!vspace_mapped(vs, fp.base + off, &m) || !m)
			continue;
		found++;
		if (flags & UNMAP_SELF)
			mapping_remove(m);
		else
			mapping_revoke(m);
	}
	return found ? E_OK : E_NOTMAPPED;
}

/*
 * SYS_UNMAP(base, size_log2, flags): unmaps everything derived from the
 * caller's pages in the flexpage, in every space; with UNMAP_SELF the
 * caller's own pages too. E_NOTMAPPED if none was mapped.
 */
int sys_unmap(struct trap_frame *f)
{
	struct vspace *vs = &thread_current()->task->vspace;

	if (sys_arg1(f) == MAP_SIZE_MIN)
		return unmap_page(vs, sys_arg0(f), sys_arg2(f));
	return unmap_range(vs, sys_arg0(f), sys_arg1(f), sys_arg2(f));
}
