#include "shfn.h"

#include <string.h>

void sh_fn_want(const struct sh_fn *fns, size_t n, const char *name, bool *want)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fns[i].name, name) || want[i])
			continue;
		want[i] = true;
		if (fns[i].needs)
			sh_fn_want(fns, n, fns[i].needs, want);
	}
}

void sh_fn_emit(struct buf *out, const struct sh_fn *fns, size_t n, const bool *want)
{
	for (size_t i = 0; i < n; i++)
		if (want[i])
			buf_adds(out, fns[i].body);
}
