#!/bin/sh
# Real applications from the distribution, each in its shipped profile, as
# an unprivileged user: mpv, Firefox (headless), GNOME Web (WebKitGTK, its
# web process in a sub-sandbox), and
# Evince, Eye of GNOME and zathura under Xvfb. An app that is not installed is skipped; CI installs
# them (tests/install-deps.sh). Debian paths differ from Alpine's only for
# Firefox, which gets --command. Where a test needs a file granted, a copy
# of the profile in the scratch dir adds one grant (a test overlay).
. tests/lib.sh
setup_scratch
pids=
stop_all() { for p in $pids; do kill "$p" 2>/dev/null; done; for p in $pids; do wait "$p" 2>/dev/null; done; cleanup_scratch; }
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

if ! have_userns; then
	skip "real apps" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
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
# The page, images and canary every browser test uses: the canary lies in
# the real home, outside every grant.
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
# wait_window NAME-PATTERN SECONDS: the window's title, once it appears.
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

wait_window() {
	_end=$(($(now) + $2))
	while [ "$(now)" -le "$_end" ]; do
		_w=$(DISPLAY=$display xdotool search --name "$1" 2> /dev/null | head -n1)
		[ -n "$_w" ] && { DISPLAY=$display xdotool getwindowname "$_w"; return 0; }
		sleep 0.2
	done
	return 1
}

# --- mpv: plays a generated clip with null outputs; the real home stays hidden.
if command -v mpv > /dev/null; then
	t0=$(now)
	if command -v ffmpeg > /dev/null; then
		ffmpeg -v error -f lavfi -i testsrc=d=1:s=160x120 -f lavfi -i sine=d=1 -shortest "$home/Videos/clip.mkv"
	else
		mpv --really-quiet av://lavfi:testsrc=d=1:s=160x120 --o="$home/Videos/clip.mkv"
	fi
	cp "$home/Videos/clip.mkv" "$home/canary.mkv"
	give "$home"
	as_user "$BOXWRAP" run profiles/mpv.yaml --ao=null --vo=null "$home/Videos/clip.mkv" > "$scratch/mpv.log" 2>&1
	check "mpv plays a clip in the videos folder (xdg-videos:ro) and exits 0" test $? = 0
	as_user "$BOXWRAP" run profiles/mpv.yaml --ao=null --vo=null "$home/canary.mkv" > "$scratch/mpv.log" 2>&1
	rc=$?
	check "mpv cannot open the same clip in the real home (exit $rc)" \
		sh -c '[ "$1" != 0 ] && grep -q "No such file" "$2"' - "$rc" "$scratch/mpv.log"
	diag "mpv: $(($(now) - t0)) s"
else
	skip "mpv" "mpv is not installed"
fi

# --- Firefox: a headless screenshot of a granted page into Downloads; the
# page's image from the real home does not load; the content processes run
# in Firefox's own sandbox, nested in ours.
firefox=
for f in /usr/lib/firefox-esr/firefox-esr /usr/lib/firefox/firefox; do [ -x "$f" ] && firefox=$f && break; done
if [ -n "$firefox" ] && command -v python3 > /dev/null; then
	t0=$(now)
	p=$(overlay profiles/firefox.yaml xdg-documents:ro)
	give "$home"
	bg_user timeout 120 "$BOXWRAP" run --command="$firefox" "$p" --headless --window-size=200,100 \
		--screenshot "$home/Downloads/shot.png" "file://$home/Documents/page.html" > "$scratch/ff.log" 2>&1 &
	ff=$!
	nested=0
	while kill -0 "$ff" 2> /dev/null; do
		for c in $(pgrep -u "$TEST_UID" -f -- -contentproc); do
			# Firefox's seccomp filter stacked on ours, in a user namespace of its own.
			f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$c/status" 2> /dev/null)
			u=$(readlink "/proc/$c/ns/user" 2> /dev/null)
			parent=$(readlink "/proc/$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$c/status" 2> /dev/null)/ns/user" 2> /dev/null)
			[ "${f:-0}" -ge 2 ] && [ -n "$u" ] && [ "$u" != "$parent" ] && nested=1
		done
		sleep 0.1
	done
	wait "$ff"
	check "firefox: the screenshot exits 0" test $? = 0
	check "firefox: the PNG is in the granted download directory" test -s "$home/Downloads/shot.png"
	colour=$(python3 - "$home/Downloads/shot.png" 2> /dev/null <<'PY'
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
)
	check "firefox: the page loaded its granted image but not the canary from the real home (green, got $colour)" \
		test "$colour" = "#00ff00"
	check "firefox: content processes run in Firefox's own sandbox (user namespace, seccomp) inside ours" test $nested = 1
	diag "firefox ($firefox): $(($(now) - t0)) s"
else
	skip "firefox" "firefox is not installed"
fi

# --- GNOME Web (WebKitGTK) under Xvfb: loads the granted page, which cannot
# read the canary. WebKitGTK sees /.flatpak-info and asks flatpak-spawn for
# its web process's sandbox: boxwrap's (nested-sandbox) builds it inside
# epiphany's, with namespaces of its own, no network and a second filter.
if command -v epiphany > /dev/null && start_x && start_bus; then
	t0=$(now)
	p=$(overlay profiles/epiphany.yaml xdg-documents:ro)
	give "$home"
	bg_user env DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS="$bus" timeout 60 "$BOXWRAP" run "$p" \
		--private-instance "file://$home/Documents/page.html" > "$scratch/ephy.log" 2>&1 &
	ephy=$!
	pids="$pids $ephy"
	title=$(wait_window 'boxwrap granted' 45)
	check "epiphany: the page ran in a WebKit web process and loaded its granted image but not the canary ($title)" \
		test "$title" = "boxwrap granted=true canary=false"
	# The process itself (comm is cut to 15 bytes), not the bwrap before it.
	web=$(pgrep -u "$TEST_UID" -x WebKitWebProces | head -n1)
	ui=$(pgrep -u "$TEST_UID" -x epiphany | head -n1)
	ns() { readlink "/proc/$1/ns/$2"; }
	check "epiphany: the web process runs in a sub-sandbox: its own user, mount, pid and network namespaces" \
		sh -c '[ -n "$1" ] && [ -n "$2" ] && for n in user mnt pid net; do
			[ "$(readlink /proc/$1/ns/$n)" != "$(readlink /proc/$2/ns/$n)" ] || exit 1; done' - "$web" "$ui"
	filters=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$web/status" 2> /dev/null)
	check "epiphany: the web process has the default filter on top of epiphany's ($filters filters)" test "$filters" = 2
	check "epiphany: the page is in epiphany's sandbox, not in its web process's" \
		sh -c '[ -f "/proc/$3/root$2" ] && [ ! -e "/proc/$1/root$2" ]' - "$web" "$home/Documents/page.html" "$ui"
	kill "$ephy" 2> /dev/null
	wait "$ephy" 2> /dev/null
	diag "epiphany: $(($(now) - t0)) s"
else
	skip "epiphany" "epiphany, Xvfb, xdotool or dbus-daemon is not installed"
fi

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

# NAME PROFILE APP-ID TITLE FILE [green]: the viewer, in PROFILE, under
# Xvfb with the X11 fallback, opens FILE: a window whose title has TITLE
# appears, its screenshot is not empty (and shows FILE's green pixels), and
# the bus sees its connection as APP-ID.
viewer_test() {
	t0=$(now)
	bg_user env DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS="$bus" timeout 60 "$BOXWRAP" run "$2" \
		"$5" > "$scratch/$1.log" 2>&1 &
	_v=$!
	pids="$pids $_v"
	title=$(wait_window "$4" 30)
	check "$1: its window shows the granted file over X11 ($title)" test -n "$title"
	win=$(DISPLAY=$display xdotool search --name "$4" 2> /dev/null | head -n1)
	DISPLAY=$display xwd -silent -id "$win" > "$scratch/$1.xwd" 2> /dev/null
	shot=$(wc -c < "$scratch/$1.xwd")
	check "$1: a screenshot of its window is not empty (${shot:-0} bytes)" test "${shot:-0}" -gt 10000
	if [ -n "${6-}" ]; then
		# Pure green pixels: the image was read (it may draw after the title).
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			DISPLAY=$display xwd -silent -id "$win" > "$scratch/$1.xwd" 2> /dev/null
			green=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\0\xff\0"))' "$scratch/$1.xwd")
			[ "$green" -gt 1000 ] && break
			sleep 0.5
		done
		check "$1: the window shows the image's pixels ($green green)" test "$green" -gt 1000
	fi
	# What xdg-desktop-portal does: the bus peer's pid, then that pid's
	# /.flatpak-info. The app's peer is its proxy; it must name the app.
	ids=$(bus_peer_app_ids)
	check "$1: the bus sees its connection as $3, as the portal would ($ids)" \
		sh -c 'case " $1 " in *" $2 "*) exit 0 ;; esac; exit 1' - "$ids" "$3"
	kill "$_v" 2> /dev/null
	wait "$_v" 2> /dev/null
	diag "$1: $(($(now) - t0)) s"
}

# --- Document and image viewers under Xvfb: evince and eog with a test
# grant (they normally take files from the portal), zathura as shipped.
for viewer in evince eog zathura; do
	if ! command -v "$viewer" > /dev/null || ! command -v python3 > /dev/null || ! start_x || ! start_bus; then
		skip "$viewer" "$viewer, python3, Xvfb, xdotool or dbus-daemon is not installed"
		continue
	fi
	give "$home"
	case $viewer in
	evince)
		make_pdf "$home/Documents/doc.pdf" boxwrap-evince-test
		viewer_test evince "$(overlay profiles/evince.yaml xdg-documents:ro)" org.gnome.Evince \
			boxwrap-evince-test "$home/Documents/doc.pdf" ;;
	eog)
		mkdir -p "$home/Pictures"
		make_png "$home/Pictures/boxwrap-eog-test.png"
		give "$home"
		viewer_test eog "$(overlay profiles/eog.yaml xdg-pictures:ro)" org.gnome.eog \
			boxwrap-eog-test "$home/Pictures/boxwrap-eog-test.png" green ;;
	zathura)
		make_pdf "$home/Documents/boxwrap-zathura-test.pdf" boxwrap-zathura-test
		give "$home"
		viewer_test zathura profiles/zathura.yaml org.pwmt.zathura \
			boxwrap-zathura-test "$home/Documents/boxwrap-zathura-test.pdf" ;;
	esac
done
done_testing
