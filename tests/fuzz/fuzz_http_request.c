/*
 * libFuzzer: webui's request path short of libwebsockets. The input is a
 * request line, "METHOD TARGET[ VERSION]", and optionally a second line
 * read as TW_BAR_INTERVALS. As lwsreq.c does: the method through
 * http_method_parse, the path (target up to '?', cut to HTTP_PATH_MAX)
 * through route_match and route_allows for every role, the query split
 * on '&' into fragments, each percent-decoded (lws does that part; done
 * here alike) and split at its first '=' into http_req_add_arg, then the
 * request through query_bars, query_anomalies and query_side_check.
 *
 * Checked on every input, abort() on a violation:
 *  - a parsed method's name reads back as the method text;
 *  - args: at most HTTP_MAX_ARGS, each name and value the fragment's
 *    bytes up to a NUL, NUL-terminated inside argbuf, and a refused one
 *    sets args_overflow;
 *  - route_match: a known status; ROUTE_OK gives a route of the method
 *    (HEAD as GET) whose pattern matches, a "*" segment copied into param
 *    without '/', nothing in param otherwise; a 405 names only methods of
 *    the table in allow, a 404 none; param and allow NUL-terminated in
 *    their buffers;
 *  - route_allows: public routes allow everyone, no role is denied what a
 *    lesser role may do, must_change only takes away;
 *  - a query accepted has values in their documented ranges (a valid
 *    symbol and source, a configured interval, 0 <= from <= to <= 2^53,
 *    limit 1..20000); a query refused has a reason of printable ASCII
 *    only (it goes into the 400's JSON), also when cut by a small buffer;
 *  - query_int64 round trips through "%lld"; query_parse_intervals gives
 *    1..8 increasing intervals of 1..604800 s.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "query.h"
#include "route.h"
#include "fuzz_check.h"

#define MS_MAX		((int64_t)1 << 53)

/* What each added argument must read as (C strings, cut at a NUL). */
struct want_arg {
	char	 name[HTTP_ARGS_BYTES];
	char	 value[HTTP_ARGS_BYTES];
};
static struct want_arg	want[HTTP_MAX_ARGS];

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX and '+' decoded in place, as lws hands fragments over; new length. */
static size_t
urldecode(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			s[o++] = s[i] == '+' ? ' ' : s[i];
	}
	return o;
}

static void
fz_text_in(const char *p, const char *base, size_t cap)
{
	FZ_CHECK(p >= base && p < base + cap);
	FZ_CHECK(memchr(p, '\0', cap - (size_t)(p - base)) != NULL);
}

static void
fz_printable(const char *s, size_t cap)
{
	const char *nul = memchr(s, '\0', cap);
	const char *p;

	FZ_CHECK(nul != NULL);
	for (p = s; p < nul; p++)
		FZ_CHECK(*p >= 0x20 && *p <= 0x7e);
}

/* One fragment as copy_args() in lwsreq.c adds it. */
static void
add_fragment(struct http_req *r, char *frag, size_t n)
{
	const char *eq;
	int before = r->n_args, rc;
	size_t nl, vl;

	n = urldecode(frag, n);
	if (n == 0)
		return;
	if (n >= HTTP_ARGS_BYTES) {	/* longer than lws's copy buffer */
		r->args_overflow = 1;
		return;
	}
	if ((eq = memchr(frag, '=', n)) != NULL) {
		nl = (size_t)(eq - frag);
		vl = n - nl - 1;
		rc = http_req_add_arg(r, frag, nl, eq + 1, vl);
	} else {
		nl = n;
		vl = 0;
		rc = http_req_add_arg(r, frag, n, "", 0);
	}
	if (rc == -1) {
		FZ_CHECK(r->args_overflow && r->n_args == before);
		return;
	}
	FZ_CHECK(rc == 0 && r->n_args == before + 1 &&
	    r->n_args <= HTTP_MAX_ARGS);
	snprintf(want[before].name, sizeof(want[before].name), "%.*s",
	    (int)nl, frag);
	snprintf(want[before].value, sizeof(want[before].value), "%.*s",
	    (int)vl, eq != NULL ? eq + 1 : "");
}

static void
check_args(const struct http_req *r)
{
	int i;

	FZ_CHECK(r->n_args >= 0 && r->n_args <= HTTP_MAX_ARGS);
	for (i = 0; i < r->n_args; i++) {
		fz_text_in(r->args[i].name, r->argbuf, sizeof(r->argbuf));
		fz_text_in(r->args[i].value, r->argbuf, sizeof(r->argbuf));
		FZ_CHECK(strcmp(r->args[i].name, want[i].name) == 0);
		FZ_CHECK(strcmp(r->args[i].value, want[i].value) == 0);
	}
}

static int
known_method_list(const char *allow)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS" };
	char tmp[128], *tok, *save = NULL;
	size_t i;
	int n = 0, ok;

	snprintf(tmp, sizeof(tmp), "%s", allow);
	for (tok = strtok_r(tmp, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save), n++) {
		for (ok = 0, i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			ok |= strcmp(tok, names[i]) == 0;
		if (!ok)
			return 0;
	}
	return n > 0;
}

static void
check_route(enum http_method m, const char *path)
{
	const struct route *rt = NULL;
	char param[AUTH_NAME_MAX + 2], allow[64], tiny[4];
	enum route_status st;
	enum route_verdict v, prev;
	const char *star;
	int role, mc;

	memset(param, 'x', sizeof(param));
	memset(allow, 'x', sizeof(allow));
	st = route_match(m, path, &rt, param, sizeof(param), allow,
	    sizeof(allow));
	FZ_CHECK(st == ROUTE_OK || st == ROUTE_NO_PATH ||
	    st == ROUTE_BAD_METHOD);
	FZ_CHECK(memchr(param, '\0', sizeof(param)) != NULL);
	FZ_CHECK(memchr(allow, '\0', sizeof(allow)) != NULL);
	/* A match may leave the methods of routes tried before it. */
	if (st == ROUTE_BAD_METHOD)
		FZ_CHECK(known_method_list(allow));
	else if (st == ROUTE_NO_PATH)
		FZ_CHECK(allow[0] == '\0');
	else
		FZ_CHECK(allow[0] == '\0' || known_method_list(allow));
	if (st != ROUTE_OK) {
		FZ_CHECK(param[0] == '\0');
		return;
	}
	FZ_CHECK(rt != NULL && rt->id > ROUTE_NOT_FOUND &&
	    rt->id < ROUTE_COUNT);
	FZ_CHECK(rt->method == (m == HTTP_HEAD ? HTTP_GET : m));
	if (rt->id == ROUTE_STATIC) {
		FZ_CHECK(strncmp(path, "/api/", 5) != 0 &&
		    strcmp(path, "/live") != 0 && param[0] == '\0');
	} else if ((star = strchr(rt->pattern, '*')) == NULL) {
		FZ_CHECK(strcmp(rt->pattern, path) == 0 && param[0] == '\0');
	} else {
		/* The segment, cut to the buffer: the handler refuses that. */
		FZ_CHECK(param[0] != '\0' && strchr(param, '/') == NULL);
		FZ_CHECK(strncmp(path, rt->pattern,
		    (size_t)(star - rt->pattern)) == 0);
		FZ_CHECK(strncmp(path + (star - rt->pattern), param,
		    strlen(param)) == 0);
	}
	/* A smaller param buffer still ends in a NUL. */
	FZ_CHECK(route_match(m, path, &rt, tiny, sizeof(tiny), allow,
	    sizeof(allow)) == ROUTE_OK);
	FZ_CHECK(memchr(tiny, '\0', sizeof(tiny)) != NULL);

	for (mc = 0; mc <= 1; mc++) {
		prev = ROUTE_DENY_ROLE;
		for (role = AUTH_ROLE_NONE; role <= AUTH_ROLE_ADMIN; role++) {
			v = route_allows(rt, (enum auth_role)role, mc);
			FZ_CHECK(v == ROUTE_ALLOW || v == ROUTE_DENY_ROLE ||
			    v == ROUTE_DENY_MUST_CHANGE);
			if (rt->flags & ROUTE_PUBLIC)
				FZ_CHECK(v == ROUTE_ALLOW);
			else if (role == AUTH_ROLE_NONE)
				FZ_CHECK(v == ROUTE_DENY_ROLE);
			if (prev == ROUTE_ALLOW)
				FZ_CHECK(v == ROUTE_ALLOW);
			if (v == ROUTE_ALLOW && mc)
				FZ_CHECK(route_allows(rt,
				    (enum auth_role)role, 0) == ROUTE_ALLOW);
			prev = v;
		}
	}
}

static int
configured(int64_t v, const int64_t *iv, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (iv[i] == v)
			return 1;
	return 0;
}

static void
check_queries(const struct http_req *r, const int64_t *iv, int n_iv)
{
	struct bars_query bq;
	struct anomalies_query aq;
	struct side_check_query sq;
	char err[256], small[12];

	memset(err, 'x', sizeof(err));
	if (query_bars(r, iv, n_iv, &bq, err, sizeof(err)) == 0) {
		FZ_CHECK(query_symbol_ok(bq.symbol));
		FZ_CHECK(bq.source[0] == '\0' || query_source_ok(bq.source));
		FZ_CHECK(configured(bq.interval_s, iv, n_iv) ||
		    (bq.interval_s == 60 && n_iv == 0));
		FZ_CHECK(bq.from_ms >= 0 && bq.from_ms <= bq.to_ms &&
		    bq.to_ms <= MS_MAX);
		FZ_CHECK(bq.has_from || bq.from_ms == 0);
		FZ_CHECK(bq.has_to || bq.to_ms == MS_MAX);
		FZ_CHECK(bq.limit >= 1 && bq.limit <= QUERY_LIMIT_MAX);
	} else {
		fz_printable(err, sizeof(err));
		FZ_CHECK(err[0] != '\0');
		FZ_CHECK(query_bars(r, iv, n_iv, &bq, small, sizeof(small)) ==
		    -1);
		fz_printable(small, sizeof(small));
	}
	memset(err, 'x', sizeof(err));
	if (query_anomalies(r, iv, n_iv, &aq, err, sizeof(err)) == 0) {
		FZ_CHECK(aq.symbol[0] == '\0' || query_symbol_ok(aq.symbol));
		FZ_CHECK(aq.source[0] == '\0' || query_source_ok(aq.source));
		FZ_CHECK(aq.interval_s == 0 ||
		    configured(aq.interval_s, iv, n_iv));
		FZ_CHECK(aq.from_ms >= 0 && aq.from_ms <= aq.to_ms &&
		    aq.to_ms <= MS_MAX);
		FZ_CHECK(aq.limit >= 1 && aq.limit <= QUERY_LIMIT_MAX);
	} else {
		fz_printable(err, sizeof(err));
		FZ_CHECK(err[0] != '\0');
	}
	memset(err, 'x', sizeof(err));
	if (query_side_check(r, &sq, err, sizeof(err)) == 0) {
		FZ_CHECK(sq.symbol[0] == '\0' || query_symbol_ok(sq.symbol));
		FZ_CHECK(sq.source[0] == '\0' || query_source_ok(sq.source));
	} else {
		fz_printable(err, sizeof(err));
		FZ_CHECK(err[0] != '\0');
	}
}

static void
check_int64(const struct http_req *r)
{
	char text[32];
	int64_t v, w;
	int i;

	for (i = 0; i < r->n_args; i++) {
		if (query_int64(r->args[i].value, &v) == -1)
			continue;
		snprintf(text, sizeof(text), "%lld", (long long)v);
		FZ_CHECK(query_int64(text, &w) == 0 && w == v);
	}
}

static int
parse_intervals(const char *s, int64_t *iv)
{
	int n, i;

	n = query_parse_intervals(s, iv, QUERY_MAX_INTERVALS);
	if (n == -1) {
		/* The configuration webui starts with by default. */
		iv[0] = 1;
		iv[1] = 60;
		iv[2] = 3600;
		return 3;
	}
	FZ_CHECK(n >= 1 && n <= QUERY_MAX_INTERVALS);
	for (i = 0; i < n; i++) {
		FZ_CHECK(iv[i] >= 1 && iv[i] <= 7 * 86400);
		FZ_CHECK(i == 0 || iv[i] > iv[i - 1]);
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_req r;
	int64_t iv[QUERY_MAX_INTERVALS];
	char *text, *line2, *sp, *target, *q, *amp, *path;
	enum http_method m;
	size_t plen;
	int n_iv;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if ((line2 = strchr(text, '\n')) != NULL)
		*line2++ = '\0';
	n_iv = parse_intervals(line2 != NULL ? line2 : "", iv);

	http_req_init(&r);
	/* The request line: method, target, anything after a space. */
	target = text + strlen(text);
	if ((sp = strchr(text, ' ')) != NULL) {
		*sp = '\0';
		target = sp + 1;
		if ((sp = strchr(target, ' ')) != NULL)
			*sp = '\0';
	}
	m = http_method_parse(text);
	FZ_CHECK(m >= HTTP_OTHER && m <= HTTP_OPTIONS);
	FZ_CHECK(http_method_name(m) != NULL);
	if (m != HTTP_OTHER)
		FZ_CHECK(strcmp(http_method_name(m), text) == 0);
	else
		FZ_CHECK(strcmp(http_method_name(m), "OTHER") == 0);
	FZ_CHECK(http_method_unsafe(m) == (m != HTTP_GET && m != HTTP_HEAD &&
	    m != HTTP_OPTIONS));
	r.method = m;

	if ((q = strchr(target, '?')) != NULL)
		*q++ = '\0';
	/* lws decodes the path; "%2F" and friends become bytes. */
	plen = urldecode(target, strlen(target));
	if ((path = malloc(plen + 1)) == NULL)
		abort();
	memcpy(path, target, plen);
	path[plen] = '\0';	/* a decoded NUL ends it (lwsreq_malformed) */
	snprintf(r.path, sizeof(r.path), "%s", path);
	FZ_CHECK(strlen(r.path) <= HTTP_PATH_MAX);
	check_route(m, r.path);

	while (q != NULL) {
		if ((amp = strchr(q, '&')) != NULL)
			*amp++ = '\0';
		add_fragment(&r, q, strlen(q));
		q = amp;
	}
	check_args(&r);
	check_int64(&r);
	check_queries(&r, iv, n_iv);
	http_req_free(&r);
	free(path);
	free(text);
	return 0;
}
