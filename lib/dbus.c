/* D-Bus through xdg-dbus-proxy (portal-contract.md §3, security.md D1–D4).
 *
 * One proxy per instance, in its own bwrap carrying the same
 * /.flatpak-info: the bus sees the proxy's pid as the app's connection,
 * and xdg-desktop-portal reads /proc/PID/root/.flatpak-info of that pid.
 * The app sees only the proxy's socket, never the real bus. Without a
 * session bus on the host there is no proxy, and the app has no bus. */
#include <string.h>

#include "sandbox.h"
#include "spawn.h"
#include "util.h"

#define SYSTEM_BUS "/run/dbus/system_bus_socket"
#define PRIVATE "{rt}/.flatpak/{instance}/private"

/* The host value each bus's steps need: that bus's socket. */
#define NEEDS_SESSION "{session_bus}"
#define NEEDS_SYSTEM "{sock:" SYSTEM_BUS "}"

/* Appends one proxy argument that exists only when every host value in
 * `needs` is set. */
static void proxy_arg(struct plan *pl, const char *needs, const char *fmt, const char *arg)
{
	plan_requires(plan_arg(pl, plan_word(pl, fmt, arg)), plan_word(pl, needs));
}

static void policy_args(struct plan *pl, const char *needs, const struct bus_policy *b)
{
	static const char *const opts[] = {"--see=%s", "--talk=%s", "--own=%s", "--call=%s", "--broadcast=%s"};
	const struct strv *lists[] = {&b->see, &b->talk, &b->own, &b->call, &b->broadcast};
	for (size_t l = 0; l < 5; l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			proxy_arg(pl, needs, opts[l], lists[l]->v[i]);
}

/* A filtered socket NAME in the proxy's directory for the session bus. */
static void session_socket(struct plan *pl, const char *name)
{
	const char *needs = NEEDS_SESSION;
	proxy_arg(pl, needs, "unix:path={session_bus}%s", "");
	proxy_arg(pl, needs, PRIVATE "/%s", name);
	proxy_arg(pl, needs, "--filter%s", "");
}

/* Calls to the portals and their signals. */
static void portal_args(struct plan *pl)
{
	proxy_arg(pl, NEEDS_SESSION, "--call=org.freedesktop.portal.*=*%s", "");
	proxy_arg(pl, NEEDS_SESSION, "--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*%s", "");
}

/* Flatpak's default session policy: the app owns its id, may call and
 * hear portals; everything else only as the profile says. */
static void session_args(struct plan *pl, const struct policy *p, bool log)
{
	const char *needs = NEEDS_SESSION;
	session_socket(pl, "bus");
	proxy_arg(pl, needs, "--own=%s.*", p->app_id);
	proxy_arg(pl, needs, "--own=org.mpris.MediaPlayer2.%s.*", p->app_id);
	policy_args(pl, needs, &p->session_bus);
	portal_args(pl);
	if (log)
		proxy_arg(pl, needs, "--log%s", "");
}

/* The accessibility bus, filtered as Flatpak filters it: the app may
 * register with the registry and report its own events, nothing else (no
 * keystroke listeners, no reading other apps). Only beside a proxied
 * session bus, and only when the host has an a11y bus. */
static const char *const a11y_rules[] = {
	"--filter", "--sloppy-names",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.Socket.Embed@/org/a11y/atspi/accessible/root",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.Socket.Unembed@/org/a11y/atspi/accessible/root",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.Registry.GetRegisteredEvents@/org/a11y/atspi/registry",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.GetKeystrokeListeners@/org/a11y/atspi/registry/deviceeventcontroller",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.GetDeviceEventListeners@/org/a11y/atspi/registry/deviceeventcontroller",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.NotifyListenersSync@/org/a11y/atspi/registry/deviceeventcontroller",
	"--call=org.a11y.atspi.Registry=org.a11y.atspi.DeviceEventController.NotifyListenersAsync@/org/a11y/atspi/registry/deviceeventcontroller",
	/* Flatpak writes these two as NAME.SIGNAL=@PATH, which names no bus
	 * name and so lets nothing through; the registry's signals need the
	 * registry's name. */
	"--broadcast=org.a11y.atspi.Registry=org.a11y.atspi.Registry.EventListenerRegistered@/org/a11y/atspi/registry",
	"--broadcast=org.a11y.atspi.Registry=org.a11y.atspi.Registry.EventListenerDeregistered@/org/a11y/atspi/registry",
};

/* w with host variable var appended (templates have no name for it). */
/* The a11y steps need the session bus (the proxy runs with it) and the
 * a11y bus. */
static struct word *a11y_needs(struct plan *pl)
{
	return plan_word(pl, "{session_bus}{a11y_bus}");
}

static void a11y_args(struct plan *pl)
{
	plan_requires(plan_arg(pl, plan_word(pl, "unix:path={a11y_bus}")), a11y_needs(pl));
	plan_requires(plan_arg(pl, plan_word(pl, PRIVATE "/a11y-bus")), a11y_needs(pl));
	for (size_t i = 0; i < sizeof(a11y_rules) / sizeof(*a11y_rules); i++)
		plan_requires(plan_arg(pl, plan_word(pl, "%s", a11y_rules[i])), a11y_needs(pl));
}

/* For apps that sandbox themselves, a third socket: the bus Flatpak gives
 * a sub-sandbox with allow-dbus, portals only. flatpak-spawn binds it
 * where the sub-sandbox looks for its bus (lib/spawn.h); the app itself
 * gains nothing by it. One proxy process serves all three sockets. */
static void sub_sandbox_args(struct plan *pl, const struct policy *p)
{
	session_socket(pl, SPAWN_BUS_NAME);
	proxy_arg(pl, NEEDS_SESSION, "--own=%s.Sandboxed.*", p->app_id);
	portal_args(pl);
}

static void system_args(struct plan *pl, const struct policy *p)
{
	proxy_arg(pl, NEEDS_SYSTEM, "unix:path=%s", SYSTEM_BUS);
	proxy_arg(pl, NEEDS_SYSTEM, PRIVATE "/system-bus%s", "");
	proxy_arg(pl, NEEDS_SYSTEM, "--filter%s", "");
	policy_args(pl, NEEDS_SYSTEM, &p->system_bus);
}

/* The proxy's own sandbox: /usr, the real bus sockets, its socket
 * directory, and the app's /.flatpak-info. Nothing else. */
static void proxy_sandbox(struct plan *pl, bool session, bool system)
{
	static const char *const ns[] = {
		"--unshare-user", "--disable-userns", "--unshare-pid", "--unshare-net",
		"--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session", "--clearenv",
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++)
		plan_op(pl, ns[i], NULL, NULL);
	add_usr(pl);
	plan_op(pl, "--dev", plan_word(pl, "/dev"), NULL);
	if (session)
		plan_op(pl, "--ro-bind", plan_word(pl, "{session_bus}"), plan_word(pl, "{session_bus}"));
	if (system)
		plan_op(pl, "--ro-bind", plan_word(pl, "{sock:" SYSTEM_BUS "}"), plan_word(pl, SYSTEM_BUS));
	if (session) {
		plan_requires(plan_op(pl, "--ro-bind", plan_word(pl, "{a11y_bus}"), plan_word(pl, "{a11y_bus}")),
			      a11y_needs(pl));
	}
	plan_op(pl, "--bind", plan_word(pl, PRIVATE), plan_word(pl, PRIVATE));
	plan_op(pl, "--perms", plan_word(pl, "0600"), NULL);
	plan_op(pl, "--file", plan_word(pl, "4"), plan_word(pl, "/.flatpak-info"));
}

/* A step the app's bwrap needs whenever the proxy runs, that is when the
 * host has either bus the policy filters: guards are conjunctions, so
 * with both it is added twice, the second only when there is no session
 * bus. */
static void while_proxy_runs(struct plan *pl, bool session, bool system, const char *opt, const char *a,
			     const char *b)
{
	for (int bus = 0; bus < 2; bus++) {
		if (!(bus ? system : session))
			continue;
		struct step *s = plan_op(pl, opt, plan_word(pl, a), b ? plan_word(pl, b) : NULL);
		plan_requires(s, plan_word(pl, bus ? NEEDS_SYSTEM : NEEDS_SESSION));
		if (bus && session)
			plan_guard_unset(s, plan_var(pl, HV_SESSION_BUS, NULL));
	}
}

/* The app's side: the proxy's socket directory, and symlinks where
 * clients look for the buses. The directory, not the sockets, is bound
 * so the app's bwrap can set up while the proxy starts (the back ends
 * hold it before exec until the proxy listens); bwrap holds the proxy's
 * lifetime pipe (--sync-fd). Each only when the host has that bus, so a
 * machine without one still launches, and one without the other still
 * gets the one it has. */
static void app_side(struct plan *pl, bool session, bool system)
{
	while_proxy_runs(pl, session, system, "--ro-bind", PRIVATE, "/run/flatpak/proxy");
	if (session) {
		plan_requires(plan_op(pl, "--symlink", plan_word(pl, "proxy/bus"), plan_word(pl, "/run/flatpak/bus")),
			      plan_word(pl, NEEDS_SESSION));
		plan_requires(plan_op(pl, "--symlink", plan_word(pl, "../../flatpak/bus"), plan_word(pl, "/run/user/{uid}/bus")),
			      plan_word(pl, NEEDS_SESSION));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "DBUS_SESSION_BUS_ADDRESS"),
				      plan_word(pl, "unix:path=/run/flatpak/bus")),
			      plan_word(pl, NEEDS_SESSION));
		plan_requires(plan_op(pl, "--symlink", plan_word(pl, "proxy/a11y-bus"),
				      plan_word(pl, "/run/flatpak/at-spi-bus")),
			      a11y_needs(pl));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "AT_SPI_BUS_ADDRESS"),
				      plan_word(pl, "unix:path=/run/flatpak/at-spi-bus")),
			      a11y_needs(pl));
	}
	if (system) {
		plan_requires(plan_op(pl, "--symlink", plan_word(pl, "../flatpak/proxy/system-bus"), plan_word(pl, SYSTEM_BUS)),
			      plan_word(pl, NEEDS_SYSTEM));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "DBUS_SYSTEM_BUS_ADDRESS"),
				      plan_word(pl, "unix:path=" SYSTEM_BUS)),
			      plan_word(pl, NEEDS_SYSTEM));
	}
	_Static_assert(FD_SYNC == 8, "the descriptor named below");
	while_proxy_runs(pl, session, system, "--sync-fd", "8", NULL);
}

void add_dbus(struct plan *pl, const struct policy *p, bool log)
{
	unsigned sockets = flagset_value(&p->sockets);
	/* sockets: session-bus / system-bus: unfiltered, bound by sockets.c. */
	/* A service has no session: only the system bus, when it asks. */
	bool session = !p->service && !(sockets & SOCK_SESSION_BUS);
	bool system = p->system_bus.present && !(sockets & SOCK_SYSTEM_BUS);
	if (!session && !system)
		return;
	pl->target = &pl->proxy_args;
	if (session) {
		session_args(pl, p, log);
		a11y_args(pl);
		if (flagset_value(&p->features) & FEAT_NESTED_SANDBOX)
			sub_sandbox_args(pl, p);
	}
	if (system)
		system_args(pl, p);
	pl->target = &pl->proxy_bwrap;
	proxy_sandbox(pl, session, system);
	pl->target = &pl->app;
	app_side(pl, session, system);
}
