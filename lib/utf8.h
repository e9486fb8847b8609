/* Just enough UTF-8 to refuse what could mislead a reader. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Length of the valid, shortest-form UTF-8 sequence at s, or 0 if invalid. */
size_t utf8_sequence_length(const char *s, size_t avail);
/* C1 controls, bidirectional overrides and isolates, line/paragraph
 * separators and a BOM: characters that change how text displays. */
bool utf8_is_format_char(const char *s, size_t n);
/* U+FDD0..U+FDEF and U+xFFFE, U+xFFFF: never meant for interchange. */
bool utf8_is_noncharacter(const char *s, size_t n);
/* The code point of a valid sequence of n bytes. */
unsigned utf8_decode(const char *s, size_t n);
