/* Exported launchers (launchfile.h): what export and wrap write is read
 * back as the same profile and command; what the kernel could not run
 * (a #! line longer than it reads, a relative path) is not written; a
 * file that is not one, or a bad key line, is refused as FILE:LINE:COL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launchfile.h"
#include "strv.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/boxwrap-unit-launch.XXXXXX";

/* Writes text to a file in dir; reads it back. Returns the first message. */
static char *read_back(const char *text, char **profile, char **command)
{
	static int n;
	char *path = xasprintf("%s/l%d", dir, n++);
	if (write_file_atomic(path, text, strlen(text), 0755) < 0)
		abort();
	struct diag d = {.file = path};
	int r = launchfile_read(path, profile, command, &d);
	char *msg = r < 0 && d.msgs.n ? xstrdup(d.msgs.v[0] + strlen(path)) : NULL;
	diag_clear(&d);
	free(path);
	return msg;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char *profile, *command, *msg;
	char *t = launchfile_text("org.example.App", "app.yaml", "/usr/bin/boxwrap", "/usr/share/boxwrap/profiles/app.yaml", NULL);
	TAP_OK(t && !strncmp(t, "#!/usr/bin/boxwrap launch\n# Launcher for org.example.App, written by boxwrap ", 77),
	       "the #! line runs boxwrap launch; the header names the app");
	TAP_OK(t && strstr(t, "\nexec '/usr/bin/boxwrap' launch \"$0\" \"$@\"\n"), "its last line does the same for sh");
	TAP_OK(t && launchfile_is(t), "launchfile_is knows it");
	msg = read_back(t, &profile, &command);
	TAP_STREQ(profile, "/usr/share/boxwrap/profiles/app.yaml", "read back: the profile");
	TAP_OK(!msg && !command, "read back: no command, no error");
	free(t), free(profile), free(msg);

	t = launchfile_text("org.example.App", "app.yaml", "/opt/b x/boxwrap", "/p.yaml", NULL);
	TAP_OK(!t, "no launch file for a boxwrap path with a space (the kernel would split it)");
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	TAP_OK(!launchfile_text("org.example.App", "app.yaml", longpath, "/p.yaml", NULL),
	       "none for a #! line longer than the kernel reads");
	TAP_OK(!launchfile_text("org.example.App", "app.yaml", "/usr/bin/boxwrap", "p.yaml", NULL),
	       "none for a relative profile path");
	TAP_OK(!launchfile_text("org.example.App", "app.yaml", "/usr/bin/boxwrap", "/p\n#:command /bin/sh", NULL),
	       "none for a path with a line break (it would add a line)");

	t = launchfile_text("org.example.App", "a.yaml", "/usr/bin/boxwrap", "/p.yaml", "/usr/libexec/helper x");
	msg = read_back(t, &profile, &command);
	TAP_STREQ(command, "/usr/libexec/helper x", "a helper's command is read back whole");
	free(t), free(profile), free(command), free(msg);

	msg = read_back("#!/bin/sh\necho hi\n", &profile, &command);
	TAP_STREQ(msg, ":1:1: not a launcher written by boxwrap export", "another script is refused");
	free(msg);
	const char *head = "#!/usr/bin/boxwrap launch\n# Launcher for a.b.C, written by boxwrap 1 from 'x'.\n";
	char *bad = xasprintf("%s#:profile /a.yaml\n#:profile /b.yaml\n", head);
	msg = read_back(bad, &profile, &command);
	TAP_STREQ(msg, ":4:1: '#:profile' given twice", "a key given twice");
	free(bad), free(msg);
	bad = xasprintf("%s#:profile a.yaml\n", head);
	msg = read_back(bad, &profile, &command);
	TAP_STREQ(msg, ":3:11: expected an absolute path", "a relative path, at its column");
	TAP_OK(!profile && !command, "nothing is returned on an error");
	free(bad), free(msg);
	bad = xasprintf("%s#:args /x\n", head);
	msg = read_back(bad, &profile, &command);
	TAP_STREQ(msg, ":3:3: unknown key", "an unknown key");
	free(bad), free(msg);
	msg = read_back(head, &profile, &command);
	TAP_STREQ(msg, ":2:1: no '#:profile' line", "no profile");
	free(msg);
	char *cmd = xasprintf("rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	return tap_done();
}
