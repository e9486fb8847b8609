#include "config.h"
#include "installed.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "profile.h"
#include "trust.h"
#include "util.h"
#include "wrap.h"


/* The same directories, in the same order, as lookup.c. */
static size_t profile_dirs(char *dirs[3])
{
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	size_t n = 0;
	if (cfg && cfg[0] == '/')
		dirs[n++] = xasprintf("%s/boxwrap/profiles", cfg);
	else if (home)
		dirs[n++] = xasprintf("%s/.config/boxwrap/profiles", home);
	dirs[n++] = xstrdup(BOXWRAP_SYSCONFDIR "/boxwrap/profiles");
	dirs[n++] = xstrdup(BOXWRAP_DATADIR "/boxwrap/profiles");
	return n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The exported launcher of a profile file, from the exports manifest
 * ("PROFILE<TAB>FILE" lines) that `boxwrap export` keeps.
 * TODO: packager mode (boxwrap wrap) replaces /usr/bin/NAME inside the
 * package and leaves no manifest; such a profile shows as not exported. */
static char *exported_launcher(const char *profile)
{
	FILE *f = fopen(BOXWRAP_EXPORTS_DIR "/.manifest", "re");
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	size_t n = strlen(profile);
	while (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, profile, n) && line[n] == '\t' && str_has_prefix(line + n + 1, "bin/")) {
			found = xasprintf(BOXWRAP_EXPORTS_DIR "/%s", line + n + 1);
			break;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

static void inspect(struct installed *it)
{
	char *why;
	cleanup_fd int fd = trusted_open(it->path, "a profile", &why);
	if (fd < 0) {
		it->problem = why ? why : xstrdup("vanished");
		return;
	}
	struct policy p;
	struct diag d = {.file = it->path};
	if (profile_load_fd(fd, PROFILE_APP, &p, &d) < 0) {
		it->problem = xstrdup("not valid: see boxwrap check");
		diag_clear(&d);
		return;
	}
	it->app_id = steal_pointer(&p.app_id);
	policy_free(&p);
	it->launcher = exported_launcher(it->path);
}

size_t installed_list(struct installed **out)
{
	char *dirs[3];
	size_t ndirs = profile_dirs(dirs), n = 0;
	struct installed *v = NULL;
	for (size_t d = 0; d < ndirs; d++) {
		DIR *dir = opendir(dirs[d]);
		struct strv names = {0};
		struct dirent *e;
		while (dir && (e = readdir(dir)))
			if (e->d_name[0] != '.' && str_has_suffix(e->d_name, ".yaml"))
				strv_push(&names, e->d_name);
		if (dir)
			closedir(dir);
		if (names.n)
			qsort(names.v, names.n, sizeof(*names.v), by_name);
		for (size_t i = 0; i < names.n; i++) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			struct installed *it = &v[n++];
			*it = (struct installed){
				.name = xstrndup(names.v[i], strlen(names.v[i]) - 5),
				.path = xasprintf("%s/%s", dirs[d], names.v[i]),
			};
			for (size_t k = 0; k + 1 < n; k++)
				it->shadowed |= !strcmp(v[k].name, it->name);
			inspect(it);
		}
		strv_clear(&names);
		free(dirs[d]);
	}
	*out = v;
	return n;
}

void installed_free(struct installed *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
		free(v[i].app_id);
		free(v[i].problem);
		free(v[i].launcher);
	}
	free(v);
}

char *installed_find(const char *arg)
{
	struct installed *v;
	size_t n = installed_list(&v);
	char *found = NULL;
	for (size_t i = 0; !found && i < n; i++)
		if (!strcmp(v[i].name, arg))
			found = xstrdup(v[i].path);
	for (size_t i = 0; !found && i < n; i++)
		if (v[i].app_id && !v[i].shadowed && !strcmp(v[i].app_id, arg))
			found = xstrdup(v[i].path);
	installed_free(v, n);
	return found;
}
