#!/bin/sh
# The Debian 13 tier (issue 18): the sandbox, D-Bus, portal, secret,
# seccomp, fault, same-argv, accessibility, launch-path and packager
# suites again, on the
# component versions Alpine and postmarketOS users have today (bwrap 0.12,
# xdg-dbus-proxy 0.1.6, xdg-desktop-portal 1.20, dbus 1.16, libseccomp
# 2.6), with boxwrap unchanged: this checkout's build, run in the Debian 13
# root that tests/debian13-root.sh builds (make deps on Debian 12),
# entered as tests/debian13-lib.sh says. Prints
# one TAP stream, tests/run.sh's: the versions it ran (tests/versions.sh),
# then each suite; headers, counts and summary are marked "debian13:". Run
# as root (CI), after `make all` and the test binaries (make
# check-debian13 does both). TIER_TESTS overrides the list of suites.
set -u
B=${B:-.build}
export B
. tests/lib.sh
. tests/debian13-lib.sh
# test-seccomp-unit: every syscall the root's libseccomp knows is classified.
tier_tests=${TIER_TESTS:-tests/t-sandbox.sh tests/t-dbus.sh tests/t-portal.sh tests/t-secret.sh \
$B/tests/test-seccomp-unit tests/t-seccomp-launch.sh tests/test-seccomp.sh tests/t-faults.sh \
tests/t-same-argv.sh tests/t-a11y.sh tests/t-launch-overrides.sh tests/t-packager.sh}

# Without the root (Alpine and Debian 13 test their own packages; a
# developer without make deps) the tier is skipped, except where CI
# promises it: Debian 12 with user namespaces, where make deps builds it.
tier_skip() {
	echo "# debian13: the Debian 13 tier does not run: $1"
	if [ "${BOXWRAP_REQUIRE_DEBIAN13:-0}" = 1 ] || { [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ] &&
		case $(cat /etc/debian_version 2>/dev/null) in 12*) true ;; *) false ;; esac; }; then
		echo "not ok 1 - the Debian 13 tier runs # SKIP not allowed here: $1"
		echo "1..1"
		exit 1
	fi
	echo "ok 1 # SKIP $1"
	echo "1..1"
	exit 0
}
[ -x "$debian13_root/usr/bin/bwrap" ] && [ -s "$debian13_root.stamp" ] ||
	tier_skip "no Debian 13 root at $debian13_root (tests/debian13-root.sh, run by make deps on Debian 12)"
[ "$(id -u)" = 0 ] || tier_skip "entering the root needs root (unshare, mount, pivot_root)"
for f in boxwrap flatpak-spawn seccomp/default.bpf tests/probe tests/seccomp-export tests/test-seccomp-unit; do
	[ -e "$B/$f" ] || { echo "Bail out! $B/$f is not built: make check-debian13 builds it"; exit 1; }
done

enter_debian13_root true || { echo "Bail out! cannot enter the Debian 13 root at $debian13_root"; exit 1; }
start=$(date +%s)
TESTS=$tier_tests TEST_TIER=debian13 enter_debian13_root sh tests/run.sh
status=$?
echo "# debian13: the tier took $(($(date +%s) - start)) s"
exit $status
