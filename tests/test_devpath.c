/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the EFI device path text renderer. Buffers are built by hand
 * from the node layouts of UEFI 2.10, chapter 10, and the expected text
 * is written from the text notation of that chapter. The last test
 * renders the device path of every image load event in the shared
 * real-world event logs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <criterion/criterion.h>

#include "eventlog/devpath.h"
#include "manifest.h"
#include "pcrsim/reader.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

/* Little-endian encodings for byte array initializers. */
#define LE16(v) (uint8_t)((v) & 0xffu), (uint8_t)(((v) >> 8) & 0xffu)
#define LE32(v) LE16((uint32_t)(v) & 0xffffu), LE16((uint32_t)(v) >> 16)
#define LE64(v) LE32((uint64_t)(v) & 0xffffffffu), LE32((uint64_t)(v) >> 32)

/* An EFI_GUID in its in-memory byte order, from the fields of its C
 * initializer: the first three fields little-endian, then 8 bytes. */
#define GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) \
        LE32(a), LE16(b), LE16(c), d0, d1, d2, d3, d4, d5, d6, d7

#define END_ENTIRE_NODE 0x7f, 0xff, LE16(4)
#define END_INSTANCE_NODE 0x7f, 0x01, LE16(4)

/* PciRoot(0x0): ACPI node with _HID PNP0A03 and _UID 0. */
#define PCI_ROOT_0 0x02, 0x01, LE16(12), LE32(0x0a0341d0u), LE32(0)

/* Image load event types of the TCG PC Client Platform Firmware Profile,
 * whose event data is a UEFI_IMAGE_LOAD_EVENT. */
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER 0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER 0x80000005u

/* UEFI_IMAGE_LOAD_EVENT: location, length, link-time address and device
 * path length, each a UINT64, then the device path. */
#define IMAGE_LOAD_EVENT_HEADER 32u

#define TEXT_SIZE 1024

/* A device path assembled node by node. */
struct path {
        uint8_t bytes[1024];
        size_t len;
};

static void put(struct path *p, const uint8_t *bytes, size_t n)
{
        cr_assert_leq(p->len + n, sizeof(p->bytes), "test path buffer too small");
        memcpy(p->bytes + p->len, bytes, n);
        p->len += n;
}

/* Appends a File path node with `text` in UTF-16LE and its NUL. */
static void put_file(struct path *p, const char16_t *text)
{
        size_t units = 0;
        uint8_t header[4];

        while (text[units])
                units++;
        units++;
        header[0] = 0x04;
        header[1] = 0x04;
        header[2] = (uint8_t)((4 + 2 * units) & 0xff);
        header[3] = (uint8_t)((4 + 2 * units) >> 8);
        put(p, header, sizeof(header));
        for (size_t i = 0; i < units; i++) {
                uint8_t unit[2] = { (uint8_t)(text[i] & 0xff), (uint8_t)(text[i] >> 8) };

                put(p, unit, sizeof(unit));
        }
}

static void put_end(struct path *p)
{
        static const uint8_t end[] = { END_ENTIRE_NODE };

        put(p, end, sizeof(end));
}

/* Renders `len` bytes from an exact-size heap copy, so that AddressSanitizer
 * catches any read past the end. */
static enum pcrsim_error_code render_copy(const uint8_t *bytes, size_t len, uint64_t base,
                                          char *out, size_t out_size, struct pcrsim_error *err)
{
        uint8_t *copy = malloc(len ? len : 1);
        enum pcrsim_error_code rc;

        cr_assert_not_null(copy, "out of memory");
        if (len)
                memcpy(copy, bytes, len);
        rc = pcrsim_device_path_text(copy, len, base, out, out_size, err);
        free(copy);
        return rc;
}

static void expect_text(const uint8_t *bytes, size_t len, const char *expected)
{
        struct pcrsim_error err;
        char out[TEXT_SIZE];
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&err);
        rc = render_copy(bytes, len, 0, out, sizeof(out), &err);
        cr_assert_eq(rc, PCRSIM_OK, "rendering %s failed: %s", expected, err.message);
        cr_expect_str_eq(out, expected);
}

/* Expects an INVALID error at `offset` naming `field`. */
static void expect_invalid(const uint8_t *bytes, size_t len, uint64_t base, uint64_t offset,
                           const char *field)
{
        struct pcrsim_error err;
        char out[TEXT_SIZE] = "unchanged";
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&err);
        rc = render_copy(bytes, len, base, out, sizeof(out), &err);
        cr_assert_eq(rc, PCRSIM_ERR_INVALID, "expected INVALID, got %d, text %s", rc, out);
        cr_expect_eq(err.code, PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, offset, "offset 0x%llx, expected 0x%llx (%s)",
                     (unsigned long long)err.offset, (unsigned long long)offset, err.message);
        cr_expect_str_eq(err.field, field, "%s", err.message);
        cr_expect_str_eq(out, "", "text left after an error");
}

#define EXPECT_TEXT(expected, ...) \
        do { \
                static const uint8_t bytes_[] = { __VA_ARGS__, END_ENTIRE_NODE }; \
                expect_text(bytes_, sizeof(bytes_), (expected)); \
        } while (0)

/* ---- Paths without nodes ---- */

Test(devpath, empty_input_renders_empty)
{
        static const uint8_t byte = 0;
        struct pcrsim_error err;
        char out[16] = "x";

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_device_path_text(NULL, 0, 0, out, sizeof(out), &err), PCRSIM_OK);
        cr_expect_str_eq(out, "");
        strcpy(out, "x");
        cr_assert_eq(pcrsim_device_path_text(&byte, 0, 0, out, sizeof(out), &err), PCRSIM_OK);
        cr_expect_str_eq(out, "");
}

Test(devpath, end_node_only)
{
        static const uint8_t bytes[] = { END_ENTIRE_NODE };

        expect_text(bytes, sizeof(bytes), "");
}

/* ---- Hardware nodes (type 1) ---- */

Test(devpath, hardware_nodes)
{
        EXPECT_TEXT("Pci(0x1f,0x2)", 0x01, 0x01, LE16(6), 0x02, 0x1f);
        EXPECT_TEXT("PcCard(0x3)", 0x01, 0x02, LE16(5), 0x03);
        EXPECT_TEXT("MemoryMapped(0xb,0xffc00000,0xffffffff)", 0x01, 0x03, LE16(24), LE32(11),
                    LE64(0xffc00000u), LE64(0xffffffffu));
        EXPECT_TEXT("Ctrl(0x2)", 0x01, 0x05, LE16(8), LE32(2));
        EXPECT_TEXT("BMC(0x1,0xfed00000)", 0x01, 0x06, LE16(13), 0x01, LE64(0xfed00000u));
}

Test(devpath, vendor_hardware)
{
        EXPECT_TEXT("VenHw(99e275e7-75a0-4b37-a2e6-c5385e6c00cb)", 0x01, 0x04, LE16(20),
                    GUID(0x99e275e7, 0x75a0, 0x4b37, 0xa2, 0xe6, 0xc5, 0x38, 0x5e, 0x6c, 0x00,
                         0xcb));
        EXPECT_TEXT("VenHw(cf31fac5-c24e-11d2-85f3-00a0c93ec93b,80ab)", 0x01, 0x04, LE16(22),
                    GUID(0xcf31fac5, 0xc24e, 0x11d2, 0x85, 0xf3, 0x00, 0xa0, 0xc9, 0x3e, 0xc9,
                         0x3b),
                    0x80, 0xab);
}

/* ---- ACPI nodes (type 2) ---- */

Test(devpath, acpi_short_forms)
{
        EXPECT_TEXT("PciRoot(0x0)", PCI_ROOT_0);
        EXPECT_TEXT("PcieRoot(0x1)", 0x02, 0x01, LE16(12), LE32(0x0a0841d0u), LE32(1));
        EXPECT_TEXT("Serial(0x0)", 0x02, 0x01, LE16(12), LE32(0x050141d0u), LE32(0));
        EXPECT_TEXT("Keyboard(0x0)", 0x02, 0x01, LE16(12), LE32(0x030141d0u), LE32(0));
}

Test(devpath, acpi_generic)
{
        EXPECT_TEXT("Acpi(PNP0C0A,0x2)", 0x02, 0x01, LE16(12), LE32(0x0c0a41d0u), LE32(2));
        /* Vendor "ABC": A=1, B=2, C=3 in 5-bit fields, 0x0443. */
        EXPECT_TEXT("Acpi(ABC1234,0x5)", 0x02, 0x01, LE16(12), LE32(0x12340443u), LE32(5));
        /* 0xffff is no EISA vendor, since bit 15 is reserved. */
        EXPECT_TEXT("Acpi(0x0000ffff,0x0)", 0x02, 0x01, LE16(12), LE32(0x0000ffffu), LE32(0));
}

Test(devpath, acpi_expanded)
{
        EXPECT_TEXT("AcpiEx(PNP0A03,PNP0A08,0x7,HIDX,,7)", 0x02, 0x02, LE16(24),
                    LE32(0x0a0341d0u), LE32(7), LE32(0x0a0841d0u), 'H', 'I', 'D', 'X', 0, '7',
                    0, 0);
        EXPECT_TEXT("AcpiEx(PNP0A03,0,0x0,,CID,UID)", 0x02, 0x02, LE16(25), LE32(0x0a0341d0u),
                    LE32(0), LE32(0), 0, 'U', 'I', 'D', 0, 'C', 'I', 'D', 0);
}

Test(devpath, acpi_expanded_string_without_nul)
{
        /* _HIDSTR "A", _UIDSTR "B", then _CIDSTR "C" runs to the node end. */
        static const uint8_t bytes[] = {
                0x02, 0x02, LE16(21), LE32(0x0a0341d0u), LE32(0), LE32(0),
                'A', 0, 'B', 0, 'C', END_ENTIRE_NODE,
        };

        expect_invalid(bytes, sizeof(bytes), 0x40, 0x40 + 20, "ACPI _CIDSTR");
}

Test(devpath, acpi_adr)
{
        EXPECT_TEXT("AcpiAdr(0x80010100)", 0x02, 0x03, LE16(8), LE32(0x80010100u));
        EXPECT_TEXT("AcpiAdr(0x80010100,0x80010200)", 0x02, 0x03, LE16(12), LE32(0x80010100u),
                    LE32(0x80010200u));
}

/* ---- Messaging nodes (type 3) ---- */

Test(devpath, messaging_storage_nodes)
{
        EXPECT_TEXT("Ata(Secondary,Master,0x0)", 0x03, 0x01, LE16(8), 0x01, 0x00, LE16(0));
        EXPECT_TEXT("Ata(Primary,Slave,0x1)", 0x03, 0x01, LE16(8), 0x00, 0x01, LE16(1));
        EXPECT_TEXT("Scsi(0x1,0x0)", 0x03, 0x02, LE16(8), LE16(1), LE16(0));
        EXPECT_TEXT("Fibre(0x5005076801401234,0x2)", 0x03, 0x03, LE16(24), LE32(0),
                    LE64(0x5005076801401234u), LE64(2));
        EXPECT_TEXT("I2O(0x5)", 0x03, 0x06, LE16(8), LE32(5));
        EXPECT_TEXT("Unit(0x3)", 0x03, 0x11, LE16(5), 0x03);
        EXPECT_TEXT("Sata(0x1,0xffff,0x0)", 0x03, 0x12, LE16(10), LE16(1), LE16(0xffff),
                    LE16(0));
        EXPECT_TEXT("UFS(0x0,0x1)", 0x03, 0x19, LE16(6), 0x00, 0x01);
        EXPECT_TEXT("SD(0x2)", 0x03, 0x1a, LE16(5), 0x02);
        EXPECT_TEXT("eMMC(0x0)", 0x03, 0x1d, LE16(5), 0x00);
}

Test(devpath, nvme_eui64_most_significant_first)
{
        EXPECT_TEXT("NVMe(0x1,50-37-d1-21-b2-38-25-00)", 0x03, 0x17, LE16(16), LE32(1),
                    LE64(0x5037d121b2382500u));
        EXPECT_TEXT("NVMe(0xffffffff,00-00-00-00-00-00-00-00)", 0x03, 0x17, LE16(16),
                    LE32(0xffffffffu), LE64(0));
}

Test(devpath, usb_nodes)
{
        EXPECT_TEXT("Usb(0xb,0x0)", 0x03, 0x05, LE16(6), 0x0b, 0x00);
        EXPECT_TEXT("UsbClass(0x46d,0xc52b,0x3,0x1,0x2)", 0x03, 0x0f, LE16(11), LE16(0x046d),
                    LE16(0xc52b), 0x03, 0x01, 0x02);
}

Test(devpath, vendor_messaging)
{
        EXPECT_TEXT("VenMsg(d487ddb4-008b-11d9-afdc-001083ffca4d,01)", 0x03, 0x0a, LE16(21),
                    GUID(0xd487ddb4, 0x008b, 0x11d9, 0xaf, 0xdc, 0x00, 0x10, 0x83, 0xff, 0xca,
                         0x4d),
                    0x01);
        EXPECT_TEXT("VenVt100()", 0x03, 0x0a, LE16(20),
                    GUID(0xdfa66065, 0xb419, 0x11d3, 0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1,
                         0x4d));
        EXPECT_TEXT("VenPcAnsi()", 0x03, 0x0a, LE16(20),
                    GUID(0xe0c14753, 0xf9be, 0x11d2, 0x9a, 0x0c, 0x00, 0x90, 0x27, 0x3f, 0xc1,
                         0x4d));
}

Test(devpath, mac_address)
{
        EXPECT_TEXT("MAC(525400123456,0x1)", 0x03, 0x0b, LE16(37), 0x52, 0x54, 0x00, 0x12,
                    0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0x01);
        /* Interface types other than Ethernet (0, 1) show all 32 bytes. */
        EXPECT_TEXT("MAC(0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20,0x20)",
                    0x03, 0x0b, LE16(37), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0x20);
}

Test(devpath, ipv4)
{
        EXPECT_TEXT("IPv4(192.168.1.1,UDP,DHCP,192.168.1.10,192.168.1.254,255.255.255.0)", 0x03,
                    0x0c, LE16(27), 192, 168, 1, 10, 192, 168, 1, 1, LE16(68), LE16(67),
                    LE16(17), 0, 192, 168, 1, 254, 255, 255, 255, 0);
        /* A UEFI 2.0 node of 19 bytes has no gateway or subnet mask. */
        EXPECT_TEXT("IPv4(10.0.0.2,TCP,Static,10.0.0.1)", 0x03, 0x0c, LE16(19), 10, 0, 0, 1, 10,
                    0, 0, 2, LE16(1024), LE16(80), LE16(6), 1);
}

Test(devpath, ipv6)
{
        EXPECT_TEXT("IPv6(2001:db8:0:0:0:0:0:2,UDP,StatelessAutoConfigure,fe80:0:0:0:0:0:0:1,0x40,fe80:0:0:0:0:0:0:ff)",
                    0x03, 0x0d, LE16(60),
                    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
                    LE16(546), LE16(547), LE16(17), 0x01, 64,
                    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff);
        /* A UEFI 2.0 node of 43 bytes ends after the address origin. */
        EXPECT_TEXT("IPv6(0:0:0:0:0:0:0:2,TCP,Static,0:0:0:0:0:0:0:1)", 0x03, 0x0d, LE16(43),
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
                    LE16(1), LE16(2), LE16(6), 0);
}

Test(devpath, uart)
{
        EXPECT_TEXT("Uart(115200,8,N,1)", 0x03, 0x0e, LE16(19), LE32(0), LE64(115200), 8, 1, 1);
        EXPECT_TEXT("Uart(DEFAULT,DEFAULT,D,D)", 0x03, 0x0e, LE16(19), LE32(0), LE64(0), 0, 0,
                    0);
        EXPECT_TEXT("Uart(9600,7,E,1.5)", 0x03, 0x0e, LE16(19), LE32(0), LE64(9600), 7, 2, 2);
}

Test(devpath, vlan_and_uri)
{
        EXPECT_TEXT("Vlan(100)", 0x03, 0x14, LE16(6), LE16(100));
        EXPECT_TEXT("Uri(http://example.com/a)", 0x03, 0x18, LE16(24), 'h', 't', 't', 'p', ':',
                    '/', '/', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', '/', 'a');
        EXPECT_TEXT("Uri(a\\x01b)", 0x03, 0x18, LE16(7), 'a', 0x01, 'b');
        EXPECT_TEXT("Uri()", 0x03, 0x18, LE16(4));
}

/* ---- Media nodes (type 4) ---- */

Test(devpath, hard_drive_gpt)
{
        EXPECT_TEXT("HD(1,GPT,c12a7328-f81f-11d2-ba4b-00a0c93ec93b,0x800,0x32000)", 0x04, 0x01,
                    LE16(42), LE32(1), LE64(0x800), LE64(0x32000),
                    GUID(0xc12a7328, 0xf81f, 0x11d2, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9,
                         0x3b),
                    0x02, 0x02);
}

Test(devpath, hard_drive_mbr)
{
        EXPECT_TEXT("HD(1,MBR,0x4986405c,0xdac,0x1f00)", 0x04, 0x01, LE16(42), LE32(1),
                    LE64(0xdac), LE64(0x1f00), LE32(0x4986405cu), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0x01, 0x01);
        /* Signature type 0 means no signature. */
        EXPECT_TEXT("HD(3,0,0,0x0,0x0)", 0x04, 0x01, LE16(42), LE32(3), LE64(0), LE64(0), 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00);
}

Test(devpath, media_nodes)
{
        EXPECT_TEXT("CDROM(0x0,0x10,0x1000)", 0x04, 0x02, LE16(24), LE32(0), LE64(0x10),
                    LE64(0x1000));
        EXPECT_TEXT("VenMedia(1428f772-b64a-441e-b8c3-9ebdd7f893c7)", 0x04, 0x03, LE16(20),
                    GUID(0x1428f772, 0xb64a, 0x441e, 0xb8, 0xc3, 0x9e, 0xbd, 0xd7, 0xf8, 0x93,
                         0xc7));
        EXPECT_TEXT("Media(0c9a1f4e-6f2c-4b1e-9c35-7a2a3b4c5d6e)", 0x04, 0x05, LE16(20),
                    GUID(0x0c9a1f4e, 0x6f2c, 0x4b1e, 0x9c, 0x35, 0x7a, 0x2a, 0x3b, 0x4c, 0x5d,
                         0x6e));
        EXPECT_TEXT("Offset(0x15c00,0x47fff)", 0x04, 0x08, LE16(24), LE32(0), LE64(0x15c00),
                    LE64(0x47fff));
        EXPECT_TEXT("RamDisk(0x1000,0x1fff,0x0,77ab535a-45fc-624b-5560-f7b281d1f96e)", 0x04,
                    0x09, LE16(38), LE64(0x1000), LE64(0x1fff),
                    GUID(0x77ab535a, 0x45fc, 0x624b, 0x55, 0x60, 0xf7, 0xb2, 0x81, 0xd1, 0xf9,
                         0x6e),
                    LE16(0));
}

Test(devpath, firmware_volume_nodes)
{
        EXPECT_TEXT("Fv(7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1)/FvFile(462caa21-7614-4503-836e-8ab6f4662331)",
                    0x04, 0x07, LE16(20),
                    GUID(0x7cb8bdc9, 0xf8eb, 0x4f34, 0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16,
                         0xa1),
                    0x04, 0x06, LE16(20),
                    GUID(0x462caa21, 0x7614, 0x4503, 0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23,
                         0x31));
        EXPECT_TEXT("MemoryMapped(0xb,0x900000,0x10fffff)/FvFile(7c04a583-9e3e-4f1c-ad65-e05268d0b4d1)",
                    0x01, 0x03, LE16(24), LE32(11), LE64(0x900000), LE64(0x10fffff), 0x04,
                    0x06, LE16(20),
                    GUID(0x7c04a583, 0x9e3e, 0x4f1c, 0xad, 0x65, 0xe0, 0x52, 0x68, 0xd0, 0xb4,
                         0xd1));
}

Test(devpath, file_path_ascii)
{
        struct path p = { .len = 0 };

        put_file(&p, u"\\EFI\\BOOT\\BOOTX64.EFI");
        put_end(&p);
        expect_text(p.bytes, p.len, "File(\\EFI\\BOOT\\BOOTX64.EFI)");
}

Test(devpath, file_path_non_ascii_as_utf8)
{
        struct path p = { .len = 0 };

        put_file(&p, u"\\caf\u00e9\\\u20ac\\\U0001F600");
        put_end(&p);
        expect_text(p.bytes, p.len, "File(\\caf\xc3\xa9\\\xe2\x82\xac\\\xf0\x9f\x98\x80)");
}

Test(devpath, file_path_escapes)
{
        /* A lone high surrogate, a lone low surrogate and a control. */
        EXPECT_TEXT("File(\\uD800a\\uDC00\\u0007)", 0x04, 0x04, LE16(14), LE16(0xd800), 'a', 0,
                    LE16(0xdc00), LE16(0x0007), LE16(0));
}

Test(devpath, file_path_nul_and_length)
{
        /* No NUL: the path runs to the end of the node. */
        EXPECT_TEXT("File(ab)", 0x04, 0x04, LE16(8), 'a', 0, 'b', 0);
        /* Units after the NUL are not part of the path. */
        EXPECT_TEXT("File(a)", 0x04, 0x04, LE16(10), 'a', 0, 0, 0, 'z', 0);
        EXPECT_TEXT("File()", 0x04, 0x04, LE16(4));
}

Test(devpath, file_path_odd_length)
{
        static const uint8_t bytes[] = {
                PCI_ROOT_0, 0x04, 0x04, LE16(7), 'a', 0, 'b', END_ENTIRE_NODE,
        };

        expect_invalid(bytes, sizeof(bytes), 0x200, 0x200 + 12 + 4, "file path");
}

/* ---- BBS, unknown and End nodes ---- */

Test(devpath, bbs)
{
        EXPECT_TEXT("BBS(USB,\"USB Stick\",0x100)", 0x05, 0x01, LE16(18), LE16(5), LE16(0x100),
                    'U', 'S', 'B', ' ', 'S', 't', 'i', 'c', 'k', 0);
        EXPECT_TEXT("BBS(0x80,\"\",0x0)", 0x05, 0x01, LE16(9), LE16(0x80), LE16(0), 0);
}

Test(devpath, unknown_nodes)
{
        EXPECT_TEXT("Path(6,1,abcd)", 0x06, 0x01, LE16(6), 0xab, 0xcd);
        EXPECT_TEXT("Path(1,99,ff)", 0x01, 0x63, LE16(5), 0xff);
        EXPECT_TEXT("Path(3,21,)", 0x03, 0x15, LE16(4));
        /* An End node with a subtype other than Entire or Instance. */
        EXPECT_TEXT("PciRoot(0x0)/Path(127,2,)", PCI_ROOT_0, 0x7f, 0x02, LE16(4));
}

Test(devpath, end_instance)
{
        EXPECT_TEXT("PciRoot(0x0)/Pci(0x1,0x0),PciRoot(0x0)/Pci(0x2,0x0)", PCI_ROOT_0, 0x01,
                    0x01, LE16(6), 0x00, 0x01, END_INSTANCE_NODE, PCI_ROOT_0, 0x01, 0x01,
                    LE16(6), 0x00, 0x02);
}

Test(devpath, longer_node_keeps_extra_bytes_out)
{
        /* Bytes after a known node's fields are skipped. */
        EXPECT_TEXT("Pci(0x2,0x1)/Usb(0x1,0x0)", 0x01, 0x01, LE16(8), 0x01, 0x02, 0xee, 0xee,
                    0x03, 0x05, LE16(6), 0x01, 0x00);
}

/* ---- Real-looking paths ---- */

/* OVMF boot option of a disk behind a PCI bridge: PciRoot(0x0)/Pci(0x1,0x1)/
 * Pci(0x0,0x0)/HD(1,GPT,...)/File(\EFI\BOOT\BOOTX64.EFI). */
static void build_ovmf_path(struct path *p)
{
        static const uint8_t head[] = {
                PCI_ROOT_0,
                0x01, 0x01, LE16(6), 0x01, 0x01,
                0x01, 0x01, LE16(6), 0x00, 0x00,
                0x04, 0x01, LE16(42), LE32(1), LE64(0x800), LE64(0x32000),
                0x4c, 0x37, 0x72, 0xef, 0x30, 0x26, 0xa1, 0x46,
                0x88, 0xd6, 0x08, 0x26, 0x93, 0x78, 0x11, 0x40,
                0x02, 0x02,
        };

        p->len = 0;
        put(p, head, sizeof(head));
        put_file(p, u"\\EFI\\BOOT\\BOOTX64.EFI");
        put_end(p);
}

#define OVMF_TEXT \
        "PciRoot(0x0)/Pci(0x1,0x1)/Pci(0x0,0x0)/" \
        "HD(1,GPT,ef72374c-2630-46a1-88d6-082693781140,0x800,0x32000)/" \
        "File(\\EFI\\BOOT\\BOOTX64.EFI)"

Test(devpath, ovmf_disk_boot_path)
{
        struct path p;

        build_ovmf_path(&p);
        expect_text(p.bytes, p.len, OVMF_TEXT);
}

Test(devpath, null_error_pointer_allowed)
{
        static const uint8_t bad[] = { 0x01, 0x01, LE16(2) };
        char out[32];

        cr_expect_eq(pcrsim_device_path_text(bad, sizeof(bad), 0, out, sizeof(out), NULL),
                     PCRSIM_ERR_INVALID);
}

/* ---- Structural errors ---- */

Test(devpath, node_length_below_header_fails_at_node, .timeout = 10)
{
        for (uint16_t length = 0; length < 4; length++) {
                /* The short node is followed by more bytes, so only its
                 * length can be at fault. */
                const uint8_t bytes[] = {
                        PCI_ROOT_0, 0x01, 0x01, LE16(length), 0x00, 0x01, END_ENTIRE_NODE,
                };

                expect_invalid(bytes, sizeof(bytes), 0x1000, 0x1000 + 12,
                               "device path node length");
        }
}

Test(devpath, first_node_length_zero, .timeout = 10)
{
        static const uint8_t bytes[] = { 0x7f, 0xff, LE16(0) };

        expect_invalid(bytes, sizeof(bytes), 7, 7, "device path node length");
}

Test(devpath, node_past_end_of_data)
{
        static const uint8_t bytes[] = { PCI_ROOT_0, 0x01, 0x01, LE16(32), 0x00, 0x01,
                                         END_ENTIRE_NODE };

        expect_invalid(bytes, sizeof(bytes), 0x10, 0x10 + 12, "device path node length");
}

Test(devpath, truncated_node_header)
{
        static const uint8_t bytes[] = { PCI_ROOT_0, 0x7f, 0xff };

        expect_invalid(bytes, sizeof(bytes), 0, 12, "device path node header");
}

Test(devpath, data_after_end_entire)
{
        static const uint8_t bytes[] = { PCI_ROOT_0, END_ENTIRE_NODE, 0x01, 0x01, LE16(6), 0, 1 };
        static const uint8_t one_byte[] = { END_ENTIRE_NODE, 0x00 };

        expect_invalid(bytes, sizeof(bytes), 0x100, 0x100 + 16, "device path end");
        expect_invalid(one_byte, sizeof(one_byte), 0, 4, "device path end");
}

Test(devpath, missing_end_node)
{
        static const uint8_t bytes[] = { PCI_ROOT_0, 0x01, 0x01, LE16(6), 0x00, 0x01 };
        static const uint8_t instance_only[] = { PCI_ROOT_0, END_INSTANCE_NODE };

        expect_invalid(bytes, sizeof(bytes), 0x20, 0x20 + 18, "device path end");
        expect_invalid(instance_only, sizeof(instance_only), 0, 16, "device path end");
}

Test(devpath, node_shorter_than_its_fields)
{
        /* Pci with its function byte only. */
        static const uint8_t pci[] = { 0x01, 0x01, LE16(5), 0x00, END_ENTIRE_NODE };
        /* HD of 32 bytes: the 16-byte signature starts at data byte 20 of 28. */
        static const uint8_t hd[] = {
                0x04, 0x01, LE16(32), LE32(1), LE64(0x800), LE64(0x1000), 0, 0, 0, 0, 0, 0, 0,
                0, END_ENTIRE_NODE,
        };
        /* FvFile with half a GUID. */
        static const uint8_t fv_file[] = { 0x04, 0x06, LE16(12), 1, 2, 3, 4, 5, 6, 7, 8,
                                           END_ENTIRE_NODE };

        expect_invalid(pci, sizeof(pci), 0x30, 0x30 + 5, "PCI device");
        expect_invalid(hd, sizeof(hd), 0, 24, "partition signature");
        expect_invalid(fv_file, sizeof(fv_file), 0, 4, "GUID");
}

/* Renders every prefix of `bytes`. Only the empty prefix and the whole
 * path, which ends with its End Entire node, may succeed. */
static void check_every_prefix(const uint8_t *bytes, size_t len)
{
        for (size_t cut = 0; cut <= len; cut++) {
                struct pcrsim_error err;
                char out[TEXT_SIZE] = "unchanged";
                enum pcrsim_error_code rc;

                pcrsim_error_clear(&err);
                rc = render_copy(bytes, cut, 0x500, out, sizeof(out), &err);
                if (cut == 0 || cut == len) {
                        cr_expect_eq(rc, PCRSIM_OK, "prefix of %zu bytes: %s", cut, err.message);
                        continue;
                }
                cr_expect_eq(rc, PCRSIM_ERR_INVALID, "prefix of %zu of %zu bytes returned %d", cut,
                             len, rc);
                cr_expect_geq(err.offset, 0x500, "prefix of %zu bytes", cut);
                cr_expect_leq(err.offset, 0x500 + cut, "prefix of %zu bytes", cut);
                cr_expect_neq(err.field[0], '\0', "prefix of %zu bytes has no field", cut);
                cr_expect_str_eq(out, "", "prefix of %zu bytes", cut);
        }
}

Test(devpath, every_prefix_of_paths, .timeout = 60)
{
        static const uint8_t instances[] = {
                PCI_ROOT_0, 0x01, 0x01, LE16(6), 0x00, 0x01, END_INSTANCE_NODE,
                0x03, 0x0b, LE16(37), 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                0x03, 0x0c, LE16(27), 0, 0, 0, 0, 0, 0, 0, 0, LE16(0), LE16(0), LE16(0), 0, 0, 0,
                0, 0, 0, 0, 0, 0, END_INSTANCE_NODE,
                0x02, 0x02, LE16(24), LE32(0x0a0341d0u), LE32(7), LE32(0), 'H', 'I', 'D', 'X',
                0, '7', 0, 0,
                0x05, 0x01, LE16(9), LE16(2), LE16(0), 0, END_ENTIRE_NODE,
        };
        struct path p;

        build_ovmf_path(&p);
        check_every_prefix(p.bytes, p.len);
        check_every_prefix(instances, sizeof(instances));
}

/* Returns the length of the UTF-8 sequence that `lead` starts, or 0 when
 * `lead` cannot start one. */
static size_t utf8_sequence_length(unsigned char lead)
{
        if (lead < 0x80)
                return 1;
        if (lead >= 0xc2 && lead < 0xe0)
                return 2;
        if (lead >= 0xe0 && lead < 0xf0)
                return 3;
        if (lead >= 0xf0 && lead < 0xf5)
                return 4;
        return 0;
}

/* Tells whether `s` is well-formed UTF-8, as JSON output needs. */
static bool is_utf8(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                size_t length = utf8_sequence_length(*p);

                if (length == 0)
                        return false;
                for (size_t i = 1; i < length; i++)
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                p += length;
        }
        return true;
}

/* ---- Output buffer ---- */

Test(devpath, small_output_ends_in_ellipsis)
{
        const size_t full = strlen(OVMF_TEXT);
        struct path p;

        build_ovmf_path(&p);
        for (size_t size = 1; size <= full + 1; size++) {
                char out[TEXT_SIZE];
                size_t len;

                memset(out, 'Z', sizeof(out));
                cr_assert_eq(pcrsim_device_path_text(p.bytes, p.len, 0, out, size, NULL),
                             PCRSIM_OK, "output size %zu", size);
                cr_expect_eq(out[size], 'Z', "output size %zu: wrote past the buffer", size);
                len = strlen(out);
                cr_assert_eq(len, size - 1, "output size %zu: %s", size, out);
                if (size == full + 1) {
                        cr_expect_str_eq(out, OVMF_TEXT);
                } else if (size >= 4) {
                        cr_expect_str_eq(out + size - 4, "...", "output size %zu: %s", size, out);
                        cr_expect_eq(strncmp(out, OVMF_TEXT, size - 4), 0, "output size %zu: %s",
                                     size, out);
                } else {
                        cr_expect_eq(strspn(out, "."), size - 1, "output size %zu: %s", size, out);
                }
        }
}

Test(devpath, zero_size_output)
{
        struct path p;

        build_ovmf_path(&p);
        cr_expect_eq(pcrsim_device_path_text(p.bytes, p.len, 0, NULL, 0, NULL), PCRSIM_OK);
}

Test(devpath, ellipsis_never_splits_utf8)
{
        struct path p = { .len = 0 };
        char out[16];

        /* "File(" is 5 bytes, then each U+20AC is 3 bytes of UTF-8. */
        put_file(&p, u"\u20ac\u20ac\u20ac\u20ac\u20ac");
        put_end(&p);
        for (size_t size = 4; size <= sizeof(out); size++) {
                size_t prefix_len;

                cr_assert_eq(pcrsim_device_path_text(p.bytes, p.len, 0, out, size, NULL),
                             PCRSIM_OK);
                prefix_len = strlen(out) - 3;
                cr_expect_str_eq(out + prefix_len, "...", "output size %zu: %s", size, out);
                cr_expect(prefix_len <= 5 || (prefix_len - 5) % 3 == 0,
                          "output size %zu keeps %zu bytes, which splits a UTF-8 sequence", size,
                          prefix_len);
                cr_expect(is_utf8(out), "output size %zu: output is not UTF-8", size);
        }
}

/* ---- Random input ---- */

static uint32_t next_random(uint32_t *state)
{
        *state = *state * 1103515245u + 12345u;
        return *state >> 16;
}

Test(devpath, random_bytes_never_crash, .timeout = 60)
{
        static const uint8_t types[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x7f, 0x7f, 0x09 };
        uint32_t state = 20240601u;
        uint8_t bytes[96];

        for (int round = 0; round < 20000; round++) {
                size_t len = next_random(&state) % sizeof(bytes);
                char out[64];
                enum pcrsim_error_code rc;

                for (size_t i = 0; i < len; i++)
                        bytes[i] = (uint8_t)next_random(&state);
                /* Plausible headers reach the node renderers more often. */
                for (size_t at = 0; at + 4 <= len; at += 4 + next_random(&state) % 40) {
                        bytes[at] = types[next_random(&state) % sizeof(types)];
                        bytes[at + 1] = (uint8_t)(next_random(&state) % 32);
                        if (bytes[at] == 0x7f)
                                bytes[at + 1] = next_random(&state) % 2 ? 0xff : 0x01;
                        bytes[at + 2] = (uint8_t)(4 + next_random(&state) % 44);
                        bytes[at + 3] = 0;
                }
                rc = render_copy(bytes, len, 0, out, sizeof(out), NULL);
                cr_assert(rc == PCRSIM_OK || rc == PCRSIM_ERR_INVALID,
                          "round %d returned %d", round, rc);
                cr_assert_lt(strlen(out), sizeof(out));
                cr_assert(is_utf8(out), "round %d: output is not UTF-8", round);
        }
}

/* ---- Shared real-world vectors ---- */

/* The shim that OVMF loads from the boot disk in one of the shared
 * vectors, decoded by hand from the event data of that log. */
#define OVMF_SHIM_LOG "qemu-ovmf-shim-grub-sb-ms/eventlog.bin"
#define OVMF_SHIM_PATH "PciRoot(0x0)/Pci(0x1,0x0)/File(\\EFI\\BOOT\\BOOTX64.EFI)"

struct vector_tally {
        unsigned logs;
        unsigned paths;
        unsigned failures;
        bool ovmf_shim_seen;
};

/* Renders the device path of one image load event. */
static void check_image_load_event(const char *file, const struct pcrsim_event *ev,
                                   struct vector_tally *tally)
{
        struct pcrsim_reader r;
        struct pcrsim_error err;
        uint64_t fields[4];
        char out[TEXT_SIZE];
        enum pcrsim_error_code rc;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        for (int i = 0; i < 4; i++) {
                rc = pcrsim_reader_le64(&r, &fields[i], "UEFI_IMAGE_LOAD_EVENT", NULL);
                cr_assert_eq(rc, PCRSIM_OK, "%s: event %llu has %u bytes of data, too few for UEFI_IMAGE_LOAD_EVENT",
                             file, (unsigned long long)ev->index, ev->data_size);
        }
        cr_assert_leq(fields[3], pcrsim_reader_remaining(&r),
                      "%s: event %llu: LengthOfDevicePath %llu exceeds the %zu bytes left",
                      file, (unsigned long long)ev->index, (unsigned long long)fields[3],
                      pcrsim_reader_remaining(&r));
        pcrsim_error_clear(&err);
        rc = pcrsim_device_path_text(ev->data + IMAGE_LOAD_EVENT_HEADER, (size_t)fields[3],
                                     ev->data_offset + IMAGE_LOAD_EVENT_HEADER, out,
                                     sizeof(out), &err);
        cr_expect_eq(rc, PCRSIM_OK, "%s: event %llu: device path failed at offset 0x%llx: %s",
                     file, (unsigned long long)ev->index, (unsigned long long)err.offset,
                     err.message);
        if (rc)
                tally->failures++;
        tally->paths++;
        if (strstr(file, OVMF_SHIM_LOG) && strcmp(out, OVMF_SHIM_PATH) == 0)
                tally->ovmf_shim_seen = true;
}

static void check_log_paths(const char *path, struct vector_tally *tally)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        struct pcrsim_event ev;
        bool have_event = true;
        size_t size = 0;
        char *data = tu_read_file(path, &size);

        cr_assert_not_null(data, "cannot read %s", path);
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_tcglog_open_memory(data, size, &log, &err), PCRSIM_OK, "%s: %s", path,
                     err.message);
        while (have_event) {
                cr_assert_eq(pcrsim_tcglog_next(log, &ev, &have_event, &err), PCRSIM_OK, "%s: %s",
                             path, err.message);
                if (have_event && (ev.type == EV_EFI_BOOT_SERVICES_APPLICATION ||
                                   ev.type == EV_EFI_BOOT_SERVICES_DRIVER ||
                                   ev.type == EV_EFI_RUNTIME_SERVICES_DRIVER))
                        check_image_load_event(path, &ev, tally);
        }
        pcrsim_tcglog_free(log);
        free(data);
        tally->logs++;
}

static void check_vector_paths(const char *root, const char *name, struct vector_tally *tally)
{
        char *dir = tu_path_join(root, name);
        struct manifest m;
        char error[512];

        cr_assert_not_null(dir, "out of memory");
        cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
        for (size_t f = 0; f < m.file_count; f++) {
                char *path;

                if (!manifest_format_is_tcg_log(m.files[f].format) || m.files[f].expect_error)
                        continue;
                path = tu_path_join(dir, m.files[f].name);
                cr_assert_not_null(path, "out of memory");
                check_log_paths(path, tally);
                free(path);
        }
        manifest_free(&m);
        free(dir);
}

Test(devpath, shared_vector_image_paths, .timeout = 120)
{
        const char *root = tu_shared_vectors();
        struct vector_tally tally = { 0 };
        char **names = NULL;
        char *shim_log;
        FILE *present;
        long count;

        if (!root) {
                fprintf(stderr, "devpath: the shared vector folder is absent (set PCRSIM_SHARED_VECTORS), so the test is skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        count = manifest_list_vectors(root, &names);
        cr_assert_geq(count, 0, "cannot read the shared vector folder %s", root);
        for (long i = 0; i < count; i++)
                check_vector_paths(root, names[i], &tally);
        manifest_free_names(names, count);
        cr_log_info("devpath: %u device paths from %u event logs, %u failed", tally.paths,
                    tally.logs, tally.failures);
        cr_expect_gt(tally.paths, 0, "no image load event found in %u event logs", tally.logs);
        shim_log = tu_path_join(root, OVMF_SHIM_LOG);
        cr_assert_not_null(shim_log, "out of memory");
        present = fopen(shim_log, "rb");
        if (present) {
                fclose(present);
                cr_expect(tally.ovmf_shim_seen, "no device path of %s rendered as %s", shim_log,
                          OVMF_SHIM_PATH);
        }
        free(shim_log);
}

/* ---- Limits ---- */

/* Pci(0x1,0x0): hardware node type 1, subtype 1, function 0, then device 1. */
#define PCI_NODE 0x01, 0x01, LE16(6), 0x00, 0x01
#define PCI_NODE_SIZE 6u
#define END_NODE_SIZE 4u

/* Builds `instances` instances of `depth` Pci nodes each, split by End
 * Instance nodes and closed by End Entire. Caller frees. */
static uint8_t *pci_path(size_t instances, size_t depth, size_t *len)
{
        static const uint8_t pci[] = { PCI_NODE };
        static const uint8_t end_instance[] = { END_INSTANCE_NODE };
        static const uint8_t end_entire[] = { END_ENTIRE_NODE };
        size_t size = instances * (depth * PCI_NODE_SIZE + END_NODE_SIZE);
        uint8_t *p = malloc(size), *at = p;

        cr_assert_not_null(p, "out of memory");
        for (size_t i = 0; i < instances; i++) {
                for (size_t d = 0; d < depth; d++, at += PCI_NODE_SIZE)
                        memcpy(at, pci, PCI_NODE_SIZE);
                memcpy(at, i + 1 < instances ? end_instance : end_entire, END_NODE_SIZE);
                at += END_NODE_SIZE;
        }
        *len = size;
        return p;
}

/* Expects a LIMIT error at `offset` naming the device path node field. */
static void expect_limit(size_t instances, size_t depth, uint64_t offset)
{
        size_t len;
        uint8_t *p = pci_path(instances, depth, &len);
        char *out = malloc(64 * 1024);
        struct pcrsim_error err;
        enum pcrsim_error_code rc;

        cr_assert_not_null(out, "out of memory");
        pcrsim_error_clear(&err);
        rc = pcrsim_device_path_text(p, len, 0x1000, out, 64 * 1024, &err);
        cr_assert_eq(rc, PCRSIM_ERR_LIMIT, "expected LIMIT, got %d: %s", rc, err.message);
        cr_expect_eq(err.code, PCRSIM_ERR_LIMIT);
        cr_expect_eq(err.offset, offset, "offset 0x%llx, expected 0x%llx (%s)",
                     (unsigned long long)err.offset, (unsigned long long)offset, err.message);
        cr_expect_str_eq(err.field, "device path node");
        cr_expect_str_eq(out, "", "text left after an error");
        free(out);
        free(p);
}

static void expect_renders(size_t instances, size_t depth)
{
        size_t len;
        uint8_t *p = pci_path(instances, depth, &len);
        char *out = malloc(64 * 1024);
        struct pcrsim_error err;

        cr_assert_not_null(out, "out of memory");
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_device_path_text(p, len, 0, out, 64 * 1024, &err), PCRSIM_OK,
                     "%zu instances of %zu nodes: %s", instances, depth, err.message);
        cr_expect(strncmp(out, "Pci(0x1,0x0)/Pci(0x1,0x0)", 25) == 0, "text: %.60s", out);
        free(out);
        free(p);
}

Test(devpath, depth_limit_per_instance)
{
        /* 64 nodes in one instance render; the 65th node, at byte 64 * 6
         * after the base 0x1000, is past the limit. */
        expect_renders(1, 64);
        expect_limit(1, 65, 0x1000 + 64 * PCI_NODE_SIZE);
}

Test(devpath, node_limit_over_instances)
{
        /* Each instance is 60 Pci nodes and an End node, so 16 instances
         * hold 976 nodes and render. With 17, the 1025th node is the 49th
         * Pci node of instance 17: 16 * (60 * 6 + 4) + 48 * 6 bytes in. */
        size_t before = 16 * (60 * PCI_NODE_SIZE + END_NODE_SIZE) + 48 * PCI_NODE_SIZE;

        expect_renders(16, 60);
        expect_limit(17, 60, 0x1000 + before);
}
