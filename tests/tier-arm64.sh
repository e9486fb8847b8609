#!/bin/sh
# The arm64 tier (issue 21): postmarketOS phones are aarch64 (and many run
# 32-bit arm programs), so boxwrap is built and tested on an aarch64 kernel.
#  1. `make` and the unit tests under qemu-user, in the cached Debian 12
#     arm64 root (tests/arm64-root.sh): the pmbootstrap case;
#  2. a static 32-bit arm probe (tests/probe.c for armhf);
#  3. qemu-system-aarch64 -M virt -cpu max (TCG: no KVM needed) boots the
#     root's kernel with tests/arm64-init.sh as PID 1, which runs the unit
#     tests, the seccomp suites in both launch modes, t-sandbox and
#     tests/arm64-guest.sh (a shipped profile, the 32-bit arm cases, the
#     probe's figures, filters byte-identical to the qemu-user build's).
# Prints TAP.  Skips where qemu or the root is missing, except in CI
# (BOXWRAP_REQUIRE_USERNS=1), where that fails.  Run as root.
set -u
cache=${BOXWRAP_ARM_CACHE:-/var/cache/boxwrap}
root=$cache/arm64
limit=${ARM64_TIMEOUT:-2400}
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
unavailable() {
	if [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ]; then
		echo "not ok 1 - arm64 tier: $1"
	else
		echo "ok 1 # SKIP arm64 tier: $1"
	fi
	echo "1..1"
	[ "${BOXWRAP_REQUIRE_USERNS:-0}" != 1 ]
	exit
}
now() { date +%s; }

[ "$(id -u)" = 0 ] || unavailable "needs root (the qemu-user build runs in a chroot)"
command -v qemu-system-aarch64 > /dev/null || unavailable "qemu-system-aarch64 is not installed (make deps)"
command -v arm-linux-gnueabihf-gcc > /dev/null || unavailable "arm-linux-gnueabihf-gcc is not installed (make deps)"
[ -f "$root.stamp" ] && [ -f "$root.img" ] && [ -f "$root.initrd" ] ||
	unavailable "no arm64 root at $root (make deps runs tests/arm64-root.sh)"
[ -e /proc/sys/fs/binfmt_misc/register ] ||
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2> /dev/null
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 > /dev/null 2>&1
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || unavailable "no qemu-aarch64 binfmt handler (qemu-user-static, binfmt-support)"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/boxwrap-arm64.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar -C . --exclude='./.build*' --exclude=./.git -cf - . | tar -C "$work/src" -xf -

# 1. make and the unit tests under qemu-user (as pmbootstrap builds).
# Without the Wayland helper (WAYLAND_CONTEXT=): the root has no
# libwayland-dev, and the guest no compositor; the glibc tiers test it.
t=$(now)
unshare -m sh -c 'mount --bind "$1" "$2/src" && mount -t proc proc "$2/proc" &&
	chroot "$2" sh -c "cd /src && make -j$(nproc) WAYLAND_CONTEXT= test-bins"' - "$work/src" "$root" > "$work/build.log" 2>&1
rc=$?
build_s=$(($(now) - t))
if [ $rc = 0 ]; then
	ok "make for aarch64 under qemu-user in the arm64 root ($build_s s)"
else
	not_ok "make for aarch64 under qemu-user in the arm64 root (exit $rc)"
	sed 's/^/# /' "$work/build.log" | tail -n 30
	echo "1..$n"
	exit 1
fi
t=$(now)
unshare -m sh -c 'mount --bind "$1" "$2/src" && mount -t proc proc "$2/proc" &&
	chroot "$2" sh -c "cd /src && B=.build TESTS_UNIT_ONLY=1 sh tests/run.sh"' - "$work/src" "$root" > "$work/unit.log" 2>&1
rc=$?
unit_s=$(($(now) - t))
summary=$(tail -n 1 "$work/unit.log")
if [ $rc = 0 ]; then
	ok "unit tests under qemu-user: $summary ($unit_s s)"
else
	not_ok "unit tests under qemu-user: $summary"
	grep '^not ok' "$work/unit.log" | sed 's/^/# /'
fi
grep '# SKIP' "$work/unit.log" | sed 's/^/# qemu-user: /'

# 2. The 32-bit arm program: the probe, static, for armhf.
if arm-linux-gnueabihf-gcc -O2 -static -o "$work/src/.build/tests/probe32" tests/probe.c 2> "$work/probe32.log"; then
	ok "static armhf probe built"
else
	not_ok "static armhf probe built"
	sed 's/^/# /' "$work/probe32.log"
fi

# 3. Boot the arm64 kernel with the tree on a second disk; the root's
# image is only read (snapshot=on).
size=$(du -sm "$work/src" | cut -f1)
mkfs.ext4 -q -F -L src -d "$work/src" "$work/src.img" "$((size * 2 + 64))M" > /dev/null
t=$(now)
timeout "$limit" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp "$(nproc)" -m 2048 \
	-nodefaults -display none -no-reboot -serial "file:$work/console.log" \
	-kernel "$root.vmlinuz" -initrd "$root.initrd" \
	-append "console=ttyAMA0 panic=-1 quiet boxwrap.init=/src/tests/arm64-init.sh${ARM64_TESTS:+ boxwrap.tests=$ARM64_TESTS}" \
	-drive "if=virtio,format=raw,file=$root.img,snapshot=on" \
	-drive "if=virtio,format=raw,file=$work/src.img"
rc=$?
vm_s=$(($(now) - t))
tr -d '\r' < "$work/console.log" > "$work/console.txt"
sed 's/^/# /' "$work/console.txt"
booted=$(sed -n 's/^arm64-guest: booted in \([0-9.]*\) s.*/\1/p' "$work/console.txt")
took=$(sed -n 's/^arm64-guest: tests took \([0-9]*\) s/\1/p' "$work/console.txt")
result=$(sed -n 's/^arm64-guest: result: //p' "$work/console.txt")
if [ -n "$booted" ]; then
	ok "arm64 guest booted: kernel to init in $booted s"
else
	not_ok "arm64 guest booted (qemu exit $rc after $vm_s s)"
fi
case $result in
*" passed, 0 failed, 0 skipped")
	ok "arm64 guest tests: $result (tests $took s, qemu $vm_s s in all)" ;;
*)
	not_ok "arm64 guest tests: ${result:-no result} (qemu exit $rc after $vm_s s)"
	grep -E '^not ok|# SKIP' "$work/console.txt" | sed 's/^/# guest: /' ;;
esac
echo "# arm64 tier times: make under qemu-user $build_s s, unit tests there $unit_s s, guest $vm_s s (boot ${booted:-?} s, tests ${took:-?} s)"
echo "1..$n"
[ "$failed" = 0 ]
