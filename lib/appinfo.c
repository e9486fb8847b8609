#include "appinfo.h"

#include <string.h>

#include "sandbox.h"
#include "util.h"

void keyfile_escape(struct buf *out, const char *v, int in_list)
{
	for (const char *c = v; *c; c++) {
		switch (*c) {
		case '\\': buf_adds(out, "\\\\"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case ';':
			buf_adds(out, in_list ? "\\;" : ";");
			break;
		case ' ':
			buf_adds(out, c == v ? "\\s" : " ");
			break;
		default: buf_addc(out, *c);
		}
	}
}

static void add_line(struct plan *pl, const char *text)
{
	plan_appinfo_line(pl, plan_word(pl, "%s", text));
}

static void add_flag_list(struct plan *pl, const char *key, const struct flag_name *names, unsigned v)
{
	struct buf b = {0};
	if (!v)
		return;
	buf_addf(&b, "%s=", key);
	for (; names->name; names++)
		if (v & names->bit)
			buf_addf(&b, "%s;", names->name);
	add_line(pl, b.s);
	buf_clear(&b);
}

static void add_fs_list(struct plan *pl, const struct policy *p)
{
	struct buf b = {0};
	if (!p->nfs && !p->persistent.n)
		return;
	if (p->nfs) {
		buf_adds(&b, "filesystems=");
		for (size_t i = 0; i < p->nfs; i++) {
			cleanup_free char *key = fs_grant_key(&p->fs[i]);
			cleanup_free char *spec = p->fs[i].mode == FS_RW ? xstrdup(key)
					: xasprintf("%s:%s", key, fs_mode_name(p->fs[i].mode));
			keyfile_escape(&b, spec, 1);
			buf_addc(&b, ';');
		}
		add_line(pl, b.s);
		buf_clear(&b);
	}
	if (p->persistent.n) {
		buf_adds(&b, "persistent=");
		for (size_t i = 0; i < p->persistent.n; i++) {
			keyfile_escape(&b, p->persistent.v[i], 1);
			buf_addc(&b, ';');
		}
		add_line(pl, b.s);
		buf_clear(&b);
	}
}

static void add_bus_group(struct plan *pl, const char *group, const struct bus_policy *b)
{
	const struct strv *levels[] = {&b->see, &b->talk, &b->own};
	static const char *const names[] = {"see", "talk", "own"};
	if (!b->see.n && !b->talk.n && !b->own.n)
		return;
	add_line(pl, group);
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < levels[l]->n; i++) {
			cleanup_free char *line = xasprintf("%s=%s", levels[l]->v[i], names[l]);
			add_line(pl, line);
		}
	}
}

static void add_keyfile(struct plan *pl, const struct policy *p)
{
	cleanup_free char *name = xasprintf("name=%s", p->app_id);
	add_line(pl, "[Application]");
	add_line(pl, name);
	add_line(pl, "");
	add_line(pl, "[Instance]");
	plan_appinfo_line(pl, plan_word(pl, "instance-id={instance}"));
	if (!p->service) /* a service has no home */
		plan_appinfo_line(pl, plan_word(pl, "instance-path={home}/.var/app/%s", p->app_id));
	add_line(pl, "");
	add_line(pl, "[Context]");
	add_flag_list(pl, "shared", share_names, flagset_value(&p->shared));
	add_flag_list(pl, "sockets", socket_names, flagset_value(&p->sockets));
	add_flag_list(pl, "devices", device_names, flagset_value(&p->devices));
	add_flag_list(pl, "features", feature_names, flagset_value(&p->features));
	add_fs_list(pl, p);
	add_bus_group(pl, "\n[Session Bus Policy]", &p->session_bus);
	add_bus_group(pl, "\n[System Bus Policy]", &p->system_bus);
}

void add_app_info(struct plan *pl, const struct policy *p)
{
	add_keyfile(pl, p);
	/* A real file survives namespace teardown; the read-only bind on top
	 * makes it unwritable, and a mount point cannot be renamed or
	 * removed (portal-contract.md §4, security.md D5). */
	plan_op(pl, "--perms", plan_word(pl, "0600"), NULL);
	plan_op(pl, "--file", plan_word(pl, "4"), plan_word(pl, "/.flatpak-info"));
	plan_op(pl, "--ro-bind-data", plan_word(pl, "5"), plan_word(pl, "/.flatpak-info"));
	plan_op(pl, "--symlink", plan_word(pl, "../../../.flatpak-info"), plan_word(pl, "/run/user/{uid}/flatpak-info"));
	/* Held for the sandbox's life, so Flatpak's own instance clean-up
	 * sees this instance as running. */
	plan_op(pl, "--ro-bind", plan_word(pl, "{rt}/.flatpak/{instance}/.ref"), plan_word(pl, "/run/flatpak/.ref"));
	plan_op(pl, "--lock-file", plan_word(pl, "/run/flatpak/.ref"), NULL);
	plan_op(pl, "--info-fd", plan_word(pl, "6"), NULL);
}
