/*
 * The declared-side check (feeds.md §3.1, DESIGN.md "Market semantics":
 * the agreement rate). A crypto feed declares each trade's aggressor with
 * codes whose meaning is disputed (Polygon's XT 1/2: the documentation
 * says 1 = sell side, Massive's own REST sample behaves the other way). So
 * for each (symbol, source, exchange) this counts how often the declared
 * side agrees with the quote rule against the SAME venue's quote: well
 * above one half confirms the mapping; far below one half means it is
 * inverted for that venue. An inverted venue is flagged loudly (a
 * SIDE_INVERTED anomaly, once), never silently flipped: the bars keep the
 * declared side and the operator fixes the mapping.
 *
 * The comparison uses the quote rule alone (quote_rule(), leeready.h): a
 * trade at the midpoint or with no usable quote is not compared, since the
 * tick test would compare the venue's codes with a guess.
 * No I/O, no clock, no allocation.
 */
#ifndef SIDECHECK_H
#define SIDECHECK_H

#include <stdint.h>

#include "bar.h"
#include "leeready.h"
#include "tick.h"

struct sidecheck_config {
	uint64_t	 min_compared;	/* compared trades before judging */
	double		 max_agreement;	/* flagged at or below this rate */
};

/*
 * Defaults: 200 compared trades and an agreement rate of 0.30.
 * A correct mapping agrees 70-90 % of the time (the quote rule is right on
 * 76-85 % of trades in the studies of feeds.md §5, more at the quote). A
 * mapping that carries no information at all agrees 50 % of the time; at
 * 200 trades the standard error of that rate is sqrt(.25 / 200) = 0.035, so
 * 0.30 is 5.7 standard errors below it: a sound venue is never flagged by
 * chance. An inverted one agrees 1 - (the rule's accuracy) = 10-25 %, and
 * crosses 0.30 within a few hundred trades.
 */
void	 sidecheck_config_default(struct sidecheck_config *);

/* Zeroes sc and sets who it is about. All zero is also a valid start. */
void	 sidecheck_init(struct side_check *sc, const char *symbol,
	    int source, int asset_class, uint32_t exchange);

enum sidecheck_event {
	SIDECHECK_SAME = 0,		/* nothing to report */
	SIDECHECK_TURNED_INVERTED = 1	/* raise SIDE_INVERTED, once */
};

/*
 * Notes one trade: the side the feed declared, the quote rule's side
 * against the same venue's quote (SIDE_UNKNOWN at the midpoint or with no
 * usable quote) and where the price sat against that quote. Returns
 * SIDECHECK_TURNED_INVERTED the one time the venue becomes flagged;
 * sc->inverted then stays 1 (a latch: the counts run since start, and an
 * alarm that blinks on and off near the threshold helps nobody).
 */
enum sidecheck_event	 sidecheck_note(struct side_check *sc,
			    enum side declared, enum side by_quote,
			    enum quote_pos pos,
			    const struct sidecheck_config *);

/*
 * Whether the counts say inverted now: compared >= min_compared and
 * agree / compared <= max_agreement.
 */
int	 sidecheck_inverted(const struct side_check *,
	    const struct sidecheck_config *);

#endif /* SIDECHECK_H */
