/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "pcrsim/format.h"

static int emit(yaml_emitter_t *em, yaml_event_t *ev)
{
        return yaml_emitter_emit(em, ev);
}

static int emit_scalar(yaml_emitter_t *em, const char *text, yaml_scalar_style_t style)
{
        yaml_event_t ev;

        return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
                                            (int)strlen(text), 1, 1, style) &&
               emit(em, &ev);
}

static int emit_value(yaml_emitter_t *em, const json_t *v, unsigned depth);

static int emit_object(yaml_emitter_t *em, const json_t *v, unsigned depth)
{
        const char *key;
        yaml_event_t ev;
        json_t *child;

        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
            !emit(em, &ev))
                return 0;
        json_object_foreach((json_t *)v, key, child) {
                if (!emit_scalar(em, key, YAML_PLAIN_SCALAR_STYLE) ||
                    !emit_value(em, child, depth + 1))
                        return 0;
        }
        return yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
}

static int emit_array(yaml_emitter_t *em, const json_t *v, unsigned depth)
{
        yaml_event_t ev;
        size_t i;
        json_t *child;

        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
            !emit(em, &ev))
                return 0;
        json_array_foreach((json_t *)v, i, child) {
                if (!emit_value(em, child, depth + 1))
                        return 0;
        }
        return yaml_sequence_end_event_initialize(&ev) && emit(em, &ev);
}

/* Strings are double-quoted so that hex digests stay strings for a YAML
 * 1.1 reader; numbers, booleans and null are plain. */
static int emit_value(yaml_emitter_t *em, const json_t *v, unsigned depth)
{
        char number[32];

        if (depth > 64)
                return 0;
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return emit_object(em, v, depth);
        case JSON_ARRAY:
                return emit_array(em, v, depth);
        case JSON_STRING:
                return emit_scalar(em, json_string_value(v), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        case JSON_INTEGER:
                snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return emit_scalar(em, number, YAML_PLAIN_SCALAR_STYLE);
        case JSON_REAL:
                snprintf(number, sizeof(number), "%.17g", json_real_value(v));
                return emit_scalar(em, number, YAML_PLAIN_SCALAR_STYLE);
        case JSON_TRUE:
                return emit_scalar(em, "true", YAML_PLAIN_SCALAR_STYLE);
        case JSON_FALSE:
                return emit_scalar(em, "false", YAML_PLAIN_SCALAR_STYLE);
        case JSON_NULL:
                return emit_scalar(em, "null", YAML_PLAIN_SCALAR_STYLE);
        }
        return 0;
}

static int yaml_to_strbuf(void *data, unsigned char *buffer, size_t size)
{
        struct pcrsim_strbuf *sb = data;

        pcrsim_strbuf_append(sb, (const char *)buffer, size);
        return !sb->failed;
}

static enum pcrsim_error_code write_yaml(const json_t *doc, struct pcrsim_strbuf *out,
                                         struct pcrsim_error *err)
{
        yaml_emitter_t em;
        yaml_event_t ev;
        int ok;

        if (!yaml_emitter_initialize(&em))
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate a YAML emitter");
        yaml_emitter_set_output(&em, yaml_to_strbuf, out);
        yaml_emitter_set_unicode(&em, 1);
        yaml_emitter_set_width(&em, -1);
        ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(&em, &ev) &&
             yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(&em, &ev) &&
             emit_value(&em, doc, 0) &&
             yaml_document_end_event_initialize(&ev, 1) && emit(&em, &ev) &&
             yaml_stream_end_event_initialize(&ev) && emit(&em, &ev);
        yaml_emitter_delete(&em);
        if (!ok || out->failed)
                return pcrsim_error_set(err, out->failed ? PCRSIM_ERR_NOMEM : PCRSIM_ERR_INTERNAL,
                                        PCRSIM_NO_OFFSET, NULL, "cannot write the YAML document");
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_format_document(const struct json_t *doc, bool yaml,
                                              struct pcrsim_strbuf *out,
                                              struct pcrsim_error *err)
{
        char *text;

        if (yaml)
                return write_yaml(doc, out, err);
        text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot write the JSON document");
        pcrsim_strbuf_printf(out, "%s\n", text);
        free(text);
        return out->failed ? pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                              "cannot allocate the JSON document")
                           : PCRSIM_OK;
}
