/*
 * The keyless crypto venues feedsim also speaks (docs/feedsim.md
 * "Venue paths", research/feeds.md §4): Coinbase Exchange on /coinbase,
 * Kraken WS v2 on /kraken, Binance spot on /binance. Pure: the JSON each
 * venue sends for a market event, the venues' ids and running figures,
 * and the parsing of a client's subscribe messages (with jansson). No
 * I/O, no clock: times come in as arguments. Shares nothing with the
 * collectors' venue parsers on purpose (DESIGN.md).
 *
 * Writers take a cursor, return the cursor after what they wrote, and
 * need VENUE_MSG_MAX bytes of room, unchecked (as encode.h).
 */
#ifndef VENUES_H
#define VENUES_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"

enum venue {
	VENUE_COINBASE = 0,
	VENUE_KRAKEN,
	VENUE_BINANCE,
	VENUE_MAX
};

/*
 * Channels, used as the subs.h kind index of a venue connection:
 *  VCH_TRADE  coinbase "matches", kraken "trade", binance "@trade"
 *  VCH_QUOTE  coinbase "ticker", kraken "ticker" with event_trigger
 *             "bbo", binance "@bookTicker"
 *  VCH_OTHER  coinbase "heartbeat", kraken "ticker" on trades (the
 *             default event_trigger)
 */
#define VCH_TRADE	0
#define VCH_QUOTE	1
#define VCH_OTHER	2

#define VENUE_MSG_MAX	1024	/* the longest message a writer makes */
#define VENUE_SYM_MAX	32	/* a wire symbol, with the NUL */
#define VREQ_MAX	1024	/* (channel, symbol) items per request */
#define VREQ_ID_MAX	72	/* an echoed id as JSON text, with the NUL */

/*
 * The /crypto exchange (XT/XQ "x") each venue path serves: Coinbase 1 and
 * Kraken 23 as Polygon numbers them; Binance, absent from the market's
 * four, takes Bitfinex's 2.
 */
int	 venue_exchange(enum venue);

/* The exchange of a trade or quote event (quotes: the bid's). */
int	 market_event_exchange(const struct market_event *);

/* What each venue calls a symbol of ours, and how it sorts. */
const char *venue_name(enum venue);

/*
 * A crypto pair "BASE-QUOTE" as the venue writes it: coinbase
 * "BTC-USD"; kraken "BTC/USD"; binance "BTCUSDT" (USD becomes USDT:
 * Binance has no USD pairs), lower case when lower is set (stream
 * names). Returns -1 when it does not fit in cap.
 */
int	 venue_wire(enum venue, const char *canon, int lower, char *out,
	    size_t cap);

/*
 * One symbol's running state, shared by every connection so that the
 * same trade has the same id everywhere: per-venue counters, the last
 * quote and trade, and figures since feedsim started (Kraken's and
 * Coinbase's "24h" fields).
 */
struct venue_sym {
	uint64_t	 seq;		/* coinbase sequence: every event */
	uint64_t	 trades;	/* trade_id (all venues), binance t */
	uint64_t	 book_updates;	/* binance bookTicker u */
	int64_t		 bid, ask, bid_size, ask_size;
	int64_t		 last, last_size, open, high, low;
	int64_t		 volume;	/* 1e-8 units */
	double		 notional;	/* sum of price * size, for vwap */
	uint8_t		 last_side;	/* enum side of the aggressor */
	uint8_t		 have_quote, have_trade;
};

/* Counts ev into s; call once per event, before writing it. */
void	 venue_update(struct venue_sym *s, const struct market_event *ev);

/*
 * The aggressor's side of a trade, SIDE_BUY or SIDE_SELL: the market's
 * own, or, for the few trades /crypto sends without one, a side taken
 * from the trade id's low bit (a venue always names one).
 */
int	 venue_side(const struct market_trade *t);

/* "2021-10-02T20:34:01.789000Z" from Unix ms. */
char	*venue_time(char *p, int64_t ms);

/*
 * v * 10^-scale in plain decimal (never an exponent), trailing zeros
 * dropped but at least min_frac fraction digits kept.
 */
char	*venue_fixed(char *p, int64_t v, int scale, int min_frac);

/* Data messages: one JSON object each. wire is the venue's symbol. */
char	*coinbase_match(char *p, const struct market_event *ev,
	    const struct venue_sym *s);
char	*coinbase_ticker(char *p, const struct market_event *ev,
	    const struct venue_sym *s);
char	*coinbase_heartbeat(char *p, const char *product,
	    const struct venue_sym *s, int64_t now_ms);
char	*kraken_trade(char *p, const struct market_event *ev,
	    const struct venue_sym *s, const char *wire);
char	*kraken_ticker(char *p, const struct venue_sym *s, const char *wire);
char	*binance_trade(char *p, const struct market_event *ev,
	    const struct venue_sym *s, const char *wire);
char	*binance_book(char *p, const struct venue_sym *s, const char *wire);

/* A client's request, parsed. */
enum vreq_op {
	VREQ_SUBSCRIBE = 0,
	VREQ_UNSUBSCRIBE,
	VREQ_PING,		/* kraken */
	VREQ_LIST,		/* binance LIST_SUBSCRIPTIONS */
	VREQ_BAD		/* error holds why; code (binance) too */
};

struct vreq_item {
	uint8_t		 chan;		/* VCH_* */
	int32_t		 sym;		/* index into names; -1: unknown */
	char		 wire[VENUE_SYM_MAX];	/* as the client wrote it */
};

struct vreq {
	int		 op;		/* enum vreq_op */
	int		 code;		/* binance error code */
	char		 method[24];	/* kraken: the method, for errors */
	char		 id[VREQ_ID_MAX];	/* req_id / id as JSON; "" none */
	char		 error[160];
	int		 snapshot;	/* kraken "snapshot" (default 1) */
	int		 n;
	struct vreq_item item[VREQ_MAX];
};

/*
 * Parses a client message of venue v against the venue's wire names of
 * our symbols (names[i] is symbol i). Coinbase and Binance fail a whole
 * request with an unknown channel or product (op VREQ_BAD); Kraken
 * answers each symbol, so its unknown symbols come back as items with
 * sym -1. Coinbase "unsubscribe" from a channel with no product ids
 * gives one item with sym -1 and an empty wire: every product.
 */
void	 venue_parse(enum venue v, const char *msg, size_t len,
	    const char *const *names, int n_names, struct vreq *r);

#endif /* VENUES_H */
