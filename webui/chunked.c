/*
 * Chunked request bodies (chunked.h).
 */
#include "chunked.h"

#define META_LINE_MAX	4096	/* a size line or trailer line */

enum {
	S_SIZE,		/* hex digits */
	S_EXT,		/* ;extension up to CR */
	S_SIZE_LF,
	S_DATA,
	S_DATA_CR,
	S_DATA_LF,
	S_TRAILER,	/* start of a trailer line, or the final CRLF */
	S_TRAILER_LINE,
	S_TRAILER_LF,
	S_END_LF,
	S_DONE,
	S_ERROR
};

void
chunked_init(struct chunked *c, size_t max)
{
	c->state = S_SIZE;
	c->size = 0;
	c->digits = 0;
	c->max = max;
	c->line = 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* One byte of everything but chunk data. */
static int
step(struct chunked *c, char ch)
{
	int h;

	if (++c->line > META_LINE_MAX)
		return S_ERROR;
	switch (c->state) {
	case S_SIZE:
		if ((h = hexval(ch)) >= 0) {
			if (++c->digits > 15)
				return S_ERROR;
			c->size = c->size * 16 + (uint64_t)h;
			return S_SIZE;
		}
		if (c->digits == 0)
			return S_ERROR;
		if (ch == ';' || ch == ' ' || ch == '\t')
			return S_EXT;
		return ch == '\r' ? S_SIZE_LF : S_ERROR;
	case S_EXT:
		return ch == '\r' ? S_SIZE_LF : S_EXT;
	case S_SIZE_LF:
		if (ch != '\n')
			return S_ERROR;
		c->line = 0;
		return c->size == 0 ? S_TRAILER : S_DATA;
	case S_DATA_CR:
		return ch == '\r' ? S_DATA_LF : S_ERROR;
	case S_DATA_LF:
		if (ch != '\n')
			return S_ERROR;
		c->size = 0;
		c->digits = 0;
		c->line = 0;
		return S_SIZE;
	case S_TRAILER:
		if (ch == '\r')
			return S_END_LF;
		return S_TRAILER_LINE;
	case S_TRAILER_LINE:
		return ch == '\r' ? S_TRAILER_LF : S_TRAILER_LINE;
	case S_TRAILER_LF:
		c->line = 0;
		return ch == '\n' ? S_TRAILER : S_ERROR;
	case S_END_LF:
		return ch == '\n' ? S_DONE : S_ERROR;
	}
	return S_ERROR;
}

enum chunked_status
chunked_feed(struct chunked *c, const char *in, size_t len, struct buf *out)
{
	size_t i = 0, n;

	while (i < len && c->state != S_DONE && c->state != S_ERROR) {
		if (c->state != S_DATA) {
			c->state = step(c, in[i++]);
			if (c->state == S_DATA && c->size > c->max - out->len)
				return CHUNKED_TOO_BIG;
			continue;
		}
		n = len - i < c->size ? len - i : (size_t)c->size;
		buf_add(out, in + i, n);
		i += n;
		c->size -= n;
		if (c->size == 0)
			c->state = S_DATA_CR;
	}
	if (c->state == S_ERROR)
		return CHUNKED_BAD;
	return c->state == S_DONE ? CHUNKED_DONE : CHUNKED_MORE;
}
