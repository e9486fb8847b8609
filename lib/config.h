/* Where things are, as the Makefile compiles them in; these defaults are
 * for a build without it. */
#pragma once

#ifndef BOXWRAP_VERSION
#define BOXWRAP_VERSION "unknown"
#endif
#ifndef BOXWRAP_SYSCONFDIR
#define BOXWRAP_SYSCONFDIR "/etc"
#endif
#ifndef BOXWRAP_DATADIR
#define BOXWRAP_DATADIR "/usr/share"
#endif
#ifndef BOXWRAP_BWRAP
#define BOXWRAP_BWRAP "/usr/bin/bwrap"
#endif
#ifndef BOXWRAP_XDG_DBUS_PROXY
#define BOXWRAP_XDG_DBUS_PROXY "/usr/bin/xdg-dbus-proxy"
#endif
#ifndef BOXWRAP_SECCOMP_DIR
#define BOXWRAP_SECCOMP_DIR "/usr/lib/boxwrap/seccomp"
#endif
#ifndef BOXWRAP_WAYLAND_HELPER
#define BOXWRAP_WAYLAND_HELPER "/usr/lib/boxwrap/wayland-context"
#endif
#ifndef BOXWRAP_SPAWN_HELPER
#define BOXWRAP_SPAWN_HELPER "/usr/lib/boxwrap/flatpak-spawn"
#endif
#ifndef BOXWRAP_OPEN_HELPER
#define BOXWRAP_OPEN_HELPER "/usr/lib/boxwrap/open-binds"
#endif
#ifndef BOXWRAP_BINDIR
#define BOXWRAP_BINDIR "/usr/bin"
#endif
