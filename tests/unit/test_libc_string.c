/*
 * Host unit tests of libc's string, ctype, strtol, qsort/bsearch,
 * strerror and abs functions, against the host's on generated inputs
 * (every alignment and overlap of the mem* functions, strings from a small
 * alphabet so that searches hit, numbers at and past every limit in every
 * base) and on their edge cases. qsort also meets McIlroy's adversary,
 * which makes a plain quicksort quadratic, and must stay O(n log n).
 *
 * libc: libc/src/string.c libc/src/ctype.c libc/src/strtol.c libc/src/qsort.c libc/src/errno.c libc/src/strerror.c libc/src/abs.c
 */
#define UNIT_SUITE "libc_string"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#include <abi/errno.h>

/* libc under test, its symbols renamed by tests/run.sh. */
void *libc_memcpy(void *dst, const void *src, size_t n);
void *libc_memmove(void *dst, const void *src, size_t n);
void *libc_memset(void *dst, int c, size_t n);
int libc_memcmp(const void *a, const void *b, size_t n);
void *libc_memchr(const void *s, int c, size_t n);
size_t libc_strlen(const char *s);
size_t libc_strnlen(const char *s, size_t max);
int libc_strcmp(const char *a, const char *b);
int libc_strncmp(const char *a, const char *b, size_t n);
char *libc_strcpy(char *dst, const char *src);
char *libc_strncpy(char *dst, const char *src, size_t n);
char *libc_strcat(char *dst, const char *src);
char *libc_strncat(char *dst, const char *src, size_t n);
char *libc_strchr(const char *s, int c);
char *libc_strrchr(const char *s, int c);
char *libc_strstr(const char *h, const char *n);
size_t libc_strspn(const char *s, const char *accept);
size_t libc_strcspn(const char *s, const char *reject);
char *libc_strtok_r(char *s, const char *delim, char **save);
char *libc_strerror(int err);
int libc_isalnum(int c), libc_isalpha(int c), libc_isdigit(int c), libc_isxdigit(int c);
int libc_isspace(int c), libc_isupper(int c), libc_islower(int c), libc_isprint(int c);
int libc_isgraph(int c), libc_ispunct(int c), libc_iscntrl(int c);
int libc_tolower(int c), libc_toupper(int c);
long libc_strtol(const char *s, char **end, int base);
unsigned long libc_strtoul(const char *s, char **end, int base);
long long libc_strtoll(const char *s, char **end, int base);
unsigned long long libc_strtoull(const char *s, char **end, int base);
int libc_atoi(const char *s);
int libc_abs(int n);
long libc_labs(long n);
void libc_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *libc_bsearch(const void *key, const void *base, size_t n, size_t size,
		   int (*cmp)(const void *, const void *));
extern int libc_errno;

/* libc's own errno values (libc/include/errno.h). */
enum { LIBC_EINVAL = 2, LIBC_EDOM = 64, LIBC_ERANGE = 65 };

static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rng(void)
{
	return unit_rng(&rng_state);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rng() % n);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

#define BUF 256

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng();
}

TEST(memcpy_memset_every_alignment)
{
	unsigned char src[BUF], a[BUF], b[BUF];

	for (int i = 0; i < 20000; i++) {
		size_t so = below(16), doff = below(16), n = below(BUF - 16);
		int c = (int)rng();

		fill_random(src, BUF);
		fill_random(a, BUF);
		memcpy(b, a, BUF);
		CHECK(libc_memcpy(a + doff, src + so, n) == a + doff);
		memcpy(b + doff, src + so, n);
		CHECK(memcmp(a, b, BUF) == 0);
		CHECK(libc_memset(a + doff, c, n) == a + doff);
		memset(b + doff, c, n);
		CHECK(memcmp(a, b, BUF) == 0);
	}
}

TEST(memmove_overlaps_both_ways)
{
	unsigned char a[BUF], b[BUF];

	for (int i = 0; i < 20000; i++) {
		size_t from = below(BUF), to = below(BUF);
		size_t max = BUF - (from > to ? from : to);
		size_t n = below((unsigned)max + 1);

		fill_random(a, BUF);
		memcpy(b, a, BUF);
		CHECK(libc_memmove(a + to, a + from, n) == a + to);
		memmove(b + to, b + from, n);
		CHECK(memcmp(a, b, BUF) == 0);
	}
}

TEST(memcmp_memchr_match_host)
{
	unsigned char a[64], b[64];

	for (int i = 0; i < 20000; i++) {
		size_t n = below(64);
		int c = (int)below(4);

		/* Few distinct bytes, so that equal prefixes and hits are common. */
		for (size_t k = 0; k < 64; k++) {
			a[k] = (unsigned char)(below(4) == 0 ? 0xF0 + below(2) : 'a');
			b[k] = (unsigned char)(below(4) == 0 ? 0xF0 + below(2) : 'a');
		}
		CHECK(sign(libc_memcmp(a, b, n)) == sign(memcmp(a, b, n)));
		CHECK(libc_memchr(a, 0xF0 + c, n) == memchr(a, 0xF0 + c, n));
		/* Only the low byte of c counts. */
		CHECK(libc_memchr(a, 0x100 + 'a', n) == memchr(a, 'a', n));
	}
}

/* A random string of up to max bytes from a small alphabet; high bytes too. */
static void random_string(char *s, size_t max)
{
	static const char alphabet[] = "aab,c \xe9";
	size_t n = below((unsigned)max + 1);

	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[below(sizeof alphabet - 1)];
	s[n] = '\0';
}

TEST(string_functions_match_host)
{
	char s[40], t[40], a[128], b[128];

	for (int i = 0; i < 30000; i++) {
		size_t n = below(45);
		int c = "ab, \xe9"[below(5)];

		random_string(s, 30);
		random_string(t, below(4) ? 3 : 30);
		CHECK(libc_strlen(s) == strlen(s));
		CHECK(libc_strnlen(s, n) == strnlen(s, n));
		CHECK(sign(libc_strcmp(s, t)) == sign(strcmp(s, t)));
		CHECK(sign(libc_strncmp(s, t, n)) == sign(strncmp(s, t, n)));
		CHECK(libc_strchr(s, c) == strchr(s, c));
		CHECK(libc_strchr(s, 0) == strchr(s, 0));
		CHECK(libc_strchr(s, c + 256) == strchr(s, c));
		CHECK(libc_strrchr(s, c) == strrchr(s, c));
		CHECK(libc_strrchr(s, 0) == s + strlen(s));
		CHECK(libc_strstr(s, t) == strstr(s, t));
		CHECK(libc_strspn(s, t) == strspn(s, t));
		CHECK(libc_strcspn(s, t) == strcspn(s, t));

		/* The copying functions write exactly what the host's do. */
		memset(a, 'x', sizeof a);
		memset(b, 'x', sizeof b);
		CHECK(libc_strcpy(a, s) == a);
		strcpy(b, s);
		CHECK(memcmp(a, b, sizeof a) == 0);
		CHECK(libc_strncpy(a, t, n) == a);
		strncpy(b, t, n);
		CHECK(memcmp(a, b, sizeof a) == 0);
		strcpy(a, s);
		strcpy(b, s);
		CHECK(libc_strcat(a, t) == a);
		strcat(b, t);
		CHECK(memcmp(a, b, sizeof a) == 0);
		CHECK(libc_strncat(a, s, n) == a);
		strncat(b, s, n);
		CHECK(memcmp(a, b, sizeof a) == 0);
	}
}

TEST(string_edges)
{
	char buf[8] = "abc";

	CHECK(libc_strstr(buf, "") == buf);
	CHECK(libc_strstr("", "") != NULL);
	CHECK(libc_strstr("", "a") == NULL);
	CHECK(libc_strstr("aaab", "aab") != NULL);
	CHECK(libc_strcmp("a", "a\xff") < 0 && libc_strcmp("\xff", "a") > 0);
	CHECK(libc_strncmp("abc", "abd", 2) == 0 && libc_strncmp("abc", "abd", 0) == 0);
	CHECK(libc_memcmp("a", "b", 0) == 0);
	CHECK(libc_strncpy(buf, "xy", 0) == buf && strcmp(buf, "abc") == 0);
	CHECK(libc_strspn("abc", "") == 0 && libc_strcspn("abc", "") == 3);
	/* c is converted to char: only its low byte counts. */
	CHECK(libc_strchr(buf, 'c' + 256) == buf + 2);
}

TEST(strtok_r_matches_host)
{
	for (int i = 0; i < 10000; i++) {
		char a[40] = "", b[40], delim[4];
		char *sa, *sb, *ta, *tb;

		random_string(a, 30);
		memcpy(b, a, sizeof b);
		random_string(delim, 3);
		ta = libc_strtok_r(a, delim, &sa);
		tb = strtok_r(b, delim, &sb);
		for (;;) {
			CHECK((ta == NULL) == (tb == NULL));
			if (!ta)
				break;
			CHECK(ta - a == tb - b && strcmp(ta, tb) == 0);
			ta = libc_strtok_r(NULL, delim, &sa);
			tb = strtok_r(NULL, delim, &sb);
		}
		CHECK(memcmp(a, b, sizeof a) == 0);
	}
}

TEST(ctype_matches_host_c_locale)
{
	for (int c = -1; c < 256; c++) {
		CHECK(!libc_isalnum(c) == !isalnum(c));
		CHECK(!libc_isalpha(c) == !isalpha(c));
		CHECK(!libc_isdigit(c) == !isdigit(c));
		CHECK(!libc_isxdigit(c) == !isxdigit(c));
		CHECK(!libc_isspace(c) == !isspace(c));
		CHECK(!libc_isupper(c) == !isupper(c));
		CHECK(!libc_islower(c) == !islower(c));
		CHECK(!libc_isprint(c) == !isprint(c));
		CHECK(!libc_isgraph(c) == !isgraph(c));
		CHECK(!libc_ispunct(c) == !ispunct(c));
		CHECK(!libc_iscntrl(c) == !iscntrl(c));
		CHECK(libc_tolower(c) == tolower(c));
		CHECK(libc_toupper(c) == toupper(c));
	}
}

/* The host's errno in libc's numbering. */
static int host_errno_as_libc(void)
{
	return errno == ERANGE ? LIBC_ERANGE : errno == EINVAL ? LIBC_EINVAL : errno;
}

/* A number-ish string: spaces, a sign, a prefix, digits of mixed bases. */
static void random_number(char *s)
{
	static const char *const prefixes[] = { "", "", "0", "0x", "0X", "00x", "x" };
	static const char digits[] = "0123456789abcdefxyzABCZ";
	char *p = s;
	unsigned n = below(4) ? below(12) : below(70);

	for (unsigned k = below(3); k; k--)
		*p++ = " \t\n\v\f\r"[below(6)];
	if (below(2))
		*p++ = "+-"[below(2)];
	p += sprintf(p, "%s", prefixes[below(7)]);
	for (unsigned k = 0; k < n; k++)
		*p++ = below(3) ? digits[below(10)] : digits[below(sizeof digits - 1)];
	if (below(4) == 0)
		*p++ = "- .9"[below(4)];
	*p = '\0';
}

static int base_for_test(void)
{
	static const int bases[] = { 0, 0, 0, 10, 16, 8, 2, 36, 3, 7, 1, 37, -1 };

	return bases[below(sizeof bases / sizeof bases[0])];
}

#define STRTO_SAME(fn, s, base)                                                    \
	do {                                                                       \
		char *ge = NULL, *he = NULL;                                       \
		errno = 0;                                                         \
		libc_errno = 0;                                                    \
		__typeof__(fn(s, &he, base)) want = fn(s, &he, base);              \
		__typeof__(want) got = libc_##fn(s, &ge, base);                    \
		CHECK(got == want);                                                \
		CHECK(libc_errno == host_errno_as_libc());                         \
		/* C leaves end open for a bad base (libc: s, tested apart). */    \
		CHECK(ge == he || (base == 1 || base < 0 || base > 36));          \
	} while (0)

TEST(strtol_family_matches_host)
{
	char s[128];

	for (int i = 0; i < 40000; i++) {
		int base = base_for_test();

		random_number(s);
		STRTO_SAME(strtol, s, base);
		STRTO_SAME(strtoul, s, base);
		STRTO_SAME(strtoll, s, base);
		STRTO_SAME(strtoull, s, base);
	}
}

TEST(strtol_limits)
{
	static const char *const cases[] = {
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "-18446744073709551616", "0x7fffffffffffffff",
		"0x8000000000000000", "-0x8000000000000000", "0xffffffffffffffff",
		"0x10000000000000000", "01777777777777777777777", "02000000000000000000000",
		"99999999999999999999999999999999999999", "-0", "+", "-", " ", "",
		"0x", "0xg", "-0x", "  -0x", "0b101", "z", "  +12abc", "\t-077",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int base = 0; base <= 36; base++) {
			if (base == 1)
				continue;
			STRTO_SAME(strtol, cases[i], base);
			STRTO_SAME(strtoul, cases[i], base);
			STRTO_SAME(strtoll, cases[i], base);
			STRTO_SAME(strtoull, cases[i], base);
		}
	}
}

TEST(strtol_end_and_errors)
{
	const char *s = "  -0x";
	char *end;

	/* "0x" without a hex digit: the number is the 0. */
	CHECK(libc_strtol(s, &end, 0) == 0 && end == s + 4);
	CHECK(libc_strtol("   ", &end, 10) == 0 && *end == ' ');
	libc_errno = 0;
	CHECK(libc_strtol(s, &end, 1) == 0 && libc_errno == LIBC_EINVAL && end == s);
	libc_errno = 0;
	CHECK(libc_strtol("9223372036854775808xyz", &end, 10) == LONG_MAX);
	CHECK(libc_errno == LIBC_ERANGE && strcmp(end, "xyz") == 0);
	CHECK(libc_strtoul("-1", NULL, 10) == ULONG_MAX);
	CHECK(libc_atoi("  -42x") == -42 && libc_atoi("x") == 0);
}

TEST(atoi_and_abs_match_host)
{
	char s[32];

	for (int i = 0; i < 10000; i++) {
		int v = (int)rng();

		sprintf(s, " %d", v);
		CHECK(libc_atoi(s) == atoi(s));
		if (v != INT_MIN) {
			CHECK(libc_abs(v) == abs(v));
			CHECK(libc_labs((long)v * 65536) == labs((long)v * 65536));
		}
	}
}

static int cmp_bytes_size;

/* A total order on the elements' bytes, so the sorted result is unique. */
static int cmp_bytes(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_bytes_size);
}

TEST(qsort_matches_host)
{
	static const size_t sizes[] = { 1, 3, 8, 24 };
	unsigned char *a = malloc(3000 * 24), *b = malloc(3000 * 24);

	for (int i = 0; i < 400; i++) {
		size_t size = sizes[below(4)];
		size_t n = below(4) ? below(40) : below(3000);
		unsigned spread = 1u << below(9);       /* few distinct values, or many */

		cmp_bytes_size = (int)size;
		for (size_t k = 0; k < n * size; k++)
			a[k] = (unsigned char)below(spread);
		/* Sometimes already sorted, or reversed. */
		if (below(4) == 0) {
			qsort(a, n, size, cmp_bytes);
			if (below(2))
				for (size_t k = 0; k < n / 2; k++)
					for (size_t j = 0; j < size; j++) {
						unsigned char t = a[k * size + j];

						a[k * size + j] = a[(n - 1 - k) * size + j];
						a[(n - 1 - k) * size + j] = t;
					}
		}
		memcpy(b, a, n * size);
		libc_qsort(a, n, size, cmp_bytes);
		qsort(b, n, size, cmp_bytes);
		CHECK(memcmp(a, b, n * size) == 0);
	}
	free(a);
	free(b);
}

static long comparisons;

static int cmp_int_counted(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	comparisons++;
	return (x > y) - (x < y);
}

/* Comparisons for n ints in a shape; CHECKs that they come out sorted. */
static long sort_shape(int *v, int n, int shape)
{
	for (int i = 0; i < n; i++) {
		switch (shape) {
		case 0: v[i] = i; break;                        /* sorted */
		case 1: v[i] = n - i; break;                    /* reversed */
		case 2: v[i] = 7; break;                        /* all equal */
		case 3: v[i] = i < n / 2 ? i : n - i; break;    /* organ pipe */
		case 4: v[i] = i % 17; break;                   /* sawtooth */
		default: v[i] = (int)rng(); break;              /* random */
		}
	}
	comparisons = 0;
	libc_qsort(v, (size_t)n, sizeof *v, cmp_int_counted);
	for (int i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return -1;
	return comparisons;
}

/* McIlroy's adversary ("A Killer Adversary for Quicksort", 1999): values
 * are fixed only when the sort compares them, always against the pivot
 * candidate's favour; a quicksort without a fallback goes quadratic. */
static int *adv_val, adv_gas, adv_solid, adv_candidate;

static int cmp_adversary(const void *px, const void *py)
{
	int x = *(const int *)px, y = *(const int *)py;

	comparisons++;
	if (adv_val[x] == adv_gas && adv_val[y] == adv_gas)
		adv_val[x == adv_candidate ? x : y] = adv_solid++;
	if (adv_val[x] == adv_gas)
		adv_candidate = x;
	else if (adv_val[y] == adv_gas)
		adv_candidate = y;
	return (adv_val[x] > adv_val[y]) - (adv_val[x] < adv_val[y]);
}

TEST(qsort_is_n_log_n_on_every_shape)
{
	/* n log2 n is 286000; a quadratic sort needs some n^2 / 4 = 10^8. */
	enum { N = 20000, N_LOG2_N = N * 15 };
	static int v[N];

	for (int shape = 0; shape < 6; shape++) {
		long c = sort_shape(v, N, shape);

		CHECK(c >= 0);
		CHECK(c < 2 * N_LOG2_N);
	}

	/* The adversary wastes quicksort's 2 log2 n levels, then heapsort. */

	adv_val = malloc(N * sizeof *adv_val);
	CHECK(adv_val);
	adv_gas = N;
	adv_solid = 0;
	adv_candidate = 0;
	for (int i = 0; i < N; i++) {
		v[i] = i;
		adv_val[i] = adv_gas;
	}
	comparisons = 0;
	libc_qsort(v, N, sizeof *v, cmp_adversary);
	for (int i = 1; i < N; i++)
		if (adv_val[v[i - 1]] > adv_val[v[i]])
			comparisons = -1;
	free(adv_val);
	CHECK(comparisons >= 0);
	CHECK(comparisons < 5 * N_LOG2_N);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

TEST(bsearch_finds_and_misses)
{
	int v[300] = { 0 };

	CHECK(libc_bsearch(&v[0], v, 0, sizeof v[0], cmp_int) == NULL);
	for (int n = 1; n <= 300; n++) {
		for (int i = 0; i < n; i++)
			v[i] = 2 * i;
		for (int key = -1; key <= 2 * n; key++) {
			int *hit = libc_bsearch(&key, v, (size_t)n, sizeof v[0], cmp_int);

			if (key % 2 == 0 && key < 2 * n)
				CHECK(hit == &v[key / 2]);
			else
				CHECK(hit == NULL);
		}
	}
}

TEST(strerror_names_every_code)
{
	for (int e = 0; e < E_NERRORS; e++) {
		CHECK(strcmp(libc_strerror(e), "unknown error") != 0);
		for (int f = 0; f < e; f++)
			CHECK(strcmp(libc_strerror(e), libc_strerror(f)) != 0);
	}
	CHECK(strcmp(libc_strerror(LIBC_ERANGE), "unknown error") != 0);
	CHECK(strcmp(libc_strerror(LIBC_EDOM), "unknown error") != 0);
	CHECK(libc_strerror(LIBC_EINVAL) == libc_strerror(E_INVAL));
	CHECK(strcmp(libc_strerror(E_NERRORS), "unknown error") == 0);
	CHECK(strcmp(libc_strerror(-1), "unknown error") == 0);
	CHECK(strcmp(libc_strerror(LIBC_ERANGE + 100), "unknown error") == 0);
}
