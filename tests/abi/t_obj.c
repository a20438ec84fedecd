/*
 * Kernel objects: creation of each type, the kernel-memory quota a task
 * gives its children (and that every object is charged to), and teardown
 * when the last capability goes, nested tasks included. Every test checks
 * with SYS_KERNEL_INFO that frames and quota come back exactly.
 */
#include "abi.h"

/* Each creation call into an empty slot: the type asked, all rights, no badge. */
void test_create_objects(void)
{
	struct kinfo k0 = kinfo(), k;

	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK);
	EXPECT_CAP(S(0), CAP_ENDPOINT, RIGHTS_ALL, 0);
	k = kinfo();
	EXPECT(k.used > k0.used);
	EXPECT_ERR(sys_notification_create(SLOT_SELF_TASK, S(1)), E_OK);
	EXPECT_CAP(S(1), CAP_NOTIFICATION, RIGHTS_ALL, 0);
	EXPECT(kinfo().used > k.used);
	k = kinfo();
	EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(2)), E_OK);
	EXPECT_CAP(S(2), CAP_THREAD, RIGHTS_ALL, 0);
	EXPECT(kinfo().used > k.used);
	k = kinfo();
	EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(3), 65536, 8), E_OK);
	EXPECT_CAP(S(3), CAP_TASK, RIGHTS_ALL, 0);
	EXPECT(kinfo().used >= k.used + 65536);
	/* the last slot of the table works like any other */
	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, ROOT_CAP_SLOTS - 1), E_OK);
	EXPECT_CAP(ROOT_CAP_SLOTS - 1, CAP_ENDPOINT, RIGHTS_ALL, 0);
	sys_cap_delete(ROOT_CAP_SLOTS - 1);
	for (uint64_t s = S(0); s <= S(3); s++)
		EXPECT_ERR(sys_cap_delete(s), E_OK);
	EXPECT_NO_LEAK(&k0, "all deleted");
}

typedef long (*create_fn)(uint64_t task, uint64_t slot);

static long create_task(uint64_t task, uint64_t slot)
{
	return sys_task_create(task, slot, 65536, 4);
}

/* Every creation call with a bad task argument or destination: the error,
 * and nothing made or charged. Objects made with another task as the task
 * argument are charged to that task, and their capability is the caller's. */
void test_create_errors(void)
{
	static const struct {
		const char *name;
		create_fn fn;
	} calls[] = {
		{ "endpoint_create", sys_endpoint_create },
		{ "notification_create", sys_notification_create },
		{ "thread_create", sys_thread_create },
		{ "task_create", create_task },
	};
	struct kinfo k0;

	if (!EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(0)), E_OK) ||
	    !EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(1), 4 * 65536, 4), E_OK))
		goto out;
	k0 = kinfo();
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		create_fn fn = calls[i].fn;

		ctx_set(calls[i].name, i);
		EXPECT_ERR(fn(SLOT_SELF_THREAD, S(10)), E_CAP_TYPE);
		EXPECT_ERR(fn(SLOT_DEBUG_CONSOLE, S(10)), E_CAP_TYPE);
		EXPECT_ERR(fn(S(0), S(10)), E_CAP_TYPE);
		EXPECT_ERR(fn(S(30), S(10)), E_CAP_EMPTY);
		EXPECT_ERR(fn(64, S(10)), E_CAP_RANGE);
		EXPECT_ERR(fn(SLOT_SELF_TASK, SLOT_SELF_TASK), E_CAP_OCCUPIED);
		EXPECT_ERR(fn(SLOT_SELF_TASK, SLOT_DEBUG_CONSOLE), E_CAP_OCCUPIED);
		EXPECT_ERR(fn(SLOT_SELF_TASK, S(0)), E_CAP_OCCUPIED);
		EXPECT_ERR(fn(S(1), S(0)), E_CAP_OCCUPIED);
		EXPECT_ERR(fn(SLOT_SELF_TASK, 64), E_CAP_RANGE);
		EXPECT_ERR(fn(SLOT_SELF_TASK, 1ull << 32), E_CAP_RANGE);
		EXPECT_ERR(fn(SLOT_SELF_TASK, (1ull << 32) + S(10)), E_CAP_RANGE);
		EXPECT_ERR(fn(SLOT_SELF_TASK, ~0ull), E_CAP_RANGE);
		EXPECT_EMPTY(S(10));
		EXPECT_NO_LEAK(&k0, "failed creations");
		/* charged to task 11, whose quota is already ours: our count stays */
		if (EXPECT_ERR(fn(S(1), S(10)), E_OK)) {
			EXPECT_EQ(kinfo().used, k0.used);
			EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
		}
	}
out:
	sys_cap_delete(S(0));
	sys_cap_delete(S(1));
}

/* A table has 1 to 73 slots for now (one page); the count is checked in full. */
void test_task_nslots(void)
{
	static const uint64_t bad[] = {
		0, TABLE_MAX_SLOTS + 1, 100, 4096, 1ull << 32, (1ull << 32) + 1,
		(1ull << 32) + 8, 1ull << 63, ~0ull,
	};
	struct kinfo k0 = kinfo();

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("nslots", bad[i]);
		EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, bad[i]), E_INVAL);
		EXPECT_EMPTY(S(10));
	}
	ctx_clear();
	EXPECT_NO_LEAK(&k0, "failed creations");
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, 1), E_OK)) {
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), 0, RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), 1, RIGHTS_ALL), E_CAP_RANGE);
		sys_cap_delete(S(10));
	}
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, TABLE_MAX_SLOTS), E_OK)) {
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), TABLE_MAX_SLOTS - 1, RIGHTS_ALL),
			   E_OK);
		EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), TABLE_MAX_SLOTS, RIGHTS_ALL),
			   E_CAP_RANGE);
		sys_cap_delete(S(10));
	}
	EXPECT_NO_LEAK(&k0, "tasks deleted");
}

/* A quota larger than what the caller has left: E_NOMEM, nothing charged. */
void test_quota_too_large(void)
{
	struct kinfo k0 = kinfo();
	uint64_t left = k0.limit - k0.used;
	const uint64_t bad[] = { ~0ull >> 1, ~0ull, 1ull << 63, left + 1, left, k0.limit };

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ctx_set("quota", bad[i]);
		EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), bad[i], 4), E_NOMEM);
		EXPECT_EMPTY(S(10));
		EXPECT_NO_LEAK(&k0, "failed creation");
	}
	ctx_clear();
	/* a child cannot hand out more than it has either */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, 4), E_OK)) {
		EXPECT_ERR(sys_task_create(S(10), S(11), 65536, 1), E_NOMEM);
		EXPECT_ERR(sys_task_create(S(10), S(11), ~0ull, 1), E_NOMEM);
		EXPECT_EMPTY(S(11));
		sys_cap_delete(S(10));
	}
	EXPECT_NO_LEAK(&k0, "task deleted");
}

/*
 * The smallest task (main.c measures it): its own page, its PML4, its
 * table page and the page tables of its KIP mapping, whole pages. One
 * byte less is E_NOMEM. In a task with no quota left every creation
 * charged to it is E_NOMEM; copying into its table costs nothing.
 */
void test_quota_min_task(void)
{
	struct kinfo k0 = kinfo(), k1;

	EXPECT(task_min >= 3 * PAGE && task_min <= 16 * PAGE && task_min % PAGE == 0);
	EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 0, 1), E_NOMEM);
	EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), PAGE, 1), E_NOMEM);
	EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min - 1, 1), E_NOMEM);
	EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min - 1, TABLE_MAX_SLOTS),
		   E_NOMEM);
	EXPECT_EMPTY(S(10));
	EXPECT_NO_LEAK(&k0, "failed creations");

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min, 1), E_OK))
		return;
	k1 = kinfo();
	/* the parent pays the quota and a little for its bookkeeping */
	EXPECT(k1.used >= k0.used + task_min && k1.used <= k0.used + task_min + PAGE);
	EXPECT(k1.free + task_min / PAGE <= k0.free);
	EXPECT_ERR(sys_endpoint_create(S(10), S(11)), E_NOMEM);
	EXPECT_ERR(sys_notification_create(S(10), S(11)), E_NOMEM);
	EXPECT_ERR(sys_thread_create(S(10), S(11)), E_NOMEM);
	EXPECT_ERR(sys_task_create(S(10), S(11), 0, 1), E_NOMEM);
	EXPECT_EMPTY(S(11));
	EXPECT_NO_LEAK(&k1, "failed creations in the full task");
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), 0, RIGHTS_ALL), E_OK);
	EXPECT_NO_LEAK(&k1, "a copy into its table");
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_NO_LEAK(&k0, "task deleted");

	/* the same with the largest table: still one page */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min, TABLE_MAX_SLOTS), E_OK))
		EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_NO_LEAK(&k0, "task deleted");
}

/*
 * A task with one page of quota beyond its own needs: endpoints until
 * E_NOMEM (kept in its table: ours is too small), one freed makes room for
 * exactly one more; a thread (a page) does not fit until they are all gone.
 */
void test_quota_fill(void)
{
	struct kinfo k0 = kinfo();
	uint64_t n = 0;
	long e = E_OK;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + PAGE, TABLE_MAX_SLOTS),
			E_OK))
		return;
	/* the first endpoint's capability stays with us, the others go into the task */
	if (!EXPECT_ERR(sys_endpoint_create(S(10), S(12)), E_OK))
		goto out;
	while (n < TABLE_MAX_SLOTS) {
		if ((e = sys_endpoint_create(S(10), S(11))) != E_OK)
			break;
		if (!EXPECT_ERR(sys_cap_move(S(11), S(10), n), E_OK))
			break;
		n++;
	}
	ctx_set("endpoints", n + 1);
	EXPECT_ERR(e, E_NOMEM);
	EXPECT(n + 1 >= 2 && n + 1 <= PAGE / 16);
	EXPECT_ERR(sys_notification_create(S(10), S(11)), E_NOMEM);
	EXPECT_ERR(sys_thread_create(S(10), S(11)), E_NOMEM);
	EXPECT_ERR(sys_task_create(S(10), S(11), 0, 1), E_NOMEM);
	/* one freed: one fits, and no more */
	EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
	EXPECT_ERR(sys_endpoint_create(S(10), S(12)), E_OK);
	EXPECT_ERR(sys_endpoint_create(S(10), S(11)), E_NOMEM);
	EXPECT_EMPTY(S(11));
	sys_cap_delete(S(12));
	ctx_clear();
	/* the task's teardown frees the endpoints in its table */
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_NO_LEAK(&k0, "task with endpoints deleted");

	/* threads: one page each */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + PAGE, 1), E_OK)) {
		EXPECT_ERR(sys_thread_create(S(10), S(11)), E_OK);
		EXPECT_ERR(sys_thread_create(S(10), S(12)), E_NOMEM);
		EXPECT_ERR(sys_endpoint_create(S(10), S(12)), E_NOMEM);
		EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
		EXPECT_ERR(sys_thread_create(S(10), S(12)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
		EXPECT_ERR(sys_endpoint_create(S(10), S(12)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
	}
	sys_cap_delete(S(10));
	EXPECT_NO_LEAK(&k0, "task deleted");
	return;
out:
	sys_cap_delete(S(10));
}

/*
 * Quotas nest: a grandchild charged to its parent task's quota, which
 * outlives its task while the grandchild holds part of it; the chain is
 * paid back to us when the last piece goes, in either order.
 */
void test_quota_nested(void)
{
	const uint64_t child = 2 * task_min + PAGE;
	struct kinfo k0 = kinfo(), k1;

	for (int order = 0; order < 2; order++) {
		ctx_set("order", (uint64_t)order);
		if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), child, 4), E_OK))
			return;
		k1 = kinfo();
		if (!EXPECT_ERR(sys_task_create(S(10), S(11), task_min, 1), E_OK)) {
			sys_cap_delete(S(10));
			return;
		}
		EXPECT_EQ(kinfo().used, k1.used);       /* charged to the child */
		EXPECT_ERR(sys_task_create(S(10), S(12), task_min, 1), E_NOMEM);
		EXPECT_ERR(sys_endpoint_create(S(11), S(12)), E_NOMEM);
		EXPECT_ERR(sys_endpoint_create(S(10), S(12)), E_OK);    /* room for small things */
		EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
		if (order == 0) {
			/* the child goes first: the grandchild lives on */
			EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
			EXPECT_CAP(S(11), CAP_TASK, RIGHTS_ALL, 0);
			EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(11), 0, RIGHTS_ALL), E_OK);
			EXPECT(kinfo().used > k0.used);
			EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
		} else {
			EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
			EXPECT_NO_LEAK(&k1, "grandchild deleted");
			EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
		}
		EXPECT_NO_LEAK(&k0, "both deleted");
	}
}

/* A task goes with its last capability, not before. */
void test_teardown_task(void)
{
	struct kinfo k0 = kinfo();

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, 8), E_OK))
		return;
	EXPECT_ERR(sys_cap_copy(S(10), SLOT_SELF_TASK, S(11), RIGHT_CONTROL), E_OK);
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(11), 0, RIGHTS_ALL), E_OK);       /* alive */
	EXPECT_ERR(sys_endpoint_create(S(11), S(12)), E_OK);
	EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
	EXPECT(kinfo().used > k0.used);
	EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
	EXPECT_NO_LEAK(&k0, "last capability deleted");

	/* revoke takes the copies; the original keeps the task */
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 65536, 8), E_OK))
		return;
	EXPECT_ERR(sys_cap_copy(S(10), SLOT_SELF_TASK, S(11), RIGHTS_ALL), E_OK);
	/* a copy of itself, in its table */
	EXPECT_ERR(sys_cap_copy(S(10), S(10), 0, RIGHT_READ), E_OK);
	EXPECT_ERR(sys_cap_revoke(S(10)), E_OK);
	EXPECT_EMPTY(S(11));
	/* slot 0 freed */
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), 0, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_NO_LEAK(&k0, "task deleted after revoke");
}

/* A task holding capabilities to every kind of object, to another task
 * (which holds its own), and to us: all of it goes with the task. */
void test_teardown_nested(void)
{
	struct kinfo k0 = kinfo();
	struct mica_regs r;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), 256 * 1024, 16), E_OK))
		return;
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(11), 64 * 1024, 8), E_OK))
		goto out;
	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(12)), E_OK);   /* ours, shared */
	EXPECT_ERR(sys_notification_create(S(10), S(13)), E_OK);        /* charged to X */
	EXPECT_ERR(sys_thread_create(S(10), S(14)), E_OK);              /* a thread of X */
	EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, S(15)), E_OK);     /* a thread of ours */
	regs_for(&r, (const void *)0x401000, 0, 0, 0);
	EXPECT_ERR(sys_thread_write_regs(S(15), &r), E_OK);
	EXPECT_ERR(sys_endpoint_create(S(11), S(16)), E_OK);    /* charged to Y */
	EXPECT_ERR(sys_cap_move(S(16), S(11), 0), E_OK);        /* held by Y */
	EXPECT_ERR(sys_cap_copy(S(12), S(10), 1, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_move(S(13), S(10), 2), E_OK);
	EXPECT_ERR(sys_cap_move(S(14), S(10), 3), E_OK);
	EXPECT_ERR(sys_cap_move(S(11), S(10), 4), E_OK);        /* X holds Y */
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, S(10), 5, RIGHT_READ), E_OK); /* and us */
	EXPECT_ERR(sys_cap_copy(SLOT_DEBUG_CONSOLE, S(10), 6, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_move(S(15), S(10), 7), E_OK);
	EXPECT_ERR(sys_cap_copy(SLOT_SELF_THREAD, S(10), 8, RIGHT_READ), E_OK);
	EXPECT_ERR(sys_cap_delete(S(12)), E_OK);        /* X's copy remains */
	for (uint64_t s = S(11); s <= S(16); s++) {
		ctx_set("slot", s);
		EXPECT_EMPTY(s);
	}
	ctx_clear();
	EXPECT(kinfo().used > k0.used + 256 * 1024);
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_NO_LEAK(&k0, "everything deleted");
	/* and we are still whole */
	EXPECT_CAP(SLOT_SELF_TASK, CAP_TASK, RIGHTS_ALL, 0);
	EXPECT_CAP(SLOT_SELF_THREAD, CAP_THREAD, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_endpoint_create(SLOT_SELF_TASK, S(12)), E_OK);
	sys_cap_delete(S(12));
	return;
out:
	sys_cap_delete(S(10));
}

/*
 * A chain of tasks, each charged to the quota of the one before and held
 * only by it; deleting the first tears down all. The kernel must do that
 * without recursion (a deep chain must not overflow its stack), and the
 * quotas must unwind back to us.
 */
#define CHAIN 64

void test_teardown_chain(void)
{
	struct kinfo k0 = kinfo();
	uint64_t cur = S(0), next = S(1), q;
	int made;

	/* the last needs the minimum; each before it that, plus the next and
	 * a little for the next one's quota record */
	q = (uint64_t)CHAIN * (task_min + 256);
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, cur, q, 2), E_OK))
		return;
	for (made = 1; made < CHAIN; made++) {
		q -= task_min + 256;
		ctx_set("depth", (uint64_t)made);
		/* the next task, charged to the current one, which gets the
		 * only lasting capability to it; ours goes once used */
		if (!EXPECT_ERR(sys_task_create(cur, next, q, 2), E_OK) ||
		    !EXPECT_ERR(sys_cap_copy(next, cur, 0, RIGHTS_ALL), E_OK))
			break;
		if (made > 1)
			EXPECT_ERR(sys_cap_delete(cur), E_OK);
		cur = next;
		next = next == S(1) ? S(2) : S(1);
	}
	ctx_clear();
	/* all but the first are held by their parent alone */
	if (cur != S(0))
		EXPECT_ERR(sys_cap_delete(cur), E_OK);
	EXPECT(kinfo().used > k0.used + (uint64_t)CHAIN * task_min);
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	sys_cap_delete(S(1));
	sys_cap_delete(S(2));
	EXPECT_NO_LEAK(&k0, "chain deleted");
}

/* Endpoints, notifications and threads go with their last capability. */
void test_object_free(void)
{
	static const char *const names[] = { "endpoint", "notification", "thread" };

	for (int kind = 0; kind < 3; kind++) {
		struct kinfo k0 = kinfo(), k1;
		long e = kind == 0 ? sys_endpoint_create(SLOT_SELF_TASK, S(0)) :
			 kind == 1 ? sys_notification_create(SLOT_SELF_TASK, S(0)) :
				     sys_thread_create(SLOT_SELF_TASK, S(0));

		ctx_set(names[kind], (uint64_t)kind);
		if (!EXPECT_ERR(e, E_OK))
			continue;
		k1 = kinfo();
		EXPECT(k1.used > k0.used);
		EXPECT_ERR(sys_cap_copy(S(0), SLOT_SELF_TASK, S(1), RIGHTS_ALL), E_OK);
		EXPECT_ERR(sys_cap_copy(S(1), SLOT_SELF_TASK, S(2), RIGHT_READ), E_OK);
		EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
		EXPECT_ERR(sys_cap_delete(S(2)), E_OK);
		EXPECT_NO_LEAK(&k1, "one capability left");
		EXPECT_ERR(sys_cap_delete(S(1)), E_OK);
		EXPECT_NO_LEAK(&k0, "last capability deleted");
	}
}

/* An endpoint charged to a task outlives it, and pays its quota back when it goes. */
void test_endpoint_outlives_task(void)
{
	struct kinfo k0 = kinfo();

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(10), task_min + PAGE, 2), E_OK))
		return;
	EXPECT_ERR(sys_endpoint_create(S(10), S(11)), E_OK);
	EXPECT_ERR(sys_cap_copy(S(11), S(10), 0, RIGHTS_ALL), E_OK);
	EXPECT_ERR(sys_cap_delete(S(10)), E_OK);
	EXPECT_CAP(S(11), CAP_ENDPOINT, RIGHTS_ALL, 0);
	EXPECT_ERR(sys_cap_mint(S(11), SLOT_SELF_TASK, S(12), RIGHTS_ALL, 3), E_OK);
	EXPECT_CAP(S(12), CAP_ENDPOINT, RIGHTS_ALL, 3);
	EXPECT(kinfo().used > k0.used);         /* the dead task's quota, still charged */
	EXPECT_ERR(sys_cap_delete(S(11)), E_OK);
	EXPECT_CAP(S(12), CAP_ENDPOINT, RIGHTS_ALL, 3);
	EXPECT_ERR(sys_cap_delete(S(12)), E_OK);
	EXPECT_NO_LEAK(&k0, "endpoint deleted");
}
