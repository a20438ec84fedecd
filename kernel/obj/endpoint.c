/* Endpoint objects: creation and destruction (IPC on them comes next). */
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <obj/cap.h>
#include <obj/task.h>
#include <obj/thread.h>
#include <obj/endpoint.h>

int endpoint_create(struct quota *q, struct endpoint **out)
{
	struct endpoint *ep = kmem_alloc(q, sizeof *ep);

	if (!ep)
		return E_NOMEM;
	ep->hdr.quota = q;
	*out = ep;
	return E_OK;
}

void endpoint_destroy(struct endpoint *ep)
{
	kmem_free(ep->hdr.quota, ep, sizeof *ep);
}

/* Creation for the system calls: an object charged to task's quota, its
 * capability (all rights) in the caller's empty slot. */
int sys_endpoint_create(struct trap_frame *f)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct endpoint *ep;
	struct cap *cap;
	int err;

	if ((err = cap_lookup(cs, sys_arg0(f), CAP_TASK, RIGHT_CONTROL, &cap)) != E_OK ||
	    (err = cap_slot_free(cs, sys_arg1(f))) != E_OK ||
	    (err = endpoint_create(((struct task *)cap->obj)->quota, &ep)) != E_OK)
		return err;
	cap_install(cs, (uint32_t)sys_arg1(f), CAP_ENDPOINT, ep, RIGHTS_ALL, 0);
	return E_OK;
}
