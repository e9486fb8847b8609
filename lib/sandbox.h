/* The parts of a sandbox, each adding its steps to the plan; sandbox.c
 * calls them in the order bwrap must see them. */
#pragma once
#include "plan.h"
#include "policy.h"

void add_environment(struct plan *pl, const struct policy *p);      /* environ.c */
void add_home(struct plan *pl, const struct policy *p);             /* home.c */
/* The real home is bound (`home` or `host`), with this mode. */
bool home_granted(const struct policy *p, enum fs_mode *mode);       /* home.c */
/* $HOME inside: the real home's path, or the private home's host path. */
struct word *sandbox_home(struct plan *pl, const struct policy *p); /* home.c */
void add_filesystem_grants(struct plan *pl, const struct policy *p);/* home.c */
void add_devices(struct plan *pl, const struct policy *p);          /* sockets.c */
void add_sockets(struct plan *pl, const struct policy *p, const char *wayland_helper);          /* sockets.c */
void add_document_portal(struct plan *pl, const struct policy *p);  /* sockets.c */
void add_app_info(struct plan *pl, const struct policy *p);         /* appinfo.c */
void add_dbus(struct plan *pl, const struct policy *p, bool log);   /* dbus.c */
void add_usr(struct plan *pl);                                      /* sandbox.c */
