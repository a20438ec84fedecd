/*
 * crashsrv, a test server (tests/guest/manifest): answers CRASHSRV_ECHO
 * with its word plus one and the restart count, and dies on
 * CRASHSRV_CRASH with a page fault, so that tests/proto can watch init
 * restart it and hand out its new endpoint.
 */
#include <abi/errno.h>
#include <mica/server.h>
#include <mica/start.h>

enum { CRASHSRV_ECHO = 1, CRASHSRV_CRASH, CRASHSRV_NLABELS };

static long do_echo(const struct ipc_msg *req, struct ipc_msg *ans)
{
	ans->w[0] = req->w[0] + 1;
	ans->w[1] = start_info->restarts;
	server_words(ans, 2, 0);
	return E_OK;
}

/* Nothing is mapped at 8; an address the compiler cannot see through. */
static volatile uint64_t *volatile nowhere = (volatile uint64_t *)8;

static long do_crash(const struct ipc_msg *req, struct ipc_msg *ans)
{
	(void)req;
	(void)ans;
	*nowhere = 1;
	return E_STATE;
}

static const struct server_op ops[CRASHSRV_NLABELS] = {
	[CRASHSRV_ECHO] = { do_echo, 1 },
	[CRASHSRV_CRASH] = { do_crash, 0 },
};

static const struct server crashsrv = {
	.name = "crashsrv",
	.endpoint = SLOT_FREE,
	.ops = ops,
	.nops = CRASHSRV_NLABELS,
};

int main(void)
{
	server_run(&crashsrv);
}
