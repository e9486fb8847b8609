/* Parse + validate: profile_load_buf as an app profile and as an
 * override. No crash, leak or undefined behaviour; an accepted profile has
 * an app id and an absolute command; every accepted grant is in canonical
 * form (its key parses back to itself) and never on a reserved path. */
#include "fuzzlib.h"
#include "describe.h"

static void check_grants(const struct policy *p)
{
	for (size_t i = 0; i < p->nfs; i++) {
		const struct fs_grant *g = &p->fs[i];
		cleanup_free char *key = fs_grant_key(g);
		struct fs_grant again = {0};
		char *why = NULL;
		if (g->deny)
			continue;
		if (!fs_grant_parse(key, &again, &why))
			FUZZ_FAIL("accepted grant key '%s' does not parse again: %s", key, why ? why : "");
		cleanup_free char *key2 = fs_grant_key(&again);
		if (strcmp(key, key2))
			FUZZ_FAIL("grant key not canonical: '%s' -> '%s'", key, key2);
		fs_grant_clear(&again);
		if (g->base == FS_ABS) {
			cleanup_free char *abs = xasprintf("/%s", g->sub);
			if (fs_path_reserved(abs))
				FUZZ_FAIL("grant on reserved path %s accepted", abs);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum profile_kind kinds[] = {PROFILE_APP, PROFILE_OVERRIDE};
	for (size_t k = 0; k < 2; k++) {
		struct policy p;
		struct diag d = {.file = "fuzz.yaml"};
		int r = profile_load_buf((const char *)data, size, kinds[k], &p, &d);
		if (r < 0) {
			if (!diag_failed(&d))
				FUZZ_FAIL("rejected without a message");
			diag_clear(&d);
			continue;
		}
		diag_clear(&d);
		if (kinds[k] == PROFILE_APP) {
			if (!p.app_id || !p.command || p.command[0] != '/')
				FUZZ_FAIL("accepted app profile without app id or absolute command");
			struct buf out = {0};
			describe_policy(&out, &p);
			buf_clear(&out);
		}
		check_grants(&p);
		policy_free(&p);
	}
	return 0;
}
