/*
 * I/O ports: a task may use the ports of every I/O-port capability in its
 * table, no others. The kernel keeps a permission bitmap per task that has
 * any (two pages, charged to its quota), recomputed whenever such a
 * capability enters or leaves a table, and loads it into the TSS when the
 * task runs; every other task runs with all ports denied.
 */
#ifndef OBJ_IOPORT_H
#define OBJ_IOPORT_H

#include <stdint.h>

struct task;

/* Recomputes t's bitmap from its table. */
void ioport_refresh(struct task *t);

/* Recomputes every bitmap that exists (a capability may have left one). */
void ioport_refresh_all(void);

/* t is going: its bitmap too. */
void ioport_task_gone(struct task *t);

#endif
