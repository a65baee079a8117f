/*
 * Binance spot's public market streams (feeds.md §4), e.g.
 * wss://data-stream.binance.vision/ws or /stream?streams=..., to ticks. No
 * key. Shapes as github.com/binance/binance-spot-api-docs
 * web-socket-streams.md (@a5e0bc3) documents them. Every frame is one JSON
 * object, possibly inside the combined streams' wrapper
 * {"stream":"btcusdt@trade","data":{...}}, which is unwrapped (one message,
 * one event). The message is routed on its "e":
 *
 *   trade           a trade; its id is "t"
 *   aggTrade        a trade "aggregated for a single taker order"; its id
 *                   is the aggregate id "a" (subscribe to trade or aggTrade,
 *                   not both: the same fills would come twice)
 *   serverShutdown  FSS_FORCE_DISCONNECT ("Please establish a new
 *                   connection as soon as possible"); text "serverShutdown"
 *   anything else   FEED_UNKNOWN_EV (kline, 24hrTicker, depthUpdate, ...)
 *
 * and without an "e":
 *
 *   "error" key       FSS_ERROR, the text its "msg": what the server sends,
 *                     {"error":{"code":2,"msg":"Invalid request: ..."},
 *                     "id":1}, though the docs' table shows the next form
 *   "code" or "msg"   FSS_ERROR, the text "msg" ({"code":2,"msg":...})
 *   "result"          null: FSS_SUCCESS ("if the result received is null
 *                     this means the request sent was a success for
 *                     non-query requests"), the text the raw "id"; not
 *                     null: a query's answer (LIST_SUBSCRIPTIONS,
 *                     GET_PROPERTY), which this collector does not send:
 *                     nothing, not skipped
 *   u, s, b, B, a, A  bookTicker (it has no "e"): any of these keys makes
 *                     it one, and then all six are required
 *   otherwise         FEED_UNKNOWN_EV (e.g. a partial depth snapshot)
 *
 * An "e" that is not a string is FEED_NO_EV. A frame that is not an object
 * is FEED_NOT_OBJECT (the all-market "!ticker@arr" streams send arrays;
 * they are not taken), and so is a wrapper whose "data" is not an object.
 *
 * Aggressor side. Binance: "m": "Is the buyer the market maker?" (trade
 * and aggTrade alike). The maker is the resting order, so m true means the
 * seller took it: SIDE_SELL; m false: SIDE_BUY. Anything but true or false
 * is FEED_BAD_TYPE.
 *
 * Fields. Prices and sizes are decimal strings ("0.001"); a JSON number is
 * taken too. A trade needs s, its id, p (> 0), q (>= 0), m and T, checked
 * in that order; a bookTicker u (an integer >= 0), s, b, B, a, A (prices
 * >= 0: a zero or crossed quote goes out as it came, the aggregator judges
 * quotes). The first field that fails is the reason counted.
 *
 * Times: a trade's ts_ns is its "T", the trade time, in ms ("All time and
 * timestamp related fields are milliseconds by default": the caller must
 * not add timeUnit=MICROSECOND to the URL). "E", the event time, is when
 * the message was made, not when the trade happened: unused. A bookTicker
 * carries no time at all: ts_ns = recv_ns.
 *
 * Symbols: "BTCUSDT" on the wire ("btcusdt" in stream names), "BTC-USDT"
 * canonical: the real quote asset is kept (USDT is not USD). Back from the
 * venue's form the split is made at the longest known quote asset (the
 * table below) that leaves a base; a symbol whose quote is not in the
 * table is refused (-1), and so is, the other way, a canonical symbol
 * that would not split back into itself ("FOOT-USD" would come back as
 * "FOO-TUSD").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "venue.h"

#define SYMBOL_MAX	(TICK_SYMBOL_LEN - 1)	/* canonical, with its dash */
#define MAX_STREAMS	1024	/* "maximum of 1024 streams" a connection */

/* ---- symbols ---- */

/*
 * Binance's quote assets (exchangeInfo's quoteAsset values), stablecoins
 * and fiat included; USD for Binance.US, which speaks the same protocol.
 * The longest match wins: FDUSD and TUSD before USD.
 */
static const char *const quotes[] = {
	"FDUSD", "USDT", "USDC", "TUSD", "BUSD", "USDP", "IDRT", "BIDR",
	"BVND", "DAI", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "DOT",
	"EUR", "TRY", "BRL", "GBP", "AUD", "JPY", "ARS", "MXN", "PLN", "RON",
	"UAH", "ZAR", "COP", "CZK", "NGN", "RUB", "USD",
};

static int
alnum_upper(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* The base's length in s[0..len) (A-Z 0-9), or 0 when no quote fits. */
static size_t
split(const char *s, size_t len)
{
	size_t i, q, best = 0;

	for (i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		q = strlen(quotes[i]);
		if (q < len && q > best &&
		    memcmp(s + len - q, quotes[i], q) == 0)
			best = q;
	}
	return best == 0 ? 0 : len - best;
}

/*
 * "BTCUSDT" (or "btcusdt", as in stream names) to "BTC-USDT": A-Z a-z
 * 0-9 only, upper-cased, 22 bytes at most (23 with the dash).
 */
int
binance_symbol_from(const char *s, size_t len, char *out, size_t cap)
{
	char up[SYMBOL_MAX];
	size_t k, base;

	if (cap > 0)
		out[0] = '\0';
	if (len == 0 || len > SYMBOL_MAX - 1 || len + 1 >= cap)
		return -1;
	for (k = 0; k < len; k++) {
		up[k] = s[k] >= 'a' && s[k] <= 'z' ?
		    (char)(s[k] - 'a' + 'A') : s[k];
		if (!alnum_upper(up[k]))
			return -1;
	}
	if ((base = split(up, len)) == 0)
		return -1;
	memcpy(out, up, base);
	out[base] = '-';
	memcpy(out + base + 1, up + base, len - base);
	out[len + 1] = '\0';
	return (int)(len + 1);
}

/*
 * "BTC-USDT" to "BTCUSDT": upper case A-Z 0-9 around one dash (the
 * canonical form is upper case: "btc-usdt" is refused), and only when
 * the venue's form splits back into the same base and quote.
 */
int
binance_symbol_to(const char *canonical, char *out, size_t cap)
{
	char back[TICK_SYMBOL_LEN];
	size_t len = strlen(canonical), k, dash = 0, dashes = 0;

	if (cap > 0)
		out[0] = '\0';
	if (len == 0 || len > SYMBOL_MAX || len - 1 >= cap)
		return -1;
	for (k = 0; k < len; k++) {
		if (canonical[k] == '-') {
			dashes++;
			dash = k;
		} else if (!alnum_upper(canonical[k]))
			return -1;
	}
	if (dashes != 1 || dash == 0 || dash == len - 1)
		return -1;
	memcpy(out, canonical, dash);
	memcpy(out + dash, canonical + dash + 1, len - dash - 1);
	out[len - 1] = '\0';
	if (binance_symbol_from(out, len - 1, back, sizeof(back)) !=
	    (int)len || memcmp(back, canonical, len) != 0) {
		out[0] = '\0';
		return -1;
	}
	return (int)(len - 1);
}

/* ---- the subscribe message ---- */

/*
 * {"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker",
 * ...],"id":1}: each symbol's trades and best bid/ask, stream names in
 * lower case. Sent on a connection to /ws (or /stream, whose frames come
 * wrapped: both are parsed); the server answers {"result":null,"id":1}.
 * No symbol, or more than 512 (two streams each, 1024 at most): -1.
 */
int
binance_subscribe_msg(const char *const *symbols, size_t n, char *out,
    size_t cap)
{
	struct venue_out o = { out, cap, 0, 0 };
	char sym[TICK_SYMBOL_LEN];
	size_t i, k;
	int len;

	if (cap > 0)
		out[0] = '\0';
	if (n == 0 || n > MAX_STREAMS / 2)
		return -1;
	venue_put_str(&o, "{\"method\":\"SUBSCRIBE\",\"params\":[");
	for (i = 0; i < n; i++) {
		if ((len = binance_symbol_to(symbols[i], sym,
		    sizeof(sym))) < 0) {
			if (cap > 0)
				out[0] = '\0';
			return -1;
		}
		for (k = 0; k < (size_t)len; k++)
			if (sym[k] >= 'A' && sym[k] <= 'Z')
				sym[k] = (char)(sym[k] - 'A' + 'a');
		venue_put_str(&o, i > 0 ? ",\"" : "\"");
		venue_put(&o, sym, (size_t)len);
		venue_put_str(&o, "@trade\",\"");
		venue_put(&o, sym, (size_t)len);
		venue_put_str(&o, "@bookTicker\"");
	}
	venue_put_str(&o, "],\"id\":1}");
	return venue_out_end(&o);
}

/* ---- fields ---- */

/* "m", is the buyer the maker: the aggressor (see the top of the file). */
static enum feed_parse
get_side(const struct venue_frame *f, int i, struct tick *tk)
{
	if (f->tok[i].type == JT_TRUE)
		tk->side = SIDE_SELL;
	else if (f->tok[i].type == JT_FALSE)
		tk->side = SIDE_BUY;
	else
		return FEED_BAD_TYPE;
	return FEED_OK;
}

/* ---- messages ---- */

/* trade (id "t") and aggTrade (id "a"). */
static enum feed_parse
trade_msg(const struct venue_parser *vp, const struct venue_frame *f,
    int o, const char *id_key, int64_t recv_ns, const struct feed_handler *h,
    struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int64_t ms;
	int i;

	venue_tick_init(vp, &tk, TICK_TRADE, recv_ns);
	if ((st = venue_get_symbol(vp, f, o, "s", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, id_key, &i)) != FEED_OK ||
	    (st = venue_get_trade_id(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "p", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 1, &tk.price)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "q", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.size)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "m", &i)) != FEED_OK ||
	    (st = get_side(f, i, &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "T", &i)) != FEED_OK ||
	    (st = venue_get_int(f, i, 0, INT64_MAX / NS_PER_MS, &ms)) !=
	    FEED_OK)
		return st;
	tk.ts_ns = ms * NS_PER_MS;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

static enum feed_parse
book_ticker_msg(const struct venue_parser *vp, const struct venue_frame *f,
    int o, int64_t recv_ns, const struct feed_handler *h,
    struct feed_counts *c)
{
	struct tick tk;
	enum feed_parse st;
	int64_t u;
	int i;

	venue_tick_init(vp, &tk, TICK_QUOTE, recv_ns);
	if ((st = venue_need(f, o, "u", &i)) != FEED_OK ||
	    (st = venue_get_int(f, i, 0, INT64_MAX, &u)) != FEED_OK)
		return st;
	if ((st = venue_get_symbol(vp, f, o, "s", &tk)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "b", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.bid)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "B", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.bid_size)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "a", &i)) != FEED_OK ||
	    (st = venue_get_fixed(f, i, 0, &tk.ask)) != FEED_OK)
		return st;
	if ((st = venue_need(f, o, "A", &i)) != FEED_OK ||
	    (st = venue_get_size(f, i, &tk.ask_size)) != FEED_OK)
		return st;
	venue_emit(h, c, &tk);
	return FEED_OK;
}

/* The raw text of a string or a scalar at i, "" for anything else. */
static const char *
raw_text(const struct venue_frame *f, int i, size_t *n)
{
	const struct jt *t;

	*n = 0;
	if (i < 0)
		return "";
	t = &f->tok[i];
	if (t->type == JT_OBJECT || t->type == JT_ARRAY)
		return "";
	*n = (size_t)(t->end - t->start);
	return f->js + t->start;
}

/*
 * {"error":{"code":2,"msg":"..."},"id":1} or {"code":2,"msg":"..."}: the
 * "msg" text (raw, escapes not decoded), "" when there is none.
 */
static void
error_msg(const struct venue_frame *f, int o, const struct feed_handler *h,
    struct feed_counts *c)
{
	int e = venue_key(f, o, "error"), m;
	size_t n = 0;
	const char *text = "";

	if (e >= 0 && f->tok[e].type == JT_STRING)
		m = e;
	else
		m = venue_key(f, e >= 0 ? e : o, "msg");
	if (m >= 0 && f->tok[m].type == JT_STRING)
		text = raw_text(f, m, &n);
	venue_status(h, c, FSS_ERROR, text, n);
}

/* Does the message at o have any of the bookTicker's keys? */
static int
book_ticker_keys(const struct venue_frame *f, int o)
{
	static const char *const keys[] = { "u", "s", "b", "B", "a", "A" };
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (venue_key(f, o, keys[k]) >= 0)
			return 1;
	return 0;
}

/* One message, the object at o. */
static enum feed_parse
message(const struct venue_parser *vp, const struct venue_frame *f, int o,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	size_t n;
	const char *text;
	int e, r;

	if ((e = venue_key(f, o, "e")) >= 0) {
		if (f->tok[e].type != JT_STRING)
			return FEED_NO_EV;
		if (venue_str_is(f, e, "trade"))
			return trade_msg(vp, f, o, "t", recv_ns, h, c);
		if (venue_str_is(f, e, "aggTrade"))
			return trade_msg(vp, f, o, "a", recv_ns, h, c);
		if (venue_str_is(f, e, "serverShutdown")) {
			venue_status(h, c, FSS_FORCE_DISCONNECT,
			    "serverShutdown", 14);
			return FEED_OK;
		}
		return FEED_UNKNOWN_EV;
	}
	if (venue_key(f, o, "error") >= 0 || venue_key(f, o, "code") >= 0 ||
	    venue_key(f, o, "msg") >= 0) {
		error_msg(f, o, h, c);
		return FEED_OK;
	}
	if ((r = venue_key(f, o, "result")) >= 0) {
		if (f->tok[r].type == JT_NULL) {
			text = raw_text(f, venue_key(f, o, "id"), &n);
			venue_status(h, c, FSS_SUCCESS, text, n);
		}
		return FEED_OK;
	}
	if (book_ticker_keys(f, o))
		return book_ticker_msg(vp, f, o, recv_ns, h, c);
	return FEED_UNKNOWN_EV;
}

enum feed_parse
binance_parse(struct venue_parser *vp, const struct venue_frame *f,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	enum feed_parse st;
	int o = 0, s;

	if (f->n < 1 || f->tok[0].type != JT_OBJECT) {
		c->skipped[FEED_NOT_OBJECT]++;
		return FEED_NOT_OBJECT;
	}
	c->events++;
	/* The combined streams' wrapper: {"stream":"...","data":{...}}. */
	if ((s = venue_key(f, 0, "stream")) >= 0) {
		if ((o = venue_key(f, 0, "data")) < 0)
			st = FEED_MISSING_FIELD;
		else if (f->tok[s].type != JT_STRING)
			st = FEED_BAD_TYPE;
		else if (f->tok[o].type != JT_OBJECT)
			st = FEED_NOT_OBJECT;
		else
			st = message(vp, f, o, recv_ns, h, c);
	} else
		st = message(vp, f, 0, recv_ns, h, c);
	if (st != FEED_OK)
		c->skipped[st]++;
	return FEED_OK;
}
