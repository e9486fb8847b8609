/* Editing one override layer (policy_layer_update) must mean what merging
 * the edit on top would: merge(lower, update(L, E)) == merge(merge(lower,
 * L), E) for every lower layer, over a small universe of items. And the
 * override writer's text reads back to the same text. */
#include <stdio.h>
#include <string.h>

#include "override.h"
#include "profile.h"
#include "tap.h"
#include "util.h"

static const char *const items[][2] = {
	{"shared", "network"}, {"shared", "!network"}, {"shared", "reset"},
	{"sockets", "x11"}, {"sockets", "!x11"}, {"sockets", "reset"},
	{"filesystems", "home"}, {"filesystems", "!home"}, {"filesystems", "~/Music:ro"},
	{"filesystems", "!~/Music"}, {"filesystems", "/srv/a"}, {"filesystems", "!host"},
	{"filesystems", "reset"}, {"filesystems", "xdg-download/x"}, {"filesystems", "!xdg-download"},
	{"unset-environment", "A"}, {"session-bus.talk", "org.example.A"},
	{"session-bus.talk", "!org.example.A"}, {"session-bus.own", "org.example.A"},
};
#define NITEMS (sizeof(items) / sizeof(*items))

static unsigned rng = 12345;
static unsigned next(void) { return rng = rng * 1103515245 + 12345, (rng >> 16) & 0x7fff; }

static void random_layer(struct policy *p, enum profile_kind kind)
{
	*p = (struct policy){0};
	for (int n = next() % 5; n > 0; n--) {
		const char *const *it = items[next() % NITEMS];
		if (kind == PROFILE_APP && (it[1][0] == '!' || !strcmp(it[1], "reset")))
			continue;
		free(policy_add_item(p, kind, it[0], it[1]));
	}
	if (next() % 3 == 0)
		free(policy_add_env(p, "A", next() % 2 ? "1" : "2"));
}

/* The effective policy, as text to compare. */
static char *text_of(const struct policy *eff)
{
	return override_to_yaml(eff, NULL);
}

int main(void)
{
	int failures = 0;
	for (int round = 0; round < 3000; round++) {
		struct policy lower, L, E, a = {0}, b = {0};
		random_layer(&lower, PROFILE_APP);
		random_layer(&L, PROFILE_OVERRIDE);
		random_layer(&E, PROFILE_OVERRIDE);
		policy_merge(&a, &lower);
		policy_merge(&a, &L);
		policy_merge(&a, &E);
		policy_layer_update(&L, &E);
		policy_merge(&b, &lower);
		policy_merge(&b, &L);
		cleanup_free char *ta = text_of(&a), *tb = text_of(&b);
		if (strcmp(ta, tb) && failures++ < 3)
			TAP_STREQ(tb, ta, "round %d: update then merge == merge twice", round);
		/* the edited layer as a file reads back to the same file */
		cleanup_free char *yaml = override_to_yaml(&L, "org.example.App");
		struct policy back;
		struct diag d = {.file = "t"};
		if (profile_load_buf(yaml, strlen(yaml), PROFILE_OVERRIDE, &back, &d) == 0) {
			cleanup_free char *again = override_to_yaml(&back, "org.example.App");
			if (strcmp(again, yaml) && failures++ < 3)
				TAP_STREQ(again, yaml, "round %d: round trip", round);
			policy_free(&back);
		} else if (failures++ < 3) {
			TAP_OK(0, "round %d: written override loads: %s", round, d.msgs.v[0]);
		}
		diag_clear(&d);
		policy_free(&lower);
		policy_free(&L);
		policy_free(&E);
		policy_free(&a);
		policy_free(&b);
	}
	TAP_OK(failures == 0, "3000 random layer edits: update == merge, and each round trips (%d failures)", failures);

	struct policy l = {0};
	cleanup_free char *why = override_option(&l, "filesystem", "/usr");
	TAP_STREQ(why, "'/usr' is on, under or above a path boxwrap reserves for the sandbox itself",
		  "--filesystem=/usr: the loader's reason");
	cleanup_free char *why2 = override_option(&l, "env", "A=\x1b");
	TAP_STREQ(why2, "control character (0x1b) in value", "--env with a control character");
	TAP_OK(!override_option(&l, "nofilesystem", "host:reset") && l.fs_reset && l.nfs == 1 && l.fs[0].deny,
	       "--nofilesystem=host:reset is a reset and a denial of host");
	policy_free(&l);
	return tap_done();
}
