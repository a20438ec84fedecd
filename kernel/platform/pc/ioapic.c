/*
 * I/O APIC discovery (82093AA datasheet: registers through the IOREGSEL
 * index at offset 0 and the IOWIN window at 0x10). At boot every
 * redirection entry is masked, whatever the firmware left; routing a line
 * to its driver comes with interrupt delivery.
 */
#include <stdbool.h>
#include <stddef.h>
#include <console.h>
#include <arch/paging.h>
#include <pc/acpi.h>
#include <irq_hw.h>
#include <pc/ioapic.h>
#include <pc/lapic.h>

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_VERSION     0x01    /* bits 23:16: index of the last redirection entry */
#define REG_REDIR(n)    (0x10 + 2 * (n))
#define REDIR_MASKED    (1u << 16)
#define REDIR_LEVEL     (1u << 15)
#define REDIR_LOW       (1u << 13)
#define MPS_POLARITY    3u      /* MADT override flags, bits 1:0: 1 high, 3 low */
#define MPS_TRIGGER     (3u << 2)       /* bits 3:2: 1 edge, 3 level */

struct ioapic {
	volatile uint32_t *base;
	uint32_t gsi_base;
	uint32_t lines;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static uint32_t nioapics;
static uint32_t dest_apic;      /* the boot CPU: every line goes to it for now */

static uint32_t ioapic_read(volatile uint32_t *base, uint32_t reg)
{
	base[IOREGSEL / 4] = reg;
	return base[IOWIN / 4];
}

static void ioapic_write(volatile uint32_t *base, uint32_t reg, uint32_t v)
{
	base[IOREGSEL / 4] = reg;
	base[IOWIN / 4] = v;
}

uint32_t ioapic_init(void)
{
	uint32_t ngsi = 0;

	dest_apic = lapic_id();
	for (uint32_t i = 0; i < acpi_info.nioapics; i++) {
		const struct acpi_ioapic *io = &acpi_info.ioapics[i];
		volatile uint32_t *base = (volatile uint32_t *)paging_map_device(io->phys, 0x20);
		uint32_t lines = ((ioapic_read(base, REG_VERSION) >> 16) & 0xFF) + 1;

		for (uint32_t n = 0; n < lines; n++)
			ioapic_write(base, REG_REDIR(n), REDIR_MASKED);
		ioapics[nioapics++] = (struct ioapic){ base, io->gsi_base, lines };
		kprintf("ioapic: id %u, GSIs %u-%u, all masked\n", io->id, io->gsi_base,
			io->gsi_base + lines - 1);
		if (io->gsi_base + lines > ngsi)
			ngsi = io->gsi_base + lines;
	}
	return ngsi;
}

static struct ioapic *ioapic_of(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < nioapics; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].lines) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

/* Trigger and polarity of gsi: a MADT override, else ISA (edge, high) for
 * GSIs below 16 and PCI (level, low) above. */
static uint32_t line_mode(uint32_t gsi)
{
	for (uint32_t i = 0; i < acpi_info.noverrides; i++) {
		const struct acpi_override *o = &acpi_info.overrides[i];
		uint32_t mode = 0;

		if (o->gsi != gsi)
			continue;
		if ((o->flags & MPS_POLARITY) == 3)
			mode |= REDIR_LOW;
		if ((o->flags & MPS_TRIGGER) == (3u << 2))
			mode |= REDIR_LEVEL;
		return mode;
	}
	return gsi < 16 ? 0 : REDIR_LEVEL | REDIR_LOW;
}

void irq_hw_route(uint32_t gsi, uint8_t vector)
{
	uint32_t pin;
	struct ioapic *io = ioapic_of(gsi, &pin);

	if (!io)
		return;
	ioapic_write(io->base, REG_REDIR(pin) + 1, dest_apic << 24);
	ioapic_write(io->base, REG_REDIR(pin), REDIR_MASKED | line_mode(gsi) | vector);
}

static void set_mask(uint32_t gsi, bool masked)
{
	uint32_t pin, v;
	struct ioapic *io = ioapic_of(gsi, &pin);

	if (!io)
		return;
	v = ioapic_read(io->base, REG_REDIR(pin));
	ioapic_write(io->base, REG_REDIR(pin), masked ? v | REDIR_MASKED : v & ~REDIR_MASKED);
}

void irq_hw_mask(uint32_t gsi)
{
	set_mask(gsi, true);
}

void irq_hw_unmask(uint32_t gsi)
{
	set_mask(gsi, false);
}

void irq_hw_eoi(void)
{
	lapic_eoi();
}
