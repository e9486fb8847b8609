#!/bin/sh
# type: service, and profiles/bluetoothd.yaml started as root. Runs in a
# private mount namespace: a private system bus (dbus-daemon --system on
# a tmpfs at /run/dbus) and a tmpfs at /var/lib/bluetooth, so the host's
# are never touched.
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare >/dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
setup_scratch
bt=profiles/bluetoothd.yaml
# A runtime directory of the caller's own (setup_scratch's is the test user's).
svc_rt=$scratch/run-boxwrap
mkdir -m 0700 "$svc_rt"

# The plan, on any machine.
args=$(XDG_RUNTIME_DIR=$svc_rt HOME=$home "$BOXWRAP" run --dry-run "$bt" | tr ' ' '\n')
check "a service gets no user namespace (the kernel checks its capabilities in the initial one)" sh -c '! printf "%s\n" "$1" | grep -q unshare-user' - "$args"
check "every capability is dropped but the profile's" sh -c 'printf "%s\n" "$1" | tr "\n" " " | grep -q "'"'"'--cap-drop'"'"' '"'"'ALL'"'"' '"'"'--cap-add'"'"' '"'"'CAP_NET_ADMIN'"'"' '"'"'--cap-add'"'"' '"'"'CAP_NET_BIND_SERVICE'"'"'"' - "$args"
check "no home: nothing bound from ~/.var/app, no HOME" sh -c '! printf "%s\n" "$1" | grep -Eq "\.var/app|^.HOME.$"' - "$args"
check "no document portal and no session bus" sh -c '! printf "%s\n" "$1" | grep -Eq "/run/flatpak/doc|/run/flatpak/bus|DBUS_SESSION"' - "$args"
check "pid, ipc and uts namespaces and the seccomp filter stay" sh -c 'for o in --unshare-pid --unshare-ipc --unshare-uts --seccomp --new-session --die-with-parent; do printf "%s\n" "$1" | grep -qx -- "'"'"'$o'"'"'" || exit 1; done' - "$args"
# Bluetooth sockets exist in the initial network namespace only.
check "bluetoothd shares the network, as its profile grants" sh -c '! printf "%s\n" "$1" | grep -q unshare-net' - "$args"
nonet=$(XDG_RUNTIME_DIR=$svc_rt HOME=$home "$BOXWRAP" run --dry-run tests/pkg/service-nonet.yaml | tr ' ' '\n')
check "a service without shared: [network] gets its own network namespace" sh -c 'printf "%s\n" "$1" | grep -qx -- "'"'"'--unshare-net'"'"'"' - "$nonet"
printf 'app-id: org.example.D\ntype: service\ncommand: /bin/true\nfilesystems: [home, xdg-download]\nsockets: [wayland]\npersistent: [.x]\n' > "$scratch/bad.yaml"
check "a service profile refuses home, session sockets and persistent" sh -c '[ "$("$1" check "$2" 2>&1 | grep -c "service")" -ge 4 ]' - "$BOXWRAP" "$scratch/bad.yaml"
printf 'app-id: org.example.D\ncommand: /bin/true\ncapabilities: [CAP_SYS_ADMIN]\n' > "$scratch/caps.yaml"
check "capabilities need type: service" sh -c '! "$1" check "$2" >/dev/null 2>&1' - "$BOXWRAP" "$scratch/caps.yaml"
printf 'app-id: org.example.D\ntype: service\ncommand: /bin/true\ncapabilities: [CAP_NET_ADMN]\n' > "$scratch/caps2.yaml"
check "an unknown capability is an error" sh -c '"$1" check "$2" 2>&1 | grep -q "caps2.yaml:4:.*unknown capability"' - "$BOXWRAP" "$scratch/caps2.yaml"

if [ "$(id -u)" != 0 ] || [ -z "${BOXWRAP_IN_MNTNS-}" ]; then
	skip "starting services" "services run as root, and the test needs a private mount namespace"
	done_testing; exit 0
fi
bluetoothd=
for b in /usr/lib/bluetooth/bluetoothd /usr/libexec/bluetooth/bluetoothd; do [ -x "$b" ] && bluetoothd=$b && break; done
if [ -z "$bluetoothd" ] || ! command -v dbus-daemon >/dev/null 2>&1 || ! command -v dbus-send >/dev/null 2>&1; then
	skip "starting bluetoothd" "bluetoothd (bluez) or dbus-daemon is not installed (make deps)"
	done_testing; exit 0
fi
mkdir -p /run/dbus /var/lib/bluetooth
if ! mount -t tmpfs -o mode=0755 tmpfs /run/dbus || ! mount -t tmpfs -o mode=0700 tmpfs /var/lib/bluetooth; then
	skip "starting bluetoothd" "cannot mount a tmpfs in a private mount namespace"
	done_testing; exit 0
fi
dbus-daemon --system --nofork --nopidfile > "$scratch/dbus.log" 2>&1 &
dbus=$!
i=0; while ! [ -S /run/dbus/system_bus_socket ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a private system bus runs for the test" test -S /run/dbus/system_bus_socket
# An app that filters the system bus, on a host with no session bus: the
# proxy runs for the system bus alone, and the app still gets its socket
# directory and lifetime pipe (they were once bound only with both buses).
args=$(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$svc_rt" HOME="$home" \
	"$BOXWRAP" run --dry-run tests/profiles/dbus-system.yaml | tr ' ' '\n')
check "system bus only: the app gets the proxy's directory, its system bus socket and the lifetime pipe" \
	sh -c 'for o in "'"'"'/run/flatpak/proxy'"'"'" "'"'"'/run/dbus/system_bus_socket'"'"'" "'"'"'--sync-fd'"'"'"; do
		printf "%s\n" "$1" | grep -qx -- "$o" || exit 1; done
		! printf "%s\n" "$1" | grep -q DBUS_SESSION_BUS_ADDRESS' - "$args"
# As OpenRC runs it: root, no HOME, a runtime directory of its own
# (contrib/openrc/bluetooth.initd). XDG_CONFIG_HOME only because `run`
# looks for per-user overrides.
svc() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$svc_rt" XDG_CONFIG_HOME="$scratch/cfg" "$BOXWRAP" run "$@"; }

# The sandbox as bluetoothd gets it, seen by a probe in its state directory
# (the one place granted besides /usr and /etc); it skips --nodetach.
cat > /var/lib/bluetooth/probe <<'PROBE'
#!/bin/sh
shift
echo "home=${HOME-unset}"
echo "uid=$(id -u)"
grep '^CapEff:' /proc/self/status
echo "net=$(readlink /proc/self/ns/net)"
echo "top=$(ls / | tr '\n' ' ')"
[ -e /root ] || [ -e /home ] && echo "homes=visible" || echo "homes=none"
touch /var/lib/bluetooth/written && echo "state=writable"
dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames >/dev/null 2>&1 && echo "systembus=yes"
dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:org.bluez uint32:0 2>/dev/null | grep -q 'uint32 1' && echo "own=org.bluez"
dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:org.example.Other uint32:0 >/dev/null 2>&1 && echo "own=other"
PROBE
chmod 755 /var/lib/bluetooth/probe
out=$(svc --command=/var/lib/bluetooth/probe "$bt" 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
want() { check "$1" sh -c 'printf "%s\n" "$1" | grep -qxF -- "$2"' - "$out" "$2"; }
want "no HOME in the sandbox" "home=unset"
want "no home directory at all (/root, /home absent)" "homes=none"
want "it runs as root" "uid=0"
want "with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only" "CapEff:	0000000000001400"
want "the granted network: the host's namespace" "net=$(readlink /proc/self/ns/net)"
want "its state directory is writable" "state=writable"
want "the system bus, through the filtered proxy" "systembus=yes"
want "it may own org.bluez" "own=org.bluez"
check "but no other name" sh -c '! printf "%s\n" "$1" | grep -qx own=other' - "$out"
cp /var/lib/bluetooth/probe "$scratch/probe"
out=$(svc --command=/bin/sh tests/pkg/service-nonet.yaml -c 'echo "net=$(readlink /proc/self/ns/net)"; grep "^CapEff:" /proc/self/status; cat /proc/net/dev | sed -n "3,\$p" | cut -d: -f1 | tr -d " "' 2>&1)
check "a service without the network grant has its own network namespace, only lo" \
	sh -c 'printf "%s\n" "$1" | grep -q "^net=" && ! printf "%s\n" "$1" | grep -qx "net=$2" && [ "$(printf "%s\n" "$1" | tail -n +3)" = lo ]' - "$out" "$(readlink /proc/self/ns/net)"
check "... and no capability" sh -c 'printf "%s\n" "$1" | grep -qx "CapEff:	0000000000000000"' - "$out"

# Stopped the OpenRC way: start-stop-daemon --stop sends SIGTERM to the
# pid in the pidfile (--make-pidfile: boxwrap run's, or the launcher's),
# and the daemon's own handler must run; bwrap forwards no signal, and
# ending it would SIGKILL the sandbox. Both back ends.
ssd=$(command -v start-stop-daemon || :)
if [ -z "$ssd" ]; then
	skip "stopping a service with start-stop-daemon" "start-stop-daemon (dpkg, OpenRC or busybox) is not installed"
else
	cat > /var/lib/bluetooth/daemon <<'DAEMON'
#!/bin/sh
trap 'echo "SIGTERM handled by the daemon" > /var/lib/bluetooth/stopped; exit 0' TERM
echo "$$" > /var/lib/bluetooth/started
while :; do sleep 0.1; done
DAEMON
	chmod 755 /var/lib/bluetooth/daemon
	sed 's|^command: .*|command: /var/lib/bluetooth/daemon|' "$bt" > "$scratch/daemon.yaml"
	BOXWRAP_SECCOMP_DIR=$PWD/$B/seccomp "$BOXWRAP" emit -o "$scratch/daemon-launcher.sh" "$scratch/daemon.yaml"
	for mode in run emit; do
		rm -f /var/lib/bluetooth/started /var/lib/bluetooth/stopped
		if [ $mode = run ]; then set -- --exec "$BOXWRAP" -- run "$scratch/daemon.yaml"
		else set -- --exec /bin/sh -- "$scratch/daemon-launcher.sh"; fi
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$svc_rt" XDG_CONFIG_HOME="$scratch/cfg" \
			"$ssd" --start --background --make-pidfile --pidfile "$scratch/daemon.pid" "$@"
		i=0; while ! [ -s /var/lib/bluetooth/started ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		t0=$(date +%s)
		"$ssd" --stop --pidfile "$scratch/daemon.pid" --retry TERM/10/KILL/5 > /dev/null 2>&1
		stop=$?
		took=$(($(date +%s) - t0))
		check "$mode: the daemon started under start-stop-daemon" test -s /var/lib/bluetooth/started
		check "$mode: start-stop-daemon --stop's SIGTERM reached the daemon's own handler (stop: exit $stop, $took s)" \
			sh -c '[ "$1" = 0 ] && grep -qx "SIGTERM handled by the daemon" /var/lib/bluetooth/stopped' - "$stop"
		check "$mode: its instance directory is removed" sh -c '! ls -d "$1"/.flatpak/[0-9]* 2>/dev/null' - "$svc_rt"
	done
fi

# bluetoothd itself.
svc --command="$bluetoothd" "$bt" --debug > "$scratch/bt.log" 2>&1 &
pid=$!
i=0 owned=no
while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
	if dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.bluez 2>/dev/null | grep -q 'boolean true'; then owned=yes; break; fi
	sleep 0.1; i=$((i + 1))
done
afbt=$(python3 -c 'import socket
try:
    socket.socket(31, 3, 1); print("yes")
except OSError as e:
    print(e.strerror)' 2>/dev/null || echo unknown)
check "bluetoothd starts in its sandbox and reads its configuration" grep -q "parse_config() parsing /etc/bluetooth/main.conf" "$scratch/bt.log"
if [ "$owned" = yes ]; then
	ok "bluetoothd owns org.bluez on the system bus through the proxy"
elif [ "$afbt" != yes ] && grep -q "Failed to access management interface" "$scratch/bt.log"; then
	skip_absent "bluetoothd owning org.bluez" "this kernel offers no Bluetooth here: socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI) fails ($afbt), so bluetoothd stops at the management interface before it connects to D-Bus (no controller, no btusb/bluetooth module, or not the initial network namespace)"
else
	not_ok "bluetoothd owns org.bluez (AF_BLUETOOTH: $afbt)"
	grep -v "Key file does not" "$scratch/bt.log" | head -10 | sed 's/^/# /'
fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "its instance directory is removed when it stops" sh -c '! ls -d "$1"/.flatpak/[0-9]* 2>/dev/null' - "$svc_rt"
kill "$dbus" 2>/dev/null; wait "$dbus" 2>/dev/null
done_testing
