/*
 * init, the root task: reads the boot manifest, starts its programs, and
 * then serves them on one endpoint: their page faults and exceptions (it
 * is their pager and exception handler) and the requests of
 * mica/proto/init.h. Each program's capability to init carries its task
 * number as badge. init only ever answers: it never waits for a program.
 */
#include <stdio.h>
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <mica/init.h>
#include <mica/portio.h>
#include <mica/start.h>
#include <mica/syscall.h>
#include "frames.h"
#include "init.h"

#define MANIFEST_MODULE "manifest"
#define LINE_MAX 512

uint64_t init_endpoint;
static uint64_t recv_slot;      /* where a registered endpoint lands */
static uint64_t granted_slot;   /* emptied by the reply that grants its capability */

static const struct kip_module *manifest_module(void)
{
	const struct kip *kip = (const struct kip *)KIP_ADDR;

	for (uint32_t i = 0; i < kip->nmodules && i < KIP_MAX_MODULES; i++)
		if (strncmp(kip->modules[i].cmdline, MANIFEST_MODULE, sizeof(MANIFEST_MODULE)) == 0)
			return &kip->modules[i];
	return NULL;
}

static void manifest_add(const struct manifest_entry *e, unsigned line)
{
	for (unsigned i = 1; i <= CHILDREN_MAX; i++) {
		if (children[i].used && strcmp(children[i].m.name, e->name) == 0) {
			printf("init: manifest line %u: %s is named twice; skipped\n", line, e->name);
			return;
		}
	}
	for (unsigned i = 1; i <= CHILDREN_MAX; i++)
		if (!children[i].used) {
			children[i] = (struct child){ .number = i, .used = 1, .m = *e };
			return;
		}
	printf("init: manifest line %u: more than %u programs; skipped\n", line, CHILDREN_MAX);
}

/* Every line of the manifest; a malformed one is reported and skipped. */
static void manifest_read(void)
{
	const struct kip_module *mod = manifest_module();
	const struct kip *kip = (const struct kip *)KIP_ADDR;
	struct manifest_entry e;
	const char *text, *why;
	unsigned line = 0;

	if (!mod) {
		printf("init: no boot manifest (a module named %s)\n", MANIFEST_MODULE);
		return;
	}
	text = (const char *)(kip->phys_window + mod->base);
	for (uint64_t at = 0; at < mod->size;) {
		uint64_t end = at;

		while (end < mod->size && text[end] != '\n')
			end++;
		line++;
		if (end - at > LINE_MAX)
			printf("init: manifest line %u: longer than %u characters; skipped\n", line,
			       LINE_MAX);
		else if (manifest_parse_line(text + at, end - at, &e, &why) < 0)
			printf("init: manifest line %u: %s; skipped\n", line, why);
		else if (e.name[0])
			manifest_add(&e, line);
		at = end + 1;
	}
}

static struct child *child_named(const char *name)
{
	for (unsigned i = 1; i <= CHILDREN_MAX; i++)
		if (children[i].used && strcmp(children[i].m.name, name) == 0)
			return &children[i];
	return NULL;
}

static void name_of(const struct ipc_msg *m, char *name)
{
	init_name_unpack(m->w, name);
}

/* ------------------------------------------------------------ requests */

static long do_register(struct child *c, const struct ipc_msg *m)
{
	char name[INIT_NAME_MAX + 1];
	long err;

	if (IPC_TAG_ITEMS(m->tag) != 1)
		return E_INVAL;
	name_of(m, name);
	/* A program serves under its own name only, so that nobody can
	 * take a server's name while it restarts. */
	if (strcmp(name, c->m.name) != 0)
		return E_PERM;
	if ((err = registry_add(name, recv_slot, c->number)) != E_OK) {
		slot_free(recv_slot);
		recv_slot = 0;
		return err;
	}
	recv_slot = 0;          /* the registry keeps it */
	if (c->m.log && c->log_ntfn)
		log_attach(c->log_ntfn, c->log_ring);
	return E_OK;
}

static long do_lookup(struct child *c, const struct ipc_msg *m, struct ipc_msg *ans)
{
	char name[INIT_NAME_MAX + 1];
	uint64_t slot;
	long err;

	name_of(m, name);
	if (!manifest_may_lookup(&c->m, name))
		return E_PERM;
	if ((err = registry_lookup(name, c->number, &slot)) != E_OK)
		return err;
	ans->tag = IPC_TAG(0, 0, 1, 0);     /* no words, one item */
	ans->w[0] = IPC_ITEM_CAP(IPC_ITEM_GRANT_CAP, slot, RIGHT_WRITE | RIGHT_GRANT);
	ans->w[1] = 0;
	granted_slot = slot;
	return E_OK;
}

/* Fills the answer to INIT_TASK_INFO for number n: init or a child. */
static long task_info(uint64_t first, struct ipc_msg *ans)
{
	uint64_t threads = 0, used, limit, state = 0, prio = 0, n;

	for (n = first; n <= CHILDREN_MAX; n++)
		if (n == 0 || (children[n].used && children[n].state))
			break;
	if (n > CHILDREN_MAX)
		return E_RANGE;
	memset(ans->w, 0, sizeof(ans->w));
	ans->w[0] = n;
	if (n == 0) {
		init_name_pack("init", &ans->w[1]);
		sys_task_info(SLOT_SELF_TASK, &threads, &used, &limit);
		sys_thread_info(SLOT_SELF_THREAD, &state, &prio);
		ans->w[4] = INIT_TASK_RUNNING;
	} else {
		const struct child *c = &children[n];

		init_name_pack(c->m.name, &ans->w[1]);
		if (c->task)
			sys_task_info(c->task, &threads, &used, &limit);
		if (c->thread)
			sys_thread_info(c->thread, &state, &prio);
		else
			state = THREAD_STATE_DEAD;
		ans->w[4] = c->state;
		ans->w[6] = c->npages;
	}
	ans->w[3] = threads;
	ans->w[5] = prio;
	ans->w[7] = state;
	ans->tag = IPC_TAG(0, 8, 0, 0);
	return E_OK;
}

static long mem_info(struct ipc_msg *ans)
{
	uint64_t nfree, used, limit;

	sys_kernel_info(&nfree, &used, &limit);
	ans->w[0] = frames_total_bytes();
	ans->w[1] = (nfree + frames_free_count()) * 4096;
	ans->w[2] = child_pages_total() * 4096;
	ans->w[3] = used;
	ans->tag = IPC_TAG(0, 4, 0, 0);
	return E_OK;
}

/* The reset control register of PC chipsets, then the keyboard
 * controller's reset line; QEMU and real machines take one of them. */
static void reboot(void)
{
	log_detach();           /* straight out: the console may not run again */
	printf("init: rebooting\n");
	outb(0xCF9, 0x02);
	outb(0xCF9, 0x06);
	outb(0x64, 0xFE);
	printf("init: the machine did not reset\n");
}

/* A request of c's; returns the answer's status, or SERVER_DEFER-like
 * -1 when there is nobody to answer any more. */
static long request(struct child *c, const struct ipc_msg *m, struct ipc_msg *ans)
{
	char name[INIT_NAME_MAX + 1];
	struct child *t;
	unsigned words = IPC_TAG_WORDS(m->tag);

	ans->tag = 0;
	switch (IPC_TAG_LABEL(m->tag)) {
	case INIT_REGISTER:
		return words < 2 ? E_INVAL : do_register(c, m);
	case INIT_LOOKUP:
		return words < 2 ? E_INVAL : do_lookup(c, m, ans);
	case INIT_EXIT:
		child_stop(c, INIT_TASK_EXITED);
		return -1;
	case INIT_RELEASE:
		return words < 2 ? E_INVAL : child_release(c, m->w[0], m->w[1]);
	case INIT_TASK_INFO:
		return words < 1 ? E_INVAL : task_info(m->w[0], ans);
	case INIT_MEM_INFO:
		return mem_info(ans);
	case INIT_KILL:
		if (words < 2)
			return E_INVAL;
		if (!c->m.control)
			return E_PERM;
		name_of(m, name);
		if (strcmp(name, "init") == 0)
			return E_PERM;
		if (!(t = child_named(name)) || t->state != INIT_TASK_RUNNING)
			return E_NOENT;
		child_stop(t, INIT_TASK_KILLED);
		return t == c ? -1 : E_OK;
	case INIT_REBOOT:
		if (!c->m.control)
			return E_PERM;
		reboot();
		return E_STATE;
	case INIT_START:
		if (words < 2)
			return E_INVAL;
		if (!c->m.control)
			return E_PERM;
		name_of(m, name);
		if (!(t = child_named(name)) || !t->m.on_demand)
			return E_NOENT;
		if (t->state == INIT_TASK_RUNNING)
			return E_EXIST;
		t->restarts = 0;
		if (child_start(t) != E_OK)
			return E_INVAL;
		ans->w[0] = t->number;
		ans->tag = IPC_TAG(0, 1, 0, 0);
		return E_OK;
	default:
		return E_NOSYS;
	}
}

/* One message from a program: returns whether to answer it with *ans. */
static int serve(const struct ipc_msg *m, struct ipc_msg *ans)
{
	struct child *c = m->badge >= 1 && m->badge <= CHILDREN_MAX ? &children[m->badge] : NULL;
	long status;

	if (!c || c->state != INIT_TASK_RUNNING)
		return 0;       /* not a program of ours (any more) */
	switch (IPC_TAG_LABEL(m->tag)) {
	case IPC_LABEL_PAGE_FAULT:
		ans->tag = 0;
		return child_page_fault(c, m);
	case IPC_LABEL_EXCEPTION:
		child_exception(c, m);
		return 0;
	}
	status = request(c, m, ans);
	if (status < 0)
		return 0;
	if (status != E_OK)
		ans->tag = 0;
	ans->tag |= (uint64_t)status << 16;
	return 1;
}

static void start_boot_programs(void)
{
	for (unsigned i = 1; i <= CHILDREN_MAX; i++)
		if (children[i].used && !children[i].m.on_demand)
			child_start(&children[i]);
}

int main(void)
{
	const struct kip *kip = (const struct kip *)KIP_ADDR;
	struct utcb *u = utcb_self();
	struct ipc_msg m, ans;
	int answer = 0;

	if (kip->magic != KIP_MAGIC) {
		printf("init: the kernel info page is missing\n");
		return 1;
	}
	printf("init: hello from user mode\n");
	slots_init();
	frames_init();
	if (!(init_endpoint = slot_alloc()) ||
	    sys_endpoint_create(SLOT_SELF_TASK, init_endpoint) != E_OK) {
		printf("init: cannot create its endpoint\n");
		return 1;
	}
	manifest_read();
	start_boot_programs();
	for (;;) {
		long err;

		if (!recv_slot && (recv_slot = slot_alloc()) == 0)
			printf("init: out of capability slots\n");
		u->recv_slot = recv_slot ? recv_slot + 1 : 0;
		if (!answer)
			ans.tag = 0;    /* a receive's flags: none, it blocks */
		err = answer ? ipc_reply_wait(init_endpoint, &ans) : ipc_recv(init_endpoint, &ans);
		answer = 0;
		if (granted_slot) {     /* empty unless the client died first */
			slot_free(granted_slot);
			granted_slot = 0;
		}
		if (err != E_OK)
			continue;
		m = ans;
		answer = serve(&m, &ans);
		if (recv_slot)          /* a capability nobody asked for */
			sys_cap_delete(recv_slot);
	}
}
