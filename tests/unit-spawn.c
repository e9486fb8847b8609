/* flatpak-spawn's options as WebKitGTK and glycin pass them, the
 * refusals, and the sub-sandbox's bwrap options (lib/spawn.c). */
#include <stdio.h>
#include <string.h>

#include "spawn.h"
#include "strv.h"
#include "tap.h"
#include "util.h"

#define ARGV(...) ((char *[]){"flatpak-spawn", __VA_ARGS__, NULL})

static int argc_of(char **argv)
{
	int n = 0;
	while (argv[n])
		n++;
	return n;
}

static int parse(char **argv, int argc, struct spawn_req *r, char **err)
{
	*err = NULL;
	return spawn_parse(argc, argv, r, err);
}

/* The index of option opt followed by a and b (NULL: any), or -1. */
static int find_op(const struct strv *sv, const char *opt, const char *a, const char *b)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], opt) != 0)
			continue;
		if (a && (i + 1 >= sv->n || strcmp(sv->v[i + 1], a) != 0))
			continue;
		if (b && (i + 2 >= sv->n || strcmp(sv->v[i + 2], b) != 0))
			continue;
		return (int)i;
	}
	return -1;
}

static void test_webkit_probe(void)
{
	/* WebKitGTK's check before it trusts flatpak-spawn. */
	char **argv = ARGV("--sandbox", "--sandbox-expose-path-ro-try=/this_path_doesnt_exist", "echo");
	struct spawn_req r;
	char *err;
	TAP_OK(parse(argv, 4, &r, &err) == 0, "WebKitGTK's probe parses");
	TAP_OK(r.sandbox && r.npaths == 1 && r.paths[0].optional && !r.paths[0].writable,
	       "the probe's path is an optional read-only one");
	TAP_STREQ(r.argv[0], "echo", "the command follows the options");
	spawn_req_free(&r);
}

static void test_glycin_loader(void)
{
	/* glycin (Loupe's and Fractal's image decoding) under /.flatpak-info:
	 * each loader through flatpak-spawn, its stdin the socket it talks on. */
	char **argv = ARGV("--sandbox", "--watch-bus", "--directory=/", "prlimit", "--as=1000000000",
			   "/usr/libexec/glycin-loaders/2+/glycin-image-rs");
	struct spawn_req r;
	char *err = NULL;
	TAP_OK(parse(argv, argc_of(argv), &r, &err) == 0, "a glycin loader's command line parses (%s)", err ? err : "");
	TAP_OK(r.sandbox && r.watch_bus && r.directory && strcmp(r.directory, "/") == 0, "--sandbox, --watch-bus, --directory=/");
	TAP_OK(strcmp(r.argv[0], "prlimit") == 0 && strcmp(r.argv[1], "--as=1000000000") == 0,
	       "the command's own options stay its own");
	spawn_req_free(&r);
}

static void test_web_process(void)
{
	char **argv = ARGV("--forward-fd=12", "--forward-fd", "15", "--expose-pids", "--watch-bus",
			   "--sandbox", "--no-network", "--sandbox-flag=share-gpu", "--sandbox-flag=share-display",
			   "--sandbox-flag=share-sound", "--sandbox-flag=allow-a11y", "--sandbox-flag=allow-dbus",
			   "--sandbox-expose-path-ro=/usr/lib/webkit/injected-bundle/", "--sandbox-expose-path=/home/u/cache",
			   "--sandbox-a11y-own-name=org.gnome.Epiphany.Sandboxed.WebProcess-1",
			   "--env=PULSE_PROP_application.icon_name=epiphany", "--env=EMPTY=",
			   "/usr/lib/WebKitWebProcess", "4", "--not-an-option");
	struct spawn_req r;
	char *err = NULL;
	TAP_OK(parse(argv, argc_of(argv), &r, &err) == 0, "a WebKitGTK web process's command line parses (%s)", err ? err : "");
	TAP_OK(r.nfds == 2 && r.fds[0] == 12 && r.fds[1] == 15, "--forward-fd, with = and as two words");
	TAP_OK(r.sandbox && r.no_network && r.watch_bus && !r.share_pids, "the flags");
	TAP_OK(r.flags == (SPAWN_SHARE_GPU | SPAWN_SHARE_DISPLAY | SPAWN_SHARE_SOUND | SPAWN_ALLOW_A11Y | SPAWN_ALLOW_DBUS),
	       "every sandbox flag");
	TAP_OK(r.env.n == 2 && strcmp(r.env.v[0], "PULSE_PROP_application.icon_name=epiphany") == 0,
	       "--env keeps names no shell could");
	TAP_OK(strcmp(r.argv[2], "--not-an-option") == 0, "options after the command are the command's");

	struct spawn_host h = {.runtime_dir = "/run/user/1000", .display = ":99", .wayland_display = "wayland-0",
			       .a11y_socket = "/run/flatpak/at-spi-bus", .bus_socket = "/run/flatpak/bus",
			       .seccomp_fd = 9, .info_fd = 10};
	struct strv a = {0};
	spawn_bwrap_args(&r, &h, &a);
	TAP_OK(find_op(&a, "--disable-userns", NULL, NULL) >= 0, "no user namespaces below the sub-sandbox");
	TAP_OK(find_op(&a, "--unshare-net", NULL, NULL) >= 0, "--no-network: a network namespace of its own");
	TAP_OK(find_op(&a, "--unshare-pid", NULL, NULL) >= 0 && find_op(&a, "--proc", "/proc", NULL) >= 0,
	       "a pid namespace the caller sees into, and its /proc");
	TAP_OK(find_op(&a, "--die-with-parent", NULL, NULL) >= 0, "--watch-bus: it dies with its caller");
	TAP_OK(find_op(&a, "--seccomp", "9", NULL) >= 0, "the filter's descriptor");
	TAP_OK(find_op(&a, "--ro-bind", "/usr/lib/webkit/injected-bundle/", "/usr/lib/webkit/injected-bundle/") >= 0 &&
	       find_op(&a, "--bind", "/home/u/cache", "/home/u/cache") >= 0, "exposed paths, read-only and writable");
	TAP_OK(find_op(&a, "--ro-bind-try", "/tmp/.X11-unix/X99", "/tmp/.X11-unix/X99") >= 0 &&
	       find_op(&a, "--ro-bind-try", "/run/user/1000/wayland-0", "/run/user/1000/wayland-0") >= 0,
	       "share-display: the X11 and Wayland sockets");
	TAP_OK(find_op(&a, "--ro-bind-try", SPAWN_BUS, "/run/flatpak/bus") >= 0,
	       "allow-dbus: the portals-only bus where the app's was");
	TAP_OK(find_op(&a, "--dev-bind-try", "/dev/dri", "/dev/dri") >= 0, "share-gpu: /dev/dri");
	TAP_OK(find_op(&a, "--bind", "/", "/") < 0, "--sandbox: not the app's whole tree");
	int info = find_op(&a, "--ro-bind-data", "10", "/.flatpak-info");
	TAP_OK(info >= 0, "the app's /.flatpak-info, read-only: services see the app");
	TAP_OK(info > find_op(&a, "--bind", "/home/u/cache", "/home/u/cache"), "... bound after every exposed path");
	strv_clear(&a);

	r.flags = 0;
	spawn_bwrap_args(&r, &h, &a);
	TAP_OK(find_op(&a, "--ro-bind-try", "/tmp/.X11-unix/X99", NULL) < 0 && find_op(&a, "--dev-bind-try", NULL, NULL) < 0 &&
	       find_op(&a, "--ro-bind-try", SPAWN_BUS, NULL) < 0 &&
	       find_op(&a, "--ro-bind-try", "/run/flatpak/at-spi-bus", NULL) < 0,
	       "without sandbox flags: no display, GPU, bus or accessibility bus");
	TAP_OK(find_op(&a, "--ro-bind-data", "10", "/.flatpak-info") >= 0, "... but the app-info always");
	strv_clear(&a);
	spawn_req_free(&r);
}

static void test_refused(void)
{
	static const char *const bad[][2] = {
		{"--host", "no way to the host"},
		{"--sandbox-expose=cache", "no way to the host"},
		{"--app-path=/x", "no way to the host"},
		{"--latest-version", "no way to the host"},
		{"--sandbox-flag=share-everything", "unknown flag"},
		{"--sandbox-expose-path=relative/dir", "not an absolute path"},
		{"--forward-fd=-1", "not a file descriptor"},
		{"--forward-fd=3x", "not a file descriptor"},
		{"--env=NOVALUE", "not VAR=VALUE"},
		{"--env==x", "not VAR=VALUE"},
		{"--unset-env=A=B", "not a variable name"},
		{"--sandbox=yes", "takes no value"},
		{"--frobnicate", "unknown option"},
		{"-x", "unknown option"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *argv[] = {"flatpak-spawn", (char *)bad[i][0], "true", NULL};
		struct spawn_req r;
		char *err;
		int rc = parse(argv, 3, &r, &err);
		TAP_OK(rc < 0 && err && strstr(err, bad[i][1]), "%s is refused: %s", bad[i][0], err ? err : "(accepted)");
		free(err);
		spawn_req_free(&r);
	}
	char *none[] = {"flatpak-spawn", "--sandbox", NULL};
	char *valueless[] = {"flatpak-spawn", "--env", NULL};
	struct spawn_req r;
	char *err;
	TAP_OK(parse(none, 2, &r, &err) < 0 && strstr(err, "no command"), "no command: refused");
	free(err);
	spawn_req_free(&r);
	TAP_OK(parse(valueless, 2, &r, &err) < 0 && strstr(err, "needs a value"), "a value missing: refused");
	free(err);
	spawn_req_free(&r);
}

static void test_plain_and_share_pids(void)
{
	char **argv = ARGV("--no-network", "--share-pids", "--directory=/tmp", "--", "--looks-like-an-option");
	struct spawn_req r;
	char *err;
	TAP_OK(parse(argv, argc_of(argv), &r, &err) == 0 && strcmp(r.argv[0], "--looks-like-an-option") == 0,
	       "after --, everything is the command");
	struct spawn_host h = {.runtime_dir = "/run/user/1000", .seccomp_fd = -1, .info_fd = -1};
	struct strv a = {0};
	spawn_bwrap_args(&r, &h, &a);
	TAP_OK(find_op(&a, "--bind", "/", "/") >= 0 && find_op(&a, "--unshare-net", NULL, NULL) >= 0,
	       "--no-network without --sandbox: the app's tree, without the network");
	TAP_OK(find_op(&a, "--unshare-pid", NULL, NULL) < 0 && find_op(&a, "--proc", NULL, NULL) < 0,
	       "--share-pids: the caller's pid namespace");
	TAP_OK(find_op(&a, "--chdir", "/tmp", NULL) >= 0, "--directory");
	TAP_OK(find_op(&a, "--seccomp", NULL, NULL) < 0, "no filter option without a filter");
	strv_clear(&a);
	spawn_req_free(&r);
}

static void test_unix_path(void)
{
	char *p = spawn_unix_path("unix:path=/run/flatpak/bus");
	TAP_STREQ(p, "/run/flatpak/bus", "unix:path= address");
	free(p);
	p = spawn_unix_path("unix:path=/run/user/1/bus,guid=abc");
	TAP_STREQ(p, "/run/user/1/bus", "an address with a guid");
	free(p);
	TAP_OK(!spawn_unix_path("unix:abstract=/x") && !spawn_unix_path("tcp:host=x,port=1") &&
	       !spawn_unix_path("unix:path=rel") && !spawn_unix_path("unix:path=/a%20b") &&
	       !spawn_unix_path("unix:path=/a;unix:path=/b") && !spawn_unix_path(NULL),
	       "anything but a plain unix path: none");
}

int main(void)
{
	test_webkit_probe();
	test_glycin_loader();
	test_web_process();
	test_refused();
	test_plain_and_share_pids();
	test_unix_path();
	printf("1..%u\n", tap_count);
	return tap_failed != 0;
}
