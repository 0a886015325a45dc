/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <yaml.h>

#include "pcrsim/alg.h"
#include "pcrsim/format.h"

/* Standard base64 with padding of a digest of at most 64 bytes. */
static void base64(const uint8_t *bytes, uint16_t size, char out[4 * 22 + 1])
{
        EVP_EncodeBlock((unsigned char *)out, bytes, size);
}

static enum pcrsim_error_code nomem(struct pcrsim_error *err, const char *what)
{
        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                "cannot allocate %s", what);
}

static enum pcrsim_error_code check_one_bank(const struct pcrsim_pcr_set *set,
                                             struct pcrsim_error *err)
{
        if (set->bank_count == 1)
                return PCRSIM_OK;
        return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                "this output format holds one bank, not %u",
                                set->bank_count);
}

static json_t *bank_to_json(const struct pcrsim_pcr_bank *bank)
{
        json_t *obj = json_object();

        for (uint32_t pcr = 0; obj && pcr < PCRSIM_PCR_COUNT; pcr++) {
                char key[12], value[4 * 22 + 1];

                if (!bank->pcrs[pcr].present)
                        continue;
                snprintf(key, sizeof(key), "%u", pcr);
                base64(bank->pcrs[pcr].digest, bank->size, value);
                if (json_object_set_new(obj, key, json_string(value)) != 0) {
                        json_decref(obj);
                        return NULL;
                }
        }
        return obj;
}

enum pcrsim_error_code pcrsim_format_json(const struct pcrsim_pcr_set *set,
                                          bool by_bank, struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err)
{
        json_t *root = NULL;
        char *text = NULL;

        if (!by_bank && check_one_bank(set, err))
                return PCRSIM_ERR_INTERNAL;
        if (by_bank) {
                root = json_object();
                for (uint32_t i = 0; root && i < set->bank_count; i++) {
                        char name[24];

                        pcrsim_alg_name(set->banks[i].alg, name, sizeof(name));
                        if (json_object_set_new(root, name,
                                                bank_to_json(&set->banks[i])) != 0) {
                                json_decref(root);
                                root = NULL;
                        }
                }
        } else {
                root = bank_to_json(&set->banks[0]);
        }
        /* JSON_SORT_KEYS orders keys by strcmp(), the string order that
         * pcr-reader's Go map encoding produces. */
        if (root)
                text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(root);
        if (!text)
                return nomem(err, "the JSON output");
        pcrsim_strbuf_printf(out, "%s\n", text);
        free(text);
        return out->failed ? nomem(err, "the JSON output") : PCRSIM_OK;
}

static int yaml_to_strbuf(void *data, unsigned char *buffer, size_t size)
{
        struct pcrsim_strbuf *sb = data;

        pcrsim_strbuf_append(sb, (const char *)buffer, size);
        return !sb->failed;
}

static int emit_scalar(yaml_emitter_t *em, const char *value,
                       yaml_scalar_style_t style)
{
        yaml_event_t ev;

        if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)value,
                                          (int)strlen(value), 1, 1, style))
                return 0;
        return yaml_emitter_emit(em, &ev);
}

static int emit_mapping_start(yaml_emitter_t *em)
{
        yaml_event_t ev;

        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE))
                return 0;
        return yaml_emitter_emit(em, &ev);
}

static int emit_mapping_end(yaml_emitter_t *em)
{
        yaml_event_t ev;

        if (!yaml_mapping_end_event_initialize(&ev))
                return 0;
        return yaml_emitter_emit(em, &ev);
}

static int emit_bank(yaml_emitter_t *em, const struct pcrsim_pcr_bank *bank)
{
        if (!emit_mapping_start(em))
                return 0;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                char key[12], value[4 * 22 + 1];

                if (!bank->pcrs[pcr].present)
                        continue;
                snprintf(key, sizeof(key), "%u", pcr);
                base64(bank->pcrs[pcr].digest, bank->size, value);
                /* Quoted, because a base64 string can look like a number
                 * or a boolean to a YAML 1.1 reader. */
                if (!emit_scalar(em, key, YAML_PLAIN_SCALAR_STYLE) ||
                    !emit_scalar(em, value, YAML_DOUBLE_QUOTED_SCALAR_STYLE))
                        return 0;
        }
        return emit_mapping_end(em);
}

static int emit_document(yaml_emitter_t *em, const struct pcrsim_pcr_set *set,
                         bool by_bank)
{
        yaml_event_t ev;

        if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
            !yaml_emitter_emit(em, &ev) ||
            !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) ||
            !yaml_emitter_emit(em, &ev))
                return 0;
        if (!by_bank) {
                if (!emit_bank(em, &set->banks[0]))
                        return 0;
        } else {
                if (!emit_mapping_start(em))
                        return 0;
                for (uint32_t i = 0; i < set->bank_count; i++) {
                        char name[24];

                        pcrsim_alg_name(set->banks[i].alg, name, sizeof(name));
                        if (!emit_scalar(em, name, YAML_PLAIN_SCALAR_STYLE) ||
                            !emit_bank(em, &set->banks[i]))
                                return 0;
                }
                if (!emit_mapping_end(em))
                        return 0;
        }
        return yaml_document_end_event_initialize(&ev, 1) &&
               yaml_emitter_emit(em, &ev) &&
               yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
}

enum pcrsim_error_code pcrsim_format_yaml(const struct pcrsim_pcr_set *set,
                                          bool by_bank, struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err)
{
        yaml_emitter_t em;
        int ok;

        if (!by_bank && check_one_bank(set, err))
                return PCRSIM_ERR_INTERNAL;
        if (!yaml_emitter_initialize(&em))
                return nomem(err, "a YAML emitter");
        yaml_emitter_set_output(&em, yaml_to_strbuf, out);
        yaml_emitter_set_unicode(&em, 0);
        /* No line folding: a digest stays on its key's line. */
        yaml_emitter_set_width(&em, -1);
        ok = emit_document(&em, set, by_bank);
        yaml_emitter_delete(&em);
        if (!ok || out->failed)
                return pcrsim_error_set(err, out->failed ? PCRSIM_ERR_NOMEM : PCRSIM_ERR_INTERNAL,
                                        PCRSIM_NO_OFFSET, NULL,
                                        "cannot write the YAML output");
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_format_text(const struct pcrsim_pcr_set *set,
                                          struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err)
{
        pcrsim_strbuf_printf(out, "%-4s %-8s %6s  %s\n", "PCR", "BANK", "EVENTS", "VALUE");
        for (uint32_t i = 0; i < set->bank_count; i++) {
                const struct pcrsim_pcr_bank *bank = &set->banks[i];
                char name[24];

                pcrsim_alg_name(bank->alg, name, sizeof(name));
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        if (!bank->pcrs[pcr].present)
                                continue;
                        pcrsim_strbuf_printf(out, "%-4u %-8s %6u  ", pcr, name,
                                             bank->pcrs[pcr].extend_count);
                        for (uint16_t b = 0; b < bank->size; b++)
                                pcrsim_strbuf_printf(out, "%02x", bank->pcrs[pcr].digest[b]);
                        if (bank->pcrs[pcr].partial)
                                pcrsim_strbuf_printf(out, " (partial)");
                        pcrsim_strbuf_append(out, "\n", 1);
                }
        }
        return out->failed ? nomem(err, "the text output") : PCRSIM_OK;
}
