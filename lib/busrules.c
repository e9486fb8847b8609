#include "busrules.h"

#include <stdbool.h>
#include <string.h>

#include "util.h"

/* name matches pattern; a pattern ending in '*' is a prefix. A wildcard
 * grant (ending ".*") also matches when it covers the pattern. */
static bool name_hits(const char *name, const char *pattern)
{
	size_t n = strlen(pattern);
	if (pattern[n - 1] == '*') {
		if (!strncmp(name, pattern, n - 1))
			return true;
	} else if (!strcmp(name, pattern)) {
		return true;
	}
	size_t m = strlen(name);
	/* "org.freedesktop.*" would cover org.freedesktop.systemd1. */
	return m > 2 && !strcmp(name + m - 2, ".*") && !strncmp(pattern, name, m - 1);
}

static const struct {
	const char *pattern;
	const char *why;
} never[] = {
	{"org.freedesktop.Flatpak*", "runs commands on the host (HostCommand, Spawn)"},
	{"org.freedesktop.systemd1*", "runs commands on the host (StartTransientUnit)"},
	{"org.freedesktop.impl.portal.*", "portal back ends trust their callers; use org.freedesktop.portal.*"},
	{"ca.desrt.dconf*", "writes every application's settings"},
	{"org.gtk.vfs*", "reads any host file through GVfs"},
	{"org.freedesktop.DBus*", "the bus itself is always reachable, and may not be owned"},
};

static int elements(const char *name)
{
	int n = 1;
	for (; *name; name++)
		n += *name == '.';
	return n;
}

const char *bus_name_refused(enum bus_level level, const char *name)
{
	size_t len = strlen(name);
	/* org.freedesktop.* or org.gnome.*: a whole vendor namespace. */
	if (len > 2 && !strcmp(name + len - 2, ".*") && elements(name) < 4)
		return "a wildcard must name at least three elements before '.*' (e.g. org.example.App.*)";
	for (size_t i = 0; i < sizeof(never) / sizeof(*never); i++)
		if (name_hits(name, never[i].pattern))
			return never[i].why;
	if (level == BUS_OWN && name_hits(name, "org.freedesktop.portal.*"))
		return "owning a portal name would impersonate the portal to other apps";
	return NULL;
}
