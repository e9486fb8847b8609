/* boxwrap import: a Flatpak manifest's finish-args (JSON or YAML, as on
 * Flathub) -> the text of a boxwrap profile. */
#pragma once
#include <stddef.h>

#include "strv.h"

/* Converts the manifest in buf (name: for messages and the header
 * comment). On success returns 0 with the profile in *out, already
 * validated by the profile loader, and one line in notes for each
 * finish-arg it could not express or changed the meaning of. On failure
 * returns -1 with the reasons in notes and nothing in *out. */
int import_manifest(const char *name, const char *buf, size_t len,
		    struct buf *out, struct strv *notes);
