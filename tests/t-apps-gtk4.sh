#!/bin/sh
# The GNOME apps of the profile library that Debian 12 does not package,
# each in its shipped profile as an unprivileged user under Xvfb: Loupe
# (whose glycin decodes images in loaders it starts with flatpak-spawn),
# Papers, Podcasts and Shortwave (t-apps-wayland.sh runs them under
# headless Wayland compositors). Where they are not installed (Debian
# 12), the test runs itself in the Debian 13 root that
# tests/debian13-root.sh builds from Debian's archive (make deps), entered
# with bwrap: the root's own bwrap, xdg-dbus-proxy and apps, and this
# checkout (at /mnt, which every Debian root has) with its boxwrap. On
# Alpine they are packaged.
. tests/lib.sh
root=$debian13_root
debian13_reexec loupe "$0" "$@"
setup_scratch
. tests/apps-lib.sh

if ! command -v loupe > /dev/null; then
	skip "GTK 4 apps" "Loupe, Papers, Podcasts and Shortwave are not installed, and there is no Debian 13 root at $root (tests/debian13-root.sh) or the test does not run as root"
	done_testing
	exit 0
fi
[ -n "${BOXWRAP_IN_ROOT-}" ] && diag "in the Debian $(cat /etc/debian_version) root at $BOXWRAP_IN_ROOT: $(bwrap --version)"
if ! have_userns; then
	skip "GTK 4 apps" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
if ! start_x || ! start_bus || ! command -v python3 > /dev/null; then
	skip "GTK 4 apps" "Xvfb, xdotool, dbus-daemon or python3 is not installed"
	done_testing
	exit 0
fi
mkdir -p "$home/Pictures" "$home/Documents"
make_png "$home/Pictures/boxwrap-loupe-test.png"
make_pdf "$home/Documents/boxwrap-papers.pdf" boxwrap-papers-test
echo canary > "$home/canary.svg"
give "$home"

# glycin_loaders: until $scratch/stop exists, each glycin loader of the
# test user, as "LOADER-USER-NS LOUPE-USER-NS SECCOMP-FILTERS", one a
# line. A loader lives for some milliseconds: watched from before the
# launch, by a loop that forks nothing.
glycin_loaders() {
	python3 - "$scratch/stop" "$TEST_UID" <<'PY' | sort -u
import os, sys
stop, uid = sys.argv[1], sys.argv[2]
def status(pid):
    with open('/proc/%s/status' % pid) as f:
        return dict(l.rstrip('\n').split(':\t', 1) for l in f if ':\t' in l)
while not os.path.exists(stop):
    procs = {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            st = status(pid)
            if st['Uid'].split()[0] == uid:
                procs[pid] = (st['Name'], os.readlink('/proc/%s/ns/user' % pid), st.get('Seccomp_filters', '0'))
        except OSError:
            pass
    app = [ns for name, ns, _ in procs.values() if name == 'loupe']
    for name, ns, filters in procs.values():
        if name.startswith('glycin-') and app:
            print(ns, app[0], filters, flush=True)
PY
}

# --- Loupe: shows a granted image, decoded by glycin's loader in a
# sub-sandbox that boxwrap's flatpak-spawn builds; without nested-sandbox
# the loader cannot start and the image is not shown.
p=$(overlay profiles/loupe.yaml xdg-pictures:ro)
glycin_loaders > "$scratch/loaders" &
watch=$!
app_start loupe org.gnome.Loupe boxwrap-loupe-test 40 "$p" "$home/Pictures/boxwrap-loupe-test.png"
check_green loupe
touch "$scratch/stop"
wait "$watch"
app_stop loupe org.gnome.Loupe
check "loupe: glycin's loader ran in a sub-sandbox: its own user namespace, a filter on Loupe's ($(tr '\n' ';' < "$scratch/loaders"))" \
	awk '$1 != $2 && $3 >= 2 { found = 1 } END { exit !found }' "$scratch/loaders"
rm -rf "$home/.var/app/org.gnome.Loupe"
app_start loupe-no-nested org.gnome.Loupe boxwrap-loupe-test 40 --disallow=nested-sandbox "$p" \
	"$home/Pictures/boxwrap-loupe-test.png"
sleep 2
DISPLAY=$display xwd -silent -id "$win" > "$scratch/loupe-no-nested.xwd" 2> /dev/null
green=$(xwd_green "$scratch/loupe-no-nested.xwd")
check "loupe: without nested-sandbox glycin has no loader and the image is not shown ($green green)" \
	test "$green" -lt 1000
app_stop loupe-no-nested org.gnome.Loupe

# --- Papers: opens a granted PDF (its title is the window's).
p=$(overlay profiles/papers.yaml xdg-documents:ro)
app_start papers org.gnome.Papers boxwrap-papers-test 40 "$p" "$home/Documents/boxwrap-papers.pdf"
app_stop papers org.gnome.Papers

# --- Podcasts and Shortwave: start with no network to reach, create
# their libraries in the private home.
for a in gnome-podcasts:org.gnome.Podcasts:Podcasts:podcasts.db shortwave:de.haeckerfelix.Shortwave:Shortwave:Shortwave.db; do
	IFS=: read -r name id title db <<EOF
$a
EOF
	app_start "$name" "$id" "$title" 40 "profiles/$name.yaml"
	sleep 1
	app_stop "$name" "$id"
	found=$(find "$home/.var/app/$id" -name "$db" | head -n1)
	check "$name: its library $db is on the host in ~/.var/app/$id (${found#"$home/"})" test -n "$found"
done
done_testing
