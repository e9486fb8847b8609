/* Small helpers in the style of bubblewrap's utils.h: die on the
 * impossible, cleanup attributes for the rest. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdlib.h>
#include <unistd.h>

#define PROG "boxwrap"

/* Exit codes, documented in boxwrap(1). */
enum { EXIT_ERROR = 1, EXIT_USAGE = 2 };

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Like die(), with ": strerror(errno)" appended (errno read first). */
__attribute__((noreturn, format(printf, 1, 2))) void die_errno(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
__attribute__((noreturn)) void die_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *xvasprintf(const char *fmt, va_list ap);

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);

/* Reads a whole file (at most max bytes) through an already open fd. */
char *read_all_fd(int fd, size_t max, size_t *len);
/* A regular file's text (not a symlink, FIFO or device), at most max
 * bytes; NULL when it is none or unreadable. */
char *read_regular_file(const char *path, size_t max);
/* Writes all of buf, retrying on EINTR; 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Writes data to path atomically: a temporary file beside it, then rename. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same without the fsync: for runtime state that need not outlive a
 * crash, or many files flushed together by one syncfs(). */
int write_file_replace(const char *path, const void *data, size_t len, mode_t mode);

static inline void free_ptr(void *p) { free(*(void **)p); }
static inline void close_fdp(int *fd) { if (*fd >= 0) close(*fd); }
#define cleanup_free __attribute__((cleanup(free_ptr)))
#define cleanup_fd __attribute__((cleanup(close_fdp)))

static inline void *steal_ptr(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_ptr(pp))
