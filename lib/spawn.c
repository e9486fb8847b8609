/* The flatpak-spawn stand-in's logic: its options, and the sub-sandbox
 * they describe. The sub-sandbox is what Flatpak's `flatpak run --sandbox`
 * gives: the system, no home, no network with --no-network, and of the
 * app's sockets only those the --sandbox-flag options name. */
#include "spawn.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum opt_id {
	OPT_SANDBOX, OPT_NO_NETWORK, OPT_WATCH_BUS, OPT_EXPOSE_PIDS, OPT_SHARE_PIDS,
	OPT_CLEAR_ENV, OPT_VERBOSE, OPT_ENV, OPT_UNSET_ENV, OPT_FORWARD_FD,
	OPT_DIRECTORY, OPT_SANDBOX_FLAG, OPT_EXPOSE_PATH, OPT_EXPOSE_PATH_RO,
	OPT_EXPOSE_PATH_TRY, OPT_EXPOSE_PATH_RO_TRY, OPT_A11Y_OWN_NAME, OPT_REFUSED,
};

static const struct spawn_opt {
	const char *name;
	bool value;
	enum opt_id id;
} spawn_opts[] = {
	{"sandbox", false, OPT_SANDBOX},
	{"no-network", false, OPT_NO_NETWORK},
	{"watch-bus", false, OPT_WATCH_BUS},
	{"expose-pids", false, OPT_EXPOSE_PIDS},
	{"share-pids", false, OPT_SHARE_PIDS},
	{"clear-env", false, OPT_CLEAR_ENV},
	{"verbose", false, OPT_VERBOSE},
	{"env", true, OPT_ENV},
	{"unset-env", true, OPT_UNSET_ENV},
	{"forward-fd", true, OPT_FORWARD_FD},
	{"directory", true, OPT_DIRECTORY},
	{"sandbox-flag", true, OPT_SANDBOX_FLAG},
	{"sandbox-expose-path", true, OPT_EXPOSE_PATH},
	{"sandbox-expose-path-ro", true, OPT_EXPOSE_PATH_RO},
	{"sandbox-expose-path-try", true, OPT_EXPOSE_PATH_TRY},
	{"sandbox-expose-path-ro-try", true, OPT_EXPOSE_PATH_RO_TRY},
	{"sandbox-a11y-own-name", true, OPT_A11Y_OWN_NAME},
	/* These reach outside the app's sandbox through Flatpak's portal. */
	{"host", false, OPT_REFUSED},
	{"latest-version", false, OPT_REFUSED},
	{"app-path", true, OPT_REFUSED},
	{"usr-path", true, OPT_REFUSED},
	{"sandbox-expose", true, OPT_REFUSED},
	{"sandbox-expose-ro", true, OPT_REFUSED},
	{0},
};

static const struct {
	const char *name;
	unsigned flag;
} sandbox_flags[] = {
	{"share-display", SPAWN_SHARE_DISPLAY}, {"share-sound", SPAWN_SHARE_SOUND},
	{"share-gpu", SPAWN_SHARE_GPU}, {"allow-dbus", SPAWN_ALLOW_DBUS},
	{"allow-a11y", SPAWN_ALLOW_A11Y}, {0},
};

__attribute__((format(printf, 2, 3))) static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

static const struct spawn_opt *find_opt(const char *name, size_t len)
{
	for (const struct spawn_opt *o = spawn_opts; o->name; o++)
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static int parse_fd(const char *s, int *fd)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -1;
	*fd = (int)v;
	return 0;
}

static void add_path(struct spawn_req *r, const char *path, bool writable, bool optional)
{
	r->paths = xrealloc(r->paths, (r->npaths + 1) * sizeof(*r->paths));
	r->paths[r->npaths++] = (struct spawn_path){xstrdup(path), writable, optional};
}

static int apply_value(struct spawn_req *r, const struct spawn_opt *o, const char *v, char **err)
{
	switch (o->id) {
	case OPT_ENV:
		if (v[0] == '=' || !strchr(v, '='))
			return fail(err, "--env=%s: not VAR=VALUE", v);
		strv_push(&r->env, v);
		return 0;
	case OPT_UNSET_ENV:
		if (!v[0] || strchr(v, '='))
			return fail(err, "--unset-env=%s: not a variable name", v);
		strv_push(&r->unset_env, v);
		return 0;
	case OPT_FORWARD_FD: {
		int fd;
		if (parse_fd(v, &fd) < 0)
			return fail(err, "--forward-fd=%s: not a file descriptor", v);
		r->fds = xrealloc(r->fds, (r->nfds + 1) * sizeof(*r->fds));
		r->fds[r->nfds++] = fd;
		return 0;
	}
	case OPT_DIRECTORY:
		if (!v[0])
			return fail(err, "--directory: empty");
		free(r->directory);
		r->directory = xstrdup(v);
		return 0;
	case OPT_SANDBOX_FLAG:
		for (size_t i = 0; sandbox_flags[i].name; i++)
			if (strcmp(v, sandbox_flags[i].name) == 0) {
				r->flags |= sandbox_flags[i].flag;
				return 0;
			}
		return fail(err, "--sandbox-flag=%s: unknown flag", v);
	case OPT_A11Y_OWN_NAME:
		/* The app's accessibility proxy decides which names it may own;
		 * the sub-sandbox gets no more. */
		return 0;
	default:
		break;
	}
	if (v[0] != '/')
		return fail(err, "--%s=%s: not an absolute path", o->name, v);
	add_path(r, v, o->id == OPT_EXPOSE_PATH || o->id == OPT_EXPOSE_PATH_TRY,
		 o->id == OPT_EXPOSE_PATH_TRY || o->id == OPT_EXPOSE_PATH_RO_TRY);
	return 0;
}

static void apply_flag(struct spawn_req *r, enum opt_id id)
{
	switch (id) {
	case OPT_SANDBOX: r->sandbox = true; break;
	case OPT_NO_NETWORK: r->no_network = true; break;
	case OPT_WATCH_BUS: r->watch_bus = true; break;
	case OPT_SHARE_PIDS: r->share_pids = true; break;
	case OPT_CLEAR_ENV: r->clear_env = true; break;
	case OPT_VERBOSE: r->verbose = true; break;
	default: break; /* --expose-pids: a nested pid namespace always is visible */
	}
}

int spawn_parse(int argc, char **argv, struct spawn_req *r, char **err)
{
	*r = (struct spawn_req){0};
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-v") == 0) {
			r->verbose = true;
			continue;
		}
		if (a[0] != '-')
			break;
		if (a[1] != '-')
			return fail(err, "%s: unknown option", a);
		const char *eq = strchr(a + 2, '=');
		const struct spawn_opt *o = find_opt(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o)
			return fail(err, "%s: unknown option", a);
		if (o->id == OPT_REFUSED)
			return fail(err, "--%s: not available in a boxwrap sandbox, which has no way to the host", o->name);
		if (!o->value) {
			if (eq)
				return fail(err, "--%s takes no value", o->name);
			apply_flag(r, o->id);
			continue;
		}
		const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v)
			return fail(err, "--%s needs a value", o->name);
		if (apply_value(r, o, v, err) < 0)
			return -1;
	}
	if (i >= argc)
		return fail(err, "no command given");
	r->argv = argv + i;
	return 0;
}

void spawn_req_free(struct spawn_req *r)
{
	strv_clear(&r->env);
	strv_clear(&r->unset_env);
	for (size_t i = 0; i < r->npaths; i++)
		free(r->paths[i].path);
	free(r->paths);
	free(r->fds);
	free(r->directory);
	*r = (struct spawn_req){0};
}

char *spawn_unix_path(const char *address)
{
	if (!address || !str_has_prefix(address, "unix:path=") || strchr(address, ';'))
		return NULL;
	const char *p = address + strlen("unix:path=");
	size_t n = strcspn(p, ",");
	/* D-Bus escapes bytes as %XX; a plain path is all we pass on. */
	if (n == 0 || p[0] != '/' || memchr(p, '%', n))
		return NULL;
	return xstrndup(p, n);
}

static void op(struct strv *out, const char *opt, const char *a, const char *b)
{
	strv_push(out, opt);
	if (a)
		strv_push(out, a);
	if (b)
		strv_push(out, b);
}

/* The system as the app's sandbox has it: /usr, /etc, and the top-level
 * links into /usr (or the directories, where the host has them). */
static void add_system(struct strv *out)
{
	static const char *const top[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	op(out, "--ro-bind", "/usr", "/usr");
	for (size_t i = 0; i < sizeof(top) / sizeof(*top); i++) {
		char path[16], target[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "/%s", top[i]);
		if (lstat(path, &st) < 0)
			continue;
		ssize_t n = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof(target) - 1) : -1;
		if (n > 0) {
			target[n] = '\0';
			op(out, "--symlink", target, path);
		} else if (S_ISDIR(st.st_mode)) {
			op(out, "--ro-bind", path, path);
		}
	}
	op(out, "--ro-bind", "/etc", "/etc");
	op(out, "--tmpfs", "/tmp", NULL);
	op(out, "--dir", "/var/tmp", NULL);
	op(out, "--ro-bind-try", "/var/cache/fontconfig", "/var/cache/fontconfig");
	op(out, "--ro-bind-try", "/var/lib/dbus/machine-id", "/var/lib/dbus/machine-id");
}

static void bind_socket(struct strv *out, const char *path)
{
	if (path)
		op(out, "--ro-bind-try", path, path);
}

static void add_display(struct strv *out, const struct spawn_host *h)
{
	if (h->wayland_display && h->wayland_display[0] && !strstr(h->wayland_display, "..")) {
		cleanup_free char *w = h->wayland_display[0] == '/' ? xstrdup(h->wayland_display)
			: xasprintf("%s/%s", h->runtime_dir, h->wayland_display);
		bind_socket(out, w);
	}
	const char *colon = h->display ? strrchr(h->display, ':') : NULL;
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		char x[64];
		snprintf(x, sizeof(x), "/tmp/.X11-unix/X%.*s", (int)strspn(colon + 1, "0123456789"), colon + 1);
		bind_socket(out, x);
	}
	if (h->xauthority && h->xauthority[0] == '/')
		bind_socket(out, h->xauthority);
}

static void add_sound(struct strv *out, const struct spawn_host *h)
{
	cleanup_free char *pulse = xasprintf("%s/pulse/native", h->runtime_dir);
	cleanup_free char *pipewire = xasprintf("%s/pipewire-0", h->runtime_dir);
	bind_socket(out, pulse);
	bind_socket(out, pipewire);
}

static void add_gpu(struct strv *out)
{
	static const char *const sys[] = {"/sys/bus", "/sys/class", "/sys/dev", "/sys/devices"};
	op(out, "--dev-bind-try", "/dev/dri", "/dev/dri");
	for (size_t i = 0; i < sizeof(sys) / sizeof(*sys); i++)
		op(out, "--ro-bind-try", sys[i], sys[i]);
}

static void add_shared(struct strv *out, const struct spawn_req *r, const struct spawn_host *h)
{
	if (r->flags & SPAWN_SHARE_DISPLAY)
		add_display(out, h);
	if (r->flags & SPAWN_SHARE_SOUND)
		add_sound(out, h);
	if (r->flags & SPAWN_SHARE_GPU)
		add_gpu(out);
	if (r->flags & SPAWN_ALLOW_A11Y)
		bind_socket(out, h->a11y_socket);
	/* The portals-only bus answers where the app's was. */
	if ((r->flags & SPAWN_ALLOW_DBUS) && h->bus_socket)
		op(out, "--ro-bind-try", SPAWN_BUS, h->bus_socket);
}

static void add_exposed(struct strv *out, const struct spawn_req *r)
{
	for (size_t i = 0; i < r->npaths; i++) {
		const struct spawn_path *p = &r->paths[i];
		const char *opt = p->writable ? (p->optional ? "--bind-try" : "--bind")
					      : (p->optional ? "--ro-bind-try" : "--ro-bind");
		op(out, opt, p->path, p->path);
	}
}

void spawn_bwrap_args(const struct spawn_req *r, const struct spawn_host *h, struct strv *out)
{
	/* No user namespaces below this one: web content gets no way to
	 * remount what it sees (the seccomp filter refuses them too). */
	op(out, "--unshare-user", NULL, NULL);
	op(out, "--disable-userns", NULL, NULL);
	op(out, "--unshare-ipc", NULL, NULL);
	op(out, "--unshare-uts", NULL, NULL);
	op(out, "--unshare-cgroup-try", NULL, NULL);
	/* A child pid namespace stays visible to the caller, which is all
	 * --expose-pids asks; --share-pids keeps the caller's. */
	if (!r->share_pids)
		op(out, "--unshare-pid", NULL, NULL);
	if (r->no_network)
		op(out, "--unshare-net", NULL, NULL);
	if (r->watch_bus)
		op(out, "--die-with-parent", NULL, NULL);
	op(out, "--new-session", NULL, NULL);
	if (r->sandbox) {
		add_system(out);
		if (r->share_pids)
			op(out, "--ro-bind", "/proc", "/proc");
		else
			op(out, "--proc", "/proc", NULL);
		op(out, "--dev", "/dev", NULL);
		op(out, "--perms", "0700", NULL);
		op(out, "--dir", h->runtime_dir, NULL);
		add_shared(out, r, h);
		add_exposed(out, r);
		/* The app's own app-info, last so no exposed path hides it: as
		 * in Flatpak's sub-sandboxes, services that identify a peer by
		 * /proc/PID/root/.flatpak-info (PipeWire, compositors, the
		 * portal) see the app, not a host client (issue 16 item 6).
		 * Its data, not a bind: the app's copy is a bind of a file
		 * bwrap has unlinked, which cannot be bound again. */
		if (h->info_fd >= 0) {
			strv_push(out, "--ro-bind-data");
			strv_pushf(out, "%d", h->info_fd);
			strv_push(out, "/.flatpak-info");
		}
	} else {
		/* The app's own sandbox, only without the network. */
		op(out, "--bind", "/", "/");
		if (!r->share_pids)
			op(out, "--proc", "/proc", NULL);
	}
	if (r->directory)
		op(out, "--chdir", r->directory, NULL);
	if (h->seccomp_fd >= 0) {
		strv_push(out, "--seccomp");
		strv_pushf(out, "%d", h->seccomp_fd);
	}
}
