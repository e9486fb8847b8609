#!/bin/sh
# Every way the desktop starts a profiled program ends in its sandbox
# (issue 16 item 1, issue 20 part 1), with the shipped profiles whose
# packages are installed here, in export mode and in packager mode:
# - D-Bus activation, for real: a real dbus-daemon started the way the
#   platform starts it (a login environment with profile.d, and
#   dbus-run-session), a real sandbox calling its own bus name or a
#   helper's (boxwrap run and an emitted launcher); whatever the bus
#   starts has the app's /.flatpak-info, or nothing starts.
# - Resolution, for every installed shipped profile: the desktop ID and
#   its actions, MIME types (gio mime), D-Bus service names, autostart
#   entries (systemd-xdg-autostart-generator where present) and the
#   command in a profile.d PATH resolve to boxwrap's launcher.
# Runs in a private mount namespace: the exports appear at
# /var/lib/boxwrap/exports for this test only.
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare >/dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
setup_scratch
pids=
# Unmounts what this namespace mounted before the scratch tree goes.
unmount_all() { umount -l /etc 2>/dev/null; umount -l "${datadir:-/nonexistent}" 2>/dev/null; umount -l /usr 2>/dev/null; umount -l /var/lib/boxwrap 2>/dev/null; umount -l /var/lib 2>/dev/null; }
stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	unmount_all
	[ -n "${ACTIVATION_LOG-}" ] && cp "$scratch/bus.log" "$ACTIVATION_LOG" 2>/dev/null
	cleanup_scratch
}
trap stop_all EXIT
if [ "$(id -u)" != 0 ] || [ -z "${BOXWRAP_IN_MNTNS-}" ] || [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
	skip "launch paths" "needs root for a private mount namespace"
	done_testing
	exit 0
fi
for c in dbus-daemon dbus-run-session gdbus bwrap xdg-dbus-proxy; do
	command -v $c >/dev/null || { skip "launch paths" "$c is not installed"; done_testing; exit 0; }
done
have_userns || { skip "launch paths" "no unprivileged user namespaces"; done_testing; exit 0; }
export BOXWRAP_SECCOMP_DIR="$PWD/$B/seccomp" BOXWRAP_SPAWN_HELPER="$PWD/$B/flatpak-spawn"
EXPORTS=/var/lib/boxwrap/exports
datadir=$("$BOXWRAP" --help | sed -n 's|^\(/.*\)/boxwrap/profiles\. See.*|\1|p')

# The target system: this machine's packages (programs, desktop entries,
# service files, autostart entries), boxwrap's shipped profiles, and
# Debian's name for Dino's program (the shipped profile has Alpine's).
root=$scratch/root
mkdir -p "$root$datadir/boxwrap/profiles" "$root/etc/boxwrap/profiles" "$root/etc/profile.d" "$root/usr/share" "$root/etc"
for d in /usr/bin /usr/libexec /usr/lib /bin /usr/sbin /usr/share/applications /usr/share/dbus-1 /etc/xdg; do
	ln -s "$d" "$root$d"
done
cp /etc/shells "$root/etc/"
cp profiles/*.yaml "$root$datadir/boxwrap/profiles/"
sed 's|^command: /usr/bin/dino$|command: /usr/bin/dino-im|' profiles/dino.yaml > "$root/etc/boxwrap/profiles/dino.yaml"
cp contrib/profile.d/boxwrap.sh "$root/etc/profile.d/"
"$BOXWRAP" export --root "$root" > "$scratch/export.out" 2>&1
check "boxwrap export of the shipped profiles succeeds" test $? = 0
sed 's/^/# /' "$scratch/export.out" | grep -v "is not installed" | head -20

# /var/lib/boxwrap/exports, in this namespace only: an empty tmpfs on
# /var/lib holding boxwrap's directory (nothing below /var/lib is needed
# here). No mount point may ever be inside $scratch: its removal would
# recurse into the mounted tree.
mount -t tmpfs -o mode=755 tmpfs /var/lib
mkdir -p /var/lib/boxwrap /var/lib/dbus
[ -e /etc/machine-id ] && ln -s /etc/machine-id /var/lib/dbus/machine-id
mount --bind "$root/var/lib/boxwrap" /var/lib/boxwrap
# The exported launchers run the profiles where export found them: laid
# over the host's $datadir and /etc (overlayfs adds them, hides nothing).
mkdir -p "$scratch/etc-over/boxwrap"
cp -r "$root/etc/boxwrap/profiles" "$scratch/etc-over/boxwrap/"
if ! mount -t overlay overlay -o "lowerdir=$root$datadir:$datadir" "$datadir" 2>"$scratch/err" ||
	! mount -t overlay overlay -o "lowerdir=$scratch/etc-over:/etc" /etc 2>>"$scratch/err"; then
	skip "launch paths" "overlayfs is not available: $(cat "$scratch/err")"
	done_testing
	exit 0
fi

# The profiles whose program is installed (exported launchers).
installed=$(for l in "$EXPORTS"/bin/*; do [ -f "$l" ] && echo "${l##*/}"; done)
diag "installed shipped profiles: $(echo $installed)"
app_of() { sed -nE 's/^# Launcher for ([^,]*), (generated|written) by boxwrap.*/\1/p' "$1" 2>/dev/null; }

# The environment a session gets from a login shell with profile.d.
login_env() {
	env -i HOME="$home" XDG_RUNTIME_DIR="$rt" PATH=/usr/local/bin:/usr/bin:/bin "$@"
}
profile_env="$(login_env sh -c '. "$1"; printf "%s\n%s\n%s\n" "$PATH" "$XDG_DATA_DIRS" "$XDG_CONFIG_DIRS"' - "$root/etc/profile.d/boxwrap.sh")"
PD_PATH=$(echo "$profile_env" | sed -n 1p)
PD_DATA=$(echo "$profile_env" | sed -n 2p)
PD_CONFIG=$(echo "$profile_env" | sed -n 3p)
check "profile.d puts the exports first in PATH, XDG_DATA_DIRS and XDG_CONFIG_DIRS" \
	test "${PD_PATH%%:*}:${PD_DATA%%:*}:${PD_CONFIG%%:*}" = "$EXPORTS/bin:$EXPORTS/share:$EXPORTS/xdg"

# ---- resolution: every launch path of every installed profile --------

# first_file SUBDIR ID DIRS: the file a lookup through DIRS (colon list)
# finds for ID, as the XDG specifications resolve it.
first_file() {
	_rest=$3:
	while [ -n "$_rest" ]; do
		_d=${_rest%%:*}; _rest=${_rest#*:}
		[ -n "$_d" ] && [ -f "$_d/$1/$2" ] && { echo "$_d/$1/$2"; return; }
	done
}
# The session bus's pick for NAME: the first service file naming it.
first_service() {
	_rest=$home/.local/share:$2:
	while [ -n "$_rest" ]; do
		_d=${_rest%%:*}; _rest=${_rest#*:}
		for _f in "$_d"/dbus-1/services/*.service; do
			[ -f "$_f" ] && grep -qx "Name=$1" "$_f" && { echo "$_f"; return; }
		done
	done
}
# exec_goes_in LAUNCHER-PROGRAM APP: a launcher of APP's sandbox.
goes_in() { [ "$(app_of "$1")" = "$2" ]; }
bad=
note_bad() { bad="$bad
$*"; }
paths=0
for name in $installed; do
	app=$(app_of "$EXPORTS/bin/$name")
	prof=$(sed -n 's|^\([^\t]*\)\tbin/'"$name"'$|\1|p' "$EXPORTS/.manifest")
	# The command in a login shell's PATH.
	found=$(login_env sh -c '. "$1"; command -v "$2"' - "$root/etc/profile.d/boxwrap.sh" "$name")
	paths=$((paths + 1)); goes_in "$found" "$app" || note_bad "$app: PATH finds $found"
	# Menu entries the package ships for it, each action, each MIME type.
	for f in $(sed -n 's|^'"$prof"'\tshare/applications/||p' "$EXPORTS/.manifest"); do
		got=$(first_file applications "$f" "$PD_DATA")
		prog=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$got")
		for p in $prog; do paths=$((paths + 1)); goes_in "$p" "$app" || note_bad "$app: $f runs $p"; done
		for mime in $(sed -n 's/^MimeType=//p' "$got" | tr ';' ' ' | cut -d' ' -f1-4); do
			paths=$((paths + 1))
			login_env XDG_DATA_DIRS="$PD_DATA" gio mime "$mime" 2>/dev/null | grep -q "^	$f\$" ||
				note_bad "$app: gio does not list $f for $mime"
		done
	done
	# D-Bus services the package ships for its names or its program.
	for f in /usr/share/dbus-1/services/*.service; do
		n=$(sed -n 's/^Name=//p' "$f")
		case $n in "$app"|"$app".*) ;; *)
			p=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$f")
			[ "$p" = "$name" ] || [ "${p##*/}" = "$name" ] || continue ;;
		esac
		got=$(first_service "$n" "$PD_DATA")
		p=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$got")
		paths=$((paths + 1)); goes_in "$p" "$app" || note_bad "$app: the bus would start $n with $p ($got)"
	done
	# Autostart entries that start the program.
	for f in /etc/xdg/autostart/*.desktop; do
		p=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$f")
		[ "$p" = "$name" ] || [ "${p##*/}" = "$name" ] || continue
		got=$(first_file autostart "${f##*/}" "$home/.config:$PD_CONFIG")
		p=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$got")
		paths=$((paths + 1)); goes_in "$p" "$app" || note_bad "$app: autostart ${f##*/} runs $p"
	done
done
check "export mode: $paths launch paths of $(echo $installed | wc -w) installed profiles resolve to their sandbox" test -z "$bad"
[ -n "$bad" ] && echo "$bad" | sed '/^$/d; s/^/# /' | head -30

gen=/usr/lib/systemd/user-generators/systemd-xdg-autostart-generator
if [ -x "$gen" ]; then
	mkdir -p "$scratch/units"
	login_env XDG_CONFIG_HOME="$home/.config" XDG_CONFIG_DIRS="$PD_CONFIG" "$gen" "$scratch/units" "$scratch/units" "$scratch/units" 2>/dev/null
	starts=$(cat "$scratch"/units/app-*@autostart.service 2>/dev/null | sed -n 's/^ExecStart=:\{0,1\}//p')
	check "systemd's autostart units start Calls and Chatty daemons through their launchers" \
		sh -c 'printf "%s\n" "$1" | grep -qx "$2/bin/gnome-calls --daemon" && printf "%s\n" "$1" | grep -qx "$2/bin/chatty --daemon" && ! printf "%s\n" "$1" | grep -Eq "^(/usr/bin/)?(gnome-calls|chatty) "' - "$starts" "$EXPORTS"
	printf '%s\n' "$starts" | sed 's/^/# ExecStart=/'
else
	skip_absent "" "systemd-xdg-autostart-generator is not installed"
fi

# ---- D-Bus activation, for real ---------------------------------------

# A display for the apps the bus starts (they stay up and take their
# name), owned by the test user.
as_user_bg Xvfb -displayfd 3 -screen 0 640x480x24 -nolisten tcp 3> "$scratch/display" 2> "$scratch/xvfb.log"
pids="$pids $bg_pid"
for _i in $(seq 50); do [ -s "$scratch/display" ] && break; sleep 0.1; done
DISPLAY=:$(head -n1 "$scratch/display")

# The pids of every process of the test user running PROGRAM.
procs_of() {
	find /proc/[0-9]*/exe -maxdepth 0 -user "$TEST_UID" -lname "$1" 2>/dev/null | sed 's|^/proc/\([0-9]*\)/exe$|\1|'
}
# sandboxed APP PROGRAM: every process running PROGRAM has APP's
# /.flatpak-info, and there is one (the bus started it).
sandboxed() {
	_n=0
	for _i in $(seq 40); do [ -n "$(procs_of "$2")" ] && break; sleep 0.25; done
	for _p in $(procs_of "$2"); do
		_n=$((_n + 1))
		grep -qx "name=$1" "/proc/$_p/root/.flatpak-info" 2>/dev/null || { diag "pid $_p runs $2 without $1's /.flatpak-info"; return 1; }
	done
	[ "$_n" -gt 0 ] || diag "nothing runs $2"
	[ "$_n" -gt 0 ]
}
stop_program() {
	for _p in $(procs_of "$1"); do kill "$_p" 2>/dev/null; done
	for _i in $(seq 30); do [ -z "$(procs_of "$1")" ] && break; sleep 0.1; done
}

# A session bus started from a login environment with profile.d, as a
# display manager's session script starts it.
start_profile_bus() {
	rm -f "$rt/bus.addr"
	as_user_bg env -i HOME="$home" XDG_RUNTIME_DIR="$rt" DISPLAY="$DISPLAY" PATH=/usr/bin:/bin sh -c \
		'. "$1"; exec dbus-daemon --session --nofork --print-address=3 3> "$2"' - "$root/etc/profile.d/boxwrap.sh" "$rt/bus.addr" 2>> "$scratch/bus.log"
	pids="$pids $bg_pid"
	bus_pid=$bg_pid
	for _i in $(seq 50); do [ -s "$rt/bus.addr" ] && break; sleep 0.1; done
	BUS=$(head -n1 "$rt/bus.addr")
}

# From inside APP's sandbox (boxwrap run PROFILE, with gdbus as the
# command), a call to NAME.
call_from_run() { # PROFILE NAME PATH METHOD ARGS...
	_prof=$1 _name=$2 _path=$3 _method=$4; shift 4
	as_user timeout 30 env DBUS_SESSION_BUS_ADDRESS="$BUS" DISPLAY= "$BOXWRAP" run --command=/usr/bin/gdbus "$_prof" -- \
		call --session --timeout 5 --dest "$_name" --object-path "$_path" --method "$_method" "$@" > "$scratch/call.out" 2>&1
}
# The same from an emitted launcher of the profile with gdbus as command.
call_from_launcher() {
	_prof=$1 _name=$2 _path=$3 _method=$4; shift 4
	sed 's|^command: .*|command: /usr/bin/gdbus|' "$_prof" > "$scratch/gdbus.yaml"
	"$BOXWRAP" emit -o "$scratch/gdbus-launcher" "$scratch/gdbus.yaml"
	give "$scratch/gdbus-launcher"
	as_user timeout 30 env DBUS_SESSION_BUS_ADDRESS="$BUS" DISPLAY= sh "$scratch/gdbus-launcher" \
		call --session --timeout 5 --dest "$_name" --object-path "$_path" --method "$_method" "$@" > "$scratch/call.out" 2>&1
}

P=$root$datadir/boxwrap/profiles
if [ -x /usr/bin/totem ]; then
	start_profile_bus
	call_from_run "$P/totem.yaml" org.gnome.Totem /org/gnome/Totem org.freedesktop.Application.Activate '@a{sv} {}'
	check "run: calling org.gnome.Totem from Totem's sandbox starts Totem in its sandbox (profile.d bus)" sandboxed org.gnome.Totem /usr/bin/totem
	sed 's/^/# /' "$scratch/call.out" | head -3
	stop_program /usr/bin/totem
	call_from_launcher "$P/totem.yaml" org.gnome.Totem /org/gnome/Totem org.freedesktop.Application.Activate '@a{sv} {}'
	check "launcher: calling org.gnome.Totem from Totem's sandbox starts Totem in its sandbox (profile.d bus)" sandboxed org.gnome.Totem /usr/bin/totem
	stop_program /usr/bin/totem
	kill "$bus_pid"
	# dbus-run-session from the same login environment: its bus, for as
	# long as the command it runs (a sleep) lives.
	rm -f "$rt/drs.addr"
	as_user_bg env -i HOME="$home" XDG_RUNTIME_DIR="$rt" DISPLAY="$DISPLAY" PATH=/usr/bin:/bin sh -c \
		'. "$1"; exec dbus-run-session -- sh -c "echo \"\$DBUS_SESSION_BUS_ADDRESS\" > \"\$0\"; exec sleep 120" "$2"' \
		- "$root/etc/profile.d/boxwrap.sh" "$rt/drs.addr" 2>> "$scratch/bus.log"
	pids="$pids $bg_pid"
	drs_pid=$bg_pid
	for _i in $(seq 50); do [ -s "$rt/drs.addr" ] && break; sleep 0.1; done
	BUS=$(head -n1 "$rt/drs.addr")
	call_from_run "$P/totem.yaml" org.gnome.Totem /org/gnome/Totem org.freedesktop.Application.Activate '@a{sv} {}'
	check "dbus-run-session: calling org.gnome.Totem from Totem's sandbox starts Totem in its sandbox" sandboxed org.gnome.Totem /usr/bin/totem
	stop_program /usr/bin/totem
	pkill -P "$drs_pid" 2>/dev/null; kill "$drs_pid" 2>/dev/null
else
	skip_absent "" "totem is not installed"
fi

if [ -x /usr/libexec/epiphany-search-provider ]; then
	start_profile_bus
	for n in SearchProvider WebAppProvider; do
		prog=/usr/libexec/epiphany-$(echo $n | tr 'A-Z' 'a-z' | sed 's/provider$/-provider/')
		call_from_run "$P/epiphany.yaml" org.gnome.Epiphany.$n /org/gnome/Epiphany/$n org.freedesktop.DBus.Peer.Ping
		check "run: calling Epiphany's $n helper from Epiphany's sandbox starts it in that sandbox" sandboxed org.gnome.Epiphany "$prog"
		stop_program "$prog"
	done
	call_from_launcher "$P/epiphany.yaml" org.gnome.Epiphany.SearchProvider /org/gnome/Epiphany/SearchProvider org.freedesktop.DBus.Peer.Ping
	check "launcher: calling Epiphany's SearchProvider from Epiphany's sandbox starts it in that sandbox" \
		sandboxed org.gnome.Epiphany /usr/libexec/epiphany-search-provider
	stop_program /usr/libexec/epiphany-search-provider
	kill "$bus_pid"
else
	skip_absent "" "epiphany is not installed"
fi

# ---- packager mode -----------------------------------------------------

# Each installed profile's program wrapped in a package: /usr/bin/NAME
# becomes the launcher, the program moves to /usr/libexec/NAME; the
# package's desktop entries and service files, unchanged, name
# /usr/bin/NAME or NAME. The packages are laid over /usr (overlayfs).
pkgdir=$scratch/pkg
mkdir -p "$pkgdir/usr/bin" "$pkgdir/usr/share/boxwrap/profiles"
wrapped=
for name in $installed; do
	prof=$(sed -n 's|^\([^\t]*\)\tbin/'"$name"'$|\1|p' "$EXPORTS/.manifest")
	cmd=$(sed -n 's/^command: *//p' "$root$prof")
	case $cmd in /usr/bin/*) ;; *) continue ;; esac
	cp "$cmd" "$pkgdir/usr/bin/$name" || continue
	sed "s|^command: .*|command: /usr/libexec/$name|" "$root$prof" > "$pkgdir/usr/share/boxwrap/profiles/$name.yaml"
	# The package's service files for names below the app id that run a
	# helper of its own (Epiphany's providers), with the helpers.
	app=$(app_of "$EXPORTS/bin/$name")
	for f in /usr/share/dbus-1/services/"$app".*.service; do
		h=$(sed -n 's/^Exec=\(\/usr\/libexec\/[^ ]*\).*/\1/p' "$f" 2>/dev/null)
		[ -n "$h" ] && [ -f "$h" ] || continue
		mkdir -p "$pkgdir/usr/share/dbus-1/services" "$pkgdir/usr/libexec"
		cp "$f" "$pkgdir/usr/share/dbus-1/services/" && cp "$h" "$pkgdir/usr/libexec/"
	done
	"$BOXWRAP" wrap --destdir "$pkgdir" "$pkgdir/usr/share/boxwrap/profiles/$name.yaml" > /dev/null 2>&1 &&
		wrapped="$wrapped $name"
done
diag "wrapped:$wrapped"
if ! mount -t overlay overlay -o "lowerdir=$pkgdir/usr:/usr" /usr 2>"$scratch/err"; then
	skip "packager mode" "overlayfs is not available: $(cat "$scratch/err")"
	done_testing
	exit 0
fi
bad='' paths=0
for name in $wrapped; do
	app=$(app_of "/usr/bin/$name")
	found=$(env -i PATH=/usr/local/bin:/usr/bin:/bin sh -c 'command -v "$1"' - "$name")
	paths=$((paths + 1)); goes_in "$found" "$app" || note_bad "$app: PATH finds $found"
	for f in /usr/share/applications/*.desktop /etc/xdg/autostart/*.desktop /usr/share/dbus-1/services/*.service; do
		own=; case $f in *.service) case $(sed -n 's/^Name=//p' "$f") in "$app"|"$app".*) own=1 ;; esac ;; esac
		for p in $(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$f"); do
			[ "$p" = "$name" ] || [ "$p" = "/usr/bin/$name" ] || [ -n "$own" ] || continue
			[ "${p#/}" = "$p" ] && p=$(env -i PATH=/usr/bin:/bin sh -c 'command -v "$1"' - "$p")
			paths=$((paths + 1)); goes_in "$p" "$app" || note_bad "$app: ${f##*/} runs $p"
		done
	done
done
check "packager mode: $paths launch paths of $(echo $wrapped | wc -w) wrapped programs reach their launcher, without profile.d" test -z "$bad"
[ -n "$bad" ] && echo "$bad" | sed '/^$/d; s/^/# /' | head -30

case " $wrapped " in *" totem "*)
	# A bus without boxwrap's environment: the package's own service file.
	rm -f "$rt/bus.addr"
	as_user_bg env -i HOME="$home" XDG_RUNTIME_DIR="$rt" DISPLAY="$DISPLAY" PATH=/usr/bin:/bin \
		dbus-daemon --session --nofork --print-address=3 3> "$rt/bus.addr" 2>> "$scratch/bus.log"
	pids="$pids $bg_pid"
	bus_pid=$bg_pid
	for _i in $(seq 50); do [ -s "$rt/bus.addr" ] && break; sleep 0.1; done
	BUS=$(head -n1 "$rt/bus.addr")
	call_from_run /usr/share/boxwrap/profiles/totem.yaml org.gnome.Totem /org/gnome/Totem org.freedesktop.Application.Activate '@a{sv} {}'
	check "packager mode: calling org.gnome.Totem from its sandbox starts the wrapped Totem in its sandbox" \
		sandboxed org.gnome.Totem /usr/libexec/totem
	stop_program /usr/libexec/totem
	case " $wrapped " in *" epiphany "*)
		call_from_run /usr/share/boxwrap/profiles/epiphany.yaml org.gnome.Epiphany.SearchProvider /org/gnome/Epiphany/SearchProvider org.freedesktop.DBus.Peer.Ping
		check "packager mode: calling Epiphany's SearchProvider from its sandbox starts the helper in that sandbox" \
			sandboxed org.gnome.Epiphany /usr/libexec/epiphany-search-provider
		stop_program /usr/libexec/epiphany-search-provider ;;
	*) skip_absent "" "epiphany is not installed" ;;
	esac
	kill "$bus_pid" ;;
*) skip_absent "" "totem is not installed" ;;
esac
done_testing
