/*
 * init's physical pages (frames.c): RAM taken from the kernel through the
 * root task's physical window, handed to the programs init pages, and
 * kept on a free list when they come back.
 */
#ifndef INIT_FRAMES_H
#define INIT_FRAMES_H

#include <stdint.h>

void frames_init(void);
/* A zeroed page mapped into task (a capability slot of init's; SLOT_SELF_TASK
 * for init itself) at va with perms (MAP_*); its physical address in *pa.
 * E_OK, E_NOMEM when RAM is exhausted, or the mapping's error. */
long frame_map_new(uint64_t task, uint64_t va, uint64_t perms, uint64_t *pa);
/* Maps the page pa that init already holds into task at va. */
long frame_map(uint64_t task, uint64_t pa, uint64_t va, uint64_t perms);
/* Takes the page pa back from every task it was mapped into. */
void frame_free(uint64_t pa);
/* init's view of the page pa. */
void *frame_window(uint64_t pa);
/* Pages on init's free list. */
uint64_t frames_free_count(void);
/* Bytes of usable RAM the firmware reported. */
uint64_t frames_total_bytes(void);

#endif
