/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_DEVPATH_H
#define PCRSIM_EVENTLOG_DEVPATH_H

#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"

/*
 * Internal to the readers: renders an EFI device path (UEFI 2.10, chapter
 * 10) in the UEFI text notation, for example
 * "PciRoot(0x0)/Pci(0x2,0x0)/HD(1,GPT,<guid>,0x800,0x100000)/File(\EFI\BOOT\BOOTX64.EFI)".
 * `data` contains the device path nodes; `base` is the input offset of
 * data[0], for errors. Rendering stops at an End Entire node; nodes after
 * it are an error. A path of zero bytes renders as the empty string.
 * Unknown node types render as "Path(type,subtype,hexdata)".
 * Writes at most `size` bytes including the NUL and, if the text does not
 * fit, ends it with "..." and still succeeds. Fails with INVALID (offset
 * and field set in `err`) on a node shorter than its 4-byte header, a node
 * that runs past the data, or a missing End node.
 */
enum pcrsim_error_code pcrsim_device_path_text(const uint8_t *data, size_t size, uint64_t base,
                                               char *out, size_t out_size,
                                               struct pcrsim_error *err);

#endif
