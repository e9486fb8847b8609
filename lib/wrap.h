/* Packaging: launchers where a program's users and desktops find them.
 *
 * Exports (boxwrap export): every profile in SYSCONFDIR/boxwrap/profiles
 * and DATADIR/boxwrap/profiles gets, below EXPORTS_DIR, which boxwrap
 * alone writes and no package owns (as /var/lib/flatpak/exports):
 *   bin/NAME                         the launcher, NAME = basename(command)
 *   share/applications/APP-ID.desktop    for xdg-desktop-portal
 *   share/applications/PKG.desktop   the package's entries for NAME,
 *                                    Exec pointing at the launcher
 *   .manifest                        "PROFILE-FILE<TAB>FILE" per export
 * /etc/profile.d/boxwrap.sh puts bin first in PATH and share first in
 * XDG_DATA_DIRS. The apk trigger runs it after every transaction that
 * changes a profile directory.
 *
 * Packager mode (boxwrap wrap): in a package's $pkgdir, the program's
 * /usr/bin entry moves to where the profile's command points and the
 * launcher takes its place. */
#pragma once

#define BOXWRAP_EXPORTS_DIR "/var/lib/boxwrap/exports"

struct gen_opts {
	const char *bwrap, *seccomp_dir, *xdg_dbus_proxy, *spawn_helper, *wayland_helper, *open_helper; /* absolute paths */
	const char *boxwrap; /* the installed boxwrap, which launchers hand over to */
};

/* Brings the exports under root ("" or "/" for the running system) in
 * line with the profiles there: idempotent; a broken profile is reported
 * on stderr and keeps its previous exports, the others are written.
 * Files are replaced atomically and only when their content changes.
 * Returns 0, or -1 if the exports directory itself cannot be written. */
int exports_update(const char *root, const struct gen_opts *o, const char *const *profile_dirs, int verbose);

/* Packager mode; dies with a message on any error. bin: the program's
 * entry (default /usr/bin/basename(command)). */
void wrap_package(const char *destdir, const char *profile, const char *bin, const struct gen_opts *o);
