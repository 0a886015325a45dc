/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_SIGLIST_H
#define PCRSIM_EVENTLOG_SIGLIST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pcrsim/error.h"

/*
 * Internal to the readers: decodes the EFI_SIGNATURE_LIST array of a
 * Secure Boot variable (PK, KEK, db, dbx, MokList...; UEFI 2.10, 32.4.1)
 * into a JSON array, one object per list:
 *   {"type": "EFI_CERT_X509_GUID" or the GUID text, "signature_size": n,
 *    "signatures": [{"owner": "<guid>" (plus "owner_name" when known),
 *                    and for X.509: "subject", "issuer", "serial" (hex),
 *                    "sha256" (of the DER certificate), or for hashes:
 *                    "digest": "<hex>"}]}
 * `base` is the input offset of data[0]. Malformed input (a list size that
 * runs past the data, a signature size smaller than the owner GUID, a
 * header size past the list...) fails with INVALID and `err` naming the
 * offset and field. A certificate that OpenSSL cannot parse is not an
 * error: its signature object gets "error": "<reason>" and "der_size".
 * Returns NULL on error; the caller owns the returned array.
 */
json_t *pcrsim_signature_lists_decode(const uint8_t *data, size_t size, uint64_t base,
                                      struct pcrsim_error *err);

#endif
