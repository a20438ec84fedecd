/*
 * The derivation tree (L4's mapping database, seL4's capability derivation
 * tree): every page mapping and every capability copy is a node whose
 * parent is what it was derived from. Unmap and revoke remove all
 * descendants; delete removes one node; grant and move put a new node in
 * an old one's place. One implementation serves pages and capabilities.
 *
 * A node is embedded in the object it tracks (a mapping or a capability
 * slot); the tree never allocates or frees memory. Roots (parent NULL) are
 * in no sibling list. A node with no parent, no children and no siblings
 * is "unlinked": that is the state mdb_init() and every removal leave.
 */
#ifndef MDB_H
#define MDB_H

#include <stdbool.h>
#include <stddef.h>

struct mdb_node {
	struct mdb_node *parent;        /* NULL: a root (e.g. sigma0's original) */
	struct mdb_node *child;         /* first child */
	struct mdb_node *next, *prev;   /* siblings; NULL-terminated both ways */
};

/* Called by mdb_revoke() on each removed node. */
typedef void (*mdb_visit_fn)(struct mdb_node *n, void *arg);

/* n unlinked (inline: every map makes a node). */
static inline void mdb_init(struct mdb_node *n)
{
	n->parent = n->child = n->next = n->prev = NULL;
}

/*
 * Makes the unlinked node n the first child of parent, which may be in
 * any tree or unlinked itself. O(1). Inline: every map comes here.
 */
static inline void mdb_insert_child(struct mdb_node *parent, struct mdb_node *n)
{
	n->parent = parent;
	n->prev = NULL;
	n->next = parent->child;
	if (n->next)
		n->next->prev = n;
	parent->child = n;
}

/* mdb_remove of a node with no children (what a revoke leaves; every
 * unmap of a page nothing was derived from). O(1), inline. */
static inline void mdb_remove_leaf(struct mdb_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	mdb_init(n);
}

void mdb_remove(struct mdb_node *n);
void mdb_replace(struct mdb_node *old, struct mdb_node *n);
void mdb_revoke(struct mdb_node *n, mdb_visit_fn fn, void *arg);
bool mdb_is_ancestor(const struct mdb_node *a, const struct mdb_node *n);

/* Whether anything was derived from n, i.e. whether revoking n would do anything. */
static inline bool mdb_has_children(const struct mdb_node *n)
{
	return n->child != NULL;
}

#endif
