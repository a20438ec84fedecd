/*
 * Host unit tests of the derivation tree (mapping database): directed
 * tests of each operation on a small fixed tree, a long random run checked
 * after every step against a reference model of parents and ordered child
 * lists, and chains and fans of 100 000 nodes walked on a small thread
 * stack, so that any recursion overflows it.
 *
 * sources: kernel/lib/mdb.c
 */
#define UNIT_SUITE "mdb"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <compiler.h>
#include <mdb.h>

/* ------------------------------------------------------------ helpers */

static int is_unlinked(const struct mdb_node *n)
{
	return !n->parent && !n->child && !n->next && !n->prev;
}

/* A root: no parent and, unlike a child, no siblings either. */
static int is_root(const struct mdb_node *n)
{
	return !n->parent && !n->next && !n->prev;
}

/*
 * The fixed tree of the directed tests; X, Y and Z start unlinked.
 *
 *          A
 *        / | \
 *       B  C  D
 *      / \     \
 *     E   F     G
 *        / \
 *       H   I
 */
enum { A, B, C, D, E, F, G, H, I, X, Y, Z, NT };
static struct mdb_node t[NT];

static void build(void)
{
	for (int i = 0; i < NT; i++)
		mdb_init(&t[i]);
	/* Each insert puts the child first: insert in reverse order. */
	mdb_insert_child(&t[A], &t[D]);
	mdb_insert_child(&t[A], &t[C]);
	mdb_insert_child(&t[A], &t[B]);
	mdb_insert_child(&t[B], &t[F]);
	mdb_insert_child(&t[B], &t[E]);
	mdb_insert_child(&t[F], &t[I]);
	mdb_insert_child(&t[F], &t[H]);
	mdb_insert_child(&t[D], &t[G]);
}

/*
 * Whether p's child list is exactly want[] (indices into t, ending with
 * -1), in order, doubly linked and pointing back at p.
 */
static int kids_are(const struct mdb_node *p, const int *want)
{
	const struct mdb_node *c, *prev = NULL;
	int k = 0;

	for (c = p->child; c; prev = c, c = c->next, k++) {
		if (want[k] < 0 || c != &t[want[k]])
			return 0;
		if (c->prev != prev || c->parent != p)
			return 0;
	}
	return want[k] < 0;
}
#define KIDS(p, ...) kids_are(&t[p], (const int[]){ __VA_ARGS__, -1 })
#define LEAF(p)      (!mdb_has_children(&t[p]))

/* The tree of build(), untouched. */
static int tree_is_original(void)
{
	return is_root(&t[A]) && KIDS(A, B, C, D) && KIDS(B, E, F) && LEAF(C) &&
	       KIDS(D, G) && LEAF(E) && KIDS(F, H, I) && LEAF(G) && LEAF(H) && LEAF(I);
}

/*
 * What mdb_revoke() passed to its callback, in order. bad is set if a
 * node arrived still linked or twice.
 */
#define REC_MAX 4096
struct rec {
	struct mdb_node *seen[REC_MAX];
	int n;
	int bad;
};

static void record(struct mdb_node *d, void *arg)
{
	struct rec *r = arg;

	if (!is_unlinked(d) || r->n == REC_MAX)
		r->bad = 1;
	for (int i = 0; i < r->n; i++)
		if (r->seen[i] == d)
			r->bad = 1;
	if (r->n < REC_MAX)
		r->seen[r->n++] = d;
}

static int rec_index(const struct rec *r, const struct mdb_node *d)
{
	for (int i = 0; i < r->n; i++)
		if (r->seen[i] == d)
			return i;
	return -1;
}

/*
 * Post-order against the parents before the revoke of root: each node's
 * parent is root or was visited after it.
 */
static int rec_post_order(const struct rec *r, struct mdb_node *const *parent_before,
			  const struct mdb_node *root)
{
	for (int i = 0; i < r->n; i++) {
		const struct mdb_node *p = parent_before[r->seen[i] - t];

		if (p != root && rec_index(r, p) <= i)
			return 0;
	}
	return 1;
}

/* Whether the visited set is exactly want[] (indices into t, ending with -1). */
static int rec_set_is(const struct rec *r, const int *want)
{
	int k;

	for (k = 0; want[k] >= 0; k++)
		if (rec_index(r, &t[want[k]]) < 0)
			return 0;
	return k == r->n && !r->bad;
}
#define SEEN(r, ...) rec_set_is((r), (const int[]){ __VA_ARGS__, -1 })

static void snapshot_parents(struct mdb_node **out)
{
	for (int i = 0; i < NT; i++)
		out[i] = t[i].parent;
}

static void no_visit(struct mdb_node *d, void *arg)
{
	(void)d;
	*(int *)arg += 1;
}

/* ------------------------------------------------------------ insert */

TEST(init_is_unlinked)
{
	struct mdb_node n;

	memset(&n, 0xa5, sizeof(n));
	mdb_init(&n);
	CHECK(is_unlinked(&n));
	CHECK(!mdb_has_children(&n));
}

TEST(insert_child_goes_first)
{
	struct mdb_node r, c1, c2;

	build();
	CHECK(tree_is_original());
	CHECK(mdb_has_children(&t[A]) && !mdb_has_children(&t[C]));

	/* Under a node with children: X becomes the first. */
	mdb_insert_child(&t[B], &t[X]);
	CHECK(KIDS(B, X, E, F));
	CHECK(t[X].parent == &t[B] && !t[X].child);
	/* Under a leaf. */
	mdb_insert_child(&t[C], &t[Y]);
	CHECK(KIDS(C, Y));
	CHECK(is_root(&t[A]) && KIDS(A, B, C, D));
	/* Under an unlinked node, which thereby becomes a root. */
	mdb_init(&r);
	mdb_init(&c1);
	mdb_init(&c2);
	mdb_insert_child(&r, &c1);
	mdb_insert_child(&r, &c2);
	CHECK(is_root(&r) && r.child == &c2);
	CHECK(c2.parent == &r && !c2.prev && c2.next == &c1);
	CHECK(c1.parent == &r && c1.prev == &c2 && !c1.next && !c1.child);
}

/* ------------------------------------------------------------ remove */

TEST(remove_leaf)
{
	/* First, middle and last among siblings, and an only child. */
	build();
	mdb_remove(&t[H]);
	CHECK(is_unlinked(&t[H]));
	CHECK(KIDS(F, I));
	mdb_remove(&t[I]);
	CHECK(is_unlinked(&t[I]) && LEAF(F));
	CHECK(KIDS(B, E, F));

	build();
	mdb_remove(&t[C]);
	CHECK(is_unlinked(&t[C]));
	CHECK(KIDS(A, B, D));
	mdb_remove(&t[G]);
	CHECK(LEAF(D) && KIDS(A, B, D));

	build();
	mdb_remove(&t[I]);
	CHECK(KIDS(F, H));
	CHECK(KIDS(B, E, F) && KIDS(A, B, C, D));
}

TEST(remove_inner_node)
{
	/* B, a first child: E and F take its place, before C and D. */
	build();
	mdb_remove(&t[B]);
	CHECK(is_unlinked(&t[B]));
	CHECK(KIDS(A, E, F, C, D));
	CHECK(KIDS(F, H, I) && KIDS(D, G) && is_root(&t[A]));

	/* F, a last child with two children. */
	build();
	mdb_remove(&t[F]);
	CHECK(is_unlinked(&t[F]));
	CHECK(KIDS(B, E, H, I));
	CHECK(KIDS(A, B, C, D));

	/* D, a last child with one child. */
	build();
	mdb_remove(&t[D]);
	CHECK(KIDS(A, B, C, G));

	/* A middle child with children. */
	build();
	mdb_insert_child(&t[C], &t[Y]);
	mdb_insert_child(&t[C], &t[X]);
	mdb_remove(&t[C]);
	CHECK(is_unlinked(&t[C]));
	CHECK(KIDS(A, B, X, Y, D));
	CHECK(LEAF(X) && LEAF(Y));
}

TEST(remove_root_with_children)
{
	build();
	mdb_remove(&t[A]);
	CHECK(is_unlinked(&t[A]));
	/* Each child becomes a root of its own, with its subtree. */
	CHECK(is_root(&t[B]) && is_root(&t[C]) && is_root(&t[D]));
	CHECK(KIDS(B, E, F) && KIDS(F, H, I) && KIDS(D, G) && LEAF(C));
	CHECK(!mdb_is_ancestor(&t[A], &t[H]));

	/* A root with no children: nothing else moves. */
	mdb_remove(&t[C]);
	CHECK(is_unlinked(&t[C]));
	CHECK(is_root(&t[B]) && is_root(&t[D]));
	/* An unlinked node: a no-op. */
	mdb_remove(&t[C]);
	CHECK(is_unlinked(&t[C]));
}

/* ------------------------------------------------------------ replace */

TEST(replace_leaf)
{
	/* Middle, first and last places among siblings. */
	build();
	mdb_replace(&t[C], &t[X]);
	CHECK(is_unlinked(&t[C]));
	CHECK(KIDS(A, B, X, D) && LEAF(X));

	mdb_replace(&t[H], &t[Y]);
	CHECK(is_unlinked(&t[H]));
	CHECK(KIDS(F, Y, I) && LEAF(Y));

	mdb_replace(&t[I], &t[H]);
	CHECK(is_unlinked(&t[I]));
	CHECK(KIDS(F, Y, H));

	/* An only child. */
	mdb_replace(&t[G], &t[I]);
	CHECK(KIDS(D, I) && is_unlinked(&t[G]));
	CHECK(KIDS(B, E, F));
}

TEST(replace_inner_node)
{
	build();
	mdb_replace(&t[F], &t[X]);
	CHECK(is_unlinked(&t[F]));
	CHECK(KIDS(B, E, X));
	CHECK(KIDS(X, H, I));
	CHECK(mdb_is_ancestor(&t[A], &t[H]) && mdb_is_ancestor(&t[X], &t[I]));
	CHECK(!mdb_is_ancestor(&t[F], &t[H]));

	mdb_replace(&t[B], &t[F]);
	CHECK(is_unlinked(&t[B]));
	CHECK(KIDS(A, F, C, D) && KIDS(F, E, X) && KIDS(X, H, I));
	CHECK(is_root(&t[A]));
}

TEST(replace_root)
{
	build();
	mdb_replace(&t[A], &t[X]);
	CHECK(is_unlinked(&t[A]));
	CHECK(is_root(&t[X]) && KIDS(X, B, C, D));
	CHECK(KIDS(B, E, F) && KIDS(F, H, I) && KIDS(D, G));
	CHECK(mdb_is_ancestor(&t[X], &t[I]));

	/* A childless root: the new one is a childless root too. */
	mdb_replace(&t[X], &t[A]);
	CHECK(is_unlinked(&t[X]) && KIDS(A, B, C, D));
	CHECK(tree_is_original());
	mdb_replace(&t[Y], &t[Z]);
	CHECK(is_unlinked(&t[Y]) && is_unlinked(&t[Z]));
}

/* ------------------------------------------------------------ revoke */

TEST(revoke_leaf_is_noop)
{
	int calls = 0;

	build();
	mdb_revoke(&t[H], no_visit, &calls);
	mdb_revoke(&t[C], no_visit, &calls);
	mdb_revoke(&t[G], no_visit, &calls);
	CHECK(calls == 0);
	CHECK(tree_is_original());
	/* An unlinked node. */
	mdb_revoke(&t[X], no_visit, &calls);
	CHECK(calls == 0 && is_unlinked(&t[X]));
}

TEST(revoke_subtree)
{
	static struct rec r;
	struct mdb_node *before[NT];

	/* B, a first child: its siblings stay. */
	build();
	snapshot_parents(before);
	r.n = r.bad = 0;
	mdb_revoke(&t[B], record, &r);
	CHECK(SEEN(&r, E, F, H, I));
	CHECK(rec_post_order(&r, before, &t[B]));
	CHECK(LEAF(B) && t[B].parent == &t[A]);
	CHECK(KIDS(A, B, C, D) && KIDS(D, G) && is_root(&t[A]));
	for (int i = 0; i < r.n; i++)
		CHECK(is_unlinked(r.seen[i]));

	/* F, a last child under a node with another child. */
	build();
	snapshot_parents(before);
	r.n = r.bad = 0;
	mdb_revoke(&t[F], record, &r);
	CHECK(SEEN(&r, H, I));
	CHECK(KIDS(B, E, F) && LEAF(F));

	/* D, a last child: its subtree of one. */
	build();
	r.n = r.bad = 0;
	mdb_revoke(&t[D], record, &r);
	CHECK(SEEN(&r, G));
	CHECK(KIDS(A, B, C, D) && LEAF(D) && KIDS(B, E, F) && KIDS(F, H, I));

	/* A middle child with a subtree. */
	build();
	mdb_insert_child(&t[C], &t[X]);
	mdb_insert_child(&t[X], &t[Y]);
	snapshot_parents(before);
	r.n = r.bad = 0;
	mdb_revoke(&t[C], record, &r);
	CHECK(SEEN(&r, X, Y));
	CHECK(rec_post_order(&r, before, &t[C]));
	CHECK(r.seen[0] == &t[Y]);
	CHECK(KIDS(A, B, C, D) && LEAF(C));
}

TEST(revoke_whole_tree)
{
	static struct rec r;
	struct mdb_node *before[NT];

	build();
	snapshot_parents(before);
	r.n = r.bad = 0;
	mdb_revoke(&t[A], record, &r);
	CHECK(SEEN(&r, B, C, D, E, F, G, H, I));
	CHECK(rec_post_order(&r, before, &t[A]));
	CHECK(is_unlinked(&t[A]));
	for (int i = 0; i < NT; i++)
		CHECK(is_unlinked(&t[i]));
	/* Revoking again finds nothing. */
	r.n = 0;
	mdb_revoke(&t[A], record, &r);
	CHECK(r.n == 0);
}

/*
 * Post-order in the complete ternary tree of revoke_visits_post_order (the
 * children of n[j] are n[3j+1 .. 3j+3]): each visited node's children that
 * were still there (all but those of gone) came before it, its parent
 * after it unless that is root.
 */
#define TERN 364
static int tern_post_order(const struct rec *r, struct mdb_node *n, int root, int gone)
{
	for (int i = 0; i < r->n; i++) {
		int j = (int)(r->seen[i] - n), p = (j - 1) / 3, k;

		if (j <= 0 || j >= TERN)
			return 0;
		for (int c = 3 * j + 1; j != gone && c <= 3 * j + 3 && c < TERN; c++) {
			k = rec_index(r, &n[c]);
			if (k < 0 || k >= i)
				return 0;
		}
		if (p != root && rec_index(r, &n[p]) <= i)
			return 0;
	}
	return !r->bad;
}

TEST(revoke_visits_post_order)
{
	/* A complete ternary tree of depth 5: a subtree first, then the rest. */
	static struct mdb_node n[TERN];
	static struct rec r;
	int i;

	for (i = 0; i < TERN; i++)
		mdb_init(&n[i]);
	for (i = TERN - 1; i > 0; i--)
		mdb_insert_child(&n[(i - 1) / 3], &n[i]);

	r.n = r.bad = 0;
	mdb_revoke(&n[1], record, &r);
	CHECK(r.n == 120);
	CHECK(tern_post_order(&r, n, 1, -1));
	CHECK(n[1].parent == &n[0] && !n[1].child);
	CHECK(n[0].child == &n[1] && n[1].next == &n[2] && n[2].prev == &n[1]);

	r.n = r.bad = 0;
	mdb_revoke(&n[0], record, &r);
	CHECK(r.n == TERN - 1 - 120);
	CHECK(tern_post_order(&r, n, 0, 1));
	for (i = 0; i < TERN; i++)
		CHECK(is_unlinked(&n[i]));
}

/* ------------------------------------------------------------ freeing */

/* A node on the heap, as the kernel's mappings and capabilities will be. */
struct hnode {
	struct mdb_node m;      /* first: a struct mdb_node * is a struct hnode * */
	int id;
};

static struct hnode *hnew(int id)
{
	struct hnode *h = malloc(sizeof(*h));

	if (!h)
		abort();
	mdb_init(&h->m);
	h->id = id;
	return h;
}

/* Records the ids, in visiting order, and frees each node. */
struct freer {
	int *ids;
	int n;
	int bad;
};

static void record_and_free(struct mdb_node *d, void *arg)
{
	struct freer *f = arg;
	struct hnode *h = (struct hnode *)d;

	if (!is_unlinked(d))
		f->bad = 1;
	f->ids[f->n++] = h->id;
	/* Poison first, so that a use after free also shows without ASan. */
	memset(h, 0x6b, sizeof(*h));
	free(h);
}

TEST(revoke_callback_may_free)
{
	/* Random trees: node k hangs under a random earlier node. */
	enum { NH = 2000 };
	static struct hnode *h[NH];
	static int parent[NH], ids[NH], pos[NH], gone[NH];
	struct freer f = { ids, 0, 0 };
	unsigned seed = 12345;
	int k, i, sub;

	h[0] = hnew(0);
	parent[0] = -1;
	for (k = 1; k < NH; k++) {
		seed = seed * 1103515245u + 12345u;
		/* Mostly recent nodes, for depth; sometimes any. */
		parent[k] = (seed >> 16) % 4 ? k - 1 - (int)((seed >> 8) % (k < 8 ? k : 8))
					      : (int)((seed >> 16) % (unsigned)k);
		h[k] = hnew(k);
		mdb_insert_child(&h[parent[k]]->m, &h[k]->m);
	}

	/* A subtree in the middle, then one node, then everything. */
	sub = 300;
	mdb_revoke(&h[sub]->m, record_and_free, &f);
	CHECK(!f.bad && f.n >= 50);
	for (k = 0; k < NH; k++)
		pos[k] = -1;
	for (i = 0; i < f.n; i++)
		pos[ids[i]] = i;
	for (k = 1; k < NH; k++) {
		int in = 0;

		for (int a = parent[k]; a >= 0; a = parent[a])
			if (a == sub)
				in = 1;
		CHECK(in == (pos[k] >= 0));
		/* Post-order: a visited node's parent, unless sub, comes later. */
		if (in && parent[k] != sub)
			CHECK(pos[parent[k]] > pos[k]);
		gone[k] = in;
	}
	CHECK(!mdb_has_children(&h[sub]->m) && h[sub]->m.parent == &h[parent[sub]]->m);

	mdb_remove(&h[sub]->m);
	free(h[sub]);
	gone[sub] = 1;

	f.n = 0;
	mdb_revoke(&h[0]->m, record_and_free, &f);
	CHECK(!f.bad);
	for (k = 0; k < NH; k++)
		pos[k] = -1;
	for (i = 0; i < f.n; i++)
		pos[ids[i]] = i;
	for (k = 1; k < NH; k++) {
		CHECK(gone[k] == (pos[k] < 0));
		if (!gone[k] && parent[k] > 0 && !gone[parent[k]])
			CHECK(pos[parent[k]] > pos[k]);
	}
	CHECK(is_unlinked(&h[0]->m));
	free(h[0]);
}

/* ------------------------------------------------------------ ancestry */

TEST(is_ancestor)
{
	build();
	CHECK(mdb_is_ancestor(&t[A], &t[B]));
	CHECK(mdb_is_ancestor(&t[A], &t[H]));
	CHECK(mdb_is_ancestor(&t[B], &t[I]));
	CHECK(mdb_is_ancestor(&t[F], &t[I]));
	CHECK(mdb_is_ancestor(&t[D], &t[G]));
	/* Strict: not its own ancestor. */
	CHECK(!mdb_is_ancestor(&t[A], &t[A]));
	CHECK(!mdb_is_ancestor(&t[H], &t[H]));
	/* Not upwards, not across. */
	CHECK(!mdb_is_ancestor(&t[H], &t[A]));
	CHECK(!mdb_is_ancestor(&t[B], &t[A]));
	CHECK(!mdb_is_ancestor(&t[C], &t[E]));
	CHECK(!mdb_is_ancestor(&t[B], &t[G]));
	CHECK(!mdb_is_ancestor(&t[E], &t[F]));
	CHECK(!mdb_is_ancestor(&t[H], &t[I]));
	/* Unlinked nodes and other trees. */
	CHECK(!mdb_is_ancestor(&t[X], &t[A]));
	CHECK(!mdb_is_ancestor(&t[A], &t[X]));
	CHECK(!mdb_is_ancestor(&t[X], &t[X]));
	mdb_insert_child(&t[X], &t[Y]);
	CHECK(mdb_is_ancestor(&t[X], &t[Y]));
	CHECK(!mdb_is_ancestor(&t[A], &t[Y]) && !mdb_is_ancestor(&t[X], &t[B]));
	/* It follows the tree as it changes. */
	mdb_remove(&t[F]);
	CHECK(mdb_is_ancestor(&t[B], &t[H]) && !mdb_is_ancestor(&t[F], &t[H]));
	mdb_replace(&t[B], &t[Z]);
	CHECK(mdb_is_ancestor(&t[Z], &t[H]) && !mdb_is_ancestor(&t[B], &t[H]));
	CHECK(mdb_is_ancestor(&t[A], &t[H]));
}

/* ------------------------------------------------------------ random */

/*
 * The reference model: which of the RN nodes are in a tree, each one's
 * parent (-1: a root, or not in a tree) and its children in order.
 */
#define RN    300
#define STEPS 30000
static struct mdb_node rn[RN];
static int m_in[RN], m_par[RN], m_nkids[RN];
static int m_kids[RN][RN];
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static int step, max_depth, max_revoked;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random node in a tree (in = 1) or unlinked (in = 0); -1 if none is. */
static int pick(int in)
{
	int n = 0, k;

	for (int i = 0; i < RN; i++)
		n += m_in[i] == in;
	if (n == 0)
		return -1;
	k = (int)rnd((unsigned)n);
	for (int i = 0; i < RN; i++)
		if (m_in[i] == in && k-- == 0)
			return i;
	return -1;
}

static int m_find(int p, int n)
{
	for (int i = 0; i < m_nkids[p]; i++)
		if (m_kids[p][i] == n)
			return i;
	abort();
}

static void m_insert(int p, int n)
{
	if (p >= 0) {
		memmove(&m_kids[p][1], &m_kids[p][0], (size_t)m_nkids[p] * sizeof(int));
		m_kids[p][0] = n;
		m_nkids[p]++;
	}
	m_par[n] = p;
	m_in[n] = 1;
	m_nkids[n] = 0;
}

static void m_remove(int n)
{
	int p = m_par[n], k = m_nkids[n], i;

	for (i = 0; i < k; i++)
		m_par[m_kids[n][i]] = p;
	if (p >= 0) {
		i = m_find(p, n);
		memmove(&m_kids[p][i + k], &m_kids[p][i + 1],
			(size_t)(m_nkids[p] - i - 1) * sizeof(int));
		memcpy(&m_kids[p][i], m_kids[n], (size_t)k * sizeof(int));
		m_nkids[p] += k - 1;
	}
	m_in[n] = 0;
	m_par[n] = -1;
	m_nkids[n] = 0;
}

static void m_replace(int old, int n)
{
	int p = m_par[old];

	if (p >= 0)
		m_kids[p][m_find(p, old)] = n;
	m_par[n] = p;
	m_in[n] = 1;
	m_nkids[n] = m_nkids[old];
	memcpy(m_kids[n], m_kids[old], (size_t)m_nkids[old] * sizeof(int));
	for (int i = 0; i < m_nkids[n]; i++)
		m_par[m_kids[n][i]] = n;
	m_in[old] = 0;
	m_par[old] = -1;
	m_nkids[old] = 0;
}

static int m_is_ancestor(int a, int n)
{
	for (n = m_par[n]; n >= 0; n = m_par[n])
		if (n == a)
			return 1;
	return 0;
}

static int fail(int node, const char *what)
{
	printf("    step %d, node %d: %s\n", step, node, what);
	return 0;
}

/*
 * The real structure against the model: parents, each child list in
 * order and doubly linked, roots without siblings, unlinked nodes clean,
 * and every node reaching a root within RN steps (no cycles).
 */
static int check_all(void)
{
	const struct mdb_node *n, *c, *prev;
	int i, k;

	for (i = 0; i < RN; i++) {
		n = &rn[i];
		if (!m_in[i]) {
			if (!is_unlinked(n))
				return fail(i, "an unlinked node has relatives");
			continue;
		}
		if (n->parent != (m_par[i] < 0 ? NULL : &rn[m_par[i]]))
			return fail(i, "wrong parent");
		if (!n->parent && (n->next || n->prev))
			return fail(i, "a root has siblings");
		if (mdb_has_children(n) != (m_nkids[i] > 0))
			return fail(i, "mdb_has_children is wrong");
		prev = NULL;
		for (c = n->child, k = 0; c; prev = c, c = c->next, k++) {
			if (k >= m_nkids[i])
				return fail(i, "too many children (or a cycle)");
			if (c != &rn[m_kids[i][k]])
				return fail(i, "wrong child, or in the wrong place");
			if (c->prev != prev)
				return fail(i, "a child's prev is wrong");
			if (c->parent != n)
				return fail(i, "a child does not point back");
		}
		if (k != m_nkids[i])
			return fail(i, "too few children");
		k = 0;
		for (c = n; c; c = c->parent)
			if (++k > RN)
				return fail(i, "a cycle of parents");
		if (k > max_depth)
			max_depth = k;
	}
	return 1;
}

/* What a revoke in the random run visited: node indices, and where each came. */
static int rv_order[RN], rv_pos[RN], rv_n, rv_bad;

static void rv_record(struct mdb_node *d, void *arg)
{
	uintptr_t off = (uintptr_t)d - (uintptr_t)rn;
	int i = (int)(off / sizeof(*d));

	(void)arg;
	if (off % sizeof(*d) || off >= sizeof(rn) || rv_pos[i] >= 0 || !is_unlinked(d)) {
		rv_bad = 1;
		return;
	}
	rv_pos[i] = rv_n;
	rv_order[rv_n++] = i;
}

/*
 * Revokes x in both: the visited set must be x's descendants in the model,
 * each once, every one after its own children.
 */
static int revoke_both(int x)
{
	static int desc[RN], stack[RN];
	int sp = 0, nd = 0, i, d;

	for (i = 0; i < RN; i++) {
		desc[i] = 0;
		rv_pos[i] = -1;
	}
	rv_n = rv_bad = 0;
	mdb_revoke(&rn[x], rv_record, NULL);
	if (rv_bad)
		return fail(x, "revoke visited a node twice, a stranger or a linked one");

	for (i = 0; i < m_nkids[x]; i++)
		stack[sp++] = m_kids[x][i];
	while (sp > 0) {
		d = stack[--sp];
		desc[d] = 1;
		nd++;
		for (i = 0; i < m_nkids[d]; i++)
			stack[sp++] = m_kids[d][i];
	}
	if (rv_n != nd)
		return fail(x, "revoke visited the wrong number of nodes");
	for (i = 0; i < rv_n; i++) {
		d = rv_order[i];
		if (!desc[d])
			return fail(d, "revoke visited a non-descendant");
		if (m_par[d] != x && rv_pos[m_par[d]] <= i)
			return fail(d, "revoke visited a parent before its child");
	}
	for (i = 0; i < RN; i++) {
		if (desc[i]) {
			m_in[i] = 0;
			m_par[i] = -1;
			m_nkids[i] = 0;
		}
	}
	m_nkids[x] = 0;
	if (nd > max_revoked)
		max_revoked = nd;
	return 1;
}

TEST(random_against_model)
{
	int last = -1, x, f, p, op, inserts = 0, removes = 0, replaces = 0, revokes = 0;

	for (int i = 0; i < RN; i++) {
		mdb_init(&rn[i]);
		m_in[i] = m_nkids[i] = 0;
		m_par[i] = -1;
	}
	for (step = 0; step < STEPS; step++) {
		/* Phases of 1000 steps: growing (mostly inserts), then churning. */
		op = (int)rnd(100);
		if ((step / 1000) % 2 == 0)
			op = op < 70 ? 0 : 30 + (op - 70) * 2;
		x = pick(1);
		f = pick(0);
		if (op < 55 || x < 0) {
			/* Insert f: as a root, under the last one (for depth), or anywhere. */
			if (f < 0)
				continue;
			if (x < 0 || rnd(20) == 0)
				p = -1;
			else if (last >= 0 && m_in[last] && rnd(3))
				p = last;
			else
				p = x;
			if (p >= 0)
				mdb_insert_child(&rn[p], &rn[f]);
			m_insert(p, f);
			/* The chain grows from its tip only. */
			if (p == last || last < 0 || !m_in[last])
				last = f;
			inserts++;
		} else if (op < 70) {
			mdb_remove(&rn[x]);
			m_remove(x);
			removes++;
		} else if (op < 82) {
			if (f < 0)
				continue;
			mdb_replace(&rn[x], &rn[f]);
			m_replace(x, f);
			if (last == x)
				last = f;
			replaces++;
		} else if (op < 90) {
			/* Half of the time a whole tree. */
			if (rnd(2))
				while (m_par[x] >= 0)
					x = m_par[x];
			CHECK(revoke_both(x));
			revokes++;
		} else {
			for (int k = 0; k < 50; k++) {
				int a = (int)rnd(RN), n = (int)rnd(RN);

				CHECK(mdb_is_ancestor(&rn[a], &rn[n]) == m_is_ancestor(a, n));
			}
			/* And along a path, where the answer is mostly yes. */
			for (int n = x, a = m_par[x]; a >= 0; a = m_par[a])
				CHECK(mdb_is_ancestor(&rn[a], &rn[n]) && !mdb_is_ancestor(&rn[n], &rn[a]));
		}
		CHECK(check_all());
	}
	/* The run saw deep trees and big revokes, and every operation often. */
	CHECK(max_depth >= 60 && max_revoked >= 100);
	CHECK(inserts > 10000 && removes > 2000 && replaces > 1500 && revokes > 1000);
}

/* ------------------------------------------------------------ deep */

#define DEEP        100000
#define SMALL_STACK (256 * 1024)

/*
 * Runs fn on a thread with a small stack, like the kernel's: recursion as
 * deep as the tree overflows it (and ASan says so). fn returns NULL, or
 * what went wrong.
 */
static const char *on_small_stack(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t th;
	void *ret;

	if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, SMALL_STACK) ||
	    pthread_create(&th, &attr, fn, NULL) || pthread_join(th, &ret))
		return "cannot start a thread";
	pthread_attr_destroy(&attr);
	return ret;
}

/* h[k] a child of h[k - 1]. */
static struct hnode **chain(void)
{
	struct hnode **h = malloc(DEEP * sizeof(*h));

	if (!h)
		abort();
	for (int k = 0; k < DEEP; k++) {
		h[k] = hnew(k);
		if (k > 0)
			mdb_insert_child(&h[k - 1]->m, &h[k]->m);
	}
	return h;
}

static void *deep_chain_revoke_body(void *unused)
{
	struct hnode **h = chain();
	int *ids = malloc(DEEP * sizeof(int)), k, i;
	struct freer f = { ids, 0, 0 };
	const int mid = DEEP / 2, low = 3 * DEEP / 4;

	(void)unused;
	if (!mdb_is_ancestor(&h[0]->m, &h[DEEP - 1]->m) ||
	    mdb_is_ancestor(&h[DEEP - 1]->m, &h[0]->m))
		return "is_ancestor along the chain";

	/* Remove from the middle: the rest hangs one level up. */
	mdb_remove(&h[mid]->m);
	if (!is_unlinked(&h[mid]->m) || h[mid + 1]->m.parent != &h[mid - 1]->m ||
	    h[mid - 1]->m.child != &h[mid + 1]->m || h[mid + 1]->m.next || h[mid + 1]->m.prev)
		return "remove from the middle of the chain";
	free(h[mid]);
	if (!mdb_is_ancestor(&h[0]->m, &h[DEEP - 1]->m))
		return "is_ancestor after the remove";

	/* Revoke the bottom quarter, then everything: deepest first. */
	mdb_revoke(&h[low]->m, record_and_free, &f);
	if (f.bad || f.n != DEEP - 1 - low)
		return "revoke of the bottom quarter";
	for (i = 0, k = DEEP - 1; k > low; k--, i++)
		if (ids[i] != k)
			return "revoke of the bottom quarter: not deepest first";
	if (h[low]->m.child || h[low]->m.parent != &h[low - 1]->m)
		return "revoke of the bottom quarter: the node itself";

	f.n = 0;
	mdb_revoke(&h[0]->m, record_and_free, &f);
	if (f.bad || f.n != low - 1)
		return "revoke from the root";
	for (i = 0, k = low; k > 0; k--) {
		if (k == mid)
			continue;
		if (ids[i++] != k)
			return "revoke from the root: not deepest first";
	}
	if (!is_unlinked(&h[0]->m))
		return "the root after the revoke";
	free(h[0]);
	free(h);
	free(ids);
	return NULL;
}

static void *deep_chain_remove_replace_body(void *unused)
{
	struct hnode **h = chain(), *x = hnew(-1), *y = hnew(-2);
	int k;

	(void)unused;
	/* Replace the deepest and a middle node; the ancestry still holds. */
	mdb_replace(&h[DEEP - 1]->m, &x->m);
	mdb_replace(&h[DEEP / 3]->m, &y->m);
	if (x->m.parent != &h[DEEP - 2]->m || h[DEEP / 3 + 1]->m.parent != &y->m ||
	    !mdb_is_ancestor(&y->m, &x->m) || !mdb_is_ancestor(&h[0]->m, &x->m))
		return "replace in the chain";
	free(h[DEEP - 1]);
	free(h[DEEP / 3]);
	h[DEEP - 1] = x;
	h[DEEP / 3] = y;

	/* Remove the root over and over: each time its child becomes the root. */
	for (k = 0; k < DEEP - 1; k++) {
		mdb_remove(&h[k]->m);
		if (!is_unlinked(&h[k]->m) || !is_root(&h[k + 1]->m))
			return "remove of the root of the chain";
		free(h[k]);
	}
	if (!is_unlinked(&h[DEEP - 1]->m))
		return "the last node of the chain";
	free(h[DEEP - 1]);
	free(h);
	return NULL;
}

static void *wide_fan_body(void *unused)
{
	/* g -> p -> DEEP children; p removed, then g revoked. */
	struct hnode *g = hnew(-1), *p = hnew(-2), **h = malloc(DEEP * sizeof(*h));
	int *ids = malloc(DEEP * sizeof(int)), k;
	struct freer f = { ids, 0, 0 };
	struct mdb_node *c, *prev = NULL;

	(void)unused;
	mdb_insert_child(&g->m, &p->m);
	for (k = DEEP - 1; k >= 0; k--) {
		h[k] = hnew(k);
		mdb_insert_child(&p->m, &h[k]->m);
	}
	mdb_remove(&p->m);
	free(p);
	for (c = g->m.child, k = 0; c; prev = c, c = c->next, k++)
		if (k >= DEEP || c != &h[k]->m || c->prev != prev || c->parent != &g->m)
			return "children moved up out of order";
	if (k != DEEP)
		return "children lost in the remove";
	mdb_revoke(&g->m, record_and_free, &f);
	if (f.bad || f.n != DEEP || !is_unlinked(&g->m))
		return "revoke of the fan";
	free(g);
	free(h);
	free(ids);
	return NULL;
}

TEST(deep_chain_revoke)
{
	const char *err = on_small_stack(deep_chain_revoke_body);

	if (err)
		printf("    %s\n", err);
	CHECK(err == NULL);
}

TEST(deep_chain_remove_replace)
{
	const char *err = on_small_stack(deep_chain_remove_replace_body);

	if (err)
		printf("    %s\n", err);
	CHECK(err == NULL);
}

TEST(wide_fan)
{
	const char *err = on_small_stack(wide_fan_body);

	if (err)
		printf("    %s\n", err);
	CHECK(err == NULL);
}
