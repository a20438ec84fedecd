/*
 * Global kernel state, in one place (seL4's statedata.c): whatever lives
 * for the whole uptime and is shared between subsystems.
 */
#include <kstate.h>

/* What the boot loader handed over, parsed once at boot. */
struct boot_info boot_info;

/* Every free physical frame of RAM. */
struct frame_pool frame_pool;
