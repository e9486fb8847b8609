/* The app-info xdg-desktop-portal reads: /.flatpak-info in the sandbox and
 * $XDG_RUNTIME_DIR/.flatpak/INSTANCE/info on the host (portal-contract.md). */
#pragma once
#include "strv.h"

/* GKeyFile escaping of one value: backslash, newline, tab, carriage
 * return and a leading space, so no value can start a new line or group
 * (security.md D6). In a list, ';' is escaped too. */
void keyfile_escape(struct buf *out, const char *value, int in_list);
