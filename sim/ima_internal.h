/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_SIM_IMA_INTERNAL_H
#define PCRSIM_SIM_IMA_INTERNAL_H

#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"

/* Internal to the engine: the boot_aggregate check of the first entry. */
enum pcrsim_error_code pcrsim_check_boot_aggregate(const struct pcrsim_ima_entry *entry,
                                                   const struct pcrsim_replay *firmware,
                                                   struct pcrsim_boot_aggregate *out,
                                                   struct pcrsim_error *err);

/* Tells whether an entry records the boot_aggregate. */
bool pcrsim_is_boot_aggregate(const struct pcrsim_ima_entry *entry);

#endif
