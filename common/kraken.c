/*
 * Kraken's public WebSocket v2 feed, wss://ws.kraken.com/v2 (feeds.md §4),
 * to ticks. No key. Every frame is one JSON object: a channel message
 * routed on its "channel", or the answer to a request routed on its
 * "method" (docs.kraken.com/api/docs/websocket-v2/...):
 *
 *   trade       {"channel":"trade","type":"snapshot"|"update","data":[..]}
 *               one trade per element. The snapshot's trades (the last 50,
 *               sent after subscribing) are real past trades: emitted like
 *               the rest; the aggregator dedups by trade id.
 *   ticker      {"channel":"ticker","type":..,"data":[{symbol,bid,bid_qty,
 *               ask,ask_qty,last,...}]}: one quote per element. Subscribed
 *               with "event_trigger":"bbo" ("on a change in the
 *               best-bid-offer price levels"); its last/volume/vwap are
 *               not used.
 *   heartbeat   {"channel":"heartbeat"}: nothing
 *   status      {"channel":"status","data":[{"system":"online",...}]}:
 *               nothing while "online"; any other system state
 *               (maintenance, cancel_only, post_only) is FSS_OTHER with
 *               that word as its text
 *   method      {"method":"subscribe"|"unsubscribe","success":true,
 *               "result":{..},..}: FSS_SUCCESS, the text the raw "result"
 *               object; "success":false: FSS_ERROR with the "error" text.
 *               Any other method (Kraken answers a malformed request with
 *               "method":"error") that failed is FSS_ERROR too; "pong" is
 *               nothing.
 *
 * Any other channel or method is FEED_UNKNOWN_EV (counted, skipped, never
 * fatal); an object with neither is FEED_NO_EV, unless it is a bare
 * {"error":..,"success":false}, an FSS_ERROR. A frame that is not an object
 * is FEED_NOT_OBJECT, an element of "data" that is not one likewise.
 *
 * Events: a trade or ticker message carrying N elements in "data" counts
 * N events (an empty snapshot none); every other message counts one.
 *
 * Aggressor side. Kraken: "side: The side of the taker order" (trade
 * channel, docs.kraken.com/api/docs/websocket-v2/trade; v1: "Taker side").
 * The taker is the aggressor: "buy" is SIDE_BUY, "sell" SIDE_SELL. Any
 * other value is FEED_BAD_VALUE.
 *
 * Fields. Prices and quantities are JSON numbers on the wire; a number in
 * a string is taken too. A trade needs symbol, trade_id (an integer,
 * "sequence number, unique per book"), price (> 0), qty (>= 0), side and
 * timestamp. A quote needs symbol, bid and ask (>= 0: a zero or crossed
 * quote goes out as it came, the aggregator judges quotes), bid_qty and
 * ask_qty (>= 0); its "timestamp" may be absent or null (older versions
 * of the channel had none). The first field that fails, in that order, is
 * the reason counted.
 *
 * Times: a trade's ts_ns is its "timestamp" (RFC 3339 UTC, microseconds),
 * the time of the match. A quote's is its "timestamp" when the ticker
 * carries one, else recv_ns.
 *
 * Symbols: Kraken v2 writes "BTC/USD"; the canonical form is "BTC-USD".
 * v2 names bitcoin BTC, where v1 and the REST API say XBT: a wire "XBT"
 * (either side of the slash) is taken as BTC, and a canonical "XBT-..."
 * is sent as "BTC/...", so the bus only ever carries BTC.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "venue.h"

#define SYMBOL_MAX	(TICK_SYMBOL_LEN - 1)

/* ---- symbols ---- */

/*
 * s[0, len) as BASE<sep>QUOTE: exactly one sep, both sides 1 or more of
 * A-Z 0-9 (a-z too, upper-cased, when fold), a side that is exactly "XBT"
 * written "BTC", joined by osep into out. 23 bytes at most either way.
 */
static int
symbol_map(const char *s, size_t len, char sep, char osep, int fold,
    char *out, size_t cap)
{
	char buf[TICK_SYMBOL_LEN];
	size_t k, at = 0, seps = 0, base, quote;
	char ch;

	if (cap > 0)
		out[0] = '\0';
	/* XBT and BTC are as long: out is as long as s. */
	if (len == 0 || len > SYMBOL_MAX || len >= cap)
		return -1;
	for (k = 0; k < len; k++) {
		ch = s[k];
		if (fold && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == sep) {
			seps++;
			at = k;
		} else if (!((ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')))
			return -1;
		buf[k] = ch;
	}
	if (seps != 1 || at == 0 || at == len - 1)
		return -1;
	base = at;
	quote = len - at - 1;
	memcpy(out, base == 3 && memcmp(buf, "XBT", 3) == 0 ? "BTC" : buf,
	    base);
	out[base] = osep;
	memcpy(out + base + 1, quote == 3 && memcmp(buf + at + 1, "XBT",
	    3) == 0 ? "BTC" : buf + at + 1, quote);
	out[len] = '\0';
	return (int)len;
}

/*
 * The canonical form is upper case by definition: "btc-usd" is refused,
 * so a configuration never differs from what the bus will carry.
 */
int
kraken_symbol_to(const char *canonical, char *out, size_t cap)
{
	return symbol_map(canonical, strlen(canonical), '-', '/', 0, out,
	    cap);
}

/* From the wire: lower case is upper-cased (Kraken sends upper case). */
int
kraken_symbol_from(const char *s, size_t len, char *out, size_t cap)
{
	return symbol_map(s, len, '/', '-', 1, out, cap);
}

/* ---- the subscribe messages ---- */

/*
 * Two messages, as feeds.md §4 shows them: the trade channel (no
 * snapshot) and the ticker on every best-bid-offer change (with its
 * default snapshot, the current quote):
 *   {"method":"subscribe","params":{"channel":"trade","symbol":[...],
 *   "snapshot":false}}
 *   {"method":"subscribe","params":{"channel":"ticker","symbol":[...],
 *   "event_trigger":"bbo"}}
 * separated by one '\n' (neither contains one): the caller sends each
 * line as its own text frame. No symbol: -1.
 */
int
kraken_subscribe_msg(const char *const *symbols, size_t n, char *out,
    size_t cap)
{
	struct venue_out o = { out, cap, 0, 0 };

	if (cap > 0)
		out[0] = '\0';
	if (n == 0)
		return -1;
	venue_put_str(&o, "{\"method\":\"subscribe\",\"params\":{\"channel\":"
	    "\"trade\",\"symbol\":");
	venue_put_symbols(&o, SOURCE_KRAKEN, symbols, n);
	venue_put_str(&o, ",\"snapshot\":false}}\n{\"method\":\"subscribe\","
	    "\"params\":{\"channel\":\"ticker\",\"symbol\":");
	venue_put_symbols(&o, SOURCE_KRAKEN, symbols, n);
	venue_put_str(&o, ",\"event_trigger\":\"bbo\"}}");
	return venue_out_end(&o);
}

/* ---- fields ---- */

/* The taker's side is the aggressor's (see the top of this file). */
static enum feed_parse
get_side(const struct venue_frame *f, int i, struct tick *tk)
{
	if (venue_str_is(f, i, "buy"))
		tk->side = SIDE_BUY;
	else if (venue_str_is(f, i, "sell"))
		tk->side = SIDE_SELL;
	else
		return f->tok[i].type == JT_STRING ? FEED_BAD_VALUE :
		    FEED_BAD_TYPE;
	return FEED_OK;
}

/* ---- messages ---- */

/* A raw token's text: a string's content, a container's whole JSON. */
static const char *
raw(const struct venue_frame *f, int i, size_t *n)
{
	if (i < 0) {
		*n = 0;
		return "";
	}
	*n = (size_t)(f->tok[i].end - f->tok[i].start);
	return f->js + f->tok[i].start;
}

/* One element of a trade message's data. */
static enum feed_parse
trade_one(const struct venue_parser *vp, const struct venue_frame *f,
    int obj, int64_t recv_ns, const struct feed_handler *h,
    struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int i;

	if (f->tok[obj].type != JT_OBJECT)
		return FEED_NOT_OBJECT;
	venue_tick_init(vp, &tk, TICK_TRADE, recv_ns);
	if ((st = venue_get_symbol(vp, f, obj, "symbol", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "trade_id", &i)) != FEED_OK ||
	    (st = venue_get_trade_id(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "price", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 1, &tk.price)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "qty", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.size)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "side", &i)) != FEED_OK ||
	    (st = get_side(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "timestamp", &i)) != FEED_OK ||
	    (st = venue_get_rfc3339(f, i, &tk.ts_ns)) != FEED_OK)
		return st;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

/* One element of a ticker message's data. */
static enum feed_parse
ticker_one(const struct venue_parser *vp, const struct venue_frame *f,
    int obj, int64_t recv_ns, const struct feed_handler *h,
    struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int i;

	if (f->tok[obj].type != JT_OBJECT)
		return FEED_NOT_OBJECT;
	venue_tick_init(vp, &tk, TICK_QUOTE, recv_ns);
	if ((st = venue_get_symbol(vp, f, obj, "symbol", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "bid", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.bid)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "bid_qty", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.bid_size)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "ask", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.ask)) != FEED_OK)
		return st;
	if ((st = venue_need(f, obj, "ask_qty", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.ask_size)) != FEED_OK)
		return st;
	if ((i = venue_key(f, obj, "timestamp")) >= 0 &&
	    f->tok[i].type != JT_NULL &&
	    (st = venue_get_rfc3339(f, i, &tk.ts_ns)) != FEED_OK)
		return st;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

typedef enum feed_parse (*one_fn)(const struct venue_parser *,
    const struct venue_frame *, int, int64_t, const struct feed_handler *,
    struct feed_counts *);

/* A trade or ticker message: one event and one result per element. */
static void
data_msg(const struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c,
    one_fn one)
{
	enum feed_parse st;
	int d, i, k;

	d = venue_key(f, 0, "data");
	if (d < 0 || f->tok[d].type != JT_ARRAY) {
		c->events++;
		c->skipped[d < 0 ? FEED_MISSING_FIELD : FEED_BAD_TYPE]++;
		return;
	}
	for (i = d + 1, k = 0; k < f->tok[d].size; k++, i = f->tok[i].next) {
		c->events++;
		if ((st = one(vp, f, i, recv_ns, h, c)) != FEED_OK)
			c->skipped[st]++;
	}
}

/* The trading engine's state: news only when it is not "online". */
static enum feed_parse
status_msg(const struct venue_frame *f, const struct feed_handler *h,
    struct feed_counts *c)
{
	const char *text;
	size_t len;
	int d, sys;

	d = venue_key(f, 0, "data");
	if (d < 0)
		return FEED_MISSING_FIELD;
	if (f->tok[d].type != JT_ARRAY)
		return FEED_BAD_TYPE;
	if (f->tok[d].size < 1)
		return FEED_MISSING_FIELD;
	if (f->tok[d + 1].type != JT_OBJECT)
		return FEED_NOT_OBJECT;
	if ((sys = venue_key(f, d + 1, "system")) < 0)
		return FEED_MISSING_FIELD;
	if (f->tok[sys].type != JT_STRING)
		return FEED_BAD_TYPE;
	if (f->tok[sys].end == f->tok[sys].start)
		return FEED_BAD_VALUE;
	if (venue_str_is(f, sys, "online"))
		return FEED_OK;
	text = raw(f, sys, &len);
	venue_status(h, c, FSS_OTHER, text, len);
	return FEED_OK;
}

/*
 * The answer to a request: "success" says which; FSS_SUCCESS carries the
 * raw "result" object ({"channel":"trade","symbol":"BTC/USD",...}),
 * FSS_ERROR the "error" text.
 */
static enum feed_parse
method_msg(const struct venue_frame *f, int m, const struct feed_handler *h,
    struct feed_counts *c)
{
	const char *text;
	size_t len;
	int ok, e, known;

	if (venue_str_is(f, m, "pong"))
		return FEED_OK;
	known = venue_str_is(f, m, "subscribe") ||
	    venue_str_is(f, m, "unsubscribe");
	if ((ok = venue_key(f, 0, "success")) < 0)
		return known ? FEED_MISSING_FIELD : FEED_UNKNOWN_EV;
	if (f->tok[ok].type == JT_FALSE) {
		e = venue_key(f, 0, "error");
		if (e >= 0 && f->tok[e].type != JT_STRING)
			e = -1;
		text = raw(f, e, &len);
		venue_status(h, c, FSS_ERROR, text, len);
		return FEED_OK;
	}
	if (f->tok[ok].type != JT_TRUE)
		return FEED_BAD_TYPE;
	if (!known)
		return FEED_UNKNOWN_EV;
	text = raw(f, venue_key(f, 0, "result"), &len);
	venue_status(h, c, FSS_SUCCESS, text, len);
	return FEED_OK;
}

/* Neither channel nor method: only {"error":..,"success":false}. */
static enum feed_parse
bare_msg(const struct venue_frame *f, const struct feed_handler *h,
    struct feed_counts *c)
{
	const char *text;
	size_t len;
	int ok = venue_key(f, 0, "success"), e = venue_key(f, 0, "error");

	if (ok < 0 || f->tok[ok].type != JT_FALSE || e < 0 ||
	    f->tok[e].type != JT_STRING)
		return FEED_NO_EV;
	text = raw(f, e, &len);
	venue_status(h, c, FSS_ERROR, text, len);
	return FEED_OK;
}

enum feed_parse
kraken_parse(struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	enum feed_parse st;
	int ch, m;

	if (f->tok[0].type != JT_OBJECT) {
		c->skipped[FEED_NOT_OBJECT]++;
		return FEED_NOT_OBJECT;
	}
	ch = venue_key(f, 0, "channel");
	if (ch >= 0 && f->tok[ch].type == JT_STRING) {
		if (venue_str_is(f, ch, "trade")) {
			data_msg(vp, f, recv_ns, h, c, trade_one);
			return FEED_OK;
		}
		if (venue_str_is(f, ch, "ticker")) {
			data_msg(vp, f, recv_ns, h, c, ticker_one);
			return FEED_OK;
		}
		c->events++;
		if (venue_str_is(f, ch, "heartbeat"))
			st = FEED_OK;
		else if (venue_str_is(f, ch, "status"))
			st = status_msg(f, h, c);
		else
			st = FEED_UNKNOWN_EV;
	} else {
		c->events++;
		m = venue_key(f, 0, "method");
		if (ch >= 0)			/* a channel not a string */
			st = FEED_NO_EV;
		else if (m >= 0 && f->tok[m].type == JT_STRING)
			st = method_msg(f, m, h, c);
		else if (m >= 0)
			st = FEED_NO_EV;
		else
			st = bare_msg(f, h, c);
	}
	if (st != FEED_OK)
		c->skipped[st]++;
	return FEED_OK;
}
