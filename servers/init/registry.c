/*
 * The name registry: service name -> endpoint. A server registers the
 * endpoint it serves on; a client that its manifest line allows gets a
 * copy badged with its task number, so the server can tell its clients
 * apart. A server's names go with it.
 */
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/syscall.h>
#include "init.h"

#define SERVICES_MAX 16

static struct service {
	char name[INIT_NAME_MAX + 1];
	uint64_t slot;          /* 0: free entry */
	unsigned owner;
} services[SERVICES_MAX];

static struct service *find(const char *name)
{
	for (unsigned i = 0; i < SERVICES_MAX; i++)
		if (services[i].slot && strcmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

long registry_add(const char *name, uint64_t slot, unsigned owner)
{
	uint64_t type, rights, badge;

	if (!name[0])
		return E_INVAL;
	if (sys_cap_info(slot, &type, &rights, &badge) != E_OK || type != CAP_ENDPOINT ||
	    badge != 0 || (rights & (RIGHT_WRITE | RIGHT_GRANT)) != (RIGHT_WRITE | RIGHT_GRANT))
		return E_CAP_TYPE;
	if (find(name))
		return E_EXIST;
	for (unsigned i = 0; i < SERVICES_MAX; i++)
		if (!services[i].slot) {
			strcpy(services[i].name, name);
			services[i].slot = slot;
			services[i].owner = owner;
			return E_OK;
		}
	return E_NOMEM;
}

long registry_lookup(const char *name, unsigned client, uint64_t *slot)
{
	struct service *s = find(name);
	long err;

	if (!s)
		return E_NOENT;
	if (!(*slot = slot_alloc()))
		return E_NOMEM;
	err = sys_cap_mint(s->slot, SLOT_SELF_TASK, *slot, RIGHT_WRITE | RIGHT_GRANT,
			   client ? client : CHILDREN_MAX + 1);
	if (err != E_OK) {
		slot_free(*slot);
		*slot = 0;
	}
	return err;
}

void registry_drop_owner(unsigned owner)
{
	for (unsigned i = 0; i < SERVICES_MAX; i++)
		if (services[i].slot && services[i].owner == owner) {
			/* Clients' copies go too: their next call fails at once
			 * and they look the name up again. */
			sys_cap_revoke(services[i].slot);
			slot_free(services[i].slot);
			services[i].slot = 0;
		}
}
