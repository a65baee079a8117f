/*
 * Stock consolidated-tape eligibility: which bar fields a US stock trade
 * may update, from its sale condition codes (feeds.md §3.2, the CTA/UTP
 * "consolidated" columns Polygon builds its own bars with). Crypto trades
 * carry no such codes and are never passed here: they update everything
 * (ELIG_ALL). No I/O, no allocation; one table lookup per code.
 *
 * A trade updates a field only if EVERY one of its codes allows it (the
 * AND of the table rows: "Multiple conditions can apply to each trade",
 * feeds.md §3.2); a trade with no codes is a regular sale.
 *
 * A code not in the table (an id feeds.md §3.2 does not list, or one added
 * after it was written) is counted and treated as volume-only: it counts
 * in volume and VWAP but never sets a price. That is conservative for
 * prices (an unknown print can't paint a false high, low or close) and
 * loses no volume. It still ANDs with the other codes, so an unknown code
 * next to 15 (official close) counts in nothing.
 */
#ifndef CONDITIONS_H
#define CONDITIONS_H

#include <stdint.h>

#define ELIG_HIGH_LOW	0x01u	/* may set high and low */
#define ELIG_OPEN_CLOSE	0x02u	/* may set open and close ("updates last") */
#define ELIG_VOLUME	0x04u	/* counts in volume, VWAP, trades, flow */
#define ELIG_ALL	(ELIG_HIGH_LOW | ELIG_OPEN_CLOSE | ELIG_VOLUME)
#define ELIG_UNLISTED	0x08u	/* not a permission: the trade carried a code
				 * the table does not list (bar_acc_trade()
				 * counts it in n_unknown_conditions) */

/*
 * Returns the ELIG_* flags of a trade with n codes (n may be 0; codes may
 * then be NULL). When n_unknown is not NULL it is set to how many of the
 * codes the table does not list; ELIG_UNLISTED is set when that is > 0.
 */
unsigned	 conditions_eligibility(const uint16_t *codes, unsigned n,
		    unsigned *n_unknown);

#endif /* CONDITIONS_H */
