/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_FORMATS_TEXT_INTERNAL_H
#define PCRSIM_FORMATS_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Text decoding shared by the readers in formats/. Not installed. */

/* Decodes hex (either case) with an optional 0x prefix. Returns the byte
 * count, or -1 when the text is not hex of at most `cap` bytes. */
long pcrsim_decode_hex(const char *text, size_t len, uint8_t *out, size_t cap);

#endif
