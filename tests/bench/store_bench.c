/*
 * store_bench [ROWS [SYMBOLS]]: the store's writer in process (no bus):
 * bars upserted per second into a fresh market.db in a temporary
 * directory, for several transaction sizes, then the same keys again
 * (every row an update), then raw ticks. Prints one line per case.
 * BENCH_PRAGMA="PRAGMA ..." is run on each database first, to try a
 * setting (docs/store.md "Speed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../store/writer.h"
#include "clock.h"
#include "db.h"
#include "schema.h"

static void
make_bar(struct bar *b, uint64_t k, unsigned symbols, uint32_t revision)
{
	int64_t base = 100 * PRICE_SCALE + (int64_t)(k % 1000) * 10000000;

	memset(b, 0, sizeof(*b));
	snprintf(b->symbol, sizeof(b->symbol), "S%04u",
	    (unsigned)(k % symbols));
	b->source = SOURCE_DEMO;
	b->asset_class = ASSET_CRYPTO;
	b->state = BAR_CLOSED;
	b->interval_s = 1;
	b->revision = revision;
	b->start_ms = 1700000000000LL + (int64_t)(k / symbols) * 1000;
	b->open = b->high = b->low = b->close = b->vwap = base;
	b->volume = 10;
	b->trades = 5;
	b->quotes = 7;
	b->spread_min = 10000000;
	b->spread_max = 30000000;
	b->spread_mean = 20000000;
	b->updated_ns = (b->start_ms + 1500) * NS_PER_MS;
}

static sqlite3 *
fresh_db(const char *dir, int n)
{
	char path[256], err[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/bench%d.db", dir, n);
	if (db_open(&db, path, DB_CREATE, 1000, err, sizeof(err)) !=
	    SQLITE_OK || schema_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	if (getenv("BENCH_PRAGMA") != NULL)
		db_exec(db, getenv("BENCH_PRAGMA"));
	return db;
}

/* Writes rows in flushes of txn rows; returns rows per second. */
static double
run(struct writer *w, uint64_t rows, unsigned symbols, uint32_t txn,
    uint32_t revision, int ticks)
{
	struct rows r;
	union row row;
	uint64_t k;
	int64_t t0, spent = 0;

	rows_init(&r);
	for (k = 0; k < rows; k++) {
		if (ticks) {
			memset(&row.tick, 0, sizeof(row.tick));
			row.tick.kind = TICK_TRADE;
			snprintf(row.tick.symbol, sizeof(row.tick.symbol),
			    "S%04u", (unsigned)(k % symbols));
			row.tick.ts_ns = (int64_t)k;
			row.tick.price = 100 * PRICE_SCALE;
			row.tick.size = 1;
		} else
			make_bar(&row.bar, k, symbols, revision);
		rows_push(&r, ticks ? ROW_TICK : ROW_BAR, &row);
		if (rows_total(&r) == txn || k + 1 == rows) {
			t0 = clock_mono_ns();
			if (writer_flush(w, &r, txn) != SQLITE_OK) {
				fprintf(stderr, "flush failed\n");
				exit(1);
			}
			spent += clock_mono_ns() - t0;
		}
	}
	rows_free(&r);
	return (double)rows / ((double)spent / NS_PER_S);
}

int
main(int argc, char *argv[])
{
	static const uint32_t txns[] = { 100, 1000, 5000 };
	static struct writer w;
	char dir[] = "/tmp/tw-store-bench-XXXXXX", cmd[128];
	uint64_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 500000;
	unsigned symbols = argc > 2 ? (unsigned)atoi(argv[2]) : 100;
	sqlite3 *db;
	size_t i;

	if (mkdtemp(dir) == NULL || symbols == 0)
		return 1;
	for (i = 0; i < sizeof(txns) / sizeof(txns[0]); i++) {
		db = fresh_db(dir, (int)i);
		writer_open(&w, db);
		printf("bars insert  rows=%llu symbols=%u txn=%u: %.0f "
		    "rows/s\n",
		    (unsigned long long)rows, symbols, txns[i],
		    run(&w, rows, symbols, txns[i], 0, 0));
		if (txns[i] == 5000) {
			printf("bars update  rows=%llu symbols=%u txn=%u: %.0f "
			    "rows/s\n", (unsigned long long)rows, symbols,
			    txns[i], run(&w, rows, symbols, txns[i], 1, 0));
			printf("ticks insert rows=%llu txn=%u: %.0f rows/s\n",
			    (unsigned long long)rows, txns[i],
			    run(&w, rows, symbols, txns[i], 0, 1));
		}
		writer_close(&w);
		db_close(db);
		fflush(stdout);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
