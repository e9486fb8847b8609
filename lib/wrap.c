/* Packaging: exports for installed profiles (the apk trigger) and
 * packager mode. See wrap.h for the layout. */
#include "wrap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "desktop.h"
#include "lookup.h"
#include "override.h"
#include "profile.h"
#include "util.h"

#define APPS_DIR "/usr/share/applications"
#define MAX_DESKTOP_FILE (1 << 20)

/* Built from the profile alone: a system override, and the user's, make
 * the launcher hand over to `boxwrap run` with the profile installed at
 * target (NULL: it cannot). */
static char *launcher_text(const struct policy *p, const char *profile_name, const char *target,
			   const struct gen_opts *o)
{
	struct plan pl;
	struct plan_opts popts = {.xdg_dbus_proxy = o->xdg_dbus_proxy, .spawn_helper = o->spawn_helper};
	plan_build(p, &popts, &pl);
	cleanup_free char *system_override = override_file(true, p->app_id);
	struct launch l = {
		.bwrap = o->bwrap, .seccomp_dir = o->seccomp_dir, .profile = profile_name,
		.boxwrap = o->boxwrap, .handover_profile = target, .system_override = system_override,
	};
	char *text = backend_emit(&pl, &l);
	plan_free(&pl);
	return text;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A launcher name: what a shell or an Exec line can use as is. */
static bool name_ok(const char *n)
{
	if (!*n || n[0] == '.' || n[0] == '-')
		return false;
	return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") == strlen(n);
}

/* ---- exports ---------------------------------------------------------- */

struct entry {
	char *profile; /* the profile on the target system: /usr/share/boxwrap/profiles/mpv.yaml */
	char *rel;     /* below the exports directory: bin/mpv */
	char *text;    /* NULL: keep the file as it is */
	mode_t mode;
};

struct entries {
	struct entry *v;
	size_t n;
};

static struct entry *find_entry(const struct entries *e, const char *rel)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].rel, rel))
			return &e->v[i];
	return NULL;
}

static void add_entry(struct entries *e, const char *profile, char *rel, char *text, mode_t mode)
{
	e->v = xrealloc(e->v, (e->n + 1) * sizeof(*e->v));
	e->v[e->n++] = (struct entry){.profile = xstrdup(profile), .rel = rel, .text = text, .mode = mode};
}

static void free_entries(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].profile);
		free(e->v[i].rel);
		free(e->v[i].text);
	}
	free(e->v);
	*e = (struct entries){0};
}

/* A package's desktop entry, read once per run. */
struct desktop {
	char *id;   /* file name: mpv.desktop */
	char *prog; /* Exec's program, or NULL */
	char *text;
};

struct desktops {
	struct desktop *v;
	size_t n;
};

static void scan_desktops(const char *dir, struct desktops *out)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *id = ents[i]->d_name;
		if (id[0] != '.' && str_has_suffix(id, ".desktop")) {
			cleanup_free char *path = xasprintf("%s/%s", dir, id);
			char *text = read_regular_file(path, MAX_DESKTOP_FILE);
			if (text) {
				out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
				out->v[out->n++] = (struct desktop){
					.id = xstrdup(id), .prog = desktop_exec_program(text), .text = text,
				};
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void free_desktops(struct desktops *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].id);
		free(d->v[i].prog);
		free(d->v[i].text);
	}
	free(d->v);
}

/* Does this entry start the program? Exec naming the command, the
 * launcher's name through PATH, or another directory's NAME. */
static bool desktop_matches(const struct desktop *d, const struct policy *p, const char *name)
{
	cleanup_free char *own = xasprintf("%s.desktop", p->app_id);
	if (!strcmp(d->id, own))
		return true;
	if (!d->prog)
		return false;
	return !strcmp(d->prog, p->command) || !strcmp(d->prog, name) ||
	       (d->prog[0] == '/' && !strcmp(base_name(d->prog), name));
}

/* Profile files that only root or their owner could have written. */
static int load_trusted(const char *path, struct policy *out)
{
	struct stat st;
	struct policy layer;
	cleanup_fd int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path,
			errno == ELOOP ? "refusing a profile that is a symbolic link" : strerror(errno));
		return -1;
	}
	const char *why = fstat(fd, &st) < 0 ? strerror(errno)
		: !S_ISREG(st.st_mode) ? "not a regular file"
		: st.st_mode & (S_IWGRP | S_IWOTH) ? "refusing a profile that group or others can write"
		: st.st_uid != 0 && st.st_uid != getuid() ? "refusing a profile owned by another user" : NULL;
	if (why) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, why);
		return -1;
	}
	struct diag d = {.file = path};
	if (profile_load_fd(fd, PROFILE_APP, &layer, &d) < 0) {
		diag_print(&d);
		diag_clear(&d);
		return -1;
	}
	*out = (struct policy){0};
	policy_merge(out, &layer);
	policy_free(&layer);
	return 0;
}

/* A launcher shadowing a shell would sandbox every script that runs
 * `sh`: the names in ROOT/etc/shells, and sh, are never exported. */
static bool is_shell(const char *root, const char *name)
{
	cleanup_free char *path = xasprintf("%s/etc/shells", root);
	cleanup_free char *text = read_regular_file(path, 1 << 16);
	bool found = !strcmp(name, "sh");
	for (char *l = text ? strtok(text, "\n") : NULL; l && !found; l = strtok(NULL, "\n"))
		found = l[0] == '/' && !strcmp(base_name(l), name);
	return found;
}

/* Profiles ship apart from their programs: only an installed program
 * is exported (the trigger also watches /usr/bin and the desktop
 * entries, so installing it later exports it). */
static bool installed(const char *root, const char *command)
{
	struct stat st;
	cleanup_free char *path = xasprintf("%s%s", root, command);
	return lstat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* What one valid profile exports. Returns false on a conflict. */
static bool plan_exports(const struct policy *p, const char *file, const char *key,
			 const struct desktops *apps, const struct gen_opts *o, struct entries *want)
{
	const char *name = base_name(p->command);
	cleanup_free char *bin = xasprintf("bin/%s", name);
	cleanup_free char *own = xasprintf("share/applications/%s.desktop", p->app_id);
	if (!name_ok(name)) {
		fprintf(stderr, "%s: %s: cannot export a launcher named '%s'\n", PROG, file, name);
		return false;
	}
	struct entry *taken = find_entry(want, bin);
	if (!taken && !p->service)
		taken = find_entry(want, own);
	if (taken) {
		fprintf(stderr, "%s: %s: %s is exported from %s already\n", PROG, file,
			find_entry(want, bin) ? bin : own, taken->profile);
		return false;
	}
	cleanup_free char *launcher = xasprintf(BOXWRAP_EXPORTS_DIR "/%s", bin);
	add_entry(want, key, steal_pointer(&bin), launcher_text(p, file, key, o), 0755);
	if (p->service)
		return true; /* a daemon has no desktop entry */
	const struct desktop *first = NULL;
	for (size_t i = 0; i < apps->n; i++) {
		const struct desktop *d = &apps->v[i];
		if (!desktop_matches(d, p, name))
			continue;
		char *rel = xasprintf("share/applications/%s", d->id);
		cleanup_free char *src = xasprintf(APPS_DIR "/%s", d->id);
		char *text = desktop_rewrite(d->text, src, launcher, false);
		if (!text || find_entry(want, rel)) {
			if (text)
				fprintf(stderr, "%s: %s: %s is exported from another profile already\n", PROG, file, rel);
			free(rel);
			free(text);
			continue;
		}
		add_entry(want, key, rel, text, 0644);
		if (!first)
			first = d;
	}
	/* xdg-desktop-portal 1.20.1-1.20.2 require APP-ID.desktop; a hidden
	 * twin of the package's entry keeps its name and icon in dialogs. */
	if (!find_entry(want, own)) {
		cleanup_free char *src = first ? xasprintf(APPS_DIR "/%s", first->id) : NULL;
		char *text = first ? desktop_rewrite(first->text, src, launcher, true) : desktop_minimal(name, launcher);
		add_entry(want, key, steal_pointer(&own), text, 0644);
	}
	return true;
}

static void read_manifest(const char *path, struct entries *out)
{
	cleanup_free char *text = read_regular_file(path, 4 << 20);
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		add_entry(out, line, xstrdup(tab + 1), NULL, 0);
	}
}

static int mkdirs(const char *path, mode_t mode)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -1;
		if (!s)
			return 0;
		*s = '/';
	}
}

/* Writes the file unless it already holds exactly this; unless durable,
 * the caller flushes with syncfs() before writing what records it. */
static int put_file(const char *path, const char *text, mode_t mode, bool durable, bool *changed)
{
	struct stat st;
	cleanup_free char *old = read_regular_file(path, strlen(text) + 1);
	*changed = false;
	if (old && !strcmp(old, text) && stat(path, &st) == 0 && (st.st_mode & 07777) == mode)
		return 0;
	*changed = true;
	return (durable ? write_file_atomic : write_file_replace)(path, text, strlen(text), mode);
}

/* Removes what is not wanted from one of our directories. */
static int prune(const char *dir, const char *prefix, const struct entries *keep, int verbose)
{
	int changes = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		cleanup_free char *rel = xasprintf("%s/%s", prefix, e->d_name);
		if (find_entry(keep, rel))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			fprintf(stderr, "%s: cannot remove %s/%s: %s\n", PROG, dir, e->d_name, strerror(errno));
			continue;
		}
		changes++;
		if (verbose)
			printf("%s: removed %s\n", PROG, rel);
	}
	if (d)
		closedir(d);
	return changes;
}

int exports_update(const char *root, const struct gen_opts *o, const char *const *profile_dirs, int verbose)
{
	cleanup_free char *r = xstrdup(root ? root : "");
	size_t rl = strlen(r);
	while (rl && r[rl - 1] == '/')
		r[--rl] = '\0';
	cleanup_free char *exports = xasprintf("%s" BOXWRAP_EXPORTS_DIR, r);
	cleanup_free char *manifest = xasprintf("%s/.manifest", exports);
	cleanup_free char *appsdir = xasprintf("%s" APPS_DIR, r);
	struct entries want = {0}, old = {0};
	struct strv seen = {0}, broken = {0};
	struct desktops apps = {0};
	int changes = 0, status = 0;

	scan_desktops(appsdir, &apps);
	read_manifest(manifest, &old);
	/* SYSCONFDIR first: the administrator's file replaces the package's. */
	for (const char *const *dir = profile_dirs; *dir; dir++) {
		cleanup_free char *d = xasprintf("%s%s", r, *dir);
		struct dirent **ents;
		int n = scandir(d, &ents, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *f = ents[i]->d_name;
			if (f[0] != '.' && str_has_suffix(f, ".yaml") && !strpbrk(f, "\t\n") && strv_find(&seen, f) < 0) {
				cleanup_free char *path = xasprintf("%s/%s", d, f);
				cleanup_free char *key = xasprintf("%s/%s", *dir, f);
				struct policy p;
				strv_push(&seen, f);
				if (load_trusted(path, &p) < 0) {
					strv_push(&broken, key);
				} else if (!installed(r, p.command)) {
					if (verbose)
						printf("%s: %s: %s is not installed\n", PROG, path, p.command);
					policy_free(&p);
				} else if (is_shell(r, base_name(p.command))) {
					fprintf(stderr, "%s: %s: not exported: %s is a shell, and a launcher in PATH would "
						"sandbox every script; use boxwrap run\n", PROG, path, p.command);
					policy_free(&p);
				} else {
					if (!plan_exports(&p, path, key, &apps, o, &want))
						strv_push(&broken, key);
					policy_free(&p);
				}
			}
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
	}
	/* A broken profile keeps what it exported when it was valid: its
	 * program stays sandboxed until the profile is fixed or removed. */
	for (size_t i = 0; i < old.n; i++) {
		if (strv_find(&broken, old.v[i].profile) >= 0 && !find_entry(&want, old.v[i].rel)) {
			cleanup_free char *path = xasprintf("%s/%s", exports, old.v[i].rel);
			if (access(path, F_OK) == 0)
				add_entry(&want, old.v[i].profile, xstrdup(old.v[i].rel), NULL, 0);
		}
	}
	for (size_t i = 0; i < broken.n; i++)
		fprintf(stderr, "%s: %s: not exported; its previous exports, if any, are kept\n", PROG, broken.v[i]);

	cleanup_free char *bindir = xasprintf("%s/bin", exports);
	cleanup_free char *appdir = xasprintf("%s/share/applications", exports);
	if (mkdirs(bindir, 0755) < 0 || mkdirs(appdir, 0755) < 0) {
		fprintf(stderr, "%s: cannot create %s: %s\n", PROG, exports, strerror(errno));
		status = -1;
		goto out;
	}
	struct buf list = {0};
	for (size_t i = 0; i < want.n; i++) {
		const struct entry *e = &want.v[i];
		buf_addf(&list, "%s\t%s\n", e->profile, e->rel);
		if (!e->text)
			continue;
		cleanup_free char *path = xasprintf("%s/%s", exports, e->rel);
		bool changed;
		if (put_file(path, e->text, e->mode, false, &changed) < 0) {
			fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path, strerror(errno));
			status = -1;
		} else if (changed) {
			changes++;
			if (verbose)
				printf("%s: wrote %s\n", PROG, e->rel);
		}
	}
	add_entry(&want, "", xstrdup("./.manifest"), NULL, 0);
	changes += prune(bindir, "bin", &want, verbose);
	changes += prune(appdir, "share/applications", &want, verbose);
	/* One flush for every launcher and desktop file, then the manifest
	 * that names them, written durably. */
	int exports_fd = open(exports, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (exports_fd < 0 || syncfs(exports_fd) < 0)
		fprintf(stderr, "%s: cannot flush %s: %s\n", PROG, exports, strerror(errno));
	if (exports_fd >= 0)
		close(exports_fd);
	bool changed;
	if (put_file(manifest, list.s ? list.s : "", 0644, true, &changed) < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", PROG, manifest, strerror(errno));
		status = -1;
	}
	buf_clear(&list);
	if (verbose || changes)
		printf("%s: %zu profiles, %zu not exported, %d files changed in %s\n", PROG, seen.n, broken.n,
		       changes, exports);
out:
	free_entries(&want);
	free_entries(&old);
	free_desktops(&apps);
	strv_clear(&seen);
	strv_clear(&broken);
	return status;
}

/* ---- packager mode ---------------------------------------------------- */

static bool is_launcher(const char *path)
{
	char buf[512];
	cleanup_fd int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return str_has_prefix(buf, "#!/bin/sh\n") && strstr(buf, "\n# Launcher for ") &&
	       strstr(buf, ", generated by boxwrap ");
}

void wrap_package(const char *destdir, const char *profile, const char *bin, const struct gen_opts *o)
{
	struct policy layer, p = {0};
	struct stat st;
	cleanup_free char *path = NULL;
	cleanup_fd int fd = profile_open(profile, &path);
	struct diag d = {.file = path};
	if (profile_load_fd(fd, PROFILE_APP, &layer, &d) < 0) {
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	policy_merge(&p, &layer);
	policy_free(&layer);
	if (destdir[0] != '/')
		die("--destdir needs an absolute path");
	cleanup_free char *dflt = xasprintf("/usr/bin/%s", base_name(p.command));
	if (!bin)
		bin = dflt;
	if (bin[0] != '/' || strstr(bin, "/../") || str_has_suffix(bin, "/.."))
		die("--bin needs an absolute path without '..'");
	if (!strcmp(bin, p.command))
		die("%s: command is %s, the entry the launcher replaces: point it where the program "
		    "should move, e.g. /usr/libexec/%s", path, bin, base_name(bin));
	cleanup_free char *src = xasprintf("%s%s", destdir, bin);
	cleanup_free char *dst = xasprintf("%s%s", destdir, p.command);
	bool dst_exists = lstat(dst, &st) == 0;
	if (lstat(src, &st) < 0)
		die_errno("cannot wrap %s", src);
	if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && is_launcher(src))) {
		/* A symlink to the program, or our own launcher (run again). */
		if (!dst_exists)
			die("%s is %s, and %s does not exist: set command to the program itself", src,
			    S_ISLNK(st.st_mode) ? "a symbolic link" : "a launcher already", dst);
	} else if (S_ISREG(st.st_mode)) {
		if (dst_exists)
			die("%s exists already: refusing to overwrite it with %s", dst, src);
		cleanup_free char *parent = xstrdup(dst);
		*strrchr(parent, '/') = '\0';
		if (mkdirs(parent, 0755) < 0)
			die_errno("cannot create %s", parent);
		if (rename(src, dst) < 0)
			die_errno("cannot move %s to %s", src, dst);
	} else {
		die("%s is not a file", src);
	}
	/* The profile where the package installs it, for overrides. */
	size_t dl = strlen(destdir);
	while (dl > 1 && destdir[dl - 1] == '/')
		dl--;
	const char *target = !strncmp(path, destdir, dl) && path[dl] == '/' ? path + dl : NULL;
	if (!target)
		fprintf(stderr, "%s: %s is not below %s: the launcher cannot apply overrides "
			"(install the profile with the package)\n", PROG, path, destdir);
	cleanup_free char *text = launcher_text(&p, path, target, o);
	if (lstat(src, &st) == 0 && S_ISLNK(st.st_mode) && unlink(src) < 0)
		die_errno("cannot replace %s", src);
	if (write_file_atomic(src, text, strlen(text), 0755) < 0)
		die_errno("cannot write %s", src);
	printf("%s: %s is now the launcher; the program is %s\n", PROG, bin, p.command);
	policy_free(&p);
}
