/*
 * barpub: a stand-in aggregator for tests and benchmarks of the store. It
 * publishes bars, anomalies and side checks on a pub endpoint exactly as
 * the aggregator does (bus_batch, bus_pub, counters once a second), and
 * serves replays on a rep endpoint with the aggregator's own code
 * (aggregator/history.c and replay.c). What to publish comes on stdin,
 * one JSON object per line:
 *
 *   {"op":"bar", FIELD: VALUE, ...}     a struct bar; fields by their C
 *       names; prices fixed point (integers, 1e-9); source, asset_class
 *       and state ("live", "closed", "corrected") by name. Closed and
 *       corrected bars also go into the replay ring, as the aggregator's.
 *   {"op":"anomaly", ...}               a struct anomaly; kind by name
 *   {"op":"side_check", ...}            a struct side_check
 *   {"op":"gen", "n":N, "symbols":S, "interval_s":I, "start_ms":T,
 *    "first":K, "rate":R}               N generated closed bars, K.. on, at
 *       R bars/s (0: at once), by the formula of gen_bar() below
 *   {"op":"flush"}                      publish what is batched now
 *   {"op":"drop", "messages":N}         number but do not send the next N
 *       messages: the subscribers see a bus gap
 *   {"op":"sync", "id":X}               answer on stdout once everything
 *       before it is published (a gen included), with the counters
 *
 * stdout: {"ready":...} at start, then one JSON line per sync. Batches are
 * also published at the end of every chunk read from stdin. SIGTERM or
 * SIGINT ends it; end of input does not (replays go on being served).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <jansson.h>

#include "../../aggregator/history.h"
#include "../../aggregator/replay.h"
#include "bus.h"
#include "bus_nng.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "sigfd.h"

#define LINE_MAX_BYTES	65536
#define GEN_STEP_MAX	4096	/* generated bars per loop turn */

enum field_type { F_I64, F_U32, F_U16, F_U8, F_DBL, F_STR };

struct field {
	const char	*name;
	enum field_type	 type;
	size_t		 off;
};

#define B(n, t) { #n, t, offsetof(struct bar, n) }
static const struct field bar_fields[] = {
	B(symbol, F_STR), B(flags, F_U16), B(interval_s, F_U32),
	B(revision, F_U32), B(start_ms, F_I64), B(open, F_I64),
	B(high, F_I64), B(low, F_I64), B(close, F_I64), B(vwap, F_I64),
	B(volume, F_DBL), B(buy_volume, F_DBL), B(sell_volume, F_DBL),
	B(trades, F_U32), B(buy_trades, F_U32), B(sell_trades, F_U32),
	B(quotes, F_U32), B(spread_mean, F_I64), B(spread_min, F_I64),
	B(spread_max, F_I64), B(spread_bps, F_DBL), B(delta_min, F_DBL),
	B(delta_max, F_DBL), B(n_declared, F_U32), B(n_inferred, F_U32),
	B(n_unknown, F_U32), B(n_compared, F_U32), B(n_agree, F_U32),
	B(n_unknown_conditions, F_U32), B(first_ts_ns, F_I64),
	B(last_ts_ns, F_I64), B(updated_ns, F_I64), { NULL, F_I64, 0 }
};
#undef B
#define A(n, t) { #n, t, offsetof(struct anomaly, n) }
static const struct field anomaly_fields[] = {
	A(symbol, F_STR), A(interval_s, F_U32), A(start_ms, F_I64),
	A(score, F_DBL), A(value, F_DBL), A(threshold, F_DBL),
	A(ts_ns, F_I64), A(exchange, F_U32), { NULL, F_I64, 0 }
};
#undef A
#define C(n, t) { #n, t, offsetof(struct side_check, n) }
static const struct field side_check_fields[] = {
	C(symbol, F_STR), C(inverted, F_U8), C(exchange, F_U32),
	C(trades, F_I64), C(declared_buy, F_I64), C(declared_sell, F_I64),
	C(compared, F_I64), C(agree, F_I64), C(at_bid, F_I64),
	C(at_ask, F_I64), C(inside, F_I64), C(updated_ns, F_I64),
	{ NULL, F_I64, 0 }
};
#undef C

struct gen {
	uint64_t	 first, n, done;
	uint32_t	 symbols, interval_s;
	int64_t		 start_ms;
	double		 rate;
	int64_t		 began_ns;
};

struct barpub {
	struct bus_pub	 pub;
	struct bus_batch bars, anomalies, side_checks, stats;
	struct history	 bar_history, anomaly_history;
	struct replay	 replay;
	struct gen	 gen;
	int		 sigfd;
	int		 stdin_open;
	int		 quit;
	char		 line[LINE_MAX_BYTES];
	size_t		 line_len;
	long		 batch_records;
	uint64_t	 drop_left;
	uint64_t	 dropped_messages;
	uint64_t	 published[BUS_KIND_MAX];	/* records */
	uint64_t	 bad_lines;
	json_t		*pending_sync;	/* waits for the gen */
	int64_t		 next_stats_ns;
};

static void
fill(void *obj, const struct field *f, json_t *j)
{
	json_t *v;
	uint8_t *p;

	for (; f->name != NULL; f++) {
		if ((v = json_object_get(j, f->name)) == NULL)
			continue;
		p = (uint8_t *)obj + f->off;
		if (f->type == F_STR && json_is_string(v))
			snprintf((char *)p, TICK_SYMBOL_LEN, "%s",
			    json_string_value(v));
		else if (f->type == F_DBL)
			*(double *)(void *)p = json_number_value(v);
		else if (f->type == F_I64)
			*(int64_t *)(void *)p = json_integer_value(v);
		else if (f->type == F_U32)
			*(uint32_t *)(void *)p =
			    (uint32_t)json_integer_value(v);
		else if (f->type == F_U16)
			*(uint16_t *)(void *)p =
			    (uint16_t)json_integer_value(v);
		else if (f->type == F_U8)
			*p = (uint8_t)json_integer_value(v);
	}
}

static int
name_field(json_t *j, const char *key, const char *(*namer)(int), int max,
    int def)
{
	const char *s;
	int i;

	if ((s = json_string_value(json_object_get(j, key))) == NULL)
		return def;
	for (i = 0; i < max; i++)
		if (strcmp(namer(i), s) == 0)
			return i;
	return def;
}

/* Takes a batch's message and sends it, or drops it when asked to. */
static void
publish(struct barpub *bp, struct bus_batch *b)
{
	const void *msg;
	size_t len;

	if (bus_batch_take(b, &msg, &len) == -1)
		return;
	bp->published[b->kind] += (len - BUS_HEADER_SIZE) / b->record_size;
	if (bp->drop_left > 0 && b->kind != BUS_STATS) {
		bp->drop_left--;
		bp->dropped_messages++;
		return;
	}
	bus_pub_send(&bp->pub, msg, len);
}

static void
publish_all(struct barpub *bp)
{
	publish(bp, &bp->bars);
	publish(bp, &bp->anomalies);
	publish(bp, &bp->side_checks);
}

static void
add_bar(struct barpub *bp, const struct bar *b)
{
	uint8_t rec[BUS_BAR_SIZE];

	if (b->state != BAR_LIVE) {
		bus_encode_bar(rec, b);
		history_add(&bp->bar_history, 0, rec, b->start_ms +
		    (int64_t)b->interval_s * 1000);
	}
	if (bus_batch_add_bar(&bp->bars, b, 0) == bp->bars.max_records)
		publish(bp, &bp->bars);
}

static void
add_anomaly(struct barpub *bp, const struct anomaly *a)
{
	uint8_t rec[BUS_ANOMALY_SIZE];

	bus_encode_anomaly(rec, a);
	history_add(&bp->anomaly_history, 0, rec, a->start_ms +
	    (int64_t)a->interval_s * 1000);
	if (bus_batch_add_anomaly(&bp->anomalies, a, 0) ==
	    bp->anomalies.max_records)
		publish(bp, &bp->anomalies);
}

/* Prices and spreads of generated bar k (see gen_bar). */
static void
gen_money(uint64_t k, struct bar *b)
{
	int64_t base = 100 * PRICE_SCALE + (int64_t)(k % 1000) * 10000000;

	if ((b->flags & BAR_F_NO_PRICE) == 0) {
		b->open = base;
		b->high = base + 50000000;
		b->low = base - 30000000;
		b->close = base + 10000000;
		b->vwap = base + 20000000;
	}
	if ((b->flags & BAR_F_NO_SPREAD) == 0) {
		b->spread_min = 10000000 + (int64_t)(k % 9) * 1000000;
		b->spread_max = b->spread_min + 40000000;
		b->spread_mean = b->spread_min + 10000000;
		b->spread_bps = (double)(k % 13) * 0.5;
	}
	b->buy_volume = (double)(k % 7) + 0.25;
	b->sell_volume = (double)(k % 5) + 0.125;
	b->volume = b->buy_volume + b->sell_volume + 1.0;
	b->delta_min = -(double)(k % 11) * 0.5;
	b->delta_max = (double)(k % 7) * 0.25;
}

/*
 * Generated bar k (tests/integration/barpub.py has the same formula,
 * written again): symbol G<k % symbols>, the (k / symbols)-th interval
 * from start_ms, closed, source demo, crypto; every field from k.
 */
static void
gen_bar(const struct gen *g, uint64_t k, struct bar *b)
{
	int64_t end_ms;

	memset(b, 0, sizeof(*b));
	snprintf(b->symbol, sizeof(b->symbol), "G%03u",
	    (unsigned)(k % g->symbols));
	b->source = SOURCE_DEMO;
	b->asset_class = ASSET_CRYPTO;
	b->state = BAR_CLOSED;
	b->interval_s = g->interval_s;
	b->start_ms = g->start_ms + (int64_t)(k / g->symbols) *
	    g->interval_s * 1000;
	end_ms = b->start_ms + (int64_t)g->interval_s * 1000;
	b->flags = (uint16_t)((k % 17 == 0 ? BAR_F_GAP : 0) |
	    (k % 23 == 0 ? BAR_F_NO_PRICE : 0) |
	    (k % 10 == 0 ? BAR_F_NO_SPREAD : 0));
	gen_money(k, b);
	b->trades = (uint32_t)(k % 50 + 1);
	b->buy_trades = b->trades / 2;
	b->sell_trades = b->trades - b->buy_trades;
	b->quotes = (uint32_t)(k % 20);
	b->n_declared = (uint32_t)(k % 5);
	b->n_inferred = (uint32_t)(k % 3);
	b->n_unknown = (uint32_t)(k % 2);
	b->n_compared = (uint32_t)(k % 4);
	b->n_agree = (uint32_t)(k % 4 / 2);
	b->n_unknown_conditions = (uint32_t)(k % 6);
	b->first_ts_ns = b->start_ms * NS_PER_MS + 1000;
	b->last_ts_ns = end_ms * NS_PER_MS - 1000;
	b->updated_ns = end_ms * NS_PER_MS + 500 * NS_PER_MS;
}

static void
print_sync(struct barpub *bp, json_t *id)
{
	char *s = json_dumps(id, JSON_ENCODE_ANY);

	printf("{\"sync\":%s,\"publisher_id\":%" PRIu32 ",\"bars\":%" PRIu64
	    ",\"anomalies\":%" PRIu64 ",\"side_checks\":%" PRIu64
	    ",\"dropped_messages\":%" PRIu64 ",\"ring_bars\":%" PRIu64
	    ",\"replays\":%" PRIu64 ",\"replay_records\":%" PRIu64
	    ",\"replay_malformed\":%" PRIu64 ",\"bad_lines\":%" PRIu64 "}\n",
	    s != NULL ? s : "null", bp->pub.publisher_id,
	    bp->published[BUS_BARS], bp->published[BUS_ANOMALIES],
	    bp->published[BUS_SIDE_CHECKS], bp->dropped_messages,
	    bp->bar_history.next_cursor - 1, bp->replay.requests,
	    bp->replay.records, bp->replay.malformed, bp->bad_lines);
	fflush(stdout);
	free(s);
}

static void
gen_run(struct barpub *bp)
{
	struct gen *g = &bp->gen;
	struct bar b;
	uint64_t due = g->n, step = 0;

	if (g->done >= g->n)
		return;
	if (g->rate > 0)
		due = (uint64_t)((double)(clock_mono_ns() - g->began_ns) /
		    NS_PER_S * g->rate) + 1;
	for (; g->done < g->n && g->done < due && step < GEN_STEP_MAX;
	    step++, g->done++) {
		gen_bar(g, g->first + g->done, &b);
		add_bar(bp, &b);
	}
	if (g->done == g->n || g->rate > 0)
		publish(bp, &bp->bars);
	if (g->done == g->n && bp->pending_sync != NULL) {
		print_sync(bp, bp->pending_sync);
		json_decref(bp->pending_sync);
		bp->pending_sync = NULL;
	}
}

static void
op_gen(struct barpub *bp, json_t *j)
{
	struct gen *g = &bp->gen;

	memset(g, 0, sizeof(*g));
	g->n = (uint64_t)json_integer_value(json_object_get(j, "n"));
	g->first = (uint64_t)json_integer_value(json_object_get(j, "first"));
	g->symbols = (uint32_t)json_integer_value(json_object_get(j,
	    "symbols"));
	g->interval_s = (uint32_t)json_integer_value(json_object_get(j,
	    "interval_s"));
	g->start_ms = json_integer_value(json_object_get(j, "start_ms"));
	g->rate = json_number_value(json_object_get(j, "rate"));
	g->began_ns = clock_mono_ns();
	if (g->symbols == 0)
		g->symbols = 1;
	if (g->interval_s == 0)
		g->interval_s = 1;
	gen_run(bp);
}

static void
op_record(struct barpub *bp, const char *op, json_t *j)
{
	union { struct bar b; struct anomaly a; struct side_check c; } u;

	memset(&u, 0, sizeof(u));
	if (strcmp(op, "bar") == 0) {
		fill(&u.b, bar_fields, j);
		u.b.source = (uint8_t)name_field(j, "source", source_name,
		    SOURCE_MAX, SOURCE_DEMO);
		u.b.asset_class = (uint8_t)name_field(j, "asset_class",
		    asset_class_name, ASSET_MAX, ASSET_CRYPTO);
		u.b.state = (uint8_t)name_field(j, "state", bar_state_name,
		    BAR_STATE_MAX, BAR_CLOSED);
		add_bar(bp, &u.b);
	} else if (strcmp(op, "anomaly") == 0) {
		fill(&u.a, anomaly_fields, j);
		u.a.source = (uint8_t)name_field(j, "source", source_name,
		    SOURCE_MAX, SOURCE_DEMO);
		u.a.asset_class = (uint8_t)name_field(j, "asset_class",
		    asset_class_name, ASSET_MAX, ASSET_CRYPTO);
		u.a.kind = (uint8_t)name_field(j, "kind", anomaly_kind_name,
		    ANOMALY_KIND_MAX, ANOMALY_VOLUME_SPIKE);
		add_anomaly(bp, &u.a);
	} else {
		fill(&u.c, side_check_fields, j);
		u.c.source = (uint8_t)name_field(j, "source", source_name,
		    SOURCE_MAX, SOURCE_DEMO);
		u.c.asset_class = (uint8_t)name_field(j, "asset_class",
		    asset_class_name, ASSET_MAX, ASSET_CRYPTO);
		if (bus_batch_add_side_check(&bp->side_checks, &u.c, 0) ==
		    bp->side_checks.max_records)
			publish(bp, &bp->side_checks);
	}
}

static void
do_line(struct barpub *bp, const char *text)
{
	json_t *j, *id;
	const char *op;

	if ((j = json_loads(text, 0, NULL)) == NULL ||
	    (op = json_string_value(json_object_get(j, "op"))) == NULL) {
		bp->bad_lines++;
		json_decref(j);
		return;
	}
	if (strcmp(op, "bar") == 0 || strcmp(op, "anomaly") == 0 ||
	    strcmp(op, "side_check") == 0)
		op_record(bp, op, j);
	else if (strcmp(op, "gen") == 0)
		op_gen(bp, j);
	else if (strcmp(op, "flush") == 0)
		publish_all(bp);
	else if (strcmp(op, "drop") == 0)
		bp->drop_left += (uint64_t)json_integer_value(json_object_get(j,
		    "messages"));
	else if (strcmp(op, "sync") == 0) {
		publish_all(bp);
		id = json_object_get(j, "id");
		if (bp->gen.done < bp->gen.n)
			bp->pending_sync = json_incref(id);
		else
			print_sync(bp, id);
	} else
		bp->bad_lines++;
	json_decref(j);
}

/* Runs the complete lines read, until one waits for a gen. */
static void
run_lines(struct barpub *bp)
{
	char *nl;
	size_t used = 0;

	while (bp->pending_sync == NULL &&
	    (nl = memchr(bp->line + used, '\n', bp->line_len - used)) !=
	    NULL) {
		*nl = '\0';
		do_line(bp, bp->line + used);
		used = (size_t)(nl - bp->line) + 1;
	}
	if (used == 0)
		return;
	memmove(bp->line, bp->line + used, bp->line_len - used);
	bp->line_len -= used;
	publish_all(bp);
}

static void
read_input(struct barpub *bp)
{
	ssize_t r;

	if (bp->line_len == sizeof(bp->line))
		bp->line_len = 0;	/* an endless line: forget it */
	r = read(STDIN_FILENO, bp->line + bp->line_len,
	    sizeof(bp->line) - bp->line_len);
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR))
		bp->stdin_open = 0;
	if (r > 0)
		bp->line_len += (size_t)r;
}

static void
publish_stats(struct barpub *bp)
{
	struct bus_stat s;

	memset(&s, 0, sizeof(s));
	snprintf(s.process, sizeof(s.process), "barpub");
	snprintf(s.key, sizeof(s.key), "bars");
	s.value = (int64_t)bp->published[BUS_BARS];
	bus_batch_add_stat(&bp->stats, &s, 0);
	snprintf(s.key, sizeof(s.key), "replays");
	s.value = (int64_t)bp->replay.requests;
	bus_batch_add_stat(&bp->stats, &s, 0);
	publish(bp, &bp->stats);
}

static void
serve(struct barpub *bp)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[3];
	int64_t now;
	int busy;

	while (!bp->quit) {
		busy = bp->gen.done < bp->gen.n;
		pfd[0].fd = bp->sigfd;
		pfd[1].fd = replay_fd(&bp->replay);
		/* Hold input while a gen with a sync after it runs. */
		pfd[2].fd = bp->stdin_open && bp->pending_sync == NULL ?
		    STDIN_FILENO : -1;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, busy ? 2 : 200) == -1 && errno != EINTR)
			fatal("poll");
		if ((pfd[0].revents & POLLIN) &&
		    read(bp->sigfd, &si, sizeof(si)) > 0)
			bp->quit = 1;
		if (pfd[2].revents & (POLLIN | POLLHUP))
			read_input(bp);
		gen_run(bp);
		run_lines(bp);
		replay_serve(&bp->replay, &bp->bar_history,
		    &bp->anomaly_history, bp->pub.publisher_id);
		if ((now = clock_mono_ns()) >= bp->next_stats_ns) {
			publish_stats(bp);
			bp->next_stats_ns = now + NS_PER_S;
		}
	}
}

static void
open_all(struct barpub *bp, const char *bus, const char *replay_url,
    long hist_bars, long hist_anomalies)
{
	/* One ring of each kind, whatever the interval. */
	uint32_t id, cap_bars = (uint32_t)hist_bars,
	    cap_anomalies = (uint32_t)hist_anomalies;
	int rv;

	bp->sigfd = sigfd_open();
	if ((rv = bus_pub_open(&bp->pub, bus)) != 0)
		fatalx("cannot publish on %s: %s", bus, nng_strerror(rv));
	id = bp->pub.publisher_id;
	if (bus_batch_init(&bp->bars, BUS_BARS, id,
	    (uint32_t)bp->batch_records) == -1 ||
	    bus_batch_init(&bp->anomalies, BUS_ANOMALIES, id,
	    (uint32_t)bp->batch_records) == -1 ||
	    bus_batch_init(&bp->side_checks, BUS_SIDE_CHECKS, id,
	    (uint32_t)bp->batch_records) == -1 ||
	    bus_batch_init(&bp->stats, BUS_STATS, id, 8) == -1 ||
	    history_init(&bp->bar_history, BUS_BARS, &cap_bars, 1) == -1 ||
	    history_init(&bp->anomaly_history, BUS_ANOMALIES, &cap_anomalies,
	    1) == -1)
		fatal("allocate");
	if ((rv = replay_open(&bp->replay, replay_url)) != 0)
		fatalx("cannot serve replays on %s: %s", replay_url,
		    nng_strerror(rv));
	bp->stdin_open = 1;
}

int
main(int argc, char *argv[])
{
	static struct barpub bp;
	const char *bus = NULL, *replay_url = NULL;
	long hist_bars = 0, hist_anomalies = 0;
	const struct config_opt opts[] = {
		{ "bus", NULL, CONFIG_STR, &bus, NULL, 0, 0,
		  "pub endpoint (the aggregator's: aggregator.ipc)" },
		{ "replay", NULL, CONFIG_STR, &replay_url, NULL, 0, 0,
		  "rep endpoint (aggregator-replay.ipc)" },
		{ "history-bars", NULL, CONFIG_INT, &hist_bars, "98304", 1,
		  16777216, "closed bars kept for replays" },
		{ "history-anomalies", NULL, CONFIG_INT, &hist_anomalies,
		  "16384", 1, 4194304, "anomalies kept for replays" },
		{ "batch", NULL, CONFIG_INT, &bp.batch_records, "64", 1, 4096,
		  "records per bus message" },
		{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};
	int rc;

	log_init("barpub");
	if ((rc = config_load(opts, argc, argv, "barpub --bus URL --replay "
	    "URL [options] < commands", NULL)) != 0)
		return rc;
	if (bus == NULL || replay_url == NULL) {
		fprintf(stderr, "barpub: --bus and --replay are needed\n");
		return EX_USAGE_ERR;
	}
	open_all(&bp, bus, replay_url, hist_bars, hist_anomalies);
	printf("{\"ready\":true,\"publisher_id\":%" PRIu32 "}\n",
	    bp.pub.publisher_id);
	fflush(stdout);
	serve(&bp);
	replay_close(&bp.replay);
	bus_pub_close(&bp.pub);
	history_free(&bp.bar_history);
	history_free(&bp.anomaly_history);
	return 0;
}
