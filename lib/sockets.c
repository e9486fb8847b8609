/* Devices, display and sound sockets, and the document portal: each bound
 * only when granted and only when the host has it at launch. */
#include <string.h>

#include "sandbox.h"
#include "util.h"

void add_devices(struct plan *pl, const struct policy *p)
{
	static const char *const dri[] = {
		"/dev/dri", "/dev/udmabuf", "/dev/mali", "/dev/mali0", "/dev/umplock",
		"/dev/nvidiactl", "/dev/nvidia-modeset", "/dev/nvidia-uvm",
		"/dev/nvidia-uvm-tools", "/dev/kfd", "/dev/nvidia0",
	};
	unsigned d = flagset_value(&p->devices);
	if (d & DEV_ALL)
		return; /* the whole /dev is bound already */
	if (d & DEV_DRI)
		for (size_t i = 0; i < sizeof(dri) / sizeof(*dri); i++)
			plan_op(pl, "--dev-bind-try", plan_word(pl, "%s", dri[i]), plan_word(pl, "%s", dri[i]));
	if (d & DEV_INPUT)
		plan_op(pl, "--dev-bind-try", plan_word(pl, "/dev/input"), plan_word(pl, "/dev/input"));
	if (d & DEV_USB)
		plan_op(pl, "--dev-bind-try", plan_word(pl, "/dev/bus/usb"), plan_word(pl, "/dev/bus/usb"));
	if (d & DEV_KVM)
		plan_op(pl, "--dev-bind-try", plan_word(pl, "/dev/kvm"), plan_word(pl, "/dev/kvm"));
	if (d & DEV_SHM)
		plan_op(pl, "--bind", plan_word(pl, "/dev/shm"), plan_word(pl, "/dev/shm"));
	if (flagset_value(&p->sockets) & SOCK_PULSEAUDIO)
		plan_op(pl, "--dev-bind-try", plan_word(pl, "/dev/snd"), plan_word(pl, "/dev/snd"));
}

/* The app's own socket, which wayland-context makes in the instance
 * directory before it execs the app's bwrap (gen/wayland-context.c): a
 * security context, where the compositor hides its privileged globals
 * (screen capture, synthetic input, every app's clipboard...), or a link
 * to the compositor's socket where it has no such global; missing when
 * the compositor refused a context: no Wayland, hence -try. */
static void add_wayland(struct plan *pl, const struct policy *p, const char *helper)
{
	plan_requires(plan_op(pl, "--ro-bind-try", plan_word(pl, "{rt}/.flatpak/{instance}/wayland-0"),
			      plan_word(pl, "/run/user/{uid}/wayland-0")),
		      plan_word(pl, "{wayland}"));
	plan_via(pl, plan_word(pl, "%s", helper));
	plan_via(pl, plan_word(pl, "{wayland}"));
	plan_via(pl, plan_word(pl, "{rt}/.flatpak/{instance}/wayland-0"));
	plan_via(pl, plan_word(pl, "%s", p->app_id));
	plan_via(pl, plan_word(pl, "{instance}"));
	plan_via(pl, plan_word(pl, "--"));
	/* The value names the sandbox's socket, but exists only with the host's. */
	plan_requires(plan_op(pl, "--setenv", plan_word(pl, "WAYLAND_DISPLAY"), plan_word(pl, "wayland-0")),
		      plan_word(pl, "{wayland}"));
}

/* Only the one X socket and its authority file (security.md N1). X11 has
 * no client isolation: a granted app can read every window's input. */
static void add_x11(struct plan *pl, bool fallback)
{
	int wayland = plan_var(pl, HV_WAYLAND, NULL);
	struct step *s = plan_op(pl, "--ro-bind", plan_word(pl, "/tmp/.X11-unix/X{x11}"),
				 plan_word(pl, "/tmp/.X11-unix/X{x11}"));
	if (fallback)
		plan_guard_unset(s, wayland);
	s = plan_op(pl, "--setenv", plan_word(pl, "DISPLAY"), plan_word(pl, ":{x11}"));
	if (fallback)
		plan_guard_unset(s, wayland);
	s = plan_op(pl, "--ro-bind", plan_word(pl, "{xauth}"), plan_word(pl, "/run/user/{uid}/Xauthority"));
	plan_requires(s, plan_word(pl, "{x11}"));
	if (fallback)
		plan_guard_unset(s, wayland);
	s = plan_op(pl, "--setenv", plan_word(pl, "XAUTHORITY"), plan_word(pl, "/run/user/{uid}/Xauthority"));
	plan_requires(s, plan_word(pl, "{x11}{xauth}"));
	if (fallback)
		plan_guard_unset(s, wayland);
}

void add_sockets(struct plan *pl, const struct policy *p, const char *wayland_helper)
{
	unsigned s = flagset_value(&p->sockets);
	if (s & SOCK_WAYLAND)
		add_wayland(pl, p, wayland_helper);
	if (s & (SOCK_X11 | SOCK_FALLBACK_X11))
		add_x11(pl, !(s & SOCK_X11));
	if (s & SOCK_PULSEAUDIO) {
		plan_op(pl, "--ro-bind", plan_word(pl, "{rtsock:pulse/native}"), plan_word(pl, "/run/user/{uid}/pulse/native"));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "PULSE_SERVER"), plan_word(pl, "unix:/run/user/{uid}/pulse/native")),
			      plan_word(pl, "{rtsock:pulse/native}"));
	}
	if (s & SOCK_PIPEWIRE)
		plan_op(pl, "--ro-bind", plan_word(pl, "{rtsock:pipewire-0}"), plan_word(pl, "/run/user/{uid}/pipewire-0"));
	if (s & SOCK_SSH_AUTH) {
		plan_op(pl, "--ro-bind", plan_word(pl, "{envsock:SSH_AUTH_SOCK}"), plan_word(pl, "/run/user/{uid}/ssh-auth"));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "SSH_AUTH_SOCK"), plan_word(pl, "/run/user/{uid}/ssh-auth")),
			      plan_word(pl, "{envsock:SSH_AUTH_SOCK}"));
	}
	if (s & SOCK_GPG_AGENT)
		plan_op(pl, "--ro-bind", plan_word(pl, "{rtsock:gnupg/S.gpg-agent}"), plan_word(pl, "/run/user/{uid}/gnupg/S.gpg-agent"));
	if (s & SOCK_PCSC)
		plan_op(pl, "--ro-bind", plan_word(pl, "{sock:/run/pcscd/pcscd.comm}"), plan_word(pl, "/run/pcscd/pcscd.comm"));
	if (s & SOCK_CUPS)
		plan_op(pl, "--ro-bind", plan_word(pl, "{sock:/run/cups/cups.sock}"), plan_word(pl, "/run/cups/cups.sock"));
	if (s & SOCK_SYSTEM_BUS) {
		plan_op(pl, "--ro-bind", plan_word(pl, "{sock:/run/dbus/system_bus_socket}"), plan_word(pl, "/run/dbus/system_bus_socket"));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "DBUS_SYSTEM_BUS_ADDRESS"), plan_word(pl, "unix:path=/run/dbus/system_bus_socket")),
			      plan_word(pl, "{sock:/run/dbus/system_bus_socket}"));
	}
	if (s & SOCK_SESSION_BUS) {
		/* Unfiltered: the app can reach every service (see boxwrap check). */
		plan_op(pl, "--ro-bind", plan_word(pl, "{session_bus}"), plan_word(pl, "/run/user/{uid}/bus"));
		plan_requires(plan_op(pl, "--setenv", plan_word(pl, "DBUS_SESSION_BUS_ADDRESS"), plan_word(pl, "unix:path=/run/user/{uid}/bus")),
			      plan_word(pl, "{session_bus}"));
	}
}

/* The document portal's view for this app only, where Flatpak puts it:
 * /run/flatpak/doc, and $XDG_RUNTIME_DIR/doc pointing there, which is
 * where file chooser URIs lead (portal-contract.md §2). */
void add_document_portal(struct plan *pl, const struct policy *p)
{
	int doc = plan_var(pl, HV_DOC, p->app_id);
	plan_op(pl, "--bind", plan_var_word(pl, doc), plan_word(pl, "/run/flatpak/doc"));
	plan_requires(plan_op(pl, "--symlink", plan_word(pl, "../../flatpak/doc"), plan_word(pl, "/run/user/{uid}/doc")),
		      plan_var_word(pl, doc));
}
