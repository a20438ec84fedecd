/*
 * Interrupts and I/O ports (t_irq.c): the RTC's periodic interrupt (ISA
 * IRQ 8) delivered to the suite as a user-level driver through a
 * notification; and port access exactly as the task's I/O-port
 * capabilities allow, tested in a child task running a small probe.
 */
#include <mica/ipc.h>
#include <mica/portio.h>
#include "abi.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define RTC_GSI   8

static uint8_t rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, 0x80 | reg);            /* bit 7: NMI stays disabled */
	return inb(RTC_DATA);
}

static void rtc_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX, 0x80 | reg);
	outb(RTC_DATA, v);
}

/* Two periodic interrupts of the RTC arrive as signals; each is
 * acknowledged at the device (register C) and at the kernel (irq_ack). */
void test_irq_rtc(void)
{
	const uint64_t irq = SLOT_IRQ_BASE + RTC_GSI;
	uint64_t bits = 0;
	uint8_t b;

	if (!EXPECT(the_kip->nirqs > RTC_GSI))
		return;
	if (!EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL, 0x100), E_OK);
	EXPECT_ERR(mica_syscall(SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0, 0), E_STATE);        /* unbound */
	EXPECT_ERR(mica_syscall(SYS_IRQ_BIND, irq, SLOT_SELF_TASK, 0, 0, 0, 0, 0), E_CAP_TYPE);
	EXPECT_ERR(mica_syscall(SYS_IRQ_BIND, SLOT_SELF_TASK, S(1), 0, 0, 0, 0, 0), E_CAP_TYPE);
	if (!EXPECT_ERR(mica_syscall(SYS_IRQ_BIND, irq, S(1), 0, 0, 0, 0, 0), E_OK))
		goto out;
	EXPECT_ERR(mica_syscall(SYS_IRQ_BIND, irq, S(1), 0, 0, 0, 0, 0), E_STATE);

	/* 1024 Hz periodic interrupts (rate 6), then the PIE bit */
	rtc_write(0x0A, (uint8_t)((rtc_read(0x0A) & 0xF0) | 0x06));
	b = rtc_read(0x0B);
	rtc_read(0x0C);                         /* clear anything pending */
	rtc_write(0x0B, (uint8_t)(b | 0x40));
	/* Like any driver, it asks the device why: an edge latched before the
	 * device was set up may arrive once with register C already clear. */
	for (int n = 0, spurious = 0; n < 2 && spurious <= 1;) {
		bits = 0;
		EXPECT_ERR(ntfn_wait(S(0), &bits), E_OK);
		EXPECT_EQ(bits, 0x100);
		if (rtc_read(0x0C) & 0x40)      /* the device says: periodic */
			n++;
		else
			spurious++;
		EXPECT_ERR(mica_syscall(SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0, 0), E_OK);
		EXPECT(spurious <= 1);
	}
	rtc_write(0x0B, (uint8_t)(b & ~0x40));
	rtc_read(0x0C);
	EXPECT_ERR(mica_syscall(SYS_IRQ_BIND, irq, CAP_NONE, 0, 0, 0, 0, 0), E_OK);
	EXPECT_ERR(mica_syscall(SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0, 0), E_STATE);
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}

/*
 * The probe, run in a child task: reads port RSI, stores 1 at RDI, stops
 * itself (its thread capability in slot 1; R8 holds SYS_THREAD_STOP).
 */
extern const char port_probe[];
__asm__(
	".pushsection .text\n"
	".balign 4096\n"
	".globl port_probe\n"
	"port_probe:\n"
	"	mov %esi, %edx\n"
	"	inb %dx, %al\n"
	"	movq $1, (%rdi)\n"
	"	mov %r8, %rax\n"
	"	mov $1, %edi\n"
	"	syscall\n"
	"1:	jmp 1b\n"
	".balign 4096\n"
	".popsection\n"
);

static volatile uint64_t probe_word[PAGE / 8] __attribute__((aligned(PAGE)));

/* Runs the probe on port in the child (task S(0), thread S(1)); returns
 * whether it got past the port access. */
static int probe(uint16_t port)
{
	struct mica_regs r;

	probe_word[0] = 0;
	regs_for(&r, (const void *)port_probe, 0, (uint64_t)(uintptr_t)probe_word, port);
	r.rsp = 0;
	r.r8 = SYS_THREAD_STOP;
	if (sys_thread_write_regs(S(1), &r) != E_OK || sys_thread_start(S(1)) != E_OK)
		return -1;
	for (int i = 0; i < 5; i++)
		sys_yield();
	return probe_word[0] == 1;
}

/* A task uses exactly the ports its I/O-port capabilities name. */
void test_ioport_access(void)
{
	const uint64_t code = (uint64_t)(uintptr_t)port_probe;
	const uint64_t word = (uint64_t)(uintptr_t)probe_word;
	uint64_t type, rights, range;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min + 256 * 1024, 4), E_OK))
		return;
	if (!EXPECT_ERR(sys_map(S(0), code, code, 12, MAP_EXEC), E_OK) ||
	    !EXPECT_ERR(sys_map(S(0), word, word, 12, MAP_WRITE), E_OK) ||
	    !EXPECT_ERR(sys_thread_create(S(0), S(1)), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(1), S(0), 1, RIGHTS_ALL), E_OK) ||
	    !EXPECT_ERR(sys_thread_config(S(1), ROOT_PRIORITY, 2), E_OK))
		goto out;
	EXPECT_EQ(probe(RTC_DATA), 0);          /* no capability: #GP, stopped */

	/* a narrower range, minted into the child's table */
	EXPECT_ERR(sys_cap_mint(SLOT_IOPORTS, S(0), 2, RIGHTS_ALL, IOPORT_RANGE(0x72, 0x70)),
		   E_RANGE);
	EXPECT_ERR(sys_cap_mint(SLOT_IOPORTS, SLOT_SELF_TASK, S(2), RIGHTS_ALL,
				IOPORT_RANGE(0x70, 0x71)), E_OK);
	EXPECT_ERR(sys_cap_mint(S(2), SLOT_SELF_TASK, S(3), RIGHTS_ALL, IOPORT_RANGE(0x70, 0x72)),
		   E_RANGE);                    /* never wider than the source */
	if (EXPECT_ERR(sys_cap_info(S(2), &type, &rights, &range), E_OK))
		EXPECT_EQ(range, IOPORT_RANGE(0x70, 0x71));
	EXPECT_ERR(sys_cap_copy(S(2), S(0), 2, RIGHTS_ALL), E_OK);
	EXPECT_EQ(probe(RTC_DATA), 1);
	EXPECT_EQ(probe(0x80), 0);              /* outside the range */
	EXPECT_EQ(probe(RTC_INDEX), 1);

	/* revoked from our copy: the child's is gone, and so are its ports */
	EXPECT_ERR(sys_cap_revoke(S(2)), E_OK);
	EXPECT_EQ(probe(RTC_DATA), 0);
	EXPECT_ERR(sys_cap_delete(S(2)), E_OK);
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
}
