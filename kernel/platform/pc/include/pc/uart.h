/* 16550 UART on COM1, polled: the kernel debug console's device. */
#ifndef PC_UART_H
#define PC_UART_H

void uart_init(void);
void uart_putc(char c);

#endif
