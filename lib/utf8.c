#include "utf8.h"

static unsigned decode(const unsigned char *p, size_t n)
{
	if (n == 1)
		return p[0];
	unsigned cp = p[0] & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

size_t utf8_sequence_length(const char *s, size_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	else if ((p[0] & 0xe0) == 0xc0)
		n = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	unsigned cp = decode(p, n);
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_is_format_char(const char *s, size_t n)
{
	unsigned cp = decode((const unsigned char *)s, n);
	return (cp >= 0x80 && cp <= 0x9f) ||     /* C1 controls */
	       (cp >= 0x200b && cp <= 0x200f) || /* zero width, LRM/RLM */
	       (cp >= 0x2028 && cp <= 0x202e) || /* separators, bidi embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
	       cp == 0xfeff;                     /* BOM / zero width no-break */
}

bool utf8_is_noncharacter(const char *s, size_t n)
{
	unsigned cp = decode((const unsigned char *)s, n);
	return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

unsigned utf8_decode(const char *s, size_t n)
{
	return decode((const unsigned char *)s, n);
}
