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
