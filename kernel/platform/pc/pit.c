/*
 * 8254 PIT channel 2 as a one-shot delay. Channel 2's gate and output are
 * wired to port 0x61, so the delay needs no interrupt: start a mode-0 count
 * and poll the output bit.
 */
#include <arch/cpu.h>
#include <pc/refclock.h>

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61
#define PORT_B_GATE2  0x01
#define PORT_B_SPKR   0x02
#define PORT_B_OUT2   0x20
#define SPIN_LIMIT    100000000u    /* no PIT (some new machines): give up */

void pit_delay_us(uint32_t us)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000u);
	uint8_t b = inb(PORT_B);

	if (count > 0xFFFF)
		count = 0xFFFF;
	/* Gate off and speaker off while programming; gate on starts the count. */
	outb(PORT_B, (uint8_t)(b & ~(PORT_B_GATE2 | PORT_B_SPKR)));
	outb(PIT_CMD, 0xB0);                    /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPKR) | PORT_B_GATE2));
	for (uint32_t i = 0; i < SPIN_LIMIT && !(inb(PORT_B) & PORT_B_OUT2); i++)
		cpu_relax();
	outb(PORT_B, b);
}
