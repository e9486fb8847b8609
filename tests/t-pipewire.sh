#!/bin/sh
# sockets: [pipewire, pulseaudio] with the real PipeWire, WirePlumber and
# pipewire-pulse (Debian 13 root, as t-wayland.sh), WirePlumber loading
# boxwrap's contrib/wireplumber as `make install` installs it, in both
# launch modes: PipeWire and pipewire-pulse find /.flatpak-info through the
# client's /proc/PID/root and take it for a Flatpak app with the profile's
# app id; playback works (pw-play, pacat); capture gets nothing, through
# PipeWire (pw-record, also claiming media.category=Manager, also from a
# microphone that appears after the app connected) and through PulseAudio
# (pacat -r); outside the sandbox capture works.
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
# session manager with boxwrap's fragment and script where `make install`
# puts them ($DATADIR/wireplumber), and its PulseAudio server; a virtual
# microphone. BOXWRAP_TEST_STOCK_WIREPLUMBER=1 leaves boxwrap's files out:
# the assertions below then fail, as they did before them.
as_user dbus-daemon --session --fork --address="unix:path=$rt/bus" --print-pid > "$scratch/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"
mkdir -p "$scratch/share/wireplumber"
[ -n "${BOXWRAP_TEST_STOCK_WIREPLUMBER-}" ] || cp -r contrib/wireplumber/. "$scratch/share/wireplumber/"
chmod -R a+rX "$scratch/share"
pids=
for d in pipewire wireplumber pipewire-pulse; do
	as_user_bg env XDG_DATA_DIRS="$scratch/share:/usr/share" "$d" > "$scratch/$d.log" 2>&1
	pids="$pids $bg_pid"
	[ "$d" = pipewire ] && sleep 1
done
stop_session() { kill $pids "$(cat "$scratch/dbus.pid")" 2> /dev/null; wait 2> /dev/null; }
for _ in $(seq 50); do [ -S "$rt/pulse/native" ] && as_user pactl info > /dev/null 2>&1 && break; sleep 0.2; done
mic() { # NAME: a virtual microphone
	as_user pw-cli create-node adapter "{ factory.name=support.null-audio-sink node.name=$1
		media.class=Audio/Source/Virtual audio.position=[FL FR] object.linger=true }" > /dev/null 2>&1
}
mic boxwrap-mic
as_user pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=boxwrap-speaker
	media.class=Audio/Sink audio.position=[FL FR] object.linger=true }' > /dev/null 2>&1
sleep 1
if ! as_user pactl list short sources 2> /dev/null | grep -q boxwrap-mic; then
	not_ok "PipeWire, WirePlumber and pipewire-pulse start, with a virtual microphone ($(tail -n 2 "$scratch/pipewire.log" | tr '\n' ' '))"
	stop_session
	done_testing
	exit 0
fi
info=$(XDG_DATA_DIRS="$scratch/share:/usr/share" XDG_CONFIG_HOME=/nonexistent "$BOXWRAP" check tests/profiles/audio.yaml)
if [ -n "${BOXWRAP_TEST_STOCK_WIREPLUMBER-}" ]; then want="capture from every source without asking"; else want="no microphone or camera"; fi
check "boxwrap check says what sound gets: $want" sh -c 'case $1 in *"sound:       "*"$2"*) ;; *) exit 1 ;; esac' - "$info" "$want"
bytes=$(as_user timeout 2 pw-record --target boxwrap-mic - 2> /dev/null | wc -c)
pbytes=$(as_user timeout 2 pacat -r -d boxwrap-mic --raw --latency-msec=20 2> /dev/null | wc -c)
check "outside a sandbox, capture from the microphone works (pw-record $bytes bytes, pacat -r $pbytes bytes in 2 s)" \
	test "$bytes" -gt 0 -a "$pbytes" -gt 0

# pw-dump's clients whose portal app id is the app's, as
# "ACCESS FLATPAK EFFECTIVE-ACCESS MEDIA-CATEGORY NAME" (the effective
# access is WirePlumber's decision: "boxwrap" from access-boxwrap.lua).
sandboxed_clients() {
	as_user pw-dump 2> /dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = o.get("info", {}).get("props", {})
    if o.get("type", "").endswith(":Client") and p.get("pipewire.access.portal.app_id") == sys.argv[1]:
        print(p.get("pipewire.access"), p.get("pipewire.sec.flatpak"), p.get("pipewire.access.effective"),
              p.get("media.category"), p.get("application.name"))
' "${1:-$app}"
}

# In the sandbox, at once (2.5 s): pw-record from the microphone, the same
# claiming to be a Manager (WirePlumber's stock script gives a Flatpak
# Manager every permission), pacat -r, and pw-cli listing the nodes after
# the test added a microphone (1 s): a client connected before a node
# appears must not see it either.
capture='rec() { timeout 2.5 "$@" 2> /dev/null; }
mkdir -p ~/manager/pipewire/client.conf.d
echo "context.properties = { media.category = Manager }" > ~/manager/pipewire/client.conf.d/manager.conf
rec pw-record --raw --target boxwrap-mic - > ~/rec-pw.raw &
XDG_CONFIG_HOME=~/manager rec pw-record --raw --target boxwrap-mic - > ~/rec-manager.raw &
rec pacat -r -d boxwrap-mic --raw --latency-msec=20 > ~/rec-pulse.raw &
(sleep 1.5; echo "ls Node"; echo "ls Port"; sleep 0.5) | timeout 3 pw-cli > ~/late.txt 2>&1 &
wait'
play='head -c 192000 /dev/urandom | timeout 5 pacat --playback -d boxwrap-speaker --raw --rate=48000 --channels=1 --format=s16le && echo PULSE-PLAYED
head -c 192000 /dev/urandom | timeout 5 pw-play --target boxwrap-speaker --raw --rate=48000 --channels=1 --format=s16 - && echo PW-PLAYED'
size() { wc -c < "$home/.var/app/$app/$1.raw" 2> /dev/null || echo missing; }

for mode in run emit; do
	launch $mode "$(printf "%s" "$capture" | sed "s/@MODE@/$mode/")" > /dev/null 2>&1 &
	app_pid=$!
	sleep 1
	mic "boxwrap-late-$mode"
	clients=$(sandboxed_clients | tr '\n' ';')
	wait "$app_pid"
	check "$mode: PipeWire sees the sandboxed client as the Flatpak app $app, WirePlumber as a boxwrap app ($clients)" \
		sh -c 'case $1 in *"flatpak True boxwrap"*) ;; *) exit 1 ;; esac' - "$clients"
	check "$mode: a client of the app claims media.category=Manager" \
		sh -c 'case $1 in *" Manager "*) ;; *) exit 1 ;; esac' - "$clients"
	late=$(cat "$home/.var/app/$app/late.txt" 2> /dev/null)
	check "$mode: a microphone added after the app connected is hidden from it (pw-cli sees $(printf '%s\n' "$late" | grep -c node.name) nodes)" \
		sh -c 'case $1 in *boxwrap-late*) exit 1 ;; *Dummy-Driver*) ;; *) exit 1 ;; esac' - "$late"
	check "$mode: ... it sees the speaker's ports but not the microphone's" \
		sh -c 'case $1 in *boxwrap-mic*) exit 1 ;; *boxwrap-speaker:playback_FL*) ;; *) exit 1 ;; esac' - "$late"
	for f in pw manager pulse; do
		n=$(size rec-$f)
		case $f in
		pw) what="pw-record from the microphone" ;;
		manager) what="pw-record with media.category=Manager" ;;
		pulse) what="pacat -r from the microphone" ;;
		esac
		check "$mode: $what gets nothing ($n bytes in 2.5 s)" test "$n" = 0
	done
	as_user timeout 6 pw-record --raw --target boxwrap-speaker -P '{ stream.capture.sink = true }' - 2> /dev/null |
		tr -d '\0' | wc -c > "$scratch/heard" &
	monitor_pid=$!
	sleep 0.5
	out=$(launch $mode "$play" 2>&1)
	wait "$monitor_pid"
	check "$mode: what the app plays reaches the speaker ($(cat "$scratch/heard") non-zero bytes on its monitor)" \
		test "$(cat "$scratch/heard")" -gt 10000
	check "$mode: playback through the PulseAudio socket works" sh -c 'case $1 in *PULSE-PLAYED*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: playback through the PipeWire socket works" sh -c 'case $1 in *PW-PLAYED*) ;; *) exit 1 ;; esac' - "$out"
	rm -rf "$home/.var/app/$app"/rec-*.raw "$home/.var/app/$app/manager" "$home/.var/app/$app/late.txt"
done
bytes=$(as_user timeout 2 pw-record --raw --target boxwrap-late-run - 2> /dev/null | wc -c)
check "outside a sandbox, capture from the microphone added later works ($bytes bytes in 2 s)" test "$bytes" -gt 0
# A Flatpak app boxwrap never launched (a bwrap of its own with a
# /.flatpak-info naming another app id) keeps what WirePlumber gives it.
printf '[Application]\nname=org.example.NotBoxwrap\n' > "$scratch/other-info"
chmod 644 "$scratch/other-info"
as_user bwrap --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin \
	--ro-bind /etc /etc --proc /proc --dev /dev --bind "$rt" "$rt" --ro-bind "$scratch/other-info" /.flatpak-info \
	-- timeout 2 pw-record --raw --target boxwrap-mic - 2> /dev/null | wc -c > "$scratch/other-bytes" &
other_pid=$!
sleep 1
clients=$(sandboxed_clients org.example.NotBoxwrap | tr '\n' ';')
wait "$other_pid"
check "a Flatpak app boxwrap did not launch is one to PipeWire, and WirePlumber's stock flatpak access lets it record ($clients $(cat "$scratch/other-bytes") bytes in 2 s)" \
	sh -c 'case $1 in "flatpak True flatpak "*) ;; *) exit 1 ;; esac; test "$2" -gt 0' - "$clients" "$(cat "$scratch/other-bytes")"
stop_session
done_testing
