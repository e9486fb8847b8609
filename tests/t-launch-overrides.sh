#!/bin/sh
# Every launch path honours overrides and leaks no descriptor (issue 20,
# parts 2 and 3). Paths: `boxwrap run`, an emitted launcher, an exported
# launcher (`boxwrap export --root`, the apk trigger) and packager mode
# (`boxwrap wrap`'s /usr/bin/NAME). The package's /usr and the export
# root's /etc are laid over the host's with overlayfs in a private mount
# namespace, so the launchers find their profile where they were told.
# - Exported and packaged launchers are `boxwrap launch` files: the kernel
#   (or sh, through their last line) runs boxwrap on them, which is
#   `boxwrap run` with the profile they name. BOXWRAP_SELF is a logging
#   front of boxwrap. The standalone emitted launcher builds the sandbox
#   itself and hands over only for an override it was not built with.
# - `boxwrap override APP --filesystem=~/Music` (the user's) reaches every
#   path; a system override added after the launcher was made applies;
#   a system denial of ~/Music stays when the user override grants it.
# - Descriptors 3, 9, 10 and 200 that the caller left open reach no
#   sandbox, from dash, bash and busybox sh.
# A harness's descriptors above 9 would send every launcher through
# boxwrap exec-clean: start without them.
if [ -z "${BOXWRAP_FDS_CLOSED-}" ] && [ -x "${B:-.build}/boxwrap" ]; then
	BOXWRAP_FDS_CLOSED=1 exec "${B:-.build}/boxwrap" exec-clean /bin/sh "$PWD/$0" "$@"
fi
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare >/dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
setup_scratch
if [ "$(id -u)" != 0 ] || [ -z "${BOXWRAP_IN_MNTNS-}" ]; then
	skip "launch paths with overrides" "needs root for a private mount namespace"
	done_testing
	exit 0
fi
if ! have_userns; then
	skip "launch paths with overrides" "no unprivileged user namespaces"
	done_testing
	exit 0
fi
unset XDG_CONFIG_HOME
app=org.example.Ovr
pkgdir=$scratch/pkg
root=$scratch/root
sysovr=$scratch/sysovr
log=$scratch/handover.log
export BOXWRAP_SECCOMP_DIR="$PWD/$B/seccomp" BOXWRAP_SYSTEM_OVERRIDES="$sysovr" BOXWRAP_SELF="$scratch/boxwrap"
# The boxwrap launchers hand over to: logs how it was called.
printf '#!/bin/sh\necho "$1" >> %s\nexec %s "$@"\n' "$log" "$BOXWRAP" > "$scratch/boxwrap"
chmod 755 "$scratch/boxwrap"
: > "$log"
mkdir -p "$sysovr" "$home/Music"
echo tune > "$home/Music/song.ogg"
echo leakmark > "$scratch/leakmark"

# The program: says where it runs, lists ~/Music and its descriptors.
cat > "$scratch/ovrprobe" <<'EOF'
#!/bin/sh
if [ -e /.flatpak-info ]; then echo sandboxed; fi
echo "args:$*"
ls "$HOME/Music" 2>/dev/null || :
ls -l /proc/self/fd/
EOF
cat > "$scratch/ovr.yaml" <<EOF
app-id: $app
command: /usr/libexec/ovrprobe
EOF
# Packager mode.
install -Dm755 "$scratch/ovrprobe" "$pkgdir/usr/bin/ovrprobe"
install -Dm644 "$scratch/ovr.yaml" "$pkgdir/usr/share/boxwrap/profiles/ovrprobe.yaml"
"$BOXWRAP" wrap --destdir "$pkgdir" "$pkgdir/usr/share/boxwrap/profiles/ovrprobe.yaml" >/dev/null
# Exports: the administrator's profile in SYSCONFDIR, command installed.
sysconf=$("$BOXWRAP" --help 2>&1 | grep -o '/[^ ,$]*/boxwrap/profiles' | head -1)
top=${sysconf%/boxwrap/profiles}
install -Dm644 "$scratch/ovr.yaml" "$root$sysconf/ovrexp.yaml"
install -Dm755 "$scratch/ovrprobe" "$root/usr/libexec/ovrprobe"
"$BOXWRAP" export --root "$root" >/dev/null
exported=$root/var/lib/boxwrap/exports/bin/ovrprobe
# A standalone launcher, from the profile's absolute path.
"$BOXWRAP" emit -o "$scratch/emitted" "$scratch/ovr.yaml"
give "$scratch"
chown -R 0:0 "$scratch/ovr.yaml" "$sysovr"
chmod 644 "$scratch/ovr.yaml"
chown "$TEST_UID" "$log"

if ! mount -t overlay overlay -o "lowerdir=$pkgdir/usr:/usr" /usr 2>"$scratch/err" ||
	! mount -t overlay overlay -o "lowerdir=$root$top:$top" "$top" 2>>"$scratch/err"; then
	skip "launch paths with overrides" "overlayfs is not available: $(cat "$scratch/err")"
	done_testing
	exit 0
fi

# launch PATH-NAME [SHELL]: runs it as the test user, output in $out.
launch() {
	case $1 in
	run) set -- "$BOXWRAP" run "$scratch/ovr.yaml" ;;
	emitted) set -- ${2:-/bin/sh} "$scratch/emitted" ;;
	exported) set -- ${2:-/bin/sh} "$exported" ;;
	exported-exec) set -- "$exported" ;;
	packaged) set -- ${2:-/bin/sh} /usr/bin/ovrprobe ;;
	packaged-exec) set -- ovrprobe ;;
	esac
	out=$(as_user env PATH=/usr/bin:/bin "$@" 2>&1)
}
# exported and packaged run with sh, the -exec ones as the desktop runs
# them (the kernel reads their #! line).
paths="run emitted exported exported-exec packaged packaged-exec"
# how the launcher is expected to use boxwrap, logged by BOXWRAP_SELF
hands() { case $1 in run) ;; emitted) echo run ;; *) echo launch ;; esac; }

check "packager mode: the launcher names the installed profile" \
	grep -qx "#:profile /usr/share/boxwrap/profiles/ovrprobe.yaml" /usr/bin/ovrprobe
check "export: the launcher names the profile where the trigger found it" \
	grep -qx "#:profile $sysconf/ovrexp.yaml" "$exported"
check "exported launcher: the kernel runs boxwrap launch on it" \
	sh -c 'head -n 1 "$1" | grep -qx "#!$2 launch"' - "$exported" "$BOXWRAP_SELF"

# ---- no override --------------------------------------------------------
for p in $paths; do
	: > "$log"
	launch $p
	check "$p, no override: sandboxed, ~/Music hidden" sh -c 'printf "%s\n" "$1" | grep -qx sandboxed && ! printf "%s\n" "$1" | grep -q song.ogg' - "$out"
	case $p in
	run) ;;
	emitted) check "$p, no override: builds the sandbox itself (no hand over to boxwrap run)" test ! -s "$log" ;;
	*) check "$p, no override: is boxwrap launch" grep -qx launch "$log" ;;
	esac
done

# The app's arguments reach it as given, "--" and options included.
out=$(as_user env PATH=/usr/bin:/bin "$exported" -- --filesystem=/ -x 2>&1)
check "exported launcher: every argument is the app's (-- --filesystem=/ -x)" sh -c 'printf "%s\n" "$1" | grep -qx "args:-- --filesystem=/ -x"' - "$out"
out=$(as_user env PATH=/usr/bin:/bin /bin/sh "$exported" -- -y 2>&1)
check "... and run with sh" sh -c 'printf "%s\n" "$1" | grep -qx "args:-- -y"' - "$out"
out=$("$BOXWRAP" launch "$scratch/ovrprobe" 2>&1)
check "boxwrap launch refuses a file that is not a launcher, as FILE:LINE:COL, exit 1" \
	sh -c '[ "$1" = 1 ] && [ "$2" = "$3:1:1: not a launcher written by boxwrap export" ]' - $? "$out" "$scratch/ovrprobe"

# ---- a user override, made with boxwrap override -----------------------
as_user "$BOXWRAP" override "$app" --filesystem=~/Music 2>/dev/null
check "boxwrap override wrote the user's file" test -f "$home/.config/boxwrap/overrides/$app.yaml"
for p in $paths; do
	: > "$log"
	launch $p
	check "$p, user override grants ~/Music: the app sees it" sh -c 'printf "%s\n" "$1" | grep -qx sandboxed && printf "%s\n" "$1" | grep -qx song.ogg' - "$out"
	[ $p = run ] || check "$p: boxwrap $(hands $p)" grep -qx "$(hands $p)" "$log"
done
for s in dash "busybox sh"; do
	launch exported "$s"
	check "exported launcher under $s: the user override applies" sh -c 'printf "%s\n" "$1" | grep -qx song.ogg' - "$out"
done

# ---- a system override made after the launchers ------------------------
rm -f "$home/.config/boxwrap/overrides/$app.yaml"
printf 'filesystems: ["~/Music"]\n' > "$sysovr/$app.yaml"
for p in $paths; do
	launch $p
	check "$p, system override added later grants ~/Music: applied" sh -c 'printf "%s\n" "$1" | grep -qx song.ogg' - "$out"
done
printf 'filesystems: ["!~/Music"]\n' > "$sysovr/$app.yaml"
as_user "$BOXWRAP" override "$app" --filesystem=~/Music 2>/dev/null
for p in $paths; do
	launch $p
	check "$p, system denial of ~/Music, the user override grants it: still hidden" sh -c 'printf "%s\n" "$1" | grep -qx sandboxed && ! printf "%s\n" "$1" | grep -q song.ogg' - "$out"
done
# An emitted launcher built with the system override hands over only
# when the file changes.
"$BOXWRAP" emit -o "$scratch/emitted" "$scratch/ovr.yaml" 2>/dev/null
chmod 755 "$scratch/emitted"
rm -f "$home/.config/boxwrap/overrides/$app.yaml"
: > "$log"
launch emitted
check "emitted with the system override, unchanged: no hand over" sh -c '[ ! -s "$1" ] && ! printf "%s\n" "$2" | grep -q song.ogg' - "$log" "$out"
printf 'filesystems: ["~/Music"]\n' > "$sysovr/$app.yaml"
launch emitted
check "... the system override changed: hands over, applied" sh -c 'grep -qx run "$1" && printf "%s\n" "$2" | grep -qx song.ogg' - "$log" "$out"
rm -f "$sysovr/$app.yaml"
: > "$log"
launch emitted
check "... the system override removed: hands over, ~/Music hidden" sh -c 'grep -qx run "$1" && ! printf "%s\n" "$2" | grep -q song.ogg' - "$log" "$out"
"$BOXWRAP" emit -o "$scratch/emitted" "$scratch/ovr.yaml" 2>/dev/null
chmod 755 "$scratch/emitted"

# ---- descriptors the caller left open ---------------------------------
# bash opens 3, 9, 10 and 200 on the marker file, then runs the path.
for p in $paths; do
	for s in /bin/sh bash "busybox sh"; do
		[ $p = run ] && [ "$s" != /bin/sh ] && continue
		: > "$log"
		case $p in
		run) set -- "$BOXWRAP" run "$scratch/ovr.yaml" ;;
		emitted) set -- $s "$scratch/emitted" ;;
		exported) set -- $s "$exported" ;;
		packaged) set -- $s /usr/bin/ovrprobe ;;
		*-exec) [ "$s" = /bin/sh ] || continue; set -- "${p%-exec}" ;;
		esac
		case $1 in exported) set -- "$exported" ;; packaged) set -- /usr/bin/ovrprobe ;; esac
		out=$(as_user env PATH=/usr/bin:/bin bash -c 'exec 3<"$1" 9<"$1" 10<"$1" 200<"$1"; shift; exec "$@"' - "$scratch/leakmark" "$@" 2>&1)
		check "$p ($s): fds 3, 9, 10 and 200 of the caller do not reach the sandbox" sh -c 'printf "%s\n" "$1" | grep -qx sandboxed && ! printf "%s\n" "$1" | grep -q leakmark' - "$out"
		printf '%s\n' "$out" | grep leakmark | sed 's/^/# /'
	done
done
: > "$log"
out=$(as_user env PATH=/usr/bin:/bin bash -c 'exec 3<"$1" 9<"$1"; exec /bin/sh "$2"' - "$scratch/leakmark" "$scratch/emitted" 2>&1)
check "fds 3-9 only: the emitted launcher closes them itself (no boxwrap)" sh -c '[ ! -s "$1" ] && printf "%s\n" "$2" | grep -qx sandboxed && ! printf "%s\n" "$2" | grep -q leakmark' - "$log" "$out"
out=$(as_user env PATH=/usr/bin:/bin bash -c 'exec 10<"$1"; exec /bin/sh "$2"' - "$scratch/leakmark" "$scratch/emitted" 2>&1)
check "fd 10: boxwrap exec-clean runs the emitted launcher again" grep -qx exec-clean "$log"
done_testing
