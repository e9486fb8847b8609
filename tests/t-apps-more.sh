#!/bin/sh
# The other shipped profiles whose apps Debian packages, each in its
# profile as an unprivileged user: Chromium (headless; its renderers keep
# their own namespace sandbox), LibreOffice (a headless conversion, then
# Writer), mmsd-tng (a D-Bus daemon, on a private system bus), and under
# Xvfb Thunderbird, Geary, VLC, Totem, Celluloid, Gajim, Dino, Telegram,
# Chatty and Calls. Loupe, Papers, Podcasts and Shortwave: t-apps-gtk4.sh.
# In no Debian release, so only checked, their launchers linted
# (t-profiles.sh): fractal, newsflash. Where Debian's path differs, the
# test adds --command.
# As root, runs in a private mount namespace, where a private system bus
# listens on a tmpfs at /run/dbus: the host's is never touched.
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare > /dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
setup_scratch
. tests/apps-lib.sh

if ! have_userns; then
	skip "real apps" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
make_page
# A private system bus, for the apps that talk to ModemManager.
if [ -n "${BOXWRAP_IN_MNTNS-}" ] && command -v dbus-daemon > /dev/null && mkdir -p /run/dbus &&
	mount -t tmpfs -o mode=0755 tmpfs /run/dbus; then
	dbus-daemon --system --nofork --nopidfile > "$scratch/sysbus.log" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
fi
have() { command -v "$1" > /dev/null && start_x && start_bus; }

# chromium_sandboxed: true while a renderer of the test user runs in
# Chromium's own sandbox nested in ours: user and pid namespaces that are
# not the browser process's (its zygote's are), and Chromium's filter
# stacked on boxwrap's.
chromium_sandboxed() {
	_b=$(for _p in $(pgrep -u "$TEST_UID" -x chromium); do
		grep -q -- --type= "/proc/$_p/cmdline" 2> /dev/null || echo "$_p"; done | head -n1)
	[ -n "$_b" ] || return 1
	for _r in $(pgrep -u "$TEST_UID" -f -- --type=renderer); do
		_f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$_r/status" 2> /dev/null)
		for _n in user pid; do
			[ "$(readlink "/proc/$_r/ns/$_n" 2> /dev/null)" != "$(readlink "/proc/$_b/ns/$_n" 2> /dev/null)" ] || continue 2
		done
		[ "${_f:-0}" -ge 2 ] && return 0
	done
	return 1
}

# --- Chromium: a headless screenshot of the granted page into Downloads;
# the canary does not load; the renderers run in Chromium's own sandbox
# (user and pid namespaces, its seccomp filter on ours), nested in ours.
if command -v chromium > /dev/null; then
	t0=$(now)
	p=$(overlay profiles/chromium.yaml xdg-documents:ro)
	give "$home"
	bg_user timeout 120 "$BOXWRAP" run --command=/usr/bin/chromium "$p" --headless --window-size=200,100 \
		--screenshot="$home/Downloads/chromium.png" "file://$home/Documents/page.html" > "$scratch/chromium.log" 2>&1 &
	cr=$!
	nested=0
	while kill -0 "$cr" 2> /dev/null; do
		chromium_sandboxed && nested=1
		sleep 0.1
	done
	wait "$cr"
	screenshot_checks chromium $? "$home/Downloads/chromium.png"
	check "chromium: renderers run in Chromium's own sandbox (user and pid namespaces, seccomp) inside ours" test $nested = 1
	diag "chromium: $(($(now) - t0)) s"
else
	skip "chromium" "chromium is not installed"
fi

# --- LibreOffice: converts a granted document headless; a file in the real
# home cannot be opened; then Writer's window.
if have libreoffice; then
	t0=$(now)
	p=$(overlay profiles/libreoffice.yaml xdg-documents)
	printf 'boxwrap\n' > "$home/Documents/letter.txt"
	printf 'canary\n' > "$home/canary.txt"
	give "$home"
	as_user timeout 120 "$BOXWRAP" run "$p" --headless --convert-to pdf --outdir "$home/Documents" \
		"$home/Documents/letter.txt" > "$scratch/lo.log" 2>&1
	check "libreoffice: converts a granted document to PDF, beside it" \
		sh -c '[ "$(head -c 5 "$1")" = %PDF- ]' - "$home/Documents/letter.pdf"
	as_user timeout 120 "$BOXWRAP" run "$p" --headless --convert-to pdf --outdir "$home/Documents" \
		"$home/canary.txt" > "$scratch/lo.log" 2>&1
	check "libreoffice: cannot load a document in the real home" \
		sh -c '[ ! -e "$1" ] && grep -q "could not be loaded" "$2"' - "$home/Documents/canary.pdf" "$scratch/lo.log"
	diag "libreoffice headless: $(($(now) - t0)) s"
	app_start libreoffice org.libreoffice.LibreOffice "LibreOffice Writer" 60 "$p" --writer
	app_stop libreoffice org.libreoffice.LibreOffice
else
	skip "libreoffice" "libreoffice, Xvfb, xdotool or dbus-daemon is not installed"
fi

# --- mmsd-tng: the MMS daemon owns org.ofono.mms on the session bus, where
# the bus sees it as its app id, with ModemManager's system bus filtered.
if command -v mmsdtng > /dev/null && start_bus && [ -S /run/dbus/system_bus_socket ]; then
	t0=$(now)
	home_listing > "$scratch/mmsd-tng.home-before"
	bg_user env DBUS_SESSION_BUS_ADDRESS="$bus" timeout 120 "$BOXWRAP" run profiles/mmsd-tng.yaml > "$scratch/mmsd.log" 2>&1 &
	app=$!
	pids="$pids $app"
	owner=
	for _ in $(seq 100); do
		owner=$(as_user gdbus call --address "$bus" -d org.freedesktop.DBus -o /org/freedesktop/DBus \
			-m org.freedesktop.DBus.GetConnectionUnixProcessID org.ofono.mms 2> /dev/null | grep -o '[0-9][0-9]*' | tail -n1)
		[ -n "$owner" ] && break
		sleep 0.1
	done
	check "mmsd-tng: owns org.ofono.mms on the session bus" test -n "$owner"
	id=$(sed -n 's/^name=//p' "/proc/$owner/root/.flatpak-info" 2> /dev/null)
	check "mmsd-tng: the bus sees the owner as org.gitlab.kop316.mmsd_tng ($id)" test "$id" = org.gitlab.kop316.mmsd_tng
	check "mmsd-tng: it reaches the system bus only through its proxy" \
		sh -c '[ -L "/proc/$1/root/run/dbus/system_bus_socket" ]' - "$(app_pid org.gitlab.kop316.mmsd_tng)"
	app_stop mmsd-tng org.gitlab.kop316.mmsd_tng
else
	skip "mmsd-tng" "mmsd-tng or dbus-daemon is not installed, or no private system bus (needs root)"
fi

# --- Players under Xvfb: a clip in the videos folder (granted read-only)
# plays, its name in the window's title.
if command -v ffmpeg > /dev/null; then
	ffmpeg -v error -f lavfi -i testsrc=d=30:s=160x120 -f lavfi -i sine=d=30 -shortest "$home/Videos/boxwrap-clip.mkv"
	give "$home"
fi
for player in vlc totem celluloid; do
	if ! have "$player" || [ ! -s "$home/Videos/boxwrap-clip.mkv" ]; then
		skip "$player" "$player, ffmpeg, Xvfb, xdotool or dbus-daemon is not installed"
		continue
	fi
	case $player in
	vlc) app_start vlc org.videolan.VLC "boxwrap-clip" 40 profiles/vlc.yaml --no-qt-privacy-ask \
		"$home/Videos/boxwrap-clip.mkv"
		app_stop vlc org.videolan.VLC ;;
	totem) app_start totem org.gnome.Totem "boxwrap-clip" 40 profiles/totem.yaml "$home/Videos/boxwrap-clip.mkv"
		app_stop totem org.gnome.Totem ;;
	celluloid)
		# Its window is titled with the clip once libmpv plays it (under
		# X11 only with the profile's ipc: without, it hangs on MIT-SHM).
		app_start celluloid io.github.celluloid_player.Celluloid "boxwrap-clip" 40 \
			"$(overlay profiles/celluloid.yaml xdg-videos:ro)" "file://$home/Videos/boxwrap-clip.mkv"
		app_stop celluloid io.github.celluloid_player.Celluloid ;;
	esac
done

# --- Mail and chat under Xvfb: each starts to its first window. Geary
# needs a Secret Service: gnome-keyring's, on the private bus.
for app_name in thunderbird geary gajim dino telegram-desktop chatty calls; do
	cmd=$app_name
	case $app_name in dino) cmd=dino-im ;; calls) cmd=gnome-calls ;; esac
	if ! have "$cmd"; then
		skip "$app_name" "$cmd, Xvfb, xdotool or dbus-daemon is not installed"
		continue
	fi
	case $app_name in
	thunderbird) app_start thunderbird org.mozilla.Thunderbird "Mozilla Thunderbird" 60 profiles/thunderbird.yaml
		nested=0
		for _ in $(seq 50); do gecko_sandboxed && nested=1 && break; sleep 0.2; done
		check "thunderbird: content processes run in Gecko's own sandbox (user namespace, seccomp) inside ours" \
			test $nested = 1
		app_stop thunderbird org.mozilla.Thunderbird ;;
	geary)
		# Its keyrings outside the home the test watches.
		mkdir -p "$scratch/keyring"
		give "$scratch/keyring"
		bg_user env DBUS_SESSION_BUS_ADDRESS="$bus" XDG_DATA_HOME="$scratch/keyring" gnome-keyring-daemon --foreground --components=secrets \
			> "$scratch/keyring.log" 2>&1 &
		pids="$pids $!"
		app_start geary org.gnome.Geary "^Accounts$" 40 profiles/geary.yaml
		app_stop geary org.gnome.Geary ;;
	gajim) app_start gajim org.gajim.Gajim "Add Account" 40 profiles/gajim.yaml
		app_stop gajim org.gajim.Gajim ;;
	dino) app_start dino im.dino.Dino "^Dino$" 40 --command=/usr/bin/dino-im profiles/dino.yaml
		app_stop dino im.dino.Dino ;;
	telegram-desktop) app_start telegram-desktop org.telegram.desktop "^Telegram$" 40 profiles/telegram-desktop.yaml
		app_stop telegram-desktop org.telegram.desktop ;;
	chatty) app_start chatty sm.puri.Chatty "^Chats$" 40 profiles/chatty.yaml
		app_stop chatty sm.puri.Chatty ;;
	calls) app_start calls org.gnome.Calls "^Calls$" 40 profiles/calls.yaml
		app_stop calls org.gnome.Calls ;;
	esac
done
done_testing
