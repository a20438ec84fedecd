/*
 * User-memory copies. The range check keeps every access below USER_END,
 * so kernel and non-canonical addresses never reach the copy; the copy
 * itself (uaccess_copy, syscall_entry.asm) has a fault fixup for pages
 * that are missing or lack the permission.
 */
#include <uaccess.h>
#include <abi/errno.h>
#include <arch/cpufeature.h>
#include <arch/memlayout.h>

extern int uaccess_copy(void *dst, const void *src, uint64_t len);

/* Read by uaccess_copy: STAC/CLAC exist only where SMAP does. */
uint8_t cpu_smap_enabled;

static int user_range_ok(uint64_t addr, uint64_t len)
{
	return len <= USER_END && addr <= USER_END - len;
}

int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
	if (!user_range_ok(src, len))
		return E_FAULT;
	return uaccess_copy(dst, (const void *)src, len);
}

int copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
	if (!user_range_ok(dst, len))
		return E_FAULT;
	return uaccess_copy((void *)dst, src, len);
}
