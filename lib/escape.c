#include "escape.h"

#include <string.h>

#include "strv.h"
#include "utf8.h"

char *escape_for_terminal(const char *s)
{
	struct buf b = {0};
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = utf8_sequence_length(s + i, len - i);
		if (c == '\\') {
			buf_adds(&b, "\\\\");
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			buf_addc(&b, c);
			i++;
		} else if (c >= 0x80 && n > 0 && !utf8_is_format_char(s + i, n)) {
			buf_add(&b, s + i, n);
			i += n;
		} else {
			buf_addf(&b, "\\x%02x", c);
			i++;
		}
	}
	return buf_steal(&b);
}

char *one_line(const char *s)
{
	return escape_for_terminal(s);
}

bool span_has_control_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

bool has_control_char(const char *s)
{
	return span_has_control_char(s, strlen(s));
}
