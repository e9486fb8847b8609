#!/bin/sh
# The home model, in both launch modes (real bwrap, unprivileged uid):
# the private home is ~/.var/app/APP-ID at its host path, data written by
# the earlier layout is all found, and a writable `home` grant keeps what
# runs outside the sandbox, boxwrap's own overrides and other apps' data
# out of the app's reach even across renames and for absent files.
. tests/lib.sh
setup_scratch
unset DBUS_SESSION_BUS_ADDRESS XDG_CONFIG_HOME
app=org.boxwrap.Test rw=org.boxwrap.TestHomeRW other=org.example.Other

cp -r "$B/seccomp" "$scratch/seccomp"
chmod -R a+rX "$scratch/seccomp"
# An absolute grant of the home's own path (profiles are not per user,
# but an override or a local profile can name it).
cat > "$scratch/abs-home.yaml" <<EOF
app-id: org.boxwrap.TestAbsHome
command: /bin/sh
filesystems: ["$home:ro"]
EOF
chmod 644 "$scratch"/*.yaml
for p in tests/profiles/basic.yaml tests/profiles/home-rw.yaml "$scratch/abs-home.yaml"; do
	n=${p##*/}
	BOXWRAP_SECCOMP_DIR=$scratch/seccomp "$BOXWRAP" emit "$p" > "$scratch/${n%.yaml}.sh"
done

# launch MODE PROFILE SCRIPT: runs sh -c SCRIPT in the sandbox.
launch() {
	case $2 in abs-home) _p=$scratch/$2.yaml ;; *) _p=tests/profiles/$2.yaml ;; esac
	if [ "$1" = run ]; then
		as_user "$BOXWRAP" run "$_p" -c "$3"
	else
		as_user sh "$scratch/$2.sh" -c "$3"
	fi
}

if ! have_userns; then
	skip "home tests" "bwrap cannot create a user namespace here"
	done_testing
	exit 0
fi

# A home as the earlier layout left it: the private home's files were
# written at ~/X inside and kept in ~/.var/app/APP-ID/X on the host.
reset_home() {
	rm -rf "$home"
	mkdir -p "$home/.config/someapp" "$home/Downloads" "$home/.var/app/$other" \
		"$home/.var/app/$app/.config/app" "$home/.var/app/$app/.local/share/app" "$home/.var/app/$app/Downloads"
	echo secret > "$home/canary"
	echo dl > "$home/Downloads/file"
	echo settings > "$home/.config/someapp/settings"
	echo "other app's secret" > "$home/.var/app/$other/private"
	echo old-config > "$home/.var/app/$app/.config/app/settings"
	echo old-data > "$home/.var/app/$app/.local/share/app/db"
	echo old-dotfile > "$home/.var/app/$app/.apprc"
	give "$home"
}

for mode in run emit; do
	reset_home
	out=$(launch $mode basic 'echo "HOME=$HOME"; cat ~/.config/app/settings ~/.local/share/app/db ~/.apprc; cat ~/Downloads/file' 2>&1)
	check "$mode: HOME is the private home's host path" \
		sh -c 'case $1 in *"HOME=$2/.var/app/$3"*) ;; *) exit 1 ;; esac' - "$out" "$home" "$app"
	check "$mode: upgrade: data written by the earlier layout is all found at ~ (config, data, dotfile)" \
		sh -c 'case $1 in *old-config*old-data*old-dotfile*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... and a grant is still at ~/Downloads" sh -c 'case $1 in *dl) ;; *) exit 1 ;; esac' - "$out"
	out=$(launch $mode basic 'cat "$HOME/../../../canary"; ls -A "$HOME/../../.."; echo lost > "$HOME/../../../lost"' 2>&1)
	check "$mode: the real home stays invisible (a read-only tmpfs with only mount points)" \
		sh -c 'case $1 in *secret*) exit 1 ;; *".var"*) ;; *) exit 1 ;; esac' - "$out"
	check "$mode: ... where a write fails instead of being lost" \
		sh -c 'case $1 in *"Read-only file system"*) ;; *) exit 1 ;; esac' - "$out"
	launch $mode basic 'echo new > ~/new-file; mkdir -p ~/.config/app && echo n > ~/.config/app/new' >/dev/null 2>&1
	check "$mode: what the app writes lands in ~/.var/app/APP-ID" \
		sh -c 'grep -qx new "$1/new-file" && grep -qx n "$1/.config/app/new"' - "$home/.var/app/$app"
	out=$(launch $mode basic 'exec 3< ~/new-file; readlink /proc/self/fd/3' 2>&1)
	check "$mode: a file in the app's home has the same path inside and on the host" \
		test "$out" = "$home/.var/app/$app/new-file"
	check "$mode: nothing of the earlier data was lost" \
		sh -c 'grep -qx old-config "$1/.config/app/settings" && grep -qx old-data "$1/.local/share/app/db" && grep -qx old-dotfile "$1/.apprc"' - "$home/.var/app/$app"
done

# A writable home grant.
for mode in run emit; do
	reset_home
	out=$(launch $mode home-rw 'echo a > ~/Downloads/new && echo WROTE-DL; echo b >> ~/.config/someapp/settings && echo WROTE-CFG' 2>&1)
	check "$mode: home: the existing entries of the home stay writable" \
		sh -c 'case $1 in *WROTE-DL*WROTE-CFG*) ;; *) exit 1 ;; esac' - "$out"
	launch $mode home-rw 'echo "echo pwned" > ~/.bash_profile; echo x > ~/.profile' >/dev/null 2>&1
	check "$mode: home: an absent shell start-up file cannot be created" \
		sh -c '! [ -e "$1/.bash_profile" ] && ! [ -e "$1/.profile" ]' - "$home"
	launch $mode home-rw 'mv ~/.config ~/.config.moved; mkdir -p ~/.config/autostart; echo "[Desktop Entry]" > ~/.config/autostart/x.desktop' >/dev/null 2>&1
	check "$mode: home: renaming ~/.config does not open ~/.config/autostart" \
		sh -c '! [ -e "$1/.config/autostart/x.desktop" ] && ! [ -e "$1/.config.moved" ] && [ -f "$1/.config/someapp/settings" ]' - "$home"
	launch $mode home-rw 'mkdir -p ~/.config/boxwrap/overrides; printf "filesystems: [host]\n" > ~/.config/boxwrap/overrides/'$rw'.yaml' >/dev/null 2>&1
	check "$mode: home: the app cannot write its own override" test ! -e "$home/.config/boxwrap/overrides/$rw.yaml"
	mkdir -p "$home/.config/boxwrap/overrides"
	give "$home/.config/boxwrap"
	launch $mode home-rw 'printf "filesystems: [host]\n" > ~/.config/boxwrap/overrides/'$rw'.yaml' >/dev/null 2>&1
	check "$mode: home: ... not even where the override directory exists" test ! -e "$home/.config/boxwrap/overrides/$rw.yaml"
	info=$(as_user "$BOXWRAP" info tests/profiles/home-rw.yaml 2>&1)
	check "$mode: home: ... so the next launch has no more than the profile" \
		sh -c 'case $1 in *"filesystem:"*host*) exit 1 ;; *"filesystem:"*home*) ;; *) exit 1 ;; esac' - "$info"
	launch $mode home-rw 'mv ~/.var ~/.var.moved' >/dev/null 2>&1
	out=$(launch $mode home-rw 'cat ~/.var.moved/app/'$other'/private ~/.var/app/'$other'/private' 2>&1)
	check "$mode: home: renaming ~/.var does not show another app's data next launch" \
		sh -c 'case $1 in *"secret"*) exit 1 ;; esac; [ -d "$2/.var/app" ] && ! [ -e "$2/.var.moved" ]' - "$out" "$home"
	out=$(launch $mode home-rw 'echo x > ~/new-top-level' 2>&1)
	check "$mode: home: a new entry at the home's top level cannot be created (documented)" \
		sh -c 'case $1 in *"Read-only file system"*) ;; *) exit 1 ;; esac; ! [ -e "$2/new-top-level" ]' - "$out" "$home"
	# Shapes the protections cannot hold: refused, the launch does not start.
	ln -s "$home/Downloads/bash_profile" "$home/.bash_profile"
	out=$(launch $mode home-rw 'echo STARTED' 2>&1)
	check "$mode: home: a dangling symlink in place of a protected file is refused" \
		sh -c 'case $1 in *STARTED*) exit 1 ;; *"symbolic link to nothing"*) ;; *) exit 1 ;; esac' - "$out"
	rm "$home/.bash_profile"
	mkdir "$home/.cfg"
	give "$home/.cfg"
	out=$(XDG_CONFIG_HOME=$home/.cfg launch $mode home-rw 'echo STARTED' 2>&1)
	check "$mode: home: a config home other than ~/.config (overrides, autostart there) is refused" \
		sh -c 'case $1 in *STARTED*) exit 1 ;; *"XDG_CONFIG_HOME is"*) ;; *) exit 1 ;; esac' - "$out"
	out=$(XDG_CONFIG_HOME=$home/.config/ XDG_DATA_HOME=$home/.local/share launch $mode home-rw 'echo STARTED' 2>&1)
	check "$mode: home: ... the default ones, set explicitly, are not" \
		sh -c 'case $1 in *STARTED*) ;; *) exit 1 ;; esac' - "$out"
	mv "$home/.config" "$home/Downloads/config"
	ln -s Downloads/config "$home/.config"
	out=$(launch $mode home-rw 'echo STARTED' 2>&1)
	check "$mode: home: a symlinked directory above a protected path is refused" \
		sh -c 'case $1 in *STARTED*) exit 1 ;; *"is a symbolic link"*) ;; *) exit 1 ;; esac' - "$out"
done

# An absolute grant that covers the home is not a way around the home model.
reset_home
for mode in run emit; do
	out=$(launch $mode abs-home 'cat ~/canary; echo STARTED' 2>&1)
	check "$mode: an absolute grant of the home's own path is refused at launch" \
		sh -c 'case $1 in *secret*|*STARTED*) exit 1 ;; *"on, above or below your home"*) ;; *) exit 1 ;; esac' - "$out"
done
out=$(as_user "$BOXWRAP" check "$scratch/abs-home.yaml" 2>&1)
check "check: says that grant is refused at launch for this home" \
	sh -c 'case $1 in *"refused at launch: it is on, above or below your home"*) ;; *) exit 1 ;; esac' - "$out"
out=$(as_user "$BOXWRAP" info tests/profiles/home-rw.yaml 2>&1)
check "info: a writable home grant is described with what stays read-only" \
	sh -c 'case $1 in *"home:"*"the real home"*"read-only"*) ;; *) exit 1 ;; esac' - "$out"
out=$(as_user "$BOXWRAP" run --filesystem="$home/.var/app/$other:ro" tests/profiles/basic.yaml -c 'cat '"$home/.var/app/$other/private" 2>&1)
check "run: an absolute grant of another app's data is refused at launch" \
	sh -c 'case $1 in *secret*) exit 1 ;; *"on, above or below your home"*) ;; *) exit 1 ;; esac' - "$out"
printf 'app-id: org.example.A\ncommand: /bin/sh\nfilesystems: [/home]\n' > "$scratch/slash-home.yaml"
out=$("$BOXWRAP" check "$scratch/slash-home.yaml" 2>&1)
check "check: /home is refused: it covers every home" \
	sh -c 'case $1 in *"slash-home.yaml:3:"*"every user'"'"'s home"*) ;; *) exit 1 ;; esac' - "$out"
done_testing
