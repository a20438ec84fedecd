/*
 * The kernel ABI suite (tests/abi/): what its files share. The suite is
 * the root task of build/abi.iso and sees the kernel only through system
 * calls; it has no libc beyond the stubs, so the few helpers it needs
 * (text output, expectations, threads in its own address space) are here.
 *
 * Every test is a function in the table of main.c. A test records its
 * failures through the EXPECT macros and goes on (so that it still cleans
 * up); the runner prints one line per test and checks after each that the
 * test left no capability behind and gave back every frame and every byte
 * of quota it took.
 */
#ifndef ABI_SUITE_H
#define ABI_SUITE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdnoreturn.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <abi/regs.h>
#include <abi/syscall.h>
#include <mica/start.h>
#include <mica/syscall.h>

/* ------------------------------------------------------------ constants */

#define USER_END        0x0000800000000000ull   /* first non-user address */
#define PAGE            4096ull
#define DEBUG_WRITE_MAX 1024u   /* SYS_DEBUG_WRITE's limit (docs/abi.md) */
#define TABLE_MAX_SLOTS 73u     /* slots in a one-page table, for now */
#define ROOT_PRIORITY   128     /* the root task's thread (core/root_task.c) */

/*
 * Scratch slots: the tests use S(0) .. S(NSCRATCH - 1), above every slot
 * the root task was given at boot (its task, thread, console, I/O ports
 * and IRQ lines); main.c finds where they start.
 */
#define NSCRATCH 32
extern uint64_t scratch_base;
#define S(n) (scratch_base + (n))

/* The smallest quota a task can be created with (main.c measures it). */
extern uint64_t task_min;
#define RFLAGS_USER     0x40DD5ull      /* CF PF AF ZF SF TF DF OF AC */
#define RFLAGS_FIXED    0x202ull        /* IF and bit 1: always set */

/* ------------------------------------------------------------ text */

/* A line under construction: written with one SYS_DEBUG_WRITE, so that
 * kernel messages never land in the middle of it. */
struct sb {
	char buf[DEBUG_WRITE_MAX];
	unsigned n;
};

void sb_str(struct sb *b, const char *s);
void sb_dec(struct sb *b, uint64_t v);
void sb_hex(struct sb *b, uint64_t v);          /* 0x... */
void sb_err(struct sb *b, long e);              /* E_NAME (n) */
void sb_flush(struct sb *b);                    /* writes and empties */
void say(const char *s);                        /* one line, newline added */

/* ------------------------------------------------------------ expectations */

/* The current test's failures: counted, the first few described. */
void test_begin(void);
int test_failures(void);
const char *test_detail(void);

/* A value the failure messages of a loop should show (cleared per test). */
void ctx_set(const char *name, uint64_t value);
void ctx_clear(void);

int expect_err(long got, long want, const char *expr, int line);
int expect_eq(uint64_t got, uint64_t want, const char *expr, int line);
int expect_true(int cond, const char *expr, int line);
void fail_msg(const char *msg, int line);

/* Each returns whether the expectation held. */
#define EXPECT_ERR(call, want) expect_err((long)(call), (want), #call, __LINE__)
#define EXPECT_EQ(got, want) expect_eq((uint64_t)(got), (uint64_t)(want), #got, __LINE__)
#define EXPECT(cond) expect_true(!!(cond), #cond, __LINE__)
#define FAIL(msg) fail_msg((msg), __LINE__)

/* ------------------------------------------------------------ kernel state */

struct kinfo {
	uint64_t free, used, limit;
};

struct kinfo kinfo(void);
/* Expects free frames and quota used to equal those of before. */
int expect_no_leak(const struct kinfo *before, const char *what, int line);
#define EXPECT_NO_LEAK(before, what) expect_no_leak((before), (what), __LINE__)

/* cap_info's answer for slot: its error, and the type, rights and badge. */
struct capinfo {
	long err;
	uint64_t type, rights, badge;
};

struct capinfo cap_info(uint64_t slot);
/* Expects slot to hold type with rights and badge. */
int expect_cap(uint64_t slot, uint64_t type, uint64_t rights, uint64_t badge, int line);
#define EXPECT_CAP(slot, type, rights, badge) \
	expect_cap((slot), (type), (rights), (badge), __LINE__)
/* Expects slot to be empty (cap_info answers E_CAP_EMPTY). */
int expect_empty(uint64_t slot, int line);
#define EXPECT_EMPTY(slot) expect_empty((slot), __LINE__)

/* ------------------------------------------------------------ threads */

/* Stacks for the threads the tests create in the suite's own task. */
#define NSTACKS    6
#define STACK_SIZE 16384

uint64_t stack_top(int i);

/* Registers that start fn(a0, a1) on stack i, as if called. */
void regs_for(struct mica_regs *r, const void *fn, int stack, uint64_t a0, uint64_t a1);

/*
 * A thread in the suite's own task, in slot, with registers set to run
 * fn(a0, a1) on stack i, at priority prio with slice ticks per turn; not
 * started. Returns the first error of the calls it makes.
 */
long thread_new(uint64_t slot, const void *fn, int stack, uint64_t a0, uint64_t a1,
		uint64_t prio, uint64_t slice);

/* Yields until *v >= atleast, at most max times: the yields it took, or -1. */
int yield_until(volatile uint64_t *v, uint64_t atleast, int max);

/* The address of the kernel info page and of the suite's UTCB, from main's arguments. */
extern const struct kip *the_kip;
extern uint8_t *the_utcb;

/* Assembly helpers (util.c). */
uint64_t syscall_probe(uint64_t nr, const uint64_t in[12], uint64_t out[12]);
void fpu_set_xmm0(uint64_t v);
uint64_t fpu_get_xmm0(void);

/* ------------------------------------------------------------ tests */

/* t_fastpath.c */
void test_ipc_blocked_caller(void);
void test_ipc_blocked_server(void);
void test_light_exit_preempts(void);
void test_ipc_long_utcb_changes(void);

/* t_faultpath.c */
void test_faultpath_pager_waits(void);
void test_faultpath_pager_not_waiting(void);
void test_faultpath_pager_dead(void);
void test_faultpath_bad_item(void);
void test_faultpath_other_answers(void);
void test_faultpath_faulter_aborted(void);
void test_faultpath_queued_senders(void);

/* t_basic.c */
void test_null(void);
void test_nosys(void);
void test_regs_preserved(void);
void test_yield(void);
void test_kernel_info(void);
void test_debug_write_ok(void);
void test_debug_write_inval(void);
void test_debug_write_fault(void);

/* t_cap.c */
void test_cap_range(void);
void test_cap_empty(void);
void test_cap_type(void);
void test_cap_rights(void);
void test_cap_occupied(void);
void test_cap_info_boot(void);
void test_irq_ioport_caps(void);
void test_copy_rights(void);
void test_copy_mask_inval(void);
void test_mint(void);
void test_mint_type(void);
void test_move(void);
void test_move_tree(void);
void test_move_own_caps(void);
void test_delete(void);
void test_revoke_tree(void);
void test_revoke_partial(void);
void test_delete_middle(void);
void test_copy_other_task(void);
void test_move_other_task(void);

/* t_obj.c */
void test_create_objects(void);
void test_create_errors(void);
void test_task_nslots(void);
void test_quota_too_large(void);
void test_quota_min_task(void);
void test_quota_fill(void);
void test_quota_nested(void);
void test_teardown_task(void);
void test_teardown_nested(void);
void test_teardown_chain(void);
void test_object_free(void);
void test_endpoint_outlives_task(void);

/* t_info.c */
void test_info_cap_errors(void);
void test_thread_info_states(void);
void test_task_info_counts(void);
/* t_map.c */
/* Makes the page tables the map tests use, once, before the leak checks. */
void map_warm_up(void);
void test_map_args(void);
void test_map_alias(void);
void test_map_other_task(void);
void test_map_quota(void);
void test_map_run_other_task(void);
void test_grant(void);
void test_unmap_tree(void);

/* t_thread.c */
void test_thread_config(void);
void test_thread_config_ipc(void);
void test_ipc_call_echo(void);
void test_ipc_words_every_length(void);
void test_ipc_label_badge(void);
void test_ipc_fifo(void);
void test_ipc_priority_order(void);
void test_ipc_nonblock(void);
void test_ipc_abort(void);
void test_ipc_message_errors(void);
void test_ipc_recv_no_utcb(void);
void test_ipc_rights(void);
void test_ipc_dead_client(void);
void test_ipc_dead_server(void);
void test_ipc_reply_once(void);
void test_ipc_send(void);
void test_ipc_cross_task(void);
void test_ipc_long_utcb_cross_task(void);
void test_ipc_stop(void);
void test_ipc_reply_right_kept(void);
void test_ipc_dead_server_callers(void);
void test_ipc_callers_newest_first(void);
void test_ipc_stress(void);
void test_ntfn_signal_poll(void);
void test_pager_zero_page(void);
void test_items_cap_and_page(void);
void test_items_pager_map_reply(void);
void test_ipc_send_cap_revoked(void);
void test_irq_rtc(void);
void test_ioport_access(void);
void test_exception_handler_resumes(void);
void test_ntfn_wait_wakes(void);
void test_ntfn_bound(void);
void test_write_regs_inval(void);
void test_regs_roundtrip(void);
void test_regs_fault(void);
void test_thread_start_state(void);
void test_thread_runs(void);
void test_thread_self_delete(void);
void test_thread_dead(void);
void test_thread_other_task(void);
void test_fault_ud(void);
void test_fault_pf(void);
void test_fault_gp(void);
void test_fault_repair(void);
void test_sched_yield_order(void);
void test_sched_spinner(void);
void test_sched_lower(void);
void test_sched_wakeup(void);
void test_fpu_isolated(void);
void test_start_unset_regs(void);

#endif
