#!/bin/sh
# `boxwrap run` and the emitted launcher must hand bwrap the same
# arguments for every shipped and test profile. A stand-in bwrap records
# its argv, the options it gets through --args, the app-info and the
# seccomp program; the instance id (random) is the only difference allowed.
# Where the host has a system bus, profiles that filter it also start
# xdg-dbus-proxy in a bwrap of its own: recorded apart, compared too.
. tests/lib.sh
setup_scratch
export HOME=$home XDG_RUNTIME_DIR=$rt
chown "$(id -u)" "$home" "$rt"
mkdir -p "$home/Downloads"
stub=$scratch/bwrap
cat > "$stub" <<STUB
#!/bin/sh
# Records everything it was given; bwrap's environment is empty in run mode.
# The proxy's sandbox (its command is xdg-dbus-proxy) has no seccomp fd,
# and says it listens as xdg-dbus-proxy does, with one byte on --fd=N:
# until then both back ends hold back the app's filter.
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
	for role in app proxy; do
		for k in argv args info seccomp; do
			[ -f "$scratch/out.$role.$k" ] || continue
			normalise "$scratch/out.$role.$k" > "$scratch/$1.$role.$k"
		done
	done
}

same() { # KIND PROFILE ROLE: the recordings of both modes agree
	if cmp -s "$scratch/run.$3.$1" "$scratch/emit.$3.$1" && [ -s "$scratch/run.$3.$1" ]; then
		ok "$2: same $1 in both modes${4-}"
	else
		not_ok "$2: same $1 in both modes${4-}"
		diff "$scratch/run.$3.$1" "$scratch/emit.$3.$1" 2>&1 | head -10 | sed 's/^/# /'
	fi
}

for p in profiles/*.yaml tests/profiles/*.yaml; do
	[ -f "$p" ] || continue
	# A service runs as root, and creates its persistent directories
	# (bluetoothd's /var/lib/bluetooth) before bwrap starts.
	if grep -q '^type: *service' "$p" && [ "$(id -u)" != 0 ]; then
		skip_absent "$p" "a system service: launched as root only (this is uid $(id -u))"
		continue
	fi
	record run "$p"
	record emit "$p"
	for k in argv args info seccomp; do same "$k" "$p" app; done
	if [ -f "$scratch/run.proxy.argv" ] || [ -f "$scratch/emit.proxy.argv" ]; then
		for k in argv args info; do same "$k" "$p" proxy " (xdg-dbus-proxy's sandbox)"; done
	fi
	check "$p: exactly one -- and the absolute command after it" \
		sh -c '[ "$(grep -c "^--\$" "$1")" = 1 ] && sed -n "/^--\$/{n;p;q}" "$1" | grep -q "^/"' - "$scratch/run.app.argv"
	check "$p: user arguments arrive intact" sh -c 'tail -n 3 "$1" | tr "\n" "|" | grep -qF -- "--version|--with space|;\$(touch /tmp/x)|"' - "$scratch/run.app.argv"
	# Security-critical mounts come after every grant (security.md F5).
	last_grant=$(awk '/^--(ro-|dev-)?bind(-try)?$/ { opt = NR; next }
		opt == NR - 1 && $0 !~ /\.flatpak\// { last = opt } END { print last }' "$scratch/run.app.args")
	info_at=$(grep -n '^/.flatpak-info$' "$scratch/run.app.args" | head -1 | cut -d: -f1)
	check "$p: /.flatpak-info is mounted after every grant" test "${info_at:-0}" -gt "${last_grant:-0}"
	# A service runs as root without a user namespace: capabilities dropped instead.
	if grep -q '^type: *service' "$p"; then first=--cap-drop; else first=--unshare-user; fi
	for opt in $first --unshare-pid --die-with-parent --new-session --clearenv --seccomp --info-fd; do
		grep -qx -- "$opt" "$scratch/run.app.args" || { not_ok "$p: always-on option $opt present"; continue 2; }
	done
	ok "$p: the always-on bwrap options are present"
done
check "no argument was run as a command" test ! -e /tmp/x
done_testing
