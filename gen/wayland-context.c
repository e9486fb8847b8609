/* wayland-context: gives a sandbox its own Wayland socket, registered
 * with the compositor through wp_security_context_manager_v1, then execs
 * the app's bwrap. Installed at $(LIBDIR)/boxwrap/wayland-context; both
 * back ends start the app's bwrap through it when the profile grants
 * `wayland` and the host has a compositor (lib/sockets.c).
 *
 *   wayland-context DISPLAY SOCKET APP-ID INSTANCE-ID -- PROGRAM ARGS...
 *   wayland-context --probe DISPLAY
 *
 * DISPLAY is the compositor's socket, SOCKET the path in the instance
 * directory that the plan binds at the app's $XDG_RUNTIME_DIR/wayland-0.
 * As Flatpak (common/flatpak-run-wayland.c):
 *   - the compositor has the global: SOCKET listens, registered with
 *     engine org.flatpak, the app and instance ids; the compositor hides
 *     its privileged globals (screen capture, synthetic input, every
 *     app's clipboard...) from clients connecting there;
 *   - it has not: SOCKET is a symlink to DISPLAY (the plain socket);
 *   - it has, but the set-up fails: SOCKET does not exist, the app gets
 *     no Wayland (fails closed), and a message says why.
 * The compositor stops accepting on SOCKET when the read end of the
 * close pipe hangs up: it is PROGRAM's descriptor CLOSE_FD (9), which
 * bwrap's monitor holds until the app exits (it never closes inherited
 * descriptors). bwrap's one --sync-fd holds the D-Bus proxy's lifetime
 * pipe, so the app inherits a copy too; closing it only stops new
 * connections to its own socket. Every other descriptor this program
 * opens is close-on-exec, and descriptors 3-8 reach PROGRAM untouched. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-client.h>

#include "util.h"

#include "security-context-v1-client-protocol.h"

#define ME "boxwrap-wayland-context"
/* engines.md: org.flatpak, whose instance files boxwrap writes (the
 * info file exists before commit; see boxwrap-profile(5), wayland). */
#define ENGINE "org.flatpak"
enum { CLOSE_FD = 9 };
/* How long the compositor may take to answer, in ms. */
enum { ANSWER_MS = 5000 };

static const char usage_text[] =
	"usage: wayland-context DISPLAY SOCKET APP-ID INSTANCE-ID -- PROGRAM [ARGS...]\n"
	"       wayland-context --probe DISPLAY\n"
	"boxwrap's helper: registers SOCKET with the compositor at DISPLAY as a\n"
	"Wayland security context for the app, then runs PROGRAM (bwrap).\n"
	"--probe prints what an app would get: security-context, plain or none.\n";

enum outcome { WL_CONTEXT, WL_PLAIN, WL_NONE };

struct globals {
	uint32_t manager_name, manager_version;
};

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	struct globals *g = data;
	if (!strcmp(iface, wp_security_context_manager_v1_interface.name)) {
		g->manager_name = name;
		g->manager_version = version;
	}
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name) {}

static const struct wl_registry_listener registry_listener = {on_global, on_global_remove};

static void on_done(void *data, struct wl_callback *cb, uint32_t serial)
{
	*(bool *)data = true;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener done_listener = {on_done};

/* wl_display_roundtrip that gives up (ETIMEDOUT) when the compositor
 * says nothing for ANSWER_MS: one that hangs must not hang the launch. */
static int roundtrip(struct wl_display *d)
{
	bool done = false;
	wl_callback_add_listener(wl_display_sync(d), &done_listener, &done);
	while (!done) {
		while (wl_display_prepare_read(d) != 0)
			if (wl_display_dispatch_pending(d) < 0)
				return -1;
		struct pollfd pfd = {.fd = wl_display_get_fd(d), .events = POLLIN};
		if (done || (wl_display_flush(d) < 0 && errno != EAGAIN) || poll(&pfd, 1, ANSWER_MS) <= 0) {
			wl_display_cancel_read(d);
			if (done)
				break;
			if (!wl_display_get_error(d))
				errno = ETIMEDOUT;
			return -1;
		}
		if (wl_display_read_events(d) < 0 || wl_display_dispatch_pending(d) < 0)
			return -1;
	}
	return 0;
}

/* A connection to the compositor's socket at path (not through
 * WAYLAND_DISPLAY: the launch gives this program no environment). */
static struct wl_display *connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	return wl_display_connect_to_fd(fd); /* owns fd, even on failure */
}

/* A bound, listening socket at path, or -1 with errno. */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4096) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Registers the context; the read end of its close pipe in *close_read.
 * False, with a reason in *why, when the compositor refuses or breaks. */
static bool register_context(struct wl_display *d, struct wl_registry *reg, const struct globals *g,
			     char *const ids[4], int *close_read, const char **why)
{
	int close_pipe[2];
	cleanup_fd int listen_fd = listen_at(ids[1]);
	if (listen_fd < 0) {
		*why = strerror(errno);
		return false;
	}
	if (pipe2(close_pipe, O_CLOEXEC) < 0) {
		*why = strerror(errno);
		unlink(ids[1]); /* no one would ever accept on it */
		return false;
	}
	struct wp_security_context_manager_v1 *m =
		wl_registry_bind(reg, g->manager_name, &wp_security_context_manager_v1_interface, 1);
	struct wp_security_context_v1 *ctx = wp_security_context_manager_v1_create_listener(m, listen_fd, close_pipe[1]);
	wp_security_context_v1_set_sandbox_engine(ctx, ENGINE);
	wp_security_context_v1_set_app_id(ctx, ids[2]);
	wp_security_context_v1_set_instance_id(ctx, ids[3]);
	wp_security_context_v1_commit(ctx);
	wp_security_context_v1_destroy(ctx);
	wp_security_context_manager_v1_destroy(m);
	/* The round trip sends the descriptors: closed here after it. */
	bool ok = roundtrip(d) >= 0;
	int e = wl_display_get_error(d) ? wl_display_get_error(d) : errno;
	close(close_pipe[1]);
	if (!ok) {
		*why = e == EPROTO ? "the compositor rejected the request (protocol error)" : strerror(e);
		close(close_pipe[0]);
		unlink(ids[1]);
		return false;
	}
	*close_read = close_pipe[0];
	return true;
}

/* What the compositor at display offers; for a launch (ids given),
 * sets it up. */
static enum outcome negotiate(const char *display, char *const *ids, int *close_read)
{
	struct globals g = {0};
	const char *why = NULL;
	struct wl_display *d = connect_to(display);
	if (!d) {
		fprintf(stderr, ME ": cannot connect to the compositor at %s: %s; the app gets no Wayland\n", display,
			strerror(errno));
		return WL_NONE;
	}
	struct wl_registry *reg = wl_display_get_registry(d);
	wl_registry_add_listener(reg, &registry_listener, &g);
	if (roundtrip(d) < 0) {
		fprintf(stderr, ME ": the compositor at %s does not answer: %s; the app gets no Wayland\n", display,
			strerror(wl_display_get_error(d) ? wl_display_get_error(d) : errno));
		wl_display_disconnect(d);
		return WL_NONE;
	}
	enum outcome o = g.manager_name ? WL_CONTEXT : WL_PLAIN;
	if (ids && o == WL_PLAIN && symlink(display, ids[1]) < 0) {
		fprintf(stderr, ME ": cannot link %s: %s; the app gets no Wayland\n", ids[1], strerror(errno));
		o = WL_NONE;
	}
	if (ids && o == WL_CONTEXT && !register_context(d, reg, &g, ids, close_read, &why)) {
		/* As Flatpak: a compositor that has the global but fails us
		 * gives the app no Wayland rather than the privileged socket. */
		fprintf(stderr, ME ": the compositor at %s has a security context manager, but setting up one failed: %s; "
			"the app gets no Wayland\n", display, why);
		o = WL_NONE;
	}
	wl_registry_destroy(reg);
	wl_display_disconnect(d);
	return o;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"security-context", "plain", "none"};
	int close_read = -1;
	if (argc == 3 && !strcmp(argv[1], "--probe")) {
		puts(names[negotiate(argv[2], NULL, NULL)]);
		return 0;
	}
	if (argc < 7 || strcmp(argv[5], "--") || argv[1][0] != '/' || argv[2][0] != '/') {
		fputs(usage_text, stderr);
		return 2;
	}
	if (negotiate(argv[1], argv + 1, &close_read) == WL_CONTEXT) {
		/* dup2 clears close-on-exec: PROGRAM, and bwrap's monitor
		 * with it, holds the pipe for the app's life. */
		if (close_read != CLOSE_FD && (dup2(close_read, CLOSE_FD) < 0 || close(close_read) < 0)) {
			perror(ME ": dup2");
			return 1;
		}
	}
	execv(argv[6], argv + 6);
	fprintf(stderr, ME ": cannot run %s: %s\n", argv[6], strerror(errno));
	return 127;
}
