/* Endpoints: the IPC gates of synchronous rendezvous (IPC comes next). */
#ifndef OBJ_ENDPOINT_H
#define OBJ_ENDPOINT_H

#include <obj/kobj.h>

struct endpoint {
	struct kobj hdr;        /* must be first */
};

/* Creates an endpoint charged to q. E_OK or E_NOMEM. */
int endpoint_create(struct quota *q, struct endpoint **out);
void endpoint_destroy(struct endpoint *ep);

#endif
