/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <openssl/evp.h>

#include "pcrsim/alg.h"
#include "pcrsim/pcrs.h"
#include "sim/hash.h"

void pcrsim_pcr_reset_value(uint32_t pcr, uint8_t *value, uint16_t size)
{
        memset(value, pcr >= 17 && pcr <= 22 ? 0xff : 0x00, size);
}

EVP_MD *pcrsim_hash_fetch(uint16_t alg)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(alg);
        EVP_MD *md;

        if (!info || !info->openssl_name)
                return NULL;
        md = EVP_MD_fetch(NULL, info->openssl_name, NULL);
        if (md && EVP_MD_get_size(md) != info->digest_size) {
                EVP_MD_free(md);
                return NULL;
        }
        return md;
}

enum pcrsim_error_code pcrsim_hash_extend(EVP_MD *md, uint8_t *value,
                                          const uint8_t *digest,
                                          struct pcrsim_error *err)
{
        int size = EVP_MD_get_size(md);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned int out_len = 0;
        int ok;

        if (!ctx)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate a hash context");
        ok = size > 0 && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
             EVP_DigestUpdate(ctx, value, (size_t)size) == 1 &&
             EVP_DigestUpdate(ctx, digest, (size_t)size) == 1 &&
             EVP_DigestFinal_ex(ctx, value, &out_len) == 1 &&
             out_len == (unsigned int)size;
        EVP_MD_CTX_free(ctx);
        if (!ok)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL failed to compute %s", EVP_MD_get0_name(md));
        return PCRSIM_OK;
}

bool pcrsim_alg_available(uint16_t alg)
{
        EVP_MD *md = pcrsim_hash_fetch(alg);

        EVP_MD_free(md);
        return md != NULL;
}

enum pcrsim_error_code pcrsim_pcr_extend(uint16_t alg, uint8_t *value,
                                         const uint8_t *digest,
                                         struct pcrsim_error *err)
{
        EVP_MD *md = pcrsim_hash_fetch(alg);
        enum pcrsim_error_code rc;
        char name[24];

        if (!md) {
                pcrsim_alg_name(alg, name, sizeof(name));
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL does not provide %s", name);
        }
        rc = pcrsim_hash_extend(md, value, digest, err);
        EVP_MD_free(md);
        return rc;
}

enum pcrsim_error_code pcrsim_hasher_init(struct pcrsim_hasher *h, uint16_t alg,
                                          struct pcrsim_error *err)
{
        memset(h, 0, sizeof(*h));
        h->md = pcrsim_hash_fetch(alg);
        if (!h->md)
                return PCRSIM_OK;
        h->size = (uint16_t)EVP_MD_get_size(h->md);
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx) {
                EVP_MD_free(h->md);
                h->md = NULL;
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate a hash context");
        }
        return PCRSIM_OK;
}

void pcrsim_hasher_free(struct pcrsim_hasher *h)
{
        EVP_MD_CTX_free(h->ctx);
        EVP_MD_free(h->md);
        memset(h, 0, sizeof(*h));
}

static enum pcrsim_error_code hash_failed(struct pcrsim_hasher *h, struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                "OpenSSL failed to compute %s", EVP_MD_get0_name(h->md));
}

enum pcrsim_error_code pcrsim_hasher_digest(struct pcrsim_hasher *h, const void *data,
                                            size_t size, uint8_t *out,
                                            struct pcrsim_error *err)
{
        unsigned int len = 0;

        if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
            EVP_DigestUpdate(h->ctx, data, size) != 1 ||
            EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != h->size)
                return hash_failed(h, err);
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_hasher_extend(struct pcrsim_hasher *h, uint8_t *value,
                                            const uint8_t *digest,
                                            struct pcrsim_error *err)
{
        unsigned int len = 0;

        if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
            EVP_DigestUpdate(h->ctx, value, h->size) != 1 ||
            EVP_DigestUpdate(h->ctx, digest, h->size) != 1 ||
            EVP_DigestFinal_ex(h->ctx, value, &len) != 1 || len != h->size)
                return hash_failed(h, err);
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_hasher_concat(struct pcrsim_hasher *h,
                                            const uint8_t (*values)[PCRSIM_MAX_DIGEST_SIZE],
                                            uint32_t count, uint8_t *out,
                                            struct pcrsim_error *err)
{
        unsigned int len = 0;

        if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1)
                return hash_failed(h, err);
        for (uint32_t i = 0; i < count; i++)
                if (EVP_DigestUpdate(h->ctx, values[i], h->size) != 1)
                        return hash_failed(h, err);
        if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != h->size)
                return hash_failed(h, err);
        return PCRSIM_OK;
}
