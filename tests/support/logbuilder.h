/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_LOGBUILDER_H
#define PCRSIM_LOGBUILDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writer of TCG event logs for tests, independent of the reader under
 * test: it lays out fields byte by byte as the TCG PC Client Platform
 * Firmware Profile defines them, little-endian. Allocation failure aborts
 * the test program.
 */
struct lb {
        uint8_t *data;
        size_t len;
        size_t cap;
};

struct lb_digest {
        uint16_t alg;
        uint16_t size;
        uint8_t bytes[64];
};

#define LB_SHA1 0x0004
#define LB_SHA256 0x000B
#define LB_SHA384 0x000C
#define LB_SHA512 0x000D

void lb_init(struct lb *b);
void lb_free(struct lb *b);

void lb_u8(struct lb *b, uint8_t v);
void lb_u16(struct lb *b, uint16_t v);
void lb_u32(struct lb *b, uint32_t v);
void lb_bytes(struct lb *b, const void *p, size_t n);
void lb_fill(struct lb *b, uint8_t byte, size_t n);

/* Overwrites a little-endian u32 at `offset` (which must be in range). */
void lb_put_u32(struct lb *b, size_t offset, uint32_t v);

/*
 * Appends the first record of a crypto-agile log: a SHA-1 format record
 * (PCR 0, EV_NO_ACTION, zero digest) whose data is a Spec ID event with
 * the given algorithms and digest sizes, uintnSize `uintn_size`, and
 * `vendor_size` bytes of vendor info (0xAB each).
 */
void lb_specid(struct lb *b, const uint16_t *algs, const uint16_t *sizes,
               uint32_t count, uint8_t uintn_size, uint8_t vendor_size);

/* Appends a TCG_PCClientPCREvent (SHA-1 format record). */
void lb_sha1_record(struct lb *b, uint32_t pcr, uint32_t type,
                    const uint8_t digest[20], const void *data, uint32_t size);

/* Appends a TCG_PCR_EVENT2 record with the given digests in that order. */
void lb_agile_record(struct lb *b, uint32_t pcr, uint32_t type,
                     const struct lb_digest *digests, uint32_t count,
                     const void *data, uint32_t size);

/* Returns a digest of `size` bytes, each `byte`. */
struct lb_digest lb_digest_fill(uint16_t alg, uint16_t size, uint8_t byte);

#endif
