/*
 * The JSON API (DESIGN.md "HTTP API", docs/api.md): routing,
 * authentication, CSRF and role checks, then one handler per route. Pure
 * of libwebsockets: a request goes in, a response comes out, so unit
 * tests call api_handle with real auth.db and market.db files. Runs on a
 * worker thread with that worker's connections.
 */
#ifndef API_H
#define API_H

#include <jansson.h>

#include "auth.h"
#include "creds.h"
#include "http.h"
#include "route.h"
#include "worker.h"

/* Answers one request (any route, static files included). */
void	 api_handle(struct worker_ctx *, const struct http_req *,
	    struct http_resp *);

/* What a handler works with. */
struct api_call {
	struct worker_ctx	*w;
	const struct http_req	*req;
	struct http_resp	*resp;
	const struct route	*route;
	char			 param[AUTH_NAME_MAX + 2];	/* user name */
	struct creds		 creds;
	struct auth_user	 user;		/* who is calling, as stored */
	struct auth_session	 session;	/* CREDS_SESSION only */
	json_t			*body;		/* ROUTE_BODY: an object */
};

/* api_session.c */
void	 api_login(struct api_call *);
void	 api_logout(struct api_call *);
void	 api_me(struct api_call *);
void	 api_me_password(struct api_call *);
/* api_market.c */
void	 api_symbols(struct api_call *);
void	 api_bars(struct api_call *);
void	 api_anomalies(struct api_call *);
void	 api_export_csv(struct api_call *);
void	 api_side_check(struct api_call *);
/* api_users.c */
void	 api_users(struct api_call *);
/* api_ops.c */
void	 api_healthz(struct api_call *);
void	 api_health(struct api_call *);
void	 api_metrics(struct api_call *);
void	 api_static(struct api_call *);

/* Shared helpers (api.c). */
void	 api_json(struct api_call *, int status, json_t *);	/* steals */
void	 api_internal_error(struct api_call *, const char *what, int rc);
/* A string member of the body, or NULL (then a 400 was answered). */
const char *api_body_str(struct api_call *, const char *key, int required);
/* The session cookie as Set-Cookie wants it; token "" expires it. */
void	 api_set_cookie(struct api_call *, const char *token);
/* The user as JSON (authctl list --json's keys). */
json_t	*api_user_json(const struct auth_user *);

#endif /* API_H */
