/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog/decode_internal.h"
#include "pcrsim/decode.h"
#include "pcrsim/limits.h"

/* Data of a Spec ID event, for the decoders of other EV_NO_ACTION kinds. */
#define SPEC_ID_SIGNATURE "Spec ID Event03"
#define STARTUP_LOCALITY_SIGNATURE "StartupLocality"
#define SP800_155_SIGNATURE "SP800-155 Event"

void decode_diag(json_t *obj, const char *fmt, ...)
{
        json_t *diags = json_object_get(obj, "diagnostics");
        char text[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (!diags) {
                diags = json_array();
                json_object_set_new(obj, "diagnostics", diags);
        }
        json_array_append_new(diags, json_string(text));
}

void decode_summary(json_t *obj, const char *fmt, ...)
{
        char text[320];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        json_object_set_new(obj, "summary", json_string(text));
}

json_t *decode_hex(const uint8_t *data, size_t size, size_t max)
{
        size_t n = size < max ? size : max;
        char *text = malloc(2 * n + 4);
        json_t *s;

        if (!text)
                return NULL;
        for (size_t i = 0; i < n; i++)
                snprintf(text + 2 * i, 3, "%02x", data[i]);
        strcpy(text + 2 * n, n < size ? "..." : "");
        s = json_string(text);
        free(text);
        return s;
}

/* Appends one code point as UTF-8. */
static size_t put_utf8(char *out, uint32_t cp)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

/* Room for the note that cut_note() appends. */
#define CUT_NOTE_SIZE 64u

/* Appends, to a string cut at PCRSIM_MAX_STRING_SIZE input bytes, a note
 * that gives the full size. */
static size_t cut_note(char *out, size_t size)
{
        return (size_t)snprintf(out, CUT_NOTE_SIZE, "... [cut at %u of %zu bytes]",
                                PCRSIM_MAX_STRING_SIZE, size);
}

json_t *decode_utf16(const uint8_t *data, size_t size)
{
        size_t n = size > PCRSIM_MAX_STRING_SIZE ? PCRSIM_MAX_STRING_SIZE : size;
        char *text = malloc(n / 2 * 3 + CUT_NOTE_SIZE);
        size_t used = 0;
        bool ended = false;
        json_t *s;

        if (!text)
                return NULL;
        for (size_t i = 0; i + 1 < n; i += 2) {
                uint32_t cu = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8, cp = cu;

                if (cu == 0) {
                        ended = true;
                        break;
                }
                if (cu >= 0xD800 && cu < 0xDC00 && i + 3 < n) {
                        uint32_t lo = (uint32_t)data[i + 2] | (uint32_t)data[i + 3] << 8;

                        if (lo >= 0xDC00 && lo < 0xE000) {
                                cp = 0x10000 + ((cu - 0xD800) << 10) + (lo - 0xDC00);
                                i += 2;
                        } else {
                                cp = 0xFFFD;
                        }
                } else if (cu >= 0xD800 && cu < 0xE000) {
                        cp = 0xFFFD;
                }
                used += put_utf8(text + used, cp);
        }
        text[used] = '\0';
        if (!ended && n < size)
                cut_note(text + used, size);
        s = json_string(text);
        free(text);
        return s;
}

json_t *decode_ascii(const uint8_t *data, size_t size)
{
        size_t n = size > PCRSIM_MAX_STRING_SIZE ? PCRSIM_MAX_STRING_SIZE : size, i;
        char *text = malloc(4 * n + CUT_NOTE_SIZE);
        size_t used = 0;
        json_t *s;

        if (!text)
                return NULL;
        for (i = 0; i < n && data[i]; i++) {
                if (data[i] >= 0x20 && data[i] < 0x7f)
                        text[used++] = (char)data[i];
                else
                        used += (size_t)snprintf(text + used, 5, "\\x%02x", data[i]);
        }
        text[used] = '\0';
        if (i == n && n < size)
                cut_note(text + used, size);
        s = json_string(text);
        free(text);
        return s;
}

bool decode_is_ascii(const uint8_t *data, size_t size)
{
        if (size && data[size - 1] == 0)
                size--;
        if (size == 0)
                return false;
        for (size_t i = 0; i < size; i++)
                if (!((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\n' || data[i] == '\t'))
                        return false;
        return true;
}

bool decode_is_utf16_ascii(const uint8_t *data, size_t size)
{
        if (size >= 2 && data[size - 1] == 0 && data[size - 2] == 0)
                size -= 2;
        if (size < 2 || size % 2)
                return false;
        for (size_t i = 0; i < size; i += 2)
                if (data[i + 1] != 0 || data[i] < 0x20 || data[i] >= 0x7f)
                        return false;
        return true;
}

void decode_leftover(json_t *obj, const struct pcrsim_reader *r, const char *structure)
{
        size_t left = pcrsim_reader_remaining(r);

        if (left)
                decode_diag(obj, "%zu %s after the %s structure at offset 0x%" PRIx64, left,
                            left == 1 ? "byte" : "bytes", structure, pcrsim_reader_offset(r));
}
