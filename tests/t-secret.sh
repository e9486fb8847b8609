#!/bin/sh
# Secrets as Flatpak apps keep them (issue 3), in both launch modes, with
# the real daemons: libsecret's simple API (secret-tool) inside a boxwrap
# sandbox takes its file back end (it sees /.flatpak-info and the Secret
# portal, version 1), gets its key from xdg-desktop-portal's Secret portal,
# backed by gnome-keyring's org.freedesktop.impl.portal.Secret (a login
# keyring unlocked without a prompter), and keeps its secrets encrypted in
# the app's own data, ~/.var/app/APP-ID/.local/share/keyrings. The Secret
# Service itself (org.freedesktop.secrets) is out of reach unless the
# profile grants it.
. tests/lib.sh
PORTAL_ENV_SRCDIR=tests/portal
. tests/portal/env.sh
trap 'portal_env_stop' EXIT
trap 'exit 130' INT TERM HUP
app=org.boxwrap.TestSecret
granted=org.boxwrap.TestSecretGranted

if ! command -v secret-tool >/dev/null 2>&1; then
	skip "secret tests" "secret-tool (libsecret-tools) is not installed"
	done_testing
	exit 0
fi
# libsecret before 0.21 (Debian 12: 0.20.5) sends RetrieveSecret without a
# handle_token and subscribes to the Response only once the call returns:
# with gnome-keyring answering at once it usually misses it and hangs.
# Such a libsecret gets the portal's answer 300 ms late (secret-delay.py).
libsecret=$(for f in /usr/lib/*/libsecret-1.so.0 /usr/lib/libsecret-1.so.0; do [ -e "$f" ] && echo "$f"; done | head -1)
if [ -n "$libsecret" ] && ! grep -q handle_token "$libsecret"; then
	PORTAL_ENV_SECRET_DELAY=300
	diag "$libsecret sends no handle_token: the Secret portal answers through secret-delay.py"
fi
PORTAL_ENV_SECRET=1
export PORTAL_ENV_SECRET PORTAL_ENV_SECRET_DELAY

rc=0
portal_env_start || rc=$?
if [ $rc != 0 ]; then
	if [ $rc = 77 ]; then skip "secret tests" "portals or gnome-keyring cannot run here"; else not_ok "portal environment with gnome-keyring starts"; portal_env_dump_logs; fi
	done_testing
	exit 0
fi
if ! portal_env_userns_check; then
	skip "secret tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
ok "real xdg-desktop-portal with gnome-keyring's Secret back end on a private bus"
d=$PORTAL_ENV_DIR
data=$HOME/.var/app/$app
mkdir -p "$d/seccomp" "$data" "$HOME/.var/app/$granted"
cp "$B"/seccomp/*.bpf "$d/seccomp/"
chmod -R a+rX "$d/seccomp"
cp tests/secret-client.py "$data/client.py"
cp tests/secret-client.py "$HOME/.var/app/$granted/client.py"
chown -R "$PORTAL_ENV_UID:$PORTAL_ENV_GID" "$HOME"
printf 'app-id: %s\ncommand: /usr/bin/secret-tool\n' $app > "$d/secret.yaml"
printf 'app-id: %s\ncommand: /usr/bin/python3\n' $app > "$d/client.yaml"
printf 'app-id: %s\ncommand: /usr/bin/python3\nsession-bus:\n  talk: [org.freedesktop.secrets]\n' \
	$granted > "$d/granted.yaml"
for p in secret client granted; do
	chmod 644 "$d/$p.yaml"
	BOXWRAP_SECCOMP_DIR=$d/seccomp "$BOXWRAP" emit "$d/$p.yaml" > "$d/$p.sh"
done

in_app() { # MODE PROFILE ARGS...
	_m=$1 _p=$2
	shift 2
	if [ "$_m" = run ]; then
		portal_as_user timeout -s KILL 30 "$BOXWRAP" run "$d/$_p.yaml" "$@"
	else
		portal_as_user timeout -s KILL 30 sh "$d/$_p.sh" "$@"
	fi
}
has() { case $1 in *"$2"*) return 0 ;; *) return 1 ;; esac; }

out=$(in_app run client "$data/client.py" portal-version 2>&1)
check "inside, the Secret portal is there, version 1 (libsecret's condition for its file back end) ($out)" \
	test "$out" = "OK portal-version 1"

for mode in run emit; do
	# (a) libsecret's simple API through secret-tool.
	out=$(echo "s3cr3t-$mode" | in_app $mode secret store --label=x app test 2>&1)
	check "$mode: secret-tool store succeeds inside ($out)" test -z "$out"
	out=$(in_app $mode secret lookup app test 2>&1)
	check "$mode: secret-tool lookup prints the secret ($out)" test "$out" = "s3cr3t-$mode"

	# (b) On the host: an encrypted file in the app's own data, the
	# plaintext nowhere in it, and not in gnome-keyring's collections.
	keyring=$data/.local/share/keyrings/default.keyring
	check "$mode: the app's keyring is a file under ~/.var/app/$app" test -s "$keyring"
	check "$mode: ... in libsecret's encrypted format" sh -c 'head -c 12 "$1" | grep -q "^GnomeKeyring$"' - "$keyring"
	check "$mode: ... and the plaintext appears nowhere under ~/.var/app/$app" \
		sh -c '! grep -r -q -a "s3cr3t" "$1"' - "$data"
	out=$(portal_as_user secret-tool search --all app test 2>&1)
	check "$mode: gnome-keyring's own collections do not hold the secret" sh -c '! printf "%s" "$1" | grep -q s3cr3t && ! printf "%s" "$1" | grep -q "attribute.app = test"' - "$out"

	# (c) The Secret Service is out of reach by default...
	out=$(in_app $mode client "$data/client.py" names open-session impl-retrieve:$granted 2>&1)
	check "$mode: only the bus and portal names are visible ($out)" \
		sh -c 'n=$(printf "%s\n" "$1" | sed -n "s/^OK names //p"); [ -n "$n" ] && for x in $n; do case $x in org.freedesktop.DBus|org.freedesktop.portal.*) ;; *) exit 1 ;; esac; done' - "$out"
	check "$mode: OpenSession on org.freedesktop.secrets is refused by the proxy" has "$out" "DENIED open-session"
	check "$mode: gnome-keyring's portal back end cannot be asked for another app's key" \
		has "$out" "DENIED impl-retrieve:$granted"
	# ... and reachable with session-bus: talk: [org.freedesktop.secrets].
	out=$(in_app $mode granted "$HOME/.var/app/$granted/client.py" open-session 2>&1)
	check "$mode: with talk org.freedesktop.secrets granted, OpenSession works ($out)" test "$out" = "OK open-session"
done

# gnome-keyring's portal back end keeps one key per app in the login
# keyring, found by its app_id (it does not let Secret Service clients
# read the item itself).
out=$(portal_as_user gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets \
	-m org.freedesktop.Secret.Service.SearchItems "{'app_id': '$app'}" 2>&1)
check "gnome-keyring's login keyring holds the app's key, which the portal handed out ($out)" \
	sh -c 'case $1 in "([objectpath '"'"'/org/freedesktop/secrets/collection/login/"*"'"'"'], @ao [])") ;; *) exit 1 ;; esac' - "$out"
done_testing
