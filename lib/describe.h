/* `boxwrap check`: the effective permissions in plain words. */
#pragma once
#include "policy.h"
#include "strv.h"

/* Appends the description; every profile string is escaped (I4). */
void describe_policy(struct buf *out, const struct policy *p);
