#!/bin/sh
# `make demo`: what a boxwrap sandbox can and cannot see, shown from inside,
# first with `boxwrap run`, then with the launcher `boxwrap emit` prints.
# Runs as an unprivileged user (uid 65534 through setpriv when started as
# root) with a scratch HOME and XDG_RUNTIME_DIR; touches nothing else.
# Exits 1 if anything the sandbox should refuse succeeds, or the reverse.
set -u
B=${B:-.build}
BOXWRAP=${BOXWRAP:-$B/boxwrap}
PROFILE=${PROFILE:-tests/profiles/basic.yaml}
DEMO_UID=${DEMO_UID:-65534}
failed=0

die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
[ -x "$BOXWRAP" ] || die "$BOXWRAP is missing: run make first"
[ -d "$B/seccomp" ] || die "$B/seccomp is missing: run make first"

# The scratch tree: world-readable so the demo user can reach it.
scratch=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
chmod 755 "$scratch"
home=$scratch/home
rt=$scratch/run
mkdir -p "$home/Downloads" "$rt"
chmod 700 "$rt"
echo "my bank password" > "$home/canary"
echo "a file the user downloaded" > "$home/Downloads/readme.txt"
# Copies the demo user can read, whatever the checkout's permissions are.
cp "$BOXWRAP" "$scratch/boxwrap"
# Its helpers beside it, where run looks when they are not installed.
for h in open-binds wayland-context flatpak-spawn; do
	cp "$B/$h" "$scratch/$h" && chmod 755 "$scratch/$h"
done
cp "$PROFILE" "$scratch/profile.yaml"
cp -r "$B/seccomp" "$scratch/seccomp"
chmod 755 "$scratch/boxwrap"
chmod 644 "$scratch/profile.yaml"
chmod -R a+rX "$scratch/seccomp"
if [ "$(id -u)" = 0 ]; then
	chown -R "$DEMO_UID:$DEMO_UID" "$home" "$rt"
	drop="setpriv --reuid=$DEMO_UID --regid=$DEMO_UID --clear-groups --"
else
	drop=
fi
# A launch as the demo user: a clean environment, plus two secrets that
# must not get into the sandbox.
as_user() {
	# shellcheck disable=SC2086 # $drop is a command prefix, or nothing
	(cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" XDG_RUNTIME_DIR="$rt" \
		LANG="${LANG:-C.UTF-8}" TERM="${TERM:-dumb}" \
		${BOXWRAP_BWRAP:+BOXWRAP_BWRAP="$BOXWRAP_BWRAP"} \
		DEMO_TOKEN=ghp_canary SSH_AUTH_SOCK=/tmp/agent.canary $drop "$@")
}
as_user bwrap --unshare-user --disable-userns --ro-bind / / true 2>/dev/null ||
	die "bwrap cannot create a user namespace here; the demo needs one"

app=$("$scratch/boxwrap" check "$scratch/profile.yaml" | sed -n 's/^  app-id: *//p')
[ -n "$app" ] || die "$PROFILE is not a valid profile"
# The launcher names the installed helpers; here, the scratch copies.
BOXWRAP_SECCOMP_DIR=$scratch/seccomp BOXWRAP_OPEN_HELPER=$scratch/open-binds \
	BOXWRAP_WAYLAND_HELPER=$scratch/wayland-context BOXWRAP_SPAWN_HELPER=$scratch/flatpak-spawn \
	BOXWRAP_SELF=$scratch/boxwrap "$scratch/boxwrap" emit -o "$scratch/launcher.sh" "$scratch/profile.yaml" ||
	die "boxwrap emit failed"

# What the sandboxed shell reports, one KEY=VALUE line each ($1: the mode).
# shellcheck disable=SC2016 # expanded in the sandbox
probe='
echo "canary=$(cat ~/canary 2>&1)"
echo "dlread=$(cat ~/Downloads/readme.txt 2>&1)"
echo "dlwrite=$(touch ~/Downloads/new 2>&1 && echo WROTE)"
echo "usrwrite=$(touch /usr/boxwrap-demo 2>&1 && echo WROTE)"
echo "homewrite=$({ echo "written in the sandbox" > ~/notes-$1.txt; } 2>&1 && echo done)"
echo "net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " ")"
echo "info=$(grep -E "^(name|instance-id)=" /.flatpak-info | tr "\n" " ")"
echo "infowrite=$({ echo x >> /.flatpak-info; } 2>&1 && echo WROTE)"
echo "env=$(env | cut -d= -f1 | sort | tr "\n" " ")"
echo "status=$(grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " " | tr "\n" " ")"
'

# expect TEXT VALUE PATTERN: prints TEXT as ok when VALUE matches the case
# PATTERN, as FAIL otherwise. refuse TEXT VALUE PATTERN: the reverse.
expect() {
	# shellcheck disable=SC2254 # $3 is a pattern on purpose
	case $2 in
	$3) printf '  ok    %s\n' "$1" ;;
	*) printf '  FAIL  %s\n' "$1"; failed=$((failed + 1)) ;;
	esac
}
refuse() {
	# shellcheck disable=SC2254
	case $2 in
	$3) printf '  FAIL  %s\n' "$1"; failed=$((failed + 1)) ;;
	*) printf '  ok    %s\n' "$1" ;;
	esac
}
# The value of KEY in the probe's output, with the scratch home shown as ~.
get() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | sed "s|$home|~|g; s/ *\$//"; }

demo() { # MODE COMMAND...
	mode=$1
	shift
	out=$(as_user "$@" -c "$probe" sh "$mode" 2>&1)
	if ! printf '%s\n' "$out" | grep -q '^status='; then
		printf '  FAIL  the sandbox did not start:\n%s\n' "$out"
		failed=$((failed + 1))
		return
	fi
	expect "the real home is hidden: cat ~/canary: $(get canary)" "$(get canary)" '*No such file*'
	refuse "... its content never shows" "$out" '*bank password*'
	expect "the granted ~/Downloads is readable: $(get dlread)" "$(get dlread)" 'a file the user downloaded'
	expect "... and read-only: $(get dlwrite)" "$(get dlwrite)" '*Read-only file system'
	expect "/usr is read-only: $(get usrwrite)" "$(get usrwrite)" '*Read-only file system'
	saved=$home/.var/app/$app/notes-$mode.txt
	# shellcheck disable=SC2088 # ~ is text here
	expect "~/notes-$mode.txt written inside is on the host in ~/.var/app/$app/" \
		"$(get homewrite) $(cat "$saved" 2>/dev/null)" 'done written in the sandbox'
	expect "network interfaces: $(get net) (no network granted)" "$(get net)" 'lo'
	expect "/.flatpak-info names the app: $(get info)" "$(get info)" "name=$app instance-id=[0-9]*"
	expect "... and cannot be changed: $(get infowrite)" "$(get infowrite)" '*Read-only file system'
	expect "the environment is an allow-list: $(get env)" "$(get env)" '*HOME*PATH*'
	refuse "... the caller's DEMO_TOKEN and SSH_AUTH_SOCK stayed out" "$(get env)" '*DEMO_TOKEN*|*SSH_AUTH_SOCK*'
	expect "$(get status) (no new privileges, seccomp filter on)" "$(get status)" 'NoNewPrivs: 1 Seccomp: 2'
}

echo "boxwrap demo: $PROFILE (app id $app) as uid $(as_user id -u), with a scratch"
echo "HOME holding ~/canary (a secret) and ~/Downloads/readme.txt."
echo
echo "1. boxwrap run $PROFILE -c SCRIPT"
demo run "$scratch/boxwrap" run "$scratch/profile.yaml"
echo
echo "2. boxwrap emit $PROFILE > launcher.sh; sh launcher.sh -c SCRIPT"
echo "   (a standalone POSIX sh launcher: it needs bwrap and the seccomp filter and helper boxwrap installs)"
demo emit sh "$scratch/launcher.sh"
echo
refuse "nothing was created in the real ~/Downloads" "$(ls "$home/Downloads")" '*new*'
if [ "$failed" -ne 0 ]; then
	echo "demo: $failed check(s) failed" >&2
	exit 1
fi
echo "All as expected. The app's private home stays on the host:"
(cd "$home" && find .var -type f | sort | sed 's/^/  ~\//')
