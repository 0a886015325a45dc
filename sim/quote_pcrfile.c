/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readers of the PCR value files of tpm2-tools 5.x. With -F serialized
 * (the default of tpm2_quote -o), tpm2-tools writes its in-memory
 * TPML_PCR_SELECTION, a 32-bit count, and that many TPML_DIGEST, with each
 * count, algorithm id and size converted to little-endian. The padding
 * bytes and the unused array entries are copies of tpm2-tools' memory and
 * carry no data, so they are not checked. With -F values (the default of
 * tpm2_pcrread -o), it writes the bare values in selection order.
 */
#include <inttypes.h>
#include <string.h>

#include "pcrsim/alg.h"
#include "pcrsim/quote.h"
#include "pcrsim/reader.h"
#include "sim/quote_internal.h"

/* TPMS_PCR_SELECTION as a C structure: hash (2 bytes), sizeofSelect (1),
 * pcrSelect[TPM2_PCR_SELECT_MAX] (4) and one byte of padding. */
#define SELECT_MAX 4u
#define SELECTION_ENTRY_SIZE 8u
#define SELECTION_ENTRIES 16u
#define SELECTION_SIZE (4u + SELECTION_ENTRIES * SELECTION_ENTRY_SIZE)

/* TPML_DIGEST as a C structure: count (4 bytes), then 8 TPM2B_DIGEST of a
 * 2-byte size and a buffer of sizeof(TPMU_HA) = 64 bytes. */
#define DIGEST_BUFFER_SIZE 64u
#define DIGEST_LIST_ENTRIES 8u
#define DIGEST_LIST_SIZE (4u + DIGEST_LIST_ENTRIES * (2u + DIGEST_BUFFER_SIZE))

_Static_assert(sizeof(TPML_PCR_SELECTION) == SELECTION_SIZE,
               "the tpm2-tss TPML_PCR_SELECTION differs from the PCR file layout");
_Static_assert(sizeof(TPML_DIGEST) == DIGEST_LIST_SIZE,
               "the tpm2-tss TPML_DIGEST differs from the PCR file layout");
_Static_assert(TPM2_PCR_SELECT_MAX == SELECT_MAX && TPM2_NUM_PCR_BANKS == SELECTION_ENTRIES,
               "the tpm2-tss array sizes differ from the PCR file layout");
_Static_assert(PCRSIM_MAX_PCR_FILE_SIZE ==
               SELECTION_SIZE + 4u + DIGEST_LIST_SIZE * PCRSIM_MAX_PCR_FILE_DIGEST_LISTS,
               "PCRSIM_MAX_PCR_FILE_SIZE does not follow from the list count");

/* Walks the selected PCRs in the order their values are stored. */
struct value_cursor {
        const struct pcrsim_quote_selection *sel;
        uint32_t bank;
        uint32_t index;
};

static bool cursor_next(struct value_cursor *c, uint16_t *alg, uint8_t *pcr)
{
        while (c->bank < c->sel->count && c->index >= c->sel->banks[c->bank].pcr_count) {
                c->bank++;
                c->index = 0;
        }
        if (c->bank >= c->sel->count)
                return false;
        *alg = c->sel->banks[c->bank].alg;
        *pcr = c->sel->banks[c->bank].pcrs[c->index++];
        return true;
}

static struct pcrsim_pcr_bank *find_bank(struct pcrsim_pcr_set *pcrs, uint16_t alg)
{
        for (uint32_t i = 0; i < pcrs->bank_count; i++)
                if (pcrs->banks[i].alg == alg)
                        return &pcrs->banks[i];
        return NULL;
}

/* Adds an empty bank to `pcrs` for each selection that selects a PCR. */
static enum pcrsim_error_code prepare_banks(const struct pcrsim_quote_selection *sel,
                                            struct pcrsim_pcr_set *pcrs,
                                            struct pcrsim_error *err)
{
        char name[24];

        if (sel->count > sizeof(sel->banks) / sizeof(sel->banks[0]))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the selection has %" PRIu32 " banks, more than %u",
                                        sel->count, PCRSIM_MAX_PCR_SELECTIONS);
        for (uint32_t i = 0; i < sel->count; i++) {
                const struct pcrsim_quote_bank_selection *s = &sel->banks[i];
                const struct pcrsim_alg_info *info = pcrsim_alg_by_id(s->alg);
                struct pcrsim_pcr_bank *bank;

                if (s->pcr_count == 0)
                        continue;
                pcrsim_alg_name(s->alg, name, sizeof(name));
                if (!info)
                        return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET,
                                                "hash", "the file selects bank %s, whose "
                                                "digest size pcrsim does not know", name);
                if (find_bank(pcrs, s->alg))
                        return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET,
                                                "hash", "the file selects bank %s twice",
                                                name);
                if (s->pcr_count > PCRSIM_PCR_COUNT ||
                    pcrs->bank_count >= sizeof(pcrs->banks) / sizeof(pcrs->banks[0]))
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                "the %s selection is larger than a PCR set",
                                                name);
                for (uint32_t j = 0; j < s->pcr_count; j++)
                        if (s->pcrs[j] >= PCRSIM_PCR_COUNT)
                                return pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                                        PCRSIM_NO_OFFSET, NULL,
                                                        "the %s selection contains PCR %u, "
                                                        "above 23", name, s->pcrs[j]);
                bank = &pcrs->banks[pcrs->bank_count++];
                bank->alg = s->alg;
                bank->size = info->digest_size;
        }
        return PCRSIM_OK;
}

/* Stores one value. The digest size has been checked against the bank. */
static enum pcrsim_error_code store_value(struct pcrsim_pcr_set *pcrs, uint16_t alg,
                                          uint8_t pcr, const uint8_t *digest,
                                          uint64_t offset, struct pcrsim_error *err)
{
        struct pcrsim_pcr_bank *bank = find_bank(pcrs, alg);

        if (!bank || pcr >= sizeof(bank->pcrs) / sizeof(bank->pcrs[0]))
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, offset, NULL,
                                        "PCR %u of bank 0x%04x has no place in the PCR set",
                                        pcr, alg);
        memcpy(bank->pcrs[pcr].digest, digest, bank->size);
        bank->pcrs[pcr].present = true;
        return PCRSIM_OK;
}

/* Reads one 8-byte TPMS_PCR_SELECTION entry of the file, and converts it
 * into `bank` unless `bank` is NULL for an unused entry. */
static enum pcrsim_error_code read_selection_entry(struct pcrsim_reader *r,
                                                   struct pcrsim_quote_bank_selection *bank,
                                                   struct pcrsim_error *err)
{
        uint64_t offset = pcrsim_reader_offset(r);
        uint8_t bitmap[SELECT_MAX], size, padding;
        enum pcrsim_error_code rc;
        uint16_t hash;

        rc = pcrsim_reader_le16(r, &hash, "hash", err);
        if (!rc)
                rc = pcrsim_reader_u8(r, &size, "sizeofSelect", err);
        if (!rc)
                rc = pcrsim_reader_copy(r, bitmap, sizeof(bitmap), "pcrSelect", err);
        if (!rc)
                rc = pcrsim_reader_u8(r, &padding, "padding", err);
        if (rc || !bank)
                return rc;
        if (size > sizeof(bitmap))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset + 2, "sizeofSelect",
                                        "sizeofSelect is %u, more than the %zu bytes of "
                                        "pcrSelect", size, sizeof(bitmap));
        for (uint32_t i = size; i < sizeof(bitmap); i++)
                if (bitmap[i])
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset + 3 + i,
                                                "pcrSelect", "pcrSelect has bits set beyond "
                                                "its sizeofSelect of %u bytes", size);
        return pcrsim_quote_bank_from_bitmap(hash, bitmap, size, bank, offset + 3, err);
}

static enum pcrsim_error_code read_file_selection(struct pcrsim_reader *r,
                                                  struct pcrsim_quote_selection *sel,
                                                  struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        uint32_t count;

        memset(sel, 0, sizeof(*sel));
        rc = pcrsim_reader_le32(r, &count, "count", err);
        if (rc)
                return rc;
        if (count == 0 || count > SELECTION_ENTRIES)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "count",
                                        "the PCR selection count is %" PRIu32 ", not 1 to %u; "
                                        "the file is not a little-endian tpm2-tools PCR file",
                                        count, SELECTION_ENTRIES);
        for (uint32_t i = 0; i < SELECTION_ENTRIES; i++) {
                rc = read_selection_entry(r, i < count ? &sel->banks[i] : NULL, err);
                if (rc)
                        return rc;
        }
        sel->count = count;
        return PCRSIM_OK;
}

/* Reads one TPML_DIGEST and stores its values in the PCRs that `cursor`
 * names next. */
static enum pcrsim_error_code read_digest_list(struct pcrsim_reader *r,
                                               struct value_cursor *cursor,
                                               struct pcrsim_pcr_set *pcrs,
                                               struct pcrsim_error *err)
{
        uint64_t list_offset = pcrsim_reader_offset(r);
        const uint8_t *buffer;
        enum pcrsim_error_code rc;
        uint32_t count;

        rc = pcrsim_reader_le32(r, &count, "TPML_DIGEST count", err);
        if (rc)
                return rc;
        if (count == 0 || count > DIGEST_LIST_ENTRIES)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, list_offset, "TPML_DIGEST count",
                                        "a TPML_DIGEST count is %" PRIu32 ", not 1 to %u",
                                        count, DIGEST_LIST_ENTRIES);
        for (uint32_t i = 0; i < DIGEST_LIST_ENTRIES; i++) {
                uint64_t offset = pcrsim_reader_offset(r);
                uint16_t size, alg = 0;
                uint8_t pcr = 0;
                char name[24];

                rc = pcrsim_reader_le16(r, &size, "digest size", err);
                if (!rc)
                        rc = pcrsim_reader_bytes(r, DIGEST_BUFFER_SIZE, &buffer, "digest", err);
                if (rc)
                        return rc;
                if (i >= count)
                        continue;
                if (!cursor_next(cursor, &alg, &pcr))
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "digest",
                                                "the file has more values than "
                                                "selected PCRs");
                pcrsim_alg_name(alg, name, sizeof(name));
                if (size != find_bank(pcrs, alg)->size)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "digest size",
                                                "the value of %s PCR %u is %u bytes, but %s "
                                                "digests are %u bytes", name, pcr, size,
                                                name, find_bank(pcrs, alg)->size);
                rc = store_value(pcrs, alg, pcr, buffer, offset, err);
                if (rc)
                        return rc;
        }
        return PCRSIM_OK;
}

static uint32_t count_pcrs(const struct value_cursor *cursor)
{
        struct value_cursor rest = *cursor;
        uint32_t count = 0;
        uint16_t alg;
        uint8_t pcr;

        while (cursor_next(&rest, &alg, &pcr))
                count++;
        return count;
}

enum pcrsim_error_code pcrsim_quote_pcr_file_parse(const void *data, size_t size,
                                                   struct pcrsim_pcr_set *pcrs,
                                                   struct pcrsim_error *err)
{
        struct pcrsim_quote_selection sel;
        struct value_cursor cursor = { .sel = &sel };
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;
        uint32_t lists;

        memset(pcrs, 0, sizeof(*pcrs));
        if (size > PCRSIM_MAX_PCR_FILE_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                        "the PCR file is %zu bytes, more than the maximum of %u",
                                        size, PCRSIM_MAX_PCR_FILE_SIZE);
        pcrsim_reader_init(&r, data, size, 0);
        rc = read_file_selection(&r, &sel, err);
        if (!rc)
                rc = prepare_banks(&sel, pcrs, err);
        if (!rc)
                rc = pcrsim_reader_le32(&r, &lists, "TPML_DIGEST count", err);
        if (rc)
                return rc;
        if (lists > PCRSIM_MAX_PCR_FILE_DIGEST_LISTS)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, SELECTION_SIZE, "TPML_DIGEST count",
                                        "the file has %" PRIu32 " value lists, more than the "
                                        "maximum of %u", lists, PCRSIM_MAX_PCR_FILE_DIGEST_LISTS);
        for (uint32_t i = 0; i < lists && !rc; i++)
                rc = read_digest_list(&r, &cursor, pcrs, err);
        if (rc)
                return rc;
        if (count_pcrs(&cursor) > 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&r), NULL,
                                        "the file lacks values for %" PRIu32 " of the "
                                        "selected PCRs", count_pcrs(&cursor));
        if (pcrsim_reader_remaining(&r) > 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&r),
                                        "trailing data", "%zu bytes follow the last value list",
                                        pcrsim_reader_remaining(&r));
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_quote_pcr_values_parse(const void *data, size_t size,
                                                     const struct pcrsim_quote_selection *sel,
                                                     struct pcrsim_pcr_set *pcrs,
                                                     struct pcrsim_error *err)
{
        struct value_cursor cursor = { .sel = sel };
        const uint8_t *value;
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;
        uint16_t alg;
        uint8_t pcr;

        memset(pcrs, 0, sizeof(*pcrs));
        rc = prepare_banks(sel, pcrs, err);
        if (rc)
                return rc;
        pcrsim_reader_init(&r, data, size, 0);
        while (cursor_next(&cursor, &alg, &pcr)) {
                uint64_t offset = pcrsim_reader_offset(&r);

                rc = pcrsim_reader_bytes(&r, find_bank(pcrs, alg)->size, &value, "PCR value",
                                         err);
                if (!rc)
                        rc = store_value(pcrs, alg, pcr, value, offset, err);
                if (rc)
                        return rc;
        }
        if (pcrsim_reader_remaining(&r) > 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&r),
                                        "trailing data", "%zu bytes follow the last selected "
                                        "PCR value", pcrsim_reader_remaining(&r));
        return PCRSIM_OK;
}
