#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "busrules.h"
#include "escape.h"
#include "fsgrant.h"
#include "names.h"
#include "policy.h"
#include "profile.h"
#include "util.h"

#define WIDTH 78

struct manifest {
	char *app_id, *command;
	struct strv args;
};

struct conv {
	const char *name;
	struct strv *notes;
	unsigned shared, sockets, devices, features;
	struct strv fs, persist, env_names, env_values, unset;
	struct strv bus[2][3]; /* session, system x see, talk, own */
	bool home, dconf;
};

__attribute__((format(printf, 3, 4)))
static void note(struct conv *c, const char *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_free char *a = escape_for_terminal(arg);
	strv_pushf(c->notes, "'%s': %s", a, msg);
	free(msg);
}

/* JSON as flatpak-builder reads it (json-glib) allows C and C++ comments;
 * YAML does not, and libyaml refuses tabs where a token may start. Both
 * become spaces outside strings (newlines kept, so lines still count). */
static void json_clean(char *s, size_t len)
{
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			else if (s[i] == '"')
				in_str = false;
		} else if (s[i] == '"') {
			in_str = true;
		} else if (s[i] == '\t') {
			s[i] = ' ';
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/'))
				j++;
			j = j + 1 < len ? j + 2 : len;
			for (; i < j; i++)
				if (s[i] != '\n')
					s[i] = ' ';
			i--;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			for (; i < len && s[i] != '\n'; i++)
				s[i] = ' ';
		}
	}
}

/* Skips one node whose start event has just been read. */
static bool skip_node(yaml_parser_t *p, const yaml_event_t *start)
{
	int depth = start->type == YAML_SEQUENCE_START_EVENT || start->type == YAML_MAPPING_START_EVENT;
	while (depth > 0) {
		yaml_event_t e;
		if (!yaml_parser_parse(p, &e))
			return false;
		if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&e);
	}
	return true;
}

static bool want_scalar(const yaml_event_t *e, const char *key, char **dst, struct strv *errs)
{
	if (e->type != YAML_SCALAR_EVENT) {
		strv_pushf(errs, "line %zu: '%s' must be a string", e->start_mark.line + 1, key);
		return false;
	}
	free(*dst);
	*dst = xstrndup((const char *)e->data.scalar.value, e->data.scalar.length);
	return true;
}

/* Reads app-id (or id), command and finish-args; every other key is
 * skipped, whatever it holds. */
static int read_manifest(char *buf, size_t len, struct manifest *m, struct strv *errs)
{
	size_t i = 0;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i < len && buf[i] == '{')
		json_clean(buf, len);

	yaml_parser_t p;
	yaml_event_t e;
	int rc = -1, state = 0; /* 0: before the mapping, 1: keys, 2: done */
	if (!yaml_parser_initialize(&p))
		die_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (state < 2) {
		if (!yaml_parser_parse(&p, &e)) {
			strv_pushf(errs, "line %zu: %s", p.problem_mark.line + 1,
				   p.problem ? p.problem : "not valid JSON or YAML");
			goto out;
		}
		if (state == 0) {
			if (e.type == YAML_MAPPING_START_EVENT)
				state = 1;
			else if (e.type != YAML_STREAM_START_EVENT && e.type != YAML_DOCUMENT_START_EVENT) {
				strv_push(errs, "a manifest is a mapping (app-id, command, finish-args...)");
				yaml_event_delete(&e);
				goto out;
			}
			yaml_event_delete(&e);
			continue;
		}
		if (e.type == YAML_MAPPING_END_EVENT) {
			state = 2;
			yaml_event_delete(&e);
			break;
		}
		cleanup_free char *key = e.type == YAML_SCALAR_EVENT
			? xstrndup((const char *)e.data.scalar.value, e.data.scalar.length) : xstrdup("");
		yaml_event_delete(&e);
		if (!yaml_parser_parse(&p, &e)) {
			strv_pushf(errs, "line %zu: %s", p.problem_mark.line + 1, p.problem ? p.problem : "parse error");
			goto out;
		}
		bool ok = true;
		if (!strcmp(key, "app-id") || !strcmp(key, "id")) {
			ok = want_scalar(&e, key, &m->app_id, errs);
		} else if (!strcmp(key, "command")) {
			ok = want_scalar(&e, key, &m->command, errs);
		} else if (!strcmp(key, "finish-args")) {
			if (e.type != YAML_SEQUENCE_START_EVENT) {
				strv_push(errs, "'finish-args' must be a list");
				ok = false;
			}
			while (ok) {
				yaml_event_t it;
				if (!yaml_parser_parse(&p, &it)) {
					strv_pushf(errs, "line %zu: %s", p.problem_mark.line + 1, p.problem ? p.problem : "parse error");
					ok = false;
					break;
				}
				if (it.type == YAML_SEQUENCE_END_EVENT) {
					yaml_event_delete(&it);
					break;
				}
				if (it.type == YAML_SCALAR_EVENT)
					strv_take(&m->args, xstrndup((const char *)it.data.scalar.value, it.data.scalar.length));
				else
					strv_pushf(errs, "line %zu: each finish-arg must be a string", it.start_mark.line + 1);
				ok = it.type == YAML_SCALAR_EVENT;
				yaml_event_delete(&it);
			}
		} else if (!skip_node(&p, &e)) {
			strv_pushf(errs, "line %zu: %s", p.problem_mark.line + 1, p.problem ? p.problem : "parse error");
			ok = false;
		}
		yaml_event_delete(&e);
		if (!ok)
			goto out;
	}
	rc = 0;
	if (!m->app_id)
		strv_push(errs, "the manifest has no 'app-id' (or 'id')"), rc = -1;
	if (!m->command)
		strv_push(errs, "the manifest has no 'command'"), rc = -1;
out:
	yaml_parser_delete(&p);
	return rc;
}

static unsigned flag_bit(const struct flag_name *names, const char *name)
{
	for (; names->name; names++)
		if (!strcmp(names->name, name))
			return names->bit;
	return 0;
}

static void add_unique(struct strv *sv, const char *s)
{
	if (strv_find(sv, s) < 0)
		strv_push(sv, s);
}

static void add_flag(struct conv *c, const char *arg, const char *what,
		     const struct flag_name *names, unsigned *set, const char *val)
{
	unsigned bit = flag_bit(names, val);
	if (!bit)
		note(c, arg, "not imported: boxwrap has no %s '%s'", what, val);
	else
		*set |= bit;
}

static void add_socket(struct conv *c, const char *arg, const char *val)
{
	if (!strcmp(val, "inherit-wayland-socket")) {
		note(c, arg, "not imported: boxwrap binds the compositor's socket itself; 'wayland' grants it");
		return;
	}
	if (!strcmp(val, "session-bus") || !strcmp(val, "system-bus"))
		note(c, arg, "imported, but it is the whole bus, unfiltered: prefer session-bus/system-bus rules");
	add_flag(c, arg, "socket", socket_names, &c->sockets, val);
}

static void add_device(struct conv *c, const char *arg, const char *val)
{
	if (!strcmp(val, "all"))
		note(c, arg, "imported, but it is the host's whole /dev: Flathub apps often ask for it for webcams or game pads; narrow it to dri if the app allows");
	add_flag(c, arg, "device", device_names, &c->devices, val);
}

static void add_allow(struct conv *c, const char *arg, const char *val)
{
	if (!strcmp(val, "per-app-dev-shm")) {
		note(c, arg, "not imported: each boxwrap sandbox has its own /dev/shm, shared by no other app");
		return;
	}
	add_flag(c, arg, "feature", feature_names, &c->features, val);
}

static bool is_dconf_path(const char *spec)
{
	static const char *const dconf[] = {"xdg-run/dconf", "~/.config/dconf", "xdg-config/dconf", NULL};
	for (const char *const *d = dconf; *d; d++) {
		size_t n = strlen(*d);
		if (!strncmp(spec, *d, n) && (spec[n] == '\0' || spec[n] == ':' || spec[n] == '/'))
			return true;
	}
	return false;
}

static void add_filesystem(struct conv *c, const char *arg, const char *val)
{
	struct fs_grant g;
	char *why = NULL;
	if (is_dconf_path(val)) {
		c->dconf = true;
		return;
	}
	/* Flatpak's way to reach these sockets is a path; boxwrap has a socket. */
	if (!strcmp(val, "xdg-run/pipewire-0") || !strcmp(val, "xdg-run/pipewire-0:ro")) {
		note(c, arg, "imported as sockets: [pipewire]");
		c->sockets |= SOCK_PIPEWIRE;
		return;
	}
	if (str_has_prefix(val, "xdg-run/gnupg")) {
		note(c, arg, "imported as sockets: [gpg-agent]");
		c->sockets |= SOCK_GPG_AGENT;
		return;
	}
	if (!fs_grant_parse(val, &g, &why)) {
		note(c, arg, "not imported: %s", why);
		free(why);
		return;
	}
	if (g.deny)
		note(c, arg, "not imported: a profile grants, and leaves out what it does not");
	else if (g.base == FS_HOST_OS || g.base == FS_HOST_ETC)
		note(c, arg, "not imported: boxwrap always gives the host's /usr and /etc read-only, never writable, and not at /run/host");
	else if (str_has_suffix(val, ":rw")) { /* the default */
		cleanup_free char *rw = xstrndup(val, strlen(val) - 3);
		add_unique(&c->fs, rw);
	} else {
		add_unique(&c->fs, val);
	}
	if (!g.deny && (g.base == FS_HOME || g.base == FS_HOST))
		c->home = true;
	fs_grant_clear(&g);
}

static bool mentions_app(const char *v)
{
	return strstr(v, "/app/") || !strcmp(v, "/app") || str_has_suffix(v, ":/app");
}

static void add_env(struct conv *c, const char *arg, const char *val)
{
	const char *eq = strchr(val, '=');
	cleanup_free char *name = eq ? xstrndup(val, eq - val) : xstrdup(val);
	if (!eq || !env_name_valid(name)) {
		note(c, arg, "not imported: expected --env=NAME=VALUE with a valid NAME");
		return;
	}
	if (strchr(eq + 1, '\n')) {
		note(c, arg, "not imported: a value with a newline does not belong in a short profile");
		return;
	}
	if (!strcmp(name, "DCONF_USER_CONFIG_DIR")) {
		c->dconf = true;
		return;
	}
	if (mentions_app(eq + 1)) {
		note(c, arg, "not imported: the value refers to /app, which exists only in Flatpak");
		return;
	}
	int i = strv_find(&c->env_names, name);
	if (i >= 0) {
		strv_remove(&c->env_names, i);
		strv_remove(&c->env_values, i);
	}
	strv_push(&c->env_names, name);
	strv_push(&c->env_values, eq + 1);
}

static void add_bus(struct conv *c, const char *arg, int bus, enum bus_level level, const char *val)
{
	const char *why, *refused;
	if (!strncmp(val, "ca.desrt.dconf", 14)) {
		c->dconf = true;
		return;
	}
	if (!bus_name_valid(val, true, &why)) {
		note(c, arg, "not imported: bus name %s", why);
		return;
	}
	if ((refused = bus_name_refused(level, val))) {
		note(c, arg, "not imported: boxwrap refuses it: %s", refused);
		return;
	}
	add_unique(&c->bus[bus][level], val);
}

static void convert_arg(struct conv *c, const char *arg, const char *next, bool *used_next)
{
	static const char *const valued[] = {
		"share", "unshare", "socket", "nosocket", "device", "nodevice", "allow", "disallow",
		"filesystem", "nofilesystem", "env", "unset-env", "own-name", "talk-name",
		"no-talk-name", "system-own-name", "system-talk-name", "system-no-talk-name",
		"persist", "add-policy", "remove-policy", "require-version", "metadata", "env-fd",
		"usb", "nousb", "usb-list", "usb-list-file", "a11y-own-name", NULL,
	};
	*used_next = false;
	if (!str_has_prefix(arg, "--")) {
		note(c, arg, "not imported: not an option");
		return;
	}
	const char *eq = strchr(arg, '=');
	cleanup_free char *opt = eq ? xstrndup(arg + 2, eq - arg - 2) : xstrdup(arg + 2);
	const char *val = eq ? eq + 1 : NULL;
	bool takes = false;
	for (const char *const *v = valued; *v; v++)
		takes |= !strcmp(*v, opt);
	if (takes && !val) {
		if (!next) {
			note(c, arg, "not imported: it needs a value");
			return;
		}
		val = next; /* "--socket", "x11" as two items */
		*used_next = true;
	}
	if (!takes) {
		note(c, arg, "not imported: not a permission boxwrap knows");
	} else if (!strcmp(opt, "share")) {
		add_flag(c, arg, "shared namespace", share_names, &c->shared, val);
	} else if (!strcmp(opt, "socket")) {
		add_socket(c, arg, val);
	} else if (!strcmp(opt, "device")) {
		add_device(c, arg, val);
	} else if (!strcmp(opt, "allow")) {
		add_allow(c, arg, val);
	} else if (!strcmp(opt, "filesystem")) {
		add_filesystem(c, arg, val);
	} else if (!strcmp(opt, "env")) {
		add_env(c, arg, val);
	} else if (!strcmp(opt, "unset-env")) {
		if (env_name_valid(val))
			add_unique(&c->unset, val);
		else
			note(c, arg, "not imported: not a valid variable name");
	} else if (!strcmp(opt, "own-name") || !strcmp(opt, "talk-name") ||
		   !strcmp(opt, "system-own-name") || !strcmp(opt, "system-talk-name")) {
		bool sys = str_has_prefix(opt, "system-");
		add_bus(c, arg, sys, strstr(opt, "own") ? BUS_OWN : BUS_TALK, val);
	} else if (!strcmp(opt, "persist")) {
		add_unique(&c->persist, val);
	} else if (!strcmp(opt, "require-version")) {
		note(c, arg, "ignored: a Flatpak version requirement");
	} else if (!strcmp(opt, "usb") || !strcmp(opt, "usb-list") || !strcmp(opt, "usb-list-file")) {
		note(c, arg, "not imported: boxwrap has no per-device USB portal; devices: [usb] gives every USB device");
	} else if (str_has_prefix(opt, "no") || str_has_prefix(opt, "un") || str_has_prefix(opt, "dis") ||
		   str_has_prefix(opt, "system-no") || !strcmp(opt, "remove-policy")) {
		note(c, arg, "ignored: a profile starts from nothing, so there is nothing to remove");
	} else {
		note(c, arg, "not imported: boxwrap has no equivalent");
	}
}

/* A YAML scalar: plain when it cannot be misread, else double-quoted. */
static void put_scalar(struct buf *o, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./~=@+*-";
	bool plain = *s && s[strspn(s, safe)] == '\0' && !strchr("*~-", s[0]) &&
		     strcmp(s, "null") && strcmp(s, "Null") && strcmp(s, "NULL");
	if (plain) {
		buf_adds(o, s);
		return;
	}
	buf_addc(o, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(o, "\\x%02x", *p);
		else
			buf_addc(o, (char)*p);
	}
	buf_addc(o, '"');
}

/* key: [a, b] on one line when it fits, else one item a line. */
static void put_list(struct buf *o, const char *indent, const char *key, const struct strv *items)
{
	if (!items->n)
		return;
	struct buf line = {0};
	buf_addf(&line, "%s%s: [", indent, key);
	for (size_t i = 0; i < items->n; i++) {
		if (i)
			buf_adds(&line, ", ");
		put_scalar(&line, items->v[i]);
	}
	buf_adds(&line, "]\n");
	if (line.len <= WIDTH + 1) {
		buf_adds(o, line.s);
	} else {
		buf_addf(o, "%s%s:\n", indent, key);
		for (size_t i = 0; i < items->n; i++) {
			buf_addf(o, "%s  - ", indent);
			put_scalar(o, items->v[i]);
			buf_addc(o, '\n');
		}
	}
	buf_clear(&line);
}

static void put_flags(struct buf *o, const char *key, const struct flag_name *names, unsigned set)
{
	struct strv items = {0};
	for (; names->name; names++)
		if (set & names->bit)
			strv_push(&items, names->name);
	put_list(o, "", key, &items);
	strv_clear(&items);
}

static void put_bus(struct buf *o, const char *key, struct strv lv[3])
{
	static const char *const levels[] = {"see", "talk", "own"};
	if (!lv[0].n && !lv[1].n && !lv[2].n)
		return;
	buf_addf(o, "%s:\n", key);
	for (int i = 2; i >= 0; i--)
		put_list(o, "  ", levels[i], &lv[i]);
}

/* Flatpak's command is a name in /app/bin (or a path under /app). */
static char *map_command(const char *cmd, struct strv *errs)
{
	if (cmd[0] != '/' && !strchr(cmd, '/'))
		return xasprintf("/usr/bin/%s", cmd);
	if (str_has_prefix(cmd, "/app/"))
		return xasprintf("/usr/%s", cmd + 5);
	if (cmd[0] == '/')
		return xstrdup(cmd);
	strv_pushf(errs, "command '%s' is neither a name in /app/bin nor an absolute path", cmd);
	return NULL;
}

static void conv_clear(struct conv *c)
{
	strv_clear(&c->fs);
	strv_clear(&c->persist);
	strv_clear(&c->env_names);
	strv_clear(&c->env_values);
	strv_clear(&c->unset);
	for (int b = 0; b < 2; b++)
		for (int l = 0; l < 3; l++)
			strv_clear(&c->bus[b][l]);
}

static void render(struct conv *c, const struct manifest *m, const char *command, struct buf *o)
{
	cleanup_free char *name = one_line(c->name);
	cleanup_free char *cmd = one_line(m->command);
	cleanup_free char *mapped = one_line(command);
	const char *base = strrchr(name, '/');
	buf_addf(o, "# Imported from %s by boxwrap import; review before use.\n", base ? base + 1 : name);
	if (strchr(m->command, '/'))
		buf_addf(o, "# Flatpak's command %s is %s here: check the package's path.\n", cmd, mapped);
	else
		buf_addf(o, "# Flatpak runs %s from /app/bin; here %s: check the package's path.\n", cmd, mapped);
	buf_adds(o, "app-id: ");
	put_scalar(o, m->app_id);
	buf_adds(o, "\ncommand: ");
	put_scalar(o, command);
	buf_addc(o, '\n');
	put_flags(o, "shared", share_names, c->shared);
	put_flags(o, "sockets", socket_names, c->sockets);
	put_flags(o, "devices", device_names, c->devices);
	put_flags(o, "features", feature_names, c->features);
	put_list(o, "", "filesystems", &c->fs);
	if (c->home)
		put_list(o, "", "persistent", &c->persist);
	if (c->env_names.n) {
		buf_adds(o, "environment:\n");
		for (size_t i = 0; i < c->env_names.n; i++) {
			buf_addf(o, "  %s: ", c->env_names.v[i]);
			/* always quoted: "1" stays a string to the reader */
			struct buf q = {0};
			put_scalar(&q, c->env_values.v[i]);
			if (q.s[0] == '"')
				buf_adds(o, q.s);
			else
				buf_addf(o, "\"%s\"", q.s);
			buf_addc(o, '\n');
			buf_clear(&q);
		}
	}
	put_list(o, "", "unset-environment", &c->unset);
	put_bus(o, "session-bus", c->bus[0]);
	put_bus(o, "system-bus", c->bus[1]);
}

int import_manifest(const char *name, const char *buf, size_t len,
		    struct buf *out, struct strv *notes)
{
	struct manifest m = {0};
	struct conv c = {.name = name, .notes = notes};
	cleanup_free char *copy = xmalloc(len + 1);
	cleanup_free char *command = NULL;
	cleanup_free char *bad_id = NULL;
	int rc = -1;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	if (read_manifest(copy, len, &m, notes) < 0 || !(command = map_command(m.command, notes)))
		goto out;
	if ((bad_id = app_id_problem(m.app_id))) {
		cleanup_free char *shown = escape_for_terminal(bad_id);
		strv_push(notes, shown);
		goto out;
	}
	for (size_t i = 0; i < m.args.n; i++) {
		bool used_next;
		convert_arg(&c, m.args.v[i], i + 1 < m.args.n ? m.args.v[i + 1] : NULL, &used_next);
		i += used_next;
	}
	if (c.dconf)
		strv_push(notes, "dconf access (xdg-run/dconf, ca.desrt.dconf, DCONF_USER_CONFIG_DIR) not imported: "
				 "boxwrap refuses ca.desrt.dconf, which writes every application's settings");
	for (size_t i = 0; !c.home && i < c.persist.n; i++) {
		cleanup_free char *a = escape_for_terminal(c.persist.v[i]);
		strv_pushf(notes, "'--persist=%s': not imported: without a home grant the whole home is "
				  "private and persistent already", a);
	}

	/* Print only what the loader accepts, by the loader's own rules. */
	struct buf text = {0};
	render(&c, &m, command, &text);
	struct policy check;
	struct diag d = {.file = name};
	if (profile_load_buf(text.s, text.len, PROFILE_APP, &check, &d) < 0) {
		for (size_t i = 0; i < d.msgs.n; i++)
			strv_pushf(notes, "the profile would be refused: %s", d.msgs.v[i]);
		diag_clear(&d);
		buf_clear(&text);
		goto out;
	}
	policy_free(&check);
	diag_clear(&d);
	*out = text;
	rc = 0;
out:
	free(m.app_id);
	free(m.command);
	strv_clear(&m.args);
	conv_clear(&c);
	return rc;
}
