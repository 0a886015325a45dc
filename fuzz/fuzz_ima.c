/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: IMA list (binary or ASCII) parse and replay. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pcrsim/ima_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_ima_replay *replay = malloc(sizeof(*replay));
        struct pcrsim_ima_replay_options ropts = { 0 };
        struct pcrsim_ima_options opts = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_error err;

        if (!replay)
                return 0;
        /* The first byte picks the options, so both are explored. */
        if (size > 0) {
                opts.allow_partial_tail = data[0] & 1;
                ropts.rule = (enum pcrsim_ima_extend_rule)((data[0] >> 1) % 3);
        }
        ropts.bank_count = 2;
        ropts.banks[0] = 0x0004;
        ropts.banks[1] = 0x000B;
        pcrsim_error_clear(&err);
        if (pcrsim_ima_list_open_memory(data, size, &opts, &list, &err) == PCRSIM_OK)
                pcrsim_replay_ima(list, &ropts, replay, &err);
        pcrsim_ima_list_free(list);
        free(replay);
        return 0;
}
