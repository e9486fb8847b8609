#!/bin/sh
# flatpak-spawn in a sandbox with nested-sandbox (lib/spawn.h): the
# sub-sandboxes it builds keep less than the app has and never more, as
# WebKitGTK's web processes need (t-apps.sh runs the real one).
. tests/lib.sh
setup_scratch
if ! have_userns; then
	skip "flatpak-spawn" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
mkdir -p "$home/Documents"
echo secret > "$home/Documents/letter"
cp tests/dbus-client.py "$home/Documents/client.py"
give "$home"
prof=tests/profiles/spawner.yaml
# app SCRIPT: runs SCRIPT with sh in the app's sandbox, as the test user.
app() { as_user "$BOXWRAP" run "$prof" -c "$1" 2>&1; }
# sub OPTIONS... -- SCRIPT: the same, one sub-sandbox further down.
sandboxed='flatpak-spawn --sandbox --watch-bus --expose-pids'
# expect DESCRIPTION PATTERN: ok when the output in $out matches PATTERN.
expect() { case $out in $2) ok "$1 ($out)" ;; *) not_ok "$1 ($out)" ;; esac; }

out=$(app 'command -v flatpak-spawn')
check "nested-sandbox puts flatpak-spawn first in PATH ($out)" test "$out" = /run/boxwrap/bin/flatpak-spawn
out=$(as_user "$BOXWRAP" run tests/profiles/basic.yaml -c 'command -v flatpak-spawn || echo none' 2>&1)
check "without nested-sandbox there is none: apps keep to the app's sandbox ($out)" test "$out" = none
app 'flatpak-spawn --sandbox --sandbox-expose-path-ro-try=/this_path_doesnt_exist echo' > /dev/null
check "WebKitGTK's probe succeeds" test $? = 0

out=$(app "cat \$HOME/Documents/letter; $sandboxed cat \$HOME/Documents/letter")
expect "a sub-sandbox does not see the app's files" 'secret*No such file*'
out=$(app "$sandboxed --sandbox-expose-path-ro=\$HOME/Documents sh -c 'cat \$HOME/Documents/letter; echo x > \$HOME/Documents/new'")
expect "an exposed read-only path reads, and refuses writes with EROFS" 'secret*Read-only file system*'
app "$sandboxed --sandbox-expose-path=\$HOME/Documents sh -c 'echo written > \$HOME/Documents/new'" > /dev/null
check "a writable exposed path: the write lands in the host's Documents" grep -qx written "$home/Documents/new"

out=$(app "grep -c : /proc/net/dev; $sandboxed --no-network grep -c : /proc/net/dev")
check "--no-network: only loopback below the app's shared network ($(echo $out))" \
	sh -c 'set -- $1; [ "$2" = 1 ] && [ "$1" -gt 1 ]' - "$out"

out=$(app "exec 5< /etc/hostname 6< /etc/hostname; $sandboxed --forward-fd=5 sh -c 'ls /proc/self/fd' | tr '\n' ' '")
check "only the forwarded descriptor reaches the command ($out)" \
	sh -c 'case " $1" in *" 5 "*" 6 "*|*" 6 "*) exit 1 ;; *" 5 "*) ;; *) exit 1 ;; esac' - "$out"

out=$(app 'flatpak-spawn --forward-fd=9 true; echo "status $?"')
expect "a descriptor that is not open cannot be forwarded" '*--forward-fd: 9: Bad file descriptor*status 1'

out=$(app "unshare -U true && echo app-ok; $sandboxed unshare -U true || echo sub-refused")
expect "the app may create user namespaces, its sub-sandbox may not" '*app-ok*sub-refused*'
out=$(app "grep Seccomp_filters /proc/self/status; $sandboxed grep Seccomp_filters /proc/self/status" | tr -s '\t\n' '  ')
check "the default filter is stacked on the app's ($out)" \
	test "$out" = "Seccomp_filters: 1 Seccomp_filters: 2 "

# glycin's loader: its exact options, under prlimit, speaking on stdin.
out=$(app "echo image | flatpak-spawn --sandbox --watch-bus --directory=/ prlimit --as=1000000000 sh -c 'read -r x; echo \$x \$PWD \$(ulimit -v)'")
expect "a glycin loader's command line: stdin arrives, in /, under the memory limit" 'image / 976562'

out=$(app 'flatpak-spawn --host true; echo "status $?"')
expect "--host is refused: no way to the host" '*no way to the host*status 2'
out=$(app 'flatpak-spawn --env=A.B=c --env=X=1 --unset-env=X env' | grep -c '^A\.B=c$\|^X=')
check "--env and --unset-env, names with dots too" test "$out" = 1

# D-Bus: allow-dbus gives the portals only, on a third socket of the app's
# proxy (lib/dbus.c).
if command -v dbus-daemon > /dev/null && /usr/bin/python3 -c 'import gi' 2> /dev/null; then
	as_user_bg dbus-daemon --session --address="unix:path=$rt/bus" --nofork --nopidfile > /dev/null 2>&1
	bus_pid=$bg_pid
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"
	for _ in $(seq 50); do [ -S "$rt/bus" ] && break; sleep 0.1; done
	as_user_bg /usr/bin/python3 tests/dbus-service.py org.boxwrap.Granted org.freedesktop.portal.Test > "$scratch/service.out" 2>&1
	svc_pid=$bg_pid
	trap 'kill $svc_pid $bus_pid 2>/dev/null; cleanup_scratch' EXIT
	for _ in $(seq 50); do grep -q ready "$scratch/service.out" 2>/dev/null && break; sleep 0.1; done
	c="python3 \$HOME/Documents/client.py ping:org.boxwrap.Granted ping:org.freedesktop.portal.Test"
	out=$(app "$c; $sandboxed --sandbox-flag=allow-dbus --sandbox-expose-path-ro=\$HOME/Documents $c" | cut -d: -f1,2 | tr '\n' ' ')
	check "allow-dbus: the app's grant stops at the app, the portals answer ($out)" \
		test "$out" = "OK ping:org.boxwrap.Granted OK ping:org.freedesktop.portal.Test DENIED ping:org.boxwrap.Granted OK ping:org.freedesktop.portal.Test "
	out=$(app "$sandboxed --sandbox-expose-path-ro=\$HOME/Documents $c" | cut -c1-60 | tr '\n' ' ')
	check "without allow-dbus: no bus at all ($out)" \
		sh -c 'case $1 in OK*) exit 1 ;; *) ;; esac' - "$out"
else
	skip "flatpak-spawn allow-dbus" "dbus-daemon or python3-gi is not installed"
fi

# The emitted launcher binds the same helper.
BOXWRAP_SECCOMP_DIR=$PWD/$B/seccomp "$BOXWRAP" emit "$prof" > "$scratch/spawner.sh"
out=$(as_user sh "$scratch/spawner.sh" -c "$sandboxed --no-network grep -c : /proc/net/dev" 2>&1)
check "emit: the launcher's flatpak-spawn builds the same sub-sandbox ($out)" test "$out" = 1

# A sub-sandbox carries the app's app-info, the same file (instance id
# included), as Flatpak's do: PipeWire, compositors and the portal, which
# read /proc/PID/root/.flatpak-info, see the app and not a host client.
info='sed -n "s/^name=//p; s/^instance-id=//p" /.flatpak-info | tr "\n" " "'
for mode in run emit; do
	if [ $mode = run ]; then
		out=$(app "$info; echo; $sandboxed sh -c '$info'")
	else
		out=$(as_user sh "$scratch/spawner.sh" -c "$info; echo; $sandboxed sh -c '$info'" 2>&1)
	fi
	app_line=$(printf '%s\n' "$out" | sed -n 1p) sub_line=$(printf '%s\n' "$out" | sed -n 2p)
	check "$mode: a --sandbox child reads /.flatpak-info with the app's name and instance ($sub_line)" \
		sh -c 'case $1 in "org.boxwrap.TestSpawner "[0-9]*) [ "$1" = "$2" ] ;; *) exit 1 ;; esac' - "$sub_line" "$app_line"
	out=$(as_user "$BOXWRAP" run "$prof" -c "$sandboxed sh -c 'echo x >> /.flatpak-info && echo WROTE; umount /.flatpak-info && echo UNMOUNTED'" 2>&1)
	[ $mode = run ] && check "run: ... which it cannot change or unmount" \
		sh -c 'case $1 in *WROTE*|*UNMOUNTED*) exit 1 ;; *"Read-only file system"*) ;; *) exit 1 ;; esac' - "$out"
done
done_testing
