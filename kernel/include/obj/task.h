/* Tasks: an address space, a capability table and a kernel-memory quota. */
#ifndef OBJ_TASK_H
#define OBJ_TASK_H

#include <stdint.h>
#include <kmem.h>
#include <obj/cap.h>
#include <arch/vspace.h>

#define TASK_NAME_MAX 16

struct task {
	struct vspace vspace;
	struct cspace cspace;
	struct quota quota;     /* what this task may still make the kernel hold */
	struct quota *parent_quota;     /* where quota.limit came from */
	uint32_t id;
	char name[TASK_NAME_MAX];
};

/*
 * Creates a task whose quota of limit bytes is carved out of parent
 * (NULL for the root task), with an empty address space and a table of
 * nslots capabilities. E_OK, E_INVAL or E_NOMEM.
 */
int task_create(struct quota *parent, uint64_t limit, uint32_t nslots, const char *name,
		struct task **out);

#endif
