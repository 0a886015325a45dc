/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_FORMATS_YAML_INTERNAL_H
#define PCRSIM_FORMATS_YAML_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "pcrsim/error.h"

/* YAML and JSON loading shared by the readers in formats/. Not installed. */

/*
 * Loads the one document of `data` into `doc`. Fails with a LIMIT error on
 * nesting deeper than PCRSIM_MAX_YAML_DEPTH, and with INVALID on a syntax
 * error, a second document, a NUL character in a string, or a key that
 * appears twice in one mapping. `field` ("YAML" or "JSON") names the input
 * in messages, which start with the line and column. On success the
 * caller deletes `doc` with yaml_document_delete().
 */
enum pcrsim_error_code pcrsim_yaml_load(const void *data, size_t size, const char *field,
                                        yaml_document_t *doc, struct pcrsim_error *err);

/* Returns the byte offset in `data` of a libyaml mark, whose index counts
 * characters rather than bytes. */
uint64_t pcrsim_yaml_byte_offset(const void *data, size_t size, yaml_mark_t mark);

/* Sets `err` to an INVALID error at `node` of the document loaded from
 * `data`: its byte offset, and a message that starts with "line L,
 * column C: ". Returns PCRSIM_ERR_INVALID. */
enum pcrsim_error_code pcrsim_yaml_failv(const void *data, size_t size, const yaml_node_t *node,
                                         const char *field, struct pcrsim_error *err,
                                         const char *fmt, va_list ap)
        __attribute__((format(printf, 6, 0)));

/* Returns the text of a scalar node, or NULL for any other node. Scalars
 * of a document that pcrsim_yaml_load() loaded have no NUL character, so
 * the text is the whole value. */
const char *pcrsim_yaml_text(const yaml_node_t *n);

/* Returns the value of `key` in mapping `map`, or NULL when `map` is not a
 * mapping or has no such key. */
yaml_node_t *pcrsim_yaml_get(yaml_document_t *doc, const yaml_node_t *map, const char *key);

/* Returns the number of items of a sequence node. */
size_t pcrsim_yaml_items(const yaml_node_t *seq);

/* Parses a PCR index from 0 to 23 in decimal, without sign or leading
 * zeros. */
bool pcrsim_yaml_parse_pcr(const char *text, uint32_t *out);

#endif
