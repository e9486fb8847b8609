#!/bin/sh
# make bench: launch times of /usr/bin/true, alternating, as the test user:
#   bare      bwrap with the same options boxwrap gives it, less its extras
#   run       boxwrap run, no session bus
#   run+bus   boxwrap run with xdg-dbus-proxy (and seccomp, as always)
#   emit      the emitted launcher, no session bus
#   emit+bus  the emitted launcher with the proxy
#   bb, bb+bus  the emitted launcher under busybox sh with busybox's
#             mkdir, rm, mkfifo, dd and cat, as on Alpine (bound over
#             /usr/bin's in a private mount namespace for that launch)
#   ovr       the launcher with a user override: it hands over to run
#   export, export+bus  the launcher `boxwrap export` writes (the apk
#             trigger; packager mode writes the same), run as the desktop
#             runs it: the kernel reads its #! line and runs boxwrap launch
# Medians and spread over BENCH_ROUNDS (60) rounds, as ratios to bare;
# then 1,000 launchers regenerated, and the proxy's resident memory.
# The exported launcher names its profile where export found it: /etc's
# is laid over with overlayfs in a private mount namespace.
if [ "$(id -u)" = 0 ] && [ -z "${BOXWRAP_IN_MNTNS-}" ] && command -v unshare >/dev/null 2>&1; then
	BOXWRAP_IN_MNTNS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. tests/lib.sh
ROUNDS=${BENCH_ROUNDS:-60}
setup_scratch
if ! have_userns; then echo "bench: bwrap cannot create a user namespace here" >&2; exit 1; fi
app=org.boxwrap.Bench
printf 'app-id: %s\ncommand: /usr/bin/true\n' "$app" > "$scratch/bench.yaml"
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp" "$scratch/bench.yaml"
export BOXWRAP_SECCOMP_DIR=$scratch/seccomp
"$BOXWRAP" emit -o "$scratch/bench.sh" "$scratch/bench.yaml"
give "$scratch/bench.sh"
# A monotonic timer: runs its command, prints the wall time in ns.
cat > "$scratch/timer.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
int main(int argc, char **argv)
{
	struct timespec a, b;
	int st;
	(void)argc;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t p = fork();
	if (p == 0) {
		/* The figure goes to stdout; the command's output does not. */
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0)
			_exit(127);
		/* No descriptor of ours (a harness's) reaches the launch: a
		 * launcher would run itself again through boxwrap exec-clean. */
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	waitpid(p, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
C
${CC:-cc} -O2 -o "$scratch/timer" "$scratch/timer.c" || exit 1

# A private session bus, reached only through DBUS_SESSION_BUS_ADDRESS.
as_user_bg dbus-daemon --session --address="unix:path=$rt/bench-bus" --nofork --nopidfile >/dev/null 2>&1
for _ in $(seq 50); do [ -S "$rt/bench-bus" ] && break; sleep 0.1; done
trap 'pkill -u "$TEST_UID" -f "unix:path=$rt/bench-bus" 2>/dev/null; cleanup_scratch' EXIT
nobus="DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"
bus="DBUS_SESSION_BUS_ADDRESS=unix:path=$rt/bench-bus"

# bare: the options of run --dry-run less the app-info, instance, lock,
# proxy and seccomp ones, through an --args descriptor as boxwrap does.
as_user env "$nobus" "$BOXWRAP" run "$scratch/bench.yaml" || exit 1   # creates the private home
line=$(as_user env "$nobus" "$BOXWRAP" run --dry-run "$scratch/bench.yaml")
eval "set -- $line"
shift
: > "$scratch/bare.args"
while [ $# -gt 0 ]; do
	case $1 in
	--) break ;;
	--perms) case $3 in --file|--ro-bind-data) shift 2; continue ;; esac ;;
	--file|--ro-bind-data) shift 3; continue ;;
	--info-fd|--seccomp|--sync-fd|--lock-file) shift 2; continue ;;
	--ro-bind) case $3 in /run/flatpak/.ref) shift 3; continue ;; esac ;;
	--symlink) case $2 in *.flatpak-info) shift 3; continue ;; esac ;;
	esac
	printf '%s\0' "$1" >> "$scratch/bare.args"
	shift
done
# full: bwrap given exactly what run gives it (app-info, instance, lock,
# seccomp too), from a fixed instance directory: bwrap's own share.
eval "set -- $line"
shift
static=$rt/.flatpak/bench-static
mkdir -p "$static"
: > "$static/.ref"
: > "$static/bwrapinfo.json"
printf '[Application]\nname=%s\n' "$app" > "$static/info"
: > "$scratch/full.args"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	a=$1
	case $a in */INSTANCE/*) a=$static/${a##*/INSTANCE/} ;; esac
	printf '%s\0' "$a" >> "$scratch/full.args"
	shift
done
cat > "$scratch/full.sh" <<SH
#!/bin/sh
exec $(command -v bwrap) --args 3 -- /usr/bin/true 3< "$scratch/full.args" 4< "$static/info" 5< "$static/info" 6> "$static/bwrapinfo.json" 7< "$scratch/seccomp/default.bpf"
SH
chmod 755 "$scratch/full.sh"
give "$scratch/full.args" "$static"
# noop: the emitted launcher with bwrap replaced by true: its own share.
BOXWRAP_BWRAP=/usr/bin/true "$BOXWRAP" emit -o "$scratch/noop.sh" "$scratch/bench.yaml"
give "$scratch/noop.sh"
cat > "$scratch/bare.sh" <<SH
#!/bin/sh
exec $(command -v bwrap) --args 3 -- /usr/bin/true 3< "$scratch/bare.args"
SH
chmod 755 "$scratch/bare.sh"
give "$scratch/bare.args"

# Alpine's userland for the launcher: busybox applets where it finds mkdir,
# rm, mkfifo, dd and cat (its PATH is its own: /usr/bin:/bin...).
bb=$(command -v busybox || :)
if [ -n "$bb" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; then
	cat > "$scratch/bb.sh" <<SH
#!/bin/sh
# In a private mount namespace: busybox as the launcher's commands.
for a in mkdir rm mkfifo dd cat; do
	for d in /usr/bin /bin; do [ -e "\$d/\$a" ] && mount --bind "$bb" "\$d/\$a"; done
done
exec "\$@"
SH
	chmod 755 "$scratch/bb.sh"
	bbvariants="bb bb+bus"
else
	bbvariants=
	echo "bench: busybox sh figures need busybox, root and unshare" >&2
fi
# A user override: the launcher hands over to boxwrap run.
mkdir -p "$scratch/ovrcfg/boxwrap/overrides"
printf 'environment: {BENCH: "1"}\n' > "$scratch/ovrcfg/boxwrap/overrides/$app.yaml"
give "$scratch/ovrcfg"
ovr="XDG_CONFIG_HOME=$scratch/ovrcfg"

# The exported launcher, as the apk trigger writes it.
sysconf=$("$BOXWRAP" --help 2>&1 | grep -o '/[^ ,$]*/boxwrap/profiles' | head -1)
exvariants=
if [ -n "${BOXWRAP_IN_MNTNS-}" ] && [ -n "$sysconf" ]; then
	xroot=$scratch/xroot
	top=${sysconf%/boxwrap/profiles}
	install -Dm644 "$scratch/bench.yaml" "$xroot$sysconf/bench.yaml"
	install -Dm755 /usr/bin/true "$xroot/usr/bin/true"
	"$BOXWRAP" export --root "$xroot" > /dev/null 2>&1
	exported=$xroot/var/lib/boxwrap/exports/bin/true
	give "$xroot"
	if [ -x "$exported" ] && mount -t overlay overlay -o "lowerdir=$xroot$top:$top" "$top" 2>/dev/null; then
		exvariants="export export+bus"
	fi
fi
[ -n "$exvariants" ] || echo "bench: exported launcher figures need root, unshare and overlayfs" >&2

variants="bare run run+bus emit emit+bus $bbvariants ovr $exvariants"
# The parts, for the profile printed after the ratios.
parts="proc sh version dry full noop"
cmd() {
	case $1 in
	bare) set -- /usr/bin/env "$nobus" "$scratch/bare.sh" ;;
	run) set -- /usr/bin/env "$nobus" "$BOXWRAP" run "$scratch/bench.yaml" ;;
	run+bus) set -- /usr/bin/env "$bus" "$BOXWRAP" run "$scratch/bench.yaml" ;;
	emit) set -- /usr/bin/env "$nobus" /bin/sh "$scratch/bench.sh" ;;
	emit+bus) set -- /usr/bin/env "$bus" /bin/sh "$scratch/bench.sh" ;;
	bb|bb+bus)
		b=$nobus; [ "$1" = bb ] || b=$bus
		unshare --mount --propagation private "$scratch/bb.sh" \
			env HOME="$home" XDG_RUNTIME_DIR="$rt" setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups -- \
			"$scratch/timer" /usr/bin/env "$b" "$bb" sh "$scratch/bench.sh"
		return ;;
	ovr) set -- /usr/bin/env "$nobus" "$ovr" /bin/sh "$scratch/bench.sh" ;;
	export) set -- /usr/bin/env "$nobus" "$exported" ;;
	export+bus) set -- /usr/bin/env "$bus" "$exported" ;;
	proc) set -- /usr/bin/env "$nobus" /usr/bin/true ;;
	sh) set -- /usr/bin/env "$nobus" /bin/sh -c 'exit 0' ;;
	version) set -- /usr/bin/env "$nobus" "$BOXWRAP" --version ;;
	dry) set -- /usr/bin/env "$nobus" "$BOXWRAP" run --dry-run "$scratch/bench.yaml" ;;
	full) set -- /usr/bin/env "$nobus" /bin/sh "$scratch/full.sh" ;;
	noop) set -- /usr/bin/env "$nobus" /bin/sh "$scratch/noop.sh" ;;
	esac
	as_user "$scratch/timer" "$@"
}
for v in $variants $parts; do cmd "$v" > /dev/null || { echo "bench: $v fails" >&2; exit 1; }; done # warm up
i=0
while [ $i -lt "$ROUNDS" ]; do
	for v in $variants $parts; do cmd "$v" >> "$scratch/t.$v"; done
	i=$((i + 1))
done
stats() { # FILE -> "median q1 q3" in ms
	sort -n "$1" | awk '{ v[NR] = $1 / 1e6 } END {
		printf "%.2f %.2f %.2f\n", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 1) / 4)] }'
}
read -r base _ _ <<EOF2
$(stats "$scratch/t.bare")
EOF2
echo "launch of /usr/bin/true, $ROUNDS alternating rounds (median, interquartile range):"
for v in $variants; do
	read -r m q1 q3 <<EOF2
$(stats "$scratch/t.$v")
EOF2
	case $v in run) target=1.10 ;; run+bus) target=1.50 ;; emit|bb|export) target=1.30 ;; *) target= ;; esac
	r=$(awk -v m="$m" -v b="$base" 'BEGIN { printf "%.2f", m / b }')
	verdict=
	[ -n "$target" ] && verdict=$(awk -v r="$r" -v t="$target" 'BEGIN { print (r <= t ? "target <= " t "x met" : "target <= " t "x MISSED") }')
	printf '  %-9s %7.2f ms  [%6.2f .. %6.2f]  %5.2fx  %s\n' "$v" "$m" "$q1" "$q3" "$r" "$verdict"
done

# The issue's goal: every exported launcher no slower than run, with and
# without the bus. Both are one boxwrap process doing the same work, so
# their medians differ by noise: "met" when the launcher's median is
# within run's interquartile range or below it.
for v in export:run export+bus:run+bus emit:run emit+bus:run+bus bb:run bb+bus:run+bus ovr:run; do
	a=${v%%:*} b=${v#*:}
	[ -s "$scratch/t.$a" ] || continue
	ma=$(stats "$scratch/t.$a" | cut -d' ' -f1)
	read -r mb _ q3b <<EOF2
$(stats "$scratch/t.$b")
EOF2
	awk -v a="$a" -v b="$b" -v ma="$ma" -v mb="$mb" -v q3="$q3b" 'BEGIN {
		v = ""
		if (a ~ /^export/) v = "target: no slower than " b " " (ma <= q3 ? "met" : "MISSED") " (" b "'"'"'s third quartile " q3 " ms)"
		printf "  %-10s / %-8s %5.2fx  %s\n", a, b, ma / mb, v }'
done

# Where the time goes: the parts, measured in the same rounds.
med() { stats "$scratch/t.$1" | cut -d' ' -f1; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%6.2f", a - b }'; }
for v in bare run emit $parts; do eval "m_$v=\$(med $v)"; done
echo "where the time goes (medians of the parts, same rounds):"
printf '  %-44s %6.2f ms\n' "env + true (process start: fork, 2 execs)" "$m_proc" \
	"env + sh -c 'exit 0'" "$m_sh" "env + boxwrap --version" "$m_version" \
	"env + boxwrap run --dry-run (load, plan, print)" "$m_dry" \
	"bwrap with run's exact options, from sh" "$m_full" \
	"emitted launcher, bwrap replaced by true" "$m_noop"
echo "  run - bare = $(ms "$m_run" "$m_bare") ms:"
echo "    $(ms "$m_full" "$m_bare") ms  bwrap's work for what boxwrap adds (app-info, instance, lock, seccomp)"
echo "    $(ms "$m_version" "$m_sh") ms  boxwrap's start beyond dash's"
echo "    $(ms "$m_dry" "$m_version") ms  loading, merging and planning the profile"
echo "    $(ms "$m_run" "$(awk -v f="$m_full" -v d="$m_dry" -v s="$m_sh" 'BEGIN { print f + d - s }')") ms  filter, instance directory, spawning bwrap, waiting and cleaning up"
for v in run+bus $exvariants; do eval "m_$(echo "$v" | tr '+' '_')=\$(med $v)"; done
awk -v f="$m_full" -v b="$m_bare" 'BEGIN { printf "  floor of run: bwrap given run'"'"'s exact options, nothing of boxwrap: %.2fx\n", f / b }'
echo "  run+bus - run = $(ms "$m_run_bus" "$m_run") ms: the proxy's own bwrap and xdg-dbus-proxy until it listens (the app's bwrap waits for it)"
echo "  emit - bare = $(ms "$m_emit" "$m_bare") ms:"
echo "    $(ms "$m_full" "$m_bare") ms  bwrap's work for what the launcher adds"
echo "    $(ms "$m_emit" "$m_full") ms  the launcher's own work (mkdir and rm -rf of the instance, a subshell, shell code)"

# The proxy's resident memory, while an app runs.
printf 'app-id: %s\ncommand: /bin/sleep\nargs: ["2"]\n' "$app" > "$scratch/sleep.yaml"
chmod a+r "$scratch/sleep.yaml"
as_user_bg env "$bus" "$BOXWRAP" run "$scratch/sleep.yaml"
sleeper=$bg_pid
for _ in $(seq 40); do
	p=$(pgrep -u "$TEST_UID" -x xdg-dbus-proxy | head -1)
	[ -n "$p" ] && break
	sleep 0.05
done
sleep 0.3
[ -n "$p" ] && echo "xdg-dbus-proxy resident memory: $(awk '/VmRSS/ { print $2, $3 }' "/proc/$p/status")"
wait "$sleeper"

# 1,000 launchers from 1,000 profiles.
mkdir -p "$scratch/many" "$scratch/out"
i=0
while [ $i -lt 1000 ]; do
	printf 'app-id: org.boxwrap.Bench%d\ncommand: /usr/bin/app%d\nsockets: [wayland, pulseaudio]\nfilesystems: [xdg-download:ro]\n' $i $i > "$scratch/many/p$i.yaml"
	i=$((i + 1))
done
t0=$(date +%s%N)
for f in "$scratch"/many/*.yaml; do
	n=${f##*/}
	"$BOXWRAP" emit -o "$scratch/out/${n%.yaml}.sh" "$f" || exit 1
done
t1=$(date +%s%N)
echo "1,000 launchers with boxwrap emit, one process each (for reference): $(( (t1 - t0) / 1000000 )) ms"
# One process for all of them, where boxwrap has it (boxwrap export).
sysconf=$("$BOXWRAP" --help 2>&1 | grep -o '/[^ ,$]*/boxwrap/profiles' | head -1)
if "$BOXWRAP" --help 2>&1 | grep -q 'boxwrap export' && [ -n "$sysconf" ]; then
	root=$scratch/root
	mkdir -p "$root$sysconf" "$root/usr/bin"
	cp "$scratch"/many/*.yaml "$root$sysconf/"
	# export wraps only installed programs: give every profile its own.
	i=0
	while [ $i -lt 1000 ]; do : > "$root/usr/bin/app$i"; chmod 755 "$root/usr/bin/app$i"; i=$((i + 1)); done
	export_ms() {
		_t0=$(date +%s%N)
		"$BOXWRAP" export --root "$root" > "$scratch/export.log" 2>&1
		echo $? >> "$scratch/export.status"
		_t1=$(date +%s%N)
		echo $(( (_t1 - _t0) / 1000000 ))
	}
	# The first run writes 1,000 new files; an apk trigger regenerates
	# them (the target): the median of 3 runs over existing launchers.
	first=$(export_ms)
	ms=$( (export_ms; export_ms; export_ms) | sort -n | sed -n 2p)
	st=$(sort -u "$scratch/export.status" | tr '\n' ' ')
	verdict="target < 500 ms MISSED"
	[ "$ms" -lt 500 ] && verdict="target < 500 ms met"
	echo "1,000 profiles with boxwrap export --root (one process, exit ${st% }, $(find "$root/var/lib/boxwrap/exports/bin" -type f 2>/dev/null | wc -l) launchers): first $first ms; regenerating $ms ms  $verdict"
fi
