/* Requests to init (mica/init.h). */
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/init.h>
#include <mica/ipc.h>
#include <mica/start.h>
#include <mica/syscall.h>

void init_name_pack(const char *name, uint64_t w[2])
{
	char *b = (char *)w;

	w[0] = w[1] = 0;
	for (unsigned i = 0; i < INIT_NAME_MAX && name[i]; i++)
		b[i] = name[i];
}

void init_name_unpack(const uint64_t w[2], char *out)
{
	const char *b = (const char *)w;
	unsigned i;

	for (i = 0; i < INIT_NAME_MAX && b[i]; i++)
		out[i] = b[i];
	out[i] = 0;
}

/* One request: words in m, answer in m; init's verdict is the label. */
static long init_call(uint64_t label, unsigned words, unsigned items, struct ipc_msg *m)
{
	long err;

	m->tag = IPC_TAG(label, words, items, 0);
	err = ipc_call(SLOT_INIT, m);
	return err != E_OK ? err : (long)IPC_TAG_LABEL(m->tag);
}

/* A name that does not fit is refused here rather than cut short. */
static long name_request(uint64_t label, const char *name, unsigned items, struct ipc_msg *m)
{
	unsigned n = 0;

	while (name[n] && n <= INIT_NAME_MAX)
		n++;
	if (n == 0 || n > INIT_NAME_MAX)
		return E_INVAL;
	init_name_pack(name, m->w);
	return init_call(label, 2, items, m);
}

long init_register(const char *name, uint64_t ep)
{
	struct ipc_msg m = { 0 };

	m.w[2] = IPC_ITEM_CAP(IPC_ITEM_MAP_CAP, ep, RIGHTS_ALL);
	m.w[3] = 0;
	return name_request(INIT_REGISTER, name, 1, &m);
}

long init_lookup(const char *name, uint64_t dst)
{
	struct utcb *u = utcb_self();
	struct ipc_msg m = { 0 };
	long err;

	u->recv_slot = dst + 1;
	err = name_request(INIT_LOOKUP, name, 0, &m);
	u->recv_slot = 0;
	if (err == E_OK && IPC_TAG_ITEMS(m.tag) != 1)
		err = E_NOENT;  /* answered, but the capability did not arrive */
	return err;
}

noreturn void init_exit(int status)
{
	struct ipc_msg m = { 0 };

	m.w[0] = (uint64_t)(int64_t)status;
	init_call(INIT_EXIT, 1, 0, &m);
	for (;;)                /* init is gone: nobody will tear us down */
		sys_thread_stop(SLOT_SELF_THREAD);
}

long init_release(uint64_t addr, uint64_t len)
{
	struct ipc_msg m = { 0 };

	m.w[0] = addr;
	m.w[1] = len;
	return init_call(INIT_RELEASE, 2, 0, &m);
}

long init_task_info(uint64_t first, struct init_task_info *out)
{
	struct ipc_msg m = { 0 };
	long err;

	m.w[0] = first;
	if ((err = init_call(INIT_TASK_INFO, 1, 0, &m)) != E_OK)
		return err;
	out->number = m.w[0];
	init_name_unpack(&m.w[1], out->name);
	out->threads = m.w[3];
	out->state = m.w[4];
	out->priority = m.w[5];
	out->pages = m.w[6];
	out->thread_state = m.w[7];
	return E_OK;
}

long init_mem_info(uint64_t *total, uint64_t *free, uint64_t *tasks, uint64_t *kernel)
{
	struct ipc_msg m = { 0 };
	long err;

	if ((err = init_call(INIT_MEM_INFO, 0, 0, &m)) != E_OK)
		return err;
	*total = m.w[0];
	*free = m.w[1];
	*tasks = m.w[2];
	*kernel = m.w[3];
	return E_OK;
}

long init_kill(const char *name)
{
	struct ipc_msg m = { 0 };

	return name_request(INIT_KILL, name, 0, &m);
}

long init_reboot(void)
{
	struct ipc_msg m = { 0 };

	return init_call(INIT_REBOOT, 0, 0, &m);
}

long init_start(const char *name, uint64_t *number)
{
	struct ipc_msg m = { 0 };
	long err = name_request(INIT_START, name, 0, &m);

	if (err == E_OK)
		*number = m.w[0];
	return err;
}
