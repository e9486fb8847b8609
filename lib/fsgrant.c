#include "fsgrant.h"

#include <limits.h>
#include <string.h>

#include "shquote.h"
#include "strv.h"
#include "util.h"

const char *const fs_xdg_names[] = {
	"desktop", "documents", "download", "music", "pictures", "public-share",
	"templates", "videos", "config", "cache", "data", "state", NULL,
};

/* Paths the sandbox builds itself. A grant on, under or above any of
 * them could hide /.flatpak-info, the bus socket or /usr (security.md F5). */
static const char *const reserved[] = {
	"/usr", "/etc", "/proc", "/dev", "/sys", "/bin", "/sbin", "/lib",
	"/lib32", "/lib64", "/libx32", "/.flatpak-info", "/app", "/run/user",
	"/run/flatpak", "/run/host", "/run/dbus", "/run/boxwrap", "/tmp/.X11-unix",
	"/var/run", "/var/lock", NULL,
};

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The sh twin of fs_path_reserved: a case over the same table. */
void fs_reserved_emit_sh(struct buf *out)
{
	struct strv pats = {0};
	strv_push(&pats, "/");
	strv_push(&pats, "/tmp");
	strv_push(&pats, "/run");
	for (const char *const *r = reserved; *r; r++) {
		/* every directory above it, then it and what is below */
		for (const char *s = strchr(*r + 1, '/'); s; s = strchr(s + 1, '/')) {
			cleanup_free char *up = xstrndup(*r, s - *r);
			if (strv_find(&pats, up) < 0)
				strv_push(&pats, up);
		}
		if (strv_find(&pats, *r) < 0)
			strv_push(&pats, *r);
		strv_pushf(&pats, "%s/*", *r);
	}
	buf_adds(out, "reserved_path() {\n\tcase $1 in\n\t");
	for (size_t i = 0; i < pats.n; i++)
		buf_addf(out, "%s%s", i ? "|" : "", pats.v[i]);
	buf_adds(out, ") return 0 ;;\n\tesac\n\treturn 1\n}\n");
	strv_clear(&pats);
}

bool fs_path_reserved(const char *abs)
{
	if (strcmp(abs, "/") == 0 || strcmp(abs, "/tmp") == 0 || strcmp(abs, "/run") == 0)
		return true;
	for (const char *const *r = reserved; *r; r++)
		if (path_under(abs, *r) || path_under(*r, abs))
			return true;
	return false;
}

/* Below the home, what runs outside the sandbox later, or feeds what
 * does: no grant may make these writable (fs_grant_parse refuses it, and
 * hostops refuses a grant that resolves onto one), and a `home` or `host`
 * grant keeps them read-only (home.c). Flatpak hides ~/.var/app and
 * ~/.local/share/flatpak; the rest is what login shells, the desktop
 * session, its services and the tools every session runs read
 * (security.md F7, issue 16). Each group's reason is in
 * boxwrap-profile(5), FILESYSTEM GRANTS. */
const char *const fs_home_protected[] = {
	/* shells: read at login or by every terminal */
	".profile", ".bash_profile", ".bash_login", ".bash_logout", ".bashrc", ".bash_aliases",
	".bash_completion", ".local/share/bash-completion", ".inputrc", ".zshenv", ".zprofile",
	".zshrc", ".zlogin", ".zlogout", ".kshrc", ".mkshrc", ".ashrc", ".shrc", ".login", ".logout",
	".cshrc", ".tcshrc", ".config/fish",
	/* the login session and X11 start-up: environment and scripts */
	".pam_environment", ".config/environment.d", ".xprofile", ".xsessionrc", ".xsession",
	".xinitrc", ".xserverrc", ".xinputrc", ".Xresources", ".Xdefaults", ".config/plasma-workspace",
	".config/autostart", ".config/autostart-scripts", ".config/xfce4/xinitrc", ".config/lxsession",
	".config/openbox", ".config/labwc", ".config/sway", ".config/sxmo", ".config/hypr",
	".config/river", ".config/niri", ".config/i3", ".config/wayfire.ini", ".config/uwsm",
	/* services the session starts: D-Bus activation, systemd and OpenRC
	 * user units, the sound server's modules and scripts */
	".local/share/dbus-1", ".config/systemd", ".local/share/systemd", ".config/rc",
	".config/pipewire", ".config/wireplumber", ".config/pulse",
	/* the desktop's own code and commands: settings (key bindings run
	 * commands), shell extensions, plasmoids, KWin scripts, service menus */
	".config/dconf", ".local/share/gnome-shell", ".local/share/plasma", ".local/share/kwin",
	".local/share/kservices5", ".local/share/kio", ".config/kdedefaults", ".config/kglobalshortcutsrc",
	".config/khotkeysrc", ".local/share/khotkeys",
	/* launchers and handlers: Exec= lines the desktop runs */
	".local/share/applications", ".config/mimeapps.list", ".local/share/xdg-desktop-portal",
	".local/share/thumbnailers", ".local/share/nautilus", ".local/share/nautilus-python",
	".local/share/flatpak",
	/* on PATH */
	".local/bin", "bin",
	/* tools that run what their configuration says */
	".gitconfig", ".config/git", ".ssh", ".gnupg", ".config/user-dirs.dirs",
	/* boxwrap's own overrides and profiles; other apps' data */
	".config/boxwrap", ".var",
	NULL,
};

/* A writable grant of `rel` (below $HOME) on, under or above a protected path. */
static const char *writes_protected(const char *rel)
{
	for (const char *const *p = fs_home_protected; *p; p++) {
		size_t n = strlen(rel);
		if (!*rel || path_under(rel, *p) || (!strncmp(*p, rel, n) && (*p)[n] == '/'))
			return *p;
	}
	return NULL;
}

const char *fs_real_writes_protected(const char *real, const char *realhome)
{
	size_t n = strlen(realhome);
	if (path_under(realhome, real))
		return "";
	if (strncmp(real, realhome, n) || real[n] != '/')
		return NULL;
	return writes_protected(real + n + 1);
}

/* The sh twin of fs_real_writes_protected's walk: writes_protected REL
 * sets _hit to the protected path REL is on, under or above. */
void fs_protected_emit_sh(struct buf *out)
{
	buf_adds(out, "writes_protected() { # REL -> _hit\n\tfor _hit in");
	for (const char *const *p = fs_home_protected; *p; p++) {
		buf_addc(out, ' ');
		sh_quote(out, *p);
	}
	buf_adds(out, "; do\n"
		      "\t\tcase $1/ in \"$_hit\"/*) return 0 ;; esac\n"
		      "\t\tcase $_hit/ in \"$1\"/*) return 0 ;; esac\n"
		      "\tdone\n\treturn 1\n}\n");
}

static bool check_writable_home(struct fs_grant *g, char **why)
{
	static const char *const xdg_parent[][2] = {{"config", ".config"}, {"data", ".local/share"}};
	const char *hit = NULL;
	if (g->mode == FS_RO)
		return true;
	if (g->base == FS_HOME_REL)
		hit = writes_protected(g->sub);
	for (size_t i = 0; g->base == FS_XDG && i < 2; i++) {
		if (strcmp(g->xdg_name, xdg_parent[i][0]))
			continue;
		cleanup_free char *rel = *g->sub ? xasprintf("%s/%s", xdg_parent[i][1], g->sub)
						 : xstrdup(xdg_parent[i][1]);
		hit = writes_protected(rel);
	}
	if (hit)
		*why = xasprintf("write access reaches ~/%s, which runs outside the sandbox or holds other apps' data; grant it :ro", hit);
	return !hit;
}

char *fs_path_too_long(const char *path)
{
	if (strlen(path) > FS_PATH_MAX)
		return xasprintf("a path may be at most %d bytes long", FS_PATH_MAX);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX)
			return xasprintf("a path component may be at most %d bytes long (%zu)", NAME_MAX, n);
		p += n + (p[n] == '/');
	}
	return NULL;
}

/* Normalises a relative path: collapses '/' runs, drops '.' and trailing
 * slashes; refuses '..' so no grant can climb out of its base, and names
 * no file system could hold (the launch would fail to create them). */
static bool normalise(const char *in, char **out, char **why)
{
	if ((*why = fs_path_too_long(in)))
		return false;
	struct buf b = {0};
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = end - p;
		if (n == 2 && strncmp(p, "..", 2) == 0) {
			buf_clear(&b);
			*why = xstrdup("'..' is not allowed in a path");
			return false;
		}
		if (n && !(n == 1 && *p == '.')) {
			if (b.len)
				buf_addc(&b, '/');
			buf_add(&b, p, n);
		}
		p = end;
	}
	*out = buf_steal(&b);
	return true;
}

static bool parse_mode(char *spec, enum fs_mode *mode, char **why)
{
	char *colon = strrchr(spec, ':');
	*mode = FS_RW;
	if (!colon)
		return true;
	if (!strcmp(colon, ":ro"))
		*mode = FS_RO;
	else if (!strcmp(colon, ":rw"))
		*mode = FS_RW;
	else if (!strcmp(colon, ":create"))
		*mode = FS_CREATE;
	else {
		*why = xasprintf("unknown access mode '%s' (expected :ro, :rw or :create)", colon + 1);
		return false;
	}
	*colon = '\0';
	return true;
}

/* Runtime-directory entries the sandbox builds or that reach the host's
 * services behind the proxy's back: never granted by path. */
static bool xdg_run_allowed(const char *sub, char **why)
{
	static const char *const never[] = {
		"bus", ".flatpak", ".dbus-proxy", "flatpak-info", "doc", "systemd", "dbus-1",
		"gvfs", "gvfsd", "at-spi", "keyring", "app", NULL,
	};
	size_t n = strcspn(sub, "/");
	for (const char *const *r = never; *r; r++) {
		if (strlen(*r) == n && !strncmp(sub, *r, n)) {
			*why = xasprintf("xdg-run/%s is reserved: it is the sandbox's own or reaches host services directly", *r);
			return false;
		}
	}
	return true;
}

static bool parse_xdg(const char *name, struct fs_grant *g, char **why)
{
	const char *slash = strchrnul(name, '/');
	size_t n = slash - name;
	if (n == 3 && !strncmp(name, "run", 3)) {
		g->base = FS_XDG_RUN;
		if (!*slash || !normalise(slash, &g->sub, why) || !*g->sub) {
			if (!*why)
				*why = xstrdup("xdg-run needs a name: xdg-run/NAME");
			return false;
		}
		return xdg_run_allowed(g->sub, why);
	}
	for (const char *const *x = fs_xdg_names; *x; x++) {
		if (strlen(*x) == n && !strncmp(name, *x, n)) {
			g->base = FS_XDG;
			g->xdg_name = *x;
			return normalise(slash, &g->sub, why);
		}
	}
	*why = xasprintf("unknown XDG directory 'xdg-%.*s'", (int)n, name);
	return false;
}

static bool parse_base(const char *s, struct fs_grant *g, char **why)
{
	static const struct { const char *name; enum fs_base base; } fixed[] = {
		{"host", FS_HOST}, {"host-os", FS_HOST_OS}, {"host-etc", FS_HOST_ETC}, {"home", FS_HOME},
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		if (!strcmp(s, fixed[i].name)) {
			g->base = fixed[i].base;
			g->sub = xstrdup("");
			return true;
		}
	}
	if (str_has_prefix(s, "xdg-"))
		return parse_xdg(s + 4, g, why);
	if (!strcmp(s, "~") || str_has_prefix(s, "~/")) {
		g->base = FS_HOME_REL;
		if (!normalise(s + 1, &g->sub, why))
			return false;
		if (!*g->sub) {
			free(g->sub);
			g->sub = xstrdup("");
			g->base = FS_HOME;
		}
		/* Even read-only: it would show other apps' private data, or
		 * cover the app's own home (home.c binds it there). */
		if (path_under(g->sub, ".var")) {
			*why = xstrdup("~/.var holds every app's private data: it cannot be granted");
			return false;
		}
		return true;
	}
	if (s[0] == '/') {
		g->base = FS_ABS;
		if (!normalise(s, &g->sub, why))
			return false;
		cleanup_free char *abs = xasprintf("/%s", g->sub);
		if (fs_path_reserved(abs)) {
			*why = xasprintf("'%s' is on, under or above a path boxwrap reserves for the sandbox itself", abs);
			return false;
		}
		/* It would replace the home boxwrap builds; any other absolute
		 * path on, above or below the home is refused at launch. */
		if (!strcmp(abs, "/home")) {
			*why = xstrdup("'/home' covers every user's home: grant home or ~/PATH instead");
			return false;
		}
		return true;
	}
	*why = xasprintf("unknown filesystem '%s' (expected host, host-os, host-etc, home, xdg-*, ~/PATH or /PATH)", s);
	return false;
}

bool fs_grant_parse(const char *spec, struct fs_grant *g, char **why)
{
	cleanup_free char *s = xstrdup(spec);
	*g = (struct fs_grant){0};
	*why = NULL;
	for (const char *c = spec; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = xstrdup("control characters are not allowed in a path");
			return false;
		}
	}
	char *p = s;
	if (*p == '!') {
		g->deny = true;
		p++;
	}
	if (!parse_mode(p, &g->mode, why)) {
		fs_grant_clear(g);
		return false;
	}
	/* The app-info writes "path[:mode]", which Flatpak splits at the
	 * last ':': a ':' in the path would be read as another mode. */
	if (strchr(p, ':')) {
		*why = xstrdup("':' is not allowed in a path: it separates the access mode (:ro, :rw, :create)");
		return false;
	}
	if (!parse_base(p, g, why) || !check_writable_home(g, why)) {
		fs_grant_clear(g);
		return false;
	}
	return true;
}

char *fs_grant_key(const struct fs_grant *g)
{
	switch (g->base) {
	case FS_HOST: return xstrdup("host");
	case FS_HOST_OS: return xstrdup("host-os");
	case FS_HOST_ETC: return xstrdup("host-etc");
	case FS_HOME: return xstrdup("home");
	case FS_XDG: return *g->sub ? xasprintf("xdg-%s/%s", g->xdg_name, g->sub) : xasprintf("xdg-%s", g->xdg_name);
	case FS_XDG_RUN: return xasprintf("xdg-run/%s", g->sub);
	case FS_HOME_REL: return xasprintf("~/%s", g->sub);
	case FS_ABS: return xasprintf("/%s", g->sub);
	}
	return xstrdup("?");
}

const char *fs_mode_name(enum fs_mode m)
{
	return m == FS_RO ? "ro" : m == FS_CREATE ? "create" : "rw";
}

void fs_grant_clear(struct fs_grant *g)
{
	free(g->sub);
	g->sub = NULL;
}
