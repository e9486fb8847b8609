#!/bin/sh
# apk runs this once per transaction, after every package, when a
# watched directory changed (and for all of them when boxwrap itself is
# installed or upgraded). The arguments are the directories; a removed
# package's may no longer exist. `boxwrap export` rescans everything. A
# broken profile is reported and skipped, the others exported: this
# script never fails the transaction.
#
# /usr/bin and /usr/sbin change in nearly every transaction. When only
# they did, it acts only if a program some profile names appeared, went
# or was replaced (its inode, time and size differ from the last run's),
# and otherwise returns at once, saying nothing.
# For tests: BOXWRAP_TRIGGER_ROOT, the root it looks at (apk's is /), and
# BOXWRAP_TRIGGER_PROFILE_DIRS, the profile directories below it.
root=${BOXWRAP_TRIGGER_ROOT-}
profile_dirs=${BOXWRAP_TRIGGER_PROFILE_DIRS:-/etc/boxwrap/profiles /usr/share/boxwrap/profiles}
state=$root/var/lib/boxwrap/trigger-state

# One line per program the installed profiles name, with its state.
profiled_programs() {
	for d in $profile_dirs; do
		for f in "$root$d"/*.yaml; do
			[ -f "$f" ] && sed -n "s/^command:[[:space:]]*[\"']\{0,1\}\(\/[^\"'[:space:]]*\).*/\1/p" "$f"
		done
	done | sort -u | while IFS= read -r p; do
		printf '%s %s\n' "$p" "$(stat -L -c '%i %Y %s' "$root$p" 2>/dev/null || echo absent)"
	done
}

only_programs=$#
for d in "$@"; do
	case $d in /usr/bin | /usr/sbin) ;; *) only_programs=0 ;; esac
done
now=$(profiled_programs)
if [ "$only_programs" != 0 ] && [ -f "$state" ] && [ "$now" = "$(cat "$state")" ]; then
	exit 0
fi
if boxwrap export; then
	mkdir -p "${state%/*}" && printf '%s\n' "$now" > "$state.tmp" && mv "$state.tmp" "$state"
else
	echo "boxwrap: exporting launchers failed; run 'boxwrap export' as root" >&2
fi
exit 0
