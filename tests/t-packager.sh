#!/bin/sh
# Packager mode: `boxwrap wrap --destdir "$pkgdir"` in a fake package,
# then the package "installed" (its /usr laid over the host's /usr with
# overlayfs, in a private mount namespace) and run as the unprivileged
# test user: /usr/bin/NAME is the launcher, the program runs in the
# sandbox, and re-executing its own name inside runs it directly, in the
# same sandbox (no nesting). The same for automatic wrapping: a launcher
# earlier in PATH, command still /usr/bin/NAME.
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare >/dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
setup_scratch
pkgdir=$scratch/pkg
export BOXWRAP_SECCOMP_DIR="$PWD/$B/seccomp"
# The package depends on boxwrap, which its launcher runs (#! line): here
# it is installed with the package, so the sandbox sees it as it would
# see /usr/bin/boxwrap.
install -Dm755 "$BOXWRAP" "$pkgdir/usr/bin/boxwrap"
export BOXWRAP_SELF=/usr/bin/boxwrap

# package(): the program at /usr/bin, its profile, then wrap.
install -Dm755 tests/pkg/hello.sh "$pkgdir/usr/bin/hello"
install -Dm755 tests/pkg/hello.sh "$pkgdir/usr/bin/hi"
install -Dm644 tests/pkg/hello.yaml "$pkgdir/usr/share/boxwrap/profiles/hello.yaml"
check "boxwrap check passes on the profile (check())" sh -c '"$1" check tests/pkg/hello.yaml >/dev/null' - "$BOXWRAP"
out=$("$BOXWRAP" wrap --destdir "$pkgdir" "$pkgdir/usr/share/boxwrap/profiles/hello.yaml" 2>&1)
check "wrap succeeds" test $? = 0
check "the program moved to the profile's command" cmp -s tests/pkg/hello.sh "$pkgdir/usr/libexec/hello"
check "/usr/bin/hello is now an executable launcher" sh -c 'head -n 3 "$1" | grep -q "^# Launcher for org.example.Hello" && [ -x "$1" ]' - "$pkgdir/usr/bin/hello"
check "the launcher parses in sh" sh -n "$pkgdir/usr/bin/hello"
cp "$pkgdir/usr/bin/hello" "$scratch/first"
check "wrap run again changes nothing" sh -c '"$1" wrap --destdir "$2" "$2/usr/share/boxwrap/profiles/hello.yaml" >/dev/null && cmp -s "$3" "$2/usr/bin/hello" && cmp -s tests/pkg/hello.sh "$2/usr/libexec/hello"' - "$BOXWRAP" "$pkgdir" "$scratch/first"
printf 'app-id: org.example.Bad\ncommand: /usr/bin/hi\n' > "$scratch/same.yaml"
check "wrap refuses a command that is the entry it replaces" sh -c '! "$1" wrap --destdir "$2" "$3" 2>/dev/null' - "$BOXWRAP" "$pkgdir" "$scratch/same.yaml"
printf 'app-id: org.example.Miss\ncommand: /usr/libexec/missing\n' > "$scratch/miss.yaml"
check "wrap fails clearly when the program is missing" sh -c '! "$1" wrap --destdir "$2" "$3" 2>&1 | grep -q . && exit 1; ! "$1" wrap --destdir "$2" "$3" 2>/dev/null' - "$BOXWRAP" "$pkgdir" "$scratch/miss.yaml"
check "wrap needs --destdir" sh -c '"$1" wrap tests/pkg/hello.yaml 2>/dev/null; [ $? = 2 ]' - "$BOXWRAP"

# Automatic wrapping: the launcher of a profile whose command stays in /usr/bin.
mkdir -p "$scratch/exports/bin"
"$BOXWRAP" emit -o "$scratch/exports/bin/hi" tests/pkg/hi.yaml
give "$scratch"

if [ "$(id -u)" != 0 ] || [ -z "${BOXWRAP_IN_MNTNS-}" ]; then
	skip "running the installed package" "needs root for a private mount namespace"
	done_testing
	exit 0
fi
if ! mount -t overlay overlay -o "lowerdir=$pkgdir/usr:/usr" /usr 2>"$scratch/err"; then
	skip "running the installed package" "overlayfs is not available: $(cat "$scratch/err")"
	done_testing
	exit 0
fi
if ! have_userns; then
	skip "running the installed package" "no unprivileged user namespaces"
	done_testing
	exit 0
fi
out=$(as_user env PATH=/usr/bin:/bin hello 2>&1)
check "hello runs the program in its sandbox" sh -c 'printf "%s\n" "$1" | grep -q "^hello from sandbox as /usr/libexec/hello"' - "$out"
[ -n "$out" ] && printf "%s\n" "$out" | sed "s/^/# /"
out=$(as_user env PATH=/usr/bin:/bin hello reexec 2>&1)
first=$(printf '%s\n' "$out" | sed -n 1p)
second=$(printf '%s\n' "$out" | sed -n 2p)
check "re-executing /usr/bin/hello inside runs the real program in the sandbox" \
	sh -c 'printf "%s\n" "$1" | grep -q "^hello from sandbox as /usr/libexec/hello .* args again$"' - "$second"
check "... in the same process, so no second sandbox (no nesting)" \
	test "$(echo "$first" | sed 's/.* pid \([0-9]*\).*/\1/')" = "$(echo "$second" | sed 's/.* pid \([0-9]*\).*/\1/')"
[ -n "$out" ] && printf "%s\n" "$out" | sed "s/^/# /"

out=$(as_user env PATH="$scratch/exports/bin:/usr/bin:/bin" hi reexec 2>&1)
first=$(printf '%s\n' "$out" | sed -n 1p)
second=$(printf '%s\n' "$out" | sed -n 2p)
check "automatic wrapping: hi through PATH runs /usr/bin/hi in its sandbox" \
	sh -c 'printf "%s\n" "$1" | grep -q "^hello from sandbox as /usr/bin/hi pid .* args reexec$"' - "$first"
check "re-executing hi by name inside runs /usr/bin/hi in the same sandbox" \
	sh -c 'printf "%s\n" "$1" | grep -q "^hello from sandbox as /usr/bin/hi pid .* args again$"' - "$second"
check "... in the same process (no nesting)" \
	test "$(echo "$first" | sed 's/.* pid \([0-9]*\).*/\1/')" = "$(echo "$second" | sed 's/.* pid \([0-9]*\).*/\1/')"
[ -n "$out" ] && printf "%s\n" "$out" | sed "s/^/# /"
done_testing
