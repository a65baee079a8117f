/*
 * Logging in and out, who am I, changing one's own password (docs/api.md
 * "Sessions"). A login failure is one answer whatever the cause (security.md
 * §4.3): the same status, body and headers for an unknown user, a wrong
 * password, a disabled or locked account or an account in its delay; only
 * the address throttle earns its own 429.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "creds.h"
#include "log.h"

#define LOGIN_FAILED	"login failed"

static void
throttled(struct api_call *c, int64_t retry_after_ms)
{
	int64_t s = (retry_after_ms + 999) / 1000;

	http_resp_header(c->resp, "Retry-After", "%lld",
	    (long long)(s > 0 ? s : 1));
	http_resp_error(c->resp, 429, "too many failed logins: try again "
	    "later");
}

/* The session object login, me and a password change answer. */
static json_t *
session_json(const struct auth_session *s)
{
	return json_pack("{s:s, s:s, s:I, s:b, s:s, s:s}", "user",
	    s->user.name, "role", auth_role_name(s->user.role), "expires_ms",
	    (json_int_t)s->expires_ms, "must_change", s->user.must_change,
	    "csrf", s->csrf, "auth", "session");
}

void
api_login(struct api_call *c)
{
	char token[AUTH_SESSION_TOKEN_LEN + 1], err[BODY_ERR_LEN];
	const char *name, *password;
	struct auth_session s;
	int64_t retry_ms = 0;
	int rc;

	if (body_login(c->body, &name, &password, err, sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return;
	}
	rc = auth_login(c->w->auth, name, password, c->req->client_addr,
	    c->req->now_ms, token, &s, &retry_ms);
	if (rc == AUTH_ERR_THROTTLED) {
		c->resp->event = HTTP_EV_LOGIN_THROTTLED;
		throttled(c, retry_ms);
	} else if (rc == AUTH_ERR_DENIED) {
		c->resp->event = HTTP_EV_LOGIN_FAILED;
		http_resp_error(c->resp, 401, LOGIN_FAILED);
	} else if (rc != AUTH_OK) {
		c->resp->event = HTTP_EV_LOGIN_FAILED;
		api_internal_error(c, "login", rc);
	} else {
		c->resp->event = HTTP_EV_LOGIN_OK;
		api_set_cookie(c, token);
		api_json(c, 200, session_json(&s));
	}
	explicit_bzero(token, sizeof(token));
	explicit_bzero(&s, sizeof(s));
}

void
api_logout(struct api_call *c)
{
	int rc;

	if (c->creds.kind == CREDS_SESSION) {
		rc = auth_session_end(c->w->auth, c->creds.token,
		    c->req->now_ms);
		if (rc != AUTH_OK && rc != AUTH_ERR_NOT_FOUND) {
			api_internal_error(c, "logout", rc);
			return;
		}
		creds_session_key(c->creds.token, c->resp->end_session);
		api_set_cookie(c, "");
		auth_audit(c->w->auth, c->req->now_ms, "logout", c->user.name,
		    c->req->client_addr, "ok", NULL);
	}
	/* An API token has no session to end: authctl revokes tokens. */
	http_resp_header(c->resp, "Clear-Site-Data",
	    "\"cache\", \"cookies\", \"storage\"");
	api_json(c, 200, json_pack("{s:b}", "ok", 1));
}

void
api_me(struct api_call *c)
{
	if (c->creds.kind == CREDS_SESSION) {
		api_json(c, 200, session_json(&c->session));
		return;
	}
	api_json(c, 200, json_pack("{s:s, s:s, s:n, s:b, s:n, s:s}", "user",
	    c->user.name, "role", auth_role_name(c->user.role), "expires_ms",
	    "must_change", c->user.must_change, "csrf", "auth", "token"));
}

/* Checks the current password the only way auth.h offers: a login. */
static int
check_current(struct api_call *c, const char *current)
{
	char token[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	int64_t retry_ms = 0;
	int rc;

	rc = auth_login(c->w->auth, c->user.name, current,
	    c->req->client_addr, c->req->now_ms, token, &s, &retry_ms);
	explicit_bzero(token, sizeof(token));
	if (rc == AUTH_ERR_THROTTLED)
		throttled(c, retry_ms);
	else if (rc == AUTH_ERR_DENIED)
		http_resp_error(c->resp, 403, "current password is wrong");
	else if (rc != AUTH_OK)
		api_internal_error(c, "password check", rc);
	/* Its session is ended with every other by the change below. */
	return rc == AUTH_OK ? 0 : -1;
}

/* A cookie client stays logged in: a new session for the new password. */
static void
fresh_session(struct api_call *c, const char *password)
{
	char token[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	int64_t retry_ms = 0;
	int rc;

	creds_session_key(c->creds.token, c->resp->end_session);
	rc = auth_login(c->w->auth, c->user.name, password,
	    c->req->client_addr, c->req->now_ms, token, &s, &retry_ms);
	if (rc != AUTH_OK) {
		/* Changed, but logged out: the client logs in again. */
		api_set_cookie(c, "");
		api_json(c, 200, json_pack("{s:b, s:b}", "ok", 1, "relogin",
		    1));
		return;
	}
	api_set_cookie(c, token);
	api_json(c, 200, session_json(&s));
	explicit_bzero(token, sizeof(token));
	explicit_bzero(&s, sizeof(s));
}

void
api_me_password(struct api_call *c)
{
	const char *current, *new;
	char reason[AUTH_REASON_LEN], err[BODY_ERR_LEN];
	struct auth_user u;
	int rc;

	if (body_password_change(c->body, &current, &new, err,
	    sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return;
	}
	/* The policy first: it costs no hash and no login attempt. */
	if (auth_password_check(c->user.name, new, reason, sizeof(reason)) !=
	    AUTH_OK) {
		http_resp_error(c->resp, 400, "%s", reason);
		return;
	}
	if (check_current(c, current) == -1)
		return;
	rc = auth_user_set_password(c->w->auth, c->user.name, new,
	    c->req->now_ms, reason, sizeof(reason));
	if (rc == AUTH_ERR_POLICY || rc == AUTH_ERR_INVALID) {
		http_resp_error(c->resp, 400, "%s", reason);
		return;
	}
	if (rc != AUTH_OK) {
		api_internal_error(c, "set password", rc);
		return;
	}
	if (c->creds.kind == CREDS_SESSION) {
		fresh_session(c, new);
		return;
	}
	if (auth_user_get(c->w->auth, c->user.name, &u) != AUTH_OK)
		u = c->user;
	api_json(c, 200, json_pack("{s:b, s:o}", "ok", 1, "user",
	    api_user_json(&u)));
}
