#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int trusted_open(const char *path, const char *what, char **why)
{
	struct stat st;
	*why = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		*why = errno == ELOOP ? xasprintf("refusing %s that is a symbolic link", what)
				      : xasprintf("cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		*why = xasprintf("cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		*why = xstrdup("not a regular file");
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		*why = xasprintf("refusing %s that group or others can write", what);
	else if (st.st_uid != 0 && st.st_uid != getuid())
		*why = xasprintf("refusing %s owned by another user", what);
	if (*why) {
		close(fd);
		return -1;
	}
	return fd;
}
