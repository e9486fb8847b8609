#include "hostops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fsgrant.h"
#include "shfn.h"
#include "util.h"

/* ---- preparation ---------------------------------------------------- */

static const char *below(const char *path, const char *home)
{
	size_t n = strlen(home);
	if (strncmp(path, home, n) || path[n] != '/')
		die("internal error: %s is not below %s", path, home);
	return path + n + 1;
}

/* Opens path below home one component at a time without following
 * symlinks, creating missing directories when create is set: an O_PATH
 * descriptor, or -1 when a component is missing. */
static int open_below_home(const char *path, const char *home, bool create)
{
	cleanup_free char *rel = xstrdup(below(path, home));
	int dir = open(home, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		die_errno("cannot open %s", home);
	for (char *c = strtok(rel, "/"); c; c = strtok(NULL, "/")) {
		if (create && mkdirat(dir, c, 0700) < 0 && errno != EEXIST)
			die_errno("cannot create %s", path);
		int next = openat(dir, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		if (next < 0 && errno == ENOENT && !create)
			return -1;
		if (next < 0)
			die_errno("cannot open %s", path);
		struct stat st;
		if (fstat(next, &st) < 0 || S_ISLNK(st.st_mode)) {
			close(next);
			die("refusing to use %s: a symbolic link is on the way (%s)", path, c);
		}
		dir = next;
	}
	return dir;
}

static void walk_below_home(const char *path, const char *home, bool create)
{
	int fd = open_below_home(path, home, create);
	if (fd >= 0)
		close(fd);
}

static void check_path(const char *path)
{
	struct stat st;
	char real[PATH_MAX];
	if (lstat(path, &st) < 0)
		return; /* absent: the -try bind skips it */
	if (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		die("refusing to grant %s: it is a symbolic link to a file", path);
	if (!realpath(path, real))
		die_errno("cannot resolve %s", path);
	if (fs_path_reserved(real))
		die("refusing to grant %s: it resolves to %s, which boxwrap reserves for the sandbox", path, real);
}

static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || (n == 1 && *dir == '/'));
}

/* Resolves path and base (each PATH_MAX): false when path does not
 * exist (nothing to check); a base that cannot be resolved is taken as
 * it is (a service's HOME may be missing). */
static bool resolve_against(const char *path, const char *base, char *real, char *realbase)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return false;
	if (!realpath(path, real))
		die_errno("cannot resolve %s", path);
	if (!realpath(base, realbase))
		snprintf(realbase, PATH_MAX, "%s", base);
	return true;
}

/* An absolute grant on, above or below the home would bind over the
 * home boxwrap builds (private, or the real one with its protections):
 * the home is granted with `home` or ~/PATH, never by its absolute path. */
static void check_outside_home(const char *path, const char *home)
{
	char real[PATH_MAX], realhome[PATH_MAX];
	if (!resolve_against(path, home, real, realhome))
		return;
	if (path_within(real, realhome) || path_within(realhome, real))
		die("refusing to grant %s: it is on, above or below your home (%s); grant home or ~/PATH instead",
		    path, realhome);
}

/* Under a writable home grant a protected path stays read-only because
 * every directory above it is (home.c); that holds only if none of them
 * is a symlink into a writable place, and the path itself, if a symlink,
 * names something that exists (the read-only bind covers it). */
static void check_protected(const char *path, const char *home)
{
	cleanup_free char *rel = xstrdup(below(path, home));
	cleanup_free char *sofar = xstrdup(home);
	for (char *c = strtok(rel, "/"); c; c = strtok(NULL, "/")) {
		char *next = xasprintf("%s/%s", sofar, c);
		struct stat st;
		free(sofar);
		sofar = next;
		if (lstat(sofar, &st) < 0)
			return; /* absent: its directory is read-only */
		if (!S_ISLNK(st.st_mode))
			continue;
		if (strcmp(sofar, path))
			die("a home grant cannot keep %s read-only: %s is a symbolic link; grant home:ro", path, sofar);
		if (stat(sofar, &st) < 0)
			die("a home grant cannot keep %s read-only: it is a symbolic link to nothing, which the app could create; grant home:ro", path);
	}
}

/* Autostart, systemd units and boxwrap's overrides follow
 * $XDG_CONFIG_HOME, .desktop files $XDG_DATA_HOME; a writable home grant
 * protects them at their default places only. */
static void check_xdg_default(const char *value, const char *home, const char *rel, const char *var)
{
	size_t n = strlen(value);
	if (value[0] != '/')
		return; /* relative: ignored, as the XDG spec says */
	while (n > 1 && value[n - 1] == '/')
		n--;
	cleanup_free char *want = xasprintf("%s/%s", home, rel);
	if (strlen(want) != n || strncmp(value, want, n))
		die("a home grant keeps autostart, systemd units and boxwrap's overrides read-only only in "
		    "~/%s, but %s is %s; grant home:ro", rel, var, value);
}

/* An xdg-run grant stays in the runtime directory, whatever symlinks
 * the host has there. */
static void check_runtime_path(const char *path, const char *rt)
{
	char real[PATH_MAX], realrt[PATH_MAX];
	if (!resolve_against(path, rt, real, realrt))
		return;
	size_t n = strlen(realrt);
	if (strncmp(real, realrt, n) || real[n] != '/')
		die("refusing to grant %s: it resolves to %s, outside the runtime directory", path, real);
}

/* A writable grant may not reach, by a path the loader could not judge
 * (an absolute path such as /home, a symlink on the host), the whole home
 * or what runs outside the sandbox (fs_home_protected). */
static void check_writable(const char *path, const char *home)
{
	char real[PATH_MAX], realhome[PATH_MAX];
	if (!resolve_against(path, home, real, realhome))
		return;
	const char *hit = fs_real_writes_protected(real, realhome);
	if (hit && !*hit)
		die("refusing to grant %s writable: it resolves to %s, which holds the whole home", path, real);
	if (hit)
		die("refusing to grant %s writable: it resolves to %s, and reaches ~/%s, which runs outside the sandbox",
		    path, real, hit);
}

static void create_dir(const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			die_errno("cannot create %s", p);
		if (!s)
			break;
		*s = '/';
	}
}

void prep_run(enum prep_kind kind, const char *path, const char *home, const char *rt, const char *app_id)
{
	switch (kind) {
	case PREP_PRIVATE_DIR:
		walk_below_home(path, home, true);
		break;
	case PREP_CREATE_DIR:
		create_dir(path);
		break;
	case PREP_CHECK_PATH:
		check_path(path);
		break;
	case PREP_CHECK_RUNTIME_PATH:
		check_runtime_path(path, rt);
		break;
	case PREP_CHECK_WRITABLE:
		check_writable(path, home);
		break;
	case PREP_NO_SYMLINKS:
		walk_below_home(path, home, false);
		break;
	case PREP_OUTSIDE_HOME:
		check_outside_home(path, home);
		break;
	case PREP_PROTECT:
		check_protected(path, home);
		break;
	case PREP_CONFIG_HOME_DEFAULT:
		check_xdg_default(path, home, ".config", "XDG_CONFIG_HOME");
		break;
	case PREP_DATA_HOME_DEFAULT:
		check_xdg_default(path, home, ".local/share", "XDG_DATA_HOME");
		break;
	case PREP_NO_SYMLINKS_PRIVATE: {
		cleanup_free char *priv = xasprintf("%s/.var/app/%s/%s", home, app_id, below(path, home));
		walk_below_home(priv, home, false);
		break;
	}
	}
}

/* Where the descriptor leads: the object itself, not the name opened. */
static void fd_path(int fd, char *out)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, PATH_MAX - 1);
	if (n < 0)
		die_errno("cannot resolve %s", link);
	out[n] = '\0';
}

/* Opens a source by name once, then checks what was opened (security.md
 * F3): the object, not the name, must not be reserved or leave rt. */
static int open_resolved(const char *path, const char *rt)
{
	struct stat l, st;
	char real[PATH_MAX], realrt[PATH_MAX];
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0)
		die_errno("cannot open %s", path);
	if (fstat(fd, &st) < 0)
		die_errno("cannot open %s", path);
	/* A link to a file is refused as check_path does; what is mounted is
	 * the object opened, whatever the name says by now. */
	if (!S_ISDIR(st.st_mode) && lstat(path, &l) == 0 && S_ISLNK(l.st_mode))
		die("refusing to grant %s: it is a symbolic link to a file", path);
	fd_path(fd, real);
	if (fs_path_reserved(real))
		die("refusing to grant %s: it resolves to %s, which boxwrap reserves for the sandbox", path, real);
	if (rt) {
		size_t n;
		if (!realpath(rt, realrt))
			die_errno("cannot resolve %s", rt);
		n = strlen(realrt);
		if (strncmp(real, realrt, n) || real[n] != '/')
			die("refusing to grant %s: it resolves to %s, outside the runtime directory", path, real);
	}
	return fd;
}

int bind_source_open(enum bind_src kind, const char *path, const char *home, const char *rt)
{
	switch (kind) {
	case BS_BELOW_HOME:
		return open_below_home(path, home, false);
	case BS_RESOLVED:
		return open_resolved(path, NULL);
	case BS_RUNTIME:
		return open_resolved(path, rt);
	default:
		die("internal error: a bind by path has no descriptor");
	}
}

void bind_dest_check(const char *dest, const char *home, bool dir, const char *bwrap_version)
{
	size_t n = strlen(home);
	if (strncmp(dest, home, n) || dest[n] != '/')
		return;
	if (strchr(dest + n + 1, '/'))
		die("refusing to mount %s: %s would create its mount point through directories the app can "
		    "replace with symbolic links; grants nested below $HOME need bwrap 0.12 or later",
		    dest, bwrap_version);
	if (!dir)
		die("refusing to mount %s: %s would create its mount point where the app can put a symbolic "
		    "link; files granted below $HOME need bwrap 0.12 or later", dest, bwrap_version);
}

int bwrap_version_parse(const char *text)
{
	unsigned major, minor;
	if (!text || sscanf(text, "bubblewrap %u.%u", &major, &minor) != 2)
		return 0;
	return (int)(major * 1000 + minor);
}

bool guard_holds(enum guard g, const char *path)
{
	struct stat l, a, b;
	switch (g) {
	case G_REAL_DIR:
		return lstat(path, &l) == 0 && S_ISDIR(l.st_mode);
	case G_USR_LINK: {
		cleanup_free char *usr = xasprintf("/usr%s", path);
		return lstat(path, &l) == 0 && S_ISLNK(l.st_mode) && stat(path, &a) == 0 &&
		       stat(usr, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	}
	default:
		return true;
	}
}

/* ---- instance directory --------------------------------------------- */

static bool instance_alive(int dirfd, const char *name)
{
	char buf[32] = "";
	cleanup_fd int sub = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0 || faccessat(sub, ".boxwrap", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return true; /* not ours: leave it to Flatpak */
	cleanup_fd int pidfd = openat(sub, "pid", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (pidfd >= 0 && read(pidfd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	long pid = strtol(buf, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) == 0;
}

static void remove_tree(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				remove_tree(fd, e->d_name);
		if (d)
			closedir(d);
		else
			close(fd);
		unlinkat(dirfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dirfd, name, 0);
	}
}

static void collect_garbage(const char *base)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || instance_alive(fd, e->d_name))
			continue;
		remove_tree(fd, e->d_name);
	}
	if (d)
		closedir(d);
}

static void write_small(const char *dir, const char *name, const char *text, mode_t mode)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_fd int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		die_errno("cannot write %s", path);
}

/* dir, created 0700 if absent, and then a real directory of ours: a
 * symbolic link or another user's directory there is refused. */
static void make_own_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die_errno("cannot create %s", dir);
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		die("%s must be a directory owned by you", dir);
}

/* $XDG_RUNTIME_DIR/.flatpak/.boxwrap-apps/APP-ID: tells WirePlumber (contrib/
 * wireplumber, access-boxwrap.lua) that PipeWire clients with this app id are
 * boxwrap apps, which may play but not capture. Kept for the session: a
 * client's app id is all pipewire-pulse passes on, and no sandbox reaches
 * .flatpak (fsgrant.c reserves it). */
static void mark_app(const char *base, const char *app_id)
{
	cleanup_free char *dir = xasprintf("%s/.boxwrap-apps", base);
	make_own_dir(dir);
	cleanup_free char *path = xasprintf("%s/%s", dir, app_id);
	cleanup_fd int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno("cannot create %s", path);
}

void instance_create(const char *rt, const char *app_id, struct instance *out)
{
	cleanup_free char *base = xasprintf("%s/.flatpak", rt);
	make_own_dir(base);
	collect_garbage(base);
	mark_app(base, app_id);
	for (int tries = 0; tries < 100; tries++) {
		uint32_t r;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			die_errno("getrandom");
		out->id = xasprintf("%u", (unsigned)r);
		out->dir = xasprintf("%s/%s", base, out->id);
		if (mkdir(out->dir, 0700) == 0) {
			cleanup_free char *pid = xasprintf("%d\n", (int)getpid());
			cleanup_free char *marker = xasprintf("%s\n", app_id);
			write_small(out->dir, "pid", pid, 0644);
			write_small(out->dir, ".ref", "", 0644);
			write_small(out->dir, ".boxwrap", marker, 0644);
			return;
		}
		if (errno != EEXIST)
			die_errno("cannot create %s", out->dir);
		free(out->id);
		free(out->dir);
	}
	die("cannot create an instance directory in %s", base);
}

void instance_remove(const struct instance *in)
{
	cleanup_fd int dirfd = -1;
	cleanup_free char *base = xstrdup(in->dir);
	char *slash = strrchr(base, '/');
	*slash = '\0';
	dirfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd >= 0)
		remove_tree(dirfd, slash + 1);
}

/* ---- sh forms ------------------------------------------------------- */

/* Each function is the twin of the C code above; a launcher carries
 * only the ones it calls. */
static const struct sh_fn sh_functions[] = {
	{"below_home_rel", NULL,
	 "below_home_rel() { # PATH -> _rel, without a subshell\n"
	 "\tcase $1 in \"$home\"/*) _rel=${1#\"$home\"/} ;; *) die \"internal error: $1 is not below $home\" ;; esac\n"
	 "}\n"},
	{"walk_below_home", "below_home_rel",
	 "walk_below_home() { # PATH CREATE\n"
	 "\tbelow_home_rel \"$1\"\n"
	 "\t_p=$home; _r=$_rel\n"
	 "\twhile [ -n \"$_r\" ]; do\n"
	 "\t\t_c=${_r%%/*}\n"
	 "\t\tcase $_r in */*) _r=${_r#*/} ;; *) _r= ;; esac\n"
	 "\t\t[ -n \"$_c\" ] || continue\n"
	 "\t\t_p=$_p/$_c\n"
	 "\t\tif [ \"$2\" = create ] && ! [ -e \"$_p\" ] && ! [ -L \"$_p\" ]; then\n"
	 "\t\t\tmkdir -m 0700 \"$_p\" 2>/dev/null || [ -d \"$_p\" ] || die \"cannot create $_p\"\n"
	 "\t\tfi\n"
	 "\t\tif [ -L \"$_p\" ]; then die \"refusing to use $1: a symbolic link is on the way ($_c)\"; fi\n"
	 "\t\t[ -e \"$_p\" ] || return 0\n"
	 "\tdone\n"
	 "}\n"},
	{"private_dir", "walk_below_home",
	 "private_dir() { walk_below_home \"$1\" create; }\n"},
	{"no_symlinks", "walk_below_home",
	 "no_symlinks() { walk_below_home \"$1\" check; }\n"},
	{"no_symlinks_private", "walk_below_home",
	 "no_symlinks_private() { below_home_rel \"$1\"; walk_below_home \"$home/.var/app/$app_id/$_rel\" check; }\n"},
	{"outside_home", "resolve",
	 "outside_home() {\n"
	 "\t[ -e \"$1\" ] || [ -L \"$1\" ] || return 0\n"
	 "\tresolve \"$home\"; _homereal=$_real\n"
	 "\tresolve \"$1\"\n"
	 "\tcase $_real/ in \"$_homereal\"/*) die \"refusing to grant $1: it is on, above or below your home ($_homereal); grant home or ~/PATH instead\" ;; esac\n"
	 "\tcase $_homereal/ in \"${_real%/}\"/*) die \"refusing to grant $1: it is on, above or below your home ($_homereal); grant home or ~/PATH instead\" ;; esac\n"
	 "}\n"},
	{"protect", "below_home_rel",
	 "protect() {\n"
	 "\tbelow_home_rel \"$1\"\n"
	 "\t_p=$home; _r=$_rel\n"
	 "\twhile [ -n \"$_r\" ]; do\n"
	 "\t\t_c=${_r%%/*}\n"
	 "\t\tcase $_r in */*) _r=${_r#*/} ;; *) _r= ;; esac\n"
	 "\t\t[ -n \"$_c\" ] || continue\n"
	 "\t\t_p=$_p/$_c\n"
	 "\t\tif ! [ -L \"$_p\" ]; then [ -e \"$_p\" ] || return 0; continue; fi\n"
	 "\t\tif [ -n \"$_r\" ]; then die \"a home grant cannot keep $1 read-only: $_p is a symbolic link; grant home:ro\"; fi\n"
	 "\t\t[ -e \"$_p\" ] || die \"a home grant cannot keep $1 read-only: it is a symbolic link to nothing, which the app could create; grant home:ro\"\n"
	 "\tdone\n"
	 "}\n"},
	{"xdg_default", NULL,
	 "xdg_default() { # VALUE REL VAR\n"
	 "\tcase $1 in /*) ;; *) return 0 ;; esac\n"
	 "\t_v=$1\n"
	 "\twhile [ \"$_v\" != / ] && [ \"${_v%/}\" != \"$_v\" ]; do _v=${_v%/}; done\n"
	 "\t[ \"$_v\" = \"$home/$2\" ] || die \"a home grant keeps autostart, systemd units and boxwrap's overrides read-only only in ~/$2, but $3 is $1; grant home:ro\"\n"
	 "}\n"},
	{"config_home_default", "xdg_default",
	 "config_home_default() { xdg_default \"$1\" .config XDG_CONFIG_HOME; }\n"},
	{"data_home_default", "xdg_default",
	 "data_home_default() { xdg_default \"$1\" .local/share XDG_DATA_HOME; }\n"},
	{"create_dir", NULL,
	 "create_dir() { mkdir -p -- \"$1\" || die \"cannot create $1\"; }\n"},
	{"check_runtime_path", "resolve",
	 "check_runtime_path() {\n"
	 "\t[ -e \"$1\" ] || [ -L \"$1\" ] || return 0\n"
	 "\tresolve \"$rt\"; _rtreal=$_real\n"
	 "\tresolve \"$1\"\n"
	 "\tcase $_real in \"$_rtreal\"/?*) ;; *) die \"refusing to grant $1: it resolves to $_real, outside the runtime directory\" ;; esac\n"
	 "}\n"},
	{"resolve", NULL,
	 "resolve() { # PATH -> _real, physical; cd -P sets PWD, no subshell\n"
	 "\t_cwd=$PWD\n"
	 "\tif [ -d \"$1\" ]; then cd -P -- \"$1\" || die \"cannot resolve $1\"; _real=$PWD\n"
	 "\telse cd -P -- \"${1%/*}/\" || die \"cannot resolve $1\"; _real=$PWD/${1##*/}; fi\n"
	 "\tcd -- \"$_cwd\" 2>/dev/null || cd /\n"
	 "}\n"},
	{"bwrap_features", NULL,
	 "bwrap_features() { # BWRAP -> bwrap_version; bindfd: >= 0.10 (--bind-fd); safedest: >= 0.12 (mount points resolved in the new root)\n"
	 "\tbwrap_version=$(\"$1\" --version 2>/dev/null) || bwrap_version=\n"
	 "\t_v=${bwrap_version#bubblewrap }; _maj=${_v%%.*}; _min=${_v#*.}; _min=${_min%%.*}\n"
	 "\tcase $_maj in ''|*[!0-9]*) _maj=0 _min=0 ;; esac\n"
	 "\tcase $_min in ''|*[!0-9]*) _maj=0 _min=0 ;; esac\n"
	 "\tbindfd='' safedest=''\n"
	 "\tif [ \"$_maj\" -gt 0 ] || [ \"$_min\" -ge 10 ]; then bindfd=1; fi\n"
	 "\tif [ \"$_maj\" -gt 0 ] || [ \"$_min\" -ge 12 ]; then safedest=1; fi\n"
	 "}\n"},
	{"bind_step", NULL,
	 "bind_step() { # N KIND IN_HOME(2: alias) RO SRC DEST: the twin of run.c's render_bind_fd\n"
	 "\t[ -e \"$5\" ] || return 0\n"
	 "\tif [ \"$3\" = 2 ] && [ -z \"$safedest\" ]; then\n"
	 "\t\t[ -d \"$5\" ] || return 0\n"
	 "\t\tcase $6 in \"${home-}\"/.var/app/*/*/*) return 0 ;; \"${home-}\"/.var/app/?*/?*) ;; *) return 0 ;; esac\n"
	 "\tfi\n"
	 "\t_dir=0; if [ -d \"$5\" ]; then _dir=1; fi\n"
	 "\tif [ \"$2\" = home ] && [ \"$3\" = 1 ] && [ -z \"$bindfd\" ]; then\n"
	 "\t\tdie \"refusing to mount $5: $bwrap_version mounts a descriptor by its path again, and the app can write this home; grants below a writable home need bwrap 0.10 or later\"\n"
	 "\tfi\n"
	 "\tif [ \"$3\" = 1 ] && [ -z \"$safedest\" ]; then\n"
	 "\t\tcase $6 in\n"
	 "\t\t\"${home-}\"/*/*) die \"refusing to mount $6: $bwrap_version would create its mount point through directories the app can replace with symbolic links; grants nested below \\$HOME need bwrap 0.12 or later\" ;;\n"
	 "\t\t\"${home-}\"/*) [ \"$_dir\" = 1 ] || die \"refusing to mount $6: $bwrap_version would create its mount point where the app can put a symbolic link; files granted below \\$HOME need bwrap 0.12 or later\" ;;\n"
	 "\t\tesac\n"
	 "\tfi\n"
	 "\tprintf '%s\\0' \"$1\" \"$2\" \"$_dir\" \"$5\" >> \"$inst/binds\"\n"
	 "\t_ro=; if [ \"$4\" = 1 ]; then _ro=ro-; fi\n"
	 "\tif [ -n \"$bindfd\" ]; then printf '%s\\0' \"--${_ro}bind-fd\" \"$1\" \"$6\"\n"
	 "\telse printf '%s\\0' \"--${_ro}bind\" \"/proc/self/fd/$1\" \"$6\"; fi\n"
	 "}\n"},
	{"check_path", "resolve",
	 "check_path() {\n"
	 "\t[ -e \"$1\" ] || [ -L \"$1\" ] || return 0\n"
	 "\tif [ -L \"$1\" ] && ! [ -d \"$1\" ]; then die \"refusing to grant $1: it is a symbolic link to a file\"; fi\n"
	 "\tresolve \"$1\"\n"
	 "\tif reserved_path \"$_real\"; then die \"refusing to grant $1: it resolves to $_real, which boxwrap reserves for the sandbox\"; fi\n"
	 "}\n"},
	{"check_writable", "resolve",
	 "check_writable() {\n"
	 "\t[ -e \"$1\" ] || [ -L \"$1\" ] || return 0\n"
	 "\t_homereal=$home; if [ -d \"$home\" ]; then resolve \"$home\"; _homereal=$_real; fi\n"
	 "\tresolve \"$1\"\n"
	 "\tcase $_homereal/ in \"$_real\"/*) die \"refusing to grant $1 writable: it resolves to $_real, which holds the whole home\" ;; esac\n"
	 "\tcase $_real in \"$_homereal\"/*) ;; *) return 0 ;; esac\n"
	 "\tif writes_protected \"${_real#\"$_homereal\"/}\"; then\n"
	 "\t\tdie \"refusing to grant $1 writable: it resolves to $_real, and reaches ~/$_hit, which runs outside the sandbox\"\n"
	 "\tfi\n"
	 "}\n"},
	{"instance_alive", NULL,
	 "instance_alive() {\n"
	 "\tif ! [ -f \"$1/.boxwrap\" ] || [ -L \"$1/.boxwrap\" ]; then return 0; fi\n"
	 "\t_pid=\n"
	 "\tif [ -f \"$1/pid\" ] && ! [ -L \"$1/pid\" ]; then read -r _pid < \"$1/pid\" || :; fi\n"
	 "\tcase $_pid in ''|*[!0-9]*) return 1 ;; esac\n"
	 "\tkill -0 \"$_pid\" 2>/dev/null\n"
	 "}\n"},
	{"instance_create", "instance_alive",
	 "instance_create() {\n"
	 "\t_base=$rt/.flatpak\n"
	 "\t[ -d \"$_base\" ] || mkdir -m 0700 \"$_base\" 2>/dev/null || :\n"
	 "\tif [ -L \"$_base\" ] || ! [ -d \"$_base\" ] || ! [ -O \"$_base\" ]; then die \"$_base must be a directory owned by you\"; fi\n"
	 "\t_apps=$_base/.boxwrap-apps\n"
	 "\t[ -d \"$_apps\" ] || mkdir -m 0700 \"$_apps\" 2>/dev/null || :\n"
	 "\tif [ -L \"$_apps\" ] || ! [ -d \"$_apps\" ] || ! [ -O \"$_apps\" ]; then die \"$_apps must be a directory owned by you\"; fi\n"
	 "\tif [ -L \"$_apps/$app_id\" ]; then die \"$_apps/$app_id is a symbolic link\"; fi\n"
	 "\t[ -f \"$_apps/$app_id\" ] || : > \"$_apps/$app_id\" || die \"cannot create $_apps/$app_id\"\n"
	 "\tfor _d in \"$_base\"/[0-9]*; do\n"
	 "\t\tif ! [ -d \"$_d\" ] || [ -L \"$_d\" ]; then continue; fi\n"
	 "\t\tinstance_alive \"$_d\" || rm -rf -- \"$_d\"\n"
	 "\tdone\n"
	 "\t# Any number no live instance has: mkdir makes it ours atomically.\n"
	 "\t_n=0 instance=$$\n"
	 "\twhile :; do\n"
	 "\t\tinst=$_base/$instance\n"
	 "\t\tmkdir -m 0700 \"$inst\" 2>/dev/null && break\n"
	 "\t\t_n=$((_n + 1)) instance=$(((instance * 69069 + 12345) % 4294967296))\n"
	 "\t\t[ \"$_n\" -lt 100 ] || die \"cannot create an instance directory in $_base\"\n"
	 "\tdone\n"
	 "\tprintf '%s\\n' \"$$\" > \"$inst/pid\"\n"
	 "\t: > \"$inst/.ref\"\n"
	 "\tprintf '%s\\n' \"$app_id\" > \"$inst/.boxwrap\"\n"
	 "}\n"},
};

void hostops_emit_sh_functions(struct buf *out, const struct plan *pl)
{
	bool want[sizeof(sh_functions) / sizeof(*sh_functions)] = {0};
	size_t n = sizeof(sh_functions) / sizeof(*sh_functions);
	sh_fn_want(sh_functions, n, "instance_create", want);
	sh_fn_want(sh_functions, n, "bwrap_features", want);
	sh_fn_want(sh_functions, n, "bind_step", want);
	for (size_t i = 0; i < pl->nprep; i++)
		sh_fn_want(sh_functions, n, prep_sh_function(pl->prep[i].kind), want);
	sh_fn_emit(out, sh_functions, n, want);
	for (size_t i = 0; i < pl->nprep; i++) {
		if (pl->prep[i].kind == PREP_CHECK_PATH) {
			fs_reserved_emit_sh(out);
			break;
		}
	}
	for (size_t i = 0; i < pl->nprep; i++) {
		if (pl->prep[i].kind == PREP_CHECK_WRITABLE) {
			fs_protected_emit_sh(out);
			break;
		}
	}
}

const char *prep_sh_function(enum prep_kind kind)
{
	static const char *const names[] = {
		[PREP_PRIVATE_DIR] = "private_dir", [PREP_CREATE_DIR] = "create_dir",
		[PREP_CHECK_PATH] = "check_path", [PREP_CHECK_RUNTIME_PATH] = "check_runtime_path",
		[PREP_CHECK_WRITABLE] = "check_writable",
		[PREP_NO_SYMLINKS] = "no_symlinks",
		[PREP_NO_SYMLINKS_PRIVATE] = "no_symlinks_private",
		[PREP_OUTSIDE_HOME] = "outside_home", [PREP_PROTECT] = "protect",
		[PREP_CONFIG_HOME_DEFAULT] = "config_home_default",
		[PREP_DATA_HOME_DEFAULT] = "data_home_default",
	};
	return names[kind];
}

void guard_emit_sh(struct buf *out, enum guard g, const char *p)
{
	if (g == G_REAL_DIR)
		buf_addf(out, "[ -d %s ] && ! [ -L %s ]", p, p);
	else if (g == G_USR_LINK)
		buf_addf(out, "[ -L %s ] && [ %s -ef /usr%s ]", p, p, p);
}
