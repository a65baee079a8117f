/*
 * A worker's connections (worker.h).
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "schema.h"
#include "worker.h"

#define MARKET_RETRY_MS	1000

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BARS_FIRST] =
	    "SELECT * FROM bars WHERE symbol = ?1 AND interval_s = ?2"
	    " AND start_ms BETWEEN ?3 AND ?4 ORDER BY start_ms LIMIT ?5",
	/* The newest rows in the range, handed out oldest first. */
	[ST_BARS_LAST] =
	    "SELECT * FROM (SELECT * FROM bars WHERE symbol = ?1"
	    " AND interval_s = ?2 AND start_ms BETWEEN ?3 AND ?4"
	    " ORDER BY start_ms DESC LIMIT ?5) ORDER BY start_ms",
	/* source is the key's last column: the range scan stays. */
	[ST_BARS_FIRST_SRC] =
	    "SELECT * FROM bars WHERE symbol = ?1 AND interval_s = ?2"
	    " AND start_ms BETWEEN ?3 AND ?4 AND source = ?6"
	    " ORDER BY start_ms LIMIT ?5",
	[ST_BARS_LAST_SRC] =
	    "SELECT * FROM (SELECT * FROM bars WHERE symbol = ?1"
	    " AND interval_s = ?2 AND start_ms BETWEEN ?3 AND ?4"
	    " AND source = ?6 ORDER BY start_ms DESC LIMIT ?5)"
	    " ORDER BY start_ms",
	/* A prefix of the key (symbol, source): one short index range. */
	[ST_SOURCES] =
	    "SELECT source FROM symbols WHERE symbol = ?1 ORDER BY source"
	    " LIMIT ?2",
	[ST_SYMBOLS] = "SELECT * FROM symbols ORDER BY symbol, source",
	[ST_REF_PRICE] =
	    "SELECT close FROM bars WHERE symbol = ?1 AND interval_s = ?2"
	    " AND start_ms <= ?3 AND source = ?4 AND close IS NOT NULL"
	    " ORDER BY start_ms DESC LIMIT 1",
	[ST_DATA_VERSION] = "PRAGMA data_version",
};

int
worker_open(struct worker_ctx *w, const struct webui_config *cfg,
    struct live *live, struct webui_stats *stats, char *err, size_t err_len)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->live = live;
	w->stats = stats;
	if ((rc = auth_open(&w->auth, cfg->auth_db, 0, cfg->busy_timeout_ms,
	    err, err_len)) != AUTH_OK)
		return -1;
	auth_set_limits(w->auth, &cfg->limits);
	return 0;
}

static void
cache_clear(struct worker_ctx *w)
{
	int i;

	for (i = 0; i < WORKER_CACHE_ENTRIES; i++) {
		buf_free(&w->cache[i].body);
		w->cache[i].key[0] = '\0';
	}
}

static void
market_close(struct worker_ctx *w)
{
	int i;

	/* Another connection's data_version means something else. */
	cache_clear(w);
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(w->st[i]);
		w->st[i] = NULL;
	}
	db_close(w->market);
	w->market = NULL;
}

void
worker_close(struct worker_ctx *w)
{
	market_close(w);
	if (w->auth != NULL)
		auth_close(w->auth);
	w->auth = NULL;
}

sqlite3 *
worker_market(struct worker_ctx *w, int64_t now_ms)
{
	char err[256];
	sqlite3 *db;
	int version;

	if (w->market != NULL)
		return w->market;
	if (now_ms < w->market_retry_ms)
		return NULL;
	w->market_retry_ms = now_ms + MARKET_RETRY_MS;
	if (db_open(&db, w->cfg->market_db, DB_READONLY,
	    w->cfg->busy_timeout_ms, err, sizeof(err)) != SQLITE_OK)
		goto fail;
	if (schema_check(db, &version, err, sizeof(err)) == -1) {
		db_close(db);
		goto fail;
	}
	w->market = db;
	if (w->market_warned)
		log_info("market.db readable again");
	w->market_warned = 0;
	return db;
fail:
	if (!w->market_warned)
		log_warnx("market.db %s: %s", w->cfg->market_db, err);
	w->market_warned = 1;
	return NULL;
}

sqlite3_stmt *
worker_stmt(struct worker_ctx *w, enum worker_stmt which)
{
	int rc;

	if (w->market == NULL)
		return NULL;
	if (w->st[which] == NULL && (rc = sqlite3_prepare_v3(w->market,
	    stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &w->st[which],
	    NULL)) != SQLITE_OK) {
		log_warnx("market.db: prepare: %s", db_errstr(w->market, rc));
		worker_market_reset(w, rc);
		return NULL;
	}
	sqlite3_reset(w->st[which]);
	sqlite3_clear_bindings(w->st[which]);
	return w->st[which];
}

void
worker_market_reset(struct worker_ctx *w, int rc)
{
	/* A busy database stays open; anything else may be a replaced file. */
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return;
	market_close(w);
}

int64_t
worker_data_version(struct worker_ctx *w)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if ((st = worker_stmt(w, ST_DATA_VERSION)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

const struct buf *
worker_cache_get(struct worker_ctx *w, const char *key, int64_t dv)
{
	int i;

	if (dv < 0)
		return NULL;
	for (i = 0; i < WORKER_CACHE_ENTRIES; i++)
		if (w->cache[i].key[0] != '\0' &&
		    w->cache[i].data_version == dv &&
		    strcmp(w->cache[i].key, key) == 0) {
			w->cache[i].used = ++w->cache_clock;
			w->cache_hits++;
			return &w->cache[i].body;
		}
	return NULL;
}

void
worker_cache_put(struct worker_ctx *w, const char *key, int64_t dv,
    const struct buf *body)
{
	struct worker_cache *e = &w->cache[0];
	int i;

	if (dv < 0 || body->len > WORKER_CACHE_MAX ||
	    strlen(key) >= sizeof(e->key))
		return;
	for (i = 1; i < WORKER_CACHE_ENTRIES; i++)
		if (w->cache[i].used < e->used)
			e = &w->cache[i];
	e->body.len = 0;
	buf_add(&e->body, body->p, body->len);
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->data_version = dv;
	e->used = ++w->cache_clock;
}
