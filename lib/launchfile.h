/* Exported launchers: a file the kernel runs with `boxwrap launch`
 * (its #! line), naming the installed profile (and, for a D-Bus helper,
 * the command) that `boxwrap run` then runs. The launch does exactly what
 * `boxwrap run` does, overrides included, at the same speed: no shell.
 * Run with sh instead, its last line execs `boxwrap launch` on itself.
 *
 *   #!/usr/bin/boxwrap launch
 *   # Launcher for APP-ID, written by boxwrap VERSION from 'FILE'.
 *   # ...
 *   #:profile /usr/share/boxwrap/profiles/FILE
 *   #:command /usr/libexec/HELPER        (helpers only)
 *   exec '/usr/bin/boxwrap' launch "$0" "$@"
 */
#pragma once
#include <stdbool.h>

#include "diag.h"

/* The launcher's text, or NULL where the kernel cannot run boxwrap from
 * a #! line (a path too long for it, or not a plain absolute path):
 * the caller writes a standalone sh launcher instead. command: NULL for
 * the profile's own. */
char *launchfile_text(const char *app_id, const char *profile_name, const char *boxwrap, const char *profile,
		      const char *command);

/* Whether text is one (for `boxwrap wrap` run twice). */
bool launchfile_is(const char *text);

/* Reads path's profile and command (NULL if none); errors go to d as
 * FILE:LINE:COL. Returns 0 or -1. */
int launchfile_read(const char *path, char **profile, char **command, struct diag *d);
