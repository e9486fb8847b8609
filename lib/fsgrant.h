/* Filesystem grants in Flatpak's vocabulary: host, host-os, host-etc,
 * home, xdg-NAME[/sub], xdg-run/NAME, ~/path, /path; each :ro, :rw or
 * :create. */
#pragma once
#include <stdbool.h>

enum fs_base {
	FS_HOST,     /* the host's data directories and home */
	FS_HOST_OS,  /* host /usr and friends: always bound read-only */
	FS_HOST_ETC, /* host /etc: always bound read-only */
	FS_HOME,     /* the real home */
	FS_XDG,      /* an XDG user or base directory (xdg_name), plus sub */
	FS_XDG_RUN,  /* $XDG_RUNTIME_DIR/sub */
	FS_HOME_REL, /* ~/sub */
	FS_ABS,      /* /sub */
};

enum fs_mode { FS_RW, FS_RO, FS_CREATE };

struct fs_grant {
	enum fs_base base;
	const char *xdg_name; /* FS_XDG: "download", "config"... (static) */
	char *sub;            /* normalised relative path ("" for none) */
	enum fs_mode mode;
	bool deny;            /* an override's "!spec": remove this grant */
	int line, col;        /* where it was written, for messages */
};

/* Parses "spec[:mode]"; on error returns false with a message in *why
 * (static or malloc'd in *why_alloc). Reserved paths are refused here. */
bool fs_grant_parse(const char *spec, struct fs_grant *g, char **why);
/* The spec without mode, normalised: the key overrides match on. */
char *fs_grant_key(const struct fs_grant *g);
const char *fs_mode_name(enum fs_mode m);
void fs_grant_clear(struct fs_grant *g);

/* A message if PATH (relative to a base not known yet) could never exist:
 * a component longer than NAME_MAX, or longer in all than FS_PATH_MAX,
 * which leaves half of PATH_MAX for the base; else NULL. */
#define FS_PATH_MAX 2048
char *fs_path_too_long(const char *path);
/* True if the absolute, normalised path is on, under or above a path the
 * sandbox itself must own (/, /usr, /proc, /run/user...). */
bool fs_path_reserved(const char *abs);
/* Paths below $HOME a profile may not make writable, NULL-terminated. */
extern const char *const fs_home_protected[];
/* For a resolved path and the resolved home: "" if writing there reaches
 * the whole home (the home or above it), the protected path it is on,
 * under or above, or NULL. */
const char *fs_real_writes_protected(const char *real, const char *realhome);
struct buf;
void fs_reserved_emit_sh(struct buf *out);
void fs_protected_emit_sh(struct buf *out);
/* The XDG directory names boxwrap knows, NULL-terminated. */
extern const char *const fs_xdg_names[];
