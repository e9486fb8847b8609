# tests/portal/env.sh - private session bus + real xdg portals for tests.
# POSIX sh; source it from a test script:
#
#   . "$(dirname "$0")/env.sh"
#   trap portal_env_stop EXIT
#   trap 'exit 130' INT TERM HUP
#   portal_env_start || { rc=$?; ...skip if rc=77, fail otherwise... }
#   portal_as_user bwrap ...           # run something as the test user
#   portal_env_stop
#
# portal_env_start (run as root, or as any normal user):
#   * as root: uses the dedicated user $PORTAL_ENV_USER (default boxwrap-test),
#     created idempotently with useradd --system, and drops to it with setpriv
#     for every process it starts (see portal_as_user).  Not uid 65534: that is
#     the kernel overflow uid, so inside a user namespace every unmapped (root)
#     file would look owned by the sandboxed user itself.
#   * as non-root: everything runs as the calling user.
#   * makes a temp tree $PORTAL_ENV_DIR (0755) with run/ (the private
#     XDG_RUNTIME_DIR, 0700, owned by the user), home/ (HOME and XDG_*_HOME:
#     fresh permission store every run), log/, bin/portal-helper.py.
#   * starts, as the user, a private dbus-daemon (no service activation at
#     all: its only servicedir is empty), xdg-permission-store,
#     xdg-document-portal (FUSE mount at $XDG_RUNTIME_DIR/doc) and
#     xdg-desktop-portal, waiting (bounded) for each bus name and for the mount.
#   * /dev/fuse: fusermount3 (setuid) opens /dev/fuse with the *user's*
#     credentials.  Distros make it 0666 via udev; containers/VMs without udev
#     often have 0600 root.  As root, if the user cannot open it, we chmod 0666
#     (what udev does) and restore the old mode in portal_env_stop.  Set
#     PORTAL_ENV_FIX_FUSE=0 to forbid that (start then returns 77).
#     allow_other / user_allow_other is NOT needed: all readers of the mount
#     (bwrap sandboxes included) have the same kuid.  Root itself cannot read
#     the mount; use portal_as_user.
#   * exports DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR, HOME, XDG_DATA_HOME,
#     XDG_CONFIG_HOME, XDG_CACHE_HOME (old values restored by stop) and
#     PORTAL_ENV_DIR, PORTAL_ENV_USER, PORTAL_ENV_UID, PORTAL_ENV_GID,
#     PORTAL_DOC_MOUNT, PORTAL_HELPER, PORTAL_PYTHON.
#   Returns 0 on success, 77 if a prerequisite is missing (caller may SKIP),
#   1 on a real failure.  Messages go to stderr as "# portal_env: ..." lines.
#   On failure it cleans up after itself (calls portal_env_stop).
#
# portal_env_stop: kill every process started (recorded pid + start time, so a
#   recycled pid is never hit), lazily unmount the doc FUSE mount, restore
#   /dev/fuse and the environment, remove the temp tree (--one-file-system, and
#   not at all while the mount is still there).  Idempotent; trap-safe.
#
# Other helpers:
#   portal_as_user CMD...     run CMD as the test user with the test env
#                             (inherits open fds: fine for bwrap --file FD)
#   portal_env_track PID      have portal_env_stop kill PID too
#   portal_env_userns_check   0 if bwrap can create a user namespace as the user
#   portal_env_dump_logs      print daemon logs as TAP "# " diagnostics
#   portal_wait_name NAME [TIMEOUT_S]   wait until NAME has an owner
#
# PORTAL_ENV_CHOOSER=1 adds a stand-in AppChooser back end (app-chooser.py),
# so xdg-desktop-portal exports OpenURI; its calls go to log/chooser-calls.
#
# Debian packages: bubblewrap dbus-daemon libglib2.0-bin (gdbus) fuse3
#   xdg-desktop-portal (ships xdg-document-portal, xdg-permission-store)
#   python3-gi gir1.2-glib-2.0 util-linux (setpriv) passwd (useradd)
#   xdg-dbus-proxy (proxy tests only) coreutils.

PORTAL_PYTHON=${PORTAL_PYTHON:-/usr/bin/python3}
PORTAL_ENV_USER=${PORTAL_ENV_USER:-boxwrap-test}
PORTAL_ENV_LIBEXEC=${PORTAL_ENV_LIBEXEC:-/usr/libexec}
PORTAL_ENV_TIMEOUT=${PORTAL_ENV_TIMEOUT:-10}
PORTAL_ENV_SRCDIR=${PORTAL_ENV_SRCDIR:-$(dirname "$0")}
PORTAL_ENV_DIR=${PORTAL_ENV_DIR:-}

_pe_msg() { printf '# portal_env: %s\n' "$*" >&2; }

# rm -rf, staying on one file system where rm can (GNU's); busybox's rm
# has no --one-file-system, and the caller checked that nothing is
# mounted below.
_pe_rm_tree() {
    if rm --help 2>&1 | grep -q -- --one-file-system; then
        rm -rf --one-file-system "$1"
    else
        rm -rf "$1"
    fi
}

# Whether the document portal failed because FUSE may not mount here (a
# builder in a user namespace it does not own): portals cannot run here.
_pe_fuse_refused() {
    grep -q "fusermount3\{0,1\}: mount failed: Operation not permitted" \
        "$PORTAL_ENV_DIR/log/xdg-document-portal.log" 2>/dev/null
}

# Run a command as the test user, with a clean, explicit environment, from
# / (cd in sh: busybox's env has no -C).
# (In a subshell, _PE_EXEC=exec makes it replace the subshell.)
_PE_EXEC=
portal_as_user() {
    if [ "$(id -u)" = 0 ]; then
        $_PE_EXEC setpriv --reuid="$PORTAL_ENV_UID" --regid="$PORTAL_ENV_GID" --init-groups \
            env -i \
            PATH=/usr/bin:/bin LANG=C.UTF-8 \
            HOME="$HOME" USER="$PORTAL_ENV_USER" LOGNAME="$PORTAL_ENV_USER" \
            XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
            XDG_DATA_HOME="$XDG_DATA_HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
            XDG_CACHE_HOME="$XDG_CACHE_HOME" \
            DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
            /bin/sh -c 'cd / && exec "$@"' sh "$@"
    else
        $_PE_EXEC env -i \
            PATH=/usr/bin:/bin LANG=C.UTF-8 \
            HOME="$HOME" USER="$PORTAL_ENV_USER" LOGNAME="$PORTAL_ENV_USER" \
            XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
            XDG_DATA_HOME="$XDG_DATA_HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
            XDG_CACHE_HOME="$XDG_CACHE_HOME" \
            DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
            /bin/sh -c 'cd / && exec "$@"' sh "$@"
    fi
}

# Field 22 of /proc/PID/stat (start time); empty if the process is gone.
_pe_starttime() {
    [ -r "/proc/$1/stat" ] || return 0
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# Alive and not a zombie.
_pe_alive() {
    [ -r "/proc/$1/stat" ] || return 1
    case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) in
        ''|Z|X) return 1 ;;
    esac
    return 0
}

portal_env_track() {
    [ -n "$PORTAL_ENV_DIR" ] && [ -d "$PORTAL_ENV_DIR" ] || return 1
    echo "$1 $(_pe_starttime "$1")" >> "$PORTAL_ENV_DIR/pids"
}

# portal_wait_name NAME [TIMEOUT_S]
portal_wait_name() {
    _pe_n=0
    _pe_max=$(( ${2:-$PORTAL_ENV_TIMEOUT} * 10 ))
    while [ "$_pe_n" -lt "$_pe_max" ]; do
        if portal_as_user timeout 5 gdbus call --session --dest org.freedesktop.DBus \
            --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true; then
            return 0
        fi
        sleep 0.1
        _pe_n=$((_pe_n + 1))
    done
    return 1
}

_pe_is_mounted() {
    # field 5 of mountinfo is the mount point (no escaping issue: our paths
    # have no spaces)
    awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo
}

# _pe_spawn NAME CMD...: start CMD as the user in the background, log to log/NAME
_pe_spawn() {
    _pe_name=$1; shift
    # subshell + exec: $! is the daemon's own pid
    ( _PE_EXEC=exec; portal_as_user "$@" ) > "$PORTAL_ENV_DIR/log/$_pe_name.log" 2>&1 &
    _pe_pid=$!
    portal_env_track "$_pe_pid"
    eval "PORTAL_PID_$(echo "$_pe_name" | tr -c 'A-Za-z0-9\n' _)=$_pe_pid"
}

portal_env_dump_logs() {
    [ -n "$PORTAL_ENV_DIR" ] && [ -d "$PORTAL_ENV_DIR/log" ] || return 0
    for _pe_f in "$PORTAL_ENV_DIR"/log/*.log; do
        [ -s "$_pe_f" ] || continue
        echo "# ---- $(basename "$_pe_f")"
        tail -n 40 "$_pe_f" | sed 's/^/#   /'
    done >&2
}

portal_env_userns_check() {
    _pe_out=$(portal_as_user timeout 10 bwrap --unshare-user --disable-userns --unshare-pid \
        --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
        --symlink usr/lib64 /lib64 --proc /proc --dev /dev -- /bin/true 2>&1) && return 0
    PORTAL_ENV_ERROR="bwrap cannot create a user namespace as $PORTAL_ENV_USER: $_pe_out"
    return 1
}

_pe_prereq() {
    for _pe_b in bwrap dbus-daemon gdbus fusermount3 setpriv timeout; do
        command -v "$_pe_b" >/dev/null 2>&1 || { _pe_msg "missing $_pe_b"; return 77; }
    done
    for _pe_b in xdg-desktop-portal xdg-document-portal xdg-permission-store; do
        [ -x "$PORTAL_ENV_LIBEXEC/$_pe_b" ] || { _pe_msg "missing $PORTAL_ENV_LIBEXEC/$_pe_b"; return 77; }
    done
    [ -c /dev/fuse ] || { _pe_msg "no /dev/fuse"; return 77; }
    "$PORTAL_PYTHON" -c 'import gi; gi.require_version("Gio", "2.0"); from gi.repository import Gio' \
        2>/dev/null || { _pe_msg "$PORTAL_PYTHON lacks python3-gi/Gio"; return 77; }
    [ -r "$PORTAL_ENV_SRCDIR/portal-helper.py" ] ||
        { _pe_msg "no portal-helper.py in $PORTAL_ENV_SRCDIR (set PORTAL_ENV_SRCDIR)"; return 1; }
    return 0
}

_pe_ensure_user() {
    if [ "$(id -u)" != 0 ]; then
        PORTAL_ENV_USER=$(id -un); PORTAL_ENV_UID=$(id -u); PORTAL_ENV_GID=$(id -g)
        return 0
    fi
    if ! getent passwd "$PORTAL_ENV_USER" >/dev/null; then
        command -v useradd >/dev/null 2>&1 || { _pe_msg "no useradd"; return 77; }
        # a concurrent run may win the race: re-check instead of failing
        useradd --system --user-group --create-home \
            --home-dir "/var/lib/$PORTAL_ENV_USER" --shell /usr/sbin/nologin \
            --comment "boxwrap portal tests" "$PORTAL_ENV_USER" 2>/dev/null ||
            getent passwd "$PORTAL_ENV_USER" >/dev/null ||
            { _pe_msg "useradd $PORTAL_ENV_USER failed"; return 1; }
    fi
    PORTAL_ENV_UID=$(id -u "$PORTAL_ENV_USER")
    PORTAL_ENV_GID=$(id -g "$PORTAL_ENV_USER")
    [ "$PORTAL_ENV_UID" != 0 ] || { _pe_msg "$PORTAL_ENV_USER is uid 0"; return 1; }
}

_pe_fix_fuse() {
    portal_as_user sh -c 'exec 3<>/dev/fuse' 2>/dev/null && return 0
    if [ "$(id -u)" != 0 ] || [ "${PORTAL_ENV_FIX_FUSE:-1}" = 0 ]; then
        _pe_msg "user $PORTAL_ENV_USER cannot open /dev/fuse ($(stat -c '%a %U:%G' /dev/fuse))"
        return 77
    fi
    stat -c %a /dev/fuse > "$PORTAL_ENV_DIR/fuse-mode"
    chmod 0666 /dev/fuse || return 1
    _pe_msg "chmod 0666 /dev/fuse (was $(cat "$PORTAL_ENV_DIR/fuse-mode")); restored by portal_env_stop"
    portal_as_user sh -c 'exec 3<>/dev/fuse' 2>/dev/null
}

_pe_save_env() {
    for _pe_v in DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR HOME XDG_DATA_HOME \
                 XDG_CONFIG_HOME XDG_CACHE_HOME; do
        if eval "[ \"\${$_pe_v+set}\" = set ]"; then
            eval "_PE_SAVED_$_pe_v=\$$_pe_v; _PE_HAD_$_pe_v=1"
        else
            eval "_PE_HAD_$_pe_v=0"
        fi
    done
}

_pe_restore_env() {
    for _pe_v in DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR HOME XDG_DATA_HOME \
                 XDG_CONFIG_HOME XDG_CACHE_HOME; do
        eval "_pe_had=\${_PE_HAD_$_pe_v:-}"
        case $_pe_had in
            1) eval "export $_pe_v=\"\$_PE_SAVED_$_pe_v\"" ;;
            0) unset "$_pe_v" ;;
        esac
        unset "_PE_HAD_$_pe_v" "_PE_SAVED_$_pe_v"
    done
}

portal_env_start() {
    if [ -n "$PORTAL_ENV_DIR" ] && [ -d "$PORTAL_ENV_DIR" ]; then
        _pe_msg "already started ($PORTAL_ENV_DIR)"; return 1
    fi
    _pe_prereq || return $?
    _pe_ensure_user || return $?

    PORTAL_ENV_DIR=$(mktemp -d "${PORTAL_ENV_TMP:-/tmp}/boxwrap-portal.XXXXXX") ||
        { _pe_msg "mktemp failed"; return 1; }
    export PORTAL_ENV_DIR PORTAL_ENV_USER PORTAL_ENV_UID PORTAL_ENV_GID PORTAL_PYTHON
    chmod 0755 "$PORTAL_ENV_DIR"
    : > "$PORTAL_ENV_DIR/pids"
    mkdir -m 0755 "$PORTAL_ENV_DIR/log" "$PORTAL_ENV_DIR/bin" "$PORTAL_ENV_DIR/svc"
    mkdir -m 0700 "$PORTAL_ENV_DIR/run" "$PORTAL_ENV_DIR/home"
    cp "$PORTAL_ENV_SRCDIR/portal-helper.py" "$PORTAL_ENV_DIR/bin/portal-helper.py"
    chmod 0755 "$PORTAL_ENV_DIR/bin/portal-helper.py"
    if [ "$(id -u)" = 0 ]; then
        chown "$PORTAL_ENV_UID:$PORTAL_ENV_GID" "$PORTAL_ENV_DIR/run" "$PORTAL_ENV_DIR/home" \
            "$PORTAL_ENV_DIR/log"
    fi
    PORTAL_HELPER=$PORTAL_ENV_DIR/bin/portal-helper.py
    export PORTAL_HELPER

    _pe_save_env
    XDG_RUNTIME_DIR=$PORTAL_ENV_DIR/run
    HOME=$PORTAL_ENV_DIR/home
    XDG_DATA_HOME=$HOME/.local/share
    XDG_CONFIG_HOME=$HOME/.config
    XDG_CACHE_HOME=$HOME/.cache
    DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
    export XDG_RUNTIME_DIR HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME \
        DBUS_SESSION_BUS_ADDRESS

    portal_as_user test -w "$XDG_RUNTIME_DIR" ||
        { _pe_msg "$PORTAL_ENV_USER cannot use $XDG_RUNTIME_DIR (is ${PORTAL_ENV_TMP:-/tmp} traversable?)"
          portal_env_stop; return 1; }

    _pe_fix_fuse || { _pe_rc=$?; portal_env_stop; return $_pe_rc; }

    cat > "$PORTAL_ENV_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$XDG_RUNTIME_DIR/bus</listen>
  <auth>EXTERNAL</auth>
  <!-- no activation: every service is started (and killed) by env.sh -->
  <servicedir>$PORTAL_ENV_DIR/svc</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

    _pe_spawn dbus-daemon dbus-daemon --config-file="$PORTAL_ENV_DIR/bus.conf" \
        --nofork --nopidfile
    if ! portal_wait_name org.freedesktop.DBus; then
        _pe_msg "private dbus-daemon did not come up"
        portal_env_dump_logs; portal_env_stop; return 1
    fi

    _pe_spawn xdg-permission-store "$PORTAL_ENV_LIBEXEC/xdg-permission-store" --replace
    if ! portal_wait_name org.freedesktop.impl.portal.PermissionStore; then
        _pe_msg "xdg-permission-store did not get its name"
        portal_env_dump_logs; portal_env_stop; return 1
    fi

    _pe_spawn xdg-document-portal "$PORTAL_ENV_LIBEXEC/xdg-document-portal" --verbose
    if ! portal_wait_name org.freedesktop.portal.Documents; then
        _pe_msg "xdg-document-portal did not get its name"
        portal_env_dump_logs
        if _pe_fuse_refused; then portal_env_stop; return 77; fi
        portal_env_stop; return 1
    fi
    PORTAL_DOC_MOUNT=$(portal_as_user timeout 5 "$PORTAL_PYTHON" "$PORTAL_HELPER" mountpoint)
    export PORTAL_DOC_MOUNT
    _pe_n=0
    while ! _pe_is_mounted "$PORTAL_DOC_MOUNT" && [ "$_pe_n" -lt 50 ]; do
        sleep 0.1; _pe_n=$((_pe_n + 1))
    done
    if [ "$PORTAL_DOC_MOUNT" != "$XDG_RUNTIME_DIR/doc" ] || ! _pe_is_mounted "$PORTAL_DOC_MOUNT" ||
       ! _pe_alive "$PORTAL_PID_xdg_document_portal"; then
        _pe_msg "document portal FUSE mount missing (GetMountPoint='$PORTAL_DOC_MOUNT')"
        portal_env_dump_logs
        if _pe_fuse_refused; then portal_env_stop; return 77; fi
        portal_env_stop; return 1
    fi

    _pe_xdp_env=
    if [ "${PORTAL_ENV_SECRET:-0}" = 1 ]; then
        _pe_start_secret || { _pe_rc=$?; portal_env_dump_logs; portal_env_stop; return $_pe_rc; }
    elif [ "${PORTAL_ENV_CHOOSER:-0}" = 1 ]; then
        _pe_start_chooser || { _pe_rc=$?; portal_env_dump_logs; portal_env_stop; return $_pe_rc; }
    fi
    _pe_spawn xdg-desktop-portal env $_pe_xdp_env "$PORTAL_ENV_LIBEXEC/xdg-desktop-portal" --verbose
    if ! portal_wait_name org.freedesktop.portal.Desktop; then
        _pe_msg "xdg-desktop-portal did not get its name"
        portal_env_dump_logs; portal_env_stop; return 1
    fi
    return 0
}

# The Secret portal's back end (PORTAL_ENV_SECRET=1): gnome-keyring-daemon
# (secrets component only) with a login keyring created and unlocked from
# a password on stdin, so no prompter is needed; xdg-desktop-portal is then
# started with only gnome-keyring.portal in XDG_DESKTOP_PORTAL_DIR and
# XDG_CURRENT_DESKTOP=GNOME (its UseIn). PORTAL_ENV_SECRET_DELAY=MS puts
# secret-delay.py between them (see there: libsecret < 0.21 races).
_pe_start_secret() {
    command -v gnome-keyring-daemon >/dev/null 2>&1 || { _pe_msg "missing gnome-keyring-daemon"; return 77; }
    [ -r /usr/share/xdg-desktop-portal/portals/gnome-keyring.portal ] ||
        { _pe_msg "missing gnome-keyring.portal"; return 77; }
    printf 'boxwrap-test-login' > "$PORTAL_ENV_DIR/keyring-password"
    chmod 0644 "$PORTAL_ENV_DIR/keyring-password"
    _pe_spawn gnome-keyring sh -c 'exec gnome-keyring-daemon --foreground --unlock --components=secrets < "$1"' \
        - "$PORTAL_ENV_DIR/keyring-password"
    portal_wait_name org.freedesktop.secrets || { _pe_msg "gnome-keyring-daemon did not get its name"; return 1; }
    _pe_impl=org.freedesktop.secrets
    if [ -n "${PORTAL_ENV_SECRET_DELAY:-}" ]; then
        _pe_impl=org.boxwrap.test.SecretDelay
        cp "$PORTAL_ENV_SRCDIR/secret-delay.py" "$PORTAL_ENV_DIR/bin/secret-delay.py"
        chmod 0755 "$PORTAL_ENV_DIR/bin/secret-delay.py"
        _pe_spawn secret-delay "$PORTAL_PYTHON" "$PORTAL_ENV_DIR/bin/secret-delay.py" "$_pe_impl" "$PORTAL_ENV_SECRET_DELAY"
        portal_wait_name "$_pe_impl" || { _pe_msg "secret-delay.py did not get its name"; return 1; }
    fi
    mkdir -m 0755 "$PORTAL_ENV_DIR/portals"
    sed "s/^DBusName=.*/DBusName=$_pe_impl/" /usr/share/xdg-desktop-portal/portals/gnome-keyring.portal \
        > "$PORTAL_ENV_DIR/portals/gnome-keyring.portal"
    _pe_xdp_env="XDG_CURRENT_DESKTOP=GNOME XDG_DESKTOP_PORTAL_DIR=$PORTAL_ENV_DIR/portals"
}

# OpenURI (PORTAL_ENV_CHOOSER=1): xdg-desktop-portal exports it only with
# an AppChooser back end; app-chooser.py stands in for the desktop's
# dialog, logs each ChooseApplication to log/chooser-calls and cancels.
_pe_start_chooser() {
    cp "$PORTAL_ENV_SRCDIR/app-chooser.py" "$PORTAL_ENV_DIR/bin/app-chooser.py"
    chmod 0755 "$PORTAL_ENV_DIR/bin/app-chooser.py"
    _pe_spawn app-chooser "$PORTAL_PYTHON" "$PORTAL_ENV_DIR/bin/app-chooser.py" \
        org.boxwrap.test.AppChooser "$PORTAL_ENV_DIR/log/chooser-calls"
    portal_wait_name org.boxwrap.test.AppChooser || { _pe_msg "app-chooser.py did not get its name"; return 1; }
    mkdir -m 0755 "$PORTAL_ENV_DIR/portals"
    printf '[portal]\nDBusName=org.boxwrap.test.AppChooser\nInterfaces=org.freedesktop.impl.portal.AppChooser;\nUseIn=boxwrap-test\n' \
        > "$PORTAL_ENV_DIR/portals/boxwrap-test.portal"
    _pe_xdp_env="XDG_CURRENT_DESKTOP=boxwrap-test XDG_DESKTOP_PORTAL_DIR=$PORTAL_ENV_DIR/portals"
}

_pe_kill_all() {
    [ -s "$PORTAL_ENV_DIR/pids" ] || return 0
    # reverse order: portals first, dbus-daemon last
    _pe_list=$(awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$PORTAL_ENV_DIR/pids")
    _pe_live=
    for _pe_p in $(echo "$_pe_list" | awk '{print $1 ":" $2}'); do
        _pe_pid=${_pe_p%%:*}; _pe_st=${_pe_p#*:}
        _pe_alive "$_pe_pid" || continue
        [ -n "$_pe_st" ] && [ "$(_pe_starttime "$_pe_pid")" = "$_pe_st" ] || continue
        kill -TERM "$_pe_pid" 2>/dev/null && _pe_live="$_pe_live $_pe_pid"
    done
    _pe_n=0
    while [ "$_pe_n" -lt 30 ]; do
        _pe_any=
        for _pe_pid in $_pe_live; do _pe_alive "$_pe_pid" && _pe_any=1; done
        [ -z "$_pe_any" ] && break
        sleep 0.1; _pe_n=$((_pe_n + 1))
    done
    for _pe_pid in $_pe_live; do
        _pe_alive "$_pe_pid" && kill -KILL "$_pe_pid" 2>/dev/null
    done
    for _pe_pid in $_pe_live; do wait "$_pe_pid" 2>/dev/null; done
    : > "$PORTAL_ENV_DIR/pids"
}

portal_env_stop() {
    [ -n "$PORTAL_ENV_DIR" ] || return 0
    if [ ! -d "$PORTAL_ENV_DIR" ]; then PORTAL_ENV_DIR=; return 0; fi
    _pe_kill_all
    _pe_mnt=$PORTAL_ENV_DIR/run/doc
    if _pe_is_mounted "$_pe_mnt"; then
        fusermount3 -u -z "$_pe_mnt" 2>/dev/null || umount -l "$_pe_mnt" 2>/dev/null
    fi
    if [ -s "$PORTAL_ENV_DIR/fuse-mode" ]; then
        chmod "$(cat "$PORTAL_ENV_DIR/fuse-mode")" /dev/fuse 2>/dev/null
        rm -f "$PORTAL_ENV_DIR/fuse-mode"
    fi
    if grep -q " $PORTAL_ENV_DIR/" /proc/self/mountinfo; then
        _pe_msg "mounts left under $PORTAL_ENV_DIR; not removing it"
    else
        _pe_rm_tree "$PORTAL_ENV_DIR"
    fi
    _pe_restore_env
    PORTAL_ENV_DIR=
    unset PORTAL_DOC_MOUNT PORTAL_HELPER
    return 0
}
