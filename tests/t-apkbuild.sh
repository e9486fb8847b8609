#!/bin/sh
# APKBUILD: abuild sources it with busybox ash and expects the standard
# variables and functions, and no external command may run while it is
# sourced (APKBUILD(5)). Checked in dash and busybox sh, with PATH
# pointing nowhere so any external command fails loudly. APKBUILD_FILE
# names another file to check (to try the test on a broken copy).
# Self-contained: tests/lib.sh would set up a test user, not needed here.
set -u
tap_n=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
check() { _d=$1; shift; if "$@"; then ok "$_d"; else not_ok "$_d"; fi; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $2"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
done_testing() { echo "1..$tap_n"; }

apkbuild=${APKBUILD_FILE:-$PWD/APKBUILD}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
nopath=/nonexistent-boxwrap-apkbuild-test

# Prints what sourcing gave: one NAME=VALUE line per variable, then one
# "function NAME" line per function. Runs with an empty environment.
inspect() { # SHELL...
	env -i PATH="$nopath" "$@" -c '
		. "$1" || exit 1
		for v in pkgname pkgver pkgrel pkgdesc url arch license depends \
			makedepends checkdepends subpackages source sha512sums triggers install; do
			eval "printf \"%s=%s\\n\" $v \"\${$v-<unset>}\""
		done
		for f in build check package; do
			[ "$(command -v "$f")" = "$f" ] && echo "function $f"
		done
		exit 0' inspect "$apkbuild"
}

# field NAME: the value of NAME in $out (one line; newlines in values
# such as sha512sums are not needed here).
field() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }

# env -i clears PATH, so the shells are run by absolute path.
for sh in dash "busybox sh"; do
	bin=$(command -v "${sh%% *}") || bin=
	if [ -z "$bin" ]; then
		skip "$sh: sourcing the APKBUILD" "${sh%% *} is not installed"
		continue
	fi
	# shellcheck disable=SC2086 # "busybox sh" is two words
	set -- "$bin" ${sh#"${sh%% *}"}
	check "$sh -n APKBUILD" "$@" -n "$apkbuild"
	out=$(inspect "$@" 2> "$scratch/err")
	status=$?
	check "$sh: sourcing succeeds" test "$status" = 0
	check "$sh: sourcing runs no external command and prints nothing" \
		test ! -s "$scratch/err"
	[ -s "$scratch/err" ] && diag "$(cat "$scratch/err")"
	for v in pkgname pkgver pkgrel pkgdesc url arch license depends makedepends; do
		val=$(field "$v")
		check "$sh: $v is set" sh -c 'case $1 in ""|"<unset>") exit 1 ;; esac' - "$val"
	done
	check "$sh: pkgname is boxwrap" test "$(field pkgname)" = boxwrap
	check "$sh: pkgver is a plain version" \
		sh -c 'printf "%s\n" "$1" | grep -Eqx "[0-9]+(\.[0-9]+)*"' - "$(field pkgver)"
	check "$sh: pkgrel is a number" sh -c 'printf "%s\n" "$1" | grep -Eqx "[0-9]+"' - "$(field pkgrel)"
	desc=$(field pkgdesc)
	check "$sh: pkgdesc is at most 128 characters" test "${#desc}" -le 128
	check "$sh: url is https" sh -c 'case $1 in https://?*) ;; *) exit 1 ;; esac' - "$(field url)"
	check "$sh: depends has bubblewrap and xdg-dbus-proxy" \
		sh -c 'case " $1 " in *" bubblewrap "*) ;; *) exit 1 ;; esac
			case " $1 " in *" xdg-dbus-proxy "*) ;; *) exit 1 ;; esac' - "$(field depends)"
	check "$sh: the man pages go to a -doc subpackage" \
		sh -c 'case " $1 " in *" boxwrap-doc "*) ;; *) exit 1 ;; esac' - "$(field subpackages)"
	# abuild: NAME.trigger=DIR[:DIR...], the file beside the APKBUILD and
	# not in source; apk fires it per directory, after all packages.
	trig=$(field triggers)
	check "$sh: triggers names boxwrap.trigger on both profile directories" \
		sh -c 'case $1 in boxwrap.trigger=*) ;; *) exit 1 ;; esac
			case ":${1#*=}:" in *:/usr/share/boxwrap/profiles:*) ;; *) exit 1 ;; esac
			case ":${1#*=}:" in *:/etc/boxwrap/profiles:*) ;; *) exit 1 ;; esac' - "$trig"
	check "$sh: the trigger and install scripts exist and are not in source" \
		sh -c 'd=${1%/*}; for f in "${2%%=*}" $3; do [ -f "$d/$f" ] || exit 1
			case " $4 " in *"$f"*) exit 1 ;; esac; done' - "$apkbuild" "$trig" "$(field install)" "$(field source)"
	for f in build check package; do
		check "$sh: function $f is defined" sh -c 'printf "%s\n" "$1" | grep -qx "function $2"' - "$out" "$f"
	done
done

# abuild validate: "# Maintainer: Name <address>" (RFC 822), and the
# license's text in the tree.
maint=$(sed -n 's/^# Maintainer: //p' "$apkbuild" | head -n 1)
check "the maintainer line is Name <user@host>, as abuild validates it" \
	sh -c 'printf "%s\n" "$1" | grep -Eqx "[^<>@]*[^<>@ ] <[^<>@ ]+@[^<>@ ]+\.[^<>@ ]+>"' - "$maint"
check "COPYING holds the GPL version 2 the license field names" \
	sh -c 'grep -q "^license=\"GPL-2.0-or-later\"" "$1" && grep -q "GNU GENERAL PUBLIC LICENSE" "${1%/*}/COPYING" &&
		grep -q "Version 2, June 1991" "${1%/*}/COPYING"' - "$apkbuild"
for arch in x86_64 aarch64 armv7 armhf; do
	deps=$(env -i PATH="$nopath" CARCH="$arch" "$(command -v dash || command -v sh)" -c '. "$1"; echo "$checkdepends"' - "$apkbuild" 2>/dev/null)
	case $arch in x86_64|aarch64) want=yes ;; *) want=no ;; esac
	case " $deps " in *" shellcheck "*) got=yes ;; *) got=no ;; esac
	check "checkdepends on $arch: shellcheck $want (Alpine has it only where GHC exists)" test "$got" = "$want"
done
check "makedepends has linux-headers (<linux/close_range.h>)" \
	sh -c 'env -i PATH=/nonexistent "$2" -c ". \"\$1\"; echo \" \$makedepends \"" - "$1" | grep -q " linux-headers "' - "$apkbuild" "$(command -v dash || command -v sh)"

# What each function runs: a stand-in make records its arguments.
mkdir "$scratch/bin"
cat > "$scratch/bin/make" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >> "$MAKE_LOG"
EOF
chmod 755 "$scratch/bin/make"
dash=$(command -v dash || command -v sh)
for f in build check package; do
	: > "$scratch/make.log"
	env -i PATH="$scratch/bin" MAKE_LOG="$scratch/make.log" pkgdir=/PKGDIR \
		"$dash" -c '. "$1" && set -e && umask 0022 && "$2"' - "$apkbuild" "$f" > /dev/null 2>&1
	log=$(cat "$scratch/make.log")
	case $f in
	build) want='PREFIX=/usr' ;;
	check) want='PREFIX=/usr check' ;;
	package) want='DESTDIR=/PKGDIR PREFIX=/usr install' ;;
	esac
	check "$f() runs make with: $want" \
		sh -c 'case " $1 " in *" $2 "*) ;; *) exit 1 ;; esac' - "$log" "$want"
done

done_testing
