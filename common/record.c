/*
 * Recording raw frames as JSON lines (record.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "record.h"

int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + n >= len)
			return 0;	/* truncated sequence */
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
grow(char **buf, size_t *cap, size_t need)
{
	char *p;
	size_t c = *cap == 0 ? 4096 : *cap;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((p = realloc(*buf, c)) == NULL)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}

size_t
record_format(char **buf, size_t *cap, int64_t recv_ns, const char *data,
    size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)data;
	size_t n, i;
	char *p;

	/* Worst case: every byte as \u00XX, plus the fixed parts. */
	if (grow(buf, cap, 6 * len + 96) == -1)
		return 0;
	p = *buf;
	if (!utf8_valid(s, len)) {
		n = (size_t)snprintf(p, *cap, "{\"recv_ns\":%lld,"
		    "\"frame_b64\":\"", (long long)recv_ns);
		sodium_bin2base64(p + n, *cap - n, s, len,
		    sodium_base64_VARIANT_ORIGINAL);
		n += strlen(p + n);
		memcpy(p + n, "\"}\n", 3);
		return n + 3;
	}
	n = (size_t)snprintf(p, *cap, "{\"recv_ns\":%lld,\"frame\":\"",
	    (long long)recv_ns);
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			p[n++] = '\\';
			p[n++] = (char)s[i];
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			memcpy(p + n, "\\u00", 4);
			p[n + 4] = hex[s[i] >> 4];
			p[n + 5] = hex[s[i] & 15];
			n += 6;
		} else
			p[n++] = (char)s[i];
	}
	memcpy(p + n, "\"}\n", 3);
	return n + 3;
}

int
record_open(struct record *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if ((r->f = fopen(path, "ae")) == NULL)
		return -1;
	return 0;
}

void
record_frame(struct record *r, int64_t recv_ns, const char *data, size_t len)
{
	size_t n;

	if (r->f == NULL)
		return;
	n = record_format(&r->line, &r->cap, recv_ns, data, len);
	if (n == 0 || fwrite(r->line, 1, n, r->f) != n)
		r->errors++;
	else
		r->frames++;
}

void
record_flush(struct record *r)
{
	if (r->f != NULL && fflush(r->f) == EOF)
		r->errors++;
}

void
record_close(struct record *r)
{
	if (r->f != NULL)
		fclose(r->f);
	free(r->line);
	memset(r, 0, sizeof(*r));
}
