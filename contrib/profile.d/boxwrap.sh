# Installed by boxwrap as /etc/profile.d/boxwrap.sh: the launchers and
# desktop entries `boxwrap export` writes come before the programs' own,
# as Flatpak's exports do. Nothing is added while the directory is absent.
_boxwrap_exports=/var/lib/boxwrap/exports
if [ -d "$_boxwrap_exports/bin" ]; then
	case ":${PATH-}:" in
	*":$_boxwrap_exports/bin:"*) ;;
	*) PATH="$_boxwrap_exports/bin${PATH:+:$PATH}" ;;
	esac
	export PATH
fi
if [ -d "$_boxwrap_exports/share" ]; then
	case ":${XDG_DATA_DIRS-}:" in
	*":$_boxwrap_exports/share:"*) ;;
	*) XDG_DATA_DIRS="$_boxwrap_exports/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" ;;
	esac
	export XDG_DATA_DIRS
fi
unset _boxwrap_exports
