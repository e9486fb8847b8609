/* Finding and opening a profile: a path, or a name looked up in
 * $XDG_CONFIG_HOME/boxwrap/profiles, /etc/boxwrap/profiles and
 * $(datadir)/boxwrap/profiles, in that order. */
#pragma once

/* Returns an open O_CLOEXEC fd and sets *path to the file used; dies
 * with a clear message if it is missing or not trustworthy (a symlink,
 * or writable by group or others, or owned by another user but root). */
int profile_open(const char *name_or_path, char **path);
