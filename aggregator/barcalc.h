/*
 * The arithmetic of one bar (struct bar, common/bar.h; docs/metrics.md):
 * trades and quotes go in, in any order within the bar, and the bar comes
 * out, as a live snapshot or closed. The caller owns the bar's lifecycle
 * (which bar a tick belongs to, when it closes, late ticks, publishing);
 * this never looks at the clock: every time is an argument. No I/O, no
 * allocation, no logging; bar_acc_trade() and bar_acc_quote() do no
 * division except one per quote that changes the price levels (its bps).
 *
 * Which trades count where (docs/metrics.md, feeds.md §3.2):
 * - ELIG_VOLUME: volume, vwap, trades, buy/sell volume and trades, delta,
 *   and the side counters (n_declared, n_inferred, n_unknown, n_compared,
 *   n_agree), so those describe exactly the trades in `trades`;
 * - ELIG_HIGH_LOW: high and low; ELIG_OPEN_CLOSE: open and close. In the
 *   tape table every row that may set open/close may set high/low.
 * - every trade and quote: first_ts_ns, last_ts_ns; ELIG_UNLISTED trades:
 *   n_unknown_conditions.
 *
 * Open is the open/close-eligible trade with the earliest event time and
 * close the one with the latest, so trades that arrive out of order within
 * the bar land right. At equal event times arrival order decides (it is
 * the feed's sequence order, feeds.md §5): the open is the first to arrive
 * at the earliest time, the close the last to arrive at the latest time,
 * as Polygon's own bars close on the last print of a same-millisecond
 * sweep.
 */
#ifndef BARCALC_H
#define BARCALC_H

#include <stdint.h>

#include "bar.h"
#include "conditions.h"
#include "tick.h"

/* How a trade's side was known (bar.n_declared, n_inferred, n_unknown). */
enum side_how {
	SIDE_HOW_UNKNOWN = 0,
	SIDE_HOW_DECLARED,	/* the feed said (crypto) */
	SIDE_HOW_INFERRED,	/* Lee-Ready, leeready.h */
	SIDE_HOW_MAX
};

/*
 * A quote carried into a bar: the one in effect when it starts. bid or
 * ask <= 0, or ask < bid, means none usable. All zero is "no quote".
 */
struct quote_carry {
	int64_t		 bid;
	int64_t		 ask;
};

/*
 * One bar being accumulated. Read only start_ns, interval_s (use
 * bar_acc_end_ns() for its end) and n_late_quotes; the rest is private:
 * the published fields come from bar_acc_result().
 *
 * The layout is for the per-tick path with thousands of symbols, where
 * every tick's bars miss the cache: a quote reads and writes the first
 * 128 bytes only (two cache lines when the caller aligns the struct to 64
 * bytes), a trade the first 64 and the next 144. `user` is the caller's
 * (its own per-bar flags, kept on the line every tick reads anyway).
 */
struct bar_acc {
	/* Every tick. */
	uint8_t		 user[4];	/* the caller's; zeroed at start */
	uint8_t		 q_usable;	/* the quote in effect is usable */
	uint8_t		 has_spread;	/* some usable quote was in effect */
	int64_t		 start_ns;
	int64_t		 first_ts_ns;	/* INT64_MAX: no tick yet */
	int64_t		 last_ts_ns;
	int64_t		 q_last_ns;	/* newest quote time applied */
	int64_t		 q_bid;		/* the quote in effect */
	int64_t		 q_ask;
	uint32_t	 interval_s;
	uint32_t	 quotes;

	/* Quotes: the spread's time integrals. */
	int64_t		 q_since_ns;	/* in effect since (inside the bar) */
	double		 q_bps;		/* the newest usable spread, bps */
	double		 spread_ns;	/* integral of spread dt (units x ns) */
	double		 bps_ns;	/* integral of bps dt */
	int64_t		 covered_ns;	/* time a usable quote was in effect */
	int64_t		 spread_min;	/* INT64_MAX: none yet */
	int64_t		 spread_max;
	int64_t		 last_spread;	/* the newest usable spread */

	/* Trades. */
	int64_t		 open;
	int64_t		 high;		/* INT64_MIN: none yet */
	int64_t		 low;		/* INT64_MAX: none yet */
	int64_t		 close;
	int64_t		 open_ts_ns;	/* INT64_MAX: no open yet */
	int64_t		 close_ts_ns;
	double		 volume;
	double		 pv;		/* sum of price x size, ELIG_VOLUME */
	double		 buy_volume;
	double		 sell_volume;
	double		 delta;		/* running buy - sell volume */
	double		 delta_min;
	double		 delta_max;
	uint32_t	 trades;
	uint32_t	 buy_trades;
	uint32_t	 sell_trades;
	uint32_t	 n_declared;
	uint32_t	 n_inferred;
	uint32_t	 n_unknown;
	uint32_t	 n_compared;
	uint32_t	 n_agree;
	uint32_t	 n_unknown_conditions;
	uint32_t	 n_late_quotes;	/* quotes older than the newest seen */
};

/*
 * Starts the bar [start_ms, start_ms + interval_s). prevailing is the quote
 * in effect at the start (NULL for none), so the spread is weighted from
 * the bar's first nanosecond.
 */
void	 bar_acc_start(struct bar_acc *, uint32_t interval_s, int64_t start_ms,
	    const struct quote_carry *prevailing);

/* The bar's end, start_ns + interval_s seconds. */
static inline int64_t
bar_acc_end_ns(const struct bar_acc *a)
{
	return a->start_ns + (int64_t)a->interval_s * NS_PER_S;
}

/*
 * Adds a trade. side is the final side (declared or inferred) and how says
 * which; inferred_known and agree (0 or 1) say whether a declared side
 * could be checked against the quote rule and matched it. elig is from
 * conditions_eligibility() (crypto: ELIG_ALL). size must be >= 0.
 */
void	 bar_acc_trade(struct bar_acc *, int64_t ts_ns, int64_t price,
	    double size, enum side side, enum side_how how, unsigned elig,
	    int inferred_known, int agree);

/*
 * Adds a quote update at ts_ns (any ts_ns: times outside the bar are
 * clamped to it). The spread in effect until ts_ns is weighted by its
 * duration; a quote with no usable side ends the previous spread's
 * interval and contributes nothing until a usable one comes. A quote older
 * than the newest already seen in this bar (venues' clocks differ, feeds
 * reorder) takes effect at that newest time instead: the quote in force
 * follows arrival order and the past is never rewritten. It is counted in
 * n_late_quotes. Returns 0, or 1 for such a late quote.
 */
int	 bar_acc_quote(struct bar_acc *, int64_t ts_ns, int64_t bid,
	    int64_t ask);

/*
 * The bar as it stands, with the spread weighted up to until_ns (the bar's
 * end when closing, the event-time "now" for a live snapshot; clamped to
 * the bar). vwap = round(sum pv / volume) whenever volume > 0; OHLC are 0
 * and BAR_F_NO_PRICE is set when no trade could set open/close; the spread
 * fields are 0 and BAR_F_NO_SPREAD is set when no usable quote was ever in
 * effect. state is BAR_LIVE; symbol, source, asset_class, revision and
 * updated_ns are the caller's (left zero). Does not change the
 * accumulator.
 */
void	 bar_acc_result(const struct bar_acc *, int64_t until_ns,
	    struct bar *out);

/* The quote in effect at the newest quote time, to start the next bar. */
void	 bar_acc_carry(const struct bar_acc *, struct quote_carry *);

#endif /* BARCALC_H */
