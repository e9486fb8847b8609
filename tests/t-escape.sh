#!/bin/sh
# A hostile app's ways out through the files the host runs later (issue
# 16, item 2): with a broad grant it cannot write what runs outside the
# sandbox (D-Bus service files, X session scripts, git's and the shells'
# configuration), and a grant that reaches them by a path the loader cannot
# judge (an absolute path, the home's parent) is refused at launch. Both
# launch modes, real bwrap, unprivileged user.
. tests/lib.sh
setup_scratch
unset DBUS_SESSION_BUS_ADDRESS
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"

# The targets exist on the host: the read-only binds go over them (what a
# `home` grant does where they are missing is lib/home.c's concern).
targets='.local/share/dbus-1/services/org.example.Evil.service
.xsessionrc
.gitconfig
.config/git/config
.profile
.bashrc
.config/plasma-workspace/env/evil.sh
.config/autostart/evil.desktop
.config/systemd/user/evil.service
.config/environment.d/evil.conf
.local/share/applications/evil.desktop
.config/mimeapps.list
.local/share/flatpak/overrides/global
.config/pipewire/pipewire.conf
.config/dconf/user
.local/share/gnome-shell/extensions/evil/extension.js
.local/share/thumbnailers/evil.thumbnailer
.ssh/config
.local/bin/ls
bin/ls
.config/boxwrap/overrides/org.example.Other.yaml'
# Directories that are protected themselves: nothing new appears in them.
dirs='.local/share/dbus-1/services .config/git .config/plasma-workspace/env .config/autostart
.config/systemd/user .local/share/applications .local/share/flatpak/overrides
.local/share/gnome-shell/extensions .ssh .local/bin bin .config/boxwrap/overrides'
for t in $targets; do
	case $t in */*) mkdir -p "$home/${t%/*}" ;; esac
	echo original > "$home/$t"
done
give "$home"

# profile NAME FILESYSTEMS: a hostile app's profile in the scratch tree.
profile() {
	printf 'app-id: org.boxwrap.TestEscape\ncommand: /bin/sh\nfilesystems: %s\n' "$2" > "$scratch/$1.yaml"
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$scratch/$1.yaml" > "$scratch/$1.sh"
}
launch() { # MODE NAME SCRIPT
	if [ "$1" = run ]; then
		as_user "$BOXWRAP" run "$scratch/$2.yaml" -c "$3"
	else
		as_user sh "$scratch/$2.sh" -c "$3"
	fi
}

# Names that would become code (item 5). A profile file whose name holds
# newlines: emitted, its name reached the launcher's header comment, and
# its second line ran as a command when the launcher started.
evil="$scratch/evil
touch PWN
#.yaml"
cp tests/profiles/basic.yaml "$evil"
mkdir -p "$scratch/cwd"
give "$scratch/cwd"
(cd "$scratch/cwd" && BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$evil" > "$scratch/evil.sh" 2> "$scratch/err")
status=$?
(cd "$scratch/cwd" && as_user sh "$scratch/evil.sh" -c true >/dev/null 2>&1)
check "emit: a profile named 'evil<newline>touch PWN<newline>#.yaml' is refused" test "$status" != 0
check "... with a clear message" grep -q 'evil\\x0atouch PWN\\x0a#.yaml: refusing a profile whose file name holds control characters' "$scratch/err"
check "... and its launcher, had one been written, did not run touch PWN" test ! -e "$scratch/cwd/PWN"
(cd "$scratch/cwd" && as_user "$BOXWRAP" run "$evil" -c true > /dev/null 2> "$scratch/err")
check "run: the same profile is refused" grep -q 'refusing a profile whose file name holds control characters' "$scratch/err"
check "... and nothing ran" test ! -e "$scratch/cwd/PWN"

# A package's desktop file name with newlines: exported as it was, it
# added lines (DBusActivatable=true) to the exported entries and manifest.
r=$scratch/root
mkdir -p "$r/usr/bin" "$r/usr/share/applications" "$r/etc/boxwrap/profiles"
printf '#!/bin/sh\n' > "$r/usr/bin/mpv"
chmod 755 "$r/usr/bin/mpv"
cp tests/pkg/mpv.yaml "$r/etc/boxwrap/profiles/"
grep -v DBusActivatable tests/pkg/mpv.desktop > "$r/usr/share/applications/mpv-evil
DBusActivatable=true
X.desktop"
"$BOXWRAP" export --root "$r" > /dev/null 2> "$scratch/err"
check "export refuses a desktop file name with a newline, clearly" \
	grep -q 'mpv-evil\\x0aDBusActivatable=true\\x0aX.desktop: refusing a desktop file name with control characters' "$scratch/err"
check "... and no exported file gained a line from it" sh -c '! grep -rq "^DBusActivatable" "$1"' - "$r/var/lib/boxwrap/exports"
check "... nor a name with a newline" sh -c '[ -z "$(find "$1" -name "*
*")" ]' - "$r/var/lib/boxwrap/exports"

# shared: network reaches the host's abstract Unix sockets: check says so.
out=$("$BOXWRAP" check tests/profiles/network.yaml 2>&1)
check "check warns that shared: network reaches the host's abstract Unix sockets" \
	sh -c 'case $1 in *"warning:"*"shared: network also reaches the host'"'"'s abstract Unix sockets"*X11*D-Bus*) ;; *) exit 1 ;; esac' - "$out"
out=$("$BOXWRAP" check tests/profiles/basic.yaml 2>&1)
check "... and not without it" sh -c 'case $1 in *"abstract Unix"*) exit 1 ;; esac' - "$out"

if ! have_userns; then
	skip "escape tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

profile home '[home]'
# The app writes, appends, replaces and removes each target it can see.
attack='for t in '$(printf '%s ' $targets)'; do
	f=$HOME/$t
	echo pwned > "$f" 2>/dev/null && echo "WROTE $t"
	echo pwned >> "$f" 2>/dev/null && echo "APPENDED $t"
	rm -f "$f" 2>/dev/null && echo pwned > "$f" 2>/dev/null && echo "REPLACED $t"
done
for d in '$(printf '%s ' $dirs)'; do
	echo pwned > "$HOME/$d/new-$$" 2>/dev/null && echo "CREATED in $d"
done
echo done'
for mode in run emit; do
	out=$(launch $mode home "$attack" 2>&1)
	check "$mode: with home, the app ran" sh -c 'case $1 in *done*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: with home, no file that runs outside the sandbox could be written" \
		sh -c 'case $1 in *WROTE*|*APPENDED*|*REPLACED*|*CREATED*) exit 1 ;; esac' - "$out"
	printf '%s\n' "$out" | grep -E 'WROTE|APPENDED|REPLACED|CREATED' | head -5 | sed 's/^/# /'
	changed=
	for t in $targets; do
		[ "$(cat "$home/$t" 2>/dev/null)" = original ] || changed="$changed $t"
	done
	for d in $dirs; do
		ls "$home/$d" | grep -q '^new-' && changed="$changed $d/new-*"
	done
	check "$mode: ... and on the host each is unchanged${changed:+:$changed}" test -z "$changed"
done

# Grants the loader cannot judge by their spelling: an absolute path to
# the home, above it, or into a protected directory; checked at launch.
for spec in "$home" "$scratch" "$home/.local/share/dbus-1" "$home/.config/git:create"; do
	profile abs "[\"$spec\"]"
	shown=$(printf '%s' "$spec" | sed "s|^$home|HOME|; s|^$scratch|HOME/..|")
	for mode in run emit; do
		out=$(launch $mode abs 'echo STARTED; echo pwned > ~/.gitconfig' 2>&1)
		check "$mode: a writable grant of $shown is refused at launch" \
			sh -c 'case $1 in *STARTED*) exit 1 ;; *"refusing to grant"*) ;; *) exit 1 ;; esac' - "$out"
	done
done
check "... and ~/.gitconfig is unchanged" test "$(cat "$home/.gitconfig")" = original
# Absolute grants away from the home (one below it is refused whatever
# its mode: the home is granted as home or ~/PATH).
mkdir -p "$scratch/shared"
echo original > "$scratch/shared/config"
mkdir -p "$scratch/music"
give "$scratch/music"
profile absro "[\"$scratch/shared:ro\", \"$scratch/music:create\"]"
for mode in run emit; do
	out=$(launch $mode absro "cat '$scratch/shared/config'; echo STARTED" 2>&1)
	check "$mode: read-only and unrelated absolute grants still start" \
		sh -c 'case $1 in original*STARTED*) ;; *) exit 1 ;; esac' - "$out"
done

# What the warning says holds: a host abstract socket (as X11's
# @/tmp/.X11-unix/X0) is reachable with shared: network, not without.
cp tests/profiles/network.yaml "$scratch/network.yaml"
BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$scratch/network.yaml" > "$scratch/network.sh"
cp tests/profiles/basic.yaml "$scratch/basic.yaml"
BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$scratch/basic.yaml" > "$scratch/basic.sh"
if ! [ -x /usr/bin/python3 ]; then
	skip "abstract sockets with shared: network" "python3 is not installed"
	done_testing
	exit 0
fi
name="boxwrap-test-abstract-$$"
as_user_bg /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen(8); time.sleep(60)' "$name"
listener=$bg_pid
sleep 1
probe='python3 -c "import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(\"\\0\" + sys.argv[1]); print(\"CONNECTED\")
except OSError as e:
    print(\"REFUSED\", e.errno)" '$name
for mode in run emit; do
	out=$(launch $mode network "$probe" 2>&1)
	check "$mode: with shared: network a host abstract socket is reachable (as check warns)" test "$out" = CONNECTED
	out=$(launch $mode basic "$probe" 2>&1)
	check "$mode: without it, it is not" sh -c 'case $1 in "REFUSED 111") ;; *) exit 1 ;; esac' - "$out"
done
kill "$listener" 2>/dev/null
done_testing
