/* SPDX-License-Identifier: Apache-2.0 */
/* Reading several --expected files into one set, for compare and
 * verify-quote. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/references.h"
#include "pcrsim/alg.h"

/* Adds `ref` to `merged`. Returns false, after an error that names the
 * file and the PCR, when `merged` has the PCR with another value or flag. */
static bool merge(struct pcrsim_reference *merged, const struct pcrsim_reference *ref,
                  const char *name, const char *const *names)
{
        for (uint32_t b = 0; b < ref->set.bank_count; b++) {
                const struct pcrsim_pcr_bank *src = &ref->set.banks[b];
                struct pcrsim_pcr_bank *dst;
                uint32_t m = 0;

                while (m < merged->set.bank_count && merged->set.banks[m].alg != src->alg)
                        m++;
                dst = &merged->set.banks[m];
                if (m == merged->set.bank_count) {
                        merged->set.bank_count++;
                        dst->alg = src->alg;
                        dst->size = src->size;
                }
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        char bank_name[24];

                        if (!src->pcrs[pcr].present)
                                continue;
                        if (dst->pcrs[pcr].present &&
                            (memcmp(dst->pcrs[pcr].digest, src->pcrs[pcr].digest, src->size) != 0 ||
                             merged->warn_only[m][pcr] != ref->warn_only[b][pcr])) {
                                pcrsim_alg_name(src->alg, bank_name, sizeof(bank_name));
                                cli_errorf("%s: %s PCR %" PRIu32 " differs from the same PCR in %s",
                                           name, bank_name, pcr, names[m * PCRSIM_PCR_COUNT + pcr]);
                                return false;
                        }
                        dst->pcrs[pcr] = src->pcrs[pcr];
                        merged->warn_only[m][pcr] = ref->warn_only[b][pcr];
                }
        }
        return true;
}

int cli_read_references(const char *const *paths, unsigned count,
                        const struct pcrsim_ref_options *opts, bool quiet,
                        struct pcrsim_reference *merged, json_t *sources)
{
        struct pcrsim_reference *ref = malloc(sizeof(*ref));
        /* The file that gave each merged PCR, for the conflict message. */
        const char **names = calloc(PCRSIM_MAX_ALGORITHMS * PCRSIM_PCR_COUNT, sizeof(*names));
        int exit_code = EXIT_OK;

        memset(merged, 0, sizeof(*merged));
        if (!ref || !names) {
                free(ref);
                free(names);
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        for (unsigned i = 0; i < count && !exit_code; i++) {
                const char *name = cli_input_name(paths[i]);
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_reference_read(paths[i], opts, ref, &err)) {
                        exit_code = cli_report(&err, name);
                        break;
                }
                cli_notef(quiet, "%s: %u value%s read as %s (%s)", name, ref->value_count,
                          ref->value_count == 1 ? "" : "s", pcrsim_ref_format_name(ref->format),
                          ref->format_detected ? "detected" : "as --expected-format names it");
                if (sources)
                        json_array_append_new(sources,
                                              json_pack("{s:s, s:s, s:b, s:i}", "file", name, "format",
                                                        pcrsim_ref_format_name(ref->format), "detected",
                                                        ref->format_detected, "values",
                                                        (json_int_t)ref->value_count));
                if (!merge(merged, ref, name, names)) {
                        exit_code = EXIT_INVALID;
                        break;
                }
                for (uint32_t m = 0; m < merged->set.bank_count; m++)
                        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                                if (merged->set.banks[m].pcrs[pcr].present &&
                                    !names[m * PCRSIM_PCR_COUNT + pcr])
                                        names[m * PCRSIM_PCR_COUNT + pcr] = name;
        }
        free(names);
        free(ref);
        return exit_code;
}
