/*
 * The store's option table (options.h; docs/store.md "Options").
 */
#include <stdio.h>
#include <string.h>

#include "bus_nng.h"
#include "config.h"
#include "options.h"

#define PATH_BUF	1024
#define URLS_BUF	2048

/* Fills what defaults to a place under the run or data directory. */
static void
derive_defaults(struct store_options *o, const char *run_dir,
    const char *data_dir)
{
	static char db[PATH_BUF], bus[URLS_BUF], replay[PATH_BUF],
	    publish[PATH_BUF], ticks[URLS_BUF];

	if (o->db_path == NULL) {
		snprintf(db, sizeof(db), "%s/market.db", data_dir);
		o->db_path = db;
	}
	if (o->bus_urls == NULL) {
		bus_default_url(bus, sizeof(bus), run_dir, "aggregator");
		o->bus_urls = bus;
	}
	if (o->replay_url == NULL) {
		bus_default_url(replay, sizeof(replay), run_dir,
		    "aggregator-replay");
		o->replay_url = replay;
	}
	if (o->publish_url == NULL) {
		bus_default_url(publish, sizeof(publish), run_dir, "store");
		o->publish_url = publish;
	}
	if (o->tick_urls == NULL) {
		snprintf(ticks, sizeof(ticks), "ipc://%s/ingest-stock.ipc,"
		    "ipc://%s/ingest-crypto.ipc", run_dir, run_dir);
		o->tick_urls = ticks;
	}
}

int
store_options_load(struct store_options *o, int argc, char **argv)
{
	const char *run_dir = NULL, *data_dir = NULL;
	const struct config_opt opts[] = {
	{ "db", "TW_STORE_DB", CONFIG_STR, &o->db_path, NULL, 0, 0,
	  "database file (default DATA_DIR/market.db)" },
	{ "data-dir", "TW_DATA_DIR", CONFIG_STR, &data_dir, "var/data", 0, 0,
	  "directory of market.db" },
	{ "run-dir", "TW_RUN_DIR", CONFIG_STR, &run_dir, "var/run", 0, 0,
	  "directory of the ipc sockets" },
	{ "bus", "TW_STORE_BUS_URLS", CONFIG_STR, &o->bus_urls, NULL, 0, 0,
	  "aggregator endpoints, comma list "
	  "(default ipc://RUN_DIR/aggregator.ipc)" },
	{ "replay", "TW_STORE_REPLAY_URL", CONFIG_STR, &o->replay_url, NULL,
	  0, 0, "the aggregator's replay endpoint "
	  "(default ipc://RUN_DIR/aggregator-replay.ipc)" },
	{ "publish", "TW_STORE_PUBLISH", CONFIG_STR, &o->publish_url, NULL,
	  0, 0, "where to publish counters (default ipc://RUN_DIR/store.ipc)" },
	{ "flush-rows", "TW_STORE_FLUSH_ROWS", CONFIG_INT, &o->flush_rows,
	  "5000", 1, 1000000, "rows per transaction, and a flush trigger" },
	{ "flush", "TW_STORE_FLUSH", CONFIG_DURATION, &o->flush_ms, "500ms",
	  0, 3600000, "longest a row waits before it is written" },
	{ "max-pending", "TW_STORE_MAX_PENDING", CONFIG_INT, &o->max_pending,
	  "250000", 1, 1e9, "rows held while writes fail; more are dropped" },
	{ "busy-timeout", "TW_STORE_BUSY_TIMEOUT", CONFIG_DURATION,
	  &o->busy_timeout_ms, "200ms", 0, 60000,
	  "wait for another writer's lock before retrying later" },
	{ "replay-timeout", "TW_STORE_REPLAY_TIMEOUT", CONFIG_DURATION,
	  &o->replay_timeout_ms, "2s", 10, 600000,
	  "wait for a replay reply before asking again" },
	{ "replay-margin", "TW_STORE_REPLAY_MARGIN", CONFIG_DURATION,
	  &o->replay_margin_ms, "1m", 0, 86400000,
	  "replay from this long before the newest stored bars" },
	{ "replay-window", "TW_STORE_REPLAY_WINDOW", CONFIG_DURATION,
	  &o->replay_window_ms, "5m", 0, 86400000 * 30.0,
	  "symbols published within this of the newest count as live" },
	{ "replay-page", "TW_STORE_REPLAY_PAGE", CONFIG_INT, &o->replay_page,
	  "4096", 1, 1000000, "records asked per replay request" },
	{ "ticks", "TW_STORE_TICKS", CONFIG_BOOL, &o->ticks, "0", 0, 0,
	  "also keep raw trades and quotes" },
	{ "tick-urls", "TW_STORE_TICK_URLS", CONFIG_STR, &o->tick_urls, NULL,
	  0, 0, "collector endpoints (default both collectors)" },
	{ "ticks-retention", "TW_STORE_TICKS_RETENTION", CONFIG_DURATION,
	  &o->ticks_retention_ms, "24h", 1000, 86400000 * 3650.0,
	  "raw ticks older than this (event time) are deleted" },
	{ "prune-rows", "TW_STORE_PRUNE_ROWS", CONFIG_INT, &o->prune_rows,
	  "2000", 1, 1000000, "ticks deleted per pruning step" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = config_load(opts, argc, argv, "store [options]", NULL)) != 0)
		return rc;
	derive_defaults(o, run_dir, data_dir);
	return 0;
}
