/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: event data decoders and digest checks, over every
 * record of a TCG event log. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "pcrsim/decode.h"
#include "pcrsim/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_digest_check checks[PCRSIM_MAX_ALGORITHMS];
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_verifier verifier;
        struct pcrsim_error err;
        struct pcrsim_event ev;
        bool have = true;

        pcrsim_error_clear(&err);
        pcrsim_verifier_init(&verifier);
        if (pcrsim_tcglog_open_memory(data, size, &log, &err) != PCRSIM_OK)
                return 0;
        while (pcrsim_tcglog_next(log, &ev, &have, &err) == PCRSIM_OK && have) {
                json_t *decoded = pcrsim_event_decode(&ev);
                char *text = decoded ? json_dumps(decoded, 0) : NULL;

                free(text);
                json_decref(decoded);
                pcrsim_verify_event(&verifier, &ev, checks, &err);
        }
        pcrsim_tcglog_free(log);
        return 0;
}
