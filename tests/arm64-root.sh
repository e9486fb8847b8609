#!/bin/sh
# Builds what tests/tier-arm64.sh boots (issue 21): a Debian 12 arm64 root
# with its kernel, the libraries and tools boxwrap needs and a compiler
# (boxwrap is built inside it under qemu-user, as pmbootstrap builds
# aarch64 packages), then from it a small initramfs that loads the virtio
# and ext4 modules and an ext4 image of the root.  Run as root (make deps),
# on Debian with qemu-user-static and binfmt-support.  Cached under
# /var/cache/boxwrap with a stamp: a root built from the same list is kept.
set -eu
cache=${BOXWRAP_ARM_CACHE:-/var/cache/boxwrap}
root=$cache/arm64
mirror=${BOXWRAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# linux-image-arm64: the kernel qemu-system-aarch64 boots.  busybox-static:
# the initramfs's shell.  python3: test-seccomp.sh's pty case.
packages=linux-image-arm64,busybox-static,kmod,\
gcc,make,pkg-config,libc6-dev,libyaml-dev,libseccomp-dev,\
bubblewrap,xdg-dbus-proxy,dbus-daemon,libyaml-0-2,libseccomp2,\
dash,util-linux,mount,passwd,procps,python3,psmisc
stamp="bookworm arm64 v1 $packages"

if [ "$(cat "$root.stamp" 2> /dev/null)" = "$stamp" ] && [ -f "$root.img" ] &&
	[ -f "$root.initrd" ] && [ -f "$root.vmlinuz" ]; then
	echo "arm64-root: $root is up to date"
	exit 0
fi
command -v mmdebstrap > /dev/null || { echo "arm64-root: mmdebstrap is not installed" >&2; exit 1; }
# binfmt_misc is not mounted on every CI machine (no systemd).
[ -e /proc/sys/fs/binfmt_misc/register ] ||
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
start=$(date +%s)
rm -rf "$root.new" "$root.stamp" "$root.img" "$root.initrd" "$root.vmlinuz"
mkdir -p "$cache"
# update-initramfs diverted to true: Debian's initramfs step under
# qemu-user takes many minutes; our own initramfs (below) is 2 MB.
mmdebstrap --quiet --variant=apt --mode=root --architectures=arm64 --include="$packages" \
	--essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && ln -sf /bin/true "$1/usr/sbin/update-initramfs"' \
	--customize-hook='chroot "$1" useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin boxwrap-test' \
	--customize-hook='mkdir -p "$1/src" && rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
	bookworm "$root.new" "$mirror"
rm -rf "$root"
mv "$root.new" "$root"
sh "$(dirname "$0")/arm-image.sh" "$root" "$root"
echo "$stamp" > "$root.stamp"
echo "arm64-root: built $root ($(du -sh "$root" | cut -f1)) in $(($(date +%s) - start)) s"
