/* The exec back end: resolves host values, prepares the host side and
 * runs bwrap as a child, cleaning the instance directory up after it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "backend.h"
#include "escape.h"
#include "hostops.h"
#include "shquote.h"
#include "util.h"

struct values {
	char **v; /* one per plan variable; NULL = not on this host */
	size_t n;
};

static void resolve_all(const struct plan *pl, struct values *vals)
{
	vals->n = pl->nvars;
	vals->v = xcalloc(pl->nvars, sizeof(char *));
	for (size_t i = 0; i < pl->nvars; i++)
		vals->v[i] = hostvar_resolve(&pl->vars[i], vals->v);
}

/* The word's text, or NULL when it uses a value this host lacks. */
static char *render(const struct word *w, const struct values *vals)
{
	struct buf b = {0};
	for (size_t i = 0; i < w->n; i++) {
		const struct part *p = &w->parts[i];
		const char *s = p->var < 0 ? p->lit : vals->v[p->var];
		if (!s || (p->var >= 0 && !*s)) {
			buf_clear(&b);
			return NULL;
		}
		buf_adds(&b, s);
	}
	if (!b.s)
		buf_adds(&b, "");
	return buf_steal(&b);
}

static bool step_enabled(const struct step *s, const struct values *vals)
{
	cleanup_free bool *used = xcalloc(vals->n, sizeof(*used));
	step_vars(s, used);
	for (size_t v = 0; v < vals->n; v++)
		if (used[v] && (!vals->v[v] || !*vals->v[v]))
			return false;
	if (s->guard == G_UNSET)
		return !vals->v[s->guard_var] || !*vals->v[s->guard_var];
	if (s->guard == G_REAL_DIR || s->guard == G_USR_LINK) {
		cleanup_free char *path = render(s->guard_word, vals);
		return guard_holds(s->guard, path);
	}
	return true;
}

static bool skipped(char *const *skip, const char *name)
{
	for (; *skip; skip++)
		if (!strcmp(*skip, name))
			return true;
	return false;
}

/* The twin of emit.c's loop: "opt DIR/NAME DIR/NAME" per entry of DIR
 * but symbolic links and the skipped names, in sh's glob order. An
 * absent DIR, or one that is not a directory, has no entries. */
static void render_each_child(const struct step *s, const struct values *vals, struct buf *out)
{
	cleanup_free char *opt = render(s->words[0], vals), *dir = render(s->words[1], vals);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct strv names = {0};
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || skipped(s->skip, e->d_name) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
			continue;
		strv_push(&names, e->d_name);
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), each_child_order);
	for (size_t i = 0; i < names.n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, names.v[i]);
		buf_add(out, opt, strlen(opt) + 1);
		buf_add(out, path, strlen(path) + 1);
		buf_add(out, path, strlen(path) + 1);
	}
	strv_clear(&names);
}

/* The descriptor binds of a launch (enum bind_src): what bwrap offers,
 * and the sources opened. */
struct binds {
	int version;        /* bwrap_version_parse */
	char *version_text; /* for messages */
	int *fds, *targets; /* handed to bwrap at targets */
	size_t n;
};

static void add_word(struct buf *out, const char *w)
{
	buf_add(out, w, strlen(w) + 1);
}

/* Before bwrap 0.12 a grant's alias in the private home is mounted only
 * where bwrap makes its mount point with one mkdir: a directory right in
 * HOME/.var/app/APP-ID (the race helper's rule for a writable home).
 * Elsewhere it is left out: the grant is still at its host path. */
static bool alias_dest_ok(const char *dst, const char *home, bool dir)
{
	size_t n = strlen(home);
	if (!dir || strncmp(dst, home, n) || strncmp(dst + n, "/.var/app/", 10))
		return false;
	const char *app = dst + n + 10, *slash = strchr(app, '/');
	return slash && slash > app && slash[1] && !strchr(slash + 1, '/');
}

/* A descriptor bind, the k-th of the plan: its source opened and checked
 * now, then mounted through the descriptor, bwrap's FD_BIND_BASE + k:
 * --bind-fd (bwrap >= 0.10, which checks after mounting that it mounted
 * that object), or its /proc/self/fd/N (bwrap 0.8, which resolves it to a
 * path with realpath() and mounts that path: sound only where the app
 * cannot rename the path's components). Nothing when the source is absent. */
static void render_bind_fd(const struct step *s, size_t k, const struct values *vals, struct binds *b,
			   struct buf *out)
{
	cleanup_free char *src = render(s->words[1], vals);
	cleanup_free char *dst = render(s->words[2], vals);
	bool ro = !strcmp(s->words[0]->parts[0].lit, "--ro-bind");
	int target = FD_BIND_BASE + (int)k;
	struct stat st;
	int fd = bind_source_open(s->bind_src, src, vals->v[HVI_HOME], vals->v[HVI_RUNTIME_DIR]);
	if (fd < 0)
		return;
	if (s->bind_alias && b->version < BWRAP_RESOLVES_IN_ROOT &&
	    !alias_dest_ok(dst, vals->v[HVI_HOME], fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))) {
		close(fd);
		return;
	}
	/* bwrap 0.8 turns /proc/self/fd/N back into a path (realpath) before
	 * it mounts: a source in a home the app can write could be swapped. */
	if (s->bind_in_home && s->bind_src == BS_BELOW_HOME && b->version < BWRAP_HAS_BIND_FD)
		die("refusing to mount %s: %s mounts a descriptor by its path again, and the app can write "
		    "this home; grants below a writable home need bwrap 0.10 or later", src, b->version_text);
	if (s->bind_in_home && b->version < BWRAP_RESOLVES_IN_ROOT)
		bind_dest_check(dst, vals->v[HVI_HOME], fstat(fd, &st) == 0 && S_ISDIR(st.st_mode),
				b->version_text);
	b->fds = xrealloc(b->fds, (b->n + 1) * sizeof(*b->fds));
		b->targets = xrealloc(b->targets, (b->n + 1) * sizeof(*b->targets));
		b->fds[b->n] = fd;
	b->targets[b->n++] = target;
	if (b->version >= BWRAP_HAS_BIND_FD) {
		add_word(out, ro ? "--ro-bind-fd" : "--bind-fd");
		cleanup_free char *num = xasprintf("%d", target);
		add_word(out, num);
	} else {
		add_word(out, ro ? "--ro-bind" : "--bind");
		cleanup_free char *proc = xasprintf("/proc/self/fd/%d", target);
		add_word(out, proc);
	}
	add_word(out, dst);
}

/* Options, NUL-separated, as they go through an --args descriptor.
 * Without binds (the proxy's, a dry run), descriptor binds are shown as
 * the path binds they stand for. */
static void render_args(const struct steps *t, const struct values *vals, struct buf *out, struct binds *b)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct step *s = &t->v[i];
		bool fd = s->bind_src != BS_PATH;
		if (!step_enabled(s, vals)) {
			k += fd;
			continue;
		}
		if (s->each_child) {
			render_each_child(s, vals, out);
			continue;
		}
		if (fd && b) {
			render_bind_fd(s, k++, vals, b, out);
			continue;
		}
		k += fd;
		for (size_t j = 0; j < s->n; j++) {
			cleanup_free char *w = render(s->words[j], vals);
			if (j == 0 && fd)
				buf_addf(out, "%s-try", w);
			else
				buf_adds(out, w);
			buf_addc(out, '\0');
		}
	}
}

static char *render_appinfo(const struct plan *pl, const struct values *vals)
{
	struct buf b = {0};
	for (size_t i = 0; i < pl->nappinfo; i++) {
		cleanup_free char *line = render(pl->appinfo[i], vals);
		buf_addf(&b, "%s\n", line ? line : "");
	}
	return buf_steal(&b);
}

static void run_prep(const struct plan *pl, const struct values *vals)
{
	for (size_t i = 0; i < pl->nprep; i++) {
		cleanup_free char *path = render(pl->prep[i].path, vals);
		if (path)
			prep_run(pl->prep[i].kind, path, vals->v[HVI_HOME], vals->v[HVI_RUNTIME_DIR], pl->app_id);
	}
}

/* A sealed memfd: bwrap reads it, nobody can change it (E3). */
static int sealed_memfd(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || write_all(fd, data, len) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		die_errno("cannot create %s", name);
	return fd;
}

static int open_in(const char *dir, const char *name, int flags)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		die_errno("cannot open %s", path);
	return fd;
}

/* Runs argv with an empty environment; fds[i] becomes descriptor
 * targets[i] in the child, and every fds[i] is closed here. Returns -1
 * with errno when argv[0] cannot run. posix_spawn,
 * not fork: no copy of this process's page tables to fault back in.
 * Sources are first moved above every target (close-on-exec) so no dup2
 * clobbers another; dup2 clears close-on-exec on the targets only. */
static pid_t spawn(char *const argv[], int *fds, const int *targets, size_t n)
{
	posix_spawn_file_actions_t fa;
	char *envp[] = {NULL};
	pid_t pid;
	if (posix_spawn_file_actions_init(&fa) != 0)
		die("cannot run %s: out of memory", argv[0]);
	for (size_t i = 0; i < n; i++) {
		int high = fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
		if (high < 0)
			die_errno("fcntl");
		close(fds[i]);
		fds[i] = high;
		if (posix_spawn_file_actions_adddup2(&fa, fds[i], targets[i]) != 0)
			die("cannot run %s: out of memory", argv[0]);
	}
	int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	errno = err;
	return err ? -1 : pid;
}

/* The program and its arguments: the profile's, then the caller's. */
static void add_command(struct strv *argv, const struct plan *pl, const struct values *vals,
			const struct launch *l)
{
	for (size_t i = 0; i < pl->ncommand; i++)
		strv_take(argv, render(pl->command[i], vals));
	for (int i = 0; i < l->nuser_args; i++)
		strv_push(argv, l->user_args[i]);
}

/* bwrap before 0.10 hands every descriptor on to the app, the binds'
 * too: its command is then the helper that closes them (gen/open-binds.c),
 * bound read-only at OPEN_HELPER_PATH. */
#define OPEN_HELPER_PATH "/run/boxwrap/open-binds"

static char **bwrap_argv(const struct plan *pl, const struct values *vals, const struct launch *l, bool closer)
{
	struct strv argv = {0};
	strv_push(&argv, l->bwrap);
	strv_push(&argv, "--args");
	strv_pushf(&argv, "%d", FD_ARGS);
	strv_push(&argv, "--");
	if (closer) {
		strv_push(&argv, OPEN_HELPER_PATH);
		strv_push(&argv, "close-from");
		strv_pushf(&argv, "%d", FD_BIND_BASE);
		strv_push(&argv, "--");
	}
	add_command(&argv, pl, vals, l);
	return argv.v;
}

/* What the launch runs: bwrap's argv, behind the program the plan starts
 * it through (wayland-context) when this host has what that needs. */
static char **launch_argv(const struct plan *pl, const struct values *vals, const struct launch *l, bool closer)
{
	char **bw = bwrap_argv(pl, vals, l, closer);
	if (!pl->via.n || !step_enabled(&pl->via, vals))
		return bw;
	struct strv argv = {0};
	for (size_t i = 0; i < pl->via.n; i++)
		strv_take(&argv, render(pl->via.words[i], vals));
	for (size_t i = 0; bw[i]; i++)
		strv_take(&argv, bw[i]);
	free(bw);
	return argv.v;
}

static void reap(pid_t pid);

/* What bwrap --version says, once per launch ("" when it says nothing). */
static char *bwrap_version_text(const char *bwrap)
{
	int p[2];
	size_t len;
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");
	char *argv[] = {(char *)bwrap, "--version", NULL};
	int fds[] = {p[1]};
	static const int targets[] = {1};
	pid_t pid = spawn(argv, fds, targets, 1);
	char *text = pid < 0 ? NULL : read_all_fd(p[0], 4096, &len);
	close(p[0]);
	reap(pid);
	if (!text)
		return xstrdup("");
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* bwrap --version costs a process start, about a tenth of a launch: the
 * answer is kept beside the instance directories (which no sandbox sees:
 * fsgrant.c reserves .flatpak), keyed by the binary's identity, so a
 * replaced bwrap is asked again. Whoever could write there could already rewrite any instance's
 * app-info. */
static char *bwrap_version_cached(const char *bwrap, const char *rt)
{
	struct stat st;
	if (stat(bwrap, &st) < 0)
		return bwrap_version_text(bwrap);
	cleanup_free char *key = xasprintf("%ju %ju %jd %jd.%09ld %s\n", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
					   (intmax_t)st.st_size, (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, bwrap);
	cleanup_free char *path = xasprintf("%s/.flatpak/.boxwrap-bwrap-version", rt);
	cleanup_free char *cached = read_regular_file(path, 4096);
	if (cached && str_has_prefix(cached, key) && !has_control_char(cached + strlen(key)))
		return xstrdup(cached + strlen(key));
	char *text = bwrap_version_text(bwrap);
	cleanup_free char *entry = xasprintf("%s%s", key, text);
	if (!has_control_char(text))
		(void)write_file_replace(path, entry, strlen(entry), 0600); /* a cache: best effort */
	return text;
}

/* Starts xdg-dbus-proxy in its sandbox, without waiting for it. Returns
 * the read end of its ready and lifetime pipe, or -1 when this host gives
 * the plan no proxy (no session bus). */
static int start_proxy(const struct plan *pl, const struct values *vals, const struct launch *l,
		       const struct instance *inst, pid_t *pid)
{
	struct buf bw = {0}, dbus = {0};
	int sync[2];
	render_args(&pl->proxy_args, vals, &dbus, NULL);
	if (!dbus.len)
		return -1;
	render_args(&pl->proxy_bwrap, vals, &bw, NULL);
	cleanup_free char *private = xasprintf("%s/private", inst->dir);
	if (mkdir(private, 0700) < 0 && errno != EEXIST)
		die_errno("cannot create %s", private);
	if (pipe2(sync, O_CLOEXEC) < 0)
		die_errno("pipe");
	int fds[] = {
		sealed_memfd("boxwrap-proxy-bwrap", bw.s, bw.len), open_in(inst->dir, "info", O_RDONLY),
		sealed_memfd("boxwrap-proxy-args", dbus.s, dbus.len), sync[1],
	};
	static const int targets[] = {FD_PROXY_ARGS, FD_PROXY_INFO, FD_PROXY_DBUS_ARGS, FD_PROXY_SYNC};
	cleanup_free char *fd_opt = xasprintf("--fd=%d", FD_PROXY_SYNC);
	cleanup_free char *args_opt = xasprintf("--args=%d", FD_PROXY_DBUS_ARGS);
	char *argv[] = {(char *)l->bwrap, "--args", "3", "--", (char *)pl->xdg_dbus_proxy, fd_opt, args_opt, NULL};
	buf_clear(&bw);
	buf_clear(&dbus);
	if ((*pid = spawn(argv, fds, targets, sizeof(fds) / sizeof(*fds))) < 0) {
		int e = errno;
		instance_remove(inst);
		errno = e;
		die_errno("cannot run %s", argv[0]);
	}
	return sync[0];
}

/* Waits until the proxy listens: it writes one byte then; EOF means it
 * died. */
static bool proxy_ready(int sync)
{
	struct pollfd pfd = {.fd = sync, .events = POLLIN};
	char c = 0;
	return poll(&pfd, 1, 10000) > 0 && read(sync, &c, 1) == 1 && c == 'x';
}

static void reap(pid_t pid)
{
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void kill_proxy(pid_t pid)
{
	if (pid > 0)
		kill(pid, SIGKILL);
	reap(pid);
}

/* What a launch beside a proxy holds until the proxy listens. */
struct launch_fds {
	int sync;         /* the proxy's ready and lifetime pipe, read end */
	int release;      /* the app's filter pipe, write end */
	struct buf *bpf;  /* the filter to write there */
	pid_t app, proxy; /* the two bwraps */
};

/* The sandboxed child of the app's bwrap, from its --info-fd output, or
 * 0 while bwrap has not written it yet. */
static pid_t bwrap_child(const struct instance *inst)
{
	cleanup_free char *path = xasprintf("%s/bwrapinfo.json", inst->dir);
	cleanup_free char *json = read_regular_file(path, 4096);
	const char *key = json ? strstr(json, "\"child-pid\":") : NULL;
	return key ? (pid_t)strtol(key + strlen("\"child-pid\":"), NULL, 10) : 0;
}

/* The seccomp filter: the precompiled one emitted launchers load, when
 * it is installed (the same bytes, and 0.6 ms less than building it, see
 * README, Speed); else built now. */
static int filter_fd(const struct plan *pl, const struct launch *l)
{
	struct stat st;
	char *err = NULL;
	if (l->seccomp_dir) {
		cleanup_free char *path = xasprintf("%s/%s.bpf", l->seccomp_dir, seccomp_variant_name(&pl->seccomp));
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size % 8 == 0)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	int fd = seccomp_build_fd(&pl->seccomp, &err);
	if (fd < 0)
		die("cannot build the seccomp filter: %s", err);
	return fd;
}

/* The filter goes through a pipe the app's bwrap reads to EOF before it
 * execs the app (see FD_SECCOMP). Returns the read end for bwrap; *bpf
 * gets the program, for release_app to write. */
static int hold_filter(int seccomp, int *release, struct buf *bpf)
{
	int p[2];
	size_t len;
	char *data = read_all_fd(seccomp, 1 << 20, &len);
	/* One write of at most PIPE_BUF bytes is atomic: bwrap reads all of
	 * the filter or, if the launcher dies first, none. */
	if (!data || len > PIPE_BUF)
		die("cannot read the seccomp filter");
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");
	close(seccomp);
	buf_add(bpf, data, len);
	free(data);
	*release = p[1];
	return p[0];
}

/* Lets the app's bwrap, set up and blocked reading its filter, go on
 * once the proxy listens. A proxy that failed takes the app down with
 * it: its child is killed before it could read; the empty pipe would
 * make it refuse anyway. */
static void release_app(const struct plan *pl, const struct launch *l, const struct instance *inst,
			const struct launch_fds *f)
{
	if (!proxy_ready(f->sync)) {
		pid_t child = bwrap_child(inst);
		if (child > 0)
			kill(child, SIGKILL);
		close(f->release);
		reap(f->app);
		kill_proxy(f->proxy);
		instance_remove(inst);
		die("xdg-dbus-proxy did not start (run with --log-session-bus, or check %s and %s)",
		    pl->xdg_dbus_proxy, l->bwrap);
	}
	/* A bwrap that failed to set up has closed its end; its own message
	 * and status tell the user, not a SIGPIPE here. */
	signal(SIGPIPE, SIG_IGN);
	if (write_all(f->release, f->bpf->s, f->bpf->len) < 0 && errno != EPIPE)
		die_errno("cannot hand bwrap the seccomp filter");
	close(f->release);
	close(f->sync);
}

/* Whether PID is a child of the sandbox's init. */
static bool child_of(pid_t pid, pid_t init)
{
	cleanup_free char *path = xasprintf("/proc/%d/stat", (int)pid);
	cleanup_free char *stat = read_regular_file(path, 4096);
	/* "PID (COMM) STATE PPID ...": COMM may hold anything but the last ')'. */
	const char *end = stat ? strrchr(stat, ')') : NULL;
	char state;
	int ppid;
	return end && sscanf(end + 1, " %c %d", &state, &ppid) == 2 && ppid == init;
}

/* Sends SIG to PID if it is still a child of INIT: through a pidfd where
 * the kernel has them (5.3), so the check and the signal name the same
 * process. */
static bool signal_child(pid_t pid, pid_t init, int sig)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
	cleanup_fd int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0)
		return child_of(pid, init) && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0;
	if (errno != ENOSYS)
		return false;
#endif
	return child_of(pid, init) && kill(pid, sig) == 0;
}

/* A signal for the launch (OpenRC's stop, ^C, a hangup) goes to the
 * program in the sandbox, so its own handler runs: the processes bwrap's
 * init started, the app and any orphan it left. Sent to bwrap itself,
 * it would end bwrap, and the sandbox with it by SIGKILL (bwrap forwards
 * no signal; --die-with-parent). Before the sandbox has its init, bwrap
 * gets it. */
static void signal_sandbox(pid_t bwrap, const struct instance *inst, int sig)
{
	pid_t init = bwrap_child(inst);
	bool sent = false;
	if (init > 0) {
		cleanup_free char *path = xasprintf("/proc/%d/task/%d/children", (int)init, (int)init);
		cleanup_free char *kids = read_regular_file(path, 1 << 16);
		char *p = kids, *end;
		for (long pid; p && (pid = strtol(p, &end, 10)) > 0; p = end)
			sent |= signal_child((pid_t)pid, init, sig);
	}
	if (!sent)
		kill(bwrap, sig);
}

/* Waits for the app's bwrap, handing on the signals that stop a launch.
 * They are blocked and taken with sigwaitinfo, with SIGCHLD to wake up
 * when bwrap exits: no work in a signal handler, and none lost between
 * two waits. */
static int wait_child(pid_t pid, const struct instance *inst)
{
	int status;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			die_errno("waitpid");
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
			signal_sandbox(pid, inst, sig);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void exec_directly(const struct plan *pl, const struct values *vals, const struct launch *l)
{
	struct strv argv = {0};
	add_command(&argv, pl, vals, l);
	execv(argv.v[0], argv.v);
	die_errno("cannot run %s", argv.v[0]);
}

/* The app's options as this bwrap takes them, the binds' sources opened
 * into b; true when bwrap hands those descriptors on (before 0.10), so
 * open-binds is bound to close them first. */
static bool render_app_args(const struct plan *pl, const struct values *vals, const struct launch *l,
			    struct buf *args, struct binds *b)
{
	b->version_text = bwrap_version_cached(l->bwrap, vals->v[HVI_RUNTIME_DIR]);
	b->version = bwrap_version_parse(b->version_text);
	render_args(&pl->app, vals, args, b);
	bool closer = b->n && b->version < BWRAP_HAS_BIND_FD;
	if (closer) {
		add_word(args, "--ro-bind");
		add_word(args, l->open_helper);
		add_word(args, OPEN_HELPER_PATH);
	}
	return closer;
}

int backend_run(const struct plan *pl, const struct launch *l)
{
	struct values vals;
	struct instance inst;
	struct buf args = {0};
	resolve_all(pl, &vals);
	/* Inside a sandbox already: run the program itself, no nesting. */
	if (access("/.flatpak-info", F_OK) == 0)
		exec_directly(pl, &vals, l);
	int seccomp = filter_fd(pl, l);
	run_prep(pl, &vals);
	instance_create(vals.v[HVI_RUNTIME_DIR], pl->app_id, &inst);
	vals.v[HVI_INSTANCE] = xstrdup(inst.id);
	cleanup_free char *info = render_appinfo(pl, &vals);
	cleanup_free char *info_path = xasprintf("%s/info", inst.dir);
	/* Runtime state: atomic for the portal reading it, no fsync. */
	if (write_file_replace(info_path, info, strlen(info), 0644) < 0)
		die_errno("cannot write %s", info_path);
	/* The binds' sources are opened and checked before anything starts:
	 * a refused grant leaves no proxy behind. */
	struct binds binds = {0};
	bool closer = render_app_args(pl, &vals, l, &args, &binds);
	/* The proxy and the app's bwrap set up side by side; the app waits
	 * for its filter until the proxy listens. */
	pid_t proxy = -1;
	int sync = start_proxy(pl, &vals, l, &inst, &proxy);
	struct buf bpf = {0};
	int release = -1, app_sync = -1; /* the app's bwrap holds its own copy (--sync-fd) */
	if (sync >= 0) {
		seccomp = hold_filter(seccomp, &release, &bpf);
		if ((app_sync = fcntl(sync, F_DUPFD_CLOEXEC, 0)) < 0)
			die_errno("fcntl");
	}
	int base[] = {
		sealed_memfd("boxwrap-args", args.s, args.len),
		open_in(inst.dir, "info", O_RDONLY),
		open_in(inst.dir, "info", O_RDONLY),
		open_in(inst.dir, "bwrapinfo.json", O_WRONLY | O_CREAT | O_TRUNC),
		seccomp,
		app_sync,
	};
	static const int base_targets[] = {FD_ARGS, FD_INFO_FILE, FD_INFO_DATA, FD_BWRAPINFO, FD_SECCOMP, FD_SYNC};
	size_t nbase = sizeof(base) / sizeof(*base) - (sync < 0), nfds = nbase + binds.n;
	cleanup_free int *fds = xcalloc(nfds, sizeof(*fds));
	cleanup_free int *targets = xcalloc(nfds, sizeof(*targets));
	memcpy(fds, base, nbase * sizeof(*fds));
	memcpy(targets, base_targets, nbase * sizeof(*targets));
	for (size_t i = 0; i < binds.n; i++) {
		fds[nbase + i] = binds.fds[i];
		targets[nbase + i] = binds.targets[i];
	}
	free(binds.fds);
	free(binds.targets);
	free(binds.version_text);
	char **argv = launch_argv(pl, &vals, l, closer); /* no environment: the sandbox gets --setenv (E1) */
	pid_t pid = spawn(argv, fds, targets, nfds);
	if (pid < 0) {
		fprintf(stderr, "%s: cannot run %s: %s\n", PROG, argv[0], strerror(errno));
		kill_proxy(proxy);
		instance_remove(&inst);
		return 127;
	}
	if (sync >= 0)
		release_app(pl, l, &inst, &(struct launch_fds){sync, release, &bpf, pid, proxy});
	buf_clear(&bpf);
	int status = wait_child(pid, &inst);
	reap(proxy); /* it exits by itself when the app's bwrap closes the pipe */
	instance_remove(&inst);
	return status;
}

static void values_free(struct values *vals)
{
	for (size_t i = 0; i < vals->n; i++)
		free(vals->v[i]);
	free(vals->v);
}

void backend_render(const struct plan *pl, const struct launch *l, const char *instance, struct rendered *out)
{
	struct values vals;
	struct buf args = {0};
	resolve_all(pl, &vals);
	free(vals.v[HVI_INSTANCE]);
	vals.v[HVI_INSTANCE] = xstrdup(instance);
	bool closer = false;
	if (l->render_binds) {
		/* As backend_run hands them to bwrap: opened (and checked)
		 * here too, then closed. */
		struct binds binds = {0};
		closer = render_app_args(pl, &vals, l, &args, &binds);
		for (size_t i = 0; i < binds.n; i++)
			close(binds.fds[i]);
		free(binds.fds);
		free(binds.targets);
		free(binds.version_text);
	} else {
		render_args(&pl->app, &vals, &args, NULL);
	}
	out->args_len = args.len;
	out->args = args.s ? buf_steal(&args) : xstrdup("");
	out->argv = l->render_binds ? launch_argv(pl, &vals, l, closer) : bwrap_argv(pl, &vals, l, false);
	out->info = render_appinfo(pl, &vals);
	values_free(&vals);
}

void rendered_free(struct rendered *r)
{
	for (size_t i = 0; r->argv && r->argv[i]; i++)
		free(r->argv[i]);
	free(r->argv);
	free(r->args);
	free(r->info);
	*r = (struct rendered){0};
}

void backend_dry_run(const struct plan *pl, const struct launch *l)
{
	struct rendered r;
	struct buf out = {0};
	backend_render(pl, l, "INSTANCE", &r);
	sh_quote(&out, r.argv[0]);
	for (size_t i = 0; i < r.args_len; i += strlen(r.args + i) + 1) {
		buf_addc(&out, ' ');
		sh_quote(&out, r.args + i);
	}
	for (size_t i = 3; r.argv[i]; i++) {
		buf_addc(&out, ' ');
		sh_quote(&out, r.argv[i]);
	}
	printf("%s\n", out.s);
	buf_clear(&out);
	rendered_free(&r);
}
