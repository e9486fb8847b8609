/* The sandbox environment: an allow-list, never the host's whole
 * environment (security.md E2). Values travel in the --args descriptor,
 * so no process's command line shows them (E3). */
#include <stdio.h>

#include "sandbox.h"
#include "spawn.h"

static const char *const passed[] = {
	"USER", "LOGNAME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC",
	"LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES", "LC_PAPER", "LC_NAME",
	"LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION", "TZ",
	"TERM", "COLORTERM", "NO_COLOR", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE",
	"XDG_SESSION_DESKTOP", "DESKTOP_SESSION",
};

static void setenv_word(struct plan *pl, const char *name, struct word *value)
{
	plan_op(pl, "--setenv", plan_word(pl, "%s", name), value);
}

void add_environment(struct plan *pl, const struct policy *p)
{
	plan_op(pl, "--clearenv", NULL, NULL);
	bool spawn = !p->service && (flagset_value(&p->features) & FEAT_NESTED_SANDBOX);
	setenv_word(pl, "PATH", plan_word(pl, spawn ? SPAWN_HELPER_DIR ":/usr/bin:/bin" : "/usr/bin:/bin"));
	if (!p->service) /* a service has no home (sandbox.c) */
		setenv_word(pl, "HOME", sandbox_home(pl, p));
	setenv_word(pl, "XDG_RUNTIME_DIR", plan_word(pl, "/run/user/{uid}"));
	setenv_word(pl, "BOXWRAP_APP_ID", plan_word(pl, "%s", p->app_id));
	/* Toolkits that predate /.flatpak-info detection still use portals. */
	setenv_word(pl, "GTK_USE_PORTAL", plan_word(pl, "1"));
	for (size_t i = 0; i < sizeof(passed) / sizeof(*passed); i++) {
		char tmpl[64];
		snprintf(tmpl, sizeof(tmpl), "{env:%s}", passed[i]);
		setenv_word(pl, passed[i], plan_word(pl, tmpl));
	}
	for (size_t i = 0; i < p->env_names.n; i++)
		setenv_word(pl, p->env_names.v[i], plan_word(pl, "%s", p->env_values.v[i]));
	for (size_t i = 0; i < p->unset_env.n; i++)
		plan_op(pl, "--unsetenv", plan_word(pl, "%s", p->unset_env.v[i]), NULL);
}
