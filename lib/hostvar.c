#include "hostvar.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "shfn.h"
#include "shquote.h"
#include "util.h"

static const char *const xdg_user_keys[][3] = {
	/* name, user-dirs.dirs key, default below $HOME */
	{"desktop", "DESKTOP", "Desktop"}, {"documents", "DOCUMENTS", "Documents"},
	{"download", "DOWNLOAD", "Downloads"}, {"music", "MUSIC", "Music"},
	{"pictures", "PICTURES", "Pictures"}, {"public-share", "PUBLICSHARE", "Public"},
	{"templates", "TEMPLATES", "Templates"}, {"videos", "VIDEOS", "Videos"},
};
static const char *const xdg_base_dirs[][3] = {
	{"config", "XDG_CONFIG_HOME", ".config"}, {"cache", "XDG_CACHE_HOME", ".cache"},
	{"data", "XDG_DATA_HOME", ".local/share"}, {"state", "XDG_STATE_HOME", ".local/state"},
};

char *hostvar_shname(enum hv_kind kind, const char *arg)
{
	static const char *const names[] = {
		[HV_HOME] = "home", [HV_UID] = "uid", [HV_RUNTIME_DIR] = "rt",
		[HV_INSTANCE] = "instance", [HV_ENV] = "env_", [HV_XDG] = "xdg_", [HV_XDG_REL] = "xdgrel_",
		[HV_WAYLAND] = "wayland", [HV_X11] = "x11", [HV_XAUTHORITY] = "xauth",
		[HV_RUNTIME_SOCKET] = "rtsock_", [HV_SOCKET] = "sock_", [HV_ENV_SOCKET] = "envsock_",
		[HV_SESSION_BUS] = "session_bus", [HV_DOC] = "doc", [HV_A11Y_BUS] = "a11y_bus",
	};
	struct buf b = {0};
	buf_adds(&b, names[kind]);
	/* Parameterised names: keep [A-Za-z0-9_] so it is a valid sh name. */
	if (arg && (kind == HV_ENV || kind == HV_XDG || kind == HV_XDG_REL || kind == HV_RUNTIME_SOCKET ||
		    kind == HV_SOCKET || kind == HV_ENV_SOCKET))
		for (const char *c = arg; *c; c++)
			buf_addc(&b, isalnum((unsigned char)*c) ? *c : '_');
	return buf_steal(&b);
}

static bool is_socket(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? xstrdup(v) : NULL;
}

static bool has_dotdot(const char *p)
{
	return strstr(p, "/..") != NULL;
}

/* $HOME/sub when p is strictly below home and has no '..'; else NULL. */
static char *below_home(char *p, const char *home)
{
	size_t n = strlen(home);
	if (p && !has_dotdot(p) && !strncmp(p, home, n) && p[n] == '/' && p[n + 1])
		return p;
	free(p);
	return NULL;
}

static char *xdg_user_dir(const char *key, const char *dflt, const char *home)
{
	const char *cfg = getenv("XDG_CONFIG_HOME");
	cleanup_free char *file = cfg && *cfg ? xasprintf("%s/user-dirs.dirs", cfg)
					      : xasprintf("%s/.config/user-dirs.dirs", home);
	cleanup_free char *want = xasprintf("XDG_%s_DIR=", key);
	char *dir = NULL, line[4096];
	FILE *f = fopen(file, "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!str_has_prefix(line, want))
			continue;
		char *v = line + strlen(want);
		size_t n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v[n - 1] = '\0';
			v++;
		}
		free(dir);
		dir = str_has_prefix(v, "$HOME/") ? xasprintf("%s/%s", home, v + 6)
						   : v[0] == '/' ? xstrdup(v) : NULL;
	}
	if (f)
		fclose(f);
	if (!dir)
		dir = xasprintf("%s/%s", home, dflt);
	return below_home(dir, home);
}

static char *xdg_dir(const char *name, const char *home)
{
	for (size_t i = 0; i < sizeof(xdg_user_keys) / sizeof(*xdg_user_keys); i++)
		if (!strcmp(name, xdg_user_keys[i][0]))
			return xdg_user_dir(xdg_user_keys[i][1], xdg_user_keys[i][2], home);
	for (size_t i = 0; i < sizeof(xdg_base_dirs) / sizeof(*xdg_base_dirs); i++) {
		if (strcmp(name, xdg_base_dirs[i][0]))
			continue;
		const char *v = getenv(xdg_base_dirs[i][1]);
		char *dir = v && v[0] == '/' ? xstrdup(v) : xasprintf("%s/%s", home, xdg_base_dirs[i][2]);
		return below_home(dir, home);
	}
	return NULL;
}

/* ":0", ":0.0", "unix:0" -> "0"; remote displays are not ours to bind. */
static char *x11_display(void)
{
	const char *d = getenv("DISPLAY");
	if (!d)
		return NULL;
	if (str_has_prefix(d, "unix:"))
		d += 4;
	if (d[0] != ':' || !isdigit((unsigned char)d[1]))
		return NULL;
	char *num = xstrndup(d + 1, strspn(d + 1, "0123456789"));
	cleanup_free char *sock = xasprintf("/tmp/.X11-unix/X%s", num);
	if (is_socket(sock))
		return num;
	free(num);
	return NULL;
}

static char *session_bus(const char *rt)
{
	const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
	char *path = NULL;
	if (a && str_has_prefix(a, "unix:path=")) {
		path = xstrndup(a + 10, strcspn(a + 10, ",;"));
	} else {
		path = xasprintf("%s/bus", rt);
	}
	if (is_socket(path))
		return path;
	free(path);
	return NULL;
}

/* The accessibility bus: AT_SPI_BUS_ADDRESS when set (a unix:path only:
 * an abstract socket is out of the proxy's network namespace), else the
 * socket at-spi-bus-launcher makes: $XDG_RUNTIME_DIR/at-spi/bus followed
 * by $DISPLAY, its first ':' made '_' (bus_0 for :0), or plain bus. */
static char *a11y_bus(const char *rt)
{
	const char *a = getenv("AT_SPI_BUS_ADDRESS");
	char *path;
	if (a && *a) {
		path = str_has_prefix(a, "unix:path=/") ? xstrndup(a + 10, strcspn(a + 10, ",;")) : NULL;
		if (path && is_socket(path))
			return path;
		free(path);
		return NULL;
	}
	const char *d = getenv("DISPLAY");
	path = xasprintf("%s/at-spi/bus%s", rt, d ? d : "");
	char *colon = strchr(path, ':');
	if (colon)
		*colon = '_';
	if (!is_socket(path)) {
		free(path);
		path = xasprintf("%s/at-spi/bus", rt);
	}
	if (is_socket(path))
		return path;
	free(path);
	return NULL;
}

static char *runtime_dir(const char *uid)
{
	const char *v = getenv("XDG_RUNTIME_DIR");
	char *rt = v && v[0] == '/' ? xstrdup(v) : xasprintf("/run/user/%s", uid);
	struct stat st;
	if (lstat(rt, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		die("runtime directory %s must be a directory owned by you (set XDG_RUNTIME_DIR)", rt);
	return rt;
}

char *hostvar_resolve(const struct hostvar *hv, char *const *known)
{
	const char *home = known[HVI_HOME], *rt = known[HVI_RUNTIME_DIR];
	switch (hv->kind) {
	case HV_HOME: {
		const char *h = getenv("HOME");
		if (!h || h[0] != '/' || has_dotdot(h) || !strcmp(h, "/"))
			die("HOME must be set to an absolute path below /");
		return xstrdup(h);
	}
	case HV_UID:
		return xasprintf("%u", (unsigned)getuid());
	case HV_RUNTIME_DIR:
		return runtime_dir(known[HVI_UID]);
	case HV_INSTANCE:
		return NULL;
	case HV_ENV:
		return env_nonempty(hv->arg);
	case HV_XDG:
		return xdg_dir(hv->arg, home);
	case HV_XDG_REL: {
		cleanup_free char *abs = xdg_dir(hv->arg, home);
		return abs ? xstrdup(abs + strlen(home) + 1) : NULL;
	}
	case HV_WAYLAND: {
		const char *w = getenv("WAYLAND_DISPLAY");
		char *p = xasprintf(w && w[0] == '/' ? "%s%s" : "%s/%s", w && w[0] == '/' ? "" : rt,
				    w && *w ? w : "wayland-0");
		if (is_socket(p))
			return p;
		free(p);
		return NULL;
	}
	case HV_X11:
		return x11_display();
	case HV_XAUTHORITY: {
		const char *x = getenv("XAUTHORITY");
		char *p = x && x[0] == '/' ? xstrdup(x) : xasprintf("%s/.Xauthority", home);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
		return NULL;
	}
	case HV_RUNTIME_SOCKET:
	case HV_SOCKET:
	case HV_ENV_SOCKET: {
		char *p = hv->kind == HV_RUNTIME_SOCKET ? xasprintf("%s/%s", rt, hv->arg)
			: hv->kind == HV_SOCKET ? xstrdup(hv->arg) : env_nonempty(hv->arg);
		if (p && p[0] == '/' && is_socket(p))
			return p;
		free(p);
		return NULL;
	}
	case HV_SESSION_BUS:
		return session_bus(rt);
	case HV_A11Y_BUS:
		return a11y_bus(rt);
	case HV_DOC: {
		char *p = xasprintf("%s/doc/by-app/%s", rt, hv->arg);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return p;
		free(p);
		return NULL;
	}
	}
	return NULL;
}

/* sh helpers, each the twin of a C function above; a launcher carries
 * only those its host values use. */
static const struct sh_fn sh_helpers[] = {
	{"is_socket", NULL, "is_socket() { _out=; if [ -S \"$1\" ]; then _out=$1; fi; }\n"},
	{"below_home", NULL,
	 "below_home() {\n"
	 "\t_out=\n"
	 "\tcase $1 in *'/..'*) ;; \"$home\"/?*) _out=$1 ;; esac\n"
	 "}\n"},
	{"xdg_user_dir", "below_home",
	 "xdg_user_dir() {\n"
	 "\t_d=\n"
	 "\t_f=${XDG_CONFIG_HOME:-$home/.config}/user-dirs.dirs\n"
	 "\tif [ -r \"$_f\" ]; then\n"
	 "\t\twhile IFS= read -r _l || [ -n \"$_l\" ]; do\n"
	 "\t\t\tcase $_l in \"XDG_$1_DIR=\"*)\n"
	 "\t\t\t\t_d=${_l#*=}; _d=${_d#\\\"}; _d=${_d%\\\"}\n"
	 "\t\t\t\tcase $_d in \"\\$HOME/\"*) _d=$home/${_d#\\$HOME/} ;; /*) ;; *) _d= ;; esac ;;\n"
	 "\t\t\tesac\n"
	 "\t\tdone < \"$_f\"\n"
	 "\tfi\n"
	 "\tbelow_home \"${_d:-$home/$2}\"\n"
	 "}\n"},
	{"xdg_base_dir", "below_home",
	 "xdg_base_dir() {\n"
	 "\tcase $1 in /*) below_home \"$1\" ;; *) below_home \"$home/$2\" ;; esac\n"
	 "}\n"},
	{"x11_display", NULL,
	 "x11_display() {\n"
	 "\t_out='' _d=${DISPLAY-}; _d=${_d#unix}\n"
	 "\tcase $_d in :[0-9]*) _d=${_d#:}; _d=${_d%%[!0-9]*} ;; *) return 0 ;; esac\n"
	 "\tif [ -S \"/tmp/.X11-unix/X$_d\" ]; then _out=$_d; fi\n"
	 "}\n"},
	{"session_bus", "is_socket",
	 "session_bus() {\n"
	 "\tcase ${DBUS_SESSION_BUS_ADDRESS-} in\n"
	 "\tunix:path=*) _b=${DBUS_SESSION_BUS_ADDRESS#unix:path=}; _b=${_b%%[,;]*} ;;\n"
	 "\t*) _b=$rt/bus ;;\n"
	 "\tesac\n"
	 "\tis_socket \"$_b\"\n"
	 "}\n"},
	{"a11y_bus", "is_socket",
	 "a11y_bus() {\n"
	 "\t_out=\n"
	 "\tcase ${AT_SPI_BUS_ADDRESS-} in\n"
	 "\t'') ;;\n"
	 "\tunix:path=/*) _b=${AT_SPI_BUS_ADDRESS#unix:path=}; is_socket \"${_b%%[,;]*}\"; return ;;\n"
	 "\t*) return 0 ;;\n"
	 "\tesac\n"
	 "\t_b=$rt/at-spi/bus${DISPLAY-}\n"
	 "\tcase $_b in *:*) _b=${_b%%:*}_${_b#*:} ;; esac\n"
	 "\t[ -S \"$_b\" ] || _b=$rt/at-spi/bus\n"
	 "\tis_socket \"$_b\"\n"
	 "}\n"},
};

static const char *helper_for(const struct hostvar *hv)
{
	switch (hv->kind) {
	case HV_XDG:
	case HV_XDG_REL:
		for (size_t i = 0; i < sizeof(xdg_base_dirs) / sizeof(*xdg_base_dirs); i++)
			if (!strcmp(hv->arg, xdg_base_dirs[i][0]))
				return "xdg_base_dir";
		return "xdg_user_dir";
	case HV_WAYLAND: case HV_RUNTIME_SOCKET: case HV_SOCKET: case HV_ENV_SOCKET: return "is_socket";
	case HV_X11: return "x11_display";
	case HV_SESSION_BUS: return "session_bus";
	case HV_A11Y_BUS: return "a11y_bus";
	default: return NULL;
	}
}

void hostvar_emit_sh_helpers(struct buf *out, const struct hostvar *vars, size_t n)
{
	size_t nh = sizeof(sh_helpers) / sizeof(*sh_helpers);
	bool want[sizeof(sh_helpers) / sizeof(*sh_helpers)] = {0};
	for (size_t i = 0; i < n; i++) {
		const char *h = helper_for(&vars[i]);
		cleanup_free char *list = xstrdup(h ? h : "");
		for (char *name = strtok(list, " "); name; name = strtok(NULL, " "))
			sh_fn_want(sh_helpers, nh, name, want);
	}
	sh_fn_emit(out, sh_helpers, nh, want);
}

static void emit_xdg_sh(const struct hostvar *hv, struct buf *o)
{
	for (size_t i = 0; i < sizeof(xdg_user_keys) / sizeof(*xdg_user_keys); i++)
		if (!strcmp(hv->arg, xdg_user_keys[i][0]))
			buf_addf(o, "xdg_user_dir %s %s; %s=$_out\n",
				 xdg_user_keys[i][1], xdg_user_keys[i][2], hv->shname);
	for (size_t i = 0; i < sizeof(xdg_base_dirs) / sizeof(*xdg_base_dirs); i++)
		if (!strcmp(hv->arg, xdg_base_dirs[i][0]))
			buf_addf(o, "xdg_base_dir \"${%s-}\" %s; %s=$_out\n",
				 xdg_base_dirs[i][1], xdg_base_dirs[i][2], hv->shname);
}

void hostvar_emit_sh(const struct hostvar *hv, struct buf *o)
{
	const char *n = hv->shname;
	switch (hv->kind) {
	case HV_HOME:
		buf_adds(o, "home=${HOME-}\n"
			    "case $home in /?*) ;; *) die 'HOME must be set to an absolute path below /' ;; esac\n"
			    "case $home in *'/..'*) die 'HOME must be set to an absolute path below /' ;; esac\n");
		break;
	case HV_UID:
		/* No id(1): read the real uid from the kernel. dash reads a
		 * byte per read(2), so stop at the Uid line (2 ms saved). */
		buf_adds(o, "uid=\nwhile read -r _k _v _; do case $_k in Uid:) uid=$_v; break ;; esac; done < /proc/self/status\n");
		break;
	case HV_RUNTIME_DIR:
		buf_adds(o, "rt=${XDG_RUNTIME_DIR-}\n"
			    "case $rt in /*) ;; *) rt=/run/user/$uid ;; esac\n"
			    "if [ -L \"$rt\" ] || ! [ -d \"$rt\" ] || ! [ -O \"$rt\" ]; then\n"
			    "\tdie \"runtime directory $rt must be a directory owned by you (set XDG_RUNTIME_DIR)\"\n"
			    "fi\n");
		break;
	case HV_INSTANCE:
		break;
	case HV_ENV:
		buf_addf(o, "%s=${%s-}\n", n, hv->arg);
		break;
	case HV_XDG:
		emit_xdg_sh(hv, o);
		break;
	case HV_XDG_REL:
		emit_xdg_sh(hv, o);
		buf_addf(o, "%s=${%s#\"$home\"/}\n", hv->shname, hv->shname);
		break;
	case HV_WAYLAND:
		buf_addf(o, "%s=${WAYLAND_DISPLAY:-wayland-0}\n"
			    "case $%s in /*) ;; *) %s=$rt/$%s ;; esac\n"
			    "is_socket \"$%s\"; %s=$_out\n", n, n, n, n, n, n);
		break;
	case HV_X11:
		buf_addf(o, "x11_display; %s=$_out\n", n);
		break;
	case HV_XAUTHORITY:
		buf_addf(o, "%s=${XAUTHORITY-}\n"
			    "case $%s in /*) ;; *) %s=$home/.Xauthority ;; esac\n"
			    "[ -r \"$%s\" ] || %s=\n", n, n, n, n, n);
		break;
	case HV_RUNTIME_SOCKET: {
		buf_adds(o, "is_socket \"$rt/\"");
		sh_quote(o, hv->arg);
		buf_addf(o, "; %s=$_out\n", n);
		break;
	}
	case HV_SOCKET:
		buf_adds(o, "is_socket ");
		sh_quote(o, hv->arg);
		buf_addf(o, "; %s=$_out\n", n);
		break;
	case HV_ENV_SOCKET:
		buf_addf(o, "%s=${%s-}\ncase $%s in /*) is_socket \"$%s\"; %s=$_out ;; *) %s= ;; esac\n",
			 n, hv->arg, n, n, n, n);
		break;
	case HV_SESSION_BUS:
		buf_addf(o, "session_bus; %s=$_out\n", n);
		break;
	case HV_A11Y_BUS:
		buf_addf(o, "a11y_bus; %s=$_out\n", n);
		break;
	case HV_DOC:
		buf_addf(o, "%s=\"$rt/doc/by-app/\"", n);
		sh_quote(o, hv->arg);
		buf_addf(o, "\n[ -d \"$%s\" ] || %s=\n", n, n);
		break;
	}
}
