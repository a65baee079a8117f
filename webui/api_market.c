/*
 * Market data out of market.db (docs/api.md "Market data"): symbols, bars,
 * anomalies, the CSV export, the side checks. A series is a symbol plus
 * its source (schema v2). Keys are the tables' column names
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
#define SOURCES_NAMED	8	/* in the "several sources" 400 */
#define SOURCE_TEXT_MAX	64	/* a source as read back from market.db */

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

/*
 * The statement for a bars query, bound: of the given source only, or of
 * every source (none given: the symbol has at most one). NULL when it
 * answered 503.
 */
static sqlite3_stmt *
bars_stmt(struct api_call *c, const struct bars_query *q)
{
	enum worker_stmt which;
	sqlite3_stmt *st;

	if (q->source[0] != '\0')
		which = q->has_from ? ST_BARS_FIRST_SRC : ST_BARS_LAST_SRC;
	else
		which = q->has_from ? ST_BARS_FIRST : ST_BARS_LAST;
	if ((st = worker_stmt(c->w, which)) == NULL) {
		unavailable(c);
		return NULL;
	}
	sqlite3_bind_text(st, 1, q->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->interval_s);
	sqlite3_bind_int64(st, 3, q->from_ms);
	sqlite3_bind_int64(st, 4, q->to_ms);
	/* One more than asked tells whether the range holds more. */
	sqlite3_bind_int64(st, 5, q->limit + 1);
	if (q->source[0] != '\0')
		sqlite3_bind_text(st, 6, q->source, -1, SQLITE_STATIC);
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
	if (worker_market(c->w, c->req->now_ms) == NULL) {
		unavailable(c);
		return -1;
	}
	return 0;
}

/*
 * A bars query without a source: the symbol's sources in the symbols
 * table. One goes to out ("" for none); several are a 400 naming them.
 * 0, or -1 when it answered.
 */
static int
resolve_source(struct api_call *c, const struct bars_query *q, char *out,
    size_t out_len)
{
	struct buf list;
	sqlite3_stmt *st;
	const char *s;
	int n = 0, rc;

	out[0] = '\0';
	if ((st = worker_stmt(c->w, ST_SOURCES)) == NULL) {
		unavailable(c);
		return -1;
	}
	sqlite3_bind_text(st, 1, q->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, SOURCES_NAMED + 1);
	buf_init(&list);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((s = (const char *)sqlite3_column_text(st, 0)) == NULL)
			s = "";
		if (n == 0)
			snprintf(out, out_len, "%s", s);
		if (n > 0)
			buf_adds(&list, ", ");
		buf_adds(&list, n < SOURCES_NAMED ? s : "...");
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		buf_free(&list);
		query_failed(c, c->w->market, rc);
		return -1;
	}
	if (n > 1) {
		buf_addc(&list, '\0');
		http_resp_error(c->resp, 400, "%s comes from several sources "
		    "(%s): add source=", q->symbol, list.p);
	}
	buf_free(&list);
	return n > 1 ? -1 : 0;
}

/* The index of a statement's "source" column, or -1. */
static int
source_column(sqlite3_stmt *st)
{
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++)
		if (strcmp(sqlite3_column_name(st, i), "source") == 0)
			return i;
	return -1;
}

/* Keeps the first row's source when the series has none yet. */
static void
first_source(sqlite3_stmt *st, int col, char *source, size_t len)
{
	const char *s;

	if (col >= 0 && source[0] == '\0' &&
	    (s = (const char *)sqlite3_column_text(st, col)) != NULL)
		snprintf(source, len, "%s", s);
}

/*
 * Writes the rows of a bars statement (limit + 1 asked) as a JSON array;
 * the extra row, if it came, is dropped and sets *truncated: it is after
 * the last (from given) or before the first (the newest bars, handed out
 * oldest first). A source still unknown is taken from the first row.
 * SQLITE_DONE or the error.
 */
static int
bars_rows(struct buf *b, sqlite3_stmt *st, const struct bars_query *q,
    int *truncated, char *source, size_t source_len)
{
	struct columns cols;
	size_t start = b->len, second = 0;
	int64_t n = 0;
	int rc, scol = source_column(st);

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
		if (n == 1)
			first_source(st, scol, source, source_len);
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
	char key[128], source[SOURCE_TEXT_MAX];
	int64_t dv;
	int rc, truncated;

	if (parse_bars(c, &q) == -1)
		return;
	snprintf(key, sizeof(key), "%s|%s|%lld|%d:%lld|%d:%lld|%lld",
	    q.symbol, q.source, (long long)q.interval_s, q.has_from,
	    (long long)q.from_ms, q.has_to, (long long)q.to_ms,
	    (long long)q.limit);
	/* The same data version: the same sources, so the same answer. */
	dv = worker_data_version(c->w);
	if ((hit = worker_cache_get(c->w, key, dv)) != NULL) {
		buf_add(b, hit->p, hit->len);
		c->resp->status = 200;
		return;
	}
	if (q.source[0] != '\0')
		snprintf(source, sizeof(source), "%s", q.source);
	else if (resolve_source(c, &q, source, sizeof(source)) == -1)
		return;
	if ((st = bars_stmt(c, &q)) == NULL)
		return;
	buf_adds(b, "{\"symbol\":");
	jsonw_cstr(b, q.symbol);
	buf_printf(b, ",\"interval_s\":%lld,\"bars\":[",
	    (long long)q.interval_s);
	if ((rc = bars_rows(b, st, &q, &truncated, source,
	    sizeof(source))) != SQLITE_DONE) {
		sqlite3_reset(st);
		query_failed(c, c->w->market, rc);
		return;
	}
	sqlite3_reset(st);
	buf_printf(b, "],\"truncated\":%s,\"source\":",
	    truncated ? "true" : "false");
	if (source[0] != '\0')
		jsonw_cstr(b, source);
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
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
csv_rows(struct buf *b, sqlite3_stmt *st, const struct bars_query *q,
    char *source, size_t source_len)
{
	size_t start = b->len, second = 0;
	int64_t n = 0;
	int rc, ncol = sqlite3_column_count(st), scol = source_column(st);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > q->limit && q->has_from)
			return SQLITE_DONE;
		if (n == 1)
			first_source(st, scol, source, source_len);
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

/* Appends s to a file name, bytes other than A-Z a-z 0-9 . _ - made _. */
static void
fname_add(char *out, size_t cap, const char *s)
{
	size_t n = strlen(out), i;

	for (i = 0; s[i] != '\0' && n + 1 < cap; i++, n++)
		out[n] = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-", s[i]) != NULL ?
		    s[i] : '_';
	out[n] = '\0';
}

void
api_export_csv(struct api_call *c)
{
	struct buf *b = &c->resp->body;
	struct bars_query q;
	char fname[QUERY_SYMBOL_MAX + 48], source[SOURCE_TEXT_MAX];
	sqlite3_stmt *st;
	int rc;

	if (parse_bars(c, &q) == -1)
		return;
	if (q.source[0] != '\0')
		snprintf(source, sizeof(source), "%s", q.source);
	else if (resolve_source(c, &q, source, sizeof(source)) == -1)
		return;
	if ((st = bars_stmt(c, &q)) == NULL)
		return;
	csv_header(b, st);
	if ((rc = csv_rows(b, st, &q, source, sizeof(source))) !=
	    SQLITE_DONE) {
		sqlite3_reset(st);
		query_failed(c, c->w->market, rc);
		return;
	}
	sqlite3_reset(st);
	/* SYMBOL[-SOURCE]-60s.csv, without the symbol's ':' and '/'. */
	fname[0] = '\0';
	fname_add(fname, sizeof(fname), q.symbol);
	if (source[0] != '\0') {
		fname_add(fname, sizeof(fname), "-");
		fname_add(fname, 32 + strlen(fname), source);
	}
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
	    "start_ms BETWEEN ?1 AND ?2%s%s%s ORDER BY start_ms DESC, symbol, "
	    "interval_s, kind, source LIMIT ?5",
	    q->symbol[0] != '\0' ? " AND symbol = ?3" : "",
	    q->interval_s != 0 ? " AND interval_s = ?4" : "",
	    q->source[0] != '\0' ? " AND source = ?6" : "");
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
	if (q->source[0] != '\0')
		sqlite3_bind_text(st, 6, q->source, -1, SQLITE_STATIC);
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

/*
 * The close of a series (symbol plus source) 24 h before the last price;
 * 0 when none is stored.
 */
static int
ref_price(struct api_call *c, const char *symbol, const char *source,
    int64_t at_ms, double *price)
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
	sqlite3_bind_text(st, 4, source, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*price = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

/* The 24 h change and the feed's state after a series' own columns. */
static void
symbol_extras(struct api_call *c, struct buf *b, sqlite3_stmt *st,
    const struct columns *cols)
{
	const char *sym = NULL, *source = NULL, *cls = NULL;
	double last = 0, ref;
	int64_t at = 0;
	int i, has_last = 0;
	char state[32];

	for (i = 0; i < cols->n; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (strcmp(name, "symbol") == 0)
			sym = (const char *)sqlite3_column_text(st, i);
		else if (strcmp(name, "source") == 0)
			source = (const char *)sqlite3_column_text(st, i);
		else if (strcmp(name, "asset_class") == 0)
			cls = (const char *)sqlite3_column_text(st, i);
		else if (strcmp(name, "last_price") == 0 &&
		    sqlite3_column_type(st, i) != SQLITE_NULL) {
			last = sqlite3_column_double(st, i);
			has_last = 1;
		} else if (strcmp(name, "last_price_ms") == 0)
			at = sqlite3_column_int64(st, i);
	}
	if (sym != NULL && source != NULL && has_last && at > 0 &&
	    ref_price(c, sym, source, at, &ref) && ref != 0) {
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
	/* The collector reading this source (and asset class). */
	if (c->w->live != NULL && (source != NULL || cls != NULL))
		live_feed_state(c->w->live, source, cls, state, sizeof(state));
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

/* side_checks columns, in the order of the answer (docs/api.md). */
enum {
	SC_SYMBOL, SC_SOURCE, SC_EXCHANGE, SC_ASSET_CLASS, SC_TRADES,
	SC_DECLARED_BUY, SC_DECLARED_SELL, SC_COMPARED, SC_AGREE, SC_AT_BID,
	SC_AT_ASK, SC_INSIDE, SC_INVERTED, SC_UPDATED_MS, SC_COUNT
};

static const char *const sc_names[SC_COUNT] = {
	"symbol", "source", "exchange", "asset_class", "trades",
	"declared_buy", "declared_sell", "compared", "agree", "at_bid",
	"at_ask", "inside", "inverted", "updated_ms"
};

/* One source's sums over the rows read so far. */
struct side_sums {
	struct buf	 source;	/* the source being summed */
	struct buf	 symbol;	/* its last symbol seen */
	int		 open;
	int64_t		 symbols;
	int64_t		 inverted;	/* rows flagged */
	int64_t		 v[SC_COUNT];	/* SC_TRADES .. SC_INSIDE */
};

/* The side_checks rows of the filter, ordered; NULL when it answered. */
static sqlite3_stmt *
side_check_stmt(struct api_call *c, const struct side_check_query *q)
{
	char sql[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t used;
	int i, rc;

	if ((db = worker_market(c->w, c->req->now_ms)) == NULL) {
		unavailable(c);
		return NULL;
	}
	used = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	for (i = 0; i < SC_COUNT; i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s%s",
		    i > 0 ? ", " : "", sc_names[i]);
	snprintf(sql + used, sizeof(sql) - used, " FROM side_checks WHERE 1%s%s"
	    " ORDER BY source, symbol, exchange",
	    q->symbol[0] != '\0' ? " AND symbol = ?1" : "",
	    q->source[0] != '\0' ? " AND source = ?2" : "");
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK) {
		log_warnx("market.db: prepare: %s", db_errstr(db, rc));
		worker_market_reset(c->w, rc);
		unavailable(c);
		return NULL;
	}
	if (q->symbol[0] != '\0')
		sqlite3_bind_text(st, 1, q->symbol, -1, SQLITE_STATIC);
	if (q->source[0] != '\0')
		sqlite3_bind_text(st, 2, q->source, -1, SQLITE_STATIC);
	return st;
}

/* ,"key":num/den, or null when den is 0. */
static void
ratio_json(struct buf *b, const char *key, int64_t num, int64_t den)
{
	buf_addc(b, ',');
	jsonw_cstr(b, key);
	buf_addc(b, ':');
	if (den == 0)
		buf_adds(b, "null");
	else
		jsonw_double(b, (double)num / (double)den);
}

static void
side_row_json(struct buf *b, sqlite3_stmt *st)
{
	int i;

	buf_addc(b, '{');
	for (i = 0; i < SC_COUNT; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jsonw_cstr(b, sc_names[i]);
		buf_addc(b, ':');
		column_json(b, st, i);
		if (i == SC_AGREE)
			ratio_json(b, "agreement",
			    sqlite3_column_int64(st, SC_AGREE),
			    sqlite3_column_int64(st, SC_COMPARED));
		else if (i == SC_INSIDE) {
			ratio_json(b, "at_bid_share",
			    sqlite3_column_int64(st, SC_AT_BID),
			    sqlite3_column_int64(st, SC_TRADES));
			ratio_json(b, "at_ask_share",
			    sqlite3_column_int64(st, SC_AT_ASK),
			    sqlite3_column_int64(st, SC_TRADES));
		}
	}
	buf_addc(b, '}');
}

static void
sums_json(struct buf *b, const struct side_sums *s)
{
	int i;

	buf_adds(b, "{\"source\":");
	jsonw_str(b, s->source.p, s->source.len);
	buf_printf(b, ",\"symbols\":%lld", (long long)s->symbols);
	for (i = SC_TRADES; i <= SC_INSIDE; i++) {
		buf_printf(b, ",\"%s\":%lld", sc_names[i], (long long)s->v[i]);
		if (i == SC_AGREE)
			ratio_json(b, "agreement", s->v[SC_AGREE],
			    s->v[SC_COMPARED]);
	}
	ratio_json(b, "at_bid_share", s->v[SC_AT_BID], s->v[SC_TRADES]);
	ratio_json(b, "at_ask_share", s->v[SC_AT_ASK], s->v[SC_TRADES]);
	buf_printf(b, ",\"inverted\":%lld}", (long long)s->inverted);
}

static int
buf_is(const struct buf *b, const char *s, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->p, s, len) == 0);
}

static void
buf_set(struct buf *b, const char *s, size_t len)
{
	b->len = 0;
	buf_add(b, s, len);
}

/* Adds a row to its source's sums; a new source writes the last one. */
static void
sums_add(struct side_sums *s, struct buf *out, sqlite3_stmt *st)
{
	const char *src = (const char *)sqlite3_column_text(st, SC_SOURCE);
	const char *sym = (const char *)sqlite3_column_text(st, SC_SYMBOL);
	size_t src_len = (size_t)sqlite3_column_bytes(st, SC_SOURCE);
	size_t sym_len = (size_t)sqlite3_column_bytes(st, SC_SYMBOL);
	int i;

	if (src == NULL)
		src = "";
	if (sym == NULL)
		sym = "";
	if (!s->open || !buf_is(&s->source, src, src_len)) {
		if (s->open) {
			sums_json(out, s);
			buf_addc(out, ',');
		}
		buf_set(&s->source, src, src_len);
		s->open = 1;
		s->symbols = s->inverted = 0;
		memset(s->v, 0, sizeof(s->v));
		s->symbol.len = 0;
	}
	/* Rows come by source, then symbol: a new symbol is a change. */
	if (s->symbols == 0 || !buf_is(&s->symbol, sym, sym_len)) {
		buf_set(&s->symbol, sym, sym_len);
		s->symbols++;
	}
	for (i = SC_TRADES; i <= SC_INSIDE; i++)
		s->v[i] += sqlite3_column_int64(st, i);
	if (sqlite3_column_int64(st, SC_INVERTED) != 0)
		s->inverted++;
}

void
api_side_check(struct api_call *c)
{
	struct buf *b = &c->resp->body, by;
	struct side_check_query q;
	struct side_sums sums;
	sqlite3_stmt *st;
	char err[160];
	int rc, n = 0;

	if (query_side_check(c->req, &q, err, sizeof(err)) == -1) {
		http_resp_error(c->resp, 400, "%s", err);
		return;
	}
	if ((st = side_check_stmt(c, &q)) == NULL)
		return;
	memset(&sums, 0, sizeof(sums));
	buf_init(&sums.source);
	buf_init(&sums.symbol);
	buf_init(&by);
	buf_adds(b, "{\"side_checks\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ > 0)
			buf_addc(b, ',');
		side_row_json(b, st);
		sums_add(&sums, &by, st);
	}
	sqlite3_finalize(st);
	if (sums.open)
		sums_json(&by, &sums);
	buf_free(&sums.source);
	buf_free(&sums.symbol);
	if (rc != SQLITE_DONE) {
		buf_free(&by);
		query_failed(c, c->w->market, rc);
		return;
	}
	buf_adds(b, "],\"by_source\":[");
	if (by.len > 0)
		buf_add(b, by.p, by.len);
	buf_adds(b, "]}");
	buf_free(&by);
	c->resp->status = 200;
}
