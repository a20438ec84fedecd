/* Global kernel state, defined together in core/kstate.c. */
#ifndef KSTATE_H
#define KSTATE_H

#include <bootinfo.h>
#include <frame.h>

extern struct boot_info boot_info;
extern struct frame_pool frame_pool;
extern uint32_t kstate_ncpus;
extern uint64_t tsc_hz;

#endif
