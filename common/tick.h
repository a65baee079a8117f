/*
 * A tick: one normalized market event (trade, quote, the feed's own bar, or
 * a feed status change), as every collector produces it and every consumer
 * reads it. The field names are the contract of DESIGN.md "The bus": the same
 * words appear in C, in bustap's JSON lines and in docs/bus.md.
 *
 * Prices are fixed point: int64 in units of 1e-9 (PRICE_SCALE), exact for
 * every decimal a feed sends with up to nine fraction digits, so the quote
 * rule can compare a trade with the midpoint without rounding. Sizes are
 * doubles: a meme coin's trade can exceed what fixed point would hold.
 */
#ifndef TICK_H
#define TICK_H

#include <stdint.h>

#define PRICE_SCALE		1000000000LL	/* price units per 1.0 */
#define NS_PER_MS		1000000LL
#define NS_PER_S		1000000000LL

#define TICK_SYMBOL_LEN		24	/* with the NUL */
#define TICK_TRADE_ID_LEN	40	/* a UUID (36) fits */
#define TICK_MAX_CONDITIONS	8

enum tick_kind {
	TICK_NONE = 0,
	TICK_TRADE = 1,
	TICK_QUOTE = 2,
	TICK_FEED_BAR = 3,	/* the feed's own aggregate, for cross-checks */
	TICK_STATUS = 4,	/* the collector's connection state changed */
	TICK_KIND_MAX
};

/* The aggressor, as the feed declares it; never guessed by a collector. */
enum side {
	SIDE_UNKNOWN = 0,
	SIDE_BUY = 1,
	SIDE_SELL = 2,
	SIDE_MAX
};

enum asset_class {
	ASSET_UNKNOWN = 0,
	ASSET_STOCK = 1,
	ASSET_CRYPTO = 2,
	ASSET_MAX
};

enum source {
	SOURCE_UNKNOWN = 0,
	SOURCE_DEMO = 1,	/* feedsim: simulated data */
	SOURCE_POLYGON = 2,
	SOURCE_COINBASE = 3,
	SOURCE_KRAKEN = 4,
	SOURCE_BINANCE = 5,
	SOURCE_MAX
};

/* Connection states a collector reports in TICK_STATUS ticks. */
enum feed_status {
	FEED_NONE = 0,
	FEED_CONNECTED = 1,	/* socket open, not yet authenticated */
	FEED_LIVE = 2,		/* authenticated and subscribed */
	FEED_DISCONNECTED = 3,	/* socket closed; data may be missing */
	FEED_AUTH_FAILED = 4,	/* the server refused the key */
	FEED_STALLED = 5,	/* no data for longer than the stall limit */
	FEED_KICKED = 6,	/* the server said max_connections etc. */
	FEED_STATUS_MAX
};

/* tick.flags */
#define TICK_F_CONDITIONS_TRUNCATED	0x0001	/* more than 8 codes sent */
#define TICK_F_TRADE_ID_TRUNCATED	0x0002	/* id longer than 39 bytes */

struct tick {
	uint8_t		 kind;		/* enum tick_kind */
	uint8_t		 side;		/* enum side */
	uint8_t		 asset_class;	/* enum asset_class */
	uint8_t		 source;	/* enum source */
	uint8_t		 tape;		/* stocks: 1 A (NYSE), 2 B, 3 C (Nasdaq) */
	uint8_t		 n_conditions;
	uint8_t		 status;	/* enum feed_status, TICK_STATUS only */
	uint16_t	 flags;		/* TICK_F_* */
	uint32_t	 exchange;	/* trade: venue; quote: bid venue */
	uint32_t	 ask_exchange;	/* quote: ask venue */
	int64_t		 ts_ns;		/* event time from the feed */
	int64_t		 recv_ns;	/* when the collector read the frame */
	char		 symbol[TICK_SYMBOL_LEN];
	char		 trade_id[TICK_TRADE_ID_LEN];
	uint16_t	 conditions[TICK_MAX_CONDITIONS];

	/* TICK_TRADE */
	int64_t		 price;
	double		 size;

	/* TICK_QUOTE */
	int64_t		 bid;
	double		 bid_size;
	int64_t		 ask;
	double		 ask_size;

	/* TICK_FEED_BAR: [ts_ns, end_ns) */
	int64_t		 open;
	int64_t		 high;
	int64_t		 low;
	int64_t		 close;
	int64_t		 vwap;
	double		 volume;
	int64_t		 end_ns;
};

/*
 * Names used in JSON, logs and docs. Each returns "?" for a value out of
 * range; each *_from_name returns -1 for an unknown name.
 */
const char	*tick_kind_name(int);
const char	*side_name(int);
const char	*asset_class_name(int);
const char	*source_name(int);
const char	*feed_status_name(int);
int		 tick_kind_from_name(const char *);
int		 side_from_name(const char *);
int		 asset_class_from_name(const char *);
int		 source_from_name(const char *);
int		 feed_status_from_name(const char *);

#endif /* TICK_H */
