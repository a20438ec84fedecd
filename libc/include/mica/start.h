/*
 * How init starts a program (docs/boot.md): the layout of its address
 * space, the capability slots it finds filled, and the start-up page that
 * says what it was given. crt0 passes the start-up page (RDI) and the UTCB
 * (RSI) to libc_start(), which sets up argv and calls main; the heap
 * (libc/src/heap.c) reads its limit from the start-up page.
 * The root task is started by the kernel instead, with RDI = the KIP.
 */
#ifndef MICA_START_H
#define MICA_START_H

#include <stdint.h>

/* Address space of a program started by init. The program's ELF segments
 * lie below HEAP_BASE; the heap grows up from HEAP_BASE, the stack down
 * from STACK_TOP, each on demand and up to its limit in the manifest. */
#define HEAP_BASE        0x0000100000000000ull
#define STACK_TOP        0x00007FFFFF000000ull
#define START_INFO_ADDR  0x00007FFFFFFFC000ull  /* read-only */
#define START_UTCB_ADDR  0x00007FFFFFFFD000ull  /* the first thread's UTCB */
#define START_LOG_ADDR   0x00007FFFFFFFB000ull  /* init's log (manifest flag log), read-only */
#define DEVICE_BASE      0x0000200000000000ull  /* physical ranges granted by the manifest */

/* Capability slots of a program started by init. */
#define SLOT_INIT        2      /* init: registry, memory, tasks (mica/proto/init.h); badged */
#define SLOT_LOG         3      /* manifest flag log: the notification init's log signals */
#define SLOT_GRANTED     8      /* the manifest's IRQ lines and I/O ranges, in start_info order */
#define SLOT_CONSOLE     24     /* libc's console session, once looked up */
#define SLOT_FREE        32     /* from here on the program's own */
#define PROGRAM_SLOTS    64     /* size of the table */

#define START_MAGIC      0x5452415453434D49ull  /* "IMCSTART" read as bytes */
#define START_MAX_CAPS   16
#define START_NAME_MAX   16
#define START_ARGS_MAX   256

enum start_cap_kind {
	START_CAP_IRQ = 1,      /* a = GSI */
	START_CAP_IOPORT,       /* a = first port, b = last port */
	START_CAP_MEM,          /* a = physical base, b = size, mapped at va */
	START_CAP_LOG,          /* init's log (struct console_log) at va, its notification in slot */
};

struct start_cap {
	uint32_t kind;
	uint32_t slot;          /* IRQ, I/O ports: where the capability is */
	uint64_t a, b;
	uint64_t va;            /* memory: where it is mapped */
};

struct start_info {
	uint64_t magic;
	char name[START_NAME_MAX + 1];  /* NUL-terminated */
	char args[START_ARGS_MAX];      /* the manifest's arguments, NUL-terminated */
	uint64_t heap_limit;            /* bytes from HEAP_BASE */
	uint64_t stack_limit;           /* bytes below STACK_TOP */
	uint32_t restarts;              /* 0 on the first start; the restart hooks see more */
	uint32_t ncaps;
	struct start_cap caps[START_MAX_CAPS];
};

/* What libc_start() found; NULL in the root task. */
extern const struct start_info *start_info;

/* The first capability of kind granted with a = key (an IRQ's GSI, an I/O
 * range's first port, a memory range's base), or NULL. */
const struct start_cap *start_cap_find(unsigned kind, uint64_t key);

/* The calling thread's UTCB (the first thread's, from the start-up state). */
struct utcb *utcb_self(void);

#endif
