# shellcheck shell=bash disable=SC2154 # The variables come from lab/record.
# MANIFEST.yaml writer for lab/record, which sources this file and then
# calls write_manifest. It reads record's variables (options, paths,
# timings), the files in $staging and pcrsim's JSON listing of the event
# log in $events_json. docs/lab.md describes every field.
#
# Digests, versions and free text are written in single quotes, so YAML
# never reads a hex digest such as 000...0 or a version as a number.

# Print $1 as a single-quoted YAML scalar.
yaml_quote() {
	local s=${1//\'/\'\'}
	printf "'%s'" "$s"
}

sha256_of() {
	sha256sum "$1" | cut -d ' ' -f 1
}

package_version() {
	dpkg-query -W -f '${Version}' "$1" 2>/dev/null || printf 'not installed'
}

# Print "- file: ..." entries for the vector files that exist.
manifest_files() {
	local file format
	for file in eventlog.bin ima.bin ima.txt pcrs-sha1.json pcrs-sha256.json console.log; do
		[ -f "$staging/$file" ] || continue
		case $file in
		eventlog.bin) format=tcg-crypto-agile ;;
		ima.bin) format=ima-binary ;;
		ima.txt) format=ima-ascii ;;
		pcrs-*.json) format=pcr-values-hex-json ;;
		console.log) format=console-log ;;
		esac
		echo "- file: $file"
		echo "  bytes: $(stat -c %s "$staging/$file")"
		echo "  sha256: $(yaml_quote "$(sha256_of "$staging/$file")")"
		echo "  format: $format"
	done
}

manifest_expected() {
	local bank
	echo "  banks:"
	for bank in ${banks//,/ }; do
		echo "    $bank:"
		jq -r --arg q "'" 'to_entries[] | "      \(.key): \($q)\(.value)\($q)"' "$staging/pcrs-$bank.json"
	done
	echo "  provenance: recorded-from-machine"
	echo "  where_from: $(yaml_quote "read by the guest from /sys/class/tpm/tpm0/pcr-<bank>/0..23 (swtpm, TPM 2.0) after it dumped eventlog.bin and ima.bin; the IMA measurement count was $ima_count before and after")"
}

# Print the PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION sha256 digests of the
# recorded log, one per line, in log order.
logged_application_digests() {
	jq -r '.events[] | select(.PCRIndex == 4 and .EventType == "EV_EFI_BOOT_SERVICES_APPLICATION")
		| .Digests[] | select(.AlgorithmId == "sha256") | .Digest' "$events_json"
}

# Print the Authenticode sha256 digest of a PE file, or nothing when
# pesign is not installed.
authenticode_sha256() {
	command -v pesign >/dev/null || return 0
	timeout 60 pesign -h -d sha256 -i "$1" 2>/dev/null | sed -n 's/^hash: //p'
}

# Print one line per event, grouped by PCR: the event type and pcrsim's
# summary of the event data, cut to 120 characters.
manifest_events_by_pcr() {
	jq -r --arg q "'" '
		[.events[] | select(.EventType != "EV_NO_ACTION")]
		| group_by(.PCRIndex)[]
		| "    \(.[0].PCRIndex):",
		  (.[] | ([.EventType, (.Event.summary // "")] | map(select(. != "")) | join(" "))[0:120]
			| "    - " + $q + gsub($q; $q + $q) + $q)
	' "$events_json"
}

manifest_uki() {
	local digest computed booted section file vma name_sha found
	echo "  uki:"
	echo "    stub: $(yaml_quote "$(basename "$stub") from systemd-boot-efi $(package_version systemd-boot-efi)")"
	echo "    stub_sha256: $(yaml_quote "$(sha256_of "$stub")")"
	echo "    built_with: $(yaml_quote "objcopy (binutils $(package_version binutils)), then PE TimeDateStamp and CheckSum set to 0 (lab/mkuki)")"
	echo "    sha256: $(yaml_quote "$(sha256_of "$work/uki.efi")")"

	computed=$(authenticode_sha256 "$work/uki.efi")
	[ -z "$computed" ] || echo "    authenticode_sha256: $(yaml_quote "$computed")"
	booted=$computed
	if $secure_boot; then
		echo "    signed_with: $(yaml_quote "sbsign (sbsigntool $(package_version sbsigntool)), key and certificate PkKek-1-snakeoil of the ovmf package")"
		echo "    signed_sha256: $(yaml_quote "$(sha256_of "$work/uki-signed.efi")")"
		computed=$(authenticode_sha256 "$work/uki-signed.efi")
		[ -z "$computed" ] || echo "    signed_authenticode_sha256: $(yaml_quote "$computed")"
		booted=$computed
	fi

	echo "    authenticode_sha256_logged:"
	found=false
	while read -r digest; do
		[ -n "$digest" ] || continue
		echo "    - $(yaml_quote "$digest")"
		if [ "$digest" = "$booted" ]; then
			found=true
		fi
	done < <(logged_application_digests)
	# pesign computes the Authenticode digest independently of OVMF, so
	# this shows that the logged digest is the one of the booted file.
	if [ -n "$booted" ]; then
		echo "    booted_image_authenticode_in_log: $found"
	fi

	echo "    sections:"
	for section in .osrel .cmdline .linux .initrd; do
		case $section in
		.osrel) file=$work/os-release ;;
		.cmdline) file=$work/cmdline.txt ;;
		.linux) file=$work/vmlinuz ;;
		.initrd) file=$work/initrd.cpio.gz ;;
		esac
		vma=$(objdump -h "$work/uki.efi" | awk -v n="$section" '$2 == n { print $4; exit }' | sed 's/^0*//')
		name_sha=$(printf '%s\0' "$section" | sha256sum | cut -d ' ' -f 1)
		echo "      $section:"
		echo "        vma: $(yaml_quote "0x${vma:-0}")"
		echo "        size: $(stat -c %s "$file")"
		echo "        sha256_data: $(yaml_quote "$(sha256_of "$file")")"
		echo "        sha256_name_nul: $(yaml_quote "$name_sha")"
	done
}

# Print the name of the boot chain file whose Authenticode digest is $1,
# or "unknown". $2 is a list of "file=digest" words.
boot_chain_file_of_digest() {
	local pair
	for pair in $2; do
		if [ "$1" = "${pair#*=}" ]; then
			echo "${pair%%=*}"
			return
		fi
	done
	echo unknown
}

# Print the PCR 9 EV_IPL events of GRUB as "path<TAB>sha256 digest"
# lines, in log order.
grub_file_events() {
	jq -r '.events[] | select(.PCRIndex == 9 and .EventType == "EV_IPL")
		| [(.Event.String // ""), (.Digests[] | select(.AlgorithmId == "sha256") | .Digest)] | @tsv' "$events_json"
}

# Print grub.cfg as a list of single-quoted lines, if it is printable
# text. YAML does not allow most control characters in a scalar.
manifest_grub_cfg_lines() {
	local line
	if LC_ALL=C grep -q '[^[:print:][:blank:]]' "$work/grub.cfg"; then
		echo "      lines: 'not shown: the file contains characters other than printable ASCII and tabs'"
		return
	fi
	echo "      lines:"
	while IFS= read -r line || [ -n "$line" ]; do
		echo "      - $(yaml_quote "$line")"
	done <"$work/grub.cfg"
}

manifest_shim_grub() {
	local digest file path sha found_all=true known_digests=""
	for file in shimx64.efi grubx64.efi vmlinuz; do
		digest=$(authenticode_sha256 "$work/$file")
		[ -z "$digest" ] || known_digests="$known_digests $file=$digest"
	done

	echo "  shim_grub:"
	echo "    shim:"
	echo "      package: $(yaml_quote "$shim_package $shim_version")"
	echo "      source: /usr/lib/shim/shimx64.efi.signed"
	echo "      esp_path: '\\EFI\\BOOT\\BOOTX64.EFI'"
	echo "      sha256: $(yaml_quote "$(sha256_of "$work/shimx64.efi")")"
	digest=$(authenticode_sha256 "$work/shimx64.efi")
	[ -z "$digest" ] || echo "      authenticode_sha256: $(yaml_quote "$digest")"
	echo "    grub:"
	echo "      package: $(yaml_quote "$grub_package $grub_version")"
	echo "      source: /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
	echo "      esp_path: '\\EFI\\BOOT\\grubx64.efi'"
	echo "      sha256: $(yaml_quote "$(sha256_of "$work/grubx64.efi")")"
	digest=$(authenticode_sha256 "$work/grubx64.efi")
	[ -z "$digest" ] || echo "      authenticode_sha256: $(yaml_quote "$digest")"
	echo "    grub_cfg:"
	if [ -n "$grub_cfg" ]; then
		echo "      source: $(yaml_quote "--grub-cfg $(basename "$grub_cfg")")"
	else
		echo "      source: $(yaml_quote "generated by lab/mkgrubcfg from the command line")"
	fi
	echo "      esp_path: '\\EFI\\debian\\grub.cfg'"
	echo "      sha256: $(yaml_quote "$(sha256_of "$work/grub.cfg")")"
	manifest_grub_cfg_lines
	echo "    esp_root_files: ['\\vmlinuz', '\\initrd.cpio.gz']"

	# pesign computes the Authenticode digests independently of OVMF and
	# shim, so this names the file behind each logged digest.
	echo "    authenticode_sha256_logged:"
	while read -r digest; do
		[ -n "$digest" ] || continue
		if command -v pesign >/dev/null; then
			file=$(boot_chain_file_of_digest "$digest" "$known_digests")
			[ "$file" != unknown ] || found_all=false
			echo "    - {sha256: $(yaml_quote "$digest"), file: $file}"
		else
			echo "    - {sha256: $(yaml_quote "$digest")}"
		fi
	done < <(logged_application_digests)
	if command -v pesign >/dev/null; then
		echo "    every_logged_digest_is_a_boot_chain_file: $found_all"
	fi

	# GRUB logs the sha256 digest of each file that it reads in PCR 9.
	echo "    pcr9_files_logged:"
	while IFS=$'\t' read -r path digest; do
		[ -n "$path" ] || continue
		case $path in
		*/grub.cfg) sha=$(sha256_of "$work/grub.cfg") ;;
		*/vmlinuz) sha=$(sha256_of "$work/vmlinuz") ;;
		*/initrd.cpio.gz) sha=$(sha256_of "$work/initrd.cpio.gz") ;;
		*) sha="" ;;
		esac
		echo "    - path: $(yaml_quote "$path")"
		echo "      sha256: $(yaml_quote "$digest")"
		if [ -n "$sha" ]; then
			if [ "$sha" = "$digest" ]; then
				echo "      equals_file_sha256: true"
			else
				echo "      equals_file_sha256: false"
			fi
		fi
	done < <(grub_file_events)
}

manifest_direct() {
	local digest computed
	echo "  direct:"
	computed=$(authenticode_sha256 "$work/vmlinuz")
	[ -z "$computed" ] || echo "    kernel_authenticode_sha256: $(yaml_quote "$computed")"
	echo "    pcr4_application_sha256_logged:"
	while read -r digest; do
		[ -n "$digest" ] || continue
		echo "    - $(yaml_quote "$digest")"
	done < <(logged_application_digests)
	echo "    note: $(yaml_quote "QEMU -kernel hands the kernel to OVMF through fw_cfg; the logged PCR 4 digest differs from the Authenticode digest of the vmlinuz file and changes with --memory (observed; likely because QEMU changes the setup header before OVMF hashes the image, not verified)")"
}

manifest_description() {
	local what
	if [ -n "$description" ]; then
		printf '%s' "$description"
		return
	fi
	case $boot in
	uki)
		what="OVMF boots a UKI (systemd-stub $(package_version systemd-boot-efi)) as \\EFI\\BOOT\\BOOTX64.EFI from a FAT ESP on virtio-blk"
		;;
	shim-grub)
		what="OVMF boots Debian's signed shim ($shim_package $shim_version) as \\EFI\\BOOT\\BOOTX64.EFI from a FAT ESP on virtio-blk, shim loads Debian's signed GRUB ($grub_package $grub_version) as \\EFI\\BOOT\\grubx64.efi, and GRUB reads \\EFI\\debian\\grub.cfg and boots \\vmlinuz with \\initrd.cpio.gz"
		;;
	*)
		what="OVMF boots the kernel that QEMU passes with -kernel/-initrd/-append (direct boot)"
		;;
	esac
	case $secure_boot_keys in
	snakeoil) what="$what; Secure Boot on with the snakeoil keys, UKI signed with sbsign" ;;
	microsoft) what="$what; Secure Boot on with the Microsoft keys of OVMF_VARS_4M.ms.fd" ;;
	*) what="$what; Secure Boot off" ;;
	esac
	what="$what; $memory MiB, $smp vCPU, TPM banks $banks"
	[ -z "$uuid" ] || what="$what, SMBIOS UUID $uuid"
	if [ -n "$grub_cfg" ]; then
		what="$what; grub.cfg from --grub-cfg"
	elif [ "$cmdline" != "$default_cmdline" ]; then
		what="$what; command line: $cmdline"
	fi
	printf '%s' "$what"
}

# Print the quirks list: facts about this kind of recording that a
# reader of the vector could trip over.
manifest_quirks() {
	local quirks=() q
	if [ "$boot" = direct ]; then
		quirks+=("PCR 4 logs the kernel before the separator and before the \"Calling EFI Application from Boot Option\" action, and its digest is not the Authenticode digest of the vmlinuz file (lab.direct)")
	fi
	if [ "$boot" = shim-grub ]; then
		quirks+=("PCR 4 logs the kernel twice with the same Authenticode digest, after shim and GRUB (lab.shim_grub.authenticode_sha256_logged)")
		quirks+=("GRUB logs every command it runs in PCR 8, and the digest covers the text after the \"grub_cmd: \" or \"kernel_cmdline: \" prefix, without the NUL that the event data ends with")
		quirks+=("GRUB logs in PCR 9 the sha256 digest of each file it reads: grub.cfg, /vmlinuz and /initrd.cpio.gz (lab.shim_grub.pcr9_files_logged)")
		quirks+=("the kernel sees \"BOOT_IMAGE=/vmlinuz \" before the configured command line (lab.kernel_cmdline_seen)")
	fi
	if $secure_boot; then
		quirks+=("inputs.uki_signed changes on every recording, because sbsign puts a signingTime attribute into the signature; the Authenticode digest that PCR 4 logs (inputs.uki_signed_authenticode) excludes the signature and stays the same")
	fi
	if [ ${#quirks[@]} -eq 0 ]; then
		echo "quirks: []"
		return
	fi
	echo "quirks:"
	for q in "${quirks[@]}"; do
		echo "- $(yaml_quote "$q")"
	done
}

write_manifest() {
	local bank p computed recorded_utc
	recorded_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)

	echo "name: $name"
	echo "description: $(yaml_quote "$(manifest_description)")"
	echo "source:"
	echo "  repo: none (own recording)"
	echo "  where: $(yaml_quote "recorded $(date -u +%Y-%m-%d) with lab/record: QEMU q35 + OVMF + swtpm on Debian, data dumped by the guest over the serial console")"
	echo "  licence: Apache-2.0 (project's own recording)"
	echo "files:"
	manifest_files
	echo "expected:"
	manifest_expected
	echo "format:"
	echo "- tcg-crypto-agile"
	echo "- ima-binary"
	echo "- ima-ascii"
	echo "banks_in_log:"
	jq -r '.events[0].Event.algorithms[]?.algorithmId | "- " + .' "$events_json"
	manifest_quirks

	echo "inputs:"
	echo "  kernel: $(yaml_quote "$(sha256_of "$work/vmlinuz")")"
	echo "  initrd: $(yaml_quote "$(sha256_of "$work/initrd.cpio.gz")")"
	if [ "$boot" = uki ]; then
		echo "  stub: $(yaml_quote "$(sha256_of "$stub")")"
		echo "  uki: $(yaml_quote "$(sha256_of "$work/uki.efi")")"
		if $secure_boot; then
			echo "  uki_signed: $(yaml_quote "$(sha256_of "$work/uki-signed.efi")")"
			computed=$(authenticode_sha256 "$work/uki-signed.efi")
			[ -z "$computed" ] || echo "  uki_signed_authenticode: $(yaml_quote "$computed")"
		fi
	fi
	if [ "$boot" = shim-grub ]; then
		echo "  shim: $(yaml_quote "$(sha256_of "$work/shimx64.efi")")"
		echo "  grub: $(yaml_quote "$(sha256_of "$work/grubx64.efi")")"
		echo "  grub_cfg: $(yaml_quote "$(sha256_of "$work/grub.cfg")")"
	fi

	echo "lab:"
	echo "  recorded_utc: $(yaml_quote "$recorded_utc")"
	echo "  recorder: lab/record"
	echo "  packages:"
	for p in qemu-system-x86 ovmf swtpm swtpm-tools libtpms0 busybox-static systemd-boot-efi \
		binutils mtools dosfstools cpio sbsigntool; do
		echo "    $p: $(yaml_quote "$(package_version "$p")")"
	done
	if [ -n "$kernel_package" ]; then
		echo "    $kernel_package: $(yaml_quote "$kernel_version")"
	fi
	# apt-get download fetched these packages, and dpkg-deb unpacked them
	# without installing them.
	if [ -n "$shim_package" ]; then
		echo "    $shim_package: $(yaml_quote "$shim_version")"
		echo "    $grub_package: $(yaml_quote "$grub_version")"
	fi

	echo "  firmware:"
	echo "    package: $(yaml_quote "ovmf $(package_version ovmf)")"
	echo "    dir: $(yaml_quote "\$OVMF = $ovmf_dir")"
	echo "    code: $ovmf_code_name"
	echo "    code_sha256: $(yaml_quote "$(sha256_of "$ovmf_dir/$ovmf_code_name")")"
	echo "    vars_template: $ovmf_vars_name"
	echo "    vars_template_sha256: $(yaml_quote "$(sha256_of "$ovmf_dir/$ovmf_vars_name")")"
	echo "    vars_in_use: vars.fd, a fresh copy of the template per boot"

	echo "  tpm:"
	echo "    emulator: $(yaml_quote "swtpm $(package_version swtpm) (libtpms $(package_version libtpms0)), TPM 2.0, control channel on a unix socket")"
	echo "    interface: tpm-tis"
	echo "    state: $(yaml_quote "fresh per boot: swtpm_setup --tpm2 --pcr-banks $banks --overwrite (no EK or platform certificates)")"
	echo "    banks:"
	for bank in ${banks//,/ }; do
		echo "    - $bank"
	done

	echo "  machine:"
	echo "    accel: $accel"
	echo "    memory_mib: $memory"
	echo "    smp: $smp"
	echo "    uuid: $(yaml_quote "${uuid:-none}")"
	echo "    secure_boot: $secure_boot_on"
	echo "    secure_boot_keys: $secure_boot_keys"
	echo "    boot: $boot"
	echo "    qemu_command: $(yaml_quote "$display_command")"

	echo "  kernel:"
	if [ -n "$kernel_package" ]; then
		echo "    package: $(yaml_quote "$kernel_package $kernel_version")"
	else
		echo "    package: $(yaml_quote "none (lab/record --kernel)")"
	fi
	echo "    file: $(yaml_quote "$kernel_name")"
	echo "    sha256: $(yaml_quote "$(sha256_of "$work/vmlinuz")")"
	computed=$(authenticode_sha256 "$work/vmlinuz")
	[ -z "$computed" ] || echo "    authenticode_sha256: $(yaml_quote "$computed")"

	echo "  initrd:"
	echo "    file: initrd.cpio.gz"
	if [ -n "${initrd_extra:-}" ]; then
		echo "    contents: $(yaml_quote "busybox-static $(package_version busybox-static) as /bin/busybox, lab/init.sh as /init, and a file of SHA-256 $(sha256_of "$initrd_extra") as /extra (lab/mkinitrd)")"
	else
		echo "    contents: $(yaml_quote "busybox-static $(package_version busybox-static) as /bin/busybox, lab/init.sh as /init (lab/mkinitrd)")"
	fi
	echo "    sha256: $(yaml_quote "$(sha256_of "$work/initrd.cpio.gz")")"
	echo "    busybox_sha256: $(yaml_quote "$(sha256_of /bin/busybox)")"
	echo "    init_sha256: $(yaml_quote "$(sha256_of "$lab_dir/init.sh")")"
	if [ ${#credentials[@]} -gt 0 ]; then
		echo "  credentials:"
		for credential in "${credentials[@]}"; do
			echo "  - esp_path: $(yaml_quote "/loader/credentials/$(basename "$credential")")"
			echo "    bytes: $(stat -c %s "$credential")"
			echo "    sha256: $(yaml_quote "$(sha256_of "$credential")")"
		done
	fi

	if [ -n "$grub_cfg" ]; then
		echo "  cmdline: $(yaml_quote "none: the linux command in grub.cfg (--grub-cfg) sets it")"
	else
		echo "  cmdline: $(yaml_quote "$cmdline")"
	fi
	echo "  kernel_cmdline_seen: $(yaml_quote "$kernel_cmdline_seen")"
	echo "  ima:"
	echo "    entries: $ima_count"
	echo "    boot_aggregate: $(yaml_quote "$(awk '$NF == "boot_aggregate" { print $4; exit }' "$staging/ima.txt")")"

	case $boot in
	uki) manifest_uki ;;
	shim-grub) manifest_shim_grub ;;
	*) manifest_direct ;;
	esac

	echo "  events_by_pcr:"
	manifest_events_by_pcr

	echo "  timing:"
	echo "    kernel_seconds: $(elapsed "$time_kernel_start" "$time_kernel_end")"
	if [ "$boot" = shim-grub ]; then
		echo "    boot_chain_seconds: $(elapsed "$time_chain_start" "$time_chain_end")"
	fi
	echo "    build_seconds: $(elapsed "$time_build_start" "$time_build_end")"
	echo "    qemu_wall_seconds: $(elapsed "$time_boot_start" "$time_boot_end")"
	echo "    guest_uptime_at_init_s: $uptime_init"
	echo "    guest_uptime_at_poweroff_s: $uptime_done"
	echo "    note: $(yaml_quote "wall-clock times of this recording; they vary between runs")"
}
