/*
 * ACPI table discovery: RSDP -> RSDT/XSDT -> MADT (local APICs, I/O APICs,
 * interrupt source overrides) and HPET. Only what the kernel needs; the
 * rest of ACPI is for user space.
 */
#ifndef PC_ACPI_H
#define PC_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include <bootinfo.h>

#define ACPI_MAX_CPUS      256
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
	uint32_t id;
	uint64_t phys;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t irq;            /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI polarity and trigger */
};

struct acpi_info {
	uint8_t revision;       /* RSDP revision: 0 for ACPI 1.0 */
	char oem[7];
	uint64_t lapic_phys;
	bool pic_present;       /* MADT PCAT_COMPAT: legacy 8259s to mask */
	uint32_t ncpus;
	uint32_t apic_ids[ACPI_MAX_CPUS];
	uint32_t nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t noverrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint64_t hpet_phys;     /* 0: no HPET */
};

extern struct acpi_info acpi_info;

/*
 * Finds and checks the tables (RSDP from the boot information, else by
 * scanning the BIOS areas) and fills acpi_info. Returns false, after
 * saying why, when there is no usable MADT.
 */
bool acpi_init(const struct boot_info *bi);

#endif
