/*
 * x86 port I/O for drivers. A port works only where the task holds an
 * I/O-port capability covering it (docs/abi.md); elsewhere the
 * instruction faults and the task's exception handler hears of it.
 */
#ifndef MICA_PORTIO_H
#define MICA_PORTIO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
