/*
 * The keyless crypto venues (feeds.md §4): Coinbase Exchange, Kraken WS v2
 * and Binance spot. Frames to ticks, canonical symbols ("BTC-USD") to each
 * venue's and back, and the subscribe messages. Pure: no I/O, no clock
 * (recv_ns comes in), no logging; the same shape as polygon.h so the
 * collector treats every source alike.
 *
 * Each venue lives in its own file (coinbase.c, kraken.c, binance.c) behind
 * the venue_* calls below, which pick it by source. What they share is here:
 * the tokenized frame and the typed field readers, so each venue's file holds
 * only that venue's rules.
 *
 * Aggressor side, as each venue documents it (feeds.md §4):
 *   coinbase  "match".side is the MAKER's side: aggressor = the opposite
 *   kraken    trade.side is the TAKER's side: aggressor = side
 *   binance   trade.m "is the buyer the market maker": true -> SELL
 */
#ifndef VENUE_H
#define VENUE_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "jsontok.h"
#include "tick.h"

#define VENUE_MAX_FRAME		(4u * 1024 * 1024)
#define VENUE_SUBSCRIBE_MAX	65536	/* bytes of one subscribe message */

struct venue_parser {
	uint8_t		 source;	/* SOURCE_COINBASE, _KRAKEN, _BINANCE */
	struct jt	*tokens;	/* grown as needed */
	unsigned	 n_tokens;
};

/* A tokenized frame: tok[0] is the top-level value. */
struct venue_frame {
	const char	*js;
	const struct jt	*tok;
	int		 n;
};

/* Returns 0, or -1 for a source that is not a venue here or on ENOMEM. */
int		 venue_parser_init(struct venue_parser *, enum source);
void		 venue_parser_free(struct venue_parser *);

/*
 * Parses one whole frame and calls h for each tick and each status
 * message (subscription acknowledged: FSS_SUCCESS; the venue's error:
 * FSS_ERROR; the venue closing or restarting: FSS_FORCE_DISCONNECT).
 * Heartbeats and other control messages yield nothing and are not
 * counted as skipped. Adds to *c; returns as polygon_parse_frame does.
 */
enum feed_parse	 venue_parse_frame(struct venue_parser *, const char *frame,
		    size_t len, int64_t recv_ns, const struct feed_handler *h,
		    struct feed_counts *c);

/*
 * Canonical "BASE-QUOTE" (upper case, as the bus and the dashboard show
 * it) to the venue's own form, NUL-terminated into out[cap]; and back.
 * Both return the length, or -1 when the symbol cannot be mapped.
 */
int		 venue_symbol_to(enum source, const char *canonical,
		    char *out, size_t cap);
int		 venue_symbol_from(enum source, const char *venue_symbol,
		    size_t len, char *out, size_t cap);

/*
 * The text message(s) that subscribe to trades and best bid/ask for
 * symbols[0..n) (canonical form), NUL-terminated into out[cap]. Venues
 * whose subscription is in the URL return 0 (nothing to send). Returns
 * the length, or -1 when a symbol cannot be mapped or out is too small.
 */
int		 venue_subscribe_msg(enum source, const char *const *symbols,
		    size_t n, char *out, size_t cap);

/* ---- for the venue files ---- */

/* Tokenizes; FEED_OK, FEED_BAD_JSON or FEED_TOO_LARGE. */
enum feed_parse	 venue_tokenize(struct venue_parser *, const char *js,
		    size_t len, struct venue_frame *f);
/* The value token of key in the object at obj, or -1 when absent. */
int		 venue_key(const struct venue_frame *, int obj, const char *key);
/* Does the string token at i equal s exactly (no escapes)? */
int		 venue_str_is(const struct venue_frame *, int i, const char *s);
/*
 * Typed readers of the token at i (a number, or a number in a string):
 * a price in fixed point >= min, a size >= 0, an integer in [lo, hi].
 * FEED_OK, FEED_BAD_TYPE or FEED_BAD_VALUE.
 */
enum feed_parse	 venue_get_fixed(const struct venue_frame *, int i,
		    int64_t min, int64_t *out);
enum feed_parse	 venue_get_size(const struct venue_frame *, int i,
		    double *out);
enum feed_parse	 venue_get_int(const struct venue_frame *, int i,
		    int64_t lo, int64_t hi, int64_t *out);
/* A string of printable ASCII without escapes, NUL-terminated into
 * out[cap]; its length, or -1 (wrong type, empty, too long, bad byte). */
int		 venue_get_text(const struct venue_frame *, int i, char *out,
		    size_t cap);
/* A trade id: a string, or an integer kept as its text (flags a cut). */
enum feed_parse	 venue_get_trade_id(const struct venue_frame *, int i,
		    struct tick *);
/*
 * RFC 3339 UTC time "2021-10-02T20:34:01.789371Z" (any number of fraction
 * digits, up to nine kept; "Z" or "+00:00") to ns since the epoch, in the
 * string token at i. FEED_OK, FEED_BAD_TYPE or FEED_BAD_VALUE.
 */
enum feed_parse	 venue_get_rfc3339(const struct venue_frame *, int i,
		    int64_t *ns);
/* The same on bare text; 0 or -1. */
int		 venue_rfc3339_ns(const char *s, size_t len, int64_t *ns);
/* The value token of a required key of the object at obj:
 * FEED_OK, or FEED_MISSING_FIELD. */
enum feed_parse	 venue_need(const struct venue_frame *, int obj,
		    const char *key, int *i);
/* The venue's symbol at key of the object at obj, canonical into tk. */
enum feed_parse	 venue_get_symbol(const struct venue_parser *,
		    const struct venue_frame *, int obj, const char *key,
		    struct tick *);
/* Hands a tick or a status to h, counting it in *c. */
void		 venue_emit(const struct feed_handler *, struct feed_counts *,
		    const struct tick *);
void		 venue_status(const struct feed_handler *, struct feed_counts *,
		    enum feed_server_status, const char *text, size_t len);

/* A bounded text builder for the subscribe messages: err latches once
 * something does not fit; p is always NUL-terminated. */
struct venue_out {
	char	*p;
	size_t	 cap, len;
	int	 err;
};
void		 venue_put(struct venue_out *, const char *s, size_t n);
void		 venue_put_str(struct venue_out *, const char *s);
/* The message's length, or -1 (and p emptied) when something did not fit
 * or it exceeds VENUE_SUBSCRIBE_MAX. */
int		 venue_out_end(struct venue_out *);
/* ["SYM",...]: symbols[0..n) in the venue's form; a symbol that cannot
 * be mapped sets err. */
void		 venue_put_symbols(struct venue_out *, enum source,
		    const char *const *symbols, size_t n);

/* A fresh tick of kind for this parser's source, crypto, at recv_ns. */
void		 venue_tick_init(const struct venue_parser *, struct tick *,
		    enum tick_kind, int64_t recv_ns);

/* The venue files' entry points (venue.c dispatches on source). */
enum feed_parse	 coinbase_parse(struct venue_parser *,
		    const struct venue_frame *, int64_t recv_ns,
		    const struct feed_handler *, struct feed_counts *);
int		 coinbase_symbol_to(const char *, char *, size_t);
int		 coinbase_symbol_from(const char *, size_t, char *, size_t);
int		 coinbase_subscribe_msg(const char *const *, size_t, char *,
		    size_t);
enum feed_parse	 kraken_parse(struct venue_parser *,
		    const struct venue_frame *, int64_t recv_ns,
		    const struct feed_handler *, struct feed_counts *);
int		 kraken_symbol_to(const char *, char *, size_t);
int		 kraken_symbol_from(const char *, size_t, char *, size_t);
int		 kraken_subscribe_msg(const char *const *, size_t, char *,
		    size_t);
enum feed_parse	 binance_parse(struct venue_parser *,
		    const struct venue_frame *, int64_t recv_ns,
		    const struct feed_handler *, struct feed_counts *);
int		 binance_symbol_to(const char *, char *, size_t);
int		 binance_symbol_from(const char *, size_t, char *, size_t);
int		 binance_subscribe_msg(const char *const *, size_t, char *,
		    size_t);

#endif /* VENUE_H */
