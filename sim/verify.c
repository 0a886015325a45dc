/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "pcrsim/verify.h"
#include "sim/hash.h"

#define EV_NO_ACTION 0x00000003u
#define EV_SEPARATOR 0x00000004u
#define EV_ACTION 0x00000005u
#define EV_EVENT_TAG 0x00000006u
#define EV_S_CRTM_VERSION 0x00000008u
#define EV_PLATFORM_CONFIG_FLAGS 0x0000000Au
#define EV_COMPACT_HASH 0x0000000Cu
#define EV_IPL 0x0000000Du
#define EV_NONHOST_INFO 0x00000011u
#define EV_OMIT_BOOT_DEVICE_EVENTS 0x00000012u
#define EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u
#define EV_EFI_VARIABLE_BOOT 0x80000002u
#define EV_EFI_GPT_EVENT 0x80000006u
#define EV_EFI_ACTION 0x80000007u
#define EV_EFI_VARIABLE_BOOT2 0x8000000Cu
#define EV_EFI_VARIABLE_AUTHORITY 0x800000E0u

/*
 * Known deviations from the digest rules of the TCG PC Client Platform
 * Firmware Profile, all seen in real logs. An event that matches one is
 * reported as a known deviation, not as tampering.
 */
enum deviation {
        DEVIATION_NONE,
        DEVIATION_VARIABLE_BOOT_WHOLE,
        DEVIATION_AUTHORITY_SIGNATURE_DATA,
        DEVIATION_AUTHORITY_PADDED,
        DEVIATION_PLATFORM_CONFIG_FLAGS,
};

static const char *const deviations[] = {
        [DEVIATION_NONE] = "",
        /* Seen in firmware of HP, Dell and AMD server platforms. */
        [DEVIATION_VARIABLE_BOOT_WHOLE] =
                "the firmware hashed the whole UEFI_VARIABLE_DATA, not only the variable's data, as several vendors' firmware does",
        /* Seen with shim releases before 15.3. */
        [DEVIATION_AUTHORITY_SIGNATURE_DATA] =
                "older shim releases hash only the EFI_SIGNATURE_DATA of an authority event",
        /* Seen with shim releases before 15.3 on Ubuntu, RHEL 8 and Debian 10 era systems. */
        [DEVIATION_AUTHORITY_PADDED] =
                "older shim releases log 6 bytes after the UEFI_VARIABLE_DATA of an authority event, and its digest does not cover the logged bytes",
        /* Seen with OVMF (edk2) and Google Compute Engine firmware. */
        [DEVIATION_PLATFORM_CONFIG_FLAGS] =
                "OVMF (edk2) and Google Compute Engine firmware log EV_PLATFORM_CONFIG_FLAGS data that is not what they measured",
};

/* Rule for the bytes that an event's digest should be the hash of. */
struct rule {
        enum pcrsim_digest_verdict when_unmatched; /* INVALID, or NOT_CHECKABLE */
        const uint8_t *bytes;
        size_t size;
        /* A second input that known software hashes instead. */
        const uint8_t *alt_bytes;
        size_t alt_size;
        enum deviation alt_deviation;
        /* The deviation to report when neither input matches. */
        enum deviation unmatched_deviation;
        const char *reason; /* why the digest is not checkable, or NULL */
        /* Caveat reported with a valid digest, or NULL. */
        const char *valid_note;
        uint8_t buffer[64];
};

void pcrsim_verifier_init(struct pcrsim_verifier *v)
{
        memset(v, 0, sizeof(*v));
}

const char *pcrsim_digest_verdict_name(enum pcrsim_digest_verdict verdict)
{
        switch (verdict) {
        case PCRSIM_DIGEST_VALID:
                return "valid";
        case PCRSIM_DIGEST_INVALID:
                return "invalid";
        case PCRSIM_DIGEST_NOT_CHECKABLE:
                return "not-checkable";
        case PCRSIM_DIGEST_KNOWN_DEVIATION:
                return "known-deviation";
        }
        return "not-checkable";
}

static void checkable(struct rule *r, const uint8_t *bytes, size_t size)
{
        r->when_unmatched = PCRSIM_DIGEST_INVALID;
        r->bytes = bytes;
        r->size = size;
}

/* VariableData of a UEFI_VARIABLE_DATA, or false if it does not parse. */
static bool variable_data(const struct pcrsim_event *ev, const uint8_t **data, size_t *size)
{
        uint64_t name_len = 0, data_len = 0;

        if (ev->data_size < 32)
                return false;
        for (int i = 7; i >= 0; i--) {
                name_len = name_len << 8 | ev->data[16 + i];
                data_len = data_len << 8 | ev->data[24 + i];
        }
        if (name_len > (ev->data_size - 32) / 2 || data_len != ev->data_size - 32 - 2 * name_len)
                return false;
        *data = ev->data + 32 + 2 * name_len;
        *size = (size_t)data_len;
        return true;
}

/* Tells whether a UEFI_VARIABLE_DATA is followed by exactly `extra`
 * bytes after its variable data. */
static bool variable_data_padded(const struct pcrsim_event *ev, size_t extra)
{
        uint64_t name_len = 0, data_len = 0;

        if (ev->data_size < 32 + extra)
                return false;
        for (int i = 7; i >= 0; i--) {
                name_len = name_len << 8 | ev->data[16 + i];
                data_len = data_len << 8 | ev->data[24 + i];
        }
        return name_len <= (ev->data_size - 32) / 2 &&
               data_len == ev->data_size - 32 - 2 * name_len - extra;
}

static bool is_utf16_text(const uint8_t *p, size_t size)
{
        if (size < 2 || size % 2)
                return false;
        for (size_t i = 0; i < size; i += 2)
                if (p[i + 1] != 0)
                        return false;
        return true;
}

/* Tells whether an EV_IPL event is systemd-stub's description of a cpio
 * archive it serves to the kernel: credentials or system extensions. */
static bool is_stub_archive(const struct pcrsim_event *ev)
{
        static const char *const names[] = { "Credentials initrd", "Global credentials initrd",
                                             "System extension initrd" };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                size_t len = strlen(names[i]);
                bool same = ev->data_size == 2 * len + 2 && !ev->data[2 * len] && !ev->data[2 * len + 1];

                for (size_t k = 0; same && k < len; k++)
                        same = ev->data[2 * k] == (uint8_t)names[i][k] && !ev->data[2 * k + 1];
                if (same)
                        return true;
        }
        return false;
}

/* GRUB (PCR 8) and systemd-stub (PCRs 11 to 13) EV_IPL events. */
static void ipl_rule(struct pcrsim_verifier *v, const struct pcrsim_event *ev, struct rule *r)
{
        static const char *const grub[] = { "grub_cmd: ", "kernel_cmdline: ", "module_cmdline: " };
        size_t size = ev->data_size;

        if (ev->pcr == 8) {
                if (size && ev->data[size - 1] == 0)
                        size--;
                for (size_t i = 0; i < sizeof(grub) / sizeof(grub[0]); i++) {
                        size_t len = strlen(grub[i]);

                        if (size >= len && memcmp(ev->data, grub[i], len) == 0) {
                                /* GRUB hashes the text after the prefix, no NUL. */
                                checkable(r, ev->data + len, size - len);
                                return;
                        }
                }
                if (size >= 9 && memcmp(ev->data, "grub_cmd ", 9) == 0) {
                        r->bytes = ev->data + 9;
                        r->size = size - 9;
                        r->when_unmatched = PCRSIM_DIGEST_NOT_CHECKABLE;
                        r->reason = "older GRUB builds with a 'grub_cmd ' prefix do not hash the logged text of every command";
                        return;
                }
        }
        if (ev->pcr == 11 && is_utf16_text(ev->data, ev->data_size)) {
                bool second = v->last_pcr11_was_name && v->last_pcr11_size == ev->data_size &&
                              memcmp(v->last_pcr11_data, ev->data, ev->data_size) == 0;

                v->last_pcr11_was_name = !second;
                v->last_pcr11_size = ev->data_size <= sizeof(v->last_pcr11_data) ? ev->data_size : 0;
                memcpy(v->last_pcr11_data, ev->data, v->last_pcr11_size);
                if (second) {
                        r->reason = "the digest covers the UKI section's contents, which the log does not contain";
                        return;
                }
                /* systemd-stub hashes the section name in ASCII with its NUL. */
                for (size_t i = 0; i < ev->data_size / 2 && i < sizeof(r->buffer); i++)
                        r->buffer[i] = ev->data[2 * i];
                size = strnlen((const char *)r->buffer, ev->data_size / 2 < sizeof(r->buffer) ?
                                                        ev->data_size / 2 : sizeof(r->buffer) - 1);
                checkable(r, r->buffer, size + 1);
                return;
        }
        if ((ev->pcr == 12 || ev->pcr == 13) && is_stub_archive(ev)) {
                r->reason = "the digest covers the cpio archive that systemd-stub built of files on the ESP, which the log does not contain";
                return;
        }
        if (ev->pcr == 12) {
                checkable(r, ev->data, ev->data_size);
                return;
        }
        r->reason = "the digest covers a file or variable that the log does not contain";
}

static void tag_rule(const struct pcrsim_event *ev, struct rule *r)
{
        uint32_t id = 0;

        if (ev->data_size >= 4)
                id = (uint32_t)ev->data[0] | (uint32_t)ev->data[1] << 8 |
                     (uint32_t)ev->data[2] << 16 | (uint32_t)ev->data[3] << 24;
        if (id == 0x8F3B22ED || id == 0x8F3B22EC) {
                r->reason = "the digest covers the Linux load options or initrd, not the tagged event";
                return;
        }
        r->bytes = ev->data;
        r->size = ev->data_size;
        r->when_unmatched = PCRSIM_DIGEST_NOT_CHECKABLE;
        r->reason = "the tag does not define what its digest covers";
}

static void choose_rule(struct pcrsim_verifier *v, const struct pcrsim_event *ev, struct rule *r)
{
        const uint8_t *data;
        size_t size;

        memset(r, 0, sizeof(*r));
        r->when_unmatched = PCRSIM_DIGEST_NOT_CHECKABLE;
        if (ev->type == EV_NO_ACTION) {
                r->reason = "EV_NO_ACTION events are not extended";
                return;
        }
        if (ev->pcr == 0xFFFFFFFFu) {
                r->reason = "records with PCR index 0xFFFFFFFF are not extended";
                return;
        }
        switch (ev->type) {
        case EV_SEPARATOR:
        case EV_ACTION:
        case EV_EFI_ACTION:
        case EV_S_CRTM_VERSION:
        case EV_OMIT_BOOT_DEVICE_EVENTS:
        case EV_EFI_VARIABLE_DRIVER_CONFIG:
        case EV_EFI_VARIABLE_BOOT2:
        case EV_EFI_GPT_EVENT:
                checkable(r, ev->data, ev->data_size);
                return;
        case EV_EFI_VARIABLE_BOOT:
                if (!variable_data(ev, &data, &size)) {
                        r->reason = "the UEFI_VARIABLE_DATA does not parse";
                        return;
                }
                checkable(r, data, size);
                r->alt_bytes = ev->data;
                r->alt_size = ev->data_size;
                r->alt_deviation = DEVIATION_VARIABLE_BOOT_WHOLE;
                r->valid_note = "the digest covers the variable's data only, not its name or GUID";
                return;
        case EV_EFI_VARIABLE_AUTHORITY:
                checkable(r, ev->data, ev->data_size);
                if (variable_data(ev, &data, &size)) {
                        r->alt_bytes = data;
                        r->alt_size = size;
                        r->alt_deviation = DEVIATION_AUTHORITY_SIGNATURE_DATA;
                } else if (variable_data_padded(ev, 6)) {
                        r->unmatched_deviation = DEVIATION_AUTHORITY_PADDED;
                }
                return;
        case EV_IPL:
                ipl_rule(v, ev, r);
                return;
        case EV_EVENT_TAG:
                tag_rule(ev, r);
                return;
        case EV_PLATFORM_CONFIG_FLAGS:
                r->bytes = ev->data;
                r->size = ev->data_size;
                r->unmatched_deviation = DEVIATION_PLATFORM_CONFIG_FLAGS;
                return;
        case EV_COMPACT_HASH:
        case EV_NONHOST_INFO:
                r->bytes = ev->data;
                r->size = ev->data_size;
                r->reason = "firmware chooses what this event's digest covers";
                return;
        }
        r->reason = "the digest covers code or data that the log does not contain";
}

static enum pcrsim_error_code check_one(const struct rule *r, const struct pcrsim_digest *d,
                                        struct pcrsim_digest_check *out,
                                        struct pcrsim_error *err)
{
        uint8_t hash[PCRSIM_MAX_DIGEST_SIZE];
        struct pcrsim_hasher h;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        out->verdict = PCRSIM_DIGEST_NOT_CHECKABLE;
        if (!r->bytes && r->reason) {
                snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
                return PCRSIM_OK;
        }
        rc = pcrsim_hasher_init(&h, d->alg, err);
        if (rc)
                return rc;
        if (!h.md || h.size != d->size) {
                snprintf(out->reason, sizeof(out->reason), "no hash function for this bank");
                pcrsim_hasher_free(&h);
                return PCRSIM_OK;
        }
        rc = pcrsim_hasher_digest(&h, r->bytes, r->size, hash, err);
        if (!rc && memcmp(hash, d->bytes, d->size) == 0) {
                out->verdict = PCRSIM_DIGEST_VALID;
                if (r->valid_note)
                        snprintf(out->reason, sizeof(out->reason), "%s", r->valid_note);
        } else if (!rc && r->alt_bytes) {
                rc = pcrsim_hasher_digest(&h, r->alt_bytes, r->alt_size, hash, err);
                if (!rc && memcmp(hash, d->bytes, d->size) == 0) {
                        out->verdict = PCRSIM_DIGEST_KNOWN_DEVIATION;
                        snprintf(out->reason, sizeof(out->reason), "%s",
                                 deviations[r->alt_deviation]);
                }
        }
        if (!rc && out->verdict == PCRSIM_DIGEST_NOT_CHECKABLE && r->unmatched_deviation) {
                out->verdict = PCRSIM_DIGEST_KNOWN_DEVIATION;
                snprintf(out->reason, sizeof(out->reason), "%s",
                         deviations[r->unmatched_deviation]);
        } else if (!rc && out->verdict == PCRSIM_DIGEST_NOT_CHECKABLE) {
                out->verdict = r->when_unmatched;
                snprintf(out->reason, sizeof(out->reason), "%s",
                         r->when_unmatched == PCRSIM_DIGEST_INVALID ?
                         "the digest is not the hash of the data that the event type defines" :
                         r->reason ? r->reason : "");
        }
        pcrsim_hasher_free(&h);
        return rc;
}

enum pcrsim_error_code pcrsim_verify_event(struct pcrsim_verifier *v,
                                           const struct pcrsim_event *ev,
                                           struct pcrsim_digest_check *checks,
                                           struct pcrsim_error *err)
{
        struct rule r;
        enum pcrsim_error_code rc = PCRSIM_OK;

        choose_rule(v, ev, &r);
        for (uint32_t i = 0; !rc && i < ev->digest_count; i++)
                rc = check_one(&r, &ev->digests[i], &checks[i], err);
        return rc;
}
