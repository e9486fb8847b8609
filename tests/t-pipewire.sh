#!/bin/sh
# sockets: [pipewire, pulseaudio] with the real PipeWire, WirePlumber and
# pipewire-pulse (Debian 13 root, as t-wayland.sh), in both launch modes:
# PipeWire and pipewire-pulse find /.flatpak-info through the client's
# /proc/PID/root and take it for a Flatpak app with the profile's app id;
# playback works. What WirePlumber then allows (capture too) is measured
# and reported; boxwrap-profile(5) documents it.
. tests/lib.sh
root=$debian13_root
debian13_reexec wireplumber "$0" "$@"
setup_scratch
unset DBUS_SESSION_BUS_ADDRESS PULSE_SERVER PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR

if ! command -v wireplumber > /dev/null || ! command -v pipewire-pulse > /dev/null || ! command -v pacat > /dev/null; then
	skip "PipeWire" "pipewire, wireplumber, pipewire-pulse and pulseaudio-utils are not installed, and there is no Debian 13 root at $root (tests/debian13-root.sh) or the test does not run as root"
	done_testing
	exit 0
fi
if ! have_userns; then
	skip "PipeWire" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
[ "$(id -u)" = 0 ] && chmod 1777 /tmp

cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit tests/profiles/audio.yaml > "$scratch/audio.sh"
app=org.boxwrap.Audio
launch() {
	if [ "$1" = run ]; then
		as_user "$BOXWRAP" run tests/profiles/audio.yaml -c "$2"
	else
		as_user sh "$scratch/audio.sh" -c "$2"
	fi
}

# The user's session: a bus (WirePlumber wants one), PipeWire, its
# session manager and its PulseAudio server; a virtual microphone.
as_user dbus-daemon --session --fork --address="unix:path=$rt/bus" --print-pid > "$scratch/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"
pids=
for d in pipewire wireplumber pipewire-pulse; do
	as_user_bg "$d" > "$scratch/$d.log" 2>&1
	pids="$pids $bg_pid"
	[ "$d" = pipewire ] && sleep 1
done
stop_session() { kill $pids "$(cat "$scratch/dbus.pid")" 2> /dev/null; wait 2> /dev/null; }
for _ in $(seq 50); do [ -S "$rt/pulse/native" ] && as_user pactl info > /dev/null 2>&1 && break; sleep 0.2; done
as_user pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=boxwrap-mic
	media.class=Audio/Source/Virtual audio.position=[FL FR] object.linger=true }' > /dev/null 2>&1
sleep 1
if ! as_user pactl list short sources 2> /dev/null | grep -q boxwrap-mic; then
	not_ok "PipeWire, WirePlumber and pipewire-pulse start, with a virtual microphone ($(tail -n 2 "$scratch/pipewire.log" | tr '\n' ' '))"
	stop_session
	done_testing
	exit 0
fi
bytes=$(as_user timeout 2 pw-record --target boxwrap-mic - 2> /dev/null | wc -c)
pbytes=$(as_user timeout 2 pacat -r -d boxwrap-mic --raw --latency-msec=20 2> /dev/null | wc -c)
diag "outside a sandbox, capture from the virtual microphone: pw-record $bytes bytes, pacat -r $pbytes bytes in 2 s"

# pw-dump's clients whose portal app id is the app's, as "ACCESS FLATPAK".
sandboxed_clients() {
	as_user pw-dump 2> /dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = o.get("info", {}).get("props", {})
    if o.get("type", "").endswith(":Client") and p.get("pipewire.access.portal.app_id") == sys.argv[1]:
        print(p.get("pipewire.access"), p.get("pipewire.sec.flatpak"), p.get("application.name"))
' "$app"
}

for mode in run emit; do
	launch $mode 'timeout 3 pw-record --target boxwrap-mic ~/rec-pw.raw; timeout 2 pacat -r -d boxwrap-mic --raw --latency-msec=20 > ~/rec-pulse.raw' \
		> /dev/null 2>&1 &
	app_pid=$!
	sleep 1.5
	clients=$(sandboxed_clients | tr '\n' ';')
	wait "$app_pid"
	check "$mode: PipeWire sees the sandboxed client as the Flatpak app $app ($clients)" \
		sh -c 'case $1 in *"flatpak True"*) ;; *) exit 1 ;; esac' - "$clients"
	out=$(launch $mode 'head -c 96000 /dev/zero | pacat --playback --raw --rate=48000 --channels=1 --format=s16le && echo PLAYED' 2>&1)
	check "$mode: playback through the PulseAudio socket works" sh -c 'case $1 in *PLAYED*) ;; *) exit 1 ;; esac' - "$out"
	pw=$(wc -c < "$home/.var/app/$app/rec-pw.raw" 2> /dev/null || echo 0)
	pulse=$(wc -c < "$home/.var/app/$app/rec-pulse.raw" 2> /dev/null || echo 0)
	diag "$mode: in the sandbox, capture from the microphone: pw-record $pw bytes in 3 s, pacat -r $pulse bytes in 2 s (WirePlumber grants Flatpak apps rx on every node: see boxwrap-profile(5), sockets)"
	rm -f "$home/.var/app/$app"/rec-*.raw
done
stop_session
done_testing
