/*
 * The boot manifest parser (manifest.h). A line is trusted no more than
 * any other input: every number is range-checked, every string bounded,
 * and the first problem rejects the whole line with a reason.
 */
#include "manifest.h"

#define DEFAULT_PRIO  100
#define DEFAULT_HEAP  (4ull << 20)
#define DEFAULT_STACK (64ull << 10)
#define DEFAULT_QUOTA (256ull << 10)
#define MAX_HEAP      (1ull << 30)
#define MAX_STACK     (16ull << 20)
#define MAX_QUOTA     (64ull << 20)

struct cursor {
	const char *p, *end;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

/* The next word: up to a blank, or the end; quotes are the caller's. */
static size_t word(struct cursor *c, const char **start)
{
	skip_blanks(c);
	*start = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	return (size_t)(c->p - *start);
}

static int copy_str(char *dst, size_t max, const char *s, size_t n)
{
	if (n == 0 || n > max)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7E)
			return -1;
		dst[i] = s[i];
	}
	dst[n] = 0;
	return 0;
}

static int digit(char ch, unsigned base)
{
	unsigned d;

	if (ch >= '0' && ch <= '9')
		d = (unsigned)(ch - '0');
	else if (ch >= 'a' && ch <= 'f')
		d = (unsigned)(ch - 'a' + 10);
	else if (ch >= 'A' && ch <= 'F')
		d = (unsigned)(ch - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/* A decimal or 0x-hex number of [s, s + n) that does not overflow; the
 * number of characters used, 0 if none. */
static size_t number(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t v = 0;
	int d;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	size_t first = i;
	for (; i < n && (d = digit(s[i], base)) >= 0; i++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return 0;
		v = v * base + (uint64_t)d;
	}
	if (i == first)
		return 0;
	*out = v;
	return i;
}

/* All of [s, s + n) as one number. */
static int whole_number(const char *s, size_t n, uint64_t *out)
{
	return n && number(s, n, out) == n ? 0 : -1;
}

/* A size with an optional K or M suffix, within [min, max]. */
static int size_value(const char *s, size_t n, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v;

	if (n && (s[n - 1] == 'K' || s[n - 1] == 'k'))
		shift = 10;
	else if (n && (s[n - 1] == 'M' || s[n - 1] == 'm'))
		shift = 20;
	if (shift)
		n--;
	if (whole_number(s, n, &v) < 0 || v > (max >> shift))
		return -1;
	v <<= shift;
	if (v < min || (v & 0xFFF))
		return -1;
	*out = v;
	return 0;
}

/* FIRST-LAST (I/O ports) or BASE+SIZE (memory). */
static int pair(const char *s, size_t n, char sep, uint64_t *a, uint64_t *b)
{
	size_t k = number(s, n, a);

	if (k == 0 || k >= n || s[k] != sep)
		return -1;
	return whole_number(s + k + 1, n - k - 1, b);
}

static int add_grant(struct manifest_entry *e, unsigned kind, uint64_t a, uint64_t b)
{
	if (e->ngrants == MANIFEST_GRANTS_MAX)
		return -1;
	e->grants[e->ngrants++] = (struct grant){ .kind = kind, .a = a, .b = b };
	return 0;
}

static int lookups(struct manifest_entry *e, const char *s, size_t n)
{
	if (n == 1 && s[0] == '*') {
		e->lookup_all = 1;
		return 0;
	}
	if (n == 0)
		return -1;
	while (n) {
		size_t k = 0;

		while (k < n && s[k] != ',')
			k++;
		if (e->nlookups == MANIFEST_LOOKUPS_MAX ||
		    copy_str(e->lookups[e->nlookups++], MANIFEST_NAME_MAX, s, k) < 0)
			return -1;
		if (k == n)
			break;
		s += k + 1;
		n -= k + 1;
		if (n == 0)
			return -1;      /* a trailing comma */
	}
	return 0;
}

static int is_key(const char *w, size_t n, const char *key, const char **val, size_t *vn)
{
	size_t k = 0;

	while (key[k] && k < n && w[k] == key[k])
		k++;
	if (key[k] || k >= n || w[k] != '=')
		return 0;
	*val = w + k + 1;
	*vn = n - k - 1;
	return 1;
}

static int flag(const char *w, size_t n, const char *name)
{
	size_t k = 0;

	while (name[k] && k < n && w[k] == name[k])
		k++;
	return !name[k] && k == n;
}

/* args="TEXT": the value runs to the closing quote, blanks included. */
static int quoted_args(struct manifest_entry *e, struct cursor *c, const char *start)
{
	const char *q = start + 6;      /* after args=" */
	size_t n = 0;

	c->p = q;
	while (c->p < c->end && *c->p != '"')
		c->p++;
	if (c->p == c->end)
		return -1;
	n = (size_t)(c->p - q);
	c->p++;
	if (c->p < c->end && !is_blank(*c->p))
		return -1;
	if (n > MANIFEST_ARGS_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)q[i] < 0x20 || (unsigned char)q[i] > 0x7E)
			return -1;
		e->args[i] = q[i];
	}
	e->args[n] = 0;
	return 0;
}

static int option(struct manifest_entry *e, struct cursor *c, const char *w, size_t n,
		  const char **why)
{
	const char *v;
	size_t vn;
	uint64_t a, b;

	if (n >= 6 && w[0] == 'a' && w[1] == 'r' && w[2] == 'g' && w[3] == 's' && w[4] == '=' &&
	    w[5] == '"') {
		*why = "args=\"...\" is not closed, too long or not printable";
		return quoted_args(e, c, w);
	}
	if (is_key(w, n, "prio", &v, &vn)) {
		*why = "prio must be 1-127";
		if (whole_number(v, vn, &a) < 0 || a < 1 || a > MANIFEST_PRIO_MAX)
			return -1;
		e->prio = (unsigned)a;
	} else if (is_key(w, n, "restart", &v, &vn)) {
		*why = "restart must be yes or no";
		if (flag(v, vn, "yes"))
			e->restart = 1;
		else if (flag(v, vn, "no"))
			e->restart = 0;
		else
			return -1;
	} else if (is_key(w, n, "start", &v, &vn)) {
		*why = "start must be boot or demand";
		if (flag(v, vn, "demand"))
			e->on_demand = 1;
		else if (flag(v, vn, "boot"))
			e->on_demand = 0;
		else
			return -1;
	} else if (is_key(w, n, "irq", &v, &vn)) {
		*why = "irq must be a line 0-255 (at most 8 grants)";
		if (whole_number(v, vn, &a) < 0 || a > 255 || add_grant(e, GRANT_IRQ, a, 0) < 0)
			return -1;
	} else if (is_key(w, n, "io", &v, &vn)) {
		*why = "io must be FIRST-LAST within 0-0xffff (at most 8 grants)";
		if (pair(v, vn, '-', &a, &b) < 0 || a > b || b > 0xFFFF ||
		    add_grant(e, GRANT_IO, a, b) < 0)
			return -1;
	} else if (is_key(w, n, "mem", &v, &vn)) {
		*why = "mem must be BASE+SIZE, page-aligned, non-empty (at most 8 grants)";
		if (pair(v, vn, '+', &a, &b) < 0 || (a & 0xFFF) || (b & 0xFFF) || b == 0 ||
		    a + b < a || add_grant(e, GRANT_MEM, a, b) < 0)
			return -1;
	} else if (is_key(w, n, "lookup", &v, &vn)) {
		*why = "lookup must be * or up to 8 names of 1-16 characters";
		if (lookups(e, v, vn) < 0)
			return -1;
	} else if (is_key(w, n, "heap", &v, &vn)) {
		*why = "heap must be a page multiple up to 1024M (K, M suffixes)";
		if (size_value(v, vn, 0, MAX_HEAP, &e->heap) < 0)
			return -1;
	} else if (is_key(w, n, "stack", &v, &vn)) {
		*why = "stack must be a page multiple, 4K-16M";
		if (size_value(v, vn, 4096, MAX_STACK, &e->stack) < 0)
			return -1;
	} else if (is_key(w, n, "quota", &v, &vn)) {
		*why = "quota must be a page multiple, 64K-64M";
		if (size_value(v, vn, 64 << 10, MAX_QUOTA, &e->quota) < 0)
			return -1;
	} else if (flag(w, n, "log")) {
		e->log = 1;
	} else if (flag(w, n, "control")) {
		e->control = 1;
	} else {
		*why = "unknown option";
		return -1;
	}
	return 0;
}

int manifest_parse_line(const char *line, size_t len, struct manifest_entry *e,
			const char **why)
{
	struct cursor c = { line, line + len };
	const char *w;
	size_t n;

	*e = (struct manifest_entry){ .prio = DEFAULT_PRIO, .heap = DEFAULT_HEAP,
				      .stack = DEFAULT_STACK, .quota = DEFAULT_QUOTA };
	for (size_t i = 0; i < len; i++)
		if (line[i] == '#') {
			c.end = line + i;
			break;
		}
	if ((n = word(&c, &w)) == 0)
		return 0;
	*why = "name must be 1-16 printable characters";
	if (copy_str(e->name, MANIFEST_NAME_MAX, w, n) < 0)
		return -1;
	*why = "module missing or longer than 32 characters";
	n = word(&c, &w);
	if (copy_str(e->module, MANIFEST_MODULE_MAX, w, n) < 0)
		return -1;
	while ((n = word(&c, &w)) != 0)
		if (option(e, &c, w, n, why) < 0)
			return -1;
	return 1;
}

int manifest_may_lookup(const struct manifest_entry *e, const char *name)
{
	if (e->lookup_all)
		return 1;
	for (unsigned i = 0; i < e->nlookups; i++) {
		const char *a = e->lookups[i], *b = name;

		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return 1;
	}
	return 0;
}
