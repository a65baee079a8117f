/*
 * Coinbase Exchange's public feed, wss://ws-feed.exchange.coinbase.com
 * (feeds.md §4), to ticks. No key. Every frame is one JSON object routed
 * on its "type":
 *
 *   match, last_match  a trade (last_match is the latest match, sent once
 *                      right after the "matches" subscription; same shape)
 *   ticker             the best bid and ask -> a quote. Its price, side and
 *                      trade_id are the last match's, already a trade: no
 *                      trade is made from a ticker.
 *   heartbeat          nothing (its last_trade_id is not checked yet)
 *   subscriptions      FSS_SUCCESS; the text is the raw "channels" value
 *   error              FSS_ERROR; the text is "message: reason"
 *
 * Anything else is FEED_UNKNOWN_EV: "New message types can be added at any
 * time. Clients are expected to ignore messages they do not support"
 * (Coinbase's websocket overview), so such a message is counted and
 * skipped, never fatal. A frame that is not an object is FEED_NOT_OBJECT
 * (Coinbase never batches messages into an array).
 *
 * Aggressor side. Coinbase: "The side field indicates the maker order
 * side. If the side is sell this indicates the maker was a sell order and
 * the match is considered an up-tick. A buy side match is a down-tick."
 * So a match's "sell" is a buyer-initiated trade (SIDE_BUY) and "buy" a
 * seller-initiated one (SIDE_SELL). (The ticker's "side" is the taker's;
 * it is not used.) Any other value is FEED_BAD_VALUE.
 *
 * Fields. Prices and sizes are decimal strings on the wire; a JSON number
 * is taken too. A match needs product_id, trade_id, price (> 0), size
 * (>= 0), side and time. A ticker needs product_id, best_bid and best_ask
 * (>= 0: a zero or crossed quote goes out as it came, the aggregator
 * judges quotes); best_bid_size, best_ask_size and time may be absent or
 * null (the documented 2017 sample has no sizes): 0 and recv_ns then.
 * The first field that fails, in that order, is the reason counted.
 *
 * Times: ts_ns is the message's own "time" (RFC 3339 UTC, microseconds),
 * the time of the match; recv_ns only for a ticker without one.
 *
 * Symbols: Coinbase's product ids are the canonical form ("BTC-USD").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "venue.h"

#define SYMBOL_MAX	(TICK_SYMBOL_LEN - 1)
#define STATUS_TEXT_MAX	256	/* "message: reason", cut beyond */

/* ---- symbols ---- */

/*
 * "BASE-QUOTE": one dash, both sides 1 or more of A-Z 0-9 ("1INCH-USD"),
 * 23 bytes at most. With fold, a-z is taken and upper-cased.
 */
static int
symbol_copy(const char *s, size_t len, int fold, char *out, size_t cap)
{
	size_t k, dash = 0, dashes = 0;
	char ch;

	if (cap > 0)
		out[0] = '\0';
	if (len == 0 || len > SYMBOL_MAX || len >= cap)
		return -1;
	for (k = 0; k < len; k++) {
		ch = s[k];
		if (fold && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == '-') {
			dashes++;
			dash = k;
		} else if (!((ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')))
			return -1;
	}
	if (dashes != 1 || dash == 0 || dash == len - 1)
		return -1;
	for (k = 0; k < len; k++)
		out[k] = fold && s[k] >= 'a' && s[k] <= 'z' ?
		    (char)(s[k] - 'a' + 'A') : s[k];
	out[len] = '\0';
	return (int)len;
}

/*
 * The canonical form is upper case by definition: "btc-usd" is refused
 * here, so a configuration never differs from what the bus will carry.
 */
int
coinbase_symbol_to(const char *canonical, char *out, size_t cap)
{
	return symbol_copy(canonical, strlen(canonical), 0, out, cap);
}

/* From the wire: lower case is upper-cased (Coinbase sends upper case). */
int
coinbase_symbol_from(const char *s, size_t len, char *out, size_t cap)
{
	return symbol_copy(s, len, 1, out, cap);
}

/* ---- the subscribe message ---- */

/*
 * feeds.md §4: {"type":"subscribe","product_ids":[...],"channels":
 * ["matches","ticker","heartbeat"]}, one message. No symbol: -1 (Coinbase
 * would answer an error and close the connection after 5 s).
 */
int
coinbase_subscribe_msg(const char *const *symbols, size_t n, char *out,
    size_t cap)
{
	struct venue_out o = { out, cap, 0, 0 };

	if (cap > 0)
		out[0] = '\0';
	if (n == 0)
		return -1;
	venue_put_str(&o, "{\"type\":\"subscribe\",\"product_ids\":");
	venue_put_symbols(&o, SOURCE_COINBASE, symbols, n);
	venue_put_str(&o,
	    ",\"channels\":[\"matches\",\"ticker\",\"heartbeat\"]}");
	return venue_out_end(&o);
}

/* ---- fields ---- */

/* The value of an optional key; -1 when absent or null. */
static int
opt(const struct venue_frame *f, const char *key)
{
	int i = venue_key(f, 0, key);

	return i >= 0 && f->tok[i].type != JT_NULL ? i : -1;
}

/* The maker's side to the aggressor's (see the top of this file). */
static enum feed_parse
get_side(const struct venue_frame *f, int i, struct tick *tk)
{
	if (venue_str_is(f, i, "sell"))
		tk->side = SIDE_BUY;
	else if (venue_str_is(f, i, "buy"))
		tk->side = SIDE_SELL;
	else
		return f->tok[i].type == JT_STRING ? FEED_BAD_VALUE :
		    FEED_BAD_TYPE;
	return FEED_OK;
}

/* ---- messages ---- */

/* match and last_match. */
static enum feed_parse
match_msg(const struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int i;

	venue_tick_init(vp, &tk, TICK_TRADE, recv_ns);
	if ((st = venue_get_symbol(vp, f, 0, "product_id", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "trade_id", &i)) != FEED_OK ||
	    (st = venue_get_trade_id(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "price", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 1, &tk.price)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "size", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.size)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "side", &i)) != FEED_OK ||
	    (st = get_side(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "time", &i)) != FEED_OK ||
	    (st = venue_get_rfc3339(f, i, &tk.ts_ns)) != FEED_OK)
		return st;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

static enum feed_parse
ticker_msg(const struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int i;

	venue_tick_init(vp, &tk, TICK_QUOTE, recv_ns);
	if ((st = venue_get_symbol(vp, f, 0, "product_id", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "best_bid", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.bid)) != FEED_OK)
		return st;
	if ((st = venue_need(f, 0, "best_ask", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.ask)) != FEED_OK)
		return st;
	if ((i = opt(f, "best_bid_size")) >= 0 &&
	    (st = venue_get_size(f, i, &tk.bid_size)) != FEED_OK)
		return st;
	if ((i = opt(f, "best_ask_size")) >= 0 &&
	    (st = venue_get_size(f, i, &tk.ask_size)) != FEED_OK)
		return st;
	if ((i = opt(f, "time")) >= 0 &&
	    (st = venue_get_rfc3339(f, i, &tk.ts_ns)) != FEED_OK)
		return st;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

/* n bytes appended to buf[*len], cut at cap - 1. */
static void
append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
}

/* A non-empty string's raw content, or NULL. */
static const char *
text_of(const struct venue_frame *f, int i, size_t *n)
{
	const struct jt *t;

	if (i < 0 || (t = &f->tok[i])->type != JT_STRING ||
	    t->end == t->start)
		return NULL;
	*n = (size_t)(t->end - t->start);
	return f->js + t->start;
}

/*
 * {"type":"error","message":"Failed to subscribe","reason":"..."}: both
 * texts joined by ": "; either may be missing (the docs promise only
 * "message").
 */
static enum feed_parse
error_msg(const struct venue_frame *f, const struct feed_handler *h,
    struct feed_counts *c)
{
	char text[STATUS_TEXT_MAX];
	const char *m, *r;
	size_t len = 0, mn = 0, rn = 0;

	m = text_of(f, venue_key(f, 0, "message"), &mn);
	r = text_of(f, venue_key(f, 0, "reason"), &rn);
	if (m != NULL)
		append(text, sizeof(text), &len, m, mn);
	if (m != NULL && r != NULL)
		append(text, sizeof(text), &len, ": ", 2);
	if (r != NULL)
		append(text, sizeof(text), &len, r, rn);
	venue_status(h, c, FSS_ERROR, text, len);
	return FEED_OK;
}

/* The acknowledgement lists every channel now subscribed. */
static enum feed_parse
subscriptions_msg(const struct venue_frame *f, const struct feed_handler *h,
    struct feed_counts *c)
{
	int i = venue_key(f, 0, "channels");

	if (i < 0)
		venue_status(h, c, FSS_SUCCESS, "", 0);
	else
		venue_status(h, c, FSS_SUCCESS, f->js + f->tok[i].start,
		    (size_t)(f->tok[i].end - f->tok[i].start));
	return FEED_OK;
}

enum feed_parse
coinbase_parse(struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	enum feed_parse st;
	int ty;

	if (f->tok[0].type != JT_OBJECT) {
		c->skipped[FEED_NOT_OBJECT]++;
		return FEED_NOT_OBJECT;
	}
	c->events++;
	ty = venue_key(f, 0, "type");
	if (ty < 0 || f->tok[ty].type != JT_STRING)
		st = FEED_NO_EV;
	else if (venue_str_is(f, ty, "match") ||
	    venue_str_is(f, ty, "last_match"))
		st = match_msg(vp, f, recv_ns, h, c);
	else if (venue_str_is(f, ty, "ticker"))
		st = ticker_msg(vp, f, recv_ns, h, c);
	else if (venue_str_is(f, ty, "heartbeat"))
		st = FEED_OK;
	else if (venue_str_is(f, ty, "subscriptions"))
		st = subscriptions_msg(f, h, c);
	else if (venue_str_is(f, ty, "error"))
		st = error_msg(f, h, c);
	else
		st = FEED_UNKNOWN_EV;
	if (st != FEED_OK)
		c->skipped[st]++;
	return FEED_OK;
}
