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

int mapping_insert(struct vspace *vs, struct quota *q, uint64_t va, uint64_t pa,
		   unsigned perms, struct mapping *parent, bool owns_frame)
{
	struct mapping *m = kmem_alloc(q, sizeof *m);
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

static struct mapping *mapping_of(struct mdb_node *n)
{
	return (struct mapping *)((uint8_t *)n - offsetof(struct mapping, mdb));
}

/* Frees a node that is out of the tree, with its page and maybe its frame. */
static void mapping_free(struct mapping *m)
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

void mapping_remove(struct mapping *m)
{
	mapping_revoke(m);
	mdb_remove(&m->mdb);
	mapping_free(m);
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
	uint64_t dpa;
	unsigned dp;

	if (!vspace_lookup(src, sva, &p->pa, &p->sp, &p->sn))
		return false;
	p->dmapped = vspace_lookup(dst, dva, &dpa, &dp, &p->dn);
	return true;
}

/*
 * Decode of map and grant: every source page that is mapped must hold the
 * requested permissions; no destination page may be a source page itself
 * or one a source page was derived from (replacing it would unmap the
 * source). O(pages x derivation depth). For a one-page flexpage, *one is
 * what it found, for the invoke to use instead of looking again.
 */
static int map_check(struct vspace *src, const struct flexpage *s, struct vspace *dst,
		     const struct flexpage *d, unsigned perms, uint64_t *mapped,
		     struct page_pair *one)
{
	*mapped = 0;
	for (uint64_t off = 0; off < s->size; off += PAGE_SIZE) {
		struct page_pair p;
		struct mapping *sn, *dn;

		if (!page_pair_find(src, s->base + off, dst, d->base + off, &p))
			continue;
		sn = p.sn;
		dn = p.dn;
		if ((p.sp & perms) != perms)
			return E_PERM;
		if (!sn)
			return E_INVAL;         /* the KIP is the kernel's to map */
		if (p.dmapped && (dn == sn || !dn))
			return E_INVAL;
		/* Nor may any destination page be one the source came from,
		 * at whatever offset: replacing it would take the source along. */
		for (struct mdb_node *a = sn->mdb.parent; a; a = a->parent) {
			const struct mapping *am = mapping_of(a);

			if (am->vs == dst && am->va - d->base < d->size)
				return E_INVAL;
		}
		*one = p;
		(*mapped)++;
	}
	return *mapped ? E_OK : E_NOTMAPPED;
}

int mapping_transfer(struct task *self, uint64_t sbase, struct task *dt, uint64_t dbase,
		     uint64_t size_log2, uint64_t perms_in, bool grant)
{
	struct flexpage s, d;
	unsigned perms = (unsigned)perms_in;
	struct page_pair one = { 0 };
	uint64_t mapped;
	int err;

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
	if ((err = map_check(&self->vspace, &s, &dt->vspace, &d, perms, &mapped, &one)) != E_OK)
		return err;
	if (dt->quota->limit - dt->quota->used < map_cost(mapped))
		return E_NOMEM;

	for (uint64_t off = 0; off < s.size; off += PAGE_SIZE) {
		struct page_pair p = one;       /* one page: map_check's look */
		struct mapping *sn, *dn;
		unsigned sp, dp;
		uint64_t pa, dpa;

		if (s.size != PAGE_SIZE &&
		    !page_pair_find(&self->vspace, s.base + off, &dt->vspace, d.base + off, &p))
			continue;
		pa = p.pa;
		sp = p.sp;
		sn = p.sn;
		if (p.dmapped)
			mapping_remove(p.dn);
		/* Only the cache attribute is inherited beyond what was asked. */
		sp = perms | (sp & VM_UNCACHED);
		if (!grant) {
			err = mapping_insert(&dt->vspace, dt->quota, d.base + off, pa, sp, sn, false);
			if (err != E_OK)
				return err;     /* physical memory ran out mid-way */
			continue;
		}
		err = mapping_insert(&dt->vspace, dt->quota, d.base + off, pa, sp, NULL,
				     sn->owns_frame);
		if (err != E_OK)
			return err;
		/* The new node takes the old one's place, children included; the
		 * old one leaves with nothing derived from it and no frame. */
		vspace_lookup(&dt->vspace, d.base + off, &dpa, &dp, &dn);
		mdb_replace(&sn->mdb, &dn->mdb);
		sn->owns_frame = false;
		mapping_free(sn);
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

/*
 * SYS_UNMAP(base, size_log2, flags): unmaps everything derived from the
 * caller's pages in the flexpage, in every space; with UNMAP_SELF the
 * caller's own pages too. E_NOTMAPPED if none was mapped.
 */
int sys_unmap(struct trap_frame *f)
{
	struct vspace *vs = &thread_current()->task->vspace;
	uint64_t flags = sys_arg2(f), found = 0;
	struct flexpage fp;
	int err;

	if ((err = flexpage_decode(sys_arg0(f), sys_arg1(f), &fp)) != E_OK)
		return err;
	if (flags & ~(uint64_t)UNMAP_SELF)
		return E_INVAL;
	for (uint64_t off = 0; off < fp.size; off += PAGE_SIZE) {
		struct mapping *m;
		unsigned perms;
		uint64_t pa;

		if (!vspace_lookup(vs, fp.base + off, &pa, &perms, &m) || !m)
			continue;
		found++;
		if (flags & UNMAP_SELF)
			mapping_remove(m);
		else
			mapping_revoke(m);
	}
	return found ? E_OK : E_NOTMAPPED;
}
