/*
 * The aggregator's engine in process, on one core: synthetic trades and
 * quotes for N symbols (half stocks, half crypto pairs on 3 venues), event
 * time advancing 1 us a tick (a 1M ticks/s feed), the engine advanced every
 * 50,000 ticks (50 ms of feed time) as the daemon does, with the daemon's
 * default configuration (1 s and 60 s bars, a 5 s late bound). Ticks go
 * in as the daemon gets them, in messages of up to 256 (BUS_BATCH_TICKS),
 * through engine_ticks(); a batch of 1 calls engine_tick() on each. A
 * pool of 2M generated ticks is replayed with event times moved on and
 * trade ids changed at each pass. Prints ticks per second (of wall-clock
 * time, and of the process's CPU time: on a shared machine the second
 * varies less) and the resident memory with N symbols.
 * usage: agg_bench [symbols] [ticks] [batch]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../aggregator/engine.h"
#include "synth.h"

#define POOL	2000000u	/* generated ticks, replayed in passes */
#define BATCH	256u		/* ticks per bus message, at most */

static uint64_t n_bars, n_anomalies;

static void
on_bar(void *arg, const struct bar *b)
{
	(void)arg;
	(void)b;
	n_bars++;
}

static void
on_anomaly(void *arg, const struct anomaly *a)
{
	(void)arg;
	(void)a;
	n_anomalies++;
}

static void
on_check(void *arg, const struct side_check *c)
{
	(void)arg;
	(void)c;
}

static double
now_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static struct tick *
make_ticks(unsigned n_syms, unsigned n)
{
	struct tick *ticks = calloc(n, sizeof(*ticks));
	struct synth sy;
	unsigned i;

	if (ticks == NULL || synth_init(&sy, n_syms, 42) == -1)
		exit(1);
	for (i = 0; i < n; i++)
		synth_next(&sy, 1700000000000000000LL + (int64_t)i * 1000,
		    &ticks[i]);
	synth_free(&sy);
	return ticks;
}

int
main(int argc, char **argv)
{
	const struct engine_out out = { on_bar, on_anomaly, on_check, NULL };
	unsigned n_syms = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 10000000;
	unsigned batch = argc > 3 ? (unsigned)atoi(argv[3]) : BATCH;
	struct engine_config cfg;
	struct engine e;
	static struct tick msg[BATCH];
	struct tick *ticks, *t;
	long rss0;
	double t0, t1, c0, c1;
	unsigned i, k, m;
	int64_t shift;

	if (batch < 1 || batch > BATCH || n % 50000 != 0) {
		fprintf(stderr, "usage: agg_bench [symbols] [ticks, a multiple "
		    "of 50000] [batch 1-%u]\n", BATCH);
		return 64;
	}
	ticks = make_ticks(n_syms, POOL);
	rss0 = rss_kib();
	engine_config_default(&cfg);
	cfg.late_max_ns = 5 * NS_PER_S;		/* the daemon's TW_LATE_MAX */
	if (engine_init(&e, &cfg, &out) == -1)
		return 1;
	t0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i += m) {
		/* A message: never across an engine_advance(), every 50,000. */
		m = batch - (i % 50000) % batch;
		if (m > 50000 - i % 50000)
			m = 50000 - i % 50000;
		/* As the daemon decodes a message (POOL is a multiple of
		 * 50,000: a message never spans two passes). */
		shift = (int64_t)(i / POOL) * POOL * 1000;
		for (k = 0; k < m; k++) {
			t = &msg[k];
			*t = ticks[i % POOL + k];
			t->ts_ns += shift;
			t->recv_ns += shift;
			t->trade_id[0] = (char)('a' + i / POOL % 26);
		}
		if (batch == 1)
			engine_tick(&e, &msg[0], 1);
		else
			engine_ticks(&e, msg, m, 1);
		if ((i + m) % 50000 == 0)
			engine_advance(&e, msg[m - 1].recv_ns);
	}
	t1 = now_s(CLOCK_MONOTONIC);
	c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	printf("agg_bench symbols=%u ticks=%u batch=%u ticks_per_s=%.0f "
	    "per_cpu_s=%.0f bars=%llu anomalies=%llu engine_rss_mib=%.1f\n",
	    n_syms, n, batch, (double)n / (t1 - t0), (double)n / (c1 - c0),
	    (unsigned long long)n_bars,
	    (unsigned long long)n_anomalies,
	    (double)(rss_kib() - rss0) / 1024.0);
	engine_free(&e);
	free(ticks);
	return 0;
}
