#!/bin/sh
# Real applications from the distribution, each in its shipped profile, as
# an unprivileged user: mpv, Firefox (headless), GNOME Web (WebKitGTK, its
# web process in a sub-sandbox), and
# Evince, Eye of GNOME, zathura and imv under Xvfb. An app that is not
# installed is skipped; CI installs them (tests/install-deps.sh). Debian
# paths differ from Alpine's for Firefox and imv (Debian has only
# imv-x11 and imv-wayland), which get --command. Where a test needs a file granted, a copy
# of the profile in the scratch dir adds one grant (a test overlay).
. tests/lib.sh
setup_scratch
. tests/apps-lib.sh

if ! have_userns; then
	skip "real apps" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
make_page

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
		gecko_sandboxed && nested=1
		sleep 0.1
	done
	wait "$ff"
	screenshot_checks firefox $? "$home/Downloads/shot.png"
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
	title=$(wait_window 'boxwrap granted' 90)
	check "epiphany: the page ran in a WebKit web process and loaded its granted image but not the canary ($title)" \
		test "$title" = "boxwrap granted=true canary=false"
	[ -n "$title" ] || { diag "epiphany's log:"; tail -n 20 "$scratch/ephy.log" | sed 's/^/#   /'; }
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

# --- Document and image viewers under Xvfb: evince and eog with a test
# grant (they normally take files from the portal), zathura as shipped.
for viewer in evince eog zathura imv; do
	bin=$viewer
	[ "$viewer" = imv ] && bin=imv-x11 # Debian has no imv dispatcher script
	if ! command -v "$bin" > /dev/null || ! command -v python3 > /dev/null || ! start_x || ! start_bus; then
		skip "$viewer" "$viewer, python3, Xvfb, xdotool or dbus-daemon is not installed"
		continue
	fi
	give "$home"
	case $viewer in
	evince)
		make_pdf "$home/Documents/doc.pdf" boxwrap-evince-test
		viewer_test evince org.gnome.Evince boxwrap-evince-test "$home/Documents/doc.pdf" - \
			"$(overlay profiles/evince.yaml xdg-documents:ro)" ;;
	eog)
		mkdir -p "$home/Pictures"
		make_png "$home/Pictures/boxwrap-eog-test.png"
		give "$home"
		viewer_test eog org.gnome.eog boxwrap-eog-test "$home/Pictures/boxwrap-eog-test.png" green \
			"$(overlay profiles/eog.yaml xdg-pictures:ro)" ;;
	zathura)
		make_pdf "$home/Documents/boxwrap-zathura-test.pdf" boxwrap-zathura-test
		give "$home"
		viewer_test zathura org.pwmt.zathura boxwrap-zathura-test \
			"$home/Documents/boxwrap-zathura-test.pdf" - profiles/zathura.yaml ;;
	imv)
		mkdir -p "$home/Pictures"
		make_png "$home/Pictures/boxwrap-imv-test.png"
		give "$home"
		no_dbus=1 # imv uses no D-Bus and writes nothing
		viewer_test imv ht.sr.exec64.Imv boxwrap-imv-test "$home/Pictures/boxwrap-imv-test.png" green \
			--command=/usr/bin/imv-x11 profiles/imv.yaml
		no_dbus= ;;
	esac
done
done_testing
