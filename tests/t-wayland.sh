#!/bin/sh
# `sockets: [wayland]` under real headless compositors (phoc, as
# postmarketOS's Phosh runs on it, sway and labwc; WLR_BACKENDS=headless
# WLR_RENDERER=pixman, no GPU), in both launch modes: the app connects
# through its own socket, registered with wp_security_context_manager_v1
# by wayland-context, and the compositor hides its privileged globals
# from it (screen capture, synthetic input, every app's clipboard,
# layer-shell...). Fallback to the plain socket where a compositor has
# no such global, no Wayland where the set-up fails, no socket left after
# the app. GTK 4 apps drawing through that socket: t-apps-wayland.sh.
# Debian 12 has none of these compositors: the test runs itself in the
# Debian 13 root (tests/debian13-root.sh), as t-apps-gtk4.sh.
. tests/lib.sh
root=$debian13_root
debian13_reexec phoc "$0" "$@"
setup_scratch
. tests/apps-lib.sh
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY DISPLAY

if ! command -v wayland-info > /dev/null || ! command -v phoc > /dev/null; then
	skip "Wayland" "phoc and wayland-info are not installed, and there is no Debian 13 root at $root (tests/debian13-root.sh) or the test does not run as root"
	done_testing
	exit 0
fi
[ -n "${BOXWRAP_IN_ROOT-}" ] && diag "in the Debian $(cat /etc/debian_version) root at $BOXWRAP_IN_ROOT: $(bwrap --version)"
if ! have_userns; then
	skip "Wayland" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit tests/profiles/wayland.yaml > "$scratch/wayland.sh"
app=org.boxwrap.Wayland
# What a security-context client must not see, by every compositor here.
privileged='wp_security_context_manager_v1 zwlr_screencopy_manager_v1 zwlr_export_dmabuf_manager_v1
zwlr_data_control_manager_v1 zwp_virtual_keyboard_manager_v1 zwlr_virtual_pointer_manager_v1
zwp_input_method_manager_v2 zwlr_layer_shell_v1 zwlr_foreign_toplevel_manager_v1
zwlr_gamma_control_manager_v1 zwlr_output_manager_v1 zwlr_output_power_manager_v1'

launch() {
	if [ "$1" = run ]; then
		as_user "$BOXWRAP" run tests/profiles/wayland.yaml -c "$2"
	else
		as_user sh "$scratch/wayland.sh" -c "$2"
	fi
}

# wayland-info's interfaces, one a line, from its output on stdin.
interfaces() { sed -n "s/.*interface: '\([a-z0-9_]*\)'.*/\1/p" | sort; }

# Sockets the compositor holds open (listening and connected).
comp_sockets() { ls -l "/proc/$comp_pid/fd" 2> /dev/null | grep -c 'socket:'; }

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
	export WAYLAND_DISPLAY="$wl_display"
	as_user wayland-info 2>&1 | interfaces > "$scratch/out-$comp"
	check "$comp: outside a sandbox a client sees screencopy, virtual keyboard and the security context manager" \
		sh -c 'grep -qx zwlr_screencopy_manager_v1 "$1" && grep -qx zwp_virtual_keyboard_manager_v1 "$1" &&
			grep -qx wp_security_context_manager_v1 "$1"' - "$scratch/out-$comp"
	out=$(as_user "$BOXWRAP" check tests/profiles/wayland.yaml 2>&1)
	check "$comp: boxwrap check says the app gets a security context" \
		sh -c 'case $1 in *"wayland:     its own socket, a security context"*) ;; *) exit 1 ;; esac' - "$out"
	before=$(comp_sockets)
	for mode in run emit; do
		priv=$home/.var/app/$app
		rm -f "$priv/stop"
		launch $mode 'touch ~/started; while [ ! -e ~/stop ]; do sleep 0.1; done' > /dev/null 2>&1 &
		app_pid=$!
		for _ in $(seq 100); do [ -e "$priv/started" ] && break; sleep 0.1; done
		during=$(comp_sockets) sock=$(find "$rt/.flatpak" -type s 2> /dev/null | wc -l)
		as_user touch "$priv/stop"
		wait "$app_pid"
		rm -f "$priv/started"
		sleep 0.3
		check "$mode $comp: while the app runs its socket is in its instance directory and the compositor listens on it, then neither ($sock socket; the compositor's sockets $before, $during, $(comp_sockets))" \
			test "$sock" = 1 -a "$during" -gt "$before" -a "$(comp_sockets)" -le "$before"
		t0=$(date +%s%N)
		launch $mode 'wayland-info; echo "WAYLAND_DISPLAY=$WAYLAND_DISPLAY"' > "$scratch/in-$comp-$mode.txt" 2>&1
		t1=$(date +%s%N)
		interfaces < "$scratch/in-$comp-$mode.txt" > "$scratch/in-$comp-$mode"
		diag "$comp $mode: globals seen outside $(wc -l < "$scratch/out-$comp"), inside $(wc -l < "$scratch/in-$comp-$mode"); launch with wayland-info $(((t1 - t0) / 1000000)) ms"
		check "$mode $comp: inside, wl_compositor and xdg_wm_base are there (WAYLAND_DISPLAY=wayland-0)" \
			sh -c 'grep -qx wl_compositor "$1" && grep -qx xdg_wm_base "$1" && grep -qx WAYLAND_DISPLAY=wayland-0 "$2"' \
			- "$scratch/in-$comp-$mode" "$scratch/in-$comp-$mode.txt"
		seen=$(for g in $privileged; do grep -x "$g" "$scratch/in-$comp-$mode"; done | tr '\n' ' ')
		check "$mode $comp: inside, none of the privileged globals (seen: ${seen:-none})" test -z "$seen"
		check "$mode $comp: no socket is left in the runtime directory after the app" \
			test -z "$(find "$rt/.flatpak" -type s 2> /dev/null)"
	done
	stop_compositor
done

# --- A compositor without the global: the socket of a security context
# is one (compositors hide the manager from its clients). The app falls
# back to it, as Flatpak does to the plain socket, and `check` says so.
if command -v phoc > /dev/null && start_compositor phoc; then
	export WAYLAND_DISPLAY="$wl_display"
	ctx=$scratch/rt2
	mkdir -p "$ctx" && give "$ctx"
	as_user "$BOXWRAP_WAYLAND_HELPER" "$rt/$wl_display" "$ctx/wl" "$app.Outer" 1 -- /bin/sh -c \
		"touch '$ctx/ready'; while [ ! -e '$ctx/stop' ]; do sleep 0.1; done" &
	outer=$!
	for _ in $(seq 50); do [ -e "$ctx/ready" ] && break; sleep 0.1; done
	export WAYLAND_DISPLAY="$ctx/wl"
	out=$(as_user "$BOXWRAP" check tests/profiles/wayland.yaml 2>&1)
	check "fallback: boxwrap check says the app gets the compositor's socket" \
		sh -c 'case $1 in *"wayland:     the compositor'"'"'s socket: it has no security context"*) ;; *) exit 1 ;; esac' - "$out"
	for mode in run emit; do
		launch $mode 'wayland-info' 2>&1 | interfaces > "$scratch/in-fallback-$mode"
		check "fallback $mode: the app connects through the plain socket ($(wc -l < "$scratch/in-fallback-$mode") globals)" \
			grep -qx xdg_wm_base "$scratch/in-fallback-$mode"
	done
	touch "$ctx/stop"
	wait "$outer"

	# --- Fails closed: the compositor has the global, the set-up fails
	# (here: the app's runtime directory is too deep for a socket path).
	deep=$scratch/$(printf 'd%.0s' $(seq 80))/rt
	mkdir -p "$deep" && chmod 700 "$deep" && give "$deep"
	export WAYLAND_DISPLAY="$rt/$wl_display"
	shallow=$rt rt=$deep
	for mode in run emit; do
		out=$(launch $mode 'wayland-info > /dev/null 2>&1 && echo CONNECTED; echo "LS: $(ls /run/user/*/ | tr "\n" " ")"' 2>&1)
		check "fails closed $mode: no Wayland, and a message says why" \
			sh -c 'case $1 in *CONNECTED*|*"LS: "*wayland*) exit 1 ;; *"setting up one failed"*"the app gets no Wayland"*) ;; *) exit 1 ;; esac' - "$out"
	done
	rt=$shallow
	stop_compositor
else
	skip "fallback" "phoc does not start"
fi

# --- A compositor that accepts and never answers: the app starts after
# wayland-context's 5 s, without Wayland, rather than hanging.
as_user_bg python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    conns.append(s.accept())' "$rt/wayland-9"
hung=$bg_pid
for _ in $(seq 50); do [ -S "$rt/wayland-9" ] && break; sleep 0.1; done
export WAYLAND_DISPLAY=wayland-9
for mode in run emit; do
	t0=$(date +%s)
	out=$(launch $mode 'echo "STARTED $(ls /run/user/*/ | tr "\n" " ")"' 2>&1)
	t1=$(date +%s)
	check "$mode: a compositor that never answers: the app starts after $((t1 - t0)) s, without Wayland" \
		sh -c 'case $1 in *"STARTED "*wayland*) exit 1 ;; *"does not answer"*"STARTED"*) ;; *) exit 1 ;; esac' - "$out"
done
kill "$hung"
wait "$hung" 2> /dev/null
rm -f "$rt/wayland-9"

done_testing
