/* Opening a file that decides what an app may do (a profile, an
 * override): only its owner or root may be able to change it
 * (security.md I6). */
#pragma once

/* Opens path read-only without following a symlink. Returns the fd; or -1
 * with *why NULL when the file does not exist, or with *why a malloc'd
 * reason (a symlink, not a regular file, writable by group or others,
 * owned by another user than you or root, unreadable). what names the
 * kind of file in the reason ("an override"). */
int trusted_open(const char *path, const char *what, char **why);
