#include "plan.h"

#include <string.h>

#include "util.h"

int plan_var(struct plan *pl, enum hv_kind kind, const char *arg)
{
	for (size_t i = 0; i < pl->nvars; i++)
		if (pl->vars[i].kind == kind && !strcmp(pl->vars[i].arg ? pl->vars[i].arg : "", arg ? arg : ""))
			return (int)i;
	pl->vars = xrealloc(pl->vars, (pl->nvars + 1) * sizeof(*pl->vars));
	pl->vars[pl->nvars] = (struct hostvar){
		.kind = kind, .arg = xstrdup(arg), .shname = hostvar_shname(kind, arg),
	};
	return (int)pl->nvars++;
}

static void add_part(struct word *w, int var, const char *lit, size_t n)
{
	if (var < 0 && n == 0)
		return;
	/* Adjacent literals become one, so emitted words read naturally. */
	if (var < 0 && w->n && w->parts[w->n - 1].var < 0) {
		struct part *last = &w->parts[w->n - 1];
		size_t old = strlen(last->lit);
		last->lit = xrealloc(last->lit, old + n + 1);
		memcpy(last->lit + old, lit, n);
		last->lit[old + n] = '\0';
		return;
	}
	w->parts = xrealloc(w->parts, (w->n + 1) * sizeof(*w->parts));
	w->parts[w->n++] = (struct part){.var = var, .lit = var < 0 ? xstrndup(lit, n) : NULL};
}

static const struct {
	const char *name;
	enum hv_kind kind;
} var_names[] = {
	{"home", HV_HOME}, {"uid", HV_UID}, {"rt", HV_RUNTIME_DIR}, {"instance", HV_INSTANCE},
	{"env", HV_ENV}, {"xdg", HV_XDG}, {"xdgrel", HV_XDG_REL}, {"wayland", HV_WAYLAND}, {"x11", HV_X11},
	{"xauth", HV_XAUTHORITY}, {"rtsock", HV_RUNTIME_SOCKET}, {"sock", HV_SOCKET},
	{"envsock", HV_ENV_SOCKET}, {"session_bus", HV_SESSION_BUS}, {"doc", HV_DOC},
	{"a11y_bus", HV_A11Y_BUS},
};

static int template_var(struct plan *pl, const char *ref, size_t n)
{
	const char *colon = memchr(ref, ':', n);
	size_t name_len = colon ? (size_t)(colon - ref) : n;
	for (size_t i = 0; i < sizeof(var_names) / sizeof(*var_names); i++) {
		if (strlen(var_names[i].name) != name_len || strncmp(var_names[i].name, ref, name_len))
			continue;
		cleanup_free char *arg = colon ? xstrndup(colon + 1, n - name_len - 1) : NULL;
		return plan_var(pl, var_names[i].kind, arg);
	}
	die("internal error: unknown host variable in template");
}

struct word *plan_word(struct plan *pl, const char *tmpl, ...)
{
	struct word *w = xcalloc(1, sizeof(*w));
	va_list ap;
	va_start(ap, tmpl);
	for (const char *p = tmpl; *p;) {
		size_t lit = strcspn(p, "{%");
		add_part(w, -1, p, lit);
		p += lit;
		if (*p == '{') {
			const char *end = strchr(p, '}');
			add_part(w, template_var(pl, p + 1, end - p - 1), NULL, 0);
			p = end + 1;
		} else if (*p == '%') {
			const char *arg = va_arg(ap, const char *);
			add_part(w, -1, arg, strlen(arg));
			p += 2;
		}
	}
	va_end(ap);
	/* An empty word still has one (empty) literal part. */
	if (w->n == 0) {
		w->parts = xcalloc(1, sizeof(*w->parts));
		w->parts[0] = (struct part){.var = -1, .lit = xstrdup("")};
		w->n = 1;
	}
	return w;
}

static struct step *new_step(struct plan *pl)
{
	struct steps *t = pl->target ? pl->target : &pl->app;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	struct step *s = &t->v[t->n++];
	*s = (struct step){.guard = G_ALWAYS, .guard_var = -1};
	s->words = xcalloc(4, sizeof(*s->words));
	return s;
}

struct step *plan_arg(struct plan *pl, struct word *w)
{
	struct step *s = new_step(pl);
	s->words[s->n++] = w;
	return s;
}

struct step *plan_op3(struct plan *pl, const char *opt, struct word *a, struct word *b, struct word *c)
{
	struct step *s = new_step(pl);
	s->words[s->n++] = plan_word(pl, "%s", opt);
	struct word *more[] = {a, b, c};
	for (size_t i = 0; i < 3 && more[i]; i++)
		s->words[s->n++] = more[i];
	return s;
}

struct step *plan_op(struct plan *pl, const char *opt, struct word *a, struct word *b)
{
	return plan_op3(pl, opt, a, a ? b : NULL, NULL);
}

struct step *plan_each_child(struct plan *pl, const char *opt, struct word *dir, const char *const *skip)
{
	struct step *s = plan_op(pl, opt, dir, NULL);
	size_t n = 0;
	while (skip[n])
		n++;
	s->each_child = true;
	s->skip = xcalloc(n + 1, sizeof(*s->skip));
	for (size_t i = 0; i < n; i++)
		s->skip[i] = xstrdup(skip[i]);
	return s;
}

/* "*" matches no leading dot, ".[!.]*" one, "..?*" two. */
static int dot_group(const char *name)
{
	return name[0] != '.' ? 0 : name[1] != '.' ? 1 : 2;
}

int each_child_order(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int gx = dot_group(x), gy = dot_group(y);
	return gx != gy ? gx - gy : strcmp(x, y);
}

struct step *plan_bind_fd(struct plan *pl, bool ro, enum bind_src kind, struct word *src, struct word *dst,
			  bool in_home)
{
	struct step *s = plan_op(pl, ro ? "--ro-bind" : "--bind", src, dst);
	s->bind_src = kind;
	s->bind_in_home = in_home;
	return s;
}

void plan_guard(struct step *s, enum guard g, struct word *w)
{
	s->guard = g;
	s->guard_word = w;
}

void plan_requires(struct step *s, struct word *w)
{
	s->guard_word = w;
}

struct word *plan_var_word(struct plan *pl, int var)
{
	(void)pl;
	struct word *w = xcalloc(1, sizeof(*w));
	add_part(w, var, NULL, 0);
	return w;
}

void plan_guard_unset(struct step *s, int var)
{
	s->guard = G_UNSET;
	s->guard_var = var;
}

void plan_prep(struct plan *pl, enum prep_kind kind, struct word *path)
{
	pl->prep = xrealloc(pl->prep, (pl->nprep + 1) * sizeof(*pl->prep));
	pl->prep[pl->nprep++] = (struct prep){.kind = kind, .path = path};
}

void plan_appinfo_line(struct plan *pl, struct word *line)
{
	pl->appinfo = xrealloc(pl->appinfo, (pl->nappinfo + 1) * sizeof(*pl->appinfo));
	pl->appinfo[pl->nappinfo++] = line;
}

void plan_via(struct plan *pl, struct word *w)
{
	pl->via.words = xrealloc(pl->via.words, (pl->via.n + 1) * sizeof(*pl->via.words));
	pl->via.words[pl->via.n++] = w;
}

static void word_vars(const struct word *w, bool *used)
{
	for (size_t i = 0; w && i < w->n; i++)
		if (w->parts[i].var >= 0)
			used[w->parts[i].var] = true;
}

void step_vars(const struct step *s, bool *used)
{
	word_vars(s->guard_word, used);
	for (size_t i = 0; i < s->n; i++)
		word_vars(s->words[i], used);
}

static void word_free(struct word *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->parts[i].lit);
	free(w->parts);
	free(w);
}

static void steps_free(struct steps *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->v[i].n; j++)
			word_free(t->v[i].words[j]);
		free(t->v[i].words);
		word_free(t->v[i].guard_word);
		for (char **k = t->v[i].skip; k && *k; k++)
			free(*k);
		free(t->v[i].skip);
	}
	free(t->v);
}

void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->nvars; i++) {
		free(pl->vars[i].arg);
		free(pl->vars[i].shname);
	}
	free(pl->vars);
	for (size_t i = 0; i < pl->nprep; i++)
		word_free(pl->prep[i].path);
	free(pl->prep);
	for (size_t i = 0; i < pl->nappinfo; i++)
		word_free(pl->appinfo[i]);
	free(pl->appinfo);
	steps_free(&pl->app);
	steps_free(&pl->proxy_bwrap);
	steps_free(&pl->proxy_args);
	for (size_t i = 0; i < pl->ncommand; i++)
		word_free(pl->command[i]);
	free(pl->command);
	for (size_t i = 0; i < pl->via.n; i++)
		word_free(pl->via.words[i]);
	free(pl->via.words);
	free(pl->app_id);
	*pl = (struct plan){0};
}
