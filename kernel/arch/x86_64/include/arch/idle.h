/* The idle loop: what a CPU does when no thread is ready. */
#ifndef ARCH_IDLE_H
#define ARCH_IDLE_H

#include <compiler.h>

/* Drops whatever is on the kernel stack and halts until an interrupt
 * makes a thread ready, then schedules it. */
noreturn void arch_idle(void);

#endif
