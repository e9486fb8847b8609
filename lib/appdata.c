#include "appdata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int open_steps(const char *home, const char *const *steps, size_t n)
{
	int fd = open(home, DIR_FLAGS);
	for (size_t i = 0; fd >= 0 && i < n; i++) {
		int next = openat(fd, steps[i], DIR_FLAGS);
		int e = errno;
		close(fd);
		errno = e;
		fd = next;
	}
	return fd;
}

int appdata_open(const char *home, const char *app_id)
{
	const char *steps[] = {".var", "app", app_id};
	return open_steps(home, steps, 3);
}

/* Depth-first over a tree, by descriptors only; fn sees every entry. */
typedef int (*visit_fn)(int dirfd, const char *name, const struct stat *st, void *data);

static int walk(int dirfd, visit_fn fn, void *data, char **where, int depth)
{
	if (depth > 256) {
		errno = ELOOP;
		return -1;
	}
	int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup < 0 ? NULL : fdopendir(dup);
	if (!d) {
		if (dup >= 0)
			close(dup);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, DIR_FLAGS);
			rc = sub < 0 ? -1 : walk(sub, fn, data, where, depth + 1);
			if (sub >= 0)
				close(sub);
		}
		if (rc == 0)
			rc = fn(dirfd, e->d_name, &st, data);
		if (rc < 0 && !*where)
			*where = xstrdup(e->d_name);
	}
	if (rc == 0 && errno)
		rc = -1;
	int e2 = errno;
	closedir(d);
	errno = e2;
	return rc;
}

static int count(int dirfd, const char *name, const struct stat *st, void *data)
{
	struct appdata_size *s = data;
	if (S_ISDIR(st->st_mode))
		s->dirs++;
	else
		s->files++;
	s->bytes += (uint64_t)st->st_blocks * 512;
	return 0;
}

void appdata_measure(int dirfd, struct appdata_size *out)
{
	char *where = NULL;
	*out = (struct appdata_size){0};
	walk(dirfd, count, out, &where, 0);
	free(where);
}

static int remove_one(int dirfd, const char *name, const struct stat *st, void *data)
{
	return unlinkat(dirfd, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0);
}

int appdata_delete(const char *home, const char *app_id, char **where)
{
	const char *steps[] = {".var", "app"};
	*where = NULL;
	cleanup_fd int parent = open_steps(home, steps, 2);
	cleanup_fd int fd = parent < 0 ? -1 : openat(parent, app_id, DIR_FLAGS);
	if (fd < 0 || walk(fd, remove_one, NULL, where, 0) < 0)
		return -1;
	return unlinkat(parent, app_id, AT_REMOVEDIR);
}

/* "name=APP-ID" in the [Application] group of an instance's info. */
static bool info_names(int dirfd, const char *app_id)
{
	int fd = openat(dirfd, "info", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len;
	cleanup_free char *text = fd < 0 ? NULL : read_all_fd(fd, 64 * 1024, &len);
	if (fd >= 0)
		close(fd);
	if (!text)
		return false;
	bool in_app = false;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '[')
			in_app = !strcmp(line, "[Application]");
		else if (in_app && str_has_prefix(line, "name=") && !strcmp(line + 5, app_id))
			return true;
	}
	return false;
}

static bool pid_alive(int dirfd)
{
	char buf[32] = {0};
	int fd = openat(dirfd, "pid", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

char *appdata_running(const char *runtime_dir, const char *app_id)
{
	cleanup_free char *base = xasprintf("%s/.flatpak", runtime_dir);
	cleanup_fd int fd = open(base, DIR_FLAGS);
	int dup = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup < 0 ? NULL : fdopendir(dup);
	char *found = NULL;
	struct dirent *e;
	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int sub = openat(fd, e->d_name, DIR_FLAGS);
		if (sub < 0)
			continue;
		if (info_names(sub, app_id) && pid_alive(sub))
			found = xstrdup(e->d_name);
		close(sub);
	}
	if (d)
		closedir(d);
	else if (dup >= 0)
		close(dup);
	return found;
}
