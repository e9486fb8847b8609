/* probe CASE...: try one syscall per CASE and print "CASE RESULT".
 *
 * In the style of Flatpak's and bubblewrap's tests/try-syscall.c: each case
 * passes a bad fd (-1), a bad pointer ((void *)1) or invalid flags, so an
 * allowed call fails harmlessly (EBADF, EFAULT, EINVAL...) and a blocked one
 * returns the seccomp filter's errno.  Each case runs in a forked child, so
 * one that succeeds (unshare CLONE_NEWUSER, personality 6) or is killed
 * (x32 SIGSYS) cannot affect the next.
 *
 * RESULT is "0" on success, an errno name (EPERM), a signal name if the
 * child was killed (SIGSYS), or ENOENT if the case does not exist on this
 * ABI.  Exit status: the last case's errno, 128+signal if it was killed.
 * `probe --list` prints every case name. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Numbers missing from older headers (new syscalls share one number on all
 * the ABIs we build for; see lib/seccomp.c). */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

#define BAD ((void *)1)
/* Marks "this ABI has no such call"; reported as ENOENT like try-syscall. */
#define NOT_HERE (-2)

/* Returns the raw syscall result; errno is read by the caller. */
typedef long (*case_fn)(long arg);

static long
ret_enoent(void)
{
	errno = ENOENT;
	return NOT_HERE;
}

/* ---- ioctl: terminal injection (S1-S3) --------------------------------- */

static long c_tiocsti(long a) { (void)a; return syscall(__NR_ioctl, -1, TIOCSTI, BAD); }
static long c_tiocnotty(long a) { (void)a; return syscall(__NR_ioctl, -1, TIOCNOTTY); }
static long c_tioclinux(long a) { (void)a; return syscall(__NR_ioctl, -1, TIOCLINUX, BAD); }

/* CVE-2019-10063: the kernel truncates cmd to 32 bits, seccomp does not. */
static long
c_high_bits(long cmd)
{
	if (sizeof(unsigned long) < 8)
		return ret_enoent();
	/* ULL: no shift past a 32-bit long's width (armhf, i386 builds). */
	return syscall(__NR_ioctl, -1, (unsigned long)cmd | (unsigned long)(0x123ULL << 32), BAD);
}

/* Real injection into the controlling terminal on fd 0 (for the pty test). */
static long
c_tty_tiocsti(long a)
{
	static const char text[] = "echo INJECTED\n";

	(void)a;
	for (const char *p = text; *p; p++)
		if (syscall(__NR_ioctl, 0, TIOCSTI, p) < 0)
			return -1;
	return 0;
}

/* ---- filesystem and mount API (S4) -------------------------------------- */

static long
c_chmod(long a)
{
	(void)a;
#ifdef __NR_chmod
	return syscall(__NR_chmod, BAD, 0700);
#else
	return syscall(__NR_fchmodat, AT_FDCWD, BAD, 0700, 0);
#endif
}

static long c_chroot(long a) { (void)a; return syscall(__NR_chroot, BAD); }
static long c_mount(long a) { (void)a; return syscall(__NR_mount, BAD, BAD, BAD, 0, NULL); }
static long c_umount2(long a) { (void)a; return syscall(__NR_umount2, BAD, 0); }
static long c_pivot_root(long a) { (void)a; return syscall(__NR_pivot_root, BAD, BAD); }
static long c_clone3(long a) { (void)a; return syscall(__NR_clone3, BAD, 64); }
static long c_open_tree(long a) { (void)a; return syscall(__NR_open_tree, -1, BAD, 0); }
static long c_move_mount(long a) { (void)a; return syscall(__NR_move_mount, -1, BAD, -1, BAD, 0); }
static long c_fsopen(long a) { (void)a; return syscall(__NR_fsopen, BAD, 0); }
static long c_fsconfig(long a) { (void)a; return syscall(__NR_fsconfig, -1, 0, BAD, NULL, 0); }
static long c_fsmount(long a) { (void)a; return syscall(__NR_fsmount, -1, 0, 0); }
static long c_fspick(long a) { (void)a; return syscall(__NR_fspick, -1, BAD, 0); }
static long c_mount_setattr(long a) { (void)a; return syscall(__NR_mount_setattr, -1, BAD, 0, BAD, 32); }
static long c_open_tree_attr(long a) { (void)a; return syscall(__NR_open_tree_attr, -1, BAD, 0, BAD, 32); }

/* ---- namespaces (S4, S5) ------------------------------------------------ */

static long c_setns(long a) { (void)a; return syscall(__NR_setns, -1, 0); }

/* 0x1 is a CSIGNAL bit, never a valid unshare flag: EINVAL when allowed. */
static long c_unshare(long a) { (void)a; return syscall(__NR_unshare, 0x1); }

/* Really creates a user namespace (only this forked child is affected). */
static long c_unshare_newuser(long a) { (void)a; return syscall(__NR_unshare, CLONE_NEWUSER); }

/* Really clones into a new user namespace; the child exits at once. */
static long
c_clone_newuser(long a)
{
	long pid;
	int status;

	(void)a;
#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
	pid = syscall(__NR_clone, 0, CLONE_NEWUSER | SIGCHLD);
#else
	pid = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
#endif
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	waitpid((pid_t)pid, &status, 0);
	return 0;
}

/* ---- sockets (S6) ------------------------------------------------------- */

static long
c_socket(long family)
{
	long fd = syscall(__NR_socket, family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? -1 : 0;
}

/* ---- debugging and misc kernel interfaces (S8, S9) ---------------------- */

static long c_ptrace(long a) { (void)a; return syscall(__NR_ptrace, 2 /* PEEKDATA */, 0, NULL, NULL); }
static long c_perf(long a) { (void)a; return syscall(__NR_perf_event_open, BAD, 0, -1, -1, 0); }
static long c_personality(long p) { return syscall(__NR_personality, (unsigned long)(unsigned int)p); }
static long c_keyctl(long a) { (void)a; return syscall(__NR_keyctl, 0x7fffffff, 0, 0, 0, 0); }
static long c_add_key(long a) { (void)a; return syscall(__NR_add_key, BAD, BAD, NULL, 0, 0); }
static long c_request_key(long a) { (void)a; return syscall(__NR_request_key, BAD, BAD, NULL, 0); }
static long c_syslog(long a) { (void)a; return syscall(__NR_syslog, 10 /* SIZE_BUFFER */, NULL, 0); }
static long c_acct(long a) { (void)a; return syscall(__NR_acct, BAD); }
static long c_quotactl(long a) { (void)a; return syscall(__NR_quotactl, 0, BAD, 0, NULL); }
static long c_quotactl_fd(long a) { (void)a; return syscall(__NR_quotactl_fd, -1, 0, 0, NULL); }
static long c_mbind(long a) { (void)a; return syscall(__NR_mbind, BAD, 4096, 0, NULL, 0, 0); }
static long c_get_mempolicy(long a) { (void)a; return syscall(__NR_get_mempolicy, NULL, NULL, 0, NULL, 0xff); }
static long c_set_mempolicy(long a) { (void)a; return syscall(__NR_set_mempolicy, 0xff, NULL, 0); }
static long c_move_pages(long a) { (void)a; return syscall(__NR_move_pages, 0, 1, BAD, NULL, BAD, 0); }
static long c_migrate_pages(long a) { (void)a; return syscall(__NR_migrate_pages, 0, 0, BAD, BAD); }
static long c_io_uring_setup(long a) { (void)a; return syscall(__NR_io_uring_setup, 1, BAD); }
static long c_io_uring_enter(long a) { (void)a; return syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0); }
static long c_io_uring_register(long a) { (void)a; return syscall(__NR_io_uring_register, -1, 0, NULL, 0); }
static long c_bpf(long a) { (void)a; return syscall(__NR_bpf, 0xffff, NULL, 0); }
static long c_userfaultfd(long a) { (void)a; return syscall(__NR_userfaultfd, 0xffffffffUL); }
static long c_kexec_load(long a) { (void)a; return syscall(__NR_kexec_load, 0, 0, NULL, 0xffffffffUL); }
static long c_init_module(long a) { (void)a; return syscall(__NR_init_module, BAD, 0, BAD); }
static long c_finit_module(long a) { (void)a; return syscall(__NR_finit_module, -1, BAD, 0); }
static long c_delete_module(long a) { (void)a; return syscall(__NR_delete_module, BAD, 0); }
/* Bad magic: EINVAL even if some day run with CAP_SYS_BOOT. */
static long c_reboot(long a) { (void)a; return syscall(__NR_reboot, 0, 0, 0, NULL); }
static long c_swapon(long a) { (void)a; return syscall(__NR_swapon, BAD, 0); }
static long c_swapoff(long a) { (void)a; return syscall(__NR_swapoff, BAD); }
static long c_open_by_handle_at(long a) { (void)a; return syscall(__NR_open_by_handle_at, -1, BAD, 0); }

#ifdef __NR_uselib
static long c_uselib(long a) { (void)a; return syscall(__NR_uselib, BAD); }
#else
static long c_uselib(long a) { (void)a; return ret_enoent(); }
#endif

#if defined(__x86_64__) || defined(__i386__)
/* modify_ldt returns an int truncated to 32 bits (-EINVAL arrives as
 * 0xffffffea), so glibc's syscall() does not see an error; decode it here.
 * A wrong bytecount is EINVAL when allowed. */
static long
c_modify_ldt(long a)
{
	long r = syscall(__NR_modify_ldt, 1, BAD, 1);

	(void)a;
	if (r >= 0 && (int)r < 0) {
		errno = -(int)r;
		return -1;
	}
	return r;
}
/* Levels above 3 and ranges past the bitmap are EINVAL: never granted. */
static long c_iopl(long a) { (void)a; return syscall(__NR_iopl, 4); }
static long c_ioperm(long a) { (void)a; return syscall(__NR_ioperm, 0xffff0000UL, 1, 0); }
#else
static long c_modify_ldt(long a) { (void)a; return ret_enoent(); }
static long c_iopl(long a) { (void)a; return ret_enoent(); }
static long c_ioperm(long a) { (void)a; return ret_enoent(); }
#endif

/* ---- other ABIs on x86_64 (S7) ------------------------------------------ */

#if defined(__x86_64__) && !defined(__ILP32__)
/* x32 numbering (bit 30) on the x86_64 entry point: not in any filter, so
 * seccomp's bad-arch action must kill the process. */
static long
c_x32_chroot(long a)
{
	long ret;

	(void)a;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(0x40000000L | 161), "D"(BAD)
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static long
i386_call(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b)
			 : "r8", "r9", "r10", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static long c_i386_getpid(long a) { (void)a; return i386_call(20, 0, 0) < 0 ? -1 : 0; }
static long c_i386_chroot(long a) { (void)a; return i386_call(61, 1, 0); }

/* socketcall(SYS_SOCKET, {AF_UNIX, SOCK_DGRAM, 0}): the args must sit below
 * 4 GiB for the 32-bit ABI. */
static long
c_i386_socketcall(long a)
{
	unsigned *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long fd;

	(void)a;
	if (args == MAP_FAILED)
		return -1;
	args[0] = AF_UNIX;
	args[1] = SOCK_DGRAM;
	args[2] = 0;
	fd = i386_call(102, 1 /* SYS_SOCKET */, (long)(unsigned long)args);
	return fd < 0 ? -1 : 0;
}
#else
static long c_x32_chroot(long a) { (void)a; return ret_enoent(); }
static long c_i386_getpid(long a) { (void)a; return ret_enoent(); }
static long c_i386_chroot(long a) { (void)a; return ret_enoent(); }
static long c_i386_socketcall(long a) { (void)a; return ret_enoent(); }
#endif

/* ---- table ---------------------------------------------------------------- */

struct probe_case {
	const char *name;
	case_fn fn;
	long arg;
};

static const struct probe_case cases[] = {
	{ "ioctl TIOCSTI", c_tiocsti, 0 },
	{ "ioctl TIOCSTI CVE-2019-10063", c_high_bits, TIOCSTI },
	{ "ioctl TIOCLINUX", c_tioclinux, 0 },
	{ "ioctl TIOCLINUX CVE-2019-10063", c_high_bits, TIOCLINUX },
	{ "ioctl TIOCNOTTY", c_tiocnotty, 0 },
	{ "tty TIOCSTI", c_tty_tiocsti, 0 },
	{ "chmod", c_chmod, 0 },
	{ "chroot", c_chroot, 0 },
	{ "mount", c_mount, 0 },
	{ "umount2", c_umount2, 0 },
	{ "pivot_root", c_pivot_root, 0 },
	{ "clone3", c_clone3, 0 },
	{ "open_tree", c_open_tree, 0 },
	{ "open_tree_attr", c_open_tree_attr, 0 },
	{ "move_mount", c_move_mount, 0 },
	{ "fsopen", c_fsopen, 0 },
	{ "fsconfig", c_fsconfig, 0 },
	{ "fsmount", c_fsmount, 0 },
	{ "fspick", c_fspick, 0 },
	{ "mount_setattr", c_mount_setattr, 0 },
	{ "setns", c_setns, 0 },
	{ "unshare", c_unshare, 0 },
	{ "unshare CLONE_NEWUSER", c_unshare_newuser, 0 },
	{ "clone CLONE_NEWUSER", c_clone_newuser, 0 },
	{ "ptrace", c_ptrace, 0 },
	{ "perf_event_open", c_perf, 0 },
	{ "keyctl", c_keyctl, 0 },
	{ "add_key", c_add_key, 0 },
	{ "request_key", c_request_key, 0 },
	{ "syslog", c_syslog, 0 },
	{ "acct", c_acct, 0 },
	{ "quotactl", c_quotactl, 0 },
	{ "quotactl_fd", c_quotactl_fd, 0 },
	{ "uselib", c_uselib, 0 },
	{ "mbind", c_mbind, 0 },
	{ "get_mempolicy", c_get_mempolicy, 0 },
	{ "set_mempolicy", c_set_mempolicy, 0 },
	{ "move_pages", c_move_pages, 0 },
	{ "migrate_pages", c_migrate_pages, 0 },
	{ "modify_ldt", c_modify_ldt, 0 },
	{ "io_uring_setup", c_io_uring_setup, 0 },
	{ "io_uring_enter", c_io_uring_enter, 0 },
	{ "io_uring_register", c_io_uring_register, 0 },
	{ "bpf", c_bpf, 0 },
	{ "userfaultfd", c_userfaultfd, 0 },
	{ "kexec_load", c_kexec_load, 0 },
	{ "init_module", c_init_module, 0 },
	{ "finit_module", c_finit_module, 0 },
	{ "delete_module", c_delete_module, 0 },
	{ "reboot", c_reboot, 0 },
	{ "swapon", c_swapon, 0 },
	{ "swapoff", c_swapoff, 0 },
	{ "iopl", c_iopl, 0 },
	{ "ioperm", c_ioperm, 0 },
	{ "open_by_handle_at", c_open_by_handle_at, 0 },
	{ "x32 chroot", c_x32_chroot, 0 },
	{ "i386 getpid", c_i386_getpid, 0 },
	{ "i386 chroot", c_i386_chroot, 0 },
	{ "i386 socketcall", c_i386_socketcall, 0 },
};

/* "socket N" and "personality N" take a number. */
static const struct {
	const char *prefix;
	case_fn fn;
} numbered[] = {
	{ "socket ", c_socket },
	{ "personality ", c_personality },
};

static const struct {
	int no;
	const char *name;
} errnos[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
	E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(ENOSPC), E(ESPIPE), E(EROFS),
	E(ENOSYS), E(ENOTSUP), E(EOPNOTSUPP), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EPROTOTYPE),
	E(ECONNREFUSED), E(EUSERS), E(ENOKEY), E(EDQUOT), E(EOVERFLOW),
	E(ENOPKG), E(ENAMETOOLONG), E(ERANGE), E(ENOEXEC),
#undef E
};

/* The signals a probe can die of, by name: sigabbrev_np() is glibc's
 * (2.32 and later), and musl has no such function. */
static const char *
signal_name(int sig)
{
	static const struct {
		int no;
		const char *name;
	} signals[] = {
#define S(x) { x, #x }
		S(SIGSYS), S(SIGKILL), S(SIGSEGV), S(SIGBUS), S(SIGABRT), S(SIGILL),
		S(SIGFPE), S(SIGTERM), S(SIGINT), S(SIGHUP), S(SIGPIPE), S(SIGTRAP),
#undef S
	};
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		if (signals[i].no == sig)
			return signals[i].name;
	return "SIGUNKNOWN";
}

static void
print_result(const char *name, int status)
{
	if (WIFSIGNALED(status)) {
		printf("%s %s\n", name, signal_name(WTERMSIG(status)));
		return;
	}
	int e = WEXITSTATUS(status);
	for (size_t i = 0; e && i < sizeof errnos / sizeof errnos[0]; i++) {
		if (errnos[i].no == e) {
			printf("%s %s\n", name, errnos[i].name);
			return;
		}
	}
	printf(e ? "%s E%d\n" : "%s 0\n", name, e);
}

static bool
find_case(const char *name, case_fn *fn, long *arg)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(cases[i].name, name) == 0) {
			*fn = cases[i].fn;
			*arg = cases[i].arg;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof numbered / sizeof numbered[0]; i++) {
		size_t n = strlen(numbered[i].prefix);
		char *end;

		if (strncmp(name, numbered[i].prefix, n) != 0 || !name[n])
			continue;
		errno = 0;
		*arg = (long)strtoul(name + n, &end, 0);
		if (errno || *end)
			return false;
		*fn = numbered[i].fn;
		return true;
	}
	return false;
}

/* Forked so a case that changes the process (new userns, personality) or
 * gets killed (SIGSYS) leaves the others alone.  The child reports errno as
 * its exit status. */
static int
run_case(case_fn fn, long arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("probe: fork");
		exit(125);
	}
	if (pid == 0) {
		errno = 0;
		long r = fn(arg);
		_exit(r < 0 ? (errno ? errno : 255) : 0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("probe: waitpid");
			exit(125);
		}
	}
	return status;
}

int
main(int argc, char **argv)
{
	int last = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			printf("%s\n", cases[i].name);
		printf("socket N\npersonality N\n");
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: probe CASE... | probe --list\n");
		return 125;
	}
	for (int i = 1; i < argc; i++) {
		case_fn fn;
		long arg;

		if (!find_case(argv[i], &fn, &arg)) {
			fprintf(stderr, "probe: unknown case '%s'\n", argv[i]);
			return 125;
		}
		int status = run_case(fn, arg);
		print_result(argv[i], status);
		last = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
					   : WEXITSTATUS(status);
	}
	return last;
}
