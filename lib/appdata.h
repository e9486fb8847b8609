/* An app's private data on the host: ~/.var/app/APP-ID, which boxwrap
 * never deletes on its own (`boxwrap data`). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct appdata_size {
	uint64_t bytes, files, dirs;
};

/* Opens $HOME/.var/app/APP-ID without following a symlink on the way.
 * Returns the fd, or -1 with errno (ENOENT: no data; ELOOP: a symlink). */
int appdata_open(const char *home, const char *app_id);
/* Sums the tree without following symlinks. */
void appdata_measure(int dirfd, struct appdata_size *out);
/* The instance (its id, malloc'd) of a running sandbox of the app, found
 * through $XDG_RUNTIME_DIR/.flatpak/ID/{info,pid}; NULL if none. */
char *appdata_running(const char *runtime_dir, const char *app_id);
/* Removes $HOME/.var/app/APP-ID and everything below it without following
 * a symlink (unlinkat by descriptors); 0, or -1 with errno and the failing
 * name in *where (malloc'd, or NULL). */
int appdata_delete(const char *home, const char *app_id, char **where);
