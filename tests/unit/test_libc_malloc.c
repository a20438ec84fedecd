/*
 * Host unit tests of libc's malloc (libc/src/malloc.c) over a test
 * implementation of mica/heap.h: an arena whose pages outside the heap
 * are poisoned for ASan, so that malloc touching memory it has not got,
 * or has given back, is caught. A random stress of malloc, calloc,
 * realloc and free checks alignment, that live blocks never overlap
 * (each carries its own fill pattern), that realloc keeps the data, and
 * that once everything is freed the heap has given all but a bounded
 * amount back. Then the edges: coalescing, in-place realloc, running out,
 * overflow, and the messages and aborts for a double free or a bad pointer.
 *
 * libc: libc/src/malloc.c libc/src/strdup.c libc/src/string.c libc/src/errno.c
 */
#define UNIT_SUITE "libc_malloc"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

/* libc under test, its symbols renamed by tests/run.sh. */
void *libc_malloc(size_t n);
void libc_free(void *p);
void *libc_calloc(size_t n, size_t size);
void *libc_realloc(void *p, size_t n);
char *libc_strdup(const char *s);
char *libc_strndup(const char *s, size_t max);
extern int libc_errno;

enum { LIBC_ENOMEM = 9 };       /* libc/include/errno.h */

/* ------------------------------------------------ the heap (mica/heap.h) */

#define PAGE 4096u
#define ARENA ((size_t)256 << 20)
#define TRIM_BOUND ((size_t)64 << 10)   /* malloc.c's TRIM_THRESHOLD */

static char *arena;
static size_t heap_used;                /* bytes handed out, from arena */
static size_t heap_limit = ARENA;
static size_t heap_peak;
static long more_calls, less_calls, contract_breaks;

void *heap_more(size_t len);
void heap_less(size_t len);

void *heap_more(size_t len)
{
	void *old;

	if (!arena) {
		arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (arena == MAP_FAILED)
			abort();
		ASAN_POISON_MEMORY_REGION(arena, ARENA);
	}
	if (len == 0 || len % PAGE)
		contract_breaks++;
	if (len > heap_limit - heap_used)
		return NULL;
	more_calls++;
	old = arena + heap_used;
	ASAN_UNPOISON_MEMORY_REGION(old, len);
	heap_used += len;
	if (heap_used > heap_peak)
		heap_peak = heap_used;
	return old;
}

void heap_less(size_t len)
{
	if (len == 0 || len % PAGE || len > heap_used) {
		contract_breaks++;
		return;
	}
	less_calls++;
	heap_used -= len;
	ASAN_POISON_MEMORY_REGION(arena + heap_used, len);
}

/* ------------------------------------------------ helpers */

static unsigned long long rng_state = 0xD1B54A32D192ED03ull;

static uint64_t rng(void)
{
	return unit_rng(&rng_state);
}

static size_t below(size_t n)
{
	return (size_t)(rng() % n);
}

/* Mostly small, some pages, a few beyond the trim threshold. */
static size_t random_size(void)
{
	size_t r = below(100);

	if (r < 70)
		return below(129);
	if (r < 90)
		return 129 + below(4096 - 128);
	if (r < 99)
		return 4097 + below(65536 - 4096);
	return 65537 + below(600000);
}

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static unsigned char pattern(const struct slot *s, size_t i)
{
	return (unsigned char)(s->seed + i * 7 + (i >> 8));
}

static void fill(struct slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		s->p[i] = pattern(s, i);
}

static int intact(const struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s->p[i] != pattern(s, i))
			return 0;
	return 1;
}

static int by_address(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->p > y->p) - (x->p < y->p);
}

/* Every live block aligned, intact, and apart from the others. */
static int heap_consistent(struct slot *slots, size_t n)
{
	struct slot live[n];
	size_t nlive = 0;

	for (size_t i = 0; i < n; i++) {
		if (!slots[i].p)
			continue;
		if ((uintptr_t)slots[i].p % 16 || !intact(&slots[i], slots[i].size))
			return 0;
		live[nlive++] = slots[i];
	}
	qsort(live, nlive, sizeof live[0], by_address);
	for (size_t i = 1; i < nlive; i++)
		if (live[i - 1].p + live[i - 1].size > live[i].p)
			return 0;
	return 1;
}

/* ------------------------------------------------ tests */

TEST(stress_random_sizes_reallocs_and_frees)
{
	enum { SLOTS = 1500, ROUNDS = 150000 };
	static struct slot slots[SLOTS];
	long mallocs = 0, reallocs = 0, frees = 0;

	for (int round = 0; round < ROUNDS; round++) {
		struct slot *s = &slots[below(SLOTS)];

		if (!s->p) {
			s->size = random_size();
			s->seed = (unsigned char)rng();
			if (below(8) == 0) {
				s->p = libc_calloc(1, s->size);
				CHECK(s->p);
				for (size_t i = 0; i < s->size; i++)
					CHECK(s->p[i] == 0);
			} else {
				s->p = libc_malloc(s->size);
				CHECK(s->p);
			}
			CHECK((uintptr_t)s->p % 16 == 0);
			fill(s);
			mallocs++;
		} else if (below(3) == 0) {
			size_t size = random_size();
			unsigned char *p = libc_realloc(s->p, size);

			CHECK(p && (uintptr_t)p % 16 == 0);
			s->p = p;
			CHECK(intact(s, size < s->size ? size : s->size));
			s->size = size;
			fill(s);
			reallocs++;
		} else {
			CHECK(intact(s, s->size));
			libc_free(s->p);
			s->p = NULL;
			frees++;
		}
		if (round % 5000 == 0)
			CHECK(heap_consistent(slots, SLOTS));
	}
	CHECK(heap_consistent(slots, SLOTS));
	for (int i = 0; i < SLOTS; i++) {
		libc_free(slots[i].p);
		slots[i].p = NULL;
	}
	printf("    %ld mallocs, %ld reallocs, %ld frees; heap peak %zu KiB, %ld grows, %ld shrinks\n",
	       mallocs, reallocs, frees, heap_peak >> 10, more_calls, less_calls);
	CHECK(contract_breaks == 0);
	CHECK(less_calls > 0);
	/* All freed: what is left is one free block below the trim threshold. */
	CHECK(heap_used <= TRIM_BOUND);
}

TEST(small_sizes_are_aligned_and_distinct)
{
	void *p[300];

	for (size_t n = 0; n < 300; n++) {
		p[n] = libc_malloc(n);
		CHECK(p[n] && (uintptr_t)p[n] % 16 == 0);
		memset(p[n], 0xAB, n);
		if (n)
			CHECK(p[n] != p[n - 1]);
	}
	for (size_t n = 0; n < 300; n++)
		libc_free(p[n]);
	libc_free(NULL);
	CHECK(heap_used <= TRIM_BOUND);
}

TEST(freed_neighbours_merge)
{
	enum { N = 40, SIZE = 1000 };
	char *p[N], *guard, *big;
	long grows;
	size_t order[N];

	for (int i = 0; i < N; i++)
		CHECK((p[i] = libc_malloc(SIZE)));
	guard = libc_malloc(16);        /* keeps the blocks off the top of the heap */
	CHECK(guard);
	/* Free in a random order, so both the block above and below merge. */
	for (size_t i = 0; i < N; i++)
		order[i] = i;
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = below(i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < N; i++)
		libc_free(p[order[i]]);
	grows = more_calls;
	big = libc_malloc(N * SIZE - 64);
	CHECK(big == p[0]);             /* the merged space, lowest first */
	CHECK(more_calls == grows);
	libc_free(big);
	libc_free(guard);
	CHECK(heap_used <= TRIM_BOUND);
}

TEST(realloc_in_place_and_moving)
{
	char *a, *b, *c, *m;

	CHECK((a = libc_realloc(NULL, 100)));
	memset(a, 'a', 100);
	CHECK((b = libc_malloc(200)));
	CHECK((c = libc_malloc(16)));
	/* Shrinking stays put and keeps the prefix. */
	CHECK(libc_realloc(a, 40) == a);
	CHECK(memcmp(a, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40) == 0);
	/* Growing into a freed neighbour stays put. */
	libc_free(b);
	CHECK(libc_realloc(a, 250) == a);
	CHECK(a[39] == 'a');
	/* Growing past c moves, with the data. */
	memset(a, 'z', 250);
	CHECK((m = libc_realloc(a, 5000)) && m != a);
	for (int i = 0; i < 250; i++)
		CHECK(m[i] == 'z');
	/* Size 0 keeps a minimal block, never NULL. */
	CHECK((a = libc_realloc(m, 0)) == m);
	libc_free(a);
	libc_free(c);
	CHECK(heap_used <= TRIM_BOUND);
}

TEST(calloc_zeroes_reused_memory_and_checks_overflow)
{
	unsigned char *p = libc_malloc(4000);

	CHECK(p);
	memset(p, 0xFF, 4000);
	libc_free(p);
	CHECK((p = libc_calloc(500, 8)));
	for (int i = 0; i < 4000; i++)
		CHECK(p[i] == 0);
	libc_free(p);
	libc_errno = 0;
	CHECK(libc_calloc(SIZE_MAX / 2 + 1, 2) == NULL && libc_errno == LIBC_ENOMEM);
	CHECK(libc_calloc((size_t)1 << 32, (size_t)1 << 32) == NULL);
	CHECK((p = libc_calloc(0, 5)));
	libc_free(p);
}

TEST(running_out_fails_cleanly_and_recovers)
{
	void *p[64];
	int n = 0;

	libc_errno = 0;
	CHECK(libc_malloc(SIZE_MAX) == NULL && libc_errno == LIBC_ENOMEM);
	CHECK(libc_malloc(SIZE_MAX - 15) == NULL);
	CHECK(libc_malloc((size_t)1 << 47) == NULL);

	heap_limit = heap_used + 256 * 1024;
	libc_errno = 0;
	CHECK(libc_malloc(1 << 20) == NULL && libc_errno == LIBC_ENOMEM);
	while (n < 64 && (p[n] = libc_malloc(10000)))
		n++;
	CHECK(n >= 20 && n < 64);
	CHECK(libc_errno == LIBC_ENOMEM);
	CHECK(libc_realloc(p[0], 1 << 20) == NULL);     /* p[0] stays valid */
	memset(p[0], 1, 10000);
	for (int i = 0; i < n; i++)
		libc_free(p[i]);
	heap_limit = ARENA;
	CHECK((p[0] = libc_malloc(1 << 20)));
	libc_free(p[0]);
	CHECK(heap_used <= TRIM_BOUND);
	CHECK(contract_breaks == 0);
}

TEST(strdup_and_strndup_copy)
{
	char *s = libc_strdup("hello");

	CHECK(s && strcmp(s, "hello") == 0);
	libc_free(s);
	CHECK((s = libc_strndup("hello", 3)) && strcmp(s, "hel") == 0);
	libc_free(s);
	CHECK((s = libc_strndup("hi", 10)) && strcmp(s, "hi") == 0);
	libc_free(s);
	CHECK((s = libc_strdup("")) && *s == '\0');
	libc_free(s);
}

/*
 * Runs misuse(n) in a child with stderr on a pipe; it must die of SIGABRT
 * having said want. malloc reports through the host's fprintf and abort.
 */
static int aborts_with(void (*misuse)(void), const char *want)
{
	int fds[2], status;
	char msg[256] = "";
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		misuse();
		_exit(0);
	}
	close(fds[1]);
	got = read(fds[0], msg, sizeof msg - 1);
	close(fds[0]);
	msg[got > 0 ? got : 0] = '\0';
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(msg, want)) {
		printf("    status %#x, message \"%s\", wanted \"%s\"\n", status, msg, want);
		return 0;
	}
	return 1;
}

static void double_free(void)
{
	void *p = libc_malloc(100);

	libc_free(p);
	libc_free(p);
}

/* The second free of q comes after q was merged into p's free block
 * below it: q's header is stale, yet still says freed. */
static void double_free_after_merge(void)
{
	void *p = libc_malloc(100), *q = libc_malloc(100), *guard = libc_malloc(1);

	(void)guard;
	libc_free(p);
	libc_free(q);
	libc_free(q);
}

static void realloc_after_free(void)
{
	void *p = libc_malloc(100);

	libc_free(p);
	libc_realloc(p, 200);
}

static void free_inside_a_block(void)
{
	char *p = libc_malloc(100);

	memset(p, 0, 100);
	libc_free(p + 32);
}

static void free_misaligned(void)
{
	char *p = libc_malloc(100);

	libc_free(p + 1);
}

static void free_outside_the_heap(void)
{
	static char not_heap[64];

	libc_malloc(1);
	libc_free(not_heap + 16);
}

static void free_with_corrupt_header(void)
{
	char *p = libc_malloc(100);

	p[-4] ^= 0x40;                  /* a bit of the tag */
	libc_free(p);
}

TEST(misuse_aborts_with_a_message)
{
	CHECK(aborts_with(double_free, "free: pointer already freed: 0x"));
	CHECK(aborts_with(double_free_after_merge, "free: pointer already freed: 0x"));
	CHECK(aborts_with(realloc_after_free, "realloc: pointer already freed: 0x"));
	CHECK(aborts_with(free_inside_a_block, "free: bad pointer 0x"));
	CHECK(aborts_with(free_misaligned, "free: bad pointer 0x"));
	CHECK(aborts_with(free_outside_the_heap, "free: bad pointer 0x"));
	CHECK(aborts_with(free_with_corrupt_header, "free: bad pointer 0x"));
}
