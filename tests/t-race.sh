#!/bin/sh
# The check-then-mount race (issue 16, item 3). Two instances of an app
# with a nested file grant below $HOME (xdg-config/kdeglobals:ro, the
# shape of Flathub's common grant) share its private home: a hostile one
# (tests/race-flipper.py) swaps the grant's mount point and its parent
# between what boxwrap's checks accept and symlinks through /oldroot into
# the real home, while the other is launched again and again, with
# `boxwrap run` and with an emitted launcher. No host file outside the
# grants may change: a victim file keeps its content, size and time, no
# ~/.bash_login appears. Real bwrap, unprivileged user; as root, the test
# runs again in the Debian 13 root, whose bwrap (0.12) differs.
. tests/lib.sh
setup_scratch
app=org.boxwrap.Race
launches=${RACE_LAUNCHES:-40}
# RACE_ATTACKS: some of race-flipper.py's attacks only, as "0,2" (all by default).
unset DBUS_SESSION_BUS_ADDRESS
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
for prof in race race-top; do
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "tests/profiles/$prof.yaml" > "$scratch/$prof.sh"
done

if ! have_userns; then
	skip "the race" "bwrap cannot create a user namespace here"
elif ! command -v python3 > /dev/null; then
	skip "the race" "python3 is not installed"
else
	[ -n "${BOXWRAP_IN_ROOT-}" ] && diag "in the Debian $(cat /etc/debian_version) root at $BOXWRAP_IN_ROOT"
	diag "$(bwrap --version), $launches launches a mode"
	priv=$home/.var/app/$app
	mkdir -p "$home/.config" "$home/Downloads" "$priv" "$home/.var/app/org.other.App"
	echo 'kde settings' > "$home/.config/kdeglobals"
	echo precious > "$home/victim"
	echo 'other app' > "$home/.var/app/org.other.App/data"
	cp tests/race-flipper.py "$priv/flipper.py"
	give "$home"
	touch -d '2020-01-01 00:00' "$home/victim"
	# Every host file but the app's own private home, with its type, size,
	# time and mode; then the contents that matter.
	snapshot() {
		(cd "$home" && find . -path "./.var/app/$app" -prune -o -exec stat -c '%n %F %s %Y %a' {} + | sort &&
			cat victim .config/kdeglobals .var/app/org.other.App/data)
	}
	launch() { # MODE SCRIPT
		if [ "$1" = run ]; then
			as_user "$BOXWRAP" run "${pfile:-tests/profiles/$prof.yaml}" -c "$2"
		else
			as_user sh "$scratch/$prof.sh" -c "$2"
		fi
	}
	before=$(snapshot)
	for prof in race race-top; do
	for mode in run emit; do
		rm -f "$priv/stop" "$scratch/$mode.err"
		as_user_bg "$BOXWRAP" run tests/profiles/race-flipper.yaml -c "exec python3 ~/flipper.py ~/stop ${RACE_ATTACKS-}"
		flipper=$bg_pid
		sleep 1
		n=0 started=0 changed=0
		t0=$(date +%s)
		while [ "$n" -lt "$launches" ]; do
			n=$((n + 1))
			launch $mode true 2>> "$scratch/$mode.err" && started=$((started + 1))
			if [ "$(snapshot)" != "$before" ]; then changed=$n; break; fi
		done
		t1=$(date +%s)
		touch "$priv/stop"
		wait "$flipper"
		diag "$prof, $mode: $n launches in $((t1 - t0)) s, $started started, the others refused; the hostile instance: $(sort "$scratch/$mode.err" | uniq -c | sort -rn | head -3 | tr '\n' ';')"
		check "$prof, $mode: under the race no host file outside the grants changed ($n launches)" test "$changed" = 0
		if [ "$changed" != 0 ]; then
			diag "changed at launch $changed:"
			snapshot | diff -- - /dev/fd/3 3<<-EOF | sed 's/^/# /' | head -20
			$before
			EOF
			# Put the victim back for the other mode.
			echo precious > "$home/victim"
			touch -d '2020-01-01 00:00' "$home/victim"
			rm -f "$home/.bash_login" "$home/kdeglobals"
			echo 'kde settings' > "$home/.config/kdeglobals"
			before=$(snapshot)
		fi
		rm -rf "$priv/.config" "$priv/.config.old" "$priv/Downloads"
		out=$(launch $mode 'cat ~/.config/kdeglobals' 2>&1)
		case $prof.$(bwrap --version) in
		"race.bubblewrap 0."[0-9].*|"race.bubblewrap 0.1"[01].*)
			# The grant is at its host path, in the private home's fresh
			# tmpfs; its alias below $HOME, a mount point bwrap would make
			# through the app's symlinks, is left out before 0.12.
			out=$(launch $mode "cat '$home/.config/kdeglobals'; [ -e ~/.config/kdeglobals ] || echo no-alias" 2>&1)
			check "$prof, $mode: ... and bwrap before 0.12 mounts the nested file grant only at its host path" \
				test "$out" = 'kde settings
no-alias' ;;
		*) check "$prof, $mode: ... and without the race the app starts and reads its grant" test "$out" = 'kde settings'
		   out=$(launch $mode 'for f in /proc/$$/fd/*; do readlink "$f"; done' 2>&1)
		   check "$prof, $mode: ... and no descriptor of a bind reaches the app" \
			sh -c 'case $1 in *"$2"*|*/proc/*/fd/1??*) exit 1 ;; esac' - "$out" "$home" ;;
		esac
	done
	done
	# A writable real home: bwrap 0.8 would mount ~/Music by a path the
	# app can rename, bwrap >= 0.10 mounts the object opened.
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit tests/race-home.yaml > "$scratch/race-home.sh"
	prof=race-home pfile=tests/race-home.yaml
	for mode in run emit; do
		out=$(launch $mode 'echo started' 2>&1)
		case $(bwrap --version) in
		"bubblewrap 0."[0-9].*)
			check "$prof, $mode: bwrap before 0.10 refuses a grant below a writable home" \
				sh -c 'case $1 in *"need bwrap 0.10 or later"*) ;; *) exit 1 ;; esac' - "$out" ;;
		*) check "$prof, $mode: a grant below a writable home starts" test "$out" = started ;;
		esac
	done
fi
in_debian13_root "$0" || :
done_testing
