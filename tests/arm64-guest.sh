#!/bin/sh
# Inside the arm64 guest (tests/arm64-init.sh, booted by tests/tier-arm64.sh):
# a shipped profile through `boxwrap run` and its emitted launcher, with the
# probe's figures for native arm64 and for a static 32-bit arm program
# (AUDIT_ARCH_ARM) without and with `features: [multiarch]`; and the filters
# `make` exported under qemu-user are byte-identical to this native export.
. tests/lib.sh
setup_scratch
PROBE32=${PROBE32:-$B/tests/probe32}
# The sandbox's home is the app's directory (~/.var/app/APP-ID).
app_home=$home/.var/app/org.boxwrap.Shell
mkdir -p "$app_home"
cp "$B/tests/probe" "$app_home/probe"
cp "$PROBE32" "$app_home/probe32"
give "$home"
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
cp profiles/boxwrap-shell.yaml "$scratch/shell.yaml"
{ cat profiles/boxwrap-shell.yaml; echo 'features: [multiarch]'; } > "$scratch/shell-multiarch.yaml"
chmod a+r "$scratch"/*.yaml
for p in shell shell-multiarch; do
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit -o "$scratch/$p.sh" "$scratch/$p.yaml" ||
		not_ok "emit $p"
done
chmod a+rx "$scratch"/*.sh
launch() { # MODE PROFILE COMMAND
	case $1 in
	run) as_user env BOXWRAP_SECCOMP_DIR="$scratch/seccomp" "$BOXWRAP" run "$scratch/$2.yaml" -c "$3" ;;
	emit) as_user sh "$scratch/$2.sh" -c "$3" ;;
	esac
}
if ! have_userns; then
	skip "arm64 guest checks" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

# CASE | native arm64 | 32-bit arm with multiarch (arm64 has no uselib).
expect='ioctl TIOCSTI|EPERM|EPERM
ioctl TIOCLINUX|EPERM|EPERM
unshare CLONE_NEWUSER|EPERM|EPERM
clone CLONE_NEWUSER|EPERM|EPERM
setns|EPERM|EPERM
mount|EPERM|EPERM
chroot|EPERM|EPERM
clone3|ENOSYS|ENOSYS
open_tree|ENOSYS|ENOSYS
move_mount|ENOSYS|ENOSYS
fsopen|ENOSYS|ENOSYS
mount_setattr|ENOSYS|ENOSYS
io_uring_setup|ENOSYS|ENOSYS
io_uring_enter|ENOSYS|ENOSYS
socket 17|EAFNOSUPPORT|EAFNOSUPPORT
socket 40|EAFNOSUPPORT|EAFNOSUPPORT
ptrace|EPERM|EPERM
perf_event_open|EPERM|EPERM
personality 6|EPERM|EPERM
keyctl|EPERM|EPERM
add_key|EPERM|EPERM
syslog|EPERM|EPERM
bpf|EPERM|EPERM
userfaultfd|EPERM|EPERM
kexec_load|EPERM|EPERM
init_module|EPERM|EPERM
uselib|ENOENT|EPERM
chmod|EFAULT|EFAULT
socket 1|0|0'
cases=$(printf '%s\n' "$expect" | cut -d'|' -f1 | sed "s/.*/'&'/" | tr '\n' ' ')
want64=$(printf '%s\n' "$expect" | awk -F'|' '{ print $1 " " $2 }')
want32=$(printf '%s\n' "$expect" | awk -F'|' '{ print $1 " " $3 }')
col() { printf '%s\n' "$1" | awk -v c="$2" '{ r = $NF; $NF = ""; sub(/ $/, ""); if ($0 == c) print r }'; }

for mode in run emit; do
	info=$(launch $mode shell 'cat /.flatpak-info; uname -m')
	check "$mode boxwrap-shell: /.flatpak-info names org.boxwrap.Shell on aarch64" \
		sh -c 'case $1 in *"name=org.boxwrap.Shell"*aarch64) ;; *) exit 1 ;; esac' - "$info"
	out=$(launch $mode shell "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t' ' '")
	check "$mode boxwrap-shell: NoNewPrivs 1, Seccomp 2" test "$out" = "$(printf 'NoNewPrivs: 1\nSeccomp: 2')"
	out=$(launch $mode shell 'unshare -U true 2>&1 && echo NESTED')
	check "$mode boxwrap-shell: a nested user namespace fails" sh -c 'case $1 in *NESTED*) exit 1 ;; esac' - "$out"
	got64=$(launch $mode shell "~/probe $cases")
	check "$mode boxwrap-shell: native arm64 refusals" test "$got64" = "$want64"
	[ "$got64" = "$want64" ] || diag "got:" "$got64"
	# stdout only: the sandbox's sh reports "Bad system call" on stderr.
	out32=$(launch $mode shell '~/probe32 chmod; echo "status $?"' 2>/dev/null)
	check "$mode boxwrap-shell: a 32-bit arm program is killed without multiarch ($out32)" \
		test "$out32" = "status 159"
	got32=$(launch $mode shell-multiarch "~/probe32 $cases")
	check "$mode boxwrap-shell + multiarch: 32-bit arm gets the same refusals" test "$got32" = "$want32"
	[ "$got32" = "$want32" ] || diag "got:" "$got32"
	got64m=$(launch $mode shell-multiarch "~/probe $cases")
	check "$mode boxwrap-shell + multiarch: native arm64 refusals unchanged" test "$got64m" = "$want64"
done

# The figures: each call and its errno, in the sandbox and outside it.
free64=$(eval "as_user \"\$app_home/probe\" $cases" 2>&1)
free32=$(eval "as_user \"\$app_home/probe32\" $cases" 2>&1)
diag "probe figures (emitted launcher of profiles/boxwrap-shell.yaml; arm32 = static armhf probe):"
diag "arm32 without multiarch: '~/probe32 chmod; echo status \$?' printed '$out32' (SIGSYS = 128 + 31: killed at its first call)"
diag "$(printf '%-22s %-13s %-13s %-13s %s' CALL arm64 arm64-free arm32-multi arm32-free)"
printf '%s\n' "$expect" | while IFS='|' read -r c _ _; do
	diag "$(printf '%-22s %-13s %-13s %-13s %s' "$c" "$(col "$got64" "$c")" "$(col "$free64" "$c")" \
		"$(col "$got32" "$c")" "$(col "$free32" "$c")")"
done

# Filters are the same program whatever kernel exported them.
mkdir -p "$scratch/native"
"$BOXWRAP" seccomp --all "$scratch/native"
n=0 same=0
for f in "$scratch/native"/*.bpf; do
	n=$((n + 1))
	cmp -s "$f" "$B/seccomp/${f##*/}" && same=$((same + 1))
done
check "the $n filters exported under qemu-user are byte-identical to the native export ($same identical)" \
	test "$n" -gt 0 -a "$same" = "$n" -a "$(ls "$B/seccomp" | wc -l)" = "$n"
diag "sha256 of all filters: $(cat "$scratch/native"/*.bpf | sha256sum | cut -d' ' -f1)"
done_testing
