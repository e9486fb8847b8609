#!/bin/sh
# The accessibility bus through the app's xdg-dbus-proxy, filtered as
# Flatpak filters it, in both launch modes: at-spi2-core's own bus
# launcher and registry (real dbus-daemon) on a private session bus.
. tests/lib.sh
setup_scratch
unset AT_SPI_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
app=org.boxwrap.TestA11y
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
mkdir -p "$home/.var/app/$app"
cp tests/a11y-client.py "$home/.var/app/$app/client.py"
give "$home"
cat > "$scratch/a11y.yaml" <<EOF
app-id: $app
command: /usr/bin/python3
EOF
chmod 644 "$scratch/a11y.yaml"
BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$scratch/a11y.yaml" > "$scratch/a11y.sh"

launcher=/usr/libexec/at-spi-bus-launcher
[ -x "$launcher" ] || launcher=/usr/lib/at-spi-bus-launcher
if ! have_userns; then
	skip "a11y tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
if ! [ -x "$launcher" ]; then
	skip "a11y tests" "at-spi2-core is not installed"
	done_testing
	exit 0
fi

# Daemons run as the test user, each the pid $! names (exec all the way),
# so that stop_all ends exactly them.
bg_as_user() {
	if [ "$(id -u)" = 0 ]; then
		HOME=$home XDG_RUNTIME_DIR=$rt exec setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups -- "$@"
	else
		HOME=$home XDG_RUNTIME_DIR=$rt exec "$@"
	fi
}
pids=
stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	cleanup_scratch
}
trap stop_all EXIT
(bg_as_user dbus-daemon --session --address="unix:path=$rt/bus" --nofork --nopidfile >/dev/null 2>&1) &
pids="$! $pids"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"
for _ in $(seq 50); do [ -S "$rt/bus" ] && break; sleep 0.1; done

client() { # MODE ARGS...
	_m=$1
	shift
	if [ "$_m" = run ]; then
		as_user "$BOXWRAP" run "$scratch/a11y.yaml" "$home/.var/app/$app/client.py" "$@" 2>&1
	else
		as_user sh "$scratch/a11y.sh" "$home/.var/app/$app/client.py" "$@" 2>&1
	fi
}
has() { case $1 in *"$2"*) return 0 ;; *) return 1 ;; esac; }

# No a11y bus on the host: the app starts, without one.
for mode in run emit; do
	out=$(unset DISPLAY AT_SPI_BUS_ADDRESS; client $mode env)
	check "$mode: without an a11y bus on the host the app starts, with no AT_SPI_BUS_ADDRESS ($out)" \
		test "$out" = "(unset)"
done

# at-spi2-core's launcher, as a desktop session starts it: it makes
# $XDG_RUNTIME_DIR/at-spi/bus_99 for DISPLAY=:99 (no X server needed).
(DISPLAY=:99 bg_as_user "$launcher" --launch-immediately >"$scratch/launcher.log" 2>&1) &
pids="$! $pids"
for _ in $(seq 50); do [ -S "$rt/at-spi/bus_99" ] && break; sleep 0.1; done
check "at-spi-bus-launcher made \$XDG_RUNTIME_DIR/at-spi/bus_99" test -S "$rt/at-spi/bus_99"
a11y="unix:path=$rt/at-spi/bus_99"
# The real registry (started here, not by the a11y bus: activated, it
# would inherit DISPLAY=:99 and give up without an X server), and another
# a11y client.
(unset DISPLAY; AT_SPI_BUS_ADDRESS=$a11y bg_as_user "${launcher%/*}/at-spi2-registryd" >"$scratch/registry.log" 2>&1) &
pids="$! $pids"
for _ in $(seq 50); do grep -q running "$scratch/registry.log" 2>/dev/null && break; sleep 0.1; done
out=$(as_user gdbus call --address "$a11y" -d org.a11y.atspi.Registry -o /org/a11y/atspi/registry \
	-m org.a11y.atspi.Registry.GetRegisteredEvents 2>&1)
check "host: the registry answers on the a11y bus ($out)" has "$out" "a(ss)"
(DBUS_SESSION_BUS_ADDRESS=$a11y bg_as_user /usr/bin/python3 tests/dbus-service.py org.boxwrap.OtherApp > "$scratch/other.out" 2>&1) &
pids="$! $pids"
for _ in $(seq 50); do grep -q ready "$scratch/other.out" 2>/dev/null && break; sleep 0.1; done

for mode in run emit; do
	for how in display address; do
		out=$(
			if [ $how = display ]; then export DISPLAY=:99; unset AT_SPI_BUS_ADDRESS
			else unset DISPLAY; export AT_SPI_BUS_ADDRESS="$a11y"; fi
			client $mode env)
		check "$mode ($how): inside, AT_SPI_BUS_ADDRESS is the proxy's socket" \
			test "$out" = "unix:path=/run/flatpak/at-spi-bus"
	done
done

# The device event controller's listener lists the rules allow. The
# registry of at-spi2-core 2.56 (Debian 13) no longer has
# GetDeviceEventListeners and leaves a call of it unanswered: asked only
# where the registry still lists it.
dec_lists=dec:GetKeystrokeListeners
as_user gdbus introspect --address "$a11y" -d org.a11y.atspi.Registry \
	-o /org/a11y/atspi/registry/deviceeventcontroller 2>/dev/null | grep -q GetDeviceEventListeners &&
	dec_lists="$dec_lists dec:GetDeviceEventListeners"
for mode in run emit; do
	out=$(DISPLAY=:99 client $mode registry:GetRegisteredEvents $dec_lists \
		dec:RegisterKeystrokeListener introspect ping:org.boxwrap.OtherApp)
	check "$mode: an allowed call reaches the registry" has "$out" "OK registry:GetRegisteredEvents"
	check "$mode: ... and the device event controller's listener lists ($(echo $dec_lists | sed 's/dec://g'))" \
		sh -c 'for l in $2; do case $1 in *"OK $l"*) ;; *) exit 1 ;; esac; done' - "$out" "$dec_lists"
	check "$mode: registering a keystroke listener is refused" has "$out" "DENIED dec:RegisterKeystrokeListener"
	check "$mode: a method the rules do not name is refused (Introspect)" has "$out" "DENIED introspect"
	check "$mode: another a11y client cannot be called" has "$out" "DENIED ping:org.boxwrap.OtherApp"

	# The registry's EventListenerRegistered broadcast reaches the app
	# (an AT registering for events, as Orca does).
	DISPLAY=:99 client $mode signal:3 > "$scratch/signal.out" &
	sig=$!
	for _ in $(seq 50); do grep -q subscribed "$scratch/signal.out" 2>/dev/null && break; sleep 0.1; done
	sleep 0.3
	as_user gdbus call --address "$a11y" -d org.a11y.atspi.Registry -o /org/a11y/atspi/registry \
		-m org.a11y.atspi.Registry.RegisterEvent "object:state-changed:focused" "[]" "" >/dev/null 2>&1
	as_user gdbus call --address "$a11y" -d org.a11y.atspi.Registry -o /org/a11y/atspi/registry \
		-m org.a11y.atspi.Registry.DeregisterEvent "object:state-changed:focused" >/dev/null 2>&1
	wait $sig
	out=$(cat "$scratch/signal.out")
	check "$mode: the registry's EventListenerRegistered/Deregistered broadcasts reach the app" \
		sh -c 'case $1 in *"SIGNAL EventListenerRegistered"*"SIGNAL EventListenerDeregistered"*) ;; *) exit 1 ;; esac' - "$out"
done
done_testing
