/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation keys, from a TPM2B_PUBLIC or a PEM or DER
 * SubjectPublicKeyInfo, and the signature check of a quote with OpenSSL 3.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "pcrsim/alg.h"
#include "pcrsim/quote.h"
#include "sim/quote_internal.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_BEGIN_PUBLIC_KEY "-----BEGIN PUBLIC KEY-----"

/* First byte of a DER SubjectPublicKeyInfo, an ASN.1 SEQUENCE. */
#define DER_SEQUENCE 0x30u

/* The TPM's default RSA exponent, 2^16 + 1, which TPMS_RSA_PARMS writes as 0. */
#define TPM_DEFAULT_RSA_EXPONENT 65537u

/* TPM2B_PUBLIC: size (2 bytes), then TPMT_PUBLIC starting with type. */
#define PUBLIC_AREA_OFFSET 2u

/* NIST curves that TPMs implement, by their OpenSSL group names. */
static const struct {
        uint16_t id;
        const char *group;
        uint16_t coordinate_size; /* bytes */
} curves[] = {
        { TPM2_ECC_NIST_P192, "prime192v1", 24 },
        { TPM2_ECC_NIST_P224, "secp224r1", 28 },
        { TPM2_ECC_NIST_P256, "prime256v1", 32 },
        { TPM2_ECC_NIST_P384, "secp384r1", 48 },
        { TPM2_ECC_NIST_P521, "secp521r1", 66 },
};

#define MAX_COORDINATE_SIZE 66u

static enum pcrsim_error_code openssl_failed(const char *action, struct pcrsim_error *err)
{
        ERR_clear_error();
        return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                "OpenSSL failed to %s", action);
}

static enum pcrsim_error_code no_memory(struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                "cannot allocate an attestation key");
}

/* Builds a public EVP_PKEY of `type` ("RSA" or "EC") from the parameters
 * in `bld`. OpenSSL rejects keys that are invalid, such as an EC point that
 * is not on its curve, and that is an error in the input. */
static enum pcrsim_error_code pkey_from_params(const char *type, OSSL_PARAM_BLD *bld,
                                               EVP_PKEY **out, struct pcrsim_error *err)
{
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX *ctx = NULL;
        enum pcrsim_error_code rc = PCRSIM_OK;

        if (!params)
                return openssl_failed("build the key parameters", err);
        ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
        if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1) {
                rc = openssl_failed("prepare a key import", err);
                goto out;
        }
        if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
                ERR_clear_error();
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, "unique",
                                      "OpenSSL rejects the %s public key of the TPM2B_PUBLIC",
                                      type);
        }
out:
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        return rc;
}

static enum pcrsim_error_code rsa_key(const TPMT_PUBLIC *pub, EVP_PKEY **out,
                                      struct pcrsim_error *err)
{
        const TPM2B_PUBLIC_KEY_RSA *modulus = &pub->unique.rsa;
        uint32_t exponent = pub->parameters.rsaDetail.exponent;
        uint16_t bits = pub->parameters.rsaDetail.keyBits;
        OSSL_PARAM_BLD *bld = NULL;
        BIGNUM *n = NULL, *e = NULL;
        enum pcrsim_error_code rc;

        if (modulus->size == 0 || modulus->size * 8u != bits)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, "unique",
                                        "the RSA modulus is %u bytes, but keyBits is %u",
                                        modulus->size, bits);
        if (exponent == 0)
                exponent = TPM_DEFAULT_RSA_EXPONENT;
        bld = OSSL_PARAM_BLD_new();
        n = BN_bin2bn(modulus->buffer, modulus->size, NULL);
        e = BN_new();
        if (!bld || !n || !e || BN_set_word(e, exponent) != 1 ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
                rc = openssl_failed("build an RSA key", err);
        else
                rc = pkey_from_params("RSA", bld, out, err);
        BN_free(n);
        BN_free(e);
        OSSL_PARAM_BLD_free(bld);
        return rc;
}

/* Left-pads one coordinate of an EC point to the curve's size. */
static enum pcrsim_error_code put_coordinate(const TPM2B_ECC_PARAMETER *c, const char *axis,
                                             uint16_t size, uint8_t *out,
                                             struct pcrsim_error *err)
{
        if (c->size > size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, "unique",
                                        "the ECC point's %s is %u bytes, more than the %u "
                                        "bytes of its curve", axis, c->size, size);
        memset(out, 0, size);
        memcpy(out + (size - c->size), c->buffer, c->size);
        return PCRSIM_OK;
}

static enum pcrsim_error_code ecc_key(const TPMT_PUBLIC *pub, EVP_PKEY **out,
                                      struct pcrsim_error *err)
{
        uint16_t curve_id = pub->parameters.eccDetail.curveID;
        uint8_t point[1 + 2 * MAX_COORDINATE_SIZE];
        OSSL_PARAM_BLD *bld = NULL;
        enum pcrsim_error_code rc;
        size_t c;

        for (c = 0; c < sizeof(curves) / sizeof(curves[0]); c++)
                if (curves[c].id == curve_id)
                        break;
        if (c == sizeof(curves) / sizeof(curves[0]))
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, "curveID",
                                        "the key's curve 0x%04x is not one of the NIST P "
                                        "curves that pcrsim supports", curve_id);
        /* An uncompressed point: 0x04, then x and y. */
        point[0] = 0x04;
        rc = put_coordinate(&pub->unique.ecc.x, "x", curves[c].coordinate_size, point + 1, err);
        if (!rc)
                rc = put_coordinate(&pub->unique.ecc.y, "y", curves[c].coordinate_size,
                                    point + 1 + curves[c].coordinate_size, err);
        if (rc)
                return rc;
        bld = OSSL_PARAM_BLD_new();
        if (!bld ||
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[c].group,
                                            0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                             1 + 2u * curves[c].coordinate_size) != 1)
                rc = openssl_failed("build an EC key", err);
        else
                rc = pkey_from_params("EC", bld, out, err);
        OSSL_PARAM_BLD_free(bld);
        return rc;
}

/* Tells where in a TPM2B_PUBLIC that libtss2-mu rejects the failure is. */
static enum pcrsim_error_code locate_public_failure(const uint8_t *data, size_t size,
                                                    TSS2_RC rc, struct pcrsim_error *err)
{
        TPMT_PUBLIC area;
        uint16_t declared;
        size_t off = 0;
        TSS2_RC step;

        step = Tss2_MU_UINT16_Unmarshal(data, size, &off, &declared);
        if (step)
                return pcrsim_quote_mu_failed(step, "TPM2B_PUBLIC", "size", 0, err);
        if (declared > size - off)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "size",
                                        "the TPM2B_PUBLIC size is %u, but only %zu bytes follow it",
                                        declared, size - off);
        step = Tss2_MU_TPMT_PUBLIC_Unmarshal(data, off + declared, &off, &area);
        if (step)
                return pcrsim_quote_mu_failed(step, "TPM2B_PUBLIC", "publicArea", off, err);
        if (off != PUBLIC_AREA_OFFSET + declared)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, off, "publicArea",
                                        "the publicArea ends %zu bytes before the end that "
                                        "the TPM2B_PUBLIC size gives",
                                        PUBLIC_AREA_OFFSET + declared - off);
        return pcrsim_quote_mu_failed(rc, "TPM2B_PUBLIC", "publicArea", PUBLIC_AREA_OFFSET,
                                      err);
}

static enum pcrsim_error_code key_from_tpm2b(const uint8_t *data, size_t size,
                                             struct pcrsim_quote_key *key,
                                             struct pcrsim_error *err)
{
        TPM2B_PUBLIC pub;
        size_t off = 0;
        TSS2_RC rc;

        memset(&pub, 0, sizeof(pub));
        rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, size, &off, &pub);
        if (rc)
                return locate_public_failure(data, size, rc, err);
        if (off != size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, off, "trailing data",
                                        "%zu bytes follow the end of the TPM2B_PUBLIC",
                                        size - off);
        key->format = PCRSIM_QUOTE_KEY_TPM2B_PUBLIC;
        key->public_area = pub.publicArea;
        switch (pub.publicArea.type) {
        case TPM2_ALG_RSA:
                return rsa_key(&pub.publicArea, &key->pkey, err);
        case TPM2_ALG_ECC:
                return ecc_key(&pub.publicArea, &key->pkey, err);
        default:
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PUBLIC_AREA_OFFSET, "type",
                                        "the key has type 0x%04x, but pcrsim verifies quotes "
                                        "of RSA and ECC keys only", pub.publicArea.type);
        }
}

/* A PEM public key is never encrypted. This refuses a password, so that
 * OpenSSL does not prompt on the terminal for a block that claims to be. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
        (void)buf;
        (void)size;
        (void)rwflag;
        (void)u;
        return -1;
}

static bool is_white_space(uint8_t c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool only_white_space(const char *text, size_t size)
{
        for (size_t i = 0; i < size; i++)
                if (!is_white_space((uint8_t)text[i]))
                        return false;
        return true;
}

/* Returns the TPM_ECC_CURVE of an EC key, 0 if it is not a NIST P curve. */
static uint16_t curve_from_group(EVP_PKEY *pkey)
{
        char group[64];

        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof(group), NULL) != 1) {
                ERR_clear_error();
                return 0;
        }
        for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
                if (strcmp(curves[i].group, group) == 0)
                        return curves[i].id;
        return 0;
}

/* Accepts the RSA keys, and the EC keys on NIST P curves, that OpenSSL
 * has read from PEM or DER. */
static enum pcrsim_error_code check_key_type(EVP_PKEY *pkey, size_t offset, const char *format,
                                             struct pcrsim_error *err)
{
        int id = EVP_PKEY_get_base_id(pkey);
        const char *name = OBJ_nid2sn(id);

        if (id == EVP_PKEY_RSA)
                return PCRSIM_OK;
        if (id == EVP_PKEY_EC && curve_from_group(pkey) != 0)
                return PCRSIM_OK;
        if (id == EVP_PKEY_EC)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, offset, format,
                                        "the %s key is on a curve other than the NIST P "
                                        "curves that pcrsim supports", format);
        return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, offset, format,
                                "the %s key is a %s key, but pcrsim verifies quotes of RSA "
                                "and EC keys only", format, name ? name : "unknown");
}

/* Reads the PEM block at `start`, which begins with "-----BEGIN ". */
static enum pcrsim_error_code key_from_pem(const uint8_t *data, size_t size, size_t start,
                                           struct pcrsim_quote_key *key,
                                           struct pcrsim_error *err)
{
        size_t header_size = strlen(PEM_BEGIN_PUBLIC_KEY);
        enum pcrsim_error_code rc = PCRSIM_OK;
        char *rest = NULL;
        long rest_size;
        BIO *bio;

        if (size - start < header_size || memcmp(data + start, PEM_BEGIN_PUBLIC_KEY, header_size))
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, start, "PEM label",
                                        "the PEM block is not a \"PUBLIC KEY\" "
                                        "(SubjectPublicKeyInfo), the only PEM key that "
                                        "pcrsim reads");
        /* The size is below PCRSIM_MAX_QUOTE_KEY_SIZE, so it fits in an int. */
        bio = BIO_new_mem_buf(data + start, (int)(size - start));
        if (!bio)
                return openssl_failed("allocate a memory BIO", err);
        key->format = PCRSIM_QUOTE_KEY_PEM;
        key->pkey = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
        if (!key->pkey) {
                ERR_clear_error();
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, start, "PEM",
                                      "the PEM public key is malformed, and OpenSSL cannot "
                                      "read it");
                goto out;
        }
        rest_size = BIO_get_mem_data(bio, &rest);
        if (rest_size > 0 && !only_white_space(rest, (size_t)rest_size)) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, size - (size_t)rest_size,
                                      "trailing data",
                                      "%ld bytes follow the END line of the PEM public key",
                                      rest_size);
                goto out;
        }
        rc = check_key_type(key->pkey, start, "PEM", err);
out:
        BIO_free(bio);
        return rc;
}

static enum pcrsim_error_code key_from_der(const uint8_t *data, size_t size,
                                           struct pcrsim_quote_key *key,
                                           struct pcrsim_error *err)
{
        const unsigned char *end = data;

        key->format = PCRSIM_QUOTE_KEY_DER;
        /* The size is below PCRSIM_MAX_QUOTE_KEY_SIZE, so it fits in a long. */
        key->pkey = d2i_PUBKEY(NULL, &end, (long)size);
        if (!key->pkey) {
                ERR_clear_error();
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "DER",
                                        "the DER public key is malformed, and OpenSSL cannot "
                                        "read it");
        }
        if ((size_t)(end - data) != size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, (uint64_t)(end - data),
                                        "trailing data",
                                        "%zu bytes follow the end of the DER public key",
                                        size - (size_t)(end - data));
        return check_key_type(key->pkey, 0, "DER", err);
}

enum pcrsim_error_code pcrsim_quote_key_parse(const void *data, size_t size,
                                              struct pcrsim_quote_key **out,
                                              struct pcrsim_error *err)
{
        const uint8_t *bytes = data;
        struct pcrsim_quote_key *key;
        enum pcrsim_error_code rc;
        size_t start = 0;

        *out = NULL;
        if (size > PCRSIM_MAX_QUOTE_KEY_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                        "the key file is %zu bytes, more than the maximum of %u",
                                        size, PCRSIM_MAX_QUOTE_KEY_SIZE);
        key = calloc(1, sizeof(*key));
        if (!key)
                return no_memory(err);
        while (start < size && is_white_space(bytes[start]))
                start++;
        if (size - start >= strlen(PEM_BEGIN) &&
            memcmp(bytes + start, PEM_BEGIN, strlen(PEM_BEGIN)) == 0)
                rc = key_from_pem(bytes, size, start, key, err);
        else if (size > 0 && bytes[0] == DER_SEQUENCE)
                rc = key_from_der(bytes, size, key, err);
        else
                rc = key_from_tpm2b(bytes, size, key, err);
        if (rc) {
                pcrsim_quote_key_free(key);
                return rc;
        }
        *out = key;
        return PCRSIM_OK;
}

void pcrsim_quote_key_free(struct pcrsim_quote_key *key)
{
        if (!key)
                return;
        EVP_PKEY_free(key->pkey);
        free(key);
}

void pcrsim_quote_key_get_info(const struct pcrsim_quote_key *key,
                               struct pcrsim_quote_key_info *info)
{
        const TPMT_PUBLIC *pub = &key->public_area;
        bool is_rsa = EVP_PKEY_get_base_id(key->pkey) == EVP_PKEY_RSA;

        memset(info, 0, sizeof(*info));
        info->format = key->format;
        info->type = is_rsa ? TPM2_ALG_RSA : TPM2_ALG_ECC;
        info->bits = (uint32_t)EVP_PKEY_get_bits(key->pkey);
        info->scheme = TPM2_ALG_NULL;
        info->scheme_hash = TPM2_ALG_NULL;
        if (!is_rsa)
                info->curve = curve_from_group(key->pkey);
        if (key->format != PCRSIM_QUOTE_KEY_TPM2B_PUBLIC)
                return;
        info->has_attributes = true;
        info->attributes = pub->objectAttributes;
        if (is_rsa) {
                info->scheme = pub->parameters.rsaDetail.scheme.scheme;
                info->scheme_hash = pub->parameters.rsaDetail.scheme.details.anySig.hashAlg;
        } else {
                info->scheme = pub->parameters.eccDetail.scheme.scheme;
                info->scheme_hash = pub->parameters.eccDetail.scheme.details.anySig.hashAlg;
        }
        if (info->scheme == TPM2_ALG_NULL)
                info->scheme_hash = TPM2_ALG_NULL;
}

/*
 * Tells whether `key` may have made a signature of scheme `sig_alg` with
 * hash `hash`. Otherwise stores the reason as a failed check.
 */
static bool key_fits_signature(const struct pcrsim_quote_key *key, uint16_t sig_alg,
                               uint16_t hash, struct pcrsim_quote_check *check)
{
        bool is_rsa = EVP_PKEY_get_base_id(key->pkey) == EVP_PKEY_RSA;
        bool wants_rsa = sig_alg == TPM2_ALG_RSASSA || sig_alg == TPM2_ALG_RSAPSS;
        struct pcrsim_quote_key_info info;
        char scheme[24], hash_name[24], key_scheme[24], key_hash[24];

        pcrsim_quote_sig_alg_name(sig_alg, scheme, sizeof(scheme));
        pcrsim_alg_name(hash, hash_name, sizeof(hash_name));
        if (is_rsa != wants_rsa) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the signature scheme is %s, but the key is an %s key",
                                       scheme, is_rsa ? "RSA" : "EC");
                return false;
        }
        pcrsim_quote_key_get_info(key, &info);
        if (info.scheme != TPM2_ALG_NULL && (info.scheme != sig_alg || info.scheme_hash != hash)) {
                pcrsim_quote_sig_alg_name(info.scheme, key_scheme, sizeof(key_scheme));
                pcrsim_alg_name(info.scheme_hash, key_hash, sizeof(key_hash));
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the key is bound to scheme %s with %s, but the "
                                       "signature uses %s with %s", key_scheme, key_hash,
                                       scheme, hash_name);
                return false;
        }
        if (info.has_attributes && !(info.attributes & TPMA_OBJECT_SIGN_ENCRYPT)) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the key's attributes lack sign, so a TPM cannot sign "
                                       "with it");
                return false;
        }
        return true;
}

/* Converts the r and s of a TPM ECDSA signature into the DER
 * ECDSA-Sig-Value that OpenSSL verifies. The caller frees `*der` with
 * OPENSSL_free(). */
static enum pcrsim_error_code ecdsa_to_der(const TPMS_SIGNATURE_ECC *ecc, uint8_t **der,
                                           size_t *der_size, struct pcrsim_error *err)
{
        ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(ecc->signatureR.buffer, ecc->signatureR.size, NULL);
        BIGNUM *s = BN_bin2bn(ecc->signatureS.buffer, ecc->signatureS.size, NULL);
        int len;

        *der = NULL;
        if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
                ECDSA_SIG_free(sig);
                BN_free(r);
                BN_free(s);
                return openssl_failed("build an ECDSA signature", err);
        }
        /* ECDSA_SIG_set0() has taken r and s. */
        len = i2d_ECDSA_SIG(sig, der);
        ECDSA_SIG_free(sig);
        if (len <= 0)
                return openssl_failed("encode an ECDSA signature", err);
        *der_size = (size_t)len;
        return PCRSIM_OK;
}

enum verification {
        SIGNATURE_VALID,
        SIGNATURE_INVALID,
        SIGNATURE_UNVERIFIABLE, /* OpenSSL cannot verify this hash with this key */
};

/* Stores in `*outcome` whether the signature verifies. A signature that
 * OpenSSL rejects as malformed, such as one of the wrong length for the
 * key, does not verify. */
static enum pcrsim_error_code verify_bytes(EVP_PKEY *pkey, uint16_t sig_alg,
                                           const char *md_name, const uint8_t *sig,
                                           size_t sig_size,
                                           const struct pcrsim_quote_attest *attest,
                                           enum verification *outcome,
                                           struct pcrsim_error *err)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        int ok;

        *outcome = SIGNATURE_UNVERIFIABLE;
        if (!ctx)
                return no_memory(err);
        ok = EVP_DigestVerifyInit_ex(ctx, &pctx, md_name, NULL, NULL, pkey, NULL) == 1;
        if (ok && sig_alg == TPM2_ALG_RSASSA)
                ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
        /* TPMs pick the salt length (the digest size, or the maximum for
         * older TPMs), so the verifier reads it from the signature. */
        if (ok && sig_alg == TPM2_ALG_RSAPSS)
                ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1;
        if (ok && EVP_DigestVerify(ctx, sig, sig_size, attest->bytes, attest->size) == 1)
                *outcome = SIGNATURE_VALID;
        else if (ok)
                *outcome = SIGNATURE_INVALID;
        ERR_clear_error();
        EVP_MD_CTX_free(ctx);
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_quote_check_signature(const struct pcrsim_quote_attest *attest,
                                                    const struct pcrsim_quote_signature *sig,
                                                    const struct pcrsim_quote_key *key,
                                                    struct pcrsim_quote_check *check,
                                                    struct pcrsim_error *err)
{
        const TPMT_SIGNATURE *s = &sig->sig;
        struct pcrsim_quote_signature_info info;
        const struct pcrsim_alg_info *hash;
        uint8_t *der = NULL;
        size_t der_size = 0;
        enum pcrsim_error_code rc;
        char scheme[24], hash_name[24];
        enum verification outcome;

        pcrsim_quote_signature_get_info(sig, &info);
        pcrsim_quote_sig_alg_name(info.sig_alg, scheme, sizeof(scheme));
        pcrsim_alg_name(info.hash_alg, hash_name, sizeof(hash_name));
        if (info.sig_alg != TPM2_ALG_RSASSA && info.sig_alg != TPM2_ALG_RSAPSS &&
            info.sig_alg != TPM2_ALG_ECDSA) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the signature scheme is %s, but pcrsim verifies only "
                                       "rsassa, rsapss and ecdsa", scheme);
                return PCRSIM_OK;
        }
        if (!key_fits_signature(key, info.sig_alg, info.hash_alg, check))
                return PCRSIM_OK;
        hash = pcrsim_alg_by_id(info.hash_alg);
        if (!hash || !hash->openssl_name) {
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the signature hash %s is not one that pcrsim can "
                                       "compute", hash_name);
                return PCRSIM_OK;
        }
        if (info.sig_alg == TPM2_ALG_ECDSA) {
                rc = ecdsa_to_der(&s->signature.ecdsa, &der, &der_size, err);
                if (!rc)
                        rc = verify_bytes(key->pkey, info.sig_alg, hash->openssl_name, der,
                                          der_size, attest, &outcome, err);
                OPENSSL_free(der);
        } else {
                const TPM2B_PUBLIC_KEY_RSA *rsa = info.sig_alg == TPM2_ALG_RSAPSS ?
                                                  &s->signature.rsapss.sig :
                                                  &s->signature.rsassa.sig;

                rc = verify_bytes(key->pkey, info.sig_alg, hash->openssl_name, rsa->buffer,
                                  rsa->size, attest, &outcome, err);
        }
        if (rc)
                return rc;
        if (outcome == SIGNATURE_UNVERIFIABLE)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "OpenSSL cannot verify a %s signature with %s using "
                                       "this key", scheme, hash_name);
        else if (outcome == SIGNATURE_INVALID)
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_FAIL,
                                       "the %s signature with %s does not verify with the key",
                                       scheme, hash_name);
        else if (key->format == PCRSIM_QUOTE_KEY_TPM2B_PUBLIC &&
                 !(key->public_area.objectAttributes & TPMA_OBJECT_RESTRICTED))
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "the %s signature with %s verifies, but the key is "
                                       "not restricted, so the TPM would also sign a "
                                       "TPMS_ATTEST that it did not make", scheme, hash_name);
        else
                pcrsim_quote_set_check(check, PCRSIM_QUOTE_PASS,
                                       "the %s signature with %s verifies", scheme, hash_name);
        return PCRSIM_OK;
}
