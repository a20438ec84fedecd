/* Notifications: a word of signal bits; signal ORs, wait takes and clears. */
#ifndef OBJ_NOTIFICATION_H
#define OBJ_NOTIFICATION_H

#include <stdint.h>
#include <obj/kobj.h>

struct notification {
	struct kobj hdr;        /* must be first */
	uint64_t bits;          /* pending signals */
};

/* Creates a notification charged to q. E_OK or E_NOMEM. */
int notification_create(struct quota *q, struct notification **out);
void notification_destroy(struct notification *n);

#endif
