#!/bin/sh
# The libFuzzer harnesses of tests/fuzz/, each for FUZZ_SECONDS (45 in
# check; `make fuzz` gives 600), from the seed corpus and the dictionary.
# A crash or a broken invariant fails, with the input in the log as hex.
# The build goes to its own directory (FUZZ_B, default .build-fuzz).
. tests/lib.sh
FUZZ_B=${FUZZ_B:-.build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
if ! command -v clang >/dev/null 2>&1; then
	skip "fuzzing" "no clang"
	done_testing
	exit 0
fi
if ! make -s fuzz-build FUZZ_B="$FUZZ_B" > "${TMPDIR:-/tmp}/boxwrap-fuzz-build.$$" 2>&1; then
	not_ok "fuzz harnesses build"
	sed 's/^/# /' "${TMPDIR:-/tmp}/boxwrap-fuzz-build.$$" | tail -30
	rm -f "${TMPDIR:-/tmp}/boxwrap-fuzz-build.$$"
	done_testing
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/boxwrap-fuzz-build.$$"
ok "fuzz harnesses build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$FUZZ_B"/fuzz/fuzz-*; do
	h=${bin##*/}
	mkdir -p "$work/$h/corpus" "$work/$h/crash" "$work/$h/scratch"
	# New inputs go to the work corpus (first directory), never the seeds.
	FUZZ_SCRATCH=$work/$h/scratch "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=20 \
		-dict=tests/fuzz/yaml.dict -artifact_prefix="$work/$h/crash/" -print_final_stats=1 \
		"$work/$h/corpus" tests/fuzz/corpus > "$work/$h/log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$h/log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/$h/log" | tail -1)
	if [ "$status" -eq 0 ] && [ -z "$(ls "$work/$h/crash")" ]; then
		ok "$h: ${FUZZ_SECONDS}s, ${runs:-?} inputs, ${speed:-?}/s, $cov, $(ls "$work/$h/corpus" | wc -l) in corpus"
	else
		not_ok "$h: crashed or broke an invariant (exit $status)"
		grep -E 'INVARIANT|ERROR|SUMMARY|^    #[0-9]' "$work/$h/log" | head -40 | sed 's/^/# /'
		for c in "$work/$h"/crash/*; do
			[ -f "$c" ] || continue
			diag "input ${c##*/} ($(wc -c < "$c") bytes), hex:"
			od -An -tx1 -v "$c" | sed 's/^/#/'
		done
	fi
done
done_testing
