/* The one quoting routine for everything emitted into sh. */
#pragma once
#include "strv.h"

/* Appends s as one sh word in single quotes; ' becomes '\''. Any byte
 * but NUL survives unchanged (callers never hold NUL in C strings). */
void sh_quote(struct buf *out, const char *s);
char *sh_quoted(const char *s);
