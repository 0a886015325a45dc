/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_FORMAT_H
#define PCRSIM_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "pcrsim/error.h"
#include "pcrsim/pcrs.h"

/*
 * Growing text buffer that writers fill, so that the caller decides where
 * the output goes and prints nothing when a later step fails. After an
 * allocation failure `failed` is set and further appends do nothing.
 */
struct pcrsim_strbuf {
        char *data; /* NUL-terminated once anything was appended */
        size_t len;
        size_t cap;
        bool failed;
};

void pcrsim_strbuf_init(struct pcrsim_strbuf *sb);
void pcrsim_strbuf_free(struct pcrsim_strbuf *sb);
void pcrsim_strbuf_append(struct pcrsim_strbuf *sb, const char *s, size_t n);
void pcrsim_strbuf_printf(struct pcrsim_strbuf *sb, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * pcr-reader JSON: an object whose keys are decimal PCR indices in string
 * order ("0", "1", "10", ...) and whose values are standard base64, with a
 * two-space indent and a final newline. With `by_bank`, an object keyed by
 * bank name holding one such map per bank; otherwise `set` must hold one
 * bank.
 */
enum pcrsim_error_code pcrsim_format_json(const struct pcrsim_pcr_set *set,
                                          bool by_bank, struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err);

/* The same mapping as YAML: integer keys ascending, base64 values in
 * double quotes; with `by_bank`, one mapping per bank name. */
enum pcrsim_error_code pcrsim_format_yaml(const struct pcrsim_pcr_set *set,
                                          bool by_bank, struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err);

/*
 * Go source as gofmt prints it: `package PKG`, then
 * `var VAR = map[uint32][]byte{` with one `N: {0xAB, ...},` line per PCR
 * in ascending order, values aligned after the keys. `set` must hold one
 * bank; `package` and `var` must be valid Go identifiers.
 */
enum pcrsim_error_code pcrsim_format_go(const struct pcrsim_pcr_set *set,
                                        const char *package, const char *var,
                                        struct pcrsim_strbuf *out,
                                        struct pcrsim_error *err);

/* Table for people: PCR index, bank, events extended, hex value, and
 * "(partial)" after a value that is not complete. */
enum pcrsim_error_code pcrsim_format_text(const struct pcrsim_pcr_set *set,
                                          struct pcrsim_strbuf *out,
                                          struct pcrsim_error *err);

struct json_t;

/*
 * Writes a jansson document as JSON (two-space indent, keys in insertion
 * order) or as YAML (block style, strings double-quoted).
 */
enum pcrsim_error_code pcrsim_format_document(const struct json_t *doc, bool yaml,
                                              struct pcrsim_strbuf *out,
                                              struct pcrsim_error *err);

/* Tells whether `name` is a Go identifier and not a Go keyword. */
bool pcrsim_go_identifier_valid(const char *name);

#endif
