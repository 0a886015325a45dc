/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_POLICY_H
#define PCRSIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"

/*
 * Platform PCR policies: for each PCR of one platform, what it measures,
 * whether its value is the same on every VM of an image, and what a
 * measurement config does with it. docs/policies.md describes the YAML
 * schema that policies/ files follow.
 */

enum pcrsim_pcr_stability {
        PCRSIM_STABLE_PER_IMAGE,
        PCRSIM_VARIES_PER_VM,
        PCRSIM_VARIES_PER_BOOT,
        PCRSIM_UNUSABLE,
        PCRSIM_UNUSED,
};

enum pcrsim_pcr_action {
        PCRSIM_ACTION_ENFORCE,
        PCRSIM_ACTION_WARN_ONLY,
        PCRSIM_ACTION_OMIT,
};

struct pcrsim_policy_source {
        char *id;
        char *kind;  /* documentation, measurement-list, recorded-log, source-code */
        char *title;
        char *where;
};

struct pcrsim_policy_pcr {
        char *meaning;
        char *reason;
        enum pcrsim_pcr_stability stability;
        enum pcrsim_pcr_action action;
        uint32_t depends_on; /* bit n: PCR n's variation reaches this PCR */
        bool confirmed;
        size_t source_count;
        size_t *sources;     /* indices into the policy's sources */
};

struct pcrsim_policy {
        char *platform; /* equals the file name without .yaml */
        char *title;
        char *description;
        uint32_t bank_count;
        uint16_t banks[PCRSIM_MAX_ALGORITHMS]; /* TPM_ALG_IDs a verifier reads */
        size_t source_count;
        struct pcrsim_policy_source *sources;
        struct pcrsim_policy_pcr pcrs[PCRSIM_PCR_COUNT]; /* all 24 are present */
};

/*
 * Reads and validates a policy: the keys of schema 1 and no others, every
 * PCR from 0 to 23 once, known enum values, `omit` on every PCR that is
 * not stable per image, source ids that exist, and `confirmed: false` on
 * every rule without sources. `expected_platform`, when not NULL, must
 * equal the `platform` key. Errors give the byte offset, line and column.
 */
enum pcrsim_error_code pcrsim_policy_parse(const void *data, size_t size,
                                           const char *expected_platform,
                                           struct pcrsim_policy *out, struct pcrsim_error *err);

/* Reads the policy file at `path`, at most PCRSIM_MAX_POLICY_SIZE bytes. */
enum pcrsim_error_code pcrsim_policy_load(const char *path, const char *expected_platform,
                                          struct pcrsim_policy *out, struct pcrsim_error *err);

void pcrsim_policy_free(struct pcrsim_policy *p);

/* Maximum length of a platform name that pcrsim_policy_name_valid() accepts. */
#define PCRSIM_MAX_POLICY_NAME 64u

/* Tells whether `name` can be a platform name: 1 to PCRSIM_MAX_POLICY_NAME
 * characters from a-z, 0-9 and '-'. Such a name is safe to use as a file
 * name, because it contains no '/' and is never "." or "..". */
bool pcrsim_policy_name_valid(const char *name);

/* Returns the schema word of a stability or an action, such as
 * "varies-per-vm" or "warn-only". */
const char *pcrsim_pcr_stability_name(enum pcrsim_pcr_stability s);
const char *pcrsim_pcr_action_name(enum pcrsim_pcr_action a);

#endif
