/*
 * Global kernel state, in one place (seL4's statedata.c): whatever lives
 * for the whole uptime and is shared between subsystems.
 */
#include <kstate.h>

/* What the boot loader handed over, parsed once at boot. */
struct boot_info boot_info;

/* Every free physical frame of RAM. */
struct frame_pool frame_pool;

/* CPUs the firmware reports (only the boot CPU runs for now). */
uint32_t kstate_ncpus = 1;

/* TSC ticks per second, measured at boot. */
uint64_t tsc_hz;
