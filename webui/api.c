/*
 * The API's front door (api.h): route, authenticate, check CSRF and the
 * role, parse the body, call the handler. Every refusal is a JSON
 * {"error": reason} with the status docs/api.md gives.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "body.h"
#include "csrf.h"
#include "log.h"

typedef void	(*api_fn)(struct api_call *);

static const api_fn handlers[ROUTE_COUNT] = {
	[ROUTE_HEALTHZ] = api_healthz,
	[ROUTE_LOGIN] = api_login,
	[ROUTE_LOGOUT] = api_logout,
	[ROUTE_ME] = api_me,
	[ROUTE_ME_PASSWORD] = api_me_password,
	[ROUTE_SYMBOLS] = api_symbols,
	[ROUTE_BARS] = api_bars,
	[ROUTE_ANOMALIES] = api_anomalies,
	[ROUTE_EXPORT_CSV] = api_export_csv,
	[ROUTE_SIDE_CHECK] = api_side_check,
	[ROUTE_HEALTH] = api_health,
	[ROUTE_METRICS] = api_metrics,
	[ROUTE_USERS_LIST] = api_users,
	[ROUTE_USERS_ADD] = api_users,
	[ROUTE_USER_ROLE] = api_users,
	[ROUTE_USER_DISABLE] = api_users,
	[ROUTE_USER_ENABLE] = api_users,
	[ROUTE_USER_PASSWORD] = api_users,
	[ROUTE_USER_DELETE] = api_users,
	[ROUTE_USER_LOGOUT] = api_users,
	[ROUTE_STATIC] = api_static,
};

void
api_json(struct api_call *c, int status, json_t *j)
{
	char *text;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT |
	    JSON_REAL_PRECISION(17))) == NULL) {
		json_decref(j);
		http_resp_error(c->resp, 500, "internal error");
		return;
	}
	http_resp_json_text(c->resp, status, text, strlen(text));
	free(text);
	json_decref(j);
}

void
api_internal_error(struct api_call *c, const char *what, int rc)
{
	log_warnx("%s %s: %s: %s", http_method_name(c->req->method),
	    c->route != NULL ? c->route->pattern : "?", what,
	    rc == AUTH_ERR_DB && c->w->auth != NULL ?
	    auth_last_error(c->w->auth) : auth_strerror(rc));
	http_resp_error(c->resp, 500, "internal error");
}

const char *
api_body_str(struct api_call *c, const char *key, int required)
{
	char err[BODY_ERR_LEN];
	const char *s;

	if (body_str(c->body, key, required, &s, err, sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return NULL;
	}
	return s;
}

void
api_set_cookie(struct api_call *c, const char *token)
{
	/* __Host-: Secure, Path=/ and no Domain, so no subdomain can set or
	 * read it. No Max-Age: the server's timeouts decide its life. */
	if (token[0] != '\0')
		http_resp_header(c->resp, "Set-Cookie", "%s=%s; Path=/; Secure; "
		    "HttpOnly; SameSite=Strict", SESSION_COOKIE, token);
	else
		http_resp_header(c->resp, "Set-Cookie", "%s=; Path=/; Secure; "
		    "HttpOnly; SameSite=Strict; Max-Age=0", SESSION_COOKIE);
}

json_t *
api_user_json(const struct auth_user *u)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I}",
	    "name", u->name, "role", auth_role_name(u->role),
	    "disabled", u->disabled, "locked", u->locked,
	    "must_change", u->must_change, "created_ms",
	    (json_int_t)u->created_ms, "changed_ms", (json_int_t)u->changed_ms,
	    "last_login_ms", (json_int_t)u->last_login_ms);
}

/* ROUTE_BODY routes: a JSON object, sent as application/json. */
static int
parse_body(struct api_call *c)
{
	const char *reason;
	int status;

	c->body = body_object(c->req->content_type, c->req->body,
	    c->req->body_len, &status, &reason);
	if (c->body == NULL) {
		http_resp_error(c->resp, status, "%s", reason);
		return -1;
	}
	return 0;
}

static void
refuse_csrf(struct api_call *c, enum csrf_verdict v)
{
	auth_audit(c->w->auth, c->req->now_ms, "csrf", c->user.name,
	    c->req->client_addr, "refused", csrf_verdict_str(v));
	c->resp->event = HTTP_EV_CSRF_REFUSED;
	http_resp_error(c->resp, 403, "csrf");
}

/* Who is calling: 0, or -1 with the refusal answered. */
static int
authenticate(struct api_call *c)
{
	const struct http_req *r = c->req;
	int rc = AUTH_ERR_DB;

	switch (creds_parse(r->cookie, r->has_authorization, r->authorization,
	    &c->creds)) {
	case CREDS_NONE:
		http_resp_error(c->resp, 401, "authentication required");
		return -1;
	case CREDS_BOTH:
		http_resp_error(c->resp, 400, "send the session cookie or a "
		    "bearer token, not both");
		return -1;
	case CREDS_BAD:
		http_resp_error(c->resp, 401, "invalid session or token");
		return -1;
	case CREDS_SESSION:
		rc = auth_session_check(c->w->auth, c->creds.token, r->now_ms,
		    1, &c->session);
		c->user = c->session.user;
		break;
	case CREDS_BEARER:
		rc = auth_token_check(c->w->auth, c->creds.token, r->now_ms,
		    &c->user);
		break;
	}
	if (rc == AUTH_ERR_DENIED || rc == AUTH_ERR_INVALID ||
	    rc == AUTH_ERR_NOT_FOUND) {
		http_resp_error(c->resp, 401, "invalid session or token");
		return -1;
	}
	if (rc != AUTH_OK) {
		api_internal_error(c, "credential check", rc);
		return -1;
	}
	return 0;
}

/* Everything between the route and the handler: 0 to go on. */
static int
admit(struct api_call *c)
{
	enum csrf_verdict v;

	if (c->route->flags & ROUTE_PUBLIC) {
		/* A login from another site's page is refused too. */
		if (c->route->id == ROUTE_LOGIN &&
		    (v = origin_check(c->req, 0)) != CSRF_OK) {
			refuse_csrf(c, v);
			return -1;
		}
		return 0;
	}
	if (authenticate(c) == -1)
		return -1;
	if ((v = csrf_check(c->req, c->creds.kind, c->session.csrf)) !=
	    CSRF_OK) {
		refuse_csrf(c, v);
		return -1;
	}
	switch (route_allows(c->route, c->user.role, c->user.must_change)) {
	case ROUTE_ALLOW:
		return 0;
	case ROUTE_DENY_ROLE:
		http_resp_error(c->resp, 403, "forbidden");
		return -1;
	case ROUTE_DENY_MUST_CHANGE:
		http_resp_error(c->resp, 403, "password change required");
		return -1;
	}
	return -1;
}

void
api_handle(struct worker_ctx *w, const struct http_req *r,
    struct http_resp *resp)
{
	struct api_call c;
	char allow[64];

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.req = r;
	c.resp = resp;
	resp->cache = HTTP_CACHE_NO_STORE;
	switch (route_match(r->method, r->path, &c.route, c.param,
	    sizeof(c.param), allow, sizeof(allow))) {
	case ROUTE_NO_PATH:
		http_resp_error(resp, 404, "not found");
		return;
	case ROUTE_BAD_METHOD:
		http_resp_header(resp, "Allow", "%s", allow);
		http_resp_error(resp, 405, "method not allowed");
		return;
	case ROUTE_OK:
		break;
	}
	if (r->header_too_long) {
		http_resp_error(resp, 400, "a request header is too long");
		return;
	}
	if (c.route->id == ROUTE_LIVE) {
		http_resp_error(resp, 400, "websocket upgrade required");
		return;
	}
	if (admit(&c) == -1)
		return;
	if ((c.route->flags & ROUTE_BODY) && parse_body(&c) == -1) {
		json_decref(c.body);
		return;
	}
	handlers[c.route->id](&c);
	json_decref(c.body);
	explicit_bzero(&c.creds, sizeof(c.creds));
}
