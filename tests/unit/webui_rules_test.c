/*
 * webui's decisions (webui/creds.c, csrf.c, route.c): which credential a
 * request carries, the CSRF and Origin rule, and the route table with its
 * role policy for every route and every role. Expectations come from
 * DESIGN.md's HTTP API table and docs/api.md, written out by hand.
 */
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "../../webui/creds.h"
#include "../../webui/csrf.h"
#include "../../webui/route.h"

#define TOK	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456"	/* 43 */
#define API	"twk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456_abcdef"

static void
test_cookie(void)
{
	static const struct {
		const char	*header, *want;	/* want NULL: absent */
		int		 rc;
	} cases[] = {
		{ "__Host-tw_session=abc", "abc", 1 },
		{ "a=1; __Host-tw_session=abc; b=2", "abc", 1 },
		{ "a=1;__Host-tw_session=abc;b=2", "abc", 1 },
		{ "a=1, __Host-tw_session=abc", "abc", 1 },
		{ "__Host-tw_session=\"abc\"", "abc", 1 },
		{ "__Host-tw_session=abc ", "abc", 1 },
		{ "__Host-tw_session=", "", 1 },
		{ "", NULL, 0 },
		{ "a=1; b=2", NULL, 0 },
		{ "tw_session=abc", NULL, 0 },
		{ "__host-tw_session=abc", NULL, 0 },
		{ "x__Host-tw_session=abc", NULL, 0 },
		{ "__Host-tw_sessionX=abc", NULL, 0 },
		{ "__Host-tw_session", NULL, 0 },
		{ "__Host-tw_session=a; __Host-tw_session=b", NULL, -1 },
		{ "__Host-tw_session=0123456789abcdef0123456789abcdef0123456789"
		  "abcdef0123456789", NULL, -1 },
	};
	char out[48];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = cookie_get(cases[i].header, SESSION_COOKIE, out,
		    sizeof(out));
		CHECK(rc == cases[i].rc && (rc != 1 ||
		    strcmp(out, cases[i].want) == 0), "cookie [%s] -> %d %s",
		    cases[i].header, cases[i].rc,
		    cases[i].want != NULL ? cases[i].want : "");
	}
}

static void
test_creds(void)
{
	static const struct {
		const char	*name, *cookie, *authz;	/* authz NULL: none */
		enum creds_kind	 want;
	} cases[] = {
		{ "nothing", "", NULL, CREDS_NONE },
		{ "other cookies only", "theme=dark", NULL, CREDS_NONE },
		{ "session cookie", "__Host-tw_session=" TOK, NULL,
		  CREDS_SESSION },
		{ "expired (empty) cookie", "__Host-tw_session=", NULL,
		  CREDS_NONE },
		{ "short cookie", "__Host-tw_session=abc", NULL, CREDS_BAD },
		{ "cookie with a bad character",
		  "__Host-tw_session=abcdefghijklmnopqrstuvwxyzABCDEFGHIJ012345+",
		  NULL, CREDS_BAD },
		{ "two session cookies", "__Host-tw_session=" TOK
		  "; __Host-tw_session=" TOK, NULL, CREDS_BAD },
		{ "bearer", "", "Bearer " API, CREDS_BEARER },
		{ "bearer any case, extra spaces", "", "bearer   " API "  ",
		  CREDS_BEARER },
		{ "bearer without twk_", "", "Bearer abc", CREDS_BAD },
		{ "bearer empty", "", "Bearer ", CREDS_BAD },
		{ "basic auth", "", "Basic YWxpY2U6cHc=", CREDS_BAD },
		{ "bearer with junk", "", "Bearer twk_a b", CREDS_BAD },
		{ "empty Authorization header", "", "", CREDS_BAD },
		{ "cookie and bearer", "__Host-tw_session=" TOK, "Bearer " API,
		  CREDS_BOTH },
		{ "bad cookie and bearer", "__Host-tw_session=x; "
		  "__Host-tw_session=y", "Bearer " API, CREDS_BOTH },
		{ "expired cookie and bearer", "__Host-tw_session=",
		  "Bearer " API, CREDS_BEARER },
	};
	struct creds c;
	size_t i;
	enum creds_kind k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = creds_parse(cases[i].cookie, cases[i].authz != NULL,
		    cases[i].authz != NULL ? cases[i].authz : "", &c);
		CHECK(k == cases[i].want && c.kind == k, "creds: %s",
		    cases[i].name);
	}
	creds_parse("__Host-tw_session=" TOK, 0, "", &c);
	CHECK(strcmp(c.token, TOK) == 0, "creds: the session token");
	creds_parse("", 1, "Bearer " API, &c);
	CHECK(strcmp(c.token, API) == 0, "creds: the API token");
}

static void
test_session_key(void)
{
	char a[CREDS_SESSION_KEY_LEN + 1], b[CREDS_SESSION_KEY_LEN + 1];
	size_t i;
	int hex = 1;

	creds_session_key(TOK, a);
	creds_session_key(TOK "x", b);
	for (i = 0; i < CREDS_SESSION_KEY_LEN; i++)
		if (strchr("0123456789abcdef", a[i]) == NULL)
			hex = 0;
	CHECK(strlen(a) == 64 && hex, "session key: 64 hex digits");
	CHECK(strcmp(a, b) != 0 && strstr(a, TOK) == NULL,
	    "session key: differs per token, not the token");
	/* BLAKE2b-256 of "abc" (RFC 7693 test vectors are for -512; this is
	 * libsodium's crypto_generichash with a 32-byte output). */
	creds_session_key("abc", a);
	CHECK(strcmp(a, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e4272"
	    "62c8c068d52319") == 0, "session key: BLAKE2b-256 of the token");
}

static void
mkreq(struct http_req *r, enum http_method m, const char *origin,
    const char *site, const char *host, const char *csrf)
{
	http_req_init(r);
	r->method = m;
	if (origin != NULL) {
		r->has_origin = 1;
		snprintf(r->origin, sizeof(r->origin), "%s", origin);
	}
	snprintf(r->sec_fetch_site, sizeof(r->sec_fetch_site), "%s",
	    site != NULL ? site : "");
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->csrf, sizeof(r->csrf), "%s", csrf != NULL ? csrf : "");
}

#define OWN	"https://127.0.0.1:8443"
#define HOST	"127.0.0.1:8443"
#define CSRFT	"Aklsvmmk1y6LpWaWriuqKJYpsrkpPp8xfERXPb9g9HY"

static void
test_csrf(void)
{
	static const struct {
		const char	*name;
		enum http_method m;
		enum creds_kind	 kind;
		const char	*origin, *site, *host, *csrf;
		enum csrf_verdict want;
	} cases[] = {
		{ "cookie POST, own origin, right token", HTTP_POST,
		  CREDS_SESSION, OWN, NULL, HOST, CSRFT, CSRF_OK },
		{ "cookie POST, no Origin, same-origin fetch", HTTP_POST,
		  CREDS_SESSION, NULL, "same-origin", HOST, CSRFT, CSRF_OK },
		{ "cookie DELETE ok", HTTP_DELETE, CREDS_SESSION, OWN,
		  "same-origin", HOST, CSRFT, CSRF_OK },
		{ "cookie POST without token", HTTP_POST, CREDS_SESSION, OWN,
		  NULL, HOST, NULL, CSRF_NO_TOKEN },
		{ "cookie POST with a wrong token", HTTP_POST, CREDS_SESSION,
		  OWN, NULL, HOST, CSRFT "x", CSRF_BAD_TOKEN },
		{ "cookie POST with a prefix of the token", HTTP_POST,
		  CREDS_SESSION, OWN, NULL, HOST, "Aklsvmmk1y6", CSRF_BAD_TOKEN },
		{ "cookie POST from evil.example", HTTP_POST, CREDS_SESSION,
		  "https://evil.example", NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, Origin null", HTTP_POST, CREDS_SESSION, "null",
		  NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, http:// origin", HTTP_POST, CREDS_SESSION,
		  "http://127.0.0.1:8443", NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, other port", HTTP_POST, CREDS_SESSION,
		  "https://127.0.0.1:8444", NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, origin with a path", HTTP_POST, CREDS_SESSION,
		  OWN "/x", NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, empty Origin", HTTP_POST, CREDS_SESSION, "",
		  NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, cross-site fetch with own origin", HTTP_POST,
		  CREDS_SESSION, OWN, "cross-site", HOST, CSRFT,
		  CSRF_CROSS_SITE },
		{ "cookie POST, same-site fetch", HTTP_POST, CREDS_SESSION,
		  NULL, "same-site", HOST, CSRFT, CSRF_CROSS_SITE },
		{ "cookie POST, neither Origin nor Sec-Fetch-Site", HTTP_POST,
		  CREDS_SESSION, NULL, NULL, HOST, CSRFT, CSRF_NO_ORIGIN },
		{ "cookie POST, no Host", HTTP_POST, CREDS_SESSION, OWN, NULL,
		  "", CSRFT, CSRF_BAD_ORIGIN },
		{ "cookie POST, case-insensitive origin", HTTP_POST,
		  CREDS_SESSION, "HTTPS://LOCALHOST:8443", NULL,
		  "localhost:8443", CSRFT, CSRF_OK },
		{ "cookie POST, default port implied", HTTP_POST,
		  CREDS_SESSION, "https://example.com", NULL, "example.com:443",
		  CSRFT, CSRF_OK },
		{ "cookie POST, IPv6 host", HTTP_POST, CREDS_SESSION,
		  "https://[::1]:8443", NULL, "[::1]:8443", CSRFT, CSRF_OK },
		{ "cookie GET needs nothing", HTTP_GET, CREDS_SESSION,
		  "https://evil.example", "cross-site", HOST, NULL, CSRF_OK },
		{ "cookie HEAD needs nothing", HTTP_HEAD, CREDS_SESSION, NULL,
		  NULL, HOST, NULL, CSRF_OK },
		{ "bearer POST needs nothing", HTTP_POST, CREDS_BEARER,
		  "https://evil.example", "cross-site", HOST, NULL, CSRF_OK },
		{ "cookie PUT without token", HTTP_PUT, CREDS_SESSION, OWN,
		  NULL, HOST, NULL, CSRF_NO_TOKEN },
		{ "cookie PATCH from evil", HTTP_PATCH, CREDS_SESSION,
		  "https://evil.example", NULL, HOST, CSRFT, CSRF_BAD_ORIGIN },
	};
	struct http_req r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mkreq(&r, cases[i].m, cases[i].origin, cases[i].site,
		    cases[i].host, cases[i].csrf);
		CHECK(csrf_check(&r, cases[i].kind, CSRFT) == cases[i].want,
		    "csrf: %s -> %s", cases[i].name,
		    csrf_verdict_str(cases[i].want));
	}
	mkreq(&r, HTTP_POST, OWN, NULL, HOST, CSRFT);
	CHECK(csrf_check(&r, CREDS_SESSION, "") == CSRF_BAD_TOKEN,
	    "csrf: a session without a token accepts none");

	/* The origin rule alone: login and the /live upgrade. */
	mkreq(&r, HTTP_POST, NULL, NULL, HOST, NULL);
	CHECK(origin_check(&r, 0) == CSRF_OK,
	    "login origin: a script sending neither header may log in");
	CHECK(origin_check(&r, 1) == CSRF_NO_ORIGIN,
	    "live origin: a missing Origin is refused");
	mkreq(&r, HTTP_POST, "https://evil.example", NULL, HOST, NULL);
	CHECK(origin_check(&r, 0) == CSRF_BAD_ORIGIN,
	    "login origin: another site's page is refused");
	mkreq(&r, HTTP_POST, NULL, "cross-site", HOST, NULL);
	CHECK(origin_check(&r, 0) == CSRF_CROSS_SITE,
	    "login origin: a cross-site fetch is refused");
	mkreq(&r, HTTP_GET, OWN, "same-origin", HOST, NULL);
	CHECK(origin_check(&r, 1) == CSRF_OK, "live origin: own origin");
	CHECK(!origin_is_own("https://127.0.0.1:8443", "127.0.0.1:8443/x") &&
	    !origin_is_own("https://a@127.0.0.1:8443", "a@127.0.0.1:8443") &&
	    !origin_is_own("https://", "") &&
	    origin_is_own("https://h", "h"),
	    "origin: hosts with path or user parts never match");
}

enum { NONE_, VIEWER, USER_, MANAGER, ADMIN };

/* DESIGN.md's table: method, path, least role (NONE_: public). */
static const struct {
	enum http_method m;
	const char	*path;
	enum route_id	 id;
	int		 least;
	int		 must_change_ok;
} table[] = {
	{ HTTP_GET, "/healthz", ROUTE_HEALTHZ, NONE_, 1 },
	{ HTTP_POST, "/api/login", ROUTE_LOGIN, NONE_, 1 },
	{ HTTP_POST, "/api/logout", ROUTE_LOGOUT, VIEWER, 1 },
	{ HTTP_GET, "/api/me", ROUTE_ME, VIEWER, 1 },
	{ HTTP_POST, "/api/me/password", ROUTE_ME_PASSWORD, VIEWER, 1 },
	{ HTTP_GET, "/api/symbols", ROUTE_SYMBOLS, VIEWER, 0 },
	{ HTTP_GET, "/api/bars", ROUTE_BARS, VIEWER, 0 },
	{ HTTP_GET, "/api/anomalies", ROUTE_ANOMALIES, VIEWER, 0 },
	{ HTTP_GET, "/api/export.csv", ROUTE_EXPORT_CSV, USER_, 0 },
	{ HTTP_GET, "/api/side-check", ROUTE_SIDE_CHECK, VIEWER, 0 },
	{ HTTP_GET, "/api/health", ROUTE_HEALTH, MANAGER, 0 },
	{ HTTP_GET, "/metrics", ROUTE_METRICS, MANAGER, 0 },
	{ HTTP_GET, "/api/users", ROUTE_USERS_LIST, ADMIN, 0 },
	{ HTTP_POST, "/api/users", ROUTE_USERS_ADD, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/role", ROUTE_USER_ROLE, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/disable", ROUTE_USER_DISABLE, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/enable", ROUTE_USER_ENABLE, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/password", ROUTE_USER_PASSWORD, ADMIN,
	  0 },
	{ HTTP_DELETE, "/api/users/bob", ROUTE_USER_DELETE, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/delete", ROUTE_USER_DELETE, ADMIN, 0 },
	{ HTTP_POST, "/api/users/bob/logout", ROUTE_USER_LOGOUT, ADMIN, 0 },
	{ HTTP_GET, "/live", ROUTE_LIVE, VIEWER, 0 },
	{ HTTP_GET, "/", ROUTE_STATIC, NONE_, 1 },
	{ HTTP_GET, "/app.js", ROUTE_STATIC, NONE_, 1 },
	{ HTTP_HEAD, "/api/me", ROUTE_ME, VIEWER, 1 },
	{ HTTP_HEAD, "/index.html", ROUTE_STATIC, NONE_, 1 },
};

static const enum auth_role roles[] = {
	AUTH_ROLE_NONE, AUTH_ROLE_VIEWER, AUTH_ROLE_USER, AUTH_ROLE_MANAGER,
	AUTH_ROLE_ADMIN
};

static void
test_routes(void)
{
	const struct route *r;
	char param[66], allow[64];
	enum route_verdict v, want;
	size_t i;
	int k, mc;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(route_match(table[i].m, table[i].path, &r, param,
		    sizeof(param), allow, sizeof(allow)) == ROUTE_OK &&
		    r->id == table[i].id, "route %s %s",
		    http_method_name(table[i].m), table[i].path);
		if (r == NULL)
			continue;
		for (k = 0; k < 5; k++)
			for (mc = 0; mc < 2; mc++) {
				v = route_allows(r, roles[k], mc);
				if (table[i].least == NONE_)
					want = ROUTE_ALLOW;
				else if (k < table[i].least)
					want = ROUTE_DENY_ROLE;
				else if (mc && !table[i].must_change_ok)
					want = ROUTE_DENY_MUST_CHANGE;
				else
					want = ROUTE_ALLOW;
				CHECK(v == want, "policy %s %s role=%s%s: %s",
				    http_method_name(table[i].m),
				    table[i].path, k == 0 ? "none" :
				    auth_role_name(roles[k]),
				    mc ? " must_change" : "",
				    want == ROUTE_ALLOW ? "allow" :
				    want == ROUTE_DENY_ROLE ? "403 role" :
				    "403 must change");
			}
	}
	route_match(HTTP_POST, "/api/users/Alice.B@x-y/role", &r, param,
	    sizeof(param), allow, sizeof(allow));
	CHECK(strcmp(param, "Alice.B@x-y") == 0, "route: user name captured");
}

static void
test_route_errors(void)
{
	static const struct {
		enum http_method m;
		const char	*path;
		enum route_status want;
		const char	*allow;
	} cases[] = {
		{ HTTP_GET, "/api/nope", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api/", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api/users/", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api/users/bob/nope", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api/users/a/b/role", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/api/me/", ROUTE_NO_PATH, "" },
		{ HTTP_GET, "/metricsx", ROUTE_OK, "" },	/* a file */
		{ HTTP_GET, "/api/login", ROUTE_BAD_METHOD, "POST" },
		{ HTTP_POST, "/api/me", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_PUT, "/api/users", ROUTE_BAD_METHOD, "GET, HEAD, POST" },
		{ HTTP_GET, "/api/users/bob", ROUTE_BAD_METHOD, "DELETE" },
		{ HTTP_DELETE, "/api/me", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_POST, "/healthz", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_POST, "/index.html", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_OPTIONS, "/", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_OTHER, "/api/me", ROUTE_BAD_METHOD, "GET, HEAD" },
		{ HTTP_POST, "/live", ROUTE_BAD_METHOD, "GET, HEAD" },
	};
	const struct route *r;
	char param[66], allow[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(route_match(cases[i].m, cases[i].path, &r, param,
		    sizeof(param), allow, sizeof(allow)) == cases[i].want &&
		    (cases[i].want != ROUTE_BAD_METHOD ||
		    strcmp(allow, cases[i].allow) == 0),
		    "route %s %s -> %s %s", http_method_name(cases[i].m),
		    cases[i].path, cases[i].want == ROUTE_OK ? "ok" :
		    cases[i].want == ROUTE_NO_PATH ? "404" : "405",
		    cases[i].allow);
}

static void
test_route_flags(void)
{
	const struct route *t;
	size_t n, i;
	int hashing = 0;

	t = route_table(&n);
	for (i = 0; i < n; i++)
		if (t[i].flags & ROUTE_HASHES)
			hashing++;
	/* login, own password change, user add, admin reset */
	CHECK(hashing == 4, "four routes run argon2id (got %d)", hashing);
	for (i = 0; i < n; i++)
		if ((t[i].flags & ROUTE_PUBLIC) &&
		    t[i].id != ROUTE_HEALTHZ && t[i].id != ROUTE_LOGIN)
			break;
	CHECK(i == n, "only /healthz and /api/login are public routes");
}

int
main(void)
{
	test_cookie();
	test_creds();
	test_session_key();
	test_csrf();
	test_routes();
	test_route_errors();
	test_route_flags();
	return check_report();
}
