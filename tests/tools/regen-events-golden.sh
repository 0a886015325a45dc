#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Rewrites the golden `pcrsim events --format yaml` outputs of
# tests/golden/events/ from the shared vectors. Run it only on purpose,
# after checking that a changed output is right, and review the diff.
# Usage: tests/tools/regen-events-golden.sh BUILD_DIR [VECTORS_DIR]
set -eu

build=$1
vectors=${2:-$(dirname "$0")/../../../shared/vectors}
out=$(dirname "$0")/../golden/events

# Vectors whose licence allows copying output derived from them: the
# project's own recording, go-tpm-tools (Apache-2.0) and ibmtss (BSD).
for log in qemu-ovmf-shim-grub-sb-ms/eventlog.bin \
           ibmtss-dell-windows/dell1.log \
           gotpmtools-archlinux-systemd-boot/arch-linux-workstation.bin \
           gotpmtools-rhel8-gce-secureboot/rhel8-uefi.bin; do
        name=$(dirname "$log")
        # The first line names the input file, which differs between
        # machines, so it is left out.
        "$build/pcrsim" events --format yaml "$vectors/$log" | sed 1d > "$out/$name.yaml"
done
