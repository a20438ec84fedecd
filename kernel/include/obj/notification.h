/*
 * Notifications: a word of signal bits. Signal ORs in the badge of the
 * capability used; wait takes the bits and clears them, blocking while
 * there are none; poll takes them without blocking. A notification bound
 * to a thread also ends that thread's receive on an endpoint, so a driver
 * waits for its interrupt and its clients in one place.
 */
#ifndef OBJ_NOTIFICATION_H
#define OBJ_NOTIFICATION_H

#include <stdint.h>
#include <obj/kobj.h>

struct thread;

struct notification {
	struct kobj hdr;        /* must be first */
	uint64_t bits;          /* pending signals */
	struct thread *head;    /* threads in SYS_WAIT, in arrival order */
	struct thread *tail;
	struct thread *bound;   /* the thread whose receives it can end; or NULL */
};

/* Creates a notification charged to q. E_OK or E_NOMEM. */
int notification_create(struct quota *q, struct notification **out);

/* Frees it: waiters wake with E_DEAD, the bound thread is unbound. */
void notification_destroy(struct notification *n);

/* ORs bits in and wakes a waiter or the bound thread's receive. */
void notification_signal(struct notification *n, uint64_t bits);

/* Takes t out of n's wait queue. */
void notification_dequeue(struct notification *n, struct thread *t);

/* The pending bits of the notification bound to t, taken; 0 if none. */
uint64_t notification_take_bound(struct thread *t);

#endif
