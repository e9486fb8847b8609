/* Desktop entries, autostart entries and D-Bus service files for
 * exported launchers (Desktop Entry Specification 1.5, D-Bus
 * Specification "Message Bus Starting Services"). The package's own
 * arguments are kept (the launcher hands them to the program inside the
 * sandbox, after "--"); no file forwarding exists to abuse (security.md
 * I3: Flatpak's @@ markers are dropped). Nothing written contains a
 * control character: every line copied is checked with escape.h's
 * span_has_control_char, comments go through one_line, and the other
 * lines are built from checked parts. */
#pragma once
#include <stdbool.h>

#include "strv.h"

/* The first word of the [Desktop Entry] group's Exec, unquoted; NULL if
 * there is none or it is not well formed. */
char *desktop_exec_program(const char *text);
enum {
	DESKTOP_HIDDEN = 1,    /* NoDisplay=true: the APP-ID.desktop twin of a visible entry */
	DESKTOP_AUTOSTART = 2, /* an autostart entry: NoDisplay and Hidden kept as they are */
};
/* The package's entry with Exec pointing at launcher (absolute path) and
 * the package's arguments (one file field code at most; other field codes
 * dropped); TryExec and DBusActivatable dropped; each action that has an
 * Exec kept the same way, the others dropped. source names the original
 * in a comment. NULL if text has no [Desktop Entry] group. */
char *desktop_rewrite(const char *text, const char *source, const char *launcher, unsigned flags);
/* The [Desktop Entry] group's MimeType list, well-formed types only. */
void desktop_mime_types(const char *text, struct strv *out);
/* A minimal hidden entry for an app whose package ships none, so that
 * xdg-desktop-portal finds APP-ID.desktop. */
char *desktop_minimal(const char *name, const char *launcher);
/* Appends s quoted as one Exec argument, then escaped as a string value. */
void desktop_exec_quote(struct buf *out, const char *s);

/* A D-Bus service file's [D-BUS Service] group. args: Exec split into
 * words, the program first; words that are not plain (quotes, escapes,
 * anything a shell-style split could read two ways) are in dropped. */
struct dbus_service {
	char *name, *user;
	bool systemd; /* SystemdService= */
	struct strv args, dropped;
};
/* False if there is no such group, no valid Name, or Exec's program is not
 * a plain word. */
bool dbus_service_parse(const char *text, struct dbus_service *out);
void dbus_service_clear(struct dbus_service *s);
/* The file with Exec=EXEC (a plain absolute path) plus s's arguments
 * after the program; source names the original in a comment. */
char *dbus_service_rewrite(const struct dbus_service *s, const char *source, const char *exec);
