/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_CLI_BOOTS_H
#define PCRSIM_CLI_BOOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "pcrsim/diff.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/pcrs.h"
#include "pcrsim/replay.h"

/*
 * One boot for diff and explain: an event log file, or a vector folder
 * whose MANIFEST.yaml names its TCG event log, its IMA list and the PCR
 * values the TPM reported.
 */
struct boot {
        const char *arg;      /* as given on the command line */
        char *tcg_path;
        char *ima_path;       /* NULL without an IMA list */
        bool has_recorded;    /* the manifest gives expected values */
        struct pcrsim_pcr_set recorded;
        struct pcrsim_replay *replay;  /* firmware log, then the IMA list */
        struct pcrsim_ima_replay *ima; /* NULL without an IMA list */
        struct pcrsim_measurement_list events;   /* TCG records */
        struct pcrsim_measurement_list entries;  /* IMA entries */
};

/*
 * Resolves `arg` (a file, or a folder with a MANIFEST.yaml) with the IMA
 * list `ima` (NULL: the folder's, if any), replays it, and reads its
 * measurements with the digests of `bank` (0: the default bank, sha256 if
 * the log has it). Prints errors and returns an exit code.
 */
int boot_load(struct boot *b, const char *arg, const char *ima, uint16_t *bank, bool quiet);

void boot_free(struct boot *b);

/* Returns the replayed value of `pcr` in `bank`, or NULL when the bank is
 * absent or the PCR cannot be replayed in it. */
const uint8_t *boot_value(const struct boot *b, uint16_t bank, uint32_t pcr);

/* Tells whether any TCG record or IMA entry of `b` extends `pcr`. */
bool boot_covers(const struct boot *b, uint32_t pcr);

/*
 * Returns the PCRs that the boot_aggregate of `b`'s IMA list covers: 0-7
 * or 0-9, whichever the list's boot_aggregate matches, and 0-9 when it
 * matches neither (Linux 5.8 and later hash 0-9 for non-SHA-1 banks).
 */
uint32_t boot_aggregate_pcrs(const struct boot *b);

/* Tells whether `b` has an IMA list whose boot_aggregate matches neither
 * PCRs 0-7 nor 0-9 of its event log, so the list belongs to another boot. */
bool boot_ima_mismatch(const struct boot *b);

/* Reads a whole file of at most PCRSIM_MAX_TCG_LOG_SIZE bytes. Prints
 * errors and returns an exit code. */
int boot_read_file(const char *path, uint8_t **data, size_t *size);

/* Returns a one-line description of a measurement, such as
 * "EV_EFI_PLATFORM_FIRMWARE_BLOB base 0x820000 length 0xe0000" or
 * "ima-ng /usr/bin/true". The caller frees it. */
char *measurement_summary(const struct pcrsim_measurement *m);

#endif
