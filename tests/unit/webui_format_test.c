/*
 * webui's writers and small parsers: the byte buffer, JSON text (escaping,
 * invalid UTF-8, numbers), CSV quoting, the chunked body decoder, static
 * path rules and content types, and the security header set
 * (security.md §7). Expectations are written out by hand.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../webui/buf.h"
#include "../../webui/chunked.h"
#include "../../webui/csv.h"
#include "../../webui/http.h"
#include "../../webui/jsonw.h"
#include "../../webui/secheaders.h"
#include "../../webui/static.h"

/* A test name without control bytes (one line per assertion). */
static const char *
shown(const char *s)
{
	static char out[4][128];
	static int k;
	char *o = out[k++ % 4];
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 5 < sizeof(out[0]); i++) {
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			o[n++] = s[i];
		else
			n += (size_t)snprintf(o + n, 5, "\\x%02x",
			    (unsigned char)s[i]);
	}
	o[n] = '\0';
	return o;
}

static void
test_buf(void)
{
	struct buf b;
	char big[600];
	int i;

	buf_init(&b);
	/* Each printf crosses the capacity: the growth must not cut it. */
	for (i = 0; i < 40; i++)
		buf_printf(&b, "%s-%d;", "0123456789abcdefghij", i);
	/* 10 lines of 23 bytes (0-9), 30 of 24 (10-39). */
	CHECK(b.len == 10 * 23 + 30 * 24 &&
	    strstr(b.p, "0123456789abcdefghij-39;") != NULL &&
	    strlen(b.p) == b.len,
	    "buf: printf across growth keeps every byte");
	CHECK(strncmp(b.p, "0123456789abcdefghij-0;0123456789abcdefghij-1;",
	    46) == 0 && b.p[b.len] == '\0', "buf: content and NUL");
	buf_free(&b);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_adds(&b, "ab");
	buf_printf(&b, "%s|%s", big, big);
	CHECK(b.len == 2 + 599 * 2 + 1 && b.p[2] == 'x' && b.p[601] == '|' &&
	    b.p[b.len - 1] == 'x', "buf: one printf far over capacity");
	buf_free(&b);
}

static void
json_is(const char *in, size_t len, const char *want, const char *name)
{
	struct buf b;

	buf_init(&b);
	jsonw_str(&b, in, len);
	CHECK(strcmp(b.p, want) == 0, "json string %s: %s (got %s)", name,
	    shown(want), shown(b.p));
	buf_free(&b);
}

static void
double_is(double v, const char *want)
{
	struct buf b;

	buf_init(&b);
	jsonw_double(&b, v);
	CHECK(strcmp(b.p, want) == 0, "json number %s (got %s)", want, b.p);
	buf_free(&b);
}

static void
test_json(void)
{
	json_is("AAPL", 4, "\"AAPL\"", "plain");
	json_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash");
	json_is("\n\r\t\x01\x1f", 5, "\"\\n\\r\\t\\u0001\\u001f\"",
	    "control bytes");
	json_is("a\0b", 3, "\"a\\u0000b\"", "NUL byte");
	json_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "valid UTF-8 as is");
	json_is("a\xff" "b", 3, "\"a\\ufffdb\"", "invalid byte");
	json_is("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "overlong slash");
	json_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "surrogate");
	json_is("\xe2\x82", 2, "\"\\ufffd\\ufffd\"", "cut sequence");
	json_is("\x7f", 1, "\"\x7f\"", "DEL needs no escape");
	double_is(187.12, "187.12");
	double_is(0.1, "0.1");
	double_is(1.0 / 3.0, "0.3333333333333333");
	double_is(100, "100");
	double_is(-0.0005, "-0.0005");
	double_is(1e300, "1e+300");
	double_is(0.1 + 0.2, "0.30000000000000004");
	double_is(NAN, "null");
	double_is(INFINITY, "null");
	{
		/* Round trips: short decimals (the fast path) and any bits. */
		char tmp[40];
		uint64_t x = 0x9e3779b97f4a7c15ULL, bits;
		double d;
		int i, bad = 0, bad_bits = 0;

		for (i = 0; i < 200000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			d = (double)(int64_t)(x % 2000000000) / 10000.0 -
			    100000.0;
			jsonw_format_double(tmp, sizeof(tmp), d);
			if (strtod(tmp, NULL) != d || strlen(tmp) > 17 + 7)
				bad++;
			bits = x;
			memcpy(&d, &bits, sizeof(d));
			if (!isfinite(d))
				continue;
			jsonw_format_double(tmp, sizeof(tmp), d);
			if (strtod(tmp, NULL) != d)
				bad_bits++;
		}
		CHECK(bad == 0, "json number: 200000 short decimals read back "
		    "(%d did not)", bad);
		CHECK(bad_bits == 0, "json number: random doubles read back "
		    "(%d did not)", bad_bits);
	}
	double_is(0.0005, "0.0005");
	double_is(-187.12, "-187.12");
	double_is(0, "0");
	double_is(123456789.123456789, "123456789.12345679");
	double_is(9e15, "9e+15");
	{
		char tmp[40];
		double v = 123456.789012345678;

		jsonw_format_double(tmp, sizeof(tmp), v);
		CHECK(strtod(tmp, NULL) == v, "json number reads back the "
		    "same double (%s)", tmp);
	}
}

static void
csv_is(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b);
	csv_text(&b, in, strlen(in));
	CHECK(strcmp(b.p, want) == 0, "csv field [%s] -> [%s] (got [%s])",
	    shown(in), shown(want), shown(b.p));
	buf_free(&b);
}

static void
test_csv(void)
{
	struct buf b;

	csv_is("AAPL", "AAPL");
	csv_is("", "");
	csv_is("a,b", "\"a,b\"");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	csv_is("line\nbreak", "\"line\nbreak\"");
	csv_is("cr\rhere", "\"cr\rhere\"");
	csv_is("=SUM(A1:A9)", "\"'=SUM(A1:A9)\"");
	csv_is("+1", "\"'+1\"");
	csv_is("-cmd", "\"'-cmd\"");
	csv_is("@x", "\"'@x\"");
	csv_is("\tx", "\"'\tx\"");
	csv_is("=a\"b", "\"'=a\"\"b\"");
	csv_is("BTC-USD", "BTC-USD");
	buf_init(&b);
	csv_int(&b, -42);
	csv_sep(&b);
	csv_double(&b, 187.12);
	csv_sep(&b);
	csv_double(&b, NAN);
	csv_sep(&b);
	csv_double(&b, -0.5);
	csv_eol(&b);
	CHECK(strcmp(b.p, "-42,187.12,,-0.5\r\n") == 0,
	    "csv numbers are not quoted; not-finite is empty; CRLF (got %s)",
	    shown(b.p));
	buf_free(&b);
}

/* Feeds text in pieces of step bytes. */
static enum chunked_status
chunked_run(const char *text, size_t step, size_t max, struct buf *out)
{
	struct chunked c;
	enum chunked_status st = CHUNKED_MORE;
	size_t i, n, len = strlen(text);

	chunked_init(&c, max);
	buf_init(out);
	for (i = 0; i < len && st == CHUNKED_MORE; i += n) {
		n = len - i < step ? len - i : step;
		st = chunked_feed(&c, text + i, n, out);
	}
	return st;
}

static void
test_chunked(void)
{
	static const struct {
		const char	*name, *in, *body;
		enum chunked_status want;
	} cases[] = {
		{ "two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
		  "hello world", CHUNKED_DONE },
		{ "hex size a", "a\r\n0123456789\r\n0\r\n\r\n",
		  "0123456789", CHUNKED_DONE },
		{ "hex size B", "B\r\n0123456789a\r\n0\r\n\r\n",
		  "0123456789a", CHUNKED_DONE },
		{ "extension", "3;name=v\r\nabc\r\n0\r\n\r\n", "abc",
		  CHUNKED_DONE },
		{ "trailer", "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", "abc",
		  CHUNKED_DONE },
		{ "empty body", "0\r\n\r\n", "", CHUNKED_DONE },
		{ "not finished", "3\r\nabc\r\n", "abc", CHUNKED_MORE },
		{ "no size", "\r\nabc", "", CHUNKED_BAD },
		{ "bad size", "zz\r\nabc\r\n", "", CHUNKED_BAD },
		{ "no CRLF after data", "3\r\nabcd\r\n", "abc", CHUNKED_BAD },
		{ "huge size", "ffffffffffffffffff\r\n", "", CHUNKED_BAD },
		{ "over max", "11\r\n01234567890123456\r\n0\r\n\r\n", "",
		  CHUNKED_TOO_BIG },
		{ "over max in two", "8\r\n01234567\r\n9\r\n012345678\r\n",
		  "01234567", CHUNKED_TOO_BIG },
		{ "exactly max", "10\r\n0123456789abcdef\r\n0\r\n\r\n",
		  "0123456789abcdef", CHUNKED_DONE },
	};
	static const size_t steps[] = { 1, 3, 1000 };
	struct buf out;
	size_t i, k;
	enum chunked_status st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (k = 0; k < 3; k++) {
			st = chunked_run(cases[i].in, steps[k], 16, &out);
			CHECK(st == cases[i].want && (st == CHUNKED_BAD ||
			    st == CHUNKED_TOO_BIG || strcmp(out.p != NULL ?
			    out.p : "", cases[i].body) == 0),
			    "chunked %s, %zu bytes at a time", cases[i].name,
			    steps[k]);
			buf_free(&out);
		}
}

static void
test_static(void)
{
	static const struct {
		const char	*url, *want;	/* NULL: refused */
	} cases[] = {
		{ "/", "index.html" },
		{ "/index.html", "index.html" },
		{ "/app.js", "app.js" },
		{ "/sub/inner.txt", "sub/inner.txt" },
		{ "/assets/chart.v5.js", "assets/chart.v5.js" },
		{ "/sub/", NULL },
		{ "/../etc/passwd", NULL },
		{ "/sub/../../x", NULL },
		{ "/..", NULL },
		{ "/./x", NULL },
		{ "/.git/config", NULL },
		{ "/sub/.hidden", NULL },
		{ "//etc/passwd", NULL },
		{ "/a\\b", NULL },
		{ "/a\nb", NULL },
		{ "relative", NULL },
		{ "", NULL },
	};
	char out[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = static_resolve(cases[i].url, out, sizeof(out));
		if (cases[i].want == NULL)
			CHECK(rc == -1, "static %s refused",
			    shown(cases[i].url));
		else
			CHECK(rc == 0 && strcmp(out, cases[i].want) == 0,
			    "static %s -> %s", cases[i].url, cases[i].want);
	}
	CHECK(static_resolve("/abcdef", out, 4) == -1,
	    "static: a path longer than the buffer is refused");
	CHECK(strcmp(static_mime("index.html"), "text/html; charset=utf-8") ==
	    0 && strcmp(static_mime("a/b.JS"),
	    "text/javascript; charset=utf-8") == 0 &&
	    strcmp(static_mime("x.css"), "text/css; charset=utf-8") == 0 &&
	    strcmp(static_mime("f.woff2"), "font/woff2") == 0 &&
	    strcmp(static_mime("i.svg"), "image/svg+xml; charset=utf-8") == 0,
	    "mime: html, js (any case), css, woff2, svg");
	CHECK(strcmp(static_mime("README"), "application/octet-stream") ==
	    0 && strcmp(static_mime("a.exe"), "application/octet-stream") ==
	    0 && strcmp(static_mime("dir.d/file"),
	    "application/octet-stream") == 0,
	    "mime: unknown and extensionless are octet-stream");
}

static const char *
header(const char *name)
{
	const struct sec_header *h;
	size_t n, i;

	h = secheaders(&n);
	for (i = 0; i < n; i++)
		if (strcmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}

static void
test_secheaders(void)
{
	const char *v;
	size_t n;

	secheaders(&n);
	CHECK(n == 6, "security headers: six of them");
	v = header("Content-Security-Policy");
	CHECK(v != NULL && strcmp(v, "default-src 'none'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' data:; font-src 'self'; "
	    "connect-src 'self'; object-src 'none'; base-uri 'none'; "
	    "frame-ancestors 'none'; form-action 'self'") == 0,
	    "CSP exactly as security.md §7.2 recommends");
	CHECK(v != NULL && strstr(v, "unsafe") == NULL &&
	    strstr(v, "ws:") == NULL && strstr(v, "*") == NULL,
	    "CSP: no unsafe-*, no ws:/wss: wildcard");
	v = header("Strict-Transport-Security");
	CHECK(v != NULL && strcmp(v, "max-age=63072000; includeSubDomains") ==
	    0, "HSTS two years with subdomains");
	CHECK((v = header("X-Content-Type-Options")) != NULL &&
	    strcmp(v, "nosniff") == 0, "nosniff");
	CHECK((v = header("Referrer-Policy")) != NULL &&
	    strcmp(v, "no-referrer") == 0, "no-referrer");
	CHECK((v = header("Cross-Origin-Opener-Policy")) != NULL &&
	    strcmp(v, "same-origin") == 0, "COOP same-origin");
	CHECK((v = header("X-Frame-Options")) != NULL &&
	    strcmp(v, "DENY") == 0, "X-Frame-Options DENY");
	CHECK(header("Server") == NULL && header("X-XSS-Protection") == NULL,
	    "no Server banner, no legacy XSS filter header");
}

static void
test_date(void)
{
	char d[HTTP_DATE_LEN + 1];

	http_date(784111777, d);
	CHECK(strcmp(d, "Sun, 06 Nov 1994 08:49:37 GMT") == 0,
	    "Date: RFC 9110's example (%s)", d);
	http_date(0, d);
	CHECK(strcmp(d, "Thu, 01 Jan 1970 00:00:00 GMT") == 0, "Date: epoch");
	http_date(1795880900, d);
	CHECK(strcmp(d, "Sat, 28 Nov 2026 15:48:20 GMT") == 0, "Date: 2026");
}

int
main(void)
{
	test_date();
	test_buf();
	test_json();
	test_csv();
	test_chunked();
	test_static();
	test_secheaders();
	return check_report();
}
