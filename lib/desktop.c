#include "desktop.h"
#include "escape.h"

#include <string.h>

#include "util.h"

/* A line of the group we keep: KEY[LOCALE]=value, nothing unprintable. */
static bool line_ok(const char *l, size_t n)
{
	size_t k = 0;
	while (k < n && ((l[k] >= 'A' && l[k] <= 'Z') || (l[k] >= 'a' && l[k] <= 'z') ||
			 (l[k] >= '0' && l[k] <= '9') || l[k] == '-'))
		k++;
	if (k == 0)
		return false;
	if (k < n && l[k] == '[') {
		while (k < n && l[k] != ']')
			k++;
		k++;
	}
	while (k < n && l[k] == ' ')
		k++;
	if (k >= n || l[k] != '=')
		return false;
	return !span_has_control_char(l, n);
}

/* The key of a line ("Name" of "Name[de]=x"), for comparison. */
static bool key_is(const char *l, size_t n, const char *key)
{
	size_t k = strlen(key);
	if (n <= k || strncmp(l, key, k))
		return false;
	size_t i = k;
	while (i < n && l[i] == ' ')
		i++;
	return i < n && (l[i] == '=' || l[i] == '[');
}

static const char *value_of(const char *l, size_t n, size_t *vlen)
{
	const char *eq = memchr(l, '=', n);
	const char *v = eq + 1;
	while (v < l + n && *v == ' ')
		v++;
	*vlen = (size_t)(l + n - v);
	return v;
}

/* Calls fn on every line of the group whose header line is `group`;
 * returns false if there is no such group. */
static bool each_group_line(const char *text, const char *group, void (*fn)(const char *l, size_t n, void *ctx),
			    void *ctx)
{
	bool in = false, found = false;
	size_t gl = strlen(group);
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		size_t m = n && l[n - 1] == '\r' ? n - 1 : n;
		if (m && l[0] == '[') {
			in = m == gl && !strncmp(l, group, m) && !found;
			found |= in;
		} else if (in && m && l[0] != '#') {
			fn(l, m, ctx);
		}
		l += n + (nl != NULL);
	}
	return found;
}

static bool each_entry_line(const char *text, void (*fn)(const char *l, size_t n, void *ctx), void *ctx)
{
	return each_group_line(text, "[Desktop Entry]", fn, ctx);
}

struct exec_find {
	char *exec; /* the unescaped string value of Exec */
};

static void find_exec(const char *l, size_t n, void *ctx)
{
	struct exec_find *f = ctx;
	size_t vlen;
	if (!key_is(l, n, "Exec") || l[4] == '[' || !line_ok(l, n) || f->exec)
		return;
	const char *v = value_of(l, n, &vlen);
	struct buf b = {0};
	/* String-value escapes first (\s \n \t \r \\). */
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] == '\\' && i + 1 < vlen) {
			char c = v[++i];
			buf_addc(&b, c == 's' ? ' ' : c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
		} else {
			buf_addc(&b, v[i]);
		}
	}
	f->exec = b.s ? buf_steal(&b) : xstrdup("");
}

/* The Exec value split into words: quoting per the specification. */
static bool exec_words(const char *exec, struct strv *out)
{
	const char *c = exec;
	for (;;) {
		while (*c == ' ' || *c == '\t')
			c++;
		if (!*c)
			return true;
		struct buf w = {0};
		if (*c == '"') {
			for (c++; *c != '"'; c++) {
				if (!*c) {
					buf_clear(&w);
					return false;
				}
				if (*c == '\\' && c[1] && strchr("\"`$\\", c[1]))
					c++;
				buf_addc(&w, *c);
			}
			c++;
		} else {
			while (*c && *c != ' ' && *c != '\t')
				buf_addc(&w, *c++);
		}
		strv_take(out, w.s ? buf_steal(&w) : xstrdup(""));
	}
}

char *desktop_exec_program(const char *text)
{
	struct exec_find f = {0};
	struct strv words = {0};
	char *prog = NULL;
	each_entry_line(text, find_exec, &f);
	if (f.exec && exec_words(f.exec, &words) && words.n && words.v[0][0])
		prog = xstrdup(words.v[0]);
	strv_clear(&words);
	free(f.exec);
	return prog;
}

void desktop_exec_quote(struct buf *out, const char *s)
{
	static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";
	bool quote = !*s || strpbrk(s, reserved);
	struct buf arg = {0};
	if (quote)
		buf_addc(&arg, '"');
	for (const char *c = s; *c; c++) {
		if (quote && strchr("\"`$\\", *c))
			buf_addc(&arg, '\\');
		if (*c == '%')
			buf_addc(&arg, '%');
		buf_addc(&arg, *c);
	}
	if (quote)
		buf_addc(&arg, '"');
	/* Then as a string value: the backslashes double, controls escape. */
	for (const char *c = arg.s; *c; c++) {
		switch (*c) {
		case '\\': buf_adds(out, "\\\\"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\r': buf_adds(out, "\\r"); break;
		default: buf_addc(out, *c);
		}
	}
	buf_clear(&arg);
}

/* One argument of a package's Exec, for the launcher's Exec: the file
 * field code (%f %F %u %U, once) as it is; Flatpak's file forwarding
 * markers (@@, @@u), the other field codes (%i %c %k, and deprecated
 * ones) and a word with a control character are dropped; %% stays a
 * literal %. */
static void add_exec_arg(struct buf *out, const char *w, bool *have_code)
{
	if (!strcmp(w, "%f") || !strcmp(w, "%F") || !strcmp(w, "%u") || !strcmp(w, "%U")) {
		if (!*have_code)
			buf_addf(out, " %s", w);
		*have_code = true;
		return;
	}
	if (!strcmp(w, "@@") || !strcmp(w, "@@u"))
		return;
	struct buf lit = {0};
	for (const char *c = w; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			buf_clear(&lit);
			return;
		}
		if (*c == '%') {
			if (c[1] == '%')
				buf_addc(&lit, '%');
			if (c[1])
				c++;
			continue;
		}
		buf_addc(&lit, *c);
	}
	if (lit.s || !*w) {
		buf_addc(out, ' ');
		desktop_exec_quote(out, lit.s ? lit.s : "");
	}
	buf_clear(&lit);
}

/* Exec=LAUNCHER plus the arguments of the package's Exec (unescaped
 * string value exec, or NULL). */
static void add_exec(struct buf *out, const char *exec, const char *launcher)
{
	struct strv words = {0};
	bool have_code = false;
	buf_adds(out, "Exec=");
	desktop_exec_quote(out, launcher);
	if (exec && exec_words(exec, &words))
		for (size_t i = 1; i < words.n; i++)
			add_exec_arg(out, words.v[i], &have_code);
	buf_addc(out, '\n');
	strv_clear(&words);
}

struct rewrite {
	struct buf *out;
	const char *const *dropped;
};

static void copy_line(const char *l, size_t n, void *ctx)
{
	struct rewrite *r = ctx;
	if (!line_ok(l, n))
		return;
	for (const char *const *k = r->dropped; *k; k++)
		if (key_is(l, n, *k))
			return;
	buf_add(r->out, l, n);
	buf_addc(r->out, '\n');
}

struct hidden_find {
	bool hidden;
};

static void find_hidden(const char *l, size_t n, void *ctx)
{
	struct hidden_find *h = ctx;
	size_t vlen;
	if ((key_is(l, n, "NoDisplay") || key_is(l, n, "Hidden")) && line_ok(l, n)) {
		const char *v = value_of(l, n, &vlen);
		if (vlen == 4 && !strncmp(v, "true", 4))
			h->hidden = true;
	}
}

struct actions_find {
	struct strv ids;
};

/* Actions=a;b;: the ids, each [A-Za-z0-9-]+ (the specification's key
 * characters), so that each names its group exactly. */
static void find_actions(const char *l, size_t n, void *ctx)
{
	struct actions_find *a = ctx;
	size_t vlen;
	if (!key_is(l, n, "Actions") || l[7] == '[' || !line_ok(l, n) || a->ids.n)
		return;
	const char *v = value_of(l, n, &vlen);
	for (size_t i = 0; i < vlen;) {
		size_t k = i;
		while (k < vlen && v[k] != ';')
			k++;
		bool ok = k > i;
		for (size_t j = i; j < k; j++)
			ok &= (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') ||
			      (v[j] >= '0' && v[j] <= '9') || v[j] == '-';
		if (ok)
			strv_take(&a->ids, xstrndup(v + i, k - i));
		i = k + 1;
	}
}

/* Each action with an Exec of its own (one that only D-Bus activation
 * would run is dropped with DBusActivatable): its group, Exec through the
 * launcher with the action's arguments. Returns the ids kept. */
static void add_actions(struct buf *out, const char *text, const struct strv *ids, const char *launcher,
			struct strv *kept)
{
	static const char *const dropped[] = {"Exec", "TryExec", NULL};
	for (size_t i = 0; i < ids->n; i++) {
		cleanup_free char *group = xasprintf("[Desktop Action %s]", ids->v[i]);
		struct exec_find f = {0};
		if (strv_find(kept, ids->v[i]) >= 0 || !each_group_line(text, group, find_exec, &f) || !f.exec) {
			free(f.exec);
			continue;
		}
		struct rewrite r = {.out = out, .dropped = dropped};
		buf_addf(out, "\n%s\n", group);
		each_group_line(text, group, copy_line, &r);
		add_exec(out, f.exec, launcher);
		strv_push(kept, ids->v[i]);
		free(f.exec);
	}
}

char *desktop_rewrite(const char *text, const char *source, const char *launcher, unsigned flags)
{
	static const char *const dropped[] = {
		"Exec", "TryExec", "DBusActivatable", "Actions", "NoDisplay", "Hidden", NULL,
	};
	/* The hidden twin does not register MIME types a second time. */
	static const char *const dropped_twin[] = {
		"Exec", "TryExec", "DBusActivatable", "Actions", "NoDisplay", "Hidden", "MimeType", NULL,
	};
	/* An autostart entry's Hidden=true disables it: kept as it is. */
	static const char *const dropped_autostart[] = {"Exec", "TryExec", "DBusActivatable", "Actions", NULL};
	struct buf out = {0}, actions = {0};
	struct rewrite r = {.out = &out,
			    .dropped = flags & DESKTOP_AUTOSTART ? dropped_autostart
				     : flags & DESKTOP_HIDDEN   ? dropped_twin
								: dropped};
	struct exec_find f = {0};
	struct hidden_find h = {0};
	struct actions_find a = {0};
	struct strv kept = {0};
	if (!each_entry_line(text, find_exec, &f)) {
		free(f.exec);
		return NULL;
	}
	each_entry_line(text, find_hidden, &h);
	each_entry_line(text, find_actions, &a);
	cleanup_free char *from = one_line(source);
	buf_addf(&out, "# Generated by boxwrap from %s; Exec runs the sandbox launcher.\n"
		       "[Desktop Entry]\n", from);
	each_entry_line(text, copy_line, &r);
	add_exec(&out, f.exec, launcher);
	if (!(flags & DESKTOP_AUTOSTART) && ((flags & DESKTOP_HIDDEN) || h.hidden))
		buf_adds(&out, "NoDisplay=true\n");
	add_actions(&actions, text, &a.ids, launcher, &kept);
	if (kept.n) {
		buf_adds(&out, "Actions=");
		for (size_t i = 0; i < kept.n; i++)
			buf_addf(&out, "%s;", kept.v[i]);
		buf_addc(&out, '\n');
		buf_adds(&out, actions.s);
	}
	buf_clear(&actions);
	strv_clear(&kept);
	strv_clear(&a.ids);
	free(f.exec);
	return buf_steal(&out);
}

struct mime_find {
	struct strv *out;
	bool done;
};

static void find_mime(const char *l, size_t n, void *ctx)
{
	struct mime_find *m = ctx;
	size_t vlen;
	if (!key_is(l, n, "MimeType") || l[8] == '[' || !line_ok(l, n) || m->done)
		return;
	m->done = true;
	const char *v = value_of(l, n, &vlen);
	for (size_t i = 0; i < vlen;) {
		size_t k = i;
		while (k < vlen && v[k] != ';')
			k++;
		/* type/subtype: the characters RFC 6838 allows, and one '/'. */
		size_t slash = 0;
		bool ok = k > i;
		for (size_t j = i; j < k; j++) {
			slash += v[j] == '/';
			ok &= (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') ||
			      (v[j] >= '0' && v[j] <= '9') || strchr("/!#$&^_.+-", v[j]);
		}
		if (ok && slash == 1)
			strv_take(m->out, xstrndup(v + i, k - i));
		i = k + 1;
	}
}

void desktop_mime_types(const char *text, struct strv *out)
{
	struct mime_find m = {.out = out};
	each_entry_line(text, find_mime, &m);
}

/* ---- D-Bus service files ---------------------------------------------- */

struct service_find {
	char *name, *exec, *user;
	bool systemd;
};

static void find_service_keys(const char *l, size_t n, void *ctx)
{
	struct service_find *s = ctx;
	size_t vlen;
	if (!line_ok(l, n) || memchr(l, '[', n))
		return;
	const char *v = value_of(l, n, &vlen);
	if (key_is(l, n, "Name") && !s->name)
		s->name = xstrndup(v, vlen);
	else if (key_is(l, n, "Exec") && !s->exec)
		s->exec = xstrndup(v, vlen);
	else if (key_is(l, n, "User") && !s->user)
		s->user = xstrndup(v, vlen);
	else if (key_is(l, n, "SystemdService"))
		s->systemd = true;
}

/* A bus name as the D-Bus specification allows it (well-known names). */
static bool bus_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 255 || s[0] == '.' || s[n - 1] == '.' || !strchr(s, '.') || strstr(s, ".."))
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

/* dbus-daemon splits Exec as a shell would, dbus-broker likewise: words
 * of these characters mean the same to both, and cannot start a line or
 * a quote. */
static bool plain_word(const char *w, size_t n)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
	for (size_t i = 0; i < n; i++)
		if (!strchr(plain, w[i]) || !w[i])
			return false;
	return n > 0;
}

bool dbus_service_parse(const char *text, struct dbus_service *out)
{
	struct service_find s = {0};
	*out = (struct dbus_service){0};
	if (!each_group_line(text, "[D-BUS Service]", find_service_keys, &s) || !s.name || !s.exec ||
	    !bus_name_ok(s.name)) {
		free(s.name);
		free(s.exec);
		free(s.user);
		return false;
	}
	out->name = s.name;
	out->user = s.user;
	out->systemd = s.systemd;
	bool first = true, ok = true;
	for (const char *c = s.exec; *c;) {
		size_t k = strcspn(c, " \t");
		if (k && first)
			ok = plain_word(c, k) && c[0] != '-';
		if (k)
			strv_take(plain_word(c, k) ? &out->args : &out->dropped, xstrndup(c, k));
		first &= !k;
		c += k + strspn(c + k, " \t");
	}
	free(s.exec);
	if (!ok || !out->args.n) {
		dbus_service_clear(out);
		return false;
	}
	return true;
}

void dbus_service_clear(struct dbus_service *s)
{
	free(s->name);
	free(s->user);
	strv_clear(&s->args);
	strv_clear(&s->dropped);
	*s = (struct dbus_service){0};
}

char *dbus_service_rewrite(const struct dbus_service *s, const char *source, const char *exec)
{
	struct buf out = {0};
	buf_addf(&out, "# Generated by boxwrap from %s; Exec runs the sandbox launcher.\n"
		       "[D-BUS Service]\nName=%s\nExec=%s", source, s->name, exec);
	for (size_t i = 1; i < s->args.n; i++)
		buf_addf(&out, " %s", s->args.v[i]);
	buf_addc(&out, '\n');
	return buf_steal(&out);
}

char *desktop_minimal(const char *name, const char *launcher)
{
	struct buf out = {0};
	buf_adds(&out, "# Generated by boxwrap: the package ships no desktop entry for this app.\n"
		       "[Desktop Entry]\nType=Application\nName=");
	cleanup_free char *shown = one_line(name);
	buf_adds(&out, shown);
	buf_adds(&out, "\nExec=");
	desktop_exec_quote(&out, launcher);
	buf_adds(&out, "\nNoDisplay=true\n");
	return buf_steal(&out);
}
