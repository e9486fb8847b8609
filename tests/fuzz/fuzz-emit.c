/* The sh emitter: every accepted profile gives a launcher with no NUL;
 * every FUZZ_SH_EVERY-th input (default 16) it must pass `sh -n` (dash,
 * bash --posix and busybox sh in turn); every FUZZ_EXEC_EVERY-th (default
 * 64) it is run with a bwrap stand-in and must hand bwrap exactly the argv,
 * --args options and app-info that run's code path renders (the
 * differential of tests/t-same-argv.sh). Launchers that would create
 * directories outside the scratch home (:create on /path) are not run. */
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "fuzzlib.h"

extern char **environ;
static char stub[400], seccomp_dir[400], launcher[400], out_prefix[400];
static unsigned long counter;
static unsigned long sh_every = 16, exec_every = 64;

static int run(char *const argv[], const char *err_file)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_file ? err_file : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* The launcher refuses descriptors above 9 it cannot close (and
	 * the fuzzer names no boxwrap to close them): hand on none. */
	for (int fd = 3; fd < 1024; fd++)
		posix_spawn_file_actions_addclose(&fa, fd);
	pid_t pid;
	int st;
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror(argv[0]);
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *suffix, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s.%s", out_prefix, suffix);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *s = read_all_fd(fd, 1 << 24, len);
	close(fd);
	unlink(path);
	return s;
}

static void init(void)
{
	const char *e;
	fz_setup_host("emit", 1);
	if ((e = getenv("FUZZ_SH_EVERY")))
		sh_every = strtoul(e, NULL, 10);
	if ((e = getenv("FUZZ_EXEC_EVERY")))
		exec_every = strtoul(e, NULL, 10);
	/* No compositor: wayland-context is compared by t-same-argv, and
	 * where it is not built (the musl tier) a launcher could not run it. */
	setenv("WAYLAND_DISPLAY", "/nonexistent/wayland-0", 1);
	snprintf(stub, sizeof(stub), "%s/bwrap", fz_scratch);
	snprintf(seccomp_dir, sizeof(seccomp_dir), "%s/seccomp", fz_scratch);
	snprintf(launcher, sizeof(launcher), "%s/launcher.sh", fz_scratch);
	snprintf(out_prefix, sizeof(out_prefix), "%s/out", fz_scratch);
	mkdir(seccomp_dir, 0700);
	for (unsigned mask = 0; mask < 32; mask++) {
		struct seccomp_opts o = {.devel = mask & 1, .multiarch = mask & 2, .bluetooth = mask & 4,
					 .canbus = mask & 8, .nested_sandbox = mask & 16};
		cleanup_free char *p = xasprintf("%s/%s.bpf", seccomp_dir, seccomp_variant_name(&o));
		write_file_atomic(p, "", 0, 0600);
	}
	cleanup_free char *text = xasprintf(
		"#!/bin/sh\n"
		"# bwrap stand-in: the proxy answers ready; the app's records what it got.\n"
		"if [ \"$1\" = --version ]; then echo 'bubblewrap 0.8.0'; exit 0; fi\n"
		"if [ \"$4\" = /usr/bin/xdg-dbus-proxy ] && [ \"$5\" = --fd=8 ] && [ \"$6\" = --args=5 ]; then\n"
		"\tcat <&3 >/dev/null; printf x >&8; exit 0\n"
		"fi\n"
		"printf '%%s\\0' \"$@\" > '%s.argv'\n"
		"cat <&3 > '%s.args'\n"
		"cat <&4 > '%s.info'\n", out_prefix, out_prefix, out_prefix);
	write_file_atomic(stub, text, strlen(text), 0755);
}

static int safe_to_run(const struct policy *p)
{
	for (size_t i = 0; i < p->nfs; i++)
		if (p->fs[i].mode == FS_CREATE && p->fs[i].base != FS_XDG && p->fs[i].base != FS_HOME_REL &&
		    p->fs[i].base != FS_XDG_RUN)
			return 0;
	return 1;
}

static void syntax_check(const char *text)
{
	static const char *const shells[][3] = {
		{"/bin/dash", "-n", NULL}, {"/bin/bash", "--posix", "-n"}, {"/bin/busybox", "sh", "-n"},
	};
	static unsigned turn;
	const char *const *sh = shells[turn++ % 3];
	if (access(sh[0], X_OK) < 0)
		sh = shells[0];
	char *argv[5] = {(char *)sh[0], (char *)sh[1], (char *)(sh[2] ? sh[2] : launcher),
			 sh[2] ? launcher : NULL, NULL};
	if (write_file_atomic(launcher, text, strlen(text), 0700) < 0)
		FUZZ_FAIL("cannot write %s", launcher);
	if (run(argv, NULL) != 0)
		FUZZ_FAIL("launcher fails %s %s -n", sh[0], sh[1]);
}

static void compare(const struct plan *pl, const struct launch *l, const char *sargv, size_t alen,
		    const char *sargs, size_t glen, const char *sinfo, size_t ilen)
{
	const char *id = sinfo ? strstr(sinfo, "\ninstance-id=") : NULL;
	if (!id)
		FUZZ_FAIL("launcher's app-info has no instance-id");
	cleanup_free char *inst = xstrndup(id + 13, strspn(id + 13, "0123456789"));
	struct rendered r;
	backend_render(pl, l, inst, &r);
	struct buf want = {0};
	for (size_t i = 1; r.argv[i]; i++)
		buf_add(&want, r.argv[i], strlen(r.argv[i]) + 1);
	if (want.len != alen || memcmp(want.s, sargv, alen)) {
		fz_hex("run argv", want.s, want.len);
		fz_hex("launcher argv", sargv, alen);
		FUZZ_FAIL("launcher and run give bwrap different argv");
	}
	if (r.args_len != glen || memcmp(r.args, sargs, glen)) {
		const char **a, **b;
		size_t na = fz_split(r.args, r.args_len, &a), nb = fz_split(sargs, glen, &b);
		for (size_t i = 0; i < na || i < nb; i++)
			if (i >= na || i >= nb || strcmp(a[i], b[i])) {
				fprintf(stderr, "first difference at option word %zu: run '%s', launcher '%s'\n", i,
					i < na ? a[i] : "(end)", i < nb ? b[i] : "(end)");
				break;
			}
		FUZZ_FAIL("launcher and run give bwrap different --args options");
	}
	if (strlen(r.info) != ilen || memcmp(r.info, sinfo, ilen)) {
		fprintf(stderr, "run:\n%s\nlauncher:\n%.*s\n", r.info, (int)ilen, sinfo);
		FUZZ_FAIL("launcher and run write different app-info");
	}
	buf_clear(&want);
	rendered_free(&r);
}

static void differential(const struct plan *pl, const struct launch *l)
{
	static unsigned long n;
	char home[400], err[400];
	snprintf(home, sizeof(home), "%s/h%lu", fz_scratch, n++);
	snprintf(err, sizeof(err), "%s/err", fz_scratch);
	mkdir(home, 0700);
	cleanup_free char *dl = xasprintf("%s/Downloads", home);
	mkdir(dl, 0700);
	setenv("HOME", home, 1);
	char *argv[] = {"/bin/sh", launcher, l->user_args[0], l->user_args[1], NULL};
	int st = run(argv, err);
	size_t alen = 0, glen = 0, ilen = 0, elen = 0;
	cleanup_free char *sargv = slurp("argv", &alen);
	cleanup_free char *sargs = slurp("args", &glen);
	cleanup_free char *sinfo = slurp("info", &ilen);
	int efd = open(err, O_RDONLY | O_CLOEXEC);
	cleanup_free char *serr = efd >= 0 ? read_all_fd(efd, 1 << 20, &elen) : NULL;
	if (efd >= 0)
		close(efd);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "launcher: exit %d, argv %zu, args %zu, info %zu bytes\n", st, alen, glen, ilen);
	if (st != 0 || !sargv) {
		/* Refusals that depend on this host are fine in both modes. */
		if (!(st != 0 && serr && strstr(serr, "refusing")))
			FUZZ_FAIL("launcher exited %d without running bwrap: %s", st, serr ? serr : "");
	} else {
		compare(pl, l, sargv, alen, sargs, glen, sinfo, ilen);
	}
	cleanup_free char *rm = xasprintf("rm -rf -- '%s'", home);
	if (system(rm) != 0)
		FUZZ_FAIL("cannot clean %s", home);
	setenv("HOME", fz_home, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited++)
		init();
	struct policy p;
	if (fz_load(data, size, &p) < 0)
		return 0;
	struct plan pl;
	/* The helpers the launcher runs: the built ones (tests/lib.sh). */
	const char *wayland_helper = getenv("BOXWRAP_WAYLAND_HELPER");
	struct plan_opts o = {.xdg_dbus_proxy = "/usr/bin/xdg-dbus-proxy",
			      .wayland_helper = wayland_helper ? wayland_helper : "/usr/lib/boxwrap/wayland-context"};
	plan_build(&p, &o, &pl);
	char *user[] = {"U1", "u 2;$(touch /tmp/boxwrap-fuzz-pwned)"};
	const char *open_helper = getenv("BOXWRAP_OPEN_HELPER");
	struct launch l = {.bwrap = stub, .seccomp_dir = seccomp_dir, .profile = "fuzz.yaml",
			   .open_helper = open_helper ? open_helper : "/usr/lib/boxwrap/open-binds", .render_binds = true,
			   .user_args = user, .nuser_args = 2};
	char *text = backend_emit(&pl, &l);
	counter++;
	if (sh_every && counter % sh_every == 0)
		syntax_check(text);
	if (exec_every && counter % exec_every == 0 && safe_to_run(&p)) {
		if (!sh_every || counter % sh_every)
			syntax_check(text); /* writes the launcher */
		differential(&pl, &l);
		if (access("/tmp/boxwrap-fuzz-pwned", F_OK) == 0)
			FUZZ_FAIL("an argument was run as a command");
	}
	free(text);
	plan_free(&pl);
	policy_free(&p);
	return 0;
}
