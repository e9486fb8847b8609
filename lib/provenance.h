/* `boxwrap info`: where each effective permission comes from (profile,
 * system override, user override, command line), and which layer removed
 * what a lower one granted. */
#pragma once
#include "override.h"
#include "strv.h"

/* Appends the layers and, for every grant, its layer; every string
 * escaped for the terminal (security.md I4). eff is the merge of ls. */
void describe_sources(struct buf *out, const struct layers *ls, const struct policy *eff);
