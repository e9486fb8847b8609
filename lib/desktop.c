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
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
			return false;
	return true;
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

/* Calls fn on every line of the [Desktop Entry] group; returns false if
 * there is no such group. */
static bool each_entry_line(const char *text, void (*fn)(const char *l, size_t n, void *ctx), void *ctx)
{
	bool in = false, found = false;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		size_t m = n && l[n - 1] == '\r' ? n - 1 : n;
		if (m && l[0] == '[') {
			in = m == strlen("[Desktop Entry]") && !strncmp(l, "[Desktop Entry]", m);
			found |= in;
		} else if (in && m && l[0] != '#') {
			fn(l, m, ctx);
		}
		l += n + (nl != NULL);
	}
	return found;
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

struct rewrite {
	struct buf *out;
};

static void copy_line(const char *l, size_t n, void *ctx)
{
	static const char *const dropped[] = {
		"Exec", "TryExec", "DBusActivatable", "Actions", "NoDisplay", "Hidden", NULL,
	};
	struct rewrite *r = ctx;
	if (!line_ok(l, n))
		return;
	for (const char *const *k = dropped; *k; k++)
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

char *desktop_rewrite(const char *text, const char *source, const char *launcher, bool hidden)
{
	struct buf out = {0};
	struct rewrite r = {.out = &out};
	struct exec_find f = {0};
	struct hidden_find h = {0};
	struct strv words = {0};
	const char *code = NULL;
	if (!each_entry_line(text, find_exec, &f)) {
		free(f.exec);
		return NULL;
	}
	each_entry_line(text, find_hidden, &h);
	/* The one field code that carries the files or URLs to open. */
	if (f.exec && exec_words(f.exec, &words))
		for (size_t i = 1; i < words.n && !code; i++)
			if (!strcmp(words.v[i], "%f") || !strcmp(words.v[i], "%F") ||
			    !strcmp(words.v[i], "%u") || !strcmp(words.v[i], "%U"))
				code = words.v[i];
	cleanup_free char *from = one_line(source);
	buf_addf(&out, "# Generated by boxwrap from %s; Exec runs the sandbox launcher.\n"
		       "[Desktop Entry]\n", from);
	each_entry_line(text, copy_line, &r);
	buf_adds(&out, "Exec=");
	desktop_exec_quote(&out, launcher);
	if (code)
		buf_addf(&out, " %s", code);
	buf_addc(&out, '\n');
	if (hidden || h.hidden)
		buf_adds(&out, "NoDisplay=true\n");
	strv_clear(&words);
	free(f.exec);
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
