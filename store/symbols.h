/*
 * The symbols table's upkeep, gathered over one flush: for each (symbol,
 * source) among the bars written, its first bar start, newest bar end, the
 * close of its newest priced bar, and the newest publication time; the
 * writer then upserts one row per series instead of one per bar.
 *
 * Pure: no I/O, no clock; a fixed table (no allocation).
 */
#ifndef SYMBOLS_H
#define SYMBOLS_H

#include <stdint.h>

#include "bar.h"

#define SYMBOLS_SLOTS	1024	/* a power of two */
#define SYMBOLS_MAX	(SYMBOLS_SLOTS * 3 / 4)

struct symbols_entry {
	char		 symbol[TICK_SYMBOL_LEN];	/* "" when free */
	uint8_t		 source;
	uint8_t		 asset_class;
	int		 has_price;
	int64_t		 first_ms;	/* earliest bar start */
	int64_t		 last_ms;	/* latest bar end */
	int64_t		 price_ms;	/* last_price's bar end */
	int64_t		 last_price;	/* fixed point */
	int64_t		 updated_ms;	/* latest publication */
};

struct symbols {
	struct symbols_entry slots[SYMBOLS_SLOTS];
	unsigned	 n;
};

void	 symbols_reset(struct symbols *);
/*
 * Folds a bar in. Returns 0, or -1 when the table is full (write the
 * entries out, reset, and note the bar again).
 */
int	 symbols_note(struct symbols *, const struct bar *);

#endif /* SYMBOLS_H */
