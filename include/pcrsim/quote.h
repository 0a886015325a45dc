/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_QUOTE_H
#define PCRSIM_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"
#include "pcrsim/pcrs.h"

/*
 * TPM 2.0 quotes checked offline. A quote arrives as three inputs, in the
 * shapes that tpm2_quote writes: the signed TPMS_ATTEST (-m), its
 * TPMT_SIGNATURE (-s) and the attestation key's public part. TPM
 * structures are big-endian and parsed with libtss2-mu.
 *
 * libtss2-mu itself prints a line on standard error for some malformed
 * values (an oversized PCR selection, for example). A program that must
 * stay quiet sets TSS2_LOG=all+none in its environment before the first
 * parse.
 */

/* TPM_GENERATED_VALUE, the magic of every structure that a TPM signs. */
#define PCRSIM_QUOTE_TPM_GENERATED 0xff544347u

/* TPM_ST_ATTEST_QUOTE, the TPMS_ATTEST type of a quote. */
#define PCRSIM_QUOTE_ST_ATTEST_QUOTE 0x8018u

struct pcrsim_quote_attest;
struct pcrsim_quote_signature;
struct pcrsim_quote_key;

/*
 * Parses a TPMS_ATTEST and keeps a copy of its bytes, which are what the
 * signature covers. The common fields must be well-formed whatever the
 * type. The quote-specific part (TPMS_QUOTE_INFO) is parsed only when the
 * type is TPM_ST_ATTEST_QUOTE, and then no byte may follow it. The body of
 * any other type is kept unparsed, so that pcrsim_quote_verify() can
 * report the wrong type next to the other checks. A wrong magic is
 * reported the same way. Fails with PCRSIM_ERR_INVALID, the offset and
 * the name of the field that does not parse, or PCRSIM_ERR_LIMIT above
 * PCRSIM_MAX_QUOTE_ATTEST_SIZE bytes. The caller frees `*out`.
 */
enum pcrsim_error_code pcrsim_quote_attest_parse(const void *data, size_t size,
                                                 struct pcrsim_quote_attest **out,
                                                 struct pcrsim_error *err);
void pcrsim_quote_attest_free(struct pcrsim_quote_attest *attest);

/* Fields of a parsed TPMS_ATTEST. The pointers borrow from the attest
 * object and stay valid until it is freed. */
struct pcrsim_quote_attest_info {
        uint32_t magic;
        uint16_t type;                  /* TPM_ST_ATTEST_* */
        const uint8_t *qualified_signer; /* TPM2B_NAME of the signing key */
        size_t qualified_signer_size;
        const uint8_t *extra_data;      /* the nonce (qualifying data) */
        size_t extra_data_size;
        uint64_t clock;                 /* milliseconds */
        uint32_t reset_count;
        uint32_t restart_count;
        bool safe;
        uint64_t firmware_version;
        bool is_quote;                  /* type is TPM_ST_ATTEST_QUOTE */
        const uint8_t *pcr_digest;      /* attested.quote.pcrDigest, NULL unless is_quote */
        size_t pcr_digest_size;
        size_t size;                    /* bytes of the whole TPMS_ATTEST */
};

void pcrsim_quote_attest_get_info(const struct pcrsim_quote_attest *attest,
                                  struct pcrsim_quote_attest_info *info);

/* The PCRs of one TPMS_PCR_SELECTION. */
struct pcrsim_quote_bank_selection {
        uint16_t alg;                   /* TPM_ALG_ID of the bank */
        uint32_t pcr_count;
        uint8_t pcrs[PCRSIM_PCR_COUNT]; /* PCR indices, ascending */
};

/* A TPML_PCR_SELECTION, with its selections in their original order. The
 * same bank may appear more than once, as it may in the TPM structure. */
struct pcrsim_quote_selection {
        uint32_t count;
        struct pcrsim_quote_bank_selection banks[PCRSIM_MAX_PCR_SELECTIONS];
};

/*
 * Stores the PCR selection of the signed quote in `sel`. Fails with
 * PCRSIM_ERR_INVALID when the attestation is not a quote, and with
 * PCRSIM_ERR_UNSUPPORTED when it selects a PCR above 23 (pcrsim models the
 * 24 PCRs of a PC Client TPM).
 */
enum pcrsim_error_code pcrsim_quote_attest_selection(const struct pcrsim_quote_attest *attest,
                                                     struct pcrsim_quote_selection *sel,
                                                     struct pcrsim_error *err);

/*
 * Computes the digest that a TPM puts in attested.quote.pcrDigest: the
 * hash `hash_alg` over the selected PCR values, concatenated selection by
 * selection in the given order and by ascending PCR index within each.
 * Stores it in `digest` (PCRSIM_MAX_DIGEST_SIZE bytes of room) and its
 * size in `*digest_size`. Fails with PCRSIM_ERR_INVALID, naming the bank
 * and PCR, when `pcrs` lacks a selected PCR or has a bank whose size is
 * wrong for its algorithm. Fails with PCRSIM_ERR_UNSUPPORTED when OpenSSL
 * does not provide `hash_alg` or pcrsim does not know a selected bank.
 */
enum pcrsim_error_code pcrsim_quote_pcr_digest(const struct pcrsim_quote_selection *sel,
                                               uint16_t hash_alg,
                                               const struct pcrsim_pcr_set *pcrs,
                                               uint8_t *digest, uint16_t *digest_size,
                                               struct pcrsim_error *err);

/*
 * Parses a TPMT_SIGNATURE. No byte may follow it. Fails with
 * PCRSIM_ERR_INVALID and the offset of the field that does not parse, or
 * PCRSIM_ERR_LIMIT above PCRSIM_MAX_QUOTE_SIGNATURE_SIZE bytes. Schemes
 * that pcrsim cannot verify still parse, and the signature check reports
 * them. The caller frees `*out`.
 */
enum pcrsim_error_code pcrsim_quote_signature_parse(const void *data, size_t size,
                                                    struct pcrsim_quote_signature **out,
                                                    struct pcrsim_error *err);
void pcrsim_quote_signature_free(struct pcrsim_quote_signature *sig);

struct pcrsim_quote_signature_info {
        uint16_t sig_alg;  /* TPM_ALG_RSASSA, TPM_ALG_RSAPSS, TPM_ALG_ECDSA, ... */
        uint16_t hash_alg; /* hash of the scheme, TPM_ALG_NULL when it has none */
};

void pcrsim_quote_signature_get_info(const struct pcrsim_quote_signature *sig,
                                     struct pcrsim_quote_signature_info *info);

/* Key file formats, named after tpm2_createak and tpm2_readpublic -f. */
enum pcrsim_quote_key_format {
        PCRSIM_QUOTE_KEY_TPM2B_PUBLIC, /* "tss", the default of -f */
        PCRSIM_QUOTE_KEY_PEM,          /* "pem": SubjectPublicKeyInfo, "BEGIN PUBLIC KEY" */
        PCRSIM_QUOTE_KEY_DER,          /* "der": SubjectPublicKeyInfo */
};

/*
 * Parses an attestation key's public part. Input that starts with
 * "-----BEGIN ", after optional white space, is read as PEM. It must be a
 * "PUBLIC KEY" block, and only white space may follow its END line. Input
 * that starts with the byte 0x30 (an ASN.1 SEQUENCE) is read as DER, since
 * a TPM2B_PUBLIC that starts with it would be over 12 KiB. Anything else
 * is read as a TPM2B_PUBLIC. No byte may follow a DER or TPM2B_PUBLIC key.
 * RSA keys and ECC keys on the NIST P curves are accepted. Fails with
 * PCRSIM_ERR_INVALID for malformed input, PCRSIM_ERR_UNSUPPORTED for other
 * key types and curves, or PCRSIM_ERR_LIMIT above
 * PCRSIM_MAX_QUOTE_KEY_SIZE bytes. The caller frees `*out`.
 */
enum pcrsim_error_code pcrsim_quote_key_parse(const void *data, size_t size,
                                              struct pcrsim_quote_key **out,
                                              struct pcrsim_error *err);
void pcrsim_quote_key_free(struct pcrsim_quote_key *key);

struct pcrsim_quote_key_info {
        enum pcrsim_quote_key_format format;
        uint16_t type;        /* TPM_ALG_RSA or TPM_ALG_ECC */
        uint32_t bits;        /* RSA modulus size or EC group order size */
        uint16_t curve;       /* TPM_ECC_CURVE of an ECC key, 0 if RSA or unknown */
        uint16_t scheme;      /* scheme the key is bound to, TPM_ALG_NULL if none */
        uint16_t scheme_hash; /* hash of that scheme */
        /* TPMA_OBJECT bits, which only a TPM2B_PUBLIC carries. */
        bool has_attributes;
        uint32_t attributes;
};

void pcrsim_quote_key_get_info(const struct pcrsim_quote_key *key,
                               struct pcrsim_quote_key_info *info);

/* Outcome of one check. */
enum pcrsim_quote_verdict {
        PCRSIM_QUOTE_PASS,
        PCRSIM_QUOTE_FAIL,
        PCRSIM_QUOTE_NOT_CHECKED, /* an input the check needs was not given */
};

/* The checks in the order pcrsim_quote_verify() runs and reports them. */
enum pcrsim_quote_check_id {
        PCRSIM_QUOTE_CHECK_MAGIC,      /* magic is TPM_GENERATED_VALUE */
        PCRSIM_QUOTE_CHECK_TYPE,       /* type is TPM_ST_ATTEST_QUOTE */
        PCRSIM_QUOTE_CHECK_SIGNATURE,  /* signature over the TPMS_ATTEST bytes */
        PCRSIM_QUOTE_CHECK_NONCE,      /* extraData equals the expected nonce */
        PCRSIM_QUOTE_CHECK_PCR_DIGEST, /* pcrDigest equals the digest of the PCR values */
        PCRSIM_QUOTE_CHECK_COUNT,
};

#define PCRSIM_QUOTE_MESSAGE_SIZE 400u

struct pcrsim_quote_check {
        enum pcrsim_quote_verdict verdict;
        char message[PCRSIM_QUOTE_MESSAGE_SIZE]; /* one sentence, no trailing newline */
};

/* Expected values of a quote. A NULL member leaves its check
 * PCRSIM_QUOTE_NOT_CHECKED. */
struct pcrsim_quote_expect {
        const uint8_t *nonce;
        size_t nonce_size;
        const struct pcrsim_pcr_set *pcrs;
};

struct pcrsim_quote_result {
        struct pcrsim_quote_check checks[PCRSIM_QUOTE_CHECK_COUNT];
        /* Hash of the PCR digest, taken from the signature scheme, or 0
         * when no signature was given. */
        uint16_t digest_alg;
        uint16_t quoted_digest_size;
        uint8_t quoted_digest[PCRSIM_MAX_DIGEST_SIZE];
        /* Digest computed from the expected PCR values, when it could be. */
        bool has_expected_digest;
        uint16_t expected_digest_size;
        uint8_t expected_digest[PCRSIM_MAX_DIGEST_SIZE];
};

/*
 * Runs every check and stores a verdict and a message for each in
 * `result`. `sig` and `key` may be NULL, which leaves the signature check
 * and the PCR digest check (whose hash comes from the signature scheme)
 * not checked. The PCR selection comes only from the signed TPMS_ATTEST.
 * Supported signatures: RSASSA-PKCS1-v1_5, RSA-PSS (any salt length) and
 * ECDSA. When the key is bound to a scheme, the signature must use that
 * scheme and hash. A failed check is not an error, so the function fails
 * only with PCRSIM_ERR_NOMEM or PCRSIM_ERR_INTERNAL, and then `result`
 * is incomplete.
 */
enum pcrsim_error_code pcrsim_quote_verify(const struct pcrsim_quote_attest *attest,
                                           const struct pcrsim_quote_signature *sig,
                                           const struct pcrsim_quote_key *key,
                                           const struct pcrsim_quote_expect *expect,
                                           struct pcrsim_quote_result *result,
                                           struct pcrsim_error *err);

/* Tells whether any check of `result` is PCRSIM_QUOTE_FAIL. A check that
 * was not run does not count as failed, so a caller that requires a nonce
 * or PCR values must pass them. */
bool pcrsim_quote_result_failed(const struct pcrsim_quote_result *result);

/* Returns a short name for a check, e.g. "pcr-digest", or "unknown". */
const char *pcrsim_quote_check_name(enum pcrsim_quote_check_id id);

/* Returns "pass", "fail" or "not checked". */
const char *pcrsim_quote_verdict_name(enum pcrsim_quote_verdict verdict);

/*
 * Writes the name of a signature scheme as tpm2-tools spells it
 * ("rsassa", "rsapss", "ecdsa", ...) into `buf`, or "alg_0x%04x" for an
 * unknown id. Always NUL-terminates when `size` > 0.
 */
void pcrsim_quote_sig_alg_name(uint16_t alg, char *buf, size_t size);

/*
 * Parses the PCR file that tpm2_quote -o writes by default (-F
 * serialized), which tpm2_pcrread -o writes with -F serialized. tpm2-tools
 * 5.x dumps its C structures, converted to little-endian. First comes a
 * TPML_PCR_SELECTION of 132 bytes: a count, then 16 selections of 8 bytes
 * with one byte of padding each. Then come a 32-bit count of value lists
 * and that many TPML_DIGEST of 532 bytes: a count, then 8 TPM2B_DIGEST of
 * 66 bytes. The values fill the selected PCRs selection by selection, by
 * ascending PCR index. Stores them in `pcrs`, with `present` set exactly
 * for the selected PCRs.
 *
 * Fails with PCRSIM_ERR_INVALID or PCRSIM_ERR_TRUNCATED when the file
 * does not have this layout, or has more or fewer values than selected
 * PCRs, a digest size other than the bank's, or bytes after the last
 * list. Fails with PCRSIM_ERR_UNSUPPORTED for an unknown bank, a bank
 * selected twice or a PCR above 23, and with PCRSIM_ERR_LIMIT beyond
 * PCRSIM_MAX_PCR_FILE_DIGEST_LISTS lists.
 */
enum pcrsim_error_code pcrsim_quote_pcr_file_parse(const void *data, size_t size,
                                                   struct pcrsim_pcr_set *pcrs,
                                                   struct pcrsim_error *err);

/*
 * Parses a file of bare PCR values, as tpm2_pcrread -o writes by default
 * (-F values): the values of `sel` back to back in selection order, each
 * of its bank's digest size. Stores them in `pcrs` like
 * pcrsim_quote_pcr_file_parse(). Fails with PCRSIM_ERR_TRUNCATED when the
 * file is too short, PCRSIM_ERR_INVALID when bytes follow the last value,
 * and PCRSIM_ERR_UNSUPPORTED for an unknown bank or a bank selected twice.
 */
enum pcrsim_error_code pcrsim_quote_pcr_values_parse(const void *data, size_t size,
                                                     const struct pcrsim_quote_selection *sel,
                                                     struct pcrsim_pcr_set *pcrs,
                                                     struct pcrsim_error *err);

#endif
