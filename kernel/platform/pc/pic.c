/*
 * Legacy 8259A PIC pair. Mica routes interrupts through the APICs, but the
 * PICs power up mapped onto vectors 8..15, where a stray IRQ would look
 * like a double fault. So they are reprogrammed to 0x20..0x2F (where the
 * IDT has spurious-interrupt entries) and then every line is masked.
 */
#include <pc/pic.h>
#include <arch/cpu.h>
#include <arch/trap.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1

/* Port 0x80 is unused; writing it gives old PICs time between commands. */
static void io_wait(void)
{
	outb(0x80, 0);
}

void pic_disable(void)
{
	static const uint8_t seq[][2] = {
		{ 0x11, 0x11 },                         /* ICW1: init, ICW4 follows */
		{ VEC_PIC_BASE, VEC_PIC_BASE + 8 },     /* ICW2: vector bases */
		{ 0x04, 0x02 },                         /* ICW3: slave on IRQ2 */
		{ 0x01, 0x01 },                         /* ICW4: 8086 mode */
		{ 0xFF, 0xFF },                         /* OCW1: mask all lines */
	};

	outb(PIC1_CMD, seq[0][0]);
	io_wait();
	outb(PIC2_CMD, seq[0][1]);
	io_wait();
	for (unsigned i = 1; i < sizeof seq / sizeof seq[0]; i++) {
		outb(PIC1_DATA, seq[i][0]);
		io_wait();
		outb(PIC2_DATA, seq[i][1]);
		io_wait();
	}
}
