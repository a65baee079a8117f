/*
 * Market data out of market.db (docs/api.md "Market data"): symbols, bars,
 * anomalies, the CSV export. Keys are the tables' column names
 * (common/schema.c), whatever columns a migration adds later. Rows are
 * written by hand (jsonw.h): a day of minute bars is one pass, no DOM.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "csv.h"
#include "db.h"
#include "jsonw.h"
#include "live.h"
#include "log.h"

#define MS_PER_DAY	86400000LL
#define COLS_MAX	64

/* A statement's column names, written once per answer. */
struct columns {
	int		 n;
	struct buf	 json;		/* "\"name\":" for each, packed */
	size_t		 off[COLS_MAX + 1];
};

static void
columns_init(struct columns *cols, sqlite3_stmt *st)
{
	int i;

	buf_init(&cols->json);
	cols->n = sqlite3_column_count(st);
	if (cols->n > COLS_MAX)
		cols->n = COLS_MAX;
	for (i = 0; i < cols->n; i++) {
		cols->off[i] = cols->json.len;
		jsonw_cstr(&cols->json, sqlite3_column_name(st, i));
		buf_addc(&cols->json, ':');
	}
	cols->off[cols->n] = cols->json.len;
}

static void
column_json(struct buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		jsonw_int(b, sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		jsonw_double(b, sqlite3_column_double(st, i));
		break;
	case SQLITE_TEXT:
		jsonw_str(b, (const char *)sqlite3_column_text(st, i),
		    (size_t)sqlite3_column_bytes(st, i));
		break;
	case SQLITE_BLOB:		/* no table holds one; never raw bytes */
	case SQLITE_NULL:
	default:
		buf_add(b, "null", 4);
		break;
	}
}

static void
row_json(struct buf *b, const struct columns *cols, sqlite3_stmt *st)
{
	int i;

	buf_addc(b, '{');
	for (i = 0; i < cols->n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		buf_add(b, cols->json.p + cols->off[i],
		    cols->off[i + 1] - cols->off[i]);
		column_json(b, st, i);
	}
	buf_addc(b, '}');
}

static void
row_csv(struct buf *b, int n, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			csv_sep(b);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			csv_int(b, sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			csv_double(b, sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			csv_text(b, (const char *)sqlite3_column_text(st, i),
			    (size_t)sqlite3_column_bytes(st, i));
			break;
		default:
			break;
		}
	}
	csv_eol(b);
}

static void
unavailable(struct api_call *c)
{
	http_resp_header(c->resp, "Retry-After", "5");
	http_resp_error(c->resp, 503, "market data unavailable");
}

/*
 * A query failed: logs it and answers 503 or 500. The caller has reset or
 * finalized its statement (the connection may be closed here).
 */
static void
query_failed(struct api_call *c, sqlite3 *db, int rc)
{
	log_warnx("market.db query: %s", db_errstr(db, rc));
	worker_market_reset(c->w, rc);
	c->resp->body.len = 0;
	if (rc == SQLITE_BUSY)
		unavailable(c);
	else
		http_resp_error(c->resp, 500, "internal error");
}

/* The statement for a bars query, bound; NULL when it answered 503. */
static sqlite3_stmt *
bars_stmt(struct api_call *c, const struct bars_query *q)
{
	sqlite3_stmt *st;

	if (worker_market(c->w, c->req->now_ms) == NULL ||
	    (st = worker_stmt(c->w, q->has_from ? ST_BARS_FIRST :
	    ST_BARS_LAST)) == NULL) {
		unavailable(c);
		return NULL;
	}
	sqlite3_bind_text(st, 1, q->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->interval_s);
	sqlite3_bind_int64(st, 3, q->from_ms);
	sqlite3_bind_int64(st, 4, q->to_ms);
	/* One more than asked tells whether the range holds more. */
	sqlite3_bind_int64(st, 5, q->limit + 1);
	return st;
}

static int
parse_bars(struct api_call *c, struct bars_query *q)
{
	char err[160];

	if (query_bars(c->req, c->w->cfg->intervals, c->w->cfg->n_intervals,
	    q, err, sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * Writes the rows of a bars statement (limit + 1 asked) as a JSON array;
 * the extra row, if it came, is dropped and sets *truncated: it is after
 * the last (from given) or before the first (the newest bars, handed out
 * oldest first). SQLITE_DONE or the error.
 */
static int
bars_rows(struct buf *b, sqlite3_stmt *st, const struct bars_query *q,
    int *truncated)
{
	struct columns cols;
	size_t start = b->len, second = 0;
	int64_t n = 0;
	int rc;

	columns_init(&cols, st);
	*truncated = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > q->limit && q->has_from) {
			*truncated = 1;
			rc = SQLITE_DONE;
			break;
		}
		if (n > 1)
			buf_addc(b, ',');
		if (n == 2)
			second = b->len;
		row_json(b, &cols, st);
	}
	buf_free(&cols.json);
	if (rc == SQLITE_DONE && n > q->limit && !q->has_from) {
		*truncated = 1;
		memmove(b->p + start, b->p + second, b->len - second + 1);
		b->len -= second - start;
	}
	return rc;
}

void
api_bars(struct api_call *c)
{
	struct buf *b = &c->resp->body;
	const struct buf *hit;
	struct bars_query q;
	sqlite3_stmt *st;
	char key[128];
	int64_t dv;
	int rc, truncated;

	if (parse_bars(c, &q) == -1 || (st = bars_stmt(c, &q)) == NULL)
		return;
	snprintf(key, sizeof(key), "%s|%lld|%d:%lld|%d:%lld|%lld", q.symbol,
	    (long long)q.interval_s, q.has_from, (long long)q.from_ms,
	    q.has_to, (long long)q.to_ms, (long long)q.limit);
	dv = worker_data_version(c->w);
	if ((hit = worker_cache_get(c->w, key, dv)) != NULL) {
		sqlite3_reset(st);
		buf_add(b, hit->p, hit->len);
		c->resp->status = 200;
		return;
	}
	buf_adds(b, "{\"symbol\":");
	jsonw_cstr(b, q.symbol);
	buf_printf(b, ",\"interval_s\":%lld,\"bars\":[",
	    (long long)q.interval_s);
	if ((rc = bars_rows(b, st, &q, &truncated)) != SQLITE_DONE) {
		sqlite3_reset(st);
		query_failed(c, c->w->market, rc);
		return;
	}
	sqlite3_reset(st);
	buf_printf(b, "],\"truncated\":%s}", truncated ? "true" : "false");
	c->resp->status = 200;
	worker_cache_put(c->w, key, dv, b);
}

/* The header line: the statement's column names. */
static void
csv_header(struct buf *b, sqlite3_stmt *st)
{
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		if (i > 0)
			csv_sep(b);
		csv_text(b, sqlite3_column_name(st, i),
		    strlen(sqlite3_column_name(st, i)));
	}
	csv_eol(b);
}

/* The records of a bars statement, the extra row dropped as for JSON. */
static int
csv_rows(struct buf *b, sqlite3_stmt *st, const struct bars_query *q)
{
	size_t start = b->len, second = 0;
	int64_t n = 0;
	int rc, ncol = sqlite3_column_count(st);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > q->limit && q->has_from)
			return SQLITE_DONE;
		if (n == 2)
			second = b->len;
		row_csv(b, ncol, st);
	}
	if (rc == SQLITE_DONE && n > q->limit && !q->has_from) {
		memmove(b->p + start, b->p + second, b->len - second + 1);
		b->len -= second - start;
	}
	return rc;
}

void
api_export_csv(struct api_call *c)
{
	struct buf *b = &c->resp->body;
	struct bars_query q;
	char fname[QUERY_SYMBOL_MAX + 1];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (parse_bars(c, &q) == -1 || (st = bars_stmt(c, &q)) == NULL)
		return;
	csv_header(b, st);
	if ((rc = csv_rows(b, st, &q)) != SQLITE_DONE) {
		sqlite3_reset(st);
		query_failed(c, c->w->market, rc);
		return;
	}
	sqlite3_reset(st);
	/* A file name without the symbol's ':' and '/'. */
	for (i = 0; q.symbol[i] != '\0'; i++)
		fname[i] = q.symbol[i] == ':' || q.symbol[i] == '/' ? '_' :
		    q.symbol[i];
	fname[i] = '\0';
	http_resp_header(c->resp, "Content-Disposition",
	    "attachment; filename=\"%s-%llds.csv\"", fname,
	    (long long)q.interval_s);
	c->resp->content_type = HTTP_CSV;
	c->resp->status = 200;
}

/*
 * The anomalies statement: newest first, the SQL built from fixed pieces,
 * every value bound. NULL when it answered 503.
 */
static sqlite3_stmt *
anomalies_stmt(struct api_call *c, const struct anomalies_query *q)
{
	char sql[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((db = worker_market(c->w, c->req->now_ms)) == NULL) {
		unavailable(c);
		return NULL;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM anomalies WHERE "
	    "start_ms BETWEEN ?1 AND ?2%s%s ORDER BY start_ms DESC, symbol, "
	    "interval_s, kind LIMIT ?5",
	    q->symbol[0] != '\0' ? " AND symbol = ?3" : "",
	    q->interval_s != 0 ? " AND interval_s = ?4" : "");
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK) {
		log_warnx("market.db: prepare: %s", db_errstr(db, rc));
		worker_market_reset(c->w, rc);
		unavailable(c);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, q->from_ms);
	sqlite3_bind_int64(st, 2, q->to_ms);
	if (q->symbol[0] != '\0')
		sqlite3_bind_text(st, 3, q->symbol, -1, SQLITE_STATIC);
	if (q->interval_s != 0)
		sqlite3_bind_int64(st, 4, q->interval_s);
	sqlite3_bind_int64(st, 5, q->limit + 1);
	return st;
}

void
api_anomalies(struct api_call *c)
{
	struct buf *b = &c->resp->body;
	struct anomalies_query q;
	struct columns cols;
	sqlite3_stmt *st;
	char err[160];
	int64_t n = 0;
	int rc;

	if (query_anomalies(c->req, c->w->cfg->intervals,
	    c->w->cfg->n_intervals, &q, err, sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return;
	}
	if ((st = anomalies_stmt(c, &q)) == NULL)
		return;
	columns_init(&cols, st);
	buf_adds(b, "{\"anomalies\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && ++n <= q.limit) {
		if (n > 1)
			buf_addc(b, ',');
		row_json(b, &cols, st);
	}
	buf_free(&cols.json);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		query_failed(c, c->w->market, rc);
		return;
	}
	buf_printf(b, "],\"truncated\":%s}", n > q.limit ? "true" : "false");
	c->resp->status = 200;
}

/* The close 24 h before the last price, or 0 when none is stored. */
static int
ref_price(struct api_call *c, const char *symbol, int64_t at_ms,
    double *price)
{
	sqlite3_stmt *st;
	int64_t interval = 60;
	int i, rc;

	if ((st = worker_stmt(c->w, ST_REF_PRICE)) == NULL)
		return 0;
	for (i = 0; i < c->w->cfg->n_intervals; i++)
		if (c->w->cfg->intervals[i] == 60)
			break;
	if (i == c->w->cfg->n_intervals && i > 0)
		interval = c->w->cfg->intervals[i - 1];
	sqlite3_bind_text(st, 1, symbol, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, interval);
	sqlite3_bind_int64(st, 3, at_ms - MS_PER_DAY);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*price = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

/* The 24 h change and the feed's state after a symbol's own columns. */
static void
symbol_extras(struct api_call *c, struct buf *b, sqlite3_stmt *st,
    const struct columns *cols)
{
	const char *sym = NULL, *feed = NULL;
	double last = 0, ref;
	int64_t at = 0;
	int i, has_last = 0;
	char state[32];

	for (i = 0; i < cols->n; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (strcmp(name, "symbol") == 0)
			sym = (const char *)sqlite3_column_text(st, i);
		else if (strcmp(name, "asset_class") == 0)
			/* One collector per asset class: its feed is the
			 * symbol's (every demo feed shares the source "demo"). */
			feed = (const char *)sqlite3_column_text(st, i);
		else if (strcmp(name, "last_price") == 0 &&
		    sqlite3_column_type(st, i) != SQLITE_NULL) {
			last = sqlite3_column_double(st, i);
			has_last = 1;
		} else if (strcmp(name, "last_price_ms") == 0)
			at = sqlite3_column_int64(st, i);
	}
	if (sym != NULL && has_last && at > 0 &&
	    ref_price(c, sym, at, &ref) && ref != 0) {
		buf_adds(b, ",\"ref_price_24h\":");
		jsonw_double(b, ref);
		buf_adds(b, ",\"change_24h\":");
		jsonw_double(b, last - ref);
		buf_adds(b, ",\"change_24h_pct\":");
		jsonw_double(b, (last - ref) / ref * 100);
	} else
		buf_adds(b, ",\"ref_price_24h\":null,\"change_24h\":null,"
		    "\"change_24h_pct\":null");
	state[0] = '\0';
	if (c->w->live != NULL && feed != NULL)
		live_feed_state(c->w->live, feed, state, sizeof(state));
	if (state[0] != '\0') {
		buf_adds(b, ",\"feed_state\":");
		jsonw_cstr(b, state);
	}
}

void
api_symbols(struct api_call *c)
{
	struct buf *b = &c->resp->body;
	struct columns cols;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (worker_market(c->w, c->req->now_ms) == NULL ||
	    (st = worker_stmt(c->w, ST_SYMBOLS)) == NULL) {
		unavailable(c);
		return;
	}
	columns_init(&cols, st);
	buf_adds(b, "{\"mode\":");
	jsonw_cstr(b, c->w->cfg->mode);
	buf_adds(b, ",\"symbols\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ > 0)
			buf_addc(b, ',');
		row_json(b, &cols, st);
		b->len--;		/* reopen the object for the extras */
		symbol_extras(c, b, st, &cols);
		buf_addc(b, '}');
	}
	buf_free(&cols.json);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		query_failed(c, c->w->market, rc);
		return;
	}
	buf_adds(b, "]}");
	c->resp->status = 200;
}
