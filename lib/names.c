#include "names.h"

#include <ctype.h>
#include <string.h>

#include "busrules.h"
#include "util.h"

int app_id_elements(const char *id)
{
	int n = 1;
	for (; *id; id++)
		n += *id == '.';
	return n;
}

static bool element_char(char c, bool dash)
{
	return isascii((unsigned char)c) && (isalnum((unsigned char)c) || c == '_' || (dash && c == '-'));
}

/* Checks dot-separated elements; dash_anywhere for D-Bus, last-only for
 * app ids, which need three elements (flatpak_is_valid_name: "at least 2
 * periods"), D-Bus names two. */
static bool elements_valid(const char *s, bool dash_anywhere, const char **why)
{
	const char *last = strrchr(s, '.');
	const char *too_few = dash_anywhere ? "needs at least two elements separated by '.'"
					    : "needs at least three elements separated by '.' (e.g. org.example.App)";
	if (!last) {
		*why = too_few;
		return false;
	}
	for (const char *p = s; *p;) {
		const char *end = strchr(p, '.');
		if (!end)
			end = p + strlen(p);
		if (end == p) {
			*why = "has an empty element (leading, trailing or double '.')";
			return false;
		}
		if (isdigit((unsigned char)*p)) {
			*why = "has an element starting with a digit";
			return false;
		}
		bool dash = dash_anywhere || p > last;
		for (const char *c = p; c < end; c++) {
			if (!element_char(*c, dash)) {
				*why = *c == '-' ? "may contain '-' only in its last element"
						 : "may contain only A-Z, a-z, 0-9 and '_'";
				return false;
			}
		}
		p = *end ? end + 1 : end;
		if (!*p && *(end) == '.') {
			*why = "has an empty element (leading, trailing or double '.')";
			return false;
		}
	}
	if (!dash_anywhere && app_id_elements(s) < 3) {
		*why = too_few;
		return false;
	}
	return true;
}

bool app_id_valid(const char *id, const char **why)
{
	if (strlen(id) > 255) {
		*why = "is longer than 255 bytes";
		return false;
	}
	return elements_valid(id, false, why);
}

/* The names every sandbox of an app may own because of its id (dbus.c:
 * APP-ID.*, its MPRIS name, the sub-sandboxes' APP-ID.Sandboxed.*). */
static const char *const owned_by_id[] = {"%s.*", "org.mpris.MediaPlayer2.%s.*", "%s.Sandboxed.*"};

char *app_id_problem(const char *id)
{
	const char *why;
	if (!app_id_valid(id, &why))
		return xasprintf("app-id '%s' %s", id, why);
	for (size_t i = 0; i < sizeof(owned_by_id) / sizeof(*owned_by_id); i++) {
		cleanup_free char *name = xasprintf(owned_by_id[i], id);
		const char *refused = bus_name_refused(BUS_OWN, name);
		if (refused)
			return xasprintf("app-id '%s' would let the app own %s, which boxwrap refuses: %s",
					 id, name, refused);
	}
	return NULL;
}

bool bus_name_valid(const char *name, bool wildcard, const char **why)
{
	size_t len = strlen(name);
	char buf[256];
	if (len > 255) {
		*why = "is longer than 255 bytes";
		return false;
	}
	memcpy(buf, name, len + 1);
	if (wildcard && len > 2 && strcmp(buf + len - 2, ".*") == 0)
		buf[len - 2] = '\0';
	if (buf[0] == ':') {
		*why = "is a unique name; use a well-known name";
		return false;
	}
	return elements_valid(buf, true, why);
}

bool env_name_valid(const char *name)
{
	if (!*name || isdigit((unsigned char)*name))
		return false;
	for (; *name; name++)
		if (!isascii((unsigned char)*name) || !(isalnum((unsigned char)*name) || *name == '_'))
			return false;
	return true;
}
