/*
 * ingest-stock: the stock feed's collector. Connects to the feed (feedsim on
 * the demo source, Polygon/Massive's /stocks cluster live), authenticates,
 * subscribes, normalizes every event into ticks and publishes them in
 * batches on its bus endpoint, with its counters once a second.
 */
#include "collector.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	struct collector_config	 cfg;
	struct collector	*col;
	int			 rc;

	log_init("ingest-stock");
	if ((rc = collector_config_load(&cfg, ASSET_STOCK, "ingest-stock", argc,
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
