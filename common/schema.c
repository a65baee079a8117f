/*
 * market.db's migrations (schema.h). Each step is SQL taking the database
 * from version i to i + 1; never edit a released step, add one. Column
 * meanings and units are in docs/store.md.
 */
#include <stdio.h>

#include "db.h"
#include "schema.h"

/* Version 1: bars, anomalies, symbols, side checks, raw ticks. */
static const char step1[] =
	/* Prices are REAL (fixed point / 1e9). OHLC are NULL when no trade
	 * could set them, vwap when no volume, spreads when no usable quote
	 * was in effect. */
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
	/* The primary key serves per-symbol ranges; this serves "the newest
	 * bars of any symbol" and time ranges across symbols. */
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

/*
 * Version 2: the same symbol from two sources (Coinbase's and Kraken's
 * BTC-USD) is two series. source joins the keys of bars, anomalies and
 * symbols, NOT NULL ('' for a row version 1 stored without one). It comes
 * last in the bars key, so a query by symbol, interval and time still
 * walks the key, with or without a source. SQLite cannot change a primary
 * key: each table is rebuilt with its columns in the same order.
 */
static const char step2[] =
	"CREATE TABLE bars_v2 ("
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
	" source TEXT NOT NULL DEFAULT '', asset_class TEXT,"
	" first_ts_ns INTEGER, last_ts_ns INTEGER, updated_ms INTEGER,"
	" PRIMARY KEY (symbol, interval_s, start_ms, source)) WITHOUT ROWID;"
	"INSERT INTO bars_v2 SELECT symbol, interval_s, start_ms, open, high,"
	" low, close, volume, vwap, trades, buy_volume, sell_volume,"
	" buy_trades, sell_trades, quotes, spread_mean, spread_min,"
	" spread_max, spread_bps, delta_min, delta_max, n_declared,"
	" n_inferred, n_unknown, n_compared, n_agree, n_unknown_conditions,"
	" gap, late, revision, flags, coalesce(source, ''), asset_class,"
	" first_ts_ns, last_ts_ns, updated_ms FROM bars;"
	"DROP TABLE bars;"
	"ALTER TABLE bars_v2 RENAME TO bars;"
	"CREATE INDEX bars_by_start ON bars (start_ms);"
	"CREATE TABLE anomalies_v2 ("
	" symbol TEXT NOT NULL, interval_s INTEGER NOT NULL,"
	" start_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	" score REAL, value REAL, threshold REAL, ts_ns INTEGER,"
	" exchange INTEGER, source TEXT NOT NULL DEFAULT '', asset_class TEXT,"
	" PRIMARY KEY (symbol, interval_s, start_ms, kind, source))"
	" WITHOUT ROWID;"
	"INSERT INTO anomalies_v2 SELECT symbol, interval_s, start_ms, kind,"
	" score, value, threshold, ts_ns, exchange, coalesce(source, ''),"
	" asset_class FROM anomalies;"
	"DROP TABLE anomalies;"
	"ALTER TABLE anomalies_v2 RENAME TO anomalies;"
	"CREATE INDEX anomalies_by_start ON anomalies (start_ms);"
	"CREATE TABLE symbols_v2 ("
	" symbol TEXT NOT NULL, asset_class TEXT,"
	" source TEXT NOT NULL DEFAULT '',"
	" first_ms INTEGER, last_ms INTEGER, last_price REAL,"
	" last_price_ms INTEGER, updated_ms INTEGER,"
	" PRIMARY KEY (symbol, source)) WITHOUT ROWID;"
	"INSERT INTO symbols_v2 SELECT symbol, asset_class,"
	" coalesce(source, ''), first_ms, last_ms, last_price, last_price_ms,"
	" updated_ms FROM symbols;"
	"DROP TABLE symbols;"
	"ALTER TABLE symbols_v2 RENAME TO symbols;";

static const char *const market_steps[SCHEMA_VERSION] = {
	step1,
	step2,
};

static int
read_version(sqlite3 *db, int *version)
{
	int64_t v;
	int is_null, rc;

	if ((rc = db_query_int64(db, "PRAGMA user_version", &v,
	    &is_null)) != SQLITE_OK)
		return rc;
	*version = (int)v;
	return SQLITE_OK;
}

static int
set_version(sqlite3 *db, int version)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", version);
	return db_exec(db, sql);
}

/* Runs the missing steps; the caller holds the transaction. */
static int
run_steps(sqlite3 *db, const char *const *steps, int from, int to,
    const char *what, char *err, size_t err_len)
{
	int rc, v;

	for (v = from; v < to; v++) {
		if ((rc = db_exec(db, steps[v])) != SQLITE_OK) {
			snprintf(err, err_len, "%s: migration %d to %d: %s",
			    what, v, v + 1, db_errstr(db, rc));
			return -1;
		}
	}
	if ((rc = set_version(db, to)) != SQLITE_OK) {
		snprintf(err, err_len, "%s: set version %d: %s", what, to,
		    db_errstr(db, rc));
		return -1;
	}
	return 0;
}

int
schema_apply(sqlite3 *db, const char *const *steps, int n_steps,
    const char *what, char *err, size_t err_len)
{
	int rc, version;

	if ((rc = db_begin(db)) != SQLITE_OK) {
		snprintf(err, err_len, "%s: begin: %s", what,
		    db_errstr(db, rc));
		return -1;
	}
	if ((rc = read_version(db, &version)) != SQLITE_OK) {
		snprintf(err, err_len, "%s: read user_version: %s", what,
		    db_errstr(db, rc));
		goto fail;
	}
	if (version > n_steps || version < 0) {
		snprintf(err, err_len, "%s: schema version %d is newer than "
		    "this program knows (%d): run a newer tapewatch, or "
		    "restore a backup made for this one", what, version,
		    n_steps);
		goto fail;
	}
	if (version < n_steps && run_steps(db, steps, version, n_steps,
	    what, err, err_len) == -1)
		goto fail;
	if ((rc = db_commit(db)) != SQLITE_OK) {
		snprintf(err, err_len, "%s: commit: %s", what,
		    db_errstr(db, rc));
		goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
schema_migrate(sqlite3 *db, char *err, size_t err_len)
{
	return schema_apply(db, market_steps, SCHEMA_VERSION, "market.db",
	    err, err_len);
}

int
schema_check(sqlite3 *db, int *version, char *err, size_t err_len)
{
	int rc;

	if ((rc = read_version(db, version)) != SQLITE_OK) {
		snprintf(err, err_len, "market.db: read user_version: %s",
		    db_errstr(db, rc));
		return -1;
	}
	if (*version < SCHEMA_VERSION) {
		snprintf(err, err_len, "market.db: schema version %d, want %d: "
		    "the store migrates it when it starts", *version,
		    SCHEMA_VERSION);
		return -1;
	}
	if (*version > SCHEMA_VERSION) {
		snprintf(err, err_len, "market.db: schema version %d is newer "
		    "than this program knows (%d)", *version, SCHEMA_VERSION);
		return -1;
	}
	return 0;
}
