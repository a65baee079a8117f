/*
 * Kraken WebSocket v2 frames to ticks (common/kraken.c), Kraken's symbols
 * and subscribe messages. Every expected value is written by hand from
 * Kraken's documentation (times cross-checked with libc's timegm), never
 * copied from the parser's output.
 *
 * Sources of the sample frames (docs.kraken.com/api/docs/websocket-v2/):
 *  [trade]     .../trade: the snapshot example {"channel":"trade","type":
 *              "snapshot","data":[{"symbol":"MATIC/USD","side":"buy",
 *              "price":0.5147,"qty":6423.46326,"ord_type":"limit",
 *              "trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"
 *              },{... "qty":1136.19677815, "trade_id":4665847,
 *              "timestamp":"2023-09-25T07:49:36.925603Z"}]}, and
 *              "side: The side of the taker order".
 *  [ticker]    .../ticker: fields symbol, bid, bid_qty, ask, ask_qty,
 *              last, volume, vwap, low, high, change, change_pct (numbers),
 *              "timestamp" (RFC 3339) in the current version; subscribe
 *              with "event_trigger":"bbo"; the ack's "result" holds
 *              channel, symbol, snapshot; "error" if success is false;
 *              time_in / time_out RFC 3339.
 *  [heartbeat] .../heartbeat: {"channel":"heartbeat"}, nothing else.
 *  [status]    .../status: {"channel":"status","data":[{"api_version":
 *              "v2","connection_id":13834774380200032777,"system":
 *              "online","version":"2.0.0"}],"type":"update"}; system one
 *              of online, cancel_only, maintenance, post_only.
 *  [ping]      .../ping: the answer {"method":"pong","req_id":..,
 *              "time_in":..,"time_out":..}.
 *  [error]     a failed subscribe as the server sends it: {"error":
 *              "Currency pair not supported BTC/FOO","method":"subscribe",
 *              "success":false,"symbol":"BTC/FOO",...} (the ack schema's
 *              "error" and "success" fields; the text as Kraken's feed and
 *              feedsim write it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "feed.h"
#include "tick.h"
#include "venue.h"

#define VENUE_TEST_SOURCE	SOURCE_KRAKEN
#include "venue_support.h"

#define DATA_FILE	"tests/data/kraken/session.json"
#define MANY		10000

/* A frame that must yield exactly the ticks want[0..n), one event each. */
static void
check_ticks(const char *name, const char *frame, int64_t recv_ns,
    const struct tick *want, size_t n)
{
	struct feed_counts c;
	struct got g;
	const char *why = NULL;
	enum feed_parse st;
	uint64_t trades = 0, quotes = 0;
	size_t k;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	st = run(frame, recv_ns, &g, &c);
	for (k = 0; k < n; k++)
		want[k].kind == TICK_TRADE ? trades++ : quotes++;
	if (g.n != n)
		why = "not the number of ticks wanted";
	for (k = 0; why == NULL && k < n; k++)
		why = g.v[k].is_status ? "a status" :
		    tick_diff(&g.v[k].tick, &want[k]);
	CHECK(st == FEED_OK && why == NULL && c.frames == 1 &&
	    c.events == n && c.ticks[TICK_TRADE] == trades &&
	    c.ticks[TICK_QUOTE] == quotes && c.status_messages == 0 &&
	    skipped_total(&c) == 0, "%s%s%s", name,
	    why != NULL ? ": differs in " : "", why != NULL ? why : "");
	free(g.v);
}

static void
check_one_tick(const char *name, const char *frame, int64_t recv_ns,
    const struct tick *want)
{
	check_ticks(name, frame, recv_ns, want, 1);
}

/* ---- trades: the aggressor side first ---- */

static void
test_trades(void)
{
	struct tick w[2];

	/* [trade] the documented snapshot: two trades, taker side buy. */
	w[0] = want_tick(TICK_TRADE, 7);
	w[0].side = SIDE_BUY;
	strcpy(w[0].symbol, "MATIC-USD");
	strcpy(w[0].trade_id, "4665846");
	w[0].price = 514700000LL;			/* 0.5147 */
	w[0].size = 6423.46326;
	w[0].ts_ns = 1695628116925533000LL;
	CHECK(w[0].ts_ns == utc_ns(2023, 9, 25, 7, 48, 36, 925533000),
	    "2023-09-25T07:48:36.925533Z is 1695628116925533000 (timegm)");
	w[1] = w[0];
	strcpy(w[1].trade_id, "4665847");
	w[1].size = 1136.19677815;
	w[1].ts_ns = utc_ns(2023, 9, 25, 7, 49, 36, 925603000);
	check_ticks("the documented snapshot: 2 trades, side buy (the "
	    "taker bought) is a BUY [trade]",
	    "{\"channel\":\"trade\",\"type\":\"snapshot\",\"data\":["
	    "{\"symbol\":\"MATIC/USD\",\"side\":\"buy\",\"price\":0.5147,"
	    "\"qty\":6423.46326,\"ord_type\":\"limit\",\"trade_id\":4665846,"
	    "\"timestamp\":\"2023-09-25T07:48:36.925533Z\"},"
	    "{\"symbol\":\"MATIC/USD\",\"side\":\"buy\",\"price\":0.5147,"
	    "\"qty\":1136.19677815,\"ord_type\":\"limit\","
	    "\"trade_id\":4665847,"
	    "\"timestamp\":\"2023-09-25T07:49:36.925603Z\"}]}", 7, w, 2);

	/* side sell: the taker sold, a SELL. */
	w[0] = want_tick(TICK_TRADE, 8);
	w[0].side = SIDE_SELL;
	strcpy(w[0].symbol, "BTC-USD");
	strcpy(w[0].trade_id, "62178831");
	w[0].price = 26379900000000LL;			/* 26379.9 */
	w[0].size = 0.5;
	w[0].ts_ns = utc_ns(2023, 9, 25, 9, 4, 32, 123499000);
	check_one_tick("update, side sell (the taker sold) is a SELL",
	    "{\"channel\":\"trade\",\"type\":\"update\",\"data\":["
	    "{\"symbol\":\"BTC/USD\",\"side\":\"sell\",\"price\":26379.9,"
	    "\"qty\":0.5,\"ord_type\":\"limit\",\"trade_id\":62178831,"
	    "\"timestamp\":\"2023-09-25T09:04:32.123499Z\"}]}", 8, &w[0]);

	/* The same with its numbers in strings, XBT, and no type. */
	w[0].side = SIDE_BUY;
	w[0].recv_ns = 9;
	check_one_tick("numbers in strings, XBT/USD taken as BTC-USD, "
	    "no \"type\"",
	    "{\"channel\":\"trade\",\"data\":["
	    "{\"symbol\":\"XBT/USD\",\"side\":\"buy\",\"price\":\"26379.9\","
	    "\"qty\":\"0.5\",\"trade_id\":\"62178831\","
	    "\"timestamp\":\"2023-09-25T09:04:32.123499Z\"}]}", 9, &w[0]);

	/* Fixed point exact; exponents; a tiny price; qty 0. */
	w[0] = want_tick(TICK_TRADE, 10);
	w[0].side = SIDE_SELL;
	strcpy(w[0].symbol, "SHIB-EUR");
	strcpy(w[0].trade_id, "1");
	w[0].price = 6000LL;				/* 0.000006 */
	w[0].size = 0;
	w[0].ts_ns = utc_ns(2024, 2, 29, 23, 59, 59, 0);
	check_one_tick("price 6e-6 exact, qty 0, leap day, no fraction",
	    "{\"channel\":\"trade\",\"type\":\"update\",\"data\":["
	    "{\"symbol\":\"SHIB/EUR\",\"side\":\"sell\",\"price\":6e-6,"
	    "\"qty\":0,\"ord_type\":\"market\",\"trade_id\":1,"
	    "\"timestamp\":\"2024-02-29T23:59:59Z\"}]}", 10, &w[0]);

	/* A trade id longer than the tick holds: cut and flagged. */
	w[0] = want_tick(TICK_TRADE, 11);
	w[0].side = SIDE_BUY;
	w[0].flags = TICK_F_TRADE_ID_TRUNCATED;
	strcpy(w[0].symbol, "ETH-BTC");
	memset(w[0].trade_id, '9', TICK_TRADE_ID_LEN - 1);
	w[0].price = 36500000LL;			/* 0.0365 */
	w[0].size = 1;
	w[0].ts_ns = utc_ns(2023, 9, 25, 9, 0, 0, 1000);
	check_one_tick("a 45-digit trade id is cut to 39 and flagged",
	    "{\"channel\":\"trade\",\"type\":\"update\",\"data\":["
	    "{\"symbol\":\"ETH/BTC\",\"side\":\"buy\",\"price\":0.0365,"
	    "\"qty\":1,\"trade_id\":"
	    "999999999999999999999999999999999999999999999,"
	    "\"timestamp\":\"2023-09-25T09:00:00.000001Z\"}]}", 11, &w[0]);
}

/* ---- tickers: quotes ---- */

static void
test_tickers(void)
{
	struct tick w;

	/* [ticker] no timestamp: recv_ns. */
	w = want_tick(TICK_QUOTE, 21);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 26379900000000LL;
	w.bid_size = 0.61862237;
	w.ask = 26380000000000LL;
	w.ask_size = 4.10330869;
	check_one_tick("ticker snapshot without timestamp: a quote at "
	    "recv_ns [ticker]",
	    "{\"channel\":\"ticker\",\"type\":\"snapshot\",\"data\":[{"
	    "\"symbol\":\"BTC/USD\",\"bid\":26379.9,\"bid_qty\":0.61862237,"
	    "\"ask\":26380.0,\"ask_qty\":4.10330869,\"last\":26380.0,"
	    "\"volume\":1371.47624591,\"vwap\":26335.2,\"low\":26113.5,"
	    "\"high\":26500.0,\"change\":191.1,\"change_pct\":0.73}]}", 21,
	    &w);

	/* With a timestamp: the venue's time. */
	w.recv_ns = 22;
	w.ts_ns = utc_ns(2022, 12, 25, 9, 30, 59, 123456000);
	check_one_tick("ticker with timestamp: ts_ns is the venue's",
	    "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"BTC/USD\",\"bid\":26379.9,\"bid_qty\":0.61862237,"
	    "\"ask\":26380.0,\"ask_qty\":4.10330869,\"last\":26380.0,"
	    "\"timestamp\":\"2022-12-25T09:30:59.123456Z\"}]}", 22, &w);

	w.recv_ns = 23;
	w.ts_ns = 23;
	check_one_tick("ticker with timestamp null: recv_ns",
	    "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"BTC/USD\",\"bid\":26379.9,\"bid_qty\":0.61862237,"
	    "\"ask\":26380.0,\"ask_qty\":4.10330869,\"timestamp\":null}]}",
	    23, &w);

	/* Crossed and zero quotes go out as they came. */
	w = want_tick(TICK_QUOTE, 24);
	strcpy(w.symbol, "ETH-USD");
	w.bid = 1600500000000LL;
	w.bid_size = 2;
	w.ask = 1600000000000LL;
	w.ask_size = 3;
	check_one_tick("a crossed quote goes out as it came",
	    "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"ETH/USD\",\"bid\":1600.5,\"bid_qty\":2,"
	    "\"ask\":1600,\"ask_qty\":3}]}", 24, &w);
	w.recv_ns = w.ts_ns = 25;
	w.bid = 0;
	w.bid_size = 0;
	check_one_tick("a zero bid goes out as it came",
	    "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"ETH/USD\",\"bid\":0,\"bid_qty\":0,"
	    "\"ask\":1600,\"ask_qty\":3}]}", 25, &w);
}

/* ---- control messages ---- */

struct ctl_case {
	const char		*name;
	const char		*frame;
	int			 n_status;	/* 0 or 1 */
	enum feed_server_status	 st;
	const char		*text;
	enum feed_parse		 why;	/* FEED_OK: not skipped */
};

static const struct ctl_case ctl_cases[] = {
	{ "heartbeat: nothing [heartbeat]", "{\"channel\":\"heartbeat\"}",
	    0, FSS_OTHER, NULL, FEED_OK },
	{ "status online: nothing [status]",
	    "{\"channel\":\"status\",\"data\":[{\"api_version\":\"v2\","
	    "\"connection_id\":13834774380200032777,\"system\":\"online\","
	    "\"version\":\"2.0.0\"}],\"type\":\"update\"}",
	    0, FSS_OTHER, NULL, FEED_OK },
	{ "status maintenance: FSS_OTHER with the word",
	    "{\"channel\":\"status\",\"data\":[{\"api_version\":\"v2\","
	    "\"connection_id\":1,\"system\":\"maintenance\","
	    "\"version\":\"2.0.0\"}],\"type\":\"update\"}",
	    1, FSS_OTHER, "maintenance", FEED_OK },
	{ "status cancel_only: FSS_OTHER with the word",
	    "{\"channel\":\"status\",\"data\":[{\"system\":\"cancel_only\"}],"
	    "\"type\":\"update\"}", 1, FSS_OTHER, "cancel_only", FEED_OK },
	{ "status post_only: FSS_OTHER with the word",
	    "{\"channel\":\"status\",\"data\":[{\"system\":\"post_only\"}]}",
	    1, FSS_OTHER, "post_only", FEED_OK },
	{ "status without data: missing_field",
	    "{\"channel\":\"status\",\"type\":\"update\"}",
	    0, FSS_OTHER, NULL, FEED_MISSING_FIELD },
	{ "status with empty data: missing_field",
	    "{\"channel\":\"status\",\"data\":[]}",
	    0, FSS_OTHER, NULL, FEED_MISSING_FIELD },
	{ "status with system 1: bad_type",
	    "{\"channel\":\"status\",\"data\":[{\"system\":1}]}",
	    0, FSS_OTHER, NULL, FEED_BAD_TYPE },
	{ "status data [1]: not_object",
	    "{\"channel\":\"status\",\"data\":[1]}",
	    0, FSS_OTHER, NULL, FEED_NOT_OBJECT },
	{ "subscribe ack: FSS_SUCCESS with the raw result [trade]",
	    "{\"method\":\"subscribe\",\"result\":{\"channel\":\"trade\","
	    "\"snapshot\":false,\"symbol\":\"BTC/USD\"},\"success\":true,"
	    "\"time_in\":\"2023-09-25T09:04:31.742599Z\","
	    "\"time_out\":\"2023-09-25T09:04:31.742648Z\"}",
	    1, FSS_SUCCESS, "{\"channel\":\"trade\",\"snapshot\":false,"
	    "\"symbol\":\"BTC/USD\"}", FEED_OK },
	{ "unsubscribe ack: FSS_SUCCESS",
	    "{\"method\":\"unsubscribe\",\"result\":{\"channel\":\"ticker\","
	    "\"symbol\":\"BTC/USD\"},\"success\":true,\"req_id\":7}",
	    1, FSS_SUCCESS, "{\"channel\":\"ticker\",\"symbol\":\"BTC/USD\"}",
	    FEED_OK },
	{ "subscribe ack without result: FSS_SUCCESS, empty text",
	    "{\"method\":\"subscribe\",\"success\":true}",
	    1, FSS_SUCCESS, "", FEED_OK },
	{ "subscribe failed: FSS_ERROR with the error text [error]",
	    "{\"error\":\"Currency pair not supported BTC/FOO\","
	    "\"method\":\"subscribe\",\"success\":false,\"symbol\":\"BTC/FOO\","
	    "\"time_in\":\"2023-09-25T09:04:33.500000Z\","
	    "\"time_out\":\"2023-09-25T09:04:33.500021Z\"}",
	    1, FSS_ERROR, "Currency pair not supported BTC/FOO", FEED_OK },
	{ "a malformed request's answer (method error): FSS_ERROR",
	    "{\"error\":\"Malformed request\",\"method\":\"error\","
	    "\"success\":false}", 1, FSS_ERROR, "Malformed request", FEED_OK },
	{ "failed without error text: FSS_ERROR, empty text",
	    "{\"method\":\"subscribe\",\"success\":false,\"error\":5}",
	    1, FSS_ERROR, "", FEED_OK },
	{ "a bare error (no method): FSS_ERROR",
	    "{\"error\":\"Exceeded msg rate\",\"success\":false}",
	    1, FSS_ERROR, "Exceeded msg rate", FEED_OK },
	{ "pong: nothing [ping]",
	    "{\"method\":\"pong\",\"req_id\":42,"
	    "\"time_in\":\"2023-09-25T09:04:34.000000Z\","
	    "\"time_out\":\"2023-09-25T09:04:34.000015Z\"}",
	    0, FSS_OTHER, NULL, FEED_OK },
	{ "subscribe ack without success: missing_field",
	    "{\"method\":\"subscribe\",\"result\":{}}",
	    0, FSS_OTHER, NULL, FEED_MISSING_FIELD },
	{ "subscribe ack with success \"true\": bad_type",
	    "{\"method\":\"subscribe\",\"success\":\"true\"}",
	    0, FSS_OTHER, NULL, FEED_BAD_TYPE },
	{ "a successful add_order (never asked for): unknown_ev",
	    "{\"method\":\"add_order\",\"success\":true,\"result\":{}}",
	    0, FSS_OTHER, NULL, FEED_UNKNOWN_EV },
	{ "an unknown channel (book): unknown_ev",
	    "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":"
	    "\"BTC/USD\",\"bids\":[],\"asks\":[],\"checksum\":1}]}",
	    0, FSS_OTHER, NULL, FEED_UNKNOWN_EV },
	{ "neither channel nor method: no_ev", "{\"type\":\"update\"}",
	    0, FSS_OTHER, NULL, FEED_NO_EV },
	{ "the empty object: no_ev", "{}", 0, FSS_OTHER, NULL, FEED_NO_EV },
	{ "channel 5: no_ev", "{\"channel\":5,\"data\":[]}",
	    0, FSS_OTHER, NULL, FEED_NO_EV },
	{ "method null: no_ev", "{\"method\":null,\"success\":true}",
	    0, FSS_OTHER, NULL, FEED_NO_EV },
	{ "success false without error: no_ev", "{\"success\":false}",
	    0, FSS_OTHER, NULL, FEED_NO_EV },
};

static void
test_control(void)
{
	const struct ctl_case *cc;
	struct feed_counts c;
	struct got g;
	enum feed_parse st;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(ctl_cases) / sizeof(ctl_cases[0]); i++) {
		cc = &ctl_cases[i];
		memset(&c, 0, sizeof(c));
		memset(&g, 0, sizeof(g));
		st = run(cc->frame, 1, &g, &c);
		ok = st == FEED_OK && c.frames == 1 && c.events == 1 &&
		    c.ticks[TICK_TRADE] == 0 && c.ticks[TICK_QUOTE] == 0 &&
		    g.n == (size_t)cc->n_status &&
		    c.status_messages == (uint64_t)cc->n_status &&
		    skipped_total(&c) == (cc->why == FEED_OK ? 0u : 1u) &&
		    (cc->why == FEED_OK || c.skipped[cc->why] == 1);
		if (ok && cc->n_status)
			ok = g.v[0].is_status && g.v[0].status == cc->st &&
			    strcmp(g.v[0].message, cc->text) == 0;
		CHECK(ok, "%s", cc->name);
		free(g.v);
	}
}

/* ---- malformed input ---- */

struct bad_case {
	const char	*name;
	const char	*frame;
	enum feed_parse	 ret;
	enum feed_parse	 why;
	uint64_t	 events;
};

static const struct bad_case bad_cases[] = {
	{ "not JSON", "channel: trade", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "empty frame", "", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "truncated", "{\"channel\":\"trade\",\"data\":[{\"symbol\":",
	    FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "two objects", "{\"channel\":\"heartbeat\"}{}", FEED_BAD_JSON,
	    FEED_BAD_JSON, 0 },
	{ "an array", "[{\"channel\":\"heartbeat\"}]", FEED_NOT_OBJECT,
	    FEED_NOT_OBJECT, 0 },
	{ "a string", "\"heartbeat\"", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "a number", "42", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "null", "null", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "trade without data", "{\"channel\":\"trade\",\"type\":\"update\"}",
	    FEED_OK, FEED_MISSING_FIELD, 1 },
	{ "trade with data an object",
	    "{\"channel\":\"trade\",\"data\":{\"symbol\":\"BTC/USD\"}}",
	    FEED_OK, FEED_BAD_TYPE, 1 },
	{ "ticker with data null", "{\"channel\":\"ticker\",\"data\":null}",
	    FEED_OK, FEED_BAD_TYPE, 1 },
	{ "trade data element a string",
	    "{\"channel\":\"trade\",\"data\":[\"x\"]}", FEED_OK,
	    FEED_NOT_OBJECT, 1 },
	{ "ticker data element an array",
	    "{\"channel\":\"ticker\",\"data\":[[]]}", FEED_OK,
	    FEED_NOT_OBJECT, 1 },
};

/* One field of a good trade ('T') or ticker ('Q') changed or dropped. */
struct field_case {
	int		 kind;
	const char	*name;
	const char	*key;
	const char	*value;		/* "": the key is dropped */
	enum feed_parse	 why;
};

static const struct field_case field_cases[] = {
	{ 'T', "trade without symbol", "symbol", "", FEED_MISSING_FIELD },
	{ 'T', "trade symbol 5", "symbol", "5", FEED_BAD_TYPE },
	{ 'T', "trade symbol without slash", "symbol", "\"BTCUSD\"",
	    FEED_BAD_VALUE },
	{ 'T', "trade symbol empty", "symbol", "\"\"", FEED_BAD_VALUE },
	{ 'T', "trade symbol escaped", "symbol", "\"BTC\\/USD\"",
	    FEED_BAD_VALUE },
	{ 'T', "trade without trade_id", "trade_id", "", FEED_MISSING_FIELD },
	{ 'T', "trade trade_id true", "trade_id", "true", FEED_BAD_TYPE },
	{ 'T', "trade trade_id -1", "trade_id", "-1", FEED_BAD_VALUE },
	{ 'T', "trade trade_id 1.5", "trade_id", "1.5", FEED_BAD_VALUE },
	{ 'T', "trade without price", "price", "", FEED_MISSING_FIELD },
	{ 'T', "trade price null", "price", "null", FEED_BAD_TYPE },
	{ 'T', "trade price 0", "price", "0", FEED_BAD_VALUE },
	{ 'T', "trade price -26380", "price", "-26380", FEED_BAD_VALUE },
	{ 'T', "trade price 1e30 (beyond fixed point)", "price", "1e30",
	    FEED_BAD_VALUE },
	{ 'T', "trade price 99999999999999999999", "price",
	    "99999999999999999999", FEED_BAD_VALUE },
	{ 'T', "trade price \"abc\"", "price", "\"abc\"", FEED_BAD_VALUE },
	{ 'T', "trade without qty", "qty", "", FEED_MISSING_FIELD },
	{ 'T', "trade qty -0.5", "qty", "-0.5", FEED_BAD_VALUE },
	{ 'T', "trade qty [1]", "qty", "[1]", FEED_BAD_TYPE },
	{ 'T', "trade without side", "side", "", FEED_MISSING_FIELD },
	{ 'T', "trade side \"Buy\"", "side", "\"Buy\"", FEED_BAD_VALUE },
	{ 'T', "trade side \"b\"", "side", "\"b\"", FEED_BAD_VALUE },
	{ 'T', "trade side 1", "side", "1", FEED_BAD_TYPE },
	{ 'T', "trade without timestamp", "timestamp", "",
	    FEED_MISSING_FIELD },
	{ 'T', "trade timestamp a number", "timestamp", "1695632672",
	    FEED_BAD_TYPE },
	{ 'T', "trade timestamp 2023-02-29", "timestamp",
	    "\"2023-02-29T09:04:32.123456Z\"", FEED_BAD_VALUE },
	{ 'T', "trade timestamp without Z", "timestamp",
	    "\"2023-09-25T09:04:32.123456\"", FEED_BAD_VALUE },
	{ 'T', "trade timestamp month 13", "timestamp",
	    "\"2023-13-25T09:04:32Z\"", FEED_BAD_VALUE },
	{ 'T', "trade timestamp null", "timestamp", "null", FEED_BAD_TYPE },
	{ 'Q', "ticker without symbol", "symbol", "", FEED_MISSING_FIELD },
	{ 'Q', "ticker symbol BTC/USD/EUR", "symbol", "\"BTC/USD/EUR\"",
	    FEED_BAD_VALUE },
	{ 'Q', "ticker without bid", "bid", "", FEED_MISSING_FIELD },
	{ 'Q', "ticker bid -1", "bid", "-1", FEED_BAD_VALUE },
	{ 'Q', "ticker bid false", "bid", "false", FEED_BAD_TYPE },
	{ 'Q', "ticker without bid_qty", "bid_qty", "", FEED_MISSING_FIELD },
	{ 'Q', "ticker bid_qty -1", "bid_qty", "-1", FEED_BAD_VALUE },
	{ 'Q', "ticker without ask", "ask", "", FEED_MISSING_FIELD },
	{ 'Q', "ticker ask \"x\"", "ask", "\"x\"", FEED_BAD_VALUE },
	{ 'Q', "ticker ask 1e300", "ask", "1e300", FEED_BAD_VALUE },
	{ 'Q', "ticker without ask_qty", "ask_qty", "", FEED_MISSING_FIELD },
	{ 'Q', "ticker ask_qty {}", "ask_qty", "{}", FEED_BAD_TYPE },
	{ 'Q', "ticker timestamp bad", "timestamp", "\"yesterday\"",
	    FEED_BAD_VALUE },
	{ 'Q', "ticker timestamp 5", "timestamp", "5", FEED_BAD_TYPE },
};

static void
field_frame(char *buf, size_t cap, const struct field_case *fc)
{
	static const char *const tkeys[] = { "symbol", "side", "price", "qty",
	    "trade_id", "timestamp" };
	static const char *const tvals[] = { "\"BTC/USD\"", "\"sell\"",
	    "26379.9", "0.5", "62178831",
	    "\"2023-09-25T09:04:32.123499Z\"" };
	static const char *const qkeys[] = { "symbol", "bid", "bid_qty", "ask",
	    "ask_qty", "timestamp" };
	static const char *const qvals[] = { "\"BTC/USD\"", "26379.8", "1.2",
	    "26379.9", "0.1", "\"2023-09-25T09:04:33.000001Z\"" };
	const char *const *keys = fc->kind == 'T' ? tkeys : qkeys;
	const char *const *vals = fc->kind == 'T' ? tvals : qvals;
	size_t i, n;

	n = (size_t)snprintf(buf, cap, "{\"channel\":\"%s\",\"type\":"
	    "\"update\",\"data\":[{\"x\":0", fc->kind == 'T' ? "trade" :
	    "ticker");
	for (i = 0; i < 6; i++) {
		if (strcmp(keys[i], fc->key) != 0)
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], vals[i]);
		else if (fc->value[0] != '\0')
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], fc->value);
	}
	snprintf(buf + n, cap - n, "}]}");
}

static void
check_bad(const char *name, const char *frame, enum feed_parse ret,
    enum feed_parse why, uint64_t events)
{
	struct feed_counts c;
	struct got g;
	enum feed_parse st;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	st = run(frame, 1, &g, &c);
	CHECK(st == ret && g.n == 0 && c.frames == 1 && c.events == events &&
	    c.skipped[why] == 1 && skipped_total(&c) == 1 &&
	    c.ticks[TICK_TRADE] == 0 && c.ticks[TICK_QUOTE] == 0 &&
	    c.status_messages == 0, "%s: %s, skipped as %s", name,
	    feed_parse_str(ret), feed_parse_str(why));
	free(g.v);
}

static void
test_malformed(void)
{
	static const struct field_case none_t = { 'T', "", "-", "", FEED_OK },
	    none_q = { 'Q', "", "-", "", FEED_OK };
	struct feed_counts c;
	struct got g;
	char frame[512];
	struct tick w;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(bad_cases[i].name, bad_cases[i].frame,
		    bad_cases[i].ret, bad_cases[i].why, bad_cases[i].events);
	for (i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		field_frame(frame, sizeof(frame), &field_cases[i]);
		check_bad(field_cases[i].name, frame, FEED_OK,
		    field_cases[i].why, 1);
	}
	/* The templates themselves are good: each case tests one thing. */
	field_frame(frame, sizeof(frame), &none_t);
	w = want_tick(TICK_TRADE, 1);
	w.side = SIDE_SELL;
	strcpy(w.symbol, "BTC-USD");
	strcpy(w.trade_id, "62178831");
	w.price = 26379900000000LL;
	w.size = 0.5;
	w.ts_ns = utc_ns(2023, 9, 25, 9, 4, 32, 123499000);
	check_one_tick("the trade cases' template is a good trade", frame, 1,
	    &w);
	field_frame(frame, sizeof(frame), &none_q);
	w = want_tick(TICK_QUOTE, 1);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 26379800000000LL;
	w.bid_size = 1.2;
	w.ask = 26379900000000LL;
	w.ask_size = 0.1;
	w.ts_ns = utc_ns(2023, 9, 25, 9, 4, 33, 1000);
	check_one_tick("the ticker cases' template is a good quote", frame, 1,
	    &w);

	/* A bad trade amid good ones: the rest of the frame goes on. */
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	run("{\"channel\":\"trade\",\"type\":\"update\",\"data\":["
	    "{\"symbol\":\"BTC/USD\",\"side\":\"buy\",\"price\":1,\"qty\":1,"
	    "\"trade_id\":1,\"timestamp\":\"2023-09-25T09:04:32Z\"},"
	    "{\"symbol\":\"BTC/USD\",\"side\":\"buy\",\"price\":0,\"qty\":1,"
	    "\"trade_id\":2,\"timestamp\":\"2023-09-25T09:04:32Z\"},"
	    "7,"
	    "{\"symbol\":\"BTC/USD\",\"side\":\"sell\",\"price\":3,\"qty\":1,"
	    "\"trade_id\":3,\"timestamp\":\"2023-09-25T09:04:32Z\"}]}", 1, &g,
	    &c);
	CHECK(c.events == 4 && c.ticks[TICK_TRADE] == 2 && g.n == 2 &&
	    c.skipped[FEED_BAD_VALUE] == 1 && c.skipped[FEED_NOT_OBJECT] == 1 &&
	    skipped_total(&c) == 2 && strcmp(g.v[0].tick.trade_id, "1") == 0 &&
	    g.v[0].tick.side == SIDE_BUY &&
	    strcmp(g.v[1].tick.trade_id, "3") == 0 &&
	    g.v[1].tick.side == SIDE_SELL &&
	    g.v[1].tick.price == 3 * PRICE_SCALE,
	    "4 elements, a zero price and a 7 among them: 4 events, 2 trades, "
	    "bad_value 1, not_object 1");
	free(g.v);

	/* An empty snapshot: no event, nothing skipped. */
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(run("{\"channel\":\"trade\",\"type\":\"snapshot\",\"data\":[]}",
	    1, &g, &c) == FEED_OK && c.frames == 1 && c.events == 0 &&
	    g.n == 0 && skipped_total(&c) == 0,
	    "an empty trade snapshot: 0 events, nothing skipped");
	free(g.v);
}

/* Every proper prefix of a good frame is bad JSON; nothing comes out. */
static void
test_prefixes(void)
{
	static const char frame[] = "{\"channel\":\"trade\",\"type\":"
	    "\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"side\":\"buy\","
	    "\"price\":26380.0,\"qty\":0.0019,\"ord_type\":\"market\","
	    "\"trade_id\":62178830,"
	    "\"timestamp\":\"2023-09-25T09:04:32.123456Z\"}]}";
	struct feed_counts c;
	struct got g;
	size_t len, bad = 0;
	char *copy;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	for (len = 0; len < sizeof(frame) - 1; len++) {
		if ((copy = malloc(len + 1)) == NULL)
			exit(1);
		memcpy(copy, frame, len);
		if (run_len(copy, len, 1, &g, &c) == FEED_BAD_JSON)
			bad++;
		free(copy);
	}
	CHECK(bad == sizeof(frame) - 1 && g.n == 0 &&
	    c.skipped[FEED_BAD_JSON] == bad && c.events == 0,
	    "all %zu proper prefixes of a trade frame are bad_json", bad);
	free(g.v);
}

/*
 * Byte mutations (in an exact-size heap copy, so ASan sees any read past
 * the end): each event accounted for once, no bad read.
 */
static void
test_mutations(void)
{
	static const char *const frames[] = {
	    "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"BTC/USD\",\"bid\":26379.8,\"bid_qty\":1.2,"
	    "\"ask\":26379.9,\"ask_qty\":0.1,"
	    "\"timestamp\":\"2023-09-25T09:04:33.000001Z\"}]}",
	    "{\"channel\":\"trade\",\"type\":\"update\",\"data\":["
	    "{\"symbol\":\"BTC/USD\",\"side\":\"sell\",\"price\":26379.9,"
	    "\"qty\":0.5,\"trade_id\":62178831,"
	    "\"timestamp\":\"2023-09-25T09:04:32.123499Z\"}]}",
	    "{\"method\":\"subscribe\",\"result\":{\"channel\":\"trade\"},"
	    "\"success\":true}",
	    "{\"channel\":\"status\",\"data\":[{\"system\":\"online\"}]}" };
	static const char subst[] = "\"\\{}[]:,0-9.eZTabuxylmsr\x7f\x80\xff ";
	struct feed_counts c;
	struct got g;
	size_t f, pos, k, len, n = 0;
	char *copy;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	for (f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
		len = strlen(frames[f]);
		for (pos = 0; pos < len; pos++)
			for (k = 0; k < sizeof(subst) - 1; k++) {
				if ((copy = malloc(len)) == NULL)
					exit(1);
				memcpy(copy, frames[f], len);
				copy[pos] = subst[k];
				run_len(copy, len, 1, &g, &c);
				free(copy);
				n++;
			}
	}
	/*
	 * Heartbeats, pongs, an "online" status yield nothing; every other
	 * event yields a tick, a status or a skip, never two.
	 */
	CHECK(c.frames == n && c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages + skipped_total(&c) <= n + c.events &&
	    g.n == c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages && c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages + (skipped_total(&c) -
	    c.skipped[FEED_BAD_JSON] - c.skipped[FEED_NOT_OBJECT]) <=
	    c.events + c.skipped[FEED_NOT_OBJECT],
	    "%zu one-byte mutations: no crash, each event accounted for at "
	    "most once (%llu quotes, %llu trades, %llu statuses, %llu "
	    "skipped)", n, (unsigned long long)c.ticks[TICK_QUOTE],
	    (unsigned long long)c.ticks[TICK_TRADE],
	    (unsigned long long)c.status_messages,
	    (unsigned long long)skipped_total(&c));
	free(g.v);
}

/* ---- many trades in one frame ---- */

struct many {
	size_t	 n;
	int	 in_order;
};

static void
many_tick(void *arg, const struct tick *t)
{
	struct many *m = arg;
	char id[24];

	snprintf(id, sizeof(id), "%zu", m->n + 1);
	if (strcmp(t->trade_id, id) != 0 ||
	    t->price != (int64_t)(m->n + 1) * PRICE_SCALE ||
	    t->side != ((m->n % 2) ? SIDE_SELL : SIDE_BUY))
		m->in_order = 0;
	m->n++;
}

static void
test_many(void)
{
	struct feed_handler h = { many_tick, NULL, NULL };
	struct many m = { 0, 1 };
	struct feed_counts c;
	size_t cap = 64 + (size_t)MANY * 160, len, i;
	char *buf;

	if ((buf = malloc(cap)) == NULL)
		exit(1);
	len = (size_t)snprintf(buf, cap, "{\"channel\":\"trade\",\"type\":"
	    "\"snapshot\",\"data\":[");
	for (i = 0; i < MANY; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s{\"symbol\":"
		    "\"BTC/USD\",\"side\":\"%s\",\"price\":%zu,\"qty\":1,"
		    "\"ord_type\":\"limit\",\"trade_id\":%zu,\"timestamp\":"
		    "\"2023-09-25T09:04:32.123456Z\"}", i ? "," : "",
		    i % 2 ? "sell" : "buy", i + 1, i + 1);
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	h.arg = &m;
	memset(&c, 0, sizeof(c));
	CHECK(venue_parse_frame(&vp, buf, len, 1, &h, &c) == FEED_OK &&
	    m.n == MANY && m.in_order && c.events == MANY && c.ticks[TICK_TRADE] == MANY &&
	    skipped_total(&c) == 0, "one frame of %d trades (%zu bytes): "
	    "%d events, all in order", MANY, len, MANY);
	free(buf);
}

/* Null handlers: counted, nothing called. */
static void
test_null_handlers(void)
{
	struct feed_handler h = { NULL, NULL, NULL };
	struct feed_counts c;
	const char *f1 = "{\"channel\":\"ticker\",\"data\":[{\"symbol\":"
	    "\"BTC/USD\",\"bid\":1,\"bid_qty\":1,\"ask\":2,\"ask_qty\":1}]}";
	const char *f2 = "{\"method\":\"subscribe\",\"success\":true}";

	memset(&c, 0, sizeof(c));
	venue_parse_frame(&vp, f1, strlen(f1), 1, &h, &c);
	venue_parse_frame(&vp, f2, strlen(f2), 1, &h, &c);
	CHECK(c.frames == 2 && c.events == 2 && c.ticks[TICK_QUOTE] == 1 &&
	    c.status_messages == 1, "null handlers: counted, not called");
}

/* ---- the recorded session (tests/data/kraken) ---- */

static void
test_session(void)
{
	struct feed_counts c;
	struct got g;
	struct tick w;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0, frame_of[16];
	const char *why;

	if ((fp = fopen(DATA_FILE, "r")) == NULL) {
		CHECK(0, "open %s", DATA_FILE);
		return;
	}
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	while ((n = getline(&line, &cap, fp)) != -1) {
		size_t before = g.n, k;

		if (n > 0 && line[n - 1] == '\n')
			n--;
		lineno++;
		run_len(line, (size_t)n, lineno, &g, &c);
		for (k = before; k < g.n && k < 16; k++)
			frame_of[k] = lineno;
	}
	free(line);
	fclose(fp);
	CHECK(c.frames == 11 && c.events == 12 && c.ticks[TICK_TRADE] == 2 &&
	    c.ticks[TICK_QUOTE] == 2 && c.status_messages == 4 &&
	    c.skipped[FEED_UNKNOWN_EV] == 1 && skipped_total(&c) == 1 &&
	    g.n == 8, "session: 11 frames, 12 events, 2 trades, 2 quotes, "
	    "4 statuses, 1 unknown (book)");
	if (g.n != 8) {
		free(g.v);
		return;
	}
	CHECK(frame_of[0] == 2 && g.v[0].is_status &&
	    g.v[0].status == FSS_SUCCESS && strcmp(g.v[0].message,
	    "{\"channel\":\"trade\",\"snapshot\":false,"
	    "\"symbol\":\"BTC/USD\"}") == 0,
	    "session: line 1 (online) nothing, line 2 trade subscribed");
	CHECK(frame_of[1] == 3 && g.v[1].is_status &&
	    g.v[1].status == FSS_SUCCESS && strstr(g.v[1].message,
	    "\"event_trigger\":\"bbo\"") != NULL,
	    "session: line 3 ticker (bbo) subscribed");

	w = want_tick(TICK_QUOTE, 4);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 26379900000000LL;
	w.bid_size = 0.61862237;
	w.ask = 26380000000000LL;
	w.ask_size = 4.10330869;
	why = g.v[2].is_status ? "status" : tick_diff(&g.v[2].tick, &w);
	CHECK(frame_of[2] == 4 && why == NULL, "session: line 4 ticker "
	    "snapshot quote at recv_ns%s%s", why ? ": differs in " : "",
	    why ? why : "");

	w = want_tick(TICK_TRADE, 5);
	w.side = SIDE_BUY;		/* the taker bought, at the ask */
	strcpy(w.symbol, "BTC-USD");
	strcpy(w.trade_id, "62178830");
	w.price = 26380000000000LL;
	w.size = 0.0019;
	w.ts_ns = utc_ns(2023, 9, 25, 9, 4, 32, 123456000);
	why = g.v[3].is_status ? "status" : tick_diff(&g.v[3].tick, &w);
	CHECK(frame_of[3] == 5 && why == NULL, "session: line 5 first trade "
	    "a buy at the ask%s%s", why ? ": differs in " : "",
	    why ? why : "");

	w.side = SIDE_SELL;		/* the taker sold, at the bid */
	strcpy(w.trade_id, "62178831");
	w.price = 26379900000000LL;
	w.size = 0.5;
	w.ts_ns = utc_ns(2023, 9, 25, 9, 4, 32, 123499000);
	why = g.v[4].is_status ? "status" : tick_diff(&g.v[4].tick, &w);
	CHECK(frame_of[4] == 5 && why == NULL, "session: line 5 second trade "
	    "a sell at the bid%s%s", why ? ": differs in " : "",
	    why ? why : "");

	w = want_tick(TICK_QUOTE, 7);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 26379800000000LL;
	w.bid_size = 1.2;
	w.ask = 26379900000000LL;
	w.ask_size = 0.1;
	w.ts_ns = utc_ns(2023, 9, 25, 9, 4, 33, 1000);
	why = g.v[5].is_status ? "status" : tick_diff(&g.v[5].tick, &w);
	CHECK(frame_of[5] == 7 && why == NULL, "session: line 6 heartbeat "
	    "nothing, line 7 quote at its timestamp%s%s",
	    why ? ": differs in " : "", why ? why : "");

	CHECK(frame_of[6] == 8 && g.v[6].is_status &&
	    g.v[6].status == FSS_ERROR && strcmp(g.v[6].message,
	    "Currency pair not supported BTC/FOO") == 0,
	    "session: line 8 failed subscribe, its error text");
	CHECK(frame_of[7] == 11 && g.v[7].is_status &&
	    g.v[7].status == FSS_OTHER &&
	    strcmp(g.v[7].message, "maintenance") == 0,
	    "session: lines 9-10 (pong, book) no status, line 11 maintenance");
	free(g.v);
}

/* ---- symbols ---- */

static const struct sym_case {
	const char	*in;
	const char	*want;		/* NULL: refused */
} to_cases[] = {
	{ "BTC-USD", "BTC/USD" },
	{ "ETH-BTC", "ETH/BTC" },
	{ "MATIC-GBP", "MATIC/GBP" },
	{ "1INCH-EUR", "1INCH/EUR" },
	{ "USDT-USD", "USDT/USD" },
	{ "XBT-USD", "BTC/USD" },		/* v2 names it BTC */
	{ "ETH-XBT", "ETH/BTC" },
	{ "XBTC-USD", "XBTC/USD" },		/* only XBT itself */
	{ "ABCDEFGHIJKLMNOPQR-USD", "ABCDEFGHIJKLMNOPQR/USD" },	/* 22 */
	{ "ABCDEFGHIJKLMNOPQRS-USD", "ABCDEFGHIJKLMNOPQRS/USD" },
	{ "ABCDEFGHIJKLMNOPQRST-USD", NULL },	/* 24: too long */
	{ "", NULL },
	{ "BTCUSD", NULL },			/* no dash */
	{ "btc-usd", NULL },		/* canonical is upper case */
	{ "BTC-usd", NULL },
	{ "BTC-", NULL },
	{ "-USD", NULL },
	{ "BTC--USD", NULL },
	{ "BTC-USD-X", NULL },
	{ "BTC/USD", NULL },
	{ "BTC_USD", NULL },
	{ "BTC USD", NULL },
	{ "BTC-\xc3\x9cSD", NULL },
}, from_cases[] = {
	{ "BTC/USD", "BTC-USD" },
	{ "btc/usd", "BTC-USD" },
	{ "MATIC/USD", "MATIC-USD" },
	{ "XBT/USD", "BTC-USD" },
	{ "ETH/XBT", "ETH-BTC" },
	{ "XBT/XBT", "BTC-BTC" },
	{ "1INCH/EUR", "1INCH-EUR" },
	{ "ABCDEFGHIJKLMNOPQRS/USD", "ABCDEFGHIJKLMNOPQRS-USD" },
	{ "ABCDEFGHIJKLMNOPQRST/USD", NULL },	/* 24 */
	{ "", NULL },
	{ "BTCUSD", NULL },
	{ "BTC-USD", NULL },
	{ "BTC/USD/EUR", NULL },
	{ "/USD", NULL },
	{ "BTC/", NULL },
	{ "BTC/ USD", NULL },
	{ "ETH2.S/ETH", NULL },		/* outside A-Z 0-9: refused */
};

static void
test_symbols(void)
{
	char out[TICK_SYMBOL_LEN], small[8];
	const struct sym_case *sc;
	size_t i;
	int r;

	for (i = 0; i < sizeof(to_cases) / sizeof(to_cases[0]); i++) {
		sc = &to_cases[i];
		memset(out, 'z', sizeof(out));
		r = kraken_symbol_to(sc->in, out, sizeof(out));
		if (sc->want != NULL)
			CHECK(r == (int)strlen(sc->want) &&
			    strcmp(out, sc->want) == 0, "to: \"%s\" -> %s",
			    sc->in, sc->want);
		else
			CHECK(r == -1 && out[0] == '\0',
			    "to: \"%s\" refused", sc->in);
	}
	for (i = 0; i < sizeof(from_cases) / sizeof(from_cases[0]); i++) {
		sc = &from_cases[i];
		memset(out, 'z', sizeof(out));
		r = kraken_symbol_from(sc->in, strlen(sc->in), out,
		    sizeof(out));
		if (sc->want != NULL)
			CHECK(r == (int)strlen(sc->want) &&
			    strcmp(out, sc->want) == 0, "from: \"%s\" -> %s",
			    sc->in, sc->want);
		else
			CHECK(r == -1 && out[0] == '\0',
			    "from: \"%s\" refused", sc->in);
	}
	/* Length given, not NUL: "BTC/USDT" cut at 7 is "BTC/USD". */
	r = kraken_symbol_from("BTC/USDT", 7, out, sizeof(out));
	CHECK(r == 7 && strcmp(out, "BTC-USD") == 0,
	    "from: the length given is honoured");
	CHECK(kraken_symbol_to("BTC-USD", small, 7) == -1 && small[0] == '\0',
	    "to: a buffer of 7 for 7 bytes and the NUL is refused");
	CHECK(kraken_symbol_to("BTC-USD", small, 8) == 7 &&
	    strcmp(small, "BTC/USD") == 0, "to: a buffer of 8 is enough");
	CHECK(venue_symbol_to(SOURCE_KRAKEN, "ETH-USD", out,
	    sizeof(out)) == 7 && strcmp(out, "ETH/USD") == 0,
	    "venue_symbol_to reaches Kraken's");
	CHECK(venue_symbol_from(SOURCE_KRAKEN, "ETH/USD", 7, out,
	    sizeof(out)) == 7 && strcmp(out, "ETH-USD") == 0,
	    "venue_symbol_from reaches Kraken's");
}

/* ---- subscribe ---- */

static void
test_subscribe(void)
{
	static const char *const one[] = { "BTC-USD" };
	static const char *const two[] = { "BTC-USD", "ETH-EUR" };
	static const char *const bad[] = { "BTC-USD", "eth-eur" };
	static const char want1[] =
	    "{\"method\":\"subscribe\",\"params\":{\"channel\":\"trade\","
	    "\"symbol\":[\"BTC/USD\"],\"snapshot\":false}}\n"
	    "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\","
	    "\"symbol\":[\"BTC/USD\"],\"event_trigger\":\"bbo\"}}";
	static const char want2[] =
	    "{\"method\":\"subscribe\",\"params\":{\"channel\":\"trade\","
	    "\"symbol\":[\"BTC/USD\",\"ETH/EUR\"],\"snapshot\":false}}\n"
	    "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\","
	    "\"symbol\":[\"BTC/USD\",\"ETH/EUR\"],\"event_trigger\":\"bbo\"}}";
	char out[1024];
	const char **lots;
	char *big, names[64][8];
	size_t i;
	int r;

	r = kraken_subscribe_msg(one, 1, out, sizeof(out));
	CHECK(r == (int)strlen(want1) && strcmp(out, want1) == 0,
	    "subscribe BTC-USD: trade and ticker bbo, one line each");
	r = kraken_subscribe_msg(two, 2, out, sizeof(out));
	CHECK(r == (int)strlen(want2) && strcmp(out, want2) == 0,
	    "subscribe two symbols");
	CHECK(strchr(out, '\n') != NULL && strchr(strchr(out, '\n') + 1,
	    '\n') == NULL, "exactly one newline between the two messages");
	memset(out, 'z', sizeof(out));
	CHECK(kraken_subscribe_msg(bad, 2, out, sizeof(out)) == -1 &&
	    out[0] == '\0', "a bad symbol: -1, empty output");
	CHECK(kraken_subscribe_msg(one, 0, out, sizeof(out)) == -1 &&
	    out[0] == '\0', "no symbol: -1");
	CHECK(kraken_subscribe_msg(one, 1, out, strlen(want1)) == -1 &&
	    out[0] == '\0', "a buffer one byte short: -1");
	CHECK(kraken_subscribe_msg(one, 1, out, strlen(want1) + 1) ==
	    (int)strlen(want1), "a buffer just large enough");
	/* Past VENUE_SUBSCRIBE_MAX: refused even with room. */
	if ((lots = malloc(4000 * sizeof(*lots))) == NULL ||
	    (big = malloc(200000)) == NULL)
		exit(1);
	for (i = 0; i < 64; i++)
		snprintf(names[i], sizeof(names[i]), "A%zu-USD", i);
	for (i = 0; i < 4000; i++)
		lots[i] = names[i % 64];
	CHECK(kraken_subscribe_msg(lots, 4000, big, 200000) == -1,
	    "4000 symbols: beyond VENUE_SUBSCRIBE_MAX, refused");
	CHECK(kraken_subscribe_msg(lots, 64, big, 200000) > 0,
	    "64 symbols fit");
	free(big);
	free(lots);
	CHECK(venue_subscribe_msg(SOURCE_KRAKEN, one, 1, out,
	    sizeof(out)) == (int)strlen(want1),
	    "venue_subscribe_msg reaches Kraken's");
}

int
main(void)
{
	venue_test_init();
	test_trades();
	test_tickers();
	test_control();
	test_malformed();
	test_prefixes();
	test_many();
	test_null_handlers();
	test_session();
	test_symbols();
	test_subscribe();
	test_mutations();
	venue_parser_free(&vp);
	return check_report();
}
