/* Installed profiles: `boxwrap list`, and finding an app's profile by its
 * id (`boxwrap info io.mpv.Mpv` when the profile is mpv.yaml). */
#pragma once
#include <stddef.h>

struct installed {
	char *name;     /* the file name without .yaml: what `run NAME` finds */
	char *path;
	char *app_id;   /* NULL if the profile cannot be used */
	char *problem;  /* why not, or NULL */
	char *launcher; /* exported launcher, NULL if none (see wrap.h) */
	int shadowed;   /* a profile of this name in a directory searched earlier */
};

/* The profiles in lookup order ($XDG_CONFIG_HOME/boxwrap/profiles,
 * SYSCONFDIR, DATADIR), each directory sorted by name. */
size_t installed_list(struct installed **out);
void installed_free(struct installed *v, size_t n);
/* The profile `run ARG` would use if ARG names one, else the first usable
 * profile whose app-id is ARG; NULL if neither. */
char *installed_find(const char *arg);
