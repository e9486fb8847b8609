/* What a sandbox grants: one layer as read from a profile or override,
 * and the effective policy after merging layers. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "fsgrant.h"
#include "strv.h"

/* Set-valued permissions: each name is one bit. */
enum { SHARE_NETWORK = 1 << 0, SHARE_IPC = 1 << 1 };
enum {
	SOCK_WAYLAND = 1 << 0, SOCK_X11 = 1 << 1, SOCK_FALLBACK_X11 = 1 << 2,
	SOCK_PULSEAUDIO = 1 << 3, SOCK_PIPEWIRE = 1 << 4, SOCK_SESSION_BUS = 1 << 5,
	SOCK_SYSTEM_BUS = 1 << 6, SOCK_SSH_AUTH = 1 << 7, SOCK_PCSC = 1 << 8,
	SOCK_CUPS = 1 << 9, SOCK_GPG_AGENT = 1 << 10,
};
enum { DEV_DRI = 1 << 0, DEV_INPUT = 1 << 1, DEV_USB = 1 << 2, DEV_KVM = 1 << 3, DEV_SHM = 1 << 4, DEV_ALL = 1 << 5 };
enum {
	FEAT_DEVEL = 1 << 0, FEAT_MULTIARCH = 1 << 1, FEAT_BLUETOOTH = 1 << 2,
	FEAT_CANBUS = 1 << 3, FEAT_NESTED_SANDBOX = 1 << 4,
};

/* A set with its denials: effective = (lower & ~deny) | grant, deny wins
 * within one layer. */
struct flagset {
	unsigned grant, deny;
	bool reset;
};

struct flag_name {
	const char *name;
	unsigned bit;
};
extern const struct flag_name share_names[], socket_names[], device_names[], feature_names[];
const char *flag_name_of(const struct flag_name *names, unsigned bit);

struct bus_policy {
	struct strv see, talk, own, call, broadcast;
	struct strv none; /* an override's denials: names removed from every level */
	bool present;     /* the profile has this section at all */
};

struct policy {
	char *path;    /* profile file, for messages */
	char *app_id;
	char *command; /* absolute path of the real program */
	struct strv args;
	struct flagset shared, sockets, devices, features;
	struct fs_grant *fs;
	size_t nfs;
	bool fs_reset;
	struct strv persistent;
	struct strv env_names, env_values; /* set these */
	struct strv unset_env;
	struct bus_policy session_bus, system_bus;
	bool service;             /* type: service: a system daemon (sandbox.c) */
	struct strv capabilities; /* a service's CAP_* names, kept by bwrap */
};

void policy_free(struct policy *p);
/* Layers the override on top of eff (precedence: later layers win,
 * deny wins within a layer, reset clears what lower layers granted). */
void policy_merge(struct policy *eff, const struct policy *layer);
/* Edits one layer in place so that merging it gives what merging it and
 * then e would: how `boxwrap override` adds options to an override file
 * and how the command-line options become one layer. */
void policy_layer_update(struct policy *layer, const struct policy *e);
/* True if g is d or inside it: "host" covers home, ~/PATH, xdg-* and
 * /PATH; "home" covers ~/PATH and xdg-*. A layer's grant or denial of d
 * replaces every lower layer's grant it covers. */
bool fs_grant_covers(const struct fs_grant *d, const struct fs_grant *g);
/* The effective value of a flag set. */
unsigned flagset_value(const struct flagset *f);
