/*
 * Text to integers, as C specifies: leading white space, an optional
 * sign, then digits in base 2..36 (base 0: 0x for hex, 0 for octal, else
 * decimal; base 16 also takes the 0x). *end points past the last digit
 * used, or to s itself when there was none. A value out of range gives
 * the nearest limit and errno ERANGE; a bad base gives 0 and EINVAL.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

static int digit_value(char c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 36;      /* a digit in no base */
}

/* The magnitude of the number at s, saturated at limit (then *overflow
 * is set); limit_neg applies after a minus sign. */
static unsigned long long parse(const char *s, char **end, int base,
				unsigned long long limit, unsigned long long limit_neg,
				bool *neg, bool *overflow)
{
	const char *p = s;
	const char *digits;
	unsigned long long value = 0;

	*neg = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if (*neg)
		limit = limit_neg;
	/* "0x" is a prefix only if a hex digit follows; else the 0 is the number. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (digits = p; digit_value(*p) < base; p++) {
		unsigned d = (unsigned)digit_value(*p);

		if (value > (limit - d) / (unsigned)base)
			*overflow = true;
		else
			value = value * (unsigned)base + d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	if (*overflow) {
		errno = ERANGE;
		return limit;
	}
	return value;
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	bool neg, overflow;
	unsigned long long m = parse(s, end, base, LLONG_MAX,
				     (unsigned long long)LLONG_MAX + 1, &neg, &overflow);

	/* -m without passing through a signed overflow at LLONG_MIN. */
	return neg && m ? -(long long)(m - 1) - 1 : (long long)m;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	bool neg, overflow;
	unsigned long long m = parse(s, end, base, LONG_MAX,
				     (unsigned long long)LONG_MAX + 1, &neg, &overflow);

	return neg && m ? -(long)(m - 1) - 1 : (long)m;
}

/* A minus sign negates in the unsigned type (C's rule: "-1" is the
 * maximum), unless the magnitude itself was out of range. */
unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	bool neg, overflow;
	unsigned long long m = parse(s, end, base, ULLONG_MAX, ULLONG_MAX, &neg, &overflow);

	return neg && !overflow ? -m : m;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	bool neg, overflow;
	unsigned long long m = parse(s, end, base, ULONG_MAX, ULONG_MAX, &neg, &overflow);

	return neg && !overflow ? -(unsigned long)m : (unsigned long)m;
}

/* No error reporting, as C allows: the int of the leading decimal number. */
int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
