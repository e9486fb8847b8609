/* The profile loader: YAML file -> one policy layer, strictly validated,
 * every problem reported as FILE:LINE:COL: message. */
#pragma once
#include <stddef.h>

#include "diag.h"
#include "policy.h"

enum profile_kind {
	PROFILE_APP,      /* a package's profile: app-id and command required */
	PROFILE_OVERRIDE, /* an override: "!name" denials and reset allowed */
};

/* 0 on success; -1 with diagnostics in d (out is then freed). */
int profile_load_buf(const char *buf, size_t len, enum profile_kind kind,
		     struct policy *out, struct diag *d);
/* Reads through fd (already opened and checked by the caller). */
int profile_load_fd(int fd, enum profile_kind kind, struct policy *out, struct diag *d);

/* One list item as a profile or override writes it ("!name" denials and
 * "reset" in overrides), checked as the loader checks it and added to p:
 * KEY is shared, sockets, devices, features, filesystems, persistent,
 * unset-environment, or session-bus.LEVEL / system-bus.LEVEL (own, talk,
 * see, call, broadcast). NULL on success, else a malloc'd message: the
 * loader's text after FILE:LINE:COL (for filesystems, what follows
 * "filesystem 'SPEC': "). The command line and override files use it. */
char *policy_add_item(struct policy *p, enum profile_kind kind, const char *key, const char *item);
/* environment: NAME=value, the same way. */
char *policy_add_env(struct policy *p, const char *name, const char *value);
