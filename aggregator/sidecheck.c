/*
 * The declared-side agreement check (sidecheck.h, feeds.md §3.1).
 * No I/O, no clock, no allocation.
 */
#include <stdint.h>
#include <string.h>

#include "sidecheck.h"

void
sidecheck_config_default(struct sidecheck_config *c)
{
	c->min_compared = 200;		/* sidecheck.h: why */
	c->max_agreement = 0.30;
}

void
sidecheck_init(struct side_check *sc, const char *symbol, int source,
    int asset_class, uint32_t exchange)
{
	size_t len = strnlen(symbol, sizeof(sc->symbol) - 1);

	memset(sc, 0, sizeof(*sc));
	memcpy(sc->symbol, symbol, len);
	sc->source = (uint8_t)source;
	sc->asset_class = (uint8_t)asset_class;
	sc->exchange = exchange;
}

int
sidecheck_inverted(const struct side_check *sc,
    const struct sidecheck_config *c)
{
	if (sc->compared == 0 || sc->compared < c->min_compared)
		return 0;
	return (double)sc->agree <= c->max_agreement * (double)sc->compared;
}

enum sidecheck_event
sidecheck_note(struct side_check *sc, enum side declared, enum side by_quote,
    enum quote_pos pos, const struct sidecheck_config *c)
{
	sc->trades++;
	if (declared == SIDE_BUY)
		sc->declared_buy++;
	else if (declared == SIDE_SELL)
		sc->declared_sell++;
	if (pos == QUOTE_AT_OR_BELOW_BID)
		sc->at_bid++;
	else if (pos == QUOTE_AT_OR_ABOVE_ASK)
		sc->at_ask++;
	else if (pos == QUOTE_INSIDE)
		sc->inside++;
	/* Only a declared side against a quote-rule side (sidecheck.h). */
	if (declared == SIDE_UNKNOWN || by_quote == SIDE_UNKNOWN ||
	    pos == QUOTE_NONE)
		return SIDECHECK_SAME;
	sc->compared++;
	if (declared == by_quote)
		sc->agree++;
	if (sc->inverted || !sidecheck_inverted(sc, c))
		return SIDECHECK_SAME;
	sc->inverted = 1;
	return SIDECHECK_TURNED_INVERTED;
}
