/* Values only the launching host knows: $HOME, the uid, the runtime
 * directory, the display sockets. The plan refers to them by index; each
 * back end resolves them at launch, the exec back end in C and the
 * emitted launcher in sh. Both forms of each value live side by side in
 * hostvar.c so they cannot drift apart. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "strv.h"

enum hv_kind {
	HV_HOME,        /* $HOME, absolute */
	HV_UID,         /* the real uid */
	HV_RUNTIME_DIR, /* $XDG_RUNTIME_DIR, or /run/user/UID; owned by us */
	HV_INSTANCE,    /* the instance id; set by the launch, not resolved */
	HV_ENV,         /* the host environment variable arg, if non-empty */
	HV_XDG,         /* the XDG directory arg ("download", "config"...) */
	HV_XDG_REL,     /* the same, relative to $HOME (it is always below) */
	HV_WAYLAND,     /* the compositor's socket path, if it is a socket */
	HV_X11,         /* the local X display number, if its socket exists */
	HV_XAUTHORITY,  /* the X authority file, if readable */
	HV_RUNTIME_SOCKET, /* $XDG_RUNTIME_DIR/arg, if it is a socket */
	HV_SOCKET,      /* the absolute path arg, if it is a socket */
	HV_ENV_SOCKET,  /* the socket path in host variable arg (SSH_AUTH_SOCK) */
	HV_SESSION_BUS, /* the session bus socket path */
	HV_DOC,         /* $XDG_RUNTIME_DIR/doc/by-app/arg, if the document portal runs */
	HV_A11Y_BUS,    /* the accessibility bus socket path (AT_SPI_BUS_ADDRESS, or
			 * at-spi2-core's $XDG_RUNTIME_DIR/at-spi/bus[_DISPLAY]) */
};

/* The first three are always present, in this order. */
enum { HVI_HOME, HVI_UID, HVI_RUNTIME_DIR, HVI_INSTANCE };

struct hostvar {
	enum hv_kind kind;
	char *arg;
	char *shname; /* the launcher's variable name */
};

/* The C resolver: returns a malloc'd value or NULL for "not on this host".
 * known[] holds the already resolved home, uid and runtime dir. Dies if
 * a required value is missing. */
char *hostvar_resolve(const struct hostvar *hv, char *const *known);
/* Appends sh that assigns $shname (empty for "not on this host"). */
void hostvar_emit_sh(const struct hostvar *hv, struct buf *out);
/* The helper functions those snippets call, once each, for these vars. */
void hostvar_emit_sh_helpers(struct buf *out, const struct hostvar *vars, size_t n);
char *hostvar_shname(enum hv_kind kind, const char *arg);
