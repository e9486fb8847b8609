/* boxwrap: short YAML profiles -> a bubblewrap sandbox, run now or
 * emitted as an sh launcher. profile -> loader -> policy -> plan -> back end. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include "backend.h"
#include "describe.h"
#include "lookup.h"
#include "profile.h"
#include "seccomp.h"
#include "util.h"

#ifndef BOXWRAP_SYSCONFDIR
#define BOXWRAP_SYSCONFDIR "/etc"
#endif
#ifndef BOXWRAP_DATADIR
#define BOXWRAP_DATADIR "/usr/share"
#endif
#ifndef BOXWRAP_BWRAP
#define BOXWRAP_BWRAP "/usr/bin/bwrap"
#endif
#ifndef BOXWRAP_XDG_DBUS_PROXY
#define BOXWRAP_XDG_DBUS_PROXY "/usr/bin/xdg-dbus-proxy"
#endif
#ifndef BOXWRAP_SECCOMP_DIR
#define BOXWRAP_SECCOMP_DIR "/usr/lib/boxwrap/seccomp"
#endif

static const char usage_text[] =
	"usage: boxwrap run [--dry-run] [--command=PATH] [--log-session-bus] PROFILE [--] [ARGS...]\n"
	"       boxwrap emit [-o FILE] PROFILE\n"
	"       boxwrap check PROFILE...\n"
	"       boxwrap seccomp [--pfc] [VARIANT] | --all DIR\n"
	"       boxwrap --version\n"
	"PROFILE is a file (with a '/' or ending in .yaml), or a name looked up in\n"
	"$XDG_CONFIG_HOME/boxwrap/profiles, " BOXWRAP_SYSCONFDIR "/boxwrap/profiles and\n"
	BOXWRAP_DATADIR "/boxwrap/profiles. See boxwrap(1).\n";

__attribute__((noreturn)) static void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static const char *config(const char *env, const char *dflt)
{
	const char *v = getenv(env);
	return v && v[0] == '/' ? v : dflt;
}

/* Loads a profile into an effective policy; exits 1 with FILE:LINE:COL
 * messages if it is not valid. */
static void load_policy(const char *arg, struct policy *eff)
{
	struct policy layer;
	cleanup_free char *path = NULL;
	cleanup_fd int fd = profile_open(arg, &path);
	struct diag d = {.file = path};
	if (profile_load_fd(fd, PROFILE_APP, &layer, &d) < 0) {
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	*eff = (struct policy){0};
	policy_merge(eff, &layer);
	policy_free(&layer);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"command", required_argument, NULL, 'c'},
		{"log-session-bus", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *command = NULL;
	bool dry = false;
	struct plan_opts popts = {.xdg_dbus_proxy = config("BOXWRAP_XDG_DBUS_PROXY", BOXWRAP_XDG_DBUS_PROXY)};
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'n')
			dry = true;
		else if (c == 'l')
			popts.log_session_bus = true;
		else if (c == 'c')
			command = optarg;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind >= argc)
		usage(EXIT_USAGE);
	if (command && command[0] != '/') {
		fprintf(stderr, "%s: --command needs an absolute path\n", PROG);
		usage(EXIT_USAGE);
	}
	struct policy p;
	struct plan pl;
	load_policy(argv[optind++], &p);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (command) {
		free(p.command);
		p.command = xstrdup(command);
	}
	plan_build(&p, &popts, &pl);
	struct launch l = {
		.bwrap = config("BOXWRAP_BWRAP", BOXWRAP_BWRAP),
		.user_args = argv + optind, .nuser_args = argc - optind,
	};
	if (dry) {
		backend_dry_run(&pl, &l);
		return 0;
	}
	return backend_run(&pl, &l);
}

static int cmd_emit(int argc, char **argv)
{
	const char *out = NULL;
	struct plan_opts popts = {.xdg_dbus_proxy = config("BOXWRAP_XDG_DBUS_PROXY", BOXWRAP_XDG_DBUS_PROXY)};
	int c;
	while ((c = getopt(argc, argv, "+o:h")) != -1) {
		if (c == 'o')
			out = optarg;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc - 1)
		usage(EXIT_USAGE);
	struct policy p;
	struct plan pl;
	load_policy(argv[optind], &p);
	plan_build(&p, &popts, &pl);
	struct launch l = {
		.bwrap = config("BOXWRAP_BWRAP", BOXWRAP_BWRAP),
		.seccomp_dir = config("BOXWRAP_SECCOMP_DIR", BOXWRAP_SECCOMP_DIR),
		.profile = argv[optind],
	};
	cleanup_free char *text = backend_emit(&pl, &l);
	if (!out)
		return fputs(text, stdout) == EOF || fflush(stdout) ? EXIT_ERROR : 0;
	/* Nothing half-written: a temporary file, then rename. */
	if (write_file_atomic(out, text, strlen(text), 0755) < 0)
		die_errno("cannot write %s", out);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	int status = 0;
	if (argc < 2)
		usage(EXIT_USAGE);
	for (int i = 1; i < argc; i++) {
		struct policy layer;
		cleanup_free char *path = NULL;
		cleanup_fd int fd = profile_open(argv[i], &path);
		struct diag d = {.file = path};
		if (profile_load_fd(fd, PROFILE_APP, &layer, &d) < 0) {
			diag_print(&d);
			diag_clear(&d);
			status = EXIT_ERROR;
			continue;
		}
		struct buf out = {0};
		describe_policy(&out, &layer);
		printf("%s: ok\n%s", path, out.s);
		buf_clear(&out);
		policy_free(&layer);
	}
	return status;
}

/* Writes every knob combination to DIR/NAME.bpf for emitted launchers. */
static int write_all_variants(const char *dir)
{
	for (unsigned mask = 0; mask < 32; mask++) {
		struct seccomp_opts o = {
			.devel = mask & 1, .multiarch = mask & 2, .bluetooth = mask & 4,
			.canbus = mask & 8, .nested_sandbox = mask & 16,
		};
		char *err = NULL;
		cleanup_free char *path = xasprintf("%s/%s.bpf", dir, seccomp_variant_name(&o));
		cleanup_free char *tmp = xasprintf("%s.tmp", path);
		cleanup_fd int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || seccomp_write_bpf(&o, fd, &err) < 0 || rename(tmp, path) < 0)
			die("cannot write %s: %s", path, err ? err : strerror(errno));
	}
	return 0;
}

static int cmd_seccomp(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--all"))
		return write_all_variants(argv[2]);
	bool pfc = argc > 1 && !strcmp(argv[1], "--pfc");
	const char *variant = argc > 1 + pfc ? argv[1 + pfc] : "default";
	struct seccomp_opts o;
	char *err = NULL;
	if (seccomp_variant_parse(variant, &o) < 0)
		die("unknown seccomp variant '%s'", variant);
	if ((pfc ? seccomp_write_pfc(&o, STDOUT_FILENO, &err) : seccomp_write_bpf(&o, STDOUT_FILENO, &err)) < 0)
		die("%s", err);
	return 0;
}


int main(int argc, char **argv)
{
	/* Nothing inherited may reach a sandbox (security.md E4). */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && errno != ENOSYS)
		die_errno("close_range");
	if (argc < 2)
		usage(EXIT_USAGE);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version")) {
		puts("boxwrap " BOXWRAP_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		usage(0);
	argc--, argv++;
	optind = 1;
	if (!strcmp(cmd, "run"))
		return cmd_run(argc, argv);
	if (!strcmp(cmd, "emit"))
		return cmd_emit(argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc, argv);
	if (!strcmp(cmd, "seccomp"))
		return cmd_seccomp(argc, argv);
	fprintf(stderr, "%s: unknown command '%s'\n", PROG, cmd);
	usage(EXIT_USAGE);
}
