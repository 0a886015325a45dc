/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a grub.cfg, run as GRUB would boot its default entry. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pcrsim/grub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_grub_boot boot;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        if (pcrsim_grub_run_config((const char *)data, size, &boot, &err) != PCRSIM_OK) {
                /* An error is described and lies inside the input. */
                if (err.code == PCRSIM_OK || boot.step_count != 0 ||
                    (err.offset != PCRSIM_NO_OFFSET && err.offset > size))
                        __builtin_trap();
                return 0;
        }
        /* A boot loads a kernel, and every text is a NUL-terminated string
         * of the recorded length. */
        if (boot.step_count == 0 || !boot.entry_title)
                __builtin_trap();
        for (size_t i = 0; i < boot.step_count; i++)
                if (strlen(boot.steps[i].text) != boot.steps[i].length)
                        __builtin_trap();
        pcrsim_grub_boot_free(&boot);
        return 0;
}
