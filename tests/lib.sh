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

# The Debian 13 root that tests/debian13-root.sh builds (make deps on
# Debian 12): today's bwrap, xdg-dbus-proxy, xdg-desktop-portal and dbus.
debian13_root=${BOXWRAP_DEBIAN13_ROOT:-/var/cache/boxwrap/debian13}

# in_debian13_root CMD...: runs CMD as root in the Debian 13 root, in a
# private mount namespace: the root under an overlay whose upper layer is
# a tmpfs (writable as a machine's root is, as tests that run as root
# expect, and left unchanged), this checkout at /mnt (the working
# directory) with its build $B (built here, unchanged: boxwrap is the
# host's binary on the root's libraries), the host's /dev, /proc and /sys,
# the test user with its uid here.
# The host's /proc, not a new one: the kernel lets a user namespace mount
# proc only where a whole proc is visible. unshare and pivot_root, not
# bwrap: bwrap sets no_new_privs, under which the setuid fusermount3 that
# xdg-document-portal mounts with fails; not chroot: the kernel refuses a
# user namespace to a chrooted process.
in_debian13_root() {
	case $B in /*) echo "Bail out! B=$B: a build directory inside the checkout is needed"; return 1 ;; esac
	_w=$(mktemp -d "${TMPDIR:-/tmp}/boxwrap-debian13.XXXXXX") || return 1
	BOXWRAP_IN_ROOT=$debian13_root BOXWRAP=/mnt/$B/boxwrap BOXWRAP_SPAWN_HELPER=/mnt/$B/flatpak-spawn \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		unshare --mount --propagation private -- sh -c '
		set -e
		lower=$1 w=$2 src=$3 uid=$4 gid=$5
		shift 5
		mount -t tmpfs -o mode=0700 tmpfs "$w"
		mkdir "$w/upper" "$w/work" "$w/root"
		r=$w/root
		mount -t overlay -o "lowerdir=$lower,upperdir=$w/upper,workdir=$w/work" overlay "$r"
		# The test user keeps its host uid: tests find and kill its
		# processes by uid in the shared /proc, where the root'"'"'s uid for
		# it may be another user'"'"'s (polkitd on Debian 12).
		if [ -n "$uid" ]; then
			sed -i "s/^boxwrap-test:x:[0-9]*:[0-9]*:/boxwrap-test:x:$uid:$gid:/" "$r/etc/passwd"
			sed -i "s/^boxwrap-test:x:[0-9]*:/boxwrap-test:x:$gid:/" "$r/etc/group"
		fi
		for d in dev proc sys; do mount --rbind "/$d" "$r/$d"; done
		mount --bind "$src" "$r/mnt"
		unset TMPDIR
		# The old root stacks on the new one and is detached (pivot_root(2)).
		cd "$r"
		pivot_root . .
		umount -l .
		cd /mnt
		exec "$@"
	' sh "$debian13_root" "$_w" "$PWD" "${TEST_UID-}" "${TEST_GID-}" "$@"
	set -- $?
	rmdir "$_w"
	return "$1"
}
