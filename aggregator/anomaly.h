/*
 * Anomalies on closed bars (DESIGN.md "Market semantics"; bar.h
 * enum anomaly_kind; docs/metrics.md has the formulas for traders). Each
 * check compares the bar with the recent history of the same symbol and
 * interval, using the median and MAD (robust.h) so that one old spike in
 * the window does not hide the next. No I/O, no clock, no allocation: all
 * state is fixed-size and owned by the caller; all zero is a valid start
 * (the one exception, a process-wide memo of logarithms, is in anomaly.c;
 * it makes the module unfit for several threads at once).
 *
 *   VOLUME_SPIKE      robust z of log(1 + volume) vs the last `window` bars
 *   VOLUME_SPIKE_TOD  (stocks, 60 s bars) the same vs the same minute of
 *                     the US trading day on earlier days
 *   PRICE_JUMP        robust z of the log return close/previous close
 *   SPREAD_BLOWOUT    spread_bps / median recent spread_bps
 *   ONE_SIDED_FLOW    |buy - sell| / (buy + sell), with enough volume
 *   LARGE_TRADE       robust z of log(notional) of the bar's largest trade
 *                     vs the symbol's last 256 trades
 *
 * The time-of-day rule: a stock's open and close dwarf its midday, so a
 * 09:30 bar is only a spike against other 09:30 bars. When the profile has
 * seen the bar's minute on tod_min_days days, VOLUME_SPIKE_TOD decides and
 * VOLUME_SPIKE is not raised for that bar; until then, and for crypto,
 * other intervals and minutes outside 04:00-20:00 ET, VOLUME_SPIKE does.
 *
 * What bars feed (anomaly_check()):
 * - BAR_F_GAP: not judged, not learned (data may be missing: its volume
 *   understates, its return and spread may span an outage); its close is
 *   remembered so the next return spans one bar.
 * - volume kinds: bars with volume > 0 only. Empty intervals make no bar,
 *   so zero volume is never in the history; quotes-only bars would make
 *   the baseline depend on how often quotes move, so they are left out
 *   too: the baseline is "volume in an interval that traded".
 * - PRICE_JUMP: bars with a price (not BAR_F_NO_PRICE) whose previous
 *   priced bar started at most price_max_gap intervals earlier; longer
 *   spans (overnight, halts, quiet stretches) are neither judged nor
 *   learned, as their return is not a one-bar return.
 * - SPREAD_BLOWOUT: bars with a spread (not BAR_F_NO_SPREAD).
 */
#ifndef ANOMALY_H
#define ANOMALY_H

#include <stdint.h>

#include "bar.h"
#include "tick.h"

#define ANOMALY_RING_LEN	64	/* capacity of the recent-bar rings */
#define TRADE_HISTORY_LEN	256	/* trades kept per symbol */
#define TOD_FIRST_MINUTE	240	/* 04:00 ET, minutes after midnight */
#define TOD_MINUTES		960	/* 04:00-20:00 ET */
#define TOD_MAX_DAYS		7	/* the per-minute day count saturates */

struct anomaly_config {
	unsigned	 window;	/* recent bars judged against (<= 64) */
	unsigned	 min_samples;	/* recent bars needed (<= window) */
	double		 volume_z;	/* VOLUME_SPIKE(_TOD) threshold */
	double		 volume_floor;	/* scale floor, log(1 + volume) units */
	unsigned	 tod_min_days;	/* days a minute is seen before TOD (<= 7) */
	double		 tod_alpha;	/* profile's exponential weight */
	double		 price_z;	/* PRICE_JUMP threshold */
	double		 price_floor;	/* scale floor, log-return units */
	unsigned	 price_max_gap;	/* intervals a return may span */
	double		 spread_ratio;	/* SPREAD_BLOWOUT threshold */
	double		 spread_min_bps;	/* ... and the least spread */
	double		 flow_imbalance;	/* ONE_SIDED_FLOW threshold */
	double		 flow_volume_ratio;	/* x median recent volume */
	unsigned	 flow_min_trades;	/* with a known side */
	double		 trade_z;	/* LARGE_TRADE threshold */
	double		 trade_floor;	/* scale floor, log-notional units */
	unsigned	 trade_min_samples;	/* trades in the history */
};

/* The defaults, each justified in anomaly.c. */
void	 anomaly_config_default(struct anomaly_config *);

/* Values as bfloat16 (8 significant bits, 0.4 %): scores need no more,
 * and 10,000 symbols x 2 intervals of state must stay small. */
struct anomaly_ring {
	uint16_t	 v[ANOMALY_RING_LEN];
	uint8_t		 head;
	uint8_t		 n;
};

/* Per (symbol, interval): the recent closed bars. About 400 bytes. */
struct anomaly_state {
	struct anomaly_ring	 volume;	/* log(1 + volume) */
	struct anomaly_ring	 ret;		/* log return of close */
	struct anomaly_ring	 spread;	/* spread_bps */
	int64_t			 prev_close;	/* 0: none yet */
	int64_t			 prev_start_ms;
};

/*
 * Per stock symbol, for its 60 s bars: log(1 + volume) by minute of the
 * US Eastern day, 04:00-20:00, one uint16 per minute (1920 bytes):
 *   bits 15-8  exponentially weighted mean, steps of 1/12 (0 to 21.25)
 *   bits  7-3  exponentially weighted mean absolute deviation, steps of
 *              1/16 (0 to 1.94; wider dispersions saturate, which only
 *              matters for a spike above e^12 times the norm)
 *   bits  2-0  days that minute was seen (saturates at 7)
 * anomaly_check() learns each bar into it: call it once per closed bar
 * (not again for a corrected one), so the day count stays a day count.
 */
struct tod_profile {
	uint16_t	 minute[TOD_MINUTES];
};

/*
 * Per symbol: the notionals (price x size) of its last 256 volume-eligible
 * trades, as bfloat16 (the top half of a float: 8-bit exponent, 7-bit
 * mantissa, 0.4 % resolution). Compared on a log scale, that is 0.004 log
 * units, far below any scale that matters; it halves the memory (256
 * floats would be the whole 1 KiB budget) and costs no log per trade.
 */
struct trade_history {
	uint16_t	 head;		/* first: a trade reads it, then v[head] */
	uint16_t	 n;
	uint16_t	 v[TRADE_HISTORY_LEN];
};

/* The bar's largest volume-eligible trade, tracked by the caller. */
struct large_trade {
	double		 notional;	/* price x size, currency; 0 = none */
	int64_t		 ts_ns;
	uint32_t	 exchange;
};

/*
 * Adds a trade's notional (price x size in currency; <= 0, NaN or
 * infinite ones are ignored). Call it for every volume-eligible trade
 * (official and other ineligible prints would distort the distribution).
 * A few nanoseconds: no log, no division.
 */
void	 trade_history_add(struct trade_history *, double notional);

/*
 * Judges a closed bar b, writes up to max_out anomalies to out and returns
 * how many, then learns b into st and tod (see above for what each kind
 * learns from). tod: the symbol's profile, or NULL (crypto, other
 * intervals). th: the symbol's trade history, already holding this bar's
 * trades (the caller adds them as they come), or NULL. max_trade: the
 * bar's largest trade, or NULL. An anomaly's ts_ns is the bar's start,
 * except LARGE_TRADE's, which is the trade's (with its exchange).
 */
int	 anomaly_check(const struct anomaly_config *, struct anomaly_state *st,
	    struct tod_profile *tod, const struct trade_history *th,
	    const struct bar *b, const struct large_trade *max_trade,
	    struct anomaly *out, int max_out);

/*
 * The minute of the day in US Eastern time (0-1439) at utc_ms: UTC-4
 * from the second Sunday of March 02:00 local to the first Sunday of
 * November 02:00 local, UTC-5 otherwise (the US rule since 2007).
 */
int	 tod_minute_et(int64_t utc_ms);

#endif /* ANOMALY_H */
