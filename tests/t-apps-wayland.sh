#!/bin/sh
# The window-based GTK 4 apps of t-apps-gtk4.sh (Loupe, Papers, GNOME
# Podcasts, Shortwave), each in its shipped profile, under a headless
# Wayland compositor as postmarketOS runs them: phoc (Phosh's), and Loupe
# under sway and labwc too (WLR_BACKENDS=headless WLR_RENDERER=pixman, no
# GPU), in both launch modes. Each app draws through its own socket, the
# security context that wayland-context registered: its environment's
# WAYLAND_DISPLAY is, in its sandbox, the socket of its instance
# directory and not the compositor's; the compositor's screenshot, taken
# from outside by grim over wlr-screencopy, shows its window, where the
# empty output has one colour (labwc 43: its pointer). Without `wayland`
# in its profile the app finds no display and draws nothing.
# t-apps-gtk4.sh runs the same apps under Xvfb (fallback-x11). Debian 12
# has none of these compositors or apps: the test runs itself in the
# Debian 13 root (tests/debian13-root.sh).
. tests/lib.sh
root=$debian13_root
debian13_reexec phoc "$0" "$@"
setup_scratch
. tests/apps-lib.sh
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY DISPLAY

for p in phoc grim wayland-info loupe papers gnome-podcasts shortwave python3; do
	command -v "$p" > /dev/null && continue
	skip "GTK 4 apps under Wayland" "$p is not installed, and there is no Debian 13 root at $root (tests/debian13-root.sh) or the test does not run as root"
	done_testing
	exit 0
done
[ -n "${BOXWRAP_IN_ROOT-}" ] && diag "in the Debian $(cat /etc/debian_version) root at $BOXWRAP_IN_ROOT: $(bwrap --version)"
diag "$(dpkg-query -W -f '${Package} ${Version}, ' phoc sway labwc grim libgtk-4-1 loupe papers gnome-podcasts shortwave 2> /dev/null | sed 's/, $//')"
if ! have_userns; then
	skip "GTK 4 apps under Wayland" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
if ! start_bus; then
	skip "GTK 4 apps under Wayland" "dbus-daemon is not installed"
	done_testing
	exit 0
fi
# Launchers name the filters' directory: a copy the test user can read.
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
mkdir -p "$home/Pictures" "$home/Documents"
make_png "$home/Pictures/boxwrap-loupe-test.png"
make_pdf "$home/Documents/boxwrap-papers.pdf" boxwrap-papers-test
give "$home"
loupe=$(overlay profiles/loupe.yaml xdg-pictures:ro)
papers=$(overlay profiles/papers.yaml xdg-documents:ro)
# Loupe without `wayland`: fallback-x11 alone, and no X display.
sed 's/^sockets: \[wayland, /sockets: [/' "$loupe" > "$scratch/loupe-no-wayland.yaml"
give "$scratch/loupe-no-wayland.yaml"

# wl_app_start MODE PROFILE ARGS...: the app on the compositor
# ($wl_display) and the private bus, as the test user, by `boxwrap run`
# or by the launcher `boxwrap emit` prints; its pid (timeout's) in $app.
wl_app_start() {
	_mode=$1 _profile=$2
	shift 2
	if [ "$_mode" = run ]; then
		set -- "$BOXWRAP" run "$_profile" "$@"
	else
		as_user env BOXWRAP_SECCOMP_DIR="$scratch/seccomp" "$BOXWRAP" emit "$_profile" > "$scratch/launcher.sh"
		set -- sh "$scratch/launcher.sh" "$@"
	fi
	bg_user env WAYLAND_DISPLAY="$wl_display" DBUS_SESSION_BUS_ADDRESS="$bus" timeout 120 "$@" \
		> "$scratch/app.log" 2>&1 &
	app=$!
}

# wl_app_wait SECONDS SHOT: until the compositor's screenshot has 100
# colours more than the empty output (a drawn window: text, icons) or the
# app exits; the last count in $n.
wl_app_wait() {
	_end=$(($(now) + $1))
	n=0
	while [ "$(now)" -le "$_end" ]; do
		n=$(wl_screen_colours "$2")
		[ "$n" -gt $((empty + 100)) ] && return 0
		kill -0 "$app" 2> /dev/null || return 1
		sleep 0.3
	done
	return 1
}

# wl_app_socket COMM APP-ID: how the app's process (COMM, in a sandbox
# whose app-info names APP-ID) reaches Wayland: "WAYLAND_DISPLAY -> the
# host path of the socket it names", that socket found by its inode among
# the instance directories' and the compositor's.
wl_app_socket() {
	for _p in $(pgrep -u "$TEST_UID" -x "$1"); do
		grep -qx "name=$2" "/proc/$_p/root/.flatpak-info" 2> /dev/null || continue
		_env=$(tr '\0' '\n' < "/proc/$_p/environ")
		_wd=$(printf '%s\n' "$_env" | sed -n 's/^WAYLAND_DISPLAY=//p')
		_xrt=$(printf '%s\n' "$_env" | sed -n 's/^XDG_RUNTIME_DIR=//p')
		case $_wd in /*) ;; ?*) _wd=$_xrt/$_wd ;; esac
		_ino=$(stat -L -c %d:%i "/proc/$_p/root$_wd" 2> /dev/null)
		for _s in $(find "$rt/.flatpak" -type s 2> /dev/null) "$rt/$wl_display"; do
			[ "$(stat -L -c %d:%i "$_s")" = "$_ino" ] && { echo "${_wd##*/} -> ${_s#"$rt/"}"; return 0; }
		done
		echo "${_wd:-no WAYLAND_DISPLAY} -> no socket of this compositor"
		return 0
	done
	echo "no process $1 of $2"
}

wl_app_stop() {
	kill "$app" 2> /dev/null
	wait "$app" 2> /dev/null
	# The next app's screenshot must not show this one's window.
	for _i in $(seq 50); do
		[ "$(wl_screen_colours gone)" -le "$empty" ] && break
		sleep 0.1
	done
}

# wl_app_test COMP MODE NAME COMM APP-ID PROFILE ARGS...: the app draws its
# window through its context socket.
wl_app_test() {
	_comp=$1 _m=$2 _name=$3 _comm=$4 _id=$5
	shift 5
	_before=$(wl_screen_colours before)
	_t0=$(now)
	wl_app_start "$_m" "$@"
	wl_app_wait 40 "$_name"
	via=$(wl_app_socket "$_comm" "$_id")
	check "$_comp $_m: $_name draws its window within $(($(now) - _t0)) s ($n colours on the compositor's screenshot, $_before before it started)" \
		test "$n" -gt $((empty + 100)) -a "$_before" -le "$empty"
	check "$_comp $_m: $_name's WAYLAND_DISPLAY is its context socket, in its instance directory ($via)" \
		sh -c 'case $1 in "wayland-0 -> .flatpak/"*/wayland-0) ;; *) exit 1 ;; esac' - "$via"
	[ "$n" -gt $((empty + 100)) ] || { diag "$_name's log:"; tail -n 15 "$scratch/app.log" | sed 's/^/#   /'; }
}

for comp in phoc sway labwc; do
	if ! command -v "$comp" > /dev/null; then
		skip "$comp" "$comp is not installed"
		continue
	fi
	if ! start_compositor "$comp"; then
		not_ok "$comp: starts headless ($(tail -n 3 "$scratch/$comp.log" | tr '\n' ' '))"
		stop_compositor
		continue
	fi
	t_comp=$(now)
	empty=$(wl_screen_colours empty)
	diag "$comp: the empty output has $empty colours"
	for mode in run emit; do
		wl_app_test "$comp" $mode Loupe loupe org.gnome.Loupe "$loupe" "$home/Pictures/boxwrap-loupe-test.png"
		# The image itself: glycin decoded it in its sub-sandbox.
		for _ in $(seq 20); do
			green=$(xwd_green "$rt/Loupe.ppm")
			[ "$green" -gt 1000 ] && break
			sleep 0.3
			wl_screen_colours Loupe > /dev/null
		done
		check "$comp $mode: Loupe shows the granted image's pixels ($green green)" test "$green" -gt 1000
		wl_app_stop
		[ "$comp" = phoc ] || continue
		wl_app_test phoc $mode Papers papers org.gnome.Papers "$papers" "$home/Documents/boxwrap-papers.pdf"
		wl_app_stop
		wl_app_test phoc $mode Podcasts gnome-podcasts org.gnome.Podcasts profiles/gnome-podcasts.yaml
		wl_app_stop
		wl_app_test phoc $mode Shortwave shortwave de.haeckerfelix.Shortwave profiles/shortwave.yaml
		wl_app_stop
		# Without `wayland` the app has no display at all.
		wl_app_start $mode "$scratch/loupe-no-wayland.yaml" "$home/Pictures/boxwrap-loupe-test.png"
		wl_app_wait 10 loupe-no-wayland
		check "phoc $mode: Loupe without wayland in its profile finds no display and draws nothing ($n colours; $(grep -o 'Failed to open display' "$scratch/app.log"))" \
			sh -c '[ "$1" -le "$2" ] && grep -q "Failed to open display" "$3"' - "$n" "$empty" "$scratch/app.log"
		wl_app_stop
	done
	diag "$comp: $(($(now) - t_comp)) s"
	stop_compositor
done
done_testing
