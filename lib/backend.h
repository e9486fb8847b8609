/* The two back ends of a plan: exec bwrap now, or print an sh launcher
 * that does the same at run time. */
#pragma once
#include <stdbool.h>

#include "plan.h"

struct launch {
	const char *bwrap;       /* absolute path of bwrap */
	const char *seccomp_dir; /* where the precompiled filters are */
	const char *open_helper; /* gen/open-binds: launchers' descriptor binds, bwrap 0.8's closer */
	const char *profile;     /* emit: named in the launcher's header */
	/* emit: the installed boxwrap, which the launcher hands over to. */
	const char *boxwrap;
	/* emit: the profile's absolute path where the launcher runs; NULL:
	 * the launcher does not hand over to `boxwrap run` for overrides. */
	const char *handover_profile;
	/* backend_render: open the binds' sources and render them as run hands
	 * them to this bwrap (fuzz-emit's differential); otherwise they are shown
	 * as the path binds they stand for (the dry run). */
	bool render_binds;
	const char *handover_command; /* with it: boxwrap run --command=THIS (a helper's launcher) */
	/* emit: the system override file of the app, and its content as the
	 * launcher was built with it (NULL: none; any file then hands over). */
	const char *system_override;
	const char *system_override_text;
	char **user_args;        /* appended after the plan's command */
	int nuser_args;
};

/* Runs the sandbox and waits for it; returns the exit status for the
 * caller to exit with. Dies with a clear message on any launch error. */
int backend_run(const struct plan *pl, const struct launch *l);
/* What run hands bwrap, with this host's values and the given instance
 * id, without launching: the --args options (NUL-separated), bwrap's
 * argv (bwrap --args 3 -- command... user args) and the app-info text.
 * --dry-run prints it; the fuzz tests check its invariants. */
struct rendered {
	char *args;
	size_t args_len;
	char **argv; /* NULL-terminated */
	char *info;
};
void backend_render(const struct plan *pl, const struct launch *l, const char *instance, struct rendered *out);
void rendered_free(struct rendered *r);
/* Prints the bwrap command line run would use, without launching. */
void backend_dry_run(const struct plan *pl, const struct launch *l);
/* Returns the sh launcher as a malloc'd string. */
char *backend_emit(const struct plan *pl, const struct launch *l);
