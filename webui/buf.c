/*
 * Growable byte buffer (buf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

void
buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

char *
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (n >= (size_t)-1 / 2 - b->len)
		fatalx("buffer size overflow");
	if (b->len + n + 1 > b->cap) {
		cap = b->cap > 0 ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			fatal("realloc %zu", cap);
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->len;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	char *d = buf_reserve(b, n);

	if (n > 0)
		memcpy(d, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	char *dst;
	int n;

	dst = buf_reserve(b, 64);	/* before b->cap is read */
	va_copy(ap2, ap);
	n = vsnprintf(dst, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("vsnprintf failed");
	if ((size_t)n >= b->cap - b->len)
		vsnprintf(buf_reserve(b, (size_t)n), (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
buf_take(struct buf *b, size_t *len)
{
	char *p;

	if (b->p == NULL)
		buf_reserve(b, 0);
	p = b->p;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return p;
}
