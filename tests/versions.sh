#!/bin/sh
# Prints, as TAP comments, the versions of the components the tests run
# against (tests/run.sh, at the start of each tier): README's "Tested on"
# table is made from these lines. TEST_TIER=NAME prefixes them.
p="# ${TEST_TIER:+$TEST_TIER: }"
# pkg NAME...: the installed version of the first package known (Debian's
# name, then Alpine's).
pkg() {
	for _n in "$@"; do
		_v=$(dpkg-query -W -f '${Version}' "$_n" 2> /dev/null) && [ -n "$_v" ] && { echo "$_v"; return; }
		_v=$(apk list --installed "$_n" 2> /dev/null | sed -n "s/^$_n-\([0-9][^ ]*\) .*/\1/p" | head -n1)
		[ -n "$_v" ] && { echo "$_v"; return; }
	done
	echo none
}
first() { "$@" 2> /dev/null | head -n1; }
os=$(. /etc/os-release 2> /dev/null && echo "$PRETTY_NAME")
echo "$p${os:-unknown system} ($(cat /etc/debian_version /etc/alpine-release 2> /dev/null | head -n1)), kernel $(uname -r)"
echo "$p$(first bwrap --version || echo 'no bwrap'), $(first xdg-dbus-proxy --version || echo 'no xdg-dbus-proxy')," \
	"xdg-desktop-portal $(pkg xdg-desktop-portal), dbus-daemon $(first dbus-daemon --version | sed 's/.* //')," \
	"libseccomp $(pkg libseccomp2 libseccomp)"
echo "${p}libc $(pkg libc6 musl), libsecret $(pkg libsecret-1-0 libsecret), gnome-keyring $(pkg gnome-keyring)," \
	"at-spi2-core $(pkg at-spi2-core), fuse3 $(pkg fuse3), $(first sh -c 'readlink -f /bin/sh') as /bin/sh"
