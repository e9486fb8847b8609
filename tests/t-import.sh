#!/bin/sh
# boxwrap import: Flathub-style manifests (JSON with comments, YAML) give
# exactly the expected profiles and notes; each printed profile passes
# check; broken manifests print nothing and exit 1.
. tests/lib.sh
setup_scratch
for m in tests/import/org.*.json tests/import/org.*.yml; do
	b=${m%.*} n=${m##*/}
	"$BOXWRAP" import "$m" > "$scratch/out" 2> "$scratch/err"
	check "import $n exits 0" test $? = 0
	if diff -u "$b.expected" "$scratch/out" > "$scratch/diff"; then
		ok "import $n gives ${b##*/}.expected"
	else
		not_ok "import $n gives ${b##*/}.expected"; sed 's/^/# /' "$scratch/diff"
	fi
	if diff -u "$b.notes" "$scratch/err" > "$scratch/diff"; then
		ok "import $n reports ${b##*/}.notes"
	else
		not_ok "import $n reports ${b##*/}.notes"; sed 's/^/# /' "$scratch/diff"
	fi
	cp "$scratch/out" "$scratch/imported.yaml"
	"$BOXWRAP" check "$scratch/imported.yaml" > /dev/null
	check "the profile imported from $n passes check" test $? = 0
done
for m in tests/import/bad-*; do
	"$BOXWRAP" import "$m" > "$scratch/out" 2> "$scratch/err"
	rc=$?
	check "import ${m##*/} exits 1 and prints no profile" test "$rc" = 1 -a ! -s "$scratch/out" -a -s "$scratch/err"
done
# Flatpak's app id rules, and the bus names an id owns by default pass the
# same refusals as a profile's rules (issue 16, item 4).
"$BOXWRAP" import tests/import/bad-appid-system.yaml > /dev/null 2> "$scratch/err"
check "import refuses an app id that would own org.freedesktop.impl.portal.*" \
	grep -q "would let the app own org.freedesktop.impl.portal.Secret.\*, which boxwrap refuses" "$scratch/err"
"$BOXWRAP" import tests/import/bad-appid-two.yaml > /dev/null 2> "$scratch/err"
check "import refuses an app id of two elements" grep -q "needs at least three elements" "$scratch/err"
"$BOXWRAP" import /nonexistent/manifest.json > /dev/null 2>&1
check "import of a missing file exits 1" test $? = 1
done_testing
