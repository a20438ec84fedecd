/*
 * The console server's protocol (docs/protocols.md), registered as
 * "console". Text travels in the message words after a length word, eight
 * bytes a word, words from 8 on in the UTCB. The reply's label is the
 * error code.
 */
#ifndef MICA_PROTO_CONSOLE_H
#define MICA_PROTO_CONSOLE_H

#include <stdint.h>

enum console_label {
	CONSOLE_WRITE = 1,      /* w0 length, text from w1 -> w0 bytes taken */
	CONSOLE_READ,           /* w0 buffer size -> w0 length, the line from w1;
	                         * E_ABORTED when the line was cancelled (Ctrl-C) */
	CONSOLE_NLABELS
};

#define CONSOLE_TEXT_MAX ((64 - 1) * 8)        /* bytes in one message */

/* init's log: a page init shares read-only with the console, a ring init
 * writes and signals (CONSOLE_LOG_BIT), so that init never waits for the
 * console. The console keeps its own read position; if it falls more
 * than a ring behind, the oldest text is lost, and it says so. */
#define CONSOLE_LOG_SIZE 4088
#define CONSOLE_LOG_BIT  2u     /* notification bit; the UART's IRQ is bit 1 */
struct console_log {
	volatile uint64_t head;         /* bytes written, ever */
	char ring[CONSOLE_LOG_SIZE];
};

#endif
