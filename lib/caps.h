/* Linux capability names a `type: service` profile may keep
 * (`capabilities: [CAP_NET_ADMIN]`); bwrap drops all others. */
#pragma once
#include <stdbool.h>

/* True for a known name in the kernel's spelling, CAP_ and upper case. */
bool cap_name_valid(const char *name);
