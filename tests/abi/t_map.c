/*
 * Memory: SYS_MAP, SYS_GRANT and SYS_UNMAP with flexpages of the suite's
 * own pages (mapped again at ALIAS, in the part of the address space
 * whose page table the program already has, so that no test leaves page
 * tables behind), of pages of free RAM taken through the root task's
 * physical window, and into child tasks, where a thread can then run.
 *
 * Whether a page is mapped, and how, is asked without touching it: the
 * kernel reads a struct mica_regs from the page for write_regs (E_FAULT
 * if it cannot) and writes one there for read_regs, of a probe thread.
 */
#include "abi.h"

#define ALIAS  0x5c0000ull      /* 64 pages nothing is mapped at */
#define X_VA   0x100000ull      /* where pages go in a child task */

static uint8_t mpages[4 * PAGE] __attribute__((aligned(4 * PAGE)));
static uint64_t window;         /* 2 MiB of free RAM in the physical window; 0: none */

#define MP(i)  ((uint64_t)(uintptr_t)&mpages[(i) * PAGE])
#define AL(i)  (ALIAS + (uint64_t)(i) * PAGE)
#define WIN(i) (window + (uint64_t)(i) * PAGE)

/* The raw calls by number (abi/syscall.h), not libc's sys_map family:
 * the suite pins the register convention itself. */
static long abi_map(uint64_t task, uint64_t src, uint64_t dst, uint64_t size_log2,
		    uint64_t perms)
{
	return mica_syscall(SYS_MAP, task, src, dst, size_log2, perms, 0, NULL);
}

static long abi_grant(uint64_t task, uint64_t src, uint64_t dst, uint64_t size_log2,
		      uint64_t perms)
{
	return mica_syscall(SYS_GRANT, task, src, dst, size_log2, perms, 0, NULL);
}

static long abi_unmap(uint64_t base, uint64_t size_log2, uint64_t flags)
{
	return mica_syscall(SYS_UNMAP, base, size_log2, flags, 0, 0, 0, NULL);
}

static uint64_t peek(uint64_t va)
{
	return *(volatile uint64_t *)(uintptr_t)va;
}

static void poke(uint64_t va, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)va = v;
}

/* ------------------------------------------------------------ probes */

#define PROBE S(31)

static int probe_begin(void)
{
	return EXPECT_ERR(sys_thread_create(SLOT_SELF_TASK, PROBE), E_OK);
}

static void probe_end(void)
{
	sys_cap_delete(PROBE);
}

/* The last bytes of the page at va: what the probes read and write. */
static uint64_t tail(uint64_t va)
{
	return va + PAGE - sizeof(struct mica_regs);
}

static int readable(uint64_t va)
{
	return sys_thread_write_regs(PROBE, (const struct mica_regs *)(uintptr_t)tail(va)) !=
	       E_FAULT;
}

static int writable(uint64_t va)
{
	return sys_thread_read_regs(PROBE, (struct mica_regs *)(uintptr_t)tail(va)) == E_OK;
}

/* Expects nothing mapped at n pages from va. */
static void expect_unmapped(uint64_t va, unsigned n, int line)
{
	for (unsigned i = 0; i < n; i++) {
		if (readable(va + i * PAGE)) {
			ctx_set("mapped", va + i * PAGE);
			fail_msg("expected nothing mapped", line);
			ctx_clear();
		}
	}
}
#define EXPECT_UNMAPPED(va, n) expect_unmapped((va), (n), __LINE__)

/*
 * Finds 2 MiB of free RAM to take pages from: near the top of the largest
 * usable region (the kernel allocates from the bottom), and touches it
 * once, so that the window's page tables exist before the leak checks.
 */
void map_warm_up(void)
{
	const struct kip *k = the_kip;
	uint64_t best = 0, best_len = 0, pa;

	for (uint32_t i = 0; i < k->nregions && i < KIP_MAX_REGIONS; i++)
		if (k->regions[i].type == 1 && k->regions[i].len > best_len) {
			best = k->regions[i].base;
			best_len = k->regions[i].len;
		}
	if (best_len < (8ull << 20))
		return;
	pa = (best + best_len - (4ull << 20)) & ~((2ull << 20) - 1);
	window = k->phys_window + pa;
	if (abi_map(SLOT_SELF_TASK, window, ALIAS, 12, MAP_READ) != E_OK) {
		window = 0;
		return;
	}
	abi_unmap(ALIAS, 12, UNMAP_SELF);
	abi_unmap(window, 12, UNMAP_SELF);
}

/* ------------------------------------------------------------ tests */

/* Every argument check of map, grant and unmap; nothing is mapped by a
 * refused call. */
void test_map_args(void)
{
	typedef long (*map_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	static const map_fn calls[2] = { abi_map, abi_grant };
	static const uint64_t bad_size[] = { 0, 11, 23, 32, 64, (1ull << 32) + 12, ~0ull };
	static const uint64_t bad_range[] = {
		0, KIP_ADDR, KIP_ADDR + PAGE, USER_END, 0x0000900000000000ull,
		0xffff800000000000ull, 0xffffffff80000000ull, ~0ull & ~(PAGE - 1),
	};
	struct kinfo k0;

	if (!probe_begin())
		return;
	EXPECT_UNMAPPED(ALIAS, 64);
	poke(MP(0), 0x5eed);
	k0 = kinfo();
	if (!EXPECT_ERR(sys_cap_copy(SLOT_SELF_TASK, SLOT_SELF_TASK, S(0),
				     RIGHTS_ALL & ~RIGHT_CONTROL), E_OK))
		goto out;
	for (int c = 0; c < 2; c++) {
		map_fn fn = calls[c];

		ctx_set(c ? "grant" : "map", 0);
		/* the destination task */
		EXPECT_ERR(fn(ROOT_CAP_SLOTS, MP(0), AL(0), 12, MAP_READ), E_CAP_RANGE);
		EXPECT_ERR(fn(1ull << 32, MP(0), AL(0), 12, MAP_READ), E_CAP_RANGE);
		EXPECT_ERR(fn(S(1), MP(0), AL(0), 12, MAP_READ), E_CAP_EMPTY);
		EXPECT_ERR(fn(SLOT_SELF_THREAD, MP(0), AL(0), 12, MAP_READ), E_CAP_TYPE);
		EXPECT_ERR(fn(SLOT_DEBUG_CONSOLE, MP(0), AL(0), 12, MAP_READ), E_CAP_TYPE);
		EXPECT_ERR(fn(S(0), MP(0), AL(0), 12, MAP_READ), E_CAP_RIGHTS);
		/* the flexpage size: 2^12 to 2^22 */
		for (unsigned i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
			ctx_set(c ? "grant size" : "map size", bad_size[i]);
			EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), bad_size[i], MAP_READ), E_INVAL);
		}
		/* bases aligned to the size */
		ctx_set(c ? "grant" : "map", 1);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0) + 8, AL(0), 12, MAP_READ), E_ALIGN);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0) + 0x800, 12, MAP_READ), E_ALIGN);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(1), AL(0), 13, MAP_READ), E_ALIGN);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(1), 13, MAP_READ), E_ALIGN);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), 22, MAP_READ), E_ALIGN);
		/* inside 0x1000 .. KIP_ADDR */
		for (unsigned i = 0; i < sizeof bad_range / sizeof bad_range[0]; i++) {
			ctx_set(c ? "grant base" : "map base", bad_range[i]);
			EXPECT_ERR(fn(SLOT_SELF_TASK, bad_range[i], AL(0), 12, MAP_READ), E_RANGE);
			EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), bad_range[i], 12, MAP_READ), E_RANGE);
		}
		ctx_set(c ? "grant" : "map", 2);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), KIP_ADDR - 2 * PAGE, 14, MAP_READ), E_RANGE);
		/* permissions */
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), 12, 8), E_INVAL);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), 12, MAP_READ | 0x100), E_INVAL);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), 12, ~0ull), E_INVAL);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), AL(0), 12, MAP_EXEC), E_PERM);  /* data: NX */
		EXPECT_ERR(fn(SLOT_SELF_TASK, (uint64_t)(uintptr_t)test_map_args & ~(PAGE - 1),
			      AL(0), 12, MAP_WRITE), E_PERM);   /* code */
		/* onto itself */
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), MP(0), 12, MAP_READ), E_INVAL);
		EXPECT_ERR(fn(SLOT_SELF_TASK, MP(0), MP(0), 14, MAP_READ), E_INVAL);
		/* nothing there */
		EXPECT_ERR(fn(SLOT_SELF_TASK, 0x10000000, AL(0), 12, MAP_READ), E_NOTMAPPED);
		EXPECT_ERR(fn(SLOT_SELF_TASK, AL(0), AL(8), 15, MAP_READ), E_NOTMAPPED);
	}
	ctx_clear();
	EXPECT_UNMAPPED(ALIAS, 64);
	EXPECT(readable(MP(0)) && writable(MP(0)));
	EXPECT_EQ(peek(MP(0)), 0x5eed);

	/* unmap */
	for (unsigned i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
		ctx_set("unmap size", bad_size[i]);
		EXPECT_ERR(abi_unmap(MP(0), bad_size[i], 0), E_INVAL);
	}
	for (unsigned i = 0; i < sizeof bad_range / sizeof bad_range[0]; i++) {
		ctx_set("unmap base", bad_range[i]);
		EXPECT_ERR(abi_unmap(bad_range[i], 12, 0), E_RANGE);
	}
	ctx_clear();
	EXPECT_ERR(abi_unmap(MP(0) + 8, 12, 0), E_ALIGN);
	EXPECT_ERR(abi_unmap(MP(1), 13, 0), E_ALIGN);
	EXPECT_ERR(abi_unmap(MP(0), 12, 2), E_INVAL);
	EXPECT_ERR(abi_unmap(MP(0), 12, UNMAP_SELF | 2), E_INVAL);
	EXPECT_ERR(abi_unmap(MP(0), 12, ~0ull), E_INVAL);
	EXPECT_ERR(abi_unmap(0x10000000, 12, 0), E_NOTMAPPED);
	EXPECT_ERR(abi_unmap(AL(0), 16, UNMAP_SELF), E_NOTMAPPED);
	/* nothing derived from it: unmap of our own page is a no-op */
	EXPECT_ERR(abi_unmap(MP(0), 12, 0), E_OK);
	EXPECT(readable(MP(0)) && writable(MP(0)));
	EXPECT_EQ(peek(MP(0)), 0x5eed);
	EXPECT_NO_LEAK(&k0, "refused calls");
out:
	sys_cap_delete(S(0));
	probe_end();
}

/* Map within our own space: the same frame at two addresses, with the
 * permissions asked; unmap takes what was derived, in its whole subtree. */
void test_map_alias(void)
{
	struct kinfo k0 = kinfo();

	if (!probe_begin())
		return;
	for (int i = 0; i < 4; i++)
		poke(MP(i), 0x1000 + (uint64_t)i);

	/* read-write */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, MP(0), AL(0), 12, MAP_READ | MAP_WRITE), E_OK);
	if (EXPECT(readable(AL(0)) && writable(AL(0)))) {
		EXPECT_EQ(peek(AL(0)), 0x1000);
		poke(AL(0) + 8, 0xa11a5);
		EXPECT_EQ(peek(MP(0) + 8), 0xa11a5);
	}
	/* read-only (read is implied by any request) */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, MP(0), AL(1), 12, 0), E_OK);
	EXPECT(readable(AL(1)));
	EXPECT(!writable(AL(1)));
	/* from the alias on: a grandchild */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(0), AL(2), 12, MAP_WRITE), E_OK);
	EXPECT(writable(AL(2)));
	/* a read-only page cannot give write */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(1), AL(3), 12, MAP_WRITE), E_PERM);
	EXPECT_UNMAPPED(AL(3), 1);
	/* a destination the source derives from: refused */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(2), AL(0), 12, MAP_READ), E_INVAL);
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(2), MP(0), 12, MAP_READ), E_INVAL);
	EXPECT(writable(AL(2)));
	/* unmap of the original's derived pages: all three, in any depth */
	EXPECT_ERR(abi_unmap(MP(0), 12, 0), E_OK);
	EXPECT_UNMAPPED(AL(0), 3);
	EXPECT(writable(MP(0)));
	EXPECT_EQ(peek(MP(0) + 8), 0xa11a5);

	/* a flexpage of four pages, then one with holes */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, MP(0), AL(4), 14, MAP_WRITE), E_OK);
	for (int i = 0; i < 4; i++) {
		ctx_set("page", (uint64_t)i);
		if (EXPECT(writable(AL(4 + i))))
			EXPECT_EQ(peek(AL(4 + i)), 0x1000 + (uint64_t)i);
	}
	ctx_clear();
	EXPECT_ERR(abi_unmap(AL(5), 12, UNMAP_SELF), E_OK);
	EXPECT_ERR(abi_unmap(AL(7), 12, UNMAP_SELF), E_OK);
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(4), AL(8), 14, MAP_READ), E_OK);
	EXPECT(readable(AL(8)) && readable(AL(10)));
	EXPECT_UNMAPPED(AL(9), 1);
	EXPECT_UNMAPPED(AL(11), 1);
	/* map over an existing mapping: it is replaced */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, MP(3), AL(8), 12, MAP_READ), E_OK);
	if (EXPECT(readable(AL(8))))
		EXPECT_EQ(peek(AL(8)), 0x1003);
	/* unmap with UNMAP_SELF of aliases: our own aliases go, the original stays */
	EXPECT_ERR(abi_unmap(AL(4), 14, UNMAP_SELF), E_OK);
	EXPECT_UNMAPPED(AL(4), 4);
	EXPECT(readable(AL(8)));        /* derived from mpages, not from AL(4) */
	EXPECT_ERR(abi_unmap(MP(0), 14, 0), E_OK);
	EXPECT_UNMAPPED(ALIAS, 16);
	for (int i = 0; i < 4; i++)
		EXPECT(writable(MP(i)));
	probe_end();
	EXPECT_NO_LEAK(&k0, "aliases unmapped");
}

/* Map into a child task: charged to its quota, gone with it or by unmap. */
void test_map_other_task(void)
{
	struct kinfo k0 = kinfo(), k1;

	if (!probe_begin())
		return;
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min + 256 * 1024, 4), E_OK))
		goto out;
	k1 = kinfo();
	EXPECT_ERR(abi_map(S(0), MP(0), X_VA, 12, MAP_WRITE), E_OK);
	EXPECT_ERR(abi_map(S(0), MP(0), X_VA, 14, MAP_WRITE), E_OK);    /* replaces */
	EXPECT_ERR(abi_map(S(0), (uint64_t)(uintptr_t)test_map_other_task & ~(PAGE - 1),
			   0x400000, 12, MAP_EXEC), E_OK);
	/* its own range check: only up to its KIP */
	EXPECT_ERR(abi_map(S(0), MP(0), KIP_ADDR, 12, MAP_READ), E_RANGE);
	EXPECT_EQ(kinfo().used, k1.used);       /* charged to the child */
	/* unmap reaches into the child */
	EXPECT_ERR(abi_unmap(MP(0), 14, 0), E_OK);
	EXPECT_ERR(abi_map(S(0), MP(0), X_VA, 14, MAP_WRITE), E_OK);
	/* the child goes with its mappings; our pages stay */
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	for (int i = 0; i < 4; i++)
		EXPECT(writable(MP(i)));
	EXPECT_ERR(abi_unmap(MP(0), 14, 0), E_OK);
out:
	sys_cap_delete(S(0));
	probe_end();
	EXPECT_NO_LEAK(&k0, "child deleted");
}

/* The destination pays for the mapping nodes and page tables: E_NOMEM,
 * with nothing changed, when its quota cannot. */
void test_map_quota(void)
{
	struct kinfo k0 = kinfo(), k1;

	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min, 4), E_OK))
		return;
	k1 = kinfo();
	EXPECT_ERR(abi_map(S(0), MP(0), X_VA, 12, MAP_READ), E_NOMEM);
	EXPECT_ERR(abi_map(S(0), MP(0), X_VA, 14, MAP_READ), E_NOMEM);
	EXPECT_ERR(abi_grant(S(0), MP(0), X_VA, 12, MAP_READ), E_NOMEM);
	EXPECT_NO_LEAK(&k1, "refused maps");
	EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	/* with room: fine; the whole program image at once */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min + 256 * 1024, 4), E_OK)) {
		EXPECT_ERR(abi_map(S(0), 0x400000, 0x400000, 21, MAP_READ), E_OK);
		EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
	}
	EXPECT_NO_LEAK(&k0, "children deleted");
}

/* A thread of a child task runs code we mapped into it and writes to a
 * page we share with it; once that page is unmapped, its write faults. */
volatile uint64_t other_shared[PAGE / 8] __attribute__((aligned(4096)));
void other_entry(void);
_Static_assert(SYS_THREAD_STOP == 16, "other_entry's system call number");

/* other_entry(word, value, self): *word = value, then stops itself (self
 * is its capability in its own task's table); needs no stack. */
__asm__(
	".section .text.other, \"ax\"\n"
	".balign 4096\n"
	".globl other_entry\n"
	"other_entry:\n"
	"	mov %rsi, (%rdi)\n"
	"1:	mov %rdx, %rdi\n"
	"	mov $16, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	".balign 4096\n"
	".text\n"
);

void test_map_run_other_task(void)
{
	const uint64_t code = (uint64_t)(uintptr_t)other_entry & ~(PAGE - 1);
	const uint64_t word = (uint64_t)(uintptr_t)&other_shared[0];
	struct mica_regs r;
	struct kinfo k0 = kinfo();

	other_shared[0] = 0;
	if (!EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min + 256 * 1024, 4), E_OK))
		return;
	if (!EXPECT_ERR(abi_map(S(0), code, code, 12, MAP_EXEC), E_OK) ||
	    !EXPECT_ERR(abi_map(S(0), word, word, 12, MAP_WRITE), E_OK) ||
	    !EXPECT_ERR(sys_thread_create(S(0), S(1)), E_OK) ||
	    !EXPECT_ERR(sys_cap_copy(S(1), S(0), 1, RIGHTS_ALL), E_OK))
		goto out;
	regs_for(&r, (const void *)other_entry, 0, word, 0xc0ffee);
	r.rsp = 0;
	r.rdx = 1;
	EXPECT_ERR(sys_thread_write_regs(S(1), &r), E_OK);
	EXPECT_ERR(sys_thread_config(S(1), ROOT_PRIORITY, 2), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	EXPECT(yield_until(&other_shared[0], 0xc0ffee, 1000) >= 0);
	EXPECT_EQ(other_shared[0], 0xc0ffee);
	/* it stopped itself through its own table: start answers E_OK */
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();

	/* the shared page unmapped: its first store faults, at other_entry */
	other_shared[0] = 0;
	EXPECT_ERR(abi_unmap(word, 12, 0), E_OK);
	r.rsi = 0xbad;
	EXPECT_ERR(sys_thread_write_regs(S(1), &r), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);
	for (int i = 0; i < 3; i++)
		sys_yield();
	EXPECT_EQ(other_shared[0], 0);
	if (EXPECT_ERR(sys_thread_read_regs(S(1), &r), E_OK))
		EXPECT_EQ(r.rip, (uint64_t)(uintptr_t)other_entry);
	EXPECT_ERR(sys_thread_config(S(1), 0, 1), E_OK);
	EXPECT_ERR(sys_thread_start(S(1)), E_OK);       /* it was stopped by the fault */
out:
	sys_cap_delete(S(1));
	sys_cap_delete(S(0));
	EXPECT_NO_LEAK(&k0, "child deleted");
}

/* Grant moves pages: the caller loses them, what was derived from them
 * stays derived; a granted frame of free RAM returns to the kernel's pool
 * when its last mapping goes. */
void test_grant(void)
{
	struct kinfo k0 = kinfo();

	if (!EXPECT(window != 0))
		return;
	if (!probe_begin())
		return;
	/* a page of free RAM, through the window, derived at AL(0) */
	if (!EXPECT_ERR(abi_map(SLOT_SELF_TASK, WIN(1), AL(0), 12, MAP_WRITE), E_OK))
		goto out;
	EXPECT(kinfo().free < k0.free);         /* taken from the pool */
	EXPECT_EQ(peek(WIN(1)), 0);             /* zeroed */
	poke(WIN(1), 0x9a47);
	EXPECT_EQ(peek(AL(0)), 0x9a47);

	/* refused: not mapped, too many permissions, onto itself */
	EXPECT_ERR(abi_grant(SLOT_SELF_TASK, AL(1), AL(2), 12, MAP_READ), E_NOTMAPPED);
	EXPECT_ERR(abi_grant(SLOT_SELF_TASK, AL(0), AL(2), 12, MAP_EXEC | 8), E_INVAL);
	EXPECT_ERR(abi_grant(SLOT_SELF_TASK, WIN(1), WIN(1), 12, MAP_READ), E_INVAL);
	EXPECT_ERR(abi_grant(SLOT_SELF_TASK, (uint64_t)(uintptr_t)test_grant & ~(PAGE - 1),
			     AL(2), 12, MAP_WRITE), E_PERM);

	/* within our space: the window page moves to AL(1); AL(0) stays, under it */
	EXPECT_ERR(abi_grant(SLOT_SELF_TASK, WIN(1), AL(1), 12, MAP_WRITE), E_OK);
	EXPECT_UNMAPPED(WIN(1), 1);
	if (EXPECT(writable(AL(1))))
		EXPECT_EQ(peek(AL(1)), 0x9a47);
	EXPECT(readable(AL(0)));
	EXPECT_ERR(abi_unmap(AL(1), 12, 0), E_OK);
	EXPECT_UNMAPPED(AL(0), 1);
	EXPECT(writable(AL(1)));

	/* to a child: gone from us; the frame comes back when the child goes */
	if (EXPECT_ERR(sys_task_create(SLOT_SELF_TASK, S(0), task_min + 256 * 1024, 4), E_OK)) {
		EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(1), AL(2), 12, MAP_READ), E_OK);
		EXPECT_ERR(abi_grant(S(0), AL(1), X_VA, 12, MAP_WRITE), E_OK);
		EXPECT_UNMAPPED(AL(1), 1);
		EXPECT(readable(AL(2)));        /* still derived, now from the child's page */
		EXPECT_ERR(sys_cap_delete(S(0)), E_OK);
		EXPECT_UNMAPPED(AL(2), 1);
	}
out:
	abi_unmap(AL(0), 14, UNMAP_SELF);
	abi_unmap(WIN(1), 12, UNMAP_SELF);
	sys_cap_delete(S(0));
	probe_end();
	EXPECT_NO_LEAK(&k0, "granted frame back in the pool");
}

/*
 * Unmap over a tree: P -> A -> B -> C, P -> D. Unmapping A's derived
 * pages takes B and C; UNMAP_SELF on A takes A too; the window page's
 * frame returns to the pool only with its last mapping.
 */
void test_unmap_tree(void)
{
	struct kinfo k0 = kinfo();

	if (!EXPECT(window != 0))
		return;
	if (!probe_begin())
		return;
	if (!EXPECT_ERR(abi_map(SLOT_SELF_TASK, WIN(2), AL(0), 12, MAP_WRITE), E_OK))   /* A */
		goto out;
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(0), AL(1), 12, MAP_WRITE), E_OK);         /* B */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(1), AL(2), 12, MAP_READ), E_OK);          /* C */
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, WIN(2), AL(3), 12, MAP_READ), E_OK);         /* D */
	EXPECT_ERR(abi_unmap(AL(0), 12, 0), E_OK);
	EXPECT_UNMAPPED(AL(1), 2);
	EXPECT(writable(AL(0)));
	EXPECT(readable(AL(3)));
	EXPECT_ERR(abi_map(SLOT_SELF_TASK, AL(0), AL(1), 12, MAP_WRITE), E_OK);
	EXPECT_ERR(abi_unmap(AL(0), 12, UNMAP_SELF), E_OK);
	EXPECT_UNMAPPED(AL(0), 3);
	EXPECT(readable(AL(3)));
	EXPECT(writable(WIN(2)));
	/* the window page itself, with D under it: both go, the frame returns */
	EXPECT_ERR(abi_unmap(WIN(2), 12, UNMAP_SELF), E_OK);
	EXPECT_UNMAPPED(WIN(2), 1);
	EXPECT_UNMAPPED(AL(3), 1);
out:
	abi_unmap(AL(0), 14, UNMAP_SELF);
	abi_unmap(WIN(2), 12, UNMAP_SELF);
	probe_end();
	EXPECT_NO_LEAK(&k0, "all unmapped");
}
