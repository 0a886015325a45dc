/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_SOURCE_H
#define PCRSIM_EVENTLOG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcrsim/error.h"
#include "pcrsim/reader.h"

/*
 * Internal to the readers: input bytes seen through a window, shared by
 * the TCG event log and IMA list walkers. A memory source's window is the
 * whole buffer. A file source reads the file sequentially and keeps the
 * bytes from the current record on, growing the window only up to
 * `max_window`, so memory does not grow with the number of records.
 */
struct pcrsim_source {
        FILE *file;         /* NULL for a memory source */
        uint8_t *buf;       /* file window storage */
        size_t buf_cap;
        size_t max_window;
        const uint8_t *win; /* bytes [win_offset, win_offset + win_len) */
        size_t win_len;
        uint64_t win_offset;
        bool eof;           /* nothing follows the window */
        uint64_t pos;       /* input offset of the current record */
};

/* Bytes read from a file at a time, and the first window size. */
#define PCRSIM_SOURCE_CHUNK 65536u

void pcrsim_source_init_memory(struct pcrsim_source *s, const void *data, size_t size);
void pcrsim_source_init_file(struct pcrsim_source *s, FILE *file, size_t max_window);
void pcrsim_source_release(struct pcrsim_source *s);

/* Number of window bytes from the current record on. */
static inline size_t pcrsim_source_available(const struct pcrsim_source *s)
{
        return s->win_len - (size_t)(s->pos - s->win_offset);
}

/* Pointer to the current record's first byte in the window, or NULL for
 * an empty window. */
static inline const uint8_t *pcrsim_source_peek(const struct pcrsim_source *s)
{
        return s->win ? s->win + (s->pos - s->win_offset) : NULL;
}

/* Tells whether more bytes may follow the window. */
static inline bool pcrsim_source_more(const struct pcrsim_source *s)
{
        return s->file && !s->eof;
}

/*
 * Makes the window hold at least `want` bytes from the current record on
 * (capped at max_window), or everything up to the end of the file. Bytes
 * before the current record are dropped first.
 */
enum pcrsim_error_code pcrsim_source_fill(struct pcrsim_source *s, size_t want,
                                          struct pcrsim_error *err);

/* Sets `r` to the window from the current record on, with input offsets. */
void pcrsim_source_reader(const struct pcrsim_source *s, struct pcrsim_reader *r);

#endif
