/*
 * Memory and string functions. Plain C, byte loops except where the
 * volume is: memcpy, memmove and memset move aligned 8-byte words (IPC
 * buffers, heap blocks and stdio buffers go through them).
 */
#include <stdint.h>
#include <string.h>

/* A word that may alias anything: the mem* functions move objects of every type. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD sizeof(word_t)

static int word_aligned(const void *p)
{
	return ((uintptr_t)p & (WORD - 1)) == 0;
}

/* Front to back, so also right for overlapping buffers with dst below
 * src; no restrict here, for the same reason. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	/* Words only help when both can be aligned at once. */
	if (((uintptr_t)d & (WORD - 1)) == ((uintptr_t)s & (WORD - 1))) {
		for (; n && !word_aligned(d); n--)
			*d++ = *s++;
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(word_t *)(void *)d = *(const word_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n) { /* dst below src, or no overlap */
		copy_forward(d, s, n);
		return dst;
	}
	/* dst overlaps the end of src: back to front. */
	d += n;
	s += n;
	if (((uintptr_t)d & (WORD - 1)) == ((uintptr_t)s & (WORD - 1))) {
		for (; n && !word_aligned(d); n--)
			*--d = *--s;
		for (; n >= WORD; n -= WORD) {
			d -= WORD;
			s -= WORD;
			*(word_t *)(void *)d = *(const word_t *)(const void *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = (unsigned char)c * 0x0101010101010101ull;

	for (; n && !word_aligned(d); n--)
		*d++ = (unsigned char)c;
	for (; n >= WORD; n -= WORD, d += WORD)
		*(word_t *)(void *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

/* C's strncpy: stops at src's NUL and fills the rest of n with NULs; no
 * NUL at all when src is n bytes or longer. */
char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/* Appends at most n bytes of src, then always a NUL. */
char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *d = dst + strlen(dst);
	size_t len = strnlen(src, n);

	memcpy(d, src, len);
	d[len] = '\0';
	return dst;
}

/* The terminating NUL counts as part of s: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

/* The simple search: O(len(haystack) * len(needle)) at worst, which the
 * short strings of a small system never approach. */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return (char *)haystack;
	for (; *haystack; haystack++)
		if (*haystack == *needle && strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return NULL;
}

/* A set of bytes as a 256-bit map, for strspn and friends. */
struct byteset {
	uint64_t bits[4];
};

static void byteset_fill(struct byteset *set, const char *chars)
{
	memset(set, 0, sizeof *set);
	for (const unsigned char *c = (const unsigned char *)chars; *c; c++)
		set->bits[*c >> 6] |= 1ull << (*c & 63);
}

static int byteset_has(const struct byteset *set, char c)
{
	unsigned char u = (unsigned char)c;

	return (set->bits[u >> 6] >> (u & 63)) & 1;
}

size_t strspn(const char *s, const char *accept)
{
	struct byteset set;
	size_t n = 0;

	byteset_fill(&set, accept);
	while (s[n] && byteset_has(&set, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *reject)
{
	struct byteset set;
	size_t n = 0;

	byteset_fill(&set, reject);
	while (s[n] && !byteset_has(&set, s[n]))
		n++;
	return n;
}

/* The next token of s (NULL: continue after the last one, from *save)
 * delimited by bytes of delim; NULL when there is none left. */
char *strtok_r(char *restrict s, const char *restrict delim, char **restrict save)
{
	char *token;

	if (!s)
		s = *save;
	s += strspn(s, delim);
	if (!*s) {
		*save = s;
		return NULL;
	}
	token = s;
	s += strcspn(s, delim);
	if (*s)
		*s++ = '\0';
	*save = s;
	return token;
}
