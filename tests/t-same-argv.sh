#!/bin/sh
# `boxwrap run` and the emitted launcher must hand bwrap the same
# arguments for every shipped and test profile. A stand-in bwrap records
# its argv, the options it gets through --args, the app-info and the
# seccomp program; the instance id (random) is the only difference allowed.
. tests/lib.sh
setup_scratch
export HOME=$home XDG_RUNTIME_DIR=$rt
chown "$(id -u)" "$home" "$rt"
mkdir -p "$home/Downloads" "$home/.config/autostart" "$home/.config/b c" "$home/.local/share/x"
# Entries a writable home grant binds one by one, in glob order.
touch "$home/B" "$home/a" "$home/.a" "$home/..c" "$home/.config/x" "$home/.bashrc"
ln -s Downloads "$home/link"
stub=$scratch/bwrap
cat > "$stub" <<STUB
#!/bin/sh
# Records everything it was given; bwrap's environment is empty in run mode.
if [ "\$1" = --version ]; then echo "bubblewrap \$(cat $scratch/version)"; exit 0; fi
# The proxy's sandbox (its command is xdg-dbus-proxy: where the host has
# a bus) has no seccomp fd, and says it listens as xdg-dbus-proxy does,
# with one byte on --fd=N: until then both back ends hold back the app's
# filter. Recorded apart from the app's.
ready=
case " \$* " in
*" -- "*xdg-dbus-proxy*) out=$scratch/out.proxy ready=\$(printf '%s\n' "\$@" | sed -n 's/^--fd=//p') ;;
*) out=$scratch/out.app ;;
esac
printf '%s\n' "\$@" > "\$out.argv"
tr '\0' '\n' <&3 > "\$out.args"
cat <&4 > "\$out.info"
fd=\$(sed -n '/^--seccomp\$/{n;p;q}' "\$out.args")
[ -z "\$fd" ] || od -An -tx1 <&"\$fd" > "\$out.seccomp"
[ -z "\$ready" ] || printf x >&"\$ready"
STUB
chmod 755 "$stub"
args='--version --with space ;$(touch /tmp/x)'

normalise() { sed -e "s|$rt/.flatpak/[0-9]*/|RT/.flatpak/INSTANCE/|; s|instance-id=[0-9]*|instance-id=INSTANCE|" "$1"; }

record() { # MODE PROFILE -> prefix of the recording
	rm -f "$scratch"/out.*
	if [ "$1" = run ]; then
		BOXWRAP_BWRAP=$stub "$BOXWRAP" run "$2" --version --with\ space ';$(touch /tmp/x)' >/dev/null 2>&1
	else
		BOXWRAP_BWRAP=$stub BOXWRAP_SECCOMP_DIR=$PWD/$B/seccomp "$BOXWRAP" emit "$2" > "$scratch/l.sh" &&
			sh "$scratch/l.sh" --version --with\ space ';$(touch /tmp/x)' >/dev/null 2>&1
	fi
	rm -f "$scratch/$1".*
	for k in argv args info seccomp; do
		[ -f "$scratch/out.app.$k" ] && normalise "$scratch/out.app.$k" > "$scratch/$1.$k"
		[ -f "$scratch/out.proxy.$k" ] && normalise "$scratch/out.proxy.$k" > "$scratch/$1.proxy.$k"
	done
	:
}

# Both kinds of descriptor binds: bwrap 0.8's /proc/self/fd/N behind
# open-binds, and --bind-fd (0.10 and later).
for v in 0.8.0 0.12.0; do
echo "$v" > "$scratch/version"
# The stub answers --version from that file. run keeps bwrap's answer,
# keyed by the binary's identity: a new bwrap has a new change time.
touch "$stub"
for p in profiles/*.yaml tests/profiles/*.yaml; do
	[ -f "$p" ] || continue
	# A service runs as root, and creates its persistent directories
	# (bluetoothd's /var/lib/bluetooth) before bwrap starts.
	if grep -q '^type: *service' "$p" && [ "$(id -u)" != 0 ]; then
		skip_absent "$v $p" "a system service: launched as root only (this is uid $(id -u))"
		continue
	fi
	record run "$p"
	record emit "$p"
	for k in argv args info seccomp; do
		if cmp -s "$scratch/run.$k" "$scratch/emit.$k" && [ -s "$scratch/run.$k" ]; then
			ok "$v $p: same $k in both modes"
		else
			not_ok "$v $p: same $k in both modes"
			diff "$scratch/run.$k" "$scratch/emit.$k" | head -10 | sed 's/^/# /'
		fi
	done
	if [ -f "$scratch/run.proxy.argv" ] || [ -f "$scratch/emit.proxy.argv" ]; then
		for k in argv args info; do
			check "$v $p: same $k in both modes (xdg-dbus-proxy's sandbox)" \
				sh -c 'cmp -s "$1" "$2" && [ -s "$1" ]' - "$scratch/run.proxy.$k" "$scratch/emit.proxy.$k"
		done
	fi
	check "$v $p: exactly one -- and the absolute command after it" \
		sh -c 'n=1; if grep -qx close-from "$1"; then n=2; fi; [ "$(grep -c "^--\$" "$1")" = $n ] && sed -n "/^--\$/{n;p;q}" "$1" | grep -q "^/"' - "$scratch/run.argv"
	check "$v $p: user arguments arrive intact" sh -c 'tail -n 3 "$1" | tr "\n" "|" | grep -qF -- "--version|--with space|;\$(touch /tmp/x)|"' - "$scratch/run.argv"
	# Security-critical mounts come after every grant (security.md F5).
	last_grant=$(awk '/^--(ro-|dev-)?bind(-try)?$/ { opt = NR; next }
		opt == NR - 1 && $0 !~ /\.flatpak\// && $0 !~ /open-binds$/ { last = opt } END { print last }' "$scratch/run.args")
	info_at=$(grep -n '^/.flatpak-info$' "$scratch/run.args" | head -1 | cut -d: -f1)
	check "$v $p: /.flatpak-info is mounted after every grant" test "${info_at:-0}" -gt "${last_grant:-0}"
	# A service runs as root without a user namespace: capabilities dropped instead.
	if grep -q '^type: *service' "$p"; then first=--cap-drop; else first=--unshare-user; fi
	for opt in $first --unshare-pid --die-with-parent --new-session --clearenv --seccomp --info-fd; do
		grep -qx -- "$opt" "$scratch/run.args" || { not_ok "$v $p: always-on option $opt present"; continue 2; }
	done
	ok "$v $p: the always-on bwrap options are present"
done
done
check "no argument was run as a command" test ! -e /tmp/x

# With a compositor socket (one nothing answers on: no Wayland), both
# modes start bwrap through wayland-context, which hands it on the same.
if ! [ -x "$BOXWRAP_WAYLAND_HELPER" ]; then
	skip_absent "wayland.yaml with a compositor socket" "no wayland-context built (WAYLAND_CONTEXT=)"
elif python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$rt/wayland-0"; then
	record run tests/profiles/wayland.yaml
	record emit tests/profiles/wayland.yaml
	for k in argv args info; do
		check "wayland.yaml with a compositor socket: same $k in both modes" \
			sh -c 'cmp -s "$1" "$2" && [ -s "$1" ]' - "$scratch/run.$k" "$scratch/emit.$k"
	done
	check "... and the app's socket is the one wayland-context makes in the instance directory" \
		grep -qx 'RT/.flatpak/INSTANCE/wayland-0' "$scratch/run.args"
	rm -f "$rt/wayland-0"
fi
done_testing
