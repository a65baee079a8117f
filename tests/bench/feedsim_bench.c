/*
 * How many events feedsim's generator (market.c) and JSON writer
 * (encode.c) make per second on one core, with no network: the budget
 * the server has before it sends anything. One thread; each stage runs
 * for about --seconds per asset class and prints one line:
 *
 *   feedsim_bench asset=crypto stage=generate events_per_s=... ...
 *   feedsim_bench asset=crypto stage=encode events_per_s=... mb_per_s=...
 *
 * "encode" frames events as the server does (arrays of at most 64 KiB,
 * comma-separated). The line also gives the realized event rate in
 * virtual time, which should be close to the configured --rate.
 *
 *   feedsim_bench [--seconds S] [--rate N] [--burst X]
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../feedsim/encode.h"
#include "../../feedsim/market.h"
#include "tick.h"

#define FRAME_FILL	65536
#define BATCH		4096	/* events between clock reads */

static const char *const stocks[] = { "AAPL", "MSFT", "NVDA", "AMZN",
	"TSLA", "SPY", "QQQ", "AMD" };
static const char *const cryptos[] = { "BTC-USD", "ETH-USD", "SOL-USD",
	"DOGE-USD", "XRP-USD" };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
	uint64_t	 events, bytes, frames;
	double		 seconds;
	int64_t		 first_ns, last_ns;
};

/* One stage for about secs: generate only, or generate and frame. */
static double burst = 2.5;

static void
run(int asset, double rate, double secs, int encode, struct result *r)
{
	static char frame[FRAME_FILL + ENCODE_EVENT_MAX];
	struct market m;
	struct market_cfg c = { 0 };
	struct market_event ev;
	size_t len = 0;
	double t0;
	int i;

	c.asset = asset;
	c.names = asset == ASSET_STOCK ? stocks : cryptos;
	c.n_names = asset == ASSET_STOCK ? 8 : 5;
	c.seed = 1;
	c.rate = rate;
	c.burst = burst;
	c.start_ns = 1706649600000LL * NS_PER_MS;
	if (market_init(&m, &c) != 0)
		errx(1, "market_init");
	memset(r, 0, sizeof(*r));
	r->first_ns = market_peek_ns(&m);
	t0 = now_s();
	do {
		for (i = 0; i < BATCH; i++) {
			market_next(&m, &ev);
			if (!encode)
				continue;
			if (len + ENCODE_EVENT_MAX + 2 > FRAME_FILL) {
				frame[len++] = ']';
				r->bytes += len;
				r->frames++;
				len = 0;
			}
			frame[len] = len == 0 ? '[' : ',';
			len++;
			len = (size_t)(encode_event(frame + len, &ev) - frame);
		}
		r->events += BATCH;
	} while ((r->seconds = now_s() - t0) < secs);
	r->last_ns = ev.send_ns;
	market_free(&m);
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "stocks", "crypto" };
	double secs = 3, rate = 1000000;
	struct result r;
	int i, a, e;

	for (i = 1; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "--seconds") == 0)
			secs = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--rate") == 0)
			rate = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--burst") == 0)
			burst = atof(argv[i + 1]);
		else
			errx(64, "usage: feedsim_bench [--seconds S] [--rate N] "
			    "[--burst X]");
	for (a = 0; a < 2; a++)
		for (e = 0; e < 2; e++) {
			run(a == 0 ? ASSET_STOCK : ASSET_CRYPTO, rate, secs, e,
			    &r);
			printf("feedsim_bench asset=%s stage=%s events_per_s=%.0f "
			    "ns_per_event=%.0f mb_per_s=%.1f bytes_per_event=%.0f "
			    "virtual_rate=%.0f configured_rate=%.0f\n", names[a],
			    e ? "encode" : "generate",
			    (double)r.events / r.seconds,
			    r.seconds * 1e9 / (double)r.events,
			    (double)r.bytes / r.seconds / 1e6,
			    r.frames ? (double)r.bytes / (double)r.events : 0.0,
			    (double)r.events / ((double)(r.last_ns - r.first_ns) /
			    1e9), rate);
		}
	return 0;
}
