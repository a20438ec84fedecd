/*
 * Host unit tests of init's boot-manifest parser (servers/init/manifest.c,
 * docs/boot.md section 10): the defaults, every option's accepted values
 * and its boundaries (the limit and one past it), number formats and
 * uint64 overflow, size suffixes and page multiples, quoting, comments,
 * blanks, unknown options, the grant and lookup limits, the reason given
 * for the first problem, and manifest_may_lookup's exact matching. Then
 * three generated runs: lines built from a grammar whose expected outcome
 * (the whole entry, or the reason) is computed beside them, random byte
 * strings, and random mutations of valid lines; the last two must never
 * overread and must give either -1 with a reason or an entry within every
 * limit. Every line is handed over in a malloc'd buffer of exactly its
 * length with no terminating NUL, so ASan catches any overread.
 *
 * sources: servers/init/manifest.c
 */
#define UNIT_SUITE "manifest"

#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include "../../servers/init/manifest.h"

/* The reasons, as docs/boot.md lists them. */
#define R_NAME    "name must be 1-16 printable characters"
#define R_MODULE  "module missing or longer than 32 characters"
#define R_PRIO    "prio must be 1-127"
#define R_RESTART "restart must be yes or no"
#define R_START   "start must be boot or demand"
#define R_IRQ     "irq must be a line 0-255 (at most 8 grants)"
#define R_IO      "io must be FIRST-LAST within 0-0xffff (at most 8 grants)"
#define R_MEM     "mem must be BASE+SIZE, page-aligned, non-empty (at most 8 grants)"
#define R_LOOKUP  "lookup must be * or up to 8 names of 1-16 characters"
#define R_HEAP    "heap must be a page multiple up to 1024M (K, M suffixes)"
#define R_STACK   "stack must be a page multiple, 4K-16M"
#define R_QUOTA   "quota must be a page multiple, 64K-64M"
#define R_ARGS    "args=\"...\" is not closed, too long or not printable"
#define R_UNKNOWN "unknown option"

static const char *const reasons[] = {
	R_NAME, R_MODULE, R_PRIO, R_RESTART, R_START, R_IRQ, R_IO, R_MEM,
	R_LOOKUP, R_HEAP, R_STACK, R_QUOTA, R_ARGS, R_UNKNOWN,
};

/* The defaults and limits, from docs/boot.md rather than manifest.c. */
#define DEF_PRIO  100u
#define DEF_HEAP  (4ull << 20)
#define DEF_STACK (64ull << 10)
#define DEF_QUOTA (256ull << 10)
#define MAX_HEAP  (1024ull << 20)
#define MIN_STACK (4ull << 10)
#define MAX_STACK (16ull << 20)
#define MIN_QUOTA (64ull << 10)
#define MAX_QUOTA (64ull << 20)
#define U64_MAX   (~0ull)

/* ------------------------------------------------------------ helpers */

static struct manifest_entry E;         /* the last parse's entry */
static const char *WHY;                 /* and its reason */
static const char unset[] = "(why not set)";

/* Prints a line with its unprintable bytes escaped (failure detail). */
static void show(const char *s, size_t n)
{
	printf("    line \"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7F && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\" (%zu bytes)\n", n);
}

/* Parses n bytes from an exact-size heap copy into E; an entry the
 * parser does not fill entirely keeps the 0xA5 poison and shows. */
static int parse_n(const char *s, size_t n)
{
	char *buf = malloc(n);
	int r;

	if (n)
		memcpy(buf, s, n);
	memset(&E, 0xA5, sizeof E);
	WHY = unset;
	r = manifest_parse_line(buf, n, &E, &WHY);
	free(buf);
	return r;
}

static int known_reason(const char *why)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (why && strcmp(why, reasons[i]) == 0)
			return 1;
	return 0;
}

/* Accepted as an entry. */
static int ok_n(const char *s, size_t n)
{
	int r = parse_n(s, n);

	if (r == 1)
		return 1;
	show(s, n);
	printf("    expected an entry, got %d (%s)\n", r, r < 0 ? WHY : "");
	return 0;
}

static int ok(const char *s)
{
	return ok_n(s, strlen(s));
}

/* Rejected with this reason. */
static int bad_n(const char *s, size_t n, const char *reason)
{
	int r = parse_n(s, n);

	if (r == -1 && WHY && strcmp(WHY, reason) == 0)
		return 1;
	show(s, n);
	printf("    expected -1 (%s), got %d (%s)\n", reason, r,
	       r < 0 ? (WHY ? WHY : "NULL") : "");
	return 0;
}

static int bad(const char *s, const char *reason)
{
	return bad_n(s, strlen(s), reason);
}

/* A blank or comment line: 0, and an entry without a name (init skips it). */
static int skipped_n(const char *s, size_t n)
{
	int r = parse_n(s, n);

	if (r == 0 && E.name[0] == 0)
		return 1;
	show(s, n);
	printf("    expected 0 with no name, got %d\n", r);
	return 0;
}

static int skipped(const char *s)
{
	return skipped_n(s, strlen(s));
}

static int is_default_except_name(const struct manifest_entry *e)
{
	return e->args[0] == 0 && e->prio == DEF_PRIO && e->restart == 0 &&
	       e->on_demand == 0 && e->log == 0 && e->control == 0 &&
	       e->lookup_all == 0 && e->ngrants == 0 && e->nlookups == 0 &&
	       e->heap == DEF_HEAP && e->stack == DEF_STACK && e->quota == DEF_QUOTA;
}

/* "a b " + option */
static int opt_ok(const char *opt)
{
	char line[512];

	snprintf(line, sizeof line, "a b %s", opt);
	return ok(line);
}

static int opt_bad(const char *opt, const char *reason)
{
	char line[512];

	snprintf(line, sizeof line, "a b %s", opt);
	return bad(line, reason);
}

/* ------------------------------------------------------------ basics */

TEST(defaults_when_absent)
{
	CHECK(ok("a b"));
	CHECK(strcmp(E.name, "a") == 0);
	CHECK(strcmp(E.module, "b") == 0);
	CHECK(is_default_except_name(&E));
	CHECK(!manifest_may_lookup(&E, "console"));
	CHECK(!manifest_may_lookup(&E, ""));
	CHECK(ok("console console.elf"));
	CHECK(strcmp(E.name, "console") == 0);
	CHECK(strcmp(E.module, "console.elf") == 0);
	CHECK(is_default_except_name(&E));
}

TEST(shipped_manifest_lines)
{
	CHECK(ok("console   console.elf  prio=120 irq=4 io=0x3f8-0x3ff log restart=yes"));
	CHECK(strcmp(E.name, "console") == 0 && strcmp(E.module, "console.elf") == 0);
	CHECK(E.prio == 120 && E.log == 1 && E.restart == 1 && E.control == 0);
	CHECK(E.on_demand == 0 && E.nlookups == 0 && E.lookup_all == 0);
	CHECK(E.ngrants == 2);
	CHECK(E.grants[0].kind == GRANT_IRQ && E.grants[0].a == 4 && E.grants[0].b == 0);
	CHECK(E.grants[1].kind == GRANT_IO && E.grants[1].a == 0x3f8 && E.grants[1].b == 0x3ff);
	CHECK(E.heap == DEF_HEAP && E.stack == DEF_STACK && E.quota == DEF_QUOTA);
	CHECK(E.args[0] == 0);

	CHECK(ok("sh        sh.elf       prio=100 lookup=console control restart=yes quota=4M"));
	CHECK(strcmp(E.name, "sh") == 0 && strcmp(E.module, "sh.elf") == 0);
	CHECK(E.prio == 100 && E.control == 1 && E.restart == 1 && E.log == 0);
	CHECK(E.nlookups == 1 && strcmp(E.lookups[0], "console") == 0 && !E.lookup_all);
	CHECK(E.quota == 4ull << 20 && E.ngrants == 0);
	CHECK(manifest_may_lookup(&E, "console"));
	CHECK(!manifest_may_lookup(&E, "sh"));
}

TEST(every_option_at_once)
{
	CHECK(ok("drv drv.elf prio=7 restart=yes start=demand irq=9 io=0x60-0x64 "
		 "mem=0xfee00000+0x1000 lookup=console,pci heap=8M stack=128K quota=1M "
		 "args=\"-v --port 3\" log control"));
	CHECK(strcmp(E.name, "drv") == 0 && strcmp(E.module, "drv.elf") == 0);
	CHECK(E.prio == 7 && E.restart == 1 && E.on_demand == 1 && E.log == 1 && E.control == 1);
	CHECK(E.ngrants == 3);
	CHECK(E.grants[0].kind == GRANT_IRQ && E.grants[0].a == 9);
	CHECK(E.grants[1].kind == GRANT_IO && E.grants[1].a == 0x60 && E.grants[1].b == 0x64);
	CHECK(E.grants[2].kind == GRANT_MEM && E.grants[2].a == 0xfee00000 &&
	      E.grants[2].b == 0x1000);
	CHECK(E.nlookups == 2 && strcmp(E.lookups[0], "console") == 0 &&
	      strcmp(E.lookups[1], "pci") == 0 && !E.lookup_all);
	CHECK(E.heap == 8ull << 20 && E.stack == 128ull << 10 && E.quota == 1ull << 20);
	CHECK(strcmp(E.args, "-v --port 3") == 0);
}

TEST(blank_and_comment_lines)
{
	static const char *const lines[] = {
		"", " ", "\t", "\r", " \t\r \t", "#", "# a b log", "#a b", "   # x",
		"\t#", "\r#\r", "##", "#\"", "# args=\"", " \t # prio=0",
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		CHECK(skipped(lines[i]));
	/* Anything after the '#', even NULs and bytes above 0x7f. */
	CHECK(skipped_n("  #\0\xff\n\x01", 7));
	CHECK(skipped_n("\0", 0));
}

TEST(comments_anywhere)
{
	CHECK(ok("a b # log control prio=0"));
	CHECK(is_default_except_name(&E));
	CHECK(ok("a b#log"));
	CHECK(strcmp(E.module, "b") == 0 && E.log == 0);
	CHECK(ok("a b log#control"));
	CHECK(E.log == 1 && E.control == 0);
	CHECK(ok("a b prio=5#0"));
	CHECK(E.prio == 5);
	CHECK(ok("a b lookup=x#,y"));
	CHECK(E.nlookups == 1 && strcmp(E.lookups[0], "x") == 0);
	CHECK(ok("a b args=\"x y\"#z\"w\""));
	CHECK(strcmp(E.args, "x y") == 0);
	CHECK(ok("a b\t#\tlog"));
	CHECK(E.log == 0);
	/* A '#' inside a word ends the line there. */
	CHECK(bad("a#b c", R_MODULE));
	CHECK(bad("a b lookup=x,#y", R_LOOKUP));
	CHECK(bad("a b io=1-#2", R_IO));
	CHECK(bad("a b prio=#5", R_PRIO));
	/* Even inside args="...": the quote is then not closed. */
	CHECK(bad("a b args=\"x # y\"", R_ARGS));
	CHECK(bad("a b args=\"#\"", R_ARGS));
}

TEST(blanks_tabs_and_cr)
{
	CHECK(ok("\ta\tb\tlog\r"));
	CHECK(strcmp(E.name, "a") == 0 && strcmp(E.module, "b") == 0 && E.log == 1);
	CHECK(ok("  \r a \r\r\t b \t\r prio=5 \t\r control \r"));
	CHECK(strcmp(E.name, "a") == 0 && strcmp(E.module, "b") == 0);
	CHECK(E.prio == 5 && E.control == 1);
	CHECK(ok("a b log\r"));                 /* a CRLF file */
	CHECK(E.log == 1);
	/* Other control characters are not blanks: they end up in a word. */
	CHECK(bad("a\vb c", R_NAME));
	CHECK(bad("a\fb c", R_NAME));
	CHECK(bad("a\nb c", R_NAME));
	CHECK(bad("a b\n", R_MODULE));
	CHECK(bad("a b log\n", R_UNKNOWN));
	CHECK(bad("a b log\v", R_UNKNOWN));
	CHECK(bad("a b prio=5\f", R_PRIO));
}

TEST(length_is_respected)
{
	/* The bytes past len are not the line's. */
	CHECK(ok_n("a b logX", 7));
	CHECK(E.log == 1);
	CHECK(ok_n("a b prio=12", 10));
	CHECK(E.prio == 1);
	CHECK(ok_n("a b lookup=ab", 12));
	CHECK(E.nlookups == 1 && strcmp(E.lookups[0], "a") == 0);
	CHECK(bad_n("a b args=\"xy\"", 12, R_ARGS));
	CHECK(bad_n("a b", 1, R_MODULE));
	CHECK(skipped_n("a b", 0));
	CHECK(ok_n("a b\0garbage", 3));
	/* A NUL inside the line is a byte like any other unprintable one. */
	CHECK(bad_n("a\0b c", 5, R_NAME));
	CHECK(bad_n("a b\0 c", 6, R_MODULE));
	CHECK(bad_n("a b log\0", 8, R_UNKNOWN));
	CHECK(bad_n("a b prio=1\0", 11, R_PRIO));
}

/* ------------------------------------------------------------ name, module */

TEST(name_limits)
{
	CHECK(ok("a m"));
	CHECK(ok("abcdefghijklmnop m"));                /* 16 */
	CHECK(strcmp(E.name, "abcdefghijklmnop") == 0);
	CHECK(bad("abcdefghijklmnopq m", R_NAME));      /* 17 */
	CHECK(bad("abcdefghijklmnopqrstuvwxyz0123456789 m", R_NAME));
	/* Any printable character but the blank and '#'. */
	CHECK(ok("!\"$%&'()*+,-./:; m"));
	CHECK(bad("!\"$%&'()*+,-./:;< m", R_NAME));
	CHECK(ok("~=?@[\\]^_`{|}<> m"));
	CHECK(strcmp(E.name, "~=?@[\\]^_`{|}<>") == 0);
	CHECK(ok("prio=5 log"));                        /* a name, not an option */
	CHECK(strcmp(E.name, "prio=5") == 0 && strcmp(E.module, "log") == 0 && !E.log);
	CHECK(E.prio == DEF_PRIO);
	CHECK(bad("a\x7f m", R_NAME));
	CHECK(bad("\x80 m", R_NAME));
	CHECK(bad("a\xff m", R_NAME));
	CHECK(bad("\x01 m", R_NAME));
	CHECK(bad("\x1f m", R_NAME));
	CHECK(bad("\x7f", R_NAME));
	/* The first problem is reported: the name before the rest. */
	CHECK(bad("abcdefghijklmnopq abcdefghijklmnopqrstuvwxyz0123456789 prio=0", R_NAME));
}

TEST(module_limits)
{
	CHECK(bad("a", R_MODULE));
	CHECK(bad("a ", R_MODULE));
	CHECK(bad("a \t\r", R_MODULE));
	CHECK(bad("a # b", R_MODULE));
	CHECK(ok("a 0123456789abcdef0123456789abcdef"));        /* 32 */
	CHECK(strcmp(E.module, "0123456789abcdef0123456789abcdef") == 0);
	CHECK(bad("a 0123456789abcdef0123456789abcdefg", R_MODULE));  /* 33 */
	CHECK(bad("a 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  R_MODULE));
	CHECK(ok("a ~!\"$%&'()*+,-./:;<=>?@[\\]^_`{|}"));
	CHECK(bad("a b\x7f", R_MODULE));
	CHECK(bad("a \x80", R_MODULE));
	CHECK(bad("a b\x01", R_MODULE));
	CHECK(ok("a log"));                     /* a module, not the flag */
	CHECK(strcmp(E.module, "log") == 0 && !E.log);
	CHECK(bad("a abcdefghijklmnopqrstuvwxyz0123456789 prio=0", R_MODULE));
}

/* ------------------------------------------------------------ prio, numbers */

TEST(prio_range)
{
	static const struct { const char *v; unsigned want; } good[] = {
		{ "1", 1 }, { "2", 2 }, { "100", 100 }, { "126", 126 }, { "127", 127 },
		{ "0x1", 1 }, { "0x7f", 127 }, { "0x7F", 127 }, { "0X7f", 127 },
		{ "0x0000007f", 127 }, { "007", 7 }, { "0127", 127 },
		{ "00000000000000000000000000000000000000001", 1 },
		{ "0x000000000000000000000000000000000000001", 1 },
	};
	static const char *const out[] = {
		"0", "00", "0x0", "128", "0x80", "255", "256", "1000", "4294967297",
		"4294967296", "18446744073709551615", "0xffffffffffffffff",
		"18446744073709551616", "0x10000000000000000", "99999999999999999999999",
		"", "-1", "+1", " ", "1a", "a", "0x", "0X", "x1", "0x1g", "0xg", "1.0",
		"1e2", "1_0", "1,2", "0b1", "0o7", "1K", "0x7fK", "=1", "1=",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char opt[96];

		snprintf(opt, sizeof opt, "prio=%s", good[i].v);
		CHECK(opt_ok(opt));
		CHECK(E.prio == good[i].want);
	}
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[96];

		snprintf(opt, sizeof opt, "prio=%s", out[i]);
		CHECK(opt_bad(opt, R_PRIO));
	}
	CHECK(opt_bad("prio=1 2", R_UNKNOWN));
	CHECK(opt_bad("prio==1", R_PRIO));
	CHECK(opt_bad("prio", R_UNKNOWN));
	CHECK(opt_bad("prio =5", R_UNKNOWN));
	CHECK(opt_bad("PRIO=5", R_UNKNOWN));
	CHECK(opt_bad("Prio=5", R_UNKNOWN));
	CHECK(opt_bad("xprio=5", R_UNKNOWN));
	CHECK(opt_bad("prio\xff=5", R_UNKNOWN));
}

TEST(later_options_override)
{
	CHECK(opt_ok("prio=5 prio=7"));
	CHECK(E.prio == 7);
	CHECK(opt_ok("restart=yes restart=no"));
	CHECK(E.restart == 0);
	CHECK(opt_ok("restart=no restart=yes"));
	CHECK(E.restart == 1);
	CHECK(opt_ok("start=demand start=boot"));
	CHECK(E.on_demand == 0);
	CHECK(opt_ok("start=boot start=demand"));
	CHECK(E.on_demand == 1);
	CHECK(opt_ok("heap=8M heap=0"));
	CHECK(E.heap == 0);
	CHECK(opt_ok("stack=8K stack=1M"));
	CHECK(E.stack == 1ull << 20);
	CHECK(opt_ok("quota=1M quota=64K"));
	CHECK(E.quota == 64ull << 10);
	CHECK(opt_ok("args=\"a b\" args=\"c\""));
	CHECK(strcmp(E.args, "c") == 0);
	CHECK(opt_ok("args=\"abcdef\" args=\"\""));
	CHECK(E.args[0] == 0);
	CHECK(opt_ok("log log control control"));
	CHECK(E.log == 1 && E.control == 1);
	/* A good option does not excuse a later bad one of the same kind. */
	CHECK(opt_bad("prio=5 prio=0", R_PRIO));
	CHECK(opt_bad("heap=4M heap=3", R_HEAP));
}

/* ------------------------------------------------------------ restart, start, flags */

TEST(restart_values)
{
	static const char *const out[] = {
		"", "y", "n", "Yes", "YES", "No", "NO", "yes1", "yess", "noo", "ye", "1", "0",
		"true", "false", "on", "off", "yes,no", "\"yes\"", "yes\x01",
	};

	CHECK(opt_ok("restart=yes"));
	CHECK(E.restart == 1);
	CHECK(opt_ok("restart=no"));
	CHECK(E.restart == 0);
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "restart=%s", out[i]);
		CHECK(opt_bad(opt, R_RESTART));
	}
	CHECK(opt_bad("restart", R_UNKNOWN));
	CHECK(opt_bad("Restart=yes", R_UNKNOWN));
}

TEST(start_values)
{
	static const char *const out[] = {
		"", "b", "d", "Boot", "BOOT", "Demand", "boots", "demands", "demandx",
		"boo", "deman", "boot,demand", "0", "1", "now",
	};

	CHECK(opt_ok("start=boot"));
	CHECK(E.on_demand == 0);
	CHECK(opt_ok("start=demand"));
	CHECK(E.on_demand == 1);
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "start=%s", out[i]);
		CHECK(opt_bad(opt, R_START));
	}
	CHECK(opt_bad("start", R_UNKNOWN));
}

TEST(flags)
{
	static const char *const out[] = {
		"Log", "LOG", "logs", "lo", "log=1", "log=yes", "log=", "control=yes",
		"Control", "contro", "controls", "log,control", "=", "==", "x=y", ",", "*",
		"-", "+", "foo", "args", "args=", "args=x", "args='x'", "ARGS=\"x\"",
		"lookup", "irq", "io", "mem", "heap", "stack", "quota", "heapsize=4K",
		"name=a", "module=b", "\"log\"", "\x7f", "\x80",
	};

	CHECK(opt_ok("log"));
	CHECK(E.log == 1 && E.control == 0);
	CHECK(opt_ok("control"));
	CHECK(E.log == 0 && E.control == 1);
	CHECK(opt_ok("control log"));
	CHECK(E.log == 1 && E.control == 1);
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
		CHECK(opt_bad(out[i], R_UNKNOWN));
	/* An unknown option rejects the line wherever it stands. */
	CHECK(opt_bad("log prio=5 foo control", R_UNKNOWN));
	CHECK(opt_bad("foo prio=0", R_UNKNOWN));
	CHECK(opt_bad("prio=0 foo", R_PRIO));
}

/* ------------------------------------------------------------ grants */

TEST(irq_range)
{
	static const struct { const char *v; uint64_t want; } good[] = {
		{ "0", 0 }, { "1", 1 }, { "4", 4 }, { "254", 254 }, { "255", 255 },
		{ "0xff", 255 }, { "0XFF", 255 }, { "0x0", 0 }, { "000255", 255 },
	};
	static const char *const out[] = {
		"256", "0x100", "1000", "65535", "18446744073709551615",
		"18446744073709551616", "0x10000000000000000", "", "-1", "+1", "a",
		"0x", "1-2", "1+2", "1,2", "4K", "0xfg",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "irq=%s", good[i].v);
		CHECK(opt_ok(opt));
		CHECK(E.ngrants == 1);
		CHECK(E.grants[0].kind == GRANT_IRQ);
		CHECK(E.grants[0].a == good[i].want && E.grants[0].b == 0);
	}
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "irq=%s", out[i]);
		CHECK(opt_bad(opt, R_IRQ));
	}
}

TEST(io_range)
{
	static const struct { const char *v; uint64_t a, b; } good[] = {
		{ "0-0", 0, 0 }, { "0-0xffff", 0, 0xffff }, { "0x3f8-0x3ff", 0x3f8, 0x3ff },
		{ "0x3F8-0x3FF", 0x3f8, 0x3ff }, { "5-5", 5, 5 }, { "65535-65535", 0xffff, 0xffff },
		{ "0xffff-0xffff", 0xffff, 0xffff }, { "96-0x64", 96, 100 }, { "0x60-100", 96, 100 },
		{ "0-65535", 0, 65535 }, { "0000-00001", 0, 1 },
	};
	static const char *const out[] = {
		"0-0x10000", "0-65536", "65536-65536", "0x10000-0x10000", "6-5", "0xffff-0",
		"1-0", "5", "5-", "-5", "-", "", "5--6", "5-6-7", "5+6", "0x-5", "5-0x",
		"0x3f8-", "0x3f8-0x3fg", "18446744073709551616-1", "1-18446744073709551616",
		"1-18446744073709551615", "a-b", "5 -6", "5,6", "5-6,", " 5-6",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "io=%s", good[i].v);
		CHECK(opt_ok(opt));
		CHECK(E.ngrants == 1 && E.grants[0].kind == GRANT_IO);
		CHECK(E.grants[0].a == good[i].a && E.grants[0].b == good[i].b);
	}
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "io=%s", out[i]);
		CHECK(opt_bad(opt, R_IO));      /* "io=5 -6": "io=5" has no LAST */
	}
}

TEST(mem_range)
{
	static const struct { const char *v; uint64_t a, b; } good[] = {
		{ "0+0x1000", 0, 0x1000 }, { "0x1000+0x1000", 0x1000, 0x1000 },
		{ "4096+4096", 4096, 4096 }, { "0xfee00000+0x1000", 0xfee00000, 0x1000 },
		{ "0XFEE00000+0X1000", 0xfee00000, 0x1000 },
		{ "0xffffffffffffe000+0x1000", 0xffffffffffffe000ull, 0x1000 },
		{ "0+0xfffffffffffff000", 0, 0xfffffffffffff000ull },
		{ "0x1000+0xffffffffffffe000", 0x1000, 0xffffffffffffe000ull },
		{ "0x100000000+0x100000000", 1ull << 32, 1ull << 32 },
	};
	static const char *const out[] = {
		"0+0", "0x1000+0", "0x1000+0x0", "1+0x1000", "0xfff+0x1000", "0x1001+0x1000",
		"0x1000+1", "0x1000+0xfff", "0x1000+0x1001", "0x800+0x800",
		"0xfffffffffffff000+0x2000",    /* wraps */
		"0xfffffffffffff000+0x1000",    /* ends at 2^64: not representable */
		"0x1000+0xfffffffffffff000",
		"0xffffffffffffffff+0x1000", "0x1fffffffffffff000+0x1000",
		"0x1000+0x10000000000000000", "18446744073709551616+4096",
		"0x1000", "0x1000+", "+0x1000", "+", "", "0x1000-0x1000", "0x1000++0x1000",
		"0x1000+0x1000+0x1000", "0x1000+0x1000,", "0x1000+4K", "4K+4K", "0x+0x1000",
		"0x1000+0x", "a+b",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "mem=%s", good[i].v);
		CHECK(opt_ok(opt));
		CHECK(E.ngrants == 1 && E.grants[0].kind == GRANT_MEM);
		CHECK(E.grants[0].a == good[i].a && E.grants[0].b == good[i].b);
	}
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "mem=%s", out[i]);
		CHECK(opt_bad(opt, R_MEM));
	}
}

TEST(grants_in_order)
{
	CHECK(opt_ok("mem=0x2000+0x3000 irq=1 io=2-3 irq=4"));
	CHECK(E.ngrants == 4);
	CHECK(E.grants[0].kind == GRANT_MEM && E.grants[0].a == 0x2000 && E.grants[0].b == 0x3000);
	CHECK(E.grants[1].kind == GRANT_IRQ && E.grants[1].a == 1 && E.grants[1].b == 0);
	CHECK(E.grants[2].kind == GRANT_IO && E.grants[2].a == 2 && E.grants[2].b == 3);
	CHECK(E.grants[3].kind == GRANT_IRQ && E.grants[3].a == 4);
}

TEST(at_most_eight_grants)
{
	char line[512];

	/* The same grant eight times is eight grants; a ninth is one too many. */
	CHECK(opt_ok("irq=4 irq=4 irq=4 irq=4 irq=4 irq=4 irq=4 irq=4"));
	CHECK(E.ngrants == 8);
	for (unsigned i = 0; i < 8; i++)
		CHECK(E.grants[i].kind == GRANT_IRQ && E.grants[i].a == 4);
	CHECK(opt_bad("irq=4 irq=4 irq=4 irq=4 irq=4 irq=4 irq=4 irq=4 irq=4", R_IRQ));
	CHECK(opt_ok("io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1"));
	CHECK(E.ngrants == 8);
	CHECK(opt_bad("io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1 io=1-1", R_IO));
	CHECK(opt_ok("mem=0+4096 mem=0+4096 mem=0+4096 mem=0+4096 "
		     "mem=0+4096 mem=0+4096 mem=0+4096 mem=0+4096"));
	CHECK(E.ngrants == 8);
	CHECK(opt_bad("mem=0+4096 mem=0+4096 mem=0+4096 mem=0+4096 "
		      "mem=0+4096 mem=0+4096 mem=0+4096 mem=0+4096 mem=0+4096", R_MEM));

	/* Together: three of each kind but the last. */
	static const char mix[] = "irq=0 io=0-1 mem=0+4096 irq=255 io=2-3 mem=4096+4096 "
				  "irq=7 io=0xffff-0xffff";
	CHECK(opt_ok(mix));
	CHECK(E.ngrants == 8);
	CHECK(E.grants[7].kind == GRANT_IO && E.grants[7].a == 0xffff);
	snprintf(line, sizeof line, "%s mem=0x1000+0x1000", mix);
	CHECK(opt_bad(line, R_MEM));
	snprintf(line, sizeof line, "%s irq=1", mix);
	CHECK(opt_bad(line, R_IRQ));
	snprintf(line, sizeof line, "%s io=1-2", mix);
	CHECK(opt_bad(line, R_IO));
	/* Other options in between do not count. */
	snprintf(line, sizeof line, "%s log prio=3 lookup=a heap=0 control", mix);
	CHECK(opt_ok(line));
	CHECK(E.ngrants == 8 && E.prio == 3 && E.nlookups == 1);
}

/* ------------------------------------------------------------ sizes */

struct size_case {
	const char *v;
	uint64_t want;          /* U64_MAX: rejected */
};

static int size_cases(const char *key, const char *reason, const struct size_case *c,
		      size_t n, uint64_t *field)
{
	for (size_t i = 0; i < n; i++) {
		char opt[96];

		snprintf(opt, sizeof opt, "%s=%s", key, c[i].v);
		if (c[i].want == U64_MAX) {
			if (!opt_bad(opt, reason))
				return 0;
		} else if (!opt_ok(opt) || *field != c[i].want) {
			printf("    %s: got %llu, expected %llu\n", opt,
			       (unsigned long long)*field, (unsigned long long)c[i].want);
			return 0;
		}
	}
	return 1;
}

#define NO U64_MAX

/* Common malformed sizes, for every size option. */
static const struct size_case malformed_sizes[] = {
	{ "", NO }, { "K", NO }, { "M", NO }, { "k", NO }, { "KK", NO }, { "4KK", NO },
	{ "4KM", NO }, { "4MK", NO }, { "4KB", NO }, { "4G", NO }, { "1T", NO },
	{ "4B", NO }, { "-4K", NO }, { "+4K", NO }, { "4.0K", NO }, { "0x", NO },
	{ "0xK", NO }, { "0xM", NO }, { "K4", NO }, { "4 K", NO }, { "4_096", NO },
	{ "4096,", NO }, { "4096=", NO }, { "x", NO }, { "0x1000x", NO },
	{ "99999999999999999999", NO }, { "99999999999999999999K", NO },
	{ "18446744073709551616", NO }, { "0x10000000000000000", NO },
	{ "18446744073709551615", NO }, { "0xfffffffffffff000", NO },
	{ "18446744073709551615M", NO }, { "0xffffffffffffffffK", NO },
	/* Values whose K or M shift would wrap uint64 to a small page
	 * multiple: 2^54 + 8 K is 8K and 2^44 + 1 M is 1M modulo 2^64. */
	{ "18014398509481992K", NO }, { "17592186044417M", NO },
	{ "18014398509481984K", NO }, { "17592186044416M", NO },
	{ "0x40000000000002K", NO }, { "0x100000000001M", NO },
};

TEST(heap_sizes)
{
	static const struct size_case c[] = {
		{ "0", 0 }, { "0K", 0 }, { "0M", 0 }, { "0x0", 0 }, { "4096", 4096 },
		{ "4K", 4096 }, { "4k", 4096 }, { "8K", 8192 }, { "1M", 1 << 20 },
		{ "1m", 1 << 20 }, { "0x1000", 4096 }, { "0x1000K", 4ull << 20 },
		{ "0x400M", 1ull << 30 }, { "0010M", 10ull << 20 }, { "1024M", 1ull << 30 },
		{ "1048576K", 1ull << 30 }, { "1073741824", 1ull << 30 },
		{ "0x40000000", 1ull << 30 }, { "1073737728", (1ull << 30) - 4096 },
		{ "1048572K", (1ull << 30) - 4096 }, { "1023M", 1023ull << 20 },
		{ "1025M", NO }, { "1048580K", NO }, { "1073741825", NO },
		{ "1073745920", NO }, { "0x40001000", NO }, { "0x401M", NO }, { "2048M", NO },
		{ "4097", NO }, { "1", NO }, { "4095", NO }, { "1K", NO }, { "2K", NO },
		{ "3K", NO }, { "5K", NO }, { "100", NO }, { "0x800", NO }, { "6K", NO },
	};

	CHECK(size_cases("heap", R_HEAP, c, sizeof c / sizeof c[0], &E.heap));
	CHECK(size_cases("heap", R_HEAP, malformed_sizes,
			 sizeof malformed_sizes / sizeof malformed_sizes[0], &E.heap));
}

TEST(stack_sizes)
{
	static const struct size_case c[] = {
		{ "4K", 4096 }, { "4096", 4096 }, { "0x1000", 4096 }, { "8K", 8192 },
		{ "64K", 64 << 10 }, { "1M", 1 << 20 }, { "16M", 16 << 20 },
		{ "16m", 16 << 20 }, { "16384K", 16 << 20 }, { "16777216", 16 << 20 },
		{ "0x1000000", 16 << 20 }, { "16380K", (16 << 20) - 4096 },
		{ "0", NO }, { "0K", NO }, { "0M", NO }, { "4095", NO }, { "2K", NO },
		{ "3K", NO }, { "1", NO }, { "16388K", NO }, { "17M", NO },
		{ "16777217", NO }, { "16781312", NO }, { "0x1001000", NO }, { "1024M", NO },
		{ "6K", NO }, { "4097", NO }, { "0x1800", NO },
	};

	CHECK(size_cases("stack", R_STACK, c, sizeof c / sizeof c[0], &E.stack));
	CHECK(size_cases("stack", R_STACK, malformed_sizes,
			 sizeof malformed_sizes / sizeof malformed_sizes[0], &E.stack));
}

TEST(quota_sizes)
{
	static const struct size_case c[] = {
		{ "64K", 64 << 10 }, { "64k", 64 << 10 }, { "65536", 64 << 10 },
		{ "0x10000", 64 << 10 }, { "68K", 68 << 10 }, { "1M", 1 << 20 },
		{ "4M", 4 << 20 }, { "64M", 64 << 20 }, { "65536K", 64 << 20 },
		{ "67108864", 64 << 20 }, { "0x4000000", 64 << 20 },
		{ "65532K", (64 << 20) - 4096 }, { "0x40M", 64 << 20 },
		{ "0", NO }, { "60K", NO }, { "63K", NO }, { "65532", NO }, { "61440", NO },
		{ "66K", NO }, { "65540K", NO }, { "65M", NO }, { "67108865", NO },
		{ "67112960", NO }, { "0x4001000", NO }, { "1024M", NO }, { "4K", NO },
	};

	CHECK(size_cases("quota", R_QUOTA, c, sizeof c / sizeof c[0], &E.quota));
	CHECK(size_cases("quota", R_QUOTA, malformed_sizes,
			 sizeof malformed_sizes / sizeof malformed_sizes[0], &E.quota));
}

/* ------------------------------------------------------------ lookup */

TEST(lookup_lists)
{
	CHECK(opt_ok("lookup=*"));
	CHECK(E.lookup_all == 1 && E.nlookups == 0);
	CHECK(opt_ok("lookup=console"));
	CHECK(E.lookup_all == 0 && E.nlookups == 1 && strcmp(E.lookups[0], "console") == 0);
	CHECK(opt_ok("lookup=a,b,c"));
	CHECK(E.nlookups == 3 && strcmp(E.lookups[0], "a") == 0 &&
	      strcmp(E.lookups[1], "b") == 0 && strcmp(E.lookups[2], "c") == 0);
	CHECK(opt_ok("lookup=a,b,c,d,e,f,g,h"));                        /* 8 */
	CHECK(E.nlookups == 8 && strcmp(E.lookups[7], "h") == 0);
	CHECK(opt_bad("lookup=a,b,c,d,e,f,g,h,i", R_LOOKUP));          /* 9 */
	CHECK(opt_bad("lookup=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", R_LOOKUP));
	CHECK(opt_ok("lookup=abcdefghijklmnop"));                       /* 16 */
	CHECK(strcmp(E.lookups[0], "abcdefghijklmnop") == 0);
	CHECK(opt_bad("lookup=abcdefghijklmnopq", R_LOOKUP));           /* 17 */
	CHECK(opt_ok("lookup=x,abcdefghijklmnop"));
	CHECK(opt_bad("lookup=x,abcdefghijklmnopq", R_LOOKUP));
	CHECK(opt_bad("lookup=abcdefghijklmnopq,x", R_LOOKUP));
	/* Empty names. */
	CHECK(opt_bad("lookup=a,", R_LOOKUP));
	CHECK(opt_bad("lookup=,a", R_LOOKUP));
	CHECK(opt_bad("lookup=a,,b", R_LOOKUP));
	CHECK(opt_bad("lookup=,", R_LOOKUP));
	CHECK(opt_bad("lookup=,,", R_LOOKUP));
	CHECK(opt_bad("lookup=a,b,c,d,e,f,g,h,", R_LOOKUP));
	/* Unprintable characters. */
	CHECK(opt_bad("lookup=a\x7f", R_LOOKUP));
	CHECK(opt_bad("lookup=a\x01,b", R_LOOKUP));
	CHECK(opt_bad("lookup=a,\x80", R_LOOKUP));
	CHECK(opt_bad("lookup=\xff", R_LOOKUP));
	/* Any other printable character is part of a name. */
	CHECK(opt_ok("lookup=x.y-z_1,a=b,\"q\",a:b"));
	CHECK(E.nlookups == 4 && strcmp(E.lookups[1], "a=b") == 0 &&
	      strcmp(E.lookups[2], "\"q\"") == 0);
}

TEST(lookup_empty_value_rejected)
{
	/* "lookup=" names no service: like "lookup=a," it has an empty name
	 * (docs/boot.md: lookup=NAME[,NAME...], names of 1-16 characters). */
	CHECK(opt_bad("lookup=", R_LOOKUP));
	CHECK(opt_bad("lookup=a lookup=", R_LOOKUP));
}

TEST(lookup_star_only_alone)
{
	/* Only the whole value "*" allows every name; a '*' in a list is a
	 * name like any other and allows only itself. */
	CHECK(opt_ok("lookup=*,console"));
	CHECK(E.lookup_all == 0 && E.nlookups == 2 && strcmp(E.lookups[0], "*") == 0);
	CHECK(!manifest_may_lookup(&E, "sh"));
	CHECK(manifest_may_lookup(&E, "console"));
	CHECK(opt_ok("lookup=a,*"));
	CHECK(E.lookup_all == 0 && !manifest_may_lookup(&E, "b"));
	CHECK(opt_ok("lookup=**"));
	CHECK(E.lookup_all == 0 && E.nlookups == 1 && !manifest_may_lookup(&E, "x"));
	CHECK(opt_ok("lookup=*x"));
	CHECK(E.lookup_all == 0 && !manifest_may_lookup(&E, "x"));
	CHECK(opt_bad("lookup=*,", R_LOOKUP));
	CHECK(opt_bad("lookup=,*", R_LOOKUP));
	CHECK(opt_ok("lookup=\"*\""));
	CHECK(E.lookup_all == 0 && strcmp(E.lookups[0], "\"*\"") == 0);
}

TEST(lookup_across_options)
{
	CHECK(opt_ok("lookup=a lookup=b"));
	CHECK(E.nlookups == 2 && strcmp(E.lookups[0], "a") == 0 &&
	      strcmp(E.lookups[1], "b") == 0);
	CHECK(opt_ok("lookup=a,b,c,d lookup=e,f,g,h"));
	CHECK(E.nlookups == 8 && strcmp(E.lookups[4], "e") == 0);
	CHECK(opt_bad("lookup=a,b,c,d lookup=e,f,g,h,i", R_LOOKUP));
	CHECK(opt_bad("lookup=a,b,c,d,e,f,g,h lookup=i", R_LOOKUP));
	CHECK(opt_ok("lookup=a lookup=b lookup=c lookup=d lookup=e lookup=f lookup=g lookup=h"));
	CHECK(E.nlookups == 8);
	CHECK(opt_bad("lookup=a lookup=b lookup=c lookup=d lookup=e lookup=f lookup=g "
		      "lookup=h lookup=i", R_LOOKUP));
	/* "*" adds no name. */
	CHECK(opt_ok("lookup=a,b,c,d,e,f,g,h lookup=*"));
	CHECK(E.nlookups == 8 && E.lookup_all == 1);
	CHECK(opt_ok("lookup=* lookup=a"));
	CHECK(E.nlookups == 1 && E.lookup_all == 1);
	CHECK(opt_ok("lookup=* lookup=*"));
	CHECK(E.nlookups == 0 && E.lookup_all == 1);
}

TEST(may_lookup_exact)
{
	CHECK(opt_ok("lookup=console,log,sh,abcdefghijklmnop"));
	static const char *const yes[] = { "console", "log", "sh", "abcdefghijklmnop" };
	static const char *const no[] = {
		"", "c", "con", "consol", "consolex", "console ", " console", "Console",
		"CONSOLE", "s", "shell", "sh ", "lo", "logs", "abcdefghijklmno",
		"abcdefghijklmnopq", "bcdefghijklmnop", "*", "console,log", "log,sh",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(manifest_may_lookup(&E, yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		CHECK(!manifest_may_lookup(&E, no[i]));

	/* A name that is a prefix of another listed one. */
	CHECK(opt_ok("lookup=ab lookup=a"));
	CHECK(manifest_may_lookup(&E, "a") && manifest_may_lookup(&E, "ab"));
	CHECK(!manifest_may_lookup(&E, "abc") && !manifest_may_lookup(&E, "b"));

	CHECK(opt_ok("lookup=*"));
	CHECK(manifest_may_lookup(&E, "anything") && manifest_may_lookup(&E, "console"));

	CHECK(opt_ok("log control"));
	CHECK(!manifest_may_lookup(&E, "console") && !manifest_may_lookup(&E, ""));
	CHECK(!manifest_may_lookup(&E, "*"));
}

/* ------------------------------------------------------------ args */

TEST(args_quoting)
{
	char line[512], text[256];

	CHECK(opt_ok("args=\"\""));
	CHECK(E.args[0] == 0);
	CHECK(opt_ok("args=\"x\""));
	CHECK(strcmp(E.args, "x") == 0);
	CHECK(opt_ok("args=\"a b  c \""));
	CHECK(strcmp(E.args, "a b  c ") == 0);
	CHECK(opt_ok("args=\"  lead\" log"));
	CHECK(strcmp(E.args, "  lead") == 0 && E.log == 1);
	CHECK(opt_ok("args=\"x\"\tlog"));
	CHECK(strcmp(E.args, "x") == 0 && E.log == 1);
	CHECK(opt_ok("args=\"x\"\r"));
	CHECK(strcmp(E.args, "x") == 0);
	/* Options inside the quotes are text. */
	CHECK(opt_ok("args=\"prio=5 log lookup=* \" control"));
	CHECK(strcmp(E.args, "prio=5 log lookup=* ") == 0);
	CHECK(E.prio == DEF_PRIO && E.log == 0 && E.lookup_all == 0 && E.control == 1);
	CHECK(opt_ok("prio=9 args=\"a\" prio=10"));
	CHECK(E.prio == 10 && strcmp(E.args, "a") == 0);
	/* Every printable character but '"' and '#'. */
	{
		size_t n = 0;

		for (int c = 0x20; c <= 0x7E; c++)
			if (c != '"' && c != '#')
				text[n++] = (char)c;
		text[n] = 0;
		snprintf(line, sizeof line, "args=\"%s\"", text);
		CHECK(opt_ok(line));
		CHECK(strcmp(E.args, text) == 0);
	}

	/* Not closed. */
	CHECK(opt_bad("args=\"", R_ARGS));
	CHECK(opt_bad("args=\"x", R_ARGS));
	CHECK(opt_bad("args=\"x y log", R_ARGS));
	CHECK(opt_bad("args=\"x # \"", R_ARGS));
	/* Not followed by a blank or the end. */
	CHECK(opt_bad("args=\"x\"y", R_ARGS));
	CHECK(opt_bad("args=\"x\"\"y\"", R_ARGS));
	CHECK(opt_bad("args=\"x\"log", R_ARGS));
	CHECK(opt_bad("args=\"x\"=", R_ARGS));
	CHECK(opt_bad("args=\"a\"b c\"", R_ARGS));
	CHECK(opt_ok("args=\"x\"#y"));          /* the comment is the end */
	/* Not printable: tabs, CRs, controls, DEL, bytes above 0x7e. */
	CHECK(opt_bad("args=\"a\tb\"", R_ARGS));
	CHECK(opt_bad("args=\"a\rb\"", R_ARGS));
	CHECK(opt_bad("args=\"\x7f\"", R_ARGS));
	CHECK(opt_bad("args=\"\x80\"", R_ARGS));
	CHECK(opt_bad("args=\"\xff\"", R_ARGS));
	CHECK(opt_bad("args=\"\x01\"", R_ARGS));
	CHECK(opt_bad("args=\"\x1f\"", R_ARGS));
	CHECK(opt_bad("args=\"a\nb\"", R_ARGS));
	CHECK(bad_n("a b args=\"x\0y\"", 15, R_ARGS));
	/* Only args=" starts a quoted value. */
	CHECK(opt_bad("args=x", R_UNKNOWN));
	CHECK(opt_bad("args='x'", R_UNKNOWN));
	CHECK(opt_bad("args =\"x\"", R_UNKNOWN));
	CHECK(opt_bad("Args=\"x\"", R_UNKNOWN));
	CHECK(opt_bad("xargs=\"x\"", R_UNKNOWN));
	CHECK(opt_bad("\"x\"", R_UNKNOWN));
	/* Quotes in the name and module are plain characters. */
	CHECK(ok("\"a b\""));
	CHECK(strcmp(E.name, "\"a") == 0 && strcmp(E.module, "b\"") == 0);
	CHECK(E.args[0] == 0);
	CHECK(bad("\"a b c\"", R_UNKNOWN));
	CHECK(bad("args=\"x y\" m", R_UNKNOWN));
}

TEST(args_length)
{
	char text[MANIFEST_ARGS_MAX + 64], line[512];

	for (size_t len = 190; len <= MANIFEST_ARGS_MAX + 40; len++) {
		for (size_t i = 0; i < len; i++)
			text[i] = (char)(i % 7 == 3 ? ' ' : 'a' + i % 26);
		text[len] = 0;
		snprintf(line, sizeof line, "a b args=\"%s\" log", text);
		if (len <= MANIFEST_ARGS_MAX) {
			CHECK(ok(line));
			CHECK(strlen(E.args) == len && strcmp(E.args, text) == 0 && E.log == 1);
		} else {
			CHECK(bad(line, R_ARGS));
		}
		/* And at the end of the line. */
		snprintf(line, sizeof line, "a b args=\"%s\"", text);
		CHECK(len <= MANIFEST_ARGS_MAX ? ok(line) : bad(line, R_ARGS));
	}
	CHECK(MANIFEST_ARGS_MAX == 200);
}

TEST(first_problem_is_reported)
{
	CHECK(opt_bad("prio=0 irq=300", R_PRIO));
	CHECK(opt_bad("irq=300 prio=0", R_IRQ));
	CHECK(opt_bad("restart=maybe start=later", R_RESTART));
	CHECK(opt_bad("start=later restart=maybe", R_START));
	CHECK(opt_bad("io=2-1 mem=1+1", R_IO));
	CHECK(opt_bad("mem=1+1 io=2-1", R_MEM));
	CHECK(opt_bad("lookup=, heap=1", R_LOOKUP));
	CHECK(opt_bad("heap=1 stack=1", R_HEAP));
	CHECK(opt_bad("stack=1 quota=1", R_STACK));
	CHECK(opt_bad("quota=1 args=\"", R_QUOTA));
	CHECK(opt_bad("args=\"\x01\" foo", R_ARGS));
	CHECK(opt_bad("log foo prio=0", R_UNKNOWN));
}

/* ------------------------------------------------------------ generated */

/* xorshift64: a fixed seed, so that a failure reproduces. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static int printable_str(const char *s, size_t min, size_t max, unsigned lo)
{
	size_t n = strnlen(s, max + 1);

	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < lo || (unsigned char)s[i] > 0x7E)
			return 0;
	return 1;
}

static int page_multiple(uint64_t v)
{
	return (v & 0xFFF) == 0;
}

/* Whether an accepted entry keeps every documented limit; prints the first
 * broken one. */
static int entry_sane(const struct manifest_entry *e)
{
#define SANE(cond) do { if (!(cond)) { printf("    broken: %s\n", #cond); return 0; } } while (0)
	SANE(printable_str(e->name, 1, MANIFEST_NAME_MAX, 0x21));
	SANE(printable_str(e->module, 1, MANIFEST_MODULE_MAX, 0x21));
	SANE(printable_str(e->args, 0, MANIFEST_ARGS_MAX, 0x20));
	SANE(!strchr(e->args, '"') && !strchr(e->args, '#'));
	SANE(!strchr(e->name, '#') && !strchr(e->module, '#'));
	SANE(e->prio >= 1 && e->prio <= 127);
	SANE(e->restart == 0 || e->restart == 1);
	SANE(e->on_demand == 0 || e->on_demand == 1);
	SANE(e->log == 0 || e->log == 1);
	SANE(e->control == 0 || e->control == 1);
	SANE(e->lookup_all == 0 || e->lookup_all == 1);
	SANE(e->ngrants <= MANIFEST_GRANTS_MAX);
	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct grant *g = &e->grants[i];

		if (g->kind == GRANT_IRQ) {
			SANE(g->a <= 255 && g->b == 0);
		} else if (g->kind == GRANT_IO) {
			SANE(g->a <= g->b && g->b <= 0xFFFF);
		} else {
			SANE(g->kind == GRANT_MEM);
			SANE(page_multiple(g->a) && page_multiple(g->b) && g->b != 0);
			SANE(g->b <= U64_MAX - g->a);
		}
	}
	SANE(e->nlookups <= MANIFEST_LOOKUPS_MAX);
	for (unsigned i = 0; i < e->nlookups; i++) {
		SANE(printable_str(e->lookups[i], 1, MANIFEST_NAME_MAX, 0x21));
		SANE(!strchr(e->lookups[i], ',') && !strchr(e->lookups[i], '#'));
		SANE(manifest_may_lookup(e, e->lookups[i]));
	}
	SANE(e->heap <= MAX_HEAP && page_multiple(e->heap));
	SANE(e->stack >= MIN_STACK && e->stack <= MAX_STACK && page_multiple(e->stack));
	SANE(e->quota >= MIN_QUOTA && e->quota <= MAX_QUOTA && page_multiple(e->quota));
	return 1;
#undef SANE
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The outcome of any line: -1 with a documented reason; 0 when all before
 * the first '#' is blank; 1 with an entry in every limit, named by the
 * line's first word. */
static int outcome_sane(const char *s, size_t n)
{
	int r = parse_n(s, n);
	size_t end = 0, i = 0, w;

	while (end < n && s[end] != '#')
		end++;
	while (i < end && is_sep(s[i]))
		i++;
	w = i;
	while (w < end && !is_sep(s[w]))
		w++;
	if (r == -1 && known_reason(WHY))
		return 1;
	if (r == 0 && i == end && E.name[0] == 0)
		return 1;
	if (r == 1 && i < end && entry_sane(&E) && w - i == strlen(E.name) &&
	    memcmp(E.name, s + i, w - i) == 0)
		return 1;
	show(s, n);
	printf("    returned %d (%s)\n", r, r < 0 ? (WHY ? WHY : "NULL") : "");
	return 0;
}

/* --- the grammar-driven generator: a line and what it must give */

struct gen {
	char s[2048];
	size_t n;
	int valid;
	const char *why;                /* the first problem's reason */
	struct manifest_entry e;        /* the entry, while valid */
};

static void put(struct gen *g, const char *s, size_t n)
{
	if (g->n + n <= sizeof g->s) {
		memcpy(g->s + g->n, s, n);
		g->n += n;
	}
}

static void puts_(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void putc_(struct gen *g, char c)
{
	put(g, &c, 1);
}

static void fail(struct gen *g, const char *why)
{
	if (g->valid) {
		g->valid = 0;
		g->why = why;
	}
}

static void blanks(struct gen *g, unsigned min)
{
	static const char b[] = " \t\r";
	unsigned n = min + below(3);

	for (unsigned i = 0; i < n; i++)
		putc_(g, b[below(4) ? 0 : 1 + below(2)]);
}

static const char bad_chars[] = { 0x7f, (char)0x80, (char)0xff, 0x01, 0x00, '\v', '\f', '\n', 0x1f };

/* A printable word character other than those in except. */
static char word_char(const char *except)
{
	char c;

	do
		c = (char)(0x21 + below(0x7E - 0x21 + 1));
	while (strchr(except, c));
	return c;
}

/* A word of length len; sometimes with an unprintable byte. Returns
 * whether it is all printable. */
static int gen_word(char *out, size_t len, const char *except)
{
	int good = 1;

	for (size_t i = 0; i < len; i++)
		out[i] = word_char(except);
	if (len && below(20) == 0) {
		out[below((unsigned)len)] = bad_chars[below(sizeof bad_chars)];
		good = 0;
	}
	out[len] = 0;
	return good;
}

/* A number's text, in one of the accepted spellings. */
static void fmt_num(char *out, size_t size, uint64_t v)
{
	switch (below(6)) {
	case 0:
	case 1:
		snprintf(out, size, "%llu", (unsigned long long)v);
		break;
	case 2:
		snprintf(out, size, "%0*llu", 1 + (int)below(25), (unsigned long long)v);
		break;
	case 3:
		snprintf(out, size, "0x%llx", (unsigned long long)v);
		break;
	case 4:
		snprintf(out, size, "0X%llX", (unsigned long long)v);
		break;
	default:
		snprintf(out, size, "0x%0*llx", 1 + (int)below(20), (unsigned long long)v);
		break;
	}
}

/* A number near interesting edges, below limit + a margin, or anything. */
static uint64_t pick(uint64_t limit)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return limit;
	case 2: return limit + 1;
	case 3: return limit - 1;
	case 4: return U64_MAX - below(3);
	case 5: return rnd();
	default: return rnd() % (limit + limit / 8 + 2);
	}
}

static const char *const overflows[] = {
	"18446744073709551616", "99999999999999999999", "0x10000000000000000",
	"0x1ffffffffffffffff", "184467440737095516150",
};

static int add_grant_exp(struct gen *g, unsigned kind, uint64_t a, uint64_t b)
{
	if (g->e.ngrants == MANIFEST_GRANTS_MAX)
		return 0;
	g->e.grants[g->e.ngrants++] = (struct grant){ .kind = kind, .a = a, .b = b };
	return 1;
}

static void gen_size(struct gen *g, const char *key, const char *why, uint64_t min, uint64_t max,
		     uint64_t *field)
{
	static const char suffix[3][2] = { { 'K', 'k' }, { 'M', 'm' }, { 0, 0 } };
	unsigned shift = 0, which = below(3);
	uint64_t v;
	char num[64];

	puts_(g, key);
	putc_(g, '=');
	if (below(25) == 0) {
		puts_(g, overflows[below(sizeof overflows / sizeof overflows[0])]);
		if (below(2))
			putc_(g, below(2) ? 'K' : 'M');
		fail(g, why);
		return;
	}
	if (which == 0)
		shift = 10;
	else if (which == 1)
		shift = 20;
	switch (below(6)) {
	case 0: v = (max >> shift) + below(3); break;
	case 1: v = (min >> shift) - (min >> shift ? below(2) : 0); break;
	case 2: v = (U64_MAX >> shift) + 1 + below(4); break;   /* wraps if shifted */
	case 3: v = rnd() % ((max >> shift) + 2); break;
	default: v = (rnd() % ((max >> 12) + 2)) << 12 >> shift; break;
	}
	if (shift == 0 && below(4) == 0)
		v += below(4096);
	fmt_num(num, sizeof num, v);
	puts_(g, num);
	if (shift)
		putc_(g, suffix[which][below(2)]);
	if (v > (max >> shift) || (v << shift) < min || !page_multiple(v << shift))
		fail(g, why);
	else if (g->valid)
		*field = v << shift;
}

static void gen_lookup(struct gen *g)
{
	char names[10][24], text[256];
	unsigned m, len;
	size_t tn = 0;
	int good = 1;

	puts_(g, "lookup=");
	if (below(5) == 0) {
		putc_(g, '*');
		if (g->valid)
			g->e.lookup_all = 1;
		return;
	}
	m = 1 + below(below(4) ? 4 : 9);
	for (unsigned i = 0; i < m; i++) {
		unsigned r = below(10);

		len = r == 0 ? 0 : r == 1 ? 16 + below(2) : 1 + below(16);
		if (m == 1 && len == 0)
			len = 1;        /* "lookup=" alone: see lookup_empty_value_rejected */
		if (!gen_word(names[i], len, ",#\"") || len == 0 || len > MANIFEST_NAME_MAX)
			good = 0;
		if (i)
			text[tn++] = ',';
		memcpy(text + tn, names[i], len);
		tn += len;
	}
	if (below(12) == 0) {
		text[tn++] = ',';
		good = 0;
	}
	put(g, text, tn);
	if (m == 1 && !strcmp(names[0], "*") && good) {
		if (g->valid)
			g->e.lookup_all = 1;
		return;
	}
	if (!good || g->e.nlookups + m > MANIFEST_LOOKUPS_MAX) {
		fail(g, R_LOOKUP);
		return;
	}
	if (g->valid)
		for (unsigned i = 0; i < m; i++)
			strcpy(g->e.lookups[g->e.nlookups++], names[i]);
}

/* args="...": last says whether it may be left unclosed (nothing after it
 * whose quote could close it). */
static void gen_args(struct gen *g, int last)
{
	char text[256];
	unsigned r = below(8), len;
	int good = 1;

	len = r == 0 ? 0 : r == 1 ? 199 + below(4) : r == 2 ? below(220) : below(20);
	for (unsigned i = 0; i < len; i++)
		text[i] = below(5) ? word_char("\"#") : ' ';
	if (len && below(12) == 0) {
		text[below(len)] = "\t\r\x7f\x80\x01\xff"[below(6)];
		good = 0;
	}
	if (len > MANIFEST_ARGS_MAX)
		good = 0;
	puts_(g, "args=\"");
	put(g, text, len);
	if (last && below(10) == 0) {
		fail(g, R_ARGS);                /* not closed */
		return;
	}
	putc_(g, '"');
	if (below(15) == 0) {
		putc_(g, word_char("#"));       /* not followed by a blank */
		good = 0;
	}
	if (!good) {
		fail(g, R_ARGS);
		return;
	}
	if (g->valid) {
		memcpy(g->e.args, text, len);
		g->e.args[len] = 0;
	}
}

static void gen_option(struct gen *g, int last)
{
	static const char *const unknown[] = {
		"foo", "logs", "Log", "control=1", "prio", "=", "x=y", "args", "args=x",
		"lookup", "irq", "heapsize=4K", "restart", "PRIO=5", "args='x'", ",", "*",
		"-", "+", "log=", "mem", "io", "start",
	};
	static const struct { const char *v; int set; } restart[] = {
		{ "yes", 1 }, { "no", 0 }, { "YES", -1 }, { "", -1 }, { "yes!", -1 },
		{ "n", -1 },
	}, start[] = {
		{ "boot", 0 }, { "demand", 1 }, { "Boot", -1 }, { "", -1 }, { "demandx", -1 },
		{ "boo", -1 },
	};
	char num[64], num2[64];
	uint64_t a, b;
	unsigned k;

	switch (below(15)) {
	case 0:
		puts_(g, "prio=");
		if (below(20) == 0) {
			puts_(g, overflows[below(sizeof overflows / sizeof overflows[0])]);
			fail(g, R_PRIO);
			break;
		}
		a = pick(127);
		fmt_num(num, sizeof num, a);
		puts_(g, num);
		if (a < 1 || a > 127)
			fail(g, R_PRIO);
		else if (g->valid)
			g->e.prio = (unsigned)a;
		break;
	case 1:
		k = below(sizeof restart / sizeof restart[0]);
		puts_(g, "restart=");
		puts_(g, restart[k].v);
		if (restart[k].set < 0)
			fail(g, R_RESTART);
		else if (g->valid)
			g->e.restart = restart[k].set;
		break;
	case 2:
		k = below(sizeof start / sizeof start[0]);
		puts_(g, "start=");
		puts_(g, start[k].v);
		if (start[k].set < 0)
			fail(g, R_START);
		else if (g->valid)
			g->e.on_demand = start[k].set;
		break;
	case 3:
		puts_(g, "irq=");
		a = pick(255);
		fmt_num(num, sizeof num, a);
		puts_(g, num);
		if (a > 255 || !add_grant_exp(g, GRANT_IRQ, a, 0))
			fail(g, R_IRQ);
		break;
	case 4:
		puts_(g, "io=");
		a = pick(0xFFFF);
		b = below(3) ? a + below(64) : pick(0xFFFF);
		fmt_num(num, sizeof num, a);
		fmt_num(num2, sizeof num2, b);
		puts_(g, num);
		if (below(25) == 0) {
			putc_(g, "+,="[below(3)]);
			puts_(g, num2);
			fail(g, R_IO);
			break;
		}
		putc_(g, '-');
		puts_(g, num2);
		if (a > b || b > 0xFFFF || (b < a) || !add_grant_exp(g, GRANT_IO, a, b))
			fail(g, R_IO);
		break;
	case 5:
		puts_(g, "mem=");
		a = below(6) ? (rnd() % (1ull << 40)) & ~0xFFFull : pick(U64_MAX & ~0xFFFull);
		b = below(6) ? (1 + rnd() % 4096) << 12 : pick(1ull << 32);
		if (below(10) == 0)
			a += 1 + below(0xFFF);
		if (below(10) == 0)
			b += 1 + below(0xFFF);
		if (below(10) == 0)
			b = 0;
		fmt_num(num, sizeof num, a);
		fmt_num(num2, sizeof num2, b);
		puts_(g, num);
		putc_(g, below(30) ? '+' : '-');
		puts_(g, num2);
		if (g->s[g->n - strlen(num2) - 1] != '+' || !page_multiple(a) ||
		    !page_multiple(b) || b == 0 || b > U64_MAX - a ||
		    !add_grant_exp(g, GRANT_MEM, a, b))
			fail(g, R_MEM);
		break;
	case 6:
		gen_lookup(g);
		break;
	case 7:
		gen_size(g, "heap", R_HEAP, 0, MAX_HEAP, &g->e.heap);
		break;
	case 8:
		gen_size(g, "stack", R_STACK, MIN_STACK, MAX_STACK, &g->e.stack);
		break;
	case 9:
		gen_size(g, "quota", R_QUOTA, MIN_QUOTA, MAX_QUOTA, &g->e.quota);
		break;
	case 10:
		gen_args(g, last);
		break;
	case 11:
		puts_(g, "log");
		if (g->valid)
			g->e.log = 1;
		break;
	case 12:
		puts_(g, "control");
		if (g->valid)
			g->e.control = 1;
		break;
	case 13:
		if (below(4) == 0) {
			puts_(g, unknown[below(sizeof unknown / sizeof unknown[0])]);
			fail(g, R_UNKNOWN);
			break;
		}
		/* fall through */
	default:
		gen_option(g, last);
		break;
	}
}

static void gen_line(struct gen *g)
{
	char w[64];
	unsigned len, nopt;

	g->n = 0;
	g->valid = 1;
	g->why = NULL;
	memset(&g->e, 0, sizeof g->e);
	g->e.prio = DEF_PRIO;
	g->e.heap = DEF_HEAP;
	g->e.stack = DEF_STACK;
	g->e.quota = DEF_QUOTA;

	if (below(3) == 0)
		blanks(g, 1);
	len = 1 + below(below(8) ? 16 : 18);
	if (!gen_word(w, len, "#") || len > MANIFEST_NAME_MAX)
		fail(g, R_NAME);
	put(g, w, len);         /* it may hold a NUL */
	if (g->valid)
		strcpy(g->e.name, w);
	nopt = below(4) ? below(6) : below(14);
	len = below(20) == 0 && nopt == 0 ? 0 : 1 + below(below(8) ? 32 : 34);
	if (len) {
		blanks(g, 1);
		if (!gen_word(w, len, "#") || len > MANIFEST_MODULE_MAX)
			fail(g, R_MODULE);
		put(g, w, len);
		if (g->valid)
			strcpy(g->e.module, w);
	} else {
		fail(g, R_MODULE);
	}
	for (unsigned i = 0; i < nopt; i++) {
		blanks(g, 1);
		gen_option(g, i == nopt - 1);
	}
	if (below(3) == 0)
		blanks(g, 1);
	if (below(4) == 0) {            /* a comment of any bytes */
		unsigned n = below(30);

		putc_(g, '#');
		for (unsigned i = 0; i < n; i++)
			putc_(g, (char)below(256));
	}
}

static int same_entry(const struct manifest_entry *x, const struct manifest_entry *y)
{
#define SAME(cond) do { if (!(cond)) { printf("    differs: %s\n", #cond); return 0; } } while (0)
	SAME(strcmp(x->name, y->name) == 0);
	SAME(strcmp(x->module, y->module) == 0);
	SAME(strcmp(x->args, y->args) == 0);
	SAME(x->prio == y->prio);
	SAME(x->restart == y->restart);
	SAME(x->on_demand == y->on_demand);
	SAME(x->log == y->log);
	SAME(x->control == y->control);
	SAME(x->lookup_all == y->lookup_all);
	SAME(x->ngrants == y->ngrants);
	for (unsigned i = 0; i < x->ngrants; i++) {
		SAME(x->grants[i].kind == y->grants[i].kind);
		SAME(x->grants[i].a == y->grants[i].a);
		SAME(x->grants[i].b == y->grants[i].b);
	}
	SAME(x->nlookups == y->nlookups);
	for (unsigned i = 0; i < x->nlookups; i++)
		SAME(strcmp(x->lookups[i], y->lookups[i]) == 0);
	SAME(x->heap == y->heap);
	SAME(x->stack == y->stack);
	SAME(x->quota == y->quota);
	return 1;
#undef SAME
}

#define GEN_LINES 40000

TEST(generated_lines_match_the_grammar)
{
	static struct gen g;
	unsigned valid = 0;

	for (unsigned i = 0; i < GEN_LINES; i++) {
		int r;

		gen_line(&g);
		r = parse_n(g.s, g.n);
		if (g.valid) {
			if (r != 1 || !same_entry(&E, &g.e) || !entry_sane(&E)) {
				show(g.s, g.n);
				printf("    line %u: expected an entry, got %d (%s)\n", i, r,
				       r < 0 ? WHY : "");
				CHECK(0);
			}
			valid++;
		} else if (r != -1 || !WHY || strcmp(WHY, g.why) != 0) {
			show(g.s, g.n);
			printf("    line %u: expected -1 (%s), got %d (%s)\n", i, g.why, r,
			       r < 0 ? (WHY ? WHY : "NULL") : "");
			CHECK(0);
		}
	}
	/* Both outcomes are well represented. */
	CHECK(valid > GEN_LINES / 10 && valid < GEN_LINES - GEN_LINES / 10);
}

TEST(fuzz_random_bytes)
{
	static const char *const tokens[] = {
		" ", "\t", "\r", "#", "\"", "=", ",", "-", "+", "*", "0x", "0X", "K", "M",
		"prio=", "restart=", "start=", "irq=", "io=", "mem=", "lookup=", "heap=",
		"stack=", "quota=", "args=\"", "log", "control", "yes", "no", "boot",
		"demand", "18446744073709551616", "0xfffffffffffff000", "127", "4096",
	};
	static const char alpha[] = " \t\r#\"=,-+*0123456789xXkKmMabcdefABCDEF";
	char buf[400];

	for (unsigned i = 0; i < 30000; i++) {
		size_t n = 0, want = below(below(4) ? 60 : 400);

		while (n < want) {
			unsigned how = below(10);

			if (how < 3) {
				buf[n++] = (char)below(256);
			} else if (how < 7) {
				buf[n++] = alpha[below(sizeof alpha - 1)];
			} else {
				const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
				size_t tl = strlen(t);

				if (n + tl > sizeof buf)
					break;
				memcpy(buf + n, t, tl);
				n += tl;
			}
		}
		/* Half of them start like a line. */
		if (i % 2 && n >= 4) {
			buf[0] = 'n';
			buf[1] = ' ';
			buf[2] = 'm';
			buf[3] = ' ';
		}
		CHECK(outcome_sane(buf, n));
	}
}

TEST(fuzz_mutated_valid_lines)
{
	static struct gen g;
	static const char *const seeds[] = {
		"console   console.elf  prio=120 irq=4 io=0x3f8-0x3ff log restart=yes",
		"sh        sh.elf       prio=100 lookup=console control restart=yes quota=4M",
		"drv drv.elf prio=7 restart=yes start=demand irq=9 io=0x60-0x64 "
		"mem=0xfee00000+0x1000 lookup=console,pci heap=8M stack=128K quota=1M "
		"args=\"-v --port 3\" log control",
		"a b args=\"x y z\" lookup=a,b,c,d,e,f,g,h heap=1024M stack=16M quota=64M",
		"abcdefghijklmnop 0123456789abcdef0123456789abcdef irq=0 irq=255 io=0-0xffff "
		"mem=0xffffffffffffe000+0x1000 mem=0+0x1000 io=1-1 irq=1 irq=2",
	};
	char buf[2200];
	unsigned mutated = 0;

	while (mutated < 30000) {
		size_t n;

		if (mutated % 3 == 0) {
			const char *s = seeds[below(sizeof seeds / sizeof seeds[0])];

			n = strlen(s);
			memcpy(buf, s, n);
		} else {
			do
				gen_line(&g);
			while (!g.valid);
			n = g.n;
			memcpy(buf, g.s, n);
		}
		for (unsigned k = 1 + below(4); k; k--) {
			size_t at = n ? below((unsigned)n) : 0, len;

			switch (below(7)) {
			case 0:         /* replace a byte */
				if (n)
					buf[at] = (char)below(256);
				break;
			case 1:         /* replace with a special one */
				if (n)
					buf[at] = " \t\r#\"=,-+*0xKM\0\x7f"[below(16)];
				break;
			case 2:         /* insert */
				if (n < sizeof buf - 1) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = " \t\r#\"=,-+*0xKM9"[below(15)];
					n++;
				}
				break;
			case 3:         /* delete a run */
				len = below(8);
				if (at + len > n)
					len = n - at;
				memmove(buf + at, buf + at + len, n - at - len);
				n -= len;
				break;
			case 4:         /* duplicate a run */
				len = below(40);
				if (at + len > n)
					len = n - at;
				if (n + len <= sizeof buf) {
					memmove(buf + at + len, buf + at, n - at);
					n += len;
				}
				break;
			case 5:         /* truncate */
				n = at;
				break;
			default:        /* flip a bit */
				if (n)
					buf[at] ^= (char)(1 << below(8));
				break;
			}
		}
		CHECK(outcome_sane(buf, n));
		mutated++;
	}
}

TEST(fuzz_every_prefix)
{
	static struct gen g;

	/* Each prefix of generated lines, valid or not: every place a line can
	 * end, inside a word, a number or a quote. */
	for (unsigned i = 0; i < 400; i++) {
		gen_line(&g);
		for (size_t n = 0; n <= g.n; n++)
			CHECK(outcome_sane(g.s, n));
	}
}
