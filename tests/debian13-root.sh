#!/bin/sh
# Builds the Debian 13 root the tests run in for today's component
# versions (bwrap 0.12, xdg-desktop-portal 1.20, PipeWire 1.4, phoc, sway):
# the GNOME apps of boxwrap's profile library that Debian 12 does not
# package (Loupe with glycin, Papers, Podcasts, Shortwave), with bwrap,
# xdg-dbus-proxy and the test tools, from Debian's own archive. Run as root (make deps).
# A root built from the same package list is kept; another is replaced.
set -eu
root=${BOXWRAP_DEBIAN13_ROOT:-/var/cache/boxwrap/debian13}
mirror=${BOXWRAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# librsvg2-common: GTK's symbolic icons are SVG (a Recommends, which
# mmdebstrap leaves out).
# The rest: the Debian 13 tier of the sandbox, D-Bus, portal, secret,
# seccomp, fault and same-argv suites (issue 18), and the Wayland and
# PipeWire tests under headless compositors (issue 19).
packages=loupe,glycin-loaders,papers,gnome-podcasts,shortwave,librsvg2-common,\
bubblewrap,xdg-dbus-proxy,dbus-daemon,libyaml-0-2,libseccomp2,\
xvfb,xdotool,x11-apps,python3,procps,libglib2.0-bin,passwd,\
xdg-desktop-portal,fuse3,gnome-keyring,libsecret-tools,python3-gi,gir1.2-glib-2.0,\
at-spi2-core,dash,bash,busybox,util-linux,psmisc,shellcheck,\
phoc,sway,labwc,wayland-utils,grim,libwayland-client0,\
pipewire,pipewire-pulse,pipewire-bin,wireplumber,pulseaudio-utils

stamp="trixie $packages"
if [ "$(cat "$root.stamp" 2> /dev/null)" = "$stamp" ] && [ -x "$root/usr/bin/loupe" ]; then
	echo "debian13-root: $root is up to date"
	exit 0
fi
command -v mmdebstrap > /dev/null || { echo "debian13-root: mmdebstrap is not installed" >&2; exit 1; }
# Built beside its final place, then renamed: an interrupted build leaves
# no root that looks complete.
rm -rf "$root.new" "$root.stamp"
mkdir -p "$(dirname "$root")"
mmdebstrap --quiet --variant=apt --mode=root --include="$packages" \
	--customize-hook='chroot "$1" useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin boxwrap-test' \
	trixie "$root.new" "$mirror"
rm -rf "$root"
mv "$root.new" "$root"
echo "$stamp" > "$root.stamp"
echo "debian13-root: built $root ($(du -sh "$root" | cut -f1))"
