#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a large crypto-agile TCG event log for benchmarks.

Usage: make-log.py RECORDS OUTPUT

The log declares sha1 and sha256 and contains RECORDS EV_EFI_ACTION records
spread over PCRs 0-15, each with 32 bytes of event data. The digests are
fixed filler bytes: the benchmark measures parsing and extending, not
whether the digests match their data.
"""
import struct
import sys

EV_NO_ACTION = 0x3
EV_EFI_ACTION = 0x80000007
SHA1, SHA256 = 0x0004, 0x000B


def spec_id_record():
    data = b"Spec ID Event03\0" + struct.pack("<IBBBBI", 0, 0, 2, 2, 2, 2)
    data += struct.pack("<HHHH", SHA1, 20, SHA256, 32) + b"\0"
    return struct.pack("<II20sI", 0, EV_NO_ACTION, bytes(20), len(data)) + data


def record(index):
    data = (b"benchmark event %08d" % index).ljust(32, b".")
    digests = struct.pack("<H", SHA1) + bytes([index & 0xFF]) * 20
    digests += struct.pack("<H", SHA256) + bytes([(index >> 8) & 0xFF]) * 32
    return struct.pack("<III", index % 16, EV_EFI_ACTION, 2) + digests + \
        struct.pack("<I", len(data)) + data


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-log.py RECORDS OUTPUT")
    count = int(sys.argv[1])
    with open(sys.argv[2], "wb") as out:
        out.write(spec_id_record())
        for index in range(count):
            out.write(record(index))


if __name__ == "__main__":
    main()
