/*
 * The boot manifest (docs/boot.md): one line per program init starts,
 *
 *     NAME MODULE [option ...]
 *
 * with the options prio=N (1-127), restart=no|yes, start=boot|demand, irq=GSI,
 * io=FIRST-LAST, mem=BASE+SIZE, lookup=NAME[,NAME...] (or *), heap=SIZE,
 * stack=SIZE, quota=SIZE, args="TEXT", and the flags log and control.
 * '#' starts a comment. Pure C: the host unit tests feed it good and
 * malformed lines.
 */
#ifndef INIT_MANIFEST_H
#define INIT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define MANIFEST_NAME_MAX    16
#define MANIFEST_MODULE_MAX  32
#define MANIFEST_ARGS_MAX    200
#define MANIFEST_GRANTS_MAX  8
#define MANIFEST_LOOKUPS_MAX 8
#define MANIFEST_PRIO_MAX    127        /* below init's own (the root task runs at 128) */

enum grant_kind { GRANT_IRQ = 1, GRANT_IO, GRANT_MEM };

struct grant {
	unsigned kind;
	uint64_t a, b;          /* IRQ: GSI; I/O: first, last port; memory: base, size */
};

struct manifest_entry {
	char name[MANIFEST_NAME_MAX + 1];
	char module[MANIFEST_MODULE_MAX + 1];
	char args[MANIFEST_ARGS_MAX + 1];
	unsigned prio;
	int restart;            /* restart after a fault */
	int on_demand;          /* started by INIT_START, not at boot */
	int log;                /* gets init's log (the console) */
	int control;            /* may kill tasks and reboot */
	int lookup_all;
	unsigned ngrants, nlookups;
	struct grant grants[MANIFEST_GRANTS_MAX];
	char lookups[MANIFEST_LOOKUPS_MAX][MANIFEST_NAME_MAX + 1];
	uint64_t heap, stack, quota;    /* bytes */
};

/* Parses one line (len bytes, no '\n'). Returns 1 with *e filled, 0 for
 * a blank or comment line, -1 with *why set for a malformed one. */
int manifest_parse_line(const char *line, size_t len, struct manifest_entry *e,
			const char **why);

/* Whether the entry may look up the service name. */
int manifest_may_lookup(const struct manifest_entry *e, const char *name);

#endif
