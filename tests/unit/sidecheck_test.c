/*
 * The declared-side check (feeds.md §3.1): a venue whose declared sides
 * match the quote rule is not flagged, an inverted one is (once), the
 * minimum sample, the threshold's edge, what is not compared, and the
 * at-bid / at-ask / inside counts. Trades are priced against one quote,
 * bid 100.00 / ask 100.02 (mid 100.01), through quote_rule() and
 * quote_position() as the aggregator calls them.
 */
#include <stdint.h>

#include "../check.h"
#include "../../aggregator/leeready.h"
#include "../../aggregator/sidecheck.h"

#define CENTS(x)	((int64_t)(x) * (PRICE_SCALE / 100))
#define BID		CENTS(10000)
#define ASK		CENTS(10002)
#define MID		CENTS(10001)

static struct sidecheck_config cfg;

/* One trade at px declared `declared`; returns the event. */
static enum sidecheck_event
note(struct side_check *sc, int64_t px, enum side declared, int64_t bid,
    int64_t ask)
{
	return sidecheck_note(sc, declared, quote_rule(px, bid, ask),
	    quote_position(px, bid, ask), &cfg);
}

/* n trades alternating at the ask and at the bid; inverted or not. */
static unsigned
run(struct side_check *sc, unsigned n, int inverted, unsigned *turned_at)
{
	unsigned i, turned = 0;
	int at_ask;
	enum side declared;

	for (i = 1; i <= n; i++) {
		at_ask = i % 2;
		declared = at_ask ? SIDE_BUY : SIDE_SELL;
		if (inverted)
			declared = at_ask ? SIDE_SELL : SIDE_BUY;
		if (note(sc, at_ask ? ASK : BID, declared, BID, ASK) ==
		    SIDECHECK_TURNED_INVERTED) {
			turned++;
			*turned_at = i;
		}
	}
	return turned;
}

static void
test_agreeing_and_inverted(void)
{
	struct side_check sc;
	unsigned turned, at = 0;

	sidecheck_init(&sc, "BTC-USD", SOURCE_POLYGON, ASSET_CRYPTO, 23);
	turned = run(&sc, 1000, 0, &at);
	/* 1000 compared, 1000 agree: rate 1.0 */
	CHECK(turned == 0 && !sc.inverted && sc.compared == 1000 &&
	    sc.agree == 1000 && !sidecheck_inverted(&sc, &cfg),
	    "agreeing venue is not flagged");
	CHECK(sc.exchange == 23 && sc.source == SOURCE_POLYGON,
	    "identity kept");

	sidecheck_init(&sc, "BTC-USD", SOURCE_POLYGON, ASSET_CRYPTO, 1);
	turned = run(&sc, 1000, 1, &at);
	/* 0 of 200 agree at the 200th trade: flagged there, once. */
	CHECK(turned == 1 && at == 200 && sc.inverted && sc.agree == 0,
	    "inverted venue flagged once, at the 200th compared trade");
	CHECK(sc.declared_buy == 500 && sc.declared_sell == 500 &&
	    sc.at_ask == 500 && sc.at_bid == 500 && sc.trades == 1000,
	    "declared and position counts");
}

static void
test_min_samples(void)
{
	struct side_check sc;
	unsigned at = 0;

	sidecheck_init(&sc, "ETH-USD", SOURCE_POLYGON, ASSET_CRYPTO, 2);
	/* 199 compared, none agree: below the minimum of 200. */
	CHECK(run(&sc, 199, 1, &at) == 0 && !sc.inverted &&
	    !sidecheck_inverted(&sc, &cfg), "199 compared: not judged yet");
	/* Trades that cannot be compared do not reach the minimum. */
	note(&sc, MID, SIDE_BUY, BID, ASK);		/* at the mid */
	note(&sc, ASK, SIDE_SELL, 0, 0);		/* no quote */
	note(&sc, ASK, SIDE_SELL, ASK, BID);		/* crossed */
	note(&sc, ASK, SIDE_UNKNOWN, BID, ASK);		/* no declared */
	CHECK(sc.compared == 199 && !sc.inverted && sc.trades == 203,
	    "mid, no quote, crossed, undeclared: not compared");
	CHECK(note(&sc, BID, SIDE_BUY, BID, ASK) == SIDECHECK_TURNED_INVERTED,
	    "200th compared trade flags");
}

static void
test_threshold_edge(void)
{
	struct side_check sc;
	unsigned i, turned = 0;

	/* 60 agree then 140 disagree: 60 / 200 = 0.30 <= 0.30: flagged. */
	sidecheck_init(&sc, "X", SOURCE_KRAKEN, ASSET_CRYPTO, 0);
	for (i = 0; i < 200; i++)
		if (note(&sc, ASK, i < 60 ? SIDE_BUY : SIDE_SELL, BID, ASK) ==
		    SIDECHECK_TURNED_INVERTED)
			turned++;
	CHECK(turned == 1 && sc.inverted, "agreement 0.30 is flagged");

	/* 61 agree then 139 disagree: 61 / 200 = 0.305: not flagged. */
	sidecheck_init(&sc, "X", SOURCE_KRAKEN, ASSET_CRYPTO, 0);
	for (i = 0; i < 200; i++)
		note(&sc, ASK, i < 61 ? SIDE_BUY : SIDE_SELL, BID, ASK);
	CHECK(!sc.inverted, "agreement 0.305 is not flagged");
	/* One more disagreement: 61 / 201 = 0.3035; then 61 / 204 = 0.299. */
	for (i = 0; i < 4; i++)
		if (note(&sc, ASK, SIDE_SELL, BID, ASK) ==
		    SIDECHECK_TURNED_INVERTED)
			turned++;
	CHECK(turned == 2 && sc.inverted && sc.compared == 204,
	    "flag turns on when the rate falls to 61/204 = 0.299");

	/* A coin-flip venue (agreement 0.5) is never flagged. */
	sidecheck_init(&sc, "X", SOURCE_KRAKEN, ASSET_CRYPTO, 0);
	for (i = 0; i < 2000; i++)
		note(&sc, ASK, i % 2 ? SIDE_BUY : SIDE_SELL, BID, ASK);
	CHECK(!sc.inverted && sc.agree == 1000, "agreement 0.5: not flagged");
}

static void
test_latch(void)
{
	struct side_check sc;
	unsigned i, turned = 0, at = 0;

	sidecheck_init(&sc, "X", SOURCE_COINBASE, ASSET_CRYPTO, 0);
	run(&sc, 200, 1, &at);
	/* 1000 agreeing trades lift the rate to 1000/1200 = 0.83. */
	for (i = 0; i < 1000; i++)
		if (note(&sc, ASK, SIDE_BUY, BID, ASK) ==
		    SIDECHECK_TURNED_INVERTED)
			turned++;
	CHECK(sc.inverted && turned == 0 && !sidecheck_inverted(&sc, &cfg),
	    "the flag latches; no second report");
}

static void
test_positions(void)
{
	struct side_check sc;

	sidecheck_init(&sc, "X", SOURCE_POLYGON, ASSET_CRYPTO, 0);
	note(&sc, BID - CENTS(1), SIDE_SELL, BID, ASK);	/* below bid */
	note(&sc, BID, SIDE_SELL, BID, ASK);		/* at bid */
	note(&sc, MID, SIDE_BUY, BID, ASK);		/* inside, at mid */
	note(&sc, MID + 1, SIDE_BUY, BID, ASK);		/* inside, above */
	note(&sc, ASK, SIDE_BUY, BID, ASK);		/* at ask */
	note(&sc, ASK + CENTS(5), SIDE_SELL, BID, ASK);	/* above ask */
	note(&sc, ASK, SIDE_BUY, 0, ASK);		/* no bid */
	/*
	 * at_bid 2, inside 2, at_ask 2, no quote 1 (counted nowhere);
	 * compared: all but the mid and the no-quote trade = 5; agree: the
	 * two sells at/below the bid, the buy above mid, the buy at the
	 * ask = 4 (the sell above the ask disagrees).
	 */
	CHECK(sc.at_bid == 2 && sc.inside == 2 && sc.at_ask == 2 &&
	    sc.trades == 7, "at bid, inside, at ask");
	CHECK(sc.compared == 5 && sc.agree == 4, "compared and agree");
	CHECK(sc.declared_buy == 4 && sc.declared_sell == 3,
	    "declared buys and sells");
}

int
main(void)
{
	sidecheck_config_default(&cfg);
	CHECK(cfg.min_compared == 200 && cfg.max_agreement == 0.30,
	    "defaults: 200 compared, 0.30");
	test_agreeing_and_inverted();
	test_min_samples();
	test_threshold_edge();
	test_latch();
	test_positions();
	return check_report();
}
