#!/bin/sh
# wrappers/ holds the launcher emitted from each shipped profile, so a
# reviewer sees what a generator change does; it must not be stale. Every
# launcher passes shellcheck and `sh -n` in dash, bash and busybox sh.
. tests/lib.sh
setup_scratch
for p in profiles/*.yaml; do
	n=${p##*/}; n=${n%.yaml}
	BOXWRAP_BWRAP=/usr/bin/bwrap BOXWRAP_SECCOMP_DIR=/usr/lib/boxwrap/seccomp \
		BOXWRAP_SPAWN_HELPER=/usr/lib/boxwrap/flatpak-spawn BOXWRAP_WAYLAND_HELPER=/usr/lib/boxwrap/wayland-context \
		BOXWRAP_OPEN_HELPER=/usr/lib/boxwrap/open-binds BOXWRAP_SELF=/usr/bin/boxwrap \
		"$BOXWRAP" emit -o "$scratch/$n.sh" "$p"
	if cmp -s "$scratch/$n.sh" "wrappers/$n.sh"; then
		ok "wrappers/$n.sh is up to date"
	else
		not_ok "wrappers/$n.sh is up to date (run make wrappers)"
	fi
	for s in sh dash bash; do
		check_shellcheck "wrappers/$n.sh passes shellcheck -s $s" -s "$s" "$scratch/$n.sh"
	done
	for s in dash "bash --posix" "busybox sh"; do
		check "wrappers/$n.sh parses in $s" $s -n "$scratch/$n.sh"
	done
	grep -q eval "$scratch/$n.sh" && not_ok "wrappers/$n.sh uses no eval" || ok "wrappers/$n.sh uses no eval"
done
done_testing
