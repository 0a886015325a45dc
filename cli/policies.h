/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_CLI_POLICIES_H
#define PCRSIM_CLI_POLICIES_H

#include <stddef.h>

#include "pcrsim/policy.h"

/*
 * Finds NAME.yaml for platform `name` and loads it into `out`. The folders
 * searched, in this order: `policy_dir` (--policy-dir, NULL when not
 * given), $PCRSIM_POLICY_DIR, the installed policies folder and the source
 * tree's policies/. The first folder that contains NAME.yaml is used, and
 * its path goes into `path`. A name that pcrsim_policy_name_valid()
 * rejects, a --policy-dir that is not a folder, an unknown platform (the
 * message lists the platforms of the first folder that exists) and an
 * invalid policy are errors with exit code 2. Prints errors and returns
 * an exit code.
 */
int cli_load_policy(const char *name, const char *policy_dir, struct pcrsim_policy *out,
                    char *path, size_t path_size);

/* Prints the policy folders that cli_load_policy() searches, one per
 * line and in order, for help text. */
void cli_print_policy_dirs(const char *policy_dir);

#endif
