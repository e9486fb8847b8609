#!/bin/sh
# Overrides: {grant, deny, reset} x {profile, system, user, command line}
# against the documented precedence (profile < system < user < command
# line; a denial wins within a layer; reset drops lower grants; "!host"
# drops every host path below it, CVE-2022-21682), each seen in
# `boxwrap info` and in the bwrap arguments of `boxwrap run --dry-run`.
# Then `boxwrap override` (round trip, errors, trust), emit, list, data.
# Run from the repository root; no sandbox is started.
. tests/lib.sh
setup_scratch
sys=$scratch/etc-overrides
cfg=$scratch/config
usr=$cfg/boxwrap/overrides
prof=$scratch/profile/ovr.yaml
out=$scratch/out
mkdir -p "$sys" "$usr" "$scratch/profile"
# setup_scratch gives these to the sandbox user; boxwrap runs as us here.
chown "$(id -u):$(id -g)" "$home" "$rt"
# Tests run boxwrap itself (not as the test user): no sandbox starts.
export HOME="$home" XDG_RUNTIME_DIR="$rt" XDG_CONFIG_HOME="$cfg" BOXWRAP_SYSTEM_OVERRIDES="$sys"
cat > "$prof" <<'EOF'
app-id: org.example.Ovr
command: /bin/true
shared: [network]
sockets: [pulseaudio]
filesystems: ["~/Documents:ro", /srv/ovr-data]
environment: {FROM: profile}
EOF

so() { printf '%s\n' "$1" > "$sys/org.example.Ovr.yaml"; }
uo() { printf '%s\n' "$1" > "$usr/org.example.Ovr.yaml"; }
clear_overrides() { rm -f "$sys/org.example.Ovr.yaml" "$usr/org.example.Ovr.yaml"; }

# Runs info and the dry run with the given options; fails the case if
# either fails.
both() {
	"$BOXWRAP" info "$@" "$prof" > "$out.info" 2>"$out.err" &&
		"$BOXWRAP" run --dry-run "$@" "$prof" > "$out.argv" 2>>"$out.err"
}
in_info() { grep -qF -- "$1" "$out.info"; }
in_argv() { grep -qF -- "'$1'" "$out.argv"; }
# network: granted when bwrap has no --unshare-net
net_on() { ! in_argv --unshare-net; }
net_off() { in_argv --unshare-net; }
case_() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; sed 's/^/#   /' "$out.info" "$out.err" 2>/dev/null | head -40; fi
}

# ---- profile: grants only; denials and reset are refused --------------
clear_overrides
both
case_ "profile grant: info names the profile" sh -c "grep -qF 'shared:      network (profile)' '$out.info' && grep -qF '/srv/ovr-data (read-write; profile)' '$out.info'"
case_ "profile grant: bwrap binds it and shares the network" sh -c "grep -qF \"'/srv/ovr-data'\" '$out.argv' && ! grep -qF \"'--unshare-net'\" '$out.argv'"
printf 'app-id: org.example.Bad\ncommand: /bin/true\nshared: ["!network"]\n' > "$scratch/profile/deny.yaml"
printf 'app-id: org.example.Bad\ncommand: /bin/true\nfilesystems: [reset]\n' > "$scratch/profile/reset.yaml"
"$BOXWRAP" info "$scratch/profile/deny.yaml" >/dev/null 2>"$out.err"
case_ "profile deny: refused, exit 1" test $? = 1
case_ "profile deny: the loader's message" grep -qF "'!' denials belong in overrides" "$out.err"
"$BOXWRAP" run --dry-run "$scratch/profile/reset.yaml" >/dev/null 2>"$out.err"
case_ "profile reset: refused, exit 1" test $? = 1

# ---- each higher layer: grant, deny, reset ------------------------------
for layer in system user cmdline; do
	case $layer in system) name="system override" ;; user) name="user override" ;; cmdline) name="command line" ;; esac
	set_layer() { # YAML for the file layers, options for the command line
		clear_overrides
		opts=
		case $layer in
		system) so "$1" ;;
		user) uo "$1" ;;
		cmdline) opts=$2 ;;
		esac
	}
	# shellcheck disable=SC2086
	set_layer 'filesystems: [/srv/ovr-grant]
sockets: [x11]' "--filesystem=/srv/ovr-grant --socket=x11"
	both $opts
	case_ "$layer grant: info says $name" sh -c "grep -qF '/srv/ovr-grant (read-write; $name)' '$out.info' && grep -qF 'x11 ($name)' '$out.info'"
	case_ "$layer grant: bwrap binds it, profile grants kept" sh -c "grep -qF \"'/srv/ovr-grant'\" '$out.argv' && grep -qF \"'/srv/ovr-data'\" '$out.argv'"

	# shellcheck disable=SC2086
	set_layer 'shared: ["!network"]
filesystems: ["!/srv/ovr-data"]' "--unshare=network --nofilesystem=/srv/ovr-data"
	both $opts
	case_ "$layer deny: info says the $name denied it" sh -c "grep -qF 'network: granted by the profile, denied by the $name' '$out.info' && grep -qF '/srv/ovr-data: granted by the profile, denied by the $name' '$out.info'"
	case_ "$layer deny: bwrap unshares the network, no bind" sh -c "grep -qF \"'--unshare-net'\" '$out.argv' && ! grep -qF \"'/srv/ovr-data'\" '$out.argv' && grep -qF 'Documents' '$out.argv'"

	# shellcheck disable=SC2086
	set_layer 'filesystems: [reset, /srv/ovr-keep]
shared: [reset]' "--nofilesystem=reset --filesystem=/srv/ovr-keep --unshare=reset"
	both $opts
	case_ "$layer reset: info says the $name reset them" sh -c "grep -qF '/srv/ovr-data: granted by the profile, reset by the $name' '$out.info' && grep -qF '~/Documents: granted by the profile, reset by the $name' '$out.info' && grep -qF 'network: granted by the profile, reset by the $name' '$out.info'"
	case_ "$layer reset: no profile bind left, its own grant kept, network off" sh -c "! grep -qF \"'/srv/ovr-data'\" '$out.argv' && ! grep -qF 'Documents' '$out.argv' && grep -qF \"'/srv/ovr-keep'\" '$out.argv' && grep -qF \"'--unshare-net'\" '$out.argv'"
done

# ---- precedence between overrides ---------------------------------------
clear_overrides
so 'shared: ["!network"]'
uo 'shared: [network]'
both
case_ "a system denial is final: a user grant does not undo it" sh -c "grep -qF 'network: granted by the user override, denied by the system override (final)' '$out.info' && grep -qF \"'--unshare-net'\" '$out.argv'"
both --share=network
case_ "... nor a command-line grant" sh -c "grep -qF 'network: granted by the command line, denied by the system override (final)' '$out.info' && grep -qF \"'--unshare-net'\" '$out.argv'"
so 'filesystems: ["!~/Music"]'
uo 'filesystems: ["~/Music", "~/Music/Live"]'
both
case_ "a system filesystem denial is final, for what it covers" sh -c "grep -qF '~/Music: granted by the user override, denied by the system override (final)' '$out.info' && grep -qF '~/Music/Live: granted by the user override, denied by the system override (final)' '$out.info' && ! grep -qF 'Music' '$out.argv'"
clear_overrides
uo 'shared: ["!network"]'
both --share=network
case_ "command-line grant beats a user denial" sh -c "grep -qF 'network (command line)' '$out.info' && ! grep -qF \"'--unshare-net'\" '$out.argv'"
uo 'sockets: [x11]'
both --nosocket=x11
case_ "command-line denial beats a user grant" sh -c "grep -qF 'x11: granted by the user override, denied by the command line' '$out.info'"
clear_overrides
so 'filesystems: [/srv/ovr-sys]'
uo 'filesystems: [reset]'
both
case_ "user reset drops a system grant" sh -c "grep -qF '/srv/ovr-sys: granted by the system override, reset by the user override' '$out.info' && ! grep -qF 'ovr-sys' '$out.argv'"
clear_overrides
uo 'shared: [network, "!network"]
filesystems: [/srv/ovr-both, "!/srv/ovr-both"]'
both
case_ "deny wins at equal level (user file)" sh -c "grep -qF 'network: granted and denied by the user override (a denial wins)' '$out.info' && grep -qF \"'--unshare-net'\" '$out.argv' && ! grep -qF 'ovr-both' '$out.argv'"
clear_overrides
both --filesystem=/srv/ovr-both --nofilesystem=/srv/ovr-both --share=network --unshare=network
case_ "deny wins at equal level (command line, either order)" sh -c "grep -qF \"'--unshare-net'\" '$out.argv' && ! grep -qF 'ovr-both' '$out.argv'"
uo 'environment: {FROM: user}'
both --unset-env=FROM
case_ "environment: command-line unset beats user and profile" sh -c "! grep -qF \"'--setenv' 'FROM'\" '$out.argv' && grep -qF 'FROM: granted by the' '$out.info'"
both --env=FROM=cli
case_ "environment: highest layer's value" sh -c "grep -qF \"'FROM' 'cli'\" '$out.argv' && grep -qF 'FROM=cli (command line)' '$out.info'"

# ---- CVE-2022-21682: a denial of host leaves no path grant behind ------
clear_overrides
so 'filesystems: [/srv/ovr-sys]'
both --nofilesystem=host
case_ "CVE-2022-21682: --nofilesystem=host drops /dir and ~/dir grants of lower layers" sh -c "! grep -qF 'ovr-data' '$out.argv' && ! grep -qF 'Documents' '$out.argv' && ! grep -qF 'ovr-sys' '$out.argv' && grep -qF '/srv/ovr-data: granted by the profile, denied by the command line' '$out.info'"
both --nofilesystem=host:reset
case_ "CVE-2022-21682: Flatpak's host:reset spelling resets" sh -c "! grep -qE 'ovr-data|Documents|ovr-sys' '$out.argv' && grep -qF 'reset by the command line' '$out.info'"
uo 'filesystems: ["!home"]'
both
case_ "!home drops ~/dir grants, keeps /dir" sh -c "! grep -qF 'Documents' '$out.argv' && grep -qF \"'/srv/ovr-data'\" '$out.argv'"
clear_overrides

# ---- bad options: exact message, exit 2 ----------------------------------
bad_opt() { # expected-message option...
	_want=$1; shift
	"$BOXWRAP" run --dry-run "$@" "$prof" >/dev/null 2>"$out.err"
	_st=$?
	if [ $_st = 2 ] && [ "$(cat "$out.err")" = "$_want" ]; then ok "bad option $*"; else not_ok "bad option $* (status $_st)"; sed 's/^/#   /' "$out.err"; fi
}
bad_opt "boxwrap: --filesystem=/usr: '/usr' is on, under or above a path boxwrap reserves for the sandbox itself" --filesystem=/usr
bad_opt "boxwrap: --socket=wayland2: unknown sockets 'wayland2' (known: wayland, x11, fallback-x11, pulseaudio, pipewire, session-bus, system-bus, ssh-auth, pcsc, cups, gpg-agent)" --socket=wayland2
bad_opt "boxwrap: --talk-name=org.freedesktop.Flatpak: refusing talk 'org.freedesktop.Flatpak': $("$BOXWRAP" check /dev/null 2>/dev/null; printf '%s' "$(printf 'app-id: org.example.X\ncommand: /bin/true\nsession-bus: {talk: [org.freedesktop.Flatpak]}\n' > "$scratch/f.yaml"; "$BOXWRAP" check "$scratch/f.yaml" 2>&1 | sed "s/.*refusing talk 'org.freedesktop.Flatpak': //")")" --talk-name=org.freedesktop.Flatpak
bad_opt "boxwrap: --env=1A=x: '1A' is not a valid environment variable name" --env=1A=x
bad_opt "boxwrap: --env=NOVALUE: --env needs VAR=VALUE" --env=NOVALUE
bad_opt "boxwrap: --env=A=\\x1b[2J: control character (0x1b) in value" "--env=A=$(printf '\033')[2J"
bad_opt "boxwrap: --socket=!x11: '!' is not allowed here: use the option's no-form to deny" '--socket=!x11'
bad_opt "boxwrap: --filesystem=reset: 'reset' goes with the option that denies (--nofilesystem=reset)" --filesystem=reset
bad_opt "boxwrap: --filesystem=~/.bashrc: write access reaches ~/.bashrc, which runs outside the sandbox or holds other apps' data; grant it :ro" --filesystem=~/.bashrc

# ---- boxwrap override: round trip, --show, --reset ----------------------
"$BOXWRAP" override "$prof" --filesystem=~/Music:ro --nofilesystem=/srv/ovr-data --socket=wayland \
	--nosocket=pulseaudio --env='Q=a "quoted" \ value' --unset-env=LD_PRELOAD --talk-name=org.example.Talk \
	--no-talk-name=org.example.Gone --system-talk-name=org.freedesktop.UPower --allow=devel --persist=.cache/x \
	2>/dev/null
case_ "override writes the user file" test -f "$usr/org.example.Ovr.yaml"
cp "$usr/org.example.Ovr.yaml" "$out.first"
"$BOXWRAP" override --show org.example.Ovr > "$out.show" 2>"$out.err"
case_ "override --show by app id prints the file as written" cmp -s "$out.show" "$out.first"
"$BOXWRAP" override "$prof" --socket=wayland 2>/dev/null
case_ "an edit that changes nothing rewrites the same text (round trip)" cmp -s "$usr/org.example.Ovr.yaml" "$out.first"
both
case_ "the written override loads: info shows its grants" sh -c "grep -qF '~/Music (read-only; user override)' '$out.info' && grep -qF 'org.example.Talk (user override)' '$out.info' && grep -qF 'Q=a \"quoted\" \\\\ value (user override)' '$out.info'"
case_ "the written override reaches bwrap" sh -c "grep -qF 'Music' '$out.argv' && ! grep -qF 'ovr-data' '$out.argv'"
"$BOXWRAP" override "$prof" --nosocket=wayland --filesystem=/srv/ovr-data 2>/dev/null
case_ "a later edit replaces the earlier choice" sh -c "grep -qF '\"!wayland\"' '$usr/org.example.Ovr.yaml' && grep -qF '\"/srv/ovr-data\"' '$usr/org.example.Ovr.yaml' && ! grep -qF '\"!/srv/ovr-data\"' '$usr/org.example.Ovr.yaml'"
"$BOXWRAP" override --system "$prof" --unshare=network 2>/dev/null
case_ "override --system writes the system file" grep -qF '"!network"' "$sys/org.example.Ovr.yaml"
"$BOXWRAP" override --reset "$prof"
case_ "override --reset removes the user file" test ! -e "$usr/org.example.Ovr.yaml"
"$BOXWRAP" override "$prof" --nofilesystem=/usr >/dev/null 2>"$out.err"
case_ "override with a bad option: exit 2, nothing written" sh -c "test $? = 2 && test ! -e '$usr/org.example.Ovr.yaml'"
"$BOXWRAP" override org.example.NotInstalled --share=network 2>/dev/null
case_ "override of an app id with no profile" test -f "$usr/org.example.NotInstalled.yaml"

# ---- emit: profile and system override, never the user's ----------------
clear_overrides
so 'filesystems: [/srv/ovr-sys]'
uo 'filesystems: [/srv/ovr-user]'
"$BOXWRAP" emit "$prof" > "$out.sh" 2>"$out.err"
case_ "emit embeds the system override, and says so" sh -c "grep -qF 'ovr-sys' '$out.sh' && grep -qF 'includes the system override' '$out.err'"
case_ "emit leaves the user override out" sh -c "! grep -qF 'ovr-user' '$out.sh'"
"$BOXWRAP" emit --profile-only "$prof" > "$out.sh" 2>/dev/null
case_ "emit --profile-only leaves the system override out" sh -c "! grep -qF 'ovr-sys' '$out.sh'"

# ---- untrustworthy or invalid override files are refused -----------------
clear_overrides
uo 'shared: [network]'
chmod g+w "$usr/org.example.Ovr.yaml"
"$BOXWRAP" run --dry-run "$prof" >/dev/null 2>"$out.err"
case_ "group-writable override: refused, exit 1" sh -c "test $? = 1 && grep -qF 'refusing an override that group or others can write' '$out.err'"
rm -f "$usr/org.example.Ovr.yaml"
printf 'shared: [network]\n' > "$scratch/elsewhere.yaml"
ln -s "$scratch/elsewhere.yaml" "$usr/org.example.Ovr.yaml"
"$BOXWRAP" info "$prof" >/dev/null 2>"$out.err"
case_ "symlinked override: refused, exit 1" sh -c "test $? = 1 && grep -qF 'refusing an override that is a symbolic link' '$out.err'"
rm -f "$usr/org.example.Ovr.yaml"
uo 'command: /bin/sh'
"$BOXWRAP" run --dry-run "$prof" >/dev/null 2>"$out.err"
case_ "an override may not change the command" sh -c "test $? = 1 && grep -qF 'an override may not set app-id, command' '$out.err'"
uo 'filesystems: [/proc]'
"$BOXWRAP" run --dry-run "$prof" >/dev/null 2>"$out.err"
case_ "override file errors are FILE:LINE:COL" sh -c "test $? = 1 && grep -qF '$usr/org.example.Ovr.yaml:1:15: filesystem' '$out.err'"
so 'shared: [network]'
chmod o+w "$sys/org.example.Ovr.yaml"
"$BOXWRAP" emit "$prof" >/dev/null 2>"$out.err"
case_ "world-writable system override: emit refuses too" test $? = 1
clear_overrides

# ---- list ------------------------------------------------------------------
mkdir -p "$cfg/boxwrap/profiles"
cp "$prof" "$cfg/boxwrap/profiles/ovr.yaml"
printf 'app-id: [\n' > "$cfg/boxwrap/profiles/broken.yaml"
"$BOXWRAP" list > "$out" 2>"$out.err"
case_ "list shows a user profile with its app id" grep -qE '^ovr +org\.example\.Ovr +no ' "$out"
case_ "list shows a broken profile as such" grep -qE '^broken +- .*not valid' "$out"
"$BOXWRAP" info org.example.Ovr > "$out.info" 2>"$out.err"
case_ "info finds a profile by its app id" grep -qF "profile:         $cfg/boxwrap/profiles/ovr.yaml" "$out.info"
rm -f "$cfg/boxwrap/profiles/broken.yaml"

# ---- data ------------------------------------------------------------------
data=$home/.var/app/org.example.Ovr
mkdir -p "$data/sub/deeper"
printf 'x%.0s' $(seq 1 5000) > "$data/sub/file"
ln -s "$scratch/keep" "$data/link"
mkdir -p "$scratch/keep" && touch "$scratch/keep/precious"
"$BOXWRAP" data org.example.Ovr > "$out" 2>&1
case_ "data shows where and how much" grep -qE "^$data: [0-9]+ bytes on disk in 2 files and 2 directories" "$out"
mkdir -p "$rt/.flatpak/123"
printf '[Application]\nname=org.example.Ovr\n' > "$rt/.flatpak/123/info"
echo $$ > "$rt/.flatpak/123/pid"
"$BOXWRAP" data --delete org.example.Ovr > "$out" 2>&1
case_ "data --delete refuses while the app runs" sh -c "test $? = 1 && grep -qF 'is running (instance 123)' '$out' && test -f '$data/sub/file'"
rm -rf "$rt/.flatpak/123"
"$BOXWRAP" data --delete org.example.Ovr > "$out" 2>&1
case_ "data --delete removes the tree, not what a symlink points to" sh -c "test ! -e '$data' && test -f '$scratch/keep/precious'"
"$BOXWRAP" data org.example.Ovr > "$out" 2>&1
case_ "data of an app without data" grep -qF "$data: no data" "$out"
mkdir -p "$scratch/victim" && touch "$scratch/victim/f"
ln -s "$scratch/victim" "$data"
"$BOXWRAP" data --delete org.example.Ovr > "$out" 2>&1
case_ "data --delete refuses a symlinked data directory" sh -c "test $? = 1 && test -f '$scratch/victim/f'"
rm -f "$data"

done_testing
