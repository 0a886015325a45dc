/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a PE/COFF image, parsed, with its Authenticode digest
 * and the systemd-stub PCR 11 measurements of versions 252 and 256; and
 * the same bytes as a kernel that QEMU's direct boot patches. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pcrsim/pe.h"
#include "pcrsim/qemu.h"

/* Sections whose VirtualSize exceeds their raw data by more than this are
 * not measured here: hashing up to PCRSIM_MAX_UKI_ZERO_FILL zero bytes
 * per input would slow the fuzzer down without reaching new code. */
#define FUZZ_MAX_ZERO_FILL 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int large_zero_fill(const struct pcrsim_pe *pe)
{
        for (uint32_t i = 0; i < pe->section_count; i++) {
                const struct pcrsim_pe_section *s = &pe->sections[i];

                if (s->virtual_size > s->size_of_raw_data &&
                    s->virtual_size - s->size_of_raw_data > FUZZ_MAX_ZERO_FILL &&
                    s->virtual_size - s->size_of_raw_data <= PCRSIM_MAX_UKI_ZERO_FILL)
                        return 1;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint16_t algs[] = { 0x0004, 0x000B };
        struct pcrsim_uki_measurements *m;
        struct pcrsim_pe *pe = NULL;
        struct pcrsim_error err;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t digest_size = 0;

        uint8_t *patched = NULL;
        struct pcrsim_qemu_direct direct = {
                .ram_bytes = (uint64_t)1 << 30, .cmdline = "vga=0x317", .has_initrd = true,
                .initrd_size = size,
        };

        pcrsim_error_clear(&err);
        if (pcrsim_qemu_patch_kernel(data, size, &direct, &patched, &err) != PCRSIM_OK) {
                if (err.code == PCRSIM_OK || patched || (err.offset != PCRSIM_NO_OFFSET && err.offset > size))
                        __builtin_trap();
        } else if (!patched) {
                __builtin_trap();
        }
        free(patched);
        pcrsim_error_clear(&err);
        if (pcrsim_pe_parse(data, size, &pe, &err) != PCRSIM_OK) {
                if (err.code == PCRSIM_OK || (err.offset != PCRSIM_NO_OFFSET && err.offset > size))
                        __builtin_trap(); /* an error must be described, inside the input */
                return 0;
        }
        if (pcrsim_pe_authenticode(pe, 0x000B, digest, &digest_size, &err) != PCRSIM_OK ||
            digest_size != 32)
                __builtin_trap(); /* a parsed image always has a digest */
        m = malloc(sizeof(*m));
        if (m && !large_zero_fill(pe)) {
                pcrsim_uki_measure(pe, 252, algs, 2, m, &err);
                pcrsim_uki_measure(pe, 256, algs, 2, m, &err);
        }
        free(m);
        pcrsim_pe_free(pe);
        return 0;
}
