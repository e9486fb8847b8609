#include "config.h"
#include "lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"


/* A profile decides what an app may touch: only its owner (or root) may
 * be able to change it (security.md I6). */
static void check_trust(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		die_errno("%s", path);
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		die("%s: refusing a profile that group or others can write", path);
	if (st.st_uid != 0 && st.st_uid != getuid())
		die("%s: refusing a profile owned by another user", path);
}

static int open_checked(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ELOOP)
		die("%s: refusing a profile that is a symbolic link", path);
	if (fd < 0)
		return -1;
	check_trust(fd, path);
	return fd;
}

/* A name is looked up; anything with a '/' or ending in .yaml is a file. */
static bool is_name(const char *s)
{
	return !strchr(s, '/') && !str_has_suffix(s, ".yaml") && strcmp(s, ".") && strcmp(s, "..");
}

int profile_open(const char *arg, char **path)
{
	if (!is_name(arg)) {
		int fd = open_checked(arg);
		if (fd < 0)
			die_errno("cannot open profile %s", arg);
		*path = xstrdup(arg);
		return fd;
	}
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *dirs[3] = {
		cfg && cfg[0] == '/' ? xasprintf("%s/boxwrap/profiles", cfg)
		: home ? xasprintf("%s/.config/boxwrap/profiles", home) : NULL,
		xstrdup(BOXWRAP_SYSCONFDIR "/boxwrap/profiles"),
		xstrdup(BOXWRAP_DATADIR "/boxwrap/profiles"),
	};
	int fd = -1;
	for (size_t i = 0; i < 3 && fd < 0; i++) {
		if (!dirs[i])
			continue;
		char *p = xasprintf("%s/%s.yaml", dirs[i], arg);
		fd = open_checked(p);
		if (fd >= 0)
			*path = p;
		else
			free(p);
	}
	for (size_t i = 0; i < 3; i++)
		free(dirs[i]);
	if (fd < 0)
		die("no profile named '%s' (looked in $XDG_CONFIG_HOME/boxwrap/profiles, "
		    BOXWRAP_SYSCONFDIR "/boxwrap/profiles, " BOXWRAP_DATADIR "/boxwrap/profiles)", arg);
	return fd;
}
