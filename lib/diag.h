/* Diagnostics for profiles: FILE:LINE:COL: message, collected so a
 * packager sees every mistake in one run. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>

#include "strv.h"

struct diag {
	const char *file;
	struct strv msgs;
};

/* line and col are 1-based; 0 means "whole file". */
__attribute__((format(printf, 4, 5)))
void diag_at(struct diag *d, int line, int col, const char *fmt, ...);
__attribute__((format(printf, 4, 0)))
void diag_vat(struct diag *d, int line, int col, const char *fmt, va_list ap);
bool diag_failed(const struct diag *d);
void diag_print(const struct diag *d); /* to stderr */
void diag_clear(struct diag *d);
