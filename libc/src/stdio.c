/*
 * The standard streams over the program's console (mica/console.h).
 * Output collects in the stream's buffer and goes to the console at the
 * end of each call: for stdout the complete lines (a partial line waits
 * for its newline, a read of stdin, fflush or exit), for stderr all of
 * it. Only a buffer that fills up mid-call is written early, cut after
 * its last newline if it has one. So a line that fits the buffer always
 * reaches the console in one write, and the console keeps it whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <mica/console.h>

#include "format.h"

#define STREAM_BUF 512

enum stream_mode {
	STREAM_READ,            /* input, a line at a time from console_read */
	STREAM_LINES,           /* output of whole lines at the end of a call */
	STREAM_CALL,            /* all output at the end of a call */
};

struct file {
	enum stream_mode mode;
	size_t len;             /* bytes in buf */
	size_t lines;           /* output: buf[0..lines) ends with a newline */
	size_t pos;             /* input: the next byte to read */
	char buf[STREAM_BUF];
};

static FILE streams[] = { { .mode = STREAM_READ }, { .mode = STREAM_LINES },
			  { .mode = STREAM_CALL } };

FILE *stdin = &streams[0];
FILE *stdout = &streams[1];
FILE *stderr = &streams[2];

/* Writes the first n buffered bytes to the console and keeps the rest;
 * bytes the console refuses are dropped. 0, or EOF with errno set. */
static int stream_emit(FILE *f, size_t n)
{
	long written = n ? console_write(f->buf, n) : 0;

	memmove(f->buf, f->buf + n, f->len - n);
	f->len -= n;
	f->lines = f->lines > n ? f->lines - n : 0;
	if (written < 0) {
		errno = (int)-written;
		return EOF;
	}
	return 0;
}

/* Appends n bytes to an output stream, writing out only when it is
 * full. 0, or EOF with errno set. */
static int stream_put(FILE *f, const char *s, size_t n)
{
	int status = 0;

	if (f->mode == STREAM_READ) {
		errno = EINVAL;
		return EOF;
	}
	while (n > 0) {
		size_t k = n < STREAM_BUF - f->len ? n : STREAM_BUF - f->len;

		if (k == 0) {
			if (stream_emit(f, f->lines ? f->lines : f->len))
				status = EOF;
			continue;
		}
		memcpy(f->buf + f->len, s, k);
		for (size_t i = k; i > 0; i--) {
			if (s[i - 1] == '\n') {
				f->lines = f->len + i;
				break;
			}
		}
		f->len += k;
		s += k;
		n -= k;
	}
	return status;
}

/* The end of a call that wrote to f: out with what its mode says. */
static int stream_end_call(FILE *f)
{
	switch (f->mode) {
	case STREAM_LINES: return stream_emit(f, f->lines);
	case STREAM_CALL:  return stream_emit(f, f->len);
	default:           return 0;
	}
}

int fflush(FILE *f)
{
	if (!f)
		return fflush(stdout) | fflush(stderr);
	return f->mode == STREAM_READ ? 0 : stream_emit(f, f->len);
}

/*
 * The output functions below combine results with "|", not "||": the
 * end-of-call write must happen even after an earlier failure. Every
 * result is 0 or EOF.
 */
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
	if (size == 0 || n == 0)
		return 0;
	return (stream_put(f, p, size * n) | stream_end_call(f)) ? 0 : n;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	return (stream_put(f, &ch, 1) | stream_end_call(f)) ? EOF : (unsigned char)ch;
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fputs(const char *restrict s, FILE *restrict f)
{
	return stream_put(f, s, strlen(s)) | stream_end_call(f);
}

int puts(const char *s)
{
	return stream_put(stdout, s, strlen(s)) | stream_put(stdout, "\n", 1) |
	       stream_end_call(stdout);
}

/* printf into a stream: the engine's output goes into the buffer. */
struct stream_sink {
	struct format_sink sink;        /* first: the engine hands this back */
	FILE *f;
	int status;
};

static void stream_sink_put(struct format_sink *sink, const char *s, size_t n)
{
	struct stream_sink *ss = (struct stream_sink *)sink;

	ss->status |= stream_put(ss->f, s, n);
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	struct stream_sink ss = { { stream_sink_put }, f, 0 };
	int len = format_va(&ss.sink, fmt, ap);

	return (ss.status | stream_end_call(f)) ? -1 : len;
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vfprintf(f, fmt, ap);
	va_end(ap);
	return len;
}

int vprintf(const char *restrict fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return len;
}

/* The next input byte; EOF (errno set if it was an error) when the
 * console has none: end of input, or a line cancelled with Ctrl-C. */
static int stream_getc(FILE *f)
{
	if (f->mode != STREAM_READ) {
		errno = EINVAL;
		return EOF;
	}
	if (f->pos == f->len) {
		long got;

		fflush(stdout);         /* the prompt before the answer */
		got = console_read(f->buf, STREAM_BUF);
		if (got <= 0) {
			if (got < 0)
				errno = (int)-got;
			return EOF;
		}
		f->len = (size_t)got;
		f->pos = 0;
	}
	return (unsigned char)f->buf[f->pos++];
}

int getchar(void)
{
	return stream_getc(stdin);
}

char *fgets(char *restrict s, int n, FILE *restrict f)
{
	int i = 0;

	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	while (i < n - 1) {
		int c = stream_getc(f);

		if (c == EOF)
			break;
		s[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (i == 0 && n > 1)
		return NULL;
	s[i] = '\0';
	return s;
}
