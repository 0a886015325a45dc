/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder of EFI_SIGNATURE_LIST arrays (UEFI 2.10, section 32.4.1). A
 * Secure Boot variable contains lists back to back. Each list is a 28-byte
 * header, SignatureHeaderSize bytes of type-specific header, and entries
 * of SignatureSize bytes. Each entry (EFI_SIGNATURE_DATA) is a 16-byte
 * SignatureOwner GUID followed by the signature data.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pcrsim/reader.h"
#include "eventlog/guid.h"
#include "eventlog/siglist.h"

/* SignatureType GUID, then SignatureListSize, SignatureHeaderSize and
 * SignatureSize as 32-bit integers. */
#define LIST_HEADER_SIZE 28u
#define GUID_SIZE 16u

/* Maximum number of signature data bytes written as hex for types without
 * a decoder. */
#define MAX_DATA_HEX 4096u

#define CERT_X509_GUID "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"

/* Signature types whose data is a bare digest. */
static const struct {
        const char *guid;
        const char *alg;
        size_t digest_size;
} hash_types[] = {
        { "826ca512-cf10-4ac9-b187-be01496631bd", "SHA-1", 20 },
        { "0b6e5233-a65c-44c9-9407-d9ab83bfc8bd", "SHA-224", 28 },
        { "c1c41626-504c-4092-aca9-41f936934328", "SHA-256", 32 },
        { "ff3e5307-9fd0-48c9-85f1-8ad56c701e01", "SHA-384", 48 },
        { "093e0fae-a6c4-4f50-9f1b-d41e2b89c19a", "SHA-512", 64 },
};

enum signature_kind {
        KIND_X509,
        KIND_HASH,
        KIND_OTHER,
};

struct list_header {
        uint64_t offset; /* input offset of SignatureType */
        uint8_t type[GUID_SIZE];
        uint32_t list_size;
        uint32_t header_size;
        uint32_t signature_size;
        enum signature_kind kind;
        const char *hash_alg;   /* KIND_HASH only */
        size_t digest_size;     /* KIND_HASH only */
};

static enum pcrsim_error_code no_memory(struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                "out of memory while building the signature list JSON");
}

static enum pcrsim_error_code openssl_failed(const char *action, struct pcrsim_error *err)
{
        ERR_clear_error();
        return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                "OpenSSL failed to %s", action);
}

/* Sets `key` to the lower-case hex of `bytes`. Returns 0, or -1 when out
 * of memory. */
static int set_hex(json_t *obj, const char *key, const uint8_t *bytes, size_t size)
{
        static const char digits[] = "0123456789abcdef";
        char *text;
        int rc;

        if (size > (SIZE_MAX - 1) / 2)
                return -1;
        text = malloc(2 * size + 1);
        if (!text)
                return -1;
        for (size_t i = 0; i < size; i++) {
                text[2 * i] = digits[bytes[i] >> 4];
                text[2 * i + 1] = digits[bytes[i] & 0x0f];
        }
        text[2 * size] = '\0';
        rc = json_object_set_new(obj, key, json_stringn(text, 2 * size));
        free(text);
        return rc;
}

/* Stores the signature data as hex, cut to MAX_DATA_HEX bytes, and its
 * full size. */
static int set_raw_data(json_t *sig, const uint8_t *data, size_t size)
{
        int failed = 0;

        failed |= set_hex(sig, "data", data, size < MAX_DATA_HEX ? size : MAX_DATA_HEX);
        failed |= json_object_set_new(sig, "data_size", json_integer((json_int_t)size));
        return failed;
}

/* Sets `key` to `name` in the RFC 2253 form of `openssl x509 -nameopt
 * RFC2253`. In OpenSSL 3.0, XN_FLAG_RFC2253 includes ASN1_STRFLGS_ESC_MSB
 * and ASN1_STRFLGS_ESC_CTRL, which write bytes above 0x7f and control
 * characters as "\XX", so the text is ASCII and valid for JSON. */
static enum pcrsim_error_code set_name(json_t *sig, const char *key, const X509_NAME *name,
                                       struct pcrsim_error *err)
{
        BIO *bio = BIO_new(BIO_s_mem());
        enum pcrsim_error_code rc = PCRSIM_OK;
        char *text = NULL;
        long len;

        if (!bio)
                return openssl_failed("allocate a memory BIO", err);
        if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
                rc = openssl_failed("print a certificate name", err);
                goto out;
        }
        len = BIO_get_mem_data(bio, &text);
        if (len < 0 || (len > 0 && !text)) {
                rc = openssl_failed("read a certificate name", err);
                goto out;
        }
        if (json_object_set_new(sig, key, json_stringn(text ? text : "", (size_t)len)))
                rc = no_memory(err);
out:
        BIO_free(bio);
        return rc;
}

/* Sets "serial" to the serial number in lower-case hex. BN_bn2hex() puts
 * a "-" before a negative serial, which some old certificates have. */
static enum pcrsim_error_code set_serial(json_t *sig, const X509 *cert,
                                         struct pcrsim_error *err)
{
        BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
        enum pcrsim_error_code rc = PCRSIM_OK;
        char *hex = NULL;

        if (number)
                hex = BN_bn2hex(number);
        if (!hex) {
                rc = openssl_failed("convert a certificate serial number to hex", err);
                goto out;
        }
        for (char *c = hex; *c; c++)
                if (*c >= 'A' && *c <= 'F')
                        *c = (char)(*c - 'A' + 'a');
        if (json_object_set_new(sig, "serial", json_string(hex)))
                rc = no_memory(err);
out:
        OPENSSL_free(hex);
        BN_free(number);
        return rc;
}

static enum pcrsim_error_code set_certificate_fields(json_t *sig, const X509 *cert,
                                                     const uint8_t *der, size_t der_size,
                                                     struct pcrsim_error *err)
{
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_size = 0;
        enum pcrsim_error_code rc;

        rc = set_name(sig, "subject", X509_get_subject_name(cert), err);
        if (!rc)
                rc = set_name(sig, "issuer", X509_get_issuer_name(cert), err);
        if (!rc)
                rc = set_serial(sig, cert, err);
        if (rc)
                return rc;
        if (EVP_Digest(der, der_size, digest, &digest_size, EVP_sha256(), NULL) != 1)
                return openssl_failed("compute SHA-256", err);
        if (set_hex(sig, "sha256", digest, digest_size))
                return no_memory(err);
        return PCRSIM_OK;
}

/* Stores why the signature data is not exactly one DER certificate, and
 * the size of that data. */
static enum pcrsim_error_code set_certificate_error(json_t *sig, const char *reason,
                                                    size_t size, struct pcrsim_error *err)
{
        int failed = 0;

        failed |= json_object_set_new(sig, "error", json_string(reason));
        failed |= json_object_set_new(sig, "der_size", json_integer((json_int_t)size));
        return failed ? no_memory(err) : PCRSIM_OK;
}

/*
 * Decodes the signature data of an EFI_CERT_X509_GUID entry. Data that is
 * not a certificate gets "error" and "der_size" instead of the fields.
 * Data that starts with a certificate but has bytes after it gets both
 * the fields, with "sha256" over the certificate alone, and the error.
 */
static enum pcrsim_error_code add_certificate(json_t *sig, const uint8_t *data, size_t size,
                                              struct pcrsim_error *err)
{
        const unsigned char *end = data;
        enum pcrsim_error_code rc;
        char reason[160];
        size_t used;
        X509 *cert;

        /* The first error in the queue is the root cause, such as "too long",
         * and the ones after it only wrap it ("nested asn1 error"). */
        ERR_clear_error();
        cert = size <= LONG_MAX ? d2i_X509(NULL, &end, (long)size) : NULL;
        if (!cert) {
                const char *openssl_reason = ERR_reason_error_string(ERR_peek_error());

                snprintf(reason, sizeof(reason), "not a DER X.509 certificate (OpenSSL: %s)",
                         openssl_reason ? openssl_reason : "no reason given");
                ERR_clear_error();
                return set_certificate_error(sig, reason, size, err);
        }
        used = (size_t)(end - data);
        rc = set_certificate_fields(sig, cert, data, used, err);
        X509_free(cert);
        if (rc || used == size)
                return rc;
        snprintf(reason, sizeof(reason), "%zu bytes follow the %zu-byte DER certificate",
                 size - used, used);
        return set_certificate_error(sig, reason, size, err);
}

/* Stores the digest of a hash entry. Data of the wrong size for the
 * algorithm is reported in "error" and kept as raw data. */
static int add_digest(json_t *sig, const struct list_header *h, const uint8_t *data,
                      size_t size)
{
        char reason[128];
        int failed = 0;

        if (size == h->digest_size)
                return set_hex(sig, "digest", data, size);
        snprintf(reason, sizeof(reason), "%zu bytes of data, but a %s digest has %zu",
                 size, h->hash_alg, h->digest_size);
        failed |= json_object_set_new(sig, "error", json_string(reason));
        failed |= set_raw_data(sig, data, size);
        return failed;
}

/* Sets "owner", and "owner_name" when the GUID is a well-known one. */
static int set_owner(json_t *sig, const uint8_t owner[GUID_SIZE])
{
        char text[PCRSIM_GUID_TEXT_SIZE];
        const char *name = pcrsim_guid_name(owner);
        int failed = 0;

        pcrsim_guid_text(owner, text);
        failed |= json_object_set_new(sig, "owner", json_string(text));
        if (name)
                failed |= json_object_set_new(sig, "owner_name", json_string(name));
        return failed;
}

/* Decodes one EFI_SIGNATURE_DATA, which fills the whole of `entry`. */
static enum pcrsim_error_code decode_signature(struct pcrsim_reader *entry,
                                               const struct list_header *h, json_t **out,
                                               struct pcrsim_error *err)
{
        uint8_t owner[GUID_SIZE];
        const uint8_t *data;
        enum pcrsim_error_code rc;
        size_t size;
        json_t *sig;

        rc = pcrsim_reader_copy(entry, owner, sizeof(owner), "SignatureOwner", err);
        if (rc)
                return rc;
        size = pcrsim_reader_remaining(entry);
        rc = pcrsim_reader_bytes(entry, size, &data, "SignatureData", err);
        if (rc)
                return rc;

        sig = json_object();
        if (!sig)
                return no_memory(err);
        if (set_owner(sig, owner))
                rc = no_memory(err);
        else if (h->kind == KIND_X509)
                rc = add_certificate(sig, data, size, err);
        else if (h->kind == KIND_HASH)
                rc = add_digest(sig, h, data, size) ? no_memory(err) : PCRSIM_OK;
        else
                rc = set_raw_data(sig, data, size) ? no_memory(err) : PCRSIM_OK;
        if (rc) {
                json_decref(sig);
                return rc;
        }
        *out = sig;
        return PCRSIM_OK;
}

static void classify_type(struct list_header *h)
{
        char text[PCRSIM_GUID_TEXT_SIZE];

        pcrsim_guid_text(h->type, text);
        h->kind = KIND_OTHER;
        if (strcmp(text, CERT_X509_GUID) == 0) {
                h->kind = KIND_X509;
                return;
        }
        for (size_t i = 0; i < sizeof(hash_types) / sizeof(hash_types[0]); i++) {
                if (strcmp(text, hash_types[i].guid) == 0) {
                        h->kind = KIND_HASH;
                        h->hash_alg = hash_types[i].alg;
                        h->digest_size = hash_types[i].digest_size;
                        return;
                }
        }
}

/* Reads the 28-byte list header and checks its sizes against each other
 * and against the `remaining` bytes from the start of the list. */
static enum pcrsim_error_code read_list_header(struct pcrsim_reader *r,
                                               struct list_header *h,
                                               struct pcrsim_error *err)
{
        size_t remaining = pcrsim_reader_remaining(r);
        enum pcrsim_error_code rc;

        memset(h, 0, sizeof(*h));
        h->offset = pcrsim_reader_offset(r);
        if (remaining < LIST_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset, "EFI_SIGNATURE_LIST",
                                        "signature list at offset 0x%" PRIx64 " needs a %u-byte header, but only %zu bytes remain",
                                        h->offset, LIST_HEADER_SIZE, remaining);
        rc = pcrsim_reader_copy(r, h->type, sizeof(h->type), "SignatureType", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &h->list_size, "SignatureListSize", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &h->header_size, "SignatureHeaderSize", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &h->signature_size, "SignatureSize", err);
        if (rc)
                return rc;

        if (h->list_size < LIST_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset + 16, "SignatureListSize",
                                        "SignatureListSize %" PRIu32 " of the signature list at offset 0x%" PRIx64 " is smaller than its %u-byte header",
                                        h->list_size, h->offset, LIST_HEADER_SIZE);
        if (h->list_size - LIST_HEADER_SIZE > remaining - LIST_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset + 16, "SignatureListSize",
                                        "SignatureListSize %" PRIu32 " of the signature list at offset 0x%" PRIx64 " runs past the end of the data, which has %zu bytes from the list on",
                                        h->list_size, h->offset, remaining);
        if (h->header_size > h->list_size - LIST_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset + 20, "SignatureHeaderSize",
                                        "SignatureHeaderSize %" PRIu32 " of the signature list at offset 0x%" PRIx64 " runs past the list, which has %" PRIu32 " bytes after its %u-byte header",
                                        h->header_size, h->offset, h->list_size - LIST_HEADER_SIZE,
                                        LIST_HEADER_SIZE);
        /* The entry size must cover the owner GUID, which also keeps the
         * entry loop from running on entries of zero bytes. */
        if (h->signature_size < GUID_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset + 24, "SignatureSize",
                                        "SignatureSize %" PRIu32 " of the signature list at offset 0x%" PRIx64 " is smaller than the %u-byte SignatureOwner GUID",
                                        h->signature_size, h->offset, GUID_SIZE);
        if ((h->list_size - LIST_HEADER_SIZE - h->header_size) % h->signature_size != 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, h->offset, "SignatureSize",
                                        "signature list at offset 0x%" PRIx64 ": its %" PRIu32 " bytes of entries are not a multiple of SignatureSize %" PRIu32,
                                        h->offset, h->list_size - LIST_HEADER_SIZE - h->header_size,
                                        h->signature_size);
        classify_type(h);
        return PCRSIM_OK;
}

/* Decodes the entries of one list, which fill the whole of `body`. */
static enum pcrsim_error_code decode_entries(struct pcrsim_reader *body,
                                             const struct list_header *h, json_t *signatures,
                                             struct pcrsim_error *err)
{
        size_t count = pcrsim_reader_remaining(body) / h->signature_size;
        enum pcrsim_error_code rc;

        for (size_t i = 0; i < count; i++) {
                struct pcrsim_reader entry;
                json_t *sig = NULL;

                rc = pcrsim_reader_sub(body, h->signature_size, &entry, "EFI_SIGNATURE_DATA", err);
                if (!rc)
                        rc = decode_signature(&entry, h, &sig, err);
                if (rc)
                        return rc;
                if (json_array_append_new(signatures, sig))
                        return no_memory(err);
        }
        if (pcrsim_reader_remaining(body) != 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, pcrsim_reader_offset(body),
                                        "EFI_SIGNATURE_DATA",
                                        "%zu bytes are left after the entries of the signature list at offset 0x%" PRIx64,
                                        pcrsim_reader_remaining(body), h->offset);
        return PCRSIM_OK;
}

static enum pcrsim_error_code decode_list(struct pcrsim_reader *r, json_t **out,
                                          struct pcrsim_error *err)
{
        char type_text[PCRSIM_GUID_TEXT_SIZE];
        struct pcrsim_reader body;
        const char *type_name;
        struct list_header h;
        enum pcrsim_error_code rc;
        json_t *list, *signatures;

        rc = read_list_header(r, &h, err);
        if (!rc)
                rc = pcrsim_reader_sub(r, h.list_size - LIST_HEADER_SIZE, &body,
                                       "EFI_SIGNATURE_LIST", err);
        /* NOTE: the JSON shape has no field for SignatureHeader bytes, so a
         * list with a non-zero SignatureHeaderSize loses them here. */
        if (!rc)
                rc = pcrsim_reader_skip(&body, h.header_size, "SignatureHeader", err);
        if (rc)
                return rc;

        pcrsim_guid_text(h.type, type_text);
        type_name = pcrsim_guid_name(h.type);
        list = json_object();
        signatures = json_array();
        if (!list || !signatures ||
            json_object_set_new(list, "type", json_string(type_name ? type_name : type_text)) ||
            json_object_set_new(list, "signature_size", json_integer(h.signature_size))) {
                json_decref(list);
                json_decref(signatures);
                return no_memory(err);
        }
        if (json_object_set_new(list, "signatures", signatures)) {
                json_decref(list);
                return no_memory(err);
        }
        rc = decode_entries(&body, &h, signatures, err);
        if (rc) {
                json_decref(list);
                return rc;
        }
        *out = list;
        return PCRSIM_OK;
}

json_t *pcrsim_signature_lists_decode(const uint8_t *data, size_t size, uint64_t base,
                                      struct pcrsim_error *err)
{
        struct pcrsim_reader r;
        json_t *lists = json_array();

        if (!lists) {
                no_memory(err);
                return NULL;
        }
        pcrsim_reader_init(&r, data, size, base);
        /* Each list consumes at least its 28-byte header, so the loop ends. */
        while (pcrsim_reader_remaining(&r) > 0) {
                json_t *list = NULL;
                enum pcrsim_error_code rc = decode_list(&r, &list, err);

                if (!rc && json_array_append_new(lists, list))
                        rc = no_memory(err);
                if (rc) {
                        /* The data is complete, so a short field is invalid
                         * input that no further read could cure. */
                        if (rc == PCRSIM_ERR_TRUNCATED && err)
                                err->code = PCRSIM_ERR_INVALID;
                        json_decref(lists);
                        return NULL;
                }
        }
        return lists;
}
