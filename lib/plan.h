/* The plan: one ordered description of a sandbox, built from a policy and
 * carried out by either back end (exec now, or print as sh). Values only
 * the launching host knows are host variables (hostvar.h), so a launcher
 * generated on a builder is right on every user's machine. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "hostvar.h"
#include "policy.h"
#include "seccomp.h"

/* A word is text made of literal parts and host variables. */
struct part {
	int var;   /* index into plan.vars, or -1 for a literal */
	char *lit;
};
struct word {
	struct part *parts;
	size_t n;
};

/* A condition checked on the host just before launch. A step is also
 * skipped when any host variable it uses is unset. */
enum guard {
	G_ALWAYS,
	G_REAL_DIR, /* word is a directory, not a symlink */
	G_USR_LINK, /* word is a symlink to the same directory below /usr */
	G_UNSET,    /* host variable guard_var is unset */
};

/* A bind whose source is under the app's control or outside boxwrap's:
 * opened once at launch, checked as opened, and mounted through that
 * descriptor (--bind-fd on bwrap >= 0.10; bwrap 0.8 gets /proc/self/fd/N,
 * which it resolves to a path again, so sources the app can rename are
 * refused there), so nothing swapped in after the check is mounted.
 * Skipped when the source is absent, as a -try bind. */
enum bind_src {
	BS_PATH,       /* an ordinary bind by path */
	BS_BELOW_HOME, /* below $HOME; no symlink on the way */
	BS_RESOLVED,   /* symlinks followed; the object opened must not be a
			* reserved path, and a final link must lead to a directory */
	BS_RUNTIME,    /* resolved, and it must stay in $XDG_RUNTIME_DIR */
};

struct step {
	enum guard guard;
	struct word *guard_word;
	int guard_var;
	struct word **words; /* bwrap options, the first literal */
	size_t n;
	/* A step over a directory's entries (plan_each_child): it stands for
	 * "words[0] DIR/NAME DIR/NAME" for each entry NAME of DIR (words[1])
	 * found at launch, less symbolic links and the names in skip. */
	bool each_child;
	char **skip; /* NULL-terminated */
	enum bind_src bind_src; /* not BS_PATH: words are --bind or --ro-bind, SRC, DEST */
	/* DEST is below $HOME where the app can write: bwrap before 0.12
	 * creates its mount point following the app's symlinks into the
	 * host, so it must be a directory right in $HOME there (security.md F4). */
	bool bind_in_home;
	/* A second mount of a grant, in the private home (home.c): made only
	 * where bwrap makes mount points inside the sandbox (0.12), skipped
	 * before, since its place is the app's to fill with symlinks. */
	bool bind_alias;
};

/* An ordered list of steps: options that go NUL-separated through an
 * --args descriptor. */
struct steps {
	struct step *v;
	size_t n;
};

/* Host-side preparation, in order, before bwrap runs. */
enum prep_kind {
	PREP_PRIVATE_DIR, /* create it 0700, refusing symlinks on the way */
	PREP_CREATE_DIR,  /* a :create grant: mkdir -p */
	PREP_CHECK_PATH,  /* refuse if it resolves onto a reserved path */
	PREP_CHECK_RUNTIME_PATH, /* refuse unless it resolves below $XDG_RUNTIME_DIR */
	PREP_CHECK_WRITABLE, /* a writable grant: refuse if it resolves onto the
			      * home, above it, or near fs_home_protected */
	PREP_NO_SYMLINKS, /* refuse if a component below $HOME is a symlink */
	PREP_NO_SYMLINKS_PRIVATE, /* the same, for the private home's copy of
				   * a $HOME path: bwrap creates mount points
				   * there and would follow an app's symlink (F4) */
	PREP_OUTSIDE_HOME, /* an absolute grant: refuse if it resolves on, above
			    * or below $HOME (it would replace the home model) */
	PREP_CONFIG_HOME_DEFAULT, /* under a writable home grant, refuse unless
				   * $XDG_CONFIG_HOME (the word) is ~/.config: what
				   * is protected there is named below ~/.config */
	PREP_DATA_HOME_DEFAULT,   /* the same for $XDG_DATA_HOME, ~/.local/share */
	PREP_PROTECT,     /* a protected path under a writable home grant: refuse
			   * if a directory on the way is a symlink, or it is a
			   * dangling one (what it names could be created) */
};
struct prep {
	enum prep_kind kind;
	struct word *path;
};

/* Descriptors the launch hands to bwrap; fixed so both back ends give
 * bwrap the same argument list. Beside a D-Bus proxy, FD_SECCOMP is a
 * pipe the launcher fills once the proxy listens: bwrap, set up by then,
 * reads the filter to EOF before exec, so the app waits for its bus; a
 * launcher that dies first leaves it no filter, and bwrap refuses. */
enum { FD_ARGS = 3, FD_INFO_FILE = 4, FD_INFO_DATA = 5, FD_BWRAPINFO = 6, FD_SECCOMP = 7, FD_SYNC = 8 };
/* In the D-Bus proxy's sandbox: its bwrap options, the app-info, the
 * proxy's own arguments (xdg-dbus-proxy --args), the ready/lifetime pipe. */
/* Descriptor binds: the k-th descriptor-bind step of the app's sandbox
 * uses descriptor FD_BIND_BASE + k, in bwrap (--bind-fd) or in the
 * process that holds it for bwrap 0.8 (/proc/PID/fd/N). */
enum { FD_BIND_BASE = 100 };
enum { FD_PROXY_ARGS = 3, FD_PROXY_INFO = 4, FD_PROXY_DBUS_ARGS = 5, FD_PROXY_SYNC = 8 };

struct plan_opts {
	bool log_session_bus; /* the proxy logs what the app tries (run only) */
	const char *xdg_dbus_proxy; /* absolute path */
	const char *spawn_helper;   /* flatpak-spawn for nested-sandbox, absolute */
	const char *wayland_helper; /* wayland-context, absolute */
};

struct plan {
	char *app_id;
	struct hostvar *vars;
	size_t nvars;
	struct prep *prep;
	size_t nprep;
	struct word **appinfo; /* lines of /.flatpak-info */
	size_t nappinfo;
	struct steps app;         /* the app's bwrap options, in order */
	struct steps proxy_bwrap; /* the D-Bus proxy's sandbox */
	struct steps proxy_args;  /* xdg-dbus-proxy's arguments; none: no proxy */
	struct steps *target;     /* where plan_op appends */
	const char *xdg_dbus_proxy;
	struct word **command; /* the program and its profile args */
	size_t ncommand;
	/* A program the app's bwrap is started through, with its arguments,
	 * when every host variable in them is set (wayland-context, which
	 * ends with "--" and execs bwrap); none: n is 0. */
	struct step via;
	struct seccomp_opts seccomp;
};

/* Builds the plan for an effective policy. Never fails for a valid policy. */
void plan_build(const struct policy *p, const struct plan_opts *o, struct plan *out);
void plan_free(struct plan *pl);

/* Building blocks for the files that add features to a plan. */
int plan_var(struct plan *pl, enum hv_kind kind, const char *arg);
/* A word from a template: "{home}", "{uid}", "{rt}", "{instance}" and
 * "{KIND:ARG}" name host variables (env, xdg, rtsock, sock, envsock, doc,
 * wayland, x11, xauth, session_bus); each "%s" takes the next argument as
 * a literal. Profile data must only ever come in through "%s". */
struct word *plan_word(struct plan *pl, const char *tmpl, ...);
/* Appends a step: a literal option and up to two words (NULL ends). */
struct step *plan_op(struct plan *pl, const char *opt, struct word *a, struct word *b);
struct step *plan_op3(struct plan *pl, const char *opt, struct word *a, struct word *b, struct word *c);
/* Appends a step of one word (for arguments that are not options). */
struct step *plan_arg(struct plan *pl, struct word *w);
/* Appends a descriptor bind (--bind or --ro-bind SRC DEST, see enum
 * bind_src); in_home as bind_in_home. */
struct step *plan_bind_fd(struct plan *pl, bool ro, enum bind_src kind, struct word *src, struct word *dst,
			  bool in_home);
void plan_guard(struct step *s, enum guard g, struct word *w);
/* "opt DIR/NAME DIR/NAME" for every entry of dir at launch but symbolic
 * links and the names in skip (NULL-terminated), in the order of sh's
 * globs DIR/STAR, DIR/.[!.]STAR, DIR/..?STAR (each sorted bytewise). */
struct step *plan_each_child(struct plan *pl, const char *opt, struct word *dir, const char *const *skip);
/* That order, as a qsort comparison of two char * names. */
int each_child_order(const void *a, const void *b);
/* The step runs only when every host variable in w is set. */
void plan_requires(struct step *s, struct word *w);
struct word *plan_var_word(struct plan *pl, int var);
void plan_guard_unset(struct step *s, int var);
void plan_prep(struct plan *pl, enum prep_kind kind, struct word *path);
void plan_appinfo_line(struct plan *pl, struct word *line);
/* Appends a word to the program the app's bwrap is started through. */
void plan_via(struct plan *pl, struct word *w);

/* Every host variable a step depends on, including its guard's: used[v]
 * is set for each (used has one entry per plan variable, cleared by the
 * caller). */
void step_vars(const struct step *s, bool *used);
