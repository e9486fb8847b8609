# Entering the Debian 13 root that tests/debian13-root.sh builds (make
# deps on Debian 12): today's bwrap, xdg-dbus-proxy, xdg-desktop-portal,
# dbus and libseccomp. Sourced after tests/lib.sh (tests/tier-debian13.sh).
debian13_root=${BOXWRAP_DEBIAN13_ROOT:-/var/cache/boxwrap/debian13}

# enter_debian13_root CMD...: runs CMD as root in the Debian 13 root and
# returns its status. A private mount namespace holds the root under an
# overlay whose upper layer is a tmpfs (writable, as tests that run as
# root expect of a machine's root, and the root stays unchanged), the
# host's /dev, /proc and /sys, and this checkout at its own path, the
# working directory: its build is used unchanged (boxwrap is the host's
# binary on the root's libraries), and every path the tests derived from
# it here ($BOXWRAP, the helpers lib.sh exports) holds there too. The
# test user keeps its uid here: tests find and kill its processes by uid
# in the shared /proc, where the root's own uid for it may be another
# user's (polkitd on Debian 12).
# The host's /proc, not a new one: the kernel lets a user namespace mount
# proc only where a whole proc is visible. unshare and pivot_root, not
# bwrap: bwrap sets no_new_privs, under which the setuid fusermount3 that
# xdg-document-portal mounts with fails (the portal and secret suites
# cannot start); not chroot: the kernel refuses a user namespace to a
# chrooted process.
enter_debian13_root() {
	case $B in /*) case $B in "$PWD"/*) ;; *)
		echo "Bail out! B=$B: a build directory inside the checkout is needed"; return 1 ;; esac ;; esac
	_w=$(mktemp -d "${TMPDIR:-/tmp}/boxwrap-debian13.XXXXXX") || return 1
	BOXWRAP_IN_ROOT=$debian13_root PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		unshare --mount --propagation private -- sh -c '
		set -e
		lower=$1 w=$2 src=$3 uid=$4 gid=$5
		shift 5
		mount -t tmpfs -o mode=0700 tmpfs "$w"
		mkdir "$w/upper" "$w/work" "$w/root"
		r=$w/root
		mount -t overlay -o "lowerdir=$lower,upperdir=$w/upper,workdir=$w/work" overlay "$r"
		if [ -n "$uid" ]; then
			sed -i "s/^boxwrap-test:x:[0-9]*:[0-9]*:/boxwrap-test:x:$uid:$gid:/" "$r/etc/passwd"
			sed -i "s/^boxwrap-test:x:[0-9]*:/boxwrap-test:x:$gid:/" "$r/etc/group"
		fi
		for d in dev proc sys; do mount --rbind "/$d" "$r/$d"; done
		mkdir -p "$r$src"
		mount --bind "$src" "$r$src"
		unset TMPDIR
		# The old root stacks on the new one and is detached (pivot_root(2)).
		cd "$r"
		pivot_root . .
		umount -l .
		cd "$src"
		exec "$@"
	' sh "$debian13_root" "$_w" "$PWD" "${TEST_UID-}" "${TEST_GID-}" "$@"
	set -- $?
	rmdir "$_w"
	return "$1"
}
