/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_PE_H
#define PCRSIM_PE_H

#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"
#include "pcrsim/tcglog.h"

/*
 * PE/COFF images (Microsoft PE/COFF specification) as UEFI firmware loads
 * them, and the two measurements that a boot makes of them:
 *
 * - the Authenticode digest, which the firmware extends into PCR 4 for
 *   every EFI application it starts (EV_EFI_BOOT_SERVICES_APPLICATION);
 * - the PCR 11 measurements that systemd-stub makes of the sections of a
 *   unified kernel image (UKI).
 *
 * Field names in errors are the names of the PE/COFF specification
 * (e_lfanew, SizeOfOptionalHeader, PointerToRawData, ...). Errors about a
 * section header carry the section's index in err->record, with
 * err->record_noun "section".
 */

/* Optional header magic numbers: PE32 and PE32+. */
#define PCRSIM_PE32_MAGIC 0x010Bu
#define PCRSIM_PE32_PLUS_MAGIC 0x020Bu

/* Index of the Certificate Table (attribute certificates) among the data
 * directories. */
#define PCRSIM_PE_CERTIFICATE_TABLE 4u

/* One entry of the section table. */
struct pcrsim_pe_section {
        uint8_t raw_name[8];          /* the Name field as stored */
        char name[9];                 /* raw_name up to its first NUL, NUL-terminated */
        uint32_t virtual_size;        /* VirtualSize */
        uint32_t virtual_address;     /* VirtualAddress (an RVA) */
        uint32_t size_of_raw_data;    /* SizeOfRawData */
        uint32_t pointer_to_raw_data; /* PointerToRawData (a file offset) */
        uint64_t header_offset;       /* file offset of this section header */
};

/*
 * A parsed and checked PE/COFF image. `data` is borrowed from the caller
 * of pcrsim_pe_parse(), which keeps it alive and unchanged until
 * pcrsim_pe_free(). Offsets are from the start of the file.
 */
struct pcrsim_pe {
        const uint8_t *data;
        size_t size;
        uint32_t pe_offset;             /* e_lfanew: offset of "PE\0\0" */
        uint16_t machine;               /* Machine, e.g. 0x8664 for x86-64 */
        uint16_t magic;                 /* PCRSIM_PE32_MAGIC or PCRSIM_PE32_PLUS_MAGIC */
        uint32_t size_of_image;         /* SizeOfImage */
        uint32_t size_of_headers;       /* SizeOfHeaders */
        uint64_t checksum_offset;       /* offset of the CheckSum field */
        uint32_t number_of_rva_and_sizes;
        uint64_t data_directory_offset; /* offset of the first data directory */
        /* Certificate Table entry: its file offset and size (the
         * directory's VirtualAddress is a file offset). Both 0 when the
         * image has no attribute certificates. */
        uint32_t certificate_table_offset;
        uint32_t certificate_table_size;
        uint32_t section_count;
        struct pcrsim_pe_section *sections; /* in section table order */
};

/*
 * Parses the PE/COFF image of `size` bytes at `data` into a new
 * `*out`, which the caller frees with pcrsim_pe_free(). Besides reading
 * the headers, it checks what the Authenticode digest relies on:
 * - SizeOfOptionalHeader matches the data directories;
 * - SizeOfHeaders covers the section table and lies inside the file;
 * - the raw data of every section lies inside the file and overlaps
 *   neither the headers nor another section;
 * - the Certificate Table, if any, follows all section data and ends
 *   exactly at the end of the file.
 *
 * Errors: TRUNCATED when the file ends inside a header field; INVALID for
 * a bad signature or an inconsistent size or offset; LIMIT when
 * NumberOfSections exceeds PCRSIM_MAX_PE_SECTIONS; NOMEM. `err` names
 * the field and its offset.
 */
enum pcrsim_error_code pcrsim_pe_parse(const void *data, size_t size, struct pcrsim_pe **out,
                                       struct pcrsim_error *err);

void pcrsim_pe_free(struct pcrsim_pe *pe);

/*
 * Computes the Authenticode digest of `pe` with the hash algorithm
 * `alg` (a TPM_ALG_ID) into `digest`, which has room for
 * PCRSIM_MAX_DIGEST_SIZE bytes, and stores its size in `*digest_size`.
 * This is the digest that UEFI firmware logs in PCR 4 for the image
 * file, and that `pesign -h` prints.
 *
 * Errors: UNSUPPORTED when pcrsim cannot hash with `alg`; NOMEM;
 * INTERNAL when OpenSSL fails.
 */
enum pcrsim_error_code pcrsim_pe_authenticode(const struct pcrsim_pe *pe, uint16_t alg,
                                              uint8_t *digest, uint16_t *digest_size,
                                              struct pcrsim_error *err);

/* PCR that systemd-stub measures the UKI sections into. */
#define PCRSIM_UKI_PCR 11u

/* Maximum number of sections that a modeled systemd-stub version measures. */
#define PCRSIM_UKI_MAX_SECTIONS 16u

/* Part of a section that a measurement covers. */
enum pcrsim_uki_part {
        PCRSIM_UKI_SECTION_NAME, /* the ASCII section name with its NUL */
        PCRSIM_UKI_SECTION_DATA, /* VirtualSize bytes of the loaded section */
};

/* One PCR 11 measurement of systemd-stub, with one digest per bank. */
struct pcrsim_uki_event {
        uint32_t pcr;             /* PCRSIM_UKI_PCR */
        char section[9];          /* the stub's name for it, e.g. ".linux" */
        enum pcrsim_uki_part part;
        uint32_t section_index;   /* index in the section table */
        uint32_t digest_count;
        struct pcrsim_digest digests[PCRSIM_MAX_ALGORITHMS];
};

/* The measurements in the order the stub makes them: for each section
 * found, its name, then its data. */
struct pcrsim_uki_measurements {
        unsigned stub_version;
        uint32_t count;
        struct pcrsim_uki_event events[2 * PCRSIM_UKI_MAX_SECTIONS];
};

/*
 * Computes the PCR 11 measurements that systemd-stub version
 * `stub_version` (for example 252) makes of the UKI `pe`, with each of
 * the `alg_count` hash algorithms in `algs`, into `*out`. Versions 252 to
 * 256 are modeled, and only 252 is checked against a recorded boot.
 *
 * Errors:
 * - UNSUPPORTED for another version, for an algorithm that pcrsim cannot
 *   hash, for more than PCRSIM_MAX_ALGORITHMS algorithms, or for an image
 *   whose section names the modeled versions would match differently;
 * - INVALID for an image that the stub rejects without measuring
 *   anything: no .linux section, or for 252 more than 96 sections;
 * - LIMIT when a section's VirtualSize exceeds its SizeOfRawData by more
 *   than PCRSIM_MAX_UKI_ZERO_FILL;
 * - NOMEM, and INTERNAL when OpenSSL fails.
 */
enum pcrsim_error_code pcrsim_uki_measure(const struct pcrsim_pe *pe, unsigned stub_version,
                                          const uint16_t *algs, uint32_t alg_count,
                                          struct pcrsim_uki_measurements *out,
                                          struct pcrsim_error *err);

#endif
