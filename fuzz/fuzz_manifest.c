/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the vector manifest reader (MANIFEST.yaml). The input
 * is the manifest text.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pcrsim/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tells whether a path has a ".." component or starts with '/'. */
static int leaves_folder(const char *name)
{
        if (name[0] == '/')
                return 1;
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return 1;
                p += n;
                while (*p == '/')
                        p++;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_manifest m;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        if (pcrsim_manifest_parse(data, size, &m, &err) != PCRSIM_OK)
                return 0;
        /* A manifest that parses keeps its limits and lists only names that
         * stay inside the vector folder. */
        if (m.file_count > PCRSIM_MAX_MANIFEST_FILES)
                __builtin_trap();
        for (size_t i = 0; i < m.file_count; i++)
                if (!m.files[i].name || !m.files[i].name[0] || leaves_folder(m.files[i].name))
                        __builtin_trap();
        for (size_t i = 0; i < m.mismatch_count; i++)
                if (m.mismatches[i].pcr >= PCRSIM_PCR_COUNT)
                        __builtin_trap();
        pcrsim_manifest_free(&m);
        return 0;
}
