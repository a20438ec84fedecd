/*
 * The capability system calls (docs/abi.md): copy, mint, move, delete,
 * revoke and info. Each decodes its arguments against the caller's table
 * (every check, no change of state) and then calls the invoke step of
 * core/cspace.c, which cannot fail; errors come only from the decode.
 */
#include <stdbool.h>
#include <stdint.h>
#include <syscall.h>
#include <abi/errno.h>
#include <obj/cap.h>
#include <obj/ioport.h>
#include <obj/task.h>
#include <obj/thread.h>

/* The caller's capability table. */
static struct cspace *own_cspace(void)
{
	return &thread_current()->task->cspace;
}

/* Decodes (dst_task, dst_slot): a task capability with the control right
 * (slot 0 names the caller's own task) and an empty slot in its table. */
static int decode_dest(uint64_t task_idx, uint64_t slot, struct cap **out, struct task **task)
{
	struct cap *tc;
	struct task *t;
	int err;

	if ((err = cap_lookup(own_cspace(), task_idx, CAP_TASK, RIGHT_CONTROL, &tc)) != E_OK)
		return err;
	t = tc->obj;
	if ((err = cap_slot_free(&t->cspace, slot)) != E_OK)
		return err;
	*out = &t->cspace.slots[slot];
	*task = t;
	return E_OK;
}

/* Copy and mint: a child of src in the destination, with rights narrowed
 * to mask and, for mint, a badge. */
static int derive(uint64_t src_idx, uint64_t task_idx, uint64_t slot, uint64_t mask,
		  bool mint, uint64_t badge)
{
	struct cap *src, *dst;
	struct task *dt;
	int err;

	if ((err = cap_lookup(own_cspace(), src_idx, CAP_NULL, 0, &src)) != E_OK)
		return err;
	if (mask & ~(uint64_t)RIGHTS_ALL)
		return E_INVAL;
	if (mint && src->type == CAP_IOPORT) {
		/* An I/O-port "badge" is its range: minting narrows it. */
		uint64_t first = badge & 0xFFFF, last = (badge >> 16) & 0xFFFF;

		if ((badge >> 32) || first > last || first < (src->badge & 0xFFFF) ||
		    last > ((src->badge >> 16) & 0xFFFF))
			return E_RANGE;
	} else if (mint) {
		if (src->type != CAP_ENDPOINT && src->type != CAP_NOTIFICATION)
			return E_CAP_TYPE;
		if (badge == 0)
			return E_INVAL;
		if (src->badge != 0)
			return E_STATE;         /* a badge, once given, is fixed */
	}
	if ((err = decode_dest(task_idx, slot, &dst, &dt)) != E_OK)
		return err;
	/* A copy passes badge 0: the source's badge, if any, carries over. */
	cap_derive(src, dst, (unsigned)mask, mint ? badge : 0);
	if (src->type == CAP_IOPORT)
		ioport_refresh(dt);
	return E_OK;
}

/* SYS_CAP_COPY(src, dst_task, dst_slot, rights) */
int sys_cap_copy(struct trap_frame *f)
{
	return derive(sys_arg0(f), sys_arg1(f), sys_arg2(f), sys_arg3(f), false, 0);
}

/* SYS_CAP_MINT(src, dst_task, dst_slot, rights, badge) */
int sys_cap_mint(struct trap_frame *f)
{
	return derive(sys_arg0(f), sys_arg1(f), sys_arg2(f), sys_arg3(f), true, sys_arg4(f));
}

/* SYS_CAP_MOVE(src, dst_task, dst_slot): the capability changes slot, and
 * keeps its place in the derivation tree. */
int sys_cap_move(struct trap_frame *f)
{
	struct cap *src, *dst;
	struct task *dt;
	int err;

	if ((err = cap_lookup(own_cspace(), sys_arg0(f), CAP_NULL, 0, &src)) != E_OK ||
	    (err = decode_dest(sys_arg1(f), sys_arg2(f), &dst, &dt)) != E_OK)
		return err;
	cap_move(src, dst);
	if (dst->type == CAP_IOPORT) {
		ioport_refresh(dt);
		ioport_refresh_all();   /* the source's task may have lost ports */
	}
	return E_OK;
}

/* SYS_CAP_DELETE(slot) */
int sys_cap_delete(struct trap_frame *f)
{
	struct cap *c;
	int err;

	bool ports;

	if ((err = cap_lookup(own_cspace(), sys_arg0(f), CAP_NULL, 0, &c)) != E_OK)
		return err;
	ports = c->type == CAP_IOPORT;
	cap_delete(c);
	if (ports)
		ioport_refresh_all();
	return E_OK;
}

/* SYS_CAP_REVOKE(slot): deletes every capability derived from it, in
 * every task; the capability itself stays. */
int sys_cap_revoke(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = cap_lookup(own_cspace(), sys_arg0(f), CAP_NULL, 0, &c)) != E_OK)
		return err;
	cap_revoke(c);
	if (c->type == CAP_IOPORT)
		ioport_refresh_all();
	return E_OK;
}

/* SYS_CAP_INFO(slot) -> RDI type, RSI rights, RDX badge */
int sys_cap_info(struct trap_frame *f)
{
	struct cap *c;
	int err;

	if ((err = cap_lookup(own_cspace(), sys_arg0(f), CAP_NULL, 0, &c)) != E_OK)
		return err;
	sys_set_result(f, 0, c->type);
	sys_set_result(f, 1, c->rights);
	sys_set_result(f, 2, c->badge);
	return E_OK;
}

/*
 * The decode step every *_CREATE call shares: RDI a task capability with
 * the control right (the new object's owner, whose quota pays), RSI an
 * empty slot of the caller's for the new capability.
 */
int create_decode(struct trap_frame *f, struct task **owner)
{
	struct cap *tc;
	int err;

	if ((err = cap_lookup(own_cspace(), sys_arg0(f), CAP_TASK, RIGHT_CONTROL, &tc)) != E_OK ||
	    (err = cap_slot_free(own_cspace(), sys_arg1(f))) != E_OK)
		return err;
	*owner = tc->obj;
	return E_OK;
}

/* Installs the new object's capability, all rights, where create_decode said. */
void create_install(struct trap_frame *f, unsigned type, void *obj)
{
	cap_install(own_cspace(), (uint32_t)sys_arg1(f), type, obj, RIGHTS_ALL, 0);
}
