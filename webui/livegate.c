/*
 * The /live gate (livegate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "csrf.h"
#include "livegate.h"
#include "log.h"
#include "lwsreq.h"
#include "stats.h"

#define GATE_MAX	4096	/* sessions remembered at most */

static int64_t
now_ms(void)
{
	return clock_now_ns() / 1000000;
}

void
livegate_init(struct livegate *g, struct auth *a, struct webui_stats *st,
    int64_t session_max_ms)
{
	memset(g, 0, sizeof(*g));
	g->auth = a;
	g->stats = st;
	g->session_max_ms = session_max_ms;
}

void
livegate_free(struct livegate *g)
{
	if (g->e != NULL)
		explicit_bzero(g->e, g->cap * sizeof(*g->e));
	free(g->e);
	g->e = NULL;
	g->n = g->cap = 0;
}

static struct livegate_entry *
find(struct livegate *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->e[i].key, key) == 0)
			return &g->e[i];
	return NULL;
}

static void
drop(struct livegate *g, struct livegate_entry *e)
{
	*e = g->e[--g->n];
	explicit_bzero(&g->e[g->n], sizeof(g->e[g->n]));
}

/* Remembers a session; the oldest-ending one goes when full. */
static void
remember(struct livegate *g, const char *key, const char *token,
    int64_t until_ms)
{
	struct livegate_entry *e;
	size_t i, oldest = 0;

	if ((e = find(g, key)) == NULL) {
		for (i = 0; i < g->n; i++)
			if (g->e[i].until_ms < now_ms())
				drop(g, &g->e[i--]);
		if (g->n == GATE_MAX) {
			for (i = 1; i < g->n; i++)
				if (g->e[i].until_ms < g->e[oldest].until_ms)
					oldest = i;
			drop(g, &g->e[oldest]);
		}
		if (g->n == g->cap) {
			g->cap = g->cap > 0 ? g->cap * 2 : 16;
			if ((g->e = reallocarray(g->e, g->cap,
			    sizeof(*g->e))) == NULL)
				fatal("reallocarray");
		}
		e = &g->e[g->n++];
	}
	memcpy(e->key, key, sizeof(e->key));
	memcpy(e->token, token, sizeof(e->token));
	e->until_ms = until_ms;
}

void
livegate_forget(struct livegate *g, const char *key)
{
	struct livegate_entry *e;

	if ((e = find(g, key)) != NULL)
		drop(g, e);
}

static int
refuse(struct livegate *g, struct lws *wsi, int status, const char *reason)
{
	atomic_fetch_add(&g->stats->live_refused, 1);
	stats_response(g->stats, status, HTTP_EV_NONE);
	lwsreq_write_error(wsi, status, reason);
	return 1;
}

int
livegate_auth(struct lws *wsi, void *arg, struct live_identity *who)
{
	struct livegate *g = arg;
	struct http_req *r = &g->req;
	struct auth_session s;
	struct creds c;
	char path[64];
	enum csrf_verdict v;
	int rc;

	http_req_init(r);
	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(path, "/live") != 0)
		return refuse(g, wsi, 404, "not found");
	lwsreq_copy(wsi, path, r);
	if ((v = origin_check(r, 1)) != CSRF_OK) {
		auth_audit(g->auth, now_ms(), "csrf", "", r->client_addr,
		    "refused", "live upgrade: " "foreign or missing origin");
		return refuse(g, wsi, 403, "csrf");
	}
	switch (creds_parse(r->cookie, r->has_authorization,
	    r->authorization, &c)) {
	case CREDS_SESSION:
		break;
	case CREDS_BOTH:
		return refuse(g, wsi, 400, "send the session cookie only");
	default:
		return refuse(g, wsi, 401, "authentication required");
	}
	rc = auth_session_check(g->auth, c.token, now_ms(), 1, &s);
	if (rc != AUTH_OK) {
		explicit_bzero(&c, sizeof(c));
		return refuse(g, wsi, 401, "invalid session or token");
	}
	if (s.user.must_change) {
		explicit_bzero(&c, sizeof(c));
		return refuse(g, wsi, 403, "password change required");
	}
	snprintf(who->user, sizeof(who->user), "%s", s.user.name);
	snprintf(who->role, sizeof(who->role), "%s",
	    auth_role_name(s.user.role));
	who->expires_ms = s.expires_ms;
	creds_session_key(c.token, who->session_key);
	remember(g, who->session_key, c.token, s.created_ms +
	    g->session_max_ms);
	explicit_bzero(&c, sizeof(c));
	atomic_fetch_add(&g->stats->live_upgrades, 1);
	return 0;
}

int
livegate_recheck(const char *key, void *arg, int64_t *expires_ms)
{
	struct livegate *g = arg;
	struct livegate_entry *e;
	struct auth_session s;
	int rc;

	if ((e = find(g, key)) == NULL)
		return -1;
	/* Watching is not activity: the idle timeout keeps running. */
	rc = auth_session_check(g->auth, e->token, now_ms(), 0, &s);
	if (rc != AUTH_OK && rc != AUTH_ERR_DENIED && rc != AUTH_ERR_NOT_FOUND)
		return 0;	/* auth.db busy: ask again next time */
	if (rc != AUTH_OK || s.user.must_change) {
		drop(g, e);
		return -1;
	}
	*expires_ms = s.expires_ms;
	return 0;
}
