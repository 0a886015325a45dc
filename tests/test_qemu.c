/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the model of QEMU's direct kernel boot: the setup header
 * fields that QEMU writes into the kernel before OVMF measures it. The
 * kernels here are synthetic setup headers; the expected field values are
 * computed by hand in the comments. The lab suite checks the model against
 * the digests that OVMF logged for real boots.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pcrsim/qemu.h"

#define KERNEL_SIZE 4096u
#define MIB (1024ull * 1024ull)

/* 1029559 bytes: the size of the lab's initrd (0xFB5B7). */
#define INITRD_SIZE 1029559u

static uint8_t kernel[KERNEL_SIZE];

static void put16(size_t off, uint16_t v)
{
        kernel[off] = (uint8_t)v;
        kernel[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                kernel[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
        return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
               (uint32_t)p[off + 3] << 24;
}

static uint16_t get16(const uint8_t *p, size_t off)
{
        return (uint16_t)(p[off] | p[off + 1] << 8);
}

/* A boot protocol 2.15 header like Debian 12's kernel: loaded high, can
 * be loaded above 4 GiB, initrd_addr_max 0x7FFFFFFF, cmdline_size 2047,
 * and a recognisable fill everywhere else. */
static void make_kernel(void)
{
        for (size_t i = 0; i < KERNEL_SIZE; i++)
                kernel[i] = (uint8_t)(i * 7 + 3);
        put32(0x202, 0x53726448u); /* "HdrS" */
        put16(0x206, 0x020F);
        kernel[0x210] = 0x00;      /* type_of_loader */
        kernel[0x211] = 0x01;      /* loadflags: LOADED_HIGH */
        put32(0x218, 0);
        put32(0x21C, 0);
        put16(0x224, 0x5BE0);      /* heap_end_ptr as the file has it */
        put32(0x228, 0);
        put32(0x22C, 0x7FFFFFFFu);
        put16(0x236, 0x007F);      /* xloadflags, bit 0: above 4 GiB */
        put32(0x238, 2047);
        kernel[0x1F1] = 6;         /* setup_sects: 7 * 512 bytes fit */
}

static uint8_t *patch(uint64_t ram, const char *cmdline, bool initrd, uint64_t initrd_size,
                      enum pcrsim_error_code want, struct pcrsim_error *err)
{
        struct pcrsim_qemu_direct in = {
                .ram_bytes = ram, .cmdline = cmdline, .has_initrd = initrd, .initrd_size = initrd_size,
        };
        uint8_t *out = NULL;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(err);
        rc = pcrsim_qemu_patch_kernel(kernel, KERNEL_SIZE, &in, &out, err);
        cr_assert_eq(rc, want, "pcrsim_qemu_patch_kernel: %d (%s), expected %d", rc, err->message, want);
        if (want != PCRSIM_OK)
                cr_assert_null(out);
        return out;
}

/* Every byte outside the listed fields is the kernel's. */
static void expect_only_fields_changed(const uint8_t *out)
{
        static const struct { size_t off, len; } fields[] = {
                { 0x1FA, 2 }, { 0x210, 2 }, { 0x218, 8 }, { 0x224, 2 }, { 0x228, 4 },
        };

        for (size_t i = 0; i < KERNEL_SIZE; i++) {
                bool field = false;

                for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                        field |= i >= fields[f].off && i < fields[f].off + fields[f].len;
                if (!field)
                        cr_assert_eq(out[i], kernel[i], "byte 0x%zx changed", i);
        }
}

Test(qemu, one_gib_with_initrd)
{
        struct pcrsim_error err;
        uint8_t *out;

        make_kernel();
        out = patch(1024 * MIB, "console=ttyS0", true, INITRD_SIZE, PCRSIM_OK, &err);
        /* The highest initrd address is 1 GiB - 0x28000 - 1 = 0x3FFD7FFF;
         * 0x3FFD7FFF - 0xFB5B7 = 0x3FEDCA48, rounded down to a page. */
        cr_expect_eq(get32(out, 0x218), 0x3FEDC000u, "ramdisk_image 0x%x", get32(out, 0x218));
        cr_expect_eq(get32(out, 0x21C), INITRD_SIZE);
        cr_expect_eq(get32(out, 0x228), 0x20000u);
        cr_expect_eq(out[0x210], 0xB0);
        cr_expect_eq(out[0x211], 0x81);
        /* 0x20000 - 0x10000 - 0x200 */
        cr_expect_eq(get16(out, 0x224), 0xFE00);
        cr_expect_eq(get16(out, 0x1FA), get16(kernel, 0x1FA), "vid_mode changed without vga=");
        expect_only_fields_changed(out);
        free(out);
}

Test(qemu, two_gib_and_more)
{
        struct pcrsim_error err;
        uint8_t *out;

        make_kernel();
        /* 2 GiB, all under 4 GiB: 0x7FFD7FFF - 0xFB5B7 = 0x7FEDCA48. */
        out = patch(2048 * MIB, "", true, INITRD_SIZE, PCRSIM_OK, &err);
        cr_expect_eq(get32(out, 0x218), 0x7FEDC000u, "ramdisk_image 0x%x", get32(out, 0x218));
        free(out);
        /* From 2.75 GiB on, q35 keeps 2 GiB under 4 GiB: the same address. */
        out = patch(4096 * MIB, "", true, INITRD_SIZE, PCRSIM_OK, &err);
        cr_expect_eq(get32(out, 0x218), 0x7FEDC000u, "ramdisk_image 0x%x", get32(out, 0x218));
        free(out);
        /* 2.5 GiB stays under 4 GiB: 0x9FFD7FFF - 0xFB5B7 = 0x9FEDCA48. */
        out = patch(2560 * MIB, "", true, INITRD_SIZE, PCRSIM_OK, &err);
        cr_expect_eq(get32(out, 0x218), 0x9FEDC000u, "ramdisk_image 0x%x", get32(out, 0x218));
        free(out);
}

Test(qemu, initrd_addr_max_of_older_kernels)
{
        struct pcrsim_error err;
        uint8_t *out;

        make_kernel();
        put16(0x236, 0); /* cannot be loaded above 4 GiB */
        put32(0x22C, 0x37FFFFFFu);
        /* 0x37FFFFFF is below 2 GiB - 0x28000: 0x37FFFFFF - 0xFB5B7 =
         * 0x37F04A48. */
        out = patch(2048 * MIB, "", true, INITRD_SIZE, PCRSIM_OK, &err);
        cr_expect_eq(get32(out, 0x218), 0x37F04000u, "ramdisk_image 0x%x", get32(out, 0x218));
        free(out);
}

Test(qemu, no_initrd_leaves_ramdisk_fields)
{
        struct pcrsim_error err;
        uint8_t *out;

        make_kernel();
        put32(0x218, 0x11223344u);
        out = patch(1024 * MIB, "quiet", false, 0, PCRSIM_OK, &err);
        cr_expect_eq(get32(out, 0x218), 0x11223344u);
        cr_expect_eq(get32(out, 0x21C), 0u);
        free(out);
}

Test(qemu, vga_option)
{
        static const struct { const char *cmdline; uint16_t mode; } cases[] = {
                { "console=ttyS0 vga=normal", 0xFFFF },
                { "vga=ext", 0xFFFE },
                { "vga=ask quiet", 0xFFFD },
                { "vga=0x317", 0x0317 },
                { "vga=791", 791 },
        };
        struct pcrsim_error err;

        make_kernel();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint8_t *out = patch(1024 * MIB, cases[i].cmdline, false, 0, PCRSIM_OK, &err);

                cr_expect_eq(get16(out, 0x1FA), cases[i].mode, "%s: vid_mode 0x%x", cases[i].cmdline,
                             get16(out, 0x1FA));
                free(out);
        }
}

Test(qemu, rejected_inputs)
{
        struct pcrsim_error err;
        char *long_cmdline = malloc(2049);

        make_kernel();
        /* QEMU passes a command line longer than cmdline_size on, and the
         * kernel cuts it: the header does not change. */
        memset(long_cmdline, 'a', 2048);
        long_cmdline[2048] = '\0';
        free(patch(1024 * MIB, long_cmdline, false, 0, PCRSIM_OK, &err));
        free(long_cmdline);

        /* setup_sects 8: (8 + 1) * 512 bytes exceed the 4096-byte file. */
        kernel[0x1F1] = 8;
        patch(1024 * MIB, "", false, 0, PCRSIM_ERR_INVALID, &err);
        cr_expect_str_eq(err.field, "setup_sects");
        cr_expect(strstr(err.message, "8 sectors") != NULL, "%s", err.message);
        make_kernel();

        /* An initrd as large as the room under 1 GiB. */
        patch(1024 * MIB, "", true, 0x3FFD7FFFu, PCRSIM_ERR_INVALID, &err);
        cr_expect(strstr(err.message, "does not fit"), "%s", err.message);

        put32(0x202, 0x12345678u);
        patch(1024 * MIB, "", false, 0, PCRSIM_ERR_UNSUPPORTED, &err);
        cr_expect_eq(err.offset, 0x202u);

        make_kernel();
        put16(0x206, 0x0201);
        patch(1024 * MIB, "", false, 0, PCRSIM_ERR_UNSUPPORTED, &err);
        cr_expect(strstr(err.message, "2.01"), "%s", err.message);

        make_kernel();
        kernel[0x211] = 0;
        patch(1024 * MIB, "", false, 0, PCRSIM_ERR_UNSUPPORTED, &err);
        cr_expect(strstr(err.message, "not loaded high"), "%s", err.message);
}

Test(qemu, truncated_header)
{
        struct pcrsim_qemu_direct in = { .ram_bytes = 1024 * MIB, .cmdline = "" };
        struct pcrsim_error err;
        uint8_t *out = NULL;

        make_kernel();
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_qemu_patch_kernel(kernel, 0x204, &in, &out, &err), PCRSIM_ERR_TRUNCATED);
        cr_expect_eq(err.offset, 0x202u);
        cr_expect_str_eq(err.field, "header");
        cr_assert_null(out);
        cr_assert_eq(pcrsim_qemu_patch_kernel(kernel, 0x230, &in, &out, &err), PCRSIM_ERR_TRUNCATED);
        cr_expect_str_eq(err.field, "xloadflags");
        cr_assert_null(out);
        /* Protocol 2.02 reads no field past loadflags, yet QEMU writes
         * cmd_line_ptr at 0x228. */
        put16(0x206, 0x0202);
        cr_assert_eq(pcrsim_qemu_patch_kernel(kernel, 0x22A, &in, &out, &err), PCRSIM_ERR_TRUNCATED);
        cr_expect_str_eq(err.field, "cmd_line_ptr");
        cr_expect_eq(err.offset, 0x228u);
        cr_assert_null(out);
}
