#!/bin/sh
# demo-identify.sh - TAP test: a hand-written bwrap sandbox carrying
# /.flatpak-info (+ instance dir + bwrapinfo.json + doc by-app view) is
# identified by the real xdg-desktop-portal / xdg-document-portal (Debian 12:
# 1.16) as Flatpak app org.example.Test.  No boxwrap involved: this pins the
# contract boxwrap has to reproduce.  Run as root (drops to the test user, see
# env.sh) or as a normal user.  Needs the packages listed in env.sh.
#
# BOXWRAP_REQUIRE_USERNS=1: fail instead of SKIP when bwrap cannot create a
# user namespace.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PORTAL_ENV_SRCDIR=$HERE
. "$HERE/env.sh"

PLAN=14
N=0
FAILED=0
echo "1..$PLAN"

ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); echo "not ok $N - $*"; FAILED=1; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check DESCRIPTION: result of the preceding test in $?
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
skip_rest() {
    while [ "$N" -lt "$PLAN" ]; do N=$((N + 1)); echo "ok $N # SKIP $1"; done
}
fail_rest() {
    while [ "$N" -lt "$PLAN" ]; do N=$((N + 1)); echo "not ok $N - $1"; done
    FAILED=1
}

WATCHDOG=
cleanup() {
    # a signal arriving now (e.g. SIGPIPE from a closed TAP reader) must not
    # re-enter the 'exit 1' trap and cut the cleanup short
    trap '' INT TERM HUP PIPE
    # proxy sync fifo: closing our end makes a still-running proxy exit
    exec 8<&- 2>/dev/null
    portal_env_stop
    if [ -n "$WATCHDOG" ]; then
        _wd=$(cat "$WD_FILE" 2>/dev/null)
        # kill the watchdog's sleep (its subshell then exits on its own)
        if [ -n "$_wd" ]; then kill "$_wd" 2>/dev/null; else kill "$WATCHDOG" 2>/dev/null; fi
        wait "$WATCHDOG" 2>/dev/null
        rm -f "$WD_FILE"
    fi
    WATCHDOG=
}
trap cleanup EXIT
trap 'trap "" INT TERM HUP PIPE; echo "# interrupted" >&2; exit 1' INT TERM HUP PIPE
# Upper bound for the whole test (< 60 s): the TERM trap runs once the current
# foreground command returns, and every command is itself bounded (<= 20 s).
# The sleep gets /dev/null fds so it never holds a pipe to our TAP reader open.
WD_FILE=$(mktemp "${TMPDIR:-/tmp}/demo-identify-wd.XXXXXX")
( sleep "${DEMO_TIMEOUT:-38}" </dev/null >/dev/null 2>&1 9>&- &
  echo $! > "$WD_FILE"
  # only if the test shell is still our parent (never a recycled pid)
  if wait $! && read -r _st < /proc/self/stat && [ "$(echo "${_st##*) }" | cut -d' ' -f2)" = $$ ]; then
      echo "# watchdog: test took too long" >&9; kill -TERM $$
  fi ) 9>&2 2>/dev/null &
WATCHDOG=$!

# ---------------------------------------------------------------- 1: env
portal_env_start
rc=$?
if [ "$rc" = 77 ]; then
    skip_rest "portal environment prerequisites missing (see diagnostics)"
    exit 0
elif [ "$rc" != 0 ]; then
    fail_rest "portal environment failed to start"
    exit 1
fi
ok "private bus + xdg-permission-store + xdg-document-portal (FUSE $PORTAL_DOC_MOUNT) + xdg-desktop-portal running as $PORTAL_ENV_USER"

# ---------------------------------------------------------------- 2: userns
if portal_env_userns_check; then
    ok "bwrap --unshare-user --disable-userns works as $PORTAL_ENV_USER"
else
    diag "$PORTAL_ENV_ERROR"
    if [ "${BOXWRAP_REQUIRE_USERNS:-0}" = 1 ]; then
        not_ok "bwrap can create user namespaces (BOXWRAP_REQUIRE_USERNS=1)"
        fail_rest "needs user namespaces"
        exit 1
    fi
    N=$((N + 1)); echo "ok $N # SKIP bwrap cannot create user namespaces"
    skip_rest "bwrap cannot create user namespaces"
    exit 0
fi

U=$PORTAL_ENV_UID
T=$PORTAL_ENV_DIR
HELPER_IN=/run/test/portal-helper.py
SHARED=$T/shared              # bound into sandboxes at the same path
SECRET=$T/secret              # never bound into sandboxes
mkdir -m 0755 "$SHARED" "$SECRET"
echo "written on the host, added from the sandbox" > "$SHARED/from-sandbox.txt"
echo "written on the host, added from Other" > "$SHARED/from-other.txt"
echo "host secret $$" > "$SECRET/exported.txt"
chmod 0644 "$SHARED"/* "$SECRET"/*
portal_as_user mkdir -p -m 0755 "$XDG_RUNTIME_DIR/.flatpak" "$XDG_RUNTIME_DIR/.dbus-proxy"

host() { portal_as_user timeout 15 "$PORTAL_PYTHON" "$PORTAL_HELPER" "$@"; }

# new_instance KEY APPID SHARED: $XDG_RUNTIME_DIR/.flatpak/<random u32>/info
new_instance() {
    while :; do
        _id=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
        [ -e "$XDG_RUNTIME_DIR/.flatpak/$_id" ] || break
    done
    _d=$XDG_RUNTIME_DIR/.flatpak/$_id
    portal_as_user mkdir -m 0755 "$_d"
    printf '[Application]\nname=%s\nruntime=runtime/org.example.Platform/x86_64/1\n\n[Instance]\ninstance-id=%s\n\n[Context]\nshared=%s\n' \
        "$2" "$_id" "$3" | portal_as_user sh -c 'cat > "$1/info"' sh "$_d"
    portal_as_user touch "$_d/.ref" "$_d/bwrapinfo.json"
    eval "INST_$1=$_id"
}

# sb KEY BUS_SOCKET HELPER-ARGS...: run portal-helper.py in a flatpak-like
# sandbox of instance KEY whose session bus is BUS_SOCKET (host path).
# SB_INFO_OUT overrides where --info-fd goes (default: the instance dir).
sb() {
    eval "_id=\$INST_$1"
    _d=$XDG_RUNTIME_DIR/.flatpak/$_id
    _bus=$2
    shift 2
    _app=$(sed -n 's/^name=//p' "$_d/info" | head -n 1)
    portal_as_user timeout 20 bwrap \
        --unshare-user --disable-userns --unshare-pid --die-with-parent \
        --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
        --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
        --ro-bind /etc /etc --proc /proc --dev /dev --tmpfs /tmp \
        --perms 0600 --file 5 /.flatpak-info --ro-bind-data 6 /.flatpak-info \
        --info-fd 7 \
        --dir /run/flatpak \
        --ro-bind "$_d" "/run/flatpak/.flatpak/$_id" \
        --lock-file "/run/flatpak/.flatpak/$_id/.ref" \
        --bind "$PORTAL_DOC_MOUNT/by-app/$_app" /run/flatpak/doc \
        --bind "$_bus" /run/flatpak/bus \
        --perms 0700 --dir "/run/user/$U" \
        --symlink ../../flatpak/doc "/run/user/$U/doc" \
        --symlink ../../flatpak/bus "/run/user/$U/bus" \
        --symlink ../../../.flatpak-info "/run/user/$U/flatpak-info" \
        --setenv XDG_RUNTIME_DIR "/run/user/$U" \
        --setenv DBUS_SESSION_BUS_ADDRESS unix:path=/run/flatpak/bus \
        --setenv FLATPAK_ID "$_app" --setenv HOME /tmp \
        --unsetenv XDG_DATA_HOME --unsetenv XDG_CONFIG_HOME --unsetenv XDG_CACHE_HOME \
        --ro-bind "$SHARED" "$SHARED" \
        --ro-bind "$PORTAL_HELPER" "$HELPER_IN" \
        -- "$PORTAL_PYTHON" "$HELPER_IN" "$@" \
        5<"$_d/info" 6<"$_d/info" 7>"${SB_INFO_OUT:-$_d/bwrapinfo.json}"
}

BUS=$XDG_RUNTIME_DIR/bus
new_instance T org.example.Test 'ipc;'
new_instance O org.example.Other 'ipc;'
new_instance N org.example.Test 'network;ipc;'

# ---------------------------------------------------------------- 3: host
out=$(host list org.example.Test 2>&1); r1=$?
out2=$(host netmon 2>&1); r2=$?
[ ! -e /.flatpak-info ] && [ $r1 = 0 ] && [ $r2 = 0 ]
check $? "host process (no /.flatpak-info) is treated as host: Documents.List and NetworkMonitor allowed"
[ $r1 = 0 ] || diag "List: $out"
[ $r2 = 0 ] || diag "NetworkMonitor: $out2"

# ---------------------------------------------------------------- 4: sandboxed
out=$(sb T "$BUS" list org.example.Test 2>&1); r=$?
[ $r = 2 ] && case $out in *org.freedesktop.portal.Error.NotAllowed*) true ;; *) false ;; esac
check $? "sandboxed caller is classified as sandboxed: Documents.List refused (NotAllowed)"
diag "sandbox List -> $out"

# ---------------------------------------------------------------- 5: Add -> app id
# doc_owned_by DOCID APPID NOTAPPID: Info lists APPID, not NOTAPPID; and the
# per-app FUSE views agree
doc_owned_by() {
    _info=$(host info "$1" 2>&1) || { diag "Info $1: $_info"; return 1; }
    diag "Info $1:" "$_info"
    printf '%s\n' "$_info" | grep -q "^app=$2 " || return 1
    printf '%s\n' "$_info" | grep -q "^app=$3 " && return 1
    portal_as_user test -d "$PORTAL_DOC_MOUNT/by-app/$2/$1" || { diag "by-app/$2/$1 missing"; return 1; }
    portal_as_user test -e "$PORTAL_DOC_MOUNT/by-app/$3/$1" && { diag "by-app/$3/$1 exists"; return 1; }
    return 0
}
DOC_T=$(sb T "$BUS" add "$SHARED/from-sandbox.txt" 2>&1); r=$?
[ $r = 0 ] && [ -n "$DOC_T" ] && doc_owned_by "$DOC_T" org.example.Test org.example.Other &&
    portal_as_user test -r "$PORTAL_DOC_MOUNT/by-app/org.example.Test/$DOC_T/from-sandbox.txt"
check $? "Documents.Add from the sandbox is attributed to org.example.Test (Info + by-app/org.example.Test/$DOC_T)"
[ $r = 0 ] || diag "sandbox Add: $DOC_T"

# ---------------------------------------------------------------- 6: control
DOC_O=$(sb O "$BUS" add "$SHARED/from-other.txt" 2>&1); r=$?
[ $r = 0 ] && [ -n "$DOC_O" ] && [ "$DOC_O" != "$DOC_T" ] &&
    doc_owned_by "$DOC_O" org.example.Other org.example.Test
check $? "control: same call from a sandbox whose /.flatpak-info says org.example.Other is attributed to Other, not Test"
[ $r = 0 ] || diag "sandbox Add (Other): $DOC_O"

# ---------------------------------------------------------------- 7: AddFull -> visible
DOC_X=$(host addfull "$SECRET/exported.txt" org.example.Test read 2>&1); r=$?
[ $r = 0 ] || diag "AddFull: $DOC_X"
want="host secret $$"
got1=$(sb T "$BUS" cat "/run/user/$U/doc/$DOC_X/exported.txt" 2>&1)
got2=$(sb T "$BUS" cat "/run/flatpak/doc/$DOC_X/exported.txt" 2>&1)
sb T "$BUS" exists "$SECRET/exported.txt"; r_hidden=$?
portal_as_user test -r "$SECRET/exported.txt"; r_host=$?
[ $r = 0 ] && [ "$got1" = "$want" ] && [ "$got2" = "$want" ] && [ $r_hidden = 1 ] && [ $r_host = 0 ]
check $? "host AddFull(app_id=org.example.Test) doc readable in sandbox at /run/user/$U/doc/$DOC_X/exported.txt (+ /run/flatpak/doc), original path hidden"
[ "$got1" = "$want" ] || diag "read via /run/user/$U/doc: $got1"
[ "$got2" = "$want" ] || diag "read via /run/flatpak/doc: $got2"
[ $r_hidden = 1 ] || diag "original path visible in sandbox (exists rc=$r_hidden)"

# ---------------------------------------------------------------- 8: not for Other
sb O "$BUS" exists "/run/user/$U/doc/$DOC_X"; r_o=$?
sb O "$BUS" exists "/run/user/$U/doc/$DOC_O"; r_own=$?
[ $r_o = 1 ] && [ $r_own = 0 ]
check $? "org.example.Other's sandbox does not see the doc granted to org.example.Test (but sees its own)"
diag "Other: exists(Test's doc) rc=$r_o, exists(own doc) rc=$r_own"

# ---------------------------------------------------------------- 9: [Context]
out1=$(sb T "$BUS" netmon 2>&1); r1=$?
out2=$(sb N "$BUS" netmon 2>&1); r2=$?
[ $r1 = 2 ] && [ $r2 = 0 ] && case $out1 in *NotAllowed*) true ;; *) false ;; esac
check $? "xdg-desktop-portal reads [Context] shared: NetworkMonitor refused without network, allowed with shared=network"
diag "shared=ipc; -> $out1" "shared=network;ipc; -> $out2"

# ---------------------------------------------------------------- 10: bwrapinfo.json
eval "_d=\$XDG_RUNTIME_DIR/.flatpak/\$INST_T"
out1=$(sb T "$BUS" gamemode 2>&1); r1=$?
grep -q '"child-pid": *[1-9]' "$_d/bwrapinfo.json"; r_json=$?
portal_as_user rm -f "$_d/bwrapinfo.json"
out2=$(SB_INFO_OUT=/dev/null sb T "$BUS" gamemode 2>&1); r2=$?
[ $r1 = 0 ] && [ $r_json = 0 ] && [ $r2 = 2 ] && case $out2 in *bwrapinfo.json*) true ;; *) false ;; esac
check $? "1.16 pid mapping (GameMode.QueryStatus) uses \$XDG_RUNTIME_DIR/.flatpak/ID/bwrapinfo.json from --info-fd; fails without it"
diag "with bwrapinfo.json -> $out1" "without -> $out2"

# ---------------------------------------------------------------- 11-13: proxy
# xdg-dbus-proxy inside its own bwrap that carries the same /.flatpak-info.
# Sync: --fd=3 is the write end of a fifo; it writes 'x' when listening and
# exits once every reader of the fifo is gone (we hold the only reader, fd 8).
start_proxy() { # KEY SOCKET WRAP(yes|no)
    eval "_id=\$INST_$1"
    _d=$XDG_RUNTIME_DIR/.flatpak/$_id
    _app=$(sed -n 's/^name=//p' "$_d/info" | head -n 1)
    rm -f "$T/proxy-sync"; mkfifo -m 0600 "$T/proxy-sync"
    exec 8<>"$T/proxy-sync"
    if [ "$3" = yes ]; then
        ( _PE_EXEC=exec; portal_as_user bwrap --unshare-user --die-with-parent \
            --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
            --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
            --ro-bind "$XDG_RUNTIME_DIR/bus" "$XDG_RUNTIME_DIR/bus" \
            --bind "$XDG_RUNTIME_DIR/.dbus-proxy" "$XDG_RUNTIME_DIR/.dbus-proxy" \
            --perms 0600 --file 5 /.flatpak-info \
            -- xdg-dbus-proxy --fd=3 "$DBUS_SESSION_BUS_ADDRESS" "$2" \
            --filter "--own=$_app.*" '--call=org.freedesktop.portal.*=*' \
            '--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*' \
          ) 5<"$_d/info" 3>"$T/proxy-sync" 8<&- >"$T/log/proxy-$1-$3.log" 2>&1 &
    else
        ( _PE_EXEC=exec; portal_as_user xdg-dbus-proxy --fd=3 "$DBUS_SESSION_BUS_ADDRESS" "$2" \
            --filter "--own=$_app.*" '--call=org.freedesktop.portal.*=*' \
            '--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*' \
          ) 3>"$T/proxy-sync" 8<&- >"$T/log/proxy-$1-$3.log" 2>&1 &
    fi
    PROXY_PID=$!
    portal_env_track "$PROXY_PID"
    _x=$(timeout 10 head -c 1 <&8)
    [ "$_x" = x ] && [ -S "$2" ]
}
stop_proxy() { # close the reader; the proxy must exit by itself
    exec 8<&-
    _n=0
    while _pe_alive "$PROXY_PID" && [ $_n -lt 50 ]; do sleep 0.1; _n=$((_n + 1)); done
    if _pe_alive "$PROXY_PID"; then kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; return 1; fi
    wait "$PROXY_PID" 2>/dev/null
    return 0
}

PSOCK=$XDG_RUNTIME_DIR/.dbus-proxy/session-bus-proxy-$INST_T
start_proxy T "$PSOCK" yes
check $? "xdg-dbus-proxy in bwrap with the same /.flatpak-info is up (wrote 'x' on --fd, socket exists)"

out=$(sb T "$PSOCK" list org.example.Test 2>&1); r1=$?
DOC_P=$(sb T "$PSOCK" add "$SHARED/from-sandbox.txt" 2>&1); r2=$?
got=$(sb T "$PSOCK" cat "/run/user/$U/doc/$DOC_X/exported.txt" 2>&1)
[ $r1 = 2 ] && case $out in *NotAllowed*) true ;; *) false ;; esac &&
    [ $r2 = 0 ] && [ "$DOC_P" = "$DOC_T" ] && doc_owned_by "$DOC_P" org.example.Test org.example.Other &&
    [ "$got" = "$want" ]
check $? "through the bwrapped proxy the app is still sandboxed + identified as org.example.Test (List refused, Add -> $DOC_P)"
diag "proxy: List -> $out" "proxy: Add -> $DOC_P"

stop_proxy
check $? "xdg-dbus-proxy exits by itself when the --fd sync fifo loses its reader"

# ---------------------------------------------------------------- 14: negative control
PSOCK2=$XDG_RUNTIME_DIR/.dbus-proxy/session-bus-proxy-$INST_T-nowrap
r=1
if start_proxy T "$PSOCK2" no; then
    out=$(sb T "$PSOCK2" list org.example.Test 2>&1); r=$?
    diag "unwrapped proxy: sandbox List -> rc=$r"
fi
stop_proxy
[ $r = 0 ]
check $? "control: a proxy WITHOUT /.flatpak-info makes the sandboxed app look like a host app (why the proxy needs it)"

[ "$N" = "$PLAN" ] || echo "# ran $N of $PLAN tests"
exit $FAILED
