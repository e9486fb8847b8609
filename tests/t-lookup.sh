#!/bin/sh
# Finding profiles, and refusing those someone else could have changed
# (security.md I6).
. tests/lib.sh
setup_scratch
export HOME=$home XDG_CONFIG_HOME=$scratch/config
mkdir -p "$XDG_CONFIG_HOME/boxwrap/profiles"
good=$XDG_CONFIG_HOME/boxwrap/profiles/mine.yaml
printf 'app-id: org.boxwrap.Mine\ncommand: /bin/true\n' > "$good"
chmod 644 "$good"

out=$("$BOXWRAP" check mine 2>&1)
check "a name is found in \$XDG_CONFIG_HOME/boxwrap/profiles" sh -c 'case $1 in *"mine.yaml: ok"*) ;; *) exit 1 ;; esac' - "$out"
out=$("$BOXWRAP" check nosuch 2>&1); rc=$?
check "an unknown name is a clear error" sh -c '[ "$2" = 1 ] && case $1 in *"no profile named '"'"'nosuch'"'"'"*) ;; *) exit 1 ;; esac' - "$out" "$rc"
cp "$good" "$scratch/file.yaml"
check "a file ending in .yaml is a path" sh -c '"$1" check "$2" >/dev/null' - "$BOXWRAP" "$scratch/file.yaml"

chmod 664 "$good"
out=$("$BOXWRAP" check mine 2>&1)
check "a group-writable profile is refused" sh -c 'case $1 in *"group or others can write"*) ;; *) exit 1 ;; esac' - "$out"
chmod 646 "$good"
out=$("$BOXWRAP" check "$good" 2>&1)
check "a world-writable profile is refused" sh -c 'case $1 in *"group or others can write"*) ;; *) exit 1 ;; esac' - "$out"
chmod 644 "$good"
ln -s "$scratch/file.yaml" "$XDG_CONFIG_HOME/boxwrap/profiles/link.yaml"
out=$("$BOXWRAP" check link 2>&1)
check "a symlinked profile is refused" sh -c 'case $1 in *"symbolic link"*) ;; *) exit 1 ;; esac' - "$out"
if [ "$(id -u)" = 0 ]; then
	chown "$TEST_UID" "$scratch/file.yaml"
	out=$("$BOXWRAP" check "$scratch/file.yaml" 2>&1)
	check "a profile owned by another user is refused" sh -c 'case $1 in *"owned by another user"*) ;; *) exit 1 ;; esac' - "$out"
fi
out=$("$BOXWRAP" run --command=bin/sh "$good" 2>&1); rc=$?
check "a relative --command is a usage error (exit 2)" sh -c '[ "$2" = 2 ] && case $1 in *"absolute path"*) ;; *) exit 1 ;; esac' - "$out" "$rc"
"$BOXWRAP" frobnicate >/dev/null 2>&1
check "an unknown command is a usage error (exit 2)" test $? = 2
done_testing
