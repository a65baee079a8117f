/*
 * A synthetic market for one Polygon/Massive cluster (stocks or crypto):
 * the events a feed would send, in the order and at the times it would
 * send them. Pure: no I/O, no clock, no logging. Time is virtual and
 * starts at cfg.start_ns; the caller asks for events up to a time of its
 * choosing. The same configuration always yields the same stream, event
 * for event and timestamp for timestamp ("same seed, same stream").
 *
 * The model (docs/feedsim.md "The synthetic market"):
 *  - arrivals are Poisson with an intensity that switches between a calm
 *    and a burst regime (cfg.burst times the mean; 1: steady), so
 *    activity comes in bursts; quotes are about three times as frequent
 *    as trades;
 *  - each symbol's fair value is a random walk whose variance follows
 *    GARCH(1,1), so large moves cluster;
 *  - quotes are the fair value rounded to the tick (0.01 for stocks at
 *    or above $1; by price level for crypto) with a spread of one or more
 *    ticks that widens when variance is high; crypto has one quote per
 *    venue (XQ "x");
 *  - trades print at the quote: a buyer-initiated one at the ask, a
 *    seller-initiated one at the bid, a few inside (stock midpoint prints
 *    on the TRF, exchange 4; crypto trades with no declared side); sizes
 *    are Pareto-distributed, so heavy-tailed;
 *  - crypto XT conditions follow Massive's documented meaning (feeds.md
 *    §3.1): [2] "Buy Side" = bought at the ask, [1] "Sell Side" = sold at
 *    the bid, [0] or none = no side;
 *  - minute aggregates (AM, XA) are computed from the market's own trades
 *    (stocks: only what the consolidated rules of feeds.md §3.2 let
 *    through) and sent when the minute is over, for the symbols that
 *    traded in it.
 */
#ifndef MARKET_H
#define MARKET_H

#include <stdint.h>

#define MARKET_MAX_SYMBOLS	4096
#define MARKET_SYM_LEN		24	/* with the NUL */
#define MARKET_MAX_CONDS	4
#define MARKET_MAX_VENUES	4
/* Crypto sizes are integers in units of 1e-8 (a satoshi for BTC). */
#define MARKET_SIZE_SCALE	100000000LL
#define MARKET_SIZE_DIGITS	8
/* Prices are integers in units of 1e-9, as tick.h's PRICE_SCALE. */
#define MARKET_PRICE_DIGITS	9
/* The largest cfg.burst: bursts take 1/7 of the time. */
#define MARKET_BURST_MAX	6.0
/* How much later than its event time a crypto event may be sent (r - t). */
#define MARKET_CRYPTO_MAX_LAT_MS 200

/* Also the subscription index: T/XT = 0, Q/XQ = 1, AM/XA = 2. */
enum market_kind {
	MKT_TRADE = 0,
	MKT_QUOTE = 1,
	MKT_AGG = 2,
	MKT_KIND_MAX
};

struct market_trade {
	int64_t		 price;		/* 1e-9 units */
	int64_t		 size;		/* stocks: shares; crypto: 1e-8 */
	uint64_t	 id_hi, id_lo;	/* crypto: UUID bits; stocks: id_lo */
	int64_t		 trf_ms;	/* stocks on exchange 4: trft */
	uint16_t	 trf_id;	/* stocks on exchange 4: trfi; else 0 */
	uint8_t		 exchange;
	uint8_t		 side;		/* enum side: the generator's truth */
	uint8_t		 n_cond;	/* 0: "c" is omitted */
	uint8_t		 cond[MARKET_MAX_CONDS];
};

struct market_quote {
	int64_t		 bid, ask;	/* 1e-9 units */
	int64_t		 bid_size;	/* stocks: shares; crypto: 1e-8 */
	int64_t		 ask_size;
	uint8_t		 bid_exchange;	/* crypto: the venue, both sides */
	uint8_t		 ask_exchange;
	int16_t		 cond;		/* stocks "c"; -1: omitted */
	uint16_t	 indicator;	/* stocks "i":[n]; 0: omitted */
};

/* One minute, [start_ms, end_ms). */
struct market_agg {
	int64_t		 open, high, low, close;
	int64_t		 vwap;		/* window VWAP, rounded as sent */
	int64_t		 volume;	/* stocks: shares; crypto: 1e-8 */
	int64_t		 avg_size;	/* "z": volume / trades, rounded */
	int64_t		 day_volume;	/* stocks "av" */
	int64_t		 day_open;	/* stocks "op" */
	int64_t		 day_vwap;	/* stocks "a" */
	int64_t		 start_ms, end_ms;
	uint32_t	 n_trades;	/* volume-eligible trades */
};

struct market_event {
	uint8_t		 kind;		/* enum market_kind */
	uint8_t		 asset;		/* ASSET_STOCK or ASSET_CRYPTO */
	uint8_t		 tape;		/* stocks "z" on T and Q */
	uint16_t	 sym;		/* index into the symbol list */
	const char	*name;		/* the symbol; lives as the market */
	int64_t		 send_ns;	/* when the feed sends it */
	int64_t		 ts_ms;		/* "t": SIP (stocks) or venue time */
	int64_t		 recv_ms;	/* crypto "r" */
	uint64_t	 seq;		/* stocks "q" */
	union {
		struct market_trade	 trade;
		struct market_quote	 quote;
		struct market_agg	 agg;
	} u;
};

struct market_cfg {
	int		 asset;		/* ASSET_STOCK or ASSET_CRYPTO */
	const char	*const *names;	/* symbols of that asset class */
	int		 n_names;	/* 0 .. MARKET_MAX_SYMBOLS */
	uint64_t	 seed;
	double		 rate;		/* trades + quotes per second, > 0 */
	double		 burst;		/* burst intensity / mean, 1 .. max */
	int64_t		 start_ns;	/* virtual time of the first instant */
	/*
	 * The --flood fault: flood_rate more trades and quotes per second
	 * for the symbol named flood (one of names), a steady Poisson
	 * stream on top of the market's, drawn from a random stream of its
	 * own so that every other symbol's events stay exactly those of
	 * the same market without a flood. NULL or a rate <= 0: none.
	 */
	const char	*flood;
	double		 flood_rate;
};

struct msym;

struct market {
	int		 asset;
	int		 n_syms;
	struct msym	*syms;
	double		*cum_weight;	/* for picking a symbol */
	uint64_t	 rng[4];
	double		 spare_normal;
	int		 has_spare;
	double		 rate, burst_mult, calm_mult;
	int		 burst;		/* the current regime */
	int64_t		 regime_end_ns;
	int64_t		 now_ns;	/* time of the last event */
	int64_t		 next_ns;	/* time of the next trade or quote */
	int64_t		 window;	/* oldest open minute, ms / 60000 */
	int64_t		 close_ns;	/* when that minute's aggregates go */
	int		 agg_cursor;	/* next symbol to check; -1: idle */
	/* The flood (market_cfg): its symbol or -1, its own generator. */
	int		 flood_sym;
	double		 flood_rate;
	int64_t		 flood_next_ns;	/* INT64_MAX: no flood */
	uint64_t	 flood_rng[4];
	double		 flood_spare;
	int		 flood_has_spare;
	uint64_t	 n_flood;	/* flood events generated */
};

/*
 * Sets m up for cfg. Allocates the per-symbol state once (nothing more is
 * allocated later). Returns 0, or -1 when cfg is invalid (bad asset,
 * names too long or too many, rate <= 0, a flood symbol not among the
 * names) or memory runs out.
 */
int	 market_init(struct market *m, const struct market_cfg *cfg);
void	 market_free(struct market *m);

/* When the next event is due; INT64_MAX when the market has no symbol. */
int64_t	 market_peek_ns(const struct market *m);

/*
 * Writes the next event into *ev and returns 0; -1 when the market has
 * no symbol. Events come in send_ns order.
 */
int	 market_next(struct market *m, struct market_event *ev);

#endif /* MARKET_H */
