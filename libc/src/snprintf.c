/* printf into memory: the sink keeps what fits and counts the rest. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

struct buffer_sink {
	struct format_sink sink;        /* first: the engine hands this back */
	char *buf;
	size_t room;                    /* bytes that may still be written */
};

static void buffer_put(struct format_sink *sink, const char *s, size_t n)
{
	struct buffer_sink *b = (struct buffer_sink *)sink;
	size_t k = n < b->room ? n : b->room;

	if (k == 0)             /* buf may be NULL (size 0): not even NULL + 0 */
		return;
	memcpy(b->buf, s, k);
	b->buf += k;
	b->room -= k;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	/* One byte of size is the NUL's. */
	struct buffer_sink b = { { buffer_put }, buf, size ? size - 1 : 0 };
	int len = format_va(&b.sink, fmt, ap);

	if (size)
		*b.buf = '\0';
	return len;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

/* No bound: the caller promises the room. */
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
	return vsnprintf(buf, SIZE_MAX, fmt, ap);
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, SIZE_MAX, fmt, ap);
	va_end(ap);
	return len;
}
