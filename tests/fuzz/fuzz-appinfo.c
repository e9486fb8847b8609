/* The app-info writer: for every accepted profile, the /.flatpak-info text
 * run writes parses back, with GKeyFile's rules (a minimal parser below,
 * checked against GLib's on tricky cases), to exactly the groups, keys and
 * values the policy means, in order: no injected group or key, no value
 * cut or changed, whatever the profile's strings. */
#include <ctype.h>

#include "fuzzlib.h"

struct entry {
	char *group, *key;
	struct strv vals; /* one for a string, the elements for a list */
	int list;
};
struct model {
	struct entry *v;
	size_t n;
};

static void add(struct model *m, const char *group, const char *key, int list)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = (struct entry){.group = xstrdup(group), .key = xstrdup(key), .list = list};
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].group);
		free(m->v[i].key);
		strv_clear(&m->v[i].vals);
	}
	free(m->v);
}

/* GKeyFile's value unescaping (g_key_file_parse_value_as_string); with
 * list set, unescaped ';' separate elements and a trailing empty one is
 * dropped. Returns -1 where GKeyFile reports an error. */
static int unescape(const char *v, int list, struct strv *out)
{
	struct buf b = {0};
	int piece = 0;
	for (const char *c = v; *c; c++) {
		if (*c == '\\') {
			c++;
			switch (*c) {
			case 's': buf_addc(&b, ' '); break;
			case 'n': buf_addc(&b, '\n'); break;
			case 't': buf_addc(&b, '\t'); break;
			case 'r': buf_addc(&b, '\r'); break;
			case '\\': buf_addc(&b, '\\'); break;
			case ';':
				if (!list)
					goto bad;
				buf_addc(&b, ';');
				break;
			default:
				goto bad;
			}
			piece = 1;
		} else if (*c == ';' && list) {
			strv_take(out, b.s ? buf_steal(&b) : xstrdup(""));
			piece = 0;
		} else {
			buf_addc(&b, *c);
			piece = 1;
		}
	}
	if (!list || piece)
		strv_take(out, b.s ? buf_steal(&b) : xstrdup(""));
	return 0;
bad:
	buf_clear(&b);
	return -1;
}

static void parse(const char *text, struct model *m)
{
	cleanup_free char *copy = xstrdup(text);
	char *group = NULL;
	int lineno = 0;
	for (char *line = copy, *next; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (!next)
			FUZZ_FAIL("app-info does not end with a newline");
		*next++ = '\0';
		while (*line && strchr(" \t\n\v\f\r", *line))
			line++;
		if (!*line || *line == '#')
			continue;
		if (*line == '[') {
			char *end = strrchr(line, ']');
			if (!end || end[1])
				FUZZ_FAIL("line %d: a broken group header '%s'", lineno, line);
			*end = '\0';
			for (char *c = line + 1; *c; c++)
				if (*c == '[' || *c == ']' || iscntrl((unsigned char)*c))
					FUZZ_FAIL("line %d: an invalid group name", lineno);
			group = line + 1;
			for (size_t i = 0; i < m->n; i++)
				if (!strcmp(m->v[i].group, group))
					FUZZ_FAIL("group [%s] twice", group);
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq || !group)
			FUZZ_FAIL("line %d: neither a group, a key nor a comment: '%s'", lineno, line);
		char *kend = eq;
		while (kend > line && strchr(" \t\n\v\f\r", kend[-1]))
			kend--;
		*kend = '\0';
		char *v = eq + 1;
		while (*v && strchr(" \t\n\v\f\r", *v))
			v++;
		for (size_t i = 0; i < m->n; i++)
			if (!strcmp(m->v[i].group, group) && !strcmp(m->v[i].key, line))
				FUZZ_FAIL("key %s twice in [%s]: GKeyFile keeps the last", line, group);
		add(m, group, line, 0);
		/* kept raw; split by the model's idea of list or string below */
		strv_push(&m->v[m->n - 1].vals, v);
	}
}

static void want_list(struct model *m, const char *key, const struct flag_name *names, unsigned v)
{
	if (!v)
		return;
	add(m, "Context", key, 1);
	for (; names->name; names++)
		if (v & names->bit)
			strv_push(&m->v[m->n - 1].vals, names->name);
}

static void want_bus(struct model *m, const char *group, const struct bus_policy *b)
{
	const struct strv *levels[] = {&b->see, &b->talk, &b->own};
	static const char *const names[] = {"see", "talk", "own"};
	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < levels[l]->n; i++) {
			add(m, group, levels[l]->v[i], 0);
			strv_push(&m->v[m->n - 1].vals, names[l]);
		}
}

static void expected(const struct policy *p, struct model *m)
{
	add(m, "Application", "name", 0);
	strv_push(&m->v[m->n - 1].vals, p->app_id);
	add(m, "Instance", "instance-id", 0);
	strv_push(&m->v[m->n - 1].vals, "1234");
	add(m, "Instance", "instance-path", 0);
	strv_pushf(&m->v[m->n - 1].vals, "%s/.var/app/%s", fz_home, p->app_id);
	want_list(m, "shared", share_names, flagset_value(&p->shared));
	want_list(m, "sockets", socket_names, flagset_value(&p->sockets));
	want_list(m, "devices", device_names, flagset_value(&p->devices));
	want_list(m, "features", feature_names, flagset_value(&p->features));
	if (p->nfs) {
		add(m, "Context", "filesystems", 1);
		for (size_t i = 0; i < p->nfs; i++) {
			cleanup_free char *key = fs_grant_key(&p->fs[i]);
			if (p->fs[i].mode == FS_RW)
				strv_push(&m->v[m->n - 1].vals, key);
			else
				strv_pushf(&m->v[m->n - 1].vals, "%s:%s", key, fs_mode_name(p->fs[i].mode));
		}
	}
	if (p->persistent.n) {
		add(m, "Context", "persistent", 1);
		for (size_t i = 0; i < p->persistent.n; i++)
			strv_push(&m->v[m->n - 1].vals, p->persistent.v[i]);
	}
	want_bus(m, "Session Bus Policy", &p->session_bus);
	want_bus(m, "System Bus Policy", &p->system_bus);
}

static void compare(const char *info, const struct policy *p)
{
	struct model got = {0}, want = {0};
	parse(info, &got);
	expected(p, &want);
	for (size_t i = 0; i < got.n || i < want.n; i++) {
		if (i >= got.n || i >= want.n)
			FUZZ_FAIL("app-info has %zu keys, the policy means %zu:\n%s", got.n, want.n, info);
		struct entry *g = &got.v[i], *w = &want.v[i];
		if (strcmp(g->group, w->group) || strcmp(g->key, w->key))
			FUZZ_FAIL("key %zu is [%s] %s, expected [%s] %s:\n%s", i, g->group, g->key, w->group, w->key, info);
		struct strv vals = {0};
		if (unescape(g->vals.v[0], w->list, &vals) < 0)
			FUZZ_FAIL("[%s] %s: GKeyFile cannot read the value '%s'", g->group, g->key, g->vals.v[0]);
		if (vals.n != w->vals.n)
			FUZZ_FAIL("[%s] %s: %zu values, expected %zu", g->group, g->key, vals.n, w->vals.n);
		for (size_t j = 0; j < vals.n; j++)
			if (strcmp(vals.v[j], w->vals.v[j]))
				FUZZ_FAIL("[%s] %s: value %zu reads back as '%s', not '%s'", g->group, g->key, j,
					  vals.v[j], w->vals.v[j]);
		strv_clear(&vals);
	}
	model_free(&got);
	model_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init++)
		fz_setup_host("appinfo", 1);
	struct policy p;
	if (fz_load(data, size, &p) < 0)
		return 0;
	struct plan pl;
	struct plan_opts o = {.xdg_dbus_proxy = "/usr/bin/xdg-dbus-proxy"};
	plan_build(&p, &o, &pl);
	struct launch l = {.bwrap = "/usr/bin/bwrap"};
	struct rendered r;
	backend_render(&pl, &l, "1234", &r);
	compare(r.info, &p);
	rendered_free(&r);
	plan_free(&pl);
	policy_free(&p);
	return 0;
}
