/*
 * init's output (console_write for init's stdio). Until the console
 * server is up it goes to the kernel's debug console; then into the log
 * ring init shares with the console, followed by a signal. init never
 * calls the console: a server it pages could not answer a pager that
 * waits for it.
 */
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/console.h>
#include <mica/ipc.h>
#include <mica/syscall.h>
#include "init.h"

#define DEBUG_WRITE_MAX 1024

static struct console_log *ring;
static uint64_t ring_ntfn;

void log_attach(uint64_t ntfn, struct console_log *r)
{
	ring_ntfn = ntfn;
	ring = r;
}

void log_detach(void)
{
	ring = NULL;
}

long console_write(const char *buf, size_t len)
{
	if (!ring) {
		for (size_t done = 0; done < len; done += DEBUG_WRITE_MAX) {
			size_t n = len - done < DEBUG_WRITE_MAX ? len - done : DEBUG_WRITE_MAX;

			sys_debug_write(SLOT_DEBUG_CONSOLE, buf + done, n);
		}
		return (long)len;
	}
	for (size_t i = 0; i < len; i++)
		ring->ring[(ring->head + i) % CONSOLE_LOG_SIZE] = buf[i];
	__atomic_store_n(&ring->head, ring->head + len, __ATOMIC_RELEASE);
	ntfn_signal(ring_ntfn);
	return (long)len;
}

long console_read(char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -E_NOSYS;        /* init reads no input */
}
