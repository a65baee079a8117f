/*
 * CSRF and Origin decisions (csrf.h).
 */
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "csrf.h"

const char *
csrf_verdict_str(enum csrf_verdict v)
{
	switch (v) {
	case CSRF_OK: return "ok";
	case CSRF_NO_TOKEN: return "no csrf token";
	case CSRF_BAD_TOKEN: return "wrong csrf token";
	case CSRF_BAD_ORIGIN: return "foreign origin";
	case CSRF_CROSS_SITE: return "cross-site fetch";
	case CSRF_NO_ORIGIN: return "no origin";
	}
	return "?";
}

/* host[:port] without the default port; 0 when it cannot be a Host. */
static size_t
host_len(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr("/\\@?#%\"' \t\r\n", h[i]) != NULL ||
		    (unsigned char)h[i] < 0x20 || (unsigned char)h[i] >= 0x7f)
			return 0;
	if (n > 4 && memcmp(h + n - 4, ":443", 4) == 0)
		n -= 4;
	return n;
}

int
origin_is_own(const char *origin, const char *host)
{
	static const char scheme[] = "https://";
	size_t on, hn;

	if (strncasecmp(origin, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	origin += sizeof(scheme) - 1;
	on = host_len(origin, strlen(origin));
	hn = host_len(host, strlen(host));
	return on > 0 && on == hn && strncasecmp(origin, host, on) == 0;
}

enum csrf_verdict
origin_check(const struct http_req *r, int require_origin)
{
	if (r->sec_fetch_site[0] != '\0' &&
	    strcasecmp(r->sec_fetch_site, "same-origin") != 0)
		return CSRF_CROSS_SITE;
	if (r->has_origin)
		return origin_is_own(r->origin, r->host) ? CSRF_OK :
		    CSRF_BAD_ORIGIN;
	if (require_origin)
		return CSRF_NO_ORIGIN;
	return CSRF_OK;
}

enum csrf_verdict
csrf_check(const struct http_req *r, enum creds_kind kind,
    const char *session_csrf)
{
	enum csrf_verdict v;

	if (kind != CREDS_SESSION || !http_method_unsafe(r->method))
		return CSRF_OK;
	if ((v = origin_check(r, 0)) != CSRF_OK)
		return v;
	/* A cookie request must show it came from a browser page of ours. */
	if (!r->has_origin && r->sec_fetch_site[0] == '\0')
		return CSRF_NO_ORIGIN;
	if (r->csrf[0] == '\0')
		return CSRF_NO_TOKEN;
	if (session_csrf == NULL || session_csrf[0] == '\0' ||
	    !auth_str_equal(r->csrf, session_csrf))
		return CSRF_BAD_TOKEN;
	return CSRF_OK;
}
