/*
 * Synchronous IPC (core/ipc.c): call, send, receive, reply, reply-wait on
 * endpoints, with direct process switch to a waiting partner.
 */
#ifndef IPC_H
#define IPC_H

#include <stdbool.h>
#include <stdint.h>
#include <abi/ipc.h>

struct thread;
struct trap_frame;

/* The tag of a page-fault report (abi/ipc.h): the label and three words. */
#define IPC_FAULT_TAG_PAGE IPC_TAG(IPC_LABEL_PAGE_FAULT, 3, 0, 0)

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

/*
 * For the fast path of reply_wait (fastpath.asm), which answers client's
 * page-fault report from self with one map item (w0, w1): the item, as
 * the slow path delivers it. A map that fails leaves the page missing,
 * and the retried access faults again.
 */
void fastpath_fault_answer(struct thread *self, struct thread *client, uint64_t w0, uint64_t w1);


#endif
