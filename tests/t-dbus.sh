#!/bin/sh
# D-Bus through the proxy, in both launch modes, against a real
# dbus-daemon and xdg-dbus-proxy (security.md D1–D4).
. tests/lib.sh
setup_scratch
app=org.boxwrap.TestBus
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
mkdir -p "$home/.var/app/$app"
cp tests/dbus-client.py "$home/.var/app/$app/client.py"
give "$home"
for p in dbus dbus-system basic; do
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "tests/profiles/$p.yaml" > "$scratch/$p.sh"
done

if ! have_userns; then
	skip "D-Bus tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

as_user_bg dbus-daemon --session --address="unix:path=$rt/bus" --nofork --nopidfile >/dev/null 2>&1
bus_pid=$bg_pid
export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"
for _ in $(seq 50); do [ -S "$rt/bus" ] && break; sleep 0.1; done
as_user_bg /usr/bin/python3 tests/dbus-service.py org.boxwrap.Granted org.boxwrap.Secret org.boxwrap.Seen > "$scratch/service.out" 2>&1
svc_pid=$bg_pid
for _ in $(seq 50); do grep -q ready "$scratch/service.out" 2>/dev/null && break; sleep 0.1; done
trap 'kill $svc_pid $bus_pid 2>/dev/null; cleanup_scratch' EXIT

system_bus=absent
[ -S /run/dbus/system_bus_socket ] && system_bus=present
launch() { # MODE PROFILE ARGS...
	_m=$1 _p=$2
	shift 2
	if [ "$_m" = run ]; then
		as_user "$BOXWRAP" run "tests/profiles/$_p.yaml" "$@"
	else
		as_user sh "$scratch/$_p.sh" "$@"
	fi
}
client() { _m=$1; shift; launch "$_m" dbus "$home/.var/app/$app/client.py" "$@" 2>&1; }
# This test's proxies: those whose sandbox mounts this test's runtime dir
# (other tests may run their own at the same time).
proxies() {
	for _p in $(pgrep -u "$TEST_UID" -x xdg-dbus-proxy); do
		grep -qF "$rt/" "/proc/$_p/mountinfo" 2>/dev/null && echo "$_p"
	done | wc -l
}

for mode in run emit; do
	out=$(client $mode names)
	check "$mode: ListNames shows the bus and granted names only ($out)" \
		test "$out" = "OK names org.boxwrap.Granted org.boxwrap.Seen org.freedesktop.DBus"
	out=$(launch $mode dbus-system "$home/.var/app/$app/client.py" names 2>&1)
	check "$mode: with a system-bus policy too, the session bus is the same (host system bus: $system_bus)" \
		test "$out" = "OK names org.boxwrap.Granted org.boxwrap.Seen org.freedesktop.DBus"
	out=$(client $mode ping:org.boxwrap.Granted ping:org.boxwrap.Secret ping:org.boxwrap.Seen)
	check "$mode: a granted service answers" sh -c 'case $1 in *"OK ping:org.boxwrap.Granted"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: a service not granted cannot be called" \
		sh -c 'case $1 in *"DENIED ping:org.boxwrap.Secret"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: a service granted only 'see' cannot be called" \
		sh -c 'case $1 in *"DENIED ping:org.boxwrap.Seen"*) ;; *) exit 1 ;; esac' - "$out"
	out=$(client $mode start:org.boxwrap.Secret start:org.freedesktop.systemd1)
	check "$mode: StartServiceByName of services not granted fails" \
		sh -c 'case $1 in *"OK "*) exit 1 ;; *"DENIED start:org.boxwrap.Secret"*"DENIED start:org.freedesktop.systemd1"*) ;; *) exit 1 ;; esac' - "$out"
	out=$(client $mode "eavesdrop:type='method_call',eavesdrop=true" "eavesdrop:eavesdrop=true" monitor activation-env)
	check "$mode: eavesdropping, BecomeMonitor and UpdateActivationEnvironment are refused" \
		sh -c 'case $1 in *"OK "*) exit 1 ;; esac; [ "$(printf "%s\n" "$1" | grep -c DENIED)" = 4 ]' - "$out"
	out=$(client $mode own:$app own:$app.Sub own:org.boxwrap.Other)
	check "$mode: the app may own its id and names below it" \
		sh -c 'case $1 in *"OK own:org.boxwrap.TestBus"*"OK own:org.boxwrap.TestBus.Sub"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and no other name" sh -c 'case $1 in *"DENIED own:org.boxwrap.Other"*) ;; *) exit 1 ;; esac' - "$out"

	# The bus peer is the proxy; its root holds the app's /.flatpak-info,
	# which is what xdg-desktop-portal reads (security.md D4).
	client $mode unique-and-wait > "$scratch/unique" &
	launcher=$!
	for _ in $(seq 100); do [ -s "$scratch/unique" ] && break; sleep 0.05; done
	unique=$(head -1 "$scratch/unique")
	pid=$(as_user gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
		-m org.freedesktop.DBus.GetConnectionUnixProcessID "$unique" | sed 's/.* \([0-9]*\),.*/\1/')
	check "$mode: the bus peer's root has the app's /.flatpak-info" \
		grep -qx "name=$app" "/proc/$pid/root/.flatpak-info"
	inst=$(sed -n 's/^instance-id=//p' "/proc/$pid/root/.flatpak-info")
	check "$mode: ... with the instance id of a live instance directory" test -s "$rt/.flatpak/$inst/bwrapinfo.json"
	child=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' "$rt/.flatpak/$inst/bwrapinfo.json")
	check "$mode: ... whose bwrapinfo.json child-pid is the app's sandbox" \
		grep -qx "name=$app" "/proc/$child/root/.flatpak-info"
	# Lifetime: killing the app takes the proxy with it.
	app_pid=$(pgrep -u "$TEST_UID" -f "$home/.var/app/$app/client.py unique-and-wait" | while read -r p; do
		[ "$(readlink /proc/$p/exe)" = /usr/bin/python3.11 ] || [ "$(cat /proc/$p/comm)" = python3 ] && echo "$p"; done | tail -1)
	check "$mode: one proxy runs for the app" test "$(proxies)" = 1
	kill -9 "$app_pid"
	gone=0
	for _ in $(seq 20); do [ "$(proxies)" = 0 ] && { gone=1; break; }; sleep 0.05; done
	check "$mode: kill -9 of the app: the proxy is gone within 1 s" test $gone = 1
	wait "$launcher" 2>/dev/null

	# Killing the launcher takes app and proxy with it.
	client $mode unique-and-wait > "$scratch/unique" &
	for _ in $(seq 100); do [ -s "$scratch/unique" ] && break; sleep 0.05; done
	launcher_pid=$(pgrep -u "$TEST_UID" -f "(boxwrap run|dbus.sh) .*unique-and-wait" | head -1)
	kill -9 "$launcher_pid"
	gone=0
	for _ in $(seq 20); do
		[ "$(proxies)" = 0 ] && ! pgrep -u "$TEST_UID" -f "client.py unique-and-wait" >/dev/null && { gone=1; break; }
		sleep 0.05
	done
	check "$mode: kill -9 of the launcher: app and proxy gone within 1 s" test $gone = 1

	# Killing the proxy leaves the app with a bus error, not a hang.
	launch $mode dbus "$home/.var/app/$app/client.py" unique-and-wait > "$scratch/unique" 2>&1 &
	launcher=$!
	for _ in $(seq 100); do [ -s "$scratch/unique" ] && break; sleep 0.05; done
	pkill -9 -u "$TEST_UID" -f xdg-dbus-proxy
	out=$(client $mode names)
	check "$mode: a new instance still gets its own proxy" sh -c 'case $1 in "OK names"*) ;; *) exit 1 ;; esac' - "$out"
	pkill -9 -u "$TEST_UID" -f "client.py unique-and-wait"
	wait "$launcher" 2>/dev/null
done

out=$(as_user "$BOXWRAP" run --log-session-bus tests/profiles/dbus.yaml "$home/.var/app/$app/client.py" ping:org.boxwrap.Secret 2>&1)
# The proxy's log line for the call: "C7: -> org.boxwrap.Secret call ...".
check "--log-session-bus shows the names the app tries" \
	sh -c 'printf "%s\n" "$1" | grep -q "^C[0-9]*: -> org.boxwrap.Secret call org.boxwrap.Test.Ping"' - "$out"
check "... and the filtered call still fails" sh -c 'case $1 in *"DENIED ping:org.boxwrap.Secret"*) ;; *) exit 1 ;; esac' - "$out"

# 50 launches in a row leave no proxy, socket or instance directory.
for mode in run emit; do
	i=0
	while [ $i -lt 25 ]; do launch $mode basic -c true >/dev/null 2>&1; i=$((i + 1)); done
done
check "50 launches leave no proxy process" test "$(proxies)" = 0
check "50 launches leave no instance directory" sh -c '! ls -d "$1"/.flatpak/[0-9]* 2>/dev/null' - "$rt"

out=$("$BOXWRAP" check tests/data/refused-bus.yaml 2>&1)
check "a profile asking for a refused name fails check, naming the rule" \
	sh -c 'case $1 in *"refusing talk '"'"'org.freedesktop.systemd1'"'"': runs commands on the host"*) ;; *) exit 1 ;; esac' - "$out"
done_testing
