#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a binary IMA measurement list of ima-ng entries for benchmarks.

Usage: make-ima-list.py ENTRIES OUTPUT
       make-ima-list.py --min-bytes BYTES OUTPUT

The second form writes entries until the list is at least BYTES long.
The list has the layout of binary_runtime_measurements on a little-endian
machine, with SHA-1 template digests. All entries extend PCR 10. The first
is a boot_aggregate with an all-zero sha256 digest field (IMA found no
TPM). The rest measure paths of 30 to 60 bytes, each with the SHA-256 of
its path as a stand-in file digest.
Each template digest is the SHA-1 of its template data, so a replay that
checks template digests finds no mismatch. The output depends only on
ENTRIES (or BYTES), and the list of N entries is the first N entries of
every longer list.
"""
import argparse
import hashlib
import struct
import sys

PCR = 10
TEMPLATE = b"ima-ng"
ENTRY_HEADER = struct.Struct("<I20sI%dsI" % len(TEMPLATE))
FIELD_LENGTH = struct.Struct("<I")
ENTRIES_PER_WRITE = 4096

LIBRARY_NAMES = [
    "ssl", "crypto", "z", "systemd-shared", "gnutls", "glib-2.0",
    "gobject-2.0", "pcre2-8", "ffi", "dbus-1", "selinux", "apparmor",
    "krb5", "nss3", "xml2", "curl-gnutls", "zstd", "lzma", "bz2", "acl",
    "attr", "cap", "audit", "pam", "uuid", "blkid", "mount", "udev",
    "tinfo", "readline", "gcrypt", "gpg-error",
]

# Path patterns, filled with a name from LIBRARY_NAMES and a number below
# PATH_NUMBERS. check_path_lengths() rejects a pattern that can give a path
# outside 30-60 bytes.
PATH_PATTERNS = [
    "/usr/lib/x86_64-linux-gnu/lib{name}-{n}.so.1",
    "/usr/local/sbin/{name}-helper-{n:05d}",
    "/usr/lib/python3/dist-packages/{name}/m{n}.py",
    "/usr/lib/{name}/libexec/worker-{n:05d}",
    "/etc/{name}/conf.d/{n:05d}-local.conf",
    "/usr/share/{name}/scripts/run-{n:05d}.sh",
    "/usr/lib/systemd/system/{name}-{n}.service",
    "/var/lib/dpkg/info/lib{name}-{n}.postinst",
]
PATH_NUMBERS = 100000
MIN_PATH, MAX_PATH = 30, 60


def check_path_lengths():
    """Raise ValueError if a pattern can give a path outside 30-60 bytes."""
    for pattern in PATH_PATTERNS:
        for name in LIBRARY_NAMES:
            for n in (0, PATH_NUMBERS - 1):
                size = len(pattern.format(name=name, n=n))
                if not MIN_PATH <= size <= MAX_PATH:
                    raise ValueError("path pattern %r with name %r gives %d bytes, "
                                     "outside %d-%d" % (pattern, name, size,
                                                        MIN_PATH, MAX_PATH))


def entry(template_data):
    """Return one binary entry: header, template digest, name, data."""
    digest = hashlib.sha1(template_data).digest()
    return ENTRY_HEADER.pack(PCR, digest, len(TEMPLATE), TEMPLATE,
                             len(template_data)) + template_data


def ima_ng_data(algo, file_digest, path):
    """Return ima-ng template data: the d-ng and n-ng fields, each with its
    u32 length."""
    digest_field = algo + b":\0" + file_digest
    name_field = path + b"\0"
    return (FIELD_LENGTH.pack(len(digest_field)) + digest_field +
            FIELD_LENGTH.pack(len(name_field)) + name_field)


def boot_aggregate():
    return entry(ima_ng_data(b"sha256", bytes(32), b"boot_aggregate"))


def measurement(index):
    """Return the file measurement at position `index` of the list."""
    # The pattern cycles with the index. Multiplying the index by an odd
    # 32-bit constant scatters neighbouring indexes over the names and
    # numbers, so consecutive paths differ.
    hashed_index = (index * 0x9E3779B1) & 0xFFFFFFFF
    pattern = PATH_PATTERNS[index % len(PATH_PATTERNS)]
    name = LIBRARY_NAMES[(hashed_index >> 8) % len(LIBRARY_NAMES)]
    path = pattern.format(name=name, n=hashed_index % PATH_NUMBERS).encode()
    file_digest = hashlib.sha256(path).digest()
    return entry(ima_ng_data(b"sha256", file_digest, path))


def write_list(out, count=None, min_bytes=None):
    """Write `count` entries, or entries until the list is `min_bytes`
    long, to the binary file `out`. Return the entry count and size."""
    size = 0
    index = 0
    batch = []
    while True:
        if count is not None and index == count:
            break
        if min_bytes is not None and size >= min_bytes:
            break
        data = boot_aggregate() if index == 0 else measurement(index)
        batch.append(data)
        size += len(data)
        index += 1
        if len(batch) == ENTRIES_PER_WRITE:
            out.write(b"".join(batch))
            batch = []
    out.write(b"".join(batch))
    return index, size


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1, not %r" % text)
    return value


def main():
    parser = argparse.ArgumentParser(
        description="Write a binary IMA measurement list of ima-ng entries for benchmarks.")
    parser.add_argument("--min-bytes", type=positive_int, metavar="BYTES",
                        help="write entries until the list is at least BYTES long, "
                             "in place of ENTRIES")
    parser.add_argument("entries", type=positive_int, nargs="?", metavar="ENTRIES",
                        help="number of entries, the boot_aggregate included")
    parser.add_argument("output", metavar="OUTPUT", help="file to write")
    args = parser.parse_args()
    if (args.entries is None) == (args.min_bytes is None):
        parser.error("give either ENTRIES or --min-bytes BYTES")

    check_path_lengths()
    with open(args.output, "wb") as out:
        count, size = write_list(out, args.entries, args.min_bytes)
    print("%s: %d entries, %d bytes" % (args.output, count, size))


if __name__ == "__main__":
    main()
