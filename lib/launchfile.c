/* Exported launchers, written and read: see launchfile.h. */
#include "launchfile.h"

#include <errno.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "shquote.h"
#include "strv.h"
#include "util.h"

#define MAX_LAUNCH_FILE 4096
/* The kernel reads this much of a #! line (BINPRM_BUF_SIZE, Linux 5.1;
 * 128 before): a longer one would run a truncated path. */
#define MAX_SHEBANG 127

static const char magic[] = "\n# Launcher for ";
static const char mark[] = ", written by boxwrap ";

/* A value on a #: line: what it names, nothing a line could not hold. */
static bool plain_path(const char *p)
{
	return p && p[0] == '/' && !has_control_char(p);
}

char *launchfile_text(const char *app_id, const char *profile_name, const char *boxwrap, const char *profile,
		      const char *command)
{
	if (!plain_path(boxwrap) || strpbrk(boxwrap, " \t") || strlen(boxwrap) + sizeof("#! launch") > MAX_SHEBANG ||
	    !plain_path(profile) || (command && !plain_path(command)))
		return NULL;
	struct buf o = {0};
	cleanup_free char *id = one_line(app_id);
	const char *base = strrchr(profile_name, '/');
	cleanup_free char *name = one_line(base ? base + 1 : profile_name);
	buf_addf(&o, "#!%s launch%s%s%s" BOXWRAP_VERSION " from '%s'.\n", boxwrap, magic, id, mark, name);
	buf_adds(&o, "# Do not edit: `boxwrap export` (or `boxwrap wrap`) writes it. The kernel runs\n"
		     "# it with `boxwrap launch`, which runs the profile below as `boxwrap run`\n"
		     "# does, with the system's and the user's overrides; sh runs the last line.\n");
	buf_addf(&o, "#:profile %s\n", profile);
	if (command)
		buf_addf(&o, "#:command %s\n", command);
	buf_adds(&o, "exec ");
	sh_quote(&o, boxwrap);
	buf_adds(&o, " launch \"$0\" \"$@\"\n");
	return buf_steal(&o);
}

bool launchfile_is(const char *text)
{
	const char *nl = strchr(text, '\n');
	return str_has_prefix(text, "#!/") && nl && nl - text > 7 && !memcmp(nl - 7, " launch", 7) &&
	       str_has_prefix(nl, magic) && strstr(nl, mark);
}

/* One "#:KEY VALUE" line into *slot. */
static void read_key(const char *line, size_t n, int lineno, char **slot, struct diag *d)
{
	const char *v = memchr(line, ' ', n);
	if (!v) {
		diag_at(d, lineno, 1, "expected '#:KEY VALUE'");
		return;
	}
	cleanup_free char *val = xstrndup(v + 1, n - (size_t)(v + 1 - line));
	if (*slot)
		diag_at(d, lineno, 1, "'%.*s' given twice", (int)(v - line), line);
	else if (!plain_path(val))
		diag_at(d, lineno, (int)(v - line) + 2, "expected an absolute path");
	else
		*slot = steal_ptr(&val);
}

int launchfile_read(const char *path, char **profile, char **command, struct diag *d)
{
	*profile = *command = NULL;
	cleanup_free char *text = read_regular_file(path, MAX_LAUNCH_FILE);
	if (!text) {
		diag_at(d, 0, 0, "cannot read it: %s", errno == EFBIG ? "too long for a launcher" : strerror(errno));
		return -1;
	}
	if (!launchfile_is(text))
		diag_at(d, 1, 1, "not a launcher written by boxwrap export");
	int lineno = 1;
	for (const char *l = text; *l && !diag_failed(d); lineno++) {
		size_t n = strcspn(l, "\n");
		if (str_has_prefix(l, "#:profile "))
			read_key(l, n, lineno, profile, d);
		else if (str_has_prefix(l, "#:command "))
			read_key(l, n, lineno, command, d);
		else if (str_has_prefix(l, "#:"))
			diag_at(d, lineno, 3, "unknown key");
		l += n + (l[n] == '\n');
	}
	if (!diag_failed(d) && !*profile)
		diag_at(d, lineno - 1, 1, "no '#:profile' line");
	if (diag_failed(d)) {
		free(*profile);
		free(*command);
		*profile = *command = NULL;
		return -1;
	}
	return 0;
}
