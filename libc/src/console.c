/* The program's console session (mica/console.h) with the console server. */
#include <string.h>
#include <abi/errno.h>
#include <mica/console.h>
#include <mica/init.h>
#include <mica/ipc.h>
#include <mica/proto/console.h>
#include <mica/start.h>
#include <mica/syscall.h>

static int session;     /* SLOT_CONSOLE holds the console's capability */

static long console_session(void)
{
	long err;

	if (session)
		return E_OK;
	if ((err = init_lookup("console", SLOT_CONSOLE)) == E_OK)
		session = 1;
	return err;
}

/* One request whose words 0.. are w (words in all); answer in w. A
 * console that died (init revokes its clients' capabilities and restarts
 * it) is looked up again, once. */
static long console_call(uint64_t label, uint64_t *w, unsigned words)
{
	struct utcb *u = utcb_self();
	struct ipc_msg m = { 0 };
	long err;

	if ((err = console_session()) != E_OK)
		return err;
	m.tag = IPC_TAG(label, words, 0, 0);
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = w[i];
	for (unsigned i = IPC_REG_WORDS; i < words; i++)
		u->mr[i] = w[i];
	err = ipc_call(SLOT_CONSOLE, &m);
	if (err == E_DEAD || err == E_CAP_EMPTY) {
		sys_cap_delete(SLOT_CONSOLE);
		session = 0;
		if ((err = console_session()) != E_OK)
			return err;
		m.tag = IPC_TAG(label, words, 0, 0);
		for (unsigned i = 0; i < IPC_REG_WORDS; i++)
			m.w[i] = w[i];
		err = ipc_call(SLOT_CONSOLE, &m);
	}
	if (err != E_OK)
		return err;
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		w[i] = m.w[i];
	for (unsigned i = IPC_REG_WORDS; i < IPC_MAX_WORDS; i++)
		w[i] = i < IPC_TAG_WORDS(m.tag) ? u->mr[i] : 0;    /* nothing stale */
	return (long)IPC_TAG_LABEL(m.tag);
}

__attribute__((weak)) long console_write(const char *buf, size_t len)
{
	uint64_t w[IPC_MAX_WORDS];
	size_t done = 0;
	long err;

	while (done < len) {
		size_t n = len - done < CONSOLE_TEXT_MAX ? len - done : CONSOLE_TEXT_MAX;

		w[0] = n;
		memcpy(&w[1], buf + done, n);
		if ((err = console_call(CONSOLE_WRITE, w, 1 + (unsigned)((n + 7) / 8))) != E_OK)
			return -err;
		done += n;
	}
	return (long)len;
}

__attribute__((weak)) long console_read(char *buf, size_t len)
{
	uint64_t w[IPC_MAX_WORDS];
	long err;

	w[0] = len < CONSOLE_TEXT_MAX ? len : CONSOLE_TEXT_MAX;
	if ((err = console_call(CONSOLE_READ, w, 1)) != E_OK)
		return -err;
	if (w[0] > len || w[0] > CONSOLE_TEXT_MAX)
		return -E_INVAL;
	memcpy(buf, &w[1], w[0]);
	return (long)w[0];
}
