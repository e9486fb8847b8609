#!/bin/sh
# Runs every test, prints their TAP, and ends with "N passed, N failed".
# A test is a C program in $B/tests (unit-*, test-*) or a tests/t-*.sh script.
# TESTS="tests/t-a.sh ..." runs only those; TEST_TIER=NAME names the tier
# on each test's header and on the summary (tests/tier-debian13.sh).
set -u
B=${B:-.build}
# Sandboxed test processes run as an unprivileged user, who must reach the
# build and tests/: a checkout under a 0700 directory (root's home, where a
# fresh machine's root clones it) runs from a world-readable copy instead,
# with the helper paths tests/lib.sh exported (tier-debian13.sh) moved too.
moved() { case $1 in "$PWD"/*) printf '%s\n' "$copy/${1#"$PWD"/}" ;; *) printf '%s\n' "$1" ;; esac; }
# shellcheck disable=SC2016 # $1 and $2 are the inner sh's
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP-}" ] && [ -z "${BOXWRAP_TESTS_COPY-}" ] &&
	[ -z "${TESTS_UNIT_ONLY-}" ] &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		sh -c 'test -r "$1/tests/lib.sh" && test -x "$1/$2"' sh "$PWD" "$B" 2> /dev/null; then
	copy=$(mktemp -d) || exit 1
	echo "# the test user cannot read $PWD: running the tests from a copy in $copy"
	[ -z "${BOXWRAP_SPAWN_HELPER-}" ] || BOXWRAP_SPAWN_HELPER=$(moved "$BOXWRAP_SPAWN_HELPER")
	[ -z "${BOXWRAP_WAYLAND_HELPER-}" ] || BOXWRAP_WAYLAND_HELPER=$(moved "$BOXWRAP_WAYLAND_HELPER")
	[ -z "${BOXWRAP_OPEN_HELPER-}" ] || BOXWRAP_OPEN_HELPER=$(moved "$BOXWRAP_OPEN_HELPER")
	[ -z "${BOXWRAP_SELF-}" ] || BOXWRAP_SELF=$(moved "$BOXWRAP_SELF")
	cp -a "$PWD/." "$copy/" && chmod -R a+rX "$copy" &&
		(cd "$copy" && BOXWRAP_TESTS_COPY=1 sh tests/run.sh)
	status=$?
	rm -rf "$copy"
	exit "$status"
fi
export B BOXWRAP="${BOXWRAP:-$PWD/$B/boxwrap}"
passed=0 failed=0 skipped=0
# A test that hangs (a kill that missed its process) fails instead of
# holding the whole run until CI's own limit. No -k: busybox before 1.36
# lacks it; a timed-out test ends with 124 (coreutils) or 143 (busybox,
# which execs the test and TERMs it).
limit=${TEST_TIMEOUT:-1200}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tests() {
	# TESTS: a chosen list (tests/tier-arm64.sh's guest runs a subset).
	if [ -n "${TESTS-}" ]; then
		printf '%s\n' $TESTS
		return
	fi
	for t in "$B"/tests/unit-* "$B"/tests/test-seccomp-unit; do
		[ -x "$t" ] && printf '%s\n' "$t"
	done
	[ -n "${TESTS_UNIT_ONLY-}" ] && return
	for t in tests/t-*.sh tests/test-seccomp.sh; do
		[ -f "$t" ] && printf '%s\n' "$t"
	done
}

# The versions this tier runs against, first (README's "Tested on").
[ -n "${TESTS_UNIT_ONLY-}" ] || sh tests/versions.sh

for t in $(tests); do
	case $t in *.sh) cmd="sh $t" ;; *) cmd=$t ;; esac
	echo "# ${TEST_TIER:+$TEST_TIER: }$t"
	start=$(date +%s)
	timeout "$limit" $cmd > "$log" 2>&1
	status=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log")
	f=$(grep -c '^not ok ' "$log")
	plan=$(grep -c '^1\.\.[0-9]' "$log")
	if [ "$status" -eq 124 ] || [ "$status" -eq 143 ]; then
		echo "not ok - $t timed out after $limit s (or was terminated)"
		f=$((f + 1))
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited $status"
		f=$((f + 1))
	elif [ "$plan" -eq 0 ]; then
		echo "not ok - $t printed no plan"
		f=$((f + 1))
	fi
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
	echo "# ${TEST_TIER:+$TEST_TIER: }$t: $((p - s)) passed, $f failed, $s skipped in $(($(date +%s) - start)) s"
done
echo "${TEST_TIER:+$TEST_TIER: }$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
