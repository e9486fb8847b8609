#!/bin/sh
# The musl tier: the APKBUILD's build() and check() as Alpine's abuild
# runs them, on this Debian machine. A static boxwrap built with musl
# (Debian's musl-tools) against libyaml and libseccomp built for musl from
# Debian's source packages (libseccomp 2.6 from Debian 13, as Alpine 3.23
# and 3.24 ship), Alpine's CFLAGS, busybox as the only coreutils (a PATH
# of busybox applet links, no GNU coreutils), a non-root build user, and
# no user namespaces: the tier runs in a user namespace whose
# /proc/sys/user/max_user_namespaces is 0, so bwrap fails as on Alpine's
# builders (ENOSPC) and the bwrap tests skip. `make check-all` runs it
# after the other tests; run it alone with `make check-musl`.
#
# Runs as root (it builds in /var/cache/boxwrap and drops to the build
# user). The musl libraries are cached there with a stamp naming their
# versions: a rerun only rebuilds boxwrap and runs the tests.
set -eu
t0=$(date +%s)
cache=${BOXWRAP_MUSL_CACHE:-/var/cache/boxwrap/musl}
sysroot=$cache/sysroot
# The source packages: libyaml as Debian 12 has it, libseccomp 2.6 from
# Debian 13 (2.5.4 in Debian 12 lacks the syscalls of Alpine's 2.6).
yaml_src=libyaml/bookworm
seccomp_src=libseccomp/trixie
stamp_id="1 $yaml_src $seccomp_src"
# Alpine's abuild.conf (3.20 to 3.24).
alpine_cflags="-Os -fstack-clash-protection -Wformat -Werror=format-security"
alpine_ldflags="-Wl,--as-needed,-O1,--sort-common -Wl,-z,pack-relative-relocs"
build_user=boxwrap-build

say() { printf 'tier-musl: %s\n' "$*"; }
die() { printf 'tier-musl: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(($(date +%s) - t0)); }

[ "$(id -u)" = 0 ] || die "run as root (CI): it drops to the build user itself"
command -v musl-gcc >/dev/null || die "musl-gcc is missing: make deps (musl-tools)"
command -v busybox >/dev/null || die "busybox is missing: make deps"

# apt-get with a private source list: deb-src lines for Debian 12 and 13
# that touch neither the system's sources nor its package lists.
private_apt() {
	apt-get -q -o Dir::Etc::SourceList="$cache/apt/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$cache/apt/lists" \
		-o Dir::Cache="$cache/apt/cache" "$@"
}

fetch_sources() {
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/src"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	cat > "$cache/apt/sources.list" <<-EOF
	deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
	deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main
	EOF
	private_apt update >/dev/null
	rm -rf "$cache/src" && mkdir -p "$cache/src"
	(cd "$cache/src" && private_apt source "$yaml_src" "$seccomp_src" >/dev/null 2>&1) ||
		(cd "$cache/src" && private_apt source "$yaml_src" "$seccomp_src")
}

# What Alpine's linux-headers gives musl: the kernel's uapi headers.
linux_headers() {
	mkdir -p "$sysroot/include"
	for d in linux asm-generic mtd; do ln -sfn "/usr/include/$d" "$sysroot/include/$d"; done
	ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$sysroot/include/asm"
}

# libyaml is a handful of C files: compiled directly, as its CMake build
# does, into a static library with a pkg-config file.
build_libyaml() {
	src=$(find "$cache/src" -maxdepth 1 -type d -name 'libyaml-*' | head -n 1)
	[ -n "$src" ] || die "libyaml's source did not unpack"
	ver=$(sed -n 's/^libyaml (\([0-9.]*\).*/\1/p' "$src/debian/changelog" | head -n 1)
	maj=${ver%%.*} rest=${ver#*.}; min=${rest%%.*}; pat=${rest#*.}
	mkdir -p "$cache/build/yaml" "$sysroot/lib/pkgconfig"
	for c in "$src"/src/*.c; do
		o=$cache/build/yaml/$(basename "$c" .c).o
		musl-gcc -Os -fPIC -I"$src/include" -DYAML_VERSION_MAJOR="$maj" -DYAML_VERSION_MINOR="$min" \
			-DYAML_VERSION_PATCH="$pat" -DYAML_VERSION_STRING="\"$ver\"" -c -o "$o" "$c"
	done
	rm -f "$sysroot/lib/libyaml.a"
	ar rcs "$sysroot/lib/libyaml.a" "$cache"/build/yaml/*.o
	cp "$src/include/yaml.h" "$sysroot/include/"
	cat > "$sysroot/lib/pkgconfig/yaml-0.1.pc" <<-EOF
	prefix=$sysroot
	Name: LibYAML
	Description: Library to parse and emit YAML (musl, static)
	Version: $ver
	Cflags: -I\${prefix}/include
	Libs: -L\${prefix}/lib -lyaml
	EOF
}

build_libseccomp() {
	src=$(find "$cache/src" -maxdepth 1 -type d -name 'libseccomp-*' | head -n 1)
	[ -n "$src" ] || die "libseccomp's source did not unpack"
	(cd "$src" && CC="musl-gcc -isystem $sysroot/include" ./configure -q --prefix="$sysroot" \
		--enable-static --disable-shared --disable-python >/dev/null &&
		make -s -j"$(nproc)" >/dev/null && make -s install >/dev/null)
}

musl_libs() {
	if [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp_id" ]; then
		say "musl libyaml and libseccomp from the cache ($cache)"
		return
	fi
	say "fetching $yaml_src and $seccomp_src from Debian's archive"
	rm -rf "$sysroot" "$cache/build"
	fetch_sources
	linux_headers
	say "building libyaml and libseccomp for musl"
	build_libyaml
	build_libseccomp
	echo "$stamp_id" > "$cache/stamp"
	say "musl libraries built in $(elapsed) s"
}

musl_libs

# ---- the build: abuild's build() and check() -------------------------------

top=$(pwd)
work=$(mktemp -d /var/tmp/boxwrap-musl.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
chmod 755 "$work"

# abuild builds as an unprivileged user.
if ! id -u "$build_user" >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$build_user" 2>/dev/null || id -u "$build_user" >/dev/null ||
		die "cannot create the build user $build_user"
fi
build_uid=$(id -u "$build_user") build_gid=$(id -g "$build_user")
[ "$build_uid" -lt 65536 ] || die "$build_user's uid $build_uid is outside the mapped range"

# The source tree as abuild unpacks it: no build directories, no git.
mkdir -p "$work/src" "$work/home"
tar -C "$top" --exclude=./.git --exclude='./.build*' -cf - . | tar -C "$work/src" -xf -
rm -f "$work"/src/doc/*.1 "$work"/src/doc/*.5

# Busybox as the only coreutils: a directory of applet links first in PATH,
# then every other program of the system except GNU coreutils'. Debian's
# busybox lacks a few applets Alpine's has; those few come from coreutils.
# Debian's busybox has an ar applet that Alpine's lacks (binutils' in
# build-base): left out.
alpine_busybox_extra="install"
mkdir -p "$work/bin" "$work/tools"
bb=$(command -v busybox)
for a in $(busybox --list); do [ "$a" = ar ] || ln -s "$bb" "$work/bin/$a"; done
for a in $alpine_busybox_extra; do [ -e "$work/bin/$a" ] || ln -s "$(command -v "$a")" "$work/bin/$a"; done
dpkg -L coreutils | sed -n 's|^/usr/s\{0,1\}bin/||p; s|^/s\{0,1\}bin/||p' > "$work/hidden.list"
ls "$work/bin" >> "$work/hidden.list"
for d in /usr/local/bin /usr/bin /usr/sbin /bin /sbin; do
	[ -d "$d" ] && find "$d/" -maxdepth 1 ! -type d
done | awk -F/ 'NR == FNR { hidden[$0] = 1; next } !($NF in hidden) && !seen[$NF]++' \
	"$work/hidden.list" - | while IFS= read -r f; do ln -s "$f" "$work/tools/${f##*/}"; done
# pkg-config for the musl sysroot's static libraries.
cat > "$work/tools/pkg-config-musl" <<EOS
#!/bin/sh
PKG_CONFIG_LIBDIR=$sysroot/lib/pkgconfig exec /usr/bin/pkg-config --static "\$@"
EOS
chmod 755 "$work/tools/pkg-config-musl"
mkdir -p "$work/log"
chown -R "$build_uid:$build_gid" "$work/src" "$work/home" "$work/log"

# What abuild's environment holds: Alpine's flags, the build user's HOME.
# CC adds the kernel's headers as Alpine's linux-headers package does.
cat > "$work/abuild.sh" <<EOS
#!/bin/sh
set -eu
cd "$work/src"
# The musl sysroot has no libwayland (Alpine's builder has wayland-dev):
# the Wayland helper is built and tested in the glibc tiers.
export MAKEFLAGS="WAYLAND_CONTEXT="
t=\$(date +%s)
echo "tier-musl: build() as \$(id -un 2>/dev/null || id -u), max_user_namespaces=\$(cat /proc/sys/user/max_user_namespaces)"
make -j2 PREFIX=/usr all man > "$work/log/build.log" 2>&1 || { tail -n 30 "$work/log/build.log"; exit 1; }
file_out=\$(file -b .build/boxwrap 2>/dev/null || echo unknown)
echo "tier-musl: built in \$((\$(date +%s) - t)) s: .build/boxwrap: \$file_out"
# The musl binary, not a glibc one: musl names itself in its loader's
# absence, and glibc's strings are missing.
if grep -q GLIBC_ .build/boxwrap; then echo "tier-musl: .build/boxwrap links glibc" >&2; exit 1; fi
make -j2 PREFIX=/usr .build/tests/probe .build/tests/seccomp-export .build/tests/test-seccomp-unit \$(ls tests/unit-*.c | sed 's|^tests/\(.*\)\.c$|.build/tests/\1|') >> "$work/log/build.log" 2>&1 ||
	{ tail -n 30 "$work/log/build.log"; exit 1; }
t=\$(date +%s)
make PREFIX=/usr check
echo "tier-musl: check() in \$((\$(date +%s) - t)) s"
EOS
chmod 755 "$work/abuild.sh"

# No user namespaces: a user namespace (uids 0-65535 mapped to themselves)
# whose root sets /proc/sys/user/max_user_namespaces to 0 there, then
# drops to the build user. bwrap then fails with ENOSPC, as on Alpine's
# builders, and the tests that need it skip.
no_userns() {
	mkfifo "$work/go"
	unshare -U sh -c 'read _ < "$0"; exec "$@"' "$work/go" \
		sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh "$@" &
	pid=$!
	n=0
	while [ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ]; do
		n=$((n + 1)); [ "$n" -lt 500 ] || die "unshare -U did not start"
		sleep 0.01
	done
	echo "0 0 65536" > "/proc/$pid/uid_map"
	echo "0 0 65536" > "/proc/$pid/gid_map"
	echo go > "$work/go"
	wait "$pid"
}

say "building and testing boxwrap with musl as $build_user, busybox first in PATH, no user namespaces"
status=0
no_userns setpriv --reuid="$build_uid" --regid="$build_gid" --clear-groups -- \
	env -i PATH="$work/bin:$work/tools" HOME="$work/home" LANG=C.UTF-8 TMPDIR=/tmp \
	CC="musl-gcc -isystem $sysroot/include" CFLAGS="$alpine_cflags" \
	LDFLAGS="$alpine_ldflags -static" PKG_CONFIG=pkg-config-musl \
	sh "$work/abuild.sh" || status=$?
say "done in $(elapsed) s (exit $status)"
exit "$status"
