/*
 * Anomaly checks: for every kind a series built to trigger it and a near
 * miss that must not, the minimum-sample rule, the time-of-day rule, gap
 * bars, and the US Eastern minute across DST changes. Expected scores are
 * worked out by hand in the comments (1.4826 x MAD and 1.2533 x mean
 * absolute deviation are the scales; robust.h).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "../../aggregator/anomaly.h"

#define CENTS(x)	((int64_t)(x) * (PRICE_SCALE / 100))
#define DAY_MS		86400000LL
#define MIN_MS		60000LL
/* 2026-01-05 00:00 UTC (a Monday, EST = UTC-5); from Python's datetime. */
#define JAN5_MS		1767571200000LL
#define MAXA		8

static struct anomaly_config cfg;

/* A crypto 60 s bar at minute k with the volume given and nothing else. */
static struct bar
mkbar(int64_t k, double volume)
{
	struct bar b;

	memset(&b, 0, sizeof(b));
	strcpy(b.symbol, "BTC-USD");
	b.source = SOURCE_COINBASE;
	b.asset_class = ASSET_CRYPTO;
	b.interval_s = 60;
	b.start_ms = JAN5_MS + k * MIN_MS;
	b.volume = volume;
	b.flags = BAR_F_NO_PRICE | BAR_F_NO_SPREAD;
	return b;
}

static int
check1(struct anomaly_state *st, struct tod_profile *tod,
    const struct trade_history *th, const struct bar *b,
    const struct large_trade *big, struct anomaly *out)
{
	return anomaly_check(&cfg, st, tod, th, b, big, out, MAXA);
}

/* n bars with log(1 + volume) alternating lo, hi, from minute k0. */
static void
feed_volumes(struct anomaly_state *st, int64_t k0, int n, double lo,
    double hi)
{
	struct anomaly out[MAXA];
	struct bar b;
	int i;

	for (i = 0; i < n; i++) {
		b = mkbar(k0 + i, expm1(i % 2 ? hi : lo));
		check1(st, NULL, NULL, &b, NULL, out);
	}
}

static int
has(const struct anomaly *a, int n, int kind)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].kind == kind)
			return i + 1;
	return 0;
}

static void
test_volume_spike(void)
{
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;
	int n, i;

	memset(&st, 0, sizeof(st));
	/* History values are kept as bfloat16: 5.0 and 5.5 are exact. */
	feed_volumes(&st, 0, 40, 5.0, 5.5);
	/*
	 * median (5.0 + 5.5) / 2 = 5.25, every |dev| 0.25: MAD 0.25,
	 * scale 1.4826 x 0.25 = 0.37065. x = 7.5: z = 2.25 / 0.37065 = 6.0704.
	 */
	copy = st;
	b = mkbar(40, expm1(7.5));
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	i = has(out, n, ANOMALY_VOLUME_SPIKE);
	CHECK(n == 1 && i && fabs(out[0].score - 6.0704) < 1e-3 &&
	    out[0].threshold == 5 && fabs(out[0].value - b.volume) < 1e-6 &&
	    out[0].start_ms == b.start_ms && out[0].interval_s == 60 &&
	    strcmp(out[0].symbol, "BTC-USD") == 0 &&
	    out[0].ts_ns == b.start_ms * NS_PER_MS,
	    "volume spike: z 6.07 >= 5");
	/* x = 7.0: z = 1.75 / 0.37065 = 4.72: no. */
	copy = st;
	b = mkbar(40, expm1(7.0));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "volume near miss: z 4.72 < 5");

	/* Zero-volume (quotes-only) bars are neither judged nor learned. */
	copy = st;
	for (i = 0; i < 50; i++) {
		b = mkbar(41 + i, 0);
		n = check1(&copy, NULL, NULL, &b, NULL, out);
	}
	CHECK(n == 0 && copy.volume.n == 40, "quotes-only bars not learned");
	b = mkbar(100, expm1(7.5));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 1,
	    "spike still judged against trading bars");

	/* A gap bar: not judged, not learned. */
	copy = st;
	b = mkbar(40, expm1(9.0));
	b.flags |= BAR_F_GAP;
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0 &&
	    copy.volume.n == 40, "gap bar neither judged nor learned");
}

static void
test_volume_min_samples(void)
{
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;

	memset(&st, 0, sizeof(st));
	feed_volumes(&st, 0, 29, 5.0, 5.4);
	copy = st;
	b = mkbar(29, expm1(12.0));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "29 bars: a fresh symbol is not judged");
	feed_volumes(&st, 29, 1, 5.0, 5.0);
	b = mkbar(30, expm1(12.0));
	CHECK(check1(&st, NULL, NULL, &b, NULL, out) == 1,
	    "30 bars: judged");
}

/* A stock 60 s bar at hh:mm ET on day d of January 2026 (EST, UTC-5). */
static struct bar
stockbar(int d, int hh, int mm, double x)
{
	struct bar b = mkbar(0, expm1(x));

	strcpy(b.symbol, "AAPL");
	b.asset_class = ASSET_STOCK;
	b.source = SOURCE_POLYGON;
	b.start_ms = JAN5_MS + d * DAY_MS + (hh + 5) * 3600000LL +
	    mm * MIN_MS;
	return b;
}

/*
 * One day: 09:30 at x_open, 10:00-10:39 alternating 6.0/6.4 (the recent
 * window), 12:00 at x_noon.
 */
static void
feed_day(struct anomaly_state *st, struct tod_profile *tod, int d,
    double x_open, double x_noon)
{
	struct anomaly out[MAXA];
	struct bar b;
	int i;

	b = stockbar(d, 9, 30, x_open);
	check1(st, tod, NULL, &b, NULL, out);
	for (i = 0; i < 40; i++) {
		b = stockbar(d, 10, i, i % 2 ? 6.5 : 6.0);
		check1(st, tod, NULL, &b, NULL, out);
	}
	b = stockbar(d, 12, 0, x_noon);
	check1(st, tod, NULL, &b, NULL, out);
}

static void
test_tod(void)
{
	static struct tod_profile tod, tcopy;
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;
	int d, n;

	memset(&st, 0, sizeof(st));
	memset(&tod, 0, sizeof(tod));
	for (d = 0; d < 4; d++)
		feed_day(&st, &tod, d, 10.0, 6.0);
	/*
	 * Day 4: 09:30 seen on 4 days < 5: recent bars decide. The last
	 * 60 bars: 30 at 6.0, 29 at 6.5, one at 10.0: median 6.25, MAD
	 * 0.25, scale 0.37065; x = 10.0: z = 3.75 / 0.37065 = 10.1173.
	 */
	copy = st;
	tcopy = tod;
	b = stockbar(4, 9, 30, 10.0);
	n = check1(&copy, &tcopy, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_VOLUME_SPIKE &&
	    fabs(out[0].score - 10.1173) < 1e-3,
	    "TOD not ripe (4 days): recent bars decide");
	feed_day(&st, &tod, 4, 10.0, 6.0);

	/*
	 * Day 5: 09:30 seen on 5 days, always 10.0: mean 10 (120/12), dev
	 * 0, scale = floor 0.25. x = 10.5: z = 0.5 / 0.25 = 2: normal for
	 * 09:30. Recent bars (median 6.25) would give (10.5 - 6.25) /
	 * 0.37065 = 11.4663.
	 */
	copy = st;
	tcopy = tod;
	b = stockbar(5, 9, 30, 10.5);
	CHECK(check1(&copy, &tcopy, NULL, &b, NULL, out) == 0,
	    "big 09:30 bar normal for 09:30: not flagged");
	copy = st;
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_VOLUME_SPIKE &&
	    fabs(out[0].score - 11.4663) < 1e-3,
	    "... while recent bars alone would flag it (z 11.5)");

	/* Midday: 12:00 always 6.0: x = 9.0, z = 3 / 0.25 = 12. */
	copy = st;
	tcopy = tod;
	b = stockbar(5, 12, 0, 9.0);
	n = check1(&copy, &tcopy, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_VOLUME_SPIKE_TOD &&
	    fabs(out[0].score - 12.0) < 1e-3, "midday spike flagged by TOD");
	/* x = 7.2: z = 1.2 / 0.25 = 4.8: no (recent bars: 3.4, no). */
	copy = st;
	tcopy = tod;
	b = stockbar(5, 12, 0, 7.2);
	CHECK(check1(&copy, &tcopy, NULL, &b, NULL, out) == 0,
	    "midday near miss: z 4.8");
	/* Crypto never uses the profile, even if one is passed. */
	copy = st;
	tcopy = tod;
	b = stockbar(5, 9, 30, 10.5);
	b.asset_class = ASSET_CRYPTO;
	n = check1(&copy, &tcopy, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_VOLUME_SPIKE,
	    "crypto: recent bars decide");
}

/* The profile's arithmetic, quantization included, by hand. */
static void
test_tod_learning(void)
{
	static struct tod_profile tod;
	static const double xs[5] = { 6, 7, 6, 7, 6 };
	struct anomaly_state st;
	struct anomaly out[MAXA];
	struct bar b;
	int d, n;

	memset(&tod, 0, sizeof(tod));
	memset(&st, 0, sizeof(st));
	for (d = 0; d < 5; d++) {
		b = stockbar(d, 14, 0, xs[d]);
		check1(&st, &tod, NULL, &b, NULL, out);
	}
	/*
	 * mean/dev after each day (mean in 1/12, dev in 1/16 steps):
	 * 6: mean 6, dev 0.
	 * 7: dev 0 + 1 x (1 - 0) = 1; mean 6 + (1/2) x 1 = 6.5 (78/12).
	 * 6: dev 1 + (1/2)(0.5 - 1) = 0.75 (12/16); mean 6.5 - 0.5/3 =
	 *    6.3333 (76/12).
	 * 7: dev 0.75 + (1/3)(0.6667 - 0.75) = 0.7222 -> 12/16 = 0.75;
	 *    mean 6.3333 + 0.6667/4 = 6.5 (78/12).
	 * 6: dev 0.75 + (1/4)(0.5 - 0.75) = 0.6875 (11/16); mean
	 *    6.5 - 0.5/5 = 6.4 -> 76.8 -> 77/12 = 6.41667.
	 * scale 1.2533 x 0.6875 = 0.86164; x = 10.9:
	 * z = (10.9 - 6.41667) / 0.86164 = 5.2033.
	 */
	CHECK(tod.minute[14 * 60 - TOD_FIRST_MINUTE] == (77 << 8 | 11 << 3 |
	    5), "profile cell after five days: 77/12, 11/16, 5 days");
	b = stockbar(5, 14, 0, 10.9);
	n = check1(&st, &tod, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_VOLUME_SPIKE_TOD &&
	    fabs(out[0].score - 5.2033) < 1e-3, "TOD z = 5.20 >= 5");
	/* The spike was learned: day 6 at 10.6 now sees a wider profile.
	 * Before it, 10.6 gave (10.6 - 6.41667) / 0.86164 = 4.855 < 5. */
	CHECK((tod.minute[14 * 60 - TOD_FIRST_MINUTE] & 7) == 6,
	    "day count grows");
	/* Bars outside 04:00-20:00 ET are not in the profile. */
	b = stockbar(5, 20, 0, 6.0);
	check1(&st, &tod, NULL, &b, NULL, out);
	b = stockbar(5, 3, 59, 6.0);
	check1(&st, &tod, NULL, &b, NULL, out);
	CHECK(tod.minute[0] == 0 && tod.minute[TOD_MINUTES - 1] == 0,
	    "20:00 and 03:59 ET are outside the profile");
}

/* A crypto bar at minute k with a close in cents/100 (price x 1e4). */
static struct bar
pricebar(int64_t k, int64_t close)
{
	struct bar b = mkbar(k, 0);

	b.flags = BAR_F_NO_SPREAD;
	b.open = b.high = b.low = b.close = close;
	return b;
}

static void
feed_closes(struct anomaly_state *st, int64_t k0, int n,
    const int64_t *closes, int nc)
{
	struct anomaly out[MAXA];
	struct bar b;
	int i;

	for (i = 0; i < n; i++) {
		b = pricebar(k0 + i, closes[i % nc]);
		check1(st, NULL, NULL, &b, NULL, out);
	}
}

static void
test_price_jump(void)
{
	static const int64_t alt[2] = { CENTS(10000), CENTS(10010) };
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;
	int n;

	memset(&st, 0, sizeof(st));
	/* 41 closes 100.00, 100.10, ..., 100.00: 40 returns +-r,
	 * r = ln(1.001) = 0.00099950. median 0, MAD r, scale
	 * 1.4826 r = 0.00148186. */
	feed_closes(&st, 0, 41, alt, 2);
	CHECK(st.ret.n == 40, "40 returns learned");
	/* 100.00 -> 101.50: ln(1.015) = 0.0148886; z = 10.047. */
	copy = st;
	b = pricebar(41, CENTS(10150));
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_PRICE_JUMP &&
	    fabs(out[0].score - 10.047) < 1e-2 &&
	    fabs(out[0].value - 0.0148886) < 1e-6, "price jump z 10.0");
	/* 100.00 -> 98.50: ln(0.985) = -0.0151136; |z| = 10.199. */
	copy = st;
	b = pricebar(41, CENTS(9850));
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].value < 0 && fabs(out[0].score - 10.199) <
	    1e-2, "a drop is a jump too");
	/* 100.00 -> 101.10: ln(1.011) = 0.0109399; z = 7.38 < 8. */
	copy = st;
	b = pricebar(41, CENTS(10110));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "price near miss: z 7.38");
	/* The same jump 11 bars after the last close: not a one-bar move. */
	copy = st;
	b = pricebar(40 + 11, CENTS(10150));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0 &&
	    copy.ret.n == 40 && copy.prev_close == CENTS(10150),
	    "return over 11 bars: not judged, not learned");
	/* 10 bars after: still judged. */
	copy = st;
	b = pricebar(40 + 10, CENTS(10150));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 1,
	    "return over 10 bars: judged");
	/* A no-price bar between keeps the earlier close. */
	copy = st;
	b = mkbar(41, 5);
	check1(&copy, NULL, NULL, &b, NULL, out);
	b = pricebar(42, CENTS(10150));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 1,
	    "no-price bar keeps the previous close");
	/* A gap bar is not judged but its close is the next base. */
	copy = st;
	b = pricebar(41, CENTS(10150));
	b.flags |= BAR_F_GAP;
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 0 && copy.ret.n == 40 && copy.prev_close == CENTS(10150),
	    "gap bar: not judged, close remembered");
}

static void
test_price_discrete(void)
{
	/* 36 flat returns and 4 moves of 1 % (two up, two down). */
	static const int64_t moves[20] = {
		CENTS(1000), CENTS(1000), CENTS(1010), CENTS(1000),
		CENTS(1000), CENTS(1000), CENTS(1000), CENTS(1000),
		CENTS(1000), CENTS(1000), CENTS(1000), CENTS(1000),
		CENTS(1000), CENTS(1000), CENTS(1000), CENTS(1000),
		CENTS(1000), CENTS(1000), CENTS(1000), CENTS(1000)
	};
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;

	memset(&st, 0, sizeof(st));
	/* 41 closes: returns 0, +r, -r, 0 x 17, twice, then 0; r =
	 * ln 1.01 = 0.00995033. MAD 0 (36 zeros); mean |dev| 4r/40 =
	 * 0.000995033; scale 1.2533 x that = 0.00124708 (> floor). */
	feed_closes(&st, 0, 41, moves, 20);
	/* A 1 % move: z = 0.00995033 / 0.00124708 = 7.979 < 8 (with the
	 * floor alone it would be 0.00995 / 0.00025 = 39.8). */
	copy = st;
	b = pricebar(41, CENTS(1010));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "MAD 0: the mean deviation keeps a usual 1 %% move quiet");
	/* 2 %: ln 1.02 = 0.0198026; z = 15.88. */
	copy = st;
	b = pricebar(41, CENTS(1020));
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 1 &&
	    fabs(out[0].score - 15.879) < 1e-2,
	    "MAD 0: a 2 %% move is a jump (z 15.88)");

	/* All flat: scale = floor 2.5 bp; 15 bp: z = 6, 30 bp: z = 12. */
	memset(&st, 0, sizeof(st));
	feed_closes(&st, 0, 41, moves, 1);
	copy = st;
	b = pricebar(41, 10015000000LL);	/* 10.015: ln 1.0015 = 0.0014989 */
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "flat: 15 bp is below 8 x 2.5 bp");
	copy = st;
	b = pricebar(41, 10030000000LL);	/* 10.03: ln 1.003 = 0.0029955 */
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 1,
	    "flat: 30 bp is a jump");
}

static struct bar
spreadbar(int64_t k, double bps)
{
	struct bar b = mkbar(k, 0);

	b.flags = BAR_F_NO_PRICE;
	b.spread_bps = bps;
	return b;
}

static void
test_spread(void)
{
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;
	int i, n;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 40; i++) {
		b = spreadbar(i, i % 2 ? 3.0 : 2.0);
		check1(&st, NULL, NULL, &b, NULL, out);
	}
	/* median (2 + 3) / 2 = 2.5; 10 / 2.5 = 4.0 >= 4. */
	copy = st;
	b = spreadbar(40, 10.0);
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_SPREAD_BLOWOUT &&
	    out[0].score == 4.0 && out[0].value == 10.0 &&
	    out[0].threshold == 4.0, "spread blowout: ratio 4");
	/* 9.9 / 2.5 = 3.96 */
	copy = st;
	b = spreadbar(40, 9.9);
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "spread near miss: ratio 3.96");
	/* No spread: not judged, not learned. */
	copy = st;
	b = spreadbar(40, 0);
	b.flags |= BAR_F_NO_SPREAD;
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0 &&
	    copy.spread.n == 40, "no-spread bar skipped");

	/* A tight market: median (0.08 + 0.12) / 2 = 0.1 bp; 0.9 bp is 9x
	 * but under 1 bp: not flagged; 1.2 bp (12x): flagged. */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 40; i++) {
		b = spreadbar(i, i % 2 ? 0.12 : 0.08);
		check1(&st, NULL, NULL, &b, NULL, out);
	}
	copy = st;
	b = spreadbar(40, 0.9);
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "9x a 0.1 bp spread is still under 1 bp");
	b = spreadbar(40, 1.2);
	CHECK(check1(&st, NULL, NULL, &b, NULL, out) == 1,
	    "12x and >= 1 bp: flagged");

	/* Min samples: 29 bars, then a 100x spread: not judged. */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 29; i++) {
		b = spreadbar(i, 2.0);
		check1(&st, NULL, NULL, &b, NULL, out);
	}
	b = spreadbar(29, 200.0);
	CHECK(check1(&st, NULL, NULL, &b, NULL, out) == 0,
	    "spread with 29 samples: not judged");
}

static struct bar
flowbar(double buy, double sell, uint32_t buys, uint32_t sells)
{
	struct bar b = mkbar(41, buy + sell);

	b.buy_volume = buy;
	b.sell_volume = sell;
	b.buy_trades = buys;
	b.sell_trades = sells;
	return b;
}

static void
test_flow(void)
{
	struct anomaly_state st, copy;
	struct anomaly out[MAXA];
	struct bar b;
	int n;

	memset(&st, 0, sizeof(st));
	/* 41 bars: 21 of volume 100, 20 of 300: median volume 100. */
	feed_volumes(&st, 0, 41, log1p(100), log1p(300));
	/* (190 - 10) / 200 = 0.9, 20 known trades, 200 >= 100. */
	copy = st;
	b = flowbar(190, 10, 19, 1);
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_ONE_SIDED_FLOW &&
	    fabs(out[0].score - 0.9) < 1e-12 && fabs(out[0].value - 0.9) <
	    1e-12, "one-sided buying: 0.9");
	copy = st;
	b = flowbar(10, 190, 1, 19);
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(n == 1 && fabs(out[0].value + 0.9) < 1e-12 &&
	    fabs(out[0].score - 0.9) < 1e-12, "one-sided selling: -0.9");
	/* (170 - 30) / 200 = 0.7 < 0.8 */
	copy = st;
	b = flowbar(170, 30, 17, 3);
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "flow near miss: 0.7");
	/* 0.9 but 19 trades with a known side */
	copy = st;
	b = flowbar(190, 10, 18, 1);
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "0.9 on 19 trades: too few");
	/* 0.9 but volume 90 < the median 100 */
	copy = st;
	b = flowbar(85.5, 4.5, 19, 1);
	CHECK(check1(&copy, NULL, NULL, &b, NULL, out) == 0,
	    "0.9 on a small bar: not flagged");
	/* Unknown-side volume is not in the ratio: buy 190, sell 10, and
	 * 500 unknown still gives 0.9. */
	copy = st;
	b = flowbar(190, 10, 19, 1);
	b.volume = 700;
	n = check1(&copy, NULL, NULL, &b, NULL, out);
	CHECK(has(out, n, ANOMALY_ONE_SIDED_FLOW), "unknown side ignored");
}

static void
test_large_trade(void)
{
	static struct trade_history th, th2;
	struct anomaly_state st;
	struct anomaly out[MAXA];
	struct large_trade big;
	struct bar b = mkbar(0, 1);
	int i, n;

	memset(&th, 0, sizeof(th));
	memset(&st, 0, sizeof(st));
	CHECK(cfg.trade_z == 10, "large trade: the default threshold is z 10");
	cfg.trade_z = 4;	/* the worked numbers below are for z 4 */
	/* $1000 and $4000 alternating (exact in bfloat16): median of logs
	 * ln 2000 = 7.6009, MAD ln 2 = 0.693147, scale 1.02766. */
	for (i = 0; i < 200; i++)
		trade_history_add(&th, i % 2 ? 4000.0 : 1000.0);
	big.notional = 150000;
	big.ts_ns = b.start_ms * NS_PER_MS + 1234;
	big.exchange = 11;
	/* ln(150000 / 2000) = ln 75 = 4.31749; z = 4.2013 */
	n = check1(&st, NULL, &th, &b, &big, out);
	CHECK(n == 1 && out[0].kind == ANOMALY_LARGE_TRADE &&
	    fabs(out[0].score - 4.2013) < 1e-3 && out[0].value == 150000 &&
	    out[0].ts_ns == big.ts_ns && out[0].exchange == 11,
	    "large trade: z 4.20, its time and venue");
	/* ln 50 = 3.91202; z = 3.8067 < 4 */
	big.notional = 100000;
	CHECK(check1(&st, NULL, &th, &b, &big, out) == 0,
	    "large trade near miss: z 3.81");
	/* 99 trades: not judged. */
	memset(&th2, 0, sizeof(th2));
	for (i = 0; i < 99; i++)
		trade_history_add(&th2, i % 2 ? 4000.0 : 1000.0);
	big.notional = 1e9;
	CHECK(check1(&st, NULL, &th2, &b, &big, out) == 0,
	    "99 trades in the history: not judged");
	/* No history or no trade: nothing. */
	CHECK(check1(&st, NULL, NULL, &b, &big, out) == 0 &&
	    check1(&st, NULL, &th, &b, NULL, out) == 0, "NULLs tolerated");
	/* The ring: bad notionals ignored, 300 adds keep 256. */
	trade_history_add(&th2, 0);
	trade_history_add(&th2, -5);
	trade_history_add(&th2, NAN);
	trade_history_add(&th2, INFINITY);
	CHECK(th2.n == 99, "zero, negative, NaN and inf not added");
	for (i = 0; i < 300; i++)
		trade_history_add(&th2, 1000);
	CHECK(th2.n == 256 && th2.head == (99 + 300) % 256, "ring of 256");
	/* bfloat16 keeps 8 significant bits: 123456 -> 123392 or 123904,
	 * within 0.4 %. */
	memset(&th2, 0, sizeof(th2));
	trade_history_add(&th2, 123456.0);
	{
		uint32_t bits = (uint32_t)th2.v[0] << 16;
		float f;

		memcpy(&f, &bits, sizeof(f));
		CHECK(fabs(f / 123456.0 - 1) < 0.004, "bfloat16 within 0.4 %%");
	}
	/* At the default z 10 the z 4.20 trade above is not flagged. */
	cfg.trade_z = 10;
	big.notional = 150000;
	CHECK(check1(&st, NULL, &th, &b, &big, out) == 0,
	    "large trade: z 4.20 is not flagged at the default z 10");
}

static void
test_several_and_max_out(void)
{
	struct anomaly_state st;
	struct anomaly out[MAXA];
	struct bar b;

	memset(&st, 0, sizeof(st));
	feed_volumes(&st, 0, 41, log1p(100), log1p(300));
	/* Volume 1e6 (z huge) and 0.9 one-sided: two kinds. */
	b = flowbar(950000, 50000, 19, 1);
	CHECK(anomaly_check(&cfg, &st, NULL, NULL, &b, NULL, out, MAXA) == 2,
	    "two kinds on one bar");
	CHECK(anomaly_check(&cfg, &st, NULL, NULL, &b, NULL, out, 1) == 1 &&
	    anomaly_check(&cfg, &st, NULL, NULL, &b, NULL, out, 0) == 0,
	    "max_out respected");
}

/* Epoch ms from Python's datetime (UTC), expected ET minute by hand. */
static const struct {
	const char	*name;
	int64_t		 utc_ms;
	int		 want;
} et_cases[] = {
	{ "2026-03-08 06:59Z = 01:59 EST", 1772953140000LL, 119 },
	{ "2026-03-08 07:00Z = 03:00 EDT", 1772953200000LL, 180 },
	{ "2026-03-07 07:00Z = 02:00 EST", 1772866800000LL, 120 },
	{ "2026-11-01 05:59Z = 01:59 EDT", 1793512740000LL, 119 },
	{ "2026-11-01 06:00Z = 01:00 EST", 1793512800000LL, 60 },
	{ "2026-10-31 06:00Z = 02:00 EDT", 1793426400000LL, 120 },
	{ "2026-07-01 13:30Z = 09:30 EDT", 1782912600000LL, 570 },
	{ "2026-01-15 14:30Z = 09:30 EST", 1768487400000LL, 570 },
	{ "2025-03-09 06:59Z = 01:59 EST", 1741503540000LL, 119 },
	{ "2025-03-09 07:00Z = 03:00 EDT", 1741503600000LL, 180 },
	{ "2025-11-02 05:59Z = 01:59 EDT", 1762063140000LL, 119 },
	{ "2025-11-02 06:00Z = 01:00 EST", 1762063200000LL, 60 },
	{ "2024-03-10 07:00Z = 03:00 EDT", 1710054000000LL, 180 },
	{ "2026-01-01 04:59Z = 23:59 EST the day before", 1767243540000LL,
	    1439 },
	{ "2026-01-01 05:00Z = 00:00 EST", 1767243600000LL, 0 },
	{ "1969-12-31 23:00Z = 18:00 EST", -3600000LL, 1080 },
	{ "2100-07-04 16:00Z = 12:00 EDT", 4118400000000LL, 720 },
};

static void
test_et(void)
{
	unsigned i;

	for (i = 0; i < sizeof(et_cases) / sizeof(et_cases[0]); i++)
		CHECK(tod_minute_et(et_cases[i].utc_ms) == et_cases[i].want,
		    "ET minute: %s", et_cases[i].name);
}

int
main(void)
{
	anomaly_config_default(&cfg);
	CHECK(sizeof(struct anomaly_state) <= 1024 &&
	    sizeof(struct trade_history) <= 1024 &&
	    sizeof(struct tod_profile) <= 2048, "memory budgets: %zu %zu %zu",
	    sizeof(struct anomaly_state), sizeof(struct trade_history),
	    sizeof(struct tod_profile));
	test_volume_spike();
	test_volume_min_samples();
	test_tod();
	test_tod_learning();
	test_price_jump();
	test_price_discrete();
	test_spread();
	test_flow();
	test_large_trade();
	test_several_and_max_out();
	test_et();
	return check_report();
}
