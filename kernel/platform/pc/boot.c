/*
 * The PC boot sequence, from the trampoline's call to kmain until the boot
 * CPU idles with its timer ticking. Each step depends on the ones before;
 * the order is the comment.
 */
#include <klib.h>
#include <console.h>
#include <kstate.h>
#include <panic.h>
#include <physmem.h>
#include <root_task.h>
#include <version.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/cpufeature.h>
#include <arch/gdt.h>
#include <arch/memlayout.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/selftest.h>
#include <arch/trap.h>
#include <pc/acpi.h>
#include <pc/ioapic.h>
#include <pc/lapic.h>
#include <obj/irq.h>
#include <pc/multiboot2.h>
#include <pc/pic.h>
#include <pc/timer.h>

#define LOW_MEMORY_END 0x100000ull      /* BIOS data, EBDA, AP start-up code */
#define TICKS_TO_SHOW  5
#define KIB            1024ul

extern char kernel_phys_start[], kernel_phys_end[];

static void log_mb2(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	const uint32_t *info = phys_to_virt(info_phys);
	enum mb2_status st;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("boot: not started by a multiboot2 loader (magic %x)", magic);
	if (info_phys & 7)
		panic("boot: multiboot2 information at %lx is misaligned", info_phys);
	st = mb2_parse(info, MB2_INFO_MAX, &boot_info, log_mb2);
	if (st != MB2_OK)
		kprintf("boot: multiboot2 information damaged (%d); using what was readable\n", st);
	if (boot_info.bad_tags)
		kprintf("boot: %u malformed multiboot2 entries skipped\n", boot_info.bad_tags);
	boot_info.info_phys = info_phys;
	boot_info.info_size = info[0];
	if (boot_info.nregions == 0)
		panic("boot: the boot loader gave no memory map");
	kprintf("boot: loader '%s', command line '%s'\n", boot_info.loader, boot_info.cmdline);
}

/* Everything the frame allocator must never hand out. */
static unsigned reserved_ranges(struct phys_range *r)
{
	unsigned n = 0;

	r[n++] = (struct phys_range){ 0, LOW_MEMORY_END };
	r[n++] = (struct phys_range){ (uint64_t)kernel_phys_start, (uint64_t)kernel_phys_end };
	r[n++] = (struct phys_range){ boot_info.info_phys,
				      boot_info.info_phys + boot_info.info_size };
	for (uint32_t i = 0; i < boot_info.nmodules; i++)
		r[n++] = (struct phys_range){ boot_info.modules[i].start,
					      boot_info.modules[i].end };
	return n;
}

static void print_modules(void)
{
	kprintf("boot: %u module%s\n", boot_info.nmodules, boot_info.nmodules == 1 ? "" : "s");
	for (uint32_t i = 0; i < boot_info.nmodules; i++) {
		const struct boot_module *m = &boot_info.modules[i];

		kprintf("module %u: '%s' %lu bytes at %lx\n", i, m->cmdline,
			m->end - m->start, m->start);
	}
}

static void print_framebuffer(void)
{
	const struct boot_fb *fb = &boot_info.fb;

	if (!boot_info.has_fb) {
		kprintf("framebuffer: none\n");
		return;
	}
	kprintf("framebuffer: %ux%ux%u at %lx, pitch %u, %s\n", fb->width, fb->height,
		fb->bpp, fb->addr, fb->pitch,
		fb->type == 1 ? "RGB" : fb->type == 0 ? "indexed" : "EGA text");
}

static void start_interrupts(void)
{
	const struct acpi_info *a = &acpi_info;
	uint64_t lapic_phys = a->lapic_phys ? a->lapic_phys : rdmsr(MSR_APIC_BASE) & ~0xFFFull;

	pic_disable();
	lapic_init(lapic_phys);
	kprintf("apic: local APIC id %u in %s mode\n", lapic_id(),
		lapic_is_x2apic() ? "x2APIC" : "xAPIC");
	timer_init(a->hpet_phys);
}

static void print_acpi(void)
{
	const struct acpi_info *a = &acpi_info;

	kprintf("acpi: %u CPU%s, %u I/O APIC%s, %u interrupt override%s, HPET %s\n",
		a->ncpus, a->ncpus == 1 ? "" : "s", a->nioapics, a->nioapics == 1 ? "" : "s",
		a->noverrides, a->noverrides == 1 ? "" : "s", a->hpet_phys ? "yes" : "no");
	for (uint32_t i = 0; i < a->nioapics; i++)
		kprintf("acpi: I/O APIC id %u at %lx, GSI base %u\n", a->ioapics[i].id,
			a->ioapics[i].phys, a->ioapics[i].gsi_base);
}

void kmain(uint32_t magic, uint64_t info_phys);

void kmain(uint32_t magic, uint64_t info_phys)
{
	struct phys_range reserved[3 + BOOT_MAX_MODULES];
	unsigned nreserved;
	const char *fault;
	uint64_t ram_end;

	console_init();
	version_print_banner();
	gdt_init();
	idt_init();
	cpu_identify();
	cpu_print_info();
	cpu_enable_protections();
	fpu_init_cpu();
	fpu_print_info();
	percpu_init_boot();

	parse_boot_info(magic, info_phys);
	nreserved = reserved_ranges(reserved);
	ram_end = physmem_init(&boot_info, reserved, nreserved, BOOT_DIRECT_LIMIT);
	/* The direct map also covers the low 4 GiB, where firmware tables live. */
	paging_init(ram_end > BOOT_DIRECT_LIMIT ? ram_end : BOOT_DIRECT_LIMIT);
	kprintf("paging: direct map of %lu MiB, kernel image %lu KiB\n",
		direct_map_end >> 20,
		((uint64_t)kernel_phys_end - (uint64_t)kernel_phys_start) / KIB);
	print_modules();
	print_framebuffer();

	if (acpi_init(&boot_info) && acpi_info.ncpus > 0) {
		print_acpi();
		kstate_ncpus = acpi_info.ncpus;
	}
	start_interrupts();
	irq_init(ioapic_init());

	fault = cmdline_find(boot_info.cmdline, "mica.test.fault");
	if (fault)
		selftest_fault(fault);

	irq_enable();
	while (timer_ticks < TICKS_TO_SHOW)
		cpu_halt();
	kprintf("timer: %u Hz tick running (%lu ticks seen)\n", TIMER_HZ, timer_ticks);
	kprintf("mica: boot ok\n");
	irq_disable();
	root_task_start(&boot_info);
}
