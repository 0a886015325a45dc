/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_CLI_H
#define PCRSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pcrsim/error.h"
#include "pcrsim/format.h"

/* Exit codes shared by every subcommand. */
enum {
        EXIT_OK = 0,
        EXIT_DIFFERENCE = 1, /* a comparison, verification or diff differs */
        EXIT_INVALID = 2,    /* usage error or invalid input */
        EXIT_SYSTEM = 3,     /* I/O or system error, out of memory */
};

/* Name the program prints in messages. */
#define PROGRAM_NAME "pcrsim"

/* Maps a library error code to the exit code above. */
int cli_exit_code(enum pcrsim_error_code code);

/* Prints "pcrsim: NAME: event N at offset 0x..: message" to stderr and
 * returns the exit code for the error. */
int cli_report(const struct pcrsim_error *err, const char *name);

/* Prints "pcrsim: message" to stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "pcrsim: note: message" to stderr unless notes are off. */
void cli_notef(bool quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "pcrsim: warning: message" to stderr. */
void cli_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parses a PCR list such as "0-7,9,14" and adds its PCRs to the bit mask
 * `*mask`. Returns false and prints an error on invalid syntax or range.
 */
bool cli_parse_pcr_list(const char *text, uint32_t *mask);

/* Returns "PCR" for a mask with one bit set, else "PCRs". */
const char *cli_pcr_word(uint32_t mask);

/* Returns the name of an input for messages: "standard input" for "-". */
const char *cli_input_name(const char *path);

/* Formats a PCR mask as "0-7,9" into `buf`. */
void cli_format_pcr_list(uint32_t mask, char *buf, size_t size);

/*
 * Writes `sb` to standard output, or to `path` by way of a temporary file
 * in the same directory that is renamed over `path` only once complete.
 * Returns an exit code.
 */
int cli_write_output(const struct pcrsim_strbuf *sb, const char *path);

/* Opens an input file, "-" meaning standard input. Returns NULL, prints
 * an error and sets `*exit_code` when it cannot, or when `path` is a
 * directory. */
FILE *cli_open_input(const char *path, int *exit_code);

/*
 * Checks the inputs of a command against each other and its output: "-"
 * (standard input) may appear once, and `output` may not be one of the
 * input files. NULL entries of `inputs` are skipped. Prints an error and
 * returns false when a check fails.
 */
bool cli_check_inputs(const char *output, const char *const *inputs, size_t count);

/* Parses a report format, text, json or yaml, into the two flags. Prints
 * an error and returns false for any other name. */
bool cli_parse_report_format(const char *name, bool *json, bool *yaml);

struct pcrsim_alg_info;

/* Returns the algorithm of a bank name such as "sha256", or prints an
 * error naming the banks and returns NULL. */
const struct pcrsim_alg_info *cli_parse_bank(const char *name);

/* Closes what cli_open_input() opened. */
void cli_close_input(FILE *f);

struct json_t;

/* Returns a digest of at most PCRSIM_MAX_DIGEST_SIZE bytes as a lower-case
 * hex JSON string. */
struct json_t *cli_digest_json(const uint8_t *bytes, size_t size);

/* Subcommands. Each returns an exit code. */
int cmd_replay(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_verify_quote(int argc, char **argv);
int cmd_check_vectors(int argc, char **argv);
int cmd_measurements(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_predict(int argc, char **argv);

#endif
