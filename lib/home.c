/* The home directory and filesystem grants.
 *
 * Every file the app can write has the same path inside the sandbox and
 * on the host, so the document portal, which resolves a descriptor by
 * the path the app sees and checks it names the same file on the host,
 * accepts it (Documents.Add, OpenURI.OpenFile, drag and drop).
 *
 * Without a home grant the app's home is private and persistent: host
 * ~/.var/app/APP-ID is bound at that same path and is $HOME, so all the
 * app writes below $HOME lands there, as it always has. The real home
 * path above it is a read-only tmpfs holding only mount points: the real
 * home stays invisible, and a write to the passwd home fails instead of
 * being lost. Grants below the home are bound at their host path, and
 * again at the same place in the private home, where apps that compute
 * ~/Downloads from $HOME look (the portal resolves only the first).
 *
 * With `home` (or `host`) the real home is bound and is $HOME, and
 * ~/.var/app/APP-ID holds the XDG base directories, as in Flatpak.
 * Written, its protections must survive renames and absent files: the
 * home's top level and every directory above a protected path are
 * read-only, and their other entries are bound read-write one by one, so
 * a protected path can be neither created nor moved away from
 * (fsgrant.c's fs_home_protected lists them). */
#include <stdio.h>
#include <string.h>

#include "sandbox.h"
#include "strv.h"
#include "util.h"

bool home_granted(const struct policy *p, enum fs_mode *mode)
{
	for (size_t i = 0; i < p->nfs; i++) {
		if (p->fs[i].base == FS_HOME || p->fs[i].base == FS_HOST) {
			*mode = p->fs[i].mode;
			return true;
		}
	}
	return false;
}

struct word *sandbox_home(struct plan *pl, const struct policy *p)
{
	enum fs_mode mode;
	if (home_granted(p, &mode))
		return plan_word(pl, "{home}");
	return plan_word(pl, "{home}/.var/app/%s", p->app_id);
}

static void add_private_home(struct plan *pl, const struct policy *p)
{
	plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s", p->app_id));
	/* Made read-only once the grants have their mount points in it. */
	plan_op(pl, "--tmpfs", plan_word(pl, "{home}"), NULL);
	/* Its mount point is made in that fresh tmpfs, out of the app's reach. */
	plan_bind_fd(pl, false, BS_BELOW_HOME, plan_word(pl, "{home}/.var/app/%s", p->app_id),
		     plan_word(pl, "{home}/.var/app/%s", p->app_id), false);
}

/* The entries of ~/dir that must stay read-only: the first component
 * below dir of each protected path under it. */
static void protected_children(const char *dir, struct strv *out)
{
	size_t n = strlen(dir);
	for (const char *const *f = fs_home_protected; *f; f++) {
		const char *rest = !n ? *f : !strncmp(*f, dir, n) && (*f)[n] == '/' ? *f + n + 1 : NULL;
		if (!rest)
			continue;
		cleanup_free char *name = xstrndup(rest, strcspn(rest, "/"));
		if (strv_find(out, name) < 0)
			strv_push(out, name);
	}
}

/* The home's top level and the directories above protected paths are
 * read-only (the real home is bound read-only first); each of their
 * other entries is bound read-write on itself. Nothing new can appear
 * there, and a bound entry cannot be renamed (EBUSY) or replaced. */
static void add_writable_entries(struct plan *pl)
{
	struct strv dirs = {0};
	strv_push(&dirs, "");
	for (const char *const *f = fs_home_protected; *f; f++)
		for (const char *s = strchr(*f, '/'); s; s = strchr(s + 1, '/')) {
			cleanup_free char *up = xstrndup(*f, s - *f);
			if (strv_find(&dirs, up) < 0)
				strv_push(&dirs, up);
		}
	for (size_t i = 0; i < dirs.n; i++) {
		static const char *const none[] = {NULL};
		struct strv skip = {0};
		protected_children(dirs.v[i], &skip);
		plan_each_child(pl, "--bind", *dirs.v[i] ? plan_word(pl, "{home}/%s", dirs.v[i]) : plan_word(pl, "{home}"),
				skip.n ? (const char *const *)skip.v : none);
		strv_clear(&skip);
	}
	strv_clear(&dirs);
}

static void add_real_home(struct plan *pl, const struct policy *p, enum fs_mode mode)
{
	static const char *const base[][2] = {
		{"XDG_CONFIG_HOME", "config"}, {"XDG_DATA_HOME", "data"},
		{"XDG_CACHE_HOME", "cache"}, {"XDG_STATE_HOME", ".local/state"},
	};
	plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s", p->app_id));
	if (mode != FS_RO) {
		plan_prep(pl, PREP_CONFIG_HOME_DEFAULT, plan_word(pl, "{env:XDG_CONFIG_HOME}"));
		plan_prep(pl, PREP_DATA_HOME_DEFAULT, plan_word(pl, "{env:XDG_DATA_HOME}"));
		for (const char *const *f = fs_home_protected; *f; f++)
			plan_prep(pl, PREP_PROTECT, plan_word(pl, "{home}/%s", *f));
	}
	plan_op(pl, "--ro-bind", plan_word(pl, "{home}"), plan_word(pl, "{home}"));
	if (mode != FS_RO)
		add_writable_entries(pl);
	/* Other apps' private data stays private. */
	plan_op(pl, "--tmpfs", plan_word(pl, "{home}/.var/app"), NULL);
	plan_op(pl, "--bind", plan_word(pl, "{home}/.var/app/%s", p->app_id),
		plan_word(pl, "{home}/.var/app/%s", p->app_id));
	for (size_t i = 0; i < sizeof(base) / sizeof(*base); i++) {
		plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s/%s", p->app_id, base[i][1]));
		plan_op(pl, "--setenv", plan_word(pl, "%s", base[i][0]),
			plan_word(pl, "{home}/.var/app/%s/%s", p->app_id, base[i][1]));
	}
	/* A protected path that is a symlink to a writable entry: the
	 * read-only bind lands on its target. */
	if (mode != FS_RO)
		for (const char *const *f = fs_home_protected; *f; f++)
			if (strcmp(*f, ".var")) /* the app's own data is in there */
				plan_op(pl, "--ro-bind-try", plan_word(pl, "{home}/%s", *f), plan_word(pl, "{home}/%s", *f));
	/* persistent: Flatpak's --persist applies only to a private home, and
	 * boxwrap's private home keeps everything already: nothing to do. */
}

void add_home(struct plan *pl, const struct policy *p)
{
	enum fs_mode mode;
	if (home_granted(p, &mode))
		add_real_home(pl, p, mode);
	else
		add_private_home(pl, p);
}

/* Extra host directories `host` brings, beside the home (Flatpak's list
 * less what boxwrap already binds read-only). */
static void add_host_dirs(struct plan *pl, enum fs_mode mode)
{
	static const char *const dirs[] = {"/media", "/mnt", "/opt", "/srv", "/run/media"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		plan_op(pl, mode == FS_RO ? "--ro-bind-try" : "--bind-try",
			plan_word(pl, "%s", dirs[i]), plan_word(pl, "%s", dirs[i]));
}

static struct word *grant_source(struct plan *pl, const struct fs_grant *g)
{
	const char *sep = *g->sub ? "/" : "";
	char tmpl[64];
	switch (g->base) {
	case FS_XDG:
		snprintf(tmpl, sizeof(tmpl), "{xdg:%s}%%s%%s", g->xdg_name);
		return plan_word(pl, tmpl, sep, g->sub);
	case FS_XDG_RUN:
		return plan_word(pl, "{rt}/%s", g->sub);
	case FS_HOME_REL:
		return plan_word(pl, "{home}/%s", g->sub);
	case FS_ABS:
		return plan_word(pl, "/%s", g->sub);
	default:
		return NULL;
	}
}

/* Where a grant below the home also appears in a private home: the
 * same path below $HOME (~/Downloads is $HOME/Downloads there too). */
static struct word *private_alias(struct plan *pl, const struct fs_grant *g, const char *app_id)
{
	const char *sep = *g->sub ? "/" : "";
	char tmpl[64];
	if (g->base == FS_HOME_REL)
		return plan_word(pl, "{home}/.var/app/%s/%s", app_id, g->sub);
	snprintf(tmpl, sizeof(tmpl), "{home}/.var/app/%%s/{xdgrel:%s}%%s%%s", g->xdg_name);
	return plan_word(pl, tmpl, app_id, sep, g->sub);
}

/* How a grant's source is opened: below a home the app can write, with
 * no symlink on the way; elsewhere resolved, as the checks above do. */
static enum bind_src grant_bind_src(const struct fs_grant *g, bool private_home)
{
	if (g->base == FS_XDG_RUN)
		return BS_RUNTIME;
	if ((g->base == FS_XDG || g->base == FS_HOME_REL) && !private_home)
		return BS_BELOW_HOME;
	return BS_RESOLVED;
}

/* home_writable: the grant's mount point is made in a home the app can
 * write (a writable home grant); a private home's host paths are in a
 * fresh tmpfs, its aliases in the app's own directory. */
static void add_grant(struct plan *pl, const struct fs_grant *g, const char *private_app, bool home_writable,
		      bool service)
{
	struct word *src = grant_source(pl, g);
	struct word *dst = g->base == FS_XDG_RUN ? plan_word(pl, "/run/user/{uid}/%s", g->sub)
						 : grant_source(pl, g);
	bool in_home = g->base == FS_XDG || g->base == FS_HOME_REL;
	if (!src)
		return;
	/* Symlinks first: nothing is created through one (security.md F2). */
	if (in_home)
		plan_prep(pl, private_app ? PREP_NO_SYMLINKS_PRIVATE : PREP_NO_SYMLINKS, grant_source(pl, g));
	if (g->mode == FS_CREATE)
		plan_prep(pl, PREP_CREATE_DIR, grant_source(pl, g));
	plan_prep(pl, g->base == FS_XDG_RUN ? PREP_CHECK_RUNTIME_PATH : PREP_CHECK_PATH, grant_source(pl, g));
	/* A service has no home to protect (and its launcher no $home). */
	if (g->base == FS_ABS && !service)
		plan_prep(pl, PREP_OUTSIDE_HOME, grant_source(pl, g));
	if (g->mode != FS_RO && g->base != FS_XDG_RUN && !service)
		plan_prep(pl, PREP_CHECK_WRITABLE, grant_source(pl, g));
	plan_bind_fd(pl, g->mode == FS_RO, grant_bind_src(g, private_app), src, dst, in_home && home_writable);
	/* The alias's mount point would be made where the app can plant
	 * symbolic links: bwrap before 0.12 follows them, so it goes only
	 * where bwrap resolves inside the sandbox (plan.h, bind_alias). */
	if (in_home && private_app)
		plan_bind_fd(pl, g->mode == FS_RO, grant_bind_src(g, private_app), grant_source(pl, g),
			     private_alias(pl, g, private_app), false)
			->bind_alias = true;
}

void add_filesystem_grants(struct plan *pl, const struct policy *p)
{
	enum fs_mode mode = FS_RW;
	bool private_home = !p->service && !home_granted(p, &mode);
	for (size_t i = 0; i < p->nfs; i++) {
		const struct fs_grant *g = &p->fs[i];
		if (g->base == FS_HOST)
			add_host_dirs(pl, g->mode);
		/* host-os and host-etc: already bound read-only; home: above. */
		add_grant(pl, g, private_home ? p->app_id : NULL, !private_home && mode != FS_RO, p->service);
	}
	if (private_home)
		plan_op(pl, "--remount-ro", plan_word(pl, "{home}"), NULL);
}
