/*
 * The store's SQLite writer (writer.h).
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "writer.h"

/* The newest bar is found within this of the newest start: the longest
 * interval the aggregator allows (a day). */
#define NEWEST_SCAN_MS	86400000LL

/*
 * Upserts keep the newest revision: a replayed or late copy of an older
 * revision never overwrites a correction. An equal revision (a replay of
 * the same bar, or a restarted aggregator's) does, unless it is flagged
 * gap and the stored one is not: a restarted aggregator that saw part of
 * a bar must not replace the whole bar its predecessor published.
 */
static const char bar_sql[] =
	"INSERT INTO bars (symbol, interval_s, start_ms, open, high, low,"
	" close, volume, vwap, trades, buy_volume, sell_volume, buy_trades,"
	" sell_trades, quotes, spread_mean, spread_min, spread_max,"
	" spread_bps, delta_min, delta_max, n_declared, n_inferred,"
	" n_unknown, n_compared, n_agree, n_unknown_conditions, gap, late,"
	" revision, flags, source, asset_class, first_ts_ns, last_ts_ns,"
	" updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	" ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
	" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)"
	" ON CONFLICT (symbol, interval_s, start_ms, source) DO UPDATE SET"
	" open = excluded.open, high = excluded.high, low = excluded.low,"
	" close = excluded.close, volume = excluded.volume,"
	" vwap = excluded.vwap, trades = excluded.trades,"
	" buy_volume = excluded.buy_volume,"
	" sell_volume = excluded.sell_volume,"
	" buy_trades = excluded.buy_trades,"
	" sell_trades = excluded.sell_trades, quotes = excluded.quotes,"
	" spread_mean = excluded.spread_mean,"
	" spread_min = excluded.spread_min, spread_max = excluded.spread_max,"
	" spread_bps = excluded.spread_bps, delta_min = excluded.delta_min,"
	" delta_max = excluded.delta_max, n_declared = excluded.n_declared,"
	" n_inferred = excluded.n_inferred, n_unknown = excluded.n_unknown,"
	" n_compared = excluded.n_compared, n_agree = excluded.n_agree,"
	" n_unknown_conditions = excluded.n_unknown_conditions,"
	" gap = excluded.gap, late = excluded.late,"
	" revision = excluded.revision, flags = excluded.flags,"
	" asset_class = excluded.asset_class,"
	" first_ts_ns = excluded.first_ts_ns,"
	" last_ts_ns = excluded.last_ts_ns, updated_ms = excluded.updated_ms"
	" WHERE excluded.revision > bars.revision OR"
	" (excluded.revision = bars.revision AND"
	"  (excluded.gap = 0 OR bars.gap = 1))";

static const char anomaly_sql[] =
	"INSERT INTO anomalies (symbol, interval_s, start_ms, kind, score,"
	" value, threshold, ts_ns, exchange, source, asset_class)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	" ON CONFLICT (symbol, interval_s, start_ms, kind, source) DO UPDATE"
	" SET"
	" score = excluded.score, value = excluded.value,"
	" threshold = excluded.threshold, ts_ns = excluded.ts_ns,"
	" exchange = excluded.exchange,"
	" asset_class = excluded.asset_class";

static const char side_check_sql[] =
	"INSERT INTO side_checks (symbol, source, exchange, asset_class,"
	" trades, declared_buy, declared_sell, compared, agree, at_bid,"
	" at_ask, inside, inverted, updated_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
	" ON CONFLICT (symbol, source, exchange) DO UPDATE SET"
	" asset_class = excluded.asset_class, trades = excluded.trades,"
	" declared_buy = excluded.declared_buy,"
	" declared_sell = excluded.declared_sell,"
	" compared = excluded.compared, agree = excluded.agree,"
	" at_bid = excluded.at_bid, at_ask = excluded.at_ask,"
	" inside = excluded.inside, inverted = excluded.inverted,"
	" updated_ms = excluded.updated_ms";

static const char tick_sql[] =
	"INSERT INTO ticks (kind, ts_ns, recv_ns, symbol, source, asset_class,"
	" exchange, price, size, side, bid, bid_size, ask, ask_size,"
	" ask_exchange, conditions, trade_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	" ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

/* min() and max() of SQLite are NULL if an argument is: coalesce. */
static const char symbol_sql[] =
	"INSERT INTO symbols (symbol, asset_class, source, first_ms, last_ms,"
	" last_price, last_price_ms, updated_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	" ON CONFLICT (symbol, source) DO UPDATE SET"
	" asset_class = excluded.asset_class,"
	" first_ms = min(coalesce(first_ms, excluded.first_ms),"
	"  excluded.first_ms),"
	" last_ms = max(coalesce(last_ms, excluded.last_ms), excluded.last_ms),"
	" last_price = CASE WHEN excluded.last_price IS NOT NULL AND"
	"  (last_price_ms IS NULL OR excluded.last_price_ms >= last_price_ms)"
	"  THEN excluded.last_price ELSE last_price END,"
	" last_price_ms = CASE WHEN excluded.last_price IS NOT NULL AND"
	"  (last_price_ms IS NULL OR excluded.last_price_ms >= last_price_ms)"
	"  THEN excluded.last_price_ms ELSE last_price_ms END,"
	" updated_ms = max(coalesce(updated_ms, excluded.updated_ms),"
	"  excluded.updated_ms)";

static const char prune_sql[] =
	"DELETE FROM ticks WHERE rowid IN (SELECT rowid FROM ticks"
	" WHERE ts_ns < ?1 ORDER BY ts_ns LIMIT ?2)";

static const char since_sql[] =
	"SELECT min(last_ms) FROM symbols WHERE updated_ms >="
	" (SELECT max(updated_ms) FROM symbols) - ?1";

static double
price(int64_t fixed)
{
	return (double)fixed / (double)PRICE_SCALE;
}

/*
 * Zeros alone cannot say "no quote": a locked market (bid = ask) carried
 * through a bar without a quote update has a true spread of 0. The
 * aggregator says it with the flag.
 */
int
writer_bar_has_spread(const struct bar *b)
{
	return (b->flags & BAR_F_NO_SPREAD) == 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
bind_price(sqlite3_stmt *st, int i, int64_t v, int present)
{
	if (present)
		sqlite3_bind_double(st, i, price(v));
	else
		sqlite3_bind_null(st, i);
}

static void
bind_bar_money(sqlite3_stmt *st, const struct bar *b)
{
	int has_price = (b->flags & BAR_F_NO_PRICE) == 0;
	int has_spread = writer_bar_has_spread(b);

	bind_price(st, 4, b->open, has_price);
	bind_price(st, 5, b->high, has_price);
	bind_price(st, 6, b->low, has_price);
	bind_price(st, 7, b->close, has_price);
	sqlite3_bind_double(st, 8, b->volume);
	/* Prints that may not set OHLC still count in volume and vwap. */
	bind_price(st, 9, b->vwap, b->volume > 0);
	sqlite3_bind_double(st, 11, b->buy_volume);
	sqlite3_bind_double(st, 12, b->sell_volume);
	bind_price(st, 16, b->spread_mean, has_spread);
	bind_price(st, 17, b->spread_min, has_spread);
	bind_price(st, 18, b->spread_max, has_spread);
	if (has_spread)
		sqlite3_bind_double(st, 19, b->spread_bps);
	else
		sqlite3_bind_null(st, 19);
	sqlite3_bind_double(st, 20, b->delta_min);
	sqlite3_bind_double(st, 21, b->delta_max);
}

static void
bind_bar(sqlite3_stmt *st, const struct bar *b)
{
	bind_text(st, 1, b->symbol);
	sqlite3_bind_int64(st, 2, b->interval_s);
	sqlite3_bind_int64(st, 3, b->start_ms);
	bind_bar_money(st, b);
	sqlite3_bind_int64(st, 10, b->trades);
	sqlite3_bind_int64(st, 13, b->buy_trades);
	sqlite3_bind_int64(st, 14, b->sell_trades);
	sqlite3_bind_int64(st, 15, b->quotes);
	sqlite3_bind_int64(st, 22, b->n_declared);
	sqlite3_bind_int64(st, 23, b->n_inferred);
	sqlite3_bind_int64(st, 24, b->n_unknown);
	sqlite3_bind_int64(st, 25, b->n_compared);
	sqlite3_bind_int64(st, 26, b->n_agree);
	sqlite3_bind_int64(st, 27, b->n_unknown_conditions);
	sqlite3_bind_int(st, 28, (b->flags & BAR_F_GAP) != 0);
	sqlite3_bind_int(st, 29, (b->flags & BAR_F_LATE) != 0);
	sqlite3_bind_int64(st, 30, b->revision);
	sqlite3_bind_int64(st, 31, b->flags);
	bind_text(st, 32, source_name(b->source));
	bind_text(st, 33, asset_class_name(b->asset_class));
	sqlite3_bind_int64(st, 34, b->first_ts_ns);
	sqlite3_bind_int64(st, 35, b->last_ts_ns);
	sqlite3_bind_int64(st, 36, b->updated_ns / 1000000);
}

static void
bind_anomaly(sqlite3_stmt *st, const struct anomaly *a)
{
	bind_text(st, 1, a->symbol);
	sqlite3_bind_int64(st, 2, a->interval_s);
	sqlite3_bind_int64(st, 3, a->start_ms);
	bind_text(st, 4, anomaly_kind_name(a->kind));
	sqlite3_bind_double(st, 5, a->score);
	sqlite3_bind_double(st, 6, a->value);
	sqlite3_bind_double(st, 7, a->threshold);
	sqlite3_bind_int64(st, 8, a->ts_ns);
	sqlite3_bind_int64(st, 9, a->exchange);
	bind_text(st, 10, source_name(a->source));
	bind_text(st, 11, asset_class_name(a->asset_class));
}

static void
bind_side_check(sqlite3_stmt *st, const struct side_check *c)
{
	bind_text(st, 1, c->symbol);
	bind_text(st, 2, source_name(c->source));
	sqlite3_bind_int64(st, 3, c->exchange);
	bind_text(st, 4, asset_class_name(c->asset_class));
	sqlite3_bind_int64(st, 5, (int64_t)c->trades);
	sqlite3_bind_int64(st, 6, (int64_t)c->declared_buy);
	sqlite3_bind_int64(st, 7, (int64_t)c->declared_sell);
	sqlite3_bind_int64(st, 8, (int64_t)c->compared);
	sqlite3_bind_int64(st, 9, (int64_t)c->agree);
	sqlite3_bind_int64(st, 10, (int64_t)c->at_bid);
	sqlite3_bind_int64(st, 11, (int64_t)c->at_ask);
	sqlite3_bind_int64(st, 12, (int64_t)c->inside);
	sqlite3_bind_int(st, 13, c->inverted);
	sqlite3_bind_int64(st, 14, c->updated_ns / 1000000);
}

/* "12,37": the condition codes as the feed sent them. */
static void
conditions_text(const struct tick *t, char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < t->n_conditions && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i > 0 ? "," : "", t->conditions[i]);
}

static void
bind_tick_common(sqlite3_stmt *st, const struct tick *t)
{
	bind_text(st, 1, tick_kind_name(t->kind));
	sqlite3_bind_int64(st, 2, t->ts_ns);
	sqlite3_bind_int64(st, 3, t->recv_ns);
	bind_text(st, 4, t->symbol);
	bind_text(st, 5, source_name(t->source));
	bind_text(st, 6, asset_class_name(t->asset_class));
	sqlite3_bind_int64(st, 7, t->exchange);
	if (t->trade_id[0] != '\0')
		bind_text(st, 17, t->trade_id);
	else
		sqlite3_bind_null(st, 17);
}

static void
bind_tick(sqlite3_stmt *st, const struct tick *t, char *cond, size_t len)
{
	int trade = t->kind == TICK_TRADE;
	int i;

	for (i = 8; i <= 16; i++)
		sqlite3_bind_null(st, i);
	bind_tick_common(st, t);
	if (trade) {
		sqlite3_bind_double(st, 8, price(t->price));
		sqlite3_bind_double(st, 9, t->size);
		bind_text(st, 10, side_name(t->side));
	} else {
		sqlite3_bind_double(st, 11, price(t->bid));
		sqlite3_bind_double(st, 12, t->bid_size);
		sqlite3_bind_double(st, 13, price(t->ask));
		sqlite3_bind_double(st, 14, t->ask_size);
		sqlite3_bind_int64(st, 15, t->ask_exchange);
	}
	conditions_text(t, cond, len);
	if (cond[0] != '\0')
		sqlite3_bind_text(st, 16, cond, -1, SQLITE_TRANSIENT);
}

int
writer_open(struct writer *w, sqlite3 *db)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->db = db;
	if ((rc = db_prepare(db, bar_sql, &w->insert[ROW_BAR])) != SQLITE_OK ||
	    (rc = db_prepare(db, anomaly_sql, &w->insert[ROW_ANOMALY])) !=
	    SQLITE_OK ||
	    (rc = db_prepare(db, side_check_sql,
	    &w->insert[ROW_SIDE_CHECK])) != SQLITE_OK ||
	    (rc = db_prepare(db, tick_sql, &w->insert[ROW_TICK])) !=
	    SQLITE_OK ||
	    (rc = db_prepare(db, symbol_sql, &w->symbol)) != SQLITE_OK ||
	    (rc = db_prepare(db, prune_sql, &w->prune)) != SQLITE_OK ||
	    (rc = db_prepare(db, since_sql, &w->since)) != SQLITE_OK) {
		writer_close(w);
		return rc;
	}
	symbols_reset(&w->syms);
	return SQLITE_OK;
}

void
writer_close(struct writer *w)
{
	int k;

	for (k = 0; k < ROW_KINDS; k++)
		sqlite3_finalize(w->insert[k]);
	sqlite3_finalize(w->symbol);
	sqlite3_finalize(w->prune);
	sqlite3_finalize(w->since);
	memset(w->insert, 0, sizeof(w->insert));
	w->symbol = w->prune = w->since = NULL;
}

static int
write_symbols(struct writer *w, uint64_t *upserts)
{
	const struct symbols_entry *e;
	sqlite3_stmt *st = w->symbol;
	unsigned i;
	int rc;

	for (i = 0; i < SYMBOLS_SLOTS; i++) {
		e = &w->syms.slots[i];
		if (e->symbol[0] == '\0')
			continue;
		bind_text(st, 1, e->symbol);
		bind_text(st, 2, asset_class_name(e->asset_class));
		bind_text(st, 3, source_name(e->source));
		sqlite3_bind_int64(st, 4, e->first_ms);
		sqlite3_bind_int64(st, 5, e->last_ms);
		bind_price(st, 6, e->last_price, e->has_price);
		if (e->has_price)
			sqlite3_bind_int64(st, 7, e->price_ms);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_int64(st, 8, e->updated_ms);
		if ((rc = db_step_done(st)) != SQLITE_OK)
			return rc;
		(*upserts)++;
	}
	symbols_reset(&w->syms);
	return SQLITE_OK;
}

/* What one flush did, added to the totals once it commits. */
struct flush_counts {
	struct writer_counts	 c;
	size_t			 take[ROW_KINDS];
};

static int
note_bar(struct writer *w, const struct bar *b, struct flush_counts *fc)
{
	int rc;

	if (sqlite3_changes(w->db) == 0) {
		fc->c.stale_bars++;
		return SQLITE_OK;
	}
	if (symbols_note(&w->syms, b) == 0)
		return SQLITE_OK;
	if ((rc = write_symbols(w, &fc->c.symbol_upserts)) != SQLITE_OK)
		return rc;
	return symbols_note(&w->syms, b) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

static int
write_row(struct writer *w, enum row_kind k, const void *row,
    struct flush_counts *fc)
{
	sqlite3_stmt *st = w->insert[k];
	char cond[TICK_MAX_CONDITIONS * 6 + 1];
	int rc;

	if (k == ROW_BAR)
		bind_bar(st, row);
	else if (k == ROW_ANOMALY)
		bind_anomaly(st, row);
	else if (k == ROW_SIDE_CHECK)
		bind_side_check(st, row);
	else
		bind_tick(st, row, cond, sizeof(cond));
	/* Every parameter is bound again for each row. */
	rc = db_step_done(st);
	if (db_is_row_error(rc)) {
		fc->c.rejected++;
		fc->c.last_reject_rc = rc;
		return SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		return rc;
	fc->c.rows[k]++;
	return k == ROW_BAR ? note_bar(w, row, fc) : SQLITE_OK;
}

static int
write_rows(struct writer *w, const struct rows *r, uint32_t max_rows,
    struct flush_counts *fc)
{
	size_t budget = max_rows, i;
	int k, rc;

	for (k = 0; k < ROW_KINDS; k++) {
		fc->take[k] = rows_count(r, (enum row_kind)k);
		if (fc->take[k] > budget)
			fc->take[k] = budget;
		budget -= fc->take[k];
		for (i = 0; i < fc->take[k]; i++)
			if ((rc = write_row(w, (enum row_kind)k,
			    rows_peek(r, (enum row_kind)k, i), fc)) !=
			    SQLITE_OK)
				return rc;
	}
	return write_symbols(w, &fc->c.symbol_upserts);
}

static void
counts_add(struct writer_counts *to, const struct writer_counts *from)
{
	int k;

	for (k = 0; k < ROW_KINDS; k++)
		to->rows[k] += from->rows[k];
	to->stale_bars += from->stale_bars;
	to->rejected += from->rejected;
	to->symbol_upserts += from->symbol_upserts;
	if (from->rejected > 0)
		to->last_reject_rc = from->last_reject_rc;
	to->transactions++;
}

int
writer_flush(struct writer *w, struct rows *r, uint32_t max_rows)
{
	struct flush_counts fc;
	int k, rc;

	memset(&fc, 0, sizeof(fc));
	symbols_reset(&w->syms);
	if ((rc = db_begin(w->db)) != SQLITE_OK)
		return rc;
	if ((rc = write_rows(w, r, max_rows, &fc)) != SQLITE_OK ||
	    (rc = db_commit(w->db)) != SQLITE_OK) {
		db_rollback(w->db);
		return rc;
	}
	for (k = 0; k < ROW_KINDS; k++)
		rows_pop(r, (enum row_kind)k, fc.take[k]);
	counts_add(&w->c, &fc.c);
	return SQLITE_OK;
}

int
writer_prune_ticks(struct writer *w, int64_t before_ns, int max_rows,
    int *deleted)
{
	int rc;

	*deleted = 0;
	sqlite3_bind_int64(w->prune, 1, before_ns);
	sqlite3_bind_int(w->prune, 2, max_rows);
	if ((rc = db_step_done(w->prune)) != SQLITE_OK)
		return rc;
	*deleted = sqlite3_changes(w->db);
	w->c.pruned += (uint64_t)*deleted;
	return SQLITE_OK;
}

int
writer_replay_since(struct writer *w, int64_t window_ms, int64_t *since_ms,
    int *found)
{
	int rc;

	*found = 0;
	*since_ms = 0;
	sqlite3_bind_int64(w->since, 1, window_ms);
	rc = sqlite3_step(w->since);
	if (rc == SQLITE_ROW &&
	    sqlite3_column_type(w->since, 0) != SQLITE_NULL) {
		*since_ms = sqlite3_column_int64(w->since, 0);
		*found = 1;
	}
	sqlite3_reset(w->since);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
writer_newest_end(struct writer *w, int64_t *end_ms, int *found)
{
	char sql[256];
	int is_null, rc;

	snprintf(sql, sizeof(sql), "SELECT max(start_ms + interval_s * 1000)"
	    " FROM bars WHERE start_ms >= (SELECT max(start_ms) FROM bars)"
	    " - %lld", NEWEST_SCAN_MS);
	rc = db_query_int64(w->db, sql, end_ms, &is_null);
	*found = rc == SQLITE_OK && !is_null;
	return rc;
}
