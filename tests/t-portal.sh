#!/bin/sh
# xdg-desktop-portal and xdg-document-portal (Debian's, real) identify a
# boxwrap app by its app id, through the sandboxed D-Bus proxy, in both
# launch modes; documents exported to the app appear inside at the
# per-app path while the original host path stays hidden; a file the app
# saved in its private home is one the portals accept (same path inside
# and on the host).
. tests/lib.sh
PORTAL_ENV_SRCDIR=tests/portal
PORTAL_ENV_CHOOSER=1
. tests/portal/env.sh
trap 'portal_env_stop' EXIT
trap 'exit 130' INT TERM HUP
app=org.boxwrap.TestPortal
other=org.boxwrap.TestPortalOther

rc=0
portal_env_start || rc=$?
if [ $rc != 0 ]; then
	if [ $rc = 77 ]; then skip "portal tests" "portals cannot run here"; else not_ok "portal environment starts"; portal_env_dump_logs; fi
	done_testing
	exit 0
fi
if ! portal_env_userns_check; then
	skip "portal tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi
ok "real xdg-desktop-portal, xdg-document-portal and a private bus are up"
d=$PORTAL_ENV_DIR
uid=$PORTAL_ENV_UID
mkdir -p "$d/seccomp" "$HOME/Downloads" "$HOME/Documents" "$HOME/.var/app/$app" "$HOME/.var/app/$other"
cp "$B"/seccomp/*.bpf "$d/seccomp/"
cp "$PORTAL_HELPER" "$HOME/.var/app/$app/helper.py"
cp "$PORTAL_HELPER" "$HOME/.var/app/$other/helper.py"
echo "inside the sandbox" > "$HOME/Downloads/from-app.txt"
echo "a host document" > "$HOME/Documents/exported.txt"
chmod -R a+rX "$d/seccomp"
chown -R "$uid:$PORTAL_ENV_GID" "$HOME"
for p in portal portal-other; do
	BOXWRAP_SECCOMP_DIR=$d/seccomp "$BOXWRAP" emit "tests/profiles/$p.yaml" > "$d/$p.sh"
done

in_app() { # MODE PROFILE HELPER-ARGS...
	_m=$1 _p=$2
	shift 2
	# The app's home is its private one, at the same path as on the host.
	case $_p in portal) _h=$HOME/.var/app/$app ;; *) _h=$HOME/.var/app/$other ;; esac
	if [ "$_m" = run ]; then
		portal_as_user "$BOXWRAP" run "$PWD/tests/profiles/$_p.yaml" "$_h/helper.py" "$@"
	else
		portal_as_user sh "$d/$_p.sh" "$_h/helper.py" "$@"
	fi
}

for mode in run emit; do
	out=$(in_app $mode portal list $app 2>&1)
	check "$mode: the portal treats the app as sandboxed (Documents.List refused)" \
		sh -c 'case $1 in *NotAllowed*) ;; *) exit 1 ;; esac' - "$out"
	id=$(in_app $mode portal add "$HOME/Downloads/from-app.txt" 2>&1)
	info=$(portal_as_user "$PORTAL_PYTHON" "$PORTAL_HELPER" info "$id" 2>&1)
	check "$mode: a document the app adds is granted to the profile's app id ($id)" \
		sh -c 'case $1 in *"app=org.boxwrap.TestPortal "*) ;; *) exit 1 ;; esac' - "$info"
	check "$mode: ... and to no other app" sh -c 'case $1 in *TestPortalOther*) exit 1 ;; esac' - "$info"

	doc=$(portal_as_user "$PORTAL_PYTHON" "$PORTAL_HELPER" addfull "$HOME/Documents/exported.txt" $app read 2>&1)
	out=$(in_app $mode portal cat "/run/user/$uid/doc/$doc/exported.txt" 2>&1)
	check "$mode: a document exported to the app is readable inside at the per-app path" test "$out" = "a host document"
	out=$(in_app $mode portal cat "/run/flatpak/doc/$doc/exported.txt" 2>&1)
	check "$mode: ... also at /run/flatpak/doc" test "$out" = "a host document"
	out=$(in_app $mode portal exists "$HOME/Documents/exported.txt" 2>&1)
	check "$mode: ... while its original host path is not visible" test "$out" = no
	out=$(in_app $mode portal-other exists "/run/user/$uid/doc/$doc/exported.txt" 2>&1)
	check "$mode: another app does not see it" test "$out" = no

	# A file the app saves in its home, handed to the portals by descriptor.
	saved="saved by the app in $mode mode"
	id=$(in_app $mode portal save-add "$HOME/.var/app/$app/note-$mode.txt" "$saved" 2>&1)
	check "$mode: Documents.Add of a file the app wrote in its home succeeds ($id)" \
		sh -c 'case $1 in *DBUSERROR*|*rror*|"") exit 1 ;; esac' - "$id"
	out=$(portal_as_user cat "$PORTAL_DOC_MOUNT/$id/note-$mode.txt" 2>&1)
	check "$mode: ... and the host reads the same bytes through the document" test "$out" = "$saved"
	out=$(in_app $mode portal openfile "$HOME/.var/app/$app/note-$mode.txt" 2>&1)
	diag "$mode: OpenURI.OpenFile said: $out"
	check "$mode: OpenURI.OpenFile of it gets past the fd check to the app chooser, which cancels" \
		sh -c 'case $1 in response=1) ;; *) exit 1 ;; esac' - "$out"
	calls=$(grep -c "^ChooseApplication app=$app " "$d/log/chooser-calls" 2>/dev/null)
	check "$mode: ... the chooser was asked for the app ($calls calls so far)" test "${calls:-0}" -ge 1
	: > "$d/log/chooser-calls"
done
check "the portals logged no invalid descriptor" sh -c '! grep -iE "invalid fd|rejecting open request" "$1"/log/*.log' - "$d"
done_testing
