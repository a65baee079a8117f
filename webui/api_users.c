/*
 * User administration for admins (docs/api.md "Users"): the same calls
 * authctl makes (common/auth.h), so the same rules hold: the password
 * policy, case-insensitive names, never leaving no enabled admin (409).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "log.h"

static int
list_one(const struct auth_user *u, void *arg)
{
	return json_array_append_new(arg, api_user_json(u));
}

static void
list(struct api_call *c)
{
	json_t *users = json_array();
	int rc;

	if ((rc = auth_user_list(c->w->auth, list_one, users)) != AUTH_OK) {
		json_decref(users);
		api_internal_error(c, "list users", rc);
		return;
	}
	api_json(c, 200, json_pack("{s:o}", "users", users));
}

/* Answers an auth.h error of a user call. */
static void
refuse(struct api_call *c, int rc, const char *reason)
{
	switch (rc) {
	case AUTH_ERR_NOT_FOUND:
		http_resp_error(c->resp, 404, "no such user");
		break;
	case AUTH_ERR_EXISTS:
		http_resp_error(c->resp, 409, "user exists");
		break;
	case AUTH_ERR_LAST_ADMIN:
		http_resp_error(c->resp, 409, "refused: it would leave no "
		    "enabled admin");
		break;
	case AUTH_ERR_POLICY:
	case AUTH_ERR_INVALID:
		http_resp_error(c->resp, 400, "%s", reason != NULL &&
		    reason[0] != '\0' ? reason : auth_strerror(rc));
		break;
	default:
		api_internal_error(c, "user change", rc);
		break;
	}
}

/* Who did what to whom: auth.c records the change, not the admin. */
static void
audit(struct api_call *c, const char *event, const char *target)
{
	auth_audit(c->w->auth, c->req->now_ms, event, c->user.name,
	    c->req->client_addr, "ok", target);
}

/* Answers with the user as stored now. */
static void
answer_user(struct api_call *c, const char *name, int status)
{
	struct auth_user u;
	int rc;

	if ((rc = auth_user_get(c->w->auth, name, &u)) != AUTH_OK) {
		refuse(c, rc, NULL);
		return;
	}
	api_json(c, status, api_user_json(&u));
}

static int
body_role(struct api_call *c, enum auth_role *role)
{
	const char *s;

	if ((s = api_body_str(c, "role", 1)) == NULL)
		return -1;
	if ((*role = auth_role_parse(s)) == AUTH_ROLE_NONE) {
		http_resp_error(c->resp, 400, "role: want viewer, user, "
		    "manager or admin");
		return -1;
	}
	return 0;
}

static void
add(struct api_call *c)
{
	const char *name, *password;
	char reason[AUTH_REASON_LEN] = "";
	enum auth_role role;
	json_t *mc;
	int rc, must_change = 1;

	if ((name = api_body_str(c, "name", 1)) == NULL ||
	    body_role(c, &role) == -1 ||
	    (password = api_body_str(c, "password", 1)) == NULL)
		return;
	/* An admin chose this password: by default its owner replaces it. */
	if ((mc = json_object_get(c->body, "must_change")) != NULL) {
		if (!json_is_boolean(mc)) {
			http_resp_error(c->resp, 400, "must_change: want true "
			    "or false");
			return;
		}
		must_change = json_is_true(mc);
	}
	rc = auth_user_add(c->w->auth, name, role, password, must_change,
	    c->req->now_ms, reason, sizeof(reason));
	if (rc != AUTH_OK) {
		refuse(c, rc, reason);
		return;
	}
	audit(c, "webui.user.add", name);
	answer_user(c, name, 201);
}

/* An admin's reset: the user must choose a new one at the next login. */
static void
reset_password(struct api_call *c)
{
	char reason[AUTH_REASON_LEN] = "";
	const char *password;
	int rc;

	if ((password = api_body_str(c, "password", 1)) == NULL)
		return;
	rc = auth_user_set_password(c->w->auth, c->param, password,
	    c->req->now_ms, reason, sizeof(reason));
	if (rc == AUTH_OK)
		rc = auth_user_set_must_change(c->w->auth, c->param, 1,
		    c->req->now_ms);
	if (rc != AUTH_OK) {
		refuse(c, rc, reason);
		return;
	}
	audit(c, "webui.user.password", c->param);
	answer_user(c, c->param, 200);
}

static void
logout_user(struct api_call *c)
{
	int rc, ended = 0;

	if ((rc = auth_user_logout(c->w->auth, c->param, c->req->now_ms,
	    &ended)) != AUTH_OK) {
		refuse(c, rc, NULL);
		return;
	}
	audit(c, "webui.user.logout", c->param);
	api_json(c, 200, json_pack("{s:s, s:i}", "user", c->param, "ended",
	    ended));
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > AUTH_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._@-", s[i]) == NULL)
			return 0;
	return 1;
}

/* role, disable, enable, delete: one auth.h call, then the user. */
static void
change(struct api_call *c)
{
	enum auth_role role;
	int rc = AUTH_ERR_INVALID;

	switch (c->route->id) {
	case ROUTE_USER_ROLE:
		if (body_role(c, &role) == -1)
			return;
		rc = auth_user_set_role(c->w->auth, c->param, role,
		    c->req->now_ms);
		break;
	case ROUTE_USER_DISABLE:
	case ROUTE_USER_ENABLE:
		rc = auth_user_set_disabled(c->w->auth, c->param,
		    c->route->id == ROUTE_USER_DISABLE, c->req->now_ms);
		break;
	case ROUTE_USER_DELETE:
		rc = auth_user_delete(c->w->auth, c->param, c->req->now_ms);
		break;
	default:
		break;
	}
	if (rc != AUTH_OK) {
		refuse(c, rc, NULL);
		return;
	}
	audit(c, c->route->id == ROUTE_USER_ROLE ? "webui.user.role" :
	    c->route->id == ROUTE_USER_DISABLE ? "webui.user.disable" :
	    c->route->id == ROUTE_USER_ENABLE ? "webui.user.enable" :
	    "webui.user.delete", c->param);
	if (c->route->id == ROUTE_USER_DELETE)
		api_json(c, 200, json_pack("{s:s}", "deleted", c->param));
	else
		answer_user(c, c->param, 200);
}

void
api_users(struct api_call *c)
{
	switch (c->route->id) {
	case ROUTE_USERS_LIST:
		list(c);
		return;
	case ROUTE_USERS_ADD:
		add(c);
		return;
	default:
		break;
	}
	if (!name_ok(c->param)) {
		http_resp_error(c->resp, 404, "no such user");
		return;
	}
	if (c->route->id == ROUTE_USER_PASSWORD)
		reset_password(c);
	else if (c->route->id == ROUTE_USER_LOGOUT)
		logout_user(c);
	else
		change(c);
}
