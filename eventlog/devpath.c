/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EFI device path to text, in the text notation of UEFI 2.10, chapter 10.
 * A device path is a run of nodes, each a 4-byte header (type u8,
 * subtype u8, length u16 little-endian, header included) and its data.
 * Known nodes render with their text name, such as "Pci(0x1,0x0)", and
 * unknown ones as "Path(type,subtype,hexdata)".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "eventlog/devpath.h"
#include "eventlog/guid.h"
#include "pcrsim/limits.h"
#include "pcrsim/reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NODE_HEADER_SIZE 4u
#define GUID_SIZE 16u

/* Node types of UEFI 2.10, chapter 10. */
#define TYPE_HARDWARE 0x01
#define TYPE_ACPI 0x02
#define TYPE_MESSAGING 0x03
#define TYPE_MEDIA 0x04
#define TYPE_BBS 0x05
#define TYPE_END 0x7f

#define END_INSTANCE 0x01
#define END_ENTIRE 0xff

/* The compressed EISA vendor "PNP" in the low 16 bits of an ACPI _HID. */
#define EISA_VENDOR_PNP 0x41d0u

/* Output text that stops growing when `buf` is full. */
struct text {
        char *buf;
        size_t size; /* bytes of `buf`, including the NUL */
        size_t len;
        bool overflow;
};

/* One node being rendered. `data` covers the bytes after the header. */
struct node {
        struct pcrsim_reader data;
        uint64_t offset; /* input offset of the node header */
        uint8_t type;
        uint8_t subtype;
        uint16_t length;
        const char *name;
        struct text *text;
        struct pcrsim_error *err;
};

enum field_style {
        FIELD_HEX,      /* printed as 0x... */
        FIELD_DECIMAL,  /* printed in decimal */
        FIELD_RESERVED, /* read but not printed */
};

/* One little-endian integer of a node that is a plain list of integers. */
struct field {
        uint8_t size; /* 1, 2, 4 or 8 bytes; 0 ends the list */
        uint8_t style;
        const char *name;
};

#define MAX_FIELDS 5

struct node_kind;

typedef enum pcrsim_error_code (*node_renderer)(struct node *n,
                                                const struct node_kind *kind);

struct node_kind {
        uint8_t type;
        uint8_t subtype;
        const char *name; /* text name, such as "Pci" */
        node_renderer render;
        struct field fields[MAX_FIELDS]; /* for render_integers() */
};

static void text_write(struct text *t, const char *s, size_t n)
{
        size_t room;

        if (t->overflow)
                return;
        if (t->size > t->len && t->size - t->len > n) {
                memcpy(t->buf + t->len, s, n);
                t->len += n;
                return;
        }
        /* Keeps what fits, so that the cut falls where the text ran out. */
        room = t->size > t->len + 1 ? t->size - t->len - 1 : 0;
        if (room)
                memcpy(t->buf + t->len, s, room);
        t->len += room;
        t->overflow = true;
}

static void text_printf(struct text *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
        char piece[128];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(piece, sizeof(piece), fmt, ap);
        va_end(ap);
        /* Every format in this file prints at most a few numbers. */
        if (n < 0 || (size_t)n >= sizeof(piece)) {
                t->overflow = true;
                return;
        }
        text_write(t, piece, (size_t)n);
}

static void text_puts(struct text *t, const char *s)
{
        text_write(t, s, strlen(s));
}

/*
 * NUL-terminates the text. Text that did not fit ends in "..." instead of
 * its last bytes, and the cut never splits a UTF-8 sequence.
 */
static void text_finish(struct text *t)
{
        size_t keep;

        if (t->size == 0)
                return;
        if (!t->overflow) {
                t->buf[t->len] = '\0';
                return;
        }
        if (t->size <= 4) {
                memset(t->buf, '.', t->size - 1);
                t->buf[t->size - 1] = '\0';
                return;
        }
        keep = t->size - 4 < t->len ? t->size - 4 : t->len;
        while (keep > 0 && ((unsigned char)t->buf[keep] & 0xc0) == 0x80)
                keep--;
        memcpy(t->buf + keep, "...", 4);
}

static void text_hex(struct text *t, const uint8_t *bytes, size_t n)
{
        for (size_t i = 0; i < n && !t->overflow; i++)
                text_printf(t, "%02x", bytes[i]);
}

static void text_guid(struct text *t, const uint8_t *guid)
{
        char s[PCRSIM_GUID_TEXT_SIZE];

        pcrsim_guid_text(guid, s);
        text_puts(t, s);
}

/* Writes an 8-bit string: printable ASCII as is, other bytes as \xNN. */
static void text_bytes_escaped(struct text *t, const uint8_t *s, size_t n)
{
        for (size_t i = 0; i < n && !t->overflow; i++) {
                if (s[i] >= 0x20 && s[i] < 0x7f)
                        text_write(t, (const char *)&s[i], 1);
                else
                        text_printf(t, "\\x%02x", s[i]);
        }
}

/*
 * Writes a code point as UTF-8. Controls and lone surrogates become
 * \uXXXX because they would be invisible or invalid UTF-8.
 * NOTE: a path can contain "\u" itself, as in \EFI\ubuntu, so the escape
 * is for people to read and cannot be reversed with certainty.
 */
static void text_code_point(struct text *t, uint32_t c)
{
        char u[4];

        if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c < 0xe000)) {
                text_printf(t, "\\u%04" PRIX32, c);
        } else if (c < 0x80) {
                u[0] = (char)c;
                text_write(t, u, 1);
        } else if (c < 0x800) {
                u[0] = (char)(0xc0 | c >> 6);
                u[1] = (char)(0x80 | (c & 0x3f));
                text_write(t, u, 2);
        } else if (c < 0x10000) {
                u[0] = (char)(0xe0 | c >> 12);
                u[1] = (char)(0x80 | (c >> 6 & 0x3f));
                u[2] = (char)(0x80 | (c & 0x3f));
                text_write(t, u, 3);
        } else {
                u[0] = (char)(0xf0 | c >> 18);
                u[1] = (char)(0x80 | (c >> 12 & 0x3f));
                u[2] = (char)(0x80 | (c >> 6 & 0x3f));
                u[3] = (char)(0x80 | (c & 0x3f));
                text_write(t, u, 4);
        }
}

/* Writes a compressed EISA ID such as 0x0a0341d0 as "PNP0A03". */
static void text_eisa_id(struct text *t, uint32_t id)
{
        unsigned vendor = id & 0xffffu;
        char c1 = (char)(vendor >> 10 & 0x1f), c2 = (char)(vendor >> 5 & 0x1f);
        char c3 = (char)(vendor & 0x1f);

        if (id == 0)
                text_puts(t, "0");
        else if (c1 >= 1 && c1 <= 26 && c2 >= 1 && c2 <= 26 && c3 >= 1 && c3 <= 26 &&
                 !(vendor & 0x8000u))
                text_printf(t, "%c%c%c%04" PRIX32, 'A' + c1 - 1, 'A' + c2 - 1, 'A' + c3 - 1,
                            id >> 16);
        else
                text_printf(t, "0x%08" PRIx32, id);
}

static enum pcrsim_error_code node_too_short(struct node *n, size_t want,
                                             const char *field)
{
        return pcrsim_error_set(n->err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&n->data),
                                field,
                                "%s needs %zu byte%s but the %s device path node at offset 0x%" PRIx64
                                " (length %u) has %zu left",
                                field, want, want == 1 ? "" : "s", n->name, n->offset,
                                n->length, pcrsim_reader_remaining(&n->data));
}

/* Reads a little-endian integer of `size` bytes (1, 2, 4 or 8). */
static enum pcrsim_error_code read_uint(struct node *n, size_t size, uint64_t *out,
                                        const char *field)
{
        uint8_t v8 = 0;
        uint16_t v16 = 0;
        uint32_t v32 = 0;

        *out = 0;
        if (pcrsim_reader_remaining(&n->data) < size)
                return node_too_short(n, size, field);
        switch (size) {
        case 1:
                pcrsim_reader_u8(&n->data, &v8, field, NULL);
                *out = v8;
                break;
        case 2:
                pcrsim_reader_le16(&n->data, &v16, field, NULL);
                *out = v16;
                break;
        case 4:
                pcrsim_reader_le32(&n->data, &v32, field, NULL);
                *out = v32;
                break;
        default:
                pcrsim_reader_le64(&n->data, out, field, NULL);
                break;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_bytes(struct node *n, size_t size, const uint8_t **out,
                                         const char *field)
{
        *out = NULL;
        if (pcrsim_reader_remaining(&n->data) < size)
                return node_too_short(n, size, field);
        return pcrsim_reader_bytes(&n->data, size, out, field, NULL);
}

/* Takes the rest of the node's data, which may be empty. */
static const uint8_t *read_rest(struct node *n, size_t *size)
{
        const uint8_t *p = NULL;

        *size = pcrsim_reader_remaining(&n->data);
        pcrsim_reader_bytes(&n->data, *size, &p, NULL, NULL);
        return p;
}

/* Reads a NUL-terminated 8-bit string and skips its NUL. A string that
 * runs to the end of the node is invalid unless `last` allows it. */
static enum pcrsim_error_code read_string(struct node *n, bool last, const uint8_t **s,
                                          size_t *len, const char *field)
{
        size_t left = pcrsim_reader_remaining(&n->data);
        const uint8_t *p = NULL;
        const uint8_t *nul;

        pcrsim_reader_bytes(&n->data, 0, &p, field, NULL);
        nul = left ? memchr(p, 0, left) : NULL;
        if (!nul && !last)
                return pcrsim_error_set(n->err, PCRSIM_ERR_INVALID,
                                        pcrsim_reader_offset(&n->data), field,
                                        "%s of the %s device path node at offset 0x%" PRIx64
                                        " has no NUL terminator",
                                        field, n->name, n->offset);
        *len = nul ? (size_t)(nul - p) : left;
        *s = p;
        pcrsim_reader_skip(&n->data, nul ? *len + 1 : *len, field, NULL);
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_guid(struct node *n, const uint8_t **guid,
                                        const char *field)
{
        return read_bytes(n, GUID_SIZE, guid, field);
}

/* Path(type,subtype,hexdata), the form of any node without a name. */
static enum pcrsim_error_code render_unknown(struct node *n)
{
        const uint8_t *data;
        size_t size;

        data = read_rest(n, &size);
        text_printf(n->text, "Path(%u,%u,", n->type, n->subtype);
        text_hex(n->text, data, size);
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Nodes whose text lists their integer fields in storage order. */
static enum pcrsim_error_code render_integers(struct node *n, const struct node_kind *kind)
{
        const char *separator = "";
        enum pcrsim_error_code rc;
        uint64_t v;

        text_printf(n->text, "%s(", kind->name);
        for (size_t i = 0; i < MAX_FIELDS && kind->fields[i].size; i++) {
                const struct field *f = &kind->fields[i];

                rc = read_uint(n, f->size, &v, f->name);
                if (rc)
                        return rc;
                if (f->style == FIELD_RESERVED)
                        continue;
                if (f->style == FIELD_DECIMAL)
                        text_printf(n->text, "%s%" PRIu64, separator, v);
                else
                        text_printf(n->text, "%s0x%" PRIx64, separator, v);
                separator = ",";
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Pci(Device,Function). The node stores the function first. */
static enum pcrsim_error_code render_pci(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        uint64_t function, device;

        rc = read_uint(n, 1, &function, "PCI function");
        if (!rc)
                rc = read_uint(n, 1, &device, "PCI device");
        if (rc)
                return rc;
        text_printf(n->text, "%s(0x%" PRIx64 ",0x%" PRIx64 ")", kind->name, device, function);
        return PCRSIM_OK;
}

/* Vendor-defined messaging nodes that the text notation names by GUID. */
static const struct {
        const char *guid;
        const char *name;
} terminal_types[] = {
        { "e0c14753-f9be-11d2-9a0c-0090273fc14d", "VenPcAnsi" },
        { "dfa66065-b419-11d3-9a2d-0090273fc14d", "VenVt100" },
        { "7baec70b-57e0-4c76-8e87-2f9e28088343", "VenVt100Plus" },
        { "ad15a0d6-8bec-4acf-a073-d01de77e2d88", "VenUtf8" },
};

/* VenHw, VenMsg and VenMedia: (GUID[,vendor data in hex]). */
static enum pcrsim_error_code render_vendor(struct node *n, const struct node_kind *kind)
{
        const uint8_t *guid, *data;
        enum pcrsim_error_code rc;
        size_t size;

        rc = read_guid(n, &guid, "vendor GUID");
        if (rc)
                return rc;
        data = read_rest(n, &size);
        if (n->type == TYPE_MESSAGING && size == 0) {
                for (size_t i = 0; i < ARRAY_SIZE(terminal_types); i++) {
                        if (pcrsim_guid_equals(guid, terminal_types[i].guid)) {
                                text_printf(n->text, "%s()", terminal_types[i].name);
                                return PCRSIM_OK;
                        }
                }
        }
        text_printf(n->text, "%s(", kind->name);
        text_guid(n->text, guid);
        if (size) {
                text_puts(n->text, ",");
                text_hex(n->text, data, size);
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* ACPI devices with a short text form of their own, by PNP product ID. */
static const struct {
        uint16_t product;
        const char *name;
} acpi_short_names[] = {
        { 0x0a03, "PciRoot" },
        { 0x0a08, "PcieRoot" },
        { 0x0604, "Floppy" },
        { 0x0301, "Keyboard" },
        { 0x0501, "Serial" },
        { 0x0401, "ParallelPort" },
};

/* Acpi(HID,UID), or a short form such as PciRoot(UID). */
static enum pcrsim_error_code render_acpi(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        uint64_t hid, uid;

        rc = read_uint(n, 4, &hid, "ACPI _HID");
        if (!rc)
                rc = read_uint(n, 4, &uid, "ACPI _UID");
        if (rc)
                return rc;
        if ((hid & 0xffffu) == EISA_VENDOR_PNP) {
                for (size_t i = 0; i < ARRAY_SIZE(acpi_short_names); i++) {
                        if (acpi_short_names[i].product == hid >> 16) {
                                text_printf(n->text, "%s(0x%" PRIx64 ")",
                                            acpi_short_names[i].name, uid);
                                return PCRSIM_OK;
                        }
                }
        }
        text_printf(n->text, "%s(", kind->name);
        text_eisa_id(n->text, (uint32_t)hid);
        text_printf(n->text, ",0x%" PRIx64 ")", uid);
        return PCRSIM_OK;
}

/*
 * AcpiEx(HID,CID,UID,HIDSTR,CIDSTR,UIDSTR). The node stores _HID, _UID,
 * _CID, then the strings in the order _HIDSTR, _UIDSTR, _CIDSTR.
 */
static enum pcrsim_error_code render_acpi_ex(struct node *n, const struct node_kind *kind)
{
        const uint8_t *hid_str, *uid_str, *cid_str;
        size_t hid_len, uid_len, cid_len;
        enum pcrsim_error_code rc;
        uint64_t hid, uid, cid;

        rc = read_uint(n, 4, &hid, "ACPI _HID");
        if (!rc)
                rc = read_uint(n, 4, &uid, "ACPI _UID");
        if (!rc)
                rc = read_uint(n, 4, &cid, "ACPI _CID");
        if (!rc)
                rc = read_string(n, false, &hid_str, &hid_len, "ACPI _HIDSTR");
        if (!rc)
                rc = read_string(n, false, &uid_str, &uid_len, "ACPI _UIDSTR");
        if (!rc)
                rc = read_string(n, false, &cid_str, &cid_len, "ACPI _CIDSTR");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_eisa_id(n->text, (uint32_t)hid);
        text_puts(n->text, ",");
        text_eisa_id(n->text, (uint32_t)cid);
        text_printf(n->text, ",0x%" PRIx64 ",", uid);
        text_bytes_escaped(n->text, hid_str, hid_len);
        text_puts(n->text, ",");
        text_bytes_escaped(n->text, cid_str, cid_len);
        text_puts(n->text, ",");
        text_bytes_escaped(n->text, uid_str, uid_len);
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* AcpiAdr(ADR[,ADR...]): one or more 32-bit _ADR values. */
static enum pcrsim_error_code render_acpi_adr(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        uint64_t adr;

        rc = read_uint(n, 4, &adr, "ACPI _ADR");
        if (rc)
                return rc;
        text_printf(n->text, "%s(0x%" PRIx64, kind->name, adr);
        while (pcrsim_reader_remaining(&n->data) >= 4) {
                read_uint(n, 4, &adr, "ACPI _ADR");
                text_printf(n->text, ",0x%" PRIx64, adr);
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Ata(Primary|Secondary,Master|Slave,LUN). */
static enum pcrsim_error_code render_ata(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        uint64_t channel, drive, lun;

        rc = read_uint(n, 1, &channel, "ATA primary/secondary");
        if (!rc)
                rc = read_uint(n, 1, &drive, "ATA slave/master");
        if (!rc)
                rc = read_uint(n, 2, &lun, "ATA logical unit");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        if (channel <= 1)
                text_puts(n->text, channel ? "Secondary," : "Primary,");
        else
                text_printf(n->text, "0x%" PRIx64 ",", channel);
        if (drive <= 1)
                text_puts(n->text, drive ? "Slave," : "Master,");
        else
                text_printf(n->text, "0x%" PRIx64 ",", drive);
        text_printf(n->text, "0x%" PRIx64 ")", lun);
        return PCRSIM_OK;
}

/* MAC(address,IfType). The address field has 32 bytes, of which an
 * Ethernet interface (IfType 0 or 1) uses the first 6. */
static enum pcrsim_error_code render_mac(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        const uint8_t *mac;
        uint64_t if_type;

        rc = read_bytes(n, 32, &mac, "MAC address");
        if (!rc)
                rc = read_uint(n, 1, &if_type, "MAC interface type");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_hex(n->text, mac, if_type <= 1 ? 6 : 32);
        text_printf(n->text, ",0x%" PRIx64 ")", if_type);
        return PCRSIM_OK;
}

static void text_protocol(struct text *t, uint64_t protocol)
{
        if (protocol == 6)
                text_puts(t, "TCP");
        else if (protocol == 17)
                text_puts(t, "UDP");
        else
                text_printf(t, "%" PRIu64, protocol);
}

static void text_ipv4(struct text *t, const uint8_t *a)
{
        text_printf(t, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/*
 * IPv4(RemoteIp,Protocol,Static|DHCP,LocalIp[,GatewayIp,SubnetMask]).
 * Nodes of UEFI 2.0 end before the gateway, at 19 bytes. The text form
 * has no ports.
 */
static enum pcrsim_error_code render_ipv4(struct node *n, const struct node_kind *kind)
{
        const uint8_t *local, *remote, *gateway, *mask;
        uint64_t local_port, remote_port, protocol, is_static;
        enum pcrsim_error_code rc;

        rc = read_bytes(n, 4, &local, "IPv4 local address");
        if (!rc)
                rc = read_bytes(n, 4, &remote, "IPv4 remote address");
        if (!rc)
                rc = read_uint(n, 2, &local_port, "IPv4 local port");
        if (!rc)
                rc = read_uint(n, 2, &remote_port, "IPv4 remote port");
        if (!rc)
                rc = read_uint(n, 2, &protocol, "IPv4 protocol");
        if (!rc)
                rc = read_uint(n, 1, &is_static, "IPv4 static address flag");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_ipv4(n->text, remote);
        text_puts(n->text, ",");
        text_protocol(n->text, protocol);
        text_puts(n->text, is_static ? ",Static," : ",DHCP,");
        text_ipv4(n->text, local);
        if (pcrsim_reader_remaining(&n->data) >= 8) {
                read_bytes(n, 4, &gateway, "IPv4 gateway address");
                read_bytes(n, 4, &mask, "IPv4 subnet mask");
                text_puts(n->text, ",");
                text_ipv4(n->text, gateway);
                text_puts(n->text, ",");
                text_ipv4(n->text, mask);
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Writes the eight groups of an IPv6 address in hex, uncompressed. */
static void text_ipv6(struct text *t, const uint8_t *a)
{
        for (int i = 0; i < 16; i += 2)
                text_printf(t, "%s%x", i ? ":" : "", (unsigned)(a[i] << 8 | a[i + 1]));
}

static const char *const ipv6_origins[] = {
        "Static", "StatelessAutoConfigure", "StatefulAutoConfigure",
};

/*
 * IPv6(RemoteIp,Protocol,IpAddressOrigin,LocalIp[,PrefixLength,GatewayIp]).
 * Nodes of UEFI 2.0 end before the prefix length, at 43 bytes.
 */
static enum pcrsim_error_code render_ipv6(struct node *n, const struct node_kind *kind)
{
        const uint8_t *local, *remote, *gateway;
        uint64_t local_port, remote_port, protocol, origin, prefix;
        enum pcrsim_error_code rc;

        rc = read_bytes(n, 16, &local, "IPv6 local address");
        if (!rc)
                rc = read_bytes(n, 16, &remote, "IPv6 remote address");
        if (!rc)
                rc = read_uint(n, 2, &local_port, "IPv6 local port");
        if (!rc)
                rc = read_uint(n, 2, &remote_port, "IPv6 remote port");
        if (!rc)
                rc = read_uint(n, 2, &protocol, "IPv6 protocol");
        if (!rc)
                rc = read_uint(n, 1, &origin, "IPv6 address origin");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_ipv6(n->text, remote);
        text_puts(n->text, ",");
        text_protocol(n->text, protocol);
        if (origin < ARRAY_SIZE(ipv6_origins))
                text_printf(n->text, ",%s,", ipv6_origins[origin]);
        else
                text_printf(n->text, ",0x%" PRIx64 ",", origin);
        text_ipv6(n->text, local);
        if (pcrsim_reader_remaining(&n->data) >= 17) {
                read_uint(n, 1, &prefix, "IPv6 prefix length");
                read_bytes(n, 16, &gateway, "IPv6 gateway address");
                text_printf(n->text, ",0x%" PRIx64 ",", prefix);
                text_ipv6(n->text, gateway);
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Uart(BaudRate,DataBits,Parity,StopBits); 0 means the default. */
static enum pcrsim_error_code render_uart(struct node *n, const struct node_kind *kind)
{
        static const char parity_names[] = "DNEOMS";
        static const char *const stop_names[] = { "D", "1", "1.5", "2" };
        uint64_t reserved, baud, data_bits, parity, stop_bits;
        enum pcrsim_error_code rc;

        rc = read_uint(n, 4, &reserved, "UART reserved");
        if (!rc)
                rc = read_uint(n, 8, &baud, "UART baud rate");
        if (!rc)
                rc = read_uint(n, 1, &data_bits, "UART data bits");
        if (!rc)
                rc = read_uint(n, 1, &parity, "UART parity");
        if (!rc)
                rc = read_uint(n, 1, &stop_bits, "UART stop bits");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        if (baud)
                text_printf(n->text, "%" PRIu64 ",", baud);
        else
                text_puts(n->text, "DEFAULT,");
        if (data_bits)
                text_printf(n->text, "%" PRIu64 ",", data_bits);
        else
                text_puts(n->text, "DEFAULT,");
        if (parity < sizeof(parity_names) - 1)
                text_printf(n->text, "%c,", parity_names[parity]);
        else
                text_printf(n->text, "0x%" PRIx64 ",", parity);
        if (stop_bits < ARRAY_SIZE(stop_names))
                text_printf(n->text, "%s)", stop_names[stop_bits]);
        else
                text_printf(n->text, "0x%" PRIx64 ")", stop_bits);
        return PCRSIM_OK;
}

/*
 * NVMe(NamespaceId,EUI-64). The EUI-64 is a UINT64 in the node and
 * prints most significant byte first, as bytes separated by "-".
 */
static enum pcrsim_error_code render_nvme(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        uint64_t nsid, eui;

        rc = read_uint(n, 4, &nsid, "NVMe namespace ID");
        if (!rc)
                rc = read_uint(n, 8, &eui, "NVMe EUI-64");
        if (rc)
                return rc;
        text_printf(n->text, "%s(0x%" PRIx64 ",", kind->name, nsid);
        for (int shift = 56; shift >= 0; shift -= 8)
                text_printf(n->text, "%02x%s", (unsigned)(eui >> shift & 0xff),
                            shift ? "-" : ")");
        return PCRSIM_OK;
}

/* Uri(text). The URI fills the node without a terminator; a NUL ends it
 * early. */
static enum pcrsim_error_code render_uri(struct node *n, const struct node_kind *kind)
{
        const uint8_t *uri;
        size_t len;
        enum pcrsim_error_code rc;

        rc = read_string(n, true, &uri, &len, "URI");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_bytes_escaped(n->text, uri, len);
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/*
 * HD(Partition,MBR|GPT,Signature,Start,Size). An MBR signature is the
 * 32-bit disk signature in hex, a GPT one the partition GUID. Other
 * signature types print their number and a signature of 0.
 */
static enum pcrsim_error_code render_hard_drive(struct node *n, const struct node_kind *kind)
{
        uint64_t partition, start, size, format, signature_type;
        enum pcrsim_error_code rc;
        const uint8_t *sig;

        rc = read_uint(n, 4, &partition, "partition number");
        if (!rc)
                rc = read_uint(n, 8, &start, "partition start");
        if (!rc)
                rc = read_uint(n, 8, &size, "partition size");
        if (!rc)
                rc = read_bytes(n, 16, &sig, "partition signature");
        if (!rc)
                rc = read_uint(n, 1, &format, "partition format");
        if (!rc)
                rc = read_uint(n, 1, &signature_type, "signature type");
        if (rc)
                return rc;
        text_printf(n->text, "%s(%" PRIu64 ",", kind->name, partition);
        if (signature_type == 1) {
                text_printf(n->text, "MBR,0x%02x%02x%02x%02x,", sig[3], sig[2], sig[1], sig[0]);
        } else if (signature_type == 2) {
                text_puts(n->text, "GPT,");
                text_guid(n->text, sig);
                text_puts(n->text, ",");
        } else {
                text_printf(n->text, "%" PRIu64 ",0,", signature_type);
        }
        text_printf(n->text, "0x%" PRIx64 ",0x%" PRIx64 ")", start, size);
        return PCRSIM_OK;
}

/*
 * File(path). The path is UTF-16LE up to the first NUL, or to the end of
 * the node when it has none. Surrogate pairs combine into one code point.
 */
static enum pcrsim_error_code render_file_path(struct node *n, const struct node_kind *kind)
{
        uint64_t start = pcrsim_reader_offset(&n->data);
        size_t size = pcrsim_reader_remaining(&n->data);
        uint64_t unit, next;

        if (size % 2)
                return pcrsim_error_set(n->err, PCRSIM_ERR_INVALID, start, "file path",
                                        "file path of the device path node at offset 0x%" PRIx64
                                        " has %zu bytes, but UTF-16 text needs an even count",
                                        n->offset, size);
        text_printf(n->text, "%s(", kind->name);
        while (pcrsim_reader_remaining(&n->data) >= 2 && !n->text->overflow) {
                read_uint(n, 2, &unit, "file path");
                if (unit == 0)
                        break;
                if (unit >= 0xd800 && unit < 0xdc00 && pcrsim_reader_remaining(&n->data) >= 2) {
                        struct pcrsim_reader before = n->data;

                        read_uint(n, 2, &next, "file path");
                        if (next >= 0xdc00 && next < 0xe000)
                                unit = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
                        else
                                n->data = before;
                }
                text_code_point(n->text, (uint32_t)unit);
        }
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* Media(GUID), FvFile(GUID) and Fv(GUID). */
static enum pcrsim_error_code render_guid_only(struct node *n, const struct node_kind *kind)
{
        enum pcrsim_error_code rc;
        const uint8_t *guid;

        rc = read_guid(n, &guid, "GUID");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        text_guid(n->text, guid);
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

/* RamDisk(StartingAddress,EndingAddress,DiskInstance,DiskType). */
static enum pcrsim_error_code render_ram_disk(struct node *n, const struct node_kind *kind)
{
        uint64_t start, end, instance;
        enum pcrsim_error_code rc;
        const uint8_t *disk_type;

        rc = read_uint(n, 8, &start, "RAM disk start");
        if (!rc)
                rc = read_uint(n, 8, &end, "RAM disk end");
        if (!rc)
                rc = read_guid(n, &disk_type, "RAM disk type");
        if (!rc)
                rc = read_uint(n, 2, &instance, "RAM disk instance");
        if (rc)
                return rc;
        text_printf(n->text, "%s(0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64 ",", kind->name, start,
                    end, instance);
        text_guid(n->text, disk_type);
        text_puts(n->text, ")");
        return PCRSIM_OK;
}

static const char *const bbs_device_types[] = {
        NULL, "Floppy", "HD", "CDROM", "PCMCIA", "USB", "Network",
};

/* BBS(Type,"Description",StatusFlag) of the BIOS Boot Specification. */
static enum pcrsim_error_code render_bbs(struct node *n, const struct node_kind *kind)
{
        uint64_t device_type, status;
        enum pcrsim_error_code rc;
        const uint8_t *description;
        size_t len;

        rc = read_uint(n, 2, &device_type, "BBS device type");
        if (!rc)
                rc = read_uint(n, 2, &status, "BBS status flag");
        if (!rc)
                rc = read_string(n, true, &description, &len, "BBS description");
        if (rc)
                return rc;
        text_printf(n->text, "%s(", kind->name);
        if (device_type >= 1 && device_type < ARRAY_SIZE(bbs_device_types))
                text_puts(n->text, bbs_device_types[device_type]);
        else
                text_printf(n->text, "0x%" PRIx64, device_type);
        text_puts(n->text, ",\"");
        text_bytes_escaped(n->text, description, len);
        text_printf(n->text, "\",0x%" PRIx64 ")", status);
        return PCRSIM_OK;
}

#define HEX(bytes, name) { (bytes), FIELD_HEX, (name) }
#define DEC(bytes, name) { (bytes), FIELD_DECIMAL, (name) }
#define RESERVED(bytes, name) { (bytes), FIELD_RESERVED, (name) }

/* Node kinds by type and subtype, with their names in the text notation. */
static const struct node_kind node_kinds[] = {
        { TYPE_HARDWARE, 1, "Pci", render_pci, { { 0 } } },
        { TYPE_HARDWARE, 2, "PcCard", render_integers, { HEX(1, "PC Card function") } },
        { TYPE_HARDWARE, 3, "MemoryMapped", render_integers,
          { HEX(4, "memory type"), HEX(8, "start address"), HEX(8, "end address") } },
        { TYPE_HARDWARE, 4, "VenHw", render_vendor, { { 0 } } },
        { TYPE_HARDWARE, 5, "Ctrl", render_integers, { HEX(4, "controller number") } },
        { TYPE_HARDWARE, 6, "BMC", render_integers,
          { HEX(1, "BMC interface type"), HEX(8, "BMC base address") } },
        { TYPE_ACPI, 1, "Acpi", render_acpi, { { 0 } } },
        { TYPE_ACPI, 2, "AcpiEx", render_acpi_ex, { { 0 } } },
        { TYPE_ACPI, 3, "AcpiAdr", render_acpi_adr, { { 0 } } },
        { TYPE_MESSAGING, 1, "Ata", render_ata, { { 0 } } },
        { TYPE_MESSAGING, 2, "Scsi", render_integers,
          { HEX(2, "SCSI target ID"), HEX(2, "SCSI logical unit") } },
        { TYPE_MESSAGING, 3, "Fibre", render_integers,
          { RESERVED(4, "Fibre Channel reserved"), HEX(8, "Fibre Channel WWN"),
            HEX(8, "Fibre Channel logical unit") } },
        { TYPE_MESSAGING, 5, "Usb", render_integers,
          { HEX(1, "USB parent port"), HEX(1, "USB interface") } },
        { TYPE_MESSAGING, 6, "I2O", render_integers, { HEX(4, "I2O target ID") } },
        { TYPE_MESSAGING, 10, "VenMsg", render_vendor, { { 0 } } },
        { TYPE_MESSAGING, 11, "MAC", render_mac, { { 0 } } },
        { TYPE_MESSAGING, 12, "IPv4", render_ipv4, { { 0 } } },
        { TYPE_MESSAGING, 13, "IPv6", render_ipv6, { { 0 } } },
        { TYPE_MESSAGING, 14, "Uart", render_uart, { { 0 } } },
        { TYPE_MESSAGING, 15, "UsbClass", render_integers,
          { HEX(2, "USB vendor ID"), HEX(2, "USB product ID"), HEX(1, "USB class"),
            HEX(1, "USB subclass"), HEX(1, "USB protocol") } },
        { TYPE_MESSAGING, 17, "Unit", render_integers, { HEX(1, "logical unit") } },
        { TYPE_MESSAGING, 18, "Sata", render_integers,
          { HEX(2, "SATA HBA port"), HEX(2, "SATA port multiplier port"),
            HEX(2, "SATA logical unit") } },
        { TYPE_MESSAGING, 20, "Vlan", render_integers, { DEC(2, "VLAN ID") } },
        { TYPE_MESSAGING, 23, "NVMe", render_nvme, { { 0 } } },
        { TYPE_MESSAGING, 24, "Uri", render_uri, { { 0 } } },
        { TYPE_MESSAGING, 25, "UFS", render_integers,
          { HEX(1, "UFS target ID"), HEX(1, "UFS logical unit") } },
        { TYPE_MESSAGING, 26, "SD", render_integers, { HEX(1, "SD slot number") } },
        { TYPE_MESSAGING, 29, "eMMC", render_integers, { HEX(1, "eMMC slot number") } },
        { TYPE_MEDIA, 1, "HD", render_hard_drive, { { 0 } } },
        { TYPE_MEDIA, 2, "CDROM", render_integers,
          { HEX(4, "CD-ROM boot entry"), HEX(8, "partition start"), HEX(8, "partition size") } },
        { TYPE_MEDIA, 3, "VenMedia", render_vendor, { { 0 } } },
        { TYPE_MEDIA, 4, "File", render_file_path, { { 0 } } },
        { TYPE_MEDIA, 5, "Media", render_guid_only, { { 0 } } },
        { TYPE_MEDIA, 6, "FvFile", render_guid_only, { { 0 } } },
        { TYPE_MEDIA, 7, "Fv", render_guid_only, { { 0 } } },
        { TYPE_MEDIA, 8, "Offset", render_integers,
          { RESERVED(4, "offset range reserved"), HEX(8, "starting offset"),
            HEX(8, "ending offset") } },
        { TYPE_MEDIA, 9, "RamDisk", render_ram_disk, { { 0 } } },
        { TYPE_BBS, 1, "BBS", render_bbs, { { 0 } } },
};

static const struct node_kind *find_kind(uint8_t type, uint8_t subtype)
{
        for (size_t i = 0; i < ARRAY_SIZE(node_kinds); i++)
                if (node_kinds[i].type == type && node_kinds[i].subtype == subtype)
                        return &node_kinds[i];
        return NULL;
}

/* Splits the next node off `path` into `n` after checking its header. */
static enum pcrsim_error_code read_node(struct pcrsim_reader *path, struct node *n,
                                        struct pcrsim_error *err)
{
        size_t left = pcrsim_reader_remaining(path);

        n->offset = pcrsim_reader_offset(path);
        if (left < NODE_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, n->offset,
                                        "device path node header",
                                        "device path node at offset 0x%" PRIx64
                                        " has only %zu of its 4 header bytes",
                                        n->offset, left);
        pcrsim_reader_u8(path, &n->type, "device path node type", NULL);
        pcrsim_reader_u8(path, &n->subtype, "device path node subtype", NULL);
        pcrsim_reader_le16(path, &n->length, "device path node length", NULL);
        if (n->length < NODE_HEADER_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, n->offset,
                                        "device path node length",
                                        "device path node length %u at offset 0x%" PRIx64
                                        " is less than its 4-byte header",
                                        n->length, n->offset);
        if (n->length > left)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, n->offset,
                                        "device path node length",
                                        "device path node length %u at offset 0x%" PRIx64
                                        " runs past the end of the device path, which has %zu bytes left",
                                        n->length, n->offset, left);
        n->err = err;
        return pcrsim_reader_sub(path, n->length - NODE_HEADER_SIZE, &n->data,
                                 "device path node data", err);
}

/*
 * Renders one node that is not an End node. Known nodes ignore bytes
 * after their fields, which later versions of the specification may add.
 */
static enum pcrsim_error_code render_node(struct node *n)
{
        const struct node_kind *kind = find_kind(n->type, n->subtype);

        if (!kind) {
                n->name = "unknown";
                return render_unknown(n);
        }
        n->name = kind->name;
        return kind->render(n, kind);
}

/*
 * On failure `out` contains the empty string, so that a caller never shows
 * part of a path that is invalid.
 */
enum pcrsim_error_code pcrsim_device_path_text(const uint8_t *data, size_t size, uint64_t base,
                                               char *out, size_t out_size,
                                               struct pcrsim_error *err)
{
        struct text text = { out, out_size, 0, false };
        enum pcrsim_error_code rc = PCRSIM_OK;
        struct pcrsim_reader path;
        const char *separator = "";
        bool ended = false;
        size_t nodes = 0, depth = 0;
        struct node n;

        pcrsim_reader_init(&path, data, size, base);
        /* Each pass consumes a node of at least 4 bytes, so the loop ends. */
        while (!rc && pcrsim_reader_remaining(&path) > 0) {
                if (ended) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&path),
                                              "device path end",
                                              "%zu bytes follow the End Entire node of the device path",
                                              pcrsim_reader_remaining(&path));
                        break;
                }
                memset(&n, 0, sizeof(n));
                n.text = &text;
                rc = read_node(&path, &n, err);
                if (rc)
                        break;
                if (++nodes > PCRSIM_MAX_DEVICE_PATH_NODES) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_LIMIT, n.offset, "device path node",
                                              "the device path has more than %u nodes, the limit",
                                              PCRSIM_MAX_DEVICE_PATH_NODES);
                        break;
                }
                if (n.type != TYPE_END && ++depth > PCRSIM_MAX_DEVICE_PATH_DEPTH) {
                        rc = pcrsim_error_set(err, PCRSIM_ERR_LIMIT, n.offset, "device path node",
                                              "an instance of the device path has more than %u nodes besides its End node, the limit",
                                              PCRSIM_MAX_DEVICE_PATH_DEPTH);
                        break;
                }
                if (n.type == TYPE_END && n.subtype == END_ENTIRE) {
                        ended = true;
                } else if (n.type == TYPE_END && n.subtype == END_INSTANCE) {
                        text_puts(&text, ",");
                        separator = "";
                        depth = 0;
                } else {
                        text_puts(&text, separator);
                        rc = render_node(&n);
                        separator = "/";
                }
        }
        if (!rc && size > 0 && !ended)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, base + size, "device path end",
                                      "device path of %zu bytes has no End Entire node (type 0x7f, subtype 0xff)",
                                      size);
        if (rc) {
                text.len = 0;
                text.overflow = false;
        }
        text_finish(&text);
        return rc;
}
