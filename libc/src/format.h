/*
 * The printf engine that the string (snprintf.c) and stream (stdio.c)
 * families share: it parses the format and hands its output, in order, to
 * a sink, which decides where the bytes go.
 */
#ifndef LIBC_FORMAT_H
#define LIBC_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

struct format_sink {
	/* Takes the next n bytes of output (n > 0). */
	void (*put)(struct format_sink *sink, const char *s, size_t n);
};

/* Formats fmt with ap into sink (the conversions stdio.h lists). Returns
 * the number of bytes produced, or -1, having stopped early, as soon as
 * that exceeds INT_MAX. */
int format_va(struct format_sink *sink, const char *fmt, va_list ap);

#endif
