/*
 * One bar's arithmetic: OHLC with out-of-order trades, VWAP, which trades
 * count where (feeds.md §3.2), buy/sell volume and delta, the time-weighted
 * spread, live snapshots against the close, quotes-only bars. Every
 * expected value is worked out by hand in the comment beside it.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "../../aggregator/barcalc.h"
#include "../../aggregator/conditions.h"

#define CENTS(x)	((int64_t)(x) * (PRICE_SCALE / 100))
#define START_MS	1767225600000LL	/* 2026-01-01 00:00:00 UTC */
#define T0		(START_MS * NS_PER_MS)
#define MS(x)		(T0 + (int64_t)(x) * NS_PER_MS)
#define ALL		ELIG_ALL

static int
near(double got, double want, double tol)
{
	return fabs(got - want) <= tol;
}

static void
start(struct bar_acc *a, uint32_t interval_s, const struct quote_carry *q)
{
	bar_acc_start(a, interval_s, START_MS, q);
}

/* A trade whose side does not matter to the case. */
static void
trade(struct bar_acc *a, int64_t ts_ns, int64_t px, double size,
    unsigned elig)
{
	bar_acc_trade(a, ts_ns, px, size, SIDE_UNKNOWN, SIDE_HOW_UNKNOWN, elig,
	    0, 0);
}

static void
test_ohlc_out_of_order(void)
{
	struct bar_acc a;
	struct bar b;

	start(&a, 60, NULL);
	trade(&a, MS(300), CENTS(1000), 100, ALL);
	trade(&a, MS(100), CENTS(1050), 200, ALL);	/* earliest: open */
	trade(&a, MS(900), CENTS(980), 100, ALL);	/* latest so far */
	trade(&a, MS(500), CENTS(1020), 300, ALL);
	trade(&a, MS(100), CENTS(1040), 50, ALL);	/* ties the open */
	trade(&a, MS(900), CENTS(990), 10, ALL);	/* ties the close */
	bar_acc_result(&a, MS(60000), &b);
	/* Open: earliest time (100 ms), first to arrive at it: 10.50. */
	CHECK(b.open == CENTS(1050), "open is the earliest trade, first seen");
	/* Close: latest time (900 ms), last to arrive at it: 9.90. */
	CHECK(b.close == CENTS(990), "close is the latest trade, last seen");
	CHECK(b.high == CENTS(1050) && b.low == CENTS(980), "high and low");
	/* 100 + 200 + 100 + 300 + 50 + 10 = 760 */
	CHECK(b.volume == 760 && b.trades == 6, "volume and trades");
	/*
	 * pv = 10.00*100 + 10.50*200 + 9.80*100 + 10.20*300 + 10.40*50 +
	 * 9.90*10 = 1000 + 2100 + 980 + 3060 + 520 + 99 = 7759;
	 * 7759 / 760 = 10.20921052631... -> 10.209210526 (fixed, rounded).
	 */
	CHECK(b.vwap == 10209210526LL, "vwap = round(sum pv / volume)");
	CHECK(b.first_ts_ns == MS(100) && b.last_ts_ns == MS(900),
	    "first and last event times");
	CHECK((b.flags & BAR_F_NO_PRICE) == 0 && b.start_ms == START_MS &&
	    b.interval_s == 60 && b.symbol[0] == '\0' && b.source == 0 &&
	    b.revision == 0 && b.updated_ns == 0 && b.state == BAR_LIVE,
	    "bar times copied; the identity is the caller's");
}

static void
test_eligibility(void)
{
	static const uint16_t odd_lot[] = { 37 }, official[] = { 15 },
	    corrected[] = { 38 }, unlisted[] = { 0, 99 };
	struct bar_acc a;
	struct bar b;

	start(&a, 60, NULL);
	trade(&a, MS(1000), CENTS(1000), 100, ALL);
	trade(&a, MS(2000), CENTS(1010), 100, ALL);
	/* Odd lot: volume, never a price. */
	trade(&a, MS(3000), CENTS(1100), 5000,
	    conditions_eligibility(odd_lot, 1, NULL));
	/* Official close: counts in nothing, not even trades. */
	trade(&a, MS(4000), CENTS(1200), 1000000,
	    conditions_eligibility(official, 1, NULL));
	bar_acc_result(&a, MS(60000), &b);
	CHECK(b.high == CENTS(1010) && b.low == CENTS(1000) &&
	    b.close == CENTS(1010), "odd lot and official print set no price");
	/* 100 + 100 + 5000 = 5200; the official print's 1e6 not counted. */
	CHECK(b.volume == 5200 && b.trades == 3, "odd lot counts in volume");
	/*
	 * pv = 10.00*100 + 10.10*100 + 11.00*5000 = 1000 + 1010 + 55000 =
	 * 57010; 57010 / 5200 = 10.96346153846... -> 10.963461538.
	 */
	CHECK(b.vwap == 10963461538LL, "vwap includes the odd lot");
	CHECK(b.vwap > b.high, "vwap sits outside [low, high] (odd lots)");
	CHECK(b.last_ts_ns == MS(4000), "an ineligible print still counts "
	    "as a tick seen");

	/* Corrected close (38): high/low and close, no volume. */
	trade(&a, MS(5000), CENTS(1030), 700,
	    conditions_eligibility(corrected, 1, NULL));
	/* Unlisted code with a regular one: volume only, counted. */
	trade(&a, MS(6000), CENTS(900), 10,
	    conditions_eligibility(unlisted, 2, NULL));
	bar_acc_result(&a, MS(60000), &b);
	CHECK(b.high == CENTS(1030) && b.close == CENTS(1030) &&
	    b.low == CENTS(1000), "corrected close sets high and close");
	/* 5200 + 10 (the unlisted trade; 38 adds no volume) = 5210 */
	CHECK(b.volume == 5210 && b.trades == 4 &&
	    b.n_unknown_conditions == 1, "unlisted code: volume, counted");
}

static void
test_no_open_close(void)
{
	static const uint16_t odd_lot[] = { 37 }, bunched_sold[] = { 5 };
	struct bar_acc a;
	struct bar b;

	/* Only odd lots: no price at all, but a real volume and vwap. */
	start(&a, 60, NULL);
	trade(&a, MS(1000), CENTS(20000), 3,
	    conditions_eligibility(odd_lot, 1, NULL));
	trade(&a, MS(2000), CENTS(20100), 1,
	    conditions_eligibility(odd_lot, 1, NULL));
	bar_acc_result(&a, MS(60000), &b);
	/* (200.00*3 + 201.00*1) / 4 = 801 / 4 = 200.25 */
	CHECK((b.flags & BAR_F_NO_PRICE) && b.open == 0 && b.high == 0 &&
	    b.low == 0 && b.close == 0 && b.volume == 4 &&
	    b.vwap == CENTS(20025), "odd lots only: no OHLC, vwap kept");

	/* A high/low-only print (5) without any open/close trade. */
	start(&a, 60, NULL);
	trade(&a, MS(1000), CENTS(1000), 100,
	    conditions_eligibility(bunched_sold, 1, NULL));
	bar_acc_result(&a, MS(60000), &b);
	CHECK((b.flags & BAR_F_NO_PRICE) && b.high == 0 && b.volume == 100,
	    "high/low-only print alone: no OHLC");
}

static void
test_flow(void)
{
	struct bar_acc a;
	struct bar b;
	static const uint16_t official[] = { 15 };

	start(&a, 60, NULL);
	bar_acc_trade(&a, MS(1), CENTS(100), 5, SIDE_BUY, SIDE_HOW_DECLARED,
	    ALL, 1, 1);
	bar_acc_trade(&a, MS(2), CENTS(100), 3, SIDE_BUY, SIDE_HOW_DECLARED,
	    ALL, 1, 0);
	bar_acc_trade(&a, MS(3), CENTS(100), 10, SIDE_SELL, SIDE_HOW_INFERRED,
	    ALL, 0, 0);
	bar_acc_trade(&a, MS(4), CENTS(100), 4, SIDE_SELL, SIDE_HOW_INFERRED,
	    ALL, 0, 0);
	bar_acc_trade(&a, MS(5), CENTS(100), 2, SIDE_BUY, SIDE_HOW_INFERRED,
	    ALL, 0, 0);
	bar_acc_trade(&a, MS(6), CENTS(100), 7, SIDE_UNKNOWN,
	    SIDE_HOW_UNKNOWN, ALL, 0, 0);
	/* An official print with a side moves nothing. */
	bar_acc_trade(&a, MS(7), CENTS(100), 1000, SIDE_SELL,
	    SIDE_HOW_DECLARED, conditions_eligibility(official, 1, NULL), 1,
	    1);
	bar_acc_result(&a, MS(60000), &b);
	/* buy 5 + 3 + 2 = 10 in 3 trades; sell 10 + 4 = 14 in 2 */
	CHECK(b.buy_volume == 10 && b.buy_trades == 3 &&
	    b.sell_volume == 14 && b.sell_trades == 2, "buy/sell split");
	/* 5 + 3 + 10 + 4 + 2 + 7 = 31 in 6 trades */
	CHECK(b.volume == 31 && b.trades == 6, "unknown side in volume");
	/* delta: 0, +5 = 5, +3 = 8, -10 = -2, -4 = -6, +2 = -4, (7) -4 */
	CHECK(b.delta_max == 8 && b.delta_min == -6, "delta extremes");
	CHECK(b.n_declared == 2 && b.n_inferred == 3 && b.n_unknown == 1,
	    "side provenance counts");
	CHECK(b.n_compared == 2 && b.n_agree == 1, "agreement counts");

	/* Only sells: the running delta 0, -1, -3; max stays at 0. */
	start(&a, 60, NULL);
	bar_acc_trade(&a, MS(1), CENTS(100), 1, SIDE_SELL, SIDE_HOW_INFERRED,
	    ALL, 0, 0);
	bar_acc_trade(&a, MS(2), CENTS(100), 2, SIDE_SELL, SIDE_HOW_INFERRED,
	    ALL, 0, 0);
	bar_acc_result(&a, MS(60000), &b);
	CHECK(b.delta_max == 0 && b.delta_min == -3, "delta range includes 0");
}

/* 100.00/100.10 (10 c) from 0 ms, 100.00/100.30 (30 c) from 400 ms. */
static void
two_spreads(struct bar_acc *a)
{
	start(a, 1, NULL);
	bar_acc_quote(a, MS(0), CENTS(10000), CENTS(10010));
	bar_acc_quote(a, MS(400), CENTS(10000), CENTS(10030));
}

static void
test_spread_weighted(void)
{
	struct quote_carry q;
	struct bar_acc a;
	struct bar b;

	two_spreads(&a);
	bar_acc_result(&a, MS(1000), &b);
	/* (10 c x 400 ms + 30 c x 600 ms) / 1000 ms = 22 c */
	CHECK(b.spread_mean == CENTS(22), "time-weighted spread: 22 c");
	CHECK(b.spread_min == CENTS(10) && b.spread_max == CENTS(30),
	    "spread min and max");
	/*
	 * bps of mid: 0.10 / 100.05 * 1e4 = 9.99500249875062,
	 * 0.30 / 100.15 * 1e4 = 29.9550673989016; weighted 0.4 and 0.6:
	 * 3.99800099950025 + 17.9730404393410 = 21.9710414388412.
	 */
	CHECK(near(b.spread_bps, 21.9710414388412, 1e-9),
	    "time-weighted spread in bps of the mid");
	CHECK(b.quotes == 2 && (b.flags & BAR_F_NO_SPREAD) == 0 &&
	    (b.flags & BAR_F_NO_PRICE), "quotes-only bar: no price");
	bar_acc_carry(&a, &q);
	CHECK(q.bid == CENTS(10000) && q.ask == CENTS(10030),
	    "carry is the quote in effect at the end");

	/* Live at 700 ms: (10 x 400 + 30 x 300) / 700 = 18.5714... c. */
	bar_acc_result(&a, MS(700), &b);
	CHECK(b.spread_mean == 185714286LL, "live snapshot at 700 ms");
	bar_acc_result(&a, MS(1000), &b);
	CHECK(b.spread_mean == CENTS(22), "close after a snapshot: 22 c");
	/* Past the end: clamped to the end, still 22 c. */
	bar_acc_result(&a, MS(6000), &b);
	CHECK(b.spread_mean == CENTS(22), "until past the end is clamped");
	/* Before any time passed: the spread in effect, 10 c. */
	start(&a, 1, NULL);
	bar_acc_quote(&a, MS(0), CENTS(10000), CENTS(10010));
	bar_acc_result(&a, MS(0), &b);
	CHECK(b.spread_mean == CENTS(10), "snapshot at the start");
}

static void
test_spread_carry(void)
{
	struct quote_carry q;
	struct bar_acc a;
	struct bar b;

	/* Carried 2 c; 6 c from 250 ms; 1 c from 750 ms. */
	q.bid = CENTS(5000);
	q.ask = CENTS(5002);
	start(&a, 1, &q);
	bar_acc_quote(&a, MS(250), CENTS(5000), CENTS(5006));
	bar_acc_quote(&a, MS(750), CENTS(5001), CENTS(5002));
	bar_acc_result(&a, MS(1000), &b);
	/* (2 x 250 + 6 x 500 + 1 x 250) / 1000 = 3750 / 1000 = 3.75 c */
	CHECK(b.spread_mean == CENTS(375) / 100, "carried quote weighted");
	CHECK(b.spread_min == CENTS(1) && b.spread_max == CENTS(6),
	    "min and max over carried and new quotes");

	/* The carried spread is the widest: it must be the max. */
	q.bid = CENTS(10000);
	q.ask = CENTS(10020);
	start(&a, 1, &q);
	bar_acc_quote(&a, MS(500), CENTS(10000), CENTS(10010));
	bar_acc_result(&a, MS(1000), &b);
	/* (20 x 500 + 10 x 500) / 1000 = 15 c */
	CHECK(b.spread_mean == CENTS(15) && b.spread_max == CENTS(20) &&
	    b.spread_min == CENTS(10) && b.quotes == 1,
	    "carried spread counts in max, not in quotes");

	/* Carried and never changed: the whole bar at it. */
	start(&a, 1, &q);
	bar_acc_result(&a, MS(1000), &b);
	CHECK(b.spread_mean == CENTS(20) && b.quotes == 0 &&
	    (b.flags & BAR_F_NO_SPREAD) == 0, "carried quote alone");
}

static void
test_spread_interrupted(void)
{
	struct quote_carry q = { CENTS(10000), CENTS(10010) };
	struct bar_acc a;
	struct bar b;

	/* 10 c carried; no bid from 200 ms; 30 c from 600 ms. */
	start(&a, 1, &q);
	bar_acc_quote(&a, MS(200), 0, CENTS(10010));
	bar_acc_quote(&a, MS(600), CENTS(10000), CENTS(10030));
	bar_acc_result(&a, MS(1000), &b);
	/*
	 * Covered 200 + 400 = 600 ms; (10 x 200 + 30 x 400) / 600 =
	 * 14000 / 600 = 23.333... c = 0.23333333333 -> 233333333.
	 */
	CHECK(b.spread_mean == 233333333LL, "unusable quote stops the clock");
	CHECK(b.spread_min == CENTS(10) && b.spread_max == CENTS(30),
	    "unusable quote adds no min or max");

	/* The same with a crossed quote (ask < bid) in the middle. */
	start(&a, 1, &q);
	bar_acc_quote(&a, MS(200), CENTS(10020), CENTS(10010));
	bar_acc_quote(&a, MS(600), CENTS(10000), CENTS(10030));
	bar_acc_result(&a, MS(1000), &b);
	CHECK(b.spread_mean == 233333333LL && b.spread_min == CENTS(10),
	    "crossed quote stops the clock");

	/* No quote ever usable: the spread is absent, not 0. */
	start(&a, 1, NULL);
	bar_acc_quote(&a, MS(100), 0, 0);
	bar_acc_result(&a, MS(1000), &b);
	CHECK((b.flags & BAR_F_NO_SPREAD) && b.spread_mean == 0 &&
	    b.spread_min == 0 && b.spread_max == 0 && b.spread_bps == 0 &&
	    b.quotes == 1, "no usable quote: BAR_F_NO_SPREAD");

	/* A locked quote is a true zero spread. */
	start(&a, 1, NULL);
	bar_acc_quote(&a, MS(0), CENTS(10000), CENTS(10000));
	bar_acc_result(&a, MS(1000), &b);
	CHECK((b.flags & BAR_F_NO_SPREAD) == 0 && b.spread_mean == 0 &&
	    b.spread_max == 0 && b.spread_bps == 0, "locked quote: spread 0");
}

static void
test_spread_late(void)
{
	struct quote_carry q = { CENTS(10000), CENTS(10010) };
	struct bar_acc a;
	struct bar b;
	int r1, r2, r3;

	/* 10 c carried; 30 c at 500 ms; a 50 c quote stamped 300 ms late. */
	start(&a, 1, &q);
	r1 = bar_acc_quote(&a, MS(500), CENTS(10000), CENTS(10030));
	r2 = bar_acc_quote(&a, MS(300), CENTS(10000), CENTS(10050));
	/* Back to 30 c at 800 ms. */
	r3 = bar_acc_quote(&a, MS(800), CENTS(10000), CENTS(10030));
	bar_acc_result(&a, MS(1000), &b);
	/*
	 * The late 50 c quote takes effect at 500 ms, the last quote's time
	 * (arrival order), replacing the 30 c one at once:
	 * (10 x 500 + 50 x 300 + 30 x 200) / 1000 = 26 c.
	 */
	CHECK(r1 == 0 && r2 == 1 && r3 == 0 && a.n_late_quotes == 1,
	    "late quote flagged and counted");
	CHECK(b.spread_mean == CENTS(26) && b.spread_max == CENTS(50) &&
	    b.quotes == 3, "late quote takes effect at the last quote's time");
	CHECK(b.first_ts_ns == MS(300) && b.last_ts_ns == MS(800),
	    "quotes count in first and last event times");
}

static void
test_snapshot_then_more(void)
{
	struct bar_acc a;
	struct bar live, closed;

	two_spreads(&a);
	trade(&a, MS(100), CENTS(10005), 10, ALL);
	bar_acc_result(&a, MS(500), &live);
	trade(&a, MS(600), CENTS(10020), 30, ALL);
	bar_acc_result(&a, MS(1000), &closed);
	/* Live at 500: (10 x 400 + 30 x 100) / 500 = 14 c; 1 trade. */
	CHECK(live.spread_mean == CENTS(14) && live.trades == 1 &&
	    live.close == CENTS(10005), "live snapshot");
	/* (100.05 x 10 + 100.20 x 30) / 40 = (1000.5 + 3006) / 40 = 100.1625 */
	CHECK(closed.spread_mean == CENTS(22) && closed.trades == 2 &&
	    closed.close == CENTS(10020) && closed.open == CENTS(10005) &&
	    closed.vwap == 100162500000LL, "close after a live snapshot");
}

static void
test_empty(void)
{
	struct bar_acc a;
	struct bar b;

	start(&a, 60, NULL);
	bar_acc_result(&a, MS(60000), &b);
	CHECK((b.flags & BAR_F_NO_PRICE) && (b.flags & BAR_F_NO_SPREAD) &&
	    b.trades == 0 && b.quotes == 0 && b.vwap == 0 &&
	    b.first_ts_ns == 0 && b.last_ts_ns == 0 && b.delta_min == 0 &&
	    b.delta_max == 0, "nothing added: all absent, no sentinels");
}

int
main(void)
{
	test_ohlc_out_of_order();
	test_eligibility();
	test_no_open_close();
	test_flow();
	test_spread_weighted();
	test_spread_carry();
	test_spread_interrupted();
	test_spread_late();
	test_snapshot_then_more();
	test_empty();
	return check_report();
}
