/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_GUID_H
#define PCRSIM_EVENTLOG_GUID_H

#include <stdbool.h>
#include <stdint.h>

/* Internal to the readers: EFI GUIDs as they appear in event data. */

#define PCRSIM_GUID_TEXT_SIZE 37u

/* Writes a GUID stored in the EFI byte order (the first three fields
 * little-endian) as "8be4df61-93ca-11d2-aa0d-00e098032b8c". */
void pcrsim_guid_text(const uint8_t guid[16], char out[PCRSIM_GUID_TEXT_SIZE]);

/* Returns the name of a well-known GUID, such as "EFI_GLOBAL_VARIABLE" or
 * "EFI_CERT_X509_GUID", or NULL. */
const char *pcrsim_guid_name(const uint8_t guid[16]);

/* Tells whether a GUID equals the one given in text form. */
bool pcrsim_guid_equals(const uint8_t guid[16], const char *text);

#endif
