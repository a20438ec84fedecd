/*
 * The only way the kernel touches user memory. Each helper checks that the
 * whole range is canonical user space before touching it, and turns a
 * missing or protected page into E_FAULT instead of a kernel fault.
 */
#ifndef UACCESS_H
#define UACCESS_H

#include <stdint.h>

/* Copies len bytes from user address src into dst. E_OK or E_FAULT. */
int copy_from_user(void *dst, uint64_t src, uint64_t len);

/* Copies len bytes from src to user address dst. E_OK or E_FAULT. */
int copy_to_user(uint64_t dst, const void *src, uint64_t len);

#endif
