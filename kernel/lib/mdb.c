/*
 * The derivation tree shared by page mappings and capabilities (see
 * mdb.h): one structure, so that unmap of a page and revoke of a
 * capability are the same code with the same guarantees.
 *
 * Children hang off their parent as a doubly linked list, so that a node
 * leaves or changes places in O(1) plus one parent-pointer update per
 * child. Nothing here recurses: trees can be as deep as user space makes
 * them (a chain of 100 000 mappings is legal) and the kernel stack is
 * small, so mdb_revoke() walks the tree in post-order with parent pointers.
 */
#include <mdb.h>
#include <compiler.h>

/*
 * Puts the sibling run first..last in old's place in its parent's child
 * list; first == last == NULL just unlinks old. old must have a parent.
 * Leaves old's own fields and the run's parent pointers alone.
 */
static void splice(struct mdb_node *old, struct mdb_node *first, struct mdb_node *last)
{
	struct mdb_node *before = old->prev, *after = old->next;

	if (first) {
		first->prev = before;
		last->next = after;
	} else {
		/* An empty run: before and after become neighbours. */
		first = after;
		last = before;
	}
	if (before)
		before->next = first;
	else
		old->parent->child = first;
	if (after)
		after->prev = last;
}

/*
 * Unlinks n alone (delete of one mapping or capability). Its children take
 * its place in its parent's list, in their order; if n was a root, each
 * becomes a root. O(children of n).
 */
void mdb_remove(struct mdb_node *n)
{
	struct mdb_node *p = n->parent, *c, *next, *last = NULL;

	for (c = n->child; c; c = next) {
		next = c->next;
		c->parent = p;
		if (!p)
			c->next = c->prev = NULL;       /* roots have no siblings */
		last = c;
	}
	if (p)
		splice(n, n->child, last);
	mdb_init(n);
}

/*
 * Puts the unlinked node n exactly where old is (grant, move): same
 * parent, same place among its siblings, old's children. old ends
 * unlinked. O(children of old).
 */
void mdb_replace(struct mdb_node *old, struct mdb_node *n)
{
	struct mdb_node *c;

	n->parent = old->parent;
	n->child = old->child;
	for (c = n->child; c; c = c->next)
		c->parent = n;
	if (n->parent)
		splice(old, n, n);
	mdb_init(old);
}

/*
 * Removes every descendant of n, n itself staying where it is (unmap,
 * revoke). Each node is unlinked and then passed to fn(d, arg) after all
 * of its own descendants; fn may free d but must not change the tree.
 * Iterative, O(descendants), constant stack.
 */
void mdb_revoke(struct mdb_node *n, mdb_visit_fn fn, void *arg)
{
	struct mdb_node *d = n, *p;

	for (;;) {
		while (d->child)
			d = d->child;
		if (unlikely(d == n))
			return;
		/* d is a leaf and its parent's first child: take it off the front. */
		p = d->parent;
		p->child = d->next;
		if (d->next)
			d->next->prev = NULL;
		mdb_init(d);
		fn(d, arg);
		d = p;
	}
}

/* Whether a is a strict ancestor of n: n was derived from a, directly or not. O(depth of n). */
bool mdb_is_ancestor(const struct mdb_node *a, const struct mdb_node *n)
{
	for (n = n->parent; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}
