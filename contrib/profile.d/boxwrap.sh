# Installed by boxwrap as /etc/profile.d/boxwrap.sh: the launchers, desktop
# entries, D-Bus service files and autostart entries `boxwrap export`
# writes come before the programs' own, as Flatpak's exports do. A session
# bus started from this environment (dbus-run-session, dbus-launch, a
# display manager's session script) searches exports/share/dbus-1/services
# before /usr/share/dbus-1/services, and the first file for a name wins.
# Each directory moves to the front even when the inherited value already
# has it further back. Nothing is added while the directory is absent.
_boxwrap_exports=/var/lib/boxwrap/exports
# _boxwrap_first DIR LIST: _boxwrap_out = DIR, then LIST's other entries.
_boxwrap_first() {
	_boxwrap_out=$1
	_boxwrap_rest=$2:
	while [ -n "$_boxwrap_rest" ]; do
		_boxwrap_e=${_boxwrap_rest%%:*}
		_boxwrap_rest=${_boxwrap_rest#*:}
		if [ -n "$_boxwrap_e" ] && [ "$_boxwrap_e" != "$1" ]; then
			_boxwrap_out=$_boxwrap_out:$_boxwrap_e
		fi
	done
}
if [ -d "$_boxwrap_exports/bin" ]; then
	_boxwrap_first "$_boxwrap_exports/bin" "${PATH-}"
	PATH=$_boxwrap_out
	export PATH
fi
if [ -d "$_boxwrap_exports/share" ]; then
	_boxwrap_first "$_boxwrap_exports/share" "${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
	XDG_DATA_DIRS=$_boxwrap_out
	export XDG_DATA_DIRS
fi
if [ -d "$_boxwrap_exports/xdg" ]; then
	_boxwrap_first "$_boxwrap_exports/xdg" "${XDG_CONFIG_DIRS:-/etc/xdg}"
	XDG_CONFIG_DIRS=$_boxwrap_out
	export XDG_CONFIG_DIRS
fi
unset _boxwrap_exports _boxwrap_out _boxwrap_rest _boxwrap_e
unset -f _boxwrap_first
