#include "config.h"
#include "override.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "profile.h"
#include "trust.h"
#include "util.h"


const char *const layer_names[LAYER_N] = {"profile", "system override", "user override", "command line"};

static bool has_user_config_dir(void)
{
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	return (cfg && cfg[0] == '/') || (home && home[0] == '/');
}

char *override_dir(bool system)
{
	if (system) {
		const char *dir = getenv("BOXWRAP_SYSTEM_OVERRIDES");
		return xstrdup(dir && dir[0] == '/' ? dir : BOXWRAP_SYSCONFDIR "/boxwrap/overrides");
	}
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (cfg && cfg[0] == '/')
		return xasprintf("%s/boxwrap/overrides", cfg);
	if (home && home[0] == '/')
		return xasprintf("%s/.config/boxwrap/overrides", home);
	die("neither XDG_CONFIG_HOME nor HOME is set: cannot find the user's overrides");
}

char *override_file(bool system, const char *app_id)
{
	cleanup_free char *dir = override_dir(system);
	return xasprintf("%s/%s.yaml", dir, app_id);
}

bool override_load(const char *path, struct policy *out)
{
	char *why;
	*out = (struct policy){0};
	cleanup_fd int fd = trusted_open(path, "an override", &why);
	if (fd < 0 && !why)
		return false;
	if (fd < 0) {
		cleanup_free char *msg = why;
		struct diag d = {.file = path};
		diag_at(&d, 0, 0, "%s", msg);
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	struct diag d = {.file = path};
	if (profile_load_fd(fd, PROFILE_OVERRIDE, out, &d) == 0 &&
	    (out->app_id || out->command || out->args.n || out->service || out->capabilities.n)) {
		/* What the app is and runs belongs to its profile (and
		 * --command); an override only grants and denies. */
		diag_at(&d, 0, 0, "an override may not set app-id, command, args, type or capabilities");
		policy_free(out);
	}
	if (diag_failed(&d)) {
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	return true;
}

/* ---- command-line options -------------------------------------------- */

static const struct cli_opt {
	const char *name, *key;
	bool deny;
} cli_opts[] = {
	{"share", "shared", false}, {"unshare", "shared", true},
	{"socket", "sockets", false}, {"nosocket", "sockets", true},
	{"device", "devices", false}, {"nodevice", "devices", true},
	{"allow", "features", false}, {"disallow", "features", true},
	{"filesystem", "filesystems", false}, {"nofilesystem", "filesystems", true},
	{"persist", "persistent", false},
	{"env", "environment", false}, {"unset-env", "unset-environment", false},
	{"own-name", "session-bus.own", false}, {"talk-name", "session-bus.talk", false},
	{"see-name", "session-bus.see", false}, {"no-talk-name", "session-bus.talk", true},
	{"system-own-name", "system-bus.own", false}, {"system-talk-name", "system-bus.talk", false},
	{"system-see-name", "system-bus.see", false}, {"system-no-talk-name", "system-bus.talk", true},
};
#define N_CLI_OPTS (sizeof(cli_opts) / sizeof(*cli_opts))

const char *const override_option_names[N_CLI_OPTS + 1] = {
	"share", "unshare", "socket", "nosocket", "device", "nodevice", "allow", "disallow",
	"filesystem", "nofilesystem", "persist", "env", "unset-env", "own-name", "talk-name",
	"see-name", "no-talk-name", "system-own-name", "system-talk-name", "system-see-name",
	"system-no-talk-name", NULL,
};

/* The option's item in the one-option layer. */
static char *option_layer(const struct cli_opt *o, const char *value, struct policy *one)
{
	if (value[0] == '!')
		return xstrdup(o->deny ? "'!' is not allowed here: this option already denies"
				       : "'!' is not allowed here: use the option's no-form to deny");
	if (!strcmp(o->key, "environment")) {
		const char *eq = strchr(value, '=');
		if (!eq)
			return xstrdup("--env needs VAR=VALUE");
		cleanup_free char *name = xstrndup(value, eq - value);
		return policy_add_env(one, name, eq + 1);
	}
	bool fs = !strcmp(o->key, "filesystems"), resettable = fs || o->deny;
	bool reset = resettable && (!strcmp(value, "reset") || (fs && !strcmp(value, "host:reset")));
	if (reset && !o->deny)
		return xasprintf("'%s' goes with the option that denies (--nofilesystem=%s)", value, value);
	if (reset && strchr(o->key, '.'))
		return xstrdup("bus names have no reset");
	cleanup_free char *item = reset && !strcmp(value, "host:reset") ? xstrdup("!host:reset")
				: reset ? xstrdup("reset")
				: xasprintf("%s%s", o->deny ? "!" : "", value);
	return policy_add_item(one, PROFILE_OVERRIDE, o->key, item);
}

char *override_option(struct policy *layer, const char *opt, const char *value)
{
	const struct cli_opt *o = NULL;
	for (size_t i = 0; i < N_CLI_OPTS; i++)
		if (!strcmp(cli_opts[i].name, opt))
			o = &cli_opts[i];
	if (!o)
		return xasprintf("unknown option --%s", opt);
	struct policy one = {0};
	char *why = option_layer(o, value, &one);
	if (why) {
		policy_free(&one);
		return why;
	}
	/* The same text checks as an override file (control and invisible
	 * characters, lengths): the option as a file, read back. */
	cleanup_free char *yaml = override_to_yaml(&one, NULL);
	struct policy back;
	struct diag d = {.file = ""};
	if (profile_load_buf(yaml, strlen(yaml), PROFILE_OVERRIDE, &back, &d) < 0) {
		/* ":LINE:COL: message" or ": message" -> message */
		const char *m = d.msgs.v[0] + strspn(d.msgs.v[0], ":0123456789");
		why = xstrdup(*m == ' ' ? m + 1 : m);
		diag_clear(&d);
		policy_free(&one);
		return why;
	}
	policy_free(&back);
	policy_layer_update(layer, &one);
	policy_free(&one);
	return NULL;
}

/* ---- writing an override file ------------------------------------------ */

static void quoted(struct buf *o, const char *s)
{
	buf_addc(o, '"');
	for (; *s; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\')
			buf_addf(o, "\\%c", c);
		else if (c == '\n')
			buf_adds(o, "\\n");
		else if (c == '\t')
			buf_adds(o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(o, "\\x%02x", c);
		else
			buf_addc(o, (char)c);
	}
	buf_addc(o, '"');
}

static void item(struct buf *o, bool *first, const char *prefix, const char *s)
{
	buf_adds(o, *first ? "" : ", ");
	*first = false;
	cleanup_free char *v = xasprintf("%s%s", prefix, s);
	quoted(o, v);
}

static void flags_yaml(struct buf *o, const char *key, const struct flag_name *names, const struct flagset *f)
{
	if (!f->reset && !f->grant && !f->deny)
		return;
	bool first = true;
	buf_addf(o, "%s: [", key);
	if (f->reset)
		item(o, &first, "", "reset");
	for (const struct flag_name *n = names; n->name; n++)
		if ((f->grant & n->bit) && !(f->deny & n->bit))
			item(o, &first, "", n->name);
	for (const struct flag_name *n = names; n->name; n++)
		if (f->deny & n->bit)
			item(o, &first, "!", n->name);
	buf_adds(o, "]\n");
}

static void strv_yaml(struct buf *o, const char *indent, const char *key, const struct strv *sv,
		      const char *prefix, const struct strv *more)
{
	if (!sv->n && !(more && more->n))
		return;
	bool first = true;
	buf_addf(o, "%s%s: [", indent, key);
	for (size_t i = 0; i < sv->n; i++)
		item(o, &first, "", sv->v[i]);
	for (size_t i = 0; more && i < more->n; i++)
		item(o, &first, prefix, more->v[i]);
	buf_adds(o, "]\n");
}

static void bus_yaml(struct buf *o, const char *section, const struct bus_policy *b)
{
	if (!b->own.n && !b->talk.n && !b->see.n && !b->call.n && !b->broadcast.n && !b->none.n)
		return;
	buf_addf(o, "%s:\n", section);
	strv_yaml(o, "  ", "own", &b->own, NULL, NULL);
	/* denials go with talk: the loader takes "!NAME" from any level */
	strv_yaml(o, "  ", "talk", &b->talk, "!", &b->none);
	strv_yaml(o, "  ", "see", &b->see, NULL, NULL);
	strv_yaml(o, "  ", "call", &b->call, NULL, NULL);
	strv_yaml(o, "  ", "broadcast", &b->broadcast, NULL, NULL);
}

char *override_to_yaml(const struct policy *p, const char *app_id)
{
	struct buf o = {0};
	if (app_id)
		buf_addf(&o, "# boxwrap override for %s, written by boxwrap override\n", app_id);
	size_t header = o.len;
	flags_yaml(&o, "shared", share_names, &p->shared);
	flags_yaml(&o, "sockets", socket_names, &p->sockets);
	flags_yaml(&o, "devices", device_names, &p->devices);
	flags_yaml(&o, "features", feature_names, &p->features);
	if (p->fs_reset || p->nfs) {
		bool first = true;
		buf_adds(&o, "filesystems: [");
		if (p->fs_reset)
			item(&o, &first, "", "reset");
		for (size_t i = 0; i < p->nfs; i++) {
			const struct fs_grant *g = &p->fs[i];
			cleanup_free char *key = fs_grant_key(g);
			cleanup_free char *spec = g->deny ? xasprintf("!%s", key)
					       : g->mode == FS_RW ? xstrdup(key)
					       : xasprintf("%s:%s", key, fs_mode_name(g->mode));
			item(&o, &first, "", spec);
		}
		buf_adds(&o, "]\n");
	}
	strv_yaml(&o, "", "persistent", &p->persistent, NULL, NULL);
	if (p->env_names.n) {
		buf_adds(&o, "environment:\n");
		for (size_t i = 0; i < p->env_names.n; i++) {
			buf_adds(&o, "  ");
			quoted(&o, p->env_names.v[i]);
			buf_adds(&o, ": ");
			quoted(&o, p->env_values.v[i]);
			buf_addc(&o, '\n');
		}
	}
	strv_yaml(&o, "", "unset-environment", &p->unset_env, NULL, NULL);
	bus_yaml(&o, "session-bus", &p->session_bus);
	bus_yaml(&o, "system-bus", &p->system_bus);
	if (o.len == header)
		buf_adds(&o, "{}\n"); /* nothing: an empty mapping, which loads */
	return buf_steal(&o);
}

/* ---- the layers of one launch ----------------------------------------- */

static void mkdir_p(const char *dir)
{
	cleanup_free char *d = xstrdup(dir);
	for (char *s = strchr(d + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			die_errno("cannot create %s", d);
		if (!s)
			return;
		*s = '/';
	}
}

void override_save(bool system, const char *app_id, const struct policy *layer)
{
	cleanup_free char *dir = override_dir(system);
	cleanup_free char *path = xasprintf("%s/%s.yaml", dir, app_id);
	cleanup_free char *yaml = override_to_yaml(layer, app_id);
	struct policy back;
	struct diag d = {.file = path};
	if (profile_load_buf(yaml, strlen(yaml), PROFILE_OVERRIDE, &back, &d) < 0) {
		diag_print(&d);
		die("refusing to write an override the loader would not read back");
	}
	cleanup_free char *again = override_to_yaml(&back, app_id);
	policy_free(&back);
	if (strcmp(again, yaml))
		die("refusing to write an override that would not read back the same");
	mkdir_p(dir);
	if (write_file_atomic(path, yaml, strlen(yaml), 0644) < 0)
		die_errno("cannot write %s", path);
}

void layers_load_overrides(struct layers *ls, bool system, bool user)
{
	const char *app_id = ls->layer[LAYER_PROFILE].app_id;
	for (int sys = 1; sys >= 0; sys--) {
		enum layer_id id = sys ? LAYER_SYSTEM : LAYER_USER;
		if (sys ? !system : !user)
			continue;
		/* A system service has no user; nor does a launch without HOME. */
		if (!sys && (ls->layer[LAYER_PROFILE].service || !has_user_config_dir()))
			continue;
		char *path = override_file(sys, app_id);
		ls->have[id] = override_load(path, &ls->layer[id]);
		if (ls->have[id])
			ls->path[id] = path;
		else
			free(path);
	}
}

/* The system override's denials alone, as a layer. */
static void denials_of(const struct policy *l, struct policy *out)
{
	*out = (struct policy){0};
	out->shared.deny = l->shared.deny;
	out->sockets.deny = l->sockets.deny;
	out->devices.deny = l->devices.deny;
	out->features.deny = l->features.deny;
	for (size_t i = 0; i < l->nfs; i++) {
		if (!l->fs[i].deny)
			continue;
		out->fs = xrealloc(out->fs, (out->nfs + 1) * sizeof(*out->fs));
		out->fs[out->nfs] = l->fs[i];
		out->fs[out->nfs++].sub = xstrdup(l->fs[i].sub);
	}
	for (size_t i = 0; i < l->session_bus.none.n; i++)
		strv_push(&out->session_bus.none, l->session_bus.none.v[i]);
	for (size_t i = 0; i < l->system_bus.none.n; i++)
		strv_push(&out->system_bus.none, l->system_bus.none.v[i]);
}

void layers_merge(const struct layers *ls, struct policy *eff)
{
	*eff = (struct policy){0};
	for (int i = 0; i < LAYER_N; i++)
		if (ls->have[i])
			policy_merge(eff, &ls->layer[i]);
	/* What the administrator denies, no user override or option grants
	 * back: the system override's denials come last again. */
	if (ls->have[LAYER_SYSTEM]) {
		struct policy d;
		denials_of(&ls->layer[LAYER_SYSTEM], &d);
		policy_merge(eff, &d);
		policy_free(&d);
	}
}

void layers_free(struct layers *ls)
{
	for (int i = 0; i < LAYER_N; i++) {
		policy_free(&ls->layer[i]);
		free(ls->path[i]);
	}
	strv_clear(&ls->cmdline);
	*ls = (struct layers){0};
}
