#include "policy.h"

#include <string.h>

#include "util.h"

const struct flag_name share_names[] = {{"network", SHARE_NETWORK}, {"ipc", SHARE_IPC}, {0}};
const struct flag_name socket_names[] = {
	{"wayland", SOCK_WAYLAND}, {"x11", SOCK_X11}, {"fallback-x11", SOCK_FALLBACK_X11},
	{"pulseaudio", SOCK_PULSEAUDIO}, {"pipewire", SOCK_PIPEWIRE},
	{"session-bus", SOCK_SESSION_BUS}, {"system-bus", SOCK_SYSTEM_BUS},
	{"ssh-auth", SOCK_SSH_AUTH}, {"pcsc", SOCK_PCSC}, {"cups", SOCK_CUPS},
	{"gpg-agent", SOCK_GPG_AGENT}, {0},
};
const struct flag_name device_names[] = {
	{"dri", DEV_DRI}, {"input", DEV_INPUT}, {"usb", DEV_USB}, {"kvm", DEV_KVM},
	{"shm", DEV_SHM}, {"all", DEV_ALL}, {0},
};
const struct flag_name feature_names[] = {
	{"devel", FEAT_DEVEL}, {"multiarch", FEAT_MULTIARCH}, {"bluetooth", FEAT_BLUETOOTH},
	{"canbus", FEAT_CANBUS}, {"nested-sandbox", FEAT_NESTED_SANDBOX}, {0},
};

const char *flag_name_of(const struct flag_name *names, unsigned bit)
{
	for (; names->name; names++)
		if (names->bit == bit)
			return names->name;
	return "?";
}

unsigned flagset_value(const struct flagset *f)
{
	return f->grant & ~f->deny;
}

static void merge_flags(struct flagset *eff, const struct flagset *l)
{
	unsigned v = l->reset ? 0 : flagset_value(eff);
	eff->grant = (v | l->grant) & ~l->deny;
	eff->deny = 0;
}

static void strv_add_all(struct strv *dst, const struct strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (strv_find(dst, src->v[i]) < 0)
			strv_push(dst, src->v[i]);
}

static void strv_remove_all(struct strv *dst, const struct strv *names)
{
	for (size_t i = 0; i < names->n; i++) {
		int at;
		while ((at = strv_find(dst, names->v[i])) >= 0)
			strv_remove(dst, at);
	}
}

static void merge_bus(struct bus_policy *eff, const struct bus_policy *l)
{
	struct strv *levels[] = {&eff->see, &eff->talk, &eff->own};
	const struct strv *add[] = {&l->see, &l->talk, &l->own};
	/* A name has one level: the layer's choice replaces the lower one. */
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			strv_remove_all(levels[j], add[i]);
	for (size_t i = 0; i < 3; i++)
		strv_add_all(levels[i], add[i]);
	strv_add_all(&eff->call, &l->call);
	strv_add_all(&eff->broadcast, &l->broadcast);
	for (size_t j = 0; j < 3; j++)
		strv_remove_all(levels[j], &l->none);
	eff->present |= l->present;
}

static int find_fs(const struct policy *p, const char *key)
{
	for (size_t i = 0; i < p->nfs; i++) {
		cleanup_free char *k = fs_grant_key(&p->fs[i]);
		if (!strcmp(k, key))
			return (int)i;
	}
	return -1;
}

static void remove_fs(struct policy *p, size_t i)
{
	fs_grant_clear(&p->fs[i]);
	memmove(&p->fs[i], &p->fs[i + 1], (p->nfs - i - 1) * sizeof(*p->fs));
	p->nfs--;
}

static bool sub_under(const char *sub, const char *dir)
{
	size_t n = strlen(dir);
	return !n || (!strncmp(sub, dir, n) && (sub[n] == '/' || sub[n] == '\0'));
}

bool fs_grant_covers(const struct fs_grant *d, const struct fs_grant *g)
{
	switch (d->base) {
	case FS_HOST:
		return g->base == FS_HOST || g->base == FS_HOME || g->base == FS_HOME_REL ||
		       g->base == FS_XDG || g->base == FS_ABS;
	case FS_HOME:
		return g->base == FS_HOME || g->base == FS_HOME_REL || g->base == FS_XDG;
	case FS_HOST_OS:
	case FS_HOST_ETC:
		return g->base == d->base;
	case FS_XDG:
		return g->base == FS_XDG && !strcmp(g->xdg_name, d->xdg_name) && sub_under(g->sub, d->sub);
	case FS_XDG_RUN:
	case FS_HOME_REL:
	case FS_ABS:
		return g->base == d->base && sub_under(g->sub, d->sub);
	}
	return false;
}

/* A layer's choice for a path decides for what lower layers granted
 * inside it, not only for the path itself: "!host" leaves no /dir or
 * ~/dir grant behind (CVE-2022-21682), and "home:ro" leaves no writable
 * ~/dir below it. */
static void deny_covered(struct policy *eff, const struct policy *l)
{
	for (size_t i = 0; i < l->nfs; i++) {
		for (size_t j = eff->nfs; j-- > 0;)
			if (fs_grant_covers(&l->fs[i], &eff->fs[j]))
				remove_fs(eff, j);
	}
}

static void merge_fs(struct policy *eff, const struct policy *l)
{
	if (l->fs_reset)
		while (eff->nfs)
			remove_fs(eff, eff->nfs - 1);
	deny_covered(eff, l);
	for (size_t i = 0; i < l->nfs; i++) {
		const struct fs_grant *g = &l->fs[i];
		cleanup_free char *key = fs_grant_key(g);
		int at = find_fs(eff, key);
		if (at >= 0)
			remove_fs(eff, at);
		if (g->deny)
			continue;
		eff->fs = xrealloc(eff->fs, (eff->nfs + 1) * sizeof(*eff->fs));
		eff->fs[eff->nfs] = *g;
		eff->fs[eff->nfs++].sub = xstrdup(g->sub);
	}
	/* Deny wins at equal level: a layer's "!x" removes its own "x" too. */
	for (size_t i = 0; i < l->nfs; i++) {
		if (!l->fs[i].deny)
			continue;
		cleanup_free char *key = fs_grant_key(&l->fs[i]);
		int at = find_fs(eff, key);
		if (at >= 0)
			remove_fs(eff, at);
	}
}

static void merge_env(struct policy *eff, const struct policy *l)
{
	for (size_t i = 0; i < l->env_names.n; i++) {
		int at = strv_find(&eff->env_names, l->env_names.v[i]);
		if (at >= 0) {
			strv_remove(&eff->env_names, at);
			strv_remove(&eff->env_values, at);
		}
		strv_push(&eff->env_names, l->env_names.v[i]);
		strv_push(&eff->env_values, l->env_values.v[i]);
		/* set above an unset: the higher layer wins */
		while ((at = strv_find(&eff->unset_env, l->env_names.v[i])) >= 0)
			strv_remove(&eff->unset_env, at);
	}
	for (size_t i = 0; i < l->unset_env.n; i++) {
		int at = strv_find(&eff->env_names, l->unset_env.v[i]);
		if (at >= 0) {
			strv_remove(&eff->env_names, at);
			strv_remove(&eff->env_values, at);
		}
	}
	strv_add_all(&eff->unset_env, &l->unset_env);
}

void policy_merge(struct policy *eff, const struct policy *l)
{
	if (l->app_id && !eff->app_id)
		eff->app_id = xstrdup(l->app_id);
	if (l->command) {
		free(eff->command);
		eff->command = xstrdup(l->command);
	}
	if (l->args.n) {
		strv_clear(&eff->args);
		strv_add_all(&eff->args, &l->args);
	}
	if (l->path && !eff->path)
		eff->path = xstrdup(l->path);
	merge_flags(&eff->shared, &l->shared);
	merge_flags(&eff->sockets, &l->sockets);
	merge_flags(&eff->devices, &l->devices);
	merge_flags(&eff->features, &l->features);
	merge_fs(eff, l);
	strv_add_all(&eff->persistent, &l->persistent);
	merge_env(eff, l);
	merge_bus(&eff->session_bus, &l->session_bus);
	merge_bus(&eff->system_bus, &l->system_bus);
	eff->service |= l->service;
	strv_add_all(&eff->capabilities, &l->capabilities);
}

/* ---- editing one layer (override files, the command line) ----------- */

static void update_flags(struct flagset *f, const struct flagset *e)
{
	if (e->reset)
		*f = (struct flagset){.reset = true};
	f->grant = (f->grant | e->grant) & ~e->deny;
	f->deny = (f->deny & ~e->grant) | e->deny;
}

static void push_fs(struct policy *p, const struct fs_grant *g)
{
	p->fs = xrealloc(p->fs, (p->nfs + 1) * sizeof(*p->fs));
	p->fs[p->nfs] = *g;
	p->fs[p->nfs].sub = xstrdup(g->sub);
	if (g->deny)
		p->fs[p->nfs].mode = FS_RW; /* a denial has no mode */
	p->nfs++;
}

static bool layer_denies(const struct policy *l, const char *key)
{
	for (size_t i = 0; i < l->nfs; i++) {
		cleanup_free char *k = fs_grant_key(&l->fs[i]);
		if (l->fs[i].deny && !strcmp(k, key))
			return true;
	}
	return false;
}

static void update_fs(struct policy *p, const struct policy *e)
{
	if (e->fs_reset) {
		while (p->nfs)
			remove_fs(p, p->nfs - 1);
		p->fs_reset = true;
	}
	deny_covered(p, e);
	for (size_t i = 0; i < e->nfs; i++) {
		cleanup_free char *key = fs_grant_key(&e->fs[i]);
		int at;
		if (e->fs[i].deny || layer_denies(e, key))
			continue;
		while ((at = find_fs(p, key)) >= 0)
			remove_fs(p, at);
		push_fs(p, &e->fs[i]);
	}
	for (size_t i = 0; i < e->nfs; i++) {
		cleanup_free char *key = fs_grant_key(&e->fs[i]);
		if (e->fs[i].deny && find_fs(p, key) < 0)
			push_fs(p, &e->fs[i]);
	}
}

static void update_env(struct policy *p, const struct policy *e)
{
	for (size_t i = 0; i < e->env_names.n; i++) {
		const char *name = e->env_names.v[i];
		int at = strv_find(&p->env_names, name);
		if (at >= 0) {
			strv_remove(&p->env_names, at);
			strv_remove(&p->env_values, at);
		}
		while ((at = strv_find(&p->unset_env, name)) >= 0)
			strv_remove(&p->unset_env, at);
		strv_push(&p->env_names, name);
		strv_push(&p->env_values, e->env_values.v[i]);
	}
	for (size_t i = 0; i < e->unset_env.n; i++) {
		int at = strv_find(&p->env_names, e->unset_env.v[i]);
		if (at >= 0) {
			strv_remove(&p->env_names, at);
			strv_remove(&p->env_values, at);
		}
	}
	strv_add_all(&p->unset_env, &e->unset_env);
}

static void update_bus(struct bus_policy *b, const struct bus_policy *e)
{
	struct strv *levels[] = {&b->see, &b->talk, &b->own};
	const struct strv *add[] = {&e->see, &e->talk, &e->own};
	for (size_t i = 0; i < 3; i++) {
		strv_remove_all(&b->none, add[i]);
		for (size_t j = 0; j < 3; j++)
			strv_remove_all(levels[j], add[i]);
	}
	for (size_t i = 0; i < 3; i++)
		strv_add_all(levels[i], add[i]);
	for (size_t j = 0; j < 3; j++)
		strv_remove_all(levels[j], &e->none);
	strv_add_all(&b->none, &e->none);
	strv_add_all(&b->call, &e->call);
	strv_add_all(&b->broadcast, &e->broadcast);
	b->present |= e->present;
}

void policy_layer_update(struct policy *p, const struct policy *e)
{
	update_flags(&p->shared, &e->shared);
	update_flags(&p->sockets, &e->sockets);
	update_flags(&p->devices, &e->devices);
	update_flags(&p->features, &e->features);
	update_fs(p, e);
	strv_add_all(&p->persistent, &e->persistent);
	update_env(p, e);
	update_bus(&p->session_bus, &e->session_bus);
	update_bus(&p->system_bus, &e->system_bus);
}

static void bus_free(struct bus_policy *b)
{
	strv_clear(&b->see);
	strv_clear(&b->talk);
	strv_clear(&b->own);
	strv_clear(&b->call);
	strv_clear(&b->broadcast);
	strv_clear(&b->none);
}

void policy_free(struct policy *p)
{
	free(p->path);
	free(p->app_id);
	free(p->command);
	strv_clear(&p->args);
	for (size_t i = 0; i < p->nfs; i++)
		fs_grant_clear(&p->fs[i]);
	free(p->fs);
	strv_clear(&p->persistent);
	strv_clear(&p->env_names);
	strv_clear(&p->env_values);
	strv_clear(&p->unset_env);
	bus_free(&p->session_bus);
	bus_free(&p->system_bus);
	strv_clear(&p->capabilities);
	*p = (struct policy){0};
}
