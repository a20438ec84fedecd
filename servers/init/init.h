/*
 * init's state: the programs of the boot manifest, the name registry and
 * init's own capability slots. main.c dispatches requests and faults to
 * child.c (loading, paging, supervising), registry.c and the handlers.
 */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <mica/ipc.h>
#include <mica/proto/init.h>
#include <mica/proto/console.h>
#include "manifest.h"

#define CHILDREN_MAX   16
#define RESTARTS_MAX   3        /* a server that keeps faulting stays down */

struct page_rec {
	uint64_t va, pa;
};

struct child {
	unsigned number;        /* its badge on init's endpoint; init itself is 0 */
	int used;               /* has a manifest line */
	struct manifest_entry m;
	enum init_task_state state;     /* 0: not started */
	unsigned restarts;
	int reported;           /* load() said already why it failed */
	uint64_t task, thread;  /* capability slots in init's table; 0: none */
	uint64_t init_cap;      /* the badged original of its SLOT_INIT */
	uint64_t log_ntfn;      /* manifest flag log: init's badged copy */
	struct console_log *log_ring;   /* ...and the ring, in init's window */
	const uint8_t *image;   /* the ELF module through the physical window */
	uint64_t image_size;
	struct elf_image elf;
	struct page_rec *pages; /* every page init gave it */
	size_t npages, pages_cap;
};

extern struct child children[CHILDREN_MAX + 1];        /* [0] unused: init */
extern uint64_t init_endpoint;

/* child.c */
long child_start(struct child *c);
/* Tears the task down, takes its pages back; restarts it when its
 * manifest says so and why is INIT_TASK_FAULTED. */
void child_stop(struct child *c, enum init_task_state why);
/* A page fault of c's: maps the page, or reports and stops c. Returns
 * whether c is still there to be answered. */
int child_page_fault(struct child *c, const struct ipc_msg *m);
/* Any other exception: reports and stops c. */
void child_exception(struct child *c, const struct ipc_msg *m);
long child_release(struct child *c, uint64_t addr, uint64_t len);
uint64_t child_pages_total(void);

/* registry.c */
long registry_add(const char *name, uint64_t slot, unsigned owner);
/* A capability to name, badged for the client, in a fresh slot of init's. */
long registry_lookup(const char *name, unsigned client, uint64_t *slot);
void registry_drop_owner(unsigned owner);

/* slots.c */
void slots_init(void);
uint64_t slot_alloc(void);      /* 0: none left */
void slot_free(uint64_t slot);  /* deletes what it holds */

/* log.c: init's output goes to the kernel's debug console until the
 * console server is up, then through the log ring (console_write). */
void log_attach(uint64_t ntfn, struct console_log *ring);
void log_detach(void);

#endif
