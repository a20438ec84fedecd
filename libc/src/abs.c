/* Absolute values; like C's, undefined for the most negative value. */
#include <stdlib.h>

int abs(int n)
{
	return n < 0 ? -n : n;
}

long labs(long n)
{
	return n < 0 ? -n : n;
}
