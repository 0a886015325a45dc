/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_READER_H
#define PCRSIM_READER_H

#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"

/*
 * Bounded view over untrusted bytes. Every binary parser in pcrsim reads
 * through it. `base` is the input offset of data[0], so that errors name
 * offsets from the start of the file even inside sub-readers.
 *
 * Each read checks the remaining length first. A failed read leaves the
 * position and the output untouched and fills `err` with
 * PCRSIM_ERR_TRUNCATED, the offset of the field and the field's name.
 * The reader never owns its bytes.
 */
struct pcrsim_reader {
        const uint8_t *data;
        size_t len;
        size_t pos;
        uint64_t base;
};

void pcrsim_reader_init(struct pcrsim_reader *r, const void *data, size_t len,
                        uint64_t base);

static inline size_t pcrsim_reader_remaining(const struct pcrsim_reader *r)
{
        return r->len - r->pos;
}

/* Input offset of the next byte to be read. */
static inline uint64_t pcrsim_reader_offset(const struct pcrsim_reader *r)
{
        return r->base + r->pos;
}

enum pcrsim_error_code pcrsim_reader_u8(struct pcrsim_reader *r, uint8_t *out,
                                        const char *field,
                                        struct pcrsim_error *err);
enum pcrsim_error_code pcrsim_reader_le16(struct pcrsim_reader *r,
                                          uint16_t *out, const char *field,
                                          struct pcrsim_error *err);
enum pcrsim_error_code pcrsim_reader_le32(struct pcrsim_reader *r,
                                          uint32_t *out, const char *field,
                                          struct pcrsim_error *err);
enum pcrsim_error_code pcrsim_reader_le64(struct pcrsim_reader *r,
                                          uint64_t *out, const char *field,
                                          struct pcrsim_error *err);

/* Sets `*out` to a borrowed pointer to the next `n` bytes and skips them. */
enum pcrsim_error_code pcrsim_reader_bytes(struct pcrsim_reader *r, size_t n,
                                           const uint8_t **out,
                                           const char *field,
                                           struct pcrsim_error *err);

/* Copies the next `n` bytes into `dst`. */
enum pcrsim_error_code pcrsim_reader_copy(struct pcrsim_reader *r, void *dst,
                                          size_t n, const char *field,
                                          struct pcrsim_error *err);

enum pcrsim_error_code pcrsim_reader_skip(struct pcrsim_reader *r, size_t n,
                                          const char *field,
                                          struct pcrsim_error *err);

/*
 * Splits the next `n` bytes off into `sub` (which keeps input offsets) and
 * skips them in `r`. Used for nested lengths: a structure is parsed inside
 * its sub-reader, then the caller checks that nothing is left over.
 */
enum pcrsim_error_code pcrsim_reader_sub(struct pcrsim_reader *r, size_t n,
                                         struct pcrsim_reader *sub,
                                         const char *field,
                                         struct pcrsim_error *err);

#endif
