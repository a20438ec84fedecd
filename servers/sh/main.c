/*
 * sh, the shell on the console: reads a line, splits it into words and
 * runs the command the first word names. Everything it shows comes from
 * init (tasks, memory) or the kernel info page (time); a command that
 * fails says why and the prompt returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <abi/errno.h>
#include <abi/syscall.h>
#include <mica/console.h>
#include <mica/init.h>
#include "../../tests/bench/bench.h"

#define LINE_MAX 256
#define ARGS_MAX 16

struct command {
	const char *name;
	const char *usage;      /* the syntax */
	const char *what;
	int (*run)(int argc, char **argv);      /* 0: done; < 0: print usage */
};

static const struct command commands[];

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct command *c = commands; c->name; c++)
		printf("  %-15s %s\n", c->usage, c->what);
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	printf("\n");
	return 0;
}

static const char *task_state(uint64_t s)
{
	switch (s) {
	case INIT_TASK_RUNNING: return "running";
	case INIT_TASK_EXITED:  return "exited";
	case INIT_TASK_FAULTED: return "faulted";
	case INIT_TASK_KILLED:  return "killed";
	}
	return "?";
}

static const char *thread_state(uint64_t s)
{
	static const char *const names[] = {
		[THREAD_STATE_INACTIVE] = "inactive", [THREAD_STATE_READY] = "ready",
		[THREAD_STATE_STOPPED] = "stopped",   [THREAD_STATE_DEAD] = "dead",
		[THREAD_STATE_SEND] = "send",         [THREAD_STATE_RECV] = "recv",
		[THREAD_STATE_REPLY] = "reply",       [THREAD_STATE_WAIT] = "wait",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int cmd_ps(int argc, char **argv)
{
	struct init_task_info t;
	long err;

	(void)argc;
	(void)argv;
	printf("%3s %-16s %7s %-8s %-8s %4s %6s\n", "ID", "NAME", "THREADS", "STATE", "THREAD",
	       "PRIO", "PAGES");
	for (uint64_t n = 0; (err = init_task_info(n, &t)) == E_OK; n = t.number + 1)
		printf("%3llu %-16s %7llu %-8s %-8s %4llu %6llu\n", (unsigned long long)t.number,
		       t.name, (unsigned long long)t.threads, task_state(t.state),
		       thread_state(t.thread_state), (unsigned long long)t.priority,
		       (unsigned long long)t.pages);
	if (err != E_RANGE) {
		printf("ps: %s\n", strerror((int)err));
		return 1;
	}
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	uint64_t total, nfree, tasks, kernel;
	long err;

	(void)argc;
	(void)argv;
	if ((err = init_mem_info(&total, &nfree, &tasks, &kernel)) != E_OK) {
		printf("mem: %s\n", strerror((int)err));
		return 1;
	}
	/* kernel is what the kernel's quotas have reserved (the programs'
	 * limits included), not what it uses: shown apart. */
	printf("memory: %llu KiB total, %llu KiB free, %llu KiB used "
	       "(programs %llu KiB, kernel and init %llu KiB); kernel quota reserved %llu KiB\n",
	       (unsigned long long)(total >> 10), (unsigned long long)(nfree >> 10),
	       (unsigned long long)((total - nfree) >> 10), (unsigned long long)(tasks >> 10),
	       (unsigned long long)((total - nfree - tasks) >> 10),
	       (unsigned long long)(kernel >> 10));
	return 0;
}

static int cmd_uptime(int argc, char **argv)
{
	struct timespec ts;

	(void)argc;
	(void)argv;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("up %lld.%03ld s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	long err;

	if (argc != 2)
		return -1;
	if ((err = init_kill(argv[1])) != E_OK) {
		printf("kill: %s: %s\n", argv[1],
		       err == E_NOENT ? "no such task" : err == E_PERM ? "not permitted" :
		       strerror((int)err));
		return 1;
	}
	printf("kill: %s stopped\n", argv[1]);
	return 0;
}

static int cmd_reboot(int argc, char **argv)
{
	long err;

	(void)argc;
	(void)argv;
	err = init_reboot();
	printf("reboot: %s\n", err == E_PERM ? "not permitted" : strerror((int)err));
	return 1;
}

static void bench_line(const char *text, size_t len)
{
	fwrite(text, 1, len, stdout);
}

/* The IPC benchmarks in place: the harness of build/bench.iso, in this
 * task, its partner threads and tasks made from the shell's own quota. */
static int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("bench: ticks per operation (TSC cycles; instructions under QEMU -icount)\n");
	return bench_run_all(bench_line) == E_OK ? 0 : 1;
}

static const struct command commands[] = {
	{ "help", "help", "this list", cmd_help },
	{ "echo", "echo WORD...", "print the words", cmd_echo },
	{ "ps", "ps", "tasks: name, threads, state, priority", cmd_ps },
	{ "mem", "mem", "free and used memory", cmd_mem },
	{ "uptime", "uptime", "time since boot", cmd_uptime },
	{ "kill", "kill NAME", "stop the task NAME", cmd_kill },
	{ "bench", "bench", "the IPC benchmarks, median and minimum", cmd_bench },
	{ "reboot", "reboot", "reset the machine", cmd_reboot },
	{ 0, 0, 0, 0 },
};

/* Splits line at blanks, in place; returns the number of words. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = 0;
		if (!*p)
			return argc;
		if (argc == ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
}

static void run(char *line)
{
	char *argv[ARGS_MAX + 1];
	int argc = split(line, argv);

	if (argc < 0) {
		printf("sh: more than %d words\n", ARGS_MAX);
		return;
	}
	if (argc == 0)
		return;
	argv[argc] = 0;
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0) {
			if (c->run(argc, argv) < 0)
				printf("%s: usage: %s\n", c->name, c->usage);
			return;
		}
	printf("sh: unknown command '%s' (try help)\n", argv[0]);
}

int main(void)
{
	char line[LINE_MAX];

	printf("sh: Mica shell; 'help' lists the commands\n");
	for (;;) {
		long n;

		printf("mica> ");
		fflush(stdout);
		n = console_read(line, sizeof(line) - 1);
		if (n == -E_ABORTED)
			continue;
		if (n < 0) {
			printf("sh: console: %s\n", strerror((int)-n));
			return 1;
		}
		line[n] = 0;
		run(line);
	}
}
