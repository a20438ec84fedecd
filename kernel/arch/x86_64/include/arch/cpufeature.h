/*
 * CPU identification: read once at boot with CPUID, reported in the boot
 * log, and consulted wherever an optional feature has a fallback.
 */
#ifndef ARCH_CPUFEATURE_H
#define ARCH_CPUFEATURE_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_info {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool nx, pdpe1gb, pcid, invpcid, smep, smap;
	bool tsc_deadline, x2apic, xsave, invariant_tsc, apic;
	bool fxsave_leaks_fip;  /* AMD before XSaveErPtr: FIP/FDP/FOP not switched */
	uint8_t phys_bits;      /* physical address width */
};

extern struct cpu_info cpu_info;

/* Fills cpu_info from CPUID. */
void cpu_identify(void);

/* Turns on the protections this CPU has: NX, CR0.WP, SMEP, SMAP, global pages. */
void cpu_enable_protections(void);

void cpu_print_info(void);

#endif
