/* Shared by the libFuzzer harnesses: a scratch host (HOME, a runtime
 * directory with the usual sockets), loading an input as a profile, and
 * small helpers. An input is an app profile, optionally followed by a
 * line "#%override" and an override layer merged on top (policy.c). */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "fsgrant.h"
#include "plan.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                  \
	do {                                                            \
		fprintf(stderr, "INVARIANT BROKEN: " __VA_ARGS__);      \
		fputc('\n', stderr);                                    \
		abort();                                                \
	} while (0)

static char fz_scratch[256], fz_home[300], fz_rt[300];

__attribute__((unused)) static void fz_socket(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* A host with a home and the sockets a desktop has, so plans exercise
 * the steps that depend on them. bus: a session bus socket too. */
__attribute__((unused)) static void fz_setup_host(const char *tag, int bus)
{
	const char *base = getenv("FUZZ_SCRATCH");
	snprintf(fz_scratch, sizeof(fz_scratch), "%s/boxwrap-fuzz-%s-%d", base && *base ? base : "/tmp",
		 tag, (int)getpid());
	snprintf(fz_home, sizeof(fz_home), "%s/home", fz_scratch);
	snprintf(fz_rt, sizeof(fz_rt), "%s/rt", fz_scratch);
	mkdir(fz_scratch, 0700);
	mkdir(fz_home, 0700);
	mkdir(fz_rt, 0700);
	char p[512];
	snprintf(p, sizeof(p), "%s/Downloads", fz_home);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/wayland-0", fz_rt);
	fz_socket(p);
	snprintf(p, sizeof(p), "%s/pulse", fz_rt);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/pulse/native", fz_rt);
	fz_socket(p);
	snprintf(p, sizeof(p), "%s/pipewire-0", fz_rt);
	fz_socket(p);
	snprintf(p, sizeof(p), "%s/ssh-agent", fz_rt);
	fz_socket(p);
	setenv("SSH_AUTH_SOCK", p, 1);
	if (bus) {
		snprintf(p, sizeof(p), "%s/bus", fz_rt);
		fz_socket(p);
	}
	setenv("HOME", fz_home, 1);
	setenv("XDG_RUNTIME_DIR", fz_rt, 1);
	static const char *const unset[] = {
		"DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "DISPLAY", "XAUTHORITY",
		"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
	};
	for (size_t i = 0; i < sizeof(unset) / sizeof(*unset); i++)
		unsetenv(unset[i]);
	setenv("LANG", "C.UTF-8", 1);
	setenv("TERM", "xterm", 1);
}

/* The input as an effective policy; 0 if accepted. */
__attribute__((unused)) static int fz_load(const uint8_t *data, size_t size, struct policy *eff)
{
	static const char sep[] = "\n#%override\n";
	const char *buf = (const char *)data;
	size_t app_len = size, ov_off = size;
	const char *m = memmem(buf, size, sep, sizeof(sep) - 1);
	if (m) {
		app_len = (size_t)(m - buf) + 1;
		ov_off = app_len + sizeof(sep) - 2;
	}
	struct policy layer, ov;
	struct diag d = {.file = "fuzz.yaml"};
	if (profile_load_buf(buf, app_len, PROFILE_APP, &layer, &d) < 0) {
		diag_clear(&d);
		return -1;
	}
	diag_clear(&d);
	*eff = (struct policy){0};
	policy_merge(eff, &layer);
	policy_free(&layer);
	if (m) {
		if (profile_load_buf(buf + ov_off, size - ov_off, PROFILE_OVERRIDE, &ov, &d) < 0) {
			diag_clear(&d);
			policy_free(eff);
			return -1;
		}
		diag_clear(&d);
		policy_merge(eff, &ov);
		policy_free(&ov);
	}
	return 0;
}

/* Splits NUL-separated options into a vector (pointers into s). */
__attribute__((unused)) static size_t fz_split(const char *s, size_t len, const char ***out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i += strlen(s + i) + 1)
		n++;
	const char **v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (size_t i = 0; i < len; i += strlen(s + i) + 1)
		v[n++] = s + i;
	*out = v;
	return n;
}

__attribute__((unused)) static void fz_hex(const char *what, const void *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", ((const unsigned char *)p)[i]);
	fputc('\n', stderr);
}
