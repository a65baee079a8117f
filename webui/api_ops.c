/*
 * Operations and files: /healthz, /api/health, /metrics and the static
 * dashboard (docs/api.md "Operations").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "live.h"
#include "log.h"
#include "static.h"
#include "stats.h"

/*
 * The server thread answers /healthz itself from a flag kept fresh in the
 * background (pool.c); this is the same check, for the tests and for a
 * request that reaches a worker anyway.
 */
void
api_healthz(struct api_call *c)
{
	if (worker_market(c->w, c->req->now_ms) == NULL) {
		http_resp_error(c->resp, 503, "market.db not readable");
		return;
	}
	api_json(c, 200, json_pack("{s:s}", "status", "ok"));
}

void
api_health(struct api_call *c)
{
	struct buf b;
	json_t *j = NULL, *mine;
	char *text;
	size_t len;

	if (c->w->live != NULL &&
	    (text = live_health_json(c->w->live, c->req->now_ms, &len)) !=
	    NULL) {
		j = json_loadb(text, len, 0, NULL);
		free(text);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_pack("{s:s, s:s}", "mode", c->w->cfg->mode,
		    "feed_key", c->w->cfg->masked_key);
	}
	buf_init(&b);
	stats_json(c->w->stats, c->req->now_ms, &b);
	if ((mine = json_loadb(b.p, b.len, 0, NULL)) != NULL)
		json_object_set_new(j, "webui", mine);
	buf_free(&b);
	api_json(c, 200, j);
}

void
api_metrics(struct api_call *c)
{
	char *text;
	size_t len;

	if (c->w->live != NULL &&
	    (text = live_metrics_text(c->w->live, &len)) != NULL) {
		buf_add(&c->resp->body, text, len);
		if (len > 0 && text[len - 1] != '\n')
			buf_addc(&c->resp->body, '\n');
		free(text);
	}
	stats_prometheus(c->w->stats, c->req->now_ms, &c->resp->body);
	c->resp->content_type = HTTP_PROM;
	c->resp->status = 200;
}

void
api_static(struct api_call *c)
{
	char rel[HTTP_PATH_MAX + 16];
	int rc;

	c->resp->cache = HTTP_CACHE_NO_CACHE;
	if (static_resolve(c->req->path, rel, sizeof(rel)) == -1) {
		http_resp_error(c->resp, 404, "not found");
		return;
	}
	rc = static_load(c->w->cfg->web_root, rel, &c->resp->body);
	if (rc == -1) {
		http_resp_error(c->resp, 404, "not found");
		return;
	}
	if (rc < 0) {
		log_warn("static file %s", rel);
		http_resp_error(c->resp, 500, "internal error");
		return;
	}
	c->resp->content_type = static_mime(rel);
	c->resp->status = 200;
}
