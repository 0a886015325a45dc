/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include <tss2/tss2_tpm2_types.h>

#include "eventlog/ima_internal.h"

/* Built-in templates of Linux, security/integrity/ima/ima_template.c. */
static const struct {
        const char *name;
        const char *fields;
} templates[] = {
        { "ima", "d|n" },
        { "ima-ng", "d-ng|n-ng" },
        { "ima-ngv2", "d-ngv2|n-ng" },
        { "ima-sig", "d-ng|n-ng|sig" },
        { "ima-sigv2", "d-ngv2|n-ng|sig" },
        { "ima-buf", "d-ng|n-ng|buf" },
        { "ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig" },
        { "evm-sig", "d-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode" },
};

/* Field identifiers that Linux defines for template field lists. */
static const char *const field_ids[] = {
        "d", "n", "d-ng", "d-ngv2", "n-ng", "sig", "buf", "d-modsig", "modsig",
        "evmsig", "xattrnames", "xattrlengths", "xattrvalues", "iuid", "igid", "imode",
};

static bool known_field(const char *id, size_t len)
{
        for (size_t i = 0; i < sizeof(field_ids) / sizeof(field_ids[0]); i++)
                if (strlen(field_ids[i]) == len && memcmp(field_ids[i], id, len) == 0)
                        return true;
        return false;
}

const char *pcrsim_ima_template_fields(const char *template_name)
{
        const char *p = template_name;
        unsigned count = 0;

        for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
                if (strcmp(template_name, templates[i].name) == 0)
                        return templates[i].fields;
        /* A custom ima_template_fmt: field ids separated by '|'. */
        while (*p) {
                const char *end = strchr(p, '|');
                size_t len = end ? (size_t)(end - p) : strlen(p);

                if (len == 0 || !known_field(p, len) || ++count > PCRSIM_MAX_IMA_FIELDS)
                        return NULL;
                p += len;
                if (*p == '|')
                        p++;
        }
        return count ? template_name : NULL;
}

bool pcrsim_ima_template_name_valid(const uint8_t *name, size_t len)
{
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                uint8_t c = name[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '|'))
                        return false;
        }
        return true;
}

uint16_t pcrsim_ima_alg_for_size(uint32_t size)
{
        switch (size) {
        case 20:
                return TPM2_ALG_SHA1;
        case 32:
                return TPM2_ALG_SHA256;
        case 48:
                return TPM2_ALG_SHA384;
        case 64:
                return TPM2_ALG_SHA512;
        }
        return 0;
}

static uint32_t read_u32(const uint8_t *p, enum pcrsim_byte_order order)
{
        if (order == PCRSIM_BYTE_ORDER_BIG)
                return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

void pcrsim_ima_decode_fields(struct pcrsim_ima_entry *entry, enum pcrsim_byte_order order)
{
        const char *list = pcrsim_ima_template_fields(entry->template_name);
        size_t pos = 0;

        entry->field_count = 0;
        if (!list) {
                entry->unknown_template = true;
                return;
        }
        while (*list) {
                const char *end = strchr(list, '|');
                size_t id_len = end ? (size_t)(end - list) : strlen(list);
                struct pcrsim_ima_field *f = &entry->fields[entry->field_count];
                uint32_t size;

                if (entry->data_size - pos < 4) {
                        snprintf(entry->field_error, sizeof(entry->field_error),
                                 "field %.*s: its length does not fit in the template data",
                                 (int)id_len, list);
                        return;
                }
                size = read_u32(entry->data + pos, order);
                pos += 4;
                if (size > entry->data_size - pos) {
                        snprintf(entry->field_error, sizeof(entry->field_error),
                                 "field %.*s: length %u runs past the template data",
                                 (int)id_len, list, size);
                        return;
                }
                /* Field ids are at most "xattrlengths", so they fit. */
                if (id_len >= sizeof(f->id))
                        id_len = sizeof(f->id) - 1;
                memcpy(f->id, list, id_len);
                f->id[id_len] = '\0';
                f->data = entry->data + pos;
                f->size = size;
                pos += size;
                entry->field_count++;
                list += id_len;
                if (*list == '|')
                        list++;
        }
        if (pos != entry->data_size)
                snprintf(entry->field_error, sizeof(entry->field_error),
                         "%zu bytes follow the last field of the template data",
                         entry->data_size - pos);
}

bool pcrsim_ima_digest_field(const struct pcrsim_ima_field *field, char *algo,
                             size_t algo_size, const uint8_t **digest,
                             uint32_t *digest_size)
{
        const uint8_t *nul = field->size ? memchr(field->data, '\0', field->size) : NULL;
        const char *text = (const char *)field->data;
        size_t prefix, start = 0, len;

        if (!nul)
                return false;
        prefix = (size_t)(nul - field->data);
        if (prefix < 2 || text[prefix - 1] != ':')
                return false;
        /* "sha256:" or, for d-ngv2, "ima:sha256:": the algorithm is the
         * part before the last colon. */
        for (size_t i = 0; i + 1 < prefix; i++)
                if (text[i] == ':')
                        start = i + 1;
        len = prefix - 1 - start;
        if (len == 0 || len >= algo_size)
                return false;
        memcpy(algo, text + start, len);
        algo[len] = '\0';
        *digest = nul + 1;
        *digest_size = field->size - (uint32_t)prefix - 1;
        return true;
}
