/* Kernel identity for the boot banner and the kernel info page. */
#ifndef VERSION_H
#define VERSION_H

#include <stddef.h>

/* Writes the linker's build id (--build-id) as hex into buf. */
void version_build_id(char *buf, size_t size);
void version_print_banner(void);

#endif
