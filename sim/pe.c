/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PE/COFF images: the header parser, the Authenticode digest that UEFI
 * firmware logs in PCR 4, and the PCR 11 measurements of systemd-stub.
 * Layouts and field names follow the Microsoft PE/COFF specification.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pcrsim/alg.h"
#include "pcrsim/pe.h"
#include "pcrsim/reader.h"
#include "sim/hash.h"

#define DOS_MAGIC 0x5A4Du /* "MZ" */
#define DOS_E_LFANEW_OFFSET 0x3Cu
#define SECTION_HEADER_SIZE 40u
#define DATA_DIRECTORY_SIZE 8u
#define CHECKSUM_SIZE 4u

/* The PE/COFF specification defines 16 data directories, and edk2's
 * BasePeCoffLib rejects images that declare more. */
#define MAX_DATA_DIRECTORIES 16u

struct header_field {
        const char *name;
        uint8_t size;
};

/* COFF file header, after the "PE\0\0" signature. */
static const struct header_field coff_fields[] = {
        { "Machine", 2 },
        { "NumberOfSections", 2 },
        { "TimeDateStamp", 4 },
        { "PointerToSymbolTable", 4 },
        { "NumberOfSymbols", 4 },
        { "SizeOfOptionalHeader", 2 },
        { "Characteristics", 2 },
};

/* Optional header fields after Magic, up to the data directories. PE32
 * has BaseOfData and 4-byte ImageBase and stack and heap sizes, PE32+
 * no BaseOfData and 8-byte ones. CheckSum is at offset 64 in both. */
static const struct header_field pe32_fields[] = {
        { "MajorLinkerVersion", 1 }, { "MinorLinkerVersion", 1 },
        { "SizeOfCode", 4 }, { "SizeOfInitializedData", 4 },
        { "SizeOfUninitializedData", 4 }, { "AddressOfEntryPoint", 4 },
        { "BaseOfCode", 4 }, { "BaseOfData", 4 }, { "ImageBase", 4 },
        { "SectionAlignment", 4 }, { "FileAlignment", 4 },
        { "MajorOperatingSystemVersion", 2 }, { "MinorOperatingSystemVersion", 2 },
        { "MajorImageVersion", 2 }, { "MinorImageVersion", 2 },
        { "MajorSubsystemVersion", 2 }, { "MinorSubsystemVersion", 2 },
        { "Win32VersionValue", 4 }, { "SizeOfImage", 4 }, { "SizeOfHeaders", 4 },
        { "CheckSum", 4 }, { "Subsystem", 2 }, { "DllCharacteristics", 2 },
        { "SizeOfStackReserve", 4 }, { "SizeOfStackCommit", 4 },
        { "SizeOfHeapReserve", 4 }, { "SizeOfHeapCommit", 4 },
        { "LoaderFlags", 4 }, { "NumberOfRvaAndSizes", 4 },
};

static const struct header_field pe32_plus_fields[] = {
        { "MajorLinkerVersion", 1 }, { "MinorLinkerVersion", 1 },
        { "SizeOfCode", 4 }, { "SizeOfInitializedData", 4 },
        { "SizeOfUninitializedData", 4 }, { "AddressOfEntryPoint", 4 },
        { "BaseOfCode", 4 }, { "ImageBase", 8 },
        { "SectionAlignment", 4 }, { "FileAlignment", 4 },
        { "MajorOperatingSystemVersion", 2 }, { "MinorOperatingSystemVersion", 2 },
        { "MajorImageVersion", 2 }, { "MinorImageVersion", 2 },
        { "MajorSubsystemVersion", 2 }, { "MinorSubsystemVersion", 2 },
        { "Win32VersionValue", 4 }, { "SizeOfImage", 4 }, { "SizeOfHeaders", 4 },
        { "CheckSum", 4 }, { "Subsystem", 2 }, { "DllCharacteristics", 2 },
        { "SizeOfStackReserve", 8 }, { "SizeOfStackCommit", 8 },
        { "SizeOfHeapReserve", 8 }, { "SizeOfHeapCommit", 8 },
        { "LoaderFlags", 4 }, { "NumberOfRvaAndSizes", 4 },
};

/* PE32 has one field more than PE32+ (BaseOfData). */
#define MAX_HEADER_FIELDS (sizeof(pe32_fields) / sizeof(pe32_fields[0]))
_Static_assert(sizeof(pe32_plus_fields) <= sizeof(pe32_fields),
               "MAX_HEADER_FIELDS must hold the longer optional header");
_Static_assert(sizeof(coff_fields) / sizeof(coff_fields[0]) <= MAX_HEADER_FIELDS,
               "MAX_HEADER_FIELDS must hold the COFF header");

/* Values and input offsets of a run of header fields. */
struct field_values {
        const struct header_field *fields;
        size_t count;
        uint64_t value[MAX_HEADER_FIELDS];
        uint64_t offset[MAX_HEADER_FIELDS];
};

static enum pcrsim_error_code read_fields(struct pcrsim_reader *r, struct field_values *fv,
                                          struct pcrsim_error *err)
{
        for (size_t i = 0; i < fv->count; i++) {
                const struct header_field *f = &fv->fields[i];
                enum pcrsim_error_code rc;
                uint8_t u8 = 0;
                uint16_t u16 = 0;
                uint32_t u32 = 0;
                uint64_t u64 = 0;

                fv->offset[i] = pcrsim_reader_offset(r);
                if (f->size == 1) {
                        rc = pcrsim_reader_u8(r, &u8, f->name, err);
                        u64 = u8;
                } else if (f->size == 2) {
                        rc = pcrsim_reader_le16(r, &u16, f->name, err);
                        u64 = u16;
                } else if (f->size == 4) {
                        rc = pcrsim_reader_le32(r, &u32, f->name, err);
                        u64 = u32;
                } else {
                        rc = pcrsim_reader_le64(r, &u64, f->name, err);
                }
                if (rc)
                        return rc;
                fv->value[i] = u64;
        }
        return PCRSIM_OK;
}

/* Index of the field called `name`. Every caller names a field of the
 * table, so a miss is a programming error, which the tests catch. */
static size_t field_index(const struct field_values *fv, const char *name)
{
        for (size_t i = 0; i < fv->count; i++)
                if (strcmp(fv->fields[i].name, name) == 0)
                        return i;
        return 0;
}

static uint64_t field_value(const struct field_values *fv, const char *name)
{
        return fv->value[field_index(fv, name)];
}

static uint64_t field_offset(const struct field_values *fv, const char *name)
{
        return fv->offset[field_index(fv, name)];
}

/* Sets `r` to read the whole file, positioned at `offset`. */
static enum pcrsim_error_code reader_at(const struct pcrsim_pe *pe, uint64_t offset,
                                        struct pcrsim_reader *r, const char *field,
                                        struct pcrsim_error *err)
{
        pcrsim_reader_init(r, pe->data, pe->size, 0);
        if (offset > pe->size)
                return pcrsim_error_set(err, PCRSIM_ERR_TRUNCATED, pe->size, field,
                                        "%s: starts at 0x%llx, past the end of the file (%zu bytes)",
                                        field, (unsigned long long)offset, pe->size);
        return pcrsim_reader_skip(r, (size_t)offset, field, err);
}

/* Reads the DOS header's e_magic and e_lfanew. */
static enum pcrsim_error_code parse_dos_header(struct pcrsim_pe *pe, struct pcrsim_error *err)
{
        struct pcrsim_reader r;
        uint16_t magic;
        uint32_t lfanew;

        pcrsim_reader_init(&r, pe->data, pe->size, 0);
        if (pcrsim_reader_le16(&r, &magic, "e_magic", err))
                return err->code;
        if (magic != DOS_MAGIC)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "e_magic",
                                        "e_magic 0x%04x is not \"MZ\" (0x5a4d): not a PE/COFF image",
                                        magic);
        if (pcrsim_reader_skip(&r, DOS_E_LFANEW_OFFSET - 2, "DOS header", err) ||
            pcrsim_reader_le32(&r, &lfanew, "e_lfanew", err))
                return err->code;
        if (lfanew >= pe->size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, DOS_E_LFANEW_OFFSET, "e_lfanew",
                                        "e_lfanew 0x%x points past the end of the file (%zu bytes)",
                                        lfanew, pe->size);
        pe->pe_offset = lfanew;
        return PCRSIM_OK;
}

/* Reads the PE signature and the COFF file header. Leaves `r` at the
 * optional header and stores SizeOfOptionalHeader in `*opt_size`. */
static enum pcrsim_error_code parse_coff_header(struct pcrsim_pe *pe, struct pcrsim_reader *r,
                                                uint16_t *opt_size, struct pcrsim_error *err)
{
        struct field_values fv = { .fields = coff_fields,
                                   .count = sizeof(coff_fields) / sizeof(coff_fields[0]) };
        uint8_t signature[4];
        uint64_t sections;

        if (reader_at(pe, pe->pe_offset, r, "Signature", err) ||
            pcrsim_reader_copy(r, signature, sizeof(signature), "Signature", err))
                return err->code;
        if (memcmp(signature, "PE\0\0", 4) != 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pe->pe_offset, "Signature",
                                        "Signature %02x %02x %02x %02x is not \"PE\\0\\0\"",
                                        signature[0], signature[1], signature[2], signature[3]);
        if (read_fields(r, &fv, err))
                return err->code;

        sections = field_value(&fv, "NumberOfSections");
        if (sections > PCRSIM_MAX_PE_SECTIONS)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT,
                                        field_offset(&fv, "NumberOfSections"), "NumberOfSections",
                                        "NumberOfSections %llu exceeds the limit of %u",
                                        (unsigned long long)sections, PCRSIM_MAX_PE_SECTIONS);
        pe->machine = (uint16_t)field_value(&fv, "Machine");
        pe->section_count = (uint32_t)sections;
        *opt_size = (uint16_t)field_value(&fv, "SizeOfOptionalHeader");
        return PCRSIM_OK;
}

/* Reads the data directories and keeps the Certificate Table entry. */
static enum pcrsim_error_code parse_data_directories(struct pcrsim_pe *pe,
                                                     struct pcrsim_reader *r,
                                                     struct pcrsim_error *err)
{
        pe->data_directory_offset = pcrsim_reader_offset(r);
        for (uint32_t i = 0; i < pe->number_of_rva_and_sizes; i++) {
                char name[48];
                uint32_t address, size;

                if (i == PCRSIM_PE_CERTIFICATE_TABLE)
                        snprintf(name, sizeof(name), "Certificate Table");
                else
                        snprintf(name, sizeof(name), "DataDirectory[%u]", i);
                if (pcrsim_reader_le32(r, &address, name, err) ||
                    pcrsim_reader_le32(r, &size, name, err))
                        return err->code;
                if (i == PCRSIM_PE_CERTIFICATE_TABLE && size != 0) {
                        pe->certificate_table_offset = address;
                        pe->certificate_table_size = size;
                }
        }
        return PCRSIM_OK;
}

/* Reads the optional header, whose size the COFF header gives as
 * `opt_size`. edk2's BasePeCoffLib requires SizeOfOptionalHeader to be
 * exactly the fixed part plus the data directories. pcrsim does too, so
 * the section table follows the last data directory. */
static enum pcrsim_error_code parse_optional_header(struct pcrsim_pe *pe, struct pcrsim_reader *r,
                                                    uint16_t opt_size, uint64_t opt_size_offset,
                                                    struct pcrsim_error *err)
{
        struct field_values fv = { 0 };
        uint64_t start = pcrsim_reader_offset(r), fixed, expected;

        if (pcrsim_reader_le16(r, &pe->magic, "Magic", err))
                return err->code;
        if (pe->magic == PCRSIM_PE32_MAGIC) {
                fv.fields = pe32_fields;
                fv.count = sizeof(pe32_fields) / sizeof(pe32_fields[0]);
        } else if (pe->magic == PCRSIM_PE32_PLUS_MAGIC) {
                fv.fields = pe32_plus_fields;
                fv.count = sizeof(pe32_plus_fields) / sizeof(pe32_plus_fields[0]);
        } else {
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, start, "Magic",
                                        "optional header Magic 0x%04x is neither PE32 (0x10b) nor PE32+ (0x20b)",
                                        pe->magic);
        }
        if (read_fields(r, &fv, err))
                return err->code;

        pe->size_of_image = (uint32_t)field_value(&fv, "SizeOfImage");
        pe->size_of_headers = (uint32_t)field_value(&fv, "SizeOfHeaders");
        pe->checksum_offset = field_offset(&fv, "CheckSum");
        pe->number_of_rva_and_sizes = (uint32_t)field_value(&fv, "NumberOfRvaAndSizes");
        if (pe->number_of_rva_and_sizes > MAX_DATA_DIRECTORIES)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                        field_offset(&fv, "NumberOfRvaAndSizes"),
                                        "NumberOfRvaAndSizes",
                                        "NumberOfRvaAndSizes %u exceeds the %u data directories that PE/COFF defines",
                                        pe->number_of_rva_and_sizes, MAX_DATA_DIRECTORIES);
        fixed = pcrsim_reader_offset(r) - start;
        expected = fixed + (uint64_t)pe->number_of_rva_and_sizes * DATA_DIRECTORY_SIZE;
        if (opt_size != expected)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, opt_size_offset,
                                        "SizeOfOptionalHeader",
                                        "SizeOfOptionalHeader %u does not match the %llu bytes of a %s optional header with %u data directories",
                                        opt_size, (unsigned long long)expected,
                                        pe->magic == PCRSIM_PE32_MAGIC ? "PE32" : "PE32+",
                                        pe->number_of_rva_and_sizes);
        return parse_data_directories(pe, r, err);
}

/* Marks an error as belonging to section `index`. The internal functions
 * of this file get a non-NULL `err` from the exported ones. */
static enum pcrsim_error_code in_section(struct pcrsim_error *err, uint32_t index)
{
        err->record = index;
        err->record_noun = "section";
        return err->code;
}

static enum pcrsim_error_code parse_section_header(struct pcrsim_reader *r,
                                                   struct pcrsim_pe_section *s,
                                                   struct pcrsim_error *err)
{
        uint32_t skip32;
        uint16_t skip16;

        s->header_offset = pcrsim_reader_offset(r);
        if (pcrsim_reader_copy(r, s->raw_name, sizeof(s->raw_name), "Name", err) ||
            pcrsim_reader_le32(r, &s->virtual_size, "VirtualSize", err) ||
            pcrsim_reader_le32(r, &s->virtual_address, "VirtualAddress", err) ||
            pcrsim_reader_le32(r, &s->size_of_raw_data, "SizeOfRawData", err) ||
            pcrsim_reader_le32(r, &s->pointer_to_raw_data, "PointerToRawData", err) ||
            pcrsim_reader_le32(r, &skip32, "PointerToRelocations", err) ||
            pcrsim_reader_le32(r, &skip32, "PointerToLinenumbers", err) ||
            pcrsim_reader_le16(r, &skip16, "NumberOfRelocations", err) ||
            pcrsim_reader_le16(r, &skip16, "NumberOfLinenumbers", err) ||
            pcrsim_reader_le32(r, &skip32, "Characteristics", err))
                return err->code;
        memcpy(s->name, s->raw_name, sizeof(s->raw_name));
        s->name[sizeof(s->raw_name)] = '\0';
        return PCRSIM_OK;
}

static enum pcrsim_error_code parse_section_table(struct pcrsim_pe *pe, struct pcrsim_reader *r,
                                                  struct pcrsim_error *err)
{
        if (pe->section_count == 0)
                return PCRSIM_OK;
        pe->sections = calloc(pe->section_count, sizeof(*pe->sections));
        if (!pe->sections)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory for %u section headers",
                                        pe->section_count);
        for (uint32_t i = 0; i < pe->section_count; i++)
                if (parse_section_header(r, &pe->sections[i], err))
                        return in_section(err, i);
        return PCRSIM_OK;
}

/* Offset of a field of the section header `s`. */
static uint64_t section_field_offset(const struct pcrsim_pe_section *s, const char *field)
{
        if (strcmp(field, "SizeOfRawData") == 0)
                return s->header_offset + 16;
        if (strcmp(field, "PointerToRawData") == 0)
                return s->header_offset + 20;
        return s->header_offset;
}

/* Indexes of the sections with raw data (SizeOfRawData > 0), ordered by
 * PointerToRawData. */
struct raw_order {
        uint32_t count;
        uint32_t *index;
};

/* Sorts with insertion sort, because qsort() has no context argument in
 * C11 and the table has at most PCRSIM_MAX_PE_SECTIONS entries. Equal
 * keys keep their table order, as in edk2's sort. */
static enum pcrsim_error_code sort_raw_sections(const struct pcrsim_pe *pe, struct raw_order *o,
                                                struct pcrsim_error *err)
{
        o->count = 0;
        o->index = calloc(pe->section_count ? pe->section_count : 1, sizeof(*o->index));
        if (!o->index)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory sorting %u sections", pe->section_count);
        for (uint32_t i = 0; i < pe->section_count; i++) {
                uint32_t key = pe->sections[i].pointer_to_raw_data;
                uint32_t pos = o->count;

                if (pe->sections[i].size_of_raw_data == 0)
                        continue;
                while (pos > 0 && key < pe->sections[o->index[pos - 1]].pointer_to_raw_data) {
                        o->index[pos] = o->index[pos - 1];
                        pos--;
                }
                o->index[pos] = i;
                o->count++;
        }
        return PCRSIM_OK;
}

/* Checks that every section's raw data lies inside the file. */
static enum pcrsim_error_code check_sections_in_file(const struct pcrsim_pe *pe,
                                                     struct pcrsim_error *err)
{
        for (uint32_t i = 0; i < pe->section_count; i++) {
                const struct pcrsim_pe_section *s = &pe->sections[i];
                uint64_t end = (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data;

                if (s->size_of_raw_data == 0)
                        continue;
                if (s->pointer_to_raw_data >= pe->size) {
                        pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                         section_field_offset(s, "PointerToRawData"),
                                         "PointerToRawData",
                                         "section %s: PointerToRawData 0x%x is past the end of the file (%zu bytes)",
                                         s->name, s->pointer_to_raw_data, pe->size);
                        return in_section(err, i);
                }
                if (end > pe->size) {
                        pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                         section_field_offset(s, "SizeOfRawData"), "SizeOfRawData",
                                         "section %s: raw data 0x%x-0x%llx runs past the end of the file (%zu bytes)",
                                         s->name, s->pointer_to_raw_data,
                                         (unsigned long long)end, pe->size);
                        return in_section(err, i);
                }
        }
        return PCRSIM_OK;
}

/* Checks that the raw data of the sections, in file order, overlaps
 * neither the headers nor each other, as edk2's BasePeCoffLib requires
 * for the headers. Stores where the last section ends. */
static enum pcrsim_error_code check_section_overlaps(const struct pcrsim_pe *pe,
                                                     const struct raw_order *o,
                                                     uint64_t *data_end,
                                                     struct pcrsim_error *err)
{
        uint64_t end = pe->size_of_headers;
        int64_t previous = -1;

        for (uint32_t k = 0; k < o->count; k++) {
                const struct pcrsim_pe_section *s = &pe->sections[o->index[k]];

                if (s->pointer_to_raw_data < end) {
                        if (previous < 0)
                                pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                                 section_field_offset(s, "PointerToRawData"),
                                                 "PointerToRawData",
                                                 "section %s: raw data at 0x%x overlaps the headers, which end at SizeOfHeaders 0x%x",
                                                 s->name, s->pointer_to_raw_data,
                                                 pe->size_of_headers);
                        else
                                pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                                 section_field_offset(s, "PointerToRawData"),
                                                 "PointerToRawData",
                                                 "section %s: raw data at 0x%x overlaps the raw data of section %lld (%s), which ends at 0x%llx",
                                                 s->name, s->pointer_to_raw_data,
                                                 (long long)previous,
                                                 pe->sections[previous].name,
                                                 (unsigned long long)end);
                        return in_section(err, o->index[k]);
                }
                end = (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data;
                previous = o->index[k];
        }
        *data_end = end;
        return PCRSIM_OK;
}

/* Checks that the Certificate Table lies after all section data and ends
 * exactly at the end of the file. edk2 and pesign leave the last
 * CertificateTable.Size bytes of the file out of the Authenticode digest,
 * so a table anywhere else would make the digest wrong. */
static enum pcrsim_error_code check_certificate_table(const struct pcrsim_pe *pe,
                                                      uint64_t data_end,
                                                      struct pcrsim_error *err)
{
        uint64_t at = pe->data_directory_offset +
                      (uint64_t)PCRSIM_PE_CERTIFICATE_TABLE * DATA_DIRECTORY_SIZE;
        uint64_t start = pe->certificate_table_offset;
        uint64_t end = start + pe->certificate_table_size;

        if (pe->certificate_table_size == 0)
                return PCRSIM_OK;
        if (end > pe->size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "Certificate Table",
                                        "Certificate Table 0x%llx-0x%llx runs past the end of the file (%zu bytes)",
                                        (unsigned long long)start, (unsigned long long)end,
                                        pe->size);
        if (end < pe->size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "Certificate Table",
                                        "Certificate Table 0x%llx-0x%llx is not at the end of the file: %llu bytes follow it",
                                        (unsigned long long)start, (unsigned long long)end,
                                        (unsigned long long)(pe->size - end));
        if (start < data_end)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "Certificate Table",
                                        "Certificate Table at 0x%llx overlaps the headers or section data, which end at 0x%llx",
                                        (unsigned long long)start,
                                        (unsigned long long)data_end);
        return PCRSIM_OK;
}

/* Checks SizeOfHeaders, whose range the Authenticode digest hashes. */
static enum pcrsim_error_code check_size_of_headers(const struct pcrsim_pe *pe,
                                                    uint64_t table_end,
                                                    struct pcrsim_error *err)
{
        uint64_t at = pe->checksum_offset - 4; /* SizeOfHeaders precedes CheckSum */

        if (pe->size_of_headers < table_end)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "SizeOfHeaders",
                                        "SizeOfHeaders 0x%x ends before the section table, which ends at 0x%llx",
                                        pe->size_of_headers, (unsigned long long)table_end);
        if (pe->size_of_headers > pe->size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "SizeOfHeaders",
                                        "SizeOfHeaders 0x%x is past the end of the file (%zu bytes)",
                                        pe->size_of_headers, pe->size);
        return PCRSIM_OK;
}

static enum pcrsim_error_code check_layout(const struct pcrsim_pe *pe, uint64_t table_end,
                                           struct pcrsim_error *err)
{
        struct raw_order order = { 0 };
        uint64_t data_end = 0;
        enum pcrsim_error_code rc;

        rc = check_size_of_headers(pe, table_end, err);
        if (!rc)
                rc = check_sections_in_file(pe, err);
        if (!rc)
                rc = sort_raw_sections(pe, &order, err);
        if (!rc)
                rc = check_section_overlaps(pe, &order, &data_end, err);
        if (!rc)
                rc = check_certificate_table(pe, data_end, err);
        free(order.index);
        return rc;
}

enum pcrsim_error_code pcrsim_pe_parse(const void *data, size_t size, struct pcrsim_pe **out,
                                       struct pcrsim_error *err)
{
        struct pcrsim_pe *pe = calloc(1, sizeof(*pe));
        struct pcrsim_error local;
        struct pcrsim_reader r;
        uint16_t opt_size = 0;
        enum pcrsim_error_code rc;

        if (!err)
                err = &local;
        *out = NULL;
        if (!pe)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory");
        pe->data = data;
        pe->size = data ? size : 0;

        rc = parse_dos_header(pe, err);
        if (!rc)
                rc = parse_coff_header(pe, &r, &opt_size, err);
        if (!rc)
                rc = parse_optional_header(pe, &r, opt_size, pe->pe_offset + 4 + 16, err);
        if (!rc)
                rc = parse_section_table(pe, &r, err);
        if (!rc)
                rc = check_layout(pe, pcrsim_reader_offset(&r), err);
        if (rc) {
                pcrsim_pe_free(pe);
                return rc;
        }
        *out = pe;
        return PCRSIM_OK;
}

void pcrsim_pe_free(struct pcrsim_pe *pe)
{
        if (!pe)
                return;
        free(pe->sections);
        free(pe);
}

/* ---- hashing ---- */

/* A digest in progress over bytes of the file. */
struct image_hash {
        const struct pcrsim_pe *pe;
        EVP_MD *md;
        EVP_MD_CTX *ctx;
};

static enum pcrsim_error_code image_hash_init(struct image_hash *h, const struct pcrsim_pe *pe,
                                              uint16_t alg, struct pcrsim_error *err)
{
        char name[32];

        h->pe = pe;
        h->md = pcrsim_hash_fetch(alg);
        h->ctx = NULL;
        if (!h->md) {
                pcrsim_alg_name(alg, name, sizeof(name));
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "cannot hash with %s: OpenSSL lacks it or pcrsim does not know it",
                                        name);
        }
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory for a hash context");
        if (EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL EVP_DigestInit_ex failed");
        return PCRSIM_OK;
}

static void image_hash_free(struct image_hash *h)
{
        EVP_MD_CTX_free(h->ctx);
        EVP_MD_free(h->md);
        h->ctx = NULL;
        h->md = NULL;
}

static enum pcrsim_error_code hash_update(struct image_hash *h, const void *bytes, size_t size,
                                          struct pcrsim_error *err)
{
        if (size && EVP_DigestUpdate(h->ctx, bytes, size) != 1)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL EVP_DigestUpdate failed");
        return PCRSIM_OK;
}

/* Hashes the file bytes [start, end). The parser has checked every range
 * that callers pass, so a failure here means a broken invariant. */
static enum pcrsim_error_code hash_file_range(struct image_hash *h, uint64_t start, uint64_t end,
                                              const char *what, struct pcrsim_error *err)
{
        struct pcrsim_reader r;
        const uint8_t *bytes = NULL;

        if (end < start)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, start, what,
                                        "%s: range 0x%llx-0x%llx is reversed", what,
                                        (unsigned long long)start, (unsigned long long)end);
        if (reader_at(h->pe, start, &r, what, err) ||
            pcrsim_reader_bytes(&r, (size_t)(end - start), &bytes, what, err))
                return err->code;
        return hash_update(h, bytes, (size_t)(end - start), err);
}

static enum pcrsim_error_code hash_final(struct image_hash *h, uint8_t *digest,
                                         uint16_t *digest_size, struct pcrsim_error *err)
{
        unsigned int size = 0;

        if (EVP_DigestFinal_ex(h->ctx, digest, &size) != 1 || size > PCRSIM_MAX_DIGEST_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL EVP_DigestFinal_ex failed");
        *digest_size = (uint16_t)size;
        return PCRSIM_OK;
}

/* Hashes the headers up to SizeOfHeaders without the CheckSum field and,
 * when the image has a Certificate Table entry, without that entry. */
static enum pcrsim_error_code hash_headers(struct image_hash *h, struct pcrsim_error *err)
{
        const struct pcrsim_pe *pe = h->pe;
        uint64_t after_checksum = pe->checksum_offset + CHECKSUM_SIZE;
        uint64_t cert_entry = pe->data_directory_offset +
                              (uint64_t)PCRSIM_PE_CERTIFICATE_TABLE * DATA_DIRECTORY_SIZE;

        if (hash_file_range(h, 0, pe->checksum_offset, "headers", err))
                return err->code;
        if (pe->number_of_rva_and_sizes <= PCRSIM_PE_CERTIFICATE_TABLE)
                return hash_file_range(h, after_checksum, pe->size_of_headers, "headers", err);
        if (hash_file_range(h, after_checksum, cert_entry, "headers", err))
                return err->code;
        return hash_file_range(h, cert_entry + DATA_DIRECTORY_SIZE, pe->size_of_headers,
                               "headers", err);
}

/*
 * Hashes the sections in file order, then the data after them. The data
 * after the sections starts at SizeOfHeaders plus the sum of all
 * SizeOfRawData values and ends where the Certificate Table starts. That
 * start is the end of the last section only when the sections follow each
 * other without gaps. edk2 (DxeTpm2MeasureBootLib and
 * DxeImageVerificationLib, which OVMF uses) and pesign compute it this
 * way, so pcrsim does too, even though it hashes some section bytes a
 * second time in an image with gaps.
 */
static enum pcrsim_error_code hash_sections_and_trailer(struct image_hash *h,
                                                        struct pcrsim_error *err)
{
        const struct pcrsim_pe *pe = h->pe;
        struct raw_order order = { 0 };
        uint64_t hashed = pe->size_of_headers;
        enum pcrsim_error_code rc;

        rc = sort_raw_sections(pe, &order, err);
        for (uint32_t k = 0; !rc && k < order.count; k++) {
                const struct pcrsim_pe_section *s = &pe->sections[order.index[k]];

                rc = hash_file_range(h, s->pointer_to_raw_data,
                                     (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data,
                                     "section data", err);
                hashed += s->size_of_raw_data;
        }
        free(order.index);
        if (rc || pe->size <= hashed)
                return rc;
        if (pe->size < hashed + pe->certificate_table_size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pe->certificate_table_offset,
                                        "Certificate Table",
                                        "the headers, the sections (%llu bytes together) and the Certificate Table (%u bytes) exceed the file size %zu",
                                        (unsigned long long)hashed, pe->certificate_table_size,
                                        pe->size);
        return hash_file_range(h, hashed, pe->size - pe->certificate_table_size,
                               "data after the sections", err);
}

enum pcrsim_error_code pcrsim_pe_authenticode(const struct pcrsim_pe *pe, uint16_t alg,
                                              uint8_t *digest, uint16_t *digest_size,
                                              struct pcrsim_error *err)
{
        struct pcrsim_error local;
        struct image_hash h;
        enum pcrsim_error_code rc;

        if (!err)
                err = &local;
        rc = image_hash_init(&h, pe, alg, err);
        if (!rc)
                rc = hash_headers(&h, err);
        if (!rc)
                rc = hash_sections_and_trailer(&h, err);
        if (!rc)
                rc = hash_final(&h, digest, digest_size, err);
        image_hash_free(&h);
        return rc;
}

/* ---- systemd-stub PCR 11 measurements ---- */

/*
 * The sections that systemd-stub measures into PCR 11, in the order it
 * measures them, which is the order of its UnifiedSection enum. .pcrsig
 * is in that enum but never measured, because it contains the signature
 * of the expected PCR 11 value.
 *
 * 252 (src/fundamental/tpm-pcr.h and src/boot/efi/stub.c of 252, and the
 * strings of Debian's 252.39 linuxx64.efi.stub): .linux, .osrel,
 * .cmdline, .initrd, .splash, .dtb, then .pcrpkey. Its pe.c matches a
 * section when the section's Name starts with the stub's name (so
 * ".linuxX" counts as .linux), the last matching header of the table
 * wins, and images with more than 96 sections are rejected.
 *
 * Later revisions of src/fundamental/uki.h add .uname and .sbat after
 * .dtb, then .ucode after .initrd; their pe.c matches names exactly and
 * the first matching header wins. From 257 on, multi-profile UKIs and
 * the hardware-selected .dtbauto and .hwids sections change what is
 * measured, which pcrsim does not model.
 *
 * NOTE: only 252 is checked against a recorded boot (vectors/lab-uki).
 * The first versions given for .uname (253) and .sbat (254) come from
 * source revisions whose release tag was not checked; .ucode (256) is
 * the version from which mkosi passes it to ukify. Because it is not
 * known in which release the name matching changed, an image whose
 * sections the two matching rules select differently is rejected for
 * the versions after 252.
 */
struct stub_layout {
        unsigned first_version;
        unsigned last_version;
        bool prefix_match; /* the 252 rule: name prefix, last match wins */
        uint32_t max_sections; /* the stub refuses images with more; 0: no check */
        const char *const *sections;
        uint32_t count;
};

static const char *const sections_252[] = {
        ".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".pcrpkey",
};
static const char *const sections_253[] = {
        ".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".uname", ".pcrpkey",
};
static const char *const sections_254[] = {
        ".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".uname", ".sbat",
        ".pcrpkey",
};
static const char *const sections_256[] = {
        ".linux", ".osrel", ".cmdline", ".initrd", ".ucode", ".splash", ".dtb", ".uname",
        ".sbat", ".pcrpkey",
};

#define LAYOUT(first, last, prefix, max, list) \
        { first, last, prefix, max, list, sizeof(list) / sizeof(list[0]) }

static const struct stub_layout stub_layouts[] = {
        LAYOUT(252, 252, true, 96, sections_252),
        LAYOUT(253, 253, false, 0, sections_253),
        LAYOUT(254, 255, false, 0, sections_254),
        LAYOUT(256, 256, false, 0, sections_256),
};

static const struct stub_layout *stub_layout(unsigned version)
{
        for (size_t i = 0; i < sizeof(stub_layouts) / sizeof(stub_layouts[0]); i++)
                if (version >= stub_layouts[i].first_version &&
                    version <= stub_layouts[i].last_version)
                        return &stub_layouts[i];
        return NULL;
}

/* Index of the section that the 252 rule selects for `name`, or -1. */
static int64_t match_prefix_last(const struct pcrsim_pe *pe, const char *name)
{
        size_t len = strlen(name);
        int64_t found = -1;

        for (uint32_t i = 0; i < pe->section_count; i++)
                if (memcmp(pe->sections[i].raw_name, name, len) == 0)
                        found = i;
        return found;
}

/* Index of the section that the later rule selects for `name`, or -1:
 * the first header whose Name equals `name` up to a NUL or to its 8
 * bytes. Bytes after that NUL are not compared. */
static int64_t match_exact_first(const struct pcrsim_pe *pe, const char *name)
{
        size_t len = strlen(name);

        for (uint32_t i = 0; i < pe->section_count; i++) {
                const uint8_t *raw = pe->sections[i].raw_name;

                if (memcmp(raw, name, len) == 0 && (len == sizeof(pe->sections[i].raw_name) ||
                                                    raw[len] == 0))
                        return i;
        }
        return -1;
}

/* Selects the section that the stub measures as `name`, or -1 when it
 * has none. A section with VirtualSize 0 counts as absent. */
static enum pcrsim_error_code select_section(const struct pcrsim_pe *pe,
                                             const struct stub_layout *layout, const char *name,
                                             int64_t *index, struct pcrsim_error *err)
{
        int64_t prefix = match_prefix_last(pe, name), exact = match_exact_first(pe, name);

        if (!layout->prefix_match && prefix != exact)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED,
                                        pe->sections[prefix >= 0 ? prefix : exact].header_offset,
                                        "Name",
                                        "the section names select different %s sections under the name matching of systemd-stub 252 and of later versions, and pcrsim does not know which one systemd-stub %u uses",
                                        name, layout->first_version);
        *index = layout->prefix_match ? prefix : exact;
        if (*index >= 0 && pe->sections[*index].virtual_size == 0)
                *index = -1;
        return PCRSIM_OK;
}

/* Hashes `size` zero bytes: the part of a section that the loader fills
 * with zeros beyond its raw data. */
static enum pcrsim_error_code hash_zeros(struct image_hash *h, uint64_t size,
                                         struct pcrsim_error *err)
{
        static const uint8_t zeros[4096];

        while (size > 0) {
                size_t n = size < sizeof(zeros) ? (size_t)size : sizeof(zeros);

                if (hash_update(h, zeros, n, err))
                        return err->code;
                size -= n;
        }
        return PCRSIM_OK;
}

/* Digests of one section's name (with its NUL) and of its loaded data:
 * VirtualSize bytes, the raw data and then zeros. */
static enum pcrsim_error_code measure_section(const struct pcrsim_pe *pe, uint16_t alg,
                                              const char *name,
                                              const struct pcrsim_pe_section *s,
                                              struct pcrsim_digest *name_digest,
                                              struct pcrsim_digest *data_digest,
                                              struct pcrsim_error *err)
{
        uint32_t from_file = s->virtual_size < s->size_of_raw_data ? s->virtual_size :
                                                                     s->size_of_raw_data;
        struct image_hash h;
        enum pcrsim_error_code rc;

        name_digest->alg = data_digest->alg = alg;
        rc = image_hash_init(&h, pe, alg, err);
        if (!rc)
                rc = hash_update(&h, name, strlen(name) + 1, err);
        if (!rc)
                rc = hash_final(&h, name_digest->bytes, &name_digest->size, err);
        image_hash_free(&h);
        if (!rc)
                rc = image_hash_init(&h, pe, alg, err);
        if (!rc && from_file > 0)
                rc = hash_file_range(&h, s->pointer_to_raw_data,
                                     (uint64_t)s->pointer_to_raw_data + from_file,
                                     "section data", err);
        if (!rc)
                rc = hash_zeros(&h, s->virtual_size - from_file, err);
        if (!rc)
                rc = hash_final(&h, data_digest->bytes, &data_digest->size, err);
        image_hash_free(&h);
        return rc;
}

/* Checks what the stub checks before it measures anything. */
static enum pcrsim_error_code check_stub_accepts(const struct pcrsim_pe *pe,
                                                 const struct stub_layout *layout,
                                                 unsigned version, struct pcrsim_error *err)
{
        int64_t linux_index = -1;

        if (layout->max_sections && pe->section_count > layout->max_sections)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pe->pe_offset + 6,
                                        "NumberOfSections",
                                        "systemd-stub %u rejects images with more than %u sections, and this one has %u, so it measures nothing",
                                        version, layout->max_sections, pe->section_count);
        if (select_section(pe, layout, ".linux", &linux_index, err))
                return err->code;
        if (linux_index < 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the image has no .linux section with a nonzero VirtualSize, so systemd-stub %u rejects it and measures nothing",
                                        version);
        return PCRSIM_OK;
}

static enum pcrsim_error_code check_zero_fill(const struct pcrsim_pe_section *s, uint32_t index,
                                              struct pcrsim_error *err)
{
        if (s->virtual_size <= s->size_of_raw_data ||
            s->virtual_size - s->size_of_raw_data <= PCRSIM_MAX_UKI_ZERO_FILL)
                return PCRSIM_OK;
        pcrsim_error_set(err, PCRSIM_ERR_LIMIT, s->header_offset + 8, "VirtualSize",
                         "section %s: VirtualSize 0x%x exceeds SizeOfRawData 0x%x by more than the limit of %u zero bytes",
                         s->name, s->virtual_size, s->size_of_raw_data,
                         PCRSIM_MAX_UKI_ZERO_FILL);
        return in_section(err, index);
}

/* Appends the name and data measurements of section `index` as `name`. */
static enum pcrsim_error_code add_section_events(const struct pcrsim_pe *pe, const char *name,
                                                 uint32_t index, const uint16_t *algs,
                                                 uint32_t alg_count,
                                                 struct pcrsim_uki_measurements *out,
                                                 struct pcrsim_error *err)
{
        struct pcrsim_uki_event *name_event = &out->events[out->count];
        struct pcrsim_uki_event *data_event = &out->events[out->count + 1];

        if (check_zero_fill(&pe->sections[index], index, err))
                return err->code;
        memset(name_event, 0, 2 * sizeof(*name_event));
        for (int part = 0; part < 2; part++) {
                struct pcrsim_uki_event *ev = part == 0 ? name_event : data_event;

                ev->pcr = PCRSIM_UKI_PCR;
                snprintf(ev->section, sizeof(ev->section), "%s", name);
                ev->part = part == 0 ? PCRSIM_UKI_SECTION_NAME : PCRSIM_UKI_SECTION_DATA;
                ev->section_index = index;
                ev->digest_count = alg_count;
        }
        for (uint32_t a = 0; a < alg_count; a++)
                if (measure_section(pe, algs[a], name, &pe->sections[index],
                                    &name_event->digests[a], &data_event->digests[a], err))
                        return err->code;
        out->count += 2;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_uki_measure(const struct pcrsim_pe *pe, unsigned stub_version,
                                          const uint16_t *algs, uint32_t alg_count,
                                          struct pcrsim_uki_measurements *out,
                                          struct pcrsim_error *err)
{
        const struct stub_layout *layout = stub_layout(stub_version);
        struct pcrsim_error local;

        if (!err)
                err = &local;
        memset(out, 0, sizeof(*out));
        out->stub_version = stub_version;
        if (!layout)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the PCR 11 measurements of systemd-stub %u are not modeled; pcrsim models versions 252 to 256",
                                        stub_version);
        if (alg_count > PCRSIM_MAX_ALGORITHMS)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "%u hash algorithms requested, more than the limit of %u",
                                        alg_count, PCRSIM_MAX_ALGORITHMS);
        if (check_stub_accepts(pe, layout, stub_version, err))
                return err->code;
        for (uint32_t i = 0; i < layout->count; i++) {
                int64_t index = -1;

                if (select_section(pe, layout, layout->sections[i], &index, err))
                        return err->code;
                if (index >= 0 && add_section_events(pe, layout->sections[i], (uint32_t)index,
                                                     algs, alg_count, out, err))
                        return err->code;
        }
        return PCRSIM_OK;
}
