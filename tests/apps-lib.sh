# Helpers for the real-application tests (t-apps*.sh, t-wayland.sh),
# sourced after tests/lib.sh and setup_scratch: a private bus, Xvfb and
# headless Wayland compositors on demand, the unprivileged launch, test
# files, and the checks every app gets.
pids=
stop_all() { for p in $pids; do kill "$p" 2>/dev/null; done; for p in $pids; do wait "$p" 2>/dev/null; done; cleanup_scratch; }
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

now() { date +%s; }
# as_user, for "bg_user CMD... &": the background subshell becomes CMD, so
# $! is the process to stop.
bg_user() {
	if [ "$(id -u)" = 0 ]; then
		HOME=$home XDG_RUNTIME_DIR=$rt exec setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups -- "$@"
	else
		HOME=$home XDG_RUNTIME_DIR=$rt exec "$@"
	fi
}
# overlay PROFILE GRANT: the shipped profile plus one filesystem grant.
overlay() {
	_o=$scratch/${1##*/}
	if grep -q '^filesystems: \[' "$1"; then
		sed "s/^filesystems: \[/filesystems: [$2, /" "$1" > "$_o"
	else
		{ cat "$1"; echo "filesystems: [$2]"; } > "$_o"
	fi
	give "$_o"
	echo "$_o"
}
# A private session bus without service activation, and Xvfb, on demand.
bus=
start_bus() {
	[ -n "$bus" ] && return 0
	command -v dbus-daemon > /dev/null || return 1
	cat > "$scratch/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=$rt</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
XML
	give "$scratch/bus.conf"
	bg_user dbus-daemon --config-file="$scratch/bus.conf" --nofork --print-address=3 3> "$scratch/bus.addr" 2> "$scratch/bus.log" &
	pids="$pids $!"
	for _i in $(seq 50); do [ -s "$scratch/bus.addr" ] && break; sleep 0.1; done
	bus=$(head -n1 "$scratch/bus.addr")
	[ -n "$bus" ]
}
display=
start_x() {
	[ -n "$display" ] && return 0
	command -v Xvfb > /dev/null && command -v xdotool > /dev/null || return 1
	Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp 3> "$scratch/display" 2> "$scratch/xvfb.log" &
	pids="$pids $!"
	for _i in $(seq 50); do [ -s "$scratch/display" ] && break; sleep 0.1; done
	display=:$(head -n1 "$scratch/display")
	[ "$display" != : ]
}
# start_compositor NAME: a headless Wayland compositor (phoc, sway, labwc:
# WLR_BACKENDS=headless WLR_RENDERER=pixman, no GPU), as the test user,
# once a client gets its globals; its pid in $comp_pid, its socket's name
# in $rt in $wl_display, its output in $scratch/NAME.log.
start_compositor() {
	# Xwayland's lock files and sockets (the compositors start it).
	if [ "$(id -u)" = 0 ]; then
		chmod 1777 /tmp
		mkdir -p -m 1777 /tmp/.X11-unix
	fi
	: > "$scratch/$1.log"
	case $1 in
	sway) printf 'output * resolution 1024x768\n' > "$scratch/sway.conf"
	      set -- sway -c "$scratch/sway.conf" ;;
	esac
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 as_user_bg "$@" > "$scratch/$1.log" 2>&1
	comp_pid=$bg_pid
	wl_display=
	for _i in $(seq 100); do
		wl_display=$(cd "$rt" && ls -d wayland-[0-9] 2> /dev/null | head -n1)
		[ -n "$wl_display" ] && as_user env WAYLAND_DISPLAY="$wl_display" wayland-info > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
stop_compositor() {
	kill "$comp_pid" 2> /dev/null
	wait "$comp_pid" 2> /dev/null
	rm -f "$rt"/wayland-[0-9]*
}
# ppm_colours FILE.ppm: how many distinct pixel values a binary PPM has.
ppm_colours() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
parts = d.split(b"\n", 3)
w, h = map(int, parts[1].split())
px = parts[3]
print(len({px[i:i + 3] for i in range(0, w * h * 3, 3)}))' "$1" 2> /dev/null || echo 0
}
# wl_screen_colours NAME: the compositor's screenshot of its whole output,
# taken from outside every sandbox (grim, over wlr-screencopy), in
# $rt/NAME.ppm; prints how many colours it has (0: no screenshot).
wl_screen_colours() {
	if WAYLAND_DISPLAY=$wl_display as_user grim -t ppm "$rt/$1.ppm" 2> /dev/null; then
		ppm_colours "$rt/$1.ppm"
	else
		echo 0
	fi
}

# The app ids the bus's peers carry: for every connection, the app-info
# in the root of the pid the bus reports for it.
bus_peer_app_ids() {
	for _n in $(as_user gdbus call --address "$bus" -d org.freedesktop.DBus -o /org/freedesktop/DBus \
			-m org.freedesktop.DBus.ListNames | grep -o "':[0-9.]*'" | tr -d "'"); do
		_p=$(as_user gdbus call --address "$bus" -d org.freedesktop.DBus -o /org/freedesktop/DBus \
			-m org.freedesktop.DBus.GetConnectionUnixProcessID "$_n" 2> /dev/null | grep -o '[0-9][0-9]*' | tail -n1)
		[ -n "$_p" ] && sed -n 's/^name=//p' "/proc/$_p/root/.flatpak-info" 2> /dev/null
	done | sort -u | tr '\n' ' '
}

# wait_window NAME-PATTERN SECONDS: the visible window's title, once it
# appears.
wait_window() {
	_end=$(($(now) + $2))
	while [ "$(now)" -le "$_end" ]; do
		_w=$(DISPLAY=$display xdotool search --onlyvisible --name "$1" 2> /dev/null | head -n1)
		[ -n "$_w" ] && { DISPLAY=$display xdotool getwindowname "$_w"; return 0; }
		sleep 0.2
	done
	return 1
}

# make_page: the page, images and canary every browser test uses, in
# ~/Documents; the canary lies in the real home, outside every grant. The
# page's title and colour tell which images loaded.
make_page() {
	mkdir -p "$home/Documents" "$home/Downloads" "$home/Videos"
	svg='<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
	echo "$svg" > "$home/Documents/granted.svg"
	echo "$svg" > "$home/canary.svg"
	cat > "$home/Documents/page.html" <<HTML
<!doctype html><html><head><title>loading</title>
<style>html, body { margin: 0; height: 100%; }</style><script>
window.onload = function () {
  var g = document.getElementById("granted").naturalWidth > 0;
  var c = document.getElementById("canary").naturalWidth > 0;
  document.body.style.background = c ? "#ff0000" : g ? "#00ff00" : "#0000ff";
  document.title = "boxwrap granted=" + g + " canary=" + c;
};
</script></head><body>
<img id="granted" src="file://$home/Documents/granted.svg" width="1" height="1">
<img id="canary" src="file://$home/canary.svg" width="1" height="1">
</body></html>
HTML
}

# png_centre_colour FILE: the middle pixel of a PNG, as #rrggbb.
png_centre_colour() {
	python3 - "$1" 2> /dev/null <<'PY'
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
i, idat = 8, b''
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i + 8]); c = d[i + 8:i + 8 + n]; i += 12 + n
    if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', c[:10])
    elif t == b'IDAT': idat += c
bpp = {2: 3, 6: 4}[ctype]
raw, stride, prev = zlib.decompress(idat), w * bpp, bytearray(w * bpp)
for r in range(h // 2 + 1):  # unfilter down to the middle row
    f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
    for k in range(stride):
        a = line[k - bpp] if k >= bpp else 0; b = prev[k]; c = prev[k - bpp] if k >= bpp else 0
        p = a + b - c
        line[k] = (line[k] + [0, a, b, (a + b) // 2,
                   a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c][f]) & 255
    prev = line
print('#%02x%02x%02x' % tuple(prev[(w // 2) * bpp:(w // 2) * bpp + 3]))
PY
}

# A PDF of one page whose document title is $2.
make_pdf() {
	python3 - "$1" "$2" <<'PY'
import sys
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>", None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + sys.argv[2].encode() + b") >>"]
stream = b"BT /F1 18 Tf 20 40 Td (boxwrap) Tj ET"
objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
out, offs = bytearray(b"%PDF-1.4\n"), []
for i, o in enumerate(objs):
    offs.append(len(out)); out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs: out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1], "wb").write(out)
PY
}

# A 64x64 PNG, all green.
make_png() {
	python3 - "$1" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + b"\x00\xff\x00" * 64 for _ in range(64))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
}


# gecko_sandboxed: true while a Gecko content process of the test user
# runs in Gecko's own sandbox nested in ours: a user namespace that is not
# its parent's, and Gecko's seccomp filter stacked on boxwrap's.
gecko_sandboxed() {
	for _c in $(pgrep -u "$TEST_UID" -f -- -contentproc); do
		_f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$_c/status" 2> /dev/null)
		_u=$(readlink "/proc/$_c/ns/user" 2> /dev/null)
		_pu=$(readlink "/proc/$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$_c/status" 2> /dev/null)/ns/user" 2> /dev/null)
		[ "${_f:-0}" -ge 2 ] && [ -n "$_u" ] && [ "$_u" != "$_pu" ] && return 0
	done
	return 1
}

# screenshot_checks NAME STATUS PNG: a headless browser's screenshot of
# page.html exited STATUS, landed in the granted PNG, and shows the page
# green: its granted image loaded, the canary from the real home did not.
screenshot_checks() {
	check "$1: the screenshot exits 0" test "$2" = 0
	check "$1: the PNG is in the granted download directory" test -s "$3"
	_colour=$(png_centre_colour "$3")
	check "$1: the page loaded its granted image but not the canary from the real home (green, got $_colour)" \
		test "$_colour" = "#00ff00"
}

# xwd_colours FILE: how many colours an xwd screenshot has (1: blank).
xwd_colours() {
	python3 - "$1" 2> /dev/null <<'PY' || echo 0
import struct, sys
d = open(sys.argv[1], 'rb').read()
h = struct.unpack('>25I', d[:100])  # header_size ... ncolors at 19
px = d[h[0] + h[19] * 12:]
print(len({px[i:i + 4] for i in range(0, len(px) - 3, 4)}))
PY
}
# xwd_green FILE: how many pure green pixels a screenshot has (xwd's
# 32-bit pixels and a PPM's 24-bit alike).
xwd_green() {
	python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\0\xff\0"))' "$1" 2> /dev/null || echo 0
}

# The real home as a list of paths, without ~/.var (where apps' private
# homes live on the host).
home_listing() { (cd "$home" && find . -path ./.var -prune -o -print | sort); }

# app_pid APP-ID: a process of the app itself (not its bwrap or proxy),
# found by the app-info in its root.
app_pid() {
	for _p in $(pgrep -u "$TEST_UID"); do
		case $(cat "/proc/$_p/comm" 2> /dev/null) in bwrap | xdg-dbus-proxy | timeout | boxwrap) continue ;; esac
		grep -qx "name=$1" "/proc/$_p/root/.flatpak-info" 2> /dev/null && { echo "$_p"; return 0; }
	done
	return 1
}

# app_start NAME APP-ID TITLE SECONDS RUN-ARGS...: `boxwrap run RUN-ARGS`
# under Xvfb on the private bus, as the test user. Checks that a window
# whose title has TITLE appears within SECONDS, that its screenshot is not
# empty, that the bus sees the app's connection as APP-ID (what
# xdg-desktop-portal does: the peer's pid, then that pid's /.flatpak-info;
# the peer is the proxy), and that the real home's canary is not in its
# sandbox. Leaves the app running ($app, window $win) for more checks.
# An app that never uses D-Bus (no_dbus=1: imv) is checked instead for the
# id a portal would read from its own /.flatpak-info, and in app_stop for
# its private home on the host (it writes nothing there).
app_start() {
	_name=$1 _id=$2 _title=$3 _secs=$4
	shift 4
	t0=$(now)
	home_listing > "$scratch/$_name.home-before"
	bg_user env DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS="$bus" timeout 120 "$BOXWRAP" run "$@" \
		> "$scratch/$_name.log" 2>&1 &
	app=$!
	pids="$pids $app"
	title=$(wait_window "$_title" "$_secs")
	check "$_name: its window appears over X11 ($title)" test -n "$title"
	# Some apps replace the window as they set their title, or have more
	# than one of that title: look again, at each.
	# A window the X server cannot show (an X11 client's MIT-SHM images
	# without the IPC namespace: Mesa's software renderer) is one colour.
	shot=0 colours=0
	for _ in $(seq 20); do
		for win in $(DISPLAY=$display xdotool search --onlyvisible --name "$_title" 2> /dev/null); do
			DISPLAY=$display xwd -silent -id "$win" > "$scratch/$_name.xwd" 2> /dev/null
			shot=$(wc -c < "$scratch/$_name.xwd")
			colours=$(xwd_colours "$scratch/$_name.xwd")
			[ "$shot" -gt 10000 ] && [ "$colours" -gt 1 ] && break 2
		done
		sleep 0.3
	done
	check "$_name: a screenshot of its window is not blank (${shot:-0} bytes, $colours colours)" \
		sh -c '[ "$1" -gt 10000 ] && [ "$2" -gt 1 ]' - "${shot:-0}" "$colours"
	_pid=$(app_pid "$_id")
	if [ -n "${no_dbus-}" ]; then
		check "$_name: no bus connection; its app-info names $_id, as a portal would read it" \
			test -n "$_pid"
	else
		ids=$(bus_peer_app_ids)
		check "$_name: the bus sees its connection as $_id, as the portal would ($ids)" \
			sh -c 'case " $1 " in *" $2 "*) exit 0 ;; esac; exit 1' - "$ids" "$_id"
	fi
	check "$_name: the real home is hidden: its canary is not in the app's sandbox (pid ${_pid:-none})" \
		sh -c '[ -n "$1" ] && [ -d "/proc/$1/root/" ] && [ ! -e "/proc/$1/root$2" ]' - "$_pid" "$home/canary.svg"
	[ -n "$title" ] || { diag "$_name's log:"; tail -n 15 "$scratch/$_name.log" | sed 's/^/#   /'; }
}

# app_stop NAME APP-ID: stops the app; nothing it wrote lands in the real
# home outside ~/.var, and what it wrote to its home is in
# ~/.var/app/APP-ID (README, "persistent").
app_stop() {
	kill "$app" 2> /dev/null
	wait "$app" 2> /dev/null
	home_listing > "$scratch/$1.home-after"
	check "$1: the real home is unchanged outside ~/.var" cmp -s "$scratch/$1.home-before" "$scratch/$1.home-after"
	diff "$scratch/$1.home-before" "$scratch/$1.home-after" | sed -n 's/^[<>]/#   &/p' | head -n 10
	_n=$(find "$home/.var/app/$2" -type f 2> /dev/null | wc -l)
	if [ -n "${no_dbus-}" ]; then
		check "$1: its private home is on the host in ~/.var/app/$2 ($_n files)" test -d "$home/.var/app/$2"
	else
		check "$1: what it wrote to its home is on the host in ~/.var/app/$2 ($_n files)" test "$_n" -gt 0
	fi
	diag "$1: $(($(now) - t0)) s"
}

# viewer_test NAME APP-ID TITLE FILE GREEN RUN-ARGS...: the viewer, run
# with RUN-ARGS (its profile), opens FILE (app_start's checks, and those of
# app_stop), and if GREEN is "green" its window shows FILE's green pixels.
viewer_test() {
	_v=$1 _vid=$2 _vtitle=$3 _vfile=$4 _vgreen=$5
	shift 5
	app_start "$_v" "$_vid" "$_vtitle" 30 "$@" "$_vfile"
	[ "$_vgreen" = green ] && check_green "$_v"
	app_stop "$_v" "$_vid"
}
# check_green NAME: the app's window ($win) shows pure green pixels: the
# image was read (it may draw after the title).
check_green() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		DISPLAY=$display xwd -silent -id "$win" > "$scratch/$1.xwd" 2> /dev/null
		green=$(xwd_green "$scratch/$1.xwd")
		[ "$green" -gt 1000 ] && break
		sleep 0.5
	done
	check "$1: the window shows the image's pixels ($green green)" test "$green" -gt 1000
}
