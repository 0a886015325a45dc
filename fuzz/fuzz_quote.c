/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the quote readers. The whole input goes to the
 * TPMS_ATTEST, TPMT_SIGNATURE, public-key and tpm2-tools PCR file readers.
 * An input that starts with "PQ" is also split into a TPMS_ATTEST, a
 * TPMT_SIGNATURE and a key, the first two preceded by a 2-byte big-endian
 * length and the key taking the rest, and the three are verified.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/quote.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pcrsim_pcr_set reference;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        static const uint16_t algs[] = { 0x0004, 0x000b, 0x000c };
        static const uint16_t sizes[] = { 20, 32, 48 };

        (void)argc;
        (void)argv;
        /* libtss2-mu prints every value it rejects unless TSS2_LOG turns it off. */
        setenv("TSS2_LOG", "all+none", 1);
        reference.bank_count = 3;
        for (size_t b = 0; b < 3; b++) {
                reference.banks[b].alg = algs[b];
                reference.banks[b].size = sizes[b];
                for (size_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        reference.banks[b].pcrs[pcr].present = true;
                        memset(reference.banks[b].pcrs[pcr].digest, (int)pcr, sizes[b]);
                }
        }
        return 0;
}

/* Every error about the input names an offset inside it, or none. */
static void check_error(enum pcrsim_error_code rc, const struct pcrsim_error *err, size_t size)
{
        if (rc == PCRSIM_OK || rc == PCRSIM_ERR_NOMEM)
                return;
        if (rc == PCRSIM_ERR_INTERNAL)
                abort();
        if (err->offset != PCRSIM_NO_OFFSET && err->offset > size)
                abort();
}

static void use_attest(const struct pcrsim_quote_attest *attest, const uint8_t *data,
                       size_t size)
{
        struct pcrsim_quote_attest_info info;
        struct pcrsim_quote_selection sel;
        struct pcrsim_pcr_set values;
        struct pcrsim_error err;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t digest_size;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&err);
        pcrsim_quote_attest_get_info(attest, &info);
        if (info.size != size || (info.is_quote && !info.pcr_digest))
                abort();
        if (pcrsim_quote_attest_selection(attest, &sel, &err) != PCRSIM_OK)
                return;
        rc = pcrsim_quote_pcr_digest(&sel, 0x000b, &reference, digest, &digest_size, &err);
        if (rc == PCRSIM_OK && digest_size != 32)
                abort();
        /* The same bytes as a file of bare values for this selection. */
        rc = pcrsim_quote_pcr_values_parse(data, size, &sel, &values, &err);
        check_error(rc, &err, size);
}

static void parse_each(const uint8_t *data, size_t size)
{
        struct pcrsim_quote_attest *attest = NULL;
        struct pcrsim_quote_signature *sig = NULL;
        struct pcrsim_quote_key *key = NULL;
        struct pcrsim_quote_signature_info sig_info;
        struct pcrsim_quote_key_info key_info;
        struct pcrsim_pcr_set pcrs;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&err);
        rc = pcrsim_quote_attest_parse(data, size, &attest, &err);
        check_error(rc, &err, size);
        if (attest)
                use_attest(attest, data, size);
        rc = pcrsim_quote_signature_parse(data, size, &sig, &err);
        check_error(rc, &err, size);
        if (sig)
                pcrsim_quote_signature_get_info(sig, &sig_info);
        rc = pcrsim_quote_key_parse(data, size, &key, &err);
        check_error(rc, &err, size);
        if (key)
                pcrsim_quote_key_get_info(key, &key_info);
        rc = pcrsim_quote_pcr_file_parse(data, size, &pcrs, &err);
        check_error(rc, &err, size);
        pcrsim_quote_attest_free(attest);
        pcrsim_quote_signature_free(sig);
        pcrsim_quote_key_free(key);
}

/* Splits off a part preceded by its 2-byte big-endian length. */
static bool take_part(const uint8_t **data, size_t *size, const uint8_t **part,
                      size_t *part_size)
{
        size_t n;

        if (*size < 2)
                return false;
        n = (size_t)(*data)[0] << 8 | (*data)[1];
        if (n > *size - 2)
                return false;
        *part = *data + 2;
        *part_size = n;
        *data += 2 + n;
        *size -= 2 + n;
        return true;
}

static void verify_parts(const uint8_t *data, size_t size)
{
        static const uint8_t nonce[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
        struct pcrsim_quote_expect expect = { nonce, sizeof(nonce), &reference };
        struct pcrsim_quote_attest *attest = NULL;
        struct pcrsim_quote_signature *sig = NULL;
        struct pcrsim_quote_key *key = NULL;
        struct pcrsim_quote_result result;
        const uint8_t *attest_bytes, *sig_bytes;
        size_t attest_size, sig_size;
        struct pcrsim_error err;

        if (!take_part(&data, &size, &attest_bytes, &attest_size) ||
            !take_part(&data, &size, &sig_bytes, &sig_size))
                return;
        pcrsim_error_clear(&err);
        if (pcrsim_quote_attest_parse(attest_bytes, attest_size, &attest, &err) == PCRSIM_OK &&
            pcrsim_quote_signature_parse(sig_bytes, sig_size, &sig, &err) == PCRSIM_OK &&
            pcrsim_quote_key_parse(data, size, &key, &err) == PCRSIM_OK) {
                if (pcrsim_quote_verify(attest, sig, key, &expect, &result, &err) == PCRSIM_OK)
                        pcrsim_quote_result_failed(&result);
                else if (err.code != PCRSIM_ERR_NOMEM)
                        abort();
        }
        pcrsim_quote_attest_free(attest);
        pcrsim_quote_signature_free(sig);
        pcrsim_quote_key_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        parse_each(data, size);
        if (size >= 2 && data[0] == 'P' && data[1] == 'Q')
                verify_parts(data + 2, size - 2);
        return 0;
}
