/*
 * The kernel debug console: formatted output to the platform's UART.
 * Lines end in CRLF so that raw serial terminals show them right.
 */
#include <klib.h>
#include <console.h>
#include <pc/uart.h>

void console_init(void)
{
	uart_init();
}

void console_write(const char *s, unsigned long len)
{
	while (len--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

int vkprintf(const char *fmt, va_list ap)
{
	char buf[256];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);

	console_write(buf, n < (int)sizeof buf ? (unsigned long)n : sizeof buf - 1);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}
