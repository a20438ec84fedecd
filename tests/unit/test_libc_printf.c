/*
 * Host unit tests of libc's printf engine (libc/src/format.c) through
 * snprintf and friends, compared byte for byte and in their return values
 * with the host's snprintf: tens of thousands of generated conversions
 * (random flags, widths, precisions, lengths and values, extremes
 * included), each also at every buffer size from 0 to its length + 1 in a
 * malloc'd buffer of exactly that size, so ASan catches a write past it;
 * then the cases the host cannot judge (libc's choices) and the limits.
 *
 * libc: libc/src/format.c libc/src/snprintf.c libc/src/string.c
 */
#define UNIT_SUITE "libc_printf"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

/* Some formats here are odd on purpose (flags that cancel, "%5%"). */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

/* libc under test, its symbols renamed by tests/run.sh. */
int libc_snprintf(char *buf, size_t size, const char *fmt, ...);
int libc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int libc_sprintf(char *buf, const char *fmt, ...);

typedef int (*snprintf_fn)(char *, size_t, const char *, ...);

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	return unit_rng(&rng_state);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* An integer that printf's edges care about, or a random one of random width. */
static uint64_t interesting(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256,
		32767, 32768, 65535, 65536, INT_MAX, (uint64_t)INT_MAX + 1, UINT_MAX,
		(uint64_t)UINT_MAX + 1, LLONG_MAX, (uint64_t)LLONG_MAX + 1, ULLONG_MAX,
		ULLONG_MAX - 1, 01234567, 0xDEADBEEF, 1000000000000ull,
	};
	uint64_t v;

	if (below(2))
		v = edges[below(sizeof edges / sizeof edges[0])];
	else
		v = rng() >> below(64);
	return below(3) == 0 ? -v : v;
}

enum kind {
	K_INT, K_UINT, K_LONG, K_ULONG, K_LLONG, K_ULLONG, K_SIZE, K_PTRDIFF,
	K_INTMAX, K_UINTMAX, K_STR, K_PTR,
};

struct arg {
	enum kind kind;
	uint64_t bits;          /* the integer kinds, converted at the call */
	const char *s;
	void *p;
};

/* f(buf, size, fmt, [stars...,] value), passing value in its own type. */
static int call(snprintf_fn f, char *buf, size_t size, const char *fmt,
		int nstars, const int *stars, const struct arg *a)
{
#define CALL(v)                                                                   \
	(nstars == 0 ? f(buf, size, fmt, v)                                       \
	 : nstars == 1 ? f(buf, size, fmt, stars[0], v)                           \
		       : f(buf, size, fmt, stars[0], stars[1], v))
	switch (a->kind) {
	case K_INT:     return CALL((int)a->bits);
	case K_UINT:    return CALL((unsigned)a->bits);
	case K_LONG:    return CALL((long)a->bits);
	case K_ULONG:   return CALL((unsigned long)a->bits);
	case K_LLONG:   return CALL((long long)a->bits);
	case K_ULLONG:  return CALL((unsigned long long)a->bits);
	case K_SIZE:    return CALL((size_t)a->bits);
	case K_PTRDIFF: return CALL((ptrdiff_t)a->bits);
	case K_INTMAX:  return CALL((intmax_t)a->bits);
	case K_UINTMAX: return CALL((uintmax_t)a->bits);
	case K_STR:     return CALL(a->s);
	case K_PTR:     return CALL(a->p);
	}
#undef CALL
	return -2;
}

/* The argument type that a length modifier gives a signed or unsigned conversion. */
static enum kind integer_kind(const char *length, int is_signed)
{
	static const struct {
		const char *length;
		enum kind s, u;
	} map[] = {
		{ "", K_INT, K_UINT }, { "hh", K_INT, K_UINT }, { "h", K_INT, K_UINT },
		{ "l", K_LONG, K_ULONG }, { "ll", K_LLONG, K_ULLONG },
		{ "z", K_PTRDIFF, K_SIZE }, { "j", K_INTMAX, K_UINTMAX },
		{ "t", K_PTRDIFF, K_SIZE },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].length, length) == 0)
			return is_signed ? map[i].s : map[i].u;
	return K_INT;
}

static const char *const strings[] = {
	"", "a", "hello", "hello, world", "tab\there", "line\nbreak", "%d is text",
	"\xff\x80 high bytes",
	"0123456789012345678901234567890123456789012345678901234567890123456789",
};

/* One generated case: the format, its star arguments and its value. */
struct gen_case {
	char fmt[64];
	int nstars;
	int stars[2];
	struct arg arg;
};

static void generate(struct gen_case *c)
{
	static const char lengths[][3] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	static const char convs[] = "diuoxXcsp%";
	char conv = convs[below(sizeof convs - 1)];
	char *f = c->fmt;

	c->nstars = 0;
	if (below(3) == 0)
		f += sprintf(f, "%s", below(2) ? "x=" : "[");
	*f++ = '%';
	if (conv != '%') {
		for (unsigned n = below(5); n; n--)
			*f++ = "-+ #0"[below(5)];
		switch (below(5)) {
		case 0:
		case 1:
			break;
		case 2:
		case 3:
			f += sprintf(f, "%u", below(31));
			break;
		default:
			*f++ = '*';
			c->stars[c->nstars++] = (int)below(61) - 30;
		}
		switch (below(6)) {
		case 0:
		case 1:
		case 2:
			break;
		case 3:
			*f++ = '.';
			break;
		case 4:
			f += sprintf(f, ".%u", below(31));
			break;
		default:
			f += sprintf(f, ".*");
			c->stars[c->nstars++] = (int)below(36) - 5;
		}
	}
	switch (conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'o':
	case 'x':
	case 'X': {
		const char *len = lengths[below(8)];

		f += sprintf(f, "%s", len);
		c->arg.kind = integer_kind(len, conv == 'd' || conv == 'i');
		c->arg.bits = interesting();
		break;
	}
	case 'c':
		c->arg.kind = K_INT;
		c->arg.bits = below(8) == 0 ? 0 : 1 + below(255);
		break;
	case 's':
		c->arg.kind = K_STR;
		c->arg.s = strings[below(sizeof strings / sizeof strings[0])];
		break;
	case 'p':
		/* NULL prints "(nil)", libc's choice as glibc's; tested apart. */
		c->arg.kind = K_PTR;
		c->arg.p = (void *)(uintptr_t)(interesting() | 1);
		break;
	default:
		c->arg.kind = K_INT;    /* unused by "%%" */
		c->arg.bits = 0;
	}
	*f++ = conv;
	if (below(3) == 0)
		f += sprintf(f, "%s", below(2) ? "|" : " end\n");
	*f = '\0';
}

static int cases_run, sizes_run;

/* Runs c against the host at full size and at every size up to its length + 1. */
static int compare_case(const struct gen_case *c)
{
	char want[512], *got;
	int want_len = call(snprintf, want, sizeof want, c->fmt, c->nstars, c->stars, &c->arg);

	if (want_len < 0 || want_len >= (int)sizeof want) {
		printf("host: %d for \"%s\"\n", want_len, c->fmt);
		return 0;
	}
	cases_run++;
	for (size_t size = 0; size <= (size_t)want_len + 1; size++) {
		char trunc[512];
		int got_len;

		call(snprintf, trunc, size, c->fmt, c->nstars, c->stars, &c->arg);
		got = malloc(size ? size : 1);
		got_len = call(libc_snprintf, size ? got : NULL, size, c->fmt, c->nstars,
			       c->stars, &c->arg);
		sizes_run++;
		if (got_len != want_len || (size && memcmp(got, trunc, size) != 0)) {
			printf("\"%s\" stars %d %d value %#llx size %zu: got %d \"%.*s\", want %d \"%s\"\n",
			       c->fmt, c->nstars > 0 ? c->stars[0] : 0, c->nstars > 1 ? c->stars[1] : 0,
			       (unsigned long long)c->arg.bits, size, got_len,
			       size ? (int)strnlen(got, size) : 0, got, want_len, trunc);
			free(got);
			return 0;
		}
		free(got);
	}
	return 1;
}

TEST(generated_cases_match_host)
{
	struct gen_case c;

	for (int i = 0; i < 30000; i++) {
		generate(&c);
		CHECK(compare_case(&c));
	}
	printf("    %d cases, %d buffer sizes\n", cases_run, sizes_run);
}

/* Formats with several conversions and literal text, against the host. */
TEST(mixed_formats_match_host)
{
	char want[256], got[256];
	int wn, gn;

#define SAME(...)                                                            \
	do {                                                                 \
		wn = snprintf(want, sizeof want, __VA_ARGS__);               \
		gn = libc_snprintf(got, sizeof got, __VA_ARGS__);            \
		CHECK(wn == gn && strcmp(want, got) == 0);                   \
	} while (0)
	SAME("plain text");
	SAME("");
	SAME("%d %i %u %o %x %X %c %s %% %p", -5, 6, 7u, 8u, 255u, 255u, 'q', "str", (void *)0x1000);
	SAME("%hhd %hhu %hd %hu", 300, -1, 70000, -1);
	SAME("%lld %llu %jd %ju", LLONG_MIN, ULLONG_MAX, INTMAX_MIN, UINTMAX_MAX);
	SAME("%ld %lx %zu %zd %td %tu", LONG_MIN, ULONG_MAX, SIZE_MAX, (ptrdiff_t)-1, PTRDIFF_MIN, (size_t)PTRDIFF_MAX);
	SAME("%d %d", INT_MIN, INT_MAX);
	SAME("%#o %#.0o %#x %#X %#.0x %.0d|%5.0d|", 0u, 0u, 0u, 0u, 0u, 0, 0);
	SAME("%#5o|%#08x|%#-8X|%-+08d|% 08d|%+ d", 8u, 1u, 0xabu, 5, 5, 5);
	SAME("%*d|%-*d|%*d|%.*d|%.*d", 6, 42, 6, 42, -6, 42, 4, 7, -4, 7);
	SAME("%%%%|%%");
	SAME("%.3s|%10.3s|%-10s|%.0s|%s", "abcdef", "abcdef", "ab", "abc", "");
	SAME("%c%c%c", 'a', 0x80, 'z');
	SAME("%020p|%-20p|%+p|% p|%.20p|%#p", (void *)0x1234, (void *)0x1234, (void *)0x1234,
	     (void *)0x1234, (void *)0x1234, (void *)0x1234);
	SAME("%p|%10p|%-10p|%010p", (void *)0, (void *)0, (void *)0, (void *)0);
#undef SAME
}

/* Cases where libc decides and the host is not the judge (or is, but
 * only outside what C defines). */
TEST(libc_choices)
{
	char buf[64];

	const char *null = NULL;        /* hidden from the compiler's format checks */

	/* A NULL string prints whole or not at all, as glibc does. */
	CHECK(libc_snprintf(buf, sizeof buf, "%s|%8s|%.6s", null, null, null) == 22);
	CHECK(strcmp(buf, "(null)|  (null)|(null)") == 0);
	CHECK(libc_snprintf(buf, sizeof buf, "%.5s|%3.1s|", null, null) == 5);
	CHECK(strcmp(buf, "|   |") == 0);
	/* glibc too ignores a width of %%; its ASan interceptor complains. */
	CHECK(libc_snprintf(buf, sizeof buf, "%5%|%-5%") == 3 && strcmp(buf, "%|%") == 0);
	CHECK(libc_snprintf(buf, sizeof buf, "%y|%") == 4 && strcmp(buf, "%y|%") == 0);
	CHECK(libc_snprintf(buf, sizeof buf, "%-5y") == 4 && strcmp(buf, "%-5y") == 0);
	CHECK(libc_snprintf(buf, sizeof buf, "a%lq") == 4 && strcmp(buf, "a%lq") == 0);
	/* A huge width saturates instead of overflowing. */
	CHECK(libc_snprintf(NULL, 0, "%99999999999999999999d", 1) == INT_MAX);
}

TEST(null_buffer_counts)
{
	CHECK(libc_snprintf(NULL, 0, "%d", 12345) == 5);
	CHECK(libc_snprintf(NULL, 0, "") == 0);
	CHECK(libc_snprintf(NULL, 0, "%-300s", "x") == 300);
}

TEST(size_one_is_just_the_nul)
{
	char buf[4] = "abc";

	CHECK(libc_snprintf(buf, 1, "%s", "hello") == 5);
	CHECK(buf[0] == '\0' && buf[1] == 'b');
}

/* Past INT_MAX the result cannot be returned: -1, and nothing overruns. */
TEST(length_past_int_max_fails)
{
	char buf[8];

	CHECK(libc_snprintf(buf, sizeof buf, "%*d", INT_MAX, 1) == INT_MAX);
	CHECK(strcmp(buf, "       ") == 0);
	CHECK(libc_snprintf(buf, sizeof buf, "%*d%*d", INT_MAX, 1, 5, 2) == -1);
	CHECK(libc_snprintf(NULL, 0, "x%*d", INT_MAX, 1) == -1);
}

TEST(sprintf_writes_all)
{
	char buf[128];

	CHECK(libc_sprintf(buf, "%s-%05d-%x", "id", 42, 0xbeefu) == 13);
	CHECK(strcmp(buf, "id-00042-beef") == 0);
}

static int via_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = libc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

TEST(vsnprintf_takes_a_va_list)
{
	char buf[32];

	CHECK(via_vsnprintf(buf, sizeof buf, "%s=%lld", "n", -9000000000ll) == 13);
	CHECK(strcmp(buf, "n=-9000000000") == 0);
	CHECK(via_vsnprintf(buf, 5, "%d%d%d", 123, 456, 789) == 9);
	CHECK(strcmp(buf, "1234") == 0);
}
