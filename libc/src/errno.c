/* The error variable that libc calls set (see errno.h for its values). */
#include <errno.h>

int errno;
