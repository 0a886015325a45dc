/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_CLI_REFERENCES_H
#define PCRSIM_CLI_REFERENCES_H

#include <stdbool.h>

#include "pcrsim/reference.h"

struct json_t;

/*
 * Reads the reference files `paths` and merges their values into
 * `merged`: a PCR that two files give must have the same value and
 * warnOnly flag in both. Notes each file's format on standard error and,
 * when `sources` is not NULL, appends a JSON object per file to it. Prints
 * errors and returns an exit code.
 */
int cli_read_references(const char *const *paths, unsigned count,
                        const struct pcrsim_ref_options *opts, bool quiet,
                        struct pcrsim_reference *merged, struct json_t *sources);

#endif
