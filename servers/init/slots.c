/*
 * init's own capability slots: those above the boot capabilities (the
 * kernel's IRQ lines end at SLOT_IRQ_BASE + nirqs) hold what init makes
 * and receives.
 */
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/kip.h>
#include <mica/syscall.h>
#include "init.h"

static uint8_t in_use[ROOT_CAP_SLOTS];

void slots_init(void)
{
	const struct kip *kip = (const struct kip *)KIP_ADDR;
	uint64_t type, rights, badge;

	for (uint64_t s = 0; s < ROOT_CAP_SLOTS; s++)
		in_use[s] = s < SLOT_IRQ_BASE + kip->nirqs ||
			    sys_cap_info(s, &type, &rights, &badge) != E_CAP_EMPTY;
}

uint64_t slot_alloc(void)
{
	for (uint64_t s = 0; s < ROOT_CAP_SLOTS; s++)
		if (!in_use[s]) {
			in_use[s] = 1;
			return s;
		}
	return 0;
}

void slot_free(uint64_t slot)
{
	if (slot == 0 || slot >= ROOT_CAP_SLOTS)
		return;
	sys_cap_delete(slot);
	in_use[slot] = 0;
}
