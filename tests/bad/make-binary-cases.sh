#!/bin/sh
# Regenerates the tests/bad cases whose bytes are awkward to keep in an
# editor: NUL, control and escape characters, invalid UTF-8, invisible and
# bidirectional characters, and the two large files. Run from the repo root:
#   sh tests/bad/make-binary-cases.sh
# The .err files beside them are written by hand (they are the spec).
set -eu
cd "$(dirname "$0")"
umask 022
H='app-id: org.example.App\ncommand: /usr/bin/app\n'
mk() { printf "$2" > "$1.yaml"; chmod 644 "$1.yaml"; }

mk nul-byte "${H}args: [a\000b]\n"
mk nul-in-key "${H}sha\000red: [network]\n"
mk control-char "${H}args: [a\001b]\n"
mk control-char-bell "app-id: org.example.App\007\ncommand: /usr/bin/app\n"
mk control-char-backspace "${H}filesystems: [home\010\010\010\010host]\n"
mk del-char "${H}args: [a\177]\n"
mk lone-carriage-return "${H}args: [a\rshared: [network]]\n"
mk vertical-tab "${H}args:\v[a]\n"
mk form-feed "${H}\fshared: [network]\n"
# ANSI escape sequences: raw, and through double-quote escapes
mk escape-raw-sgr "${H}args: [\033[31mred\033[0m]\n"
mk escape-raw-clear-line "${H}# harmless comment\033[2K\033[1Ashared: [network]\n"
mk escape-quoted-e "${H}args: [\"\\\\e[2J\"]\n"
mk escape-quoted-x1b "${H}args: [\"\\\\x1b]0;pwned\\\\x07\"]\n"
mk escape-quoted-u001b "${H}environment:\n  PS1: \"\\\\u001b[8m\"\n"
mk escape-quoted-nul "app-id: \"org.example.App\\\\0\"\ncommand: /usr/bin/app\n"
mk escape-quoted-cr "${H}filesystems: [\"/home/a\\\\rb\"]\n"
mk escape-in-key "${H}\"sha\\\\ered\": [network]\n"
# invalid UTF-8
mk invalid-utf8-ff "${H}args: [a\377b]\n"
mk invalid-utf8-continuation "${H}args: [\200]\n"
mk invalid-utf8-overlong-slash "${H}filesystems: [\"/home/x\300\257..\300\257etc\"]\n"
mk invalid-utf8-surrogate "${H}args: [\355\240\200]\n"
mk invalid-utf8-too-big "${H}args: [\364\220\200\200]\n"
mk invalid-utf8-truncated "${H}args: [a\342\202"
mk invalid-utf8-latin1 "app-id: org.example.App\ncommand: /usr/bin/caf\351\n"
# invisible and bidirectional characters, C1 controls
mk bidi-override "${H}args: [a\342\200\256b]\n"
mk bidi-in-comment "${H}# \342\200\256 ]krowten[ :derahs\nsockets: [x11]\n"
mk bidi-isolate "${H}filesystems: [\342\201\246xdg-download\342\201\251]\n"
mk bidi-at-start "\342\200\256${H}"
mk zero-width-space-at-start "\342\200\213${H}"
mk zero-width-space "app-id: org.example.A\342\200\213pp\ncommand: /usr/bin/app\n"
mk bom-in-middle "${H}\357\273\277shared: [network]\n"
mk bom-in-value "${H}args: [a\357\273\277]\n"
mk line-separator "${H}args: [a\342\200\250b]\n"
mk c1-csi "${H}args: [a\302\233""31mb]\n"
mk c1-nel "${H}args: [a\302\205b]\n"
mk noncharacter-fffe "${H}args: [a\357\277\276]\n"
mk noncharacter-ffff "${H}args: [a\357\277\277]\n"
# the same characters through double-quote escapes: refused alike
mk bidi-override-escaped "${H}args: [\"a\\\\u202Eb\"]\n"
mk bidi-override-escaped-fs "${H}filesystems: [\"~/txt.exe\\\\u202Etxt\"]\n"
mk c1-csi-escaped "${H}args: [\"\\\\x9b""31m\"]\n"
mk line-separator-escaped "${H}args: [\"a\\\\Lb\"]\n"
mk zero-width-escaped "${H}environment:\n  A: \"\\\\u200b\"\n"
mk c1-nel-escaped "${H}args: [\"a\\\\x85\"]\n"
mk noncharacter-escaped "${H}args: [\"a\\\\uFFFE\"]\n"
mk noncharacter-escaped-plane16 "${H}environment:\n  A: \"\\\\U0010FFFF\"\n"
mk escape-quoted-surrogate "${H}args: [\"\\\\uD800\"]\n"
# diagnostics quote values: a newline must not start a forged line
mk newline-in-key "${H}\"x\\\\ntests/bad/newline-in-key.yaml: ok\": 1\n"
mk newline-in-flag "${H}shared: [\"network\\\\n\"]\n"
# too many nodes: 20001 list items
{ printf "${H}args: ["; i=0; while [ $i -lt 20000 ]; do printf 'a,'; i=$((i + 1)); done; printf 'a]\n'; } > too-many-nodes.yaml
chmod 644 too-many-nodes.yaml
