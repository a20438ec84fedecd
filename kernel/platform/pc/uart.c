/*
 * The kernel's debug console on COM1 (I/O port 0x3F8), 115200 8N1,
 * transmit by polling: the kernel writes only at boot and in a panic, when
 * interrupts may be off. The console server drives the UART by interrupt.
 */
#include <pc/uart.h>
#include <arch/cpu.h>

#define COM1 0x3F8
enum {
	REG_DATA = 0,           /* THR/RBR, or divisor low with DLAB */
	REG_IER = 1,            /* interrupt enable, or divisor high with DLAB */
	REG_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
};
#define LSR_THR_EMPTY 0x20
#define SPIN_LIMIT    100000    /* no UART present: give up, do not hang */

void uart_init(void)
{
	outb(COM1 + REG_IER, 0x00);     /* no interrupts: we poll */
	outb(COM1 + REG_LCR, 0x80);     /* DLAB: expose the divisor */
	outb(COM1 + REG_DATA, 1);       /* 115200 / 1 = 115200 baud */
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x03);     /* 8 data bits, no parity, 1 stop, DLAB off */
	outb(COM1 + REG_FCR, 0xC7);     /* FIFOs on and cleared, 14-byte threshold */
	outb(COM1 + REG_MCR, 0x03);     /* DTR, RTS: some terminals wait for them */
}

void uart_putc(char c)
{
	for (int i = 0; i < SPIN_LIMIT && !(inb(COM1 + REG_LSR) & LSR_THR_EMPTY); i++)
		cpu_relax();
	outb(COM1 + REG_DATA, (uint8_t)c);
}
