/*
 * feedsim: a local Polygon/Massive WebSocket feed (docs/feedsim.md).
 *
 *   options -> markets or replay -> signals -> lws server -> pacing timer
 *   -> loop until SIGINT/SIGTERM -> counters -> close
 *
 * Where things live:
 *   market.c  the synthetic market (pure)     encode.c  JSON writer (pure)
 *   subs.c    subscription topics (pure)      faults.c  malformed frames
 *   server.c  lws vhost, protocol, faults     conn.c    outgoing queues
 *   pump.c    pacing, dispatch, replay        replay.c  recorded frames
 *   control.c client messages                 opts.c    options
 */
#include <string.h>

#include "feedsim.h"
#include "sigfd.h"

int
main(int argc, char **argv)
{
	struct feedsim fs;
	int rc;

	memset(&fs, 0, sizeof(fs));
	log_init("feedsim");
	if ((rc = opts_load(&fs.o, argc, argv)) != 0)
		return rc;
	if ((rc = pump_setup(&fs)) != 0) {
		pump_teardown(&fs);
		opts_free(&fs.o);
		return rc;
	}
	log_info("starting seed=%ld rate=%g burst=%g start_ms=%lld stocks=%d "
	    "crypto=%d api_key=%s", fs.o.seed, fs.o.rate, fs.o.burst,
	    (long long)(fs.start_ns / 1000000), fs.n_names[PATH_STOCKS],
	    fs.n_names[PATH_CRYPTO], fs.o.api_key != NULL ? "file" : "any");

	/* Blocked before lws starts; read inside its loop. */
	fs.sigfd = sigfd_open();
	server_open(&fs);
	pump_start(&fs);

	while (!fs.stop)
		if (lws_service(fs.ctx, 0) < 0)
			break;

	server_stats(&fs, "final");
	server_close(&fs);
	pump_teardown(&fs);
	opts_free(&fs.o);
	return fs.stop ? EX_OK_CLEAN : EX_FATAL;
}
