#include "names.h"

#include <ctype.h>
#include <string.h>

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

/* Checks dot-separated elements; dash_anywhere for D-Bus, last-only for app ids. */
static bool elements_valid(const char *s, bool dash_anywhere, const char **why)
{
	const char *last = strrchr(s, '.');
	if (!last) {
		*why = "needs at least two elements separated by '.'";
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
