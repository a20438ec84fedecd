/*
 * CPU identification and the control-register settings every CPU gets.
 * Every optional feature is tested before use; a CPU without it is
 * reported, never refused.
 */
#include <klib.h>
#include <console.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>

struct cpu_info cpu_info;
extern uint8_t cpu_smap_enabled;

void cpu_identify(void)
{
	struct cpu_info *c = &cpu_info;
	uint32_t r[4], max, maxext;

	cpuid(0, 0, r);
	max = r[0];
	memcpy(c->vendor + 0, &r[1], 4);
	memcpy(c->vendor + 4, &r[3], 4);
	memcpy(c->vendor + 8, &r[2], 4);
	c->vendor[12] = '\0';

	cpuid(1, 0, r);
	c->stepping = r[0] & 0xF;
	c->model = (r[0] >> 4) & 0xF;
	c->family = (r[0] >> 8) & 0xF;
	if (c->family == 0xF)
		c->family += (r[0] >> 20) & 0xFF;
	if (c->family == 0x6 || c->family >= 0xF)
		c->model |= ((r[0] >> 16) & 0xF) << 4;
	c->pcid = r[2] & (1u << 17);
	c->x2apic = r[2] & (1u << 21);
	c->tsc_deadline = r[2] & (1u << 24);
	c->xsave = r[2] & (1u << 26);
	c->apic = r[3] & (1u << 9);

	if (max >= 7) {
		cpuid(7, 0, r);
		c->smep = r[1] & (1u << 7);
		c->invpcid = r[1] & (1u << 10);
		c->smap = r[1] & (1u << 20);
	}

	cpuid(0x80000000, 0, r);
	maxext = r[0];
	c->phys_bits = 36;
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		c->nx = r[3] & (1u << 20);
		c->pdpe1gb = r[3] & (1u << 26);
	}
	if (maxext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(c->brand + 16 * i, r, 16);
		}
		c->brand[48] = '\0';
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		c->invariant_tsc = r[3] & (1u << 8);
	}
	if (maxext >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		c->phys_bits = r[0] & 0xFF;
		c->fxsave_leaks_fip = memcmp(c->vendor, "AuthenticAMD", 12) == 0 &&
				      !(r[1] & (1u << 2));
	}
}

void cpu_enable_protections(void)
{
	uint64_t cr4 = read_cr4();

	/* NX: lets the page tables keep data and stacks non-executable. */
	if (cpu_info.nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* CR0.WP: read-only pages stay read-only for the kernel too. */
	write_cr0(read_cr0() | CR0_WP);
	/* PGE: kernel mappings survive CR3 reloads. SMEP/SMAP: the kernel
	 * never executes, and touches only through the copy helpers, user
	 * pages. OSFXSR/OSXMMEXCPT: SSE is usable by user code. */
	cr4 |= CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_info.smep)
		cr4 |= CR4_SMEP;
	if (cpu_info.smap) {
		cr4 |= CR4_SMAP;
		cpu_smap_enabled = 1;
	}
	write_cr4(cr4);
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

void cpu_print_info(void)
{
	const struct cpu_info *c = &cpu_info;
	const char *brand = c->brand;

	while (*brand == ' ')
		brand++;
	kprintf("cpu: %s family %u model %u stepping %u: %s\n", c->vendor,
		c->family, c->model, c->stepping, *brand ? brand : "(no brand string)");
	kprintf("cpu: pcid=%s invpcid=%s smep=%s smap=%s tsc-deadline=%s x2apic=%s "
		"xsave=%s nx=%s 1g-pages=%s invariant-tsc=%s phys-bits=%u\n",
		yn(c->pcid), yn(c->invpcid), yn(c->smep), yn(c->smap),
		yn(c->tsc_deadline), yn(c->x2apic), yn(c->xsave), yn(c->nx),
		yn(c->pdpe1gb), yn(c->invariant_tsc), c->phys_bits);
}
