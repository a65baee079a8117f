/*
 * tickpub: publishes synthetic ticks on a bus endpoint at a steady rate,
 * as a collector would, without a feed: for measuring the aggregator as a
 * process (throughput through the bus, resident memory with many
 * symbols). usage: tickpub URL SYMBOLS RATE SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "bus_nng.h"
#include "clock.h"
#include "synth.h"

int
main(int argc, char **argv)
{
	struct bus_pub pub;
	struct bus_batch b;
	struct synth sy;
	struct tick t;
	double rate;
	int64_t t0, now, due, end;
	uint64_t sent = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: tickpub URL SYMBOLS RATE SECONDS\n");
		return 64;
	}
	rate = atof(argv[3]);
	if (bus_pub_open(&pub, argv[1]) != 0 ||
	    bus_batch_init(&b, BUS_TICKS, pub.publisher_id,
	    BUS_BATCH_TICKS) == -1 ||
	    synth_init(&sy, (unsigned)atoi(argv[2]), 7) == -1)
		return 1;
	nng_msleep(1000);		/* subscribers dial in */
	t0 = clock_now_ns();
	end = t0 + (int64_t)(atof(argv[4]) * 1e9);
	while ((now = clock_now_ns()) < end) {
		due = (int64_t)((double)(now - t0) / 1e9 * rate);
		while ((int64_t)sent < due) {
			synth_next(&sy, now, &t);
			if (bus_batch_add_tick(&b, &t, now) == BUS_BATCH_TICKS)
				bus_pub_flush(&pub, &b);
			sent++;
		}
		bus_pub_flush(&pub, &b);
		nng_msleep(1);
	}
	printf("tickpub sent=%llu seconds=%.1f\n", (unsigned long long)sent,
	    (double)(now - t0) / 1e9);
	bus_pub_close(&pub);
	synth_free(&sy);
	return 0;
}
