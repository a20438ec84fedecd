/*
 * errno: the last error that a libc call reports. One number space holds
 * two kinds of code. The kernel's E_* codes (<abi/errno.h>, 0..E_NERRORS-1)
 * keep their values, so that an error from a system call or from a
 * server's reply can be stored in errno as it is and strerror() names it;
 * where C has a name for the same meaning (EINVAL, ENOMEM) it is that
 * value. Errors that only libc reports start at 64, above every kernel
 * code with room for the kernel's list to grow (strerror.c checks it).
 */
#ifndef LIBC_ERRNO_H
#define LIBC_ERRNO_H

#include <abi/errno.h>

/* One per program: user programs are single-threaded as far as libc goes. */
extern int errno;

#define EINVAL  2       /* E_INVAL: an argument is out of its range */
#define ENOMEM  9       /* E_NOMEM: out of memory */

#define ELIBC_BASE 64   /* the first code that only libc reports */
#define EDOM    64      /* a mathematical argument outside the function's domain */
#define ERANGE  65      /* the result does not fit its type */

#endif
