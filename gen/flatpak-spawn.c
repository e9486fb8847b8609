/* flatpak-spawn for boxwrap sandboxes (lib/spawn.h): bound at
 * /run/boxwrap/bin/flatpak-spawn in profiles with nested-sandbox. Runs
 * inside the app's sandbox, as the app. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include "config.h"
#include "seccomp.h"
#include "spawn.h"
#include "util.h"

static const char usage_text[] =
	"usage: flatpak-spawn [--sandbox] [--no-network] [--sandbox-flag=FLAG]\n"
	"         [--sandbox-expose-path[-ro][-try]=PATH] [--forward-fd=FD] [--watch-bus]\n"
	"         [--expose-pids|--share-pids] [--env=VAR=VALUE] [--unset-env=VAR]\n"
	"         [--clear-env] [--directory=DIR] [--verbose] [--] COMMAND [ARGS...]\n"
	"boxwrap's stand-in for Flatpak's flatpak-spawn: builds the sub-sandbox\n"
	"with bwrap inside the app's sandbox. FLAG: share-display, share-sound,\n"
	"share-gpu, allow-dbus, allow-a11y. See boxwrap(1), NESTED SANDBOXES.\n";

static void apply_environment(const struct spawn_req *r)
{
	if (r->clear_env)
		clearenv();
	for (size_t i = 0; i < r->env.n; i++) {
		char *eq = strchr(r->env.v[i], '=');
		cleanup_free char *name = xstrndup(r->env.v[i], (size_t)(eq - r->env.v[i]));
		if (setenv(name, eq + 1, 1) < 0)
			die_errno("--env=%s", r->env.v[i]);
	}
	for (size_t i = 0; i < r->unset_env.n; i++)
		unsetenv(r->unset_env.v[i]);
}

/* Lets fd reach the command; what names the descriptor in an error. */
static void inherit_fd(int fd, const char *what)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		die_errno("%s %d", what, fd);
}

/* Only the standard streams and the forwarded descriptors reach the
 * command, as with Flatpak's portal. */
static void forward_only(const struct spawn_req *r)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		DIR *d = opendir("/proc/self/fd");
		if (!d)
			die_errno("cannot list descriptors");
		for (struct dirent *e; (e = readdir(d));) {
			int fd = atoi(e->d_name);
			if (fd > 2 && fd != dirfd(d))
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		closedir(d);
	}
	for (size_t i = 0; i < r->nfds; i++)
		inherit_fd(r->fds[i], "--forward-fd:");
}

static struct spawn_host host_side(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	return (struct spawn_host){
		.runtime_dir = rt && rt[0] == '/' ? rt : xasprintf("/run/user/%u", (unsigned)getuid()),
		.wayland_display = getenv("WAYLAND_DISPLAY"),
		.display = getenv("DISPLAY"),
		.xauthority = getenv("XAUTHORITY"),
		.a11y_socket = spawn_unix_path(getenv("AT_SPI_BUS_ADDRESS")),
		.bus_socket = spawn_unix_path(getenv("DBUS_SESSION_BUS_ADDRESS")),
		.seccomp_fd = -1,
		.info_fd = -1,
	};
}

/* The app's app-info for the sub-sandbox (spawn_bwrap_args). */
static int app_info(void)
{
	int fd = open("/.flatpak-info", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("cannot read /.flatpak-info, which a sub-sandbox carries");
	inherit_fd(fd, "the app-info's descriptor");
	return fd;
}

/* Web content below the app gets the default filter on top of the app's:
 * no user namespaces, whatever the app was allowed. */
static int default_filter(void)
{
	char *err = NULL;
	int fd = seccomp_build_fd(&(struct seccomp_opts){0}, &err);
	if (fd < 0)
		die("%s", err);
	inherit_fd(fd, "the seccomp filter's descriptor");
	return fd;
}

static void print_command(char **argv)
{
	fputs("flatpak-spawn:", stderr);
	for (; *argv; argv++)
		fprintf(stderr, " %s", *argv);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	struct spawn_req r;
	char *err = NULL;
	if (spawn_parse(argc, argv, &r, &err) < 0) {
		fprintf(stderr, "flatpak-spawn: %s\n", err);
		return EXIT_USAGE;
	}
	apply_environment(&r);
	forward_only(&r);
	if (!r.sandbox && !r.no_network) {
		/* A copy of the app's sandbox: this one. */
		if (r.directory && chdir(r.directory) < 0)
			die_errno("cannot change to %s", r.directory);
		execvp(r.argv[0], r.argv);
		die_errno("cannot run %s", r.argv[0]);
	}
	struct spawn_host h = host_side();
	h.seccomp_fd = default_filter();
	if (r.sandbox)
		h.info_fd = app_info();
	struct strv args = {0};
	strv_push(&args, BOXWRAP_BWRAP);
	spawn_bwrap_args(&r, &h, &args);
	strv_push(&args, "--");
	for (char **a = r.argv; *a; a++)
		strv_push(&args, *a);
	if (r.verbose)
		print_command(args.v);
	execv(BOXWRAP_BWRAP, args.v);
	die_errno("cannot run %s", BOXWRAP_BWRAP);
}
