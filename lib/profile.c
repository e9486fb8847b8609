#include "profile.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "busrules.h"
#include "caps.h"
#include "fsgrant.h"
#include "escape.h"
#include "names.h"
#include "util.h"
#include "yamltree.h"

struct loader {
	struct diag *d;
	struct policy *p;
	enum profile_kind kind;
};

typedef void (*key_fn)(struct loader *l, const struct ynode *v);

static void bad(struct loader *l, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad(struct loader *l, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(l->d, n->line, n->col, fmt, ap);
	va_end(ap);
}

static const char *kind_name(const struct ynode *n)
{
	return n->kind == Y_MAP ? "a mapping" : n->kind == Y_SEQ ? "a list" : "a value";
}

static bool want_string(struct loader *l, const struct ynode *n, const char *what)
{
	if (n->kind != Y_SCALAR) {
		bad(l, n, "%s must be a value, not %s", what, kind_name(n));
		return false;
	}
	if (ynode_is_null(n)) {
		bad(l, n, "%s is empty", what);
		return false;
	}
	return true;
}

static bool want_list(struct loader *l, const struct ynode *n, const char *key)
{
	if (n->kind == Y_SEQ)
		return true;
	bad(l, n, "'%s' must be a list (e.g. %s: [a, b]), not %s", key, key, kind_name(n));
	return false;
}

static void load_app_id(struct loader *l, const struct ynode *v)
{
	if (!want_string(l, v, "app-id"))
		return;
	cleanup_free char *why = app_id_problem(v->str);
	if (why)
		bad(l, v, "%s", why);
	else
		l->p->app_id = xstrdup(v->str);
}

static void load_command(struct loader *l, const struct ynode *v)
{
	if (!want_string(l, v, "command"))
		return;
	for (const char *c = v->str; *c; c++) {
		if ((unsigned char)*c < 0x20) {
			bad(l, v, "control characters are not allowed in command");
			return;
		}
	}
	if (v->str[0] != '/' || !v->str[1] || str_has_suffix(v->str, "/") || strstr(v->str, "/../") ||
	    str_has_suffix(v->str, "/..")) {
		bad(l, v, "command must be an absolute path without '..', got '%s'", v->str);
		return;
	}
	l->p->command = xstrdup(v->str);
}

static void load_args(struct loader *l, const struct ynode *v)
{
	if (!want_list(l, v, "args"))
		return;
	for (size_t i = 0; i < v->n; i++)
		if (want_string(l, v->kids[i], "an argument"))
			strv_push(&l->p->args, v->kids[i]->str);
}

/* type: app (the default) or service, a system daemon (sandbox.c). */
static void load_type(struct loader *l, const struct ynode *v)
{
	if (!want_string(l, v, "type"))
		return;
	if (l->kind != PROFILE_APP)
		bad(l, v, "'type' belongs in the package's profile, not in an override");
	else if (!strcmp(v->str, "service"))
		l->p->service = true;
	else if (strcmp(v->str, "app"))
		bad(l, v, "unknown type '%s' (known: app, service)", v->str);
}

static void load_capabilities(struct loader *l, const struct ynode *v)
{
	if (!want_list(l, v, "capabilities"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		if (!want_string(l, it, "a capability"))
			continue;
		if (!cap_name_valid(it->str))
			bad(l, it, "unknown capability '%s' (the kernel's name, e.g. CAP_NET_ADMIN)", it->str);
		else if (strv_find(&l->p->capabilities, it->str) < 0)
			strv_push(&l->p->capabilities, it->str);
	}
}

/* A service runs as root under OpenRC: nothing of a user's session. */
static void check_service(struct loader *l)
{
	const unsigned session_sockets = SOCK_WAYLAND | SOCK_X11 | SOCK_FALLBACK_X11 | SOCK_PULSEAUDIO |
		SOCK_PIPEWIRE | SOCK_SESSION_BUS | SOCK_SSH_AUTH | SOCK_GPG_AGENT;
	const struct policy *p = l->p;
	if (!p->service) {
		if (p->capabilities.n)
			diag_at(l->d, 0, 0, "'capabilities' needs 'type: service'");
		return;
	}
	for (size_t i = 0; i < p->nfs; i++) {
		enum fs_base b = p->fs[i].base;
		if (b == FS_HOST || b == FS_HOME || b == FS_XDG || b == FS_XDG_RUN || b == FS_HOME_REL)
			diag_at(l->d, p->fs[i].line, p->fs[i].col,
				"a service has no home or session: grant absolute paths only (e.g. /var/lib/NAME:create)");
	}
	if (p->sockets.grant & session_sockets)
		diag_at(l->d, 0, 0, "a service has no session: only the sockets system-bus, pcsc and cups");
	if (p->session_bus.present)
		diag_at(l->d, 0, 0, "a service has no session bus: use system-bus");
	if (p->persistent.n)
		diag_at(l->d, 0, 0, "a service has no home: 'persistent' does not apply; grant /var/lib/NAME:create");
}

#define DENIAL_IN_PROFILE "'!' denials belong in overrides; a profile just leaves the permission out"

/* Splits "!name": a denial, allowed in overrides only. */
static bool split_denial(enum profile_kind kind, const char **name, char **why)
{
	if ((*name)[0] != '!')
		return false;
	if (kind != PROFILE_OVERRIDE)
		*why = xstrdup(DENIAL_IN_PROFILE);
	(*name)++;
	return true;
}

static char *add_flag(enum profile_kind kind, const char *key, const struct flag_name *names,
		      struct flagset *set, const char *item)
{
	const char *name = item;
	char *why = NULL;
	bool deny = split_denial(kind, &name, &why);
	if (why)
		return why;
	if (!strcmp(name, "reset") && kind == PROFILE_OVERRIDE) {
		if (deny)
			return xstrdup("'reset' cannot be denied");
		set->reset = true;
		return NULL;
	}
	const struct flag_name *f = names;
	while (f->name && strcmp(f->name, name))
		f++;
	if (!f->name) {
		struct buf known = {0};
		for (f = names; f->name; f++)
			buf_addf(&known, "%s%s", known.len ? ", " : "", f->name);
		why = xasprintf("unknown %s '%s' (known: %s)", key, name, known.s);
		buf_clear(&known);
		return why;
	}
	if (deny)
		set->deny |= f->bit;
	else
		set->grant |= f->bit;
	return NULL;
}

/* The reason alone: the loader says "filesystem 'SPEC': " before it. */
static char *add_filesystem(struct policy *p, enum profile_kind kind, const char *item)
{
	struct fs_grant g;
	char *why;
	if (kind == PROFILE_OVERRIDE && (!strcmp(item, "reset") || !strcmp(item, "!host:reset"))) {
		/* Flatpak's spelling of a reset (CVE-2022-21682) is both. */
		p->fs_reset = true;
		if (!strcmp(item, "reset"))
			return NULL;
		item = "!host";
	}
	if (!fs_grant_parse(item, &g, &why))
		return why;
	if (g.deny && kind != PROFILE_OVERRIDE) {
		fs_grant_clear(&g);
		return xstrdup(DENIAL_IN_PROFILE);
	}
	p->fs = xrealloc(p->fs, (p->nfs + 1) * sizeof(*p->fs));
	p->fs[p->nfs++] = g;
	return NULL;
}

static char *add_persistent(struct policy *p, const char *s)
{
	size_t meaningful = strspn(s, "./");
	if (strpbrk(s, "\n\t"))
		return xstrdup("control characters are not allowed in a persistent path");
	if (s[0] == '/' || s[0] == '~' || !strcmp(s, "..") || str_has_prefix(s, "../") ||
	    strstr(s, "/../") || str_has_suffix(s, "/..") || s[meaningful] == '\0')
		return xasprintf("persistent path '%s' must be relative to the home, without '..'", s);
	char *why = fs_path_too_long(s);
	if (why)
		return why;
	strv_push(&p->persistent, s);
	return NULL;
}

static char *add_unset_env(struct policy *p, const char *name)
{
	if (!env_name_valid(name))
		return xasprintf("'%s' is not a valid environment variable name", name);
	strv_push(&p->unset_env, name);
	return NULL;
}

static const char *const bus_keys[] = {"see", "talk", "own", "call", "broadcast"};

static char *add_bus_name(enum profile_kind kind, enum bus_level level, struct bus_policy *b,
			  const char *item)
{
	struct strv *dst[] = {&b->see, &b->talk, &b->own, &b->call, &b->broadcast};
	const char *key = bus_keys[level], *name = item, *bad_name, *refused;
	char *why = NULL;
	bool deny = split_denial(kind, &name, &why);
	if (why)
		return why;
	cleanup_free char *bus = xstrdup(name);
	if (level == BUS_CALL || level == BUS_BROADCAST) {
		char *eq = strchr(bus, '=');
		if (!eq)
			return xasprintf("'%s' rule '%s' must be NAME=[METHOD][@PATH]", key, name);
		*eq = '\0';
	}
	if (!bus_name_valid(bus, true, &bad_name))
		return xasprintf("bus name '%s' %s", bus, bad_name);
	if (!deny && (refused = bus_name_refused(level, bus)))
		return xasprintf("refusing %s '%s': %s", key, bus, refused);
	strv_push(deny ? &b->none : dst[level], deny ? bus : name);
	/* An override with only denials does not give the app a bus. */
	if (!deny)
		b->present = true;
	return NULL;
}

char *policy_add_env(struct policy *p, const char *name, const char *value)
{
	if (!env_name_valid(name))
		return xasprintf("'%s' is not a valid environment variable name", name);
	strv_push(&p->env_names, name);
	strv_push(&p->env_values, value);
	return NULL;
}

char *policy_add_item(struct policy *p, enum profile_kind kind, const char *key, const char *item)
{
	static const struct {
		const char *key;
		const struct flag_name *names;
		size_t offset;
	} sets[] = {
		{"shared", share_names, offsetof(struct policy, shared)},
		{"sockets", socket_names, offsetof(struct policy, sockets)},
		{"devices", device_names, offsetof(struct policy, devices)},
		{"features", feature_names, offsetof(struct policy, features)},
	};
	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++)
		if (!strcmp(key, sets[i].key))
			return add_flag(kind, key, sets[i].names, (struct flagset *)((char *)p + sets[i].offset), item);
	if (!strcmp(key, "filesystems"))
		return add_filesystem(p, kind, item);
	if (!strcmp(key, "persistent"))
		return add_persistent(p, item);
	if (!strcmp(key, "unset-environment"))
		return add_unset_env(p, item);
	const char *dot = strchr(key, '.');
	struct bus_policy *b = !dot ? NULL
			     : !strncmp(key, "session-bus.", 12) ? &p->session_bus
			     : !strncmp(key, "system-bus.", 11) ? &p->system_bus : NULL;
	for (size_t j = 0; b && j < 5; j++)
		if (!strcmp(dot + 1, bus_keys[j]))
			return add_bus_name(kind, (enum bus_level)j, b, item);
	return xasprintf("unknown key '%s'", key);
}

/* One list of items, each through policy_add_item. */
static void load_items(struct loader *l, const struct ynode *v, const char *key, const char *what)
{
	const char *list_key = strchr(key, '.') ? strchr(key, '.') + 1 : key;
	if (!want_list(l, v, list_key))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		if (!want_string(l, it, what ? what : key))
			continue;
		size_t nfs = l->p->nfs;
		cleanup_free char *why = policy_add_item(l->p, l->kind, key, it->str);
		if (why && !strcmp(key, "filesystems") && strcmp(why, DENIAL_IN_PROFILE))
			bad(l, it, "filesystem '%s': %s", it->str, why);
		else if (why)
			bad(l, it, "%s", why);
		else if (l->p->nfs > nfs) {
			l->p->fs[nfs].line = it->line;
			l->p->fs[nfs].col = it->col;
		}
	}
}

static void load_shared(struct loader *l, const struct ynode *v) { load_items(l, v, "shared", NULL); }
static void load_sockets(struct loader *l, const struct ynode *v) { load_items(l, v, "sockets", NULL); }
static void load_devices(struct loader *l, const struct ynode *v) { load_items(l, v, "devices", NULL); }
static void load_features(struct loader *l, const struct ynode *v) { load_items(l, v, "features", NULL); }

static void load_filesystems(struct loader *l, const struct ynode *v) { load_items(l, v, "filesystems", "a filesystem"); }
static void load_persistent(struct loader *l, const struct ynode *v) { load_items(l, v, "persistent", "a persistent path"); }

static void load_environment(struct loader *l, const struct ynode *v)
{
	if (v->kind != Y_MAP) {
		bad(l, v, "'environment' must be a mapping (NAME: value), not %s", kind_name(v));
		return;
	}
	for (size_t i = 0; i < v->n; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];
		if (!env_name_valid(k->str)) {
			bad(l, k, "'%s' is not a valid environment variable name", k->str);
			continue;
		}
		if (val->kind != Y_SCALAR) {
			bad(l, val, "the value of %s must be a value, not %s", k->str, kind_name(val));
			continue;
		}
		if (ynode_is_null(val)) {
			bad(l, val, "%s has no value; write \"\" for an empty one, or use unset-environment", k->str);
			continue;
		}
		free(policy_add_env(l->p, k->str, val->str)); /* the name was checked above */
	}
}

static void load_unset_env(struct loader *l, const struct ynode *v) { load_items(l, v, "unset-environment", "a variable name"); }

static void load_bus(struct loader *l, const struct ynode *v, const char *section, struct bus_policy *b)
{
	if (v->kind != Y_MAP) {
		bad(l, v, "'%s' must be a mapping with own, talk, see, call, broadcast", section);
		return;
	}
	/* A profile's section, even empty, asks for the bus; an override's
	 * grants do (policy_add_item), its denials alone do not. */
	if (l->kind != PROFILE_OVERRIDE)
		b->present = true;
	for (size_t i = 0; i < v->n; i += 2) {
		const struct ynode *k = v->kids[i];
		size_t j = 0;
		while (j < 5 && strcmp(bus_keys[j], k->str))
			j++;
		if (j == 5) {
			bad(l, k, "unknown key '%s' in %s (expected own, talk, see, call, broadcast)", k->str, section);
			continue;
		}
		cleanup_free char *key = xasprintf("%s.%s", section, bus_keys[j]);
		load_items(l, v->kids[i + 1], key, "a bus name");
	}
}

static void load_session_bus(struct loader *l, const struct ynode *v) { load_bus(l, v, "session-bus", &l->p->session_bus); }
static void load_system_bus(struct loader *l, const struct ynode *v) { load_bus(l, v, "system-bus", &l->p->system_bus); }

static const struct {
	const char *key;
	key_fn load;
} keys[] = {
	{"app-id", load_app_id},
	{"type", load_type},
	{"command", load_command},
	{"args", load_args},
	{"shared", load_shared},
	{"sockets", load_sockets},
	{"devices", load_devices},
	{"features", load_features},
	{"filesystems", load_filesystems},
	{"persistent", load_persistent},
	{"environment", load_environment},
	{"unset-environment", load_unset_env},
	{"session-bus", load_session_bus},
	{"system-bus", load_system_bus},
	{"capabilities", load_capabilities},
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void unknown_key(struct loader *l, const struct ynode *k)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		size_t d = edit_distance(k->str, keys[i].key);
		if (d < best_d) {
			best_d = d;
			best = keys[i].key;
		}
	}
	if (best)
		bad(l, k, "unknown key '%s'; did you mean '%s'?", k->str, best);
	else
		bad(l, k, "unknown key '%s'", k->str);
}

static void load_root(struct loader *l, const struct ynode *root)
{
	if (ynode_is_null(root)) {
		diag_at(l->d, 0, 0, "the profile is empty");
		return;
	}
	if (root->kind != Y_MAP) {
		bad(l, root, "a profile is a mapping of keys (app-id, command, ...), not %s", kind_name(root));
		return;
	}
	for (size_t i = 0; i < root->n; i += 2) {
		const struct ynode *k = root->kids[i];
		size_t j = 0;
		while (j < sizeof(keys) / sizeof(*keys) && strcmp(keys[j].key, k->str))
			j++;
		if (j == sizeof(keys) / sizeof(*keys))
			unknown_key(l, k);
		else
			keys[j].load(l, root->kids[i + 1]);
	}
	if (l->kind == PROFILE_APP && !diag_failed(l->d)) {
		if (!l->p->app_id)
			diag_at(l->d, 0, 0, "missing required key 'app-id'");
		if (!l->p->command)
			diag_at(l->d, 0, 0, "missing required key 'command'");
		check_service(l);
	}
}

int profile_load_buf(const char *buf, size_t len, enum profile_kind kind,
		     struct policy *out, struct diag *d)
{
	struct ynode *root = ytree_parse(buf, len, d);
	*out = (struct policy){0};
	if (root) {
		struct loader l = {.d = d, .p = out, .kind = kind};
		load_root(&l, root);
		ynode_free(root);
	}
	if (diag_failed(d)) {
		policy_free(out);
		return -1;
	}
	out->path = xstrdup(d->file);
	return 0;
}

int profile_load_fd(int fd, enum profile_kind kind, struct policy *out, struct diag *d)
{
	size_t len;
	struct stat st;
	/* The name reaches launchers' comments and exported files. */
	if (has_control_char(d->file)) {
		diag_at(d, 0, 0, "refusing a profile whose file name holds control characters");
		*out = (struct policy){0};
		return -1;
	}
	if (fstat(fd, &st) == 0 && st.st_size > YAML_MAX_FILE) {
		diag_at(d, 0, 0, "file too large (%lld bytes, at most %d)", (long long)st.st_size, YAML_MAX_FILE);
		*out = (struct policy){0};
		return -1;
	}
	cleanup_free char *buf = read_all_fd(fd, YAML_MAX_FILE, &len);
	if (!buf) {
		diag_at(d, 0, 0, "cannot read: %s", strerror(errno));
		*out = (struct policy){0};
		return -1;
	}
	return profile_load_buf(buf, len, kind, out, d);
}
