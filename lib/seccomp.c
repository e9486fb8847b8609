/* The seccomp filter: one policy table, compiled with libseccomp.
 *
 * The filter is a denylist on top of SCMP_ACT_ALLOW, like Flatpak's
 * setup_seccomp(): a superset of Flatpak's rules (same syscalls, same errnos)
 * plus io_uring, open_tree_attr and a few privileged-only calls.  Every
 * syscall libseccomp knows is either denied below or listed in
 * reviewed_allow[], and tests/test-seccomp-unit.c fails on any other name,
 * so a libseccomp upgrade that learns new syscalls forces a decision.
 * doc/seccomp.md explains every rule. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <unistd.h>

/* libseccomp's header has the same name as ours: compile with `-iquote lib`
 * (or no include flag: this file finds "seccomp.h" next to itself), never
 * with -Ilib, which would shadow libseccomp's <seccomp.h>. */
#include <seccomp.h>
#ifndef SCMP_VER_MAJOR
#error "<seccomp.h> resolved to lib/seccomp.h: use -iquote lib, not -Ilib"
#endif

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

/* Knobs that lift a deny rule (a rule applies unless one of its knobs is set). */
enum {
	K_DEVEL = 1 << 0,
	K_MULTIARCH = 1 << 1,
	K_NESTED = 1 << 2,
};

/* Argument filters; every ioctl-number compare is masked to the low 32 bits
 * because the kernel reads cmd as unsigned int but seccomp sees 64 bits
 * (CVE-2019-10063). */
enum arg_match {
	ARG_ANY,
	ARG_CLONE_NEWUSER,   /* (flags & CLONE_NEWUSER) == CLONE_NEWUSER */
	ARG_IOCTL_TIOCSTI,   /* (cmd & 0xffffffff) == TIOCSTI */
	ARG_IOCTL_TIOCLINUX, /* (cmd & 0xffffffff) == TIOCLINUX */
	ARG_PERSONALITY,     /* persona != PER_LINUX */
};

struct deny_rule {
	const char *name;
	int err;          /* EPERM or ENOSYS; the sentinel replaces it */
	unsigned lift;    /* K_* knobs that drop this rule */
	enum arg_match arg;
};

/* Order matters only for the PFC dump (libseccomp sorts by priority anyway).
 * ENOSYS where userspace must fall back to an older call (clone3 -> clone,
 * new mount API -> mount(2), io_uring -> epoll/threads); EPERM elsewhere. */
static const struct deny_rule deny_rules[] = {
	/* Flatpak: kernel log (KASLR leaks), keyring (shared with the host
	 * user, not namespaced), accounting, quota, NUMA, a.out loader. */
	{ "syslog", EPERM, 0, ARG_ANY },
	{ "uselib", EPERM, 0, ARG_ANY },
	{ "acct", EPERM, 0, ARG_ANY },
	{ "quotactl", EPERM, 0, ARG_ANY },
	{ "quotactl_fd", EPERM, 0, ARG_ANY },
	{ "add_key", EPERM, 0, ARG_ANY },
	{ "keyctl", EPERM, 0, ARG_ANY },
	{ "request_key", EPERM, 0, ARG_ANY },
	{ "move_pages", EPERM, 0, ARG_ANY },
	{ "mbind", EPERM, 0, ARG_ANY },
	{ "get_mempolicy", EPERM, 0, ARG_ANY },
	{ "set_mempolicy", EPERM, 0, ARG_ANY },
	{ "set_mempolicy_home_node", EPERM, 0, ARG_ANY },
	{ "migrate_pages", EPERM, 0, ARG_ANY },

	/* Flatpak: no namespaces or mounts, so /.flatpak-info and the view of
	 * the filesystem stay what the launcher built (CVE-2021-41133).  The
	 * nested-sandbox knob lifts what a nested bwrap/Chromium sandbox needs;
	 * setns stays blocked (they only create namespaces, never join). */
	{ "unshare", EPERM, K_NESTED, ARG_ANY },
	{ "setns", EPERM, 0, ARG_ANY },
	{ "mount", EPERM, K_NESTED, ARG_ANY },
	{ "umount", EPERM, K_NESTED, ARG_ANY },
	{ "umount2", EPERM, K_NESTED, ARG_ANY },
	{ "pivot_root", EPERM, K_NESTED, ARG_ANY },
	{ "chroot", EPERM, K_NESTED, ARG_ANY },
	{ "clone", EPERM, K_NESTED, ARG_CLONE_NEWUSER },

	/* Flatpak: seccomp cannot read clone3's flags (they are behind a
	 * pointer) nor constrain the fd-based mount API, so both go; glibc
	 * falls back to clone and the mount tools to mount(2).  Kept even with
	 * nested-sandbox: mount(2) is enough for bwrap and keeps the surface
	 * small.  open_tree_attr (Linux 6.15) and io_uring are our additions:
	 * io_uring runs operations without passing through this filter. */
	{ "clone3", ENOSYS, 0, ARG_ANY },
	{ "open_tree", ENOSYS, 0, ARG_ANY },
	{ "open_tree_attr", ENOSYS, 0, ARG_ANY },
	{ "move_mount", ENOSYS, 0, ARG_ANY },
	{ "fsopen", ENOSYS, 0, ARG_ANY },
	{ "fsconfig", ENOSYS, 0, ARG_ANY },
	{ "fsmount", ENOSYS, 0, ARG_ANY },
	{ "fspick", ENOSYS, 0, ARG_ANY },
	{ "mount_setattr", ENOSYS, 0, ARG_ANY },
	{ "io_uring_setup", ENOSYS, 0, ARG_ANY },
	{ "io_uring_enter", ENOSYS, 0, ARG_ANY },
	{ "io_uring_register", ENOSYS, 0, ARG_ANY },
	/* Ours: listns (Linux 6.19) enumerates namespaces by id, the
	 * fd-less side of setns; no app needs it, and tools fall back to
	 * /proc on ENOSYS. */
	{ "listns", ENOSYS, 0, ARG_ANY },

	/* Flatpak: terminal input injection (CVE-2017-5226) and VT
	 * copy/paste injection (CVE-2023-28100).  Never lifted. */
	{ "ioctl", EPERM, 0, ARG_IOCTL_TIOCSTI },
	{ "ioctl", EPERM, 0, ARG_IOCTL_TIOCLINUX },

	/* Flatpak: LDT is a historic info-leak source; 16-bit code and some
	 * Wine builds need it, hence multiarch. */
	{ "modify_ldt", EPERM, K_MULTIARCH, ARG_ANY },

	/* Flatpak: debugging.  ptrace could bypass seccomp before Linux 4.8,
	 * perf has had many CVEs, odd personalities (READ_IMPLIES_EXEC,
	 * ADDR_NO_RANDOMIZE) weaken the process. */
	{ "ptrace", EPERM, K_DEVEL, ARG_ANY },
	{ "perf_event_open", EPERM, K_DEVEL, ARG_ANY },
	{ "personality", EPERM, K_DEVEL, ARG_PERSONALITY },

	/* Ours: calls that need capabilities the sandbox never has, so denying
	 * them costs nothing and keeps them out of reach if a capability ever
	 * leaks in; plus bpf and userfaultfd, common kernel-exploit helpers
	 * that no desktop app needs. */
	{ "kexec_load", EPERM, 0, ARG_ANY },
	{ "kexec_file_load", EPERM, 0, ARG_ANY },
	{ "init_module", EPERM, 0, ARG_ANY },
	{ "finit_module", EPERM, 0, ARG_ANY },
	{ "delete_module", EPERM, 0, ARG_ANY },
	{ "reboot", EPERM, 0, ARG_ANY },
	{ "swapon", EPERM, 0, ARG_ANY },
	{ "swapoff", EPERM, 0, ARG_ANY },
	{ "iopl", EPERM, 0, ARG_ANY },
	{ "ioperm", EPERM, 0, ARG_ANY },
	{ "open_by_handle_at", EPERM, 0, ARG_ANY },
	{ "bpf", EPERM, 0, ARG_ANY },
	{ "userfaultfd", EPERM, 0, ARG_ANY },
};

/* Syscalls newer than the libseccomp we build against: resolved by number on
 * the native ABI.  Since Linux 5.1 new syscalls share one number on every
 * ABI except alpha, ia64 and mips (offset bases, see Flatpak's
 * flatpak-syscalls-private.h), so one number serves x86_64, i386, aarch64
 * and arm.  On the compat arch of a multiarch filter libseccomp cannot
 * translate an unnamed number, so these stay unfiltered there (documented). */
#if defined(__alpha__) || defined(__ia64__) || defined(_MIPS_SIM) || \
	(defined(__x86_64__) && defined(__ILP32__))
#define NEW_SYSCALL(n) (-1) /* unsupported ABI: never guess a number */
#else
#define NEW_SYSCALL(n) (n)
#endif

struct numbered {
	const char *name;
	int nr;
	int denied;  /* 1: has a deny_rules[] entry; 0: reviewed, allowed */
};

/* Everything up to Linux 7.0 that libseccomp 2.5.4 does not name
 * (libseccomp 2.6.0 names uretprobe, 2.6.1 also uprobe, listns and
 * rseq_slice_yield). */
static const struct numbered by_number[] = {
	/* Only the kernel's uprobe trampolines make them; from anywhere else
	 * the kernel answers with SIGILL. Denying them would break tracing
	 * the app with uprobes from the host (Docker allowed uretprobe for
	 * that reason). */
#if defined(__x86_64__) && !defined(__ILP32__) /* x86_64's alone: nothing to review elsewhere */
	{ "uretprobe", 335, 0 },
	{ "uprobe", 336, 0 },
#endif
	{ "statmount", NEW_SYSCALL(457), 0 },
	{ "listmount", NEW_SYSCALL(458), 0 },
	{ "lsm_get_self_attr", NEW_SYSCALL(459), 0 },
	{ "lsm_set_self_attr", NEW_SYSCALL(460), 0 },
	{ "lsm_list_modules", NEW_SYSCALL(461), 0 },
	{ "mseal", NEW_SYSCALL(462), 0 },
	{ "setxattrat", NEW_SYSCALL(463), 0 },
	{ "getxattrat", NEW_SYSCALL(464), 0 },
	{ "listxattrat", NEW_SYSCALL(465), 0 },
	{ "removexattrat", NEW_SYSCALL(466), 0 },
	{ "open_tree_attr", NEW_SYSCALL(467), 1 },
	{ "file_getattr", NEW_SYSCALL(468), 0 },
	{ "file_setattr", NEW_SYSCALL(469), 0 },
	{ "listns", NEW_SYSCALL(470), 1 },
	/* Gives back the CPU after an rseq time-slice extension: scheduling
	 * the caller's own thread, like sched_yield. */
	{ "rseq_slice_yield", NEW_SYSCALL(471), 0 },
};

/* Reviewed and allowed: every other syscall libseccomp 2.5.4 names for
 * x86_64, x86, aarch64 or arm.  Entries in a section were checked for
 * sandbox impact; "needs CAP_x" means the kernel already refuses it because
 * bwrap drops all capabilities (and --disable-userns stops regaining them). */
static const char *const reviewed_allow[] = {
	/* Filtered by argument elsewhere: socket by family (libseccomp turns
	 * those rules into a full block of socketcall(SYS_SOCKET) on i386). */
	"socket", "socketcall",

	/* Process, thread and signal basics. */
	"arch_prctl", "brk", "capget", "capset", "exit", "exit_group",
	"execve", "execveat", "fork", "vfork", "get_robust_list",
	"get_thread_area", "getcpu", "getegid", "getegid32", "geteuid",
	"geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
	"getitimer", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
	"getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
	"getrusage", "getsid", "gettid", "getuid", "getuid32", "ioprio_get",
	"ioprio_set", "kill", "membarrier", "pause", "pidfd_getfd",
	"pidfd_open", "pidfd_send_signal", "prctl", "prlimit64",
	"process_madvise", "process_mrelease", "process_vm_readv",
	"process_vm_writev", "kcmp", "restart_syscall", "rseq",
	"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
	"set_robust_list", "set_thread_area", "set_tid_address", "setfsgid",
	"setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
	"setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
	"setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
	"setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid",
	"setuid", "setuid32", "sigaction", "sigaltstack", "signal",
	"sigpending", "sigprocmask", "sigreturn", "sigsuspend", "tgkill",
	"tkill", "ugetrlimit", "wait4", "waitid", "waitpid", "nice",
	"sgetmask", "ssetmask", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self",

	/* Memory. */
	"madvise", "map_shadow_stack", "memfd_create", "memfd_secret",
	"mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
	"pkey_free", "pkey_mprotect", "remap_file_pages",

	/* Files and directories (the mount namespace decides what is there). */
	"_llseek", "access", "chdir", "chmod", "chown", "chown32", "close",
	"close_range", "copy_file_range", "creat", "dup", "dup2", "dup3",
	"faccessat", "faccessat2", "fadvise64", "fadvise64_64",
	"arm_fadvise64_64", "fallocate", "fchdir", "fchmod", "fchmodat",
	"fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
	"fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr",
	"fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
	"fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
	"getdents64", "getxattr", "lchown", "lchown32", "lgetxattr", "link",
	"linkat", "listxattr", "llistxattr", "lremovexattr", "lseek",
	"lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod",
	"mknodat", "name_to_handle_at", "newfstatat", "oldfstat", "oldlstat",
	"oldstat", "open", "openat", "openat2", "pread64", "preadv",
	"preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
	"readdir", "readlink", "readlinkat", "readv", "removexattr", "rename",
	"renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr",
	"splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
	"symlinkat", "sync", "sync_file_range", "arm_sync_file_range",
	"syncfs", "tee", "truncate", "truncate64", "umask", "unlink",
	"unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
	"vmsplice", "write", "writev", "fanotify_init", "fanotify_mark",
	"inotify_add_watch", "inotify_init", "inotify_init1",
	"inotify_rm_watch", "cachestat",

	/* Polling, events, timers, futexes, AIO (classic AIO is not io_uring:
	 * each io_submit is one syscall this filter sees). */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "futex",
	"futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
	"futex_wake", "io_cancel", "io_destroy", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit",
	"pipe", "pipe2", "poll", "ppoll", "ppoll_time64", "pselect6",
	"pselect6_time64", "select", "_newselect", "signalfd", "signalfd4",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64",
	"timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "alarm", "nanosleep",
	"clock_nanosleep", "clock_nanosleep_time64",

	/* Time: reading is harmless; setting needs CAP_SYS_TIME. */
	"adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_settime", "clock_settime64", "gettimeofday", "settimeofday",
	"stime", "time", "times", "ftime",

	/* Sockets other than socket() itself: they act on fds the family
	 * allow-list already vetted. */
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname",
	"getsockopt", "listen", "recv", "recvfrom", "recvmmsg",
	"recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
	"setsockopt", "shutdown", "socketpair",

	/* SysV and POSIX IPC: namespaced (bwrap --unshare-ipc decides);
	 * X11 MIT-SHM needs shm*. */
	"ipc", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget",
	"semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl",
	"shmdt", "shmget", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
	"mq_timedsend_time64", "mq_unlink",

	/* System information; host name setters need CAP_SYS_ADMIN over the
	 * UTS namespace (only a nested sandbox's own one). */
	"getrandom", "sysinfo", "uname", "olduname", "oldolduname",
	"setdomainname", "sethostname", "sysfs", "ustat",

	/* Need capabilities the sandbox never holds (kernel returns EPERM). */
	"vhangup", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
	"bdflush", "lookup_dcookie", "nfsservctl", "create_module",
	"get_kernel_syms", "query_module",

	/* Removed or never implemented on these ABIs (kernel returns ENOSYS);
	 * vm86 is unavailable to compat tasks on 64-bit kernels. */
	"_sysctl", "afs_syscall", "break", "epoll_ctl_old", "epoll_wait_old",
	"getpmsg", "putpmsg", "gtty", "stty", "idle", "lock", "mpx", "prof",
	"profil", "security", "tuxcall", "ulimit", "vserver", "vm86",
	"vm86old",
};

/* Socket families allowed without a knob, in ascending order: AF_UNSPEC,
 * AF_UNIX, AF_INET, AF_INET6, AF_NETLINK.  AF_CAN (29) and AF_BLUETOOTH (31)
 * need canbus/bluetooth; everything else, including unknown future families
 * (exotic families are a steady source of kernel LPEs: AF_PACKET
 * CVE-2017-7308, AF_VSOCK CVE-2021-26708), gets EAFNOSUPPORT. */
#define AF_CAN_NR 29
#define AF_BLUETOOTH_NR 31

static void
set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*err = s ? s : strdup("seccomp: out of memory");
}

/* ---- variant names ---------------------------------------------------- */

/* Fixed order so each combination has exactly one name. */
static const struct {
	const char *word;
	size_t off;
} knob_words[] = {
	{ "devel", offsetof(struct seccomp_opts, devel) },
	{ "multiarch", offsetof(struct seccomp_opts, multiarch) },
	{ "bluetooth", offsetof(struct seccomp_opts, bluetooth) },
	{ "canbus", offsetof(struct seccomp_opts, canbus) },
	{ "nested-sandbox", offsetof(struct seccomp_opts, nested_sandbox) },
};
#define N_KNOBS (sizeof knob_words / sizeof knob_words[0])

static bool *
knob_ptr(struct seccomp_opts *o, size_t i)
{
	return (bool *)((char *)o + knob_words[i].off);
}

static bool
knob_get(const struct seccomp_opts *o, size_t i)
{
	return *(const bool *)((const char *)o + knob_words[i].off);
}

const char *
seccomp_variant_name(const struct seccomp_opts *o)
{
	/* Thread-local so concurrent callers never share a buffer. */
	static _Thread_local char buf[128];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_KNOBS; i++) {
		if (!knob_get(o, i))
			continue;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
					len ? "+" : "", knob_words[i].word);
	}
	if (o->sentinel_errno == ECONNREFUSED)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%ssentinel",
					len ? "+" : "");
	else if (o->sentinel_errno)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%ssentinel-%d",
					len ? "+" : "", o->sentinel_errno);
	return len ? buf : "default";
}

static int
parse_sentinel(const char *w, size_t n, int *out)
{
	char tmp[32], *end;
	long v;

	if (n == 8 && memcmp(w, "sentinel", 8) == 0) {
		*out = ECONNREFUSED;
		return 0;
	}
	if (n <= 9 || n >= sizeof tmp || memcmp(w, "sentinel-", 9) != 0)
		return -1;
	memcpy(tmp, w + 9, n - 9);
	tmp[n - 9] = '\0';
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (errno || *end || end == tmp || v <= 0 || v > 4095 || tmp[0] == '0')
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_word(const char *w, size_t n, struct seccomp_opts *o)
{
	for (size_t i = 0; i < N_KNOBS; i++) {
		if (strlen(knob_words[i].word) != n ||
		    memcmp(knob_words[i].word, w, n) != 0)
			continue;
		if (*knob_ptr(o, i))
			return -1; /* duplicate */
		*knob_ptr(o, i) = true;
		return 0;
	}
	if (o->sentinel_errno)
		return -1;
	return parse_sentinel(w, n, &o->sentinel_errno);
}

int
seccomp_variant_parse(const char *name, struct seccomp_opts *o)
{
	struct seccomp_opts tmp = { 0 };
	const char *p = name;

	if (!name || !*name)
		return -1;
	if (strcmp(name, "default") == 0) {
		*o = tmp;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, "+");
		if (n == 0 || parse_word(p, n, &tmp) < 0)
			return -1;
		if (!p[n])
			break;
		p += n + 1;
	}
	*o = tmp;
	return 0;
}

/* ---- policy review (for the unit test) -------------------------------- */

static bool
in_deny_rules(const char *name)
{
	for (size_t i = 0; i < sizeof deny_rules / sizeof deny_rules[0]; i++)
		if (strcmp(deny_rules[i].name, name) == 0)
			return true;
	return false;
}

static bool
in_reviewed_allow(const char *name)
{
	for (size_t i = 0; i < sizeof reviewed_allow / sizeof reviewed_allow[0]; i++)
		if (strcmp(reviewed_allow[i], name) == 0)
			return true;
	for (size_t i = 0; i < sizeof by_number / sizeof by_number[0]; i++)
		if (!by_number[i].denied && strcmp(by_number[i].name, name) == 0)
			return true;
	return false;
}

enum seccomp_class
seccomp_classify(const char *name)
{
	bool deny = in_deny_rules(name), allow = in_reviewed_allow(name);

	if (deny && allow)
		return SECCOMP_CLASS_CONFLICT;
	if (deny)
		return SECCOMP_CLASS_DENY;
	return allow ? SECCOMP_CLASS_ALLOW : SECCOMP_CLASS_UNREVIEWED;
}

static int
fallback_of(const char *name)
{
	for (size_t i = 0; i < sizeof by_number / sizeof by_number[0]; i++)
		if (strcmp(by_number[i].name, name) == 0)
			return by_number[i].nr;
	return -1;
}

const char *
seccomp_policy_name(unsigned i, int *fallback_nr)
{
	const size_t nd = sizeof deny_rules / sizeof deny_rules[0];
	const size_t na = sizeof reviewed_allow / sizeof reviewed_allow[0];
	const size_t nn = sizeof by_number / sizeof by_number[0];

	const char *name = NULL;

	if (i < nd)
		name = deny_rules[i].name;
	else if ((i -= (unsigned)nd) < na)
		name = reviewed_allow[i];
	else if ((i -= (unsigned)na) < nn)
		name = by_number[i].name;
	if (fallback_nr)
		*fallback_nr = name ? fallback_of(name) : -1;
	return name;
}

/* ---- compiling ---------------------------------------------------------- */

static unsigned
lifted_knobs(const struct seccomp_opts *o)
{
	return (o->devel ? K_DEVEL : 0) | (o->multiarch ? K_MULTIARCH : 0) |
	       (o->nested_sandbox ? K_NESTED : 0);
}

static uint32_t
deny_action(const struct seccomp_opts *o, int err)
{
	return SCMP_ACT_ERRNO((uint16_t)(o->sentinel_errno ? o->sentinel_errno : err));
}

/* The native syscall number to hand to libseccomp (which translates it for
 * the filter's arch by name), a negative pseudo number if the native ABI
 * lacks the call, or __NR_SCMP_ERROR if libseccomp and we both don't know. */
static int
native_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr != __NR_SCMP_ERROR)
		return nr;
	nr = fallback_of(name);
	return nr >= 0 ? nr : __NR_SCMP_ERROR;
}

/* Whether ARCH has NAME at all.  libseccomp's pseudo numbers are negative;
 * the _rewrite lookup maps calls that i386 multiplexes (socket -> socketcall,
 * semop -> ipc) to the real entry point, so those count as present. */
static bool
arch_has(uint32_t arch, const char *name, bool native)
{
	int nr = seccomp_syscall_resolve_name_rewrite(arch, name);

	if (nr == __NR_SCMP_ERROR)
		return native && native_nr(name) >= 0; /* our by-number table */
	return nr >= 0;
}

static int
add_rule(scmp_filter_ctx ctx, uint32_t arch, bool native, uint32_t action,
	 const char *name, unsigned n_args, const struct scmp_arg_cmp *args,
	 char **err)
{
	int nr, rc;

	/* A call this ABI does not have cannot be made; skipping it keeps
	 * libseccomp's pseudo numbers out of the program. */
	if (!arch_has(arch, name, native))
		return 0;
	nr = native_nr(name);
	/* _add, not _add_exact: on i386 libseccomp then blocks socketcall's
	 * SYS_SOCKET too, instead of silently leaving that route open. */
	rc = seccomp_rule_add_array(ctx, action, nr, n_args, args);
	/* The one tolerated failure (as in Flatpak): libseccomp cannot
	 * translate a call to a non-native ABI. */
	if (rc == -EFAULT && !native)
		return 0;
	if (rc < 0) {
		set_err(err, "seccomp: adding rule for %s (%d) failed: %s", name,
			nr, strerror(-rc));
		return -1;
	}
	return 0;
}

/* Spelled out instead of SCMP_A0() so clang's -Wmissing-field-initializers
 * stays quiet for two-operand compares. */
static struct scmp_arg_cmp
cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	struct scmp_arg_cmp c = { .arg = arg, .op = op, .datum_a = a, .datum_b = b };
	return c;
}

static int
args_for(enum arg_match m, struct scmp_arg_cmp *a)
{
	switch (m) {
	case ARG_ANY:
		return 0;
	case ARG_CLONE_NEWUSER:
		/* CONFIG_CLONE_BACKWARDS2 ABIs pass the flags second. */
#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
		*a = cmp(1, SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
#else
		*a = cmp(0, SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
#endif
		return 1;
	case ARG_IOCTL_TIOCSTI:
		*a = cmp(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI);
		return 1;
	case ARG_IOCTL_TIOCLINUX:
		*a = cmp(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX);
		return 1;
	case ARG_PERSONALITY:
		/* The launcher (bwrap) runs the app with PER_LINUX. */
		*a = cmp(0, SCMP_CMP_NE, PER_LINUX, 0);
		return 1;
	}
	return 0;
}

static int
add_deny_rules(scmp_filter_ctx ctx, uint32_t arch, bool native,
	       const struct seccomp_opts *o, char **err)
{
	unsigned lifted = lifted_knobs(o);

	for (size_t i = 0; i < sizeof deny_rules / sizeof deny_rules[0]; i++) {
		const struct deny_rule *r = &deny_rules[i];
		struct scmp_arg_cmp a[1];
		int n;

		if (r->lift & lifted)
			continue;
		n = args_for(r->arg, a);
		if (add_rule(ctx, arch, native, deny_action(o, r->err), r->name,
			     (unsigned)n, a, err) < 0)
			return -1;
	}
	return 0;
}

static bool
family_allowed(const struct seccomp_opts *o, int f)
{
	return f == 0 || f == 1 || f == 2 || f == 10 || f == 16 ||
	       (f == AF_CAN_NR && o->canbus) ||
	       (f == AF_BLUETOOTH_NR && o->bluetooth);
}

static int
add_socket_rules(scmp_filter_ctx ctx, uint32_t arch, bool native,
		 const struct seccomp_opts *o, char **err)
{
	uint32_t act = deny_action(o, EAFNOSUPPORT);
	int last = 16, f;

	if (o->canbus)
		last = AF_CAN_NR;
	if (o->bluetooth)
		last = AF_BLUETOOTH_NR;
	for (f = 0; f < last; f++) {
		struct scmp_arg_cmp a = cmp(0, SCMP_CMP_EQ, (scmp_datum_t)f, 0);

		if (!family_allowed(o, f) &&
		    add_rule(ctx, arch, native, act, "socket", 1, &a, err) < 0)
			return -1;
	}
	/* Unsigned 64-bit compare: also catches negative and high-bit values. */
	struct scmp_arg_cmp ge = cmp(0, SCMP_CMP_GE, (scmp_datum_t)(last + 1), 0);
	return add_rule(ctx, arch, native, act, "socket", 1, &ge, err);
}

/* The compat ABI a multiarch filter adds, or 0. */
static uint32_t
compat_arch(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		return SCMP_ARCH_X86;
	case SCMP_ARCH_AARCH64:
		return SCMP_ARCH_ARM;
	default:
		return 0;
	}
}

/* One context per ABI, holding only that ABI, so a rule libseccomp can only
 * express natively (by_number[]) still lands in the native part; the parts
 * are merged afterwards. */
static scmp_filter_ctx
build_arch(const struct seccomp_opts *o, uint32_t arch, char **err)
{
	uint32_t native = seccomp_arch_native();
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx) {
		set_err(err, "seccomp: seccomp_init failed");
		return NULL;
	}
	/* Calls from any ABI not in the filter (x32 on x86_64, i386 without
	 * multiarch) kill the process: never allowed, never a bypass. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == 0 && arch != native) {
		rc = seccomp_arch_add(ctx, arch);
		if (rc == 0)
			rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (rc < 0) {
		set_err(err, "seccomp: setting up arch %u failed: %s", arch,
			strerror(-rc));
		goto fail;
	}
	if (add_deny_rules(ctx, arch, arch == native, o, err) < 0 ||
	    add_socket_rules(ctx, arch, arch == native, o, err) < 0)
		goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

static int
check_opts(const struct seccomp_opts *o, char **err)
{
	if (o->sentinel_errno < 0 || o->sentinel_errno > 4095) {
		set_err(err, "seccomp: sentinel errno %d out of range",
			o->sentinel_errno);
		return -1;
	}
	return 0;
}

/* The KILL_PROCESS bad-arch action needs libseccomp API level 3 (Linux
 * 4.14).  libseccomp derives the level from the running kernel's seccomp(2)
 * and refuses the action below it, yet we only compile the program (bwrap
 * loads it): a build host whose seccomp(2) is missing or old, e.g. qemu-user
 * as pmbootstrap uses to build aarch64 and armv7 packages, would fail with
 * "setting up arch ... Invalid argument".  Raising the level never changes
 * the program, so filters are byte-identical on every build host. */
static int
pin_api_level(char **err)
{
	enum { NEEDED_API_LEVEL = 3 };
	int rc;

	if (seccomp_api_get() >= NEEDED_API_LEVEL)
		return 0;
	rc = seccomp_api_set(NEEDED_API_LEVEL);
	if (rc < 0) {
		set_err(err, "seccomp: setting libseccomp API level %d failed: %s",
			NEEDED_API_LEVEL, strerror(-rc));
		return -1;
	}
	return 0;
}

static scmp_filter_ctx
build_filter(const struct seccomp_opts *o, char **err)
{
	uint32_t compat = o->multiarch ? compat_arch() : 0;
	scmp_filter_ctx ctx, extra;
	int rc;

	if (check_opts(o, err) < 0 || pin_api_level(err) < 0)
		return NULL;
	ctx = build_arch(o, seccomp_arch_native(), err);
	if (!ctx || !compat)
		return ctx;
	extra = build_arch(o, compat, err);
	if (!extra)
		goto fail;
	rc = seccomp_merge(ctx, extra); /* consumes extra on success */
	if (rc < 0) {
		seccomp_release(extra);
		set_err(err, "seccomp: merging arch filters failed: %s",
			strerror(-rc));
		goto fail;
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

typedef int (*export_fn)(const scmp_filter_ctx, int);

static int
export(const struct seccomp_opts *o, int fd, export_fn fn, const char *what,
       char **err)
{
	scmp_filter_ctx ctx = build_filter(o, err);
	int rc;

	if (!ctx)
		return -1;
	rc = fn(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0) {
		set_err(err, "seccomp: %s export failed: %s", what, strerror(-rc));
		return -1;
	}
	return 0;
}

int
seccomp_write_bpf(const struct seccomp_opts *o, int fd, char **err)
{
	return export(o, fd, seccomp_export_bpf, "BPF", err);
}

int
seccomp_write_pfc(const struct seccomp_opts *o, int fd, char **err)
{
	return export(o, fd, seccomp_export_pfc, "PFC", err);
}

/* Sealed so nothing (including a process that inherits the fd by mistake)
 * can change the program between compiling and bwrap loading it. */
static int
seal_and_rewind(int fd, char **err)
{
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	off_t size = lseek(fd, 0, SEEK_END);

	if (size <= 0 || size % 8 != 0) {
		set_err(err, "seccomp: BPF program has bad size %lld",
			(long long)size);
		return -1;
	}
	if (fcntl(fd, F_ADD_SEALS, seals) < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		set_err(err, "seccomp: sealing filter memfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
seccomp_build_fd(const struct seccomp_opts *o, char **err)
{
	int fd = memfd_create("boxwrap-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0) {
		set_err(err, "seccomp: memfd_create: %s", strerror(errno));
		return -1;
	}
	if (seccomp_write_bpf(o, fd, err) < 0 || seal_and_rewind(fd, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
