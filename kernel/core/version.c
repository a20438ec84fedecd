/*
 * The banner: version and git revision (set by the Makefile) and the build
 * id, a hash of the kernel image that the linker stores in an ELF note.
 */
#include <stdint.h>
#include <klib.h>
#include <console.h>
#include <version.h>
#include <abi/version.h>

#ifndef MICA_VERSION
#define MICA_VERSION "unknown"
#endif
#ifndef MICA_GIT
#define MICA_GIT "unknown"
#endif

struct elf_note {
	uint32_t namesz;
	uint32_t descsz;
	uint32_t type;
	char name[4];           /* "GNU" */
	uint8_t desc[];
};

extern const struct elf_note build_id_note;

void version_build_id(char *buf, size_t size)
{
	const struct elf_note *n = &build_id_note;
	size_t len = 0;

	buf[0] = '\0';
	if (n->namesz != 4 || memcmp(n->name, "GNU", 4) != 0)
		return;
	for (uint32_t i = 0; i < n->descsz && len + 3 <= size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%02x", n->desc[i]);
}

void version_print_banner(void)
{
	char id[41];

	version_build_id(id, sizeof id);
	kprintf("\nMica %s (git %s, abi %u.%u) build-id %s\n", MICA_VERSION, MICA_GIT,
		MICA_ABI_VERSION_MAJOR, MICA_ABI_VERSION_MINOR, id[0] ? id : "none");
}
