/*
 * IRQ line objects: static, one per GSI, never destroyed. An interrupt
 * masks its line, signals the bound notification with the badge of the
 * capability it was bound with, and may preempt: the driver runs at once
 * if it is more important than the interrupted thread.
 */
#include <irq_hw.h>
#include <sched.h>
#include <syscall.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <arch/trap.h>
#include <obj/irq.h>
#include <obj/notification.h>
#include <obj/task.h>
#include <obj/thread.h>

struct irq_line irq_lines[IRQ_LINES_MAX];
uint32_t irq_nlines;
struct ioport_space ioport_space;

static void irq_trap(struct trap_frame *tf)
{
	struct irq_line *l = &irq_lines[tf->vector - VEC_IRQ_BASE];

	irq_hw_mask(l->gsi);
	irq_hw_eoi();
	if (l->ntfn.obj)
		notification_signal(l->ntfn.obj, l->ntfn.badge ? l->ntfn.badge : 1);
	if (thread_current())
		sched_preempt_check();
}

void irq_init(uint32_t ngsi)
{
	irq_nlines = ngsi < IRQ_LINES_MAX ? ngsi : IRQ_LINES_MAX;
	for (uint32_t i = 0; i < irq_nlines; i++) {
		irq_lines[i].gsi = i;
		trap_set_handler((uint8_t)(VEC_IRQ_BASE + i), irq_trap);
	}
}

static int line_decode(uint64_t idx, struct irq_line **out)
{
	struct cap *c;
	int err = cap_lookup(&thread_current()->task->cspace, idx, CAP_IRQ, RIGHT_CONTROL, &c);

	if (err == E_OK)
		*out = c->obj;
	return err;
}

/*
 * SYS_IRQ_BIND(irq, notification or CAP_NONE): the line's interrupts
 * signal the notification (with its capability's badge, or 1), and the
 * line is unmasked; CAP_NONE masks it and unbinds. E_STATE if bound.
 */
int sys_irq_bind(struct trap_frame *f)
{
	struct irq_line *l;
	struct cap *n = NULL;
	int err;

	if ((err = line_decode(sys_arg0(f), &l)) != E_OK)
		return err;
	if (sys_arg1(f) != CAP_NONE &&
	    (err = cap_lookup(&thread_current()->task->cspace, sys_arg1(f), CAP_NOTIFICATION,
			      RIGHT_WRITE, &n)) != E_OK)
		return err;
	if (!n) {
		irq_hw_mask(l->gsi);
		if (l->ntfn.obj)
			cap_delete(&l->ntfn);
		return E_OK;
	}
	if (l->ntfn.obj)
		return E_STATE;
	mdb_init(&l->ntfn.mdb);
	cap_derive(n, &l->ntfn, RIGHTS_ALL, 0);
	irq_hw_route(l->gsi, (uint8_t)(VEC_IRQ_BASE + l->gsi));
	irq_hw_unmask(l->gsi);
	return E_OK;
}

/* SYS_IRQ_ACK(irq): the driver has handled it; the line is unmasked. */
int sys_irq_ack(struct trap_frame *f)
{
	struct irq_line *l;
	int err;

	if ((err = line_decode(sys_arg0(f), &l)) != E_OK)
		return err;
	if (!l->ntfn.obj)
		return E_STATE;
	irq_hw_unmask(l->gsi);
	return E_OK;
}
