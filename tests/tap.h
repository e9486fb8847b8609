/* Minimal TAP for C unit tests, in the style of bubblewrap's test-utils.c. */
#pragma once
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static unsigned tap_count, tap_failed;

#define TAP_OK(cond, ...) tap_ok_((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define TAP_STREQ(got, want, ...) \
	tap_streq_((got), (want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5))) static inline int
tap_ok_(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %u - ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return ok;
}

__attribute__((format(printf, 5, 6))) static inline int
tap_streq_(const char *got, const char *want, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;
	int ok = got && want && strcmp(got, want) == 0;
	printf("%sok %u - ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  '%s'\n#   want: '%s'\n",
		       file, line, got ? got : "(null)", want ? want : "(null)");
	}
	return ok;
}

static inline int
tap_done(void)
{
	printf("1..%u\n", tap_count);
	return tap_failed ? 1 : 0;
}
