/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readers of reference PCR values. JSON and YAML both go through libyaml's
 * node tree (JSON maps are YAML flow mappings), so one walker covers the
 * pcr-reader maps, the measurement configs and tpm2_pcrread output. Go
 * source, text lists and sysfs folders have small readers of their own.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "pcrsim/alg.h"
#include "pcrsim/limits.h"
#include "pcrsim/quote.h"
#include "pcrsim/reference.h"
#include "text_internal.h"
#include "yaml_internal.h"

static const char *const format_names[PCRSIM_REF_FORMAT_COUNT] = {
        [PCRSIM_REF_AUTO] = "auto",
        [PCRSIM_REF_PCR_READER_JSON] = "pcr-reader-json",
        [PCRSIM_REF_PCR_READER_YAML] = "pcr-reader-yaml",
        [PCRSIM_REF_MEASUREMENTS_JSON] = "measurements-json",
        [PCRSIM_REF_MEASUREMENTS_YAML] = "measurements-yaml",
        [PCRSIM_REF_CONFIG_YAML] = "config-yaml",
        [PCRSIM_REF_TPM2_PCRREAD_YAML] = "tpm2-pcrread-yaml",
        [PCRSIM_REF_SYSFS] = "sysfs",
        [PCRSIM_REF_TEXT] = "text",
        [PCRSIM_REF_GO] = "go",
        [PCRSIM_REF_TPM2_PCRS] = "tpm2-pcrs",
};

const char *pcrsim_ref_format_name(enum pcrsim_ref_format format)
{
        return format < PCRSIM_REF_FORMAT_COUNT ? format_names[format] : NULL;
}

enum pcrsim_ref_format pcrsim_ref_format_by_name(const char *name)
{
        for (int i = 0; i < PCRSIM_REF_FORMAT_COUNT; i++)
                if (strcmp(format_names[i], name) == 0)
                        return (enum pcrsim_ref_format)i;
        return PCRSIM_REF_FORMAT_COUNT;
}

/* ---- the value set ---- */

/* Banks that a value without a named bank may belong to when the caller
 * gives none. SM3-256 has the size of SHA-256, so it needs --bank. */
static const uint16_t default_banks[] = { 0x0004, 0x000B, 0x000C, 0x000D };

static void candidate_banks(const struct pcrsim_ref_options *opts, uint16_t *banks,
                            uint32_t *count)
{
        if (opts && opts->bank_count) {
                *count = opts->bank_count;
                memcpy(banks, opts->banks, opts->bank_count * sizeof(*banks));
                return;
        }
        *count = sizeof(default_banks) / sizeof(default_banks[0]);
        memcpy(banks, default_banks, sizeof(default_banks));
}

static struct pcrsim_pcr_bank *bank_for(struct pcrsim_reference *ref, uint16_t alg, size_t *index)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(alg);
        struct pcrsim_pcr_set *set = &ref->set;

        for (uint32_t b = 0; b < set->bank_count; b++) {
                if (set->banks[b].alg == alg) {
                        *index = b;
                        return &set->banks[b];
                }
        }
        if (!info || set->bank_count == PCRSIM_MAX_ALGORITHMS)
                return NULL;
        *index = set->bank_count;
        set->banks[set->bank_count].alg = alg;
        set->banks[set->bank_count].size = info->digest_size;
        return &set->banks[set->bank_count++];
}

/* Stores one value. `where` and `offset` locate it for errors. */
static enum pcrsim_error_code store(struct pcrsim_reference *ref, uint16_t alg, uint32_t pcr,
                                    const uint8_t *digest, size_t size, bool warn_only,
                                    uint64_t offset, const char *where, struct pcrsim_error *err)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(alg);
        struct pcrsim_pcr_bank *bank;
        size_t b = 0;

        if (pcr >= PCRSIM_PCR_COUNT)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "PCR index",
                                        "%sPCR index %" PRIu32 " is out of range: a TPM has PCRs 0-%u",
                                        where, pcr, PCRSIM_PCR_COUNT - 1);
        if (!info || size != info->digest_size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "PCR value",
                                        "%sthe value of PCR %" PRIu32 " has %zu bytes, but a %s value has %u",
                                        where, pcr, size, info ? info->name : "bank",
                                        info ? info->digest_size : 0);
        if (ref->value_count == PCRSIM_MAX_REFERENCE_VALUES)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, offset, "PCR value",
                                        "%smore than %u reference values", where,
                                        PCRSIM_MAX_REFERENCE_VALUES);
        bank = bank_for(ref, alg, &b);
        if (!bank)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, offset, "bank",
                                        "%smore than %u banks", where, PCRSIM_MAX_ALGORITHMS);
        if (bank->pcrs[pcr].present)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "PCR index",
                                        "%sPCR %" PRIu32 " of bank %s appears twice", where, pcr,
                                        info->name);
        bank->pcrs[pcr].present = true;
        memcpy(bank->pcrs[pcr].digest, digest, size);
        ref->warn_only[b][pcr] = warn_only;
        ref->value_count++;
        return PCRSIM_OK;
}

/* ---- text helpers ---- */

static int hex_nibble(int c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

long pcrsim_decode_hex(const char *text, size_t len, uint8_t *out, size_t cap)
{
        if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
                text += 2;
                len -= 2;
        }
        if (len == 0 || len % 2 || len / 2 > cap)
                return -1;
        for (size_t i = 0; i < len; i += 2) {
                int hi = hex_nibble((unsigned char)text[i]), lo = hex_nibble((unsigned char)text[i + 1]);

                if (hi < 0 || lo < 0)
                        return -1;
                out[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        return (long)(len / 2);
}

/* Tells whether the text is hex digits, with an optional 0x prefix. */
static bool is_hex_text(const char *text, size_t len)
{
        if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
                text += 2;
                len -= 2;
        }
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (hex_nibble((unsigned char)text[i]) < 0)
                        return false;
        return true;
}

/* Decodes standard base64 with padding. Returns the byte count, or -1. */
static long decode_base64(const char *text, size_t len, uint8_t *out, size_t cap)
{
        uint8_t buf[3 * (2 * PCRSIM_MAX_DIGEST_SIZE + 4) / 4 + 3];
        size_t pad = 0;
        int n;

        if (len == 0 || len % 4 || len > 4 * ((cap + 2) / 3) || len / 4 * 3 > sizeof(buf))
                return -1;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];

                if (c == '=') {
                        if (i < len - 2)
                                return -1;
                        pad++;
                } else if (pad || !(isalnum(c) || c == '+' || c == '/')) {
                        return -1;
                }
        }
        n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
        if (n < 0 || (size_t)n < pad || (size_t)n - pad > cap)
                return -1;
        memcpy(out, buf, (size_t)n - pad);
        return (long)((size_t)n - pad);
}

/* Parses a decimal PCR index without sign or leading zeros beyond "0". */
static bool parse_index(const char *text, size_t len, uint32_t *out)
{
        uint64_t v = 0;

        if (len == 0 || len > 10 || (len > 1 && text[0] == '0'))
                return false;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char)text[i]))
                        return false;
                v = v * 10 + (uint64_t)(text[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* ---- JSON and YAML maps ---- */

/*
 * The ways a string can be read: hex or base64, times the candidate
 * banks. Bit (e * 16 + b) stands for encoding e (0 hex, 1 base64) and
 * candidate bank b.
 */
typedef uint32_t readings;

#define READINGS_HEX 0x0000FFFFu
#define READINGS_BASE64 0xFFFF0000u

static uint32_t lowest_bit(readings r)
{
        uint32_t bit = 0;

        while (bit < 31 && !(r & (1u << bit)))
                bit++;
        return bit;
}

struct doc {
        yaml_document_t yaml;
        const void *data; /* the input, for byte offsets */
        size_t size;
        struct pcrsim_reference *ref;
        uint16_t banks[PCRSIM_MAX_ALGORITHMS];
        uint32_t bank_count;
        readings allowed; /* the readings that the named format permits */
        char where[96];   /* "line L, column C: " of the current node */
};

static void locate(struct doc *d, const yaml_node_t *node)
{
        snprintf(d->where, sizeof(d->where), "line %zu, column %zu: ",
                 node->start_mark.line + 1, node->start_mark.column + 1);
}

static uint64_t node_offset(const struct doc *d, const yaml_node_t *node)
{
        return pcrsim_yaml_byte_offset(d->data, d->size, node->start_mark);
}

static const char *scalar(const yaml_node_t *node, size_t *len)
{
        *len = 0;
        if (node->type != YAML_SCALAR_NODE)
                return NULL;
        *len = node->data.scalar.length;
        return (const char *)node->data.scalar.value;
}

static bool scalar_is(const yaml_node_t *node, const char *text)
{
        size_t len = 0;
        const char *s = scalar(node, &len);

        return s && len == strlen(text) && memcmp(s, text, len) == 0;
}


static readings possible_readings(const struct doc *d, const char *text, size_t len)
{
        uint8_t tmp[PCRSIM_MAX_DIGEST_SIZE];
        long hex = pcrsim_decode_hex(text, len, tmp, sizeof(tmp));
        long b64 = decode_base64(text, len, tmp, sizeof(tmp));
        readings r = 0;

        for (uint32_t b = 0; b < d->bank_count; b++) {
                const struct pcrsim_alg_info *info = pcrsim_alg_by_id(d->banks[b]);

                if (!info)
                        continue;
                if (hex == info->digest_size)
                        r |= 1u << b;
                if (b64 == info->digest_size)
                        r |= 1u << (16 + b);
        }
        return r & d->allowed;
}

/* Lists the candidate banks, such as "sha1, sha256", for messages. */
static const char *banks_text(const struct doc *d, char *text, size_t size)
{
        size_t used = 0;

        text[0] = '\0';
        for (uint32_t b = 0; b < d->bank_count && used < size; b++) {
                const struct pcrsim_alg_info *info = pcrsim_alg_by_id(d->banks[b]);
                int n = snprintf(text + used, size - used, "%s%s", b ? ", " : "",
                                 info ? info->name : "unknown");

                if (n < 0)
                        break;
                used += (size_t)n;
        }
        return text;
}

/* A value of a measurement map: a string, or {expected, warnOnly}. */
struct map_value {
        const yaml_node_t *node; /* the string */
        uint32_t pcr;
        bool warn_only;
        bool is_object;
};

static enum pcrsim_error_code read_map_value(struct doc *d, const yaml_node_t *key,
                                             const yaml_node_t *value, struct map_value *out,
                                             struct pcrsim_error *err)
{
        size_t len = 0;
        const char *text = scalar(key, &len);

        memset(out, 0, sizeof(*out));
        locate(d, key);
        if (!text || !parse_index(text, len, &out->pcr))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, key), "PCR index",
                                        "%sexpected a PCR index in decimal as the key", d->where);
        if (value->type == YAML_SCALAR_NODE) {
                out->node = value;
                return PCRSIM_OK;
        }
        if (value->type != YAML_MAPPING_NODE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, value), "PCR value",
                                        "%sthe value of PCR %" PRIu32 " is neither a string nor an object with \"expected\"",
                                        d->where, out->pcr);
        out->is_object = true;
        for (yaml_node_pair_t *p = value->data.mapping.pairs.start;
             p < value->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(&d->yaml, p->key);
                yaml_node_t *v = yaml_document_get_node(&d->yaml, p->value);

                locate(d, k);
                if (scalar_is(k, "expected") && v->type == YAML_SCALAR_NODE) {
                        out->node = v;
                } else if (scalar_is(k, "warnOnly") && (scalar_is(v, "true") || scalar_is(v, "false"))) {
                        out->warn_only = scalar_is(v, "true");
                } else {
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, k), "PCR value",
                                                "%sunexpected member in the value of PCR %" PRIu32 ": only \"expected\" (a string) and \"warnOnly\" (true or false) are allowed",
                                                d->where, out->pcr);
                }
        }
        if (!out->node) {
                locate(d, value);
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, value), "expected",
                                        "%sthe value of PCR %" PRIu32 " has no \"expected\" member",
                                        d->where, out->pcr);
        }
        return PCRSIM_OK;
}

/* Reads a map of PCR index to value, in one bank that the values' length
 * and encoding tell. */
static enum pcrsim_error_code read_index_map(struct doc *d, const yaml_node_t *map,
                                             bool *any_object, struct pcrsim_error *err)
{
        size_t count = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
        struct map_value *values = calloc(count ? count : 1, sizeof(*values));
        readings common = UINT32_MAX;
        enum pcrsim_error_code rc = PCRSIM_OK;
        bool all_hex = true;
        uint32_t bit = 0;
        size_t i = 0;

        if (!values)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        if (count > PCRSIM_MAX_REFERENCE_VALUES) {
                free(values);
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, node_offset(d, map), "PCR value",
                                        "more than %u reference values", PCRSIM_MAX_REFERENCE_VALUES);
        }
        *any_object = false;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; !rc && p < map->data.mapping.pairs.top;
             p++, i++) {
                yaml_node_t *k = yaml_document_get_node(&d->yaml, p->key);
                yaml_node_t *v = yaml_document_get_node(&d->yaml, p->value);
                size_t len = 0;
                const char *text;
                char banks[128];
                readings r;

                rc = read_map_value(d, k, v, &values[i], err);
                if (rc)
                        break;
                *any_object |= values[i].is_object;
                text = scalar(values[i].node, &len);
                all_hex &= is_hex_text(text, len);
                locate(d, values[i].node);
                r = possible_readings(d, text, len);
                if (!r && is_hex_text(text, len) && d->allowed != (readings)READINGS_BASE64)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, values[i].node),
                                              "PCR value",
                                              "%sthe value of PCR %" PRIu32 " is hex of %zu bytes, which is the digest size of no bank considered (%s)",
                                              d->where, values[i].pcr,
                                              (len - (len >= 2 && text[1] == 'x' ? 2 : 0)) / 2,
                                              banks_text(d, banks, sizeof(banks)));
                else if (!r)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, values[i].node),
                                              "PCR value",
                                              "%sthe value of PCR %" PRIu32 " is not %s of a digest of the banks considered",
                                              d->where, values[i].pcr,
                                              d->allowed == (readings)READINGS_HEX ? "hex" :
                                              d->allowed == (readings)READINGS_BASE64 ? "base64" :
                                              "hex or base64");
                else if (!(common & r))
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, values[i].node),
                                              "PCR value",
                                              "%sthe value of PCR %" PRIu32 " has another length or encoding than the values before it",
                                              d->where, values[i].pcr);
                common &= r;
        }
        if (!rc && count == 0)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, map), "PCR value",
                                      "the map holds no PCR values");
        /* Measurement configs, the maps with "expected" members, write
         * their values in hex. So does a map whose every value is hex
         * digits: a base64 digest made only of hex digits is too unlikely
         * to read it that way unless the format is named. */
        if (!rc && (*any_object || all_hex) && (common & READINGS_HEX))
                common &= READINGS_HEX;
        else if (!rc && all_hex && d->allowed != (readings)READINGS_BASE64)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, map), "PCR value",
                                      "the values are hex, but of no digest size of the banks considered; if they are base64, name the format with --expected-format pcr-reader-json or pcr-reader-yaml");
        if (!rc && (common & (common - 1)))
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, map), "PCR value",
                                      "the values fit more than one bank or encoding (64 characters are SHA-256 in hex or SHA-384 in base64): name the bank with --bank or the format with --expected-format");
        if (!rc)
                bit = lowest_bit(common);
        for (i = 0; !rc && i < count; i++) {
                uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
                size_t len = 0;
                const char *text = scalar(values[i].node, &len);
                long n = bit < 16 ? pcrsim_decode_hex(text, len, digest, sizeof(digest)) :
                                    decode_base64(text, len, digest, sizeof(digest));

                locate(d, values[i].node);
                rc = store(d->ref, d->banks[bit % 16], values[i].pcr, digest, (size_t)n,
                           values[i].warn_only, node_offset(d, values[i].node), d->where, err);
        }
        if (!rc)
                d->ref->encoding = bit < 16 ? PCRSIM_REF_ENCODING_HEX : PCRSIM_REF_ENCODING_BASE64;
        free(values);
        return rc;
}

/* Tells whether a mapping's keys are all bank names, as in tpm2_pcrread
 * output. */
static bool keys_are_banks(struct doc *d, const yaml_node_t *map)
{
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(&d->yaml, p->key);
                size_t len = 0;
                const char *text = scalar(k, &len);
                char name[32];

                if (!text || len >= sizeof(name))
                        return false;
                memcpy(name, text, len);
                name[len] = '\0';
                if (!pcrsim_alg_by_name(name))
                        return false;
        }
        return map->data.mapping.pairs.top > map->data.mapping.pairs.start;
}

/* Reads tpm2_pcrread output, where each bank maps PCR indices to hex
 * values, and pcrsim's output for several banks, where they are base64. */
static enum pcrsim_error_code read_pcrread(struct doc *d, const yaml_node_t *map,
                                           struct pcrsim_error *err)
{
        size_t base64_values = 0;

        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(&d->yaml, p->key);
                yaml_node_t *v = yaml_document_get_node(&d->yaml, p->value);
                const struct pcrsim_alg_info *info;
                char name[32];
                size_t len = 0;
                const char *text = scalar(k, &len);

                memcpy(name, text, len);
                name[len] = '\0';
                info = pcrsim_alg_by_name(name);
                locate(d, v);
                if (v->type != YAML_MAPPING_NODE)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, v), "bank",
                                                "%sbank %s is not a map of PCR index to value",
                                                d->where, name);
                for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                        yaml_node_t *ik = yaml_document_get_node(&d->yaml, q->key);
                        yaml_node_t *iv = yaml_document_get_node(&d->yaml, q->value);
                        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
                        const char *itext = scalar(ik, &len), *vtext;
                        size_t vlen;
                        uint32_t pcr;
                        long n;
                        enum pcrsim_error_code rc;

                        locate(d, ik);
                        if (!itext || !parse_index(itext, len, &pcr))
                                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, ik),
                                                        "PCR index",
                                                        "%sexpected a PCR index in decimal as the key",
                                                        d->where);
                        vtext = scalar(iv, &vlen);
                        locate(d, iv);
                        n = vtext ? pcrsim_decode_hex(vtext, vlen, digest, sizeof(digest)) : -1;
                        /* pcrsim's own multi-bank JSON and YAML carry base64:
                         * a value of the bank's size in base64 is never
                         * hex of that size too. */
                        if (vtext && n != (long)info->digest_size &&
                            decode_base64(vtext, vlen, digest, sizeof(digest)) == (long)info->digest_size) {
                                n = (long)info->digest_size;
                                base64_values++;
                        }
                        if (n < 0)
                                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, iv),
                                                        "PCR value",
                                                        "%sthe value of %s PCR %" PRIu32 " is neither hex nor base64 of a %s digest",
                                                        d->where, name, pcr, name);
                        rc = store(d->ref, info->id, pcr, digest, (size_t)n, false, node_offset(d, iv),
                                   d->where, err);
                        if (rc)
                                return rc;
                }
        }
        d->ref->encoding = base64_values ? PCRSIM_REF_ENCODING_BASE64 : PCRSIM_REF_ENCODING_HEX;
        return PCRSIM_OK;
}

/* Finds the first mapping under a key "measurements", depth first. */
static const yaml_node_t *find_measurements(struct doc *d, const yaml_node_t *node, int depth)
{
        if (depth > 32)
                return NULL;
        if (node->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = yaml_document_get_node(&d->yaml, p->key);
                        yaml_node_t *v = yaml_document_get_node(&d->yaml, p->value);
                        const yaml_node_t *found;

                        if (scalar_is(k, "measurements") && v->type == YAML_MAPPING_NODE)
                                return v;
                        found = find_measurements(d, v, depth + 1);
                        if (found)
                                return found;
                }
        } else if (node->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++) {
                        const yaml_node_t *found = find_measurements(d, yaml_document_get_node(&d->yaml, *i),
                                                                     depth + 1);

                        if (found)
                                return found;
                }
        }
        return NULL;
}

static bool first_key_is_index(struct doc *d, const yaml_node_t *map)
{
        uint32_t pcr;
        size_t len = 0;
        const char *text;

        if (map->data.mapping.pairs.top == map->data.mapping.pairs.start)
                return false;
        text = scalar(yaml_document_get_node(&d->yaml, map->data.mapping.pairs.start->key), &len);
        return text && parse_index(text, len, &pcr);
}

static enum pcrsim_error_code parse_tree(const uint8_t *data, size_t size, bool json,
                                         enum pcrsim_ref_format format, struct doc *d,
                                         struct pcrsim_error *err)
{
        yaml_node_t *root;
        const yaml_node_t *map;
        enum pcrsim_error_code rc;
        bool any_object = false;

        d->data = data;
        d->size = size;
        rc = pcrsim_yaml_load(data, size, json ? "JSON" : "YAML", &d->yaml, err);
        if (rc)
                return rc;
        root = yaml_document_get_root_node(&d->yaml);
        if (!root || root->type != YAML_MAPPING_NODE) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, root ? node_offset(d, root) : 0,
                                      json ? "JSON" : "YAML",
                                      "the document is not a map: expected PCR indices, bank names or a measurements section at the top");
                yaml_document_delete(&d->yaml);
                return rc;
        }
        if (root->data.mapping.pairs.top == root->data.mapping.pairs.start) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, root), "PCR value",
                                      "the map holds no PCR values");
                yaml_document_delete(&d->yaml);
                return rc;
        }
        if (format == PCRSIM_REF_TPM2_PCRREAD_YAML || (format == PCRSIM_REF_AUTO && keys_are_banks(d, root))) {
                d->ref->format = PCRSIM_REF_TPM2_PCRREAD_YAML;
                if (!keys_are_banks(d, root))
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, root), "bank",
                                              "the top-level keys are not all bank names such as sha256");
                else
                        rc = read_pcrread(d, root, err);
                yaml_document_delete(&d->yaml);
                return rc;
        }
        map = root;
        if (format == PCRSIM_REF_CONFIG_YAML || (format == PCRSIM_REF_AUTO && !first_key_is_index(d, root))) {
                map = find_measurements(d, root, 0);
                d->ref->format = PCRSIM_REF_CONFIG_YAML;
                if (!map) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, node_offset(d, root), "measurements",
                                              "the top-level keys are neither PCR indices nor bank names, and no \"measurements:\" map was found");
                        yaml_document_delete(&d->yaml);
                        return rc;
                }
        }
        rc = read_index_map(d, map, &any_object, err);
        if (!rc && map == root) {
                bool base64_strings = d->ref->encoding == PCRSIM_REF_ENCODING_BASE64 && !any_object;

                if (json)
                        d->ref->format = base64_strings ? PCRSIM_REF_PCR_READER_JSON : PCRSIM_REF_MEASUREMENTS_JSON;
                else
                        d->ref->format = base64_strings ? PCRSIM_REF_PCR_READER_YAML : PCRSIM_REF_MEASUREMENTS_YAML;
        }
        yaml_document_delete(&d->yaml);
        return rc;
}

/* ---- Go source ---- */

struct go_lexer {
        const char *p, *start, *end;
};

static void go_skip_space(struct go_lexer *l)
{
        while (l->p < l->end) {
                if (isspace((unsigned char)*l->p)) {
                        l->p++;
                } else if (l->end - l->p >= 2 && l->p[0] == '/' && l->p[1] == '/') {
                        while (l->p < l->end && *l->p != '\n')
                                l->p++;
                } else {
                        break;
                }
        }
}

static bool go_expect(struct go_lexer *l, char c)
{
        go_skip_space(l);
        if (l->p < l->end && *l->p == c) {
                l->p++;
                return true;
        }
        return false;
}

/* Reads an integer literal in decimal or 0x hex. */
static bool go_number(struct go_lexer *l, uint64_t *out)
{
        int base = 10;
        bool any = false;
        uint64_t v = 0;

        go_skip_space(l);
        if (l->end - l->p > 2 && l->p[0] == '0' && (l->p[1] == 'x' || l->p[1] == 'X')) {
                base = 16;
                l->p += 2;
        }
        while (l->p < l->end) {
                int digit = base == 16 ? hex_nibble((unsigned char)*l->p) :
                            isdigit((unsigned char)*l->p) ? *l->p - '0' : -1;

                if (digit < 0)
                        break;
                if (v > (UINT32_MAX - (uint64_t)digit) / (uint64_t)base)
                        return false;
                v = v * (uint64_t)base + (uint64_t)digit;
                l->p++;
                any = true;
        }
        *out = v;
        return any;
}

static enum pcrsim_error_code go_error(const struct go_lexer *l, const char *field, const char *what,
                                       struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, (uint64_t)(l->p - l->start), field,
                                "Go source: %s", what);
}

static enum pcrsim_error_code parse_go(const char *text, size_t size, struct doc *d,
                                       struct pcrsim_error *err)
{
        static const char map_type[] = "map[uint32][]byte{";
        struct go_lexer l = { text, text, text + size };
        const char *found = NULL;

        for (const char *p = text; p + sizeof(map_type) - 1 <= l.end; p++) {
                if (memcmp(p, map_type, sizeof(map_type) - 1) == 0) {
                        found = p;
                        break;
                }
        }
        if (!found)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "Go source",
                                        "no map[uint32][]byte{ literal found");
        l.p = found + sizeof(map_type) - 1;
        d->ref->format = PCRSIM_REF_GO;
        d->ref->encoding = PCRSIM_REF_ENCODING_NONE;
        for (;;) {
                uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
                const char *value_start;
                uint64_t pcr, byte;
                size_t n = 0;
                readings r = 0;
                enum pcrsim_error_code rc;

                if (go_expect(&l, '}'))
                        break;
                if (!go_number(&l, &pcr))
                        return go_error(&l, "PCR index", "expected a PCR index or the closing brace", err);
                if (!go_expect(&l, ':') || !go_expect(&l, '{'))
                        return go_error(&l, "PCR value", "expected ': {' after the PCR index", err);
                value_start = l.p;
                while (!go_expect(&l, '}')) {
                        if (n == sizeof(digest))
                                return go_error(&l, "PCR value", "the value is longer than any digest", err);
                        if (!go_number(&l, &byte) || byte > 0xFF)
                                return go_error(&l, "PCR value", "expected a byte such as 0x3D", err);
                        digest[n++] = (uint8_t)byte;
                        if (!go_expect(&l, ',') && !(go_skip_space(&l), l.p < l.end && *l.p == '}'))
                                return go_error(&l, "PCR value", "expected ',' or '}' after a byte", err);
                }
                for (uint32_t b = 0; b < d->bank_count; b++) {
                        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(d->banks[b]);

                        if (info && info->digest_size == n)
                                r |= 1u << b;
                }
                if (!r || (r & (r - 1)))
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, (uint64_t)(value_start - text),
                                                "PCR value",
                                                r ? "Go source: a %zu-byte value fits more than one bank: name it with --bank" :
                                                    "Go source: no bank considered has %zu-byte digests",
                                                n);
                rc = store(d->ref, d->banks[lowest_bit(r)], (uint32_t)pcr, digest, n, false,
                           (uint64_t)(value_start - text), "Go source: ", err);
                if (rc)
                        return rc;
                if (!go_expect(&l, ',')) {
                        if (!go_expect(&l, '}'))
                                return go_error(&l, "Go source", "expected ',' or '}' after a value", err);
                        break;
                }
        }
        return PCRSIM_OK;
}

/* ---- text lists ---- */

/* Splits a line into whitespace-separated words; returns their count. */
static size_t split_words(const char *line, size_t len, const char **words, size_t *lens, size_t max)
{
        size_t n = 0, i = 0;

        while (i < len) {
                while (i < len && isspace((unsigned char)line[i]))
                        i++;
                if (i == len || line[i] == '#')
                        break;
                if (n < max) {
                        words[n] = line + i;
                        lens[n] = 0;
                }
                while (i < len && !isspace((unsigned char)line[i])) {
                        if (n < max)
                                lens[n]++;
                        i++;
                }
                n++;
        }
        return n;
}

/* Tells whether every line with content is "BANK INDEX HEX". */
static bool looks_like_text_list(const char *text, size_t size)
{
        size_t start = 0, lines = 0;

        while (start < size) {
                const char *nl = memchr(text + start, '\n', size - start);
                size_t len = nl ? (size_t)(nl - (text + start)) : size - start;
                const char *words[4];
                size_t lens[4], n = split_words(text + start, len, words, lens, 4);
                char name[32];
                uint32_t pcr;

                if (n != 0) {
                        if (n != 3 || lens[0] >= sizeof(name) || !parse_index(words[1], lens[1], &pcr))
                                return false;
                        memcpy(name, words[0], lens[0]);
                        name[lens[0]] = '\0';
                        if (!pcrsim_alg_by_name(name))
                                return false;
                        lines++;
                }
                start += len + 1;
        }
        return lines > 0;
}

static enum pcrsim_error_code parse_text(const char *text, size_t size, struct doc *d,
                                         struct pcrsim_error *err)
{
        size_t start = 0, line = 1;

        d->ref->format = PCRSIM_REF_TEXT;
        d->ref->encoding = PCRSIM_REF_ENCODING_HEX;
        for (; start < size; line++) {
                const char *nl = memchr(text + start, '\n', size - start);
                size_t len = nl ? (size_t)(nl - (text + start)) : size - start;
                const char *words[4];
                size_t lens[4], n = split_words(text + start, len, words, lens, 4);
                const struct pcrsim_alg_info *info = NULL;
                uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
                char name[32];
                uint32_t pcr;
                long bytes;
                enum pcrsim_error_code rc;

                snprintf(d->where, sizeof(d->where), "line %zu: ", line);
                if (n == 0) {
                        start += len + 1;
                        continue;
                }
                if (n == 3 && lens[0] < sizeof(name)) {
                        memcpy(name, words[0], lens[0]);
                        name[lens[0]] = '\0';
                        info = pcrsim_alg_by_name(name);
                }
                if (!info || !parse_index(words[1], lens[1], &pcr))
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, start, "line",
                                                "%sexpected \"BANK INDEX HEX\", such as \"sha256 0 3d45...\"",
                                                d->where);
                bytes = pcrsim_decode_hex(words[2], lens[2], digest, sizeof(digest));
                if (bytes < 0)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, (uint64_t)(words[2] - text),
                                                "PCR value", "%sthe value is not hex", d->where);
                rc = store(d->ref, info->id, pcr, digest, (size_t)bytes, false,
                           (uint64_t)(words[2] - text), d->where, err);
                if (rc)
                        return rc;
                start += len + 1;
        }
        if (d->ref->value_count == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "line", "the list holds no values");
        return PCRSIM_OK;
}

/* ---- entry points ---- */

static void init_doc(struct doc *d, struct pcrsim_reference *out, const struct pcrsim_ref_options *opts)
{
        memset(out, 0, sizeof(*out));
        memset(d, 0, sizeof(*d));
        d->ref = out;
        candidate_banks(opts, d->banks, &d->bank_count);
        d->allowed = READINGS_HEX | READINGS_BASE64;
        if (opts && (opts->format == PCRSIM_REF_PCR_READER_JSON ||
                     opts->format == PCRSIM_REF_PCR_READER_YAML))
                d->allowed = READINGS_BASE64;
        if (opts && (opts->format == PCRSIM_REF_MEASUREMENTS_JSON ||
                     opts->format == PCRSIM_REF_MEASUREMENTS_YAML))
                d->allowed = READINGS_HEX;
}

/* Reads the binary PCR file of tpm2_quote -o, the one binary format. */
static enum pcrsim_error_code read_pcr_file(const void *data, size_t size,
                                            struct pcrsim_reference *out, struct pcrsim_error *err)
{
        enum pcrsim_error_code rc = pcrsim_quote_pcr_file_parse(data, size, &out->set, err);

        out->format = PCRSIM_REF_TPM2_PCRS;
        out->encoding = PCRSIM_REF_ENCODING_NONE;
        for (uint32_t b = 0; !rc && b < out->set.bank_count; b++)
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                        out->value_count += out->set.banks[b].pcrs[pcr].present;
        return rc;
}

/* Tells whether `text` (not NUL-terminated) contains `word`. */
static bool contains(const char *text, size_t size, const char *word)
{
        size_t n = strlen(word);

        for (size_t i = 0; i + n <= size; i++)
                if (memcmp(text + i, word, n) == 0)
                        return true;
        return false;
}

static enum pcrsim_error_code parse_any(const void *data, size_t size,
                                        const struct pcrsim_ref_options *opts,
                                        struct pcrsim_reference *out, struct pcrsim_error *err)
{
        enum pcrsim_ref_format format = opts ? opts->format : PCRSIM_REF_AUTO;
        const uint8_t *bytes = data;
        const char *text = data;
        size_t skip = 0;
        bool json;
        struct doc d;

        init_doc(&d, out, opts);
        if (size > PCRSIM_MAX_REFERENCE_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_MAX_REFERENCE_SIZE, "file size",
                                        "reference values of more than %u bytes", PCRSIM_MAX_REFERENCE_SIZE);
        if (format == PCRSIM_REF_SYSFS)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the sysfs format is a folder, not a file");
        if (format == PCRSIM_REF_TPM2_PCRS)
                return read_pcr_file(data, size, out, err);
        for (size_t i = 0; i < size; i++) {
                if (bytes[i] == 0 || (bytes[i] < 0x20 && !isspace(bytes[i]))) {
                        if (format == PCRSIM_REF_AUTO) {
                                out->format_detected = true;
                                return read_pcr_file(data, size, out, err);
                        }
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, i, "file",
                                                "byte 0x%02x: the file is not text, which the %s format is",
                                                bytes[i], pcrsim_ref_format_name(format));
                }
        }
        while (skip < size && isspace(bytes[skip]))
                skip++;
        if (skip == size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, size, "file", "the file is empty");
        json = text[skip] == '{';
        out->format_detected = format == PCRSIM_REF_AUTO;
        if (format == PCRSIM_REF_GO || (format == PCRSIM_REF_AUTO && !json &&
                                        contains(text, size, "map[uint32][]byte")))
                return parse_go(text, size, &d, err);
        if (format == PCRSIM_REF_TEXT || (format == PCRSIM_REF_AUTO && !json && looks_like_text_list(text, size)))
                return parse_text(text, size, &d, err);
        if (format == PCRSIM_REF_PCR_READER_JSON || format == PCRSIM_REF_MEASUREMENTS_JSON)
                json = true;
        return parse_tree(bytes, size, json, format, &d, err);
}

enum pcrsim_error_code pcrsim_reference_parse(const void *data, size_t size,
                                              const struct pcrsim_ref_options *opts,
                                              struct pcrsim_reference *out,
                                              struct pcrsim_error *err)
{
        enum pcrsim_error_code rc = parse_any(data, size, opts, out, err);

        /* A reference without values would make every comparison pass. */
        if (!rc && out->value_count == 0)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "PCR value",
                                      "the %s input holds no PCR values",
                                      pcrsim_ref_format_name(out->format));
        return rc;
}

/* ---- files, standard input and sysfs folders ---- */

/* Reads a whole stream until end of file, so that pipes and sysfs files,
 * whose size stat() reports as 0, read completely. */
static enum pcrsim_error_code read_stream(FILE *f, uint8_t **data, size_t *size,
                                          struct pcrsim_error *err)
{
        size_t cap = 4096, len = 0;
        uint8_t *buf = malloc(cap);

        if (!buf)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        for (;;) {
                size_t n = fread(buf + len, 1, cap - len, f);

                len += n;
                if (len > PCRSIM_MAX_REFERENCE_SIZE) {
                        free(buf);
                        return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_MAX_REFERENCE_SIZE,
                                                "file size",
                                                "reference values of more than %u bytes",
                                                PCRSIM_MAX_REFERENCE_SIZE);
                }
                if (len < cap) {
                        if (ferror(f)) {
                                free(buf);
                                return pcrsim_error_set(err, PCRSIM_ERR_IO, len, NULL,
                                                        "read failed: %s", strerror(errno));
                        }
                        break;
                }
                cap *= 2;
                uint8_t *grown = realloc(buf, cap);

                if (!grown) {
                        free(buf);
                        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                                "out of memory");
                }
                buf = grown;
        }
        *data = buf;
        *size = len;
        return PCRSIM_OK;
}

/* Joins a folder and a name; returns false when the result does not fit. */
static bool join(char *out, size_t size, const char *dir, const char *name)
{
        int n = snprintf(out, size, "%s/%s", dir, name);

        return n >= 0 && (size_t)n < size;
}

/* Reads one pcr-BANK folder: files named by PCR index, each holding the
 * value in hex on one line. */
static enum pcrsim_error_code read_sysfs_bank(const char *dir, const struct pcrsim_alg_info *info,
                                              struct pcrsim_reference *ref,
                                              struct pcrsim_error *err)
{
        DIR *d = opendir(dir);
        struct dirent *entry;
        enum pcrsim_error_code rc = PCRSIM_OK;

        if (!d)
                return pcrsim_error_set(err, PCRSIM_ERR_IO, PCRSIM_NO_OFFSET, NULL,
                                        "%s: cannot open the folder: %s", dir, strerror(errno));
        while (!rc && (entry = readdir(d)) != NULL) {
                char path[4096], where[4200];
                uint8_t digest[PCRSIM_MAX_DIGEST_SIZE], *data = NULL;
                size_t size = 0, len;
                uint32_t pcr;
                long n;
                FILE *f;

                if (!parse_index(entry->d_name, strlen(entry->d_name), &pcr))
                        continue;
                if (!join(path, sizeof(path), dir, entry->d_name)) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                              "%s: the path is too long", dir);
                        break;
                }
                snprintf(where, sizeof(where), "%s: ", path);
                f = fopen(path, "rb");
                if (!f) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_IO, PCRSIM_NO_OFFSET, NULL,
                                              "%scannot open: %s", where, strerror(errno));
                        break;
                }
                rc = read_stream(f, &data, &size, err);
                fclose(f);
                if (rc)
                        break;
                len = size;
                while (len > 0 && isspace(data[len - 1]))
                        len--;
                n = pcrsim_decode_hex((const char *)data, len, digest, sizeof(digest));
                if (n < 0)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "PCR value",
                                              "%sthe file does not hold one value in hex", where);
                else
                        rc = store(ref, info->id, pcr, digest, (size_t)n, false, 0, where, err);
                free(data);
        }
        closedir(d);
        return rc;
}

/* Reads a folder laid out like /sys/class/tpm/tpm0 (pcr-BANK folders in
 * it), or one pcr-BANK folder itself. */
static enum pcrsim_error_code read_sysfs(const char *dir, struct pcrsim_reference *ref,
                                         struct pcrsim_error *err)
{
        const char *base = strrchr(dir, '/');
        const struct pcrsim_alg_info *info;
        enum pcrsim_error_code rc = PCRSIM_OK;
        struct dirent *entry;
        DIR *d;

        ref->format = PCRSIM_REF_SYSFS;
        ref->encoding = PCRSIM_REF_ENCODING_HEX;
        base = base && base[1] ? base + 1 : dir;
        if (strncmp(base, "pcr-", 4) == 0 && (info = pcrsim_alg_by_name(base + 4)) != NULL) {
                rc = read_sysfs_bank(dir, info, ref, err);
        } else {
                d = opendir(dir);
                if (!d)
                        return pcrsim_error_set(err, PCRSIM_ERR_IO, PCRSIM_NO_OFFSET, NULL,
                                                "%s: cannot open the folder: %s", dir, strerror(errno));
                while (!rc && (entry = readdir(d)) != NULL) {
                        char path[4096];

                        if (strncmp(entry->d_name, "pcr-", 4) != 0)
                                continue;
                        info = pcrsim_alg_by_name(entry->d_name + 4);
                        if (!info)
                                continue;
                        if (!join(path, sizeof(path), dir, entry->d_name))
                                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                      "%s: the path is too long", dir);
                        else
                                rc = read_sysfs_bank(path, info, ref, err);
                }
                closedir(d);
        }
        if (!rc && ref->value_count == 0)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                      "%s: no PCR files found: expected pcr-BANK folders, or files named 0 to 23 in a pcr-BANK folder",
                                      dir);
        return rc;
}

enum pcrsim_error_code pcrsim_reference_read(const char *path, const struct pcrsim_ref_options *opts,
                                             struct pcrsim_reference *out,
                                             struct pcrsim_error *err)
{
        struct stat st;
        uint8_t *data = NULL;
        size_t size = 0;
        enum pcrsim_error_code rc;
        FILE *f;

        if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                struct doc d;

                if (opts && opts->format != PCRSIM_REF_AUTO && opts->format != PCRSIM_REF_SYSFS)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                "%s is a folder, which only the sysfs format reads",
                                                path);
                init_doc(&d, out, opts);
                out->format_detected = !opts || opts->format == PCRSIM_REF_AUTO;
                return read_sysfs(path, out, err);
        }
        f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!f)
                return pcrsim_error_set(err, PCRSIM_ERR_IO, PCRSIM_NO_OFFSET, NULL,
                                        "cannot open: %s", strerror(errno));
        rc = read_stream(f, &data, &size, err);
        if (f != stdin)
                fclose(f);
        if (rc)
                return rc;
        rc = pcrsim_reference_parse(data, size, opts, out, err);
        free(data);
        return rc;
}
