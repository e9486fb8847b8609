/* boxwrap: short YAML profiles -> a bubblewrap sandbox, run now or
 * emitted as an sh launcher. profile -> loader -> policy -> plan -> back end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "backend.h"
#include "describe.h"
#include "escape.h"
#include "import.h"
#include "installed.h"
#include "launchfile.h"
#include "lookup.h"
#include "names.h"
#include "override.h"
#include "provenance.h"
#include "appdata.h"
#include "profile.h"
#include "seccomp.h"
#include "util.h"
#include "wrap.h"


static const char usage_text[] =
	"usage: boxwrap run [--dry-run] [--command=PATH] [--log-session-bus] [OPTIONS] PROFILE [--] [ARGS...]\n"
	"       boxwrap launch FILE [ARGS...]\n"
	"       boxwrap emit [-o FILE] [--profile-only] PROFILE\n"
	"       boxwrap check PROFILE...\n"
	"       boxwrap seccomp [--pfc] [VARIANT] | --all DIR\n"
	"       boxwrap import MANIFEST\n"
	"       boxwrap wrap --destdir DIR [--bin PATH] PROFILE\n"
	"       boxwrap export [--root DIR] [--verbose]\n"
	"       boxwrap info [OPTIONS] APP|PROFILE\n"
	"       boxwrap override [--user|--system] [--reset] [--show] APP [OPTIONS]\n"
	"       boxwrap list\n"
	"       boxwrap data [--delete] APP\n"
	"       boxwrap --version\n"
	"OPTIONS (run, info, override): --filesystem=SPEC --nofilesystem=SPEC|reset\n"
	"  --share/--unshare=NAME --socket/--nosocket=NAME --device/--nodevice=NAME\n"
	"  --allow/--disallow=FEATURE --env=VAR=VALUE --unset-env=VAR --persist=PATH\n"
	"  --own-name --talk-name --see-name --no-talk-name=NAME, and --system-* of these\n"
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

/* A helper boxwrap run starts or binds: as config(), but where the
 * installed one is absent, the one beside this boxwrap, so a build tree
 * runs as installed (make demo, the tests' clean environments). Launchers
 * (emit, export, wrap) always name the installed path. */
static const char *run_helper(const char *env, const char *dflt, const char *name)
{
	static char exe[PATH_MAX];
	const char *v = config(env, dflt);
	if (v != dflt || access(dflt, X_OK) == 0)
		return v;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return dflt;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash || (size_t)(slash + 1 - exe) + strlen(name) >= sizeof(exe))
		return dflt;
	strcpy(slash + 1, name);
	return access(exe, X_OK) == 0 ? xstrdup(exe) : dflt;
}

/* The programs a plan names; the environment overrides them for tests. */
/* The installed boxwrap, which launchers hand over to; BOXWRAP_SELF
 * names another for tests. */
static const char *boxwrap_self(void)
{
	return config("BOXWRAP_SELF", BOXWRAP_BINDIR "/boxwrap");
}

static struct plan_opts plan_options(bool running)
{
	return (struct plan_opts){
		.xdg_dbus_proxy = config("BOXWRAP_XDG_DBUS_PROXY", BOXWRAP_XDG_DBUS_PROXY),
		.spawn_helper = running ? run_helper("BOXWRAP_SPAWN_HELPER", BOXWRAP_SPAWN_HELPER, "flatpak-spawn")
					: config("BOXWRAP_SPAWN_HELPER", BOXWRAP_SPAWN_HELPER),
		.wayland_helper = running ? run_helper("BOXWRAP_WAYLAND_HELPER", BOXWRAP_WAYLAND_HELPER, "wayland-context")
					  : config("BOXWRAP_WAYLAND_HELPER", BOXWRAP_WAYLAND_HELPER),
	};
}

static void load_layered(const char *arg, struct layers *ls, struct policy *eff, bool system, bool user);
static struct option *with_override_opts(const struct option *base);
static void cmdline_option(struct layers *ls, int c, const char *value);
#define OVR_OPT 0x100

static int cmd_run(int argc, char **argv)
{
	static const struct option base[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"command", required_argument, NULL, 'c'},
		{"log-session-bus", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* profile < system override < user override < these options */
	cleanup_free struct option *opts = with_override_opts(base);
	struct layers ls = {0};
	const char *command = NULL;
	bool dry = false;
	struct plan_opts popts = plan_options(true);
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c >= OVR_OPT)
			cmdline_option(&ls, c, optarg);
		else if (c == 'n')
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
	load_layered(argv[optind++], &ls, &p, true, true);
	layers_free(&ls);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (command) {
		free(p.command);
		p.command = xstrdup(command);
	}
	plan_build(&p, &popts, &pl);
	struct launch l = {
		.bwrap = config("BOXWRAP_BWRAP", BOXWRAP_BWRAP),
		.seccomp_dir = config("BOXWRAP_SECCOMP_DIR", BOXWRAP_SECCOMP_DIR),
		.open_helper = run_helper("BOXWRAP_OPEN_HELPER", BOXWRAP_OPEN_HELPER, "open-binds"),
		.user_args = argv + optind, .nuser_args = argc - optind,
	};
	int status = 0;
	if (dry)
		backend_dry_run(&pl, &l);
	else
		status = backend_run(&pl, &l);
	plan_free(&pl);
	policy_free(&p);
	return status;
}

/* boxwrap launch FILE [ARGS...]: the interpreter on an exported
 * launcher's #! line (launchfile.h). It is `boxwrap run` with the profile
 * and command FILE names; every argument after FILE is the app's, even
 * "--" and what looks like an option. */
static int cmd_launch(int argc, char **argv)
{
	if (argc < 2)
		usage(EXIT_USAGE);
	char *profile, *command;
	struct diag d = {.file = argv[1]};
	if (launchfile_read(argv[1], &profile, &command, &d) < 0) {
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	char **run = xcalloc((size_t)argc + 4, sizeof(*run));
	int n = 0;
	run[n++] = "run";
	if (command)
		run[n++] = xasprintf("--command=%s", command);
	run[n++] = profile;
	run[n++] = "--";
	for (int i = 2; i < argc; i++)
		run[n++] = argv[i];
	return cmd_run(n, run);
}

static int cmd_emit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile-only", no_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {0},
	};
	const char *out = NULL;
	bool profile_only = false;
	struct plan_opts popts = plan_options(false);
	int c;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'p')
			profile_only = true;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc - 1)
		usage(EXIT_USAGE);
	struct policy p;
	struct plan pl;
	/* A launcher runs for every user: the profile and the system
	 * override, never one user's override (boxwrap(1), OVERRIDES). */
	struct layers ls = {0};
	load_layered(argv[optind], &ls, &p, !profile_only, false);
	if (ls.have[LAYER_SYSTEM]) {
		cleanup_free char *safe = escape_for_terminal(ls.path[LAYER_SYSTEM]);
		fprintf(stderr, "%s: emit: the launcher includes the system override %s\n", PROG, safe);
	}
	plan_build(&p, &popts, &pl);
	/* Overrides made later: the launcher hands over to `boxwrap run`
	 * with this profile, if its path holds wherever the launcher runs. */
	const char *profile = ls.path[LAYER_PROFILE];
	cleanup_free char *system_override = override_file(true, p.app_id);
	cleanup_free char *system_text = ls.have[LAYER_SYSTEM] ? read_regular_file(ls.path[LAYER_SYSTEM], 1 << 20) : NULL;
	struct launch l = {
		.bwrap = config("BOXWRAP_BWRAP", BOXWRAP_BWRAP),
		.seccomp_dir = config("BOXWRAP_SECCOMP_DIR", BOXWRAP_SECCOMP_DIR),
		.open_helper = config("BOXWRAP_OPEN_HELPER", BOXWRAP_OPEN_HELPER),
		.profile = argv[optind],
		.boxwrap = boxwrap_self(),
		.handover_profile = profile[0] == '/' ? profile : NULL,
		.system_override = system_override,
		.system_override_text = system_text,
	};
	if (ls.have[LAYER_SYSTEM] && !system_text)
		die_errno("cannot read %s", ls.path[LAYER_SYSTEM]);
	cleanup_free char *text = backend_emit(&pl, &l);
	plan_free(&pl);
	policy_free(&p);
	layers_free(&ls);
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
		describe_wayland(&out, &layer, config("BOXWRAP_WAYLAND_HELPER", BOXWRAP_WAYLAND_HELPER));
		describe_sound(&out, &layer);
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


/* A Flatpak manifest's finish-args as a profile on stdout; what does not
 * carry over is reported on stderr. */
static int cmd_import(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		usage(argc == 2 && !strcmp(argv[1], "--help") ? 0 : EXIT_USAGE);
	cleanup_fd int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	size_t len;
	cleanup_free char *buf = fd < 0 ? NULL : read_all_fd(fd, 8 << 20, &len);
	if (!buf)
		die_errno("cannot read %s", argv[1]);
	struct buf out = {0};
	struct strv notes = {0};
	int rc = import_manifest(argv[1], buf, len, &out, &notes);
	cleanup_free char *name = escape_for_terminal(argv[1]);
	for (size_t i = 0; i < notes.n; i++)
		fprintf(stderr, "%s: %s: %s\n", PROG, name, notes.v[i]);
	strv_clear(&notes);
	if (rc < 0)
		return EXIT_ERROR;
	rc = fputs(out.s, stdout) == EOF || fflush(stdout) ? EXIT_ERROR : 0;
	buf_clear(&out);
	return rc;
}


/* Launchers are generated with these paths; the environment overrides
 * them for tests, as in emit. */
static struct gen_opts gen_opts(void)
{
	return (struct gen_opts){
		.bwrap = config("BOXWRAP_BWRAP", BOXWRAP_BWRAP),
		.seccomp_dir = config("BOXWRAP_SECCOMP_DIR", BOXWRAP_SECCOMP_DIR),
		.xdg_dbus_proxy = config("BOXWRAP_XDG_DBUS_PROXY", BOXWRAP_XDG_DBUS_PROXY),
		.spawn_helper = config("BOXWRAP_SPAWN_HELPER", BOXWRAP_SPAWN_HELPER),
		.wayland_helper = config("BOXWRAP_WAYLAND_HELPER", BOXWRAP_WAYLAND_HELPER),
		.open_helper = config("BOXWRAP_OPEN_HELPER", BOXWRAP_OPEN_HELPER),
		.boxwrap = boxwrap_self(),
	};
}

/* Packager mode, in an APKBUILD's package(): see wrap.h. */
static int cmd_wrap(int argc, char **argv)
{
	static const struct option opts[] = {
		{"destdir", required_argument, NULL, 'd'},
		{"bin", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *destdir = NULL, *bin = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'd')
			destdir = optarg;
		else if (c == 'b')
			bin = optarg;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (!destdir || optind != argc - 1)
		usage(EXIT_USAGE);
	struct gen_opts o = gen_opts();
	wrap_package(destdir, argv[optind], bin, &o);
	return 0;
}

/* The apk trigger's command: exports for every installed profile. Exits
 * 0 when a profile is broken (it is reported; the others are exported),
 * 1 only when the exports directory cannot be written. */
static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	static const char *const dirs[] = {
		BOXWRAP_SYSCONFDIR "/boxwrap/profiles", BOXWRAP_DATADIR "/boxwrap/profiles", NULL,
	};
	const char *root = "";
	int verbose = 0, c;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		if (c == 'r')
			root = optarg;
		else if (c == 'v')
			verbose = 1;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc || (root[0] && root[0] != '/'))
		usage(EXIT_USAGE);
	struct gen_opts o = gen_opts();
	return exports_update(root, &o, dirs, verbose) < 0 ? EXIT_ERROR : 0;
}

/* ---- overrides: run options, info, override, list, data ---------------- */

/* Loads the profile and the overrides asked for into ls and their merge
 * into eff (command-line options already in ls); exits 1 if any file is
 * not valid or not trustworthy. */
static void load_layered(const char *arg, struct layers *ls, struct policy *eff, bool system, bool user)
{
	cleanup_free char *path = NULL;
	cleanup_fd int fd = profile_open(arg, &path);
	struct diag d = {.file = path};
	if (profile_load_fd(fd, PROFILE_APP, &ls->layer[LAYER_PROFILE], &d) < 0) {
		diag_print(&d);
		diag_clear(&d);
		exit(EXIT_ERROR);
	}
	ls->have[LAYER_PROFILE] = true;
	ls->path[LAYER_PROFILE] = steal_pointer(&path);
	layers_load_overrides(ls, system, user);
	layers_merge(ls, eff);
}

/* The options of a command followed by the override options. */
static struct option *with_override_opts(const struct option *base)
{
	size_t nb = 0, no = 0;
	while (base[nb].name)
		nb++;
	while (override_option_names[no])
		no++;
	struct option *o = xcalloc(nb + no + 1, sizeof(*o));
	memcpy(o, base, nb * sizeof(*o));
	for (size_t i = 0; i < no; i++)
		o[nb + i] = (struct option){override_option_names[i], required_argument, NULL, OVR_OPT + (int)i};
	return o;
}

/* One override option into the command-line layer; exits 2 if invalid. */
static void cmdline_option(struct layers *ls, int c, const char *value)
{
	const char *name = override_option_names[c - OVR_OPT];
	char *shown = xasprintf("--%s=%s", name, value);
	char *why = override_option(&ls->layer[LAYER_CMDLINE], name, value);
	if (why) {
		char *s1 = escape_for_terminal(shown), *s2 = escape_for_terminal(why);
		fprintf(stderr, "%s: %s: %s\n", PROG, s1, s2);
		free(s1), free(s2), free(why), free(shown);
		layers_free(ls);
		exit(EXIT_USAGE);
	}
	ls->have[LAYER_CMDLINE] = true;
	strv_take(&ls->cmdline, shown);
}

/* A profile file, a profile name, or an installed app's id -> the
 * profile's path; NULL if none. */
static char *find_profile(const char *arg)
{
	if (strchr(arg, '/') || str_has_suffix(arg, ".yaml"))
		return xstrdup(arg);
	return installed_find(arg);
}

/* The app id ARG stands for: its profile's, or ARG itself if it is a
 * valid app id (an override or data of an app not installed). */
static char *app_id_of(const char *arg)
{
	cleanup_free char *path = find_profile(arg);
	if (!path) {
		cleanup_free char *why = app_id_problem(arg);
		if (why) {
			cleanup_free char *safe = escape_for_terminal(arg);
			die("no profile named '%s', and no installed profile has that app id", safe);
		}
		return xstrdup(arg);
	}
	struct layers ls = {0};
	struct policy eff;
	load_layered(path, &ls, &eff, false, false);
	char *id = steal_pointer(&eff.app_id);
	policy_free(&eff);
	layers_free(&ls);
	return id;
}

static const char launcher_note[] =
	"note: launchers made by `boxwrap emit` (from a profile's absolute path or name), `wrap`\n"
	"      or `export` hand over to `boxwrap run` when a user override exists; command-line\n"
	"      options apply to `boxwrap run` only.\n";

static int cmd_info(int argc, char **argv)
{
	static const struct option base[] = {{"help", no_argument, NULL, 'h'}, {0}};
	cleanup_free struct option *opts = with_override_opts(base);
	struct layers ls = {0};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c >= OVR_OPT)
			cmdline_option(&ls, c, optarg);
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc - 1)
		usage(EXIT_USAGE);
	cleanup_free char *path = find_profile(argv[optind]);
	struct policy eff;
	load_layered(path ? path : argv[optind], &ls, &eff, true, true);
	struct buf out = {0};
	describe_policy(&out, &eff);
	describe_wayland(&out, &eff, config("BOXWRAP_WAYLAND_HELPER", BOXWRAP_WAYLAND_HELPER));
	describe_sound(&out, &eff);
	cleanup_free char *id = escape_for_terminal(eff.app_id);
	printf("%s\n%s", id, out.s);
	buf_clear(&out);
	describe_sources(&out, &ls, &eff);
	fputs(out.s, stdout);
	buf_clear(&out);
	if (ls.have[LAYER_USER] || ls.have[LAYER_CMDLINE])
		fputs(launcher_note, stdout);
	policy_free(&eff);
	layers_free(&ls);
	return fflush(stdout) ? EXIT_ERROR : 0;
}

static int cmd_override(int argc, char **argv)
{
	static const struct option base[] = {
		{"user", no_argument, NULL, 'u'}, {"system", no_argument, NULL, 's'},
		{"reset", no_argument, NULL, 'r'}, {"show", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	cleanup_free struct option *opts = with_override_opts(base);
	struct layers ls = {0};
	bool system = false, user = false, reset = false, show = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c >= OVR_OPT)
			cmdline_option(&ls, c, optarg);
		else if (c == 'u' || c == 's')
			*(c == 's' ? &system : &user) = true;
		else if (c == 'r')
			reset = true;
		else if (c == 'S')
			show = true;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc - 1 || (system && user))
		usage(EXIT_USAGE);
	cleanup_free char *app_id = app_id_of(argv[optind]);
	cleanup_free char *path = override_file(system, app_id);
	if (reset && unlink(path) < 0 && errno != ENOENT)
		die_errno("cannot remove %s", path);
	struct policy layer;
	bool exists = override_load(path, &layer);
	if (ls.have[LAYER_CMDLINE]) {
		policy_layer_update(&layer, &ls.layer[LAYER_CMDLINE]);
		override_save(system, app_id, &layer);
		exists = true;
		fputs(system ? "note: launchers hand over to `boxwrap run` while their system override differs;\n"
			       "      `boxwrap emit` again to build it in\n"
			     : launcher_note, stderr);
	}
	if (show || (!reset && !ls.have[LAYER_CMDLINE])) {
		cleanup_free char *yaml = exists ? override_to_yaml(&layer, app_id) : NULL;
		cleanup_free char *safe = escape_for_terminal(path);
		if (yaml)
			fputs(yaml, stdout);
		else
			fprintf(stderr, "%s: no %s override for this app (%s)\n", PROG, system ? "system" : "user", safe);
	}
	policy_free(&layer);
	layers_free(&ls);
	return fflush(stdout) ? EXIT_ERROR : 0;
}

static int cmd_list(int argc, char **argv)
{
	if (argc != 1)
		usage(argc == 2 && !strcmp(argv[1], "--help") ? 0 : EXIT_USAGE);
	struct installed *v;
	size_t n = installed_list(&v);
	printf("%-20s %-32s %-10s %s\n", "NAME", "APP-ID", "EXPORTED", "PROFILE");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *name = escape_for_terminal(v[i].name);
		cleanup_free char *id = escape_for_terminal(v[i].app_id ? v[i].app_id : "-");
		cleanup_free char *path = escape_for_terminal(v[i].path);
		cleanup_free char *problem = v[i].problem ? escape_for_terminal(v[i].problem) : NULL;
		printf("%-20s %-32s %-10s %s%s%s%s\n", name, id, v[i].launcher ? "yes" : "no", path,
		       problem ? " (" : "", problem ? problem : "", problem ? ")" : "");
		if (v[i].shadowed)
			printf("%-20s   hidden by the profile of that name listed above\n", "");
	}
	installed_free(v, n);
	return fflush(stdout) ? EXIT_ERROR : 0;
}

static int cmd_data(int argc, char **argv)
{
	static const struct option opts[] = {
		{"delete", no_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0},
	};
	bool del = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'd')
			del = true;
		else
			usage(c == 'h' ? 0 : EXIT_USAGE);
	}
	if (optind != argc - 1)
		usage(EXIT_USAGE);
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		die("HOME is not set to an absolute path");
	cleanup_free char *app_id = app_id_of(argv[optind]);
	cleanup_free char *dir = xasprintf("%s/.var/app/%s", home, app_id);
	cleanup_free char *shown = escape_for_terminal(dir);
	cleanup_fd int fd = appdata_open(home, app_id);
	if (fd < 0 && errno == ENOENT) {
		printf("%s: no data\n", shown);
		return 0;
	}
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		die("%s: refusing a path with a symbolic link or a file where a directory should be", shown);
	if (fd < 0)
		die_errno("%s", shown);
	struct appdata_size sz;
	appdata_measure(fd, &sz);
	printf("%s: %llu bytes on disk in %llu files and %llu directories\n", shown,
	       (unsigned long long)sz.bytes, (unsigned long long)sz.files, (unsigned long long)sz.dirs);
	if (!del)
		return fflush(stdout) ? EXIT_ERROR : 0;
	const char *rt = getenv("XDG_RUNTIME_DIR");
	cleanup_free char *rt_dflt = xasprintf("/run/user/%u", (unsigned)getuid());
	cleanup_free char *running = appdata_running(rt && rt[0] == '/' ? rt : rt_dflt, app_id);
	if (running)
		die("%s is running (instance %s): close it first", app_id, running);
	char *where = NULL;
	if (appdata_delete(home, app_id, &where) < 0) {
		cleanup_free char *w = where ? escape_for_terminal(where) : NULL;
		die_errno("cannot delete %s%s%s", shown, w ? ": at " : "", w ? w : "");
	}
	printf("%s: deleted\n", shown);
	return fflush(stdout) ? EXIT_ERROR : 0;
}

/* Launchers: runs PROGRAM with no descriptor above 2 (main has made
 * them all close-on-exec), for what sh cannot close (fds 10 and up). */
static int cmd_exec_clean(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] != '/')
		usage(EXIT_USAGE);
	/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: one by one. */
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; d && (e = readdir(d));) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (!d)
		die_errno("cannot list /proc/self/fd");
	closedir(d);
	execv(argv[1], argv + 1);
	die_errno("cannot run %s", argv[1]);
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
	if (!strcmp(cmd, "launch"))
		return cmd_launch(argc, argv);
	if (!strcmp(cmd, "emit"))
		return cmd_emit(argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc, argv);
	if (!strcmp(cmd, "wrap"))
		return cmd_wrap(argc, argv);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc, argv);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc, argv);
	if (!strcmp(cmd, "seccomp"))
		return cmd_seccomp(argc, argv);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc, argv);
	if (!strcmp(cmd, "override"))
		return cmd_override(argc, argv);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "data"))
		return cmd_data(argc, argv);
	if (!strcmp(cmd, "exec-clean"))
		return cmd_exec_clean(argc, argv);
	fprintf(stderr, "%s: unknown command '%s'\n", PROG, cmd);
	usage(EXIT_USAGE);
}
