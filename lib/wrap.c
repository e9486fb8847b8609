/* Packaging: exports for installed profiles (the apk trigger) and
 * packager mode. See wrap.h for the layout. */
#include "wrap.h"
#include "escape.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "desktop.h"
#include "strv.h"
#include "launchfile.h"
#include "lookup.h"
#include "override.h"
#include "profile.h"
#include "util.h"

#define APPS_DIR "/usr/share/applications"
#define MAX_DESKTOP_FILE (1 << 20)

/* With the profile installed at target, the launcher is `boxwrap run`
 * itself (launchfile.h): as fast as run, overrides included, and for a
 * helper (a D-Bus service's program run in the app's sandbox) with its
 * command. Without (target NULL, or no boxwrap to run), a standalone sh
 * launcher built from the profile alone. */
static char *launcher_text(const struct policy *p, const char *profile_name, const char *target, bool helper,
			   const struct gen_opts *o)
{
	char *text = target && o->boxwrap ? launchfile_text(p->app_id, profile_name, o->boxwrap, target,
							    helper ? p->command : NULL)
					  : NULL;
	if (text)
		return text;
	struct plan pl;
	struct plan_opts popts = {.xdg_dbus_proxy = o->xdg_dbus_proxy, .spawn_helper = o->spawn_helper,
				   .wayland_helper = o->wayland_helper};
	plan_build(p, &popts, &pl);
	cleanup_free char *system_override = override_file(true, p->app_id);
	struct launch l = {
		.bwrap = o->bwrap, .seccomp_dir = o->seccomp_dir, .open_helper = o->open_helper, .profile = profile_name,
		.boxwrap = o->boxwrap, .handover_profile = target, .system_override = system_override,
		.handover_command = helper ? p->command : NULL,
	};
	text = backend_emit(&pl, &l);
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

static bool is_shell(const char *root, const char *name);

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

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

/* A package's file that may start a profiled program, read once per run:
 * a desktop entry, an autostart entry or a D-Bus service file. */
struct pkgfile {
	char *id;   /* file name: mpv.desktop, org.gnome.Totem.service */
	char *prog; /* Exec's program, or NULL */
	char *text;
	struct dbus_service svc; /* service files: parsed */
};

struct pkgfiles {
	const char *dir; /* where the package installs them, on the target system */
	struct pkgfile *v;
	size_t n;
};

/* A file name written into an exported file's comment and used as its
 * name: nothing a line break, a shell or a path could misread. */
static bool file_id_ok(const char *id)
{
	return id[0] != '.' && id[0] != '-' &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+@-") == strlen(id);
}

static void scan_files(const char *root, struct pkgfiles *out)
{
	struct dirent **ents;
	bool service = str_has_suffix(out->dir, "services");
	const char *suffix = service ? ".service" : ".desktop";
	cleanup_free char *dir = xasprintf("%s%s", root, out->dir);
	int n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *id = ents[i]->d_name;
		if (has_control_char(id) && str_has_suffix(id, suffix)) {
			/* It would add lines to the entries and the manifest we write. */
			cleanup_free char *shown = one_line(id);
			fprintf(stderr, "%s: %s/%s: refusing a %s file name with control characters\n", PROG, dir, shown,
				service ? "D-Bus service" : "desktop");
			free(ents[i]);
			continue;
		}
		cleanup_free char *path = xasprintf("%s/%s", dir, id);
		char *text = file_id_ok(id) && str_has_suffix(id, suffix) ? read_regular_file(path, MAX_DESKTOP_FILE) : NULL;
		struct pkgfile f = {.id = xstrdup(id), .text = text};
		if (text && service && dbus_service_parse(text, &f.svc))
			f.prog = xstrdup(f.svc.args.v[0]);
		else if (text && !service)
			f.prog = desktop_exec_program(text);
		if (text) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = f;
		} else {
			free(f.id);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void free_files(struct pkgfiles *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].id);
		free(d->v[i].prog);
		free(d->v[i].text);
		dbus_service_clear(&d->v[i].svc);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* Does Exec start the program? The command itself, the launcher's name
 * through PATH, or another directory's NAME (packager mode moves the
 * program; the package's files still name /usr/bin/NAME). */
static bool runs_program(const char *prog, const struct policy *p, const char *name)
{
	return prog && (!strcmp(prog, p->command) || !strcmp(prog, name) ||
			(prog[0] == '/' && !strcmp(base_name(prog), name)));
}

static bool desktop_matches(const struct pkgfile *d, const struct policy *p, const char *name)
{
	cleanup_free char *own = xasprintf("%s.desktop", p->app_id);
	return !strcmp(d->id, own) || runs_program(d->prog, p, name);
}

/* A bus name the app may own on the session bus: its id and the names
 * below it, its MPRIS names (dbus.c's defaults) and its own: grants. A
 * service file for one of these must start it in the app's sandbox: the
 * app can call the name while nothing owns it, and the bus would start
 * the file's Exec on the host. */
static bool own_pattern_hits(const char *name, const char *pattern)
{
	size_t n = strlen(pattern);
	if (n > 2 && !strcmp(pattern + n - 2, ".*"))
		return !strncmp(name, pattern, n - 2) && (name[n - 2] == '\0' || name[n - 2] == '.');
	return !strcmp(name, pattern);
}

static bool app_owns(const struct policy *p, const char *name)
{
	cleanup_free char *own = xasprintf("%s.*", p->app_id);
	cleanup_free char *mpris = xasprintf("org.mpris.MediaPlayer2.%s.*", p->app_id);
	if (own_pattern_hits(name, own) || own_pattern_hits(name, mpris))
		return true;
	for (size_t i = 0; i < p->session_bus.own.n; i++)
		if (own_pattern_hits(name, p->session_bus.own.v[i]))
			return true;
	return false;
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

/* The package files exports_update reads, on the target system. */
enum { PF_APPS, PF_AUTOSTART, PF_SERVICES, PF_SYSTEM_SERVICES, PF_KINDS };
static const char *const pkg_dirs[PF_KINDS] = {
	[PF_APPS] = APPS_DIR,
	[PF_AUTOSTART] = "/etc/xdg/autostart",
	[PF_SERVICES] = "/usr/share/dbus-1/services",
	[PF_SYSTEM_SERVICES] = "/usr/share/dbus-1/system-services",
};
/* Where their exports go, below the exports directory: share/ is first
 * in XDG_DATA_DIRS, xdg/ first in XDG_CONFIG_DIRS (profile.d). */
static const char *const export_dirs[PF_KINDS] = {
	[PF_APPS] = "share/applications",
	[PF_AUTOSTART] = "xdg/autostart",
	[PF_SERVICES] = "share/dbus-1/services",
};
/* Launchers of helpers that run in an app's sandbox (D-Bus services
 * below the app's id whose Exec is another program). */
#define HELPERS_DIR "libexec"
/* Packager mode's, inside the package. */
#define HELPER_LAUNCHERS "/usr/libexec/boxwrap"

struct exporting {
	const struct policy *p;
	const char *file, *key, *name, *launcher;
	const struct gen_opts *o;
	struct entries *want;
};

/* Adds rel with text unless another profile exports it already. */
static bool add_unique(struct exporting *x, char *rel, char *text, mode_t mode)
{
	if (find_entry(x->want, rel)) {
		fprintf(stderr, "%s: %s: %s is exported from another profile already\n", PROG, x->file, rel);
		free(rel);
		free(text);
		return false;
	}
	add_entry(x->want, x->key, rel, text, mode);
	return true;
}

/* The package's menu entries for the program, and APP-ID.desktop. */
static void export_desktops(struct exporting *x, const struct pkgfiles *apps)
{
	const struct pkgfile *first = NULL;
	cleanup_free char *own = xasprintf("share/applications/%s.desktop", x->p->app_id);
	for (size_t i = 0; i < apps->n; i++) {
		const struct pkgfile *d = &apps->v[i];
		if (!desktop_matches(d, x->p, x->name))
			continue;
		cleanup_free char *src = xasprintf("%s/%s", apps->dir, d->id);
		char *text = desktop_rewrite(d->text, src, x->launcher, 0);
		if (text && add_unique(x, xasprintf("share/applications/%s", d->id), text, 0644) && !first)
			first = d;
	}
	/* xdg-desktop-portal 1.20.1-1.20.2 require APP-ID.desktop; a hidden
	 * twin of the package's entry keeps its name and icon in dialogs. */
	if (!find_entry(x->want, own)) {
		cleanup_free char *src = first ? xasprintf("%s/%s", apps->dir, first->id) : NULL;
		char *text = first ? desktop_rewrite(first->text, src, x->launcher, DESKTOP_HIDDEN)
				   : desktop_minimal(x->name, x->launcher);
		add_entry(x->want, x->key, steal_pointer(&own), text, 0644);
	}
}

/* Session autostart entries that start the program (postmarketOS starts
 * Calls and Chatty as daemons from /etc/xdg/autostart): same name, so
 * the export replaces the package's (XDG Autostart Specification). */
static void export_autostart(struct exporting *x, const struct pkgfiles *autostart)
{
	for (size_t i = 0; i < autostart->n; i++) {
		const struct pkgfile *d = &autostart->v[i];
		if (!runs_program(d->prog, x->p, x->name))
			continue;
		cleanup_free char *src = xasprintf("%s/%s", autostart->dir, d->id);
		char *text = desktop_rewrite(d->text, src, x->launcher, DESKTOP_AUTOSTART);
		if (text)
			add_unique(x, xasprintf("xdg/autostart/%s", d->id), text, 0644);
	}
}

/* The program a helper's Exec names, on the target system: absolute, or
 * found where a session's PATH would find it. NULL if it is not there. */
static char *helper_path(const char *root, const char *prog)
{
	static const char *const path[] = {"/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"};
	struct stat st;
	if (prog[0] == '/') {
		cleanup_free char *p = xasprintf("%s%s", root, prog);
		return stat(p, &st) == 0 && S_ISREG(st.st_mode) && !strstr(prog, "/../") ? xstrdup(prog) : NULL;
	}
	for (size_t i = 0; i < sizeof(path) / sizeof(*path) && !strchr(prog, '/'); i++) {
		cleanup_free char *p = xasprintf("%s%s/%s", root, path[i], prog);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return xasprintf("%s/%s", path[i], prog);
	}
	return NULL;
}

/* Session D-Bus services: a file whose Exec runs the program starts the
 * launcher with the file's arguments (--gapplication-service); a file
 * for a name the app may own that runs another program (Epiphany's
 * SearchProvider) starts that program in the app's sandbox, through a
 * launcher of its own; one that names no program found here is exported
 * with Exec=/bin/false, so that calling the name fails rather than
 * starting anything on the host. The export's directory comes before the
 * package's in the bus's search (XDG_DATA_DIRS), and the first file for a
 * name wins. */
static void export_services(struct exporting *x, const char *root, const struct pkgfiles *services)
{
	for (size_t i = 0; i < services->n; i++) {
		const struct pkgfile *d = &services->v[i];
		const struct dbus_service *svc = &d->svc;
		cleanup_free char *helper = NULL, *exec = NULL, *src = xasprintf("%s/%s", services->dir, d->id);
		if (!d->prog)
			continue;
		if (runs_program(d->prog, x->p, x->name)) {
			exec = xstrdup(x->launcher);
		} else if (app_owns(x->p, svc->name)) {
			helper = helper_path(root, d->prog);
			if (helper && !is_shell(root, base_name(helper))) {
				struct policy h = *x->p;
				h.command = helper;
				h.args = (struct strv){0};
				char *rel = xasprintf(HELPERS_DIR "/%s", svc->name);
				exec = xasprintf(BOXWRAP_EXPORTS_DIR "/%s", rel);
				if (!add_unique(x, rel, launcher_text(&h, x->file, x->key, true, x->o), 0755))
					continue;
			} else {
				fprintf(stderr, "%s: %s: %s: %s %s; calling %s fails instead of starting it outside the sandbox\n",
					PROG, x->file, src, d->prog, helper ? "is a shell" : "is not installed", svc->name);
				exec = xstrdup("/bin/false");
			}
		} else {
			continue;
		}
		/* Refused: /bin/false and nothing of the package's Exec. */
		struct dbus_service bare = *svc;
		if (!helper && strcmp(exec, x->launcher))
			bare.args.n = 1;
		else if (svc->dropped.n)
			fprintf(stderr, "%s: %s: %s: %zu argument(s) of Exec not a plain word, left out\n", PROG,
				x->file, src, svc->dropped.n);
		add_unique(x, xasprintf("share/dbus-1/services/%s", d->id), dbus_service_rewrite(&bare, src, exec), 0644);
	}
}

/* A daemon's system bus service: the system bus reads only its own
 * directories (/usr/local/share, /usr/share, /lib), in that order, so no
 * export can come first. Say which file would start the daemon outside
 * its sandbox; boxwrap(1) says what to do. */
static void check_system_services(struct exporting *x, const struct pkgfiles *services)
{
	for (size_t i = 0; i < services->n; i++) {
		const struct pkgfile *d = &services->v[i];
		if (!d->prog || !(runs_program(d->prog, x->p, x->name) || app_owns(x->p, d->svc.name) ||
				  strv_find(&x->p->system_bus.own, d->svc.name) >= 0))
			continue;
		if (!strcmp(d->prog, "/bin/false") && !d->svc.systemd)
			continue;
		fprintf(stderr, "%s: %s: warning: %s/%s starts %s outside the sandbox when a client calls %s "
			"(D-Bus activation%s); see boxwrap(1), D-BUS ACTIVATION\n", PROG, x->file, services->dir, d->id,
			strcmp(d->prog, "/bin/false") ? d->prog : "the daemon", d->svc.name,
			d->svc.systemd ? " through its systemd unit" : "");
	}
}

/* What one valid profile exports. Returns false on a conflict. */
static bool plan_exports(const struct policy *p, const char *file, const char *key, const char *root,
			 const struct pkgfiles *pf, const struct gen_opts *o, struct entries *want)
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
	struct exporting x = {.p = p, .file = file, .key = key, .name = name, .launcher = launcher, .o = o, .want = want};
	add_entry(want, key, steal_pointer(&bin), launcher_text(p, file, key, false, o), 0755);
	if (p->service) {
		check_system_services(&x, &pf[PF_SYSTEM_SERVICES]);
		return true; /* a daemon has no desktop entry and no session */
	}
	export_desktops(&x, &pf[PF_APPS]);
	export_autostart(&x, &pf[PF_AUTOSTART]);
	export_services(&x, root, &pf[PF_SERVICES]);
	return true;
}

/* share/applications/mimeinfo.cache for the exported entries, as
 * update-desktop-database writes it: GLib (gio open, xdg-open on GNOME)
 * finds an application for a MIME type only through a directory's cache
 * once the directory has an entry of the same name as an indexed one
 * further down XDG_DATA_DIRS; without it, exporting an entry took its
 * MIME types away. Entries kept as they were are read back. */
static char *mime_cache(const struct entries *want, const char *exports)
{
	struct strv pairs = {0};
	for (size_t i = 0; i < want->n; i++) {
		const struct entry *e = &want->v[i];
		if (!str_has_prefix(e->rel, "share/applications/") || !str_has_suffix(e->rel, ".desktop"))
			continue;
		cleanup_free char *path = e->text ? NULL : xasprintf("%s/%s", exports, e->rel);
		cleanup_free char *old = path ? read_regular_file(path, MAX_DESKTOP_FILE) : NULL;
		struct strv types = {0};
		if (e->text || old)
			desktop_mime_types(e->text ? e->text : old, &types);
		for (size_t k = 0; k < types.n; k++)
			strv_take(&pairs, xasprintf("%s\t%s", types.v[k], e->rel + strlen("share/applications/")));
		strv_clear(&types);
	}
	if (pairs.n)
		qsort(pairs.v, pairs.n, sizeof(*pairs.v), by_string);
	struct buf out = {0};
	buf_adds(&out, "[MIME Cache]\n");
	for (size_t i = 0; i < pairs.n; i++) {
		char *tab = strchr(pairs.v[i], '\t');
		size_t tl = (size_t)(tab - pairs.v[i]);
		bool same = i > 0 && !strncmp(pairs.v[i - 1], pairs.v[i], tl + 1);
		if (!same)
			buf_addf(&out, "%s%.*s=", i ? "\n" : "", (int)tl, pairs.v[i]);
		buf_addf(&out, "%s;", tab + 1);
	}
	if (pairs.n)
		buf_addc(&out, '\n');
	strv_clear(&pairs);
	return buf_steal(&out);
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
	struct entries want = {0}, old = {0};
	struct strv seen = {0}, broken = {0};
	struct pkgfiles pf[PF_KINDS];
	int changes = 0, status = 0;

	for (int k = 0; k < PF_KINDS; k++) {
		pf[k] = (struct pkgfiles){.dir = pkg_dirs[k]};
		scan_files(r, &pf[k]);
	}
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
					if (!plan_exports(&p, path, key, r, pf, o, &want))
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

	/* Every directory exists, empty or not, so that a bus or session
	 * started before the first export still has it in its search path
	 * (dbus-daemon watches its service directories for changes). */
	const char *dirs[] = {"bin", HELPERS_DIR, export_dirs[PF_APPS], export_dirs[PF_AUTOSTART], export_dirs[PF_SERVICES]};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		cleanup_free char *d = xasprintf("%s/%s", exports, dirs[i]);
		if (mkdirs(d, 0755) < 0) {
			fprintf(stderr, "%s: cannot create %s: %s\n", PROG, d, strerror(errno));
			status = -1;
			goto out;
		}
	}
	add_entry(&want, "", xstrdup("share/applications/mimeinfo.cache"), mime_cache(&want, exports), 0644);
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
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		cleanup_free char *d = xasprintf("%s/%s", exports, dirs[i]);
		changes += prune(d, dirs[i], &want, verbose);
	}
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
	for (int k = 0; k < PF_KINDS; k++)
		free_files(&pf[k]);
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
	if (launchfile_is(buf))
		return true;
	return str_has_prefix(buf, "#!/bin/sh\n") && strstr(buf, "\n# Launcher for ") &&
	       strstr(buf, ", generated by boxwrap ");
}

/* The package's session service files for names the app may own whose
 * Exec runs another program of the package (Epiphany's SearchProvider):
 * that helper gets a launcher of the app's sandbox in
 * /usr/libexec/boxwrap/NAME and the file, rewritten in place, runs it;
 * the program's own files name /usr/bin/NAME, the launcher already. So a
 * wrapped package needs no export for its D-Bus activation. */
static void wrap_services(const char *destdir, const struct policy *p, const char *file, const char *target,
			  const struct gen_opts *o)
{
	struct pkgfiles svcs = {.dir = pkg_dirs[PF_SERVICES]};
	const char *name = base_name(p->command);
	scan_files(destdir, &svcs);
	for (size_t i = 0; i < svcs.n; i++) {
		const struct pkgfile *d = &svcs.v[i];
		if (!d->prog || d->prog[0] != '/' || runs_program(d->prog, p, name) || !app_owns(p, d->svc.name) ||
		    str_has_prefix(d->prog, HELPER_LAUNCHERS "/"))
			continue;
		cleanup_free char *helper = helper_path(destdir, d->prog);
		if (!helper || is_shell(destdir, base_name(helper))) {
			fprintf(stderr, "%s: %s/%s: %s is not in the package; left as it is\n", PROG, svcs.dir, d->id, d->prog);
			continue;
		}
		struct policy h = *p;
		h.command = helper;
		h.args = (struct strv){0};
		cleanup_free char *rel = xasprintf(HELPER_LAUNCHERS "/%s", d->svc.name);
		cleanup_free char *dst = xasprintf("%s%s", destdir, rel);
		cleanup_free char *src = xasprintf("%s/%s", svcs.dir, d->id);
		cleanup_free char *svc_path = xasprintf("%s%s", destdir, src);
		cleanup_free char *text = launcher_text(&h, file, target, true, o);
		cleanup_free char *svc = dbus_service_rewrite(&d->svc, src, rel);
		cleanup_free char *parent = xstrdup(dst);
		*strrchr(parent, '/') = '\0';
		if (mkdirs(parent, 0755) < 0 || write_file_atomic(dst, text, strlen(text), 0755) < 0 ||
		    write_file_atomic(svc_path, svc, strlen(svc), 0644) < 0)
			die_errno("cannot write %s", dst);
		printf("%s: %s now starts %s in the sandbox (%s)\n", PROG, src, d->prog, rel);
	}
	free_files(&svcs);
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
	cleanup_free char *text = launcher_text(&p, path, target, false, o);
	if (lstat(src, &st) == 0 && S_ISLNK(st.st_mode) && unlink(src) < 0)
		die_errno("cannot replace %s", src);
	if (write_file_atomic(src, text, strlen(text), 0755) < 0)
		die_errno("cannot write %s", src);
	printf("%s: %s is now the launcher; the program is %s\n", PROG, bin, p.command);
	wrap_services(destdir, &p, path, target, o);
	policy_free(&p);
}
