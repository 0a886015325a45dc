/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 quotes: the TPMS_ATTEST and TPMT_SIGNATURE readers, the PCR
 * digest, and the checks that pcrsim_quote_verify() runs. TPM2_Quote puts
 * in attested.quote.pcrDigest the hash of the selected PCR values, taken
 * with the hash algorithm of the signing scheme, so the digest check
 * uses the hash named in the signature.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pcrsim/alg.h"
#include "pcrsim/quote.h"
#include "sim/hash.h"
#include "sim/quote_internal.h"

_Static_assert(PCRSIM_MAX_PCR_SELECTIONS == TPM2_NUM_PCR_BANKS,
               "a TPML_PCR_SELECTION must fit in struct pcrsim_quote_selection");
_Static_assert(PCRSIM_MAX_DIGEST_SIZE == sizeof(TPMU_HA),
               "a TPM2B_DIGEST must fit in a PCR value");

/* TPMS_ATTEST: magic (4 bytes), then type (2 bytes). */
#define ATTEST_TYPE_OFFSET 4u

static const struct {
        uint16_t type;
        const char *name;
} attest_types[] = {
        { 0x8014, "TPM_ST_ATTEST_NV" },
        { 0x8015, "TPM_ST_ATTEST_COMMAND_AUDIT" },
        { 0x8016, "TPM_ST_ATTEST_SESSION_AUDIT" },
        { 0x8017, "TPM_ST_ATTEST_CERTIFY" },
        { 0x8018, "TPM_ST_ATTEST_QUOTE" },
        { 0x8019, "TPM_ST_ATTEST_TIME" },
        { 0x801a, "TPM_ST_ATTEST_CREATION" },
        { 0x801c, "TPM_ST_ATTEST_NV_DIGEST" },
};

static const struct {
        uint16_t alg;
        const char *name;
} sig_algs[] = {
        { TPM2_ALG_RSASSA, "rsassa" },
        { TPM2_ALG_RSAPSS, "rsapss" },
        { TPM2_ALG_ECDSA, "ecdsa" },
        { TPM2_ALG_ECDAA, "ecdaa" },
        { TPM2_ALG_SM2, "sm2" },
        { TPM2_ALG_ECSCHNORR, "ecschnorr" },
        { TPM2_ALG_HMAC, "hmac" },
        { TPM2_ALG_NULL, "null" },
};

enum pcrsim_error_code pcrsim_quote_mu_failed(TSS2_RC rc, const char *structure,
                                              const char *field, size_t offset,
                                              struct pcrsim_error *err)
{
        if ((rc & 0xffffu) == TSS2_BASE_RC_INSUFFICIENT_BUFFER)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, field,
                                        "%s ends inside %s", structure, field);
        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, field,
                                "%s has an invalid %s (libtss2-mu error 0x%08" PRIx32 ")",
                                structure, field, (uint32_t)rc);
}

/* libtss2-mu moves `offset` only on success, so on failure it is still
 * the offset of the field that failed. */
static enum pcrsim_error_code attest_step(TSS2_RC rc, const char *field, size_t offset,
                                          struct pcrsim_error *err)
{
        if (rc == TSS2_RC_SUCCESS)
                return PCRSIM_OK;
        return pcrsim_quote_mu_failed(rc, "TPMS_ATTEST", field, offset, err);
}

static enum pcrsim_error_code parse_attest_header(const uint8_t *data, size_t size,
                                                  size_t *off, TPMS_ATTEST *a,
                                                  struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;

        rc = attest_step(Tss2_MU_UINT32_Unmarshal(data, size, off, &a->magic), "magic",
                         *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_TPM2_ST_Unmarshal(data, size, off, &a->type), "type",
                                 *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_TPM2B_NAME_Unmarshal(data, size, off,
                                                              &a->qualifiedSigner),
                                 "qualifiedSigner", *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_TPM2B_DATA_Unmarshal(data, size, off, &a->extraData),
                                 "extraData", *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_TPMS_CLOCK_INFO_Unmarshal(data, size, off,
                                                                   &a->clockInfo),
                                 "clockInfo", *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_UINT64_Unmarshal(data, size, off, &a->firmwareVersion),
                                 "firmwareVersion", *off, err);
        return rc;
}

static enum pcrsim_error_code parse_quote_info(const uint8_t *data, size_t size, size_t *off,
                                               struct pcrsim_quote_attest *a,
                                               struct pcrsim_error *err)
{
        TPMS_QUOTE_INFO *quote = &a->attest.attested.quote;
        enum pcrsim_error_code rc;

        a->pcr_select_offset = *off;
        rc = attest_step(Tss2_MU_TPML_PCR_SELECTION_Unmarshal(data, size, off, &quote->pcrSelect),
                         "pcrSelect", *off, err);
        if (!rc)
                rc = attest_step(Tss2_MU_TPM2B_DIGEST_Unmarshal(data, size, off,
                                                                &quote->pcrDigest),
                                 "pcrDigest", *off, err);
        if (rc)
                return rc;
        if (*off != size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, *off, "trailing data",
                                        "%zu bytes follow the end of the TPMS_ATTEST",
                                        size - *off);
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_quote_attest_parse(const void *data, size_t size,
                                                 struct pcrsim_quote_attest **out,
                                                 struct pcrsim_error *err)
{
        struct pcrsim_quote_attest *a;
        enum pcrsim_error_code rc;
        size_t off = 0;

        *out = NULL;
        if (size > PCRSIM_MAX_QUOTE_ATTEST_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                        "the TPMS_ATTEST is %zu bytes, more than the maximum of %u",
                                        size, PCRSIM_MAX_QUOTE_ATTEST_SIZE);
        a = calloc(1, sizeof(*a));
        if (!a)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate a quote");
        rc = parse_attest_header(data, size, &off, &a->attest, err);
        if (!rc && a->attest.type == TPM2_ST_ATTEST_QUOTE) {
                a->is_quote = true;
                rc = parse_quote_info(data, size, &off, a, err);
        }
        if (rc) {
                free(a);
                return rc;
        }
        a->bytes = malloc(size);
        if (!a->bytes) {
                free(a);
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate %zu bytes for a quote", size);
        }
        memcpy(a->bytes, data, size);
        a->size = size;
        *out = a;
        return PCRSIM_OK;
}

void pcrsim_quote_attest_free(struct pcrsim_quote_attest *attest)
{
        if (!attest)
                return;
        free(attest->bytes);
        free(attest);
}

void pcrsim_quote_attest_get_info(const struct pcrsim_quote_attest *attest,
                                  struct pcrsim_quote_attest_info *info)
{
        const TPMS_ATTEST *a = &attest->attest;

        memset(info, 0, sizeof(*info));
        info->magic = a->magic;
        info->type = a->type;
        info->qualified_signer = a->qualifiedSigner.name;
        info->qualified_signer_size = a->qualifiedSigner.size;
        info->extra_data = a->extraData.buffer;
        info->extra_data_size = a->extraData.size;
        info->clock = a->clockInfo.clock;
        info->reset_count = a->clockInfo.resetCount;
        info->restart_count = a->clockInfo.restartCount;
        info->safe = a->clockInfo.safe != 0;
        info->firmware_version = a->firmwareVersion;
        info->is_quote = attest->is_quote;
        if (attest->is_quote) {
                info->pcr_digest = a->attested.quote.pcrDigest.buffer;
                info->pcr_digest_size = a->attested.quote.pcrDigest.size;
        }
        info->size = attest->size;
}

enum pcrsim_error_code pcrsim_quote_bank_from_bitmap(uint16_t alg, const uint8_t *bitmap,
                                                     uint8_t bitmap_size,
                                                     struct pcrsim_quote_bank_selection *bank,
                                                     uint64_t offset,
                                                     struct pcrsim_error *err)
{
        char name[24];

        memset(bank, 0, sizeof(*bank));
        bank->alg = alg;
        for (uint32_t pcr = 0; pcr < bitmap_size * 8u; pcr++) {
                if (!(bitmap[pcr / 8] & (1u << (pcr % 8))))
                        continue;
                if (pcr >= PCRSIM_PCR_COUNT) {
                        pcrsim_alg_name(alg, name, sizeof(name));
                        return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, offset, "pcrSelect",
                                                "the selection contains %s PCR %" PRIu32
                                                ", but pcrsim models only PCRs 0-23",
                                                name, pcr);
                }
                bank->pcrs[bank->pcr_count++] = (uint8_t)pcr;
        }
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_quote_attest_selection(const struct pcrsim_quote_attest *attest,
                                                     struct pcrsim_quote_selection *sel,
                                                     struct pcrsim_error *err)
{
        const TPML_PCR_SELECTION *in = &attest->attest.attested.quote.pcrSelect;
        uint64_t offset = attest->pcr_select_offset + 4; /* after the count */
        enum pcrsim_error_code rc;

        memset(sel, 0, sizeof(*sel));
        if (!attest->is_quote)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, ATTEST_TYPE_OFFSET, "type",
                                        "the attestation has type 0x%04x, not "
                                        "TPM_ST_ATTEST_QUOTE, so it has no PCR selection",
                                        attest->attest.type);
        if (in->count > sizeof(sel->banks) / sizeof(sel->banks[0]))
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, attest->pcr_select_offset,
                                        "pcrSelect", "libtss2-mu accepted %" PRIu32
                                        " PCR selections", in->count);
        for (uint32_t i = 0; i < in->count; i++) {
                const TPMS_PCR_SELECTION *s = &in->pcrSelections[i];

                rc = pcrsim_quote_bank_from_bitmap(s->hash, s->pcrSelect, s->sizeofSelect,
                                                   &sel->banks[i], offset, err);
                if (rc)
                        return rc;
                offset += 3u + s->sizeofSelect; /* hash, sizeofSelect, bitmap */
        }
        sel->count = in->count;
        return PCRSIM_OK;
}

static const struct pcrsim_pcr_bank *find_bank(const struct pcrsim_pcr_set *pcrs, uint16_t alg)
{
        uint32_t count = pcrs->bank_count;

        if (count > sizeof(pcrs->banks) / sizeof(pcrs->banks[0]))
                count = sizeof(pcrs->banks) / sizeof(pcrs->banks[0]);
        for (uint32_t i = 0; i < count; i++)
                if (pcrs->banks[i].alg == alg)
                        return &pcrs->banks[i];
        return NULL;
}

/* Adds the values of one selection to the hash in `ctx`. */
static enum pcrsim_error_code hash_selected_values(EVP_MD_CTX *ctx,
                                                   const struct pcrsim_quote_bank_selection *sel,
                                                   const struct pcrsim_pcr_set *pcrs,
                                                   struct pcrsim_error *err)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(sel->alg);
        const struct pcrsim_pcr_bank *bank;
        char name[24];

        pcrsim_alg_name(sel->alg, name, sizeof(name));
        if (sel->pcr_count == 0)
                return PCRSIM_OK;
        if (sel->pcr_count > PCRSIM_PCR_COUNT)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the %s selection has %" PRIu32 " PCRs, more than %u",
                                        name, sel->pcr_count, PCRSIM_PCR_COUNT);
        if (!info)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the selection contains bank %s, which pcrsim does "
                                        "not know", name);
        bank = find_bank(pcrs, sel->alg);
        if (!bank)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "%s PCR %u is selected, but the PCR values have no %s bank",
                                        name, sel->pcrs[0], name);
        if (bank->size != info->digest_size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the %s bank of the PCR values has %u-byte values, not %u",
                                        name, bank->size, info->digest_size);
        for (uint32_t i = 0; i < sel->pcr_count; i++) {
                uint8_t pcr = sel->pcrs[i];

                if (pcr >= sizeof(bank->pcrs) / sizeof(bank->pcrs[0]))
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                "the %s selection contains PCR %u, above 23",
                                                name, pcr);
                if (!bank->pcrs[pcr].present)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                "%s PCR %u is selected, but the PCR values lack it",
                                                name, pcr);
                if (EVP_DigestUpdate(ctx, bank->pcrs[pcr].digest, bank->size) != 1)
                        return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET,
                                                NULL, "OpenSSL failed to hash PCR values");
        }
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_quote_pcr_digest(const struct pcrsim_quote_selection *sel,
                                               uint16_t hash_alg,
                                               const struct pcrsim_pcr_set *pcrs,
                                               uint8_t *digest, uint16_t *digest_size,
                                               struct pcrsim_error *err)
{
        EVP_MD *md = pcrsim_hash_fetch(hash_alg);
        EVP_MD_CTX *ctx = NULL;
        enum pcrsim_error_code rc = PCRSIM_OK;
        unsigned int len = 0;
        char name[24];

        pcrsim_alg_name(hash_alg, name, sizeof(name));
        if (!md)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL does not provide the hash %s", name);
        if (sel->count > sizeof(sel->banks) / sizeof(sel->banks[0])) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                      "the selection has %" PRIu32 " banks, more than %u",
                                      sel->count, PCRSIM_MAX_PCR_SELECTIONS);
                goto out;
        }
        ctx = EVP_MD_CTX_new();
        if (!ctx) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                      "cannot allocate a hash context");
                goto out;
        }
        if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                      "OpenSSL failed to start a %s hash", name);
                goto out;
        }
        for (uint32_t i = 0; i < sel->count && !rc; i++)
                rc = hash_selected_values(ctx, &sel->banks[i], pcrs, err);
        if (rc)
                goto out;
        if (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len > PCRSIM_MAX_DIGEST_SIZE) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                      "OpenSSL failed to compute %s", name);
                goto out;
        }
        *digest_size = (uint16_t)len;
out:
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
        return rc;
}

static enum pcrsim_error_code signature_step(TSS2_RC rc, const char *field, size_t offset,
                                             struct pcrsim_error *err)
{
        if (rc == TSS2_RC_SUCCESS)
                return PCRSIM_OK;
        return pcrsim_quote_mu_failed(rc, "TPMT_SIGNATURE", field, offset, err);
}

/* Finds the field of a TPMT_SIGNATURE that libtss2-mu rejects: sigAlg,
 * then for the RSA and ECC schemes the hash and the signature values, and
 * for HMAC the TPMU_SIGNATURE as a whole. */
static enum pcrsim_error_code locate_signature_failure(const uint8_t *data, size_t size,
                                                       TSS2_RC rc, struct pcrsim_error *err)
{
        TPMT_SIGNATURE sig;
        TPMS_SIGNATURE_ECC *ecc = &sig.signature.ecdsa;
        enum pcrsim_error_code step;
        size_t off = 0;

        step = signature_step(Tss2_MU_UINT16_Unmarshal(data, size, &off, &sig.sigAlg), "sigAlg",
                              off, err);
        if (step)
                return step;
        switch (sig.sigAlg) {
        case TPM2_ALG_RSASSA:
        case TPM2_ALG_RSAPSS:
                step = signature_step(Tss2_MU_TPMI_ALG_HASH_Unmarshal(data, size, &off,
                                                                      &sig.signature.rsassa.hash),
                                      "hash", off, err);
                if (!step)
                        step = signature_step(Tss2_MU_TPM2B_PUBLIC_KEY_RSA_Unmarshal(
                                                      data, size, &off, &sig.signature.rsassa.sig),
                                              "sig", off, err);
                break;
        case TPM2_ALG_ECDSA:
        case TPM2_ALG_ECDAA:
        case TPM2_ALG_SM2:
        case TPM2_ALG_ECSCHNORR:
                step = signature_step(Tss2_MU_TPMI_ALG_HASH_Unmarshal(data, size, &off, &ecc->hash),
                                      "hash", off, err);
                if (!step)
                        step = signature_step(Tss2_MU_TPM2B_ECC_PARAMETER_Unmarshal(
                                                      data, size, &off, &ecc->signatureR),
                                              "signatureR", off, err);
                if (!step)
                        step = signature_step(Tss2_MU_TPM2B_ECC_PARAMETER_Unmarshal(
                                                      data, size, &off, &ecc->signatureS),
                                              "signatureS", off, err);
                break;
        case TPM2_ALG_HMAC:
        case TPM2_ALG_NULL:
                step = signature_step(Tss2_MU_TPMU_SIGNATURE_Unmarshal(data, size, &off,
                                                                       sig.sigAlg,
                                                                       &sig.signature),
                                      "signature", off, err);
                break;
        default:
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "sigAlg",
                                        "TPMT_SIGNATURE has sigAlg 0x%04x, which is not a "
                                        "signature scheme", sig.sigAlg);
        }
        if (step)
                return step;
        return pcrsim_quote_mu_failed(rc, "TPMT_SIGNATURE", "sigAlg", 0, err);
}

enum pcrsim_error_code pcrsim_quote_signature_parse(const void *data, size_t size,
                                                    struct pcrsim_quote_signature **out,
                                                    struct pcrsim_error *err)
{
        struct pcrsim_quote_signature *s;
        size_t off = 0;
        TSS2_RC rc;

        *out = NULL;
        if (size > PCRSIM_MAX_QUOTE_SIGNATURE_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                        "the TPMT_SIGNATURE is %zu bytes, more than the "
                                        "maximum of %u", size, PCRSIM_MAX_QUOTE_SIGNATURE_SIZE);
        s = calloc(1, sizeof(*s));
        if (!s)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate a signature");
        rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(data, size, &off, &s->sig);
        if (rc) {
                free(s);
                return locate_signature_failure(data, size, rc, err);
        }
        if (off != size) {
                free(s);
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, off, "trailing data",
                                        "%zu bytes follow the end of the TPMT_SIGNATURE",
                                        size - off);
        }
        *out = s;
        return PCRSIM_OK;
}

void pcrsim_quote_signature_free(struct pcrsim_quote_signature *sig)
{
        free(sig);
}

/* Returns the hash of a signature's scheme, TPM_ALG_NULL if it has none. */
static uint16_t signature_hash(const TPMT_SIGNATURE *sig)
{
        switch (sig->sigAlg) {
        case TPM2_ALG_RSASSA:
        case TPM2_ALG_RSAPSS:
        case TPM2_ALG_ECDSA:
        case TPM2_ALG_ECDAA:
        case TPM2_ALG_SM2:
        case TPM2_ALG_ECSCHNORR:
                return sig->signature.any.hashAlg;
        case TPM2_ALG_HMAC:
                return sig->signature.hmac.hashAlg;
        default:
                return TPM2_ALG_NULL;
        }
}

void pcrsim_quote_signature_get_info(const struct pcrsim_quote_signature *sig,
                                     struct pcrsim_quote_signature_info *info)
{
        info->sig_alg = sig->sig.sigAlg;
        info->hash_alg = signature_hash(&sig->sig);
}

void pcrsim_quote_sig_alg_name(uint16_t alg, char *buf, size_t size)
{
        for (size_t i = 0; i < sizeof(sig_algs) / sizeof(sig_algs[0]); i++) {
                if (sig_algs[i].alg == alg) {
                        snprintf(buf, size, "%s", sig_algs[i].name);
                        return;
                }
        }
        snprintf(buf, size, "alg_0x%04x", alg);
}

static const char *attest_type_name(uint16_t type)
{
        for (size_t i = 0; i < sizeof(attest_types) / sizeof(attest_types[0]); i++)
                if (attest_types[i].type == type)
                        return attest_types[i].name;
        return "an unknown type";
}

void pcrsim_quote_set_check(struct pcrsim_quote_check *check,
                            enum pcrsim_quote_verdict verdict, const char *fmt, ...)
{
        va_list ap;

        check->verdict = verdict;
        va_start(ap, fmt);
        vsnprintf(check->message, sizeof(check->message), fmt, ap);
        va_end(ap);
}

/* Writes `size` bytes as lower-case hex, "empty" for none, cut with "..."
 * to fit `out`. */
static void format_hex(const uint8_t *bytes, size_t size, char *out, size_t out_size)
{
        static const char digits[] = "0123456789abcdef";
        size_t pos = 0;

        if (size == 0) {
                snprintf(out, out_size, "empty");
                return;
        }
        for (size_t i = 0; i < size; i++) {
                /* Two digits, and room left for "..." and the NUL. */
                if (out_size - pos < 2 + 4) {
                        snprintf(out + pos, out_size - pos, "...");
                        return;
                }
                out[pos++] = digits[bytes[i] >> 4];
                out[pos++] = digits[bytes[i] & 0x0f];
        }
        out[pos] = '\0';
}

static void check_magic(const struct pcrsim_quote_attest *attest,
                        struct pcrsim_quote_check *check)
{
        uint32_t magic = attest->attest.magic;

        if (magic == PCRSIM_QUOTE_TPM_GENERATED)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "magic is TPM_GENERATED_VALUE (0xff544347)");
        else
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "magic is 0x%08" PRIx32 ", not TPM_GENERATED_VALUE "
                                       "(0xff544347), so a TPM did not produce this "
                                       "structure", magic);
}

static void check_type(const struct pcrsim_quote_attest *attest,
                       struct pcrsim_quote_check *check)
{
        uint16_t type = attest->attest.type;

        if (attest->is_quote)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "type is TPM_ST_ATTEST_QUOTE (0x8018)");
        else
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "type is %s (0x%04x), not TPM_ST_ATTEST_QUOTE "
                                       "(0x8018), so the structure is not a quote",
                                       attest_type_name(type), type);
}

static void check_nonce(const struct pcrsim_quote_attest *attest,
                        const struct pcrsim_quote_expect *expect,
                        struct pcrsim_quote_check *check)
{
        const TPM2B_DATA *extra = &attest->attest.extraData;
        char quoted[140], expected[140];

        format_hex(extra->buffer, extra->size, quoted, sizeof(quoted));
        if (!expect || !expect->nonce) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_NOT_CHECKED,
                                       "no expected nonce was given; extraData is %s", quoted);
                return;
        }
        format_hex(expect->nonce, expect->nonce_size, expected, sizeof(expected));
        if (extra->size == expect->nonce_size &&
            memcmp(extra->buffer, expect->nonce, extra->size) == 0)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "extraData equals the expected nonce %s", expected);
        else
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "extraData is %s (%u bytes), but the expected nonce "
                                       "is %s (%zu bytes)", quoted, extra->size, expected,
                                       expect->nonce_size);
}

/* Compares pcrDigest with the digest of the expected PCR values, once the
 * inputs that the comparison needs are known to be there. */
static enum pcrsim_error_code compare_pcr_digest(const struct pcrsim_quote_attest *attest,
                                                 const struct pcrsim_pcr_set *pcrs,
                                                 struct pcrsim_quote_result *result,
                                                 struct pcrsim_error *err)
{
        struct pcrsim_quote_check *check = &result->checks[PCRSIM_QUOTE_CHECK_PCR_DIGEST];
        struct pcrsim_quote_selection sel;
        struct pcrsim_error why;
        enum pcrsim_error_code rc;
        char quoted[140], expected[140], name[24];
        uint32_t count = 0;

        pcrsim_error_clear(&why);
        pcrsim_alg_name(result->digest_alg, name, sizeof(name));
        rc = pcrsim_quote_attest_selection(attest, &sel, &why);
        if (!rc)
                rc = pcrsim_quote_pcr_digest(&sel, result->digest_alg, pcrs,
                                             result->expected_digest,
                                             &result->expected_digest_size, &why);
        if (rc == PCRSIM_ERR_NOMEM || rc == PCRSIM_ERR_INTERNAL) {
                *err = why;
                return rc;
        }
        if (rc) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "cannot compute the PCR digest: %s", why.message);
                return PCRSIM_OK;
        }
        result->has_expected_digest = true;
        for (uint32_t i = 0; i < sel.count; i++)
                count += sel.banks[i].pcr_count;
        format_hex(result->quoted_digest, result->quoted_digest_size, quoted, sizeof(quoted));
        format_hex(result->expected_digest, result->expected_digest_size, expected,
                   sizeof(expected));
        if (result->quoted_digest_size == result->expected_digest_size &&
            memcmp(result->quoted_digest, result->expected_digest,
                   result->expected_digest_size) == 0)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "pcrDigest equals the %s digest of the %" PRIu32
                                       " selected PCR values, %s", name, count, expected);
        else
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "pcrDigest is %s, but the %s digest of the %" PRIu32
                                       " selected PCR values is %s", quoted, name, count, expected);
        return PCRSIM_OK;
}

static enum pcrsim_error_code check_pcr_digest(const struct pcrsim_quote_attest *attest,
                                               const struct pcrsim_quote_signature *sig,
                                               const struct pcrsim_quote_expect *expect,
                                               struct pcrsim_quote_result *result,
                                               struct pcrsim_error *err)
{
        struct pcrsim_quote_check *check = &result->checks[PCRSIM_QUOTE_CHECK_PCR_DIGEST];
        const TPM2B_DIGEST *quoted = &attest->attest.attested.quote.pcrDigest;
        char scheme[24];

        if (!attest->is_quote) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_NOT_CHECKED,
                                       "the structure is not a quote, so it has no PCR digest");
                return PCRSIM_OK;
        }
        result->quoted_digest_size = quoted->size;
        memcpy(result->quoted_digest, quoted->buffer, quoted->size);
        if (!sig) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_NOT_CHECKED,
                                       "no signature was given, and its scheme names the "
                                       "hash of the PCR digest");
                return PCRSIM_OK;
        }
        result->digest_alg = signature_hash(&sig->sig);
        if (result->digest_alg == TPM2_ALG_NULL) {
                pcrsim_quote_sig_alg_name(sig->sig.sigAlg, scheme, sizeof(scheme));
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the signature scheme %s names no hash, so the PCR digest "
                                       "cannot be computed", scheme);
                return PCRSIM_OK;
        }
        if (!expect || !expect->pcrs) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_NOT_CHECKED, "no PCR values were given");
                return PCRSIM_OK;
        }
        return compare_pcr_digest(attest, expect->pcrs, result, err);
}

enum pcrsim_error_code pcrsim_quote_verify(const struct pcrsim_quote_attest *attest,
                                           const struct pcrsim_quote_signature *sig,
                                           const struct pcrsim_quote_key *key,
                                           const struct pcrsim_quote_expect *expect,
                                           struct pcrsim_quote_result *result,
                                           struct pcrsim_error *err)
{
        struct pcrsim_quote_check *checks = result->checks;
        enum pcrsim_error_code rc;

        memset(result, 0, sizeof(*result));
        check_magic(attest, &checks[PCRSIM_QUOTE_CHECK_MAGIC]);
        check_type(attest, &checks[PCRSIM_QUOTE_CHECK_TYPE]);
        if (sig && key) {
                rc = pcrsim_quote_check_signature(attest, sig, key,
                                                  &checks[PCRSIM_QUOTE_CHECK_SIGNATURE], err);
                if (rc)
                        return rc;
        } else {
                const char *missing = "signature or key";

                if (sig)
                        missing = "key";
                else if (key)
                        missing = "signature";
                pcrsim_quote_set_check(&checks[PCRSIM_QUOTE_CHECK_SIGNATURE],
                                       PCRSIM_QUOTE_NOT_CHECKED, "no %s was given", missing);
        }
        check_nonce(attest, expect, &checks[PCRSIM_QUOTE_CHECK_NONCE]);
        return check_pcr_digest(attest, sig, expect, result, err);
}

bool pcrsim_quote_result_failed(const struct pcrsim_quote_result *result)
{
        for (size_t i = 0; i < PCRSIM_QUOTE_CHECK_COUNT; i++)
                if (result->checks[i].verdict == PCRSIM_QUOTE_FAIL)
                        return true;
        return false;
}

const char *pcrsim_quote_check_name(enum pcrsim_quote_check_id id)
{
        switch (id) {
        case PCRSIM_QUOTE_CHECK_MAGIC:
                return "magic";
        case PCRSIM_QUOTE_CHECK_TYPE:
                return "type";
        case PCRSIM_QUOTE_CHECK_SIGNATURE:
                return "signature";
        case PCRSIM_QUOTE_CHECK_NONCE:
                return "nonce";
        case PCRSIM_QUOTE_CHECK_PCR_DIGEST:
                return "pcr-digest";
        case PCRSIM_QUOTE_CHECK_COUNT:
                break;
        }
        return "unknown";
}

const char *pcrsim_quote_verdict_name(enum pcrsim_quote_verdict verdict)
{
        switch (verdict) {
        case PCRSIM_QUOTE_PASS:
                return "pass";
        case PCRSIM_QUOTE_FAIL:
                return "fail";
        case PCRSIM_QUOTE_NOT_CHECKED:
                return "not checked";
        }
        return "unknown";
}
