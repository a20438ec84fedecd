/*
 * Multiboot2 boot information parser (multiboot2 specification, section
 * 3.6). Pure C with no kernel dependencies, so the host unit tests feed it
 * well-formed, truncated and corrupt tag lists.
 */
#ifndef PC_MULTIBOOT2_H
#define PC_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>
#include <bootinfo.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_INFO_MAX         (1u << 20)  /* sanity limit on total_size */

enum mb2_status {
	MB2_OK = 0,
	MB2_ESIZE = -1,         /* total_size impossible or beyond the buffer */
	MB2_ETRUNC = -2,        /* a tag runs past the end; walk stopped there */
	MB2_ENOEND = -3,        /* no end tag */
};

typedef void (*mb2_log_fn)(const char *fmt, ...);

/*
 * Parses the boot information at info, of which at most avail bytes may be
 * read, into out (cleared first). A malformed tag or entry is reported
 * through log and skipped (out->bad_tags counts them); a broken tag chain
 * stops the walk, keeps what was parsed and returns a negative status.
 * info must be 8-byte aligned.
 */
enum mb2_status mb2_parse(const void *info, size_t avail, struct boot_info *out,
			  mb2_log_fn log);

#endif
