#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate pcrsim's synthetic TCG event log vectors and their expected outputs.

Each vector folder under vectors/ gets an event log, the PCR values that a replay
of that log must produce, and golden files for the CLI output formats. This script
packs, parses and replays the logs itself with hashlib and never runs pcrsim, so
the expected values are independent of the C code that they test.

Record layouts follow the TCG PC Client Platform Firmware Profile Specification
(TCG_PCClientPCREvent, TCG_EfiSpecIDEvent, TCG_PCR_EVENT2). Event data of UEFI
events follows the structures that specification defines (UEFI_VARIABLE_DATA,
UEFI_IMAGE_LOAD_EVENT, UEFI_PLATFORM_FIRMWARE_BLOB). All integers are little-endian.

Output is deterministic: every "random-looking" byte comes from SHA-256 over a
fixed label, so two runs write identical files.
"""

import base64
import hashlib
import json
import os
import struct

EV_POST_CODE = 0x00000001
EV_NO_ACTION = 0x00000003
EV_SEPARATOR = 0x00000004
EV_EVENT_TAG = 0x00000006
EV_S_CRTM_VERSION = 0x00000008
EV_IPL = 0x0000000D
EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001
EV_EFI_VARIABLE_BOOT = 0x80000002
EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003
EV_EFI_ACTION = 0x80000007
EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008
EV_EFI_HCRTM_EVENT = 0x80000010

# PCR index of records that Windows writes to the log but never extends.
NO_PCR = 0xFFFFFFFF
PCR_COUNT = 24

SHA1 = 0x0004
SHA256 = 0x000B
SHA384 = 0x000C
SHA512 = 0x000D
SM3_256 = 0x0012
# An algorithm id that pcrsim has no hash for, so a reader must skip its digests
# using the size from the Spec ID header.
UNKNOWN_ALG = 0x7777
UNKNOWN_ALG_SIZE = 24

# TPM_ALG_ID -> (bank name in the output files, digest size, hashlib name).
ALGORITHMS = {
    SHA1: ("sha1", 20, "sha1"),
    SHA256: ("sha256", 32, "sha256"),
    SHA384: ("sha384", 48, "sha384"),
    SHA512: ("sha512", 64, "sha512"),
    SM3_256: ("sm3_256", 32, "sm3"),
}

SPEC_ID_SIGNATURE = b"Spec ID Event03\0"
STARTUP_LOCALITY_SIGNATURE = b"StartupLocality\0"
SEPARATOR_DATA = b"\0\0\0\0"

# GUIDs from the UEFI specification.
EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f"
EFI_CERT_SHA256 = "c1c41626-504c-4092-aca9-41f936934328"
# A made-up SignatureOwner for the synthetic db and dbx entries.
SYNTHETIC_OWNER = "70637273-696d-4000-8000-000000000001"


# ---------------------------------------------------------------------------
# Byte helpers


def synthetic_bytes(label, length):
    """Return `length` deterministic bytes derived from `label` (SHA-256 in counter mode)."""
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hashlib.sha256(label + struct.pack("<I", counter)).digest())
    return b"".join(blocks)[:length]


def utf16(text, terminate):
    encoded = text.encode("utf-16-le")
    return encoded + b"\0\0" if terminate else encoded


def pack_guid(text):
    """Pack a GUID string in the UEFI byte order: the first three fields little-endian."""
    fields = text.split("-")
    head = struct.pack("<IHH", int(fields[0], 16), int(fields[1], 16), int(fields[2], 16))
    return head + bytes.fromhex(fields[3] + fields[4])


def hash_available(hashlib_name):
    try:
        hashlib.new(hashlib_name)
    except ValueError:
        return False
    return True


def compute_digest(alg_id, size, content):
    if alg_id in ALGORITHMS:
        return hashlib.new(ALGORITHMS[alg_id][2], content).digest()
    # No hash function exists for an unknown algorithm, so its digest is filler
    # of the size that the Spec ID header declares.
    return synthetic_bytes(b"digest for algorithm %04x:" % alg_id + content, size)


def bank_name(alg_id):
    return ALGORITHMS[alg_id][0]


# ---------------------------------------------------------------------------
# Event data structures


def uefi_variable_data(guid, name, value):
    """Pack UEFI_VARIABLE_DATA. UnicodeNameLength counts CHAR16 characters, without a NUL."""
    header = pack_guid(guid) + struct.pack("<QQ", len(name), len(value))
    return header + utf16(name, terminate=False) + value


def sha256_signature_list(label):
    """Pack an EFI_SIGNATURE_LIST that contains one EFI_CERT_SHA256 entry."""
    entry = pack_guid(SYNTHETIC_OWNER) + hashlib.sha256(label).digest()
    header_size = 0
    list_size = 28 + header_size + len(entry)
    header = pack_guid(EFI_CERT_SHA256) + struct.pack("<III", list_size, header_size, len(entry))
    return header + entry


def file_path_device_path(path):
    """Pack a media file path node followed by the end-of-device-path node."""
    path_bytes = utf16(path, terminate=True)
    node = struct.pack("<BBH", 0x04, 0x04, 4 + len(path_bytes)) + path_bytes
    return node + struct.pack("<BBH", 0x7F, 0xFF, 4)


def image_load_event(location, length, path):
    """Pack UEFI_IMAGE_LOAD_EVENT with a zero ImageLinkTimeAddress."""
    device_path = file_path_device_path(path)
    return struct.pack("<QQQQ", location, length, 0, len(device_path)) + device_path


def load_option(description, path):
    """Pack an EFI_LOAD_OPTION with the LOAD_OPTION_ACTIVE attribute and no optional data."""
    device_path = file_path_device_path(path)
    header = struct.pack("<IH", 0x00000001, len(device_path))
    return header + utf16(description, terminate=True) + device_path


def tagged_event(tag_id, payload):
    """Pack TCG_PCClientTaggedEvent (taggedEventID, taggedEventDataSize, data)."""
    return struct.pack("<II", tag_id, len(payload)) + payload


def firmware_blob(base, length):
    """Pack UEFI_PLATFORM_FIRMWARE_BLOB (BlobBase, BlobLength)."""
    return struct.pack("<QQ", base, length)


def startup_locality_data(locality, padding=0):
    return STARTUP_LOCALITY_SIGNATURE + bytes([locality]) + bytes(padding)


# ---------------------------------------------------------------------------
# Log model and writer


class Event:
    """A log record: PCR index, event type, event data and (algorithm id, digest) pairs.

    The digest pairs are in the order the record lists them.
    """

    def __init__(self, pcr, event_type, data, digests):
        self.pcr = pcr
        self.event_type = event_type
        self.data = data
        self.digests = digests

    def key(self):
        return (self.pcr, self.event_type, self.data, tuple(self.digests))


class Log:
    """An event log to generate: its format, Spec ID algorithms, records and trailing padding."""

    def __init__(self, name, description, agile, algorithms):
        self.name = name
        self.description = description
        self.agile = agile
        self.algorithms = algorithms  # (algorithm id, digest size) in header order
        self.vendor_info = b""
        self.events = []
        self.padding = 0
        self.quirks = []

    def measure(self, pcr, event_type, data, content=None, skip=(), reverse=False):
        """Append an event whose digests hash `content` (the event data by default).

        `skip` lists algorithm ids that get no digest. `reverse` writes the digests in
        the reverse of the header order.
        """
        content = data if content is None else content
        digests = [(alg, compute_digest(alg, size, content))
                   for alg, size in self.algorithms if alg not in skip]
        if reverse:
            digests.reverse()
        self.events.append(Event(pcr, event_type, data, digests))

    def no_action(self, pcr, data):
        """Append an EV_NO_ACTION event, whose digests are all zero bytes."""
        digests = [(alg, bytes(size)) for alg, size in self.algorithms]
        self.events.append(Event(pcr, EV_NO_ACTION, data, digests))

    def separators(self, pcrs, reverse_pcr=None):
        for pcr in pcrs:
            self.measure(pcr, EV_SEPARATOR, SEPARATOR_DATA, reverse=(pcr == reverse_pcr))


def pack_legacy_record(event):
    """Pack TCG_PCClientPCREvent, which carries exactly one SHA-1 digest."""
    ((alg, digest),) = event.digests
    assert alg == SHA1
    assert len(digest) == 20
    head = struct.pack("<II", event.pcr, event.event_type) + digest
    return head + struct.pack("<I", len(event.data)) + event.data


def spec_id_event(log):
    """Build TCG_EfiSpecIDEvent for a PC Client log of TPM 2.0 with a 64-bit UINTN."""
    data = SPEC_ID_SIGNATURE
    data += struct.pack("<IBBBB", 0, 0, 2, 2, 2)  # platformClass, minor, major, errata, uintnSize
    data += struct.pack("<I", len(log.algorithms))
    for alg, size in log.algorithms:
        data += struct.pack("<HH", alg, size)
    data += struct.pack("<B", len(log.vendor_info)) + log.vendor_info
    return Event(0, EV_NO_ACTION, data, [(SHA1, bytes(20))])


def pack_event2(event):
    """Pack TCG_PCR_EVENT2: the digests go out in the event's own order."""
    out = struct.pack("<III", event.pcr, event.event_type, len(event.digests))
    for alg, digest in event.digests:
        out += struct.pack("<H", alg) + digest
    return out + struct.pack("<I", len(event.data)) + event.data


def pack_log(log):
    """Pack the whole log file, including the Spec ID record and the padding."""
    if log.agile:
        records = [pack_legacy_record(spec_id_event(log))]
        records += [pack_event2(event) for event in log.events]
    else:
        records = [pack_legacy_record(event) for event in log.events]
    return b"".join(records) + bytes(log.padding)


# ---------------------------------------------------------------------------
# Log reader: parses the written bytes back, so the replay runs on the file itself


class ByteReader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, count):
        if count > self.remaining():
            raise ValueError(f"record truncated at offset {self.pos}: need {count} bytes")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]


def read_legacy_record(reader):
    pcr, event_type = reader.u32(), reader.u32()
    digest = reader.take(20)
    data = reader.take(reader.u32())
    return Event(pcr, event_type, data, [(SHA1, digest)])


def parse_spec_id(data):
    """Return the (algorithm id, digest size) list and vendor info of TCG_EfiSpecIDEvent."""
    reader = ByteReader(data)
    if reader.take(16) != SPEC_ID_SIGNATURE:
        raise ValueError("first record is not a Spec ID Event03 record")
    reader.take(8)  # platformClass, version, uintnSize
    algorithms = [(reader.u16(), reader.u16()) for _ in range(reader.u32())]
    vendor_info = reader.take(reader.u8())
    if reader.remaining():
        raise ValueError(f"Spec ID event has {reader.remaining()} trailing bytes")
    return algorithms, vendor_info


def read_event2(reader, sizes):
    pcr, event_type = reader.u32(), reader.u32()
    digests = []
    for _ in range(reader.u32()):
        alg = reader.u16()
        digests.append((alg, reader.take(sizes[alg])))
    data = reader.take(reader.u32())
    return Event(pcr, event_type, data, digests)


def parse_log(blob, agile, records_end):
    """Parse the records in blob[:records_end] and return (algorithms, events)."""
    reader = ByteReader(blob[:records_end])
    if not agile:
        events = []
        while reader.remaining():
            events.append(read_legacy_record(reader))
        return [(SHA1, 20)], events
    algorithms, _ = parse_spec_id(read_legacy_record(reader).data)
    sizes = dict(algorithms)
    events = []
    while reader.remaining():
        events.append(read_event2(reader, sizes))
    return algorithms, events


def check_round_trip(log, blob):
    """Raise unless the written file parses back to the records the log describes."""
    records_end = len(blob) - log.padding
    if any(blob[records_end:]):
        raise ValueError(f"{log.name}: padding is not all zero bytes")
    algorithms, events = parse_log(blob, log.agile, records_end)
    if algorithms != log.algorithms:
        raise ValueError(f"{log.name}: Spec ID algorithms do not match")
    if [e.key() for e in events] != [e.key() for e in log.events]:
        raise ValueError(f"{log.name}: parsed records differ from the generated ones")
    return events


# ---------------------------------------------------------------------------
# Replay


def initial_bank(size):
    """Return the PC Client reset values: zero for PCRs 0-16 and 23, all 0xFF for 17-22."""
    return [bytes([0xFF] * size) if 17 <= pcr <= 22 else bytes(size) for pcr in range(PCR_COUNT)]


def startup_locality(event):
    """Return the locality of a StartupLocality event, or None for any other event.

    The data is the 16-byte signature and one locality byte. Some firmware pads it
    with zero bytes, which are accepted.
    """
    data = event.data
    if event.pcr != 0 or not data.startswith(STARTUP_LOCALITY_SIGNATURE) or len(data) < 17:
        return None
    if any(data[17:]):
        raise ValueError("StartupLocality padding is not zero")
    return data[16]


def locality_value(size, locality):
    return bytes(size - 1) + bytes([locality])


def replay(events, algorithms):
    """Extend every event into the known banks and return (values, incomplete).

    values maps algorithm id to 24 PCR values. incomplete maps algorithm id to the
    set of PCR indices in which an event had no digest for that bank.
    """
    banks = {alg: initial_bank(size) for alg, size in algorithms if alg in ALGORITHMS}
    incomplete = {alg: set() for alg in banks}
    pcr0_extended = False
    for event in events:
        if event.pcr == NO_PCR:
            continue
        if event.event_type == EV_NO_ACTION:
            locality = startup_locality(event)
            if locality is not None:
                assert not pcr0_extended, "StartupLocality after PCR 0 was extended"
                for alg, values in banks.items():
                    values[0] = locality_value(len(values[0]), locality)
            continue
        assert event.pcr < PCR_COUNT
        if event.event_type == EV_EFI_HCRTM_EVENT and event.pcr == 0 and not pcr0_extended:
            # An H-CRTM sequence starts PCR 0 at locality 4 before it extends the
            # H-CRTM measurement.
            for alg, values in banks.items():
                values[0] = locality_value(len(values[0]), 4)
        extend_event(banks, incomplete, event)
        pcr0_extended = pcr0_extended or event.pcr == 0
    return banks, incomplete


def extend_event(banks, incomplete, event):
    digests = dict(event.digests)
    for alg, values in banks.items():
        if alg not in digests:
            incomplete[alg].add(event.pcr)
            continue
        old = values[event.pcr]
        values[event.pcr] = hashlib.new(ALGORITHMS[alg][2], old + digests[alg]).digest()


# ---------------------------------------------------------------------------
# Output writers


def write_file(path, content):
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, newline="" if mode == "w" else None) as handle:
        handle.write(content)


def hex_values_json(banks):
    """Format {bank: {"0".."23": hex}} with PCRs in ascending integer order."""
    document = {
        bank_name(alg): {str(pcr): value.hex() for pcr, value in enumerate(values)}
        for alg, values in sorted(banks.items())
    }
    return json.dumps(document, indent=2) + "\n"


def b64(value):
    return base64.b64encode(value).decode("ascii")


def base64_map(values):
    return {str(pcr): b64(value) for pcr, value in enumerate(values)}


def reader_json(values):
    """Format one bank in the pcr-reader JSON shape (keys in string order)."""
    return json.dumps(base64_map(values), indent=2, sort_keys=True) + "\n"


def reader_json_all(banks):
    document = {bank_name(alg): base64_map(values) for alg, values in banks.items()}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def reader_yaml(values, indent=""):
    return "".join(f'{indent}{pcr}: "{b64(value)}"\n' for pcr, value in enumerate(values))


def reader_yaml_all(banks):
    parts = [f"{bank_name(alg)}:\n" + reader_yaml(banks[alg], "  ") for alg in sorted(banks)]
    return "".join(parts)


def go_source(values, pcrs):
    """Format a Go map literal exactly as gofmt prints it.

    gofmt aligns the values of consecutive one-line key-value pairs into one column:
    every "key:" is padded with spaces to the widest "key:" and then one space follows.
    """
    width = max(len(f"{pcr}:") for pcr in pcrs)
    lines = ["package pcrs", "", "var pcrs = map[uint32][]byte{"]
    for pcr in pcrs:
        byte_list = ", ".join(f"0x{byte:02X}" for byte in values[pcr])
        lines.append(f"\t{f'{pcr}:'.ljust(width)} {{{byte_list}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def yaml_string(text):
    # A JSON string literal is also a valid YAML double-quoted scalar.
    return json.dumps(text)


def manifest_yaml(log, blob, banks):
    """Format MANIFEST.yaml. Hex values are quoted because YAML reads 000...0 as an integer."""
    log_format = "tcg-crypto-agile" if log.agile else "tcg-sha1"
    lines = [
        f"name: {log.name}",
        f"description: {yaml_string(log.description)}",
        "source: {repo: none (generated by tools/mkvectors.py), licence: Apache-2.0}",
        "files:",
        f'- {{file: eventlog.bin, bytes: {len(blob)}, '
        f'sha256: "{hashlib.sha256(blob).hexdigest()}", format: {log_format}}}',
        "expected:",
        "  banks:",
    ]
    for alg in sorted(banks):
        lines.append(f"    {bank_name(alg)}:")
        lines += [f'      {pcr}: "{value.hex()}"' for pcr, value in enumerate(banks[alg])]
    lines.append("  provenance: computed-by-source-tool")
    lines.append("quirks:")
    lines += [f"- {yaml_string(quirk)}" for quirk in log.quirks]
    return "\n".join(lines) + "\n"


def default_bank(complete):
    """Return (algorithm id, golden file prefix) of the bank the CLI prints by default.

    The CLI picks sha256, then sha1, then the first complete bank in header order.
    Only the last case names the bank in the file names.
    """
    for alg in (SHA256, SHA1):
        if alg in complete:
            return alg, "replay"
    alg = next(iter(complete))
    return alg, f"replay-{bank_name(alg)}"


def extend_counts(events, alg):
    """Return, per PCR, how many events extend a digest of bank `alg` into it."""
    counts = [0] * PCR_COUNT
    for event in events:
        if event.event_type == EV_NO_ACTION or event.pcr == NO_PCR:
            continue
        if alg in dict(event.digests):
            counts[event.pcr] += 1
    return counts


def text_table(alg, values, counts):
    """Return the table that `pcrsim replay --format text` prints for one bank."""
    lines = ["%-4s %-8s %6s  %s\n" % ("PCR", "BANK", "EVENTS", "VALUE")]
    for pcr in range(PCR_COUNT):
        lines.append("%-4u %-8s %6u  %s\n" % (pcr, bank_name(alg), counts[pcr],
                                              values[pcr].hex()))
    return "".join(lines)


def write_goldens(folder, complete, events, incomplete_banks):
    alg, prefix = default_bank(complete)
    values = complete[alg]
    write_file(os.path.join(folder, f"{prefix}.txt"),
               text_table(alg, values, extend_counts(events, alg)))
    write_file(os.path.join(folder, f"{prefix}.json"), reader_json(values))
    write_file(os.path.join(folder, f"{prefix}.yaml"), reader_yaml(values))
    write_file(os.path.join(folder, f"{prefix}.go"), go_source(values, range(PCR_COUNT)))
    subset = [0, 1, 2, 3, 4, 5, 6, 7, 9]
    write_file(os.path.join(folder, f"{prefix}-pcrs-0-7-9.go"), go_source(values, subset))
    if not incomplete_banks:
        # `--bank all` refuses a log with an incomplete bank, so such a
        # vector has no replay-all goldens.
        write_file(os.path.join(folder, "replay-all.json"), reader_json_all(complete))
        write_file(os.path.join(folder, "replay-all.yaml"), reader_yaml_all(complete))


def describe_partial_banks(log, banks, incomplete):
    """Write expected-partial-<bank>.json for each incomplete bank and add its quirks."""
    folder_files = {}
    for alg in sorted(incomplete):
        pcrs = sorted(incomplete[alg])
        if not pcrs:
            continue
        name = bank_name(alg)
        file_name = f"expected-partial-{name}.json"
        folder_files[file_name] = hex_values_json({alg: banks[alg]})
        log.quirks.append(
            f"{name} bank is incomplete: events in PCRs {', '.join(map(str, pcrs))} carry no "
            f"{name} digest, so expected.json omits {name}.")
        log.quirks.append(
            f"{file_name} is PARTIAL: the {name} values you get by extending only the {name} "
            f"digests present. They are not real PCR values for PCRs {', '.join(map(str, pcrs))}.")
    return folder_files


def write_vector(root, log):
    blob = pack_log(log)
    events = check_round_trip(log, blob)
    banks, incomplete = replay(events, log.algorithms)
    complete = {alg: values for alg, values in banks.items() if not incomplete[alg]}
    partial_files = describe_partial_banks(log, banks, incomplete)

    folder = os.path.join(root, log.name)
    os.makedirs(folder, exist_ok=True)
    write_file(os.path.join(folder, "eventlog.bin"), blob)
    write_file(os.path.join(folder, "expected.json"), hex_values_json(complete))
    for file_name, content in partial_files.items():
        write_file(os.path.join(folder, file_name), content)
    write_goldens(folder, complete, events,
                  [alg for alg in banks if incomplete[alg]])
    write_file(os.path.join(folder, "MANIFEST.yaml"), manifest_yaml(log, blob, complete))
    print(f"{log.name}: {len(log.events)} events, {len(blob)} bytes, "
          f"complete banks: {', '.join(bank_name(alg) for alg in sorted(complete))}")


# ---------------------------------------------------------------------------
# Vector definitions


def add_platform_firmware(log, crtm_version, blob_count):
    """Append the S-CRTM version and platform firmware blob events of PCR 0."""
    log.measure(0, EV_S_CRTM_VERSION, utf16(crtm_version, terminate=True))
    for index in range(blob_count):
        base = 0xFFC00000 + index * 0x00100000
        length = 0x00080000
        volume = synthetic_bytes(b"firmware volume %d" % index, 4096)
        log.measure(0, EV_EFI_PLATFORM_FIRMWARE_BLOB, firmware_blob(base, length), volume)


def add_secure_boot_variables(log):
    """Append the PCR 7 variables SecureBoot, PK, KEK, db and dbx."""
    variables = [
        (EFI_GLOBAL_VARIABLE, "SecureBoot", b"\x00"),
        (EFI_GLOBAL_VARIABLE, "PK", b""),
        (EFI_GLOBAL_VARIABLE, "KEK", b""),
        (EFI_IMAGE_SECURITY_DATABASE, "db", sha256_signature_list(b"allowed image")),
        (EFI_IMAGE_SECURITY_DATABASE, "dbx", sha256_signature_list(b"revoked image")),
    ]
    for guid, name, value in variables:
        log.measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG, uefi_variable_data(guid, name, value))


def add_boot_variables(log):
    boot_order = uefi_variable_data(EFI_GLOBAL_VARIABLE, "BootOrder", struct.pack("<HH", 1, 0))
    boot0001 = uefi_variable_data(EFI_GLOBAL_VARIABLE, "Boot0001",
                                  load_option("synthetic disk", "\\EFI\\BOOT\\BOOTX64.EFI"))
    log.measure(1, EV_EFI_VARIABLE_BOOT, boot_order)
    log.measure(1, EV_EFI_VARIABLE_BOOT, boot0001)


def add_boot_application(log, path, label, skip=()):
    """Append an image load in PCR 4.

    The digest hashes synthetic image bytes in place of a PE Authenticode hash.
    """
    image = synthetic_bytes(label, 8192)
    data = image_load_event(0x7E000000, len(image), path)
    log.measure(4, EV_EFI_BOOT_SERVICES_APPLICATION, data, image, skip=skip)


def add_calling_boot_option(log):
    action = b"Calling EFI Application from Boot Option"
    log.measure(4, EV_EFI_ACTION, action)


def add_exit_boot_services(log):
    log.measure(5, EV_EFI_ACTION, b"Exit Boot Services Invocation")
    log.measure(5, EV_EFI_ACTION, b"Exit Boot Services Returned with Success")


def build_agile_sha1_sha256():
    log = Log("synth-agile-sha1-sha256",
              "Synthetic UEFI boot log, crypto-agile with SHA-1 and SHA-256 banks",
              agile=True, algorithms=[(SHA1, 20), (SHA256, 32)])
    log.no_action(0, startup_locality_data(0))
    add_platform_firmware(log, "1.00 synthetic", blob_count=2)
    add_secure_boot_variables(log)
    add_boot_variables(log)
    add_calling_boot_option(log)
    log.separators(range(8), reverse_pcr=3)
    log.no_action(0, b"pcrsim-NoAction\0" + synthetic_bytes(b"no action payload", 16))
    add_boot_application(log, "\\EFI\\BOOT\\BOOTX64.EFI", b"boot loader image")
    command = b"linux /boot/vmlinuz root=/dev/vda2 ro quiet"
    log.measure(8, EV_IPL, command + b"\0", command)
    log.measure(9, EV_IPL, b"/boot/vmlinuz\0", synthetic_bytes(b"kernel image", 16384))
    initrd_tag = tagged_event(0x70637273, b"synthetic initrd\0")
    log.measure(9, EV_EVENT_TAG, initrd_tag, synthetic_bytes(b"initrd image", 16384))
    add_exit_boot_services(log)
    log.quirks = [
        "StartupLocality 0 (17-byte form) follows the Spec ID record, so PCR 0 starts at zero.",
        "The EV_SEPARATOR of PCR 3 lists sha256 before sha1, the reverse of the header order.",
        "An EV_NO_ACTION record in PCR 0 after the separators has zero digests, not extended.",
        "EV_IPL in PCR 8 has NUL-terminated text, but its digest covers the text without the NUL.",
        "EV_IPL and EV_EVENT_TAG in PCR 9 hash synthetic image bytes, not their event data.",
    ]
    return log


def build_sha1_legacy():
    log = Log("synth-sha1-legacy",
              "Synthetic UEFI boot log in the legacy SHA-1 (TCG_PCClientPCREvent) format",
              agile=False, algorithms=[(SHA1, 20)])
    log.no_action(0, startup_locality_data(3, padding=3))
    log.measure(0, EV_S_CRTM_VERSION, utf16("2.10 legacy synthetic", terminate=True))
    log.measure(0, EV_POST_CODE, b"POST CODE", synthetic_bytes(b"post code", 2048))
    log.measure(0, EV_EFI_PLATFORM_FIRMWARE_BLOB, firmware_blob(0xFF800000, 0x00800000),
                synthetic_bytes(b"legacy firmware volume", 4096))
    log.measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG,
                uefi_variable_data(EFI_GLOBAL_VARIABLE, "SecureBoot", b"\x01"))
    add_calling_boot_option(log)
    log.separators(range(8))
    add_boot_application(log, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi", b"windows boot manager")
    add_exit_boot_services(log)
    log.no_action(NO_PCR, b"pcrsim synthetic trailing record\0")
    log.quirks = [
        "No Spec ID event, although the first record is EV_NO_ACTION (with StartupLocality data).",
        "StartupLocality 3 in the padded 20-byte form sets the start value of PCR 0 to 00..03.",
        "The last record has PCR index 0xFFFFFFFF (as in Windows logs) and is not extended.",
    ]
    return log


def build_hcrtm_sha256():
    log = Log("synth-hcrtm-sha256",
              "Synthetic crypto-agile SHA-256 log that starts with an H-CRTM event",
              agile=True, algorithms=[(SHA256, 32)])
    log.measure(0, EV_EFI_HCRTM_EVENT, b"HCRTM", synthetic_bytes(b"h-crtm code", 4096))
    add_platform_firmware(log, "3.0 hcrtm synthetic", blob_count=1)
    add_calling_boot_option(log)
    log.separators(range(8))
    add_boot_application(log, "\\EFI\\BOOT\\BOOTX64.EFI", b"hcrtm boot loader")
    log.quirks = [
        ("The first event is EV_EFI_HCRTM_EVENT in PCR 0, so PCR 0 starts at 00..04 "
         "before its digest is extended."),
        "The H-CRTM event data is ASCII HCRTM without a NUL, and its digest hashes synthetic code.",
    ]
    return log


def add_windows_sha256_only_events(log):
    """Append OS events that carry only a SHA-256 digest, as in Windows logs after boot."""
    without_sha1 = (SHA1,)
    for pcr, tag_id, label in ((12, 0x0001, b"boot counter"), (13, 0x0002, b"boot module"),
                               (14, 0x0003, b"boot authority"), (11, 0x0004, b"bitlocker unlock"),
                               (12, 0x0005, b"boot debugging")):
        log.measure(pcr, EV_EVENT_TAG, tagged_event(tag_id, label), skip=without_sha1)
    log.measure(NO_PCR, EV_EVENT_TAG, tagged_event(0x0006, b"not extended"), skip=without_sha1)


def build_missing_digests():
    log = Log("synth-missing-digests",
              "Synthetic crypto-agile SHA-1+SHA-256 log whose OS events carry only SHA-256 digests",
              agile=True, algorithms=[(SHA1, 20), (SHA256, 32)])
    add_platform_firmware(log, "4.2 windows synthetic", blob_count=1)
    add_secure_boot_variables(log)
    add_calling_boot_option(log)
    log.separators(range(8))
    add_boot_application(log, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi", b"windows boot manager")
    add_windows_sha256_only_events(log)
    log.quirks = [
        ("After the boot manager load, events carry only a sha256 digest although the header "
         "also lists sha1."),
        "A sha256-only EV_EVENT_TAG record with PCR index 0xFFFFFFFF is not extended.",
    ]
    return log


def build_trailing_zeros():
    log = Log("synth-trailing-zeros",
              "Synthetic crypto-agile SHA-256 log followed by 4096 zero bytes of padding",
              agile=True, algorithms=[(SHA256, 32)])
    add_platform_firmware(log, "5.0 padded synthetic", blob_count=1)
    add_calling_boot_option(log)
    log.separators(range(8))
    add_boot_application(log, "\\EFI\\BOOT\\BOOTX64.EFI", b"padded boot loader")
    log.padding = 4096
    log.quirks = [
        ("4096 zero bytes of padding follow the last record. They are not records and are "
         "not extended."),
        ("Read as TCG_PCR_EVENT2, the padding would parse as 16-byte records with PCR 0, "
         "type 0 and no digests."),
    ]
    return log


def build_unknown_alg():
    log = Log("synth-unknown-alg",
              "Synthetic crypto-agile log with SHA-256 and an unknown 24-byte algorithm 0x7777",
              agile=True, algorithms=[(UNKNOWN_ALG, UNKNOWN_ALG_SIZE), (SHA256, 32)])
    log.vendor_info = b"pcrsim\0\0"
    add_platform_firmware(log, "6.0 unknown algorithm synthetic", blob_count=1)
    add_calling_boot_option(log)
    log.separators(range(8), reverse_pcr=2)
    add_boot_application(log, "\\EFI\\BOOT\\BOOTX64.EFI", b"unknown algorithm boot loader")
    add_exit_boot_services(log)
    log.quirks = [
        ("The Spec ID header lists algorithm 0x7777 (24-byte digests) before sha256, so a "
         "reader must skip 24 bytes per event using the header size."),
        ("The 0x7777 digests are deterministic filler bytes, not a real hash, so no expected "
         "values exist for that bank."),
        "The EV_SEPARATOR of PCR 2 lists sha256 before 0x7777.",
        "The Spec ID event has 8 bytes of vendor info (vendorInfoSize 8).",
    ]
    return log


def build_sha384_sm3(include_sm3):
    algorithms = [(SHA384, 48), (SHA512, 64)]
    if include_sm3:
        algorithms.append((SM3_256, 32))
    log = Log("synth-sha384-sm3",
              "Synthetic crypto-agile log with SHA-384, SHA-512 and SM3-256 banks and no SHA-256",
              agile=True, algorithms=algorithms)
    add_platform_firmware(log, "7.0 sm3 synthetic", blob_count=1)
    log.measure(7, EV_EFI_VARIABLE_DRIVER_CONFIG,
                uefi_variable_data(EFI_GLOBAL_VARIABLE, "SecureBoot", b"\x00"))
    add_calling_boot_option(log)
    log.separators(range(8))
    add_boot_application(log, "\\EFI\\BOOT\\BOOTX64.EFI", b"sm3 boot loader")
    log.measure(8, EV_IPL, b"synthetic boot entry\0", b"synthetic boot entry")
    log.quirks = [
        ("No sha1 or sha256 bank, so the CLI default is the first header bank (sha384), and "
         "its golden files are named replay-sha384.*."),
    ]
    if not include_sm3:
        log.quirks.append("Generated without sm3_256 because this Python's hashlib lacks sm3.")
    return log


def main():
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "vectors")
    include_sm3 = hash_available("sm3")
    if not include_sm3:
        print("hashlib has no sm3 on this machine: synth-sha384-sm3 is generated without sm3_256")
    logs = [
        build_agile_sha1_sha256(),
        build_sha1_legacy(),
        build_hcrtm_sha256(),
        build_missing_digests(),
        build_trailing_zeros(),
        build_unknown_alg(),
        build_sha384_sm3(include_sm3),
    ]
    for log in logs:
        write_vector(root, log)


if __name__ == "__main__":
    main()
