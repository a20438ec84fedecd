/*
 * badio, a test program (tests/guest/manifest): writes to the UART's
 * ports without an I/O-port capability for them. The kernel's I/O bitmap
 * turns that into a general-protection fault, which init must report
 * while the rest of the system stays up.
 */
#include <stdint.h>

int main(void)
{
	__asm__ volatile("outb %0, %1" : : "a"((uint8_t)'!'), "Nd"((uint16_t)0x3F8));
	return 0;
}
