/*
 * HPET main counter (IA-PC HPET specification 1.0a, section 2.3). Only the
 * free-running counter is used; the comparators are left alone.
 */
#include <console.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <pc/refclock.h>

enum {
	REG_CAP = 0x000,        /* bits 63:32: counter period in femtoseconds */
	REG_CONFIG = 0x010,     /* bit 0: counter runs */
	REG_COUNTER = 0x0F0,
};
#define CONFIG_ENABLE   1ull
#define PERIOD_MAX_FS   100000000ull    /* the spec's upper bound: 100 ns */
#define FS_PER_US       1000000000ull

static volatile uint64_t *regs;
static uint64_t period_fs;

static uint64_t hpet_read(uint32_t reg)
{
	return regs[reg / 8];
}

bool hpet_init(uint64_t phys)
{
	regs = (volatile uint64_t *)paging_map_device(phys, 0x400);
	period_fs = hpet_read(REG_CAP) >> 32;
	if (period_fs == 0 || period_fs > PERIOD_MAX_FS) {
		kprintf("hpet: counter period %lu fs is invalid; not used\n", period_fs);
		return false;
	}
	regs[REG_CONFIG / 8] = hpet_read(REG_CONFIG) | CONFIG_ENABLE;
	return true;
}

void hpet_delay_us(uint32_t us)
{
	uint64_t start = hpet_read(REG_COUNTER);
	uint64_t ticks = (uint64_t)us * FS_PER_US / period_fs;

	while (hpet_read(REG_COUNTER) - start < ticks)
		cpu_relax();
}
