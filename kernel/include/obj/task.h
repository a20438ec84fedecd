/* Tasks: an address space, a capability table and a kernel-memory quota. */
#ifndef OBJ_TASK_H
#define OBJ_TASK_H

#include <stdint.h>
#include <kmem.h>
#include <obj/cap.h>
#include <obj/kobj.h>
#include <arch/vspace.h>

#define TASK_NAME_MAX 16

struct thread;

struct task {
	struct kobj hdr;        /* refs: capabilities; hdr.quota == quota */
	struct quota *quota;    /* what this task may make the kernel hold; outlives it */
	struct vspace vspace;
	struct cspace cspace;
	struct thread *threads; /* its threads, through thread.task_next */
	struct task *reap_next; /* on the list of tasks to tear down */
	uint8_t *io_bitmap[2];  /* I/O ports it may use (obj/ioport.h); NULL: none */
	struct task *io_next;   /* the list of tasks with a bitmap */
	uint64_t io_generation; /* bumped at each recomputation */
	uint32_t id;
	char name[TASK_NAME_MAX];
};

/*
 * Creates a task with quota q (a fresh one, or the root quota), an empty
 * address space and a table of nslots capabilities. E_OK, E_INVAL or
 * E_NOMEM; on failure q is left as it was.
 */
int task_create(struct quota *q, uint32_t nslots, const char *name, struct task **out);

/* Queues t for teardown: its last capability is gone (kobj_destroy). */
void task_destroy(struct task *t);

/*
 * Tears down the queued tasks: their threads die, their capabilities are
 * deleted (which may queue more tasks: a loop, not a recursion), their
 * address spaces and tables are freed and their quotas orphaned.
 */
void task_reap(void);

/* Whether a teardown is pending. */
extern struct task *task_reap_list;

#endif
