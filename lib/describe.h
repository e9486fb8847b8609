/* `boxwrap check`: the effective permissions in plain words. */
#pragma once
#include "policy.h"
#include "strv.h"

/* Appends the description; every profile string is escaped (I4). */
void describe_policy(struct buf *out, const struct policy *p);
/* For a profile granting wayland: what the app would get from this
 * host's compositor now, as wayland-context (helper) finds it. */
void describe_wayland(struct buf *out, const struct policy *p, const char *helper);
/* For a profile granting pulseaudio or pipewire: whether WirePlumber can
 * find boxwrap's fragment, which keeps the app from capture nodes. */
void describe_sound(struct buf *out, const struct policy *p);
