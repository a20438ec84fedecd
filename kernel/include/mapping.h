/*
 * The mapping database: every page mapped in user space has a node that
 * records where it came from. A root node is an original (sigma0's, or a
 * page the kernel gave the root task); map makes a child, grant moves a
 * node to another space, unmap removes a node's descendants (and, if
 * asked, the node). One derivation tree (mdb.h) serves this and the
 * capabilities.
 */
#ifndef MAPPING_H
#define MAPPING_H

#include <stdbool.h>
#include <stdint.h>
#include <kmem.h>
#include <mdb.h>
#include <arch/vspace.h>

struct mapping {
	struct mdb_node mdb;
	struct vspace *vs;
	struct quota *quota;    /* charged for this node */
	uint64_t va;
	bool owns_frame;        /* the frame returns to the pool when this goes */
};

/*
 * Maps pa at va in vs with perms, recorded as derived from parent (NULL:
 * a root). Charges the node and any page tables to q. Nothing may be
 * mapped at va. E_OK or E_NOMEM.
 */
int mapping_insert(struct vspace *vs, struct quota *q, uint64_t va, uint64_t pa,
		   unsigned perms, struct mapping *parent, bool owns_frame);

/* Unmaps everything derived from m, in every space; m stays. */
void mapping_revoke(struct mapping *m);

/* Unmaps m and everything derived from it. */
void mapping_remove(struct mapping *m);

/* Unmaps every mapping of a space that is going away. */
void mapping_teardown(struct vspace *vs);

struct task;

/*
 * Map (or grant) the flexpage of 2^size_log2 bytes at sbase in src to dbase
 * in dst with perms: everything SYS_MAP checks and does, for the system
 * call and for IPC's typed items. E_OK or the system call's errors.
 */
int mapping_transfer(struct task *src, uint64_t sbase, struct task *dst, uint64_t dbase,
		     uint64_t size_log2, uint64_t perms, bool grant);

#endif
