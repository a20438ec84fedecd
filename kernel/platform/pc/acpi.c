/*
 * ACPI table discovery (ACPI 6.5, chapter 5.2). Every table is checked
 * before use: it must lie inside the direct map, be at least as long as
 * its header says the fields we read need, and have a valid checksum.
 */
#include <klib.h>
#include <console.h>
#include <arch/memlayout.h>
#include <arch/paging.h>
#include <pc/acpi.h>

struct acpi_info acpi_info;

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	/* ACPI 2.0+ */
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} packed;
_Static_assert(sizeof(struct rsdp) == 36, "RSDP layout");

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_revision;
	uint32_t creator;
	uint32_t creator_revision;
} packed;
_Static_assert(sizeof(struct sdt_header) == 36, "SDT header layout");

enum {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_ADDR = 5,
	MADT_X2APIC = 9,
};
#define MADT_PCAT_COMPAT 1u
#define LAPIC_ENABLED    1u
#define LAPIC_ONLINE_CAP 2u
#define MADT_FIXED       8u     /* u32 lapic address, u32 flags */
#define HPET_ADDR_OFF    44u    /* GAS address inside the HPET table */

static uint8_t sum(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static bool rsdp_valid(const struct rsdp *r, uint64_t len)
{
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || sum(r, 20) != 0)
		return false;
	return r->revision < 2 || len < sizeof *r || sum(r, sizeof *r) == 0;
}

/* The BIOS places the RSDP on a 16-byte boundary in the EBDA's first KiB
 * or in 0xE0000..0xFFFFF. Used only when the loader gave us no copy. */
static const struct rsdp *rsdp_scan(void)
{
	uint64_t ebda = (uint64_t)*(const uint16_t *)phys_to_virt(0x40E) << 4;
	uint64_t areas[2][2] = { { ebda, ebda + 1024 }, { 0xE0000, 0x100000 } };

	for (int a = 0; a < 2; a++) {
		if (areas[a][0] < 0x80000 && a == 0)
			continue;       /* no plausible EBDA */
		for (uint64_t p = areas[a][0]; p + sizeof(struct rsdp) <= areas[a][1]; p += 16) {
			const struct rsdp *r = phys_to_virt(p);

			if (rsdp_valid(r, sizeof *r))
				return r;
		}
	}
	return NULL;
}

/* Returns the table at phys if it is whole, mapped and checksummed, else NULL. */
static const struct sdt_header *sdt_at(uint64_t phys, const char *want)
{
	const struct sdt_header *h;

	if (phys == 0 || phys + sizeof *h > direct_map_end)
		return NULL;
	h = phys_to_virt(phys);
	if (h->length < sizeof *h || phys + h->length > direct_map_end)
		return NULL;
	if (want && memcmp(h->signature, want, 4) != 0)
		return NULL;
	if (sum(h, h->length) != 0) {
		kprintf("acpi: table %.4s at %lx has a bad checksum; ignored\n",
			h->signature, phys);
		return NULL;
	}
	return h;
}

/* Looks sig up in the RSDT (entry 4 bytes) or XSDT (entry 8 bytes). */
static const struct sdt_header *sdt_find(const struct sdt_header *root,
					 unsigned entry, const char *sig)
{
	const uint8_t *e = (const uint8_t *)(root + 1);
	uint64_t n = (root->length - sizeof *root) / entry;

	for (uint64_t i = 0; i < n; i++, e += entry) {
		uint64_t phys = 0;
		const struct sdt_header *h;

		memcpy(&phys, e, entry);
		h = sdt_at(phys, sig);
		if (h)
			return h;
	}
	return NULL;
}

static void madt_add_cpu(uint32_t apic_id, uint32_t flags)
{
	struct acpi_info *a = &acpi_info;

	if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAP)))
		return;
	if (a->ncpus == ACPI_MAX_CPUS) {
		kprintf("acpi: more than %u CPUs; the rest are ignored\n", ACPI_MAX_CPUS);
		return;
	}
	a->apic_ids[a->ncpus++] = apic_id;
}

static void madt_entry(uint8_t type, const uint8_t *e, uint8_t len)
{
	struct acpi_info *a = &acpi_info;
	uint32_t u32;
	uint16_t u16;

	switch (type) {
	case MADT_LAPIC:
		if (len < 8)
			break;
		memcpy(&u32, e + 4, 4);
		madt_add_cpu(e[3], u32);
		return;
	case MADT_X2APIC:
		if (len < 16)
			break;
		memcpy(&u32, e + 4, 4);
		memcpy(&u16, e + 8, 2);         /* the low half of flags is enough */
		madt_add_cpu(u32, u16);
		return;
	case MADT_IOAPIC:
		if (len < 12)
			break;
		if (a->nioapics == ACPI_MAX_IOAPICS)
			return;
		a->ioapics[a->nioapics].id = e[2];
		memcpy(&u32, e + 4, 4);
		a->ioapics[a->nioapics].phys = u32;
		memcpy(&u32, e + 8, 4);
		a->ioapics[a->nioapics].gsi_base = u32;
		a->nioapics++;
		return;
	case MADT_OVERRIDE:
		if (len < 10)
			break;
		if (a->noverrides == ACPI_MAX_OVERRIDES)
			return;
		a->overrides[a->noverrides].irq = e[3];
		memcpy(&u32, e + 4, 4);
		memcpy(&u16, e + 8, 2);
		a->overrides[a->noverrides].gsi = u32;
		a->overrides[a->noverrides].flags = u16;
		a->noverrides++;
		return;
	case MADT_LAPIC_ADDR:
		if (len < 12)
			break;
		memcpy(&a->lapic_phys, e + 4, 8);
		return;
	default:
		return;         /* types we do not use */
	}
	kprintf("acpi: MADT entry type %u of length %u is too short; ignored\n", type, len);
}

static void madt_parse(const struct sdt_header *madt)
{
	const uint8_t *p = (const uint8_t *)(madt + 1), *end = (const uint8_t *)madt + madt->length;
	uint32_t lapic, flags;

	if (madt->length < sizeof *madt + MADT_FIXED) {
		kprintf("acpi: MADT too short\n");
		return;
	}
	memcpy(&lapic, p, 4);
	memcpy(&flags, p + 4, 4);
	acpi_info.lapic_phys = lapic;
	acpi_info.pic_present = flags & MADT_PCAT_COMPAT;
	for (p += MADT_FIXED; p + 2 <= end; p += p[1]) {
		if (p[1] < 2 || p + p[1] > end) {
			kprintf("acpi: MADT entry at offset %lu has a bad length; rest ignored\n",
				(unsigned long)(p - (const uint8_t *)madt));
			return;
		}
		madt_entry(p[0], p, p[1]);
	}
}

bool acpi_init(const struct boot_info *bi)
{
	const struct rsdp *r = NULL;
	const struct sdt_header *root = NULL, *madt, *hpet;
	uint64_t rlen = bi->rsdp_len;
	unsigned entry = 4;

	if (rlen && rsdp_valid((const struct rsdp *)bi->rsdp, rlen))
		r = (const struct rsdp *)bi->rsdp;
	else if (rlen)
		kprintf("acpi: the boot loader's RSDP copy is invalid; scanning\n");
	if (!r) {
		r = rsdp_scan();
		rlen = sizeof *r;
	}
	if (!r) {
		kprintf("acpi: no RSDP found\n");
		return false;
	}
	acpi_info.revision = r->revision;
	memcpy(acpi_info.oem, r->oem, 6);
	if (r->revision >= 2 && rlen >= sizeof *r)
		root = sdt_at(r->xsdt, "XSDT");
	if (root)
		entry = 8;
	else
		root = sdt_at(r->rsdt, "RSDT");
	if (!root) {
		kprintf("acpi: no valid RSDT or XSDT\n");
		return false;
	}
	kprintf("acpi: rev %u, oem '%s', %s at %lx\n", r->revision, acpi_info.oem,
		entry == 8 ? "XSDT" : "RSDT",
		virt_to_phys(root));

	hpet = sdt_find(root, entry, "HPET");
	if (hpet && hpet->length >= HPET_ADDR_OFF + 8)
		memcpy(&acpi_info.hpet_phys, (const uint8_t *)hpet + HPET_ADDR_OFF, 8);

	madt = sdt_find(root, entry, "APIC");
	if (!madt) {
		kprintf("acpi: no MADT\n");
		return false;
	}
	madt_parse(madt);
	return true;
}
