/*
 * Host unit tests of libc's streams (libc/src/stdio.c) over a fake
 * console that records each console_write and plays console_read from a
 * script: a line reaches the console in one write, a partial line waits,
 * stderr writes each call, errors come back with errno; input by lines,
 * after the prompt; a random mix of output calls against the one-write-
 * per-line rule. Then, in child processes, what exit, abort and assert
 * write and the status they end with.
 *
 * libc: libc/src/stdio.c libc/src/format.c libc/src/string.c libc/src/errno.c libc/src/atexit.c libc/src/abort.c libc/src/assert.c
 */
#define UNIT_SUITE "libc_stdio"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/* libc under test, its symbols renamed by tests/run.sh. */
typedef struct libc_file LIBC_FILE;
extern LIBC_FILE *libc_stdin, *libc_stdout, *libc_stderr;
int libc_printf(const char *fmt, ...);
int libc_fprintf(LIBC_FILE *f, const char *fmt, ...);
int libc_fputc(int c, LIBC_FILE *f);
int libc_putchar(int c);
int libc_fputs(const char *s, LIBC_FILE *f);
int libc_puts(const char *s);
size_t libc_fwrite(const void *p, size_t size, size_t n, LIBC_FILE *f);
int libc_fflush(LIBC_FILE *f);
int libc_getchar(void);
char *libc_fgets(char *s, int n, LIBC_FILE *f);
int libc_atexit(void (*fn)(void));
void libc_exit(int status);
void libc_abort(void);
extern int libc_errno;

/* libc's assert.h, its failure routed to the renamed function. */
#define __assert_fail libc___assert_fail
#define NDEBUG
#include "../../libc/include/assert.h"

static int assert_off_skips_the_expression(void)
{
	int n = 0;

	assert(n++ == 5);
	return n;
}

#undef NDEBUG
#include "../../libc/include/assert.h"

enum { LIBC_EINVAL = 2, E_ABORTED = 15, E_DEAD = 16, STREAM_BUF = 512 };

/* ------------------------------------------------ the fake console */

#define MAX_WRITES 4096

static char *writes[MAX_WRITES];        /* each console_write, NUL-terminated */
static size_t write_lens[MAX_WRITES];
static int nwrites;
static long write_result;               /* non-zero: what console_write returns */
static int write_fd = -1;               /* in a child: where the bytes go */
static char events[64];                 /* 'W' and 'R' in the order they came */
static size_t nevents;

static const char *const *read_script;  /* lines; "" ends input, "^C" cancels */

long console_write(const char *buf, size_t len);
long console_read(char *buf, size_t len);

long console_write(const char *buf, size_t len)
{
	if (write_fd >= 0)
		return write(write_fd, buf, len);
	if (nevents < sizeof events - 1)
		events[nevents++] = 'W';
	if (write_result)
		return write_result;
	if (nwrites < MAX_WRITES) {
		writes[nwrites] = malloc(len + 1);
		memcpy(writes[nwrites], buf, len);
		writes[nwrites][len] = '\0';
		write_lens[nwrites++] = len;
	}
	return (long)len;
}

long console_read(char *buf, size_t len)
{
	const char *line = *read_script++;
	size_t n = strlen(line);

	if (nevents < sizeof events - 1)
		events[nevents++] = 'R';
	if (strcmp(line, "^C") == 0)
		return -E_ABORTED;
	if (n > len)
		n = len;
	memcpy(buf, line, n);
	return (long)n;
}

static void console_reset(void)
{
	libc_fflush(NULL);
	for (int i = 0; i < nwrites; i++)
		free(writes[i]);
	nwrites = 0;
	write_result = 0;
	nevents = 0;
	memset(events, 0, sizeof events);
}

/* ------------------------------------------------ output */

TEST(a_line_is_one_write)
{
	console_reset();
	CHECK(libc_printf("hello %s, %d\n", "world", 42) == 16);
	CHECK(nwrites == 1 && strcmp(writes[0], "hello world, 42\n") == 0);
	CHECK(libc_printf("x\ny\nz\n") == 6);
	CHECK(nwrites == 2 && strcmp(writes[1], "x\ny\nz\n") == 0);
	CHECK(libc_puts("line") == 0);
	CHECK(nwrites == 3 && strcmp(writes[2], "line\n") == 0);
}

TEST(a_partial_line_waits)
{
	console_reset();
	libc_printf("a");
	libc_putchar('b');
	libc_fputs("", libc_stdout);
	CHECK(nwrites == 0);
	libc_printf("c\nd");
	CHECK(nwrites == 1 && strcmp(writes[0], "abc\n") == 0);
	CHECK(libc_fflush(libc_stdout) == 0);
	CHECK(nwrites == 2 && strcmp(writes[1], "d") == 0);
	CHECK(libc_fflush(libc_stdout) == 0 && nwrites == 2);
}

TEST(stderr_writes_at_the_end_of_each_call)
{
	console_reset();
	CHECK(libc_fprintf(libc_stderr, "x=%d", 5) == 3);
	CHECK(nwrites == 1 && strcmp(writes[0], "x=5") == 0);
	CHECK(libc_fputc('!', libc_stderr) == '!');
	CHECK(nwrites == 2 && strcmp(writes[1], "!") == 0);
	CHECK(libc_fprintf(libc_stderr, "%s\n%s\n", "one", "two") == 8);
	CHECK(nwrites == 3 && strcmp(writes[2], "one\ntwo\n") == 0);
}

TEST(results_and_bytes)
{
	console_reset();
	CHECK(libc_fputc(0x1E9, libc_stdout) == 0xE9);
	CHECK(libc_putchar('\n') == '\n');
	CHECK(nwrites == 1 && write_lens[0] == 2 && (unsigned char)writes[0][0] == 0xE9);
	CHECK(libc_fwrite("ab\ncd\n", 3, 2, libc_stdout) == 2);
	CHECK(libc_fwrite("ab", 0, 2, libc_stdout) == 0);
	CHECK(nwrites == 2 && strcmp(writes[1], "ab\ncd\n") == 0);
}

TEST(console_errors_come_back)
{
	console_reset();
	write_result = -E_DEAD;
	libc_errno = 0;
	CHECK(libc_printf("lost\n") == -1 && libc_errno == E_DEAD);
	CHECK(libc_puts("lost") == -1);
	CHECK(libc_fputc('\n', libc_stdout) == -1);
	CHECK(libc_fprintf(libc_stderr, "lost") == -1);
	write_result = 0;
	/* What the console refused is dropped, not sent again. */
	CHECK(libc_printf("kept\n") == 5);
	CHECK(nwrites == 1 && strcmp(writes[0], "kept\n") == 0);
	/* Streams go one way. */
	libc_errno = 0;
	CHECK(libc_fputc('x', libc_stdin) == -1 && libc_errno == LIBC_EINVAL);
}

TEST(long_lines_are_cut_at_the_buffer)
{
	char line[1500];

	console_reset();
	memset(line, 'q', sizeof line - 2);
	line[sizeof line - 2] = '\n';
	line[sizeof line - 1] = '\0';
	libc_printf("%s", "start\n");
	CHECK(libc_fputs(line, libc_stdout) == 0);
	CHECK(nwrites == 4);
	CHECK(write_lens[0] == 6);
	CHECK(write_lens[1] == STREAM_BUF && write_lens[2] == STREAM_BUF);
	CHECK(write_lens[3] == sizeof line - 1 - 2 * STREAM_BUF);
}

static unsigned long long rng_state = 0x853C49E6748FEA9Bull;

static unsigned below(unsigned n)
{
	return (unsigned)(unit_rng(&rng_state) % n);
}

/*
 * Random output through every function; afterwards the writes must add up
 * to the output, and each line that fits the buffer must lie inside one
 * write.
 */
TEST(random_output_keeps_lines_whole)
{
	static char want[1 << 20], got[1 << 20];
	size_t nwant = 0, ngot = 0;

	console_reset();
	for (int i = 0; i < 3000 && nwant < sizeof want - 2000; i++) {
		char piece[700];
		size_t n = below(4) ? below(40) : below(sizeof piece - 1);

		for (size_t k = 0; k < n; k++)
			piece[k] = below(12) ? (char)('a' + below(26)) : '\n';
		piece[n] = '\0';
		switch (below(5)) {
		case 0:
			libc_printf("%s", piece);
			break;
		case 1:
			libc_fputs(piece, libc_stdout);
			break;
		case 2:
			libc_fwrite(piece, 1, n, libc_stdout);
			break;
		case 3:
			libc_puts(piece);
			piece[n++] = '\n';
			break;
		default:
			piece[n = 1] = '\0';
			libc_putchar(piece[0]);
		}
		memcpy(want + nwant, piece, n);
		nwant += n;
	}
	libc_fflush(libc_stdout);
	for (int w = 0; w < nwrites; w++) {
		memcpy(got + ngot, writes[w], write_lens[w]);
		ngot += write_lens[w];
	}
	CHECK(nwrites < MAX_WRITES);
	CHECK(ngot == nwant && memcmp(got, want, nwant) == 0);

	/* Each line of at most STREAM_BUF bytes starts and ends in one write. */
	size_t line_start = 0, write_start = 0;
	int w = 0;

	for (size_t i = 0; i < nwant; i++) {
		while (i >= write_start + write_lens[w])
			write_start += write_lens[w++];
		if (want[i] != '\n')
			continue;
		if (i + 1 - line_start <= STREAM_BUF)
			CHECK(line_start >= write_start);
		line_start = i + 1;
	}
}

/* ------------------------------------------------ input */

TEST(input_by_lines_after_the_prompt)
{
	static const char *const script[] = { "hello\n", "world\n", "^C", "again\n", "" };
	char buf[16];

	console_reset();
	read_script = script;
	libc_printf("$ ");
	CHECK(libc_fgets(buf, sizeof buf, libc_stdin) == buf && strcmp(buf, "hello\n") == 0);
	CHECK(strcmp(events, "WR") == 0 && strcmp(writes[0], "$ ") == 0);
	CHECK(libc_fgets(buf, 4, libc_stdin) == buf && strcmp(buf, "wor") == 0);
	CHECK(libc_getchar() == 'l');
	CHECK(libc_fgets(buf, sizeof buf, libc_stdin) == buf && strcmp(buf, "d\n") == 0);
	/* Ctrl-C: nothing read, errno says why, and the next line comes. */
	libc_errno = 0;
	CHECK(libc_fgets(buf, sizeof buf, libc_stdin) == NULL && libc_errno == E_ABORTED);
	CHECK(libc_fgets(buf, sizeof buf, libc_stdin) == buf && strcmp(buf, "again\n") == 0);
	CHECK(libc_fgets(buf, 1, libc_stdin) == buf && buf[0] == '\0');
	CHECK(libc_getchar() == -1);    /* the end of input */
	libc_errno = 0;
	CHECK(libc_fgets(buf, sizeof buf, libc_stdout) == NULL && libc_errno == LIBC_EINVAL);
}

/* ------------------------------------------------ ending the program */

/* Runs fn in a child whose console writes go to a pipe; its status and
 * output. */
static int child_output(void (*fn)(void), char *out, size_t size)
{
	int fds[2], status;
	ssize_t n, total = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		write_fd = fds[1];
		fn();
		_exit(99);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + total, size - 1 - (size_t)total)) > 0)
		total += n;
	out[total] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void say_first(void)
{
	libc_printf("first ");
}

static void say_second(void)
{
	libc_printf("second ");
}

static void exit_with_handlers(void)
{
	libc_atexit(say_first);
	libc_atexit(say_second);
	libc_printf("main ");
	libc_exit(7);
}

static void abort_with_pending_output(void)
{
	libc_printf("pending");
	libc_abort();
}

static void failing_assert(void)
{
	assert(1 + 1 == 3);
}

TEST(exit_runs_handlers_last_first_then_flushes)
{
	char out[256];
	int status = child_output(exit_with_handlers, out, sizeof out);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(strcmp(out, "main second first ") == 0);
}

TEST(abort_says_so_and_ends_with_134)
{
	char out[256];
	int status = child_output(abort_with_pending_output, out, sizeof out);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 134);
	CHECK(strcmp(out, "abort: program aborted\n") == 0);
}

TEST(assert_names_expression_place_and_function)
{
	char out[256];
	int status = child_output(failing_assert, out, sizeof out);
	const char *want = "assertion failed: 1 + 1 == 3 (tests/unit/test_libc_stdio.c:";

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 134);
	CHECK(strncmp(out, want, strlen(want)) == 0);
	CHECK(strstr(out, ", failing_assert)\nabort: program aborted\n") != NULL);
	CHECK(assert_off_skips_the_expression() == 0);
}
