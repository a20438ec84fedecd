/* Ending a program abnormally. */
#include <stdio.h>
#include <stdlib.h>

/* No atexit handlers and no flushing of stdout: the program's state is
 * not to be trusted. stderr writes the message before fputs returns. */
void abort(void)
{
	fputs("abort: program aborted\n", stderr);
	_exit(134);
}
