/*
 * The route table and role policy (route.h).
 */
#include <stdio.h>
#include <string.h>

#include "route.h"

#define V	AUTH_ROLE_VIEWER
#define U	AUTH_ROLE_USER
#define M	AUTH_ROLE_MANAGER
#define A	AUTH_ROLE_ADMIN
#define PUB	ROUTE_PUBLIC
#define MC	ROUTE_MUST_CHANGE_OK
#define H	ROUTE_HASHES
#define B	ROUTE_BODY

static const struct route routes[] = {
	{ ROUTE_HEALTHZ, HTTP_GET, "/healthz", AUTH_ROLE_NONE, PUB },
	{ ROUTE_LOGIN, HTTP_POST, "/api/login", AUTH_ROLE_NONE, PUB | H | B },
	{ ROUTE_LOGOUT, HTTP_POST, "/api/logout", V, MC },
	{ ROUTE_ME, HTTP_GET, "/api/me", V, MC },
	{ ROUTE_ME_PASSWORD, HTTP_POST, "/api/me/password", V, MC | H | B },
	{ ROUTE_SYMBOLS, HTTP_GET, "/api/symbols", V, 0 },
	{ ROUTE_BARS, HTTP_GET, "/api/bars", V, 0 },
	{ ROUTE_ANOMALIES, HTTP_GET, "/api/anomalies", V, 0 },
	{ ROUTE_EXPORT_CSV, HTTP_GET, "/api/export.csv", U, 0 },
	{ ROUTE_SIDE_CHECK, HTTP_GET, "/api/side-check", V, 0 },
	{ ROUTE_HEALTH, HTTP_GET, "/api/health", M, 0 },
	{ ROUTE_METRICS, HTTP_GET, "/metrics", M, 0 },
	{ ROUTE_USERS_LIST, HTTP_GET, "/api/users", A, 0 },
	{ ROUTE_USERS_ADD, HTTP_POST, "/api/users", A, H | B },
	{ ROUTE_USER_ROLE, HTTP_POST, "/api/users/*/role", A, B },
	{ ROUTE_USER_DISABLE, HTTP_POST, "/api/users/*/disable", A, 0 },
	{ ROUTE_USER_ENABLE, HTTP_POST, "/api/users/*/enable", A, 0 },
	{ ROUTE_USER_PASSWORD, HTTP_POST, "/api/users/*/password", A, H | B },
	{ ROUTE_USER_DELETE, HTTP_DELETE, "/api/users/*", A, 0 },
	{ ROUTE_USER_DELETE, HTTP_POST, "/api/users/*/delete", A, 0 },
	{ ROUTE_USER_LOGOUT, HTTP_POST, "/api/users/*/logout", A, 0 },
	{ ROUTE_LIVE, HTTP_GET, "/live", V, 0 },
};

#define N_ROUTES	(sizeof(routes) / sizeof(routes[0]))

static const struct route static_route = {
	ROUTE_STATIC, HTTP_GET, "/", AUTH_ROLE_NONE, PUB
};

/* Matches path against pattern; a "*" takes one non-empty segment. */
static int
path_matches(const char *pattern, const char *path, char *param,
    size_t param_len)
{
	const char *star = strchr(pattern, '*');
	size_t pre, seg;

	if (star == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(star - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return 0;
	path += pre;
	seg = strcspn(path, "/");
	if (seg == 0 || strcmp(star + 1, path + seg) != 0)
		return 0;
	if (param != NULL) {
		if (seg >= param_len)
			seg = param_len - 1;	/* the handler refuses it */
		memcpy(param, path, seg);
		param[seg] = '\0';
	}
	return 1;
}

/* Paths webui answers itself; everything else is a static file. */
static int
is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	    strcmp(path, "/metrics") == 0 || strcmp(path, "/healthz") == 0 ||
	    strcmp(path, "/live") == 0;
}

static void
add_allow(char *allow, size_t allow_len, enum http_method m)
{
	size_t used = strlen(allow);

	if (strstr(allow, http_method_name(m)) != NULL)
		return;
	snprintf(allow + used, allow_len - used, "%s%s", used > 0 ? ", " : "",
	    http_method_name(m));
	if (m == HTTP_GET)
		add_allow(allow, allow_len, HTTP_HEAD);
}

enum route_status
route_match(enum http_method method, const char *path,
    const struct route **out, char *param, size_t param_len, char *allow,
    size_t allow_len)
{
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	int path_found = 0;
	size_t i;

	if (param_len > 0)
		param[0] = '\0';
	if (allow_len > 0)
		allow[0] = '\0';
	if (!is_api_path(path)) {
		if (want == HTTP_GET) {
			*out = &static_route;
			return ROUTE_OK;
		}
		add_allow(allow, allow_len, HTTP_GET);
		return ROUTE_BAD_METHOD;
	}
	for (i = 0; i < N_ROUTES; i++) {
		if (!path_matches(routes[i].pattern, path, param, param_len))
			continue;
		if (routes[i].method == want) {
			*out = &routes[i];
			return ROUTE_OK;
		}
		path_found = 1;
		add_allow(allow, allow_len, routes[i].method);
	}
	if (param_len > 0)
		param[0] = '\0';
	return path_found ? ROUTE_BAD_METHOD : ROUTE_NO_PATH;
}

enum route_verdict
route_allows(const struct route *r, enum auth_role role, int must_change)
{
	if (r->flags & ROUTE_PUBLIC)
		return ROUTE_ALLOW;
	if (role < r->min_role || role == AUTH_ROLE_NONE)
		return ROUTE_DENY_ROLE;
	if (must_change && !(r->flags & ROUTE_MUST_CHANGE_OK))
		return ROUTE_DENY_MUST_CHANGE;
	return ROUTE_ALLOW;
}

const struct route *
route_table(size_t *n)
{
	*n = N_ROUTES;
	return routes;
}
