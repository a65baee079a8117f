/*
 * Lee-Ready with zero delay (feeds.md §5): the quote rule, the tick test
 * at the midpoint or without a usable quote, the state it keeps, the quote
 * rule alone, and a trade's position against the quote. Prices are in
 * cents, C(x) = x cents in fixed point.
 */
#include <stdint.h>

#include "../check.h"
#include "../../aggregator/leeready.h"

#define C(x)	((int64_t)(x) * (PRICE_SCALE / 100))
#define B	SIDE_BUY
#define S	SIDE_SELL
#define UNK	SIDE_UNKNOWN

/* STYLE.md §7: name, state before (last_px, last_change), trade, want. */
static const struct {
	const char	*name;
	int64_t		 last_px;
	int		 last_change;
	int64_t		 px, bid, ask;
	enum side	 want;
	int		 want_change;	/* last_change afterwards */
} cases[] = {
	/* Quote rule: mid of 100/102 is 101. */
	{ "above mid is a buy", 0, UNK, C(10150), C(10000), C(10200), B, UNK },
	{ "at ask is a buy", C(10200), S, C(10200), C(10000), C(10200), B, S },
	{ "below mid is a sell", 0, UNK, C(10050), C(10000), C(10200), S,
	    UNK },
	{ "at bid is a sell, uptick ignored", C(9900), S, C(10000), C(10000),
	    C(10200), S, B },
	{ "outside the ask is a buy", C(10300), UNK, C(10250), C(10000),
	    C(10200), B, S },
	{ "quote rule beats a downtick", C(10190), B, C(10150), C(10000),
	    C(10200), B, S },
	/* Half-cent midpoint: 100.00/100.01 -> 100.005, exact in 2*px. */
	{ "one unit above a half-tick mid is a buy", 0, UNK,
	    C(10000) + PRICE_SCALE / 200 + 1, C(10000), C(10001), B, UNK },
	{ "one unit below a half-tick mid is a sell", 0, UNK,
	    C(10000) + PRICE_SCALE / 200 - 1, C(10000), C(10001), S, UNK },
	/* At the midpoint: tick test. */
	{ "at mid, uptick is a buy", C(10000), UNK, C(10100), C(10000),
	    C(10200), B, B },
	{ "at mid, downtick is a sell", C(10200), UNK, C(10100), C(10000),
	    C(10200), S, S },
	{ "at mid, zero-uptick continues a buy", C(10100), B, C(10100),
	    C(10000), C(10200), B, B },
	{ "at mid, zero-downtick continues a sell", C(10100), S, C(10100),
	    C(10000), C(10200), S, S },
	{ "at mid, no earlier trade is unknown", 0, UNK, C(10100), C(10000),
	    C(10200), UNK, UNK },
	{ "at mid, same price and no change yet is unknown", C(10100), UNK,
	    C(10100), C(10000), C(10200), UNK, UNK },
	{ "at mid of a locked quote: tick test", C(9900), UNK, C(10000),
	    C(10000), C(10000), B, B },
	/* No usable quote: tick test. */
	{ "no bid: uptick is a buy", C(10000), S, C(10001), 0, C(10200), B,
	    B },
	{ "no ask: downtick is a sell", C(10000), B, C(9999), C(9900), 0, S,
	    S },
	{ "negative bid: tick test", C(10000), UNK, C(10001), -C(1),
	    C(10200), B, B },
	{ "crossed quote: tick test, not the quote rule", C(10300), UNK,
	    C(10250), C(10200), C(10000), S, S },
	{ "no quote, no history: unknown", 0, UNK, C(10000), 0, 0, UNK, UNK },
};

/* A sequence through one state: the tick test remembers. */
static void
test_sequence(void)
{
	struct leeready lr = { 0, SIDE_UNKNOWN };
	static const struct {
		int64_t		 px;
		enum side	 want;
	} seq[] = {
		{ C(10000), UNK },	/* first trade, no quote */
		{ C(10000), UNK },	/* no change yet */
		{ C(10001), B },	/* uptick */
		{ C(10001), B },	/* zero-uptick */
		{ C(10001), B },
		{ C(9999), S },		/* downtick */
		{ C(9999), S },		/* zero-downtick */
		{ C(10000), B },	/* uptick from 99.99 */
	};
	unsigned i, ok = 1;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		if (leeready_classify(&lr, seq[i].px, 0, 0) != seq[i].want)
			ok = 0;
	CHECK(ok, "tick test sequence with zero ticks");
	/* A quote-rule trade still moves the tick test's last price. */
	CHECK(leeready_classify(&lr, C(9000), C(8000), C(9000)) == B &&
	    lr.last_px == C(9000) && lr.last_change == S,
	    "a quote-rule trade records its price and change");
}

static const struct {
	const char	*name;
	int64_t		 px, bid, ask;
	enum side	 want_rule;
	enum quote_pos	 want_pos;
} quotes[] = {
	{ "below bid", C(9990), C(10000), C(10200), S,
	    QUOTE_AT_OR_BELOW_BID },
	{ "at bid", C(10000), C(10000), C(10200), S, QUOTE_AT_OR_BELOW_BID },
	{ "inside, below mid", C(10050), C(10000), C(10200), S,
	    QUOTE_INSIDE },
	{ "inside, at mid", C(10100), C(10000), C(10200), UNK, QUOTE_INSIDE },
	{ "inside, above mid", C(10150), C(10000), C(10200), B,
	    QUOTE_INSIDE },
	{ "at ask", C(10200), C(10000), C(10200), B, QUOTE_AT_OR_ABOVE_ASK },
	{ "above ask", C(10300), C(10000), C(10200), B,
	    QUOTE_AT_OR_ABOVE_ASK },
	{ "locked, at the price", C(10000), C(10000), C(10000), UNK,
	    QUOTE_AT_OR_BELOW_BID },
	{ "no bid", C(10000), 0, C(10200), UNK, QUOTE_NONE },
	{ "no ask", C(10000), C(10000), 0, UNK, QUOTE_NONE },
	{ "crossed", C(10100), C(10200), C(10000), UNK, QUOTE_NONE },
	/* Near INT64_MAX: px-bid and ask-px cannot overflow. */
	{ "huge prices, above mid", INT64_MAX - 1, INT64_MAX - 4,
	    INT64_MAX, B, QUOTE_INSIDE },
};

int
main(void)
{
	struct leeready lr;
	enum side got;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lr.last_px = cases[i].last_px;
		lr.last_change = cases[i].last_change;
		got = leeready_classify(&lr, cases[i].px, cases[i].bid,
		    cases[i].ask);
		CHECK(got == cases[i].want && lr.last_px == cases[i].px &&
		    lr.last_change == cases[i].want_change, "%s",
		    cases[i].name);
	}
	test_sequence();
	for (i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		CHECK(quote_rule(quotes[i].px, quotes[i].bid, quotes[i].ask) ==
		    quotes[i].want_rule, "quote rule: %s", quotes[i].name);
		CHECK(quote_position(quotes[i].px, quotes[i].bid,
		    quotes[i].ask) == quotes[i].want_pos, "position: %s",
		    quotes[i].name);
	}
	return check_report();
}
