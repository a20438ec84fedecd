/* Program start (mica/start.h): from crt0 to main. */
#include <stdlib.h>
#include <stdnoreturn.h>
#include <abi/ipc.h>
#include <abi/kip.h>
#include <mica/start.h>

#define ARGV_MAX 16

int main(int argc, char **argv);
noreturn void libc_start(uint64_t info, uint64_t utcb);

const struct start_info *start_info;
static struct utcb *first_utcb;
static char name[START_NAME_MAX + 1];
static char args[START_ARGS_MAX];
static char *argv[ARGV_MAX + 2];

/* Splits the manifest's arguments at blanks into argv[1..]. */
static int split_args(void)
{
	int argc = 1;
	char *p = args;

	for (unsigned i = 0; i < sizeof(args) - 1 && start_info->args[i]; i++)
		args[i] = start_info->args[i];
	while (*p && argc <= ARGV_MAX) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

noreturn void libc_start(uint64_t info, uint64_t utcb)
{
	int argc = 1;

	first_utcb = (struct utcb *)utcb;
	if (info != KIP_ADDR && ((const struct start_info *)info)->magic == START_MAGIC)
		start_info = (const struct start_info *)info;
	argv[0] = name;
	if (start_info) {
		for (unsigned i = 0; i < START_NAME_MAX && start_info->name[i]; i++)
			name[i] = start_info->name[i];
		argc = split_args();
	} else {
		argv[0] = "root";
	}
	argv[argc] = 0;
	exit(main(argc, argv));
}

struct utcb *utcb_self(void)
{
	return first_utcb;
}

const struct start_cap *start_cap_find(unsigned kind, uint64_t key)
{
	if (!start_info)
		return 0;
	for (uint32_t i = 0; i < start_info->ncaps && i < START_MAX_CAPS; i++)
		if (start_info->caps[i].kind == kind && start_info->caps[i].a == key)
			return &start_info->caps[i];
	return 0;
}
