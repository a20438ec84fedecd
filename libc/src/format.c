/*
 * The printf engine (format.h): C11's fprintf rules for the integer,
 * character, string and pointer conversions, without floating point.
 * Where C leaves the output to the implementation this follows glibc, so
 * that the host unit test can compare the two byte for byte: %p prints
 * like %#lx with sign flags allowed and (nil) for NULL, a NULL %s prints
 * (null) unless the precision cuts it, and the 0 flag does not apply to
 * %c and %s. An unknown conversion is printed as written.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format.h"

enum flag {
	F_LEFT = 1 << 0,        /* '-' */
	F_PLUS = 1 << 1,        /* '+' */
	F_SPACE = 1 << 2,       /* ' ' */
	F_ALT = 1 << 3,         /* '#' */
	F_ZERO = 1 << 4,        /* '0' */
};

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

struct spec {
	unsigned flags;
	int width;              /* 0: none */
	int prec;               /* -1: none */
	enum length length;
};

/* The output so far: where it goes and how long it is. */
struct out {
	struct format_sink *sink;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n == 0 || o->len > INT_MAX)
		return;
	o->len += n;
	o->sink->put(o->sink, s, n);
}

static void put_repeat(struct out *o, char c, size_t n)
{
	char chunk[32];

	memset(chunk, c, n < sizeof chunk ? n : sizeof chunk);
	while (n > 0 && o->len <= INT_MAX) {
		size_t k = n < sizeof chunk ? n : sizeof chunk;

		put(o, chunk, k);
		n -= k;
	}
}

/* s (n bytes) in a field of sp->width, padded with spaces. */
static void put_field(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put(o, s, n);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

/*
 * An integer of magnitude value: sign and prefix, zeros up to the
 * precision (or, with the 0 flag and no precision, up to the width), the
 * digits, spaces to the width. is_signed lets the + and space flags add a
 * sign; hex_prefix adds 0x (0X when upper, which also selects A-F).
 */
static void put_integer(struct out *o, const struct spec *sp, uintmax_t value,
			bool negative, bool is_signed, unsigned base, bool upper, bool hex_prefix)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[sizeof(uintmax_t) * 3];    /* octal needs 22 */
	size_t ndigits = 0, zeros = 0, pad = 0, total;
	char prefix[3];                 /* a sign and 0x: %+p */
	size_t nprefix = 0;

	for (uintmax_t v = value; v; v /= base)
		digits[sizeof digits - ++ndigits] = digit_chars[v % base];
	/* Precision 0 prints no digit for 0; otherwise 0 is one digit. */
	if (value == 0 && sp->prec != 0)
		digits[sizeof digits - ++ndigits] = '0';

	if (negative)
		prefix[nprefix++] = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		prefix[nprefix++] = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		prefix[nprefix++] = ' ';
	if (hex_prefix) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = upper ? 'X' : 'x';
	}

	if (sp->prec > 0 && (size_t)sp->prec > ndigits)
		zeros = (size_t)sp->prec - ndigits;
	/* '#' with octal: the precision grows until the first digit is a 0. */
	if (base == 8 && (sp->flags & F_ALT) && zeros == 0 &&
	    (ndigits == 0 || digits[sizeof digits - ndigits] != '0'))
		zeros = 1;
	total = nprefix + zeros + ndigits;
	if ((size_t)sp->width > total) {
		if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0)
			zeros += (size_t)sp->width - total;
		else
			pad = (size_t)sp->width - total;
	}

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put(o, prefix, nprefix);
	put_repeat(o, '0', zeros);
	put(o, digits + sizeof digits - ndigits, ndigits);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

static intmax_t arg_signed(enum length length, va_list *ap)
{
	switch (length) {
	case L_HH: return (signed char)va_arg(*ap, int);
	case L_H:  return (short)va_arg(*ap, int);
	case L_L:  return va_arg(*ap, long);
	case L_LL: return va_arg(*ap, long long);
	case L_Z:  return va_arg(*ap, ptrdiff_t);       /* the signed size_t */
	case L_J:  return va_arg(*ap, intmax_t);
	case L_T:  return va_arg(*ap, ptrdiff_t);
	default:   return va_arg(*ap, int);
	}
}

static uintmax_t arg_unsigned(enum length length, va_list *ap)
{
	switch (length) {
	case L_HH: return (unsigned char)va_arg(*ap, unsigned);
	case L_H:  return (unsigned short)va_arg(*ap, unsigned);
	case L_L:  return va_arg(*ap, unsigned long);
	case L_LL: return va_arg(*ap, unsigned long long);
	case L_Z:  return va_arg(*ap, size_t);
	case L_J:  return va_arg(*ap, uintmax_t);
	case L_T:  return va_arg(*ap, size_t);          /* the unsigned ptrdiff_t */
	default:   return va_arg(*ap, unsigned);
	}
}

/* A decimal field of the format; saturates rather than overflowing. */
static int parse_number(const char **fmt)
{
	int n = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
		n = n > (INT_MAX - 9) / 10 ? INT_MAX : n * 10 + (**fmt - '0');
	return n;
}

/* Flags, width, precision and length at *fmt (just past the '%'). */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else
			break;
	}

	if (*f == '*') {
		int w = va_arg(*ap, int);

		f++;
		/* A negative width is the '-' flag and its magnitude. */
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = parse_number(&f);
	}

	sp->prec = -1;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int p = va_arg(*ap, int);

			f++;
			sp->prec = p < 0 ? -1 : p;      /* negative: as if none */
		} else {
			sp->prec = parse_number(&f);
		}
	}

	sp->length = L_NONE;
	switch (*f) {
	case 'h':
		f++;
		sp->length = L_H;
		if (*f == 'h') {
			f++;
			sp->length = L_HH;
		}
		break;
	case 'l':
		f++;
		sp->length = L_L;
		if (*f == 'l') {
			f++;
			sp->length = L_LL;
		}
		break;
	case 'z': f++; sp->length = L_Z; break;
	case 'j': f++; sp->length = L_J; break;
	case 't': f++; sp->length = L_T; break;
	}
	*fmt = f;
}

int format_va(struct format_sink *sink, const char *fmt, va_list args)
{
	struct out o = { sink, 0 };
	struct spec sp;
	va_list ap;

	/* A copy that can be passed by address: a va_list parameter may be
	 * an array that decayed to a pointer. */
	va_copy(ap, args);

	while (*fmt && o.len <= INT_MAX) {
		const char *start = fmt;

		if (*fmt != '%') {
			const char *next = strchr(fmt, '%');
			size_t n = next ? (size_t)(next - fmt) : strlen(fmt);

			put(&o, fmt, n);
			fmt += n;
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i': {
			intmax_t v = arg_signed(sp.length, &ap);
			/* The magnitude without negating INTMAX_MIN. */
			uintmax_t m = v < 0 ? -(uintmax_t)v : (uintmax_t)v;

			put_integer(&o, &sp, m, v < 0, true, 10, false, false);
			break;
		}
		case 'u':
			put_integer(&o, &sp, arg_unsigned(sp.length, &ap), false, false, 10, false, false);
			break;
		case 'o':
			put_integer(&o, &sp, arg_unsigned(sp.length, &ap), false, false, 8, false, false);
			break;
		case 'x':
		case 'X': {
			uintmax_t v = arg_unsigned(sp.length, &ap);

			put_integer(&o, &sp, v, false, false, 16, *fmt == 'X',
				    (sp.flags & F_ALT) && v != 0);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(ap, void *);

			if (v)
				put_integer(&o, &sp, v, false, true, 16, false, true);
			else
				put_field(&o, &sp, "(nil)", 5);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_field(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);

			/* Part of "(null)" would look like data: all or nothing. */
			if (!s)
				s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			put_field(&o, &sp, s, sp.prec < 0 ? strlen(s) : strnlen(s, (size_t)sp.prec));
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		default:
			/* Not a conversion (or the format ends): print it as written. */
			if (*fmt)
				fmt++;
			put(&o, start, (size_t)(fmt - start));
			continue;
		}
		fmt++;
	}
	va_end(ap);
	return o.len > INT_MAX ? -1 : (int)o.len;
}
