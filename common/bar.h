/*
 * Bars, anomalies and side checks: what the aggregator publishes and the
 * store and web UI consume. Field names are the schema's (DESIGN.md
 * "Storage", docs/metrics.md). Prices are fixed point like ticks
 * (PRICE_SCALE); volumes are doubles.
 */
#ifndef BAR_H
#define BAR_H

#include <stdint.h>

#include "tick.h"

enum bar_state {
	BAR_NONE = 0,
	BAR_LIVE = 1,		/* a coalesced update of a bar still open */
	BAR_CLOSED = 2,		/* final, as far as the aggregator knows */
	BAR_CORRECTED = 3,	/* closed, then changed by late ticks */
	BAR_STATE_MAX
};

/* bar.flags */
#define BAR_F_GAP	0x0001	/* overlaps a feed outage, a bus gap, or
				 * the aggregator's own start: data may be
				 * missing, unlike a quiet bar */
#define BAR_F_LATE	0x0002	/* includes ticks that came after close */
#define BAR_F_NO_PRICE	0x0004	/* no trade could set open and close: OHLC
				 * are absent (quotes only, or only prints
				 * the tape rules keep from setting prices);
				 * vwap is there whenever volume is */
#define BAR_F_NO_SPREAD	0x0008	/* no usable quote was in effect: the
				 * spread fields are absent */

struct bar {
	char		 symbol[TICK_SYMBOL_LEN];
	uint8_t		 source;	/* enum source */
	uint8_t		 asset_class;	/* enum asset_class */
	uint8_t		 state;		/* enum bar_state */
	uint16_t	 flags;		/* BAR_F_* */
	uint32_t	 interval_s;
	uint32_t	 revision;	/* 0, then +1 at each correction */
	int64_t		 start_ms;	/* aligned to interval_s, UTC */

	int64_t		 open, high, low, close;	/* fixed point */
	int64_t		 vwap;				/* fixed point */
	double		 volume;
	double		 buy_volume;
	double		 sell_volume;
	uint32_t	 trades;	/* volume-eligible trades */
	uint32_t	 buy_trades;
	uint32_t	 sell_trades;
	uint32_t	 quotes;	/* quote updates inside the bar */

	int64_t		 spread_mean;	/* time-weighted, fixed point */
	int64_t		 spread_min;
	int64_t		 spread_max;
	double		 spread_bps;	/* time-weighted mean, bps of mid */

	double		 delta_min;	/* running buy - sell volume, */
	double		 delta_max;	/* its extremes inside the bar */

	uint32_t	 n_declared;	/* side from the feed */
	uint32_t	 n_inferred;	/* side from Lee-Ready */
	uint32_t	 n_unknown;	/* side not known */
	uint32_t	 n_compared;	/* declared and inferred both known */
	uint32_t	 n_agree;	/* ... and equal */
	uint32_t	 n_unknown_conditions;	/* trades with unlisted codes */

	int64_t		 first_ts_ns;	/* event time of the first tick */
	int64_t		 last_ts_ns;	/* ... and of the last */
	int64_t		 updated_ns;	/* wall clock at publication */
};

enum anomaly_kind {
	ANOMALY_NONE = 0,
	ANOMALY_VOLUME_SPIKE = 1,	/* robust z of volume vs recent bars */
	ANOMALY_VOLUME_SPIKE_TOD = 2,	/* ... vs the same minute of day */
	ANOMALY_PRICE_JUMP = 3,		/* return vs recent volatility */
	ANOMALY_SPREAD_BLOWOUT = 4,	/* spread vs its recent median */
	ANOMALY_ONE_SIDED_FLOW = 5,	/* |buy - sell| / (buy + sell) */
	ANOMALY_LARGE_TRADE = 6,	/* notional vs the recent distribution */
	ANOMALY_SIDE_INVERTED = 7,	/* a venue's declared side disagrees
					 * with the quote rule: likely an
					 * inverted code mapping */
	ANOMALY_KIND_MAX
};

struct anomaly {
	char		 symbol[TICK_SYMBOL_LEN];
	uint8_t		 source;
	uint8_t		 asset_class;
	uint8_t		 kind;		/* enum anomaly_kind */
	uint32_t	 interval_s;
	int64_t		 start_ms;	/* the bar it was found on */
	double		 score;		/* how far past normal, >= threshold */
	double		 value;		/* the measured quantity */
	double		 threshold;	/* the score it had to reach */
	int64_t		 ts_ns;		/* event time it refers to */
	uint32_t	 exchange;	/* SIDE_INVERTED, LARGE_TRADE: venue */
};

/*
 * Agreement of a venue's declared side with the quote rule, per symbol,
 * source and exchange, since the aggregator started (feeds.md §3.1).
 */
struct side_check {
	char		 symbol[TICK_SYMBOL_LEN];
	uint8_t		 source;
	uint8_t		 asset_class;
	uint8_t		 inverted;	/* 1: agreement far below one half */
	uint32_t	 exchange;
	uint64_t	 trades;	/* trades seen */
	uint64_t	 declared_buy;
	uint64_t	 declared_sell;
	uint64_t	 compared;	/* declared, with a usable quote */
	uint64_t	 agree;		/* quote rule gave the same side */
	uint64_t	 at_bid;	/* price <= bid */
	uint64_t	 at_ask;	/* price >= ask */
	uint64_t	 inside;	/* strictly between */
	int64_t		 updated_ns;
};

const char	*bar_state_name(int);
const char	*anomaly_kind_name(int);
int		 anomaly_kind_from_name(const char *);

#endif /* BAR_H */
