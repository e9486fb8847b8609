#include "shquote.h"

void sh_quote(struct buf *out, const char *s)
{
	buf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, *s);
	}
	buf_addc(out, '\'');
}

char *sh_quoted(const char *s)
{
	struct buf b = {0};
	sh_quote(&b, s);
	return buf_steal(&b);
}
