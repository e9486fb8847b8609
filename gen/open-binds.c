/* The descriptor binds of emitted launchers (enum bind_src, lib/plan.h),
 * which POSIX sh cannot open without following symlinks. Two modes:
 *
 *   open-binds open HOME RT FD -- BWRAP ARGS...
 *     on the host: reads NUL-separated records "N KIND DIR PATH" from FD,
 *     opens each PATH as boxwrap run does (bind_source_open), refusing a
 *     non-directory when DIR is 1, puts it at descriptor N and execs bwrap;
 *   open-binds close-from N -- COMMAND ARGS...
 *     inside the sandbox, as bwrap 0.8's command: closes descriptor N and
 *     above (the binds, which bwrap before 0.10 hands on to the app) and
 *     execs the command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hostops.h"
#include "util.h"

static const char usage_text[] = "usage: open-binds open HOME RT FD -- BWRAP ARGS...\n"
				 "       open-binds close-from N -- COMMAND ARGS...\n";

static int number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (!*s || *end || n < 0 || n > 65535)
		die("not a descriptor number: %s", s);
	return (int)n;
}

static enum bind_src kind(const char *s)
{
	if (!strcmp(s, "home"))
		return BS_BELOW_HOME;
	if (!strcmp(s, "resolved"))
		return BS_RESOLVED;
	if (!strcmp(s, "runtime"))
		return BS_RUNTIME;
	die("unknown kind of bind source: %s", s);
}

static void open_all(const char *home, const char *rt, int fd)
{
	size_t len;
	char *data = read_all_fd(fd, 1 << 20, &len);
	if (!data)
		die_errno("cannot read the binds");
	close(fd);
	char *f[4];
	for (size_t i = 0; i < len;) {
		for (int j = 0; j < 4; j++) {
			if (i >= len)
				die("truncated bind record");
			f[j] = data + i;
			i += strlen(f[j]) + 1;
		}
		struct stat st;
		int src = bind_source_open(kind(f[1]), f[3], home, rt);
		if (src < 0)
			die("refusing to start: %s went away during the launch", f[3]);
		if (!strcmp(f[2], "1") && (fstat(src, &st) < 0 || !S_ISDIR(st.st_mode)))
			die("refusing to start: %s is no longer a directory", f[3]);
		if (dup2(src, number(f[0])) < 0) /* dup2: not close-on-exec, for bwrap */
			die_errno("dup2");
		close(src);
	}
	free(data);
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "open") && !strcmp(argv[5], "--")) {
		open_all(argv[2], argv[3], number(argv[4]));
		execv(argv[6], argv + 6);
		die_errno("cannot run %s", argv[6]);
	}
	if (argc >= 5 && !strcmp(argv[1], "close-from") && !strcmp(argv[3], "--")) {
		if (syscall(SYS_close_range, number(argv[2]), ~0U, 0) < 0)
			for (int fd = number(argv[2]); fd < 1024; fd++)
				close(fd);
		execv(argv[4], argv + 4);
		die_errno("cannot run %s", argv[4]);
	}
	fputs(usage_text, stderr);
	return 2;
}
