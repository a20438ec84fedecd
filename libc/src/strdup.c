/* Copies of strings on the heap (apart from string.c so that using
 * strlen does not link malloc). */
#include <stdlib.h>
#include <string.h>

char *strdup(const char *s)
{
	return strndup(s, (size_t)-1);
}

/* At most max bytes of s, always NUL-terminated. */
char *strndup(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *copy = malloc(len + 1);

	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}
