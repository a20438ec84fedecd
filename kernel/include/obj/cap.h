/*
 * Capabilities and capability tables. A task's table is an array of slots
 * indexed by small integers; a slot names a kernel object with rights and
 * a badge. Slots derived from one another are linked in the derivation
 * tree (mdb.h), so revocation can find every copy.
 */
#ifndef OBJ_CAP_H
#define OBJ_CAP_H

#include <stdint.h>
#include <kmem.h>
#include <mdb.h>
#include <abi/cap.h>

struct cap {
	void *obj;              /* the object; NULL in an empty slot */
	uint64_t badge;         /* chosen by whoever minted it; 0: none */
	uint8_t type;           /* enum mica_cap_type */
	uint8_t rights;         /* RIGHT_* */
	struct mdb_node mdb;    /* derivation: parent is what it was copied from */
};

struct cspace {
	struct cap *slots;
	uint32_t nslots;
	uint32_t npages;        /* kernel pages holding slots */
};

/*
 * The pure table logic is in core/cspace.c: it never reads the current
 * thread or a trap frame. The system calls (core/cap_syscalls.c) decode
 * every argument first and then call the invoke steps below, which cannot
 * fail; each asserts what decode must have established.
 */

/* Allocates a table of nslots empty slots, charged to q. E_OK, E_INVAL, E_NOMEM. */
int cspace_init(struct cspace *cs, uint32_t nslots, struct quota *q);

/* Frees the table's memory, credited to q; every slot must be empty. */
void cspace_destroy(struct cspace *cs, struct quota *q);

/*
 * Decodes capability index idx of cs: it must be in range, full, of type
 * type (CAP_NULL: any) and hold every right in rights. Returns E_OK with
 * *out set, or E_CAP_RANGE, E_CAP_EMPTY, E_CAP_TYPE, E_CAP_RIGHTS.
 */
int cap_lookup(const struct cspace *cs, uint64_t idx, unsigned type, unsigned rights,
	       struct cap **out);

/* Whether idx is a slot of cs that is empty: E_OK, E_CAP_RANGE or E_CAP_OCCUPIED. */
int cap_slot_free(const struct cspace *cs, uint64_t idx);

/* Fills the empty slot idx with an original (underived) capability to obj;
 * the object gains a reference. */
void cap_install(struct cspace *cs, uint32_t idx, unsigned type, void *obj,
		 unsigned rights, uint64_t badge);

/*
 * Copy and mint: fills the empty slot dst with a child of the full slot src
 * in the derivation tree, naming src's object (which gains a reference),
 * with rights src->rights & mask and badge badge (0: src's badge).
 */
void cap_derive(struct cap *src, struct cap *dst, unsigned mask, uint64_t badge);

/* Moves the full slot src to the empty slot dst, with its object, rights,
 * badge, parent and children; src ends empty. References are unchanged. */
void cap_move(struct cap *src, struct cap *dst);

/* Empties a full slot: it leaves the derivation tree (its children move up)
 * and the object dies with its last capability. */
void cap_delete(struct cap *c);

/* Deletes every capability derived from the full slot c, directly or not,
 * in every table; c itself stays. */
void cap_revoke(struct cap *c);

#endif
