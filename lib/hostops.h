/* Host-side operations of a launch: preparation steps, guards and the
 * instance directory. Each has a C form (the exec back end) and an sh form
 * (the emitted launcher), kept next to each other in hostops.c. */
#pragma once
#include <stdbool.h>

#include "plan.h"
#include "strv.h"

/* C forms. Paths are fully resolved strings; home is the host $HOME. */
void prep_run(enum prep_kind kind, const char *path, const char *home, const char *rt, const char *app_id);
bool guard_holds(enum guard g, const char *path);

/* A descriptor bind's source (enum bind_src), opened O_PATH and
 * close-on-exec, or -1 when it is absent. Dies when it is refused. */
int bind_source_open(enum bind_src kind, const char *path, const char *home, const char *rt);
/* Dies unless bwrap before 0.12 creates the mount point of a bind_in_home
 * step safely: a directory right in home (dir: the source is one). */
void bind_dest_check(const char *dest, const char *home, bool dir, const char *bwrap_version);
/* "bubblewrap 0.8.0" -> 8, "bubblewrap 1.2.0" -> 1002; 0 if unknown. */
int bwrap_version_parse(const char *text);
/* --bind-fd and --ro-bind-fd; mount points resolved in the new root. */
#define BWRAP_HAS_BIND_FD 10
#define BWRAP_RESOLVES_IN_ROOT 12

struct instance {
	char *id;  /* decimal, as Flatpak's */
	char *dir; /* $XDG_RUNTIME_DIR/.flatpak/ID */
};
/* Removes instance directories of boxwrap launches that are gone, then
 * creates a fresh one holding pid, .ref and the boxwrap marker. */
void instance_create(const char *rt, const char *app_id, struct instance *out);
void instance_remove(const struct instance *in);

/* sh forms: the functions the launcher calls, and the calls. */
void hostops_emit_sh_functions(struct buf *out, const struct plan *pl);
const char *prep_sh_function(enum prep_kind kind);
/* Appends a test (no trailing newline) that holds when the guard holds. */
void guard_emit_sh(struct buf *out, enum guard g, const char *path_expr);
