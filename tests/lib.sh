# TAP helpers for boxwrap's sh tests, after bubblewrap's tests/libtest.sh.
# Sandboxed processes run as an unprivileged user: when the tests run as
# root (CI), a dedicated system user, boxwrap-test. Not 65534: that is the
# kernel's overflow uid, which root-owned files show as inside a user
# namespace, so the sandbox would seem to own them.
set -u
B=${B:-.build}
BOXWRAP=${BOXWRAP:-$PWD/$B/boxwrap}
# The built flatpak-spawn, bound into sandboxes with nested-sandbox.
export BOXWRAP_SPAWN_HELPER="${BOXWRAP_SPAWN_HELPER:-$PWD/$B/flatpak-spawn}"
# The built wayland-context, which launches go through with a compositor.
export BOXWRAP_WAYLAND_HELPER="${BOXWRAP_WAYLAND_HELPER:-$PWD/$B/wayland-context}"
# The built open-binds, which emitted launchers and bwrap 0.8 sandboxes use.
export BOXWRAP_OPEN_HELPER="${BOXWRAP_OPEN_HELPER:-$PWD/$B/open-binds}"
# The boxwrap that launchers hand over to (overrides, descriptors above 9).
export BOXWRAP_SELF="${BOXWRAP_SELF:-$BOXWRAP}"
if [ "$(id -u)" = 0 ]; then
	if ! id -u boxwrap-test >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin boxwrap-test 2>/dev/null ||
			id -u boxwrap-test >/dev/null 2>&1 || { echo "Bail out! cannot create user boxwrap-test"; exit 1; }
	fi
	TEST_UID=${TEST_UID:-$(id -u boxwrap-test)}
	TEST_GID=${TEST_GID:-$(id -g boxwrap-test)}
fi
tap_n=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { _d=$1; shift; if "$@"; then ok "$_d"; else not_ok "$_d"; fi; }
# A skip is a failure where user namespaces are promised (CI).
skip() {
	tap_n=$((tap_n + 1))
	if [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ]; then
		echo "not ok $tap_n - $1 # SKIP not allowed here: $2"
	else
		echo "ok $tap_n # SKIP $2"
	fi
}
# A skip for what no machine of ours has (Bluetooth hardware, a 32-bit
# ABI): stays a skip in CI, and says exactly what is missing.
skip_absent() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $2"; }
# check_shellcheck DESCRIPTION SHELLCHECK-ARGS...: shellcheck where it is
# installed. Alpine builds it only where GHC exists (x86_64, aarch64), so
# an armv7 builder skips; CI, which promises everything, fails instead.
check_shellcheck() {
	_d=$1; shift
	if command -v shellcheck >/dev/null 2>&1; then
		check "$_d" shellcheck "$@"
	else
		skip "$_d" "shellcheck is not installed"
	fi
}
done_testing() { echo "1..$tap_n"; }
diag() { printf '# %s\n' "$@"; }

# A scratch tree the test user can use: HOME, a 0700 runtime dir, and
# copies of what it must read.
setup_scratch() {
	scratch=$(mktemp -d)
	chmod 755 "$scratch"
	trap 'cleanup_scratch' EXIT
	home=$scratch/home
	rt=$scratch/rt
	mkdir -p "$home" "$rt"
	chmod 700 "$rt"
	if [ "$(id -u)" = 0 ]; then
		chown "$TEST_UID:$TEST_GID" "$home" "$rt"
	else
		TEST_UID=$(id -u) TEST_GID=$(id -g)
	fi
}
cleanup_scratch() { rm -rf "$scratch"; }

# Runs a command as the test user with the scratch HOME and runtime dir.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		HOME=$home XDG_RUNTIME_DIR=$rt setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups -- "$@"
	else
		HOME=$home XDG_RUNTIME_DIR=$rt "$@"
	fi
}

# Starts a command as the test user in the background; its pid (the
# command's own, not a subshell's) is in $bg_pid.
as_user_bg() {
	if [ "$(id -u)" = 0 ]; then
		HOME=$home XDG_RUNTIME_DIR=$rt setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups -- "$@" &
	else
		HOME=$home XDG_RUNTIME_DIR=$rt "$@" &
	fi
	bg_pid=$!
}

# Gives a file or tree to the test user.
give() { if [ "$(id -u)" = 0 ]; then chown -R "$TEST_UID:$TEST_GID" "$@"; fi; }

have_userns() {
	as_user bwrap --unshare-user --disable-userns --ro-bind / / true 2>/dev/null
}

# bwrap's options that enter the Debian 13 root that tests/debian13-root.sh
# builds (bwrap 0.12, xdg-dbus-proxy 0.1.6, the portal 1.20, compositors,
# PipeWire), as root: the root's own tools, this checkout at /mnt with its
# boxwrap. The host's /proc, not a new one: bwrap covers parts of a new
# one, and the kernel lets a user namespace mount proc only where a whole
# proc is visible. No host path of a helper or of the caller's sessions.
debian13_root=${BOXWRAP_DEBIAN13_ROOT:-/var/cache/boxwrap/debian13}
debian13_enter() { # COMMAND...
	case $B in /*) echo "Bail out! B=$B: a build directory inside the checkout is needed"; exit 1 ;; esac
	bwrap --ro-bind "$debian13_root" / --dev-bind /dev /dev --bind /proc /proc --ro-bind /sys /sys \
		--tmpfs /tmp --tmpfs /run --tmpfs /var/tmp --bind "$PWD" /mnt --chdir /mnt \
		--setenv BOXWRAP_IN_ROOT "$debian13_root" --setenv B "$B" --setenv BOXWRAP "/mnt/$B/boxwrap" \
		--unsetenv BOXWRAP_SPAWN_HELPER --unsetenv BOXWRAP_OPEN_HELPER --unsetenv BOXWRAP_WAYLAND_HELPER \
		--unsetenv BOXWRAP_SELF --unsetenv TEST_UID --unsetenv TEST_GID \
		--unsetenv WAYLAND_DISPLAY --unsetenv DISPLAY --unsetenv PULSE_SERVER --unsetenv PIPEWIRE_REMOTE \
		--die-with-parent -- "$@"
}

# debian13_reexec PROGRAM SCRIPT ARGS...: where PROGRAM is missing here but
# in the Debian 13 root (Debian 12), runs the test script there instead,
# as root only, as CI runs (the test inside drops to its user as always).
debian13_reexec() {
	_prog=$1
	shift
	if [ -z "${BOXWRAP_IN_ROOT-}" ] && ! command -v "$_prog" > /dev/null 2>&1 &&
		[ -x "$debian13_root/usr/bin/$_prog" ] && [ "$(id -u)" = 0 ]; then
		debian13_enter sh "$@"
		exit $?
	fi
}

# in_debian13_root SCRIPT: runs a test script again in the Debian 13 root
# that tests/debian13-root.sh builds (bwrap 0.12, xdg-dbus-proxy 0.1.6,
# the portal 1.20), entered with bwrap as root as t-apps-gtk4 is: the
# root's own tools, this checkout at /mnt with its boxwrap. Its results
# become this test's, each named "debian13: ...". Returns 1, running
# nothing, without the root, inside it already, or not as root.
in_debian13_root() {
	[ -z "${BOXWRAP_IN_ROOT-}" ] && [ "$(id -u)" = 0 ] && [ -x "$debian13_root/usr/bin/bwrap" ] || return 1
	debian13_enter sh "$1" > "$scratch/debian13.tap" 2>&1
	while IFS= read -r _line; do
		case $_line in
		"ok "[0-9]*" # SKIP "*) skip "debian13: ${_line#*SKIP }" "${_line#*SKIP }" ;;
		"ok "[0-9]*) ok "debian13: ${_line#ok [0-9]* - }" ;;
		"not ok "[0-9]*) not_ok "debian13: ${_line#not ok [0-9]* - }" ;;
		"1.."*) ;;
		*) echo "# debian13: $_line" ;;
		esac
	done < "$scratch/debian13.tap"
}
