/*
 * Sorting and searching sorted arrays. qsort is an introsort: quicksort
 * with a median-of-three (or of nine) pivot, insertion sort for short ranges, and
 * heapsort for a range that has been split too often, so no input (sorted,
 * reversed, all equal, or built against the pivot rule) takes more than
 * O(n log n) comparisons. It recurses into the smaller part only, so the
 * stack stays O(log n). Not stable, as C allows.
 */
#include <stdint.h>
#include <stdlib.h>

typedef int (*cmp_fn)(const void *, const void *);

/* A word that may alias anything: the elements are of the caller's type. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define INSERTION_MAX 12        /* ranges this short are insertion-sorted */
#define NINTHER_MIN 40          /* longer ranges take their pivot from nine elements */

static void swap(char *a, char *b, size_t size)
{
	/* Elements are often words: swap those a word at a time. */
	if (size == sizeof(word_t) && !(((uintptr_t)a | (uintptr_t)b) & 7)) {
		word_t t = *(word_t *)(void *)a;

		*(word_t *)(void *)a = *(word_t *)(void *)b;
		*(word_t *)(void *)b = t;
		return;
	}
	for (; size; size--, a++, b++) {
		char t = *a;

		*a = *b;
		*b = t;
	}
}

static void insertion_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = 1; i < n; i++)
		for (char *p = base + i * size; p > base && cmp(p - size, p) > 0; p -= size)
			swap(p - size, p, size);
}

/* Moves element i down the max-heap of n elements until its children are smaller. */
static void sift_down(char *base, size_t i, size_t n, size_t size, cmp_fn cmp)
{
	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		swap(base + i * size, base + child * size, size);
		i = child;
	}
}

static void heap_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(base, i, n, size, cmp);
	for (size_t end = n; end-- > 1;) {
		swap(base, base + end * size, size);
		sift_down(base, 0, end, size, cmp);
	}
}

/* The median of three elements. */
static char *median3(char *a, char *b, char *c, cmp_fn cmp)
{
	if (cmp(a, b) < 0)
		return cmp(b, c) < 0 ? b : cmp(a, c) < 0 ? c : a;
	return cmp(b, c) > 0 ? b : cmp(a, c) > 0 ? c : a;
}

/*
 * Hoare partition around a pivot moved to base: the median of the first,
 * middle and last elements, or for a long range Tukey's ninther (the
 * median of three such medians), which organ-pipe and sawtooth inputs do
 * not fool. Both scans stop at elements equal to the pivot, so runs of
 * equal keys split in the middle rather than at an end. Another element
 * of the sample is no less than the pivot, so the first upward scan stops
 * inside the range; the pivot itself stops the first downward one.
 * Returns the pivot's final index: no element before it is greater, none
 * after it smaller.
 */
static size_t partition(char *base, size_t n, size_t size, cmp_fn cmp)
{
	char *first = base, *mid = base + n / 2 * size, *last = base + (n - 1) * size;
	size_t i = 0, j = n;

	if (n > NINTHER_MIN) {
		size_t step = n / 8 * size;

		first = median3(first, first + step, first + 2 * step, cmp);
		mid = median3(mid - step, mid, mid + step, cmp);
		last = median3(last - 2 * step, last - step, last, cmp);
	}
	swap(base, median3(first, mid, last, cmp), size);
	for (;;) {
		do
			i++;
		while (cmp(base + i * size, base) < 0);
		do
			j--;
		while (cmp(base + j * size, base) > 0);
		if (i >= j)
			break;
		swap(base + i * size, base + j * size, size);
	}
	/* base[1..j] <= pivot <= base[j+1..n-1]; put the pivot in between. */
	swap(base, base + j * size, size);
	return j;
}

/* Sorts n elements at lo, quicksort splitting at most depth times in a row. */
static void intro_sort(char *lo, size_t n, size_t size, cmp_fn cmp, unsigned depth)
{
	while (n > INSERTION_MAX) {
		size_t left, right;

		if (depth-- == 0) {
			heap_sort(lo, n, size, cmp);
			return;
		}
		left = partition(lo, n, size, cmp);     /* the pivot is at lo[left] */
		right = n - left - 1;
		if (left < right) {
			intro_sort(lo, left, size, cmp, depth);
			lo += (left + 1) * size;
			n = right;
		} else {
			intro_sort(lo + (left + 1) * size, right, size, cmp, depth);
			n = left;
		}
	}
	insertion_sort(lo, n, size, cmp);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned depth = 0;

	/* Quicksort's fair share of splits before heapsort takes over: 2 log2 n. */
	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(base, n, size, cmp, depth);
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	const char *lo = base;

	while (n > 0) {
		const char *mid = lo + n / 2 * size;
		int c = cmp(key, mid);

		if (c == 0)
			return (void *)mid;
		if (c > 0) {
			lo = mid + size;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	return NULL;
}
