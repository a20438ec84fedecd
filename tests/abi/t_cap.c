/*
 * Capabilities: the decode errors of every call that takes one (range,
 * empty, type, rights, occupied destination), and the operations copy,
 * mint, move, delete, revoke and info, with the derivation tree they keep.
 */
#include "abi.h"

static struct mica_regs some_regs;
static const char msg[] = "abi: (this line must not appear)\n";

/* Every call with capability index bad in each capability argument:
 * want for a source or task argument, want_dst for a destination slot
 * (E_CAP_EMPTY is no error there). ep is an endpoint, for mint and move. */
static void every_call(uint64_t bad, long want, long want_dst, uint64_t ep)
{
	uint64_t t, r, b;

	EXPECT_ERR(sys_debug_write(bad, msg, sizeof msg - 1), want);
	EXPECT_ERR(sys_cap_info(bad, &t, &r, &b), want);
	EXPECT_ERR(sys_cap_delete(bad), want);
	EXPECT_ERR(sys_cap_revoke(bad), want);
	EXPECT_ERR(sys_cap_copy(bad, SLOT_SELF_TASK, S(10), RIGHTS_ALL), want);
	EXPECT_ERR(sys_cap_copy(ep, bad, S(10), RIGHTS_ALL), want);
	EXPECT_ERR(sys_cap_mint(bad, SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1), want);
	EXPECT_ERR(sys_cap_mint(ep, bad, S(10), RIGHTS_ALL, 1), want);
	EXPECT_ERR(sys_cap_move(bad, SLOT_SELF_TASK, S(10)), want);
	EXPECT_ERR(sys_cap_move(ep, bad, S(10)), want);
	EXPECT_ERR(sys_task_create(bad, S(10), 65536, 4), want);
	EXPECT_ERR(sys_thread_create(bad, S(10)), want);
	EXPECT_ERR(sys_endpoint_create(bad, S(10)), want);
	EXPECT_ERR(sys_notification_create(bad, S(10)), want);
	EXPECT_ERR(sys_thread_config(bad, 0, 1), want);
	EXPECT_ERR(sys_thread_start(bad), want);
	EXPECT_ERR(sys_thread_stop(bad), want);
	EXPECT_ERR(sys_thread_read_regs(bad, &some_regs), want);
	EXPECT_ERR(sys_thread_write_regs(bad, &some_regs), want);
	if (want_dst != E_OK) {
		EXPECT_ERR(sys_cap_copy(ep, SLOT_SELF_TASK, bad, RIGHTS_ALL), want_dst);
		EXPECT_ERR(sys_cap_mint(ep, SLOT_SELF_TASK, bad, RIGHTS_ALL, 1), want_dst);
		EXPECT_ERR(sys_cap_move(ep, SLOT_SELF_TASK, bad), want_dst);
		EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, bad, 65536, 4), want_dst);
		EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, bad), want_dst);
		EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, bad), want_dst);
		EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, bad), want_dst);
	}
	ctx_clear();
	EXPECT_EMPTY(S(10));
	EXPECT_CAP(ep, CAP_ENDPOINT, RIGHTS_ALL, 0);
}

/* Indices beyond the 64-slot table, including those that would be valid
 * slots if the kernel truncated them to 32 bits. */
void test_cap_range(void)
{
	static const uint64_t bad[] = {
		ROOT_CAP_SLOTS, ROOT_CAP_SLOTS + 1, 1ull << 20, 1ull << 32, (1ull << 32) + 1,
		(1ull << 32) + 2, 1ull << 63, ~0ull,
	};
	struct kinfo k0;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	k0 = kinfo();
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("index", bad[i]);
		every_call(bad[i], E_CAP_RANGE, E_CAP_RANGE, S(0));
	}
	EXPECT_NO_LEAK(&k0, "failed calls");

	/* a destination beyond another task's table */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(1), 65536, 4), E_OK)) {
		EXPECT_ERR(sys_cap_copy(S(0), S(1), 4, RIGHTS_ALL), E_CAP_RANGE);
		EXPECT_ERR(sys_cap_copy(S(0), S(1), 1ull << 32, RIGHTS_ALL), E_CAP_RANGE);
		EXPECT_ERR(sys_cap_mint(S(0), S(1), 64, RIGHTS_ALL, 1), E_CAP_RANGE);
		EXPECT_ERR(sys_cap_move(S(0), S(1), ~0ull), E_CAP_RANGE);
		EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
		EXPECT_ERR(sys_cap_copy(S(0), S(1), 3, RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	}
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
}

/* Empty slots, the first and the last of the table among them. */
void test_cap_empty(void)
{
	uint64_t empty[] = { S(30), ROOT_CAP_SLOTS - 1, S(29) };

	/* and an empty slot among the boot capabilities, if there is one */
	for (uint64_t s = 0; s < S(0); s++)
		if (cap_info(s).err == E_CAP_EMPTY) {
			empty[2] = s;
			break;
		}

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	for (unsigned i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		ctx_set("slot", empty[i]);
		every_call(empty[i], E_CAP_EMPTY, E_OK, S(0));
	}
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
}

/* Capabilities of the wrong type; the type is checked before the rights. */
void test_cap_type(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(1)), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(2), 0), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(3), 0), E_OK))
		goto out;

	/* debug_write wants a debug console */
	EXPECT_ERR(sys_debug_write(SLOT_SELF_TASK, msg, sizeof msg - 1), E_CAP_TYPE);
	EXPECT_ERR(sys_debug_write(SLOT_SELF_THREAD, msg, sizeof msg - 1), E_CAP_TYPE);
	EXPECT_ERR(sys_debug_write(S(0), msg, sizeof msg - 1), E_CAP_TYPE);
	EXPECT_ERR(sys_debug_write(S(1), msg, sizeof msg - 1), E_CAP_TYPE);
	EXPECT_ERR(sys_debug_write(S(3), msg, sizeof msg - 1), E_CAP_TYPE);  /* task, no rights */

	/* a destination task must be a task */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_THREAD, S(10), RIGHTS_ALL), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_DEBUG_CONSOLE, S(10), RIGHTS_ALL), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_copy(S(0), S(1), S(10), RIGHTS_ALL), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_THREAD, S(10), RIGHTS_ALL, 1), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_move(S(0), SLOT_DEBUG_CONSOLE, S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_move(S(0), S(0), S(10)), E_CAP_TYPE);

	/* so must the task argument of every creation */
	EXPECT_ERR(sys_task_create(SLOT_SELF_THREAD, S(10), 65536, 4), E_CAP_TYPE);
	EXPECT_ERR(sys_task_create(SLOT_DEBUG_CONSOLE, S(10), 65536, 4), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_create(S(0), S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_create(SLOT_DEBUG_CONSOLE, S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_THREAD, S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_endpoint_create(S(1), S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_notification_create(S(0), S(10)), E_CAP_TYPE);
	EXPECT_ERR(sys_notification_create(S(2), S(10)), E_CAP_TYPE);   /* console, no rights */

	/* the thread calls want a thread */
	EXPECT_ERR(sys_thread_config(SLOT_SELF_TASK, 0, 1), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_config(S(0), 0, 1), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_start(SLOT_SELF_TASK), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_start(SLOT_DEBUG_CONSOLE), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_start(S(2)), E_CAP_TYPE);         /* console, no rights */
	EXPECT_ERR(sys_thread_stop(SLOT_SELF_TASK), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_stop(S(1)), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_read_regs(SLOT_SELF_TASK, &some_regs), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_read_regs(S(0), &some_regs), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_write_regs(SLOT_DEBUG_CONSOLE, &some_regs), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_write_regs(S(3), &some_regs), E_CAP_TYPE);

	EXPECT_EMPTY(S(10));
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
out:
	for (uint64_t s = S(0); s <= S(3); s++)
		sys_cap_delete(s);
}

/* Capabilities without the right the call needs. */
void test_cap_rights(void)
{
	const uint64_t no_control = RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT;
	static const uint64_t console_masks[] = {
		0, RIGHT_READ, RIGHT_GRANT, RIGHT_CONTROL, RIGHT_READ | RIGHT_GRANT | RIGHT_CONTROL,
	};

	/* the debug console needs the write right */
	for (unsigned i = 0; i < sizeof console_masks / sizeof console_masks[0]; i++) {
		ctx_set("mask", console_masks[i]);
		if (EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(10),
					    console_masks[i]), E_OK)) {
			EXPECT_ERR(sys_debug_write(S(10), msg, sizeof msg - 1), E_CAP_RIGHTS);
			EXPECT_ERR(sys_debug_write(S(10), msg, 0), E_CAP_RIGHTS);
			sys_cap_delete(S(10));
		}
	}
	ctx_clear();
	if (EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(10), RIGHT_WRITE), E_OK)) {
		EXPECT_ERR(sys_debug_write(S(10), msg, 0), E_OK);
		sys_cap_delete(S(10));
	}

	/* creating in a task, or putting a capability into its table, needs control */
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(11), no_control), E_OK)) {
		EXPECT_ERR(sys_endpoint_create(S(11), S(20)), E_CAP_RIGHTS);
		EXPECT_ERR(sys_notification_create(S(11), S(20)), E_CAP_RIGHTS);
		EXPECT_ERR(sys_thread_create(S(11), S(20)), E_CAP_RIGHTS);
		EXPECT_ERR(sys_task_create(S(11), S(20), 65536, 4), E_CAP_RIGHTS);
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(11), S(20), RIGHTS_ALL), E_CAP_RIGHTS);
		EXPECT_ERR(sys_cap_mint(S(0), S(11), S(20), RIGHTS_ALL, 1), E_CAP_RIGHTS);
		EXPECT_ERR(sys_cap_move(S(0), S(11), S(20)), E_CAP_RIGHTS);
		EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
		EXPECT_EMPTY(S(20));
		/* a type error comes before a rights error */
		EXPECT_ERR(sys_thread_start(S(11)), E_CAP_TYPE);
		sys_cap_delete(S(11));
	}
	/* the control right alone is enough */
	if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(12), RIGHT_CONTROL), E_OK)) {
		EXPECT_ERR(sys_endpoint_create(S(12), S(20)), E_OK);
		EXPECT_ERR(sys_cap_copy(S(0), S(12), S(21), RIGHTS_ALL), E_OK);
		sys_cap_delete(S(20));
		sys_cap_delete(S(21));
		sys_cap_delete(S(12));
	}

	/* every thread call needs control of the thread */
	if (EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(13)), E_OK) &&
	    EXPECT_ERR(sys_cap_copy(S(13), SLOT_SELF_TASK, S(14), no_control), E_OK)) {
		regs_for(&some_regs, (const void *)0x401000, 0, 0, 0);
		EXPECT_ERR(sys_thread_config(S(14), 0, 1), E_CAP_RIGHTS);
		EXPECT_ERR(sys_thread_start(S(14)), E_CAP_RIGHTS);
		EXPECT_ERR(sys_thread_stop(S(14)), E_CAP_RIGHTS);
		EXPECT_ERR(sys_thread_read_regs(S(14), &some_regs), E_CAP_RIGHTS);
		EXPECT_ERR(sys_thread_write_regs(S(14), &some_regs), E_CAP_RIGHTS);
		/* and a copy of one's own thread without control cannot stop it */
		if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(15), no_control), E_OK))
			EXPECT_ERR(sys_thread_stop(S(15)), E_CAP_RIGHTS);
		if (EXPECT_ERR(sys_cap_copy(S(13), SLOT_SELF_TASK, S(16), RIGHT_CONTROL), E_OK)) {
			EXPECT_ERR(sys_thread_write_regs(S(16), &some_regs), E_OK);
			EXPECT_ERR(sys_thread_read_regs(S(16), &some_regs), E_OK);
			EXPECT_ERR(sys_thread_config(S(16), 0, 1), E_OK);
		}
	}
	for (uint64_t s = S(13); s <= S(16); s++)
		sys_cap_delete(s);
	sys_cap_delete(S(0));
}

/* A destination that is not empty; and nothing is replaced or allocated. */
void test_cap_occupied(void)
{
	const uint64_t full[] = {
		SLOT_SELF_TASK, SLOT_SELF_THREAD, SLOT_DEBUG_CONSOLE, SLOT_IOPORTS, S(0) - 1,
		S(0), S(1),
	};
	struct kinfo k0;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(1)), E_OK))
		goto out;
	k0 = kinfo();
	for (unsigned i = 0; i < sizeof full / sizeof full[0]; i++) {
		uint64_t s = full[i];

		ctx_set("slot", s);
		EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, s, RIGHTS_ALL), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, s, RIGHTS_ALL),
			   E_CAP_OCCUPIED);
		EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, s, RIGHTS_ALL, 5), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_cap_move(S(1), SLOT_SELF_TASK, s), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, s, 65536, 4), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, s), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, s), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, s), E_CAP_OCCUPIED);
	}
	ctx_clear();
	EXPECT_NO_LEAK(&k0, "failed calls");
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_CAP(S(1), CAP_NOTIFICATION, RIGHTS_ALL, 0);

	/* the same in another task's table */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(2), 65536, 4), E_OK)) {
		EXPECT_ERR(sys_cap_copy(S(0), S(2), 0, RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_copy(S(1), S(2), 0, RIGHTS_ALL), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_cap_mint(S(1), S(2), 0, RIGHTS_ALL, 3), E_CAP_OCCUPIED);
		EXPECT_ERR(sys_cap_move(S(1), S(2), 0), E_CAP_OCCUPIED);
		EXPECT_CAP(S(1), CAP_NOTIFICATION, RIGHTS_ALL, 0);
		sys_cap_delete(S(2));
	}
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* What the root task finds at entry (docs/abi.md, abi/cap.h): its task,
 * its thread, the console, all I/O ports, one capability per IRQ line
 * that the KIP counts; nothing else. */
void test_cap_info_boot(void)
{
	uint32_t nirqs = the_kip->nirqs;

	EXPECT(nirqs >= 16 && SLOT_IRQ_BASE + nirqs <= ROOT_CAP_SLOTS);
	EXPECT_CAP(SLOT_SELF_TASK, CAP_TASK, RIGHTS_ALL, 0);
	EXPECT_CAP(SLOT_SELF_THREAD, CAP_THREAD, RIGHTS_ALL, 0);
	EXPECT_CAP(SLOT_DEBUG_CONSOLE, CAP_DEBUG_CONSOLE, RIGHT_WRITE, 0);
	EXPECT_CAP(SLOT_IOPORTS, CAP_IOPORT, RIGHTS_ALL, IOPORT_RANGE(0, 0xFFFF));
	for (uint64_t s = SLOT_IOPORTS + 1; s < ROOT_CAP_SLOTS; s++) {
		ctx_set("slot", s);
		if (s >= SLOT_IRQ_BASE && s < SLOT_IRQ_BASE + nirqs)
			EXPECT_CAP(s, CAP_IRQ, RIGHTS_ALL, 0);
		else
			EXPECT_EMPTY(s);
	}
}

/* IRQ and I/O-port capabilities copy, narrow, move and revoke like any
 * other; they take no badge (the port range sits where a badge would). */
void test_irq_ioport_caps(void)
{
	const uint64_t irq = SLOT_IRQ_BASE + 1;

	if (EXPECT_ERR(sys_cap_copy(irq, SLOT_SELF_TASK, S(0), RIGHT_READ | RIGHT_CONTROL), E_OK))
		EXPECT_CAP(S(0), CAP_IRQ, RIGHT_READ | RIGHT_CONTROL, 0);
	if (EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK))
		EXPECT_CAP(S(1), CAP_IRQ, RIGHT_READ | RIGHT_CONTROL, 0);
	if (EXPECT_ERR(sys_cap_copy(SLOT_IOPORTS, SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK))
		EXPECT_CAP(S(2), CAP_IOPORT, RIGHT_READ, IOPORT_RANGE(0, 0xFFFF));
	EXPECT_ERR(sys_cap_mint(irq, SLOT_SELF_TASK, S(3), RIGHTS_ALL, 5), E_CAP_TYPE);
	/* minting an I/O-port capability narrows its range; 5 is first 5, last 0 */
	EXPECT_ERR(sys_cap_mint(SLOT_IOPORTS, SLOT_SELF_TASK, S(3), RIGHTS_ALL, 5), E_RANGE);
	EXPECT_EMPTY(S(3));
	/* not a console, a task or a thread */
	EXPECT_ERR(sys_debug_write(irq, "", 0), E_CAP_TYPE);
	EXPECT_ERR(sys_endpoint_create(SLOT_IOPORTS, S(3)), E_CAP_TYPE);
	EXPECT_ERR(sys_thread_start(irq), E_CAP_TYPE);
	/* a copy moved, then revoked from the original: gone; the original stays */
	EXPECT_ERR(sys_cap_move(S(1), SLOT_SELF_TASK, S(4)), E_OK);
	EXPECT_ERR(sys_cap_revoke(irq), E_OK);
	EXPECT_EMPTY(S(0));
	EXPECT_EMPTY(S(4));
	EXPECT_CAP(irq, CAP_IRQ, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_revoke(SLOT_IOPORTS), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(SLOT_IOPORTS, CAP_IOPORT, RIGHTS_ALL, IOPORT_RANGE(0, 0xFFFF));
	/* into another task's table, and gone with it */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(5), 65536, 4), E_OK)) {
		EXPECT_ERR(sys_cap_copy(irq, S(5), 0, RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_copy(SLOT_IOPORTS, S(5), 1, RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_delete(S(5)), E_OK);
	}
	EXPECT_CAP(irq, CAP_IRQ, RIGHTS_ALL, 0);
	for (uint64_t s = S(0); s <= S(5); s++)
		sys_cap_delete(s);
}

/* A copy has the source's rights narrowed by the mask, never widened. */
void test_copy_rights(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	for (uint64_t m = 0; m <= RIGHTS_ALL; m++) {
		ctx_set("mask", m);
		if (!EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(10), m), E_OK))
			continue;
		EXPECT_CAP(S(10), CAP_ENDPOINT, m, 0);
		/* asking for more than the source has gives what it has */
		if (EXPECT_ERR(sys_cap_copy(S(10), SLOT_SELF_TASK, S(11), RIGHTS_ALL), E_OK))
			EXPECT_CAP(S(11), CAP_ENDPOINT, m, 0);
		if (EXPECT_ERR(sys_cap_copy(S(11), SLOT_SELF_TASK, S(12), RIGHT_READ | RIGHT_CONTROL), E_OK))
			EXPECT_CAP(S(12), CAP_ENDPOINT, m & (RIGHT_READ | RIGHT_CONTROL), 0);
		sys_cap_delete(S(12));
		sys_cap_delete(S(11));
		sys_cap_delete(S(10));
	}
	ctx_clear();
	/* the console has the write right only: a copy never gains the others */
	if (EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(10), RIGHTS_ALL), E_OK))
		EXPECT_CAP(S(10), CAP_DEBUG_CONSOLE, RIGHT_WRITE, 0);
	if (EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(11), RIGHT_READ), E_OK))
		EXPECT_CAP(S(11), CAP_DEBUG_CONSOLE, 0, 0);
	if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(12), RIGHT_CONTROL), E_OK))
		EXPECT_CAP(S(12), CAP_TASK, RIGHT_CONTROL, 0);
	if (EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(13), RIGHT_READ), E_OK))
		EXPECT_CAP(S(13), CAP_THREAD, RIGHT_READ, 0);
	/* a copy with no rights can still be copied, and gives no rights */
	if (EXPECT_ERR(sys_cap_copy(S(11), SLOT_SELF_TASK, S(14), RIGHTS_ALL), E_OK))
		EXPECT_CAP(S(14), CAP_DEBUG_CONSOLE, 0, 0);
	for (uint64_t s = S(10); s <= S(14); s++)
		sys_cap_delete(s);
	sys_cap_delete(S(0));
}

/* A mask with bits outside RIGHTS_ALL is E_INVAL, and nothing is made. */
void test_copy_mask_inval(void)
{
	static const uint64_t bad[] = {
		0x10, 0x1F, 0x80, 0x100, 1ull << 32, (1ull << 32) | RIGHTS_ALL, 1ull << 63, ~0ull,
	};

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("mask", bad[i]);
		EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(10), bad[i]), E_INVAL);
		EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(10), bad[i], 7), E_INVAL);
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(10), bad[i]), E_INVAL);
		EXPECT_EMPTY(S(10));
	}
	sys_cap_delete(S(0));
}

/* Mint: a badge on an endpoint or notification capability, given once. */
void test_mint(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(1)), E_OK))
		goto out;

	if (EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(10), RIGHTS_ALL, 0x1234), E_OK))
		EXPECT_CAP(S(10), CAP_ENDPOINT, RIGHTS_ALL, 0x1234);
	if (EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(11), RIGHT_READ, ~0ull), E_OK))
		EXPECT_CAP(S(11), CAP_ENDPOINT, RIGHT_READ, ~0ull);
	if (EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(12), RIGHT_WRITE, 1), E_OK))
		EXPECT_CAP(S(12), CAP_NOTIFICATION, RIGHT_WRITE, 1);

	/* badge 0 means none: not a badge one can give */
	EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(13), RIGHTS_ALL, 0), E_INVAL);
	EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(13), RIGHTS_ALL, 0), E_INVAL);
	EXPECT_EMPTY(S(13));
	/* a badge, once given, is fixed */
	EXPECT_ERR(sys_cap_mint(S(10), SLOT_SELF_TASK, S(13), RIGHTS_ALL, 5), E_STATE);
	EXPECT_ERR(sys_cap_mint(S(12), SLOT_SELF_TASK, S(13), RIGHTS_ALL, 1), E_STATE);
	EXPECT_EMPTY(S(13));
	/* a copy keeps the badge */
	if (EXPECT_ERR(sys_cap_copy(S(10), SLOT_SELF_TASK, S(13), RIGHT_WRITE), E_OK))
		EXPECT_CAP(S(13), CAP_ENDPOINT, RIGHT_WRITE, 0x1234);
	/* an unbadged copy can be minted, and rights narrow as in copy */
	if (EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(14), RIGHT_READ | RIGHT_WRITE), E_OK) &&
	    EXPECT_ERR(sys_cap_mint(S(14), SLOT_SELF_TASK, S(15), RIGHTS_ALL, 9), E_OK))
		EXPECT_CAP(S(15), CAP_ENDPOINT, RIGHT_READ | RIGHT_WRITE, 9);
	/* minted capabilities are derived: revoke takes them all */
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	for (uint64_t s = S(10); s <= S(15); s++) {
		ctx_set("slot", s);
		if (s == S(12))
			EXPECT_CAP(S(12), CAP_NOTIFICATION, RIGHT_WRITE, 1);
		else
			EXPECT_EMPTY(s);
	}
	ctx_clear();
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_EMPTY(S(12));
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_CAP(S(1), CAP_NOTIFICATION, RIGHTS_ALL, 0);
out:
	for (uint64_t s = S(10); s <= S(15); s++)
		sys_cap_delete(s);
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* Only endpoints and notifications take badges. */
void test_mint_type(void)
{
	EXPECT_ERR(sys_cap_mint(SLOT_SELF_TASK, SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_mint(SLOT_SELF_THREAD, SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1), E_CAP_TYPE);
	EXPECT_ERR(sys_cap_mint(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1),
		   E_CAP_TYPE);
	if (EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(0)), E_OK))
		EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1), E_CAP_TYPE);
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(1), 65536, 4), E_OK)) {
		EXPECT_ERR(sys_cap_mint(S(1), SLOT_SELF_TASK, S(10), RIGHTS_ALL, 1), E_CAP_TYPE);
		EXPECT_ERR(sys_cap_mint(S(1), S(1), 0, RIGHTS_ALL, 1), E_CAP_TYPE);
	}
	EXPECT_EMPTY(S(10));
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* Move: the destination gets the capability as it was, the source is empty. */
void test_move(void)
{
	struct kinfo k0;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	if (!EXPECT_ERR(sys_cap_mint(S(0), SLOT_SELF_TASK, S(1), RIGHT_READ | RIGHT_WRITE, 77), E_OK))
		goto out;
	k0 = kinfo();
	EXPECT_ERR(sys_cap_move(S(1), SLOT_SELF_TASK, S(10)), E_OK);
	EXPECT_CAP(S(10), CAP_ENDPOINT, RIGHT_READ | RIGHT_WRITE, 77);
	EXPECT_EMPTY(S(1));
	EXPECT_ERR(sys_cap_delete(S(1)), E_CAP_EMPTY);
	EXPECT_ERR(sys_cap_move(S(1), SLOT_SELF_TASK, S(11)), E_CAP_EMPTY);
	EXPECT_EMPTY(S(11));
	EXPECT_NO_LEAK(&k0, "a move");

	/* the original moves just as well */
	EXPECT_ERR(sys_cap_move(S(0), SLOT_SELF_TASK, S(20)), E_OK);
	EXPECT_CAP(S(20), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_EMPTY(S(0));
	/* onto itself: occupied, and still there */
	EXPECT_ERR(sys_cap_move(S(20), SLOT_SELF_TASK, S(20)), E_CAP_OCCUPIED);
	EXPECT_CAP(S(20), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_NO_LEAK(&k0, "moves");

	/* a moved console capability still writes */
	if (EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, SLOT_SELF_TASK, S(30), RIGHTS_ALL), E_OK) &&
	    EXPECT_ERR(sys_cap_move(S(30), SLOT_SELF_TASK, S(31)), E_OK)) {
		EXPECT_ERR(sys_debug_write(S(31), "", 0), E_OK);
		EXPECT_ERR(sys_debug_write(S(30), "", 0), E_CAP_EMPTY);
	}
	sys_cap_delete(S(31));
	sys_cap_delete(S(10));
	sys_cap_delete(S(20));
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* A moved capability keeps its place in the derivation tree. */
void test_move_tree(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	/* the parent moves: its children follow it */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_move(S(0), SLOT_SELF_TASK, S(10)), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(10)), E_OK);
	EXPECT_EMPTY(S(1));
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(S(10), CAP_ENDPOINT, RIGHTS_ALL, 0);

	/* a child moves: still a child, and its own children stay under it */
	EXPECT_ERR(sys_cap_copy(S(10), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_move(S(1), SLOT_SELF_TASK, S(11)), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(11)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(S(11), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_copy(S(11), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(10)), E_OK);
	EXPECT_EMPTY(S(11));
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(S(10), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_revoke(S(0)), E_CAP_EMPTY);
	for (uint64_t s = S(0); s <= S(11); s++)
		sys_cap_delete(s);
}

/* Slots 0, 1 and 2 are where the caller finds its task, thread and console
 * at entry, nothing more: from any other slot they work the same, and
 * they move back. */
void test_move_own_caps(void)
{
	struct mica_regs r;

	regs_for(&r, (const void *)0x401000, 0, 0, 0);
	EXPECT_ERR(sys_cap_move(SLOT_SELF_TASK, SLOT_SELF_TASK, S(0)), E_OK);
	EXPECT_EMPTY(SLOT_SELF_TASK);
	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(1)), E_CAP_EMPTY);
	EXPECT_ERR(sys_endpoint_create(S(0), S(1)), E_OK);
	EXPECT_ERR(sys_cap_copy(S(1), S(0), S(2), RIGHTS_ALL), E_OK);
	sys_cap_delete(S(2));
	sys_cap_delete(S(1));
	EXPECT_ERR(sys_cap_move(SLOT_SELF_THREAD, S(0), S(3)), E_OK);
	EXPECT_ERR(sys_thread_write_regs(S(3), &r), E_STATE);   /* still ourselves */
	EXPECT_ERR(sys_thread_config(S(3), ROOT_PRIORITY, 2), E_OK);
	EXPECT_ERR(sys_cap_move(SLOT_DEBUG_CONSOLE, S(0), S(4)), E_OK);
	EXPECT_ERR(sys_debug_write(S(4), "", 0), E_OK);
	EXPECT_ERR(sys_debug_write(SLOT_DEBUG_CONSOLE, "", 0), E_CAP_EMPTY);
	/* back, the task capability moving itself through itself last */
	EXPECT_ERR(sys_cap_move(S(4), S(0), SLOT_DEBUG_CONSOLE), E_OK);
	EXPECT_ERR(sys_cap_move(S(3), S(0), SLOT_SELF_THREAD), E_OK);
	EXPECT_ERR(sys_cap_move(S(0), S(0), SLOT_SELF_TASK), E_OK);
	EXPECT_EMPTY(S(0));
	EXPECT_CAP(SLOT_SELF_TASK, CAP_TASK, RIGHTS_ALL, 0);
}

/* Delete empties the slot; the object goes with its last capability. */
void test_delete(void)
{
	struct kinfo k0 = kinfo(), k1;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	k1 = kinfo();
	EXPECT(k1.used > k0.used);
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	EXPECT_EMPTY(S(0));
	EXPECT_ERR(sys_cap_delete(S(0)), E_CAP_EMPTY);
	EXPECT_CAP(S(1), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_NO_LEAK(&k1, "a copy remains: the endpoint lives");
	/* the copy, now a root, can be copied and revoked */
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	EXPECT_EMPTY(S(1));
	EXPECT_ERR(sys_cap_delete(S(1)), E_CAP_EMPTY);
	EXPECT_NO_LEAK(&k0, "the last capability gone");
}

/* revoke(A) over A -> B -> C and A -> D: B, C and D go, A stays. */
void test_revoke_tree(void)
{
	struct kinfo k1;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	k1 = kinfo();
	/* B */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHT_READ | RIGHT_WRITE), E_OK);
	/* C */
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK);
	/* D */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(3), RIGHTS_ALL), E_OK);
	/* under D */
	EXPECT_ERR(sys_cap_mint(S(3), SLOT_SELF_TASK, S(4), RIGHTS_ALL, 3), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	for (uint64_t s = S(1); s <= S(4); s++) {
		ctx_set("slot", s);
		EXPECT_EMPTY(s);
	}
	ctx_clear();
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_NO_LEAK(&k1, "revoke keeps the object");
	/* the slots are free again */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	for (uint64_t s = S(0); s <= S(4); s++)
		sys_cap_delete(s);
}

/* Revoke of a leaf does nothing; revoke of a middle node takes its subtree only. */
void test_revoke_partial(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);         /* B */
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);         /* C */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(3), RIGHTS_ALL), E_OK);         /* D */
	EXPECT_ERR(sys_cap_revoke(S(2)), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(3)), E_OK);
	for (uint64_t s = S(0); s <= S(3); s++) {
		ctx_set("slot", s);
		EXPECT_CAP(s, CAP_ENDPOINT, RIGHTS_ALL, 0);
	}
	ctx_clear();
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_CAP(S(1), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_CAP(S(3), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	EXPECT_EMPTY(S(1));
	EXPECT_EMPTY(S(3));
	/* an original without copies: a no-op */
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	EXPECT_ERR(sys_cap_revoke(SLOT_DEBUG_CONSOLE), E_OK);
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	for (uint64_t s = S(0); s <= S(3); s++)
		sys_cap_delete(s);
}

/* Deleting B out of A -> B -> C: C moves up under A and is still revoked by A. */
void test_delete_middle(void)
{
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		return;
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);         /* B */
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK);         /* C */
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(3), RIGHT_WRITE), E_OK);        /* C' */
	EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	EXPECT_CAP(S(2), CAP_ENDPOINT, RIGHT_READ, 0);
	EXPECT_CAP(S(3), CAP_ENDPOINT, RIGHT_WRITE, 0);
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_EMPTY(S(3));
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);

	/* deleting the root: its children become roots, their subtrees intact */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(3), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	EXPECT_CAP(S(1), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_CAP(S(3), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_CAP(S(3), CAP_ENDPOINT, RIGHTS_ALL, 0);  /* a sibling, not a child */
	for (uint64_t s = S(0); s <= S(3); s++)
		sys_cap_delete(s);
}

/* A copy into another task's table: made, counted as derived, and keeping
 * the object alive after the source goes. */
void test_copy_other_task(void)
{
	struct kinfo k0 = kinfo(), k1;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(20), 65536, 8), E_OK))
		return;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		goto out;
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 3, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 3, RIGHTS_ALL), E_CAP_OCCUPIED);
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 8, RIGHTS_ALL), E_CAP_RANGE);
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 7, RIGHT_READ), E_OK);
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(20), 0, RIGHTS_ALL), E_OK);
	/* revoke reaches into the other table: its slots 3 and 7 are free again */
	EXPECT_ERR(sys_cap_revoke(S(0)), E_OK);
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 3, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(S(0), S(20), 7, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(20), 0, RIGHTS_ALL), E_CAP_OCCUPIED);
	/* the task's copies keep the endpoint alive */
	k1 = kinfo();
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	EXPECT_NO_LEAK(&k1, "copies in the other task remain");
out:
	sys_cap_delete(S(0));
	EXPECT_ERR(sys_cap_delete(S(20)), E_OK);
	EXPECT_NO_LEAK(&k0, "task and endpoint gone");
}

/* Move and mint into another task's table; its teardown takes its slots
 * out of the derivation tree and leaves ours as they should be. */
void test_move_other_task(void)
{
	struct kinfo k0 = kinfo();

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(20), 65536, 8), E_OK))
		return;
	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK))
		goto out;
	/* B, under A */
	EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
	/* A leaves */
	EXPECT_ERR(sys_cap_move(S(0), S(20), 2), E_OK);
	EXPECT_EMPTY(S(0));
	EXPECT_ERR(sys_cap_move(S(0), S(20), 5), E_CAP_EMPTY);
	EXPECT_ERR(sys_cap_mint(S(1), S(20), 3, RIGHT_READ, 42), E_OK);         /* under B */
	EXPECT_ERR(sys_cap_mint(S(1), S(20), 3, RIGHT_READ, 43), E_CAP_OCCUPIED);
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_ERR(sys_cap_mint(S(1), S(20), 3, RIGHT_READ, 43), E_OK);         /* freed */
	/* the task goes: A (B's parent) goes with it, B lives on as a root */
	EXPECT_ERR(sys_cap_delete(S(20)), E_OK);
	EXPECT_CAP(S(1), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(1)), E_OK);
	EXPECT_EMPTY(S(2));
	EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
	EXPECT_NO_LEAK(&k0, "task and endpoint gone");
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(20));
}
