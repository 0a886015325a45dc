/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logbuilder.h"

void lb_init(struct lb *b)
{
        memset(b, 0, sizeof(*b));
}

void lb_free(struct lb *b)
{
        free(b->data);
        lb_init(b);
}

void lb_bytes(struct lb *b, const void *p, size_t n)
{
        if (b->cap - b->len < n) {
                size_t cap = b->cap ? b->cap : 256;

                while (cap - b->len < n)
                        cap *= 2;
                b->data = realloc(b->data, cap);
                if (!b->data) {
                        fprintf(stderr, "logbuilder: out of memory\n");
                        abort();
                }
                b->cap = cap;
        }
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
}

void lb_fill(struct lb *b, uint8_t byte, size_t n)
{
        for (size_t i = 0; i < n; i++)
                lb_bytes(b, &byte, 1);
}

void lb_u8(struct lb *b, uint8_t v)
{
        lb_bytes(b, &v, 1);
}

void lb_u16(struct lb *b, uint16_t v)
{
        uint8_t p[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

        lb_bytes(b, p, 2);
}

void lb_u32(struct lb *b, uint32_t v)
{
        uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                         (uint8_t)(v >> 24) };

        lb_bytes(b, p, 4);
}

void lb_put_u32(struct lb *b, size_t offset, uint32_t v)
{
        b->data[offset] = (uint8_t)v;
        b->data[offset + 1] = (uint8_t)(v >> 8);
        b->data[offset + 2] = (uint8_t)(v >> 16);
        b->data[offset + 3] = (uint8_t)(v >> 24);
}

void lb_specid(struct lb *b, const uint16_t *algs, const uint16_t *sizes,
               uint32_t count, uint8_t uintn_size, uint8_t vendor_size)
{
        uint32_t data_size = 16 + 4 + 4 + 4 + 4 * count + 1 + vendor_size;

        lb_u32(b, 0);          /* PCR index */
        lb_u32(b, 3);          /* EV_NO_ACTION */
        lb_fill(b, 0, 20);     /* SHA-1 digest */
        lb_u32(b, data_size);
        lb_bytes(b, "Spec ID Event03", 16);
        lb_u32(b, 0);          /* platform class */
        lb_u8(b, 0);           /* spec version minor */
        lb_u8(b, 2);           /* spec version major */
        lb_u8(b, 2);           /* errata */
        lb_u8(b, uintn_size);
        lb_u32(b, count);
        for (uint32_t i = 0; i < count; i++) {
                lb_u16(b, algs[i]);
                lb_u16(b, sizes[i]);
        }
        lb_u8(b, vendor_size);
        lb_fill(b, 0xAB, vendor_size);
}

void lb_sha1_record(struct lb *b, uint32_t pcr, uint32_t type,
                    const uint8_t digest[20], const void *data, uint32_t size)
{
        lb_u32(b, pcr);
        lb_u32(b, type);
        lb_bytes(b, digest, 20);
        lb_u32(b, size);
        lb_bytes(b, data, size);
}

void lb_agile_record(struct lb *b, uint32_t pcr, uint32_t type,
                     const struct lb_digest *digests, uint32_t count,
                     const void *data, uint32_t size)
{
        lb_u32(b, pcr);
        lb_u32(b, type);
        lb_u32(b, count);
        for (uint32_t i = 0; i < count; i++) {
                lb_u16(b, digests[i].alg);
                lb_bytes(b, digests[i].bytes, digests[i].size);
        }
        lb_u32(b, size);
        lb_bytes(b, data, size);
}

struct lb_digest lb_digest_fill(uint16_t alg, uint16_t size, uint8_t byte)
{
        struct lb_digest d;

        memset(&d, 0, sizeof(d));
        d.alg = alg;
        d.size = size;
        memset(d.bytes, byte, size);
        return d;
}
