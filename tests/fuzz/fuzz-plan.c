/* The plan's invariants on every accepted profile, checked on the
 * options run hands bwrap (backend_render, the code path of run and
 * --dry-run): every option known and with its arguments; exactly one
 * "--", at argv[3], followed by the absolute command and its arguments;
 * /.flatpak-info mounted after every grant and nothing but the app-info's
 * own steps after it; no grant destination on, under or above a reserved
 * path; the always-on options present; --disable-userns unless
 * nested-sandbox; valid --setenv names. */
#include "fuzzlib.h"

static const char *const opts0[] = {
	"--unshare-user", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try", "--unshare-ipc",
	"--unshare-net", "--die-with-parent", "--new-session", "--clearenv", "--disable-userns", NULL,
};
static const char *const opts1[] = {
	"--proc", "--dev", "--tmpfs", "--dir", "--perms", "--unsetenv", "--lock-file", "--info-fd",
	"--seccomp", "--sync-fd", "--chdir", "--remount-ro", NULL,
};
static const char *const opts2[] = {
	"--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try",
	"--symlink", "--setenv", "--file", "--ro-bind-data", "--bind-data", NULL,
};

static int in(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return 1;
	return 0;
}

static int is_bind(const char *o)
{
	return strstr(o, "bind") && strcmp(o, "--ro-bind-data") && strcmp(o, "--bind-data");
}

/* Destinations the sandbox itself owns, below reserved directories. */
static int system_dest(const char *o, const char *d, const char *uid)
{
	static const char *const fixed[] = {
		"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/sys/block",
		"/sys/bus", "/sys/class", "/sys/dev", "/sys/devices", "/run/flatpak/.ref", "/run/flatpak/proxy",
		"/run/boxwrap/bin/flatpak-spawn",
		"/run/flatpak/doc", "/run/dbus/system_bus_socket", "/run/pcscd/pcscd.comm",
		"/run/cups/cups.sock", "/var/cache/fontconfig", "/var/lib/dbus/machine-id", NULL,
	};
	char rtu[64];
	snprintf(rtu, sizeof(rtu), "/run/user/%s/", uid);
	if (in(fixed, d))
		return 1;
	if (!strcmp(d, "/dev") && !strcmp(o, "--dev-bind"))
		return 1;
	if (!strncmp(d, "/dev/", 5) || !strncmp(d, "/tmp/.X11-unix/X", 16))
		return 1;
	/* sockets and xdg-run grants: strictly below the app's runtime dir */
	return !strncmp(d, rtu, strlen(rtu)) && d[strlen(rtu)] && strcmp(d + strlen(rtu), "flatpak-info");
}

static int env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void check(const struct policy *p, const struct rendered *r)
{
	const char **a;
	size_t n = fz_split(r->args, r->args_len, &a);
	char uid[32];
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	size_t last_grant = 0, info_at = 0;
	int seen[5] = {0}; /* unshare-user, unshare-pid, die-with-parent, new-session, clearenv */
	int seccomp = 0, info_fd = 0, disable_userns = 0, dashdash = 0;
	for (size_t i = 0; i < n;) {
		const char *o = a[i];
		size_t ar = in(opts0, o) ? 0 : in(opts1, o) ? 1 : in(opts2, o) ? 2 : 99;
		if (ar == 99)
			FUZZ_FAIL("unknown option or stray word '%s' at %zu", o, i);
		if (i + ar >= n + (ar == 0))
			FUZZ_FAIL("option %s lacks its arguments", o);
		if (!strcmp(o, "--"))
			dashdash++;
		static const char *const always[] = {"--unshare-user", "--unshare-pid", "--die-with-parent",
						     "--new-session", "--clearenv"};
		for (size_t k = 0; k < 5; k++)
			seen[k] += !strcmp(o, always[k]);
		seccomp += !strcmp(o, "--seccomp") && !strcmp(a[i + 1], "7");
		info_fd += !strcmp(o, "--info-fd") && !strcmp(a[i + 1], "6");
		disable_userns += !strcmp(o, "--disable-userns");
		if (!strcmp(o, "--setenv") && !env_name_ok(a[i + 1]))
			FUZZ_FAIL("--setenv with invalid name '%s'", a[i + 1]);
		if (!strcmp(o, "--ro-bind-data") && !strcmp(a[i + 2], "/.flatpak-info"))
			info_at = i;
		const char *dest = ar == 2 && strcmp(o, "--setenv") ? a[i + 2]
				 : ar == 1 && (!strcmp(o, "--tmpfs") || !strcmp(o, "--dir")) ? a[i + 1] : NULL;
		if (dest) {
			if (dest[0] != '/')
				FUZZ_FAIL("%s destination '%s' is not absolute", o, dest);
			if (strstr(dest, "/../") || strstr(dest, "//") || (strlen(dest) >= 3 && !strcmp(dest + strlen(dest) - 3, "/..")))
				FUZZ_FAIL("%s destination '%s' is not normalised", o, dest);
		}
		if (dest && is_bind(o) && strcmp(dest, "/run/flatpak/.ref")) {
			last_grant = i;
			/* Binds below the home are the home and its grants; the
			 * home itself is never reserved (HOME is scratch here). */
			if (strncmp(dest, fz_home, strlen(fz_home)) && !system_dest(o, dest, uid) &&
			    fs_path_reserved(dest))
				FUZZ_FAIL("%s %s %s: destination on, under or above a reserved path", o, a[i + 1], dest);
		}
		if (dest && info_at && i > info_at && strcmp(dest, "/run/flatpak/.ref") &&
		    strcmp(o, "--symlink"))
			FUZZ_FAIL("%s %s after /.flatpak-info", o, dest);
		if (dest && !strcmp(dest, "/.flatpak-info") && strcmp(o, "--file") && strcmp(o, "--ro-bind-data"))
			FUZZ_FAIL("%s onto /.flatpak-info", o);
		i += ar + 1;
	}
	if (!info_at || info_at < last_grant)
		FUZZ_FAIL("/.flatpak-info (at %zu) not after every grant (last at %zu)", info_at, last_grant);
	for (size_t k = 0; k < 5; k++)
		if (seen[k] != 1)
			FUZZ_FAIL("always-on option %zu present %d times", k, seen[k]);
	if (seccomp != 1 || info_fd != 1)
		FUZZ_FAIL("--seccomp 7 / --info-fd 6 missing");
	int nested = !!(flagset_value(&p->features) & FEAT_NESTED_SANDBOX);
	if (disable_userns != !nested)
		FUZZ_FAIL("--disable-userns present %d times with nested-sandbox %d", disable_userns, nested);
	if (dashdash)
		FUZZ_FAIL("a literal -- among the options");
	/* argv: bwrap --args 3 -- command args... */
	char **v = r->argv;
	size_t m = 0, dd = 0;
	while (v[m])
		dd += !strcmp(v[m++], "--");
	if (m < 5 || strcmp(v[1], "--args") || strcmp(v[2], "3") || strcmp(v[3], "--"))
		FUZZ_FAIL("argv does not start with bwrap --args 3 --");
	if (strcmp(v[4], p->command) || v[4][0] != '/')
		FUZZ_FAIL("command after -- is '%s', not the absolute '%s'", v[4], p->command);
	if (m != 5 + p->args.n)
		FUZZ_FAIL("argv has %zu words for %zu arguments", m, p->args.n);
	for (size_t i = 0; i < p->args.n; i++)
		if (strcmp(v[5 + i], p->args.v[i]))
			FUZZ_FAIL("argument %zu changed", i);
	(void)dd; /* "--" among the app's own arguments is the app's business */
	free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init++)
		fz_setup_host("plan", 1);
	struct policy p;
	if (fz_load(data, size, &p) < 0)
		return 0;
	struct plan pl;
	struct plan_opts o = {.xdg_dbus_proxy = "/usr/bin/xdg-dbus-proxy"};
	plan_build(&p, &o, &pl);
	struct launch l = {.bwrap = "/usr/bin/bwrap"};
	struct rendered r;
	backend_render(&pl, &l, "1234", &r);
	check(&p, &r);
	rendered_free(&r);
	plan_free(&pl);
	policy_free(&p);
	return 0;
}
