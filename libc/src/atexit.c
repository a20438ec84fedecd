/* Ending a program normally: the atexit handlers, then stdio's buffers. */
#include <stdio.h>
#include <stdlib.h>

/*
 * A weak reference: a program that never uses stdio does not link it,
 * and with it the console client, only to flush nothing; fflush is then
 * NULL.
 */
#pragma weak fflush

#define ATEXIT_MAX 32           /* C's minimum */

static void (*handlers[ATEXIT_MAX])(void);
static int nhandlers;

/* 0, or -1 when the table is full. */
int atexit(void (*fn)(void))
{
	if (nhandlers == ATEXIT_MAX)
		return -1;
	handlers[nhandlers++] = fn;
	return 0;
}

void exit(int status)
{
	/* Last registered, first run; a handler may register more. */
	while (nhandlers > 0)
		handlers[--nhandlers]();
	if (fflush)
		fflush(NULL);
	_exit(status);
}
