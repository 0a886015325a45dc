/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_CLI_REPLAY_H
#define PCRSIM_CLI_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "pcrsim/format.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/replay.h"

/* Shared by the replay subcommand's files. */

enum output_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_YAML, FORMAT_GO };
enum report_format { REPORT_NONE, REPORT_JSON, REPORT_YAML };

struct replay_options {
        const char *bank; /* NULL: the default bank */
        uint32_t pcr_mask;
        bool pcrs_given;
        enum output_format format;
        enum report_format report;
        const char *output;
        bool partial;
        bool quiet;
        const char *go_package;
        const char *go_var;
        const char *input;  /* firmware event log, NULL with --ima alone */
        const char *name;   /* the event log's name in messages */
        const char *ima;    /* IMA list, or NULL */
        const char *ima_name;
        struct pcrsim_ima_options ima_opts;
        enum pcrsim_ima_extend_rule ima_rule;
        /* IMA PCR values read from a TPM (--ima-expected), or none. */
        struct pcrsim_pcr_set *ima_expected;
};

/*
 * Replays the IMA list of `opt` and merges its PCRs into `replay`: after
 * the firmware log's replay, or into empty banks when there is no firmware
 * log. Returns an exit code.
 */
int replay_ima_list(const struct replay_options *opt, struct pcrsim_replay *replay,
                    bool have_firmware, struct pcrsim_ima_replay *ima);

/* Events of a log for one PCR: their count and the last of them. */
struct pcr_events {
        uint32_t count;
        uint64_t last_index;
        uint32_t last_type;
};

/*
 * Replays the event log `input` ("-" for standard input) and then, when
 * `ima_path` is not NULL, the IMA list into its banks. With `events`, an
 * array of 24, also notes each PCR's events (only from a file, which can
 * be read twice). Prints errors and returns an exit code.
 */
int replay_log_and_ima(const char *input, const char *ima_path, bool quiet,
                       struct pcrsim_replay *replay, struct pcrsim_ima_replay *ima,
                       struct pcr_events *events);

/* Prints the IMA verdicts as notes on standard error. */
void print_ima_notes(const struct pcrsim_ima_replay *ima, const struct replay_options *opt);

/* Appends the IMA verdicts to the text output. */
void append_ima_text(const struct pcrsim_ima_replay *ima, const struct replay_options *opt,
                     struct pcrsim_strbuf *sb);

/* Returns EXIT_DIFFERENCE when an expected IMA PCR value matches no prefix
 * of the list, else EXIT_OK. */
int ima_expectation_exit_code(const struct pcrsim_ima_replay *ima,
                              const struct pcrsim_pcr_set *expected);

/*
 * Writes the --report document: the values of `set` and every verdict of
 * the firmware replay and, if not NULL, of the IMA replay. Returns an exit
 * code.
 */
int write_report(const struct replay_options *opt, const struct pcrsim_replay *replay,
                 const struct pcrsim_ima_replay *ima, const struct pcrsim_pcr_set *set,
                 struct pcrsim_strbuf *sb);

#endif
