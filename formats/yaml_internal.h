/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_FORMATS_YAML_INTERNAL_H
#define PCRSIM_FORMATS_YAML_INTERNAL_H

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

#endif
