/*
 * The aggregator engine: when bars are published (watermark, wall clock
 * for quiet feeds), late, too-late, duplicate and out-of-order ticks, gap
 * flags for outages, bus gaps and the engine's own start, sides as the
 * feed declared or as Lee-Ready inferred, the side check's alarm, live
 * updates, and the symbol bound. Expectations are worked out by hand.
 * And engine_ticks(), which looks ahead: on a long mixed stream it must
 * give exactly what engine_tick() gives, output for output.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "bus.h"
#include "../../aggregator/engine.h"

#define MAX_OUT		256
#define T0		1700000000000000000LL	/* a whole minute, in ns */
#define PX(x)		(llround((x) * 1000) * 1000000LL)	/* 3 decimals */

static struct bar	 bars[MAX_OUT];
static int		 n_bars;
static struct anomaly	 anomalies[MAX_OUT];
static int		 n_anomalies;
static struct side_check checks[MAX_OUT];
static int		 n_checks;

static void
got_bar(void *arg, const struct bar *b)
{
	(void)arg;
	if (n_bars < MAX_OUT)
		bars[n_bars++] = *b;
}

static void
got_anomaly(void *arg, const struct anomaly *a)
{
	(void)arg;
	if (n_anomalies < MAX_OUT)
		anomalies[n_anomalies++] = *a;
}

static void
got_check(void *arg, const struct side_check *c)
{
	(void)arg;
	if (n_checks < MAX_OUT)
		checks[n_checks++] = *c;
}

static void
reset(void)
{
	n_bars = n_anomalies = n_checks = 0;
}

static struct engine *
open_engine(struct engine *e)
{
	static const struct engine_out out = { got_bar, got_anomaly,
	    got_check, NULL };
	struct engine_config c;

	engine_config_default(&c);
	c.intervals_s[0] = 1;
	c.intervals_s[1] = 60;
	c.n_intervals = 2;
	c.max_symbols = 4;
	reset();
	if (engine_init(e, &c, &out) != 0)
		return NULL;
	return e;
}

static struct tick
quote(const char *sym, int ac, int64_t ts, int64_t bid, int64_t ask)
{
	struct tick t;

	memset(&t, 0, sizeof(t));
	t.kind = TICK_QUOTE;
	t.asset_class = (uint8_t)ac;
	t.source = SOURCE_DEMO;
	strcpy(t.symbol, sym);
	t.ts_ns = t.recv_ns = ts;
	t.bid = bid;
	t.ask = ask;
	t.bid_size = t.ask_size = 100;
	return t;
}

static struct tick
trade(const char *sym, int ac, int64_t ts, int64_t px, double size,
    const char *id)
{
	struct tick t;

	memset(&t, 0, sizeof(t));
	t.kind = TICK_TRADE;
	t.asset_class = (uint8_t)ac;
	t.source = SOURCE_DEMO;
	strcpy(t.symbol, sym);
	t.ts_ns = t.recv_ns = ts;
	t.price = px;
	t.size = size;
	strcpy(t.trade_id, id);
	return t;
}

static struct tick
status(int ac, int st, int64_t ts)
{
	struct tick t;

	memset(&t, 0, sizeof(t));
	t.kind = TICK_STATUS;
	t.asset_class = (uint8_t)ac;
	t.source = SOURCE_DEMO;
	t.status = (uint8_t)st;
	t.ts_ns = t.recv_ns = ts;
	return t;
}

/* The last published bar of an interval and state, or NULL. */
static const struct bar *
find(uint32_t interval_s, int64_t start_ms, int state)
{
	int i;

	for (i = n_bars; i-- > 0;)
		if (bars[i].interval_s == interval_s &&
		    bars[i].start_ms == start_ms && bars[i].state == state)
			return &bars[i];
	return NULL;
}

static int
count(uint32_t interval_s, int state)
{
	int i, n = 0;

	for (i = 0; i < n_bars; i++)
		n += bars[i].interval_s == interval_s && bars[i].state == state;
	return n;
}

static void
feed(struct engine *e, struct tick t)
{
	engine_tick(e, &t, 1);
}

static void
test_watermark_close(void)
{
	struct engine e;
	const struct bar *b;
	int64_t s0 = T0 / 1000000;	/* ms */

	if (open_engine(&e) == NULL)
		return;
	/* Second 0: a quote, two trades above and below the mid. */
	feed(&e, quote("AAPL", ASSET_STOCK, T0, PX(100.00), PX(100.02)));
	feed(&e, trade("AAPL", ASSET_STOCK, T0 + 100000000, PX(100.02), 100,
	    "1"));
	feed(&e, trade("AAPL", ASSET_STOCK, T0 + 200000000, PX(100.00), 300,
	    "2"));
	engine_advance(&e, 1);
	CHECK(find(1, s0, BAR_CLOSED) == NULL,
	    "no close before the watermark passes end + lateness");
	/* Second 1 at 1.5 s: the watermark is 1.5 s, end + 1 s = 2 s. */
	feed(&e, trade("AAPL", ASSET_STOCK, T0 + 1500000000, PX(100.01), 50,
	    "3"));
	engine_advance(&e, 2);
	CHECK(find(1, s0, BAR_CLOSED) == NULL, "watermark 1.5 s < 2 s: open");
	feed(&e, quote("AAPL", ASSET_STOCK, T0 + 2000000000, PX(100.00),
	    PX(100.02)));
	engine_advance(&e, 3);
	b = find(1, s0, BAR_CLOSED);
	/* buy 100 @ 100.02 (above the 100.01 mid), sell 300 @ 100.00. */
	CHECK(b != NULL && b->open == PX(100.02) && b->close == PX(100.00) &&
	    b->high == PX(100.02) && b->low == PX(100.00) &&
	    b->volume == 400 && b->buy_volume == 100 &&
	    b->sell_volume == 300 && b->n_inferred == 2 && b->quotes == 1,
	    "watermark 2 s closes second 0 with Lee-Ready sides");
	/* vwap = (100.02*100 + 100.00*300) / 400 = 100.005 */
	CHECK(b != NULL && b->vwap == PX(100.005), "vwap of second 0");
	/* delta: +100 then -300: min -200, max 100 */
	CHECK(b != NULL && b->delta_min == -200 && b->delta_max == 100,
	    "intrabar delta extremes");
	/* The first 250 ms after the feed's first tick are uncertain:
	 * venues' clocks differ, and earlier-stamped ticks may be lost. */
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "the bar of the feed's first tick is a gap");
	CHECK(find(60, s0, BAR_CLOSED) == NULL, "the minute is still open");
	engine_free(&e);
}

static void
test_live_updates(void)
{
	struct engine e;
	int i;

	if (open_engine(&e) == NULL)
		return;
	for (i = 0; i < 50; i++)
		feed(&e, trade("MSFT", ASSET_STOCK, T0 + i * 10000000LL,
		    PX(300), 1, ""));
	engine_advance(&e, NS_PER_S);
	CHECK(count(1, BAR_LIVE) == 1 && count(60, BAR_LIVE) == 1,
	    "50 trades, one advance: one live update per interval");
	reset();
	engine_advance(&e, NS_PER_S + 100000000);
	CHECK(count(1, BAR_LIVE) == 0,
	    "nothing new: no live update (and not before 250 ms)");
	feed(&e, trade("MSFT", ASSET_STOCK, T0 + 600000000, PX(301), 1, ""));
	engine_advance(&e, NS_PER_S + 200000000);
	CHECK(count(1, BAR_LIVE) == 0, "250 ms have not passed: coalesced");
	engine_advance(&e, NS_PER_S + 300000000);
	CHECK(count(1, BAR_LIVE) == 1 && bars[0].volume == 51 &&
	    bars[0].close == PX(301), "then one update with everything");
	engine_free(&e);
}

static void
test_late_and_duplicates(void)
{
	struct engine e;
	const struct bar *b;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 500000000, PX(50000), 1,
	    "a"));
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 2500000000LL, PX(50010),
	    1, "b"));
	engine_advance(&e, 1);
	CHECK(find(1, s0, BAR_CLOSED) != NULL, "second 0 closed (wm 2.5 s)");
	reset();
	/* 1.9 s behind the watermark: within late_max (2 s): a correction. */
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 600000000, PX(49990), 2,
	    "c"));
	engine_advance(&e, 2);
	b = find(1, s0, BAR_CORRECTED);
	CHECK(b != NULL && b->volume == 3 && b->revision == 1 &&
	    (b->flags & BAR_F_LATE) && b->low == PX(49990) &&
	    b->close == PX(49990), "a late tick corrects the closed bar");
	CHECK(e.stats.late_applied == 1 && e.stats.out_of_order == 1,
	    "counted as late and out of order");
	/* The same trade id again: dropped. */
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 600000000, PX(49990), 2,
	    "c"));
	CHECK(e.stats.duplicates == 1, "a duplicate trade id is counted");
	reset();
	engine_advance(&e, 3);
	CHECK(n_bars == 0, "... and changes nothing");
	/* 10 s behind the watermark: too late. */
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 12000000000LL, PX(50020),
	    1, "d"));
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 1000000000, PX(1), 1,
	    "e"));
	CHECK(e.stats.too_late >= 1, "a tick beyond late_max is too late");
	engine_free(&e);
}

/*
 * A late tick into a second that had no bar when a newer one began (a
 * venue's receive-stamped quote ahead of its trades): the bar is made in
 * its place, not dropped.
 */
static void
test_late_into_empty_interval(void)
{
	struct engine e;
	const struct bar *b, *b0, *b2;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	feed(&e, quote("BTC-USD", ASSET_CRYPTO, T0 + 100000000, PX(49999),
	    PX(50001)));
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 200000000, PX(50001), 1,
	    "a"));
	feed(&e, quote("BTC-USD", ASSET_CRYPTO, T0 + 2050000000LL, PX(50009),
	    PX(50011)));
	/* Second 1 had nothing; this trade belongs there. */
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 1900000000LL, PX(50004),
	    2, "b"));
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 3500000000LL, PX(50010),
	    1, "c"));
	feed(&e, trade("BTC-USD", ASSET_CRYPTO, T0 + 9000000000LL, PX(50010),
	    1, "d"));
	engine_advance(&e, 1);
	b0 = find(1, s0, BAR_CLOSED);
	b = find(1, s0 + 1000, BAR_CLOSED);
	b2 = find(1, s0 + 2000, BAR_CLOSED);
	CHECK(b != NULL && b->volume == 2 && b->trades == 1 &&
	    b->open == PX(50004) && b->close == PX(50004) &&
	    e.stats.too_late == 0 && e.stats.bars_inserted == 1,
	    "late into an empty second: its bar is made, not dropped "
	    "(too_late %" PRIu64 ")", e.stats.too_late);
	CHECK(b != NULL && b->spread_min == PX(2) && b->spread_max == PX(2) &&
	    b->quotes == 0 && (b->flags & BAR_F_NO_SPREAD) == 0,
	    "... its spread is that of the quote the second before ended "
	    "with");
	CHECK(b0 != NULL && b0->volume == 1 && b2 != NULL && b2->volume == 0 &&
	    b2->quotes == 1 && find(1, s0 + 3000, BAR_CLOSED) != NULL,
	    "... and the bars around it keep their own ticks");
	engine_free(&e);
}

static void
test_quiet_feed_wall_clock(void)
{
	struct engine e;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	/* Received 3 s after its event time: the feed's delay is 3 s. */
	{
		struct tick t = trade("ETH-USD", ASSET_CRYPTO, T0, PX(3000), 1,
		    "x");

		t.recv_ns = T0 + 3 * NS_PER_S;
		feed(&e, t);
	}
	/* Close when now - 3 s >= end (1 s) + lateness 1 s + grace 2 s. */
	engine_advance(&e, T0 + 6900000000LL);
	CHECK(find(1, s0, BAR_CLOSED) == NULL,
	    "quiet feed: not closed at 6.9 s wall (3.9 s in event time)");
	engine_advance(&e, T0 + 7000000000LL);
	CHECK(find(1, s0, BAR_CLOSED) != NULL,
	    "quiet feed: closed on the wall clock, allowing for its delay");
	engine_free(&e);
}

static void
test_gaps(void)
{
	struct engine e;
	const struct bar *b;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	/* The engine's first tick is 400 ms into second 0: partial. */
	feed(&e, quote("SPY", ASSET_STOCK, T0 + 400000000, PX(499.99),
	    PX(500.01)));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 400000000, PX(500), 10, "1"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 1400000000, PX(500), 10,
	    "2"));
	/* Disconnected at watermark 1.4 s; data again at 5.2 s. */
	feed(&e, status(ASSET_STOCK, FEED_DISCONNECTED, T0 + 1500000000));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 5200000000LL, PX(501), 10,
	    "3"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 9000000000LL, PX(501), 10,
	    "4"));
	engine_advance(&e, 1);
	b = find(1, s0, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "a bar begun before the feed's first tick is a gap");
	b = find(1, s0 + 1000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "a bar overlapping the outage [1.4 s, 5.2 s] is a gap");
	b = find(1, s0 + 5000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "the bar where data resumed (5.2 s) is a gap");
	CHECK(e.stats.feed_outages == 1, "one outage counted");
	/* A bus gap: an outage from the watermark (9 s) to the next tick. */
	engine_bus_gap(&e, 1);
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 9500000000LL, PX(502), 1,
	    "5"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 11500000000LL, PX(502), 1,
	    "6"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 13000000000LL, PX(502), 1,
	    "7"));
	engine_advance(&e, 2);
	b = find(1, s0 + 11000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP) == 0,
	    "a bar after the bus gap healed is not a gap");
	b = find(1, s0 + 9000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP) && e.stats.bus_gaps == 1,
	    "the bar spanning the bus gap is a gap");
	engine_free(&e);
}

/* A collector killed (-9) says nothing; its successor publishes under a
 * new publisher id: what the feed sent in between is lost. */
static void
test_collector_restart(void)
{
	struct engine e;
	const struct bar *b;
	struct tick t;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	feed(&e, quote("SPY", ASSET_STOCK, T0, PX(499.99), PX(500.01)));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 100000000, PX(500), 10, "1"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 2100000000LL, PX(500), 10,
	    "2"));
	feed(&e, trade("SPY", ASSET_STOCK, T0 + 3100000000LL, PX(500.01), 10,
	    "3"));
	/* Killed at 3.5 s; the new collector (publisher 2) from 5.3 s. */
	t = status(ASSET_STOCK, FEED_CONNECTED, T0 + 5200000000LL);
	engine_tick(&e, &t, 2);
	t = trade("SPY", ASSET_STOCK, T0 + 5300000000LL, PX(501), 10, "4");
	engine_tick(&e, &t, 2);
	t = trade("SPY", ASSET_STOCK, T0 + 9000000000LL, PX(501), 10, "5");
	engine_tick(&e, &t, 2);
	engine_advance(&e, 1);
	b = find(1, s0 + 2000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP) == 0,
	    "restart: a bar closed before the old collector's last tick is "
	    "whole");
	b = find(1, s0 + 3000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "restart: the bar of the old collector's last tick is a gap");
	b = find(1, s0 + 5000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "restart: the bar where the new collector's data begins is a gap");
	CHECK(e.stats.feed_outages == 1, "restart: counted as one outage");
	engine_free(&e);
}

static void
test_sides_and_check(void)
{
	struct engine e;
	struct tick t;
	int i, inverted = 0;

	if (open_engine(&e) == NULL)
		return;
	/* Venue 7 quotes 100/102; its declared sides are the opposite of
	 * the quote rule: every trade at the ask is called a sell. */
	for (i = 0; i < 300; i++) {
		t = quote("SOL-USD", ASSET_CRYPTO, T0 + i * 1000000LL,
		    PX(100), PX(102));
		t.exchange = 7;
		feed(&e, t);
		t = trade("SOL-USD", ASSET_CRYPTO, T0 + i * 1000000LL + 1,
		    PX(102), 1, "");
		t.exchange = 7;
		t.side = SIDE_SELL;
		t.n_conditions = 1;
		t.conditions[0] = 1;
		feed(&e, t);
	}
	for (i = 0; i < n_anomalies; i++)
		if (anomalies[i].kind == ANOMALY_SIDE_INVERTED &&
		    anomalies[i].exchange == 7)
			inverted++;
	CHECK(inverted == 1, "an inverted venue is flagged once (%d)",
	    inverted);
	engine_advance(&e, 10 * NS_PER_S);
	CHECK(n_checks == 1 && checks[0].exchange == 7 &&
	    checks[0].declared_sell == 300 && checks[0].agree == 0 &&
	    checks[0].at_ask == 300 && checks[0].inverted == 1,
	    "the side check is published with its counts");
	engine_advance(&e, T0 + 20 * NS_PER_S);
	{
		const struct bar *b = find(1, T0 / 1000000, BAR_CLOSED);

		CHECK(b != NULL && b->n_declared == 300 &&
		    b->sell_volume == 300 && b->buy_volume == 0 &&
		    b->n_compared == 300 && b->n_agree == 0,
		    "declared sides are used, never flipped; agreement counted");
	}
	engine_free(&e);
}

static void
test_blind_sides(void)
{
	struct engine e;
	const struct bar *b;
	int64_t s0 = T0 / 1000000;

	if (open_engine(&e) == NULL)
		return;
	/* Second 2: a trade before any quote of the symbol: its side is a
	 * tick-test guess with no history: the bar is incomplete. */
	feed(&e, trade("QQQ", ASSET_STOCK, T0, PX(400), 1, "q0"));
	feed(&e, trade("QQQ", ASSET_STOCK, T0 + 2100000000LL, PX(400), 1,
	    "q1"));
	feed(&e, quote("QQQ", ASSET_STOCK, T0 + 3100000000LL, PX(399.99),
	    PX(400.01)));
	feed(&e, trade("QQQ", ASSET_STOCK, T0 + 3200000000LL, PX(400.01), 1,
	    "q2"));
	feed(&e, trade("QQQ", ASSET_STOCK, T0 + 6000000000LL, PX(400.01), 1,
	    "q3"));
	feed(&e, trade("QQQ", ASSET_STOCK, T0 + 9000000000LL, PX(400), 1,
	    "q4"));
	engine_advance(&e, 1);
	b = find(1, s0 + 2000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "a side inferred before any quote marks the bar a gap");
	b = find(1, s0 + 3000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP),
	    "a bar begun before any quote misses its spread's first part");
	b = find(1, s0 + 6000, BAR_CLOSED);
	CHECK(b != NULL && (b->flags & BAR_F_GAP) == 0 && b->buy_volume == 1 &&
	    (b->flags & BAR_F_NO_SPREAD) == 0,
	    "once quoted, bars are whole again");
	engine_free(&e);
}

static void
test_symbol_bound_and_empty(void)
{
	struct engine e;
	static const char *const names[] = { "A", "B", "C", "D", "E" };
	int i;

	if (open_engine(&e) == NULL)
		return;
	for (i = 0; i < 5; i++)
		feed(&e, trade(names[i], ASSET_STOCK, T0, PX(10), 1, ""));
	CHECK(e.stats.symbols == 4 && e.stats.symbols_dropped == 1,
	    "symbols beyond the bound are counted, not kept");
	reset();
	feed(&e, trade("A", ASSET_STOCK, T0 + 5000000000LL, PX(10), 1, ""));
	engine_advance(&e, 1);
	CHECK(find(1, T0 / 1000000 + 1000, BAR_CLOSED) == NULL &&
	    find(1, T0 / 1000000, BAR_CLOSED) != NULL,
	    "empty intervals produce no bar");
	engine_free(&e);
}

/* ---- engine_ticks() against engine_tick() ---- */

/* Every output, encoded, into one running hash per engine. */
struct digest {
	uint64_t	 hash;
	uint64_t	 bars, anomalies, checks;
};

static void
digest(struct digest *d, int kind, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		d->hash = (d->hash ^ p[i]) * 1099511628211ULL;
	d->hash = (d->hash ^ (unsigned)kind) * 1099511628211ULL;
}

static void
dg_bar(void *arg, const struct bar *b)
{
	uint8_t r[BUS_BAR_SIZE];

	bus_encode_bar(r, b);
	digest(arg, 1, r, sizeof(r));
	((struct digest *)arg)->bars++;
}

static void
dg_anomaly(void *arg, const struct anomaly *a)
{
	uint8_t r[BUS_ANOMALY_SIZE];

	bus_encode_anomaly(r, a);
	digest(arg, 2, r, sizeof(r));
	((struct digest *)arg)->anomalies++;
}

static void
dg_check(void *arg, const struct side_check *c)
{
	uint8_t r[BUS_SIDE_CHECK_SIZE];

	bus_encode_side_check(r, c);
	digest(arg, 3, r, sizeof(r));
	((struct digest *)arg)->checks++;
}

static uint64_t rng = 88172645463325252ULL;

static unsigned
rn(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/*
 * A tick of a stream meant to reach every path: 600 symbols on three
 * feeds (stocks; crypto from two sources, on six venues), most ticks on a
 * few symbols, in-order and out-of-order, late and too late, duplicate
 * trade ids, unusable quotes, sale conditions, declared sides (one venue
 * inverted), status ticks, feed bars and bad ticks.
 */
static void
mixed_tick(struct tick *t, unsigned feed, int64_t now, uint64_t *id)
{
	static int64_t px[600];
	unsigned s, r;

	memset(t, 0, sizeof(*t));
	s = rn(2) ? rn(24) : rn(600);
	s = feed == 0 ? s & ~1u : s | 1u;
	if (px[s] == 0)
		px[s] = (int64_t)(10 + s) * PRICE_SCALE;
	t->asset_class = s % 2 ? ASSET_CRYPTO : ASSET_STOCK;
	t->source = feed == 0 ? SOURCE_POLYGON : feed == 1 ? SOURCE_DEMO :
	    SOURCE_COINBASE;
	snprintf(t->symbol, sizeof(t->symbol), s % 2 ? "C%u-USD" : "S%u", s);
	t->ts_ns = now - (int64_t)rn(3000) * 1000;
	if ((r = rn(100)) < 10)
		t->ts_ns = now - (int64_t)rn(1500) * 1000000;
	else if (r == 10)
		t->ts_ns = now - (int64_t)(2000 + rn(6000)) * 1000000;
	t->recv_ns = now + 3000000;
	t->exchange = feed == 0 ? 1 + rn(20) : 1 + rn(6);
	if ((r = rn(1000)) < 6) {
		t->kind = TICK_STATUS;
		t->status = r < 2 ? FEED_DISCONNECTED : FEED_LIVE;
		return;
	}
	if (r < 9) {
		t->kind = r == 6 ? TICK_FEED_BAR : r == 7 ? 9 : TICK_TRADE;
		return;		/* a feed bar, a bad kind, a trade at 0 */
	}
	px[s] += ((int64_t)rn(3) - 1) * PRICE_SCALE / 100;
	if (rn(3000) == 0)
		px[s] += px[s] / 10;
	if (rn(100) < 65) {
		t->kind = TICK_QUOTE;
		r = rn(100);
		t->bid = px[s] - (int64_t)(1 + rn(r < 3 ? 50 : 2)) * PRICE_SCALE /
		    100;
		t->ask = px[s] + PRICE_SCALE / 100;
		if (r == 5)
			t->bid = 0;
		else if (r == 6)
			t->bid = t->ask + 1;
		return;
	}
	t->kind = TICK_TRADE;
	t->price = px[s] + ((int64_t)rn(3) - 1) * PRICE_SCALE / 200;
	t->size = 1 + rn(300) + (rn(2000) == 0 ? 50000 : 0);
	if ((r = rn(100)) < 3)
		snprintf(t->trade_id, sizeof(t->trade_id), "%u", s);
	else if (r > 5)
		snprintf(t->trade_id, sizeof(t->trade_id), "t%" PRIu64, (*id)++);
	if (t->asset_class == ASSET_STOCK) {
		t->n_conditions = (uint8_t)(rn(4) == 0);
		t->conditions[0] = (uint16_t)(rn(3) == 0 ? 37 : rn(2) ? 12 :
		    999);
	} else if (rn(10) != 0) {
		t->side = (uint8_t)(t->price >= px[s] ? SIDE_BUY : SIDE_SELL);
		if (t->exchange == 5)
			t->side = (uint8_t)(t->side == SIDE_BUY ? SIDE_SELL :
			    SIDE_BUY);
	}
}

static void
test_batch_same_as_one_by_one(void)
{
	static struct tick msg[300];
	struct engine one, many;
	struct engine_config c;
	struct digest d1 = { 14695981039346656037ULL, 0, 0, 0 }, d2 = d1;
	const struct engine_out o1 = { dg_bar, dg_anomaly, dg_check, &d1 };
	const struct engine_out o2 = { dg_bar, dg_anomaly, dg_check, &d2 };
	int64_t now = T0;
	uint64_t id = 0;
	unsigned m, i, n, feed;

	engine_config_default(&c);
	c.late_max_ns = 5 * NS_PER_S;
	/* Fewer than the stream has; more than PIPE_MIN_SYMBOLS (256),
	 * from which engine_ticks() looks ahead. */
	c.max_symbols = 500;
	c.anomaly.window = 16;
	c.anomaly.min_samples = 8;
	c.side.min_compared = 30;
	if (engine_init(&one, &c, &o1) != 0 || engine_init(&many, &c,
	    &o2) != 0)
		return;
	for (m = 0; m < 2000; m++) {
		feed = rn(3);
		n = 1 + rn(300);
		for (i = 0; i < n; i++) {
			now += rn(1000) * 1000;
			mixed_tick(&msg[i], feed, now, &id);
		}
		for (i = 0; i < n; i++)
			engine_tick(&one, &msg[i], 10 + feed);
		engine_ticks(&many, msg, n, 10 + feed);
		if (rn(200) == 0) {
			engine_bus_gap(&one, 10 + feed);
			engine_bus_gap(&many, 10 + feed);
		}
		if (rn(4) == 0) {
			engine_advance(&one, now + 5000000);
			engine_advance(&many, now + 5000000);
		}
	}
	engine_advance(&one, now + 600 * NS_PER_S);
	engine_advance(&many, now + 600 * NS_PER_S);
	CHECK(d1.bars > 10000 && d1.anomalies > 10 && d1.checks > 100 &&
	    one.stats.bars_corrected > 100 && one.stats.too_late > 100 &&
	    one.stats.duplicates > 100 && one.stats.symbols_dropped > 0 &&
	    one.stats.symbols == 500 &&
	    one.stats.side_inverted > 0 && one.stats.bad_ticks > 0,
	    "batch: the stream reaches every path (bars %" PRIu64 ", "
	    "anomalies %" PRIu64 ", corrected %" PRIu64 ", too late %" PRIu64
	    ")", d1.bars, d1.anomalies, one.stats.bars_corrected,
	    one.stats.too_late);
	CHECK(d1.hash == d2.hash && d1.bars == d2.bars &&
	    d1.anomalies == d2.anomalies && d1.checks == d2.checks &&
	    memcmp(&one.stats, &many.stats, sizeof(one.stats)) == 0,
	    "batch: engine_ticks() gives what engine_tick() gives, output "
	    "for output (%" PRIu64 " outputs)", d1.bars + d1.anomalies +
	    d1.checks);
	engine_free(&one);
	engine_free(&many);
}

int
main(void)
{
	test_watermark_close();
	test_live_updates();
	test_late_and_duplicates();
	test_late_into_empty_interval();
	test_quiet_feed_wall_clock();
	test_gaps();
	test_collector_restart();
	test_sides_and_check();
	test_blind_sides();
	test_symbol_bound_and_empty();
	test_batch_same_as_one_by_one();
	return check_report();
}
