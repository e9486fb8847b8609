/* seccomp-export [--pfc] VARIANT: writes the BPF program (or the readable
 * PFC dump) of a filter variant to stdout.  A stand-in for
 * `boxwrap seccomp --variant NAME` so tests/test-seccomp.sh runs before the
 * main program exists. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/seccomp.h"

int
main(int argc, char **argv)
{
	struct seccomp_opts o;
	bool pfc = argc == 3 && strcmp(argv[1], "--pfc") == 0;
	const char *name = argv[argc - 1];
	char *err = NULL;
	int rc;

	if (argc != 2 && !pfc) {
		fprintf(stderr, "usage: seccomp-export [--pfc] VARIANT > FILE\n");
		return 2;
	}
	if (seccomp_variant_parse(name, &o) < 0) {
		fprintf(stderr, "seccomp-export: unknown variant '%s'\n", name);
		return 2;
	}
	if (isatty(STDOUT_FILENO) && !pfc) {
		fprintf(stderr, "seccomp-export: refusing to write BPF to a terminal\n");
		return 2;
	}
	rc = pfc ? seccomp_write_pfc(&o, STDOUT_FILENO, &err)
		 : seccomp_write_bpf(&o, STDOUT_FILENO, &err);
	if (rc < 0) {
		fprintf(stderr, "seccomp-export: %s\n", err ? err : "failed");
		free(err);
		return 1;
	}
	return 0;
}
