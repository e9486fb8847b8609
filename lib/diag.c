#include "diag.h"

#include <stdio.h>

#include "escape.h"
#include "util.h"

void diag_at(struct diag *d, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, line, col, fmt, ap);
	va_end(ap);
}

void diag_vat(struct diag *d, int line, int col, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	/* Messages quote profile text; never let it reach a terminal raw. */
	cleanup_free char *safe = escape_for_terminal(msg);
	cleanup_free char *file = escape_for_terminal(d->file);
	free(msg);
	if (line > 0)
		strv_pushf(&d->msgs, "%s:%d:%d: %s", file, line, col, safe);
	else
		strv_pushf(&d->msgs, "%s: %s", file, safe);
}

bool diag_failed(const struct diag *d)
{
	return d->msgs.n > 0;
}

void diag_print(const struct diag *d)
{
	for (size_t i = 0; i < d->msgs.n; i++)
		fprintf(stderr, "%s\n", d->msgs.v[i]);
}

void diag_clear(struct diag *d)
{
	strv_clear(&d->msgs);
}
