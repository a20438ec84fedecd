/*
 * Local APIC (Intel SDM vol. 3A, chapter 11). In x2APIC mode registers are
 * MSRs 0x800 + offset/16; in xAPIC mode they are 32-bit MMIO at the base
 * from the MADT. x2APIC is used whenever the CPU offers it: firmware may
 * already have enabled it, and then xAPIC mode is no longer reachable.
 */
#include <console.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/paging.h>
#include <arch/trap.h>
#include <pc/lapic.h>

enum {
	REG_ID = 0x020,
	REG_TPR = 0x080,
	REG_EOI = 0x0B0,
	REG_SVR = 0x0F0,
	REG_LVT_TIMER = 0x320,
	REG_LVT_LINT0 = 0x350,
	REG_TIMER_INIT = 0x380,
	REG_TIMER_CUR = 0x390,
	REG_TIMER_DIV = 0x3E0,
};

#define APIC_BASE_ENABLE  (1ull << 11)
#define APIC_BASE_X2APIC  (1ull << 10)
#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define LVT_PERIODIC      (1u << 17)
#define LVT_TSC_DEADLINE  (2u << 17)
#define MSR_TSC_DEADLINE  0x6E0u
#define TIMER_DIV_16      0x3u
#define X2APIC_MSR_BASE   0x800u

static volatile uint32_t *mmio;
static bool x2apic;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

void lapic_init(uint64_t phys)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = cpu_info.x2apic;
	if (x2apic) {
		/* Disabled -> x2APIC is an illegal transition (SDM 10.12.5.1):
		 * go through xAPIC mode. xAPIC -> x2APIC is allowed directly. */
		if (!(base & APIC_BASE_ENABLE))
			wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
		mmio = (volatile uint32_t *)paging_map_device(phys, 0x1000);
	}
	/* Software-enable with the spurious vector; mask LINT0 so the
	 * (masked) PIC's virtual-wire path cannot deliver anything. */
	lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(REG_LVT_LINT0, LVT_MASKED);
	/* Accept every priority: firmware may leave TPR raised, and after the
	 * switch to x2APIC its value is undefined. */
	lapic_write(REG_TPR, 0);
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

void lapic_timer_start(uint8_t vector, enum lapic_timer_mode mode, uint32_t count,
		       bool masked)
{
	static const uint32_t mode_bits[] = {
		[LAPIC_TIMER_ONESHOT] = 0,
		[LAPIC_TIMER_PERIODIC] = LVT_PERIODIC,
		[LAPIC_TIMER_TSC_DEADLINE] = LVT_TSC_DEADLINE,
	};

	lapic_write(REG_TIMER_DIV, TIMER_DIV_16);
	lapic_write(REG_LVT_TIMER, vector | mode_bits[mode] | (masked ? LVT_MASKED : 0));
	if (mode != LAPIC_TIMER_TSC_DEADLINE)
		lapic_write(REG_TIMER_INIT, count);
}

void lapic_timer_deadline(uint64_t tsc)
{
	/* SDM 10.5.4.1: in xAPIC mode the LVT write must be ordered before
	 * the MSR write; MFENCE does it (x2APIC register writes are MSRs). */
	__asm__ volatile("mfence" ::: "memory");
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(REG_TIMER_CUR);
}
