#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "busrules.h"
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
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		die_oom();
	va_end(ap);
	diag_at(l->d, n->line, n->col, "%s", msg);
	free(msg);
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

/* Splits "!name" in overrides; a '!' in a package profile is an error. */
static bool denial(struct loader *l, const struct ynode *n, const char **name)
{
	*name = n->str;
	if (n->str[0] != '!')
		return false;
	if (l->kind != PROFILE_OVERRIDE)
		bad(l, n, "'!' denials belong in overrides; a profile just leaves the permission out");
	(*name)++;
	return true;
}

static void load_app_id(struct loader *l, const struct ynode *v)
{
	const char *why;
	if (!want_string(l, v, "app-id"))
		return;
	if (!app_id_valid(v->str, &why))
		bad(l, v, "app-id '%s' %s", v->str, why);
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

static void load_flags(struct loader *l, const struct ynode *v, const char *key,
		       const struct flag_name *names, struct flagset *set)
{
	if (!want_list(l, v, key))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		const char *name;
		if (!want_string(l, it, key))
			continue;
		bool deny = denial(l, it, &name);
		if (!strcmp(name, "reset") && l->kind == PROFILE_OVERRIDE) {
			if (deny)
				bad(l, it, "'reset' cannot be denied");
			set->reset = true;
			continue;
		}
		const struct flag_name *f = names;
		while (f->name && strcmp(f->name, name))
			f++;
		if (!f->name) {
			struct buf known = {0};
			for (f = names; f->name; f++)
				buf_addf(&known, "%s%s", known.len ? ", " : "", f->name);
			bad(l, it, "unknown %s '%s' (known: %s)", key, name, known.s);
			buf_clear(&known);
			continue;
		}
		if (deny)
			set->deny |= f->bit;
		else
			set->grant |= f->bit;
	}
}

static void load_shared(struct loader *l, const struct ynode *v) { load_flags(l, v, "shared", share_names, &l->p->shared); }
static void load_sockets(struct loader *l, const struct ynode *v) { load_flags(l, v, "sockets", socket_names, &l->p->sockets); }
static void load_devices(struct loader *l, const struct ynode *v) { load_flags(l, v, "devices", device_names, &l->p->devices); }
static void load_features(struct loader *l, const struct ynode *v) { load_flags(l, v, "features", feature_names, &l->p->features); }

static void load_filesystems(struct loader *l, const struct ynode *v)
{
	if (!want_list(l, v, "filesystems"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		struct fs_grant g;
		char *why;
		if (!want_string(l, it, "a filesystem"))
			continue;
		if (!strcmp(it->str, "reset") && l->kind == PROFILE_OVERRIDE) {
			l->p->fs_reset = true;
			continue;
		}
		if (!fs_grant_parse(it->str, &g, &why)) {
			bad(l, it, "filesystem '%s': %s", it->str, why);
			free(why);
			continue;
		}
		if (g.deny && l->kind != PROFILE_OVERRIDE)
			bad(l, it, "'!' denials belong in overrides; a profile just leaves the permission out");
		g.line = it->line;
		g.col = it->col;
		l->p->fs = xrealloc(l->p->fs, (l->p->nfs + 1) * sizeof(*l->p->fs));
		l->p->fs[l->p->nfs++] = g;
	}
}

static void load_persistent(struct loader *l, const struct ynode *v)
{
	if (!want_list(l, v, "persistent"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		if (!want_string(l, it, "a persistent path"))
			continue;
		const char *s = it->str;
		size_t meaningful = strspn(s, "./");
		if (strpbrk(s, "\n\t")) {
			bad(l, it, "control characters are not allowed in a persistent path");
			continue;
		}
		if (s[0] == '/' || s[0] == '~' || !strcmp(s, "..") || str_has_prefix(s, "../") ||
		    strstr(s, "/../") || str_has_suffix(s, "/..") || s[meaningful] == '\0') {
			bad(l, it, "persistent path '%s' must be relative to the home, without '..'", s);
			continue;
		}
		strv_push(&l->p->persistent, s);
	}
}

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
		strv_push(&l->p->env_names, k->str);
		strv_push(&l->p->env_values, val->str);
	}
}

static void load_unset_env(struct loader *l, const struct ynode *v)
{
	if (!want_list(l, v, "unset-environment"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		if (!want_string(l, it, "a variable name"))
			continue;
		if (!env_name_valid(it->str))
			bad(l, it, "'%s' is not a valid environment variable name", it->str);
		else
			strv_push(&l->p->unset_env, it->str);
	}
}

static void load_bus_names(struct loader *l, const struct ynode *v, const char *key,
			   enum bus_level level, struct bus_policy *b)
{
	struct strv *dst[] = {&b->see, &b->talk, &b->own, &b->call, &b->broadcast};
	if (!want_list(l, v, key))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		const char *name, *why, *refused;
		if (!want_string(l, it, "a bus name"))
			continue;
		bool deny = denial(l, it, &name);
		cleanup_free char *bus = xstrdup(name);
		if (level == BUS_CALL || level == BUS_BROADCAST) {
			char *eq = strchr(bus, '=');
			if (!eq) {
				bad(l, it, "'%s' rule '%s' must be NAME=[METHOD][@PATH]", key, name);
				continue;
			}
			*eq = '\0';
		}
		if (!bus_name_valid(bus, true, &why)) {
			bad(l, it, "bus name '%s' %s", bus, why);
			continue;
		}
		if (!deny && (refused = bus_name_refused(level, bus))) {
			bad(l, it, "refusing %s '%s': %s", key, bus, refused);
			continue;
		}
		strv_push(deny ? &b->none : dst[level], deny ? bus : name);
	}
}

static void load_bus(struct loader *l, const struct ynode *v, const char *section, struct bus_policy *b)
{
	static const char *const keys[] = {"see", "talk", "own", "call", "broadcast"};
	if (v->kind != Y_MAP) {
		bad(l, v, "'%s' must be a mapping with own, talk, see, call, broadcast", section);
		return;
	}
	b->present = true;
	for (size_t i = 0; i < v->n; i += 2) {
		const struct ynode *k = v->kids[i];
		size_t j = 0;
		while (j < 5 && strcmp(keys[j], k->str))
			j++;
		if (j == 5)
			bad(l, k, "unknown key '%s' in %s (expected own, talk, see, call, broadcast)", k->str, section);
		else
			load_bus_names(l, v->kids[i + 1], keys[j], (enum bus_level)j, b);
	}
}

static void load_session_bus(struct loader *l, const struct ynode *v) { load_bus(l, v, "session-bus", &l->p->session_bus); }
static void load_system_bus(struct loader *l, const struct ynode *v) { load_bus(l, v, "system-bus", &l->p->system_bus); }

static const struct {
	const char *key;
	key_fn load;
} keys[] = {
	{"app-id", load_app_id},
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
