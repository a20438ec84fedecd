/*
 * The root task (DESIGN.md: init, sigma0). The kernel builds it by hand,
 * as nothing else exists yet to do so: an address space holding module
 * 0's ELF segments, a stack, a UTCB page and the kernel info page, and a
 * capability table with its own task and thread and the debug console.
 *
 * Its virtual layout, from the top of user space down:
 *   KIP (2 pages, read-only, in every task), a guard page, the UTCB, a
 *   guard page, then the stack, growing down. ELF segments must lie below
 *   ROOT_ELF_END; from SIGMA0_BASE up lies its window on physical memory
 *   (sigma0.c).
 */
#include <klib.h>
#include <kip.h>
#include <mapping.h>
#include <sigma0.h>
#include <panic.h>
#include <console.h>
#include <kstate.h>
#include <root_task.h>
#include <sched.h>
#include <version.h>
#include <elf.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/version.h>
#include <arch/idle.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <obj/ioport.h>
#include <obj/irq.h>
#include <obj/task.h>
#include <obj/thread.h>

#define ROOT_ELF_BASE     0x1000ull
#define ROOT_ELF_END      SIGMA0_BASE
#define ROOT_UTCB         (KIP_ADDR - 2 * PAGE_SIZE)
#define ROOT_STACK_TOP    (ROOT_UTCB - PAGE_SIZE)
#define ROOT_STACK_PAGES  16
#define ROOT_PRIORITY     128

extern struct debug_console debug_console;

/* The root task's quota: the top of every chain of quotas. */
static struct quota root_quota;

/* Maps fresh zeroed frames over [va, va + len) with perms: originals in
 * the mapping database, the root task's to map on. */
static int map_zeroed(struct task *t, uint64_t va, uint64_t len, unsigned perms)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t pa = frame_alloc(&frame_pool);
		int err;

		if (pa == FRAME_NONE)
			return E_NOMEM;
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		err = mapping_insert(&t->vspace, t->quota, va + off, pa, perms, NULL, true);
		if (err != E_OK) {
			frame_free(&frame_pool, pa);
			return err;
		}
	}
	return E_OK;
}

/* Copies the segment's file bytes into its (already zeroed) pages. */
static void copy_segment(struct task *t, const uint8_t *image, const struct elf_segment *s)
{
	for (uint64_t done = 0; done < s->filesz; ) {
		uint64_t va = s->vaddr + done, pa;
		uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		struct mapping *m;
		unsigned perms;

		if (!vspace_lookup(&t->vspace, ALIGN_DOWN(va, PAGE_SIZE), &pa, &perms, &m))
			panic("root_task: segment page %lx not mapped", va);
		if (n > s->filesz - done)
			n = s->filesz - done;
		memcpy((uint8_t *)phys_to_virt(pa) + (va & (PAGE_SIZE - 1)),
		       image + s->offset + done, n);
		done += n;
	}
}

static unsigned perms_of(uint32_t elf_flags)
{
	return VM_READ | (elf_flags & ELF_PF_W ? VM_WRITE : 0) |
	       (elf_flags & ELF_PF_X ? VM_EXEC : 0);
}

static int load_elf(struct task *t, const uint8_t *image, const struct elf_image *elf)
{
	for (unsigned i = 0; i < elf->nsegments; i++) {
		const struct elf_segment *s = &elf->segments[i];
		uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		int err = map_zeroed(t, start, end - start, perms_of(s->flags));

		if (err != E_OK)
			return err;
		copy_segment(t, image, s);
	}
	return E_OK;
}

static int build(const struct boot_info *bi, const struct elf_image *elf, struct thread **out)
{
	const struct boot_module *m = &bi->modules[0];
	char name[TASK_NAME_MAX];
	struct task *task;
	struct thread *th;
	int err;

	/* sigma0 owns all memory, so its kernel-memory quota is all of it. */
	root_quota.limit = frame_pool.nfree * FRAME_SIZE;
	/* Named by its command line's first word, as the boot log shows it. */
	snprintf(name, sizeof name, "%.*s", (int)cmdline_value_len(m->cmdline), m->cmdline);
	err = task_create(&root_quota, ROOT_CAP_SLOTS, name, &task);
	if (err != E_OK)
		return err;
	if ((err = load_elf(task, phys_to_virt(m->start), elf)) != E_OK ||
	    (err = map_zeroed(task, ROOT_UTCB, PAGE_SIZE, VM_READ | VM_WRITE)) != E_OK ||
	    (err = map_zeroed(task, ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE,
			      ROOT_STACK_PAGES * PAGE_SIZE, VM_READ | VM_WRITE)) != E_OK ||
	    (err = thread_create(task, &th)) != E_OK)
		return err;
	cap_install(&task->cspace, SLOT_SELF_TASK, CAP_TASK, task, RIGHTS_ALL, 0);
	cap_install(&task->cspace, SLOT_SELF_THREAD, CAP_THREAD, th, RIGHTS_ALL, 0);
	cap_install(&task->cspace, SLOT_IOPORTS, CAP_IOPORT, &ioport_space, RIGHTS_ALL,
		    IOPORT_RANGE(0, 0xFFFF));
	for (uint32_t i = 0; i < irq_nlines; i++)
		cap_install(&task->cspace, SLOT_IRQ_BASE + i, CAP_IRQ, &irq_lines[i],
			    RIGHTS_ALL, 0);
	cap_install(&task->cspace, SLOT_DEBUG_CONSOLE, CAP_DEBUG_CONSOLE, &debug_console,
		    RIGHT_WRITE, 0);
	ioport_refresh(task);   /* it holds every port */
	sigma0_task = task;
	th->priority = ROOT_PRIORITY;
	th->utcb = ROOT_UTCB;
	thread_set_entry(th, elf->entry, ROOT_STACK_TOP, KIP_ADDR, ROOT_UTCB);
	*out = th;
	return E_OK;
}

void root_task_start(const struct boot_info *bi)
{
	const struct boot_module *m = &bi->modules[0];
	struct elf_image elf;
	enum elf_status st;
	struct thread *th;
	int err;

	if (bi->nmodules == 0) {
		kprintf("root: no boot modules: nothing to run\n");
		arch_idle();
	}
	kip_fill(bi);
	st = elf_parse(phys_to_virt(m->start), m->end - m->start, ROOT_ELF_BASE, ROOT_ELF_END,
		       &elf);
	if (st != ELF_OK) {
		kprintf("root: module 0 '%s' is not a loadable ELF: %s\n", m->cmdline,
			elf_strerror(st));
		arch_idle();
	}
	if ((err = build(bi, &elf, &th)) != E_OK) {
		kprintf("root: cannot build the root task: error %d\n", err);
		arch_idle();
	}
	kprintf("root: starting '%s' (entry %lx, %u segments)\n", m->cmdline, elf.entry,
		elf.nsegments);
	th->state = THREAD_RUNNABLE;
	sched_enqueue(th);
	schedule();
}
