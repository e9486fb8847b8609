/* The seccomp filter: one policy table, compiled with libseccomp. */
#pragma once
#include <stdbool.h>

/* Knobs a profile may set; every one widens the default filter. */
struct seccomp_opts {
	bool devel;          /* ptrace, perf_event_open, any personality */
	bool multiarch;      /* also the compat ABI (i386 on x86_64, arm on aarch64), modify_ldt */
	bool bluetooth;      /* AF_BLUETOOTH sockets */
	bool canbus;         /* AF_CAN sockets */
	bool nested_sandbox; /* user namespaces + mount API for apps that sandbox themselves */
	int sentinel_errno;  /* tests only: every deny returns this errno instead (0 = off) */
};

/* A short stable name for the variant, e.g. "default" or "devel+multiarch";
 * used for the precompiled file name: SECCOMP_DIR/NAME.bpf.  Knobs are joined
 * by '+' in a fixed order (devel, multiarch, bluetooth, canbus,
 * nested-sandbox, then sentinel or sentinel-N).  The string lives in a
 * thread-local buffer, valid until the thread's next call. */
const char *seccomp_variant_name(const struct seccomp_opts *o);

/* Parses a variant name back (for `boxwrap seccomp --variant NAME`); 0 on success. */
int seccomp_variant_parse(const char *name, struct seccomp_opts *o);

/* Compiles the filter and returns a sealed, O_CLOEXEC memfd positioned at 0
 * holding the BPF program (for bwrap --seccomp FD). On any libseccomp error
 * returns -1 and sets *err to a malloc'd message; there is no fallback. */
int seccomp_build_fd(const struct seccomp_opts *o, char **err);

/* Writes the BPF program (export_bpf) or libseccomp's readable PFC dump to fd;
 * 0 on success, -1 and *err on failure. */
int seccomp_write_bpf(const struct seccomp_opts *o, int fd, char **err);
int seccomp_write_pfc(const struct seccomp_opts *o, int fd, char **err);

/* Policy review, for the unit test that makes every syscall libseccomp knows
 * carry a decision: how the policy tables classify a syscall name. */
enum seccomp_class {
	SECCOMP_CLASS_UNREVIEWED = 0, /* in no table: needs a decision */
	SECCOMP_CLASS_ALLOW,          /* reviewed and allowed */
	SECCOMP_CLASS_DENY,           /* has a deny rule (maybe knob-lifted) */
	SECCOMP_CLASS_CONFLICT,       /* in both tables: a bug */
};
enum seccomp_class seccomp_classify(const char *name);

/* The I-th syscall name mentioned by the policy tables (may repeat), NULL
 * past the end; *fallback_nr gets the number used when libseccomp does not
 * know the name, else -1. */
const char *seccomp_policy_name(unsigned i, int *fallback_nr);
