/* sh_quoted round trip: for random byte strings s (no NUL),
 * `SHELL -c 'printf %s <sh_quoted(s)>'` prints exactly s, in dash, bash
 * --posix and busybox sh, in the C and a UTF-8 locale. The PRNG is seeded
 * (BOXWRAP_QUOTE_SEED overrides) so a failure reproduces. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shquote.h"
#include "strv.h"
#include "tap.h"
#include "util.h"

#define NSTRINGS 300

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static const char *const pieces[] = {
	"'", "''", "'\\''", "\"", "\\", "\\'", "$", "$(", ")", "$(id)", "${HOME}", "$'\\x41'",
	"`", "`id`", "\n", "\t", " ", "*", "?", "[", "]", "[!a]", "{a,b}", "~", "~root", "#",
	";", "&", "&&", "|", "||", "<", ">", ">>", "!", "%", "-", "--", "-n", "-e", "=", "\\n",
	"\\c", "%s", "%b", "\r", "\x1b[31m", "\x7f", "\x01", "\xff", "\xfe", "\xc3\x28",
	"\xe2\x80\xae", "\xc0\xaf", "\xed\xa0\x80", "\xef\xbb\xbf", "\xc2\x85", "IFS", " \n\t ",
};

/* A random string: pieces and raw bytes 0x01-0xff, sometimes a leading '-'. */
static char *random_string(void)
{
	struct buf b = {0};
	size_t n = rng() % 24;
	if (rng() % 8 == 0)
		buf_addc(&b, '-');
	for (size_t i = 0; i < n; i++) {
		if (rng() % 2) {
			buf_adds(&b, pieces[rng() % (sizeof(pieces) / sizeof(*pieces))]);
		} else {
			char c = (char)(1 + rng() % 255);
			buf_addc(&b, c);
		}
	}
	buf_addc(&b, '\0'); /* make b.s non-NULL even when empty */
	return buf_steal(&b);
}

struct shell {
	const char *name;
	const char *path;
	const char *argv0[3]; /* words before "-c SCRIPT" */
};

/* Runs argv with env, returns its stdout (malloc'd, *len bytes) or NULL;
 * *status gets the wait status. */
static char *run_capture(char *const argv[], char *const env[], size_t *len, int *status)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (dup2(fds[1], STDOUT_FILENO) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0)
			_exit(127);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fds[1]);
	struct buf out = {0};
	char chunk[4096];
	for (;;) {
		ssize_t r = read(fds[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		buf_add(&out, chunk, (size_t)r);
	}
	close(fds[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	*len = out.len;
	buf_addc(&out, '\0');
	return buf_steal(&out);
}

static char *hex(const char *s)
{
	struct buf b = {0};
	for (; *s; s++)
		buf_addf(&b, "%02x", (unsigned char)*s);
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

static bool run_script(const struct shell *sh, const char *locale, const char *script,
		       char **out, size_t *len)
{
	cleanup_free char *lc = xasprintf("LC_ALL=%s", locale);
	char *env[] = {"PATH=/usr/bin:/bin", lc, NULL};
	char *argv[6];
	size_t k = 0;
	for (size_t i = 0; i < 3 && sh->argv0[i]; i++)
		argv[k++] = (char *)sh->argv0[i];
	argv[k++] = "-c";
	argv[k++] = (char *)script;
	argv[k] = NULL;
	int status = 0;
	*out = run_capture(argv, env, len, &status);
	return *out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* True if `printf %s QUOTED` in sh prints s exactly. */
static bool round_trips(const struct shell *sh, const char *locale, const char *s, char **got_hex)
{
	cleanup_free char *q = sh_quoted(s);
	cleanup_free char *script = xasprintf("printf %%s %s", q);
	cleanup_free char *out = NULL;
	size_t len = 0;
	bool ok = run_script(sh, locale, script, &out, &len) && len == strlen(s) &&
		  memcmp(out, s, len) == 0;
	if (!ok && got_hex)
		*got_hex = out ? hex(out) : xstrdup("(no output)");
	return ok;
}

/* Runs strs[from..to) as one script, `printf %s Q; printf '\\000'` each
 * (the strings hold no NUL), then checks each one. Returns the index of the
 * first string that does not round-trip on its own, or to if all do. */
#define BATCH 50
static size_t first_failure(const struct shell *sh, const char *locale, char **strs, size_t from,
			    size_t to)
{
	struct buf script = {0};
	for (size_t i = from; i < to; i++) {
		cleanup_free char *q = sh_quoted(strs[i]);
		buf_addf(&script, "printf %%s %s\nprintf '\\000'\n", q);
	}
	cleanup_free char *out = NULL;
	size_t len = 0;
	bool ok = run_script(sh, locale, script.s, &out, &len);
	buf_clear(&script);
	const char *p = out, *end = out ? out + len : NULL;
	for (size_t i = from; ok && i < to; i++) {
		size_t n = strlen(strs[i]);
		if ((size_t)(end - p) < n + 1 || memcmp(p, strs[i], n) != 0 || p[n] != '\0')
			ok = false;
		else
			p += n + 1;
	}
	if (ok && p == end)
		return to;
	/* Something differs: find the first string that fails alone. */
	for (size_t i = from; i < to; i++)
		if (!round_trips(sh, locale, strs[i], NULL))
			return i;
	return from; /* only the batch fails: blame its first string */
}

static const char *find_busybox(void)
{
	static const char *const paths[] = {"/bin/busybox", "/usr/bin/busybox", NULL};
	for (size_t i = 0; paths[i]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

int main(void)
{
	const char *seed_env = getenv("BOXWRAP_QUOTE_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : UINT64_C(0x5eed0b0c5b0a7001);
	rng_state = seed ? seed : 1;
	printf("# seed 0x%" PRIx64 " (set BOXWRAP_QUOTE_SEED to change)\n", seed);

	/* The strings: fixed nasty ones first, then random ones. */
	static const char *const fixed[] = {
		"", "'", "''", "'\\''", "a'b'c", "$(touch /tmp/x)", "`id`", "\n", "\n\n", "-n",
		"-e", "--", "-", "%s%s%n", "\\", "\\\\n", "*", "~", "a b\tc\nd", "\xff\xfe\x80",
		"'$(id)'\"`id`\"", "!!", ";exit 1;", "\x01\x02\x1f\x7f",
	};
	size_t nfixed = sizeof(fixed) / sizeof(*fixed);
	char *strs[NSTRINGS];
	for (size_t i = 0; i < NSTRINGS; i++)
		strs[i] = i < nfixed ? xstrdup(fixed[i]) : random_string();
	/* All 255 non-NUL bytes appear somewhere. */
	char all[256];
	for (int c = 1; c < 256; c++)
		all[c - 1] = (char)c;
	all[255] = '\0';
	free(strs[NSTRINGS - 1]);
	strs[NSTRINGS - 1] = xstrdup(all);

	const char *busybox = find_busybox();
	const struct shell shells[] = {
		{"dash", "/bin/dash", {"/bin/dash", NULL, NULL}},
		{"bash --posix", "/bin/bash", {"/bin/bash", "--posix", NULL}},
		{"busybox sh", busybox, {busybox, "sh", NULL}},
	};
	static const char *const locales[] = {"C", "C.UTF-8"};

	for (size_t s = 0; s < sizeof(shells) / sizeof(*shells); s++) {
		const struct shell *sh = &shells[s];
		if (!sh->path || access(sh->path, X_OK) != 0) {
			printf("ok %u # SKIP %s not installed\n", ++tap_count, sh->name);
			continue;
		}
		size_t bad = NSTRINGS;
		const char *bad_locale = NULL;
		char *got = NULL;
		for (size_t l = 0; l < 2 && bad == NSTRINGS; l++) {
			for (size_t i = 0; i < NSTRINGS && bad == NSTRINGS; i += BATCH) {
				size_t to = i + BATCH < NSTRINGS ? i + BATCH : NSTRINGS;
				size_t f = first_failure(sh, locales[l], strs, i, to);
				if (f < to) {
					bad = f;
					bad_locale = locales[l];
					round_trips(sh, locales[l], strs[f], &got);
				}
			}
		}
		if (!TAP_OK(bad == NSTRINGS, "%s: printf %%s <sh_quoted(s)> prints s for %d strings",
			    sh->name, NSTRINGS)) {
			cleanup_free char *h = hex(strs[bad]);
			printf("#   first failure: string %zu, LC_ALL=%s\n#   s (hex):   %s\n#   got (hex): %s\n",
			       bad, bad_locale, h, got ? got : "(same output alone)");
		}
		free(got);
	}

	/* Command substitution inside a quoted word never runs. */
	cleanup_free char *canary = xasprintf("/tmp/boxwrap-canary-%ld", (long)getpid());
	unlink(canary);
	cleanup_free char *s1 = xasprintf("$(touch %s)", canary);
	cleanup_free char *s2 = xasprintf("`touch %s`'$(touch %s)'\"$(touch %s)\"", canary, canary, canary);
	cleanup_free char *s3 = xasprintf("';touch %s;'", canary);
	const char *canaries[] = {s1, s2, s3};
	bool all_printed = true;
	for (size_t s = 0; s < sizeof(shells) / sizeof(*shells); s++)
		if (shells[s].path && access(shells[s].path, X_OK) == 0)
			for (size_t i = 0; i < 3; i++)
				all_printed &= round_trips(&shells[s], "C", canaries[i], NULL);
	struct stat st;
	bool created = lstat(canary, &st) == 0;
	TAP_OK(all_printed && !created, "quoted $(touch CANARY), backticks and quote breaks print, run nothing%s",
	       created ? " (CANARY CREATED)" : "");
	unlink(canary);

	for (size_t i = 0; i < NSTRINGS; i++)
		free(strs[i]);
	return tap_done();
}
