#!/bin/sh
# PID 1 of the arm64 guest that tests/tier-arm64.sh boots: mounts what a
# system has, runs the tests on the real aarch64 kernel as root (they drop
# to the unprivileged boxwrap-test user themselves) and powers off.  The
# console is the host's log: the host reads the "arm64-guest:" lines.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# busybox's mount: util-linux's lives in Debian's "mount" package.
mount() { busybox mount "$@"; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
busybox hostname arm64-guest
busybox ip link set lo up
cd /src || exit 1
booted=$(cut -d' ' -f1 /proc/uptime)
echo "arm64-guest: booted in ${booted} s: $(uname -srm), $(nproc) CPUs"
echo "arm64-guest: user namespaces: $(cat /proc/sys/user/max_user_namespaces 2>/dev/null)"
export B=.build BOXWRAP_REQUIRE_USERNS=1 PROBE32=$PWD/.build/tests/probe32
export TESTS="$(ls .build/tests/unit-* | tr '\n' ' ') .build/tests/test-seccomp-unit
	tests/t-seccomp-launch.sh tests/test-seccomp.sh tests/t-sandbox.sh tests/arm64-guest.sh"
# boxwrap.tests=A,B on the kernel command line: only those (debugging).
for a in $(cat /proc/cmdline); do
	case $a in boxwrap.tests=*) TESTS=$(echo "${a#boxwrap.tests=}" | tr ',' ' ') ;; esac
done
start=$(cut -d' ' -f1 /proc/uptime)
sh tests/run.sh 2>&1 | tee /tmp/run.log
end=$(cut -d' ' -f1 /proc/uptime)
echo "arm64-guest: tests took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }') s"
echo "arm64-guest: result: $(tail -n 1 /tmp/run.log)"
sync
echo o > /proc/sysrq-trigger
sleep 10
