/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "pcrsim/qemu.h"
#include "pcrsim/reader.h"

/* Addresses of the real-mode code and the command line that QEMU uses for
 * a kernel loaded high, and the ACPI data size it reserves under 4 GiB on
 * q35. */
#define REAL_MODE_ADDR 0x10000u
#define CMDLINE_ADDR 0x20000u
#define ACPI_DATA_SIZE 0x28000u

/* On q35, RAM from 2 GiB up moves above 4 GiB once the guest has at least
 * 2.75 GiB; below that, all of it lies under 4 GiB. */
#define Q35_LOWMEM_SPLIT 0xB0000000u
#define Q35_LOWMEM 0x80000000u

#define LOADFLAGS_LOADED_HIGH 0x01u
#define LOADFLAGS_CAN_USE_HEAP 0x80u
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x01u
#define LOADER_QEMU 0xB0u

static void put_le16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/* Reads the little-endian field of `width` bytes at `offset`. */
static enum pcrsim_error_code field(const uint8_t *kernel, size_t size, size_t offset, unsigned width,
                                    const char *name, uint32_t *out, struct pcrsim_error *err)
{
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;
        uint16_t v16;
        uint8_t v8;

        pcrsim_reader_init(&r, kernel, size, 0);
        rc = pcrsim_reader_skip(&r, offset < size ? offset : size, name, err);
        if (!rc && offset > size)
                rc = pcrsim_error_set(err, PCRSIM_ERR_TRUNCATED, size, name,
                                      "the file ends before the setup header field %s", name);
        if (rc)
                return rc;
        if (width == 1) {
                rc = pcrsim_reader_u8(&r, &v8, name, err);
                *out = v8;
        } else if (width == 2) {
                rc = pcrsim_reader_le16(&r, &v16, name, err);
                *out = v16;
        } else {
                rc = pcrsim_reader_le32(&r, out, name, err);
        }
        return rc;
}

/* The video mode that QEMU derives from "vga=" on the command line, as a
 * 16-bit field; false when the command line has none. */
static bool video_mode(const char *cmdline, uint16_t *mode)
{
        const char *v = strstr(cmdline, "vga=");

        if (!v)
                return false;
        v += 4;
        if (strncmp(v, "normal", 6) == 0)
                *mode = 0xFFFF;
        else if (strncmp(v, "ext", 3) == 0)
                *mode = 0xFFFE;
        else if (strncmp(v, "ask", 3) == 0)
                *mode = 0xFFFD;
        else
                *mode = (uint16_t)strtol(v, NULL, 0);
        return true;
}

enum pcrsim_error_code pcrsim_qemu_patch_kernel(const uint8_t *kernel, size_t size,
                                                const struct pcrsim_qemu_direct *in,
                                                uint8_t **out, struct pcrsim_error *err)
{
        uint32_t magic = 0, version = 0, loadflags = 0, xloadflags = 0, addr_max = 0, setup_sects = 0;
        uint32_t unused;
        uint64_t below_4g, initrd_max;
        enum pcrsim_error_code rc;
        uint16_t mode;
        uint8_t *copy;

        *out = NULL;
        rc = field(kernel, size, PCRSIM_BZ_HEADER_MAGIC, 4, "header", &magic, err);
        if (!rc && magic != 0x53726448u)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_BZ_HEADER_MAGIC, "header",
                                        "the kernel has no Linux x86 setup header (no \"HdrS\" magic); QEMU boots it another way");
        if (!rc)
                rc = field(kernel, size, PCRSIM_BZ_VERSION, 2, "version", &version, err);
        if (!rc)
                rc = field(kernel, size, PCRSIM_BZ_LOADFLAGS, 1, "loadflags", &loadflags, err);
        if (!rc && (version < 0x202 || !(loadflags & LOADFLAGS_LOADED_HIGH)))
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_BZ_VERSION, "version",
                                        "boot protocol %u.%02u%s: pcrsim models QEMU's loader for protocol 2.02 and later with the kernel loaded high",
                                        version >> 8, version & 0xFFu,
                                        loadflags & LOADFLAGS_LOADED_HIGH ? "" : ", not loaded high");
        /* cmd_line_ptr is the last field that QEMU writes for every
         * protocol version: the header must hold it. */
        if (!rc)
                rc = field(kernel, size, PCRSIM_BZ_CMD_LINE_PTR, 4, "cmd_line_ptr", &unused, err);
        if (!rc && version >= 0x20C)
                rc = field(kernel, size, PCRSIM_BZ_XLOADFLAGS, 2, "xloadflags", &xloadflags, err);
        if (!rc && version >= 0x203)
                rc = field(kernel, size, PCRSIM_BZ_INITRD_ADDR_MAX, 4, "initrd_addr_max", &addr_max, err);
        if (!rc)
                rc = field(kernel, size, PCRSIM_BZ_SETUP_SECTS, 1, "setup_sects", &setup_sects, err);
        if (rc)
                return rc;
        /* QEMU splits the file into the real-mode setup, 512 bytes per
         * sector after the boot sector, and the kernel behind it. */
        if (((setup_sects ? setup_sects : 4) + 1) * 512u > size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_BZ_SETUP_SECTS, "setup_sects",
                                        "the setup code of %u sectors is longer than the %zu-byte file; QEMU rejects the kernel",
                                        setup_sects ? setup_sects : 4, size);

        if (version >= 0x20C && (xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G))
                initrd_max = UINT32_MAX;
        else if (version >= 0x203)
                initrd_max = addr_max;
        else
                initrd_max = 0x37FFFFFFu;
        below_4g = in->ram_bytes >= Q35_LOWMEM_SPLIT ? Q35_LOWMEM : in->ram_bytes;
        if (below_4g <= ACPI_DATA_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "a guest RAM size of %llu bytes leaves no room for the kernel",
                                        (unsigned long long)in->ram_bytes);
        if (initrd_max >= below_4g - ACPI_DATA_SIZE)
                initrd_max = below_4g - ACPI_DATA_SIZE - 1;
        if (in->has_initrd && in->initrd_size >= initrd_max)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the initrd (%llu bytes) does not fit below 0x%llx in a guest with %llu MiB of RAM; QEMU rejects the boot",
                                        (unsigned long long)in->initrd_size, (unsigned long long)initrd_max,
                                        (unsigned long long)(in->ram_bytes >> 20));

        copy = malloc(size);
        if (!copy)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        memcpy(copy, kernel, size);
        put_le32(copy + PCRSIM_BZ_CMD_LINE_PTR, CMDLINE_ADDR);
        if (video_mode(in->cmdline, &mode))
                put_le16(copy + PCRSIM_BZ_VID_MODE, mode);
        copy[PCRSIM_BZ_TYPE_OF_LOADER] = LOADER_QEMU;
        if (version >= 0x201) {
                copy[PCRSIM_BZ_LOADFLAGS] |= LOADFLAGS_CAN_USE_HEAP;
                put_le16(copy + PCRSIM_BZ_HEAP_END_PTR, CMDLINE_ADDR - REAL_MODE_ADDR - 0x200u);
        }
        if (in->has_initrd) {
                put_le32(copy + PCRSIM_BZ_RAMDISK_IMAGE,
                         (uint32_t)((initrd_max - in->initrd_size) & ~(uint64_t)4095));
                put_le32(copy + PCRSIM_BZ_RAMDISK_SIZE, (uint32_t)in->initrd_size);
        }
        *out = copy;
        return PCRSIM_OK;
}
