/* The order of a sandbox. Security-critical mounts (app-info, instance
 * lock, seccomp) come after every grant, so no grant can cover them
 * (security.md F5). */
#include <string.h>

#include "config.h"
#include "sandbox.h"
#include "spawn.h"
#include "util.h"

/* A service (type: service) is a root daemon: the kernel checks what it
 * exists for (CAP_NET_ADMIN on a Bluetooth controller...) against the
 * initial user namespace, so it gets none. bwrap run by root keeps every
 * capability unless told otherwise: all are dropped, then the profile's
 * kept. Seccomp still refuses new user namespaces and mounts. */
static void add_service_caps(struct plan *pl, const struct policy *p)
{
	plan_op(pl, "--cap-drop", plan_word(pl, "ALL"), NULL);
	for (size_t i = 0; i < p->capabilities.n; i++)
		plan_op(pl, "--cap-add", plan_word(pl, "%s", p->capabilities.v[i]), NULL);
}

static void add_namespaces(struct plan *pl, const struct policy *p)
{
	unsigned shared = flagset_value(&p->shared);
	if (p->service) {
		add_service_caps(pl, p);
	} else {
		plan_op(pl, "--unshare-user", NULL, NULL);
		/* Nested user namespaces would let the app remount its way around
		 * /.flatpak-info; only apps that sandbox themselves get them. */
		if (!(flagset_value(&p->features) & FEAT_NESTED_SANDBOX))
			plan_op(pl, "--disable-userns", NULL, NULL);
	}
	plan_op(pl, "--unshare-pid", NULL, NULL);
	plan_op(pl, "--unshare-uts", NULL, NULL);
	plan_op(pl, "--unshare-cgroup-try", NULL, NULL);
	if (!(shared & SHARE_IPC))
		plan_op(pl, "--unshare-ipc", NULL, NULL);
	if (!(shared & SHARE_NETWORK))
		plan_op(pl, "--unshare-net", NULL, NULL);
	plan_op(pl, "--die-with-parent", NULL, NULL);
	/* No controlling terminal: TIOCSTI cannot reach the caller's shell. */
	plan_op(pl, "--new-session", NULL, NULL);
}

/* Host /usr read-only, and the top-level directories that point into it:
 * symlinks on merged-/usr hosts, read-only binds elsewhere. */
void add_usr(struct plan *pl)
{
	static const char *const top[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	plan_op(pl, "--ro-bind", plan_word(pl, "/usr"), plan_word(pl, "/usr"));
	for (size_t i = 0; i < sizeof(top) / sizeof(*top); i++) {
		struct word *path = plan_word(pl, "/%s", top[i]);
		plan_guard(plan_op(pl, "--symlink", plan_word(pl, "usr/%s", top[i]), plan_word(pl, "/%s", top[i])),
			   G_USR_LINK, path);
		plan_guard(plan_op(pl, "--ro-bind", plan_word(pl, "/%s", top[i]), plan_word(pl, "/%s", top[i])),
			   G_REAL_DIR, plan_word(pl, "/%s", top[i]));
	}
}

static void add_system_dirs(struct plan *pl, const struct policy *p)
{
	static const char *const sys[] = {"block", "bus", "class", "dev", "devices"};
	add_usr(pl);
	plan_op(pl, "--ro-bind", plan_word(pl, "/etc"), plan_word(pl, "/etc"));
	plan_op(pl, "--proc", plan_word(pl, "/proc"), NULL);
	if (flagset_value(&p->devices) & DEV_ALL)
		plan_op(pl, "--dev-bind", plan_word(pl, "/dev"), plan_word(pl, "/dev"));
	else
		plan_op(pl, "--dev", plan_word(pl, "/dev"), NULL);
	/* Only the sysfs subset Flatpak exposes (security.md F9). */
	for (size_t i = 0; i < sizeof(sys) / sizeof(*sys); i++)
		plan_op(pl, "--ro-bind-try", plan_word(pl, "/sys/%s", sys[i]), plan_word(pl, "/sys/%s", sys[i]));
	plan_op(pl, "--tmpfs", plan_word(pl, "/tmp"), NULL);
	plan_op(pl, "--dir", plan_word(pl, "/var/tmp"), NULL);
	plan_op(pl, "--symlink", plan_word(pl, "../run"), plan_word(pl, "/var/run"));
	plan_op(pl, "--ro-bind-try", plan_word(pl, "/var/cache/fontconfig"), plan_word(pl, "/var/cache/fontconfig"));
	plan_op(pl, "--ro-bind-try", plan_word(pl, "/var/lib/dbus/machine-id"), plan_word(pl, "/var/lib/dbus/machine-id"));
	/* A fresh runtime directory holding only what is granted (F10). */
	plan_op(pl, "--perms", plan_word(pl, "0700"), NULL);
	plan_op(pl, "--dir", plan_word(pl, "/run/user/{uid}"), NULL);
}

/* Apps that sandbox themselves ask flatpak-spawn for their sub-sandboxes
 * once they see /.flatpak-info (lib/spawn.h); environ.c puts its
 * directory first in PATH. */
static void add_spawn_helper(struct plan *pl, const struct policy *p, const char *helper)
{
	if (p->service || !(flagset_value(&p->features) & FEAT_NESTED_SANDBOX))
		return;
	plan_op(pl, "--ro-bind", plan_word(pl, "%s", helper), plan_word(pl, SPAWN_HELPER_PATH));
}

static void add_command(struct plan *pl, const struct policy *p)
{
	pl->command = xcalloc(p->args.n + 1, sizeof(*pl->command));
	pl->command[pl->ncommand++] = plan_word(pl, "%s", p->command);
	for (size_t i = 0; i < p->args.n; i++)
		pl->command[pl->ncommand++] = plan_word(pl, "%s", p->args.v[i]);
}

static void set_seccomp(struct plan *pl, const struct policy *p)
{
	unsigned f = flagset_value(&p->features);
	pl->seccomp = (struct seccomp_opts){
		.devel = f & FEAT_DEVEL, .multiarch = f & FEAT_MULTIARCH,
		.bluetooth = f & FEAT_BLUETOOTH, .canbus = f & FEAT_CANBUS,
		.nested_sandbox = f & FEAT_NESTED_SANDBOX,
	};
}

void plan_build(const struct policy *p, const struct plan_opts *o, struct plan *pl)
{
	*pl = (struct plan){.app_id = xstrdup(p->app_id), .xdg_dbus_proxy = o->xdg_dbus_proxy,
			    .via = {.guard = G_ALWAYS, .guard_var = -1}};
	/* home, uid, rt and instance first: hostvar.h relies on the order. A
	 * service has no home, and OpenRC need not set HOME: its home slot is
	 * a placeholder that nothing uses, resolves to nothing and emits no
	 * sh (an instance kind, told apart from the real one by its arg). */
	if (p->service)
		plan_var(pl, HV_INSTANCE, "no-home");
	else
		plan_var(pl, HV_HOME, NULL);
	plan_var(pl, HV_UID, NULL);
	plan_var(pl, HV_RUNTIME_DIR, NULL);
	plan_var(pl, HV_INSTANCE, NULL);

	add_namespaces(pl, p);
	add_environment(pl, p);
	add_system_dirs(pl, p);
	add_spawn_helper(pl, p, o->spawn_helper ? o->spawn_helper : BOXWRAP_SPAWN_HELPER);
	if (!p->service)
		add_home(pl, p);
	add_filesystem_grants(pl, p);
	add_devices(pl, p);
	add_sockets(pl, p, o->wayland_helper ? o->wayland_helper : BOXWRAP_WAYLAND_HELPER);
	if (!p->service)
		add_document_portal(pl, p);
	add_dbus(pl, p, o->log_session_bus);
	add_app_info(pl, p);
	set_seccomp(pl, p);
	plan_op(pl, "--seccomp", plan_word(pl, "7"), NULL);
	add_command(pl, p);
}
