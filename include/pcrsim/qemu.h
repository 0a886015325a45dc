/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_QEMU_H
#define PCRSIM_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"

/*
 * QEMU's direct kernel boot (-kernel, -initrd, -append) on x86. QEMU
 * reads the kernel's real-mode setup header (Linux x86 boot protocol),
 * fills in the fields a boot loader owns, and serves the patched image
 * to the firmware through fw_cfg. OVMF measures that patched image into
 * PCR 4, so its Authenticode digest depends on the guest's RAM size and
 * on the initrd's size, not only on the kernel file.
 *
 * The model is that of QEMU 7.2 (Debian 12) on the q35 machine type, and
 * was checked against the digests OVMF logged for 1 GiB and 2 GiB guests.
 */

/* Inputs of the patch. */
struct pcrsim_qemu_direct {
        uint64_t ram_bytes;      /* -m: the guest's RAM size in bytes */
        const char *cmdline;     /* -append, "" without it */
        bool has_initrd;         /* -initrd was given */
        uint64_t initrd_size;    /* its size in bytes */
};

/* Offsets of the setup header fields that QEMU writes (boot protocol). */
#define PCRSIM_BZ_SETUP_SECTS 0x1F1u
#define PCRSIM_BZ_VID_MODE 0x1FAu
#define PCRSIM_BZ_HEADER_MAGIC 0x202u   /* "HdrS" */
#define PCRSIM_BZ_VERSION 0x206u
#define PCRSIM_BZ_TYPE_OF_LOADER 0x210u
#define PCRSIM_BZ_LOADFLAGS 0x211u
#define PCRSIM_BZ_RAMDISK_IMAGE 0x218u
#define PCRSIM_BZ_RAMDISK_SIZE 0x21Cu
#define PCRSIM_BZ_HEAP_END_PTR 0x224u
#define PCRSIM_BZ_CMD_LINE_PTR 0x228u
#define PCRSIM_BZ_INITRD_ADDR_MAX 0x22Cu
#define PCRSIM_BZ_XLOADFLAGS 0x236u

/*
 * Returns in `*out` (freed by the caller) a copy of the bzImage `kernel`
 * with the setup header as QEMU hands it to the firmware:
 * - cmd_line_ptr 0x20000, type_of_loader 0xB0 (QEMU), CAN_USE_HEAP set in
 *   loadflags and heap_end_ptr 0xFE00;
 * - vid_mode from a "vga=" option on the command line;
 * - ramdisk_image and ramdisk_size of the initrd, placed at the highest
 *   page below the lower of initrd_addr_max (4 GiB when the kernel can be
 *   loaded above it) and the RAM under 4 GiB less 160 KiB of ACPI tables.
 * Fails with UNSUPPORTED for a kernel older than boot protocol 2.02 or
 * not loaded high, and with INVALID where QEMU itself rejects the boot (a
 * file shorter than its setup code, an initrd that does not fit).
 */
enum pcrsim_error_code pcrsim_qemu_patch_kernel(const uint8_t *kernel, size_t size,
                                                const struct pcrsim_qemu_direct *in,
                                                uint8_t **out, struct pcrsim_error *err);

#endif
