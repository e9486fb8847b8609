#!/bin/sh
# The seccomp filter as boxwrap applies it, in both launch modes: `run`
# builds it in memory when no precompiled file is installed ("run"), or
# loads that file as the emitted launcher does ("run+file"; a corrupt file
# is not used: "run+bad").
# (tests/test-seccomp.sh covers every rule with bwrap directly.)
. tests/lib.sh
setup_scratch
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
for app in org.boxwrap.Test org.boxwrap.TestNested; do
	mkdir -p "$home/.var/app/$app"
	cp "$B/tests/probe" "$home/.var/app/$app/probe"
done
give "$home"
for p in basic nested; do
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "tests/profiles/$p.yaml" > "$scratch/$p.sh"
done
# A precompiled filter of the wrong size, for every variant.
mkdir -p "$scratch/bad"
for f in "$scratch"/seccomp/*.bpf; do printf 'short' > "$scratch/bad/${f##*/}"; done
chmod -R a+rX "$scratch/bad"
launch() {
	case $1 in
	run) as_user env BOXWRAP_SECCOMP_DIR=/nonexistent "$BOXWRAP" run "tests/profiles/$2.yaml" -c "$3" ;;
	run+file) as_user env BOXWRAP_SECCOMP_DIR="$scratch/seccomp" "$BOXWRAP" run "tests/profiles/$2.yaml" -c "$3" ;;
	run+bad) as_user env BOXWRAP_SECCOMP_DIR="$scratch/bad" "$BOXWRAP" run "tests/profiles/$2.yaml" -c "$3" ;;
	emit) as_user sh "$scratch/$2.sh" -c "$3" ;;
	esac
}
if ! have_userns; then
	skip "seccomp launch tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

# CASE, the errno in the default sandbox, and outside any filter.
expect='ioctl TIOCSTI|EPERM|EBADF
ioctl TIOCLINUX|EPERM|EBADF
clone3|ENOSYS|EFAULT
open_tree|ENOSYS|EFAULT
io_uring_setup|ENOSYS|EFAULT
socket 17|EAFNOSUPPORT|0
socket 38|EAFNOSUPPORT|
ptrace|EPERM|ESRCH
keyctl|EPERM|
chmod|EFAULT|EFAULT'
for mode in run run+file run+bad emit; do
	while IFS='|' read -r case inside outside; do
		got=$(launch $mode basic "~/probe '$case'" 2>&1)
		check "$mode: $case gives $inside inside" test "$got" = "$case $inside"
		if [ -n "$outside" ] && [ "$inside" != "$outside" ]; then
			got=$("$B/tests/probe" "$case" 2>&1)
			check "$mode: ... and $outside outside (the filter made the difference)" test "$got" = "$case $outside"
		fi
	done <<EOF
$expect
EOF
	out=$(launch $mode basic 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "')
	check "$mode: NoNewPrivs 1, Seccomp 2" test "$out" = "$(printf 'NoNewPrivs: 1\nSeccomp: 2')"
	out=$(launch $mode basic 'unshare -U true 2>&1 && echo NESTED')
	check "$mode: a nested user namespace fails" sh -c 'case $1 in *NESTED*) exit 1 ;; esac' - "$out"
	out=$(launch $mode basic 'bwrap --unshare-user --ro-bind / / true 2>&1 && echo NESTED')
	check "$mode: a nested bwrap fails" sh -c 'case $1 in *NESTED*) exit 1 ;; esac' - "$out"
	out=$(launch $mode nested 'unshare -U true 2>&1 && echo NESTED')
	check "$mode: with nested-sandbox a nested user namespace works" sh -c 'case $1 in *NESTED*) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode nested "~/probe 'ioctl TIOCSTI' io_uring_setup")
	check "$mode: ... while TIOCSTI and io_uring stay blocked" test "$out" = "$(printf 'ioctl TIOCSTI EPERM\nio_uring_setup ENOSYS')"
	out=$(launch $mode nested "~/probe ptrace")
	check "$mode: devel lifts ptrace" test "$out" = "ptrace ESRCH"
done

# run loads the installed file: one whose default.bpf is really the
# devel variant lets ptrace through.
mkdir -p "$scratch/swapped"
cp "$scratch/seccomp/devel.bpf" "$scratch/swapped/default.bpf"
chmod -R a+rX "$scratch/swapped"
out=$(as_user env BOXWRAP_SECCOMP_DIR="$scratch/swapped" "$BOXWRAP" run tests/profiles/basic.yaml -c "~/probe ptrace")
check "run uses the installed precompiled filter (a swapped file shows: $out)" test "$out" = "ptrace ESRCH"

# The emitted launcher will not start without its filter (no fallback).
mv "$scratch/seccomp/default.bpf" "$scratch/default.bpf.away"
out=$(as_user sh "$scratch/basic.sh" -c 'echo STARTED' 2>&1); rc=$?
check "a launcher whose filter is missing refuses to start" \
	sh -c '[ "$2" != 0 ] && case $1 in *STARTED*) exit 1 ;; *"seccomp filter"*"missing"*) ;; *) exit 1 ;; esac' - "$out" "$rc"
mv "$scratch/default.bpf.away" "$scratch/seccomp/default.bpf"
done_testing
