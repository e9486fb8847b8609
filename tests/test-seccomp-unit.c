/* Unit tests for lib/seccomp.c; prints TAP.
 *
 * The golden PFC dump of the default variant lives in
 * tests/data/seccomp-default.pfc (path overridable with SECCOMP_GOLDEN; the
 * test runs from the top of the tree).  After a deliberate policy change,
 * regenerate it with `test-seccomp-unit --update` or
 * BOXWRAP_UPDATE_GOLDEN=1, and review the diff. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* libseccomp's header shares our header's name: never build with -Ilib. */
#include <seccomp.h>
#ifndef SCMP_VER_MAJOR
#error "<seccomp.h> resolved to lib/seccomp.h: use -iquote lib, not -Ilib"
#endif

#include "../lib/seccomp.h"
#include "tap.h"

#define GOLDEN_DEFAULT "tests/data/seccomp-default.pfc"

static struct seccomp_opts
opts_from_bits(unsigned bits, int sentinel)
{
	struct seccomp_opts o = {
		.devel = bits & 1,
		.multiarch = bits & 2,
		.bluetooth = bits & 4,
		.canbus = bits & 8,
		.nested_sandbox = bits & 16,
		.sentinel_errno = sentinel,
	};
	return o;
}

static bool
opts_equal(const struct seccomp_opts *a, const struct seccomp_opts *b)
{
	return a->devel == b->devel && a->multiarch == b->multiarch &&
	       a->bluetooth == b->bluetooth && a->canbus == b->canbus &&
	       a->nested_sandbox == b->nested_sandbox &&
	       a->sentinel_errno == b->sentinel_errno;
}

/* Reads a whole fd from offset 0 into a NUL-terminated malloc'd buffer. */
static char *
slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf || lseek(fd, 0, SEEK_SET) != 0) {
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *nb = realloc(buf, (cap *= 2) + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *
slurp_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = slurp_fd(fd, NULL);
	close(fd);
	return s;
}

/* The PFC dump of a variant, or NULL (after a failing TAP line). */
static char *
pfc_of(const struct seccomp_opts *o)
{
	int fd = memfd_create("pfc", MFD_CLOEXEC);
	char *err = NULL, *s = NULL;

	if (fd < 0)
		return NULL;
	if (seccomp_write_pfc(o, fd, &err) == 0)
		s = slurp_fd(fd, NULL);
	else
		TAP_OK(0, "PFC export of %s: %s", seccomp_variant_name(o), err);
	free(err);
	close(fd);
	return s;
}

/* ---- variant names ------------------------------------------------------- */

static void
test_variant_names(void)
{
	static const int sentinels[] = { 0, ECONNREFUSED, EIO };
	struct seccomp_opts o, back;
	unsigned bad = 0;

	for (unsigned bits = 0; bits < 32; bits++) {
		for (size_t s = 0; s < 3; s++) {
			o = opts_from_bits(bits, sentinels[s]);
			const char *name = seccomp_variant_name(&o);
			if (seccomp_variant_parse(name, &back) != 0 ||
			    !opts_equal(&o, &back)) {
				printf("# round trip failed for '%s'\n", name);
				bad++;
			}
		}
	}
	TAP_OK(bad == 0, "variant name round trip for all 96 combinations");

	o = opts_from_bits(0, 0);
	TAP_STREQ(seccomp_variant_name(&o), "default", "no knobs is 'default'");
	o = opts_from_bits(1 | 2 | 16, 0);
	TAP_STREQ(seccomp_variant_name(&o), "devel+multiarch+nested-sandbox",
		  "knobs joined by + in fixed order");
	o = opts_from_bits(0, ECONNREFUSED);
	TAP_STREQ(seccomp_variant_name(&o), "sentinel", "ECONNREFUSED is 'sentinel'");
	o = opts_from_bits(4, EIO);
	TAP_STREQ(seccomp_variant_name(&o), "bluetooth+sentinel-5",
		  "other sentinel errnos are spelled out");

	TAP_OK(seccomp_variant_parse("canbus+devel", &o) == 0 &&
		       strcmp(seccomp_variant_name(&o), "devel+canbus") == 0,
	       "parse accepts any order, name is canonical");

	static const char *const invalid[] = {
		"", "Default", "devel+devel", "devel+", "+devel", "devel++canbus",
		"default+devel", "nested_sandbox", "sentinel-0", "sentinel-01",
		"sentinel-99999", "sentinel+sentinel-5", "devel canbus", "x",
	};
	bad = 0;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		o = opts_from_bits(1, 0);
		if (seccomp_variant_parse(invalid[i], &o) == 0) {
			printf("# accepted invalid name '%s'\n", invalid[i]);
			bad++;
		} else if (!o.devel) {
			printf("# '%s' clobbered the output on failure\n", invalid[i]);
			bad++;
		}
	}
	TAP_OK(bad == 0, "parse rejects malformed names and leaves *o alone");
}

/* ---- policy review ------------------------------------------------------- */

/* Every syscall libseccomp names for ARCH has a decision in the policy. */
static void
check_arch_classified(uint32_t arch, const char *arch_name)
{
	unsigned unreviewed = 0, conflicts = 0, known = 0;

	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		if (!name)
			continue;
		known++;
		switch (seccomp_classify(name)) {
		case SECCOMP_CLASS_UNREVIEWED:
			printf("# %s: syscall %s (%d) has no decision: add it to "
			       "deny_rules[] or reviewed_allow[] in lib/seccomp.c\n",
			       arch_name, name, nr);
			unreviewed++;
			break;
		case SECCOMP_CLASS_CONFLICT:
			printf("# %s: syscall %s is both denied and allowed\n",
			       arch_name, name);
			conflicts++;
			break;
		default:
			break;
		}
		free(name);
	}
	const struct scmp_version *v = seccomp_version();
	TAP_OK(known > 200 && unreviewed == 0 && conflicts == 0,
	       "all %u syscalls libseccomp %u.%u.%u knows for %s are classified",
	       known, v->major, v->minor, v->micro, arch_name);
}

static bool
known_somewhere(const char *name)
{
	static const uint32_t arches[] = {
		SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,
	};

	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
			return true;
	return false;
}

/* The tables hold no typos and the fallback numbers agree with libseccomp
 * where it does know the call (e.g. after an upgrade). */
static void
test_tables_honest(void)
{
	unsigned bad = 0, n = 0;
	const char *name;
	int nr;

	for (unsigned i = 0; (name = seccomp_policy_name(i, &nr)); i++, n++) {
		int lib = seccomp_syscall_resolve_name(name);
		if (nr >= 0 && lib != __NR_SCMP_ERROR && lib != nr) {
			printf("# %s: fallback number %d, libseccomp says %d\n",
			       name, nr, lib);
			bad++;
		} else if (nr < 0 && !known_somewhere(name)) {
			printf("# %s: unknown to libseccomp and has no number\n", name);
			bad++;
		} else if (seccomp_classify(name) == SECCOMP_CLASS_CONFLICT) {
			printf("# %s: both denied and allowed\n", name);
			bad++;
		}
	}
	TAP_OK(n > 300 && bad == 0, "all %u policy table entries name real syscalls", n);
	TAP_OK(seccomp_classify("open_tree_attr") == SECCOMP_CLASS_DENY &&
		       seccomp_classify("io_uring_setup") == SECCOMP_CLASS_DENY &&
		       seccomp_classify("read") == SECCOMP_CLASS_ALLOW &&
		       seccomp_classify("no_such_call") == SECCOMP_CLASS_UNREVIEWED,
	       "classify spot checks");
}

static void
test_policy_review(void)
{
	const struct scmp_version *v = seccomp_version();
	/* Which syscall table the review ran against: libseccomp's own. */
	printf("# libseccomp %u.%u.%u (built against %d.%d.%d), API level %u\n",
	       v->major, v->minor, v->micro, SCMP_VER_MAJOR, SCMP_VER_MINOR,
	       SCMP_VER_MICRO, seccomp_api_get());
	check_arch_classified(seccomp_arch_native(), "native arch");
	/* The compat ABI the multiarch knob adds needs decisions too. */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		check_arch_classified(SCMP_ARCH_X86, "x86 (multiarch)");
	else if (seccomp_arch_native() == SCMP_ARCH_AARCH64)
		check_arch_classified(SCMP_ARCH_ARM, "arm (multiarch)");
	else
		TAP_OK(1, "# SKIP no compat arch on this machine");
	test_tables_honest();
}

/* ---- golden PFC ----------------------------------------------------------- */

/* The ABIs the policy tables were written for, as libseccomp's PFC dump
 * names them; NULL elsewhere. */
static const char *
arch_label(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "x86_64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_AARCH64:
		return "aarch64";
	case SCMP_ARCH_ARM:
		return "arm";
	default:
		return NULL;
	}
}

/* One golden dump per native ABI: the x86_64 one keeps its historic name. */
static char *
golden_path(const char *arch)
{
	const char *env = getenv("SECCOMP_GOLDEN");
	char *s = NULL;

	if (env)
		return strdup(env);
	if (strcmp(arch, "x86_64") == 0)
		return strdup(GOLDEN_DEFAULT);
	if (asprintf(&s, "tests/data/seccomp-default-%s.pfc", arch) < 0)
		return NULL;
	return s;
}

static char *
golden_header(const char *arch)
{
	const struct scmp_version *v = seccomp_version();
	char *s = NULL;

	if (asprintf(&s, "# boxwrap seccomp variant 'default', %s, "
		     "libseccomp %u.%u.%u\n", arch, v->major, v->minor, v->micro) < 0)
		return NULL;
	return s;
}

static int
write_golden(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;

	if (fd >= 0 && close(fd) < 0)
		ok = false;
	return ok ? 0 : -1;
}

static void
test_golden(bool update)
{
	const char *arch = arch_label(seccomp_arch_native());
	struct seccomp_opts o = { 0 };
	char *head, *pfc, *want, *got = NULL, *path;

	if (!arch) {
		TAP_OK(1, "# SKIP golden PFCs are recorded for x86_64, x86, aarch64 and arm");
		return;
	}
	path = golden_path(arch);
	head = golden_header(arch);
	pfc = pfc_of(&o);
	if (!head || !pfc || asprintf(&got, "%s%s", head, pfc) < 0)
		got = NULL;
	if (got && update) {
		TAP_OK(write_golden(path, got) == 0, "wrote golden %s", path);
	} else if (got) {
		want = slurp_path(path);
		if (want && strncmp(want, head, strlen(head)) != 0) {
			TAP_OK(1, "# SKIP %s was made with another libseccomp or arch "
			       "(want header: %.*s)", path,
			       (int)strlen(head) - 1, head);
		} else {
			TAP_OK(want && strcmp(want, got) == 0,
			       "default PFC matches %s (regenerate: "
			       "test-seccomp-unit --update)", path);
			if (want && strcmp(want, got) != 0)
				printf("# got:\n%s", got);
		}
		free(want);
	} else {
		TAP_OK(0, "PFC export of the default variant");
	}
	free(got);
	free(pfc);
	free(head);
	free(path);
}

/* ---- what each knob changes (on the readable PFC) ------------------------ */

static bool
has_rule(const char *pfc, const char *sys)
{
	char needle[96];

	snprintf(needle, sizeof needle, "filter for syscall \"%s\"", sys);
	return strstr(pfc, needle) != NULL;
}

/* Whether the PFC dump compares argument A with OP, e.g. "$a0" ">= 17". */
static bool
has_cmp(const char *pfc, const char *a, const char *op)
{
	char needle[64];

	snprintf(needle, sizeof needle, "(%s %s)", a, op);
	return strstr(pfc, needle) != NULL;
}

static unsigned
count_arches(const char *pfc)
{
	unsigned n = 0;

	for (const char *p = pfc; (p = strstr(p, "# filter for arch ")); p++)
		n++;
	return n;
}

/* multiarch adds the compat ABI of the native one: i386 on x86_64
 * (AUDIT_ARCH_I386), 32-bit arm on aarch64 (AUDIT_ARCH_ARM); elsewhere there
 * is none and the knob only lifts modify_ldt where that exists. */
static void
test_multiarch(const char *def, const char *multi)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		TAP_OK(strstr(multi, "filter for arch x86 ") && !has_rule(multi, "modify_ldt") &&
			       !strstr(def, "filter for arch x86 ") && has_rule(def, "modify_ldt") &&
			       strstr(multi, "\"socketcall\""),
		       "multiarch adds x86 (socketcall blocked), lifts modify_ldt");
		break;
	case SCMP_ARCH_AARCH64:
		/* arm64 and arm have no modify_ldt; arm's EABI has direct
		 * socket calls, so the family rules need no socketcall. */
		TAP_OK(strstr(multi, "filter for arch arm ") && !strstr(def, "filter for arch arm ") &&
			       !has_rule(def, "modify_ldt") && !has_rule(multi, "modify_ldt") &&
			       has_rule(multi, "socket"),
		       "multiarch adds arm (AUDIT_ARCH_ARM) with the socket family rules");
		break;
	default:
		TAP_OK(count_arches(def) == 1 && count_arches(multi) == 1 &&
			       !has_rule(multi, "modify_ldt"),
		       "multiarch adds no ABI on %s (no compat ABI)",
		       arch_label(seccomp_arch_native()) ? arch_label(seccomp_arch_native()) : "this arch");
		break;
	}
}

static void
test_knobs(void)
{
	struct seccomp_opts o = { 0 };
	char *def = pfc_of(&o);
	o.devel = true;
	char *devel = pfc_of(&o);
	o = (struct seccomp_opts){ .nested_sandbox = true };
	char *nested = pfc_of(&o);
	o = (struct seccomp_opts){ .multiarch = true };
	char *multi = pfc_of(&o);
	o = (struct seccomp_opts){ .bluetooth = true, .canbus = true };
	char *bt = pfc_of(&o);

	if (!def || !devel || !nested || !multi || !bt) {
		TAP_OK(0, "PFC export of the knob variants");
		goto out;
	}
	TAP_OK(has_rule(def, "ptrace") && has_rule(def, "perf_event_open") &&
		       has_rule(def, "personality") && !has_rule(devel, "ptrace") &&
		       !has_rule(devel, "perf_event_open") &&
		       !has_rule(devel, "personality") && has_rule(devel, "keyctl"),
	       "devel lifts exactly ptrace, perf_event_open, personality");
	TAP_OK(!has_rule(nested, "mount") && !has_rule(nested, "unshare") &&
		       !has_rule(nested, "clone") && !has_rule(nested, "chroot") &&
		       !has_rule(nested, "pivot_root") && !has_rule(nested, "umount2") &&
		       has_rule(nested, "setns") && has_rule(nested, "fsopen") &&
		       has_rule(nested, "clone3") && has_rule(nested, "ioctl") &&
		       has_rule(nested, "io_uring_setup") && has_rule(nested, "ptrace"),
	       "nested-sandbox lifts namespaces/mount(2), keeps the rest");
	test_multiarch(def, multi);
	TAP_OK(strstr(def, "action KILL_PROCESS;") && strstr(multi, "action KILL_PROCESS;") &&
		       !strstr(def, "x32"),
	       "other ABIs (x32) hit the KILL_PROCESS bad-arch action");
	/* PFC names 64-bit arguments' halves ($a0.lo32), 32-bit ones whole. */
	const char *a0 = sizeof(long) == 8 ? "$a0.lo32" : "$a0";
	TAP_OK(has_cmp(def, a0, ">= 17") && has_cmp(bt, a0, ">= 32") &&
		       has_cmp(bt, a0, "== 30") && !has_cmp(bt, a0, "== 29"),
	       "socket family allow-list grows by canbus/bluetooth only");
	TAP_OK(strstr(def, "if ($syscall == 467)") && strstr(def, "ERRNO(38)"),
	       "open_tree_attr is denied by number (467) with ENOSYS");
out:
	free(def);
	free(devel);
	free(nested);
	free(multi);
	free(bt);
}

/* ---- the sealed memfd ---------------------------------------------------- */

static void
test_build_fd(void)
{
	struct seccomp_opts o = { 0 };
	char *err = NULL, link[64], target[256] = "";
	struct stat st;
	int fd = seccomp_build_fd(&o, &err);

	if (!TAP_OK(fd >= 0, "seccomp_build_fd succeeds (%s)", err ? err : "no error")) {
		free(err);
		return;
	}
	int seals = fcntl(fd, F_GET_SEALS);
	int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	TAP_OK(seals >= 0 && (seals & want) == want, "memfd sealed (seals 0x%x)", seals);
	TAP_OK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "memfd has FD_CLOEXEC");
	TAP_OK(lseek(fd, 0, SEEK_CUR) == 0, "memfd positioned at 0");
	if (fstat(fd, &st) < 0)
		st.st_size = -1;
	TAP_OK(st.st_size > 0 && st.st_size % 8 == 0,
	       "size %lld is a non-zero multiple of 8 (struct sock_filter)",
	       (long long)st.st_size);
	bool refused = write(fd, "x", 1) < 0 && errno == EPERM;
	TAP_OK(refused, "memfd refuses writes");
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	TAP_OK(strncmp(target, "/memfd:boxwrap-seccomp", 22) == 0,
	       "fd is a memfd, no path on disk (%s)", target);

	int ref = memfd_create("ref", MFD_CLOEXEC);
	size_t a = 0, b = 0;
	char *mine = slurp_fd(fd, &a), *theirs = NULL;
	if (ref >= 0 && seccomp_write_bpf(&o, ref, &err) == 0)
		theirs = slurp_fd(ref, &b);
	TAP_OK(mine && theirs && a == b && memcmp(mine, theirs, a) == 0,
	       "memfd holds the same program as seccomp_write_bpf");
	free(mine);
	free(theirs);
	if (ref >= 0)
		close(ref);
	close(fd);
	free(err);
}

static void
test_errors(void)
{
	struct seccomp_opts o = { .sentinel_errno = 70000 };
	char *err = NULL;
	int fd = seccomp_build_fd(&o, &err);

	TAP_OK(fd == -1 && err && strstr(err, "sentinel"),
	       "bad options fail with a message (%s)", err ? err : "none");
	free(err);
	err = NULL;
	bool failed = seccomp_write_bpf(&(struct seccomp_opts){ 0 }, -1, &err) == -1;
	TAP_OK(failed && err, "export to a bad fd fails with a message (%s)",
	       err ? err : "none");
	free(err);
}

static void
test_all_variants_compile(void)
{
	unsigned bad = 0;

	for (unsigned bits = 0; bits < 32; bits++) {
		struct seccomp_opts o = opts_from_bits(bits, bits & 1 ? ECONNREFUSED : 0);
		char *err = NULL;
		struct stat st;
		int fd = seccomp_build_fd(&o, &err);

		if (fd < 0 || fstat(fd, &st) < 0 || st.st_size % 8 != 0) {
			printf("# %s: %s\n", seccomp_variant_name(&o), err ? err : "bad size");
			bad++;
		}
		if (fd >= 0)
			close(fd);
		free(err);
	}
	TAP_OK(bad == 0, "all 32 knob combinations compile");
}

/* ---- the program really filters (kernel smoke test, no bwrap) ----------- */

/* qemu-user (pmbootstrap's cross builds) has no seccomp(2): it would filter
 * the emulator, not the guest program.  Nothing can be loaded there. */
#define NO_SECCOMP_SYSCALL 20

/* In a child: load the default program from the memfd, then check one
 * blocked and one allowed call.  Exit 0 on success. */
static int
load_and_probe(int fd)
{
	static struct sock_filter insns[4096];
	struct sock_fprog prog;
	ssize_t n = pread(fd, insns, sizeof insns, 0);

	if (n <= 0 || n % (ssize_t)sizeof insns[0] != 0)
		return 10;
	prog.len = (unsigned short)(n / (ssize_t)sizeof insns[0]);
	prog.filter = insns;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 11;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return errno == ENOSYS ? NO_SECCOMP_SYSCALL : 11;
	if (syscall(__NR_ioctl, -1, TIOCSTI, (void *)1) != -1 || errno != EPERM)
		return 12;
	if (syscall(__NR_ioctl, -1, (unsigned long)(0x1ULL << 32) | TIOCSTI, (void *)1) != -1 ||
	    errno != EPERM)
		return 13;
	if (syscall(__NR_ioctl, -1, TIOCNOTTY) != -1 || errno != EBADF)
		return 14;
	if (syscall(__NR_socket, 40 /* AF_VSOCK */, SOCK_DGRAM, 0) != -1 ||
	    errno != EAFNOSUPPORT)
		return 15;
	return 0;
}

static void
test_kernel_loads(void)
{
	struct seccomp_opts o = { 0 };
	char *err = NULL;
	int fd = seccomp_build_fd(&o, &err), status = -1;
	pid_t pid;

	free(err);
	if (fd < 0) {
		TAP_OK(0, "kernel accepts the default program (no fd)");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(load_and_probe(fd));
	if (pid > 0)
		waitpid(pid, &status, 0);
	close(fd);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == NO_SECCOMP_SYSCALL) {
		TAP_OK(1, "# SKIP seccomp(2) is not implemented here (ENOSYS: qemu-user?)");
		return;
	}
	TAP_OK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "kernel loads the program; TIOCSTI (also high bits) EPERM, "
	       "TIOCNOTTY EBADF, AF_VSOCK EAFNOSUPPORT (status %d)", status);
}

int
main(int argc, char **argv)
{
	const char *env = getenv("BOXWRAP_UPDATE_GOLDEN");
	bool update = (argc > 1 && strcmp(argv[1], "--update") == 0) ||
		      (env && *env && strcmp(env, "0") != 0);

	test_variant_names();
	test_policy_review();
	test_golden(update);
	test_knobs();
	test_build_fd();
	test_errors();
	test_all_variants_compile();
	test_kernel_loads();
	return tap_done();
}
