#!/bin/busybox sh
# Guest /init for the measured-boot lab (runs as PID 1 from the initramfs).
#
# It makes a few IMA measurements, prints the firmware event log, the IMA
# lists and the PCR values to the console between marker lines, and powers
# the machine off. lab/record reads the serial console and splits the
# output into files. Marker names and line formats are an interface with
# lab/extract: change both together.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# The archive has no /dev/console node, because making one needs root.
# Debian's 6.1 kernel still gives /init a console, because its built-in
# initramfs (CONFIG_INITRAMFS_SOURCE="") has /dev/console. Reopening the
# console from devtmpfs makes the output independent of that node.
# NOTE: not tested with a kernel whose built-in initramfs lacks the node.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security

# Keep kernel messages off the console so that they cannot split the
# dumps below. They stay in the kernel ring buffer.
dmesg -n 1

fail() {
	echo "=====LAB-ERROR $*====="
	poweroff -f
}

echo "=====LAB-INIT uptime $(cut -d ' ' -f 1 /proc/uptime)====="

# IMA's tcb policy skips tmpfs, and the initramfs root is tmpfs, so
# nothing run from it is measured. A ramfs is measured: executing a copy
# of busybox there gives a BPRM_CHECK entry, and reading a file there as
# root gives a FILE_CHECK entry. The file is closed before it is read,
# so IMA logs no violation.
mkdir -p /mnt/r
mount -t ramfs ramfs /mnt/r
cp /bin/busybox /mnt/r/busybox
/mnt/r/busybox true
echo "pcrsim measured-boot lab" >/mnt/r/hello.txt
cat /mnt/r/hello.txt >/dev/null

SECFS=/sys/kernel/security
BIOS_LOG=$SECFS/tpm0/binary_bios_measurements
IMA_DIR=$SECFS/ima
[ -r "$BIOS_LOG" ] || fail "missing $BIOS_LOG"
[ -r "$IMA_DIR/binary_runtime_measurements" ] || fail "missing $IMA_DIR"
[ -d /sys/class/tpm/tpm0 ] || fail "missing /sys/class/tpm/tpm0"

# The count taken before and after the dumps shows whether IMA measured
# something in between. If it did, PCR 10 may not match ima.bin, and
# lab/extract rejects the recording.
echo "=====IMA-COUNT-BEFORE $(cat $IMA_DIR/runtime_measurements_count)====="

echo "=====BEGIN eventlog====="
base64 "$BIOS_LOG"
echo "=====END eventlog====="

echo "=====BEGIN ima-binary====="
base64 "$IMA_DIR/binary_runtime_measurements"
echo "=====END ima-binary====="

echo "=====BEGIN ima-ascii====="
cat "$IMA_DIR/ascii_runtime_measurements"
echo "=====END ima-ascii====="

echo "=====BEGIN pcrs====="
for bank_dir in /sys/class/tpm/tpm0/pcr-*; do
	[ -d "$bank_dir" ] || continue
	bank=${bank_dir##*/pcr-}
	n=0
	while [ "$n" -le 23 ]; do
		echo "PCR $bank $n $(cat "$bank_dir/$n")"
		n=$((n + 1))
	done
done
echo "=====END pcrs====="

echo "=====IMA-COUNT-AFTER $(cat $IMA_DIR/runtime_measurements_count)====="
echo "=====BEGIN cmdline====="
cat /proc/cmdline
echo "=====END cmdline====="
echo "=====LAB-DONE uptime $(cut -d ' ' -f 1 /proc/uptime)====="

poweroff -f
