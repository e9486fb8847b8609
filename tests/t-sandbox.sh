#!/bin/sh
# The sandbox, seen from inside, in both launch modes: `boxwrap run` and
# the emitted launcher. Real bwrap, unprivileged uid.
. tests/lib.sh
setup_scratch
app=org.boxwrap.Test
unset DBUS_SESSION_BUS_ADDRESS  # no session bus here: see t-dbus.sh for one

cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
mkdir -p "$home/Downloads" "$scratch/inaccessible"
echo secret > "$home/canary"
echo dl > "$home/Downloads/file"
echo hidden > "$scratch/inaccessible/secret-file"
give "$home"

for p in basic network home; do
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "tests/profiles/$p.yaml" > "$scratch/$p.sh"
done

# launch MODE PROFILE SCRIPT: runs sh -c SCRIPT in the sandbox.
launch() {
	if [ "$1" = run ]; then
		as_user "$BOXWRAP" run "tests/profiles/$2.yaml" -c "$3"
	else
		as_user sh "$scratch/$2.sh" -c "$3"
	fi
}

if ! have_userns; then
	skip "sandbox tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

for mode in run emit; do
	out=$(launch $mode basic 'cat ~/canary' 2>&1)
	check "$mode: a file in the real home is invisible" \
		sh -c 'case $1 in *secret*) exit 1 ;; *"No such file"*) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode basic 'touch /usr/boxwrap-x' 2>&1)
	check "$mode: writing /usr fails (read-only)" sh -c 'case $1 in *"Read-only file system"*) ;; *) exit 1 ;; esac' - "$out"
	launch $mode basic "echo kept > ~/written-$mode" >/dev/null 2>&1
	check "$mode: a file written in the private home is on the host after exit" \
		grep -qx kept "$home/.var/app/$app/written-$mode"
	out=$(launch $mode basic 'cat ~/Downloads/file; touch ~/Downloads/new' 2>&1)
	check "$mode: the granted xdg-download is visible" sh -c 'case $1 in dl*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and :ro is enforced" sh -c 'case $1 in *"Read-only file system"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and nothing was created on the host" test ! -e "$home/Downloads/new"
	out=$(launch $mode basic 'tail -n +3 /proc/net/dev' 2>&1)
	check "$mode: without shared: network only lo exists" sh -c '[ "$(printf "%s\n" "$1" | wc -l)" = 1 ] && case $1 in *lo:*) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode network 'tail -n +3 /proc/net/dev | wc -l' 2>&1)
	check "$mode: with shared: network the host's interfaces are there" test "$out" -ge 1
	out=$(launch $mode basic 'cat /.flatpak-info' 2>&1)
	check "$mode: /.flatpak-info names the app" sh -c 'case $1 in *"name=org.boxwrap.Test"*"instance-id="[0-9]*) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode basic 'echo x >> /.flatpak-info && echo WROTE; rm -f /.flatpak-info && echo REMOVED; mv /.flatpak-info /tmp/x && echo MOVED; cat /run/user/$(id -u)/flatpak-info | head -1' 2>&1)
	check "$mode: /.flatpak-info cannot be written, removed or moved" \
		sh -c 'case $1 in *WROTE*|*REMOVED*|*MOVED*) exit 1 ;; *"Read-only file system"*"[Application]"*) ;; *) exit 1 ;; esac' - "$out"
	out=$(LD_PRELOAD=/nonexistent/canary.so SSH_AUTH_SOCK=/tmp/ssh-canary GITHUB_TOKEN=c4n4ry PYTHONPATH=/canary \
		launch $mode basic 'env' 2>/dev/null)
	check "$mode: host environment canaries are absent" \
		sh -c 'case $1 in *LD_PRELOAD*|*ssh-canary*|*c4n4ry*|*PYTHONPATH*) exit 1 ;; esac' - "$out"
	check "$mode: ... and the profile's environment is set" sh -c 'case $1 in *API_TOKEN=3047225e-canary*) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode basic 'tr "\0" " " < /proc/1/cmdline' 2>&1)
	check "$mode: profile values are not on any command line" sh -c 'case $1 in *3047225e*) exit 1 ;; esac' - "$out"
	# The shell's own descriptors, less the one its glob used (closed by now).
	out=$(launch $mode basic 'for f in /proc/$$/fd/*; do l=$(readlink "$f") && echo "${f##*/}=$l"; done' \
		5</etc/hostname 6<"$scratch" 2>&1)
	check "$mode: no descriptor of the launcher or its caller leaks in" \
		sh -c 'case $1 in *hostname*|*"$2"*|*memfd*|*flatpak*|*bwrapinfo*|*.bpf*|*[!0-9]5=*|*[!0-9]6=*) exit 1 ;; esac' - "$out" "$scratch"
	out=$(launch $mode basic 'echo "bus=${DBUS_SESSION_BUS_ADDRESS-none}"' 2>&1)
	check "$mode: without a session bus on the host the app starts, with no bus" test "$out" = "bus=none"
	launch $mode basic 'exit 42' >/dev/null 2>&1
	check "$mode: the app's exit status comes back" test $? = 42
	check "$mode: the instance directory is gone after exit" sh -c '! ls -d "$1"/.flatpak/[0-9]* 2>/dev/null' - "$rt"
done

# Inside a sandbox, a launcher runs its program directly: no nesting.
cp "$scratch/basic.sh" "$BOXWRAP" tests/profiles/basic.yaml "$home/.var/app/$app/"
give "$home/.var/app/$app"
for mode in run emit; do
	out=$(launch $mode basic 'sh ~/basic.sh -c "echo direct \$BOXWRAP_APP_ID"; ~/boxwrap run ~/basic.yaml -c "echo direct too"' 2>&1)
	check "$mode: the emitted launcher inside a sandbox runs the program itself" \
		sh -c 'case $1 in *"direct org.boxwrap.Test"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and so does boxwrap run" sh -c 'case $1 in *"direct too"*) ;; *) exit 1 ;; esac' - "$out"
done

# A symlink planted in the private home must not expose a host path at
# the next launch (security.md F1, F2, F4).
priv=$home/.var/app/$app
for mode in run emit; do
	rm -rf "$priv/Downloads"
	ln -s "$scratch/inaccessible" "$priv/Downloads"
	out=$(launch $mode basic 'ls ~/Downloads/' 2>&1)
	check "$mode: a symlink planted where a grant is mounted is refused" \
		sh -c 'case $1 in *secret-file*) exit 1 ;; *"symbolic link"*) ;; *) exit 1 ;; esac' - "$out"
	rm -f "$priv/Downloads"
	mv "$priv" "$priv.real"
	ln -s "$scratch/inaccessible" "$priv"
	out=$(launch $mode basic 'ls ~; echo pwned > ~/pwned' 2>&1)
	check "$mode: a private home replaced by a symlink is refused" \
		sh -c 'case $1 in *secret-file*) exit 1 ;; *"symbolic link"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and nothing was written through it" test ! -e "$scratch/inaccessible/pwned"
	rm -f "$priv"
	mv "$priv.real" "$priv"
done

# The real home read-only, with the private XDG directories and persistent.
for mode in run emit; do
	out=$(launch $mode home 'cat ~/canary; touch ~/new 2>&1; echo "$XDG_CONFIG_HOME"; echo c > "$XDG_CONFIG_HOME/f"; ls -d ~/Music' 2>&1)
	check "$mode: home:ro shows the real home read-only" \
		sh -c 'case $1 in secret*"Read-only file system"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... XDG_CONFIG_HOME is the app's private one" \
		sh -c 'case $1 in *"/.var/app/org.boxwrap.TestHome/config"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... what the app writes there lands in ~/.var/app/APP-ID" grep -qx c "$home/.var/app/org.boxwrap.TestHome/config/f"
	check "$mode: ... :create made the granted directory" test -d "$home/Music"
done
done_testing
