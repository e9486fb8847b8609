#!/bin/sh
# boxwrap check, emit and run --dry-run under valgrind for every test and
# shipped profile and a sample of tests/bad: no memory error and nothing
# "definitely lost". boxwrap is short-lived: still-reachable memory at
# exit is fine.
. tests/lib.sh
if ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind" "valgrind is not installed"
	done_testing
	exit 0
fi
setup_scratch
export HOME=$home XDG_RUNTIME_DIR=$rt
chown "$(id -u)" "$home" "$rt"
vg() { # DESCRIPTION EXPECTED-STATUS COMMAND...
	_d=$1 _want=$2
	shift 2
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$scratch/vg.log" "$@" > /dev/null 2>&1
	_st=$?
	if [ "$_st" != 99 ] && [ "$_st" = "$_want" ] && ! [ -s "$scratch/vg.log" ]; then
		ok "$_d"
	else
		not_ok "$_d (exit $_st, expected $_want)"
		sed 's/^/# /' "$scratch/vg.log" | head -40
	fi
}
for p in tests/profiles/*.yaml profiles/*.yaml; do
	vg "check $p" 0 "$BOXWRAP" check "$p"
	vg "emit $p" 0 "$BOXWRAP" emit -o "$scratch/l.sh" "$p"
	vg "run --dry-run $p" 0 "$BOXWRAP" run --dry-run "$p" --arg
done
i=0
for p in tests/bad/*.yaml; do
	i=$((i + 1))
	[ $((i % 8)) = 1 ] || continue
	vg "check (refused) $p" 1 "$BOXWRAP" check "$p"
	vg "emit (refused) $p" 1 "$BOXWRAP" emit -o "$scratch/l.sh" "$p"
done
check "nothing was written for refused profiles" test ! -e "$scratch/l.sh.tmp"
done_testing
