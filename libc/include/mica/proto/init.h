/*
 * init's protocol (docs/protocols.md): the name registry, memory and task
 * requests, and exit. Every program reaches init through SLOT_INIT, a
 * capability badged with the program's task number, so init knows who
 * asks. Requests are calls; the reply's label is the error code (E_OK or
 * an E_* of abi/errno.h) and its words the results.
 */
#ifndef MICA_PROTO_INIT_H
#define MICA_PROTO_INIT_H

#include <stdint.h>

enum init_label {
	INIT_REGISTER = 1,      /* w0-1 name; item: endpoint capability -> - */
	INIT_LOOKUP,            /* w0-1 name; recv_slot set -> item: endpoint capability */
	INIT_EXIT,              /* w0 status -> no reply: the task is torn down */
	INIT_RELEASE,           /* w0 address, w1 length in bytes (page multiples) -> - */
	INIT_TASK_INFO,         /* w0 first task number -> struct init_task_info in w0-7 */
	INIT_MEM_INFO,          /* -> w0 total, w1 free, w2 held by tasks, w3 kernel (bytes) */
	INIT_KILL,              /* w0-1 name -> - */
	INIT_REBOOT,            /* -> no reply: the machine resets */
	INIT_START,             /* w0-1 name of an on-demand manifest line -> w0 task number */
	INIT_NLABELS
};

#define INIT_NAME_MAX 16        /* bytes of a service or task name, in two words */

/* Task states as init sees them. */
enum init_task_state {
	INIT_TASK_RUNNING = 1,
	INIT_TASK_EXITED,
	INIT_TASK_FAULTED,
	INIT_TASK_KILLED,
};

/* The reply to INIT_TASK_INFO, word by word. */
struct init_task_info {
	uint64_t number;        /* w0: the task's number, >= the one asked for */
	char name[INIT_NAME_MAX + 1];   /* w1-2, NUL-terminated here */
	uint64_t threads;       /* w3: live threads (SYS_TASK_INFO) */
	uint64_t state;         /* w4: enum init_task_state */
	uint64_t priority;      /* w5 */
	uint64_t pages;         /* w6: pages init gave it */
	uint64_t thread_state;  /* w7: its first thread's THREAD_STATE_* */
};

#endif
