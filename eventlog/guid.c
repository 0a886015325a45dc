/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "eventlog/guid.h"

/* GUIDs of the UEFI specification (2.10), the TCG PC Client Platform
 * Firmware Profile, shim and systemd that appear in event logs. */
static const struct {
        const char *text;
        const char *name;
} known[] = {
        { "8be4df61-93ca-11d2-aa0d-00e098032b8c", "EFI_GLOBAL_VARIABLE" },
        { "d719b2cb-3d3a-4596-a3bc-dad00e67656f", "EFI_IMAGE_SECURITY_DATABASE_GUID" },
        { "605dab50-e046-4300-abb6-3dd810dd8b23", "SHIM_LOCK_GUID" },
        { "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI_SYSTEM_PARTITION" },
        { "0fc63daf-8483-4772-8e79-3d69d8477de4", "LINUX_FILESYSTEM_DATA" },
        { "21686148-6449-6e6f-744e-656564454649", "BIOS_BOOT_PARTITION" },
        { "a5c059a1-94e4-4aa7-87b5-ab155c2bf072", "EFI_CERT_X509_GUID" },
        { "c1c41626-504c-4092-aca9-41f936934328", "EFI_CERT_SHA256_GUID" },
        { "3c5766e8-269c-4e34-aa14-ed776e85b3b6", "EFI_CERT_RSA2048_GUID" },
        { "826ca512-cf10-4ac9-b187-be01496631bd", "EFI_CERT_SHA1_GUID" },
        { "0b6e5233-a65c-44c9-9407-d9ab83bfc8bd", "EFI_CERT_SHA224_GUID" },
        { "ff3e5307-9fd0-48c9-85f1-8ad56c701e01", "EFI_CERT_SHA384_GUID" },
        { "093e0fae-a6c4-4f50-9f1b-d41e2b89c19a", "EFI_CERT_SHA512_GUID" },
        { "3bd2a492-96c0-4079-b420-fcf98ef103ed", "EFI_CERT_X509_SHA256_GUID" },
        { "7076876e-80c2-4ee6-aad2-28b349a6865b", "EFI_CERT_X509_SHA384_GUID" },
        { "446dbf63-2502-4cda-bcfa-2465d2b0fe9d", "EFI_CERT_X509_SHA512_GUID" },
        { "4aafd29d-68df-49ee-8aa9-347d375665a7", "EFI_CERT_TYPE_PKCS7_GUID" },
        { "77fa9abd-0359-4d32-bd60-28f4e78f784b", "MICROSOFT_OWNER" },
        { "eb9d2d30-2d88-11d3-9a16-0090273fc14d", "EFI_ACPI_TABLE_GUID (ACPI 1.0)" },
        { "8868e871-e4f1-11d3-bc22-0080c73c8881", "EFI_ACPI_20_TABLE_GUID" },
        { "eb9d2d31-2d88-11d3-9a16-0090273fc14d", "SMBIOS_TABLE_GUID" },
        { "f2fd1544-9794-4a2c-992e-e5bbcf20e394", "SMBIOS3_TABLE_GUID" },
        { "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f", "LOADER_VARIABLE_GUID (systemd)" },
        { "7ce323f2-b841-4d30-a0e9-5474a76c9a3f", "EFI_VENDOR_KEYS_NV_VARIABLE_GUID" },
};

void pcrsim_guid_text(const uint8_t g[16], char out[PCRSIM_GUID_TEXT_SIZE])
{
        snprintf(out, PCRSIM_GUID_TEXT_SIZE,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11],
                 g[12], g[13], g[14], g[15]);
}

const char *pcrsim_guid_name(const uint8_t guid[16])
{
        char text[PCRSIM_GUID_TEXT_SIZE];

        pcrsim_guid_text(guid, text);
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
                if (strcmp(text, known[i].text) == 0)
                        return known[i].name;
        return NULL;
}

bool pcrsim_guid_equals(const uint8_t guid[16], const char *text)
{
        char mine[PCRSIM_GUID_TEXT_SIZE];

        pcrsim_guid_text(guid, mine);
        return strcmp(mine, text) == 0;
}
