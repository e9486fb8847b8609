#!/bin/sh
# Installs what building and testing boxwrap needs: apt-get on Debian,
# apk on Alpine. Run as root (CI) or through sudo.
set -eu
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v apt-get >/dev/null 2>&1; then
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
		gcc make pkg-config libc6-dev libyaml-dev libseccomp-dev libwayland-dev wayland-protocols clang libclang-rt-14-dev valgrind \
		bubblewrap xdg-dbus-proxy dbus dbus-daemon xdg-desktop-portal fuse3 \
		libglib2.0-bin python3-gi gir1.2-glib-2.0 libsecret-tools gnome-keyring at-spi2-core \
		shellcheck dash bash busybox scdoc util-linux procps psmisc \
		mpv ffmpeg xvfb xdotool x11-apps evince eog zathura zathura-pdf-poppler imv firefox-esr epiphany-browser bluez \
		chromium thunderbird libreoffice-writer libreoffice-gtk3 vlc totem celluloid gajim dino-im geary \
		telegram-desktop chatty gnome-calls mmsd-tng mmdebstrap \
		musl-tools gperf dpkg-dev file >/dev/null
	# Loupe, Papers, Podcasts and Shortwave came with Debian 13: on 12, a
	# Debian 13 root for tests/t-apps-gtk4.sh.
	if apt-cache show loupe > /dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
			loupe glycin-loaders papers gnome-podcasts shortwave librsvg2-common \
			phoc sway labwc wayland-utils grim \
			pipewire pipewire-pulse pipewire-bin wireplumber pulseaudio-utils >/dev/null
	else
		as_root sh tests/debian13-root.sh
	fi
	# The arm64 tier (tests/tier-arm64.sh): qemu-user builds in an arm64
	# root, qemu-system-aarch64 boots its kernel; a static armhf probe.
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
		qemu-system-arm qemu-user-static binfmt-support arch-test e2fsprogs cpio xz-utils \
		gcc-arm-linux-gnueabihf libc6-dev-armhf-cross >/dev/null
	# Not fatal here: without it `make check-arm64` says why (and fails in CI).
	as_root sh tests/arm64-root.sh || echo "install-deps: the arm64 root was not built" >&2
elif command -v apk >/dev/null 2>&1; then
	as_root apk add --no-cache \
		build-base pkgconf yaml-dev libseccomp-dev wayland-dev wayland-protocols clang compiler-rt valgrind \
		bubblewrap xdg-dbus-proxy dbus xdg-desktop-portal fuse3 \
		glib py3-gobject3 libsecret gnome-keyring at-spi2-core \
		shellcheck dash bash busybox scdoc util-linux-misc procps psmisc \
		bluez \
		mpv ffmpeg xvfb xdotool xwd evince eog zathura zathura-pdf-poppler imv firefox-esr epiphany \
		chromium thunderbird libreoffice-writer vlc-qt totem celluloid gajim dino geary \
		telegram-desktop chatty calls mmsd-tng loupe papers gnome-podcasts shortwave \
		phoc sway labwc wayland-utils grim \
		pipewire pipewire-pulse pipewire-tools wireplumber pulseaudio-utils
else
	echo "install-deps: neither apt-get nor apk found; install the packages listed in this file by hand" >&2
	exit 1
fi
