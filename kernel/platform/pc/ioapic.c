/*
 * I/O APIC discovery (82093AA datasheet: registers through the IOREGSEL
 * index at offset 0 and the IOWIN window at 0x10). At boot every
 * redirection entry is masked, whatever the firmware left; routing a line
 * to its driver comes with interrupt delivery.
 */
#include <console.h>
#include <arch/paging.h>
#include <pc/acpi.h>
#include <pc/ioapic.h>

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_VERSION     0x01    /* bits 23:16: index of the last redirection entry */
#define REG_REDIR(n)    (0x10 + 2 * (n))
#define REDIR_MASKED    (1u << 16)

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

	for (uint32_t i = 0; i < acpi_info.nioapics; i++) {
		const struct acpi_ioapic *io = &acpi_info.ioapics[i];
		volatile uint32_t *base = (volatile uint32_t *)paging_map_device(io->phys, 0x20);
		uint32_t lines = ((ioapic_read(base, REG_VERSION) >> 16) & 0xFF) + 1;

		for (uint32_t n = 0; n < lines; n++)
			ioapic_write(base, REG_REDIR(n), REDIR_MASKED);
		kprintf("ioapic: id %u, GSIs %u-%u, all masked\n", io->id, io->gsi_base,
			io->gsi_base + lines - 1);
		if (io->gsi_base + lines > ngsi)
			ngsi = io->gsi_base + lines;
	}
	return ngsi;
}
