#!/bin/sh
# Fault injection, in both launch modes (boxwrap run, the emitted
# launcher): a missing bwrap or xdg-dbus-proxy, an old bwrap, a full or
# read-only home, a stale instance directory, two launches at once, a
# profile edited while its app runs, and SIGKILL of the launcher, bwrap,
# the app and the proxy in turn. Each gives a clear error or keeps
# working, and leaves no process, instance directory or temporary file.
. tests/lib.sh
setup_scratch
app=org.boxwrap.TestFault
token=$(( $$ % 1000 )).$(od -An -N2 -tu2 /dev/urandom | tr -d " ")
# The app sleeps for a duration no other test uses: it names our processes.
cat > "$scratch/fault.yaml" <<YAML
app-id: $app
command: /bin/sleep
args: ["3$token"]
YAML
cp "$scratch/fault.yaml" "$scratch/fault.orig"
cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp" "$scratch/fault.yaml"
export BOXWRAP_SECCOMP_DIR=$scratch/seccomp
"$BOXWRAP" emit -o "$scratch/fault.sh" "$scratch/fault.yaml"
BOXWRAP_BWRAP=/nonexistent/bwrap "$BOXWRAP" emit -o "$scratch/nobwrap.sh" "$scratch/fault.yaml"
give "$scratch/fault.sh" "$scratch/nobwrap.sh"

launch() { # MODE [ENV=VALUE...] -> runs the app (sleep) as the test user
	_m=$1
	shift
	if [ "$_m" = run ]; then
		as_user env "$@" "$BOXWRAP" run "$scratch/fault.yaml"
	else
		as_user env "$@" sh "$scratch/fault.sh"
	fi
}
# Our processes still alive: anything naming the scratch tree or the
# token, and proxies carrying our app's app-info.
strays() {
	for _p in $(pgrep -u "$TEST_UID" 2>/dev/null); do
		_c=$( (tr "\0" " " < "/proc/$_p/cmdline") 2>/dev/null) || continue
		case $_c in dbus-daemon*) continue ;; esac
		case $_c in *"$scratch"*|*"3$token"*) echo "$_p $_c"; continue ;; esac
		case $_c in *xdg-dbus-proxy*|bwrap*)
			grep -qs "name=$app" "/proc/$_p/root/.flatpak-info" && echo "$_p $_c" ;;
		esac
	done
}
instances() { ls -d "$rt"/.flatpak/[0-9]* 2>/dev/null; }
leftovers() { # nothing left: no process, instance directory or temporary file
	_s=$(strays)
	_i=$(instances)
	_t=$(find "$scratch" "$home" -name '*.tmp*' 2>/dev/null)
	if [ -z "$_s$_i$_t" ]; then return 0; fi
	diag "left: ${_s:+processes: $_s} ${_i:+instances: $_i} ${_t:+temporary files: $_t}"
	return 1
}
settle() { for _ in $(seq 40); do [ -z "$(strays)" ] && return 0; sleep 0.05; done; }
# Waits for PATTERN among the test user's processes; prints the pid.
wait_proc() {
	for _ in $(seq 100); do
		_p=$(pgrep -u "$TEST_UID" -f -- "$1" | head -1)
		[ -n "$_p" ] && { echo "$_p"; return 0; }
		sleep 0.05
	done
	return 1
}
expect_fail() { # DESCRIPTION MESSAGE-PATTERN COMMAND... (stderr in $scratch/err)
	_d=$1 _pat=$2
	shift 2
	"$@" > /dev/null 2> "$scratch/err"
	_st=$?
	if [ "$_st" -ne 0 ] && grep -q -- "$_pat" "$scratch/err"; then
		ok "$_d (exit $_st: $(head -1 "$scratch/err"))"
	else
		not_ok "$_d (exit $_st)"
		sed 's/^/# /' "$scratch/err" | head -5
	fi
}

# ---- a missing bwrap: no user namespace needed -----------------------
expect_fail "run: a missing bwrap is a clear error" "cannot run /nonexistent/bwrap" \
	launch run BOXWRAP_BWRAP=/nonexistent/bwrap
check "run: ... and leaves nothing" leftovers
expect_fail "emit: a missing bwrap is a clear error" "/nonexistent/bwrap" as_user sh "$scratch/nobwrap.sh"
check "emit: ... and leaves nothing" leftovers

if ! have_userns; then
	skip "fault injection with real bwrap" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

# ---- an old bwrap without --disable-userns (0.7) ---------------------
cat > "$scratch/oldbwrap" <<'STUB'
#!/bin/sh
# bubblewrap 0.7: no --disable-userns.
if tr '\0' '\n' <&3 | grep -qx -- --disable-userns; then
	echo "bwrap: Unknown option --disable-userns" >&2
	exit 1
fi
exit 1
STUB
chmod 755 "$scratch/oldbwrap"
BOXWRAP_BWRAP=$scratch/oldbwrap "$BOXWRAP" emit -o "$scratch/oldbwrap.sh" "$scratch/fault.yaml"
give "$scratch/oldbwrap.sh"
expect_fail "run: bwrap without --disable-userns: its error reaches the user" "Unknown option --disable-userns" \
	launch run BOXWRAP_BWRAP="$scratch/oldbwrap"
check "run: ... and leaves nothing" leftovers
expect_fail "emit: bwrap without --disable-userns: its error reaches the user" "Unknown option --disable-userns" \
	as_user sh "$scratch/oldbwrap.sh"
check "emit: ... and leaves nothing" leftovers

# ---- a full or read-only home (private mount namespaces, as root) ----
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	for fault in full ro; do
		for mode in run emit; do
			h2=$scratch/home-$fault
			mkdir -p "$h2"
			if [ $mode = run ]; then cmd="$BOXWRAP run $scratch/fault.yaml"; else cmd="sh $scratch/fault.sh"; fi
			# full: a tmpfs with no free inode; ro: a read-only bind.
			unshare -m --propagation private sh -c '
				set -e
				if [ "$1" = full ]; then
					mount -t tmpfs -o size=64k,nr_inodes=8,mode=0755 tmpfs "$2"
					i=0; while touch "$2/f$i" 2>/dev/null; do i=$((i + 1)); done
				else
					mount --bind "$2" "$2"; mount -o remount,bind,ro "$2"
				fi
				chown '"$TEST_UID:$TEST_GID"' "$2" 2>/dev/null || :
				shift 2
				HOME=$0 XDG_RUNTIME_DIR='"$rt"' exec setpriv --reuid='"$TEST_UID"' --regid='"$TEST_GID"' --clear-groups -- "$@"
			' "$h2" "$fault" "$h2" $cmd > /dev/null 2> "$scratch/err"
			st=$?
			if [ $fault = full ]; then pat="No space left\|cannot create"; else pat="Read-only\|cannot create"; fi
			if [ $st -ne 0 ] && grep -q "$pat" "$scratch/err" && grep -q "\.var" "$scratch/err"; then
				ok "$mode: a $fault home: a clear error (exit $st: $(head -1 "$scratch/err"))"
			else
				not_ok "$mode: a $fault home: a clear error (exit $st)"
				sed 's/^/# /' "$scratch/err" | head -5
			fi
			check "$mode: a $fault home: nothing left" leftovers
		done
	done
else
	skip "full and read-only home" "needs root for a private tmpfs"
fi

# ---- a private session bus, for the proxy ----------------------------
as_user_bg dbus-daemon --session --address="unix:path=$rt/bus" --nofork --nopidfile >/dev/null 2>&1
bus_pid=$bg_pid
for _ in $(seq 50); do [ -S "$rt/bus" ] && break; sleep 0.1; done
trap 'kill $bus_pid 2>/dev/null; cleanup_scratch' EXIT
export DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus"

# ---- a missing xdg-dbus-proxy ----------------------------------------
BOXWRAP_XDG_DBUS_PROXY=/nonexistent/xdg-dbus-proxy "$BOXWRAP" emit -o "$scratch/noproxy.sh" "$scratch/fault.yaml"
give "$scratch/noproxy.sh"
expect_fail "run: a missing xdg-dbus-proxy is a clear error" "xdg-dbus-proxy did not start" \
	launch run BOXWRAP_XDG_DBUS_PROXY=/nonexistent/xdg-dbus-proxy
check "run: ... no process left" test -z "$(strays)"
expect_fail "emit: a missing xdg-dbus-proxy is a clear error" "xdg-dbus-proxy did not start" \
	as_user sh "$scratch/noproxy.sh"
check "emit: ... no process left" test -z "$(strays)"

# ---- a stale instance directory and socket ---------------------------
for mode in run emit; do
	stale=$rt/.flatpak/4242$token
	mkdir -p "$rt/.flatpak" "$stale/private" "$rt/.flatpak/999$token"
	echo 2147483646 > "$stale/pid"
	echo "$app" > "$stale/.boxwrap"
	: > "$stale/.ref"
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$stale/private/bus"
	give "$rt/.flatpak"
	launch $mode &
	l=$!
	wait_proc "^/bin/sleep 3$token" > /dev/null
	check "$mode: a stale instance of a killed launcher is collected" test ! -e "$stale"
	check "$mode: ... a directory that is not boxwrap's is kept" test -d "$rt/.flatpak/999$token"
	rmdir "$rt/.flatpak/999$token"
	pkill -u "$TEST_UID" -f "^/bin/sleep 3$token"
	wait $l
	settle
	check "$mode: ... and the new instance is removed at exit" leftovers
done

# ---- the app marker WirePlumber reads (contrib/wireplumber) -----------
# Each launch leaves $rt/.flatpak/.boxwrap-apps/APP-ID (access-boxwrap.lua
# keeps such apps from capture nodes); a symbolic link in its place is
# refused, and nothing is written through it.
mkdir -p "$scratch/elsewhere"
give "$scratch/elsewhere"
for mode in run emit; do
	rm -rf "$rt/.flatpak/.boxwrap-apps"
	launch $mode &
	l=$!
	wait_proc "^/bin/sleep 3$token" > /dev/null
	check "$mode: the launch marks the app id for WirePlumber" test -f "$rt/.flatpak/.boxwrap-apps/$app"
	pkill -u "$TEST_UID" -f "^/bin/sleep 3$token"
	wait $l
	settle
	rm -rf "$rt/.flatpak/.boxwrap-apps"
	as_user ln -s "$scratch/elsewhere" "$rt/.flatpak/.boxwrap-apps"
	expect_fail "$mode: a symbolic link as the marker directory is refused" "must be a directory owned by you" launch $mode
	check "$mode: ... nothing is written through it" \
		sh -c 'test -z "$(ls -A "$1")"' - "$scratch/elsewhere"
	settle
	check "$mode: ... no process or instance is left" leftovers
	rm -f "$rt/.flatpak/.boxwrap-apps"
done

# ---- two launches of the same app at once ----------------------------
for mode in run emit; do
	launch $mode & a=$!
	launch $mode & b=$!
	for _ in $(seq 100); do [ "$(pgrep -u "$TEST_UID" -f "^/bin/sleep 3$token" | wc -l)" -ge 2 ] && break; sleep 0.05; done
	n=$(instances | wc -l)
	np=$(pgrep -u "$TEST_UID" -x xdg-dbus-proxy | while read -r p; do grep -qs "name=$app" /proc/$p/root/.flatpak-info && echo $p; done | wc -l)
	check "$mode: two launches at once run side by side ($n instances, $np proxies)" test "$n" = 2 -a "$np" = 2
	pkill -u "$TEST_UID" -f "^/bin/sleep 3$token"
	wait $a; sa=$?
	wait $b; sb=$?
	settle
	check "$mode: ... both end (status $sa $sb) and leave nothing" leftovers
done

# ---- the profile edited while the app runs ---------------------------
launch run & l=$!
wait_proc "^/bin/sleep 3$token" > /dev/null
printf 'app-id: %s\ncommand: bin/sleep\n' "$app" > "$scratch/fault.yaml"
sleep 0.2
check "run: editing the profile does not disturb the running app" test -n "$(pgrep -u "$TEST_UID" -f "^/bin/sleep 3$token")"
expect_fail "run: ... the next launch reports the new error" "fault.yaml:2:" launch run
pkill -u "$TEST_UID" -f "^/bin/sleep 3$token"
wait $l
cp "$scratch/fault.orig" "$scratch/fault.yaml"
settle
check "run: ... and the first instance ends cleanly" leftovers

# ---- SIGKILL of each process in turn ---------------------------------
for mode in run emit; do
	for victim in launcher bwrap app proxy; do
		launch $mode > /dev/null 2>&1 & l=$!
		app_pid=$(wait_proc "^/bin/sleep 3$token")
		case $victim in
		launcher) if [ $mode = run ]; then v=$(pgrep -u "$TEST_UID" -of -- "run $scratch/fault.yaml")
			  else v=$(pgrep -u "$TEST_UID" -of -- "sh $scratch/fault.sh"); fi ;;
		# Before bwrap 0.10 the app runs through open-binds, which
		# closes the descriptor binds (lib/run.c).
		bwrap) closer="(/run/boxwrap/open-binds close-from [0-9]* -- )?"
		       v=$(pgrep -u "$TEST_UID" -f "^$(command -v bwrap) --args 3 -- $closer/bin/sleep 3$token" | head -1)
		       [ -n "$v" ] || v=$(pgrep -u "$TEST_UID" -f -- "--args 3 -- $closer/bin/sleep 3$token" | head -1) ;;
		app) v=$app_pid ;;
		proxy) v=$(pgrep -u "$TEST_UID" -x xdg-dbus-proxy | while read -r p; do
			grep -qs "name=$app" /proc/$p/root/.flatpak-info && echo $p; done | head -1) ;;
		esac
		if [ -z "$v" ] || [ -z "$app_pid" ]; then
			not_ok "$mode: kill -9 of the $victim: process not found"
			pkill -9 -u "$TEST_UID" -f "3$token"; wait $l; continue
		fi
		kill -9 "$v"
		if [ $victim = proxy ]; then
			sleep 0.3
			check "$mode: kill -9 of the proxy: the app keeps running" kill -0 "$app_pid"
			kill "$app_pid"
		fi
		wait $l 2>/dev/null
		st=$?
		settle
		check "$mode: kill -9 of the $victim: everything ends (status $st), no process left" test -z "$(strays)"
		# A killed launcher cannot clean up; the next launch collects it.
		if [ $victim = launcher ]; then
			launch $mode > /dev/null 2>&1 & l=$!
			wait_proc "^/bin/sleep 3$token" > /dev/null
			n=$(instances | wc -l)
			pkill -u "$TEST_UID" -f "^/bin/sleep 3$token"
			wait $l
			settle
			check "$mode: ... the next launch collects its instance (1 while running: $n)" test "$n" = 1
		fi
		check "$mode: ... nothing left" leftovers
	done
done
done_testing
