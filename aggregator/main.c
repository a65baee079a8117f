/*
 * aggregator: ticks from the collectors in; bars that say who bought and
 * who sold, anomalies and side checks out (DESIGN.md, docs/metrics.md).
 *
 *   config -> signals, engine, sockets -> loop: wait, fold ticks into the
 *   engine, publish what is due, answer replays -> close
 */
#include "agg.h"
#include "clock.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	struct agg_config	 cfg;
	static struct aggregator agg;	/* large: not on the stack */
	int			 rc;

	log_init("aggregator");
	if ((rc = agg_config_load(&cfg, argc, argv)) != 0)
		return rc;
	agg_open(&agg, &cfg);		/* signals, engine, sockets */
	log_info("ready ticks=%s bus=%s replay=%s", cfg.tick_urls,
	    cfg.bus_url, cfg.replay_url);

	do {
		agg_wait(&agg);			/* bus, signal, timer, replay */
		agg_fold_ticks(&agg);		/* decode into the engine */
		agg_publish(&agg, clock_now_ns());	/* bars, replays, stats */
	} while (!agg.quit);

	agg_close(&agg);
	log_info("exiting");
	return 0;
}
