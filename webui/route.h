/*
 * The routes of DESIGN.md's HTTP API table, each with the least role that
 * may call it and what else it needs. Matching and the role decision are
 * here, as data, so one table test covers every route and role. No I/O.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>

#include "auth.h"
#include "http.h"

enum route_id {
	ROUTE_NOT_FOUND = 0,
	ROUTE_HEALTHZ,
	ROUTE_LOGIN,
	ROUTE_LOGOUT,
	ROUTE_ME,
	ROUTE_ME_PASSWORD,
	ROUTE_SYMBOLS,
	ROUTE_BARS,
	ROUTE_ANOMALIES,
	ROUTE_EXPORT_CSV,
	ROUTE_SIDE_CHECK,
	ROUTE_HEALTH,
	ROUTE_METRICS,
	ROUTE_USERS_LIST,
	ROUTE_USERS_ADD,
	ROUTE_USER_ROLE,
	ROUTE_USER_DISABLE,
	ROUTE_USER_ENABLE,
	ROUTE_USER_PASSWORD,
	ROUTE_USER_DELETE,
	ROUTE_USER_LOGOUT,
	ROUTE_LIVE,		/* the WebSocket; a plain GET is a 400 */
	ROUTE_STATIC,		/* files under TW_WEB_ROOT */
	ROUTE_COUNT
};

#define ROUTE_PUBLIC		0x01	/* no credential needed */
#define ROUTE_MUST_CHANGE_OK	0x02	/* allowed before the first change */
#define ROUTE_HASHES		0x04	/* runs argon2id: bounded queue */
#define ROUTE_BODY		0x08	/* takes a JSON body */

struct route {
	enum route_id	 id;
	enum http_method method;
	const char	*pattern;	/* "*" matches one user name segment */
	enum auth_role	 min_role;	/* AUTH_ROLE_NONE when public */
	unsigned	 flags;
};

enum route_status {
	ROUTE_OK = 0,
	ROUTE_NO_PATH,		/* 404 */
	ROUTE_BAD_METHOD	/* 405: the path exists with other methods */
};

/*
 * Finds the route of (method, path). HEAD matches what GET matches. On
 * ROUTE_OK *out is set and a "*" segment is copied to param (the empty
 * string when none). ROUTE_BAD_METHOD fills allow ("GET, POST").
 */
enum route_status route_match(enum http_method, const char *path,
		    const struct route **out, char *param, size_t param_len,
		    char *allow, size_t allow_len);

enum route_verdict {
	ROUTE_ALLOW = 0,
	ROUTE_DENY_ROLE,		/* 403 forbidden */
	ROUTE_DENY_MUST_CHANGE		/* 403 password change required */
};

/* Whether a user of role (must_change set or not) may call route. */
enum route_verdict route_allows(const struct route *, enum auth_role,
		    int must_change);

/* Every route, for tests and docs. */
const struct route *route_table(size_t *n);

#endif /* ROUTE_H */
