/* Descriptions of errno values: the kernel's E_* codes and libc's own. */
#include <errno.h>
#include <string.h>

/* errno.h's promises: C's names for kernel meanings are the kernel's
 * values, and libc's own codes stay clear of the kernel's. */
_Static_assert(EINVAL == E_INVAL && ENOMEM == E_NOMEM, "errno.h aliases kernel codes");
_Static_assert(E_NERRORS <= ELIBC_BASE, "kernel error codes stay below libc's");

static const char *const kernel_errors[E_NERRORS] = {
	[E_OK] = "success",
	[E_NOSYS] = "no such system call",
	[E_INVAL] = "invalid argument",
	[E_FAULT] = "bad address",
	[E_CAP_RANGE] = "capability index out of range",
	[E_CAP_EMPTY] = "empty capability slot",
	[E_CAP_TYPE] = "wrong capability type",
	[E_CAP_RIGHTS] = "insufficient capability rights",
	[E_CAP_OCCUPIED] = "capability slot occupied",
	[E_NOMEM] = "out of memory",
	[E_ALIGN] = "misaligned address or size",
	[E_RANGE] = "address range outside user space",
	[E_NOTMAPPED] = "not mapped",
	[E_STATE] = "object in the wrong state",
	[E_WOULDBLOCK] = "operation would block",
	[E_ABORTED] = "operation aborted",
	[E_DEAD] = "partner or object gone",
	[E_TOOBIG] = "message too long",
	[E_PERM] = "permission denied",
	[E_NOENT] = "no such name",
	[E_EXIST] = "name already taken",
};

static const char *const libc_errors[] = {
	[EDOM - ELIBC_BASE] = "argument out of domain",
	[ERANGE - ELIBC_BASE] = "result out of range",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The string is constant; the type is C's. */
char *strerror(int err)
{
	const char *s = NULL;

	if (err >= 0 && err < E_NERRORS)
		s = kernel_errors[err];
	else if (err >= ELIBC_BASE && (unsigned)(err - ELIBC_BASE) < COUNT(libc_errors))
		s = libc_errors[err - ELIBC_BASE];
	return (char *)(s ? s : "unknown error");
}
