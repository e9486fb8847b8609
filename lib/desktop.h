/* Desktop entries for exported launchers (Desktop Entry Specification
 * 1.5). Exec is made only from the launcher's path, which boxwrap chose,
 * and at most one file field code: a package's Exec arguments are never
 * copied (security.md I3). */
#pragma once
#include <stdbool.h>

#include "strv.h"

/* The first word of the [Desktop Entry] group's Exec, unquoted; NULL if
 * there is none or it is not well formed. */
char *desktop_exec_program(const char *text);
/* The package's entry with Exec pointing at launcher (absolute path):
 * Exec, TryExec, DBusActivatable, Actions and action groups dropped,
 * Exec=LAUNCHER plus the original's %f, %F, %u or %U if it had one; with
 * hidden, NoDisplay=true (the APP-ID.desktop twin of a visible entry).
 * source names the original in a comment. NULL if text has no
 * [Desktop Entry] group. */
char *desktop_rewrite(const char *text, const char *source, const char *launcher, bool hidden);
/* A minimal hidden entry for an app whose package ships none, so that
 * xdg-desktop-portal finds APP-ID.desktop. */
char *desktop_minimal(const char *name, const char *launcher);
/* Appends s quoted as one Exec argument, then escaped as a string value. */
void desktop_exec_quote(struct buf *out, const char *s);
