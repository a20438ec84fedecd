/* Kernel command-line lookup: space-separated words "key" or "key=value". */
#include <klib.h>

const char *cmdline_find(const char *cmdline, const char *key)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0) {
			if (p[klen] == '=')
				return p + klen + 1;
			if (p[klen] == ' ' || p[klen] == '\0')
				return p + klen;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

size_t cmdline_value_len(const char *value)
{
	size_t n = 0;

	while (value[n] && value[n] != ' ')
		n++;
	return n;
}
