/*
 * market.db with real SQLite in a temporary directory: opening (mode,
 * WAL), migrations (from empty, again, a newer version refused, a failing
 * step changes nothing, a version 1 database keeps its rows), and the store's writer on it (store/writer.c):
 * upserts keep the newest revision, the NULL rules, prices as REAL, the
 * symbols upkeep, ticks and pruning, where a replay starts, and failures
 * (full, busy, a refused row) that roll back and keep the rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "../../store/writer.h"
#include "db.h"
#include "schema.h"

static char dir[64];
static char path[128];

static sqlite3 *
open_market(const char *p)
{
	char err[256];
	sqlite3 *db;

	if (db_open(&db, p, DB_CREATE, 10, err, sizeof(err)) != SQLITE_OK) {
		printf("# %s\n", err);
		exit(1);
	}
	return db;
}

static int64_t
qint(sqlite3 *db, const char *sql)
{
	int64_t v;
	int is_null;

	if (db_query_int64(db, sql, &v, &is_null) != SQLITE_OK)
		return -999999;
	return is_null ? -1 : v;
}

/* The value of one column of one row: its SQL type and real value. */
static int
qreal(sqlite3 *db, const char *sql, double *v)
{
	sqlite3_stmt *st;
	int type = -1;

	*v = NAN;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		type = sqlite3_column_type(st, 0);
		*v = sqlite3_column_double(st, 0);
	}
	sqlite3_finalize(st);
	return type;
}

static int
qtext_is(sqlite3 *db, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	const unsigned char *t;
	int same = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = sqlite3_column_text(st, 0)) != NULL)
		same = strcmp((const char *)t, want) == 0;
	sqlite3_finalize(st);
	return same;
}

static void
test_open_and_migrate(void)
{
	char err[512];
	struct stat sb;
	sqlite3 *db;
	int v;

	db = open_market(path);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "open: a new file is 0600 (%o)", sb.st_mode & 0777);
	CHECK(qint(db, "PRAGMA user_version") == 0 &&
	    schema_check(db, &v, err, sizeof(err)) == -1 && v == 0,
	    "open: an empty file is version 0, not readable yet");
	CHECK(schema_migrate(db, err, sizeof(err)) == 0 &&
	    qint(db, "PRAGMA user_version") == SCHEMA_VERSION,
	    "migrate: an empty database to version %d", SCHEMA_VERSION);
	CHECK(qint(db, "SELECT count(*) FROM sqlite_schema WHERE type = "
	    "'table' AND name IN ('bars', 'anomalies', 'symbols', "
	    "'side_checks', 'ticks')") == 5 &&
	    qint(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
	    " AND name IN ('bars_by_start', 'ticks_by_ts')") == 2,
	    "migrate: the tables and indexes exist");
	db_close(db);
	db = open_market(path);
	CHECK(schema_migrate(db, err, sizeof(err)) == 0 &&
	    qint(db, "PRAGMA user_version") == SCHEMA_VERSION &&
	    schema_check(db, &v, err, sizeof(err)) == 0,
	    "migrate: reopening is a no-op");
	CHECK(qtext_is(db, "PRAGMA journal_mode", "wal"), "open: WAL");
	CHECK(qint(db, "PRAGMA foreign_keys") == 1 &&
	    qint(db, "PRAGMA synchronous") == 1,
	    "open: foreign keys on, synchronous NORMAL");
	db_close(db);
}

static void
test_newer_refused(void)
{
	char p[160], err[512];
	sqlite3 *db;
	int v;

	snprintf(p, sizeof(p), "%s/newer.db", dir);
	db = open_market(p);
	db_exec(db, "PRAGMA user_version = 99");
	CHECK(schema_migrate(db, err, sizeof(err)) == -1 &&
	    strstr(err, "99") != NULL && strstr(err, "newer") != NULL &&
	    qint(db, "PRAGMA user_version") == 99,
	    "newer: refused, said clearly, left alone (%s)", err);
	CHECK(schema_check(db, &v, err, sizeof(err)) == -1 && v == 99,
	    "newer: a reader refuses it too");
	db_close(db);
}

static void
test_failing_step(void)
{
	static const char *const steps[] = {
		"CREATE TABLE a (x)",
		"CREATE TABLE b (x); INSERT INTO nowhere VALUES (1)",
	};
	static const char *const good[] = {
		"CREATE TABLE a (x)", "CREATE TABLE b (x)",
	};
	char p[160], err[512];
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/steps.db", dir);
	db = open_market(p);
	CHECK(schema_apply(db, steps, 1, "t", err, sizeof(err)) == 0 &&
	    qint(db, "PRAGMA user_version") == 1, "steps: 0 to 1");
	CHECK(schema_apply(db, steps, 2, "t", err, sizeof(err)) == -1 &&
	    qint(db, "PRAGMA user_version") == 1 &&
	    qint(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'") ==
	    0 && strstr(err, "1 to 2") != NULL,
	    "steps: a failing step changes nothing (%s)", err);
	CHECK(schema_apply(db, good, 2, "t", err, sizeof(err)) == 0 &&
	    qint(db, "PRAGMA user_version") == 2 &&
	    qint(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'") ==
	    1, "steps: 1 to 2 once the step is right");
	db_close(db);
}

static struct bar
bar(const char *sym, int64_t start_ms, uint32_t revision, int64_t close)
{
	struct bar b;

	memset(&b, 0, sizeof(b));
	snprintf(b.symbol, sizeof(b.symbol), "%s", sym);
	b.source = SOURCE_POLYGON;
	b.asset_class = ASSET_STOCK;
	b.state = revision > 0 ? BAR_CORRECTED : BAR_CLOSED;
	b.interval_s = 60;
	b.start_ms = start_ms;
	b.revision = revision;
	b.open = b.high = b.low = b.vwap = 187250000000LL;
	b.close = close;
	b.volume = 10.5;
	b.trades = 3;
	b.quotes = 2;
	b.spread_mean = 20000000;
	b.spread_min = 10000000;
	b.spread_max = 30000000;
	b.spread_bps = 1.25;
	b.updated_ns = (start_ms + 61000) * NS_PER_MS;
	return b;
}

static int
write_bars(struct writer *w, const struct bar *bars, size_t n)
{
	struct rows r;
	union row row;
	size_t i;
	int rc;

	rows_init(&r);
	for (i = 0; i < n; i++) {
		row.bar = bars[i];
		rows_push(&r, ROW_BAR, &row);
	}
	rc = writer_flush(w, &r, 100000);
	rows_free(&r);
	return rc;
}

static void
test_upserts(sqlite3 *db, struct writer *w)
{
	struct bar b[3];
	double v;

	b[0] = bar("AAPL", 60000, 0, 187500000000LL);
	b[1] = b[0];
	CHECK(write_bars(w, b, 2) == SQLITE_OK &&
	    qint(db, "SELECT count(*) FROM bars") == 1,
	    "upsert: the same bar twice is one row");
	CHECK(qreal(db, "SELECT open FROM bars", &v) == SQLITE_FLOAT &&
	    v == 187.25, "upsert: fixed point 187250000000 is 187.25");
	b[0] = bar("AAPL", 60000, 1, 188000000000LL);
	CHECK(write_bars(w, b, 1) == SQLITE_OK &&
	    qint(db, "SELECT revision FROM bars") == 1 &&
	    qreal(db, "SELECT close FROM bars", &v) == SQLITE_FLOAT &&
	    v == 188.0, "upsert: a correction replaces the bar");
	b[0] = bar("AAPL", 60000, 0, 187500000000LL);
	CHECK(write_bars(w, b, 1) == SQLITE_OK &&
	    qint(db, "SELECT revision FROM bars") == 1 &&
	    qreal(db, "SELECT close FROM bars", &v) == SQLITE_FLOAT &&
	    v == 188.0 && w->c.stale_bars == 1,
	    "upsert: an older revision (a replay) never overwrites");
	CHECK(w->c.rows[ROW_BAR] == 4 && w->c.transactions == 3,
	    "upsert: rows and transactions counted");
	b[0] = bar("AAPL", 60000, 1, 100000000000LL);
	b[0].flags = BAR_F_GAP;		/* a restarted aggregator's part */
	CHECK(write_bars(w, b, 1) == SQLITE_OK &&
	    qreal(db, "SELECT close FROM bars", &v) == SQLITE_FLOAT &&
	    v == 188.0 && qint(db, "SELECT gap FROM bars") == 0,
	    "upsert: a gap bar never replaces a whole one of its revision");
	b[0] = bar("AAPL", 60000, 2, 189000000000LL);
	b[0].flags = BAR_F_GAP;
	CHECK(write_bars(w, b, 1) == SQLITE_OK &&
	    qreal(db, "SELECT close FROM bars", &v) == SQLITE_FLOAT &&
	    v == 189.0 && qint(db, "SELECT gap FROM bars") == 1,
	    "upsert: ... but a newer revision does");
	b[0].flags = 0;
	CHECK(write_bars(w, b, 1) == SQLITE_OK &&
	    qint(db, "SELECT gap FROM bars") == 0,
	    "upsert: and a whole bar replaces a gap one of its revision");
}

/* What each NULL rule must do (docs/store.md "bars"). */
static const struct {
	const char	*name;
	uint16_t	 flags;
	double		 volume;
	uint32_t	 quotes;
	int64_t		 spread_min, spread_max;
	int		 want_ohlc_null;
	int		 want_vwap_null;
	int		 want_spread_null;
	int		 want_gap, want_late;
} null_cases[] = {
	{ "a full bar: nothing NULL", 0, 10.5, 2, 10000000, 30000000,
	  0, 0, 0, 0, 0 },
	{ "no price, volume: OHLC NULL, vwap kept", BAR_F_NO_PRICE, 10.5, 2,
	  10000000, 30000000, 1, 0, 0, 0, 0 },
	{ "no price, no volume (quotes only): OHLC and vwap NULL",
	  BAR_F_NO_PRICE, 0, 2, 10000000, 30000000, 1, 1, 0, 0, 0 },
	{ "prices but no volume: vwap NULL", 0, 0, 2, 10000000, 30000000,
	  0, 1, 0, 0, 0 },
	{ "no spread flag: spreads NULL", BAR_F_NO_SPREAD, 10.5, 2, 10000000,
	  30000000, 0, 0, 1, 0, 0 },
	{ "zero spreads, no quote inside, no flag: a locked market, 0", 0,
	  10.5, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "no quote inside but one in effect: values", 0, 10.5, 0, 10000000,
	  30000000, 0, 0, 0, 0, 0 },
	{ "gap flag: gap = 1", BAR_F_GAP, 10.5, 2, 10000000, 30000000,
	  0, 0, 0, 1, 0 },
	{ "late flag: late = 1", BAR_F_LATE | BAR_F_GAP, 10.5, 2, 10000000,
	  30000000, 0, 0, 0, 1, 1 },
};

/* Counts the NULLs of row start_ms of NULLS against case i. */
static int
nulls_as_wanted(sqlite3 *db, int64_t start, size_t i)
{
	char sql[512];
	sqlite3_stmt *st;
	int ok = 0;

	snprintf(sql, sizeof(sql), "SELECT (open IS NULL) + (high IS NULL) + "
	    "(low IS NULL) + (close IS NULL), vwap IS NULL,"
	    " (spread_mean IS NULL) + (spread_min IS NULL) +"
	    " (spread_max IS NULL) + (spread_bps IS NULL),"
	    " volume IS NULL, gap, late FROM bars"
	    " WHERE symbol = 'NULLS' AND start_ms = %lld", (long long)start);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int(st, 0) ==
		    4 * null_cases[i].want_ohlc_null &&
		    sqlite3_column_int(st, 1) == null_cases[i].want_vwap_null &&
		    sqlite3_column_int(st, 2) ==
		    4 * null_cases[i].want_spread_null &&
		    sqlite3_column_int(st, 3) == 0 &&
		    sqlite3_column_int(st, 4) == null_cases[i].want_gap &&
		    sqlite3_column_int(st, 5) == null_cases[i].want_late;
	sqlite3_finalize(st);
	return ok;
}

static void
test_nulls(struct writer *w)
{
	struct bar b;
	size_t i;
	int64_t start;

	for (i = 0; i < sizeof(null_cases) / sizeof(null_cases[0]); i++) {
		start = 1000000 + (int64_t)i * 60000;
		b = bar("NULLS", start, 0, 187500000000LL);
		b.flags = null_cases[i].flags;
		b.volume = null_cases[i].volume;
		b.quotes = null_cases[i].quotes;
		b.spread_min = null_cases[i].spread_min;
		b.spread_max = null_cases[i].spread_max;
		if (b.spread_min == 0)
			b.spread_mean = 0;
		write_bars(w, &b, 1);
		CHECK(nulls_as_wanted(w->db, start, i), "nulls: %s",
		    null_cases[i].name);
	}
}

static void
test_symbols(sqlite3 *db, struct writer *w)
{
	struct bar b[3];
	double v;

	b[0] = bar("MSFT", 120000, 0, 400000000000LL);
	b[1] = bar("MSFT", 60000, 0, 399000000000LL);
	b[2] = bar("MSFT", 180000, 0, 0);
	b[2].flags = BAR_F_NO_PRICE;
	write_bars(w, b, 3);
	CHECK(qint(db, "SELECT first_ms FROM symbols WHERE symbol = 'MSFT'") ==
	    60000 && qint(db, "SELECT last_ms FROM symbols WHERE symbol = "
	    "'MSFT'") == 240000 && qreal(db, "SELECT last_price FROM symbols "
	    "WHERE symbol = 'MSFT'", &v) == SQLITE_FLOAT && v == 400.0,
	    "symbols: first start, last end, the newest priced close");
	b[0] = bar("MSFT", 0, 0, 390000000000LL);	/* older still */
	write_bars(w, b, 1);
	CHECK(qint(db, "SELECT first_ms FROM symbols WHERE symbol = 'MSFT'") ==
	    0 && qreal(db, "SELECT last_price FROM symbols WHERE symbol = "
	    "'MSFT'", &v) == SQLITE_FLOAT && v == 400.0 &&
	    qint(db, "SELECT count(*) FROM symbols WHERE asset_class = "
	    "'stock' AND source = 'polygon'") >= 1,
	    "symbols: an older bar moves first_ms, not the price");
}

/*
 * Version 1 as it was released: a database written by it, to migrate.
 * (A copy on purpose: the test must not follow later edits.)
 */
static const char v1_schema[] =
	"CREATE TABLE bars ("
	" symbol TEXT NOT NULL, interval_s INTEGER NOT NULL,"
	" start_ms INTEGER NOT NULL,"
	" open REAL, high REAL, low REAL, close REAL,"
	" volume REAL, vwap REAL, trades INTEGER,"
	" buy_volume REAL, sell_volume REAL,"
	" buy_trades INTEGER, sell_trades INTEGER, quotes INTEGER,"
	" spread_mean REAL, spread_min REAL, spread_max REAL,"
	" spread_bps REAL, delta_min REAL, delta_max REAL,"
	" n_declared INTEGER, n_inferred INTEGER, n_unknown INTEGER,"
	" n_compared INTEGER, n_agree INTEGER, n_unknown_conditions INTEGER,"
	" gap INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0,"
	" revision INTEGER NOT NULL DEFAULT 0,"
	" flags INTEGER NOT NULL DEFAULT 0,"
	" source TEXT, asset_class TEXT,"
	" first_ts_ns INTEGER, last_ts_ns INTEGER, updated_ms INTEGER,"
	" PRIMARY KEY (symbol, interval_s, start_ms)) WITHOUT ROWID;"
	"CREATE INDEX bars_by_start ON bars (start_ms);"
	"CREATE TABLE anomalies ("
	" symbol TEXT NOT NULL, interval_s INTEGER NOT NULL,"
	" start_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	" score REAL, value REAL, threshold REAL, ts_ns INTEGER,"
	" exchange INTEGER, source TEXT, asset_class TEXT,"
	" PRIMARY KEY (symbol, interval_s, start_ms, kind)) WITHOUT ROWID;"
	"CREATE INDEX anomalies_by_start ON anomalies (start_ms);"
	"CREATE TABLE symbols ("
	" symbol TEXT NOT NULL PRIMARY KEY, asset_class TEXT, source TEXT,"
	" first_ms INTEGER, last_ms INTEGER, last_price REAL,"
	" last_price_ms INTEGER, updated_ms INTEGER) WITHOUT ROWID;"
	"CREATE TABLE side_checks ("
	" symbol TEXT NOT NULL, source TEXT NOT NULL,"
	" exchange INTEGER NOT NULL, asset_class TEXT,"
	" trades INTEGER, declared_buy INTEGER, declared_sell INTEGER,"
	" compared INTEGER, agree INTEGER, at_bid INTEGER, at_ask INTEGER,"
	" inside INTEGER, inverted INTEGER, updated_ms INTEGER,"
	" PRIMARY KEY (symbol, source, exchange)) WITHOUT ROWID;"
	"CREATE TABLE ticks ("
	" kind TEXT NOT NULL, ts_ns INTEGER NOT NULL, recv_ns INTEGER,"
	" symbol TEXT NOT NULL, source TEXT, asset_class TEXT,"
	" exchange INTEGER, price REAL, size REAL, side TEXT,"
	" bid REAL, bid_size REAL, ask REAL, ask_size REAL,"
	" ask_exchange INTEGER, conditions TEXT, trade_id TEXT);"
	"CREATE INDEX ticks_by_ts ON ticks (ts_ns);";

static void
test_migrate_v1(void)
{
	char p[160], err[512] = "";
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/v1.db", dir);
	db = open_market(p);
	if (db_exec(db, v1_schema) != SQLITE_OK ||
	    db_exec(db, "PRAGMA user_version = 1") != SQLITE_OK ||
	    db_exec(db, "INSERT INTO bars (symbol, interval_s, start_ms, close,"
	    " volume, buy_volume, revision, source, asset_class) VALUES"
	    " ('AAPL', 60, 60000, 187.5, 10, 6, 2, 'polygon', 'stock'),"
	    " ('BTC-USD', 1, 1000, 50000, 0.5, 0.25, 0, NULL, 'crypto');"
	    "INSERT INTO anomalies (symbol, interval_s, start_ms, kind, score,"
	    " source) VALUES ('AAPL', 60, 60000, 'volume_spike', 7.5,"
	    " 'polygon');"
	    "INSERT INTO symbols (symbol, asset_class, source, last_price)"
	    " VALUES ('AAPL', 'stock', 'polygon', 187.5);"
	    "INSERT INTO side_checks (symbol, source, exchange, trades) VALUES"
	    " ('BTC-USD', 'demo', 1, 42)") != SQLITE_OK) {
		CHECK(0, "migrate v1: the version 1 fixture loads");
		db_close(db);
		return;
	}
	CHECK(schema_migrate(db, err, sizeof(err)) == 0 &&
	    qint(db, "PRAGMA user_version") == SCHEMA_VERSION,
	    "migrate v1: to version %d (%s)", SCHEMA_VERSION, err);
	CHECK(qint(db, "SELECT count(*) FROM bars") == 2 &&
	    qint(db, "SELECT revision FROM bars WHERE symbol = 'AAPL' AND"
	    " source = 'polygon' AND buy_volume = 6 AND close = 187.5") == 2 &&
	    qint(db, "SELECT count(*) FROM bars WHERE symbol = 'BTC-USD' AND"
	    " source = ''") == 1,
	    "migrate v1: every bar kept, a missing source becomes ''");
	CHECK(qint(db, "SELECT count(*) FROM anomalies WHERE score = 7.5") ==
	    1 && qint(db, "SELECT count(*) FROM symbols WHERE last_price ="
	    " 187.5") == 1 && qint(db, "SELECT trades FROM side_checks") == 42,
	    "migrate v1: anomalies, symbols and side checks kept");
	CHECK(qint(db, "SELECT count(*) FROM pragma_index_list('bars') WHERE"
	    " name = 'bars_by_start'") == 1 &&
	    qint(db, "SELECT count(*) FROM pragma_index_list('anomalies')"
	    " WHERE name = 'anomalies_by_start'") == 1,
	    "migrate v1: the time indexes are back");
	CHECK(qint(db, "SELECT group_concat(name) = 'symbol,interval_s,"
	    "start_ms,source' FROM (SELECT name FROM pragma_table_info('bars')"
	    " WHERE pk > 0 ORDER BY pk)") == 1,
	    "migrate v1: bars are keyed by symbol, interval, start, source");
	CHECK(qtext_is(db, "PRAGMA integrity_check", "ok"),
	    "migrate v1: integrity_check ok");
	db_close(db);
}

/* One symbol from two venues: two series, in bars and in symbols. */
static void
test_two_sources(sqlite3 *db, struct writer *w)
{
	struct bar b[4];
	double v;

	b[0] = bar("BTC-USD", 60000, 0, 50000000000000LL);
	b[0].source = SOURCE_COINBASE;
	b[0].asset_class = ASSET_CRYPTO;
	b[1] = b[0];
	b[1].source = SOURCE_KRAKEN;
	b[1].close = 50010000000000LL;
	b[2] = b[0];	/* the same bar again: still one row per source */
	b[3] = b[1];
	b[3].revision = 1;
	b[3].close = 50020000000000LL;
	CHECK(write_bars(w, b, 4) == SQLITE_OK &&
	    qint(db, "SELECT count(*) FROM bars WHERE symbol = 'BTC-USD'") ==
	    2, "two sources: one symbol's bar from two venues is two rows");
	CHECK(qreal(db, "SELECT close FROM bars WHERE symbol = 'BTC-USD' AND"
	    " source = 'coinbase'", &v) == SQLITE_FLOAT && v == 50000.0 &&
	    qreal(db, "SELECT close FROM bars WHERE symbol = 'BTC-USD' AND"
	    " source = 'kraken'", &v) == SQLITE_FLOAT && v == 50020.0,
	    "two sources: a correction of one leaves the other");
	CHECK(qint(db, "SELECT count(*) FROM symbols WHERE symbol = 'BTC-USD'")
	    == 2 && qreal(db, "SELECT last_price FROM symbols WHERE symbol ="
	    " 'BTC-USD' AND source = 'kraken'", &v) == SQLITE_FLOAT &&
	    v == 50020.0, "two sources: two rows in symbols, each its price");
}

static void
test_other_tables(sqlite3 *db, struct writer *w)
{
	struct rows r;
	union row row;
	double v;
	int deleted;

	rows_init(&r);
	memset(&row, 0, sizeof(row));
	strcpy(row.anomaly.symbol, "AAPL");
	row.anomaly.kind = ANOMALY_VOLUME_SPIKE;
	row.anomaly.interval_s = 60;
	row.anomaly.start_ms = 60000;
	row.anomaly.score = 7.5;
	rows_push(&r, ROW_ANOMALY, &row);
	row.anomaly.score = 8.5;	/* the same anomaly again */
	rows_push(&r, ROW_ANOMALY, &row);
	memset(&row, 0, sizeof(row));
	strcpy(row.side_check.symbol, "BTC-USD");
	row.side_check.source = SOURCE_COINBASE;
	row.side_check.trades = 10;
	rows_push(&r, ROW_SIDE_CHECK, &row);
	row.side_check.trades = 20;
	rows_push(&r, ROW_SIDE_CHECK, &row);
	memset(&row, 0, sizeof(row));
	row.tick.kind = TICK_TRADE;
	strcpy(row.tick.symbol, "AAPL");
	row.tick.price = 1500000000;
	row.tick.side = SIDE_BUY;
	row.tick.n_conditions = 2;
	row.tick.conditions[0] = 12;
	row.tick.conditions[1] = 37;
	for (int i = 0; i < 10; i++) {
		row.tick.ts_ns = i;
		rows_push(&r, ROW_TICK, &row);
	}
	CHECK(writer_flush(w, &r, 1000) == SQLITE_OK && rows_total(&r) == 0,
	    "flush: every table in one transaction");
	CHECK(qint(db, "SELECT count(*) FROM anomalies") == 1 &&
	    qreal(db, "SELECT score FROM anomalies WHERE kind = "
	    "'volume_spike'", &v) == SQLITE_FLOAT && v == 8.5,
	    "anomalies: upserted by symbol, interval, start, kind");
	CHECK(qint(db, "SELECT trades FROM side_checks WHERE source = "
	    "'coinbase'") == 20, "side checks: upserted, newest counts");
	CHECK(qint(db, "SELECT count(*) FROM ticks WHERE conditions = '12,37' "
	    "AND side = 'buy' AND price = 1.5 AND bid IS NULL") == 10,
	    "ticks: trades with conditions as text, no quote fields");
	CHECK(writer_prune_ticks(w, 7, 4, &deleted) == SQLITE_OK &&
	    deleted == 4 && qint(db, "SELECT min(ts_ns) FROM ticks") == 4,
	    "ticks: pruning deletes the oldest, at most a step");
	CHECK(writer_prune_ticks(w, 7, 4, &deleted) == SQLITE_OK &&
	    deleted == 3 && qint(db, "SELECT count(*) FROM ticks") == 3,
	    "ticks: ... and stops at the retention");
	rows_free(&r);
}

static void
test_since(sqlite3 *db, struct writer *w)
{
	int64_t since, end;
	int found;

	db_exec(db, "DELETE FROM symbols; INSERT INTO symbols (symbol, "
	    "last_ms, updated_ms) VALUES ('LIVE', 900000, 901000), "
	    "('DELAYED', 100000, 900500), ('STOPPED', 5000, 6000)");
	CHECK(writer_replay_since(w, 300000, &since, &found) == SQLITE_OK &&
	    found && since == 100000, "since: the oldest newest end among "
	    "live symbols, a delayed feed's included (%lld)",
	    (long long)since);
	db_exec(db, "DELETE FROM symbols");
	CHECK(writer_replay_since(w, 300000, &since, &found) == SQLITE_OK &&
	    !found, "since: nothing stored, nothing found");
	CHECK(writer_newest_end(w, &end, &found) == SQLITE_OK && found &&
	    end == qint(db, "SELECT max(start_ms + interval_s * 1000) FROM "
	    "bars"), "newest end: as a full scan says (%lld)",
	    (long long)end);
}

static void
test_full(sqlite3 *db, struct writer *w)
{
	static struct bar b[3000];
	struct rows r;
	union row row;
	int64_t before = qint(db, "SELECT count(*) FROM bars");
	size_t i;
	int rc;

	rows_init(&r);
	for (i = 0; i < 3000; i++) {
		b[i] = bar("FULL", (int64_t)i * 60000, 0, 100000000000LL);
		row.bar = b[i];
		rows_push(&r, ROW_BAR, &row);
	}
	db_exec(db, "PRAGMA max_page_count = 1");	/* the current size */
	rc = writer_flush(w, &r, 3000);
	CHECK((rc & 0xff) == SQLITE_FULL && rows_total(&r) == 3000 &&
	    qint(db, "SELECT count(*) FROM bars") == before &&
	    db_is_transient(rc), "full: rolled back, rows kept (%s)",
	    sqlite3_errstr(rc));
	db_exec(db, "PRAGMA max_page_count = 1073741823");
	CHECK(writer_flush(w, &r, 3000) == SQLITE_OK && rows_total(&r) == 0 &&
	    qint(db, "SELECT count(*) FROM bars") == before + 3000,
	    "full: written once there is room");
	CHECK(qint(db, "SELECT count(*) FROM pragma_integrity_check WHERE "
	    "integrity_check = 'ok'") == 1, "full: integrity_check ok");
	rows_free(&r);
}

static void
test_busy_and_refused(sqlite3 *db, struct writer *w)
{
	struct bar b[3];
	sqlite3 *other = open_market(path);
	struct rows r;
	union row row;
	int rc, i;

	rows_init(&r);
	b[0] = bar("BUSY", 0, 0, 1);
	b[1] = bar("POISON", 0, 0, 1);
	b[2] = bar("BUSY", 60000, 0, 1);
	for (i = 0; i < 3; i++) {
		row.bar = b[i];
		rows_push(&r, ROW_BAR, &row);
	}
	db_exec(other, "BEGIN IMMEDIATE");
	rc = writer_flush(w, &r, 10);
	CHECK((rc & 0xff) == SQLITE_BUSY && rows_total(&r) == 3,
	    "busy: another writer's lock, rows kept (%s)", sqlite3_errstr(rc));
	db_exec(other, "ROLLBACK");
	db_exec(db, "CREATE TRIGGER poison BEFORE INSERT ON bars WHEN "
	    "NEW.symbol = 'POISON' BEGIN SELECT RAISE(ABORT, 'poison'); END");
	CHECK(writer_flush(w, &r, 10) == SQLITE_OK && rows_total(&r) == 0 &&
	    qint(db, "SELECT count(*) FROM bars WHERE symbol = 'BUSY'") == 2 &&
	    w->c.rejected == 1 && (w->c.last_reject_rc & 0xff) ==
	    SQLITE_CONSTRAINT, "refused: a row SQLite refuses is skipped, "
	    "the others written");
	db_close(other);
	rows_free(&r);
}

int
main(void)
{
	static struct writer w;
	char err[512];
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "/tmp/tw-schema-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/market.db", dir);
	umask(022);	/* the file must be 0600 whatever the umask */
	test_open_and_migrate();
	test_newer_refused();
	test_failing_step();
	test_migrate_v1();
	db = open_market(path);
	if (schema_migrate(db, err, sizeof(err)) == -1 ||
	    writer_open(&w, db) != SQLITE_OK)
		return 1;
	test_upserts(db, &w);
	test_nulls(&w);
	test_symbols(db, &w);
	test_two_sources(db, &w);
	test_other_tables(db, &w);
	test_since(db, &w);
	test_full(db, &w);
	test_busy_and_refused(db, &w);
	writer_close(&w);
	db_close(db);
	if (check_failed == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return check_report();
}
