/* The server loop (mica/server.h). */
#include <stdio.h>
#include <stdlib.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/init.h>
#include <mica/server.h>
#include <mica/start.h>
#include <mica/syscall.h>

static uint64_t answer_tag(const struct ipc_msg *m, long status)
{
	return (m->tag & 0xFFFF) | (uint64_t)status << 16;
}

static long dispatch(const struct server *s, const struct ipc_msg *m, struct ipc_msg *ans)
{
	uint64_t label = IPC_TAG_LABEL(m->tag);
	const struct server_op *op = label < s->nops ? &s->ops[label] : NULL;

	if (!op || !op->fn)
		return E_NOSYS;
	if (IPC_TAG_WORDS(m->tag) < op->min_words)
		return E_INVAL;
	return op->fn(m, ans);
}

static void server_start(const struct server *s)
{
	long (*init)(void) = s->init_fresh;
	long err;

	if (start_info && start_info->restarts && s->init_restart)
		init = s->init_restart;
	if ((err = sys_endpoint_create(SLOT_SELF_TASK, s->endpoint)) != E_OK ||
	    (init && (err = init()) != E_OK) ||
	    (err = init_register(s->name, s->endpoint)) != E_OK) {
		fprintf(stderr, "%s: cannot start: error %ld\n", s->name, err);
		exit(1);
	}
}

noreturn void server_run(const struct server *s)
{
	struct ipc_msg m;       /* a request in, its answer out */
	struct ipc_msg req;
	int answer = 0;         /* m holds an answer for the last caller */
	long status;

	server_start(s);
	for (;;) {
		long err;

		if (!answer)
			m.tag = 0;      /* a receive's flags: none, it blocks */
		err = answer ? ipc_reply_wait(s->endpoint, &m) : ipc_recv(s->endpoint, &m);

		answer = 0;
		if (err != E_OK)
			continue;       /* an aborted wait, or a caller gone */
		if (m.tag & IPC_TAG_NOTIFY) {
			if (s->notified)
				s->notified(m.badge);
			continue;
		}
		req = m;
		m.tag = 0;
		status = dispatch(s, &req, &m);
		if (status == SERVER_DEFER)
			continue;
		if (status != E_OK)
			m.tag = 0;      /* an error carries no words */
		m.tag = answer_tag(&m, status);
		answer = 1;
	}
}

long server_reply(struct ipc_msg *m, long status)
{
	m->tag = answer_tag(m, status);
	return ipc_reply(m);
}
