/*
 * The server library (STYLE.md, "Servers"; after MINIX 3's SEF): it owns
 * a server's loop. A server names its handlers in a table indexed by
 * label; server_run() creates the endpoint, runs the fresh or restart
 * initialisation, registers the endpoint with init, then loops:
 * reply_wait -> check -> handler -> reply. A label without a handler is
 * answered E_NOSYS, a message shorter than the handler needs E_INVAL.
 *
 * A handler reads the request in req (tag, words 0-7, the client's badge;
 * words 8-63 in the UTCB), writes its answer's words into ans and their
 * number with server_words(ans, ...) (none by default), and returns the
 * answer's status (E_OK or an E_* code, sent as the reply's label), or
 * SERVER_DEFER to answer later with server_reply(). Replies answer the newest unanswered call,
 * so a server that defers answers every later call before the deferred one.
 */
#ifndef MICA_SERVER_H
#define MICA_SERVER_H

#include <stdint.h>
#include <stdnoreturn.h>
#include <mica/ipc.h>

#define SERVER_DEFER (-1L)

struct server_op {
	long (*fn)(const struct ipc_msg *req, struct ipc_msg *ans);
	unsigned min_words;     /* fewer is a malformed request */
};

struct server {
	const char *name;               /* registered with init under this name */
	uint64_t endpoint;              /* empty slot for the endpoint */
	const struct server_op *ops;    /* indexed by label */
	unsigned nops;
	long (*init_fresh)(void);       /* first start; an error ends the program */
	long (*init_restart)(void);     /* after a restart (NULL: as fresh) */
	void (*notified)(uint64_t bits);        /* bound notification (NULL: none) */
};

/* Sets the number of words (and typed items after them) of the answer. */
static inline void server_words(struct ipc_msg *m, unsigned words, unsigned items)
{
	m->tag = IPC_TAG(0, words, items, 0);
}

noreturn void server_run(const struct server *s);
/* Answers the newest unanswered request, deferred earlier, with status. */
long server_reply(struct ipc_msg *m, long status);

#endif
