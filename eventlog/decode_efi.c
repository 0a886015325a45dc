/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "eventlog/decode_internal.h"
#include "eventlog/devpath.h"
#include "eventlog/guid.h"
#include "eventlog/siglist.h"

#define HEX_MAX 1024u
#define DEVICE_PATH_TEXT_MAX 4096u

static void set(json_t *obj, const char *key, json_t *value)
{
        json_object_set_new(obj, key, value);
}

static json_t *guid_json(const uint8_t guid[16])
{
        char text[PCRSIM_GUID_TEXT_SIZE];

        pcrsim_guid_text(guid, text);
        return json_string(text);
}

static void decode_raw(json_t *obj, const struct pcrsim_event *ev)
{
        set(obj, "Data", decode_hex(ev->data, ev->data_size, HEX_MAX));
        decode_summary(obj, "%u bytes", ev->data_size);
}

/* Renders a device path into obj[key], or records why it does not decode. */
static void device_path(json_t *obj, const char *key, const uint8_t *data, size_t size,
                        uint64_t base)
{
        char text[DEVICE_PATH_TEXT_MAX];
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        if (pcrsim_device_path_text(data, size, base, text, sizeof(text), &err) == PCRSIM_OK) {
                set(obj, key, json_string(text));
                return;
        }
        decode_diag(obj, "the device path does not decode at offset 0x%" PRIx64 ": %s",
                    err.offset, err.message);
        set(obj, key, decode_hex(data, size, HEX_MAX));
}

/* Length of the first device path in `data`: up to and including its
 * End Entire node, or the whole data when there is none. */
static size_t first_path_size(const uint8_t *data, size_t size)
{
        size_t pos = 0;

        while (size - pos >= 4) {
                size_t len = (size_t)data[pos + 2] | (size_t)data[pos + 3] << 8;

                if (len < 4 || len > size - pos)
                        return size;
                pos += len;
                if (data[pos - len] == 0x7F && data[pos - len + 1] == 0xFF)
                        return pos;
        }
        return size;
}

/* An EFI_LOAD_OPTION's FilePathList packs device paths, each ending in
 * its own End Entire node (UEFI 2.10, 3.1.3): one string per path. */
static void file_path_list(json_t *option, const uint8_t *data, size_t size, uint64_t base)
{
        json_t *paths = json_array(), *one = json_object();
        size_t pos = 0;

        while (pos < size) {
                size_t len = first_path_size(data + pos, size - pos);

                device_path(one, "path", data + pos, len, base + pos);
                json_array_append(paths, json_object_get(one, "path"));
                pos += len;
        }
        if (json_object_get(one, "diagnostics"))
                json_object_set(option, "diagnostics", json_object_get(one, "diagnostics"));
        json_decref(one);
        json_object_set_new(option, "FilePathList", paths);
}

static void decode_boot_order(json_t *obj, const uint8_t *data, size_t size)
{
        json_t *order = json_array();
        char text[256] = "";
        size_t used = 0;

        if (size % 2)
                decode_diag(obj, "BootOrder has an odd size of %zu bytes", size);
        for (size_t i = 0; i + 1 < size; i += 2) {
                unsigned n = (unsigned)data[i] | (unsigned)data[i + 1] << 8;
                char name[16];

                snprintf(name, sizeof(name), "Boot%04X", n);
                json_array_append_new(order, json_string(name));
                if (used < sizeof(text) - 12)
                        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s",
                                                 used ? "," : "", name);
        }
        set(obj, "BootOrder", order);
        decode_summary(obj, "BootOrder %s", text);
}

/* EFI_LOAD_OPTION: Attributes, FilePathListLength, Description, the device
 * paths, then optional data (UEFI 2.10, 3.1.3). */
static void decode_load_option(json_t *obj, const char *var, const uint8_t *data, size_t size,
                               uint64_t base)
{
        struct pcrsim_reader r;
        const uint8_t *desc, *paths;
        json_t *option = json_object(), *description;
        uint32_t attributes;
        uint16_t path_size;
        size_t desc_size = 0;

        pcrsim_reader_init(&r, data, size, base);
        if (pcrsim_reader_le32(&r, &attributes, "Attributes", NULL) ||
            pcrsim_reader_le16(&r, &path_size, "FilePathListLength", NULL)) {
                decode_diag(obj, "%s is too short for an EFI_LOAD_OPTION", var);
                json_decref(option);
                return;
        }
        desc = data + r.pos;
        while (r.pos + desc_size + 1 < size && (desc[desc_size] || desc[desc_size + 1]))
                desc_size += 2;
        if (pcrsim_reader_skip(&r, desc_size + 2, "Description", NULL) ||
            pcrsim_reader_bytes(&r, path_size, &paths, "FilePathList", NULL)) {
                decode_diag(obj, "the EFI_LOAD_OPTION of %s is cut short", var);
                json_decref(option);
                return;
        }
        description = decode_utf16(desc, desc_size);
        set(option, "Attributes", json_sprintf("0x%08x", attributes));
        set(option, "Description", description);
        file_path_list(option, paths, path_size, pcrsim_reader_offset(&r) - path_size);
        if (pcrsim_reader_remaining(&r))
                set(option, "OptionalData", decode_hex(data + r.pos, pcrsim_reader_remaining(&r), HEX_MAX));
        decode_summary(obj, "%s %s: %s", var, json_string_value(description),
                       json_string_value(json_array_get(json_object_get(option, "FilePathList"), 0)));
        set(obj, "VariableData", option);
}

/* Returns an X.509 name in the RFC 2253 form that the signature list
 * decoder also uses, or NULL. */
static json_t *rfc2253_name(const X509_NAME *name)
{
        BIO *bio = BIO_new(BIO_s_mem());
        json_t *text = NULL;
        char *data;
        long len;

        if (bio && X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
                len = BIO_get_mem_data(bio, &data);
                text = json_stringn(data, (size_t)len);
        }
        BIO_free(bio);
        return text;
}

/* Sets subject and issuer of a DER X.509 certificate, or a diagnostic. */
static void describe_certificate(json_t *obj, const uint8_t *der, size_t size)
{
        const unsigned char *p = der;
        X509 *cert = d2i_X509(NULL, &p, (long)size);

        if (!cert || p != der + size) {
                decode_diag(obj, "the certificate does not parse as DER X.509");
                X509_free(cert);
                return;
        }
        set(obj, "subject", rfc2253_name(X509_get_subject_name(cert)));
        set(obj, "issuer", rfc2253_name(X509_get_issuer_name(cert)));
        X509_free(cert);
}

/* EV_EFI_VARIABLE_AUTHORITY carries one EFI_SIGNATURE_DATA: the owner GUID
 * and the certificate (or hash) that authorised an image. */
static void decode_authority(json_t *obj, json_t *var, const uint8_t *data, size_t size)
{
        json_t *sig = json_object();

        if (size < 16) {
                set(var, "VariableData", decode_hex(data, size, HEX_MAX));
                json_decref(sig);
                return;
        }
        set(sig, "SignatureOwner", guid_json(data));
        if (pcrsim_guid_name(data))
                set(sig, "SignatureOwnerName", json_string(pcrsim_guid_name(data)));
        if (size > 16 && data[16] == 0x30)
                describe_certificate(sig, data + 16, size - 16);
        else
                set(sig, "SignatureData", decode_hex(data + 16, size - 16, HEX_MAX));
        set(var, "VariableData", sig);
        if (json_object_get(sig, "subject"))
                decode_summary(obj, "authority %s", json_string_value(json_object_get(sig, "subject")));
        if (json_object_get(sig, "diagnostics"))
                decode_diag(obj, "the authority certificate does not parse as DER X.509");
}

static bool name_is(json_t *name, const char *want)
{
        return strcmp(json_string_value(name), want) == 0;
}

static bool is_signature_database(json_t *name)
{
        static const char *const names[] = { "PK", "KEK", "db", "dbx", "dbt", "dbr",
                                             "MokList", "MokListX", "MokListRT", "MokListXRT" };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (name_is(name, names[i]))
                        return true;
        return false;
}

/* Decodes the data of a known variable into `var` (the event's object),
 * setting the summary of `obj`. */
static void decode_variable_data(json_t *obj, json_t *var, const struct pcrsim_event *ev,
                                 json_t *name, const uint8_t *data, size_t size, uint64_t base)
{
        const char *n = json_string_value(name);
        struct pcrsim_error err;
        json_t *lists;

        decode_summary(obj, "%s (%zu bytes)", n, size);
        if (ev->type == 0x800000E0 && decode_is_ascii(data, size)) {
                /* shim's SbatLevel authority event measures the text. */
                set(var, "VariableData", decode_ascii(data, size));
        } else if (ev->type == 0x800000E0) {
                decode_authority(obj, var, data, size);
        } else if (name_is(name, "BootOrder")) {
                decode_boot_order(var, data, size);
        } else if (strncmp(n, "Boot", 4) == 0 && strlen(n) == 8) {
                decode_load_option(var, n, data, size, base);
        } else if (is_signature_database(name) && size) {
                pcrsim_error_clear(&err);
                lists = pcrsim_signature_lists_decode(data, size, base, &err);
                if (lists) {
                        set(var, "VariableData", lists);
                } else {
                        decode_diag(obj, "the signature lists of %s do not decode at offset 0x%" PRIx64 ": %s",
                                    n, err.offset, err.message);
                        set(var, "VariableData", decode_hex(data, size, HEX_MAX));
                }
        } else if ((name_is(name, "SecureBoot") || name_is(name, "SetupMode") ||
                    name_is(name, "AuditMode") || name_is(name, "DeployedMode") ||
                    name_is(name, "MokListTrusted")) && size == 1) {
                set(var, "VariableData", json_string(data[0] ? "enabled" : "disabled"));
                decode_summary(obj, "%s %s", n, data[0] ? "enabled" : "disabled");
        } else if ((name_is(name, "SbatLevel") || name_is(name, "SbatLevelRT")) &&
                   decode_is_ascii(data, size)) {
                set(var, "VariableData", decode_ascii(data, size));
        } else {
                set(var, "VariableData", decode_hex(data, size, HEX_MAX));
        }
}

/* UEFI_VARIABLE_DATA: VariableName GUID, UnicodeNameLength and
 * VariableDataLength (UINT64), the UTF-16 name, then the data. */
void decode_efi_variable(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        const uint8_t *guid, *name16, *data;
        uint64_t name_len, data_len;
        json_t *name;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_bytes(&r, 16, &guid, "VariableName", NULL) ||
            pcrsim_reader_le64(&r, &name_len, "UnicodeNameLength", NULL) ||
            pcrsim_reader_le64(&r, &data_len, "VariableDataLength", NULL) ||
            name_len > pcrsim_reader_remaining(&r) / 2 ||
            pcrsim_reader_bytes(&r, (size_t)name_len * 2, &name16, "UnicodeName", NULL) ||
            data_len > pcrsim_reader_remaining(&r) ||
            pcrsim_reader_bytes(&r, (size_t)data_len, &data, "VariableData", NULL)) {
                decode_diag(obj, "the UEFI_VARIABLE_DATA structure is cut short or its lengths run past the event data");
                decode_raw(obj, ev);
                return;
        }
        name = decode_utf16(name16, (size_t)name_len * 2);
        for (uint64_t i = 0; i < name_len; i++) {
                if (name16[2 * i] == 0 && name16[2 * i + 1] == 0) {
                        /* The text shown stops at the NUL, so the name must
                         * not be read as the variable it starts like. */
                        decode_diag(obj, "UnicodeName has a NUL at character %" PRIu64 " of %" PRIu64 ", so its text is cut there",
                                    i, name_len);
                        json_decref(name);
                        name = decode_hex(name16, (size_t)name_len * 2, HEX_MAX);
                        break;
                }
        }
        set(obj, "VariableName", guid_json(guid));
        if (pcrsim_guid_name(guid))
                set(obj, "VariableNameGuid", json_string(pcrsim_guid_name(guid)));
        set(obj, "UnicodeNameLength", json_integer((json_int_t)name_len));
        set(obj, "VariableDataLength", json_integer((json_int_t)data_len));
        set(obj, "UnicodeName", name);
        decode_variable_data(obj, obj, ev, name, data, (size_t)data_len,
                             pcrsim_reader_offset(&r) - data_len);
        decode_leftover(obj, &r, "UEFI_VARIABLE_DATA");
}

/* UEFI_IMAGE_LOAD_EVENT: where the image was loaded, and its device path. */
void decode_efi_image_load(json_t *obj, const struct pcrsim_event *ev)
{
        uint64_t location, length, link, path_len;
        struct pcrsim_reader r;
        const uint8_t *path;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_le64(&r, &location, "ImageLocationInMemory", NULL) ||
            pcrsim_reader_le64(&r, &length, "ImageLengthInMemory", NULL) ||
            pcrsim_reader_le64(&r, &link, "ImageLinkTimeAddress", NULL) ||
            pcrsim_reader_le64(&r, &path_len, "LengthOfDevicePath", NULL) ||
            path_len > pcrsim_reader_remaining(&r) ||
            pcrsim_reader_bytes(&r, (size_t)path_len, &path, "DevicePath", NULL)) {
                decode_diag(obj, "the UEFI_IMAGE_LOAD_EVENT structure is cut short or its device path runs past the event data");
                decode_raw(obj, ev);
                return;
        }
        set(obj, "ImageLocationInMemory", json_sprintf("0x%" PRIx64, location));
        set(obj, "ImageLengthInMemory", json_integer((json_int_t)length));
        set(obj, "ImageLinkTimeAddress", json_sprintf("0x%" PRIx64, link));
        set(obj, "LengthOfDevicePath", json_integer((json_int_t)path_len));
        device_path(obj, "DevicePath", path, (size_t)path_len,
                    pcrsim_reader_offset(&r) - path_len);
        decode_leftover(obj, &r, "UEFI_IMAGE_LOAD_EVENT");
        if (path_len == 0)
                decode_summary(obj, "image of %" PRIu64 " bytes, empty device path", length);
        else
                decode_summary(obj, "image of %" PRIu64 " bytes from %s", length,
                               json_string_value(json_object_get(obj, "DevicePath")));
}

void decode_efi_blob(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        uint64_t base, length;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_le64(&r, &base, "BlobBase", NULL) ||
            pcrsim_reader_le64(&r, &length, "BlobLength", NULL)) {
                decode_diag(obj, "the UEFI_PLATFORM_FIRMWARE_BLOB structure is cut short");
                decode_raw(obj, ev);
                return;
        }
        set(obj, "BlobBase", json_sprintf("0x%" PRIx64, base));
        set(obj, "BlobLength", json_sprintf("0x%" PRIx64, length));
        decode_leftover(obj, &r, "UEFI_PLATFORM_FIRMWARE_BLOB");
        decode_summary(obj, "base 0x%" PRIx64 " length 0x%" PRIx64, base, length);
}

/* UEFI_PLATFORM_FIRMWARE_BLOB2: a described blob. */
void decode_efi_blob2(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        const uint8_t *desc;
        uint64_t base, length;
        uint8_t desc_size;
        json_t *text;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_u8(&r, &desc_size, "BlobDescriptionSize", NULL) ||
            pcrsim_reader_bytes(&r, desc_size, &desc, "BlobDescription", NULL) ||
            pcrsim_reader_le64(&r, &base, "BlobBase", NULL) ||
            pcrsim_reader_le64(&r, &length, "BlobLength", NULL)) {
                decode_diag(obj, "the UEFI_PLATFORM_FIRMWARE_BLOB2 structure is cut short");
                decode_raw(obj, ev);
                return;
        }
        text = decode_ascii(desc, desc_size);
        set(obj, "BlobDescription", text);
        set(obj, "BlobBase", json_sprintf("0x%" PRIx64, base));
        set(obj, "BlobLength", json_sprintf("0x%" PRIx64, length));
        decode_leftover(obj, &r, "UEFI_PLATFORM_FIRMWARE_BLOB2");
        decode_summary(obj, "%s base 0x%" PRIx64 " length 0x%" PRIx64, json_string_value(text),
                       base, length);
}

static void decode_tables(json_t *obj, struct pcrsim_reader *r, const char *structure)
{
        json_t *tables = json_array();
        uint64_t count;

        if (pcrsim_reader_le64(r, &count, "NumberOfTables", NULL) ||
            count > pcrsim_reader_remaining(r) / 24) {
                decode_diag(obj, "the %s structure is cut short", structure);
                json_decref(tables);
                return;
        }
        for (uint64_t i = 0; i < count; i++) {
                const uint8_t *guid;
                uint64_t address;
                json_t *t = json_object();

                pcrsim_reader_bytes(r, 16, &guid, "VendorGuid", NULL);
                pcrsim_reader_le64(r, &address, "VendorTable", NULL);
                set(t, "VendorGuid", guid_json(guid));
                if (pcrsim_guid_name(guid))
                        set(t, "VendorGuidName", json_string(pcrsim_guid_name(guid)));
                set(t, "VendorTable", json_sprintf("0x%" PRIx64, address));
                json_array_append_new(tables, t);
        }
        set(obj, "TableEntry", tables);
        decode_leftover(obj, r, structure);
        decode_summary(obj, "%" PRIu64 " configuration tables", count);
}

/* UEFI_HANDOFF_TABLE_POINTERS: the SMBIOS, ACPI... table GUIDs. */
void decode_efi_handoff_tables(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        decode_tables(obj, &r, "UEFI_HANDOFF_TABLE_POINTERS");
}

void decode_efi_handoff_tables2(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        const uint8_t *desc;
        uint8_t desc_size;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_u8(&r, &desc_size, "TableDescriptionSize", NULL) ||
            pcrsim_reader_bytes(&r, desc_size, &desc, "TableDescription", NULL)) {
                decode_diag(obj, "the UEFI_HANDOFF_TABLE_POINTERS2 structure is cut short");
                decode_raw(obj, ev);
                return;
        }
        set(obj, "TableDescription", decode_ascii(desc, desc_size));
        decode_tables(obj, &r, "UEFI_HANDOFF_TABLE_POINTERS2");
}

/* The 92-byte EFI_PARTITION_TABLE_HEADER that UEFI_GPT_DATA starts with. */
#define GPT_HEADER_SIZE 92u
#define GPT_ENTRY_MIN 128u

static json_t *gpt_partition(const uint8_t *p)
{
        json_t *part = json_object();
        struct pcrsim_reader r;
        uint64_t first, last, attributes;

        pcrsim_reader_init(&r, p + 32, 24, 0);
        pcrsim_reader_le64(&r, &first, "StartingLBA", NULL);
        pcrsim_reader_le64(&r, &last, "EndingLBA", NULL);
        pcrsim_reader_le64(&r, &attributes, "Attributes", NULL);
        set(part, "PartitionTypeGUID", guid_json(p));
        if (pcrsim_guid_name(p))
                set(part, "PartitionTypeName", json_string(pcrsim_guid_name(p)));
        set(part, "UniquePartitionGUID", guid_json(p + 16));
        set(part, "StartingLBA", json_integer((json_int_t)first));
        set(part, "EndingLBA", json_integer((json_int_t)last));
        set(part, "Attributes", json_sprintf("0x%016" PRIx64, attributes));
        set(part, "PartitionName", decode_utf16(p + 56, 72));
        return part;
}

/* UEFI_GPT_DATA: the GPT header, the number of partitions, and the
 * partition entries of the size the header gives. */
void decode_efi_gpt(json_t *obj, const struct pcrsim_event *ev)
{
        const uint8_t *header, *entry;
        json_t *parts = json_array();
        struct pcrsim_reader r, h;
        uint32_t entry_size;
        uint64_t count;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_bytes(&r, GPT_HEADER_SIZE, &header, "UEFIPartitionHeader", NULL) ||
            pcrsim_reader_le64(&r, &count, "NumberOfPartitions", NULL)) {
                decode_diag(obj, "the UEFI_GPT_DATA structure is cut short");
                json_decref(parts);
                decode_raw(obj, ev);
                return;
        }
        pcrsim_reader_init(&h, header + 84, 4, 0);
        pcrsim_reader_le32(&h, &entry_size, "SizeOfPartitionEntry", NULL);
        set(obj, "Signature", decode_ascii(header, 8));
        set(obj, "DiskGUID", guid_json(header + 56));
        set(obj, "NumberOfPartitions", json_sprintf("%" PRIu64, count));
        decode_summary(obj, "GPT disk %s, %" PRIu64 " partitions",
                       json_string_value(json_object_get(obj, "DiskGUID")), count);
        if (entry_size < GPT_ENTRY_MIN || count > pcrsim_reader_remaining(&r) / entry_size) {
                decode_diag(obj, "partition entries of %u bytes, %" PRIu64 " of them, do not fit in the event data",
                            entry_size, count);
                json_decref(parts);
                return;
        }
        for (uint64_t i = 0; i < count; i++) {
                pcrsim_reader_bytes(&r, entry_size, &entry, "Partitions", NULL);
                json_array_append_new(parts, gpt_partition(entry));
        }
        set(obj, "Partitions", parts);
        decode_leftover(obj, &r, "UEFI_GPT_DATA");
        decode_summary(obj, "GPT disk %s, %" PRIu64 " partitions",
                       json_string_value(json_object_get(obj, "DiskGUID")), count);
}
