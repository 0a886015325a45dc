/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading of YAML and JSON documents from untrusted input. libyaml builds
 * the node tree, after a streaming pass that makes the checks libyaml does
 * not make itself: a nesting limit (libyaml's scanner slows down with the
 * square of the flow nesting depth), one document only, and no NUL
 * character in a scalar. Duplicate mapping keys are rejected in the tree.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/limits.h"
#include "yaml_internal.h"

uint64_t pcrsim_yaml_byte_offset(const void *data, size_t size, yaml_mark_t mark)
{
        const unsigned char *p = data;
        size_t pos = 0, line = 0, column = 0;

        /* libyaml counts characters: lines end at LF, CR or CR LF, and a
         * column advances by one per UTF-8 character. */
        while (pos < size && line < mark.line) {
                if (p[pos] == '\r' && pos + 1 < size && p[pos + 1] == '\n')
                        pos++;
                if (p[pos] == '\n' || p[pos] == '\r')
                        line++;
                pos++;
        }
        while (pos < size && column < mark.column) {
                pos++;
                while (pos < size && (p[pos] & 0xC0) == 0x80)
                        pos++;
                column++;
        }
        return pos;
}

static enum pcrsim_error_code fail_mark(struct pcrsim_error *err, enum pcrsim_error_code code,
                                        const void *data, size_t size, yaml_mark_t mark,
                                        const char *field, const char *what)
{
        return pcrsim_error_set(err, code, pcrsim_yaml_byte_offset(data, size, mark), field,
                                "line %zu, column %zu: %s", mark.line + 1, mark.column + 1, what);
}

/* Streams the events of the input and checks the depth, the number of
 * documents and the scalars, without building a tree. */
static enum pcrsim_error_code scan(const void *data, size_t size, const char *field,
                                   struct pcrsim_error *err)
{
        yaml_parser_t parser;
        enum pcrsim_error_code rc = PCRSIM_OK;
        unsigned depth = 0, documents = 0;
        bool done = false;

        if (!yaml_parser_initialize(&parser))
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        yaml_parser_set_input_string(&parser, data, size);
        while (!rc && !done) {
                yaml_event_t ev;

                if (!yaml_parser_parse(&parser, &ev)) {
                        char what[200];

                        snprintf(what, sizeof(what), "not valid %s: %s%s%s", field,
                                 parser.problem ? parser.problem : "syntax error",
                                 parser.context ? " " : "", parser.context ? parser.context : "");
                        rc = fail_mark(err, parser.error == YAML_MEMORY_ERROR ? PCRSIM_ERR_NOMEM :
                                       PCRSIM_ERR_INVALID, data, size, parser.problem_mark, field, what);
                        break;
                }
                switch (ev.type) {
                case YAML_DOCUMENT_START_EVENT:
                        if (++documents > 1)
                                rc = fail_mark(err, PCRSIM_ERR_INVALID, data, size, ev.start_mark, field,
                                               "a second document starts here; the input must hold one");
                        break;
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT:
                        if (++depth > PCRSIM_MAX_YAML_DEPTH) {
                                char what[80];

                                snprintf(what, sizeof(what), "nested more than %u levels deep",
                                         PCRSIM_MAX_YAML_DEPTH);
                                rc = fail_mark(err, PCRSIM_ERR_LIMIT, data, size, ev.start_mark,
                                               field, what);
                        }
                        break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT:
                        depth--;
                        break;
                case YAML_SCALAR_EVENT:
                        if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
                                rc = fail_mark(err, PCRSIM_ERR_INVALID, data, size, ev.start_mark, field,
                                               "a string contains a NUL character");
                        break;
                case YAML_STREAM_END_EVENT:
                        done = true;
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        return rc;
}

struct key_ref {
        const yaml_node_t *node;
};

static int compare_keys(const void *a, const void *b)
{
        const yaml_node_t *x = ((const struct key_ref *)a)->node, *y = ((const struct key_ref *)b)->node;
        size_t n = x->data.scalar.length < y->data.scalar.length ? x->data.scalar.length :
                   y->data.scalar.length;
        int c = memcmp(x->data.scalar.value, y->data.scalar.value, n);

        if (c)
                return c;
        if (x->data.scalar.length != y->data.scalar.length)
                return x->data.scalar.length < y->data.scalar.length ? -1 : 1;
        /* Equal keys: the one that comes first in the input first. */
        return x->start_mark.index < y->start_mark.index ? -1 : x->start_mark.index > y->start_mark.index;
}

/* Rejects a mapping that has the same scalar key twice, which libyaml
 * keeps and readers would take only one of. */
static enum pcrsim_error_code check_duplicate_keys(yaml_document_t *doc, const void *data,
                                                   size_t size, const char *field,
                                                   struct pcrsim_error *err)
{
        for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
                size_t count, used = 0;
                struct key_ref *keys;
                enum pcrsim_error_code rc = PCRSIM_OK;

                if (n->type != YAML_MAPPING_NODE)
                        continue;
                count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
                if (count < 2)
                        continue;
                keys = calloc(count, sizeof(*keys));
                if (!keys)
                        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                                "out of memory");
                for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = yaml_document_get_node(doc, p->key);

                        if (k && k->type == YAML_SCALAR_NODE)
                                keys[used++].node = k;
                }
                qsort(keys, used, sizeof(*keys), compare_keys);
                for (size_t i = 1; !rc && i < used; i++) {
                        const yaml_node_t *a = keys[i - 1].node, *b = keys[i].node;
                        char what[160];

                        if (a->data.scalar.length != b->data.scalar.length ||
                            memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length))
                                continue;
                        snprintf(what, sizeof(what), "key '%.60s' appears a second time in one mapping (first at line %zu)",
                                 (const char *)b->data.scalar.value, a->start_mark.line + 1);
                        rc = fail_mark(err, PCRSIM_ERR_INVALID, data, size, b->start_mark, field, what);
                }
                free(keys);
                if (rc)
                        return rc;
        }
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_yaml_load(const void *data, size_t size, const char *field,
                                        yaml_document_t *doc, struct pcrsim_error *err)
{
        yaml_parser_t parser;
        enum pcrsim_error_code rc = scan(data, size, field, err);

        if (rc)
                return rc;
        if (!yaml_parser_initialize(&parser))
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        yaml_parser_set_input_string(&parser, data, size);
        if (!yaml_parser_load(&parser, doc)) {
                char what[200];

                snprintf(what, sizeof(what), "not valid %s: %s", field,
                         parser.problem ? parser.problem : "syntax error");
                rc = fail_mark(err, parser.error == YAML_MEMORY_ERROR ? PCRSIM_ERR_NOMEM :
                               PCRSIM_ERR_INVALID, data, size, parser.problem_mark, field, what);
                yaml_parser_delete(&parser);
                return rc;
        }
        yaml_parser_delete(&parser);
        rc = check_duplicate_keys(doc, data, size, field, err);
        if (rc)
                yaml_document_delete(doc);
        return rc;
}

enum pcrsim_error_code pcrsim_yaml_failv(const void *data, size_t size, const yaml_node_t *node,
                                         const char *field, struct pcrsim_error *err,
                                         const char *fmt, va_list ap)
{
        char message[256];

        vsnprintf(message, sizeof(message), fmt, ap);
        return fail_mark(err, PCRSIM_ERR_INVALID, data, size, node->start_mark, field, message);
}

const char *pcrsim_yaml_text(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *pcrsim_yaml_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                const char *k = pcrsim_yaml_text(yaml_document_get_node(doc, p->key));

                if (k && strcmp(k, key) == 0)
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

size_t pcrsim_yaml_items(const yaml_node_t *seq)
{
        return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

bool pcrsim_yaml_parse_pcr(const char *text, uint32_t *out)
{
        size_t len = text ? strlen(text) : 0;

        if (len == 0 || len > 2 || (len == 2 && text[0] == '0'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (text[i] < '0' || text[i] > '9')
                        return false;
        *out = (uint32_t)(text[0] - '0');
        if (len == 2)
                *out = *out * 10 + (uint32_t)(text[1] - '0');
        return *out < PCRSIM_PCR_COUNT;
}
