/*
 * Synchronous IPC (core/ipc.c): call, send, receive, reply, reply-wait on
 * endpoints, with direct process switch to a waiting partner.
 */
#ifndef IPC_H
#define IPC_H

#include <stdbool.h>
#include <stdint.h>

struct thread;
struct trap_frame;

/*
 * Ends whatever IPC t is in: out of an endpoint queue, or no longer waiting
 * for a reply, or (as a server) no longer owing one, whose caller then
 * wakes with E_DEAD. A thread that was blocked becomes ready with error err
 * in its registers. For aborts, stops, deaths and dying endpoints.
 */
void ipc_cancel(struct thread *t, int err);

/* t is dying: ipc_cancel, and a call it received but did not answer is
 * answered with E_DEAD. */
void ipc_release(struct thread *t);

/* t, blocked receiving, leaves its endpoint's queue (it is being woken
 * another way: its bound notification). */
void ipc_cancel_recv(struct thread *t);

/*
 * The current thread took exception tf (fault address addr): reports it as
 * a call to its pager or exception handler and does not return; false if
 * it has neither.
 */
bool ipc_fault(struct trap_frame *tf, uint64_t addr);


#endif
