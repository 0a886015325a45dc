/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_TEST_BOUNDARIES_H
#define PCRSIM_TEST_BOUNDARIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Field boundaries of event logs and IMA lists: the offsets where a field
 * of a record starts or a record ends, found by walking the whole input
 * with the library. The sweep tests cut and mutate inputs there, since
 * that is where a reader moves from one field to the next.
 */

struct tu_record_bounds {
        size_t start; /* first byte of the record */
        size_t end;   /* one past its last byte */
};

struct tu_bounds {
        size_t *at;   /* field boundaries, ascending, without duplicates */
        size_t count;
        struct tu_record_bounds *records; /* every record the walk returned */
        size_t record_count;
        /* Where the walk stopped: the input size, or the start of a
         * partial tail or zero padding. */
        size_t walked;
};

/*
 * Walks a TCG event log and collects the field boundaries of its first
 * `max_records` records, or of all records when it is 0. These are each
 * header field, each digest's algorithm and value, the event size and
 * data, the record end, the fields of a Spec ID event, and the start of
 * zero padding. Returns false when the whole log does not walk.
 */
bool tu_tcg_bounds(const uint8_t *data, size_t size, size_t max_records, struct tu_bounds *b);

/*
 * Walks a binary or ASCII IMA list and collects its field boundaries in
 * the same way. Binary entries: PCR, template
 * digest, name length, name, and for each template field its length and
 * data. ASCII entries: each column and, inside a column, the byte after
 * each ':'. A partial last entry counts as where the walk stopped.
 */
bool tu_ima_bounds(const uint8_t *data, size_t size, size_t max_records, struct tu_bounds *b);

void tu_bounds_free(struct tu_bounds *b);

#endif
