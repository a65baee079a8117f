/*
 * Cross-site request forgery and Origin rules (security.md §6,
 * docs/security.md). A request authenticated by the session cookie that
 * changes state (POST, PUT, PATCH, DELETE) must carry X-CSRF-Token equal
 * to its session's token, compared in constant time, and come from our
 * own origin: an Origin header equal to "https://" + Host, or, when a
 * browser sent no Origin, Sec-Fetch-Site: same-origin. A Sec-Fetch-Site
 * other than same-origin is refused even with a good Origin. Bearer
 * requests are not cookie-authenticated and need neither. No I/O.
 */
#ifndef CSRF_H
#define CSRF_H

#include <stddef.h>

#include "creds.h"
#include "http.h"

enum csrf_verdict {
	CSRF_OK = 0,
	CSRF_NO_TOKEN,		/* X-CSRF-Token missing */
	CSRF_BAD_TOKEN,		/* not the session's */
	CSRF_BAD_ORIGIN,	/* Origin is not ours (or "null") */
	CSRF_CROSS_SITE,	/* Sec-Fetch-Site says another site */
	CSRF_NO_ORIGIN		/* neither Origin nor Sec-Fetch-Site */
};

/* For the audit log's detail column. */
const char	*csrf_verdict_str(enum csrf_verdict);

/*
 * Whether origin (as sent) is "https://" + host, compared without case
 * and with :443 implied. A host with characters no Host header may hold
 * never matches.
 */
int		 origin_is_own(const char *origin, const char *host);

/*
 * The origin rule alone, for requests without a session (login) and the
 * /live upgrade. require_origin: a missing Origin is refused (the
 * WebSocket upgrade: browsers always send one); otherwise a request with
 * neither Origin nor Sec-Fetch-Site passes (a script, not a browser).
 */
enum csrf_verdict origin_check(const struct http_req *, int require_origin);

/* The full rule for an authenticated request. */
enum csrf_verdict csrf_check(const struct http_req *, enum creds_kind,
		    const char *session_csrf);

#endif /* CSRF_H */
