#!/bin/sh
# Every shipped profile passes `boxwrap check`, its emitted launcher passes
# shellcheck, and its length is reported (a diag line) so growth is seen.
. tests/lib.sh
setup_scratch
total=0
for p in profiles/*.yaml; do
	n=${p##*/}
	"$BOXWRAP" check "$p" > "$scratch/out" 2>&1
	if [ $? = 0 ]; then ok "$n passes check"; else not_ok "$n passes check"; sed 's/^/# /' "$scratch/out"; fi
	if "$BOXWRAP" emit -o "$scratch/launcher.sh" "$p" 2> "$scratch/out"; then
		check_shellcheck "$n: its launcher passes shellcheck" -s sh "$scratch/launcher.sh"
	else
		not_ok "$n: its launcher passes shellcheck (emit failed)"
	fi
	lines=$(wc -l < "$p")
	total=$((total + lines))
	diag "$n: $lines lines"
done
diag "all profiles: $total lines"
done_testing
