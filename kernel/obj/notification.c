/* Notification objects: creation and destruction (signal and wait come with IPC). */
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <obj/cap.h>
#include <obj/task.h>
#include <obj/thread.h>
#include <obj/notification.h>

int notification_create(struct quota *q, struct notification **out)
{
	struct notification *n = kmem_alloc(q, sizeof *n);

	if (!n)
		return E_NOMEM;
	n->hdr.quota = q;
	*out = n;
	return E_OK;
}

void notification_destroy(struct notification *n)
{
	kmem_free(n->hdr.quota, n, sizeof *n);
}

/* SYS_NOTIFICATION_CREATE(task, slot): as SYS_ENDPOINT_CREATE. */
int sys_notification_create(struct trap_frame *f)
{
	struct cspace *cs = &thread_current()->task->cspace;
	struct notification *n;
	struct cap *cap;
	int err;

	if ((err = cap_lookup(cs, sys_arg0(f), CAP_TASK, RIGHT_CONTROL, &cap)) != E_OK ||
	    (err = cap_slot_free(cs, sys_arg1(f))) != E_OK ||
	    (err = notification_create(((struct task *)cap->obj)->quota, &n)) != E_OK)
		return err;
	cap_install(cs, (uint32_t)sys_arg1(f), CAP_NOTIFICATION, n, RIGHTS_ALL, 0);
	return E_OK;
}
