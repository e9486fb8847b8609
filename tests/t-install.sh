#!/bin/sh
# The installed system: `make install DESTDIR=` into a temporary root,
# packages' files and profiles dropped there, then `boxwrap export
# --root` (what the apk trigger runs) and the trigger script itself.
. tests/lib.sh
setup_scratch
root=$scratch/root
make -s B="$B" install DESTDIR="$root" >"$scratch/make.log" 2>&1 ||
	{ cat "$scratch/make.log"; echo "Bail out! make install failed"; exit 1; }
bw=$(find "$root" -path '*/bin/boxwrap' -type f | head -n 1)
datadir=$("$bw" --help | sed -n 's|^\(/.*\)/boxwrap/profiles\. See.*|\1|p')
prof=$root$datadir/boxwrap/profiles
etcprof=$root/etc/boxwrap/profiles
exports=$root/var/lib/boxwrap/exports
check "make install puts the profile directories and profile.d script in place" \
	test -d "$prof" -a -d "$etcprof" -a -f "$root/etc/profile.d/boxwrap.sh"
check "make install puts WirePlumber's fragment and script where WirePlumber looks (XDG_DATA_DIRS)" \
	test -f "$root$datadir/wireplumber/wireplumber.conf.d/60-boxwrap.conf" -a -f "$root$datadir/wireplumber/scripts/client/access-boxwrap.lua"

# What other packages installed, and decoys that must not change.
mkdir -p "$root/usr/bin" "$root/usr/share/applications" "$root/var/lib/decoy"
for p in mpv noentry other sh; do printf '#!/bin/sh\necho real %s\n' "$p" > "$root/usr/bin/$p"; chmod 755 "$root/usr/bin/$p"; done
cp tests/pkg/mpv.desktop tests/pkg/other.desktop "$root/usr/share/applications/"
# Service files, autostart entries, a daemon's system service.
mkdir -p "$root/usr/share/dbus-1/services" "$root/usr/share/dbus-1/system-services" "$root/etc/xdg/autostart" "$root/usr/libexec"
printf '[D-BUS Service]\nName=io.mpv.Mpv\nExec=/usr/bin/mpv --gapplication-service\n' > "$root/usr/share/dbus-1/services/io.mpv.Mpv.service"
printf '[D-BUS Service]\nName=io.mpv.Mpv.Helper\nExec=/usr/libexec/mpv-helper --flag "quoted arg"\n' > "$root/usr/share/dbus-1/services/io.mpv.Mpv.Helper.service"
printf '[D-BUS Service]\nName=io.mpv.Mpv.Gone\nExec=/usr/libexec/gone\n' > "$root/usr/share/dbus-1/services/io.mpv.Mpv.Gone.service"
printf '[D-BUS Service]\nName=org.example.Other\nExec=/usr/bin/other\n' > "$root/usr/share/dbus-1/services/org.example.Other.service"
printf '#!/bin/sh\n' > "$root/usr/libexec/mpv-helper"; chmod 755 "$root/usr/libexec/mpv-helper"
printf '[Desktop Entry]\nType=Application\nName=mpv daemon\nTryExec=mpv\nExec=mpv --daemon\nNoDisplay=true\nX-GNOME-AutoRestart=true\n' > "$root/etc/xdg/autostart/mpv-daemon.desktop"
printf '[Desktop Entry]\nType=Application\nName=other daemon\nExec=other --daemon\n' > "$root/etc/xdg/autostart/other-daemon.desktop"
printf '[D-BUS Service]\nName=org.example.Svc\nExec=/usr/bin/svcd\nUser=root\n' > "$root/usr/share/dbus-1/system-services/org.example.Svc.service"
printf '#!/bin/sh\n' > "$root/usr/bin/svcd"; chmod 755 "$root/usr/bin/svcd"
printf 'app-id: org.example.Svc\ntype: service\ncommand: /usr/bin/svcd\nsystem-bus:\n  own: [org.example.Svc]\n' > "$prof/svcd.yaml"
printf '/bin/sh\n/bin/bash\n' > "$root/etc/shells"
echo decoy > "$root/var/lib/decoy/file"
cp tests/pkg/mpv.yaml tests/pkg/noentry.yaml tests/pkg/ghost.yaml "$prof/"
cp tests/pkg/broken.yaml "$etcprof/"
snapshot() { (cd "$root" && find . -path ./var/lib/boxwrap -prune -o -print | sort | while IFS= read -r f; do
	if [ -f "$f" ]; then printf '%s %s %s\n' "$(stat -c '%a %Y' "$f")" "$(sha256sum < "$f")" "$f"
	else printf '%s %s\n' "$(stat -c '%F %a' "$f")" "$f"; fi; done); }
exports_state() { (cd "$exports" && find . -print | sort | while IFS= read -r f; do
	printf '%s %s\n' "$(stat -c '%F %a %i %Y' "$f")" "$f"; done; cat .manifest); }
snapshot > "$scratch/before"
# A package's file name with a line break (removed before the snapshots
# are compared: they list names one a line).
evil_name="$root/usr/share/applications/$(printf 'x\nDBusActivatable=true\n')mpv.desktop"
cp tests/pkg/mpv.desktop "$evil_name"

"$bw" export --root "$root" > "$scratch/out" 2> "$scratch/err"
check "export exits 0 although one profile is broken" test $? = 0
check "the broken profile is reported as FILE:LINE:COL" grep -q "etc/boxwrap/profiles/broken.yaml:3:[0-9]*: .*telepathy" "$scratch/err"
check "launchers for the installed programs" test -x "$exports/bin/mpv" -a -x "$exports/bin/noentry"
check "launchers run their profile (boxwrap launch)" sh -c 'grep -q "^# Launcher for io.mpv.Mpv" "$1" && grep -qx "#:profile $2/boxwrap/profiles/mpv.yaml" "$1" && head -n 1 "$1" | grep -q "^#!/.* launch$" && sh -n "$1"' - "$exports/bin/mpv" "$datadir"
check "no launcher for a program that is not installed" test ! -e "$exports/bin/ghost"
check "no launcher from the broken profile" sh -c '! grep -rq org.example.Broken "$1"' - "$exports"
check "boxwrap's own shell profile is not exported (a shell in PATH)" test ! -e "$exports/bin/sh"
check "the package's desktop entry is shadowed" test -f "$exports/share/applications/mpv.desktop"
check "Exec is the launcher with the package's arguments and one file field code" \
	test "$(grep '^Exec=' "$exports/share/applications/mpv.desktop" | head -n 1)" = "Exec=/var/lib/boxwrap/exports/bin/mpv --player-operation-mode=pseudo-gui %U /etc/shadow"
check "Flatpak's @@ markers, D-Bus activation and TryExec are not copied" \
	sh -c '! grep -Eq "@@|DBusActivatable|TryExec" "$1"' - "$exports/share/applications/mpv.desktop"
check "desktop actions are kept, each running the launcher with its arguments" \
	sh -c 'grep -qx "Actions=evil;" "$1" && grep -qx "\[Desktop Action evil\]" "$1" && grep -qx "Exec=/var/lib/boxwrap/exports/bin/mpv --script=/tmp/evil.lua" "$1"' - "$exports/share/applications/mpv.desktop"
check "an action without Exec of its own is dropped" sh -c '! grep -q "nothing" "$1"' - "$exports/share/applications/mpv.desktop"
check "mimeinfo.cache lists the exported entry for its MIME types (GLib needs it)" \
	sh -c 'grep -qx "\[MIME Cache\]" "$1" && grep -qx "video/mp4=mpv.desktop;" "$1"' - "$exports/share/applications/mimeinfo.cache"
check "the package's D-Bus service for the app runs the launcher with its arguments" \
	sh -c 'grep -qx "Name=io.mpv.Mpv" "$1" && grep -qx "Exec=/var/lib/boxwrap/exports/bin/mpv --gapplication-service" "$1"' - "$exports/share/dbus-1/services/io.mpv.Mpv.service"
check "a helper below the app id runs in the app's sandbox through a launcher of its own" \
	sh -c 'grep -qx "Exec=/var/lib/boxwrap/exports/libexec/io.mpv.Mpv.Helper --flag" "$1" && grep -q "^# Launcher for io.mpv.Mpv" "$2" && grep -q "/usr/libexec/mpv-helper" "$2" && sh -n "$2"' - "$exports/share/dbus-1/services/io.mpv.Mpv.Helper.service" "$exports/libexec/io.mpv.Mpv.Helper"
check "a helper that is not installed cannot be started: Exec=/bin/false" \
	grep -qx "Exec=/bin/false" "$exports/share/dbus-1/services/io.mpv.Mpv.Gone.service"
check "another app's service and a quoted argument are not exported as they were" \
	sh -c '! [ -e "$1/org.example.Other.service" ] && ! grep -rq "quoted" "$1"' - "$exports/share/dbus-1/services"
check "the autostart entry that starts the program runs the launcher, Hidden kept" \
	sh -c 'grep -qx "Exec=/var/lib/boxwrap/exports/bin/mpv --daemon" "$1" && grep -qx "X-GNOME-AutoRestart=true" "$1" && ! grep -q TryExec "$1"' - "$exports/xdg/autostart/mpv-daemon.desktop"
check "a file name with a line break is not exported (no line injected)" \
	sh -c '! grep -rqx "DBusActivatable=true" "$1" && [ "$(ls "$1/share/applications" | grep -c "mpv.desktop\$")" = 1 ]' - "$exports"
rm "$evil_name"
check "an autostart entry of another program is not exported" test ! -e "$exports/xdg/autostart/other-daemon.desktop"
check "a daemon's system service that would start it outside the sandbox is reported" \
	grep -q "org.example.Svc.service starts /usr/bin/svcd outside the sandbox" "$scratch/err"
check "the rest of the entry is kept (names, icon, MIME types)" \
	sh -c 'grep -qx "Name\[de\]=mpv Medienabspieler" "$1" && grep -qx "Icon=mpv" "$1" && grep -qx "MimeType=video/mp4;audio/mpeg;" "$1"' - "$exports/share/applications/mpv.desktop"
check "APP-ID.desktop exists for the portal, hidden from menus" \
	sh -c 'grep -qx "NoDisplay=true" "$1" && grep -qx "Exec=/var/lib/boxwrap/exports/bin/mpv --player-operation-mode=pseudo-gui %U /etc/shadow" "$1" && ! grep -q MimeType "$1"' - "$exports/share/applications/io.mpv.Mpv.desktop"
check "an app without a desktop entry gets a minimal APP-ID.desktop" \
	sh -c 'grep -qx "Exec=/var/lib/boxwrap/exports/bin/noentry" "$1" && grep -qx "NoDisplay=true" "$1"' - "$exports/share/applications/org.example.NoEntry.desktop"
check "an unrelated desktop entry is not exported" test ! -e "$exports/share/applications/other.desktop"
if command -v desktop-file-validate >/dev/null 2>&1; then
	check "desktop-file-validate accepts the entries" desktop-file-validate "$exports"/share/applications/*.desktop
fi
snapshot > "$scratch/after"
check "no file outside the exports changed" cmp -s "$scratch/before" "$scratch/after"
diff "$scratch/before" "$scratch/after" | head -5 | sed 's/^/# /'

exports_state > "$scratch/e1"
"$bw" export --root "$root" > "$scratch/out2" 2>/dev/null
exports_state > "$scratch/e2"
check "a second run changes nothing (same inodes and times) and says nothing" \
	sh -c 'cmp -s "$1" "$2" && ! [ -s "$3" ]' - "$scratch/e1" "$scratch/e2" "$scratch/out2"

# The administrator's profile replaces the package's of the same name.
sed 's/io.mpv.Mpv/io.mpv.Admin/' tests/pkg/mpv.yaml > "$etcprof/mpv.yaml"
"$bw" export --root "$root" >/dev/null 2>&1
check "/etc/boxwrap/profiles comes before the package's profile" \
	sh -c 'grep -q "^# Launcher for io.mpv.Admin" "$1/bin/mpv" && [ -f "$1/share/applications/io.mpv.Admin.desktop" ] && ! [ -e "$1/share/applications/io.mpv.Mpv.desktop" ]' - "$exports"
rm "$etcprof/mpv.yaml"

# A profile that breaks keeps its exports: its program stays sandboxed.
cp tests/pkg/broken.yaml "$prof/noentry.yaml"
"$bw" export --root "$root" >/dev/null 2>&1
check "a profile that became broken keeps its previous launcher" test -x "$exports/bin/noentry"
cp tests/pkg/noentry.yaml "$prof/noentry.yaml"

rm "$prof/mpv.yaml"
"$bw" export --root "$root" >/dev/null 2>&1
check "a removed profile's launcher and desktop entries disappear" \
	sh -c '! [ -e "$1/bin/mpv" ] && ! [ -e "$1/share/applications/mpv.desktop" ] && ! [ -e "$1/share/applications/io.mpv.Mpv.desktop" ]' - "$exports"
check "... and the others stay" test -x "$exports/bin/noentry"
: > "$exports/bin/stray"
"$bw" export --root "$root" >/dev/null 2>&1
check "a file boxwrap did not write in its exports is removed" test ! -e "$exports/bin/stray"

# The trigger: apk runs it chrooted, so `boxwrap` is found in PATH.
mkdir -p "$scratch/stub"
printf '#!/bin/sh\nexec %s "$@" --root %s\n' "$bw" "$root" > "$scratch/stub/boxwrap"
chmod 755 "$scratch/stub/boxwrap"
cp tests/pkg/mpv.yaml "$prof/"
trigger() { PATH="$scratch/stub:$PATH" BOXWRAP_TRIGGER_ROOT=$root \
	BOXWRAP_TRIGGER_PROFILE_DIRS="/etc/boxwrap/profiles $datadir/boxwrap/profiles" sh boxwrap.trigger "$@"; }
trigger "$prof" /etc/boxwrap/profiles/gone >/dev/null 2>&1
check "boxwrap.trigger exports and exits 0 (broken profile present)" sh -c '[ $? = 0 ] && [ -x "$1/bin/mpv" ]' - "$exports"
# Only /usr/bin or /usr/sbin changed (nearly every apk transaction): the
# trigger exports only when a program a profile names changed.
printf '#!/bin/sh\necho called >> %s\nexec %s "$@" --root %s\n' "$scratch/calls" "$bw" "$root" > "$scratch/stub/boxwrap"
: > "$scratch/calls"
trigger /usr/bin /usr/sbin > "$scratch/out" 2>&1
check "trigger for /usr/bin with no profiled program changed: no export, no output" \
	sh -c '! [ -s "$1" ] && ! [ -s "$2" ]' - "$scratch/calls" "$scratch/out"
printf '#!/bin/sh\n' > "$root/usr/bin/unrelated"; chmod 755 "$root/usr/bin/unrelated"
trigger /usr/bin > "$scratch/out" 2>&1
check "... nor when an unrelated program was installed" sh -c '! [ -s "$1" ] && ! [ -s "$2" ]' - "$scratch/calls" "$scratch/out"
cp -p "$root/usr/bin/mpv" "$scratch/mpv.orig"
rm "$root/usr/bin/mpv"; printf '#!/bin/sh\necho new mpv\n' > "$root/usr/bin/mpv"; chmod 755 "$root/usr/bin/mpv"
trigger /usr/bin > /dev/null 2>&1
check "... and exports when a profiled program was replaced" grep -q called "$scratch/calls"
: > "$scratch/calls"
trigger /usr/share/applications > /dev/null 2>&1
check "... and always when a desktop entry or profile directory changed" grep -q called "$scratch/calls"
rm "$root/usr/bin/unrelated"; cp -p "$scratch/mpv.orig" "$root/usr/bin/mpv"
printf '#!/bin/sh\nexit 1\n' > "$scratch/stub/boxwrap"
trigger "$prof" > /dev/null 2> "$scratch/err"
check "boxwrap.trigger never fails the transaction, and says why" sh -c '[ $? = 0 ] && [ -s "$1" ]' - "$scratch/err"

# /etc/profile.d/boxwrap.sh, pointed at the temporary root.
sed "s|/var/lib/boxwrap/exports|$exports|" "$root/etc/profile.d/boxwrap.sh" > "$scratch/profile.sh"
env="$(env -i PATH=/usr/bin:/bin sh -c '. "$1"; . "$1"; printf "%s\n%s\n" "$PATH" "$XDG_DATA_DIRS"' - "$scratch/profile.sh")"
check "profile.d puts the launchers first in PATH, once" test "$(echo "$env" | sed -n 1p)" = "$exports/bin:/usr/bin:/bin"
check "profile.d puts the desktop entries first in XDG_DATA_DIRS, once" \
	test "$(echo "$env" | sed -n 2p)" = "$exports/share:/usr/local/share:/usr/share"
env="$(env -i PATH=/usr/bin:/bin:$exports/bin XDG_DATA_DIRS=/usr/share:$exports/share XDG_CONFIG_DIRS=/etc/xdg sh -c '. "$1"; printf "%s\n%s\n%s\n" "$PATH" "$XDG_DATA_DIRS" "$XDG_CONFIG_DIRS"' - "$scratch/profile.sh")"
check "profile.d moves the exports to the front when they are already further back" \
	test "$(echo "$env" | tr '\n' ' ')" = "$exports/bin:/usr/bin:/bin $exports/share:/usr/share $exports/xdg:/etc/xdg "

# Removing boxwrap: its post-deinstall removes the exports; nothing else changed.
sed "s|/var/lib/boxwrap|$root/var/lib/boxwrap|g" boxwrap.post-deinstall > "$scratch/post-deinstall"
rm "$prof/mpv.yaml"
sh "$scratch/post-deinstall"
check "post-deinstall removes every export" test ! -e "$root/var/lib/boxwrap"
snapshot > "$scratch/final"
check "after removal the root is as before (the profiles the test changed aside)" \
	sh -c 'grep -v "/boxwrap/profiles/" "$1" > "$1.x"; grep -v "/boxwrap/profiles/" "$2" | cmp -s "$1.x" -' - "$scratch/before" "$scratch/final"
done_testing
