/* Growable vectors of strings and bytes. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated when n > 0 */
	size_t n, cap;
};

void strv_push(struct strv *sv, const char *s);       /* copies s */
void strv_take(struct strv *sv, char *s);             /* takes ownership */
__attribute__((format(printf, 2, 3))) void strv_pushf(struct strv *sv, const char *fmt, ...);
int strv_find(const struct strv *sv, const char *s);  /* index or -1 */
void strv_remove(struct strv *sv, size_t i);
void strv_clear(struct strv *sv);

struct buf {
	char *s; /* always NUL-terminated */
	size_t len, cap;
};

void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
__attribute__((format(printf, 2, 3))) void buf_addf(struct buf *b, const char *fmt, ...);
char *buf_steal(struct buf *b);
void buf_clear(struct buf *b);
