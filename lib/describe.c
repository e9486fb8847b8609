#include "describe.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "names.h"
#include "seccomp.h"
#include "util.h"

static void line(struct buf *o, const char *label, const char *text)
{
	cleanup_free char *safe = escape_for_terminal(text);
	buf_addf(o, "  %-12s %s\n", label, safe);
}

static void flags(struct buf *o, const char *label, const struct flag_name *names, unsigned v, const char *none)
{
	struct buf b = {0};
	for (; names->name; names++)
		if (v & names->bit)
			buf_addf(&b, "%s%s", b.len ? ", " : "", names->name);
	line(o, label, b.len ? b.s : none);
	buf_clear(&b);
}

static void strv_line(struct buf *o, const char *label, const struct strv *sv)
{
	struct buf b = {0};
	for (size_t i = 0; i < sv->n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", sv->v[i]);
	if (sv->n)
		line(o, label, b.s);
	buf_clear(&b);
}

static void describe_home(struct buf *o, const struct policy *p)
{
	enum fs_mode mode = FS_RW;
	bool home = false;
	for (size_t i = 0; i < p->nfs && !home; i++)
		if (p->fs[i].base == FS_HOME || p->fs[i].base == FS_HOST) {
			home = true;
			mode = p->fs[i].mode;
		}
	if (p->service) {
		line(o, "home:", "none (a service)");
	} else if (!home) {
		cleanup_free char *h = xasprintf("private: ~/.var/app/%s, at the same path inside (HOME)", p->app_id);
		line(o, "home:", h);
	} else if (mode == FS_RO) {
		line(o, "home:", "the real home, read-only; other apps' ~/.var/app hidden");
	} else {
		line(o, "home:", "the real home, its existing entries writable; start-up files, autostart, "
				 "boxwrap's overrides read-only; nothing new at its top level or in a directory "
				 "above those (~/.config...); other apps' ~/.var/app hidden");
	}
}

/* An absolute grant on, above or below the home is refused at launch
 * (hostops.c): say so, for the caller's home when it is one of those. */
static const char *abs_note(const struct fs_grant *g)
{
	const char *home = getenv("HOME");
	if (g->base != FS_ABS)
		return "";
	if (home && home[0] == '/') {
		cleanup_free char *abs = xasprintf("/%s", g->sub);
		size_t na = strlen(abs), nh = strlen(home);
		if ((!strncmp(abs, home, nh) && (abs[nh] == '/' || !abs[nh])) ||
		    (!strncmp(home, abs, na) && home[na] == '/'))
			return "; refused at launch: it is on, above or below your home";
	}
	return "; refused at launch if on, above or below the caller's home";
}

static void describe_fs(struct buf *o, const struct policy *p)
{
	describe_home(o, p);
	for (size_t i = 0; i < p->nfs; i++) {
		cleanup_free char *key = fs_grant_key(&p->fs[i]);
		const char *mode = p->fs[i].mode == FS_RO ? "read-only"
				 : p->fs[i].mode == FS_CREATE ? "read-write, created if missing" : "read-write";
		const char *note = p->service ? "" : abs_note(&p->fs[i]);
		cleanup_free char *text = xasprintf("%s (%s%s)", key, mode, note);
		line(o, "filesystem:", text);
	}
	if (!p->nfs)
		line(o, "filesystem:", "none beyond /usr and /etc, read-only");
}

static void describe_bus(struct buf *o, const char *label, const struct bus_policy *b)
{
	cleanup_free char *own = xasprintf("%s own", label), *talk = xasprintf("%s talk", label),
			  *see = xasprintf("%s see", label), *call = xasprintf("%s call", label),
			  *bc = xasprintf("%s broadcast", label);
	strv_line(o, own, &b->own);
	strv_line(o, talk, &b->talk);
	strv_line(o, see, &b->see);
	strv_line(o, call, &b->call);
	strv_line(o, bc, &b->broadcast);
}

void describe_policy(struct buf *o, const struct policy *p)
{
	unsigned f = flagset_value(&p->features), s = flagset_value(&p->sockets);
	struct seccomp_opts sc = {
		.devel = f & FEAT_DEVEL, .multiarch = f & FEAT_MULTIARCH, .bluetooth = f & FEAT_BLUETOOTH,
		.canbus = f & FEAT_CANBUS, .nested_sandbox = f & FEAT_NESTED_SANDBOX,
	};
	line(o, "app-id:", p->app_id);
	line(o, "command:", p->command);
	strv_line(o, "args:", &p->args);
	flags(o, "shared:", share_names, flagset_value(&p->shared), "nothing (no network, private IPC)");
	flags(o, "sockets:", socket_names, s, "none");
	flags(o, "devices:", device_names, flagset_value(&p->devices), "none beyond /dev/null and friends");
	describe_fs(o, p);
	strv_line(o, "persistent:", &p->persistent);
	for (size_t i = 0; i < p->env_names.n; i++) {
		cleanup_free char *kv = xasprintf("%s=%s", p->env_names.v[i], p->env_values.v[i]);
		line(o, "environment:", kv);
	}
	strv_line(o, "unset-env:", &p->unset_env);
	describe_bus(o, "session-bus", &p->session_bus);
	describe_bus(o, "system-bus", &p->system_bus);
	flags(o, "features:", feature_names, f, "none");
	line(o, "seccomp:", seccomp_variant_name(&sc));
	if (flagset_value(&p->shared) & SHARE_NETWORK)
		buf_adds(o, "  warning:     shared: network also reaches the host's abstract Unix sockets (the X server's\n"
			    "               @/tmp/.X11-unix/X0, unix:abstract= D-Bus buses), past the D-Bus proxy\n"
			    "               and the sockets: grants\n");
	if (s & SOCK_SESSION_BUS)
		buf_adds(o, "  warning:     sockets: session-bus gives unfiltered D-Bus: the app can ask host services to run anything\n");
	if (s & SOCK_X11)
		buf_adds(o, "  warning:     x11 has no isolation between clients: the app can read other windows' input\n");
	if (f & FEAT_NESTED_SANDBOX)
		buf_adds(o, "  warning:     nested-sandbox allows user namespaces inside the sandbox (see doc/seccomp.md);\n"
			    "               its flatpak-spawn builds sub-sandboxes with less, never more (boxwrap(1))\n");
}

/* The compositor's socket this launch would use, as hostvar.c finds it;
 * NULL without a runtime directory. */
static char *wayland_display(void)
{
	const char *w = getenv("WAYLAND_DISPLAY"), *rt = getenv("XDG_RUNTIME_DIR");
	if (w && w[0] == '/')
		return xstrdup(w);
	if (!rt || rt[0] != '/')
		return NULL;
	return xasprintf("%s/%s", rt, w && *w ? w : "wayland-0");
}

/* wayland-context --probe's answer, or NULL when it cannot run. */
static char *probe_wayland(const char *helper, const char *display)
{
	int p[2];
	pid_t pid;
	size_t len = 0;
	char *argv[] = {(char *)helper, "--probe", (char *)display, NULL}, *envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	if (pipe2(p, O_CLOEXEC) < 0 || posix_spawn_file_actions_init(&fa) != 0)
		return NULL;
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	int err = posix_spawn(&pid, helper, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char *out = err ? NULL : read_all_fd(p[0], 256, &len);
	close(p[0]);
	while (!err && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (out && len && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return out;
}

void describe_wayland(struct buf *o, const struct policy *p, const char *helper)
{
	if (!(flagset_value(&p->sockets) & SOCK_WAYLAND))
		return;
	cleanup_free char *display = wayland_display();
	cleanup_free char *got = display && access(display, F_OK) == 0 ? probe_wayland(helper, display) : NULL;
	const char *say;
	if (!display || access(display, F_OK) != 0)
		say = "no compositor here now (WAYLAND_DISPLAY)";
	else if (!got)
		say = "unknown: cannot run the helper";
	else if (!strcmp(got, "security-context"))
		say = "its own socket, a security context: the compositor hides screen capture,\n"
		      "               synthetic input, other apps' clipboard and the like";
	else if (!strcmp(got, "plain"))
		say = "the compositor's socket: it has no security context, so the app can use\n"
		      "               every global it offers (screen capture and input injection too, if any)";
	else
		say = "none: the compositor cannot be reached or refuses a security context";
	buf_addf(o, "  %-12s %s\n", "wayland:", say);
}

/* Where WirePlumber 0.5 looks for configuration fragments, as it searches:
 * $XDG_CONFIG_HOME (~/.config), /etc, then each of $XDG_DATA_DIRS
 * (/usr/local/share:/usr/share); the first holding boxwrap's, or NULL. */
static char *wireplumber_fragment(void)
{
	static const char frag[] = "wireplumber/wireplumber.conf.d/60-boxwrap.conf";
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME"), *data = getenv("XDG_DATA_DIRS");
	struct strv dirs = {0};
	if (cfg && cfg[0] == '/')
		strv_push(&dirs, cfg);
	else if (home && home[0] == '/')
		strv_take(&dirs, xasprintf("%s/.config", home));
	strv_push(&dirs, "/etc");
	cleanup_free char *list = xstrdup(data && *data ? data : "/usr/local/share:/usr/share");
	for (char *save = NULL, *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save))
		if (d[0] == '/')
			strv_push(&dirs, d);
	char *found = NULL;
	for (size_t i = 0; i < dirs.n && !found; i++) {
		char *path = xasprintf("%s/%s", dirs.v[i], frag);
		if (access(path, R_OK) == 0)
			found = path;
		else
			free(path);
	}
	strv_clear(&dirs);
	return found;
}

void describe_sound(struct buf *o, const struct policy *p)
{
	unsigned s = flagset_value(&p->sockets);
	if (!(s & (SOCK_PULSEAUDIO | SOCK_PIPEWIRE)))
		return;
	cleanup_free char *frag = wireplumber_fragment();
	if (frag)
		buf_addf(o, "  %-12s %s\n", "sound:",
			 "playback; no microphone or camera where WirePlumber 0.5 runs with\n"
			 "               boxwrap's 60-boxwrap.conf (installed: restart WirePlumber once);\n"
			 "               it can still record what the host plays");
	else
		buf_addf(o, "  %-12s %s\n", "sound:",
			 "playback, and capture from every source without asking: boxwrap's\n"
			 "               WirePlumber fragment 60-boxwrap.conf is not installed");
	if (s & SOCK_PULSEAUDIO)
		buf_addf(o, "  %-12s %s\n", "", "/dev/snd (with pulseaudio): the sound card directly, capture too");
}
