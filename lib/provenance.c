#include "provenance.h"

#include <stddef.h>
#include <string.h>

#include "escape.h"
#include "util.h"

static void line(struct buf *o, const char *label, const char *text)
{
	cleanup_free char *safe = escape_for_terminal(text);
	buf_addf(o, "  %-12s %s\n", label, safe);
}

/* ---- flags -------------------------------------------------------------- */

static const struct {
	const char *label;
	const struct flag_name *names;
	size_t offset;
} sets[] = {
	{"shared:", share_names, offsetof(struct policy, shared)},
	{"sockets:", socket_names, offsetof(struct policy, sockets)},
	{"devices:", device_names, offsetof(struct policy, devices)},
	{"features:", feature_names, offsetof(struct policy, features)},
};

static const struct flagset *set_of(const struct policy *p, size_t i)
{
	return (const struct flagset *)((const char *)p + sets[i].offset);
}

/* Why a grant of layer `from` is gone: the first layer at or above it
 * that denies or resets it. */
static char *removed_how(const char *what, int from, int by, const char *how)
{
	if (by == from)
		return xasprintf("%s: granted and denied by the %s (a denial wins)", what, layer_names[by]);
	if (by < from) /* the system override's denials are final */
		return xasprintf("%s: granted by the %s, denied by the %s (final)", what, layer_names[from], layer_names[by]);
	return xasprintf("%s: granted by the %s, %s by the %s", what, layer_names[from], how, layer_names[by]);
}

static char *removed_by(const char *what, int from, int by, bool reset)
{
	return removed_how(what, from, by, reset ? "reset" : "denied");
}

static void flag_sources(struct buf *o, struct buf *gone, const struct layers *ls, const struct policy *eff)
{
	for (size_t s = 0; s < sizeof(sets) / sizeof(*sets); s++) {
		unsigned v = flagset_value(set_of(eff, s));
		for (const struct flag_name *n = sets[s].names; n->name; n++) {
			int last = -1, by = -1;
			bool reset = false;
			for (int i = 0; i < LAYER_N; i++) {
				const struct flagset *f = set_of(&ls->layer[i], s);
				if (!ls->have[i])
					continue;
				if ((f->reset || (f->deny & n->bit)) && last >= 0 && by < 0 && i > last) {
					by = i;
					reset = !(f->deny & n->bit);
				}
				if (f->grant & n->bit) {
					last = i;
					by = (f->deny & n->bit) ? i : -1;
				}
			}
			/* The system override's denials are final (layers_merge). */
			if (last > LAYER_SYSTEM && by < 0 && !(v & n->bit) && ls->have[LAYER_SYSTEM] &&
			    (set_of(&ls->layer[LAYER_SYSTEM], s)->deny & n->bit)) {
				by = LAYER_SYSTEM;
				reset = false;
			}
			if (last < 0)
				continue;
			if (v & n->bit) {
				cleanup_free char *t = xasprintf("%s (%s)", n->name, layer_names[last]);
				line(o, sets[s].label, t);
			} else if (by >= 0) {
				cleanup_free char *t = removed_by(n->name, last, by, reset);
				line(gone, sets[s].label, t);
			}
		}
	}
}

/* ---- filesystems -------------------------------------------------------- */

static bool layer_has_fs(const struct policy *p, const char *key, bool deny)
{
	for (size_t i = 0; i < p->nfs; i++) {
		cleanup_free char *k = fs_grant_key(&p->fs[i]);
		if (p->fs[i].deny == deny && !strcmp(k, key))
			return true;
	}
	return false;
}

static void fs_sources(struct buf *o, struct buf *gone, const struct layers *ls, const struct policy *eff)
{
	struct strv seen = {0};
	for (int top = LAYER_N - 1; top >= 0; top--) {
		const struct policy *l = &ls->layer[top];
		for (size_t i = 0; ls->have[top] && i < l->nfs; i++) {
			const struct fs_grant *g = &l->fs[i];
			cleanup_free char *key = fs_grant_key(g);
			if (g->deny || strv_find(&seen, key) >= 0)
				continue;
			strv_push(&seen, key); /* the highest layer granting it decides */
			bool live = false;
			for (size_t j = 0; j < eff->nfs; j++) {
				cleanup_free char *k = fs_grant_key(&eff->fs[j]);
				live |= !strcmp(k, key);
			}
			if (live) {
				const char *mode = g->mode == FS_RO ? "read-only"
						 : g->mode == FS_CREATE ? "read-write, created if missing" : "read-write";
				cleanup_free char *t = xasprintf("%s (%s; %s)", key, mode, layer_names[top]);
				line(o, "filesystem:", t);
				continue;
			}
			int by = -1;
			bool reset = false;
			const char *how = NULL;
			if (layer_has_fs(l, key, true))
				by = top;
			for (int k = top + 1; by < 0 && k < LAYER_N; k++) {
				const struct policy *up = &ls->layer[k];
				if (!ls->have[k])
					continue;
				if (up->fs_reset) {
					by = k;
					reset = true;
				}
				for (size_t j = 0; by < 0 && j < up->nfs; j++) {
					if (fs_grant_covers(&up->fs[j], g)) {
						by = k;
						how = up->fs[j].deny ? NULL : "replaced by a grant around it";
					}
				}
			}
			for (size_t j = 0; by < 0 && top > LAYER_SYSTEM && ls->have[LAYER_SYSTEM] &&
					   j < ls->layer[LAYER_SYSTEM].nfs; j++) {
				const struct fs_grant *d = &ls->layer[LAYER_SYSTEM].fs[j];
				if (d->deny && fs_grant_covers(d, g))
					by = LAYER_SYSTEM; /* final (layers_merge) */
			}
			if (by >= 0) {
				cleanup_free char *t = how ? removed_how(key, top, by, how) : removed_by(key, top, by, reset);
				line(gone, "filesystem:", t);
			}
		}
	}
	strv_clear(&seen);
}

/* ---- environment and bus names ----------------------------------------- */

static int highest(const struct layers *ls, size_t offset, const char *name)
{
	for (int i = LAYER_N - 1; i >= 0; i--) {
		const struct strv *sv = (const struct strv *)((const char *)&ls->layer[i] + offset);
		if (ls->have[i] && strv_find(sv, name) >= 0)
			return i;
	}
	return -1;
}

static void env_sources(struct buf *o, struct buf *gone, const struct layers *ls, const struct policy *eff)
{
	for (size_t i = 0; i < eff->env_names.n; i++) {
		int at = highest(ls, offsetof(struct policy, env_names), eff->env_names.v[i]);
		cleanup_free char *t = xasprintf("%s=%s (%s)", eff->env_names.v[i], eff->env_values.v[i],
						 at >= 0 ? layer_names[at] : "?");
		line(o, "environment:", t);
	}
	for (size_t i = 0; i < eff->unset_env.n; i++) {
		int at = highest(ls, offsetof(struct policy, unset_env), eff->unset_env.v[i]);
		int set = highest(ls, offsetof(struct policy, env_names), eff->unset_env.v[i]);
		cleanup_free char *t = set >= 0 && set <= at ? removed_by(eff->unset_env.v[i], set, at, false)
				     : xasprintf("%s (%s)", eff->unset_env.v[i], at >= 0 ? layer_names[at] : "?");
		line(set >= 0 && set <= at ? gone : o, "unset-env:", t);
	}
}

static void bus_sources(struct buf *o, struct buf *gone, const struct layers *ls, const struct policy *eff,
			const char *section, size_t bus_offset)
{
	static const char *const level[] = {"own", "talk", "see", "call", "broadcast"};
	const size_t lv_off[] = {
		offsetof(struct bus_policy, own), offsetof(struct bus_policy, talk),
		offsetof(struct bus_policy, see), offsetof(struct bus_policy, call),
		offsetof(struct bus_policy, broadcast),
	};
	const struct bus_policy *eb = (const struct bus_policy *)((const char *)eff + bus_offset);
	for (size_t v = 0; v < 5; v++) {
		cleanup_free char *label = xasprintf("%s %s:", section, level[v]);
		const struct strv *names = (const struct strv *)((const char *)eb + lv_off[v]);
		for (size_t i = 0; i < names->n; i++) {
			int at = highest(ls, bus_offset + lv_off[v], names->v[i]);
			cleanup_free char *t = xasprintf("%s (%s)", names->v[i], at >= 0 ? layer_names[at] : "?");
			line(o, label, t);
		}
	}
	/* names a lower layer gave that a higher one's denial removed */
	struct strv seen = {0};
	for (int i = 0; i < LAYER_N; i++) {
		const struct bus_policy *b = (const struct bus_policy *)((const char *)&ls->layer[i] + bus_offset);
		for (size_t v = 0; ls->have[i] && v < 3; v++) {
			const struct strv *names = (const struct strv *)((const char *)b + lv_off[v]);
			for (size_t k = 0; k < names->n; k++) {
				const char *n = names->v[k];
				if (strv_find(&eb->own, n) >= 0 || strv_find(&eb->talk, n) >= 0 ||
				    strv_find(&eb->see, n) >= 0 || strv_find(&seen, n) >= 0)
					continue;
				int by = highest(ls, bus_offset + offsetof(struct bus_policy, none), n);
				if (by < i)
					continue;
				strv_push(&seen, n);
				cleanup_free char *label = xasprintf("%s %s:", section, level[v]);
				cleanup_free char *t = removed_by(n, i, by, false);
				line(gone, label, t);
			}
		}
	}
	strv_clear(&seen);
}

void describe_sources(struct buf *o, const struct layers *ls, const struct policy *eff)
{
	struct buf gone = {0};
	buf_adds(o, "layers (lowest first; a higher one wins, a denial wins in its own, a system denial is final):\n");
	for (int i = 0; i < LAYER_N; i++) {
		cleanup_free char *label = xasprintf("%s:", layer_names[i]);
		struct buf b = {0};
		for (size_t k = 0; i == LAYER_CMDLINE && k < ls->cmdline.n; k++)
			buf_addf(&b, "%s%s", k ? " " : "", ls->cmdline.v[k]);
		const char *text = i == LAYER_CMDLINE ? (b.len ? b.s : "none") : ls->have[i] ? ls->path[i] : "none";
		cleanup_free char *safe = escape_for_terminal(text);
		buf_addf(o, "  %-16s %s\n", label, safe);
		buf_clear(&b);
	}
	buf_adds(o, "granted, and by which layer:\n");
	size_t before = o->len;
	flag_sources(o, &gone, ls, eff);
	fs_sources(o, &gone, ls, eff);
	env_sources(o, &gone, ls, eff);
	bus_sources(o, &gone, ls, eff, "session-bus", offsetof(struct policy, session_bus));
	bus_sources(o, &gone, ls, eff, "system-bus", offsetof(struct policy, system_bus));
	if (o->len == before)
		buf_adds(o, "  nothing beyond the sandbox's defaults\n");
	if (gone.len) {
		buf_adds(o, "removed by a higher layer:\n");
		buf_adds(o, gone.s);
	}
	buf_clear(&gone);
}
