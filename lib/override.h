/* Overrides, as `flatpak override` has them: layers of permissions on top
 * of a profile. Precedence, lowest first: the profile, the system
 * override ($(SYSCONFDIR)/boxwrap/overrides/APP-ID.yaml), the user's
 * ($XDG_CONFIG_HOME/boxwrap/overrides/APP-ID.yaml), the command line.
 * Within a layer a denial wins; "reset" drops what lower layers granted.
 * The system override's denials are final: applied again after the user
 * override and the command line (issue 20). */
#pragma once
#include <stdbool.h>

#include "policy.h"
#include "strv.h"

enum layer_id { LAYER_PROFILE, LAYER_SYSTEM, LAYER_USER, LAYER_CMDLINE, LAYER_N };
/* "profile", "system override", "user override", "command line" */
extern const char *const layer_names[LAYER_N];

struct layers {
	struct policy layer[LAYER_N];
	bool have[LAYER_N];
	char *path[LAYER_N]; /* the file each came from; NULL for the command line */
	struct strv cmdline; /* the options as given, for `info` */
};

/* The override directory: the user's, or the system's. The system one is
 * $(SYSCONFDIR)/boxwrap/overrides unless BOXWRAP_SYSTEM_OVERRIDES names
 * an absolute directory (a testing aid: it can only change what the user
 * could also pass as options; boxwrap is never setuid). */
char *override_dir(bool system);
char *override_file(bool system, const char *app_id);

/* Loads the override at path into out (an empty layer if there is none):
 * returns true if the file exists. Dies (status 1) if it is not
 * trustworthy (symlink, writable by group or others, another user's) or
 * not valid, with FILE:LINE:COL messages. */
bool override_load(const char *path, struct policy *out);

/* Command-line options: the names (without "--"), NULL-terminated, each
 * taking a value (--filesystem=SPEC, --nosocket=NAME, --env=VAR=VALUE...). */
extern const char *const override_option_names[];
/* Adds one option to the layer, checked as the loader checks an override
 * file. NULL on success, else a malloc'd message (for "PROG: --OPT=VALUE:
 * message", exit status 2). */
char *override_option(struct policy *layer, const char *opt, const char *value);

/* The layer as an override file the loader reads back to the same layer;
 * every value double-quoted. */
char *override_to_yaml(const struct policy *layer, const char *app_id);

/* Writes the layer as the app's override file (atomically, creating the
 * directory), after checking that it reads back to the same text. Dies
 * with a message on failure. */
void override_save(bool system, const char *app_id, const struct policy *layer);

/* Fills in the system and the user override of the profile layer's app,
 * those asked for (ls->layer[LAYER_PROFILE] must be loaded). */
void layers_load_overrides(struct layers *ls, bool system, bool user);
/* Merges the layers present, lowest first, into *eff. */
void layers_merge(const struct layers *ls, struct policy *eff);
void layers_free(struct layers *ls);
