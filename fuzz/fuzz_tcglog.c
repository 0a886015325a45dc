/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: TCG event log parse and replay from memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pcrsim/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_replay *replay = malloc(sizeof(*replay));
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;

        if (!replay)
                return 0;
        pcrsim_error_clear(&err);
        if (pcrsim_tcglog_open_memory(data, size, &log, &err) == PCRSIM_OK) {
                if (pcrsim_replay_tcglog(log, replay, &err) != PCRSIM_OK &&
                    err.offset == PCRSIM_NO_OFFSET && err.code != PCRSIM_ERR_NOMEM)
                        abort(); /* every input error names an offset */
        }
        pcrsim_tcglog_free(log);
        free(replay);
        return 0;
}
