/*
 * sigma0: the root task's window on physical memory. Physical address p
 * appears at SIGMA0_BASE + p in the root task, filled in on first touch
 * (or first map from it): free RAM is taken from the kernel's pool and
 * zeroed, boot modules and device memory are mapped as they are. From
 * there the root task maps memory on to everything else.
 */
#ifndef SIGMA0_H
#define SIGMA0_H

#include <stdbool.h>
#include <stdint.h>

#define SIGMA0_BASE 0x0000400000000000ull      /* 64 TiB: above the root's ELF */
#define SIGMA0_SIZE 0x0000200000000000ull      /* 32 TiB of physical memory */

struct task;

/* The task that owns the window (the root task), once it exists. */
extern struct task *sigma0_task;

/*
 * Maps the page of the window that holds va into t if t is the root task
 * and the page may be handed out. Returns true if va is now mapped.
 */
bool sigma0_fill(struct task *t, uint64_t va);

/* Whether sigma0_fill(t, va) could do anything: checked inline first,
 * since almost every fault and map is elsewhere. */
static inline bool sigma0_in_window(const struct task *t, uint64_t va)
{
	return t == sigma0_task && va - SIGMA0_BASE < SIGMA0_SIZE;
}

#endif
