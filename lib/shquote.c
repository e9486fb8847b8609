#include "shquote.h"

#include <string.h>

void sh_quote(struct buf *out, const char *s)
{
	buf_addc(out, '\'');
	for (;;) {
		size_t run = strcspn(s, "'");
		buf_add(out, s, run);
		if (!s[run])
			break;
		buf_adds(out, "'\\''");
		s += run + 1;
	}
	buf_addc(out, '\'');
}

char *sh_quoted(const char *s)
{
	struct buf b = {0};
	sh_quote(&b, s);
	return buf_steal(&b);
}
