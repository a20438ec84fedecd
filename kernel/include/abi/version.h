/*
 * The ABI version: the one definition shared by the kernel, libc and the
 * servers. It is bumped on any incompatible change of the system-call ABI
 * (docs/abi.md) and published in the kernel info page.
 */
#ifndef ABI_VERSION_H
#define ABI_VERSION_H

#define MICA_ABI_VERSION_MAJOR 0
#define MICA_ABI_VERSION_MINOR 2

#endif
