/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: EFI device path rendering and signature lists. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "eventlog/devpath.h"
#include "eventlog/siglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char text[512];
        struct pcrsim_error err;
        json_t *lists;

        pcrsim_error_clear(&err);
        if (pcrsim_device_path_text(data, size, 0, text, sizeof(text), &err) == PCRSIM_OK &&
            memchr(text, '\0', sizeof(text)) == NULL)
                __builtin_trap(); /* the text must be NUL-terminated */
        lists = pcrsim_signature_lists_decode(data, size, 0, &err);
        json_decref(lists);
        return 0;
}
