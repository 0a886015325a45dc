/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "pcrsim/reader.h"

void pcrsim_reader_init(struct pcrsim_reader *r, const void *data, size_t len,
                        uint64_t base)
{
        r->data = data;
        r->len = data ? len : 0;
        r->pos = 0;
        r->base = base;
}

/* Current read pointer. An empty reader may have a NULL base, and NULL
 * plus zero is undefined behaviour in C, so it is kept apart. */
static const uint8_t *cursor(const struct pcrsim_reader *r)
{
        return r->data ? r->data + r->pos : NULL;
}

/* Checks in subtraction form so that a huge `n` cannot overflow. */
static enum pcrsim_error_code need(const struct pcrsim_reader *r, size_t n,
                                   const char *field, struct pcrsim_error *err)
{
        if (n <= r->len - r->pos)
                return PCRSIM_OK;
        return pcrsim_error_set(err, PCRSIM_ERR_TRUNCATED,
                                pcrsim_reader_offset(r), field,
                                "%s: needs %zu bytes but only %zu remain",
                                field ? field : "data", n, r->len - r->pos);
}

enum pcrsim_error_code pcrsim_reader_u8(struct pcrsim_reader *r, uint8_t *out,
                                        const char *field,
                                        struct pcrsim_error *err)
{
        if (need(r, 1, field, err))
                return PCRSIM_ERR_TRUNCATED;
        *out = r->data[r->pos];
        r->pos += 1;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_le16(struct pcrsim_reader *r,
                                          uint16_t *out, const char *field,
                                          struct pcrsim_error *err)
{
        const uint8_t *p;

        if (need(r, 2, field, err))
                return PCRSIM_ERR_TRUNCATED;
        p = r->data + r->pos;
        *out = (uint16_t)(p[0] | (p[1] << 8));
        r->pos += 2;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_le32(struct pcrsim_reader *r,
                                          uint32_t *out, const char *field,
                                          struct pcrsim_error *err)
{
        const uint8_t *p;

        if (need(r, 4, field, err))
                return PCRSIM_ERR_TRUNCATED;
        p = r->data + r->pos;
        *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
        r->pos += 4;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_le64(struct pcrsim_reader *r,
                                          uint64_t *out, const char *field,
                                          struct pcrsim_error *err)
{
        uint64_t v = 0;

        if (need(r, 8, field, err))
                return PCRSIM_ERR_TRUNCATED;
        for (int i = 7; i >= 0; i--)
                v = v << 8 | r->data[r->pos + (size_t)i];
        *out = v;
        r->pos += 8;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_bytes(struct pcrsim_reader *r, size_t n,
                                           const uint8_t **out,
                                           const char *field,
                                           struct pcrsim_error *err)
{
        if (need(r, n, field, err))
                return PCRSIM_ERR_TRUNCATED;
        *out = cursor(r);
        r->pos += n;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_copy(struct pcrsim_reader *r, void *dst,
                                          size_t n, const char *field,
                                          struct pcrsim_error *err)
{
        if (need(r, n, field, err))
                return PCRSIM_ERR_TRUNCATED;
        if (n)
                memcpy(dst, r->data + r->pos, n);
        r->pos += n;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_skip(struct pcrsim_reader *r, size_t n,
                                          const char *field,
                                          struct pcrsim_error *err)
{
        if (need(r, n, field, err))
                return PCRSIM_ERR_TRUNCATED;
        r->pos += n;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_reader_sub(struct pcrsim_reader *r, size_t n,
                                         struct pcrsim_reader *sub,
                                         const char *field,
                                         struct pcrsim_error *err)
{
        if (need(r, n, field, err))
                return PCRSIM_ERR_TRUNCATED;
        pcrsim_reader_init(sub, cursor(r), n, pcrsim_reader_offset(r));
        r->pos += n;
        return PCRSIM_OK;
}
