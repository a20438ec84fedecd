/*
 * The program's console (mica/proto/console.h): what stdio reads and
 * writes. The session with the console server is looked up on first use.
 * A root task (init, the test suites) has no console server to ask and
 * provides both functions itself; libc's are weak for that reason.
 */
#ifndef MICA_CONSOLE_H
#define MICA_CONSOLE_H

#include <stddef.h>

/* Writes len bytes; returns len or a negative E_* code. Text from one
 * call is never interleaved with other programs' text inside a line. */
long console_write(const char *buf, size_t len);
/* Reads one line (with its '\n', at most len bytes); returns its length,
 * -E_ABORTED when the user cancelled it (Ctrl-C), or another negative E_*. */
long console_read(char *buf, size_t len);

#endif
