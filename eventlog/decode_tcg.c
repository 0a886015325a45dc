/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eventlog/decode_internal.h"
#include "pcrsim/alg.h"
#include "pcrsim/decode.h"

/* Largest amount of raw data shown as hex. */
#define HEX_MAX 1024u

static void set(json_t *obj, const char *key, json_t *value)
{
        json_object_set_new(obj, key, value);
}

static void decode_raw(json_t *obj, const struct pcrsim_event *ev)
{
        set(obj, "Data", decode_hex(ev->data, ev->data_size, HEX_MAX));
        decode_summary(obj, "%u bytes", ev->data_size);
}

/* Text events (EV_ACTION, EV_EFI_ACTION, EV_OMIT_BOOT_DEVICE_EVENTS): ASCII
 * strings without a NUL, by the PC Client profile. */
static void decode_string(json_t *obj, const struct pcrsim_event *ev)
{
        json_t *s;

        if (!decode_is_ascii(ev->data, ev->data_size)) {
                decode_diag(obj, "the event data is not ASCII text");
                decode_raw(obj, ev);
                return;
        }
        s = decode_ascii(ev->data, ev->data_size);
        decode_summary(obj, "%s", json_string_value(s));
        set(obj, "String", s);
}

/* UEFI_PLATFORM_FIRMWARE_BLOB: base u64 and length u64. */
static bool decode_blob_fields(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        uint64_t base, length;

        if (ev->data_size != 16)
                return false;
        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        pcrsim_reader_le64(&r, &base, "BlobBase", NULL);
        pcrsim_reader_le64(&r, &length, "BlobLength", NULL);
        set(obj, "BlobBase", json_integer((json_int_t)base));
        set(obj, "BlobLength", json_integer((json_int_t)length));
        decode_summary(obj, "base 0x%" PRIx64 " length 0x%" PRIx64, base, length);
        return true;
}

/* EV_POST_CODE, EV_S_CRTM_CONTENTS, EV_CPU_MICROCODE, EV_NONHOST_CODE: a
 * firmware blob descriptor or a short string such as "ACPI DATA". */
static void decode_code(json_t *obj, const struct pcrsim_event *ev)
{
        if (decode_is_ascii(ev->data, ev->data_size))
                decode_string(obj, ev);
        else if (!decode_blob_fields(obj, ev))
                decode_raw(obj, ev);
}

static void decode_separator(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        uint32_t value;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (ev->data_size != 4 || pcrsim_reader_le32(&r, &value, "separator", NULL)) {
                decode_diag(obj, "a separator has 4 bytes of data, this one %u", ev->data_size);
                decode_raw(obj, ev);
                return;
        }
        set(obj, "Value", json_integer(value));
        /* Windows separates its own PCRs 12-14 with the text "WBCL". */
        if (memcmp(ev->data, "WBCL", 4) == 0) {
                decode_summary(obj, "Windows Boot Configuration Log (WBCL)");
                return;
        }
        /* 0 is the normal separator, 1 the error separator (PC Client
         * profile); some firmware logs 0xFFFFFFFF instead of 0. */
        decode_summary(obj, "%s", value == 0 ? "normal" : value == 1 ? "error separator" :
                                  value == 0xFFFFFFFFu ? "normal (0xFFFFFFFF form)" : "unknown value");
        if (value > 1 && value != 0xFFFFFFFFu)
                decode_diag(obj, "separator value 0x%08x is neither 0, 1 nor 0xFFFFFFFF", value);
}

static void decode_text_or_utf16(json_t *obj, const struct pcrsim_event *ev)
{
        json_t *s;

        if (decode_is_utf16_ascii(ev->data, ev->data_size) ||
            (ev->data_size == 2 && ev->data[0] == 0 && ev->data[1] == 0))
                s = decode_utf16(ev->data, ev->data_size);
        else if (decode_is_ascii(ev->data, ev->data_size))
                s = decode_ascii(ev->data, ev->data_size);
        else {
                decode_raw(obj, ev);
                return;
        }
        decode_summary(obj, "%s", json_string_value(s));
        set(obj, "String", s);
}

/* GRUB logs "grub_cmd: ...", "kernel_cmdline: ..." and "module_cmdline:
 * ..." into PCR 8 and file paths into PCR 9; systemd-stub logs section
 * names and command lines in UTF-16. */
static void decode_ipl(json_t *obj, const struct pcrsim_event *ev)
{
        static const char *const prefixes[] = { "grub_cmd: ", "kernel_cmdline: ",
                                                "module_cmdline: ", "grub_kernel_cmdline ",
                                                "grub_cmd " };

        decode_text_or_utf16(obj, ev);
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
                size_t len = strlen(prefixes[i]);

                if (ev->data_size > len && memcmp(ev->data, prefixes[i], len) == 0) {
                        set(obj, "Kind", json_stringn(prefixes[i], len - 1 - (prefixes[i][len - 2] == ':')));
                        break;
                }
        }
}

static void decode_specid(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        json_t *algs = json_array();
        uint32_t platform_class, count = 0;
        uint8_t minor, major, errata, uintn;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        pcrsim_reader_skip(&r, 16, "signature", NULL);
        if (pcrsim_reader_le32(&r, &platform_class, "platformClass", NULL) ||
            pcrsim_reader_u8(&r, &minor, "specVersionMinor", NULL) ||
            pcrsim_reader_u8(&r, &major, "specVersionMajor", NULL) ||
            pcrsim_reader_u8(&r, &errata, "specErrata", NULL) ||
            pcrsim_reader_u8(&r, &uintn, "uintnSize", NULL) ||
            pcrsim_reader_le32(&r, &count, "numberOfAlgorithms", NULL)) {
                json_decref(algs);
                decode_diag(obj, "the Spec ID event is cut short");
                return;
        }
        for (uint32_t i = 0; i < count && i < PCRSIM_MAX_ALGORITHMS; i++) {
                uint16_t id, size;
                char name[24];
                json_t *a;

                if (pcrsim_reader_le16(&r, &id, "algorithmId", NULL) ||
                    pcrsim_reader_le16(&r, &size, "digestSize", NULL))
                        break;
                pcrsim_alg_name(id, name, sizeof(name));
                a = json_object();
                set(a, "algorithmId", json_string(name));
                set(a, "digestSize", json_integer(size));
                json_array_append_new(algs, a);
        }
        set(obj, "Signature", json_string("Spec ID Event03"));
        set(obj, "platformClass", json_integer(platform_class));
        set(obj, "specVersion", json_sprintf("%u.%u", major, minor));
        set(obj, "specErrata", json_integer(errata));
        set(obj, "uintnSize", json_integer(uintn));
        set(obj, "algorithms", algs);
        decode_summary(obj, "Spec ID Event03, TPM 2.0 log, %u algorithms", count);
}

static void decode_no_action(json_t *obj, const struct pcrsim_event *ev)
{
        if (ev->data_size >= 16 && memcmp(ev->data, "Spec ID Event03", 16) == 0) {
                decode_specid(obj, ev);
        } else if (ev->data_size >= 17 && memcmp(ev->data, "StartupLocality", 16) == 0) {
                set(obj, "Signature", json_string("StartupLocality"));
                set(obj, "StartupLocality", json_integer(ev->data[16]));
                decode_summary(obj, "StartupLocality %u", ev->data[16]);
        } else if (ev->data_size >= 16 && memcmp(ev->data, "SP800-155 Event", 15) == 0) {
                set(obj, "Signature", decode_ascii(ev->data, 16));
                set(obj, "Data", decode_hex(ev->data + 16, ev->data_size - 16, HEX_MAX));
                decode_summary(obj, "SP800-155 reference manifest event");
        } else if (ev->data_size >= 16 && memcmp(ev->data, "Spec ID Event", 13) == 0) {
                set(obj, "Signature", decode_ascii(ev->data, 16));
                decode_summary(obj, "%s (TPM 1.2 era header)", json_string_value(json_object_get(obj, "Signature")));
        } else {
                decode_raw(obj, ev);
        }
}

/* Well-known TCG_PCClientTaggedEvent ids. */
static const char *tag_name(uint32_t id)
{
        switch (id) {
        case 0x8F3B22ED:
                return "Linux LOADED_IMAGE::LoadOptions";
        case 0x8F3B22EC:
                return "Linux initrd";
        case 0xF5BC582A:
                return "systemd loader.conf";
        }
        return NULL;
}

static void decode_event_tag(json_t *obj, const struct pcrsim_event *ev)
{
        struct pcrsim_reader r;
        const uint8_t *data;
        uint32_t id, size;
        const char *name;
        json_t *text;

        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        if (pcrsim_reader_le32(&r, &id, "taggedEventID", NULL) ||
            pcrsim_reader_le32(&r, &size, "taggedEventDataSize", NULL) ||
            pcrsim_reader_bytes(&r, size, &data, "taggedEventData", NULL)) {
                decode_diag(obj, "the TCG_PCClientTaggedEvent structure is cut short");
                decode_raw(obj, ev);
                return;
        }
        name = tag_name(id);
        set(obj, "taggedEventID", json_sprintf("0x%08x", id));
        if (name)
                set(obj, "taggedEventName", json_string(name));
        text = decode_is_ascii(data, size) ? decode_ascii(data, size) :
               decode_is_utf16_ascii(data, size) ? decode_utf16(data, size) : NULL;
        set(obj, "taggedEventData", text ? text : decode_hex(data, size, HEX_MAX));
        decode_leftover(obj, &r, "TCG_PCClientTaggedEvent");
        if (name)
                decode_summary(obj, "%s", name);
        else
                decode_summary(obj, "tag 0x%08x, %u bytes", id, size);
}

/* Google Compute Engine's EV_NONHOST_INFO: the signature "GCE NonHostInfo"
 * and a byte naming the confidential-computing technology.
 * NOTE: the technology names follow go-tpm-tools' reading of the byte. */
static void decode_nonhost_info(json_t *obj, const struct pcrsim_event *ev)
{
        static const char *const technologies[] = { "none", "AMD SEV", "AMD SEV-ES",
                                                    "Intel TDX", "AMD SEV-SNP" };

        if (ev->data_size >= 17 && memcmp(ev->data, "GCE NonHostInfo", 16) == 0) {
                uint8_t tech = ev->data[16];

                set(obj, "Signature", json_string("GCE NonHostInfo"));
                set(obj, "ConfidentialTechnology", json_integer(tech));
                set(obj, "ConfidentialTechnologyName",
                    json_string(tech < 5 ? technologies[tech] : "unknown"));
                decode_summary(obj, "GCE confidential computing: %s",
                               tech < 5 ? technologies[tech] : "unknown");
                return;
        }
        decode_code(obj, ev);
}

static void decode_efi_action(json_t *obj, const struct pcrsim_event *ev)
{
        decode_string(obj, ev);
}

typedef void (*decoder)(json_t *obj, const struct pcrsim_event *ev);

static const struct {
        uint32_t type;
        decoder decode;
} decoders[] = {
        { 0x00000001, decode_code },          /* EV_POST_CODE */
        { 0x00000003, decode_no_action },
        { 0x00000004, decode_separator },
        { 0x00000005, decode_string },        /* EV_ACTION */
        { 0x00000006, decode_event_tag },
        { 0x00000007, decode_code },          /* EV_S_CRTM_CONTENTS */
        { 0x00000008, decode_text_or_utf16 }, /* EV_S_CRTM_VERSION */
        { 0x00000009, decode_code },          /* EV_CPU_MICROCODE */
        { 0x0000000A, decode_raw },           /* EV_PLATFORM_CONFIG_FLAGS */
        { 0x0000000B, decode_raw },           /* EV_TABLE_OF_DEVICES */
        { 0x0000000C, decode_raw },           /* EV_COMPACT_HASH */
        { 0x0000000D, decode_ipl },
        { 0x0000000E, decode_raw },           /* EV_IPL_PARTITION_DATA */
        { 0x0000000F, decode_code },          /* EV_NONHOST_CODE */
        { 0x00000010, decode_raw },           /* EV_NONHOST_CONFIG */
        { 0x00000011, decode_nonhost_info },
        { 0x00000012, decode_string },        /* EV_OMIT_BOOT_DEVICE_EVENTS */
        { 0x80000001, decode_efi_variable },  /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        { 0x80000002, decode_efi_variable },  /* EV_EFI_VARIABLE_BOOT */
        { 0x80000003, decode_efi_image_load },
        { 0x80000004, decode_efi_image_load },
        { 0x80000005, decode_efi_image_load },
        { 0x80000006, decode_efi_gpt },
        { 0x80000007, decode_efi_action },
        { 0x80000008, decode_efi_blob },
        { 0x80000009, decode_efi_handoff_tables },
        { 0x8000000A, decode_efi_blob2 },
        { 0x8000000B, decode_efi_handoff_tables2 },
        { 0x8000000C, decode_efi_variable },  /* EV_EFI_VARIABLE_BOOT2 */
        { 0x80000010, decode_text_or_utf16 }, /* EV_EFI_HCRTM_EVENT */
        { 0x800000E0, decode_efi_variable },  /* EV_EFI_VARIABLE_AUTHORITY */
};

json_t *pcrsim_event_decode(const struct pcrsim_event *ev)
{
        json_t *obj = json_object();

        if (!obj)
                return NULL;
        for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
                if (decoders[i].type == ev->type) {
                        decoders[i].decode(obj, ev);
                        return obj;
                }
        }
        /* Unknown types, and EV_EFI_SPDM_* events, as hex with their size. */
        decode_raw(obj, ev);
        return obj;
}

json_t *pcrsim_ima_entry_decode(const struct pcrsim_ima_entry *e)
{
        json_t *obj = json_object(), *fields = json_array();
        const char *name = NULL;
        char algo[16];

        if (!obj || !fields) {
                json_decref(obj);
                json_decref(fields);
                return NULL;
        }
        for (uint32_t i = 0; i < e->field_count; i++) {
                const struct pcrsim_ima_field *f = &e->fields[i];
                const uint8_t *digest;
                uint32_t size;
                json_t *fo = json_object();

                set(fo, "id", json_string(f->id));
                if (pcrsim_ima_digest_field(f, algo, sizeof(algo), &digest, &size)) {
                        set(fo, "algorithm", json_string(algo));
                        set(fo, "digest", decode_hex(digest, size, HEX_MAX));
                } else if (strcmp(f->id, "n-ng") == 0 || strcmp(f->id, "n") == 0) {
                        set(fo, "name", decode_ascii(f->data, f->size));
                        name = json_string_value(json_object_get(fo, "name"));
                } else {
                        set(fo, "data", decode_hex(f->data, f->size, HEX_MAX));
                }
                json_array_append_new(fields, fo);
        }
        set(obj, "template_name", json_string(e->template_name));
        set(obj, "fields", fields);
        if (e->unknown_template)
                decode_diag(obj, "template \"%s\" is not a template pcrsim can decode", e->template_name);
        if (e->field_error[0])
                decode_diag(obj, "%s", e->field_error);
        decode_summary(obj, "%s %s", e->template_name, name ? name : "");
        return obj;
}
