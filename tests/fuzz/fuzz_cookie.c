/*
 * libFuzzer: the credential and origin headers of a request
 * (webui/creds.c, webui/csrf.c). The input is lines: Cookie,
 * Authorization, Origin, Host, Sec-Fetch-Site, X-CSRF-Token, then the
 * session's CSRF token; a missing line is a header not sent (an empty one
 * is sent and empty), as lwsreq.c sets has_origin and has_authorization.
 *
 * Checked on every input, abort() on a violation:
 *  - cookie_get answers 1, 0 or -1 alike for every buffer size that holds
 *    the value; 1 gives a NUL-terminated value shorter than the buffer
 *    that occurs in the header; a buffer too small gives -1, never a cut
 *    value;
 *  - creds_parse: a known kind, CREDS_BOTH exactly when a session cookie
 *    and an Authorization header came together, CREDS_SESSION a token of
 *    43 base64url characters, CREDS_BEARER "twk_" and base64url within
 *    AUTH_API_TOKEN_LEN, nothing in token otherwise;
 *    creds_session_key gives 64 hex digits;
 *  - origin_is_own only for "https://" + host (no case, :443 implied) of
 *    a host without bytes no Host header holds;
 *  - csrf_check passes a cookie request that changes state only with our
 *    origin (or Sec-Fetch-Site: same-origin) and the session's token; a
 *    safe method or a Bearer request always passes; origin_check with
 *    require_origin refuses a request without Origin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "creds.h"
#include "csrf.h"
#include "http.h"
#include "fuzz_check.h"

#define N_LINES		7

static int
b64url(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", *s) == NULL)
			return 0;
	return 1;
}

static void
check_cookie_get(const char *header, const char *name)
{
	static const size_t sizes[] = { 1, 2, 8, 44, 45, 512, HTTP_COOKIE_MAX + 1 };
	char big[HTTP_COOKIE_MAX + 2], out[HTTP_COOKIE_MAX + 2];
	size_t i, vlen = 0;
	int rc, r;

	rc = cookie_get(header, name, big, sizeof(big));
	FZ_CHECK(rc == 1 || rc == 0 || rc == -1);
	if (rc == 1) {
		vlen = strlen(big);
		FZ_CHECK(vlen < sizeof(big));
		FZ_CHECK(strstr(header, big) != NULL);
		FZ_CHECK(strchr(big, ';') == NULL && strchr(big, ',') == NULL);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(out, 'x', sizeof(out));
		r = cookie_get(header, name, out, sizes[i]);
		if (rc == 1 && vlen >= sizes[i]) {
			FZ_CHECK(r == -1);	/* too long: refused, not cut */
			continue;
		}
		FZ_CHECK(r == rc);
		if (r == 1)
			FZ_CHECK(strcmp(out, big) == 0);
	}
}

static void
check_creds(const char *cookie, int has_auth, const char *auth,
    struct creds *c)
{
	char key[CREDS_SESSION_KEY_LEN + 1], v[HTTP_COOKIE_MAX + 2];
	enum creds_kind k;
	int session_sent;
	size_t i;

	memset(c, 'x', sizeof(*c));
	k = creds_parse(cookie, has_auth, auth, c);
	FZ_CHECK(k == c->kind && k >= CREDS_NONE && k <= CREDS_BAD);
	FZ_CHECK(memchr(c->token, '\0', sizeof(c->token)) != NULL);
	/* A session cookie is "sent" unless absent or empty (a logout's). */
	session_sent = cookie_get(cookie, SESSION_COOKIE, v, sizeof(v));
	if (session_sent == 1 && v[0] == '\0')
		session_sent = 0;
	FZ_CHECK((k == CREDS_BOTH) == (session_sent != 0 && has_auth));
	if (has_auth)
		FZ_CHECK(k == CREDS_BOTH || k == CREDS_BEARER || k == CREDS_BAD);
	else
		FZ_CHECK(k == CREDS_NONE || k == CREDS_SESSION || k == CREDS_BAD);
	switch (k) {
	case CREDS_SESSION:
		FZ_CHECK(strlen(c->token) == AUTH_SESSION_TOKEN_LEN &&
		    b64url(c->token) && strstr(cookie, c->token) != NULL);
		creds_session_key(c->token, key);
		FZ_CHECK(strlen(key) == CREDS_SESSION_KEY_LEN);
		for (i = 0; i < CREDS_SESSION_KEY_LEN; i++)
			FZ_CHECK(strchr("0123456789abcdef", key[i]) != NULL);
		break;
	case CREDS_BEARER:
		FZ_CHECK(strncmp(c->token, AUTH_API_TOKEN_PREFIX, 4) == 0 &&
		    strlen(c->token) <= AUTH_API_TOKEN_LEN &&
		    b64url(c->token) && strstr(auth, c->token) != NULL);
		break;
	default:
		FZ_CHECK(c->token[0] == '\0');
	}
}

/* Without a ":443" at its end, once. */
static size_t
strip443(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && strcmp(s + n - 4, ":443") == 0 ? n - 4 : n;
}

static void
check_origin(const char *origin, const char *host)
{
	const char *o;
	size_t on, hn, i;

	if (!origin_is_own(origin, host))
		return;
	FZ_CHECK(strncasecmp(origin, "https://", 8) == 0);
	o = origin + 8;
	on = strip443(o);
	hn = strip443(host);
	FZ_CHECK(on > 0 && on == hn && strncasecmp(o, host, on) == 0);
	for (i = 0; host[i] != '\0'; i++)
		FZ_CHECK(host[i] > 0x20 && host[i] < 0x7f &&
		    strchr("/\\@?#%\"'", host[i]) == NULL);
	/* The same origin is ours whatever the case. */
	FZ_CHECK(origin_is_own(origin, origin + 8));
}

static void
check_csrf(const struct http_req *r, const struct creds *c,
    const char *session_csrf)
{
	enum csrf_verdict v, o;
	int m;
	struct http_req rm;

	o = origin_check(r, 1);
	FZ_CHECK(o >= CSRF_OK && o <= CSRF_NO_ORIGIN);
	if (!r->has_origin)
		FZ_CHECK(o != CSRF_OK);
	else if (o == CSRF_OK)
		FZ_CHECK(origin_is_own(r->origin, r->host));
	FZ_CHECK(csrf_verdict_str(o) != NULL);

	memcpy(&rm, r, sizeof(rm));
	for (m = HTTP_OTHER; m <= HTTP_OPTIONS; m++) {
		rm.method = (enum http_method)m;
		v = csrf_check(&rm, c->kind, session_csrf);
		FZ_CHECK(v >= CSRF_OK && v <= CSRF_NO_ORIGIN);
		if (c->kind != CREDS_SESSION || !http_method_unsafe(rm.method)) {
			FZ_CHECK(v == CSRF_OK);
			continue;
		}
		if (v != CSRF_OK)
			continue;
		FZ_CHECK(r->csrf[0] != '\0' && session_csrf[0] != '\0' &&
		    strcmp(r->csrf, session_csrf) == 0);
		FZ_CHECK(r->has_origin || strcasecmp(r->sec_fetch_site,
		    "same-origin") == 0);
		if (r->has_origin)
			FZ_CHECK(origin_is_own(r->origin, r->host));
		if (r->sec_fetch_site[0] != '\0')
			FZ_CHECK(strcasecmp(r->sec_fetch_site,
			    "same-origin") == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static struct http_req r;
	static char scratch[HTTP_COOKIE_MAX + 1];
	char *text, *p, *nl, *line[N_LINES] = { NULL };
	char session_csrf[HTTP_HEADER_MAX + 1];
	struct creds c;
	int n = 0;

	if (!ready) {
		if (sodium_init() == -1)
			abort();
		ready = 1;
	}
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; n < N_LINES && p != NULL; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (n == N_LINES - 1)
			nl = NULL;	/* the last line takes the rest */
		line[n++] = p;
	}

	http_req_init(&r);
	r.method = HTTP_POST;
#define SET(dst, i) snprintf(dst, sizeof(dst), "%s", line[i] != NULL ?	\
	line[i] : "")
	SET(r.cookie, 0);
	SET(r.authorization, 1);
	SET(r.origin, 2);
	SET(r.host, 3);
	SET(r.sec_fetch_site, 4);
	SET(r.csrf, 5);
	SET(session_csrf, 6);
#undef SET
	r.has_authorization = line[1] != NULL;
	r.has_origin = line[2] != NULL;

	check_cookie_get(r.cookie, SESSION_COOKIE);
	/* Any name the header holds, e.g. the first one. */
	snprintf(scratch, sizeof(scratch), "%.*s",
	    (int)strcspn(r.cookie, "="), r.cookie);
	check_cookie_get(r.cookie, scratch);
	check_creds(r.cookie, r.has_authorization, r.authorization, &c);
	check_origin(r.origin, r.host);
	check_csrf(&r, &c, session_csrf);
	http_req_free(&r);
	free(text);
	return 0;
}
