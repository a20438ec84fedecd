/*
 * The kernel debug console. Before the console server runs, and for panics,
 * the kernel writes here; the platform supplies the device (COM1 on a PC).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdarg.h>
#include <compiler.h>

void console_init(void);
void console_write(const char *s, unsigned long len);
int kprintf(const char *fmt, ...) printf_like(1, 2);
int vkprintf(const char *fmt, va_list ap);

#endif
