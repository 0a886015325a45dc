/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_DECODE_H
#define PCRSIM_DECODE_H

#include <jansson.h>

#include "pcrsim/ima.h"
#include "pcrsim/tcglog.h"

/*
 * Decodes the data of one TCG event log record into a JSON object with
 * the names of the TCG PC Client Platform Firmware Profile and the UEFI
 * specification: for example {"VariableName": ..., "UnicodeName": "db",
 * "VariableData": [...]} for a UEFI_VARIABLE_DATA. Every object has a
 * "summary" string, one short line for people. Decoding never fails on
 * bad data: what does not decode is kept as hex, and the object gets a
 * "diagnostics" array of messages such as "6 bytes after the
 * UEFI_VARIABLE_DATA structure". Returns NULL only when memory runs out;
 * the caller owns the object.
 */
json_t *pcrsim_event_decode(const struct pcrsim_event *ev);

/* Decodes the template fields of an IMA entry the same way. */
json_t *pcrsim_ima_entry_decode(const struct pcrsim_ima_entry *entry);

#endif
