/* The home directory and filesystem grants.
 *
 * Without a home grant the app's home is private and persistent: host
 * ~/.var/app/APP-ID is bound at $HOME, so everything the app writes to its
 * home lands there. With `home` (or `host`) the real home is bound, and
 * ~/.var/app/APP-ID holds the XDG base directories, as in Flatpak. */
#include <stdio.h>
#include <string.h>

#include "sandbox.h"
#include "util.h"

static bool home_granted(const struct policy *p, enum fs_mode *mode)
{
	for (size_t i = 0; i < p->nfs; i++) {
		if (p->fs[i].base == FS_HOME || p->fs[i].base == FS_HOST) {
			*mode = p->fs[i].mode;
			return true;
		}
	}
	return false;
}

static void add_private_home(struct plan *pl, const struct policy *p)
{
	plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s", p->app_id));
	plan_bind_fd(pl, false, BS_BELOW_HOME, plan_word(pl, "{home}/.var/app/%s", p->app_id), plan_word(pl, "{home}"),
		     false);
}

static void add_real_home(struct plan *pl, const struct policy *p, enum fs_mode mode)
{
	static const char *const base[][2] = {
		{"XDG_CONFIG_HOME", "config"}, {"XDG_DATA_HOME", "data"},
		{"XDG_CACHE_HOME", "cache"}, {"XDG_STATE_HOME", ".local/state"},
	};
	plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s", p->app_id));
	plan_op(pl, mode == FS_RO ? "--ro-bind" : "--bind", plan_word(pl, "{home}"), plan_word(pl, "{home}"));
	/* Other apps' private data stays private. */
	plan_op(pl, "--tmpfs", plan_word(pl, "{home}/.var/app"), NULL);
	plan_op(pl, "--bind", plan_word(pl, "{home}/.var/app/%s", p->app_id),
		plan_word(pl, "{home}/.var/app/%s", p->app_id));
	for (size_t i = 0; i < sizeof(base) / sizeof(*base); i++) {
		plan_prep(pl, PREP_PRIVATE_DIR, plan_word(pl, "{home}/.var/app/%s/%s", p->app_id, base[i][1]));
		plan_op(pl, "--setenv", plan_word(pl, "%s", base[i][0]),
			plan_word(pl, "{home}/.var/app/%s/%s", p->app_id, base[i][1]));
	}
	if (mode != FS_RO)
		for (const char *const *f = fs_home_protected; *f; f++)
			if (strcmp(*f, ".var")) /* the app's own data is in there */
				plan_op(pl, "--ro-bind-try", plan_word(pl, "{home}/%s", *f), plan_word(pl, "{home}/%s", *f));	/* persistent: Flatpak's --persist applies only to a private home, and
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

static void add_grant(struct plan *pl, const struct fs_grant *g, bool private_home, bool home_writable)
{
	struct word *src = grant_source(pl, g);
	struct word *dst = g->base == FS_XDG_RUN ? plan_word(pl, "/run/user/{uid}/%s", g->sub)
						 : grant_source(pl, g);
	if (!src)
		return;
	/* Symlinks first: nothing is created through one (security.md F2). */
	if (g->base == FS_XDG || g->base == FS_HOME_REL)
		plan_prep(pl, private_home ? PREP_NO_SYMLINKS_PRIVATE : PREP_NO_SYMLINKS, grant_source(pl, g));
	if (g->mode == FS_CREATE)
		plan_prep(pl, PREP_CREATE_DIR, grant_source(pl, g));
	plan_prep(pl, g->base == FS_XDG_RUN ? PREP_CHECK_RUNTIME_PATH : PREP_CHECK_PATH, grant_source(pl, g));
	plan_bind_fd(pl, g->mode == FS_RO, grant_bind_src(g, private_home), src, dst,
		     home_writable && (g->base == FS_XDG || g->base == FS_HOME_REL));
}

void add_filesystem_grants(struct plan *pl, const struct policy *p)
{
	enum fs_mode mode = FS_RW;
	bool private_home = !home_granted(p, &mode);
	for (size_t i = 0; i < p->nfs; i++) {
		const struct fs_grant *g = &p->fs[i];
		if (g->base == FS_HOST)
			add_host_dirs(pl, g->mode);
		/* host-os and host-etc: already bound read-only; home: above. */
		add_grant(pl, g, private_home, private_home || mode != FS_RO);
	}
}
