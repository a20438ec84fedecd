/*
 * Error codes: the one enum every system call answers with (in RAX), and
 * that servers reuse in their replies. 0 is success; the kernel never
 * returns anything but these. docs/abi.md lists which call returns which.
 */
#ifndef ABI_ERRNO_H
#define ABI_ERRNO_H

enum mica_error {
	E_OK = 0,
	E_NOSYS = 1,            /* no such system call */
	E_INVAL = 2,            /* an argument is out of its range */
	E_FAULT = 3,            /* a user pointer is not readable/writable user memory */
	E_CAP_RANGE = 4,        /* capability index beyond the table */
	E_CAP_EMPTY = 5,        /* capability slot is empty */
	E_CAP_TYPE = 6,         /* capability names an object of another type */
	E_CAP_RIGHTS = 7,       /* capability lacks a right the operation needs */
	E_CAP_OCCUPIED = 8,     /* destination slot is not empty */
	E_NOMEM = 9,            /* kernel-memory quota or physical memory exhausted */
	E_ALIGN = 10,           /* address or size not aligned as required */
	E_RANGE = 11,           /* address range outside user space, or wraps */
	E_NOTMAPPED = 12,       /* nothing mapped where the operation needs a mapping */
	E_STATE = 13,           /* the object is in the wrong state for this */
	E_WOULDBLOCK = 14,      /* zero timeout and the partner was not ready */
	E_ABORTED = 15,         /* a blocked operation was aborted */
	E_DEAD = 16,            /* the partner or object went away */
	E_TOOBIG = 17,          /* message longer than 64 words */
	E_PERM = 18,            /* a mapping lacks a permission the operation asks for;
	                         * servers: the caller may not ask for this */
	E_NOENT = 19,           /* servers: no such name */
	E_EXIST = 20,           /* servers: the name is taken */
	E_NERRORS
};

#endif
