/*
 * vsnprintf for the kernel: the subset of printf that kernel messages use
 * (see klib.h). Output past size is counted, never written.
 */
#include <stdint.h>
#include <klib.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	int left;               /* '-' */
	int zero;               /* '0' */
	int width;
	int prec;               /* -1: none */
};

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	size_t n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	size_t i;

	if (!sp->left)
		pad(o, ' ', sp->width - (int)n);
	for (i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - (int)n);
}

static void put_number(struct out *o, uint64_t v, int neg, unsigned base,
		       int upper, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = (int)strlen(prefix) + neg, fill;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	fill = sp->width - n - plen;
	if (!sp->left && !sp->zero)
		pad(o, ' ', fill);
	if (neg)
		put(o, '-');
	while (*prefix)
		put(o, *prefix++);
	if (!sp->left && sp->zero)
		pad(o, '0', fill);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', fill);
}

static uint64_t arg_unsigned(va_list *ap, int lng)
{
	switch (lng) {
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case 0:  return va_arg(*ap, unsigned);
	case 1:  return va_arg(*ap, unsigned long);
	default: return va_arg(*ap, unsigned long long);
	}
}

static int64_t arg_signed(va_list *ap, int lng)
{
	switch (lng) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 0:  return va_arg(*ap, int);
	case 1:  return va_arg(*ap, long);
	default: return va_arg(*ap, long long);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		struct spec sp = { 0, 0, 0, -1 };
		int lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
			*(*fmt == '-' ? &sp.left : &sp.zero) = 1;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		if (*fmt == '.' && fmt[1] == '*') {
			sp.prec = va_arg(ap, int);
			fmt += 2;
		} else if (*fmt == '.') {
			for (sp.prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.prec = sp.prec * 10 + (*fmt - '0');
		}
		for (; *fmt == 'h'; fmt++)
			lng--;
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;          /* size_t is unsigned long here */
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			put_string(&o, s ? s : "(null)", &sp);
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, lng);

			put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0, "", &sp);
			break;
		}
		case 'u':
			put_number(&o, arg_unsigned(&ap, lng), 0, 10, 0, "", &sp);
			break;
		case 'x':
		case 'X':
			put_number(&o, arg_unsigned(&ap, lng), 0, 16, *fmt == 'X', "", &sp);
			break;
		case 'p':
			sp.zero = 1;
			sp.width = 18;
			put_number(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0, "0x", &sp);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: print it as written, so the bug shows. */
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
			break;
		}
	}
done:
	if (size)
		o.buf[o.len < size ? o.len : size - 1] = '\0';
	va_end(ap);
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
