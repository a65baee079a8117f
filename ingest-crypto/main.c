/*
 * ingest-crypto: the crypto feed's collector. Connects to the feed (feedsim on
 * the demo source, Polygon/Massive's /crypto cluster live, or a keyless
 * venue: Coinbase, Kraken, Binance), authenticates where the feed wants it,
 * subscribes, normalizes every event into ticks and publishes them in
 * batches on its bus endpoint, with its counters once a second. --name
 * tells several apart, one per source.
 */
#include "collector.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	struct collector_config	 cfg;
	struct collector	*col;
	int			 rc;

	log_init("ingest-crypto");
	if ((rc = collector_config_load(&cfg, ASSET_CRYPTO, "ingest-crypto", argc,
	    argv)) != 0)
		return rc;
	log_init(cfg.name);		/* --name: one per source */
	col = collector_open(&cfg);	/* signals, feed client, bus */
	collector_run(col);		/* until SIGTERM or SIGINT */
	collector_close(col);		/* flush, final counters */
	collector_config_free(&cfg);
	log_info("exiting");
	return 0;
}
