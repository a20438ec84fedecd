/*
 * Requests to init (mica/proto/init.h), for every program init started.
 * Each returns E_OK or an E_* code: a kernel error from the call itself,
 * or init's answer.
 */
#ifndef MICA_INIT_H
#define MICA_INIT_H

#include <stdint.h>
#include <stdnoreturn.h>
#include <mica/proto/init.h>

/* Publishes the endpoint in slot ep as the service name. */
long init_register(const char *name, uint64_t ep);
/* Puts a capability to the service name into the empty slot dst. */
long init_lookup(const char *name, uint64_t dst);
/* Ends the program: init tears the task down. */
noreturn void init_exit(int status);
/* Gives back the pages of [addr, addr + len) (page-aligned) to init. */
long init_release(uint64_t addr, uint64_t len);
/* The task with the smallest number >= first. E_RANGE: none. */
long init_task_info(uint64_t first, struct init_task_info *out);
/* Memory in bytes: total, free, held by tasks, kernel objects. */
long init_mem_info(uint64_t *total, uint64_t *free, uint64_t *tasks, uint64_t *kernel);
long init_kill(const char *name);
long init_reboot(void);
/* Starts the on-demand program name; its task number in *number. */
long init_start(const char *name, uint64_t *number);

/* Packs name (at most INIT_NAME_MAX bytes) into two message words. */
void init_name_pack(const char *name, uint64_t w[2]);
/* Unpacks two words into out (INIT_NAME_MAX + 1 bytes, NUL-terminated). */
void init_name_unpack(const uint64_t w[2], char *out);

#endif
