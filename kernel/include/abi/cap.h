/* Capability types and rights, as user space names them. */
#ifndef ABI_CAP_H
#define ABI_CAP_H

enum mica_cap_type {
	CAP_NULL = 0,
	CAP_TASK,
	CAP_THREAD,
	CAP_ENDPOINT,
	CAP_NOTIFICATION,
	CAP_IRQ,
	CAP_IOPORT,
	CAP_DEBUG_CONSOLE,
	CAP_NTYPES
};

/* "No capability" where a call takes an optional one. */
#define CAP_NONE (~0ull)

/* An I/O-port capability's range, reported where other capabilities
 * report their badge (SYS_CAP_INFO): first port | last port << 16. */
#define IOPORT_RANGE(first, last) ((uint64_t)(first) | (uint64_t)(last) << 16)

/* Rights: an operation names the ones it needs (docs/abi.md). */
#define RIGHT_READ    (1u << 0)   /* receive on an endpoint, wait on a notification */
#define RIGHT_WRITE   (1u << 1)   /* send on an endpoint, signal; print (debug console) */
#define RIGHT_GRANT   (1u << 2)   /* send capabilities and mappings along */
#define RIGHT_CONTROL (1u << 3)   /* tasks and threads: every operation on them */
#define RIGHTS_ALL    0xFu

/* Slots every task finds filled at entry, and the root task's extras. */
#define SLOT_SELF_TASK     0    /* its own task */
#define SLOT_SELF_THREAD   1    /* its first thread */
#define SLOT_DEBUG_CONSOLE 2    /* root task: the kernel debug console */
#define SLOT_IOPORTS       3    /* root task: I/O ports 0-0xFFFF */
#define SLOT_IRQ_BASE      8    /* root task: GSI n in slot SLOT_IRQ_BASE + n
				 * for n < kip->nirqs */
#define ROOT_CAP_SLOTS     64   /* size of the root task's table */

#endif
