/* D-Bus names a profile may never reach: each would let the app run code
 * on the host or break the portal model (security.md D1). */
#pragma once

enum bus_level { BUS_SEE, BUS_TALK, BUS_OWN, BUS_CALL, BUS_BROADCAST };

/* NULL if allowed, else the rule that refuses it, in words. */
const char *bus_name_refused(enum bus_level level, const char *name);
