/*
 * Duplicate trades: the same trade id from the same venue, seen again for
 * a symbol (a feed that resends after a reconnect, a message published
 * twice). Each symbol remembers the fingerprints of its last
 * DEDUP_RECENT trades with an id: they sit next to the symbol's other
 * state, so the check costs no cache miss. A duplicate arriving after that
 * many newer trades of the same symbol goes unnoticed; two different
 * trades are taken for one another only if their 64-bit fingerprints
 * collide. Pure.
 */
#ifndef DEDUP_H
#define DEDUP_H

#include <stdint.h>

#include "tick.h"

#define DEDUP_RECENT	16

struct dedup {
	uint64_t	 recent[DEDUP_RECENT];
	unsigned	 next;
};

/*
 * 1 when the symbol saw this trade before, else remembers it and returns
 * 0. Trades without an id are never duplicates.
 */
int	 dedup_seen(struct dedup *, const struct tick *);

#endif /* DEDUP_H */
