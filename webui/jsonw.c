/*
 * Hand-written JSON output (jsonw.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void
jsonw_str(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run, n;
	char esc[8];

	buf_addc(b, '"');
	while (i < len) {
		/* Copy the longest run that needs no escaping at once. */
		for (run = i; run < len && u[run] >= 0x20 && u[run] < 0x80 &&
		    u[run] != '"' && u[run] != '\\'; run++)
			;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			buf_add(b, esc, 2);
			i++;
		} else if (u[i] < 0x20) {
			if (u[i] == '\n')
				buf_add(b, "\\n", 2);
			else if (u[i] == '\r')
				buf_add(b, "\\r", 2);
			else if (u[i] == '\t')
				buf_add(b, "\\t", 2);
			else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[u[i] >> 4];
				esc[5] = hex[u[i] & 0xf];
				buf_add(b, esc, 6);
			}
			i++;
		} else if ((n = utf8_len(u + i, len - i)) > 0) {
			buf_add(b, s + i, n);
			i += n;
		} else {
			buf_add(b, "\\ufffd", 6);
			i++;
		}
	}
	buf_addc(b, '"');
}

void
jsonw_cstr(struct buf *b, const char *s)
{
	jsonw_str(b, s, strlen(s));
}

void
jsonw_int(struct buf *b, int64_t v)
{
	char tmp[24];
	int n;

	n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	buf_add(b, tmp, (size_t)n);
}

/*
 * Prices and sizes are mostly short decimals: when v * 10^k is a whole
 * number r below 2^53 for some k <= 9, and r / 10^k (one correctly rounded
 * division) gives back v, the decimal r with k fraction digits reads back
 * as v too (strtod rounds the same exact value). Written by hand, it
 * costs a fraction of printf's %g and strtod's check.
 */
static size_t
format_short_decimal(char *out, size_t cap, double v)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9 };
	char digits[24];
	double a = fabs(v), scaled;
	uint64_t r;
	size_t n = 0, nd, i;
	int k;

	if (a >= 1e15 || cap < 32)
		return 0;
	for (k = 0; k <= 9; k++) {
		scaled = a * p10[k];
		if (scaled >= 9007199254740992.0)
			return 0;
		r = (uint64_t)(scaled + 0.5);
		if ((double)r / p10[k] == a)
			break;
	}
	if (k > 9)
		return 0;
	for (nd = 0; r > 0 || nd <= (size_t)k; r /= 10)
		digits[nd++] = (char)('0' + r % 10);
	if (signbit(v))
		out[n++] = '-';
	for (i = nd; i > 0; i--) {
		if (i == (size_t)k)
			out[n++] = '.';
		out[n++] = digits[i - 1];
	}
	/* "0.50" cannot happen: the smallest k was taken. */
	out[n] = '\0';
	return n;
}

size_t
jsonw_format_double(char *out, size_t cap, double v)
{
	int prec, n = 0;
	size_t fast;

	if (!isfinite(v))
		return 0;
	if ((fast = format_short_decimal(out, cap, v)) > 0)
		return fast;
	/* Otherwise the shortest of 15, 16, 17 digits that reads back. */
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, cap, "%.*g", prec, v);
		if (n < 0 || (size_t)n >= cap)
			return 0;
		if (strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

void
jsonw_double(struct buf *b, double v)
{
	char tmp[40];
	size_t n;

	if ((n = jsonw_format_double(tmp, sizeof(tmp), v)) == 0)
		buf_add(b, "null", 4);
	else
		buf_add(b, tmp, n);
}
