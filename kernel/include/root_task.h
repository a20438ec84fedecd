/* The root task: the first boot module, loaded by the kernel and started. */
#ifndef ROOT_TASK_H
#define ROOT_TASK_H

#include <bootinfo.h>
#include <compiler.h>

/*
 * Loads module 0 (init) into a new task with the KIP, a stack, its UTCB
 * and its initial capabilities, and enters it. When there is no module, or
 * it is not a loadable ELF, says why and idles: the kernel stays up.
 */
noreturn void root_task_start(const struct boot_info *bi);

#endif
