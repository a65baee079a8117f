/*
 * The aggregator's I/O (agg.h): configuration, sockets, the poll loop.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agg.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "sigfd.h"

#define BATCH_BARS		256
#define BATCH_ANOMALIES		256
#define BATCH_SIDE_CHECKS	256
#define BATCH_STATS		64

/* ---- configuration ---- */

/* "1,60" -> intervals; each 1 s .. 1 day, increasing, at most 4. */
static int
parse_intervals(const char *s, struct engine_config *ec)
{
	const char *p = s;
	char *end;
	long v;

	ec->n_intervals = 0;
	while (*p != '\0') {
		v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 86400 ||
		    ec->n_intervals == ENGINE_MAX_INTERVALS ||
		    (ec->n_intervals > 0 &&
		    (uint32_t)v <= ec->intervals_s[ec->n_intervals - 1]))
			return -1;
		ec->intervals_s[ec->n_intervals++] = (uint32_t)v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return -1;
	}
	return ec->n_intervals > 0 ? 0 : -1;
}

#define HISTORY_MIN	1024
#define HISTORY_MAX	16777216

/*
 * "32768,16384" -> the bar history's capacity for each interval, in
 * TW_BAR_INTERVALS order; a shorter list's last number serves the
 * intervals after it, a longer one is an error.
 */
static int
parse_history(const char *s, const struct engine_config *ec, uint32_t *cap)
{
	const char *p = s;
	unsigned n = 0;
	char *end;
	long v;

	while (*p != '\0') {
		v = strtol(p, &end, 10);
		if (end == p || v < HISTORY_MIN || v > HISTORY_MAX ||
		    n == ec->n_intervals)
			return -1;
		cap[n++] = (uint32_t)v;
		p = end;
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			return -1;
	}
	if (n == 0)
		return -1;
	for (; n < ec->n_intervals; n++)
		cap[n] = cap[n - 1];
	return 0;
}

int
agg_config_load(struct agg_config *c, int argc, char **argv)
{
	static char ticks_buf[2048], bus_buf[1024], replay_buf[1024];
	const char *run_dir = NULL, *intervals = NULL, *history_bars = NULL;
	struct engine_config *ec = &c->engine;
	long max_symbols = 0, window = -1, min_samples = -1, tod_days = -1;
	long side_min = -1;
	int64_t lateness = 0, late_max = 0, live_every = 0, grace = 0;
	const struct config_opt opts[] = {
	{ "ticks", "TW_AGG_TICK_URLS", CONFIG_STR, &c->tick_urls, NULL, 0, 0,
	  "comma list of collector endpoints (default: both collectors)" },
	{ "bus", "TW_AGG_BUS", CONFIG_STR, &c->bus_url, NULL, 0, 0,
	  "where to publish bars (default ipc://RUN_DIR/aggregator.ipc)" },
	{ "replay", "TW_AGG_REPLAY", CONFIG_STR, &c->replay_url, NULL, 0, 0,
	  "replay endpoint (default ipc://RUN_DIR/aggregator-replay.ipc)" },
	{ "run-dir", "TW_RUN_DIR", CONFIG_STR, &run_dir, "var/run", 0, 0,
	  "directory of the ipc sockets" },
	{ "intervals", "TW_BAR_INTERVALS", CONFIG_STR, &intervals, "1,60", 0,
	  0, "bar intervals in seconds, increasing, at most 4" },
	{ "lateness", "TW_BAR_LATENESS", CONFIG_DURATION, &lateness, "1s", 0,
	  60000, "how long past a bar's end the watermark waits" },
	{ "late-max", "TW_LATE_MAX", CONFIG_DURATION, &late_max, "5s", 0,
	  3600000, "how far behind the watermark a tick still counts" },
	{ "quiet-grace", "TW_QUIET_GRACE", CONFIG_DURATION, &grace, "2s", 0,
	  600000, "extra wait before a quiet feed's bars close" },
	{ "live-every", "TW_LIVE_EVERY", CONFIG_DURATION, &live_every,
	  "250ms", 10, 60000, "live updates of an open bar, at most" },
	{ "max-symbols", "TW_MAX_SYMBOLS", CONFIG_INT, &max_symbols, "16384",
	  1, 1048576, "symbols held (each source's counted apart)" },
	{ "history-bars", "TW_HISTORY_BARS", CONFIG_STR, &history_bars,
	  "32768,16384", 0, 0, "closed bars kept for replays, per interval "
	  "(comma list)" },
	{ "history-anomalies", "TW_HISTORY_ANOMALIES", CONFIG_INT,
	  &c->history_anomalies, "16384", 256, 4194304,
	  "anomalies kept for replays" },
	/* Anomaly thresholds: no default text here, the defaults are
	 * anomaly_config_default()'s, explained in docs/metrics.md. */
	{ "anomaly-window", "TW_ANOMALY_WINDOW", CONFIG_INT, &window, NULL, 8,
	  ANOMALY_RING_LEN, "recent bars each bar is judged against (60)" },
	{ "anomaly-min-samples", "TW_ANOMALY_MIN_SAMPLES", CONFIG_INT,
	  &min_samples, NULL, 2, ANOMALY_RING_LEN,
	  "recent bars needed before judging (30)" },
	{ "volume-z", "TW_ANOMALY_VOLUME_Z", CONFIG_DOUBLE,
	  &ec->anomaly.volume_z, NULL, 1, 100, "volume spike: robust z (5)" },
	{ "tod-min-days", "TW_ANOMALY_TOD_MIN_DAYS", CONFIG_INT, &tod_days,
	  NULL, 1, 7, "days a minute of day is seen before it judges (5)" },
	{ "price-z", "TW_ANOMALY_PRICE_Z", CONFIG_DOUBLE, &ec->anomaly.price_z,
	  NULL, 1, 100, "price jump: return / robust volatility (8)" },
	{ "spread-ratio", "TW_ANOMALY_SPREAD_RATIO", CONFIG_DOUBLE,
	  &ec->anomaly.spread_ratio, NULL, 1, 1000,
	  "spread blow-out: x the recent median (4)" },
	{ "flow-imbalance", "TW_ANOMALY_FLOW_IMBALANCE", CONFIG_DOUBLE,
	  &ec->anomaly.flow_imbalance, NULL, 0.1, 1,
	  "one-sided flow: |buy - sell| / (buy + sell) (0.8)" },
	{ "trade-z", "TW_ANOMALY_TRADE_Z", CONFIG_DOUBLE, &ec->anomaly.trade_z,
	  NULL, 1, 100, "large trade: robust z of log notional (10)" },
	{ "side-min-compared", "TW_SIDE_MIN_COMPARED", CONFIG_INT,
	  &side_min, NULL, 10, 1e9,
	  "declared sides checked before a venue is judged (200)" },
	{ "side-max-agreement", "TW_SIDE_MAX_AGREEMENT", CONFIG_DOUBLE,
	  &ec->side.max_agreement, NULL, 0, 0.5,
	  "agreement at or below which a venue looks inverted (0.30)" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};
	int rc;

	memset(c, 0, sizeof(*c));
	engine_config_default(ec);
	if ((rc = config_load(opts, argc, argv, "aggregator [options]",
	    NULL)) != 0)
		return rc;
	if (parse_intervals(intervals, ec) == -1) {
		fprintf(stderr, "intervals \"%s\": want increasing seconds, "
		    "e.g. 1,60\n", intervals);
		return EX_CONFIG_ERR;
	}
	if (parse_history(history_bars, ec, c->history_bars) == -1) {
		fprintf(stderr, "history-bars \"%s\": want a count per "
		    "interval (at most %u), each %d to %d, e.g. 32768,16384\n",
		    history_bars, ec->n_intervals, HISTORY_MIN, HISTORY_MAX);
		return EX_CONFIG_ERR;
	}
	ec->lateness_ns = lateness * NS_PER_MS;
	ec->late_max_ns = late_max * NS_PER_MS;
	ec->quiet_grace_ns = grace * NS_PER_MS;
	ec->live_every_ns = live_every * NS_PER_MS;
	ec->max_symbols = (uint32_t)max_symbols;
	if (window > 0)
		ec->anomaly.window = (unsigned)window;
	if (min_samples > 0)
		ec->anomaly.min_samples = (unsigned)min_samples;
	if (tod_days > 0)
		ec->anomaly.tod_min_days = (unsigned)tod_days;
	if (side_min > 0)
		ec->side.min_compared = (uint64_t)side_min;
	if (ec->anomaly.min_samples > ec->anomaly.window) {
		fprintf(stderr, "anomaly-min-samples %u is more than "
		    "anomaly-window %u\n", ec->anomaly.min_samples,
		    ec->anomaly.window);
		return EX_CONFIG_ERR;
	}
	if (c->tick_urls == NULL) {
		snprintf(ticks_buf, sizeof(ticks_buf), "ipc://%s/ingest-stock.ipc"
		    ",ipc://%s/ingest-crypto.ipc", run_dir, run_dir);
		c->tick_urls = ticks_buf;
	}
	if (c->bus_url == NULL) {
		bus_default_url(bus_buf, sizeof(bus_buf), run_dir, "aggregator");
		c->bus_url = bus_buf;
	}
	if (c->replay_url == NULL) {
		bus_default_url(replay_buf, sizeof(replay_buf), run_dir,
		    "aggregator-replay");
		c->replay_url = replay_buf;
	}
	return 0;
}

/* ---- engine output ---- */

static void
out_bar(void *arg, const struct bar *b)
{
	struct aggregator *a = arg;
	uint8_t rec[BUS_BAR_SIZE];

	unsigned iv;

	if (b->state != BAR_LIVE) {
		/* The interval's own ring (the engine makes no others). */
		for (iv = 0; iv + 1 < a->cfg.engine.n_intervals &&
		    a->cfg.engine.intervals_s[iv] != b->interval_s; iv++)
			;
		bus_encode_bar(rec, b);
		history_add(&a->bar_history, iv, rec, b->start_ms +
		    (int64_t)b->interval_s * 1000);
	}
	if (bus_batch_add_bar(&a->bars, b, a->engine.now_ns) == BATCH_BARS)
		bus_pub_flush(&a->pub, &a->bars);
}

static void
out_anomaly(void *arg, const struct anomaly *an)
{
	struct aggregator *a = arg;
	uint8_t rec[BUS_ANOMALY_SIZE];

	bus_encode_anomaly(rec, an);
	history_add(&a->anomaly_history, 0, rec, an->start_ms +
	    (int64_t)an->interval_s * 1000);
	if (bus_batch_add_anomaly(&a->anomalies, an, a->engine.now_ns) ==
	    BATCH_ANOMALIES)
		bus_pub_flush(&a->pub, &a->anomalies);
}

static void
out_side_check(void *arg, const struct side_check *c)
{
	struct aggregator *a = arg;

	if (bus_batch_add_side_check(&a->side_checks, c, a->engine.now_ns) ==
	    BATCH_SIDE_CHECKS)
		bus_pub_flush(&a->pub, &a->side_checks);
}

/* ---- lifecycle ---- */

static void
open_timer(struct aggregator *a)
{
	struct itimerspec it;

	if ((a->timerfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	memset(&it, 0, sizeof(it));
	it.it_value.tv_nsec = AGG_WAKE_MS * NS_PER_MS;
	it.it_interval.tv_nsec = AGG_WAKE_MS * NS_PER_MS;
	if (timerfd_settime(a->timerfd, 0, &it, NULL) == -1)
		fatal("timerfd_settime");
}

static void
open_bus(struct aggregator *a)
{
	static const uint8_t kinds[] = { BUS_TICKS };
	const char *urls[BUS_MAX_URLS];
	char *list;
	int n, rv;

	if ((list = strdup(a->cfg.tick_urls)) == NULL)
		fatal("strdup");
	if ((n = bus_split_urls(list, urls, BUS_MAX_URLS)) <= 0)
		fatalx("no usable tick endpoint in \"%s\"", a->cfg.tick_urls);
	if ((rv = bus_sub_open(&a->sub, urls, n, kinds, 1)) != 0)
		fatalx("cannot subscribe to %s: %s", a->cfg.tick_urls,
		    nng_strerror(rv));
	free(list);
	if ((rv = bus_pub_open(&a->pub, a->cfg.bus_url)) != 0)
		fatalx("cannot publish on %s: %s", a->cfg.bus_url,
		    nng_strerror(rv));
	if (bus_batch_init(&a->bars, BUS_BARS, a->pub.publisher_id,
	    BATCH_BARS) == -1 ||
	    bus_batch_init(&a->anomalies, BUS_ANOMALIES, a->pub.publisher_id,
	    BATCH_ANOMALIES) == -1 ||
	    bus_batch_init(&a->side_checks, BUS_SIDE_CHECKS,
	    a->pub.publisher_id, BATCH_SIDE_CHECKS) == -1 ||
	    bus_batch_init(&a->stats, BUS_STATS, a->pub.publisher_id,
	    BATCH_STATS) == -1)
		fatal("bus batches");
	if ((rv = replay_open(&a->replay, a->cfg.replay_url)) != 0)
		fatalx("cannot serve replays on %s: %s", a->cfg.replay_url,
		    nng_strerror(rv));
}

void
agg_open(struct aggregator *a, const struct agg_config *cfg)
{
	const struct engine_out out = { out_bar, out_anomaly, out_side_check,
	    a };
	uint32_t anomalies = (uint32_t)cfg->history_anomalies;

	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->started_ns = clock_now_ns();
	a->sigfd = sigfd_open();	/* before nng starts its threads */
	open_timer(a);
	if (engine_init(&a->engine, &cfg->engine, &out) == -1)
		fatalx("engine: out of memory or bad configuration");
	if (history_init(&a->bar_history, BUS_BARS, cfg->history_bars,
	    cfg->engine.n_intervals) == -1 ||
	    history_init(&a->anomaly_history, BUS_ANOMALIES, &anomalies, 1) ==
	    -1)
		fatal("history");
	open_bus(a);
}

void
agg_wait(struct aggregator *a)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[4];
	uint64_t expirations;

	pfd[0].fd = a->sub.fd;
	pfd[1].fd = a->sigfd;
	pfd[2].fd = a->timerfd;
	pfd[3].fd = replay_fd(&a->replay);
	pfd[0].events = pfd[1].events = pfd[2].events = pfd[3].events = POLLIN;
	if (poll(pfd, 4, AGG_WAKE_MS) == -1 && errno != EINTR)
		fatal("poll");
	if ((pfd[1].revents & POLLIN) &&
	    read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: stopping", si.ssi_signo);
		a->quit = 1;
	}
	if ((pfd[2].revents & POLLIN) &&
	    read(a->timerfd, &expirations, sizeof(expirations)) == -1 &&
	    errno != EAGAIN)
		log_warn("timerfd");
}

/* At most this many messages per turn, so timers and replays keep up. */
#define FOLD_MAX_MESSAGES	256

void
agg_fold_ticks(struct aggregator *a)
{
	struct bus_gap_event ev;
	struct bus_header h;
	const uint8_t *p;
	nng_msg *m;
	uint32_t i;
	unsigned k;
	int n;

	for (n = 0; n < FOLD_MAX_MESSAGES &&
	    bus_sub_recv(&a->sub, &m, &h, &ev) == 1; n++) {
		a->messages++;
		if (ev.missed_messages > 0) {
			log_warnx("bus gap: %" PRIu64 " message(s), %" PRIu64
			    " tick(s) lost from publisher %" PRIu32,
			    ev.missed_messages, ev.missed_records,
			    h.publisher_id);
			engine_bus_gap(&a->engine, h.publisher_id);
		}
		/* In chunks: the engine looks ahead within one. */
		p = (const uint8_t *)nng_msg_body(m) + BUS_HEADER_SIZE;
		for (i = 0, k = 0; i < h.n_records; i++, p += BUS_TICK_SIZE) {
			if (bus_decode_tick(p, &a->ticks[k]) == BUS_OK)
				k++;
			else
				a->engine.stats.bad_ticks++;
			if (k == AGG_TICK_CHUNK) {
				engine_ticks(&a->engine, a->ticks, k,
				    h.publisher_id);
				k = 0;
			}
		}
		if (k > 0)
			engine_ticks(&a->engine, a->ticks, k, h.publisher_id);
		nng_msg_free(m);
	}
}

static void
stat_add(struct aggregator *a, const char *key, int64_t v)
{
	struct bus_stat s;

	memset(&s, 0, sizeof(s));
	snprintf(s.process, sizeof(s.process), "aggregator");
	snprintf(s.key, sizeof(s.key), "%s", key);
	s.value = v;
	if (bus_batch_add_stat(&a->stats, &s, a->engine.now_ns) == BATCH_STATS)
		bus_pub_flush(&a->pub, &a->stats);
}

/* Resident memory in bytes, from /proc (0 when unreadable). */
static int64_t
rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return (int64_t)resident * sysconf(_SC_PAGESIZE);
}

static void
publish_stats(struct aggregator *a, int64_t now_ns)
{
	const struct engine_stats *s = &a->engine.stats;
	const struct bus_gaps *g = &a->sub.gaps;

	stat_add(a, "ticks", (int64_t)s->ticks);
	stat_add(a, "trades", (int64_t)s->trades);
	stat_add(a, "quotes", (int64_t)s->quotes);
	stat_add(a, "feed_bars", (int64_t)s->feed_bars);
	stat_add(a, "duplicates", (int64_t)s->duplicates);
	stat_add(a, "out_of_order", (int64_t)s->out_of_order);
	stat_add(a, "late_applied", (int64_t)s->late_applied);
	stat_add(a, "too_late", (int64_t)s->too_late);
	stat_add(a, "bars_inserted", (int64_t)s->bars_inserted);
	stat_add(a, "late_quotes", (int64_t)s->late_quotes);
	stat_add(a, "ineligible_trades", (int64_t)s->ineligible_trades);
	stat_add(a, "unknown_conditions", (int64_t)s->unknown_conditions);
	stat_add(a, "bars_live", (int64_t)s->bars_live);
	stat_add(a, "bars_closed", (int64_t)s->bars_closed);
	stat_add(a, "bars_corrected", (int64_t)s->bars_corrected);
	stat_add(a, "gap_bars", (int64_t)s->gap_bars);
	stat_add(a, "anomalies", (int64_t)s->anomalies);
	stat_add(a, "side_inverted", (int64_t)s->side_inverted);
	stat_add(a, "symbols", (int64_t)s->symbols);
	stat_add(a, "symbols_dropped", (int64_t)s->symbols_dropped);
	stat_add(a, "feed_outages", (int64_t)s->feed_outages);
	stat_add(a, "bad_ticks", (int64_t)s->bad_ticks);
	stat_add(a, "bus_gaps", (int64_t)g->gaps);
	stat_add(a, "bus_missed_ticks", (int64_t)g->missed_records);
	stat_add(a, "bus_messages", (int64_t)a->messages);
	stat_add(a, "replays", (int64_t)a->replay.requests);
	stat_add(a, "rss_bytes", rss_bytes());
	stat_add(a, "uptime_s", (now_ns - a->started_ns) / NS_PER_S);
	bus_pub_flush(&a->pub, &a->stats);
}

void
agg_publish(struct aggregator *a, int64_t now_ns)
{
	engine_advance(&a->engine, now_ns);
	replay_serve(&a->replay, &a->bar_history, &a->anomaly_history,
	    a->pub.publisher_id);
	bus_pub_flush(&a->pub, &a->bars);
	bus_pub_flush(&a->pub, &a->anomalies);
	bus_pub_flush(&a->pub, &a->side_checks);
	if (now_ns - a->last_stats_ns >= NS_PER_S) {
		publish_stats(a, now_ns);
		a->last_stats_ns = now_ns;
	}
}

void
agg_close(struct aggregator *a)
{
	publish_stats(a, clock_now_ns());
	log_info("stats ticks=%" PRIu64 " bars_closed=%" PRIu64
	    " bars_corrected=%" PRIu64 " anomalies=%" PRIu64 " symbols=%"
	    PRIu64 " bus_gaps=%" PRIu64, a->engine.stats.ticks,
	    a->engine.stats.bars_closed, a->engine.stats.bars_corrected,
	    a->engine.stats.anomalies, a->engine.stats.symbols,
	    a->sub.gaps.gaps);
	replay_close(&a->replay);
	bus_sub_close(&a->sub);
	bus_pub_close(&a->pub);
	bus_batch_free(&a->bars);
	bus_batch_free(&a->anomalies);
	bus_batch_free(&a->side_checks);
	bus_batch_free(&a->stats);
	history_free(&a->bar_history);
	history_free(&a->anomaly_history);
	engine_free(&a->engine);
	close(a->timerfd);
	close(a->sigfd);
}
