/*
 * FPU/SSE/AVX context switching (see arch/fpu.h for the strategy).
 *
 * fpu_live is the thread whose state is in the registers, or NULL when
 * they hold the initial state. CR0.TS is set exactly while the CPU runs a
 * thread that has not used the FPU, so its first use traps; ts_set mirrors
 * CR0.TS so that the common case writes no control register.
 */
#include <klib.h>
#include <console.h>
#include <panic.h>
#include <arch/cpu.h>
#include <arch/cpufeature.h>
#include <arch/fpu.h>
#include <obj/thread.h>

#define CR0_MP          (1ul << 1)      /* WAIT/FWAIT honour TS */
#define CR0_EM          (1ul << 2)      /* no x87 emulation */
#define CR0_TS          (1ul << 3)
#define CR0_NE          (1ul << 5)      /* native x87 error reporting (#MF) */
#define CR4_OSXSAVE     (1ul << 18)

/* XCR0 components: x87, SSE, AVX, then AVX-512 opmask, ZMM_Hi256, Hi16_ZMM. */
#define XCR0_BASE       0x07ull
#define XCR0_AVX512     0xE0ull

#define MXCSR_DEFAULT   0x1F80u
#define FCW_DEFAULT     0x037Fu

static uint64_t xcr0;           /* 0: no XSAVE, FXSAVE/FXRSTOR are used */
static bool has_xsaveopt;
static uint32_t area_size;
struct thread *fpu_live;        /* also read by the IPC fast path (fastpath.asm) */
static bool ts_set;

/* The initial state: FCW and MXCSR at their reset values, everything else
 * zero, and an XSAVE header saying "all components initial". */
static uint8_t init_area[FPU_AREA_SIZE] aligned(64);

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void fpu_save(uint8_t *area)
{
	if (!xcr0)
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	else if (has_xsaveopt)
		__asm__ volatile("xsaveopt64 (%0)" : : "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
}

/* Any kernel variable will do: loading it sets FIP/FDP to kernel values. */
static const uint32_t fip_scrub;

static void fpu_restore(const uint8_t *area)
{
	/* AMD without XSaveErPtr restores the x87 error pointers only when an
	 * exception is pending, so the last thread's would show through
	 * (CVE-2006-1056): overwrite them first. */
	if (cpu_info.fxsave_leaks_fip)
		__asm__ volatile("fnclex; emms; fildl %0" : : "m"(fip_scrub));
	if (!xcr0)
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
}

static void set_ts(bool on)
{
	if (on == ts_set)
		return;
	if (on)
		write_cr0(read_cr0() | CR0_TS);
	else
		__asm__ volatile("clts");
	ts_set = on;
}

void fpu_init_cpu(void)
{
	uint32_t r[4];

	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	ts_set = false;
	if (cpu_info.xsave) {
		cpuid(0xD, 0, r);
		xcr0 = ((uint64_t)r[3] << 32 | r[0]) & (XCR0_BASE | XCR0_AVX512);
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xsetbv(0, xcr0);
		cpuid(0xD, 0, r);       /* EBX: size for the components now enabled */
		if (r[1] > FPU_AREA_SIZE) {
			xcr0 &= ~XCR0_AVX512;
			xsetbv(0, xcr0);
			cpuid(0xD, 0, r);
		}
		area_size = r[1];
		cpuid(0xD, 1, r);
		has_xsaveopt = r[0] & 1;
	} else {
		area_size = 512;
	}
	if (area_size > FPU_AREA_SIZE)
		panic("fpu: state of %u bytes does not fit", area_size);
	memcpy(init_area, &(uint16_t){ FCW_DEFAULT }, 2);
	memcpy(init_area + 24, &(uint32_t){ MXCSR_DEFAULT }, 4);
	fpu_restore(init_area);
	set_ts(true);           /* nothing runs yet that owns the registers */
}

void fpu_switch_to(struct thread *next)
{
	if (likely(fpu_live == next))
		return;
	if (fpu_live)
		fpu_save(fpu_live->fpu.area);
	if (next->fpu.used) {
		set_ts(false);
		fpu_restore(next->fpu.area);
		fpu_live = next;
		return;
	}
	if (fpu_live) {
		set_ts(false);
		fpu_restore(init_area);
		fpu_live = NULL;
	}
	set_ts(true);
}

void fpu_first_use(struct thread *t)
{
	/* The registers hold the initial state (fpu_live is NULL whenever TS
	 * is set), which is exactly a new thread's. */
	assert(!t->fpu.used && fpu_live == NULL);
	t->fpu.used = true;
	memcpy(t->fpu.area, init_area, sizeof init_area);
	set_ts(false);
	fpu_live = t;
}

void fpu_forget(struct thread *t)
{
	if (fpu_live != t)
		return;
	set_ts(false);
	fpu_restore(init_area);
	fpu_live = NULL;
	set_ts(true);
}

void fpu_print_info(void)
{
	kprintf("fpu: %s, state %u bytes, components %lx\n",
		!xcr0 ? "FXSAVE" : has_xsaveopt ? "XSAVEOPT" : "XSAVE", area_size,
		xcr0 ? xcr0 : 0x3ul);
}
