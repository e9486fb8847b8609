#!/bin/sh
# Every tests/bad/NAME.yaml is refused by `boxwrap check` with exactly the
# diagnostics in tests/bad/NAME.err, nothing on stdout, exit status 1, and
# nothing written anywhere it could write (HOME, XDG_RUNTIME_DIR, the corpus).
# Run from the repository root; BOXWRAP names the binary under test.
set -u
BOXWRAP=${BOXWRAP:-.build/boxwrap}
n=0 failed=0

scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/rt" "$scratch/out"
chmod 700 "$scratch/rt"

# The loader refuses group/other-writable profiles, and git keeps no
# permissions but the x bit: under umask 002 a checkout would break every case.
chmod go-w tests/bad/*.yaml

snapshot() {
	# names, modes and sizes of everything the run could touch, and what
	# was modified since the marker
	find "$scratch/home" "$scratch/rt" tests/bad -exec ls -ldn {} + 2>&1 |
		awk '{ print $1, $5, $NF }' | sort
	find "$scratch/home" "$scratch/rt" tests/bad -newer "$scratch/marker" 2>&1
}

touch "$scratch/marker"
sleep 1 2>/dev/null
before=$(snapshot)
for yaml in tests/bad/*.yaml; do
	name=${yaml#tests/bad/}
	name=${name%.yaml}
	n=$((n + 1))
	err=$scratch/out/stderr out=$scratch/out/stdout
	HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/rt XDG_CONFIG_HOME=$scratch/home/.config \
		"$BOXWRAP" check "$yaml" >"$out" 2>"$err" </dev/null
	status=$?
	why=
	if [ ! -f "tests/bad/$name.err" ]; then
		why="no tests/bad/$name.err"
	elif [ "$status" -ne 1 ]; then
		why="exit status $status, expected 1"
	elif [ -s "$out" ]; then
		why="output on stdout"
	elif ! cmp -s "$err" "tests/bad/$name.err"; then
		why="stderr differs from tests/bad/$name.err"
	fi
	after=$(snapshot)
	if [ -z "$why" ] && [ "$after" != "$before" ]; then
		why="files changed"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "#   $why"
		if [ -f "tests/bad/$name.err" ]; then
			diff -u "tests/bad/$name.err" "$err" | sed -n '3,12s/^/#   /p'
		fi
		if [ "$after" != "$before" ]; then
			printf '%s\n' "$before" >"$scratch/out/before"
			printf '%s\n' "$after" >"$scratch/out/after"
			diff "$scratch/out/before" "$scratch/out/after" | sed 's/^/#   /' | head -n 10
			before=$after
		fi
	fi
done
# every expectation has its profile
for e in tests/bad/*.err; do
	[ -f "${e%.err}.yaml" ] && continue
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $e has no profile"
done
echo "1..$n"
[ "$failed" -eq 0 ]
