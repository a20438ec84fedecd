/*
 * The kernel ABI suite, loaded as the root task of build/abi.iso: every
 * system call with good and bad input, in ring 3, through the system-call
 * stubs alone (docs/abi.md).
 *
 * Output (tests/guest/cases.sh, case abi, checks it): one line per test,
 * "ABI0001 name: ok" or "ABI0001 name: FAILED: detail"; then the leak
 * check of the whole suite (free frames and the suite's quota used, before
 * and after); then "abi: N passed, M failed", the leak check counting as
 * one test. Each test must leave the suite as it found it: after each,
 * the runner checks that every slot is as the suite found it at entry,
 * and that free frames and quota used are back to their values before it.
 */
#include "abi.h"

void _exit(int status);
int main(void);

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
	/* entry, exit and the simple calls (t_basic.c) */
	{ "null", test_null },
	{ "nosys", test_nosys },
	{ "regs_preserved", test_regs_preserved },
	{ "yield", test_yield },
	{ "kernel_info", test_kernel_info },
	{ "debug_write_ok", test_debug_write_ok },
	{ "debug_write_inval", test_debug_write_inval },
	{ "debug_write_fault", test_debug_write_fault },
	/* capabilities (t_cap.c) */
	{ "cap_range", test_cap_range },
	{ "cap_empty", test_cap_empty },
	{ "cap_type", test_cap_type },
	{ "cap_rights", test_cap_rights },
	{ "cap_occupied", test_cap_occupied },
	{ "cap_info_boot", test_cap_info_boot },
	{ "irq_ioport_caps", test_irq_ioport_caps },
	{ "copy_rights", test_copy_rights },
	{ "copy_mask_inval", test_copy_mask_inval },
	{ "mint", test_mint },
	{ "mint_type", test_mint_type },
	{ "move", test_move },
	{ "move_tree", test_move_tree },
	{ "move_own_caps", test_move_own_caps },
	{ "delete", test_delete },
	{ "revoke_tree", test_revoke_tree },
	{ "revoke_partial", test_revoke_partial },
	{ "delete_middle", test_delete_middle },
	{ "copy_other_task", test_copy_other_task },
	{ "move_other_task", test_move_other_task },
	/* objects, quotas, teardown (t_obj.c) */
	{ "create_objects", test_create_objects },
	{ "create_errors", test_create_errors },
	{ "task_nslots", test_task_nslots },
	{ "quota_too_large", test_quota_too_large },
	{ "quota_min_task", test_quota_min_task },
	{ "quota_fill", test_quota_fill },
	{ "quota_nested", test_quota_nested },
	{ "teardown_task", test_teardown_task },
	{ "teardown_nested", test_teardown_nested },
	{ "teardown_chain", test_teardown_chain },
	{ "object_free", test_object_free },
	{ "endpoint_outlives_task", test_endpoint_outlives_task },
	/* memory: map, grant, unmap (t_map.c) */
	{ "map_args", test_map_args },
	{ "map_alias", test_map_alias },
	{ "map_other_task", test_map_other_task },
	{ "map_quota", test_map_quota },
	{ "map_run_other_task", test_map_run_other_task },
	{ "grant", test_grant },
	{ "unmap_tree", test_unmap_tree },
	/* threads, faults, scheduling (t_thread.c) */
	{ "thread_config", test_thread_config },
	{ "thread_config_ipc", test_thread_config_ipc },
	{ "write_regs_inval", test_write_regs_inval },
	{ "regs_roundtrip", test_regs_roundtrip },
	{ "regs_fault", test_regs_fault },
	{ "thread_start_state", test_thread_start_state },
	{ "thread_runs", test_thread_runs },
	{ "thread_self_delete", test_thread_self_delete },
	{ "thread_dead", test_thread_dead },
	{ "thread_other_task", test_thread_other_task },
	{ "fault_ud", test_fault_ud },
	{ "fault_pf", test_fault_pf },
	{ "fault_gp", test_fault_gp },
	{ "fault_repair", test_fault_repair },
	{ "sched_yield_order", test_sched_yield_order },
	{ "sched_spinner", test_sched_spinner },
	{ "sched_lower", test_sched_lower },
	{ "sched_wakeup", test_sched_wakeup },
	{ "fpu_isolated", test_fpu_isolated },
	/* what a supervisor sees: thread and task info (t_info.c) */
	{ "info_cap_errors", test_info_cap_errors },
	{ "thread_info_states", test_thread_info_states },
	{ "task_info_counts", test_task_info_counts },
	/* interrupts and I/O ports (t_irq.c) */
	{ "irq_rtc", test_irq_rtc },
	{ "ioport_access", test_ioport_access },
	/* typed items (t_items.c) */
	{ "items_cap_and_page", test_items_cap_and_page },
	{ "items_pager_map_reply", test_items_pager_map_reply },
	{ "ipc_send_cap_revoked", test_ipc_send_cap_revoked },
	/* faults as IPC (t_pager.c) */
	{ "pager_zero_page", test_pager_zero_page },
	{ "exception_handler_resumes", test_exception_handler_resumes },
	/* notifications (t_ntfn.c) */
	{ "ntfn_signal_poll", test_ntfn_signal_poll },
	{ "ntfn_wait_wakes", test_ntfn_wait_wakes },
	{ "ntfn_bound", test_ntfn_bound },
	/* IPC (t_ipc.c) */
	{ "ipc_call_echo", test_ipc_call_echo },
	{ "ipc_words_every_length", test_ipc_words_every_length },
	{ "ipc_label_badge", test_ipc_label_badge },
	{ "ipc_fifo", test_ipc_fifo },
	{ "ipc_priority_order", test_ipc_priority_order },
	{ "ipc_nonblock", test_ipc_nonblock },
	{ "ipc_abort", test_ipc_abort },
	{ "ipc_message_errors", test_ipc_message_errors },
	{ "ipc_recv_no_utcb", test_ipc_recv_no_utcb },
	{ "ipc_rights", test_ipc_rights },
	{ "ipc_dead_client", test_ipc_dead_client },
	{ "ipc_dead_server", test_ipc_dead_server },
	{ "ipc_reply_once", test_ipc_reply_once },
	{ "ipc_send", test_ipc_send },
	{ "ipc_cross_task", test_ipc_cross_task },
	{ "ipc_long_utcb_cross_task", test_ipc_long_utcb_cross_task },
	{ "ipc_stop", test_ipc_stop },
	{ "ipc_reply_right_kept", test_ipc_reply_right_kept },
	{ "ipc_dead_server_callers", test_ipc_dead_server_callers },
	{ "ipc_callers_newest_first", test_ipc_callers_newest_first },
	{ "ipc_stress", test_ipc_stress },
	/* the fast path's and the light entry's edges (t_fastpath.c) */
	{ "ipc_blocked_caller", test_ipc_blocked_caller },
	{ "ipc_blocked_server", test_ipc_blocked_server },
	{ "light_exit_preempts", test_light_exit_preempts },
	{ "ipc_long_utcb_changes", test_ipc_long_utcb_changes },
	/* the page-fault fast paths' edges (t_faultpath.c) */
	{ "faultpath_pager_waits", test_faultpath_pager_waits },
	{ "faultpath_pager_not_waiting", test_faultpath_pager_not_waiting },
	{ "faultpath_pager_dead", test_faultpath_pager_dead },
	{ "faultpath_bad_item", test_faultpath_bad_item },
	{ "faultpath_other_answers", test_faultpath_other_answers },
	{ "faultpath_faulter_aborted", test_faultpath_faulter_aborted },
	{ "faultpath_queued_senders", test_faultpath_queued_senders },
	/* last: a kernel that gets this wrong panics */
	{ "start_unset_regs", test_start_unset_regs },
};

#define NTESTS (sizeof tests / sizeof tests[0])

uint64_t scratch_base;
uint64_t task_min;

/* Every slot as the suite found it at entry. */
static struct capinfo boot_slots[ROOT_CAP_SLOTS];

/* The first slot above every capability the root task was given. */
static void find_scratch(void)
{
	scratch_base = 0;
	for (uint64_t s = 0; s < ROOT_CAP_SLOTS; s++) {
		boot_slots[s] = cap_info(s);
		if (boot_slots[s].err == E_OK)
			scratch_base = s + 1;
	}
}

/* By bisection: the smallest quota task_create accepts. */
static void find_task_min(void)
{
	uint64_t lo = 0, hi = 1 << 20;  /* lo fails, hi succeeds */

	if (sys_task_create(SLOT_SELF_TASK, S(0), hi, 1) != E_OK)
		return;
	sys_cap_delete(S(0));
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (sys_task_create(SLOT_SELF_TASK, S(0), mid, 1) == E_OK) {
			sys_cap_delete(S(0));
			hi = mid;
		} else {
			lo = mid;
		}
	}
	task_min = hi;
}

/* After each test: every boot slot as it was, every other slot empty. A
 * capability left behind is a failure, and is deleted so that the next
 * test starts clean. */
static void check_slots(void)
{
	for (uint64_t s = 0; s < ROOT_CAP_SLOTS; s++) {
		struct capinfo c = cap_info(s), b = boot_slots[s];

		if (c.err == b.err && c.type == b.type && c.rights == b.rights &&
		    c.badge == b.badge)
			continue;
		ctx_set("slot", s);
		if (b.err == E_CAP_EMPTY) {
			FAIL("left a capability behind");
			sys_cap_delete(s);
		} else {
			FAIL("a boot capability changed");
		}
		ctx_clear();
	}
}

static void run(unsigned i, unsigned *passed, unsigned *failed)
{
	struct kinfo before = kinfo();
	struct sb b = { .n = 0 };

	test_begin();
	tests[i].fn();
	ctx_clear();
	check_slots();
	EXPECT_NO_LEAK(&before, "leak");

	sb_str(&b, "ABI");
	if (i + 1 < 1000)
		sb_str(&b, "0");
	if (i + 1 < 100)
		sb_str(&b, "0");
	if (i + 1 < 10)
		sb_str(&b, "0");
	sb_dec(&b, i + 1);
	sb_str(&b, " ");
	sb_str(&b, tests[i].name);
	if (test_failures() == 0) {
		sb_str(&b, ": ok\n");
		(*passed)++;
	} else {
		sb_str(&b, ": FAILED: ");
		sb_str(&b, test_detail());
		sb_str(&b, "\n");
		(*failed)++;
	}
	sb_flush(&b);
}

int main(void)
{
	unsigned passed = 0, failed = 0;
	struct kinfo before, after;
	struct sb b = { .n = 0 };

	the_kip = (const struct kip *)KIP_ADDR;
	the_utcb = (uint8_t *)utcb_self();
	say("abi: kernel ABI suite starting");
	find_scratch();
	if (scratch_base + NSCRATCH > ROOT_CAP_SLOTS) {
		sb_str(&b, "abi: only ");
		sb_dec(&b, ROOT_CAP_SLOTS - scratch_base);
		sb_str(&b, " free slots above the boot capabilities; the suite needs 32\n");
		sb_str(&b, "abi: 0 passed, 1 failed\n");
		sb_flush(&b);
		_exit(1);
	}
	find_task_min();
	sb_str(&b, "abi: scratch slots ");
	sb_dec(&b, S(0));
	sb_str(&b, "-");
	sb_dec(&b, S(NSCRATCH - 1));
	sb_str(&b, "; the smallest task quota is ");
	sb_dec(&b, task_min);
	sb_str(&b, " bytes\n");
	sb_flush(&b);
	map_warm_up();
	before = kinfo();
	for (unsigned i = 0; i < NTESTS; i++)
		run(i, &passed, &failed);
	after = kinfo();

	sb_str(&b, "abi: leak check: free frames ");
	sb_dec(&b, before.free);
	sb_str(&b, " -> ");
	sb_dec(&b, after.free);
	sb_str(&b, ", quota used ");
	sb_dec(&b, before.used);
	sb_str(&b, " -> ");
	sb_dec(&b, after.used);
	if (before.free == after.free && before.used == after.used) {
		sb_str(&b, ": ok\n");
		passed++;
	} else {
		sb_str(&b, ": FAILED\n");
		failed++;
	}
	sb_flush(&b);

	sb_str(&b, "abi: ");
	sb_dec(&b, passed);
	sb_str(&b, " passed, ");
	sb_dec(&b, failed);
	sb_str(&b, " failed\n");
	sb_flush(&b);
	_exit(0);
	return 0;
}
