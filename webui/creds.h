/*
 * Which credential a request carries: the session cookie, an API token in
 * "Authorization: Bearer", both (refused: never pick one silently), or
 * none. Parsing only; auth.h says whether a credential is valid. No I/O.
 */
#ifndef CREDS_H
#define CREDS_H

#include <stddef.h>

#include "auth.h"

#define SESSION_COOKIE		"__Host-tw_session"

enum creds_kind {
	CREDS_NONE = 0,
	CREDS_SESSION,		/* token holds the cookie's value */
	CREDS_BEARER,		/* token holds the API token */
	CREDS_BOTH,		/* 400 */
	CREDS_BAD		/* malformed cookie or Authorization: 401 */
};

struct creds {
	enum creds_kind	 kind;
	char		 token[AUTH_API_TOKEN_LEN + 1];
};

/*
 * Looks up cookie name in a Cookie header ("a=1; b=2"). Returns 1 with the
 * value in out, 0 when absent, -1 when it appears twice or its value does
 * not fit out.
 */
int	 cookie_get(const char *header, const char *name, char *out,
	    size_t out_len);

/*
 * Decides from the Cookie and Authorization headers (has_authorization:
 * whether the latter was sent). A session token must be 43 base64url
 * characters and a Bearer token start with "twk_" and fit; anything else
 * is CREDS_BAD.
 */
enum creds_kind	 creds_parse(const char *cookie, int has_authorization,
		    const char *authorization, struct creds *);

/*
 * The name live.h gives a session: hex of BLAKE2b-256 of its token, so the
 * token itself need not travel to the /live side.
 */
#define CREDS_SESSION_KEY_LEN	64
void		 creds_session_key(const char *token,
		    char out[CREDS_SESSION_KEY_LEN + 1]);

#endif /* CREDS_H */
