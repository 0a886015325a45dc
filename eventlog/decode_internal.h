/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_DECODE_INTERNAL_H
#define PCRSIM_EVENTLOG_DECODE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pcrsim/reader.h"
#include "pcrsim/tcglog.h"

/* Internal to the event data decoders. */

/* Adds a message to the object's "diagnostics" array. */
void decode_diag(json_t *obj, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the object's one-line "summary". */
void decode_summary(json_t *obj, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the bytes as a lower-case hex JSON string; at most `max` bytes
 * are written, with "..." after a cut. */
json_t *decode_hex(const uint8_t *data, size_t size, size_t max);

/* Returns UTF-16LE text (up to a NUL) as a UTF-8 JSON string; code units
 * that are not valid UTF-16 become U+FFFD. Sets `*odd` for an odd size. */
json_t *decode_utf16(const uint8_t *data, size_t size);

/* Returns printable ASCII text (up to a NUL) as a JSON string, with other
 * bytes escaped as \xNN. */
json_t *decode_ascii(const uint8_t *data, size_t size);

/* Tells whether data is printable ASCII, with an optional final NUL. */
bool decode_is_ascii(const uint8_t *data, size_t size);

/* Tells whether data looks like UTF-16LE ASCII text, with an optional
 * final NUL. */
bool decode_is_utf16_ascii(const uint8_t *data, size_t size);

/* Reports what is left in a reader after a structure as a diagnostic. */
void decode_leftover(json_t *obj, const struct pcrsim_reader *r, const char *structure);

/* Decoders of the UEFI event types (eventlog/decode_efi.c). */
void decode_efi_variable(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_image_load(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_blob(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_blob2(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_handoff_tables(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_handoff_tables2(json_t *obj, const struct pcrsim_event *ev);
void decode_efi_gpt(json_t *obj, const struct pcrsim_event *ev);

#endif
