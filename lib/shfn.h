/* sh functions an emitted launcher may carry: each with the function it
 * needs, so a launcher includes just what it calls. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "strv.h"

struct sh_fn {
	const char *name;
	const char *needs; /* another function of the same table, or NULL */
	const char *body;
};

void sh_fn_want(const struct sh_fn *fns, size_t n, const char *name, bool *want);
void sh_fn_emit(struct buf *out, const struct sh_fn *fns, size_t n, const bool *want);
