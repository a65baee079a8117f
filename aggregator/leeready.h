/*
 * Aggressor side inference for trades whose feed declares none (US stock
 * trades): Lee and Ready (1991) with zero delay, feeds.md §5. A trade
 * above the quote midpoint was buyer-initiated, below it seller-initiated;
 * at the midpoint, or with no usable quote, the tick test decides: above
 * the last different price a buy, below it a sell, at the same price the
 * side of the last price change ("zero-uptick" continuation), and unknown
 * before any price change. Zero delay: the quote is the last one received
 * before the trade in stream order (Bessembinder 2003, feeds.md §5).
 *
 * Also the position of a trade against the quote, for the declared-side
 * check (sidecheck.h). No I/O, no clock, no allocation, no division.
 *
 * Prices are fixed point (tick.h) and must be positive: a usable quote has
 * bid > 0, ask > 0 and ask >= bid (a locked quote, ask == bid, is usable;
 * a crossed one is not).
 */
#ifndef LEEREADY_H
#define LEEREADY_H

#include <stdint.h>

#include "tick.h"

/*
 * Tick-test state, one per symbol (per symbol and venue for crypto: the
 * caller decides). All zero is the valid initial state: no trade yet.
 */
struct leeready {
	int64_t		 last_px;	/* last trade's price; 0 = none yet */
	int		 last_change;	/* enum side of the last price change */
};

enum quote_pos {
	QUOTE_NONE = 0,		/* no usable quote */
	QUOTE_AT_OR_BELOW_BID,
	QUOTE_AT_OR_ABOVE_ASK,
	QUOTE_INSIDE,		/* strictly between bid and ask */
	QUOTE_POS_MAX
};

/*
 * Classifies a trade at px against the quote bid/ask in effect, and
 * records px for the next trade's tick test (also when the quote rule
 * decided). Returns SIDE_BUY, SIDE_SELL or SIDE_UNKNOWN.
 */
enum side	 leeready_classify(struct leeready *, int64_t px, int64_t bid,
		    int64_t ask);

/*
 * The quote rule alone, with no tick-test fallback: SIDE_BUY above the
 * midpoint, SIDE_SELL below, SIDE_UNKNOWN at it or with no usable quote.
 * For the declared-side check, where a fallback would compare a venue's
 * codes with a guess (sidecheck.h).
 */
enum side	 quote_rule(int64_t px, int64_t bid, int64_t ask);

/* Where px sits against a quote; QUOTE_NONE when it is not usable. */
enum quote_pos	 quote_position(int64_t px, int64_t bid, int64_t ask);

#endif /* LEEREADY_H */
