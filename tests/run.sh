#!/bin/sh
# Runs every test, prints their TAP, and ends with "N passed, N failed".
# A test is a C program in $B/tests (unit-*, test-*) or a tests/t-*.sh script.
set -u
B=${B:-.build}
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
	for t in "$B"/tests/unit-* "$B"/tests/test-seccomp-unit; do
		[ -x "$t" ] && printf '%s\n' "$t"
	done
	[ -n "${TESTS_UNIT_ONLY-}" ] && return
	for t in tests/t-*.sh tests/test-seccomp.sh; do
		[ -f "$t" ] && printf '%s\n' "$t"
	done
}

for t in $(tests); do
	case $t in *.sh) cmd="sh $t" ;; *) cmd=$t ;; esac
	echo "# $t"
	t0=$(date +%s)
	timeout "$limit" $cmd > "$log" 2>&1
	status=$?
	took=$(($(date +%s) - t0))
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
	echo "# $t: $took s"
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
