/* Validation of the names a profile gives: app ids, D-Bus names,
 * environment variable names. */
#pragma once
#include <stdbool.h>

/* Flatpak's rules (which also make the id a valid D-Bus name for --own):
 * at most 255 bytes, at least 3 dot-separated elements, each non-empty,
 * [A-Za-z0-9_] not starting with a digit, '-' only in the last element.
 * On failure *why says which rule. */
bool app_id_valid(const char *id, const char **why);
int app_id_elements(const char *id);
/* NULL if ID is a valid app id whose default bus names (APP-ID.*,
 * org.mpris.MediaPlayer2.APP-ID.*, APP-ID.Sandboxed.*) pass the refusals
 * of busrules.h, as a profile's own rules must; else "app-id 'ID' ...",
 * malloc'd. ID must not hold control characters the caller shows raw. */
char *app_id_problem(const char *id);

/* A well-known bus name, optionally ending in ".*" when wildcard is true. */
bool bus_name_valid(const char *name, bool wildcard, const char **why);

bool env_name_valid(const char *name);
