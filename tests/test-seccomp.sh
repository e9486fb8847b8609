#!/bin/sh
# Integration test for the seccomp filter (security.md rows S1-S10): runs
# tests/probe under bwrap with each filter variant as an unprivileged uid
# and prints TAP.
#
# Environment:
#   B               build directory (tests/run.sh sets it; default .build)
#   PROBE           built tests/probe (default: $B/tests/probe)
#   BOXWRAP         built boxwrap; if executable, filters come from
#                   `$BOXWRAP seccomp NAME`
#   SECCOMP_EXPORT  built tests/seccomp-export (default:
#                   $B/tests/seccomp-export), used when BOXWRAP is not
#   BWRAP           bubblewrap (default: bwrap)
#   BOXWRAP_REQUIRE_USERNS=1  fail instead of skip without user namespaces
#
# Every blocked case is checked three ways: the production errno inside
# the filter, the sentinel errno (ECONNREFUSED) from the sentinel build,
# which the kernel never returns for these calls (so the filter, not the
# kernel, said no), and the unfiltered result, which must differ.
set -u

BWRAP=${BWRAP:-bwrap}
PY=/usr/bin/python3  # not $PATH's python3: it may lack pty/termios
n=0
failed=0
skip_all=

# printf, not echo: dash's echo would expand the \n in b'...\n' results.
say_ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
say_fail() { n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' "$n" "$1"; }
say_skip() { n=$((n + 1)); printf 'ok %d # SKIP %s\n' "$n" "$1"; }

# check DESC COMMAND...: one TAP line from a command's exit status.
check() {
	desc=$1
	shift
	if [ -n "$skip_all" ]; then
		say_skip "$skip_all"
	elif "$@"; then
		say_ok "$desc"
	else
		say_fail "$desc"
	fi
}

die() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

B=${B:-.build}
PROBE=${PROBE:-$B/tests/probe}
SECCOMP_EXPORT=${SECCOMP_EXPORT:-$B/tests/seccomp-export}
[ -x "${BOXWRAP:-}" ] || BOXWRAP=
[ -x "$PROBE" ] || die "no probe at $PROBE: build it or set PROBE"
[ -n "$BOXWRAP" ] || [ -x "$SECCOMP_EXPORT" ] ||
	die "no filter exporter: set BOXWRAP or SECCOMP_EXPORT"

# Files the unprivileged uid must read live in a private 0755 directory.
W=$(mktemp -d "${TMPDIR:-/tmp}/boxwrap-seccomp.XXXXXX") || die "mktemp"
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
cp "$PROBE" "$W/probe" && chmod 755 "$W/probe" || die "copying probe"

as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

export_filter() {
	if [ -n "$BOXWRAP" ]; then
		"$BOXWRAP" seccomp "$1"
	else
		"$SECCOMP_EXPORT" "$1"
	fi
}

# sandbox FILTER USERNS -- CMD...: FILTER is a variant name or "none";
# USERNS is "disable" (--disable-userns, the launcher's default) or "allow"
# (what the launcher does for nested-sandbox profiles).
sandbox() {
	filter=$1 userns=$2
	shift 3
	set -- --unshare-user --ro-bind / / --proc /proc --dev /dev \
		--unshare-pid "$@"
	[ "$userns" = disable ] && set -- --disable-userns "$@"
	if [ "$filter" = none ]; then
		as_user "$BWRAP" "$@" </dev/null
	else
		set -- --seccomp 7 "$@"
		as_user "$BWRAP" "$@" 7<"$W/$filter.bpf" </dev/null
	fi
}

# CASE|DEFAULT RESULT|KNOBS THAT LIFT IT ("-" = never blocked, a control)
CASES='ioctl TIOCSTI|EPERM|
ioctl TIOCSTI CVE-2019-10063|EPERM|
ioctl TIOCLINUX|EPERM|
ioctl TIOCLINUX CVE-2019-10063|EPERM|
ioctl TIOCNOTTY|-|
tty TIOCSTI|EPERM|
chmod|-|
chroot|EPERM|nested-sandbox
mount|EPERM|nested-sandbox
umount2|EPERM|nested-sandbox
pivot_root|EPERM|nested-sandbox
clone3|ENOSYS|
open_tree|ENOSYS|
open_tree_attr|ENOSYS|
move_mount|ENOSYS|
fsopen|ENOSYS|
fsconfig|ENOSYS|
fsmount|ENOSYS|
fspick|ENOSYS|
mount_setattr|ENOSYS|
setns|EPERM|
unshare|EPERM|nested-sandbox
unshare CLONE_NEWUSER|EPERM|nested-sandbox
clone CLONE_NEWUSER|EPERM|nested-sandbox
socket 0|-|
socket 1|-|
socket 2|-|
socket 10|-|
socket 16|-|
socket 17|EAFNOSUPPORT|
socket 40|EAFNOSUPPORT|
socket 38|EAFNOSUPPORT|
socket 15|EAFNOSUPPORT|
socket 9|EAFNOSUPPORT|
socket 31|EAFNOSUPPORT|bluetooth
socket 29|EAFNOSUPPORT|canbus
socket 51|EAFNOSUPPORT|
ptrace|EPERM|devel
perf_event_open|EPERM|devel
personality 0|-|
personality 6|EPERM|devel
personality 0xffffffff|EPERM|devel
keyctl|EPERM|
add_key|EPERM|
request_key|EPERM|
syslog|EPERM|
acct|EPERM|
quotactl|EPERM|
quotactl_fd|EPERM|
uselib|EPERM|
mbind|EPERM|
get_mempolicy|EPERM|
set_mempolicy|EPERM|
move_pages|EPERM|
migrate_pages|EPERM|
modify_ldt|EPERM|multiarch
io_uring_setup|ENOSYS|
io_uring_enter|ENOSYS|
io_uring_register|ENOSYS|
bpf|EPERM|
userfaultfd|EPERM|
kexec_load|EPERM|
init_module|EPERM|
finit_module|EPERM|
delete_module|EPERM|
reboot|EPERM|
swapon|EPERM|
swapoff|EPERM|
iopl|EPERM|
ioperm|EPERM|
open_by_handle_at|EPERM|
x32 chroot|SIGSYS|'
# socket 51 is AF_MAX (46) + 5.  Compat ABI cases are handled separately.

# Cases this ABI does not have: the probe reports ENOENT for them, filtered
# or not.  arm64 has no uselib; modify_ldt, iopl and ioperm are x86's, x32
# is x86_64's; 32-bit ABIs cannot set an ioctl's high bits.
ARCH=${ARCH:-$(uname -m)}
case $ARCH in
x86_64) ABSENT='||' ;;
aarch64 | arm64) ABSENT='|uselib|modify_ldt|iopl|ioperm|x32 chroot|' ;;
arm*) ABSENT='|modify_ldt|iopl|ioperm|x32 chroot|ioctl TIOCSTI CVE-2019-10063|ioctl TIOCLINUX CVE-2019-10063|' ;;
i?86) ABSENT='|x32 chroot|ioctl TIOCSTI CVE-2019-10063|ioctl TIOCLINUX CVE-2019-10063|' ;;
*) ABSENT='||' ;; # unknown: every case is expected, so the test says what differs
esac
# with_absent ABSENT: CASES with RESULT "absent" for those missing there.
CASES_ALL=$CASES
with_absent() {
	printf '%s\n' "$CASES_ALL" | awk -F'|' -v a="$1" 'BEGIN { OFS = "|" }
		index(a, "|" $1 "|") { $2 = "absent"; $3 = "" } { print }'
}
CASES=$(with_absent "$ABSENT")

KNOBS='devel multiarch bluetooth canbus nested-sandbox'

# run_probe OUT FILTER USERNS: every case in one sandbox, "CASE RESULT" lines.
run_probe() {
	out=$1 filter=$2 userns=$3
	set --
	while IFS='|' read -r c _ _; do
		set -- "$@" "$c"
	done <<EOF
$CASES
i386 getpid
i386 chroot
i386 socketcall
EOF
	sandbox "$filter" "$userns" -- "$W/probe" "$@" >"$out" 2>"$out.err"
}

# result FILE CASE: the RESULT the probe printed for CASE.
result() {
	awk -v c="$2" '{ r = $NF; $NF = ""; sub(/ $/, ""); if ($0 == c) print r }' "$1"
}

# ---- setup ---------------------------------------------------------------

for v in default sentinel $KNOBS; do
	export_filter "$v" >"$W/$v.bpf" || die "exporting filter $v"
	case $v in default | sentinel) ;; *)
		export_filter "$v+sentinel" >"$W/$v+sentinel.bpf" ||
			die "exporting filter $v+sentinel"
		;;
	esac
done
chmod 644 "$W"/*.bpf

if ! sandbox none disable -- true >/dev/null 2>&1; then
	if [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ]; then
		say_fail "bwrap can create a user namespace (BOXWRAP_REQUIRE_USERNS=1)"
	fi
	skip_all="no user namespaces"
fi

if [ -z "$skip_all" ]; then
	run_probe "$W/out.none" none disable
	run_probe "$W/out.none-userns" none allow
	run_probe "$W/out.default" default disable
	run_probe "$W/out.sentinel" sentinel disable
	for k in $KNOBS; do
		u=disable
		[ "$k" = nested-sandbox ] && u=allow
		run_probe "$W/out.$k" "$k" "$u"
		run_probe "$W/out.$k+sentinel" "$k+sentinel" "$u"
	done
	[ -s "$W/out.default" ] || die "probe printed nothing: $(cat "$W/out.default.err")"
fi

# ---- the default filter, case by case ----------------------------------

eq() { [ "$1" = "$2" ]; }
ne() { [ "$1" != "$2" ]; }

while IFS='|' read -r c exp lift; do
	o=$(result "$W/out.none" "$c" 2>/dev/null)
	i=$(result "$W/out.default" "$c" 2>/dev/null)
	s=$(result "$W/out.sentinel" "$c" 2>/dev/null)
	if [ "$exp" = - ]; then
		check "control: $c gives $i inside, same as unfiltered ($o)" \
			eq "$i|$s" "$o|$o"
		continue
	fi
	if [ "$exp" = absent ]; then
		check "$ARCH has no $c: the probe says ENOENT (got $i, sentinel $s, unfiltered $o)" \
			eq "$i|$s|$o" "ENOENT|ENOENT|ENOENT"
		continue
	fi
	want_s=ECONNREFUSED
	[ "$exp" = SIGSYS ] && want_s=SIGSYS
	check "default: $c -> $exp (got $i)" eq "$i" "$exp"
	check "sentinel: $c -> $want_s, the filter not the kernel (got $s)" \
		eq "$s" "$want_s"
	note=
	[ "$o" = "$exp" ] && note=", kernel also says $exp: sentinel tells apart"
	check "unfiltered: $c -> $o, differs from the filter's$note" \
		eval '[ -n "$o" ] && [ "$o" != "$s" ] && [ "$o" != SIGSYS ]'
done <<EOF
$CASES
EOF

# ---- knobs: lifted cases behave as unfiltered, everything else stays ----

for k in $KNOBS; do
	ref=$W/out.none
	[ "$k" = nested-sandbox ] && ref=$W/out.none-userns
	bad=
	while IFS='|' read -r c exp lift; do
		o=$(result "$ref" "$c" 2>/dev/null)
		i=$(result "$W/out.$k" "$c" 2>/dev/null)
		s=$(result "$W/out.$k+sentinel" "$c" 2>/dev/null)
		case ",$lift," in
		*",$k,"*)
			check "$k: $c lifted: $i (sentinel build $s), as unfiltered ($o)" \
				eq "$s|$i" "$o|$o"
			;;
		*)
			case $exp in
			-) want=$o want_s=$o ;;
			absent) want=ENOENT want_s=ENOENT ;;
			SIGSYS) want=SIGSYS want_s=SIGSYS ;;
			*) want=$exp want_s=ECONNREFUSED ;;
			esac
			[ "$i|$s" = "$want|$want_s" ] || bad="$bad [$c: $i/$s, want $want/$want_s]"
			;;
		esac
	done <<EOF
$CASES
EOF
	check "$k: every other case keeps the default result${bad:+:$bad}" eq "$bad" ""
done

# ---- the compat ABI (S7) --------------------------------------------------
# Without multiarch a program of the compat ABI dies at its first call (the
# filter's bad-arch action); with it, it meets the same refusals.

# x86_64: i386 calls through int 0x80, from the probe itself.
compat_i386() {
	i386_skip=
	[ -z "$skip_all" ] && [ "$(result "$W/out.none" "i386 getpid")" != 0 ] &&
		i386_skip="no ia32 emulation (unfiltered int 0x80: $(result "$W/out.none" "i386 getpid"))"
	i386_check "default: i386 getpid killed (arch not in filter)" "$W/out.default" "i386 getpid" SIGSYS
	i386_check "multiarch: i386 getpid allowed" "$W/out.multiarch" "i386 getpid" 0
	i386_check "multiarch: i386 chroot -> EPERM" "$W/out.multiarch" "i386 chroot" EPERM
	i386_check "multiarch: i386 socketcall(SYS_SOCKET) blocked" "$W/out.multiarch" "i386 socketcall" EAFNOSUPPORT
}
i386_check() { # DESC FILE CASE WANT
	if [ -n "$i386_skip" ] && [ -z "$skip_all" ]; then
		say_skip "$i386_skip"
	else
		check "$1 (got $(result "$2" "$3" 2>/dev/null))" eq "$(result "$2" "$3" 2>/dev/null)" "$4"
	fi
}

# aarch64: a static 32-bit arm build of the probe (PROBE32, AUDIT_ARCH_ARM).
# Calls newer than libseccomp's tables are filtered by number on the native
# ABI only (lib/seccomp.c, by_number[]): on the compat ABI the kernel answers.
ARM_ABSENT='|modify_ldt|iopl|ioperm|x32 chroot|ioctl TIOCSTI CVE-2019-10063|ioctl TIOCLINUX CVE-2019-10063|'
COMPAT_BY_NUMBER='|open_tree_attr|'
compat_arm() {
	PROBE32=${PROBE32:-$B/tests/probe32}
	if [ -n "$skip_all" ]; then
		check "32-bit arm" false
		return
	fi
	if [ ! -x "$PROBE32" ]; then
		if [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ]; then
			say_fail "32-bit arm: no static armhf probe at $PROBE32 (set PROBE32)"
		else
			say_skip "no static armhf probe at $PROBE32 (set PROBE32)"
		fi
		return
	fi
	cp "$PROBE32" "$W/probe32" && chmod 755 "$W/probe32" || die "copying probe32"
	with_absent "$ARM_ABSENT" >"$W/cases32"
	set --
	while IFS='|' read -r c _ _; do
		set -- "$@" "$c"
	done <"$W/cases32"
	for f in none default multiarch multiarch+sentinel; do
		sandbox "$f" disable -- "$W/probe32" "$@" >"$W/out32.$f" 2>"$W/out32.$f.err"
		echo $? >"$W/out32.$f.status"
	done
	o=$(result "$W/out32.none" chmod)
	if [ "$o" != EFAULT ]; then
		say_skip "no 32-bit arm support in this kernel (unfiltered: $(cat "$W/out32.none.err"))"
		return
	fi
	st=$(cat "$W/out32.default.status")
	lines=$(wc -l <"$W/out32.default" | tr -d ' ')
	check "default: a 32-bit arm program is killed at its first call, SIGSYS (status $st, $lines lines of output)" \
		eq "$st|$lines" "159|0"
	while IFS='|' read -r c exp lift; do
		o=$(result "$W/out32.none" "$c")
		i=$(result "$W/out32.multiarch" "$c")
		s=$(result "$W/out32.multiarch+sentinel" "$c")
		case $exp in
		-) want=$o want_s=$o ;;
		absent) want=ENOENT want_s=ENOENT ;;
		*) want=$exp want_s=ECONNREFUSED ;;
		esac
		case ",$lift," in *,multiarch,*) want=$o want_s=$o ;; esac
		case $COMPAT_BY_NUMBER in *"|$c|"*) want_s=$o ;; esac
		check "multiarch, 32-bit arm: $c -> $i (sentinel $s, unfiltered $o; want $want/$want_s)" \
			eq "$i|$s" "$want|$want_s"
	done <"$W/cases32"
}

case $ARCH in
x86_64) compat_i386 ;;
aarch64 | arm64) compat_arm ;;
esac

# ---- S10: the filter is really in place, and no descriptor leaks --------

status_of() { # FILTER FIELD
	sandbox "$1" disable -- /bin/sh -c "sed -n 's/^$2:[[:space:]]*//p' /proc/self/status"
}
if [ -z "$skip_all" ]; then
	nnp=$(status_of default NoNewPrivs) sc=$(status_of default Seccomp)
	scf=$(status_of default Seccomp_filters) sc0=$(status_of none Seccomp)
	fds=$(sandbox default disable -- /bin/sh -c \
		'for f in /proc/self/fd/*; do readlink "$f"; done' 2>&1)
fi
check "inside: NoNewPrivs 1 (got ${nnp:-})" eq "${nnp:-}" 1
check "inside: Seccomp 2 (got ${sc:-}), unfiltered 0 (got ${sc0:-})" eq "${sc:-}|${sc0:-}" "2|0"
check "inside: Seccomp_filters >= 1 (got ${scf:-})" eval '[ "${scf:-0}" -ge 1 ]'
check "inside: no descriptor refers to the filter file" \
	eval 'ne "${fds:-}" "" && ! printf "%s\n" "$fds" | grep -q "\.bpf"'

# ---- S5: nested user namespaces and nested bwrap ------------------------

nested() { # FILTER USERNS CMD...
	f=$1 u=$2
	shift 2
	sandbox "$f" "$u" -- "$@" >/dev/null 2>&1
}
NB="$BWRAP --unshare-user --ro-bind / / true"
if [ -z "$skip_all" ]; then
	# The filter alone (outer bwrap without --disable-userns) must stop them.
	nested default allow unshare -U true; r1=$?
	nested default allow $NB; r2=$?
	nested default disable unshare -U true; r3=$?
	nested none allow unshare -U true; r4=$?
	nested none allow $NB; r5=$?
	nested nested-sandbox allow unshare -U true; r6=$?
	nested nested-sandbox allow $NB; r7=$?
	inner=$(sandbox nested-sandbox allow -- $BWRAP --unshare-user --ro-bind / / \
		-- "$W/probe" "ioctl TIOCSTI" "tty TIOCSTI" io_uring_setup keyctl \
		ptrace setns fsopen clone3 "socket 17" "x32 chroot" 2>&1)
fi
check "default filter alone: nested unshare -U fails" eval '[ "${r1:-0}" != 0 ]'
check "default filter alone: nested bwrap fails" eval '[ "${r2:-0}" != 0 ]'
check "default + --disable-userns: nested unshare -U fails" eval '[ "${r3:-0}" != 0 ]'
check "unfiltered (no --disable-userns): nested unshare -U works" eval '[ "${r4:-1}" = 0 ]'
check "unfiltered (no --disable-userns): nested bwrap works" eval '[ "${r5:-1}" = 0 ]'
check "nested-sandbox: nested unshare -U works" eval '[ "${r6:-1}" = 0 ]'
check "nested-sandbox: nested bwrap --unshare-user works" eval '[ "${r7:-1}" = 0 ]'
x32_inner=SIGSYS
case $ABSENT in *"|x32 chroot|"*) x32_inner=ENOENT ;; esac
want_inner="ioctl TIOCSTI EPERM
tty TIOCSTI EPERM
io_uring_setup ENOSYS
keyctl EPERM
ptrace EPERM
setns EPERM
fsopen ENOSYS
clone3 ENOSYS
socket 17 EAFNOSUPPORT
x32 chroot $x32_inner"
check "nested-sandbox: inside the nested bwrap the other rules still hold" \
	eq "${inner:-}" "$want_inner"

# ---- S1: TIOCSTI on a real controlling terminal injects nothing ---------

# Child: new session with the pty slave as controlling tty, runs the sandbox
# (no --new-session, so the tty is reachable).  Parent: after the child
# exits, a non-blocking read of the slave shows what was injected.
pty_run() { # FILTER -> "probe-output|injected-bytes"
	filter=$1
	if [ "$filter" = none ]; then
		set -- "$BWRAP"
	else
		set -- "$BWRAP" --seccomp 7
	fi
	[ "$(id -u)" = 0 ] &&
		set -- setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	"$PY" - "$W/$filter.bpf" "$@" --unshare-user --disable-userns \
		--ro-bind / / --proc /proc --dev /dev --unshare-pid \
		-- "$W/probe" "tty TIOCSTI" <<'PYEOF'
import fcntl, os, pty, sys, termios, tty
bpf, argv = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
tty.setraw(slave)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(rd)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(slave, 0)
    os.dup2(wr, 1)
    if "--seccomp" in argv:
        fd = os.open(bpf, os.O_RDONLY)
        os.dup2(fd, 7)
        os.set_inheritable(7, True)
    os.execvp(argv[0], argv)
os.close(wr)
out = os.read(rd, 4096).decode().strip()
os.waitpid(pid, 0)
os.set_blocking(slave, False)
try:
    got = os.read(slave, 4096)
except BlockingIOError:
    got = b""
print("%s|%r" % (out, got))
PYEOF
}
if [ -z "$skip_all" ]; then
	pty_in=$(pty_run default 2>&1)
	pty_out=$(pty_run none 2>&1)
fi
check "pty: filtered TIOCSTI -> EPERM, nothing injected (${pty_in:-})" \
	eq "${pty_in:-}" "tty TIOCSTI EPERM|b''"
if [ -z "$skip_all" ] && [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null)" = 0 ]; then
	say_skip "dev.tty.legacy_tiocsti=0: the kernel blocks TIOCSTI itself"
else
	check "pty: unfiltered TIOCSTI injects into the terminal (${pty_out:-})" \
		eq "${pty_out:-}" "tty TIOCSTI 0|b'echo INJECTED\\n'"
fi

printf '1..%d\n' "$n"
[ "$failed" = 0 ]
