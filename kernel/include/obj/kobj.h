/*
 * What every kernel object starts with: the number of capabilities that
 * name it, and the quota its memory is charged to. When the last
 * capability goes, the object is destroyed and the quota credited.
 */
#ifndef OBJ_KOBJ_H
#define OBJ_KOBJ_H

#include <stdint.h>
#include <kmem.h>

struct kobj {
	uint32_t refs;          /* capabilities naming this object */
	struct quota *quota;    /* charged for its memory */
};

/* Destroys obj, an object of capability type type whose last reference
 * just went away (the one dispatch on type, in core/cspace.c). */
void kobj_destroy(unsigned type, void *obj);

#endif
