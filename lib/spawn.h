/* flatpak-spawn inside a boxwrap sandbox. Apps that build their own
 * sandbox (WebKitGTK for its web processes) see /.flatpak-info and, instead
 * of running bwrap themselves, run `flatpak-spawn --sandbox ... COMMAND`,
 * which Flatpak forwards to its portal on the host. A host without Flatpak
 * has no such portal, so profiles with nested-sandbox get a stand-in at
 * SPAWN_HELPER_PATH: it builds the sub-sandbox itself, with a nested bwrap
 * inside the app's sandbox, so it can take away from what the app has but
 * never add to it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "strv.h"

#define SPAWN_HELPER_DIR "/run/boxwrap/bin"
#define SPAWN_HELPER_PATH SPAWN_HELPER_DIR "/flatpak-spawn"
/* The portals-only bus for sub-sandboxes, served by the app's D-Bus proxy
 * beside the app's own (dbus.c), as the app sees it. */
#define SPAWN_BUS_NAME "sandbox-bus"
#define SPAWN_BUS "/run/flatpak/proxy/" SPAWN_BUS_NAME

/* --sandbox-flag=NAME: what a --sandbox sub-sandbox keeps of the app's. */
enum {
	SPAWN_SHARE_DISPLAY = 1 << 0, /* the Wayland and X11 sockets */
	SPAWN_SHARE_SOUND = 1 << 1,   /* PulseAudio and PipeWire sockets */
	SPAWN_SHARE_GPU = 1 << 2,     /* /dev/dri and the sysfs to find it */
	SPAWN_ALLOW_DBUS = 1 << 3,    /* a session bus with the portals only (SPAWN_BUS) */
	SPAWN_ALLOW_A11Y = 1 << 4,    /* the app's accessibility bus */
};

struct spawn_path {
	char *path;
	bool writable; /* --sandbox-expose-path, else -ro */
	bool optional; /* the -try forms: skipped when missing */
};

struct spawn_req {
	bool sandbox, no_network, watch_bus, share_pids, clear_env, verbose;
	unsigned flags;         /* SPAWN_* */
	struct strv env;        /* VAR=VALUE, in order */
	struct strv unset_env;
	int *fds;               /* --forward-fd */
	size_t nfds;
	struct spawn_path *paths;
	size_t npaths;
	char *directory;
	char **argv;            /* the command: points into the caller's argv */
};

/* Parses flatpak-spawn's options as GOption does (--opt=VALUE or --opt
 * VALUE) up to the command. 0, or -1 with *err set to a malloc'd message;
 * options that need Flatpak's portal on the host (--host, --app-path...)
 * are refused, never ignored. */
int spawn_parse(int argc, char **argv, struct spawn_req *r, char **err);
void spawn_req_free(struct spawn_req *r);

/* What the helper learned inside the app's sandbox. */
struct spawn_host {
	const char *runtime_dir;     /* $XDG_RUNTIME_DIR, absolute */
	const char *wayland_display; /* $WAYLAND_DISPLAY */
	const char *display;         /* $DISPLAY */
	const char *xauthority;      /* $XAUTHORITY */
	const char *a11y_socket;     /* the path in $AT_SPI_BUS_ADDRESS */
	const char *bus_socket;      /* the path in $DBUS_SESSION_BUS_ADDRESS */
	int seccomp_fd;              /* -1: none */
	int info_fd;                 /* the app's /.flatpak-info, open; -1: none */
};

/* bwrap's options for the sub-sandbox, appended to out (no "bwrap", no
 * command). */
void spawn_bwrap_args(const struct spawn_req *r, const struct spawn_host *h, struct strv *out);

/* The path of a "unix:path=PATH[,...]" D-Bus address (malloc'd), or NULL. */
char *spawn_unix_path(const char *address);
