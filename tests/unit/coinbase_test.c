/*
 * Coinbase Exchange frames to ticks (common/coinbase.c, through venue.c),
 * Coinbase's symbols and subscribe message, and venue_rfc3339_ns. Every
 * expected value is written by hand from Coinbase's documentation (or
 * computed with libc's timegm, independently of venue.c), never copied
 * from the parser's output.
 *
 * Sources of the sample frames:
 *  [ws-overview]  https://docs.cloud.coinbase.com/exchange/docs/
 *                 websocket-overview: the error message
 *                 {"type":"error","message":"error message",...}, the
 *                 subscriptions response, "New message types can be added
 *                 at any time. Clients are expected to ignore messages
 *                 they do not support."
 *  [channels]     https://docs.cdp.coinbase.com/exchange/websocket-feed/
 *                 channels: the heartbeat message (sequence 90,
 *                 last_trade_id 20, 2014-11-07T08:19:28.464459Z)
 *  [match-doc]    Coinbase's match sample (trade_id 10, sequence 50,
 *                 2014-11-07T08:19:27.028459Z, "5.23512" at "400.23") and
 *                 "The side field indicates the maker order side. If the
 *                 side is sell this indicates the maker was a sell order
 *                 and the match is considered an up-tick. A buy side match
 *                 is a down-tick." (as quoted by bennycode.com/
 *                 coinbase-pro-node/enums/WebSocketResponseType.html)
 *  [so66683387]   https://stackoverflow.com/questions/66683387: a live
 *                 match and ticker of the same trade 50907907: match
 *                 "side":"sell" while the ticker (taker side) says "buy",
 *                 at best_ask 41353.04: the taker bought.
 *  [ticker-2017]  the docs' ticker sample ("side": "buy", // Taker side;
 *                 no best_bid_size/best_ask_size), as copied in
 *                 github.com/spiceai/data-components-contrib
 *                 dataconnectors/coinbase/README.md
 *  [ticker-2022]  the live ticker's full field list, with best_bid_size
 *                 and best_ask_size (github.com/AleksandrMaslov/JudgeBot
 *                 server/src/types/coinbase/ticker.ts)
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

#define VENUE_TEST_SOURCE	SOURCE_COINBASE
#include "venue_support.h"

#define DATA_FILE	"tests/data/coinbase/session.json"
#define MANY		10000

/* One frame that must yield exactly one tick equal to *want. */
static void
check_one_tick(const char *name, const char *frame, int64_t recv_ns,
    const struct tick *want)
{
	struct feed_counts c;
	struct got g;
	const char *why = "nothing came out";
	enum feed_parse st;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	st = run(frame, recv_ns, &g, &c);
	if (g.n == 1 && !g.v[0].is_status)
		why = tick_diff(&g.v[0].tick, want);
	else if (g.n > 0)
		why = "not exactly one tick";
	CHECK(st == FEED_OK && why == NULL && c.frames == 1 &&
	    c.events == 1 && c.ticks[want->kind] == 1 &&
	    c.ticks[want->kind == TICK_TRADE ? TICK_QUOTE : TICK_TRADE] == 0 &&
	    c.status_messages == 0 && skipped_total(&c) == 0,
	    "%s%s%s", name, why != NULL ? ": differs in " : "",
	    why != NULL ? why : "");
	free(g.v);
}

/* ---- trades: match and last_match, the aggressor side ---- */

static void
test_matches(void)
{
	struct tick w;

	/* [so66683387]: maker sold, so the taker bought. */
	w = want_tick(TICK_TRADE, 5);
	w.side = SIDE_BUY;
	strcpy(w.symbol, "BTC-EUR");
	strcpy(w.trade_id, "50907907");
	w.price = 41353040000000LL;
	w.size = 0.0037041;
	w.ts_ns = 1633206841789371000LL;
	CHECK(w.ts_ns == utc_ns(2021, 10, 2, 20, 34, 1, 789371000),
	    "2021-10-02T20:34:01.789371Z is 1633206841789371000 ns (timegm)");
	check_one_tick("match side sell (maker sold) is a BUY [so66683387]",
	    "{\"type\":\"match\",\"trade_id\":50907907,\"maker_order_id\":"
	    "\"bc002935-a5ce-484c-b3e5-bc353138fe65\",\"taker_order_id\":"
	    "\"e575a531-21a8-447d-9801-6c79b136dc0f\",\"side\":\"sell\","
	    "\"size\":\"0.0037041\",\"price\":\"41353.04\",\"product_id\":"
	    "\"BTC-EUR\",\"time\":\"2021-10-02T20:34:01.789371Z\"}", 5, &w);

	/* [match-doc] as documented, then with the other side. */
	w = want_tick(TICK_TRADE, 6);
	w.side = SIDE_BUY;
	strcpy(w.symbol, "BTC-USD");
	strcpy(w.trade_id, "10");
	w.price = 400230000000LL;
	w.size = 5.23512;
	w.ts_ns = utc_ns(2014, 11, 7, 8, 19, 27, 28459000);
	check_one_tick("documented match, side sell: BUY [match-doc]",
	    "{\"type\":\"match\",\"trade_id\":10,\"sequence\":50,"
	    "\"maker_order_id\":\"ac928c66-ca53-498f-9c13-a110027a60e8\","
	    "\"taker_order_id\":\"132fb6ae-456b-4654-b4e0-d681ac05cea1\","
	    "\"time\":\"2014-11-07T08:19:27.028459Z\",\"product_id\":"
	    "\"BTC-USD\",\"size\":\"5.23512\",\"price\":\"400.23\","
	    "\"side\":\"sell\"}", 6, &w);
	w.side = SIDE_SELL;
	check_one_tick("match side buy (maker bought) is a SELL [match-doc]",
	    "{\"type\":\"match\",\"trade_id\":10,\"sequence\":50,"
	    "\"time\":\"2014-11-07T08:19:27.028459Z\",\"product_id\":"
	    "\"BTC-USD\",\"size\":\"5.23512\",\"price\":\"400.23\","
	    "\"side\":\"buy\"}", 6, &w);
	check_one_tick("last_match is a trade like match (side buy: SELL)",
	    "{\"type\":\"last_match\",\"trade_id\":10,\"sequence\":50,"
	    "\"time\":\"2014-11-07T08:19:27.028459Z\",\"product_id\":"
	    "\"BTC-USD\",\"size\":\"5.23512\",\"price\":\"400.23\","
	    "\"side\":\"buy\"}", 6, &w);

	/* Numbers as JSON numbers, a string trade id, lower case product. */
	w = want_tick(TICK_TRADE, 7);
	w.side = SIDE_SELL;
	strcpy(w.symbol, "ETH-USD");
	strcpy(w.trade_id, "abc-1");
	w.price = 1500000000LL;		/* 1.5 */
	w.size = 2;
	w.ts_ns = utc_ns(2024, 2, 29, 23, 59, 59, 999999000);
	check_one_tick("numbers as numbers, string id, lower-case product",
	    "{\"type\":\"match\",\"trade_id\":\"abc-1\",\"product_id\":"
	    "\"eth-usd\",\"price\":1.5,\"size\":2,\"side\":\"buy\","
	    "\"time\":\"2024-02-29T23:59:59.999999Z\"}", 7, &w);

	/* A trade id longer than a tick holds: cut, flagged. */
	w = want_tick(TICK_TRADE, 8);
	w.side = SIDE_BUY;
	w.flags = TICK_F_TRADE_ID_TRUNCATED;
	strcpy(w.symbol, "A-B");
	strcpy(w.trade_id, "123456789012345678901234567890123456789");
	w.price = 1;			/* 1e-9, the smallest price */
	w.size = 0;
	w.ts_ns = utc_ns(2020, 1, 1, 0, 0, 0, 0);
	check_one_tick("huge trade id cut at 39 bytes, price 0.000000001",
	    "{\"type\":\"match\",\"trade_id\":"
	    "12345678901234567890123456789012345678901234567890,"
	    "\"product_id\":\"A-B\",\"price\":\"0.000000001\",\"size\":\"0\","
	    "\"side\":\"sell\",\"time\":\"2020-01-01T00:00:00Z\"}", 8, &w);
}

/* ---- quotes: ticker ---- */

static void
test_tickers(void)
{
	struct tick w;

	/* [ticker-2022] every field the live feed sends. */
	w = want_tick(TICK_QUOTE, 9);
	strcpy(w.symbol, "ETH-USD");
	w.bid = 1285040000000LL;
	w.bid_size = 0.46688654;
	w.ask = 1285270000000LL;
	w.ask_size = 1.56637040;
	w.ts_ns = utc_ns(2022, 10, 19, 23, 28, 22, 61769000);
	check_one_tick("ticker: a quote, not a trade [ticker-2022]",
	    "{\"type\":\"ticker\",\"sequence\":37475248783,\"product_id\":"
	    "\"ETH-USD\",\"price\":\"1285.22\",\"open_24h\":\"1310.79\","
	    "\"volume_24h\":\"245532.79269678\",\"low_24h\":\"1280.52\","
	    "\"high_24h\":\"1313.8\",\"volume_30d\":\"9788783.60117027\","
	    "\"best_bid\":\"1285.04\",\"best_bid_size\":\"0.46688654\","
	    "\"best_ask\":\"1285.27\",\"best_ask_size\":\"1.56637040\","
	    "\"side\":\"buy\",\"time\":\"2022-10-19T23:28:22.061769Z\","
	    "\"trade_id\":370843401,\"last_size\":\"11.4396987\"}", 9, &w);

	/* [ticker-2017] no sizes. */
	w = want_tick(TICK_QUOTE, 10);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 4388 * PRICE_SCALE;
	w.ask = 4388010000000LL;
	w.ts_ns = utc_ns(2017, 9, 2, 17, 5, 49, 250000000);
	check_one_tick("ticker without sizes: sizes 0 [ticker-2017]",
	    "{\"type\":\"ticker\",\"trade_id\":20153558,\"sequence\":"
	    "3262786978,\"time\":\"2017-09-02T17:05:49.250000Z\","
	    "\"product_id\":\"BTC-USD\",\"price\":\"4388.01000000\","
	    "\"side\":\"buy\",\"last_size\":\"0.03000000\",\"best_bid\":"
	    "\"4388\",\"best_ask\":\"4388.01\"}", 10, &w);

	w.ts_ns = w.recv_ns = 11;
	check_one_tick("ticker without time: ts = recv_ns; null sizes are 0",
	    "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":"
	    "\"4388\",\"best_ask\":\"4388.01\",\"best_bid_size\":null,"
	    "\"best_ask_size\":null}", 11, &w);

	w = want_tick(TICK_QUOTE, 12);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 101 * PRICE_SCALE;
	w.ask = 100 * PRICE_SCALE;
	w.bid_size = 1;
	w.ask_size = 2;
	check_one_tick("crossed quote goes out as it came",
	    "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":"
	    "\"101\",\"best_ask\":\"100\",\"best_bid_size\":\"1\","
	    "\"best_ask_size\":\"2\"}", 12, &w);
	w.bid = 0;
	w.ask = 0;
	w.bid_size = 0;
	w.ask_size = 0;
	check_one_tick("zero quote goes out as it came",
	    "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":"
	    "\"0\",\"best_ask\":\"0.0\",\"best_bid_size\":\"0\","
	    "\"best_ask_size\":\"0\"}", 12, &w);
}

/* ---- control messages ---- */

static const struct control_case {
	const char		*name;
	const char		*frame;
	int			 is_status;	/* 0: nothing comes out */
	enum feed_server_status	 status;
	const char		*message;
} control_cases[] = {
	{ "subscriptions ack: success, its channels as text [ws-overview]",
	    "{\"type\":\"subscriptions\",\"channels\":[{\"name\":\"matches\","
	    "\"product_ids\":[\"BTC-USD\"]}]}", 1, FSS_SUCCESS,
	    "[{\"name\":\"matches\",\"product_ids\":[\"BTC-USD\"]}]" },
	{ "subscriptions without channels: success, empty text",
	    "{\"type\":\"subscriptions\"}", 1, FSS_SUCCESS, "" },
	{ "error: message and reason [ws-overview]",
	    "{\"type\":\"error\",\"message\":\"Failed to subscribe\","
	    "\"reason\":\"BTC-FOO is not a valid product\"}", 1, FSS_ERROR,
	    "Failed to subscribe: BTC-FOO is not a valid product" },
	{ "error: message only [ws-overview]",
	    "{\"type\":\"error\",\"message\":\"error message\"}", 1,
	    FSS_ERROR, "error message" },
	{ "error: reason only", "{\"type\":\"error\",\"reason\":\"r\"}", 1,
	    FSS_ERROR, "r" },
	{ "error: no text, or text of the wrong type",
	    "{\"type\":\"error\",\"message\":5,\"reason\":null}", 1,
	    FSS_ERROR, "" },
	{ "error text passed raw (escapes not decoded)",
	    "{\"type\":\"error\",\"message\":\"a\\\"b\"}", 1, FSS_ERROR,
	    "a\\\"b" },
	{ "heartbeat: nothing, not skipped [channels]",
	    "{\"type\":\"heartbeat\",\"sequence\":90,\"last_trade_id\":20,"
	    "\"product_id\":\"BTC-USD\",\"time\":"
	    "\"2014-11-07T08:19:28.464459Z\"}", 0, FSS_OTHER, NULL },
	{ "heartbeat with odd fields: still nothing",
	    "{\"type\":\"heartbeat\",\"last_trade_id\":\"x\"}", 0, FSS_OTHER,
	    NULL },
};

static void
test_control(void)
{
	struct feed_counts c;
	struct got g;
	size_t i;
	enum feed_parse st;

	for (i = 0; i < sizeof(control_cases) / sizeof(control_cases[0]);
	    i++) {
		const struct control_case *cc = &control_cases[i];

		memset(&c, 0, sizeof(c));
		memset(&g, 0, sizeof(g));
		st = run(cc->frame, 1, &g, &c);
		if (cc->is_status)
			CHECK(st == FEED_OK && g.n == 1 && g.v[0].is_status &&
			    g.v[0].status == cc->status &&
			    strcmp(g.v[0].message, cc->message) == 0 &&
			    c.events == 1 && c.status_messages == 1 &&
			    skipped_total(&c) == 0, "%s (got \"%s\")",
			    cc->name, g.n == 1 ? g.v[0].message : "");
		else
			CHECK(st == FEED_OK && g.n == 0 && c.events == 1 &&
			    c.status_messages == 0 && skipped_total(&c) == 0,
			    "%s", cc->name);
		free(g.v);
	}
}

/* ---- malformed input ---- */

static const struct bad_case {
	const char	*name;
	const char	*frame;
	enum feed_parse	 ret;		/* what venue_parse_frame returns */
	enum feed_parse	 why;		/* the one skipped[] that counts */
	uint64_t	 events;
} bad_cases[] = {
	{ "not JSON", "hello", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "empty frame", "", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "truncated frame", "{\"type\":\"match\",\"trade_id\":1,\"pri",
	    FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "two objects", "{\"type\":\"heartbeat\"}{\"type\":\"heartbeat\"}",
	    FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "top-level array", "[{\"type\":\"heartbeat\"}]", FEED_NOT_OBJECT,
	    FEED_NOT_OBJECT, 0 },
	{ "top-level string", "\"match\"", FEED_NOT_OBJECT, FEED_NOT_OBJECT,
	    0 },
	{ "top-level null", "null", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "no type", "{\"product_id\":\"BTC-USD\"}", FEED_OK, FEED_NO_EV, 1 },
	{ "type not a string", "{\"type\":1}", FEED_OK, FEED_NO_EV, 1 },
	{ "unknown type (l2update)", "{\"type\":\"l2update\","
	    "\"product_id\":\"BTC-USD\",\"changes\":[]}", FEED_OK,
	    FEED_UNKNOWN_EV, 1 },
	{ "type in another case", "{\"type\":\"MATCH\"}", FEED_OK,
	    FEED_UNKNOWN_EV, 1 },
	{ "ticker without product_id", "{\"type\":\"ticker\",\"best_bid\":"
	    "\"1\",\"best_ask\":\"2\"}", FEED_OK, FEED_MISSING_FIELD, 1 },
	{ "ticker without best_bid", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_ask\":\"2\"}", FEED_OK, FEED_MISSING_FIELD, 1 },
	{ "ticker without best_ask", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"2\"}", FEED_OK, FEED_MISSING_FIELD, 1 },
	{ "ticker negative bid", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"-1\",\"best_ask\":\"2\"}", FEED_OK,
	    FEED_BAD_VALUE, 1 },
	{ "ticker null ask", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"1\",\"best_ask\":null}", FEED_OK,
	    FEED_BAD_TYPE, 1 },
	{ "ticker bad size", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"1\",\"best_ask\":\"2\","
	    "\"best_bid_size\":\"lots\"}", FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker negative ask size", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"1\",\"best_ask\":\"2\","
	    "\"best_ask_size\":\"-0.5\"}", FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker bad time", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"1\",\"best_ask\":\"2\",\"time\":"
	    "\"yesterday\"}", FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker time as a number", "{\"type\":\"ticker\",\"product_id\":"
	    "\"A-B\",\"best_bid\":\"1\",\"best_ask\":\"2\",\"time\":1}",
	    FEED_OK, FEED_BAD_TYPE, 1 },
	{ "ticker product id without dash", "{\"type\":\"ticker\","
	    "\"product_id\":\"BTCUSD\",\"best_bid\":\"1\",\"best_ask\":\"2\"}",
	    FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker product id too long", "{\"type\":\"ticker\","
	    "\"product_id\":\"ABCDEFGHIJKL-MNOPQRSTUVW\",\"best_bid\":\"1\","
	    "\"best_ask\":\"2\"}", FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker product id escaped", "{\"type\":\"ticker\","
	    "\"product_id\":\"BTC\\u002dUSD\",\"best_bid\":\"1\","
	    "\"best_ask\":\"2\"}", FEED_OK, FEED_BAD_VALUE, 1 },
	{ "ticker huge bid", "{\"type\":\"ticker\",\"product_id\":\"A-B\","
	    "\"best_bid\":\"99999999999999999999\",\"best_ask\":\"2\"}",
	    FEED_OK, FEED_BAD_VALUE, 1 },
};

/* A match with one field replaced (value "" drops the key). */
static const struct match_case {
	const char	*name;
	const char	*key;
	const char	*value;		/* raw JSON */
	enum feed_parse	 why;
} match_cases[] = {
	{ "no product_id", "product_id", "", FEED_MISSING_FIELD },
	{ "no trade_id", "trade_id", "", FEED_MISSING_FIELD },
	{ "no price", "price", "", FEED_MISSING_FIELD },
	{ "no size", "size", "", FEED_MISSING_FIELD },
	{ "no side", "side", "", FEED_MISSING_FIELD },
	{ "no time", "time", "", FEED_MISSING_FIELD },
	{ "product_id a number", "product_id", "5", FEED_BAD_TYPE },
	{ "product_id empty", "product_id", "\"\"", FEED_BAD_VALUE },
	{ "product_id two dashes", "product_id", "\"A-B-C\"",
	    FEED_BAD_VALUE },
	{ "product_id dash first", "product_id", "\"-USD\"", FEED_BAD_VALUE },
	{ "product_id with a space", "product_id", "\"BTC -USD\"",
	    FEED_BAD_VALUE },
	{ "trade_id null", "trade_id", "null", FEED_BAD_TYPE },
	{ "trade_id negative", "trade_id", "-5", FEED_BAD_VALUE },
	{ "trade_id fraction", "trade_id", "1.5", FEED_BAD_VALUE },
	{ "trade_id empty", "trade_id", "\"\"", FEED_BAD_VALUE },
	{ "trade_id an object", "trade_id", "{}", FEED_BAD_TYPE },
	{ "price zero", "price", "\"0\"", FEED_BAD_VALUE },
	{ "price negative", "price", "\"-41353.04\"", FEED_BAD_VALUE },
	{ "price not a number", "price", "\"abc\"", FEED_BAD_VALUE },
	{ "price with a space", "price", "\" 1\"", FEED_BAD_VALUE },
	{ "price true", "price", "true", FEED_BAD_TYPE },
	{ "price huge", "price", "\"1e400\"", FEED_BAD_VALUE },
	{ "price beyond int64 in fixed point", "price",
	    "\"9300000000000\"", FEED_BAD_VALUE },
	{ "size negative", "size", "\"-1\"", FEED_BAD_VALUE },
	{ "size huge", "size", "\"1e400\"", FEED_BAD_VALUE },
	{ "size an array", "size", "[1]", FEED_BAD_TYPE },
	{ "side upper case", "side", "\"BUY\"", FEED_BAD_VALUE },
	{ "side empty", "side", "\"\"", FEED_BAD_VALUE },
	{ "side a number", "side", "1", FEED_BAD_TYPE },
	{ "side null", "side", "null", FEED_BAD_TYPE },
	{ "time a number", "time", "1633206841", FEED_BAD_TYPE },
	{ "time month 13", "time", "\"2021-13-02T20:34:01.789371Z\"",
	    FEED_BAD_VALUE },
	{ "time without zone", "time", "\"2021-10-02T20:34:01.789371\"",
	    FEED_BAD_VALUE },
	{ "time not leap", "time", "\"2023-02-29T00:00:00Z\"",
	    FEED_BAD_VALUE },
	{ "time before 1970", "time", "\"1969-12-31T23:59:59Z\"",
	    FEED_BAD_VALUE },
};

static void
match_frame(char *buf, size_t cap, const struct match_case *mc)
{
	static const char *const keys[] = { "product_id", "trade_id", "price",
	    "size", "side", "time" };
	static const char *const vals[] = { "\"BTC-USD\"", "10", "\"400.23\"",
	    "\"5.23512\"", "\"sell\"", "\"2014-11-07T08:19:27.028459Z\"" };
	size_t i, n;

	n = (size_t)snprintf(buf, cap, "{\"type\":\"match\"");
	for (i = 0; i < 6; i++) {
		if (strcmp(keys[i], mc->key) != 0)
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], vals[i]);
		else if (mc->value[0] != '\0')
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], mc->value);
	}
	snprintf(buf + n, cap - n, "}");
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
	char frame[512];
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(bad_cases[i].name, bad_cases[i].frame,
		    bad_cases[i].ret, bad_cases[i].why, bad_cases[i].events);
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		match_frame(frame, sizeof(frame), &match_cases[i]);
		check_bad(match_cases[i].name, frame, FEED_OK,
		    match_cases[i].why, 1);
	}
	/* The template itself is good: the cases above test one thing. */
	{
		static const struct match_case none = { "", "-", "", FEED_OK };
		struct tick w = want_tick(TICK_TRADE, 3);

		match_frame(frame, sizeof(frame), &none);
		w.side = SIDE_BUY;
		strcpy(w.symbol, "BTC-USD");
		strcpy(w.trade_id, "10");
		w.price = 400230000000LL;
		w.size = 5.23512;
		w.ts_ns = utc_ns(2014, 11, 7, 8, 19, 27, 28459000);
		check_one_tick("the malformed cases' template is a good match",
		    frame, 3, &w);
	}
}

/* Every proper prefix of a good frame is bad JSON; nothing comes out. */
static void
test_prefixes(void)
{
	static const char frame[] = "{\"type\":\"match\",\"trade_id\":10,"
	    "\"product_id\":\"BTC-USD\",\"price\":\"400.23\",\"size\":\"1\","
	    "\"side\":\"buy\",\"time\":\"2014-11-07T08:19:27.028459Z\"}";
	struct feed_counts c;
	struct got g;
	size_t len, bad = 0;
	char *copy;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	for (len = 0; len < sizeof(frame) - 1; len++) {
		/* An exact-size heap copy: ASan sees any read past len. */
		if ((copy = malloc(len + 1)) == NULL)
			exit(1);
		memcpy(copy, frame, len);
		if (run_len(copy, len, 1, &g, &c) == FEED_BAD_JSON)
			bad++;
		free(copy);
	}
	CHECK(bad == sizeof(frame) - 1 && g.n == 0 &&
	    c.skipped[FEED_BAD_JSON] == bad && c.events == 0,
	    "all %zu proper prefixes of a match are bad_json", bad);
	free(g.v);
}

/*
 * Byte mutations of a good frame: whatever comes out, each frame is
 * accounted for exactly once (a tick, a status, a skip, or a heartbeat's
 * nothing), and ASan sees no bad read.
 */
static void
test_mutations(void)
{
	static const char frame[] = "{\"type\":\"ticker\",\"product_id\":"
	    "\"BTC-USD\",\"best_bid\":\"1.5\",\"best_ask\":\"2\","
	    "\"best_bid_size\":\"3\",\"best_ask_size\":\"4\",\"time\":"
	    "\"2014-11-07T08:19:27.028459Z\"}";
	static const char subst[] = "\"\\{}[]:,0-9.eZTabuxyl\x7f\x80\xff ";
	struct feed_counts c;
	struct got g;
	size_t pos, k, n = 0;
	char *copy;
	int ok = 1;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	for (pos = 0; pos < sizeof(frame) - 1; pos++)
		for (k = 0; k < sizeof(subst) - 1; k++) {
			if ((copy = malloc(sizeof(frame) - 1)) == NULL)
				exit(1);
			memcpy(copy, frame, sizeof(frame) - 1);
			copy[pos] = subst[k];
			run_len(copy, sizeof(frame) - 1, 1, &g, &c);
			free(copy);
			n++;
		}
	/* A mutated ticker is never a heartbeat: one outcome each. */
	if (c.frames != n || c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages + skipped_total(&c) != n ||
	    c.ticks[TICK_TRADE] != 0 || g.n != c.ticks[TICK_QUOTE] +
	    c.status_messages)
		ok = 0;
	CHECK(ok, "%zu one-byte mutations: each accounted for once "
	    "(%llu quotes, %llu skipped)", n,
	    (unsigned long long)c.ticks[TICK_QUOTE],
	    (unsigned long long)skipped_total(&c));
	free(g.v);
}

/* ---- many frames, big frames ---- */

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
	    t->side != (m->n % 2 ? SIDE_SELL : SIDE_BUY))
		m->in_order = 0;
	m->n++;
}

static void
test_many(void)
{
	struct feed_counts c;
	struct feed_handler h = { many_tick, NULL, NULL };
	struct many m = { 0, 1 };
	struct got g;
	char frame[256], *big;
	size_t k, n, cap;
	int len;

	h.arg = &m;
	memset(&c, 0, sizeof(c));
	for (k = 0; k < MANY; k++) {
		len = snprintf(frame, sizeof(frame), "{\"type\":\"match\","
		    "\"trade_id\":%zu,\"product_id\":\"BTC-USD\",\"price\":"
		    "\"%zu\",\"size\":\"1\",\"side\":\"%s\",\"time\":"
		    "\"2020-01-01T00:00:00Z\"}", k + 1, k + 1,
		    k % 2 ? "buy" : "sell");
		venue_parse_frame(&vp, frame, (size_t)len, 1, &h, &c);
	}
	CHECK(m.n == MANY && m.in_order && c.frames == MANY &&
	    c.events == MANY && c.ticks[TICK_TRADE] == MANY &&
	    skipped_total(&c) == 0, "%d match frames: %d trades, in order, "
	    "sides alternating", MANY, MANY);

	/* Coinbase never batches: an array of matches is not_object. */
	cap = (size_t)MANY * 160 + 2;
	if ((big = malloc(cap)) == NULL)
		exit(1);
	n = 0;
	big[n++] = '[';
	for (k = 0; k < MANY; k++)
		n += (size_t)snprintf(big + n, cap - n, "%s{\"type\":\"match\","
		    "\"trade_id\":%zu,\"product_id\":\"BTC-USD\",\"price\":"
		    "\"1\",\"size\":\"1\",\"side\":\"buy\",\"time\":"
		    "\"2020-01-01T00:00:00Z\"}", k ? "," : "", k);
	big[n++] = ']';
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(run_len(big, n, 1, &g, &c) == FEED_NOT_OBJECT && g.n == 0 &&
	    c.skipped[FEED_NOT_OBJECT] == 1 && c.events == 0,
	    "an array of %d matches is not_object, nothing out", MANY);

	/* One object with many keys before its type (tokens grow). */
	n = 0;
	n += (size_t)snprintf(big + n, cap - n, "{");
	for (k = 0; k < MANY; k++)
		n += (size_t)snprintf(big + n, cap - n, "\"k%zu\":[%zu],", k,
		    k);
	n += (size_t)snprintf(big + n, cap - n, "\"type\":\"ticker\","
	    "\"product_id\":\"BTC-USD\",\"best_bid\":\"1\",\"best_ask\":"
	    "\"2\"}");
	memset(&c, 0, sizeof(c));
	CHECK(run_len(big, n, 1, &g, &c) == FEED_OK && g.n == 1 &&
	    c.ticks[TICK_QUOTE] == 1 && g.v[0].tick.bid == PRICE_SCALE,
	    "a ticker after %d unknown keys is found", MANY);
	free(g.v);
	free(big);

	/* Over the frame bound: too_large, not parsed. */
	if ((big = malloc(VENUE_MAX_FRAME + 1)) == NULL)
		exit(1);
	memset(big, ' ', VENUE_MAX_FRAME + 1);
	big[0] = '{';
	big[VENUE_MAX_FRAME] = '}';
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(run_len(big, VENUE_MAX_FRAME + 1, 1, &g, &c) == FEED_TOO_LARGE &&
	    c.skipped[FEED_TOO_LARGE] == 1 && c.events == 0 && g.n == 0,
	    "a frame of VENUE_MAX_FRAME + 1 bytes is too_large");
	free(big);
	free(g.v);
}

/* The handler's functions may be NULL: counting still happens. */
static void
test_null_handlers(void)
{
	static const char *const frames[] = {
	    "{\"type\":\"error\",\"message\":\"x\"}",
	    "{\"type\":\"ticker\",\"product_id\":\"A-B\",\"best_bid\":\"1\","
	    "\"best_ask\":\"2\"}" };
	struct feed_counts c;
	struct feed_handler h = { NULL, NULL, NULL };
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2; i++)
		venue_parse_frame(&vp, frames[i], strlen(frames[i]), 1, &h, &c);
	CHECK(c.ticks[TICK_QUOTE] == 1 && c.status_messages == 1 &&
	    c.events == 2, "NULL on_tick and on_status: still counted");
}

/* ---- the recorded session (tests/data/coinbase) ---- */

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
	int64_t lineno = 0;
	int64_t frame_of[16];
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
	CHECK(c.frames == 7 && c.events == 7 && c.ticks[TICK_TRADE] == 2 &&
	    c.ticks[TICK_QUOTE] == 1 && c.status_messages == 2 &&
	    c.skipped[FEED_UNKNOWN_EV] == 1 && skipped_total(&c) == 1 &&
	    g.n == 5, "session: 7 frames, 2 trades, 1 quote, 2 statuses, "
	    "1 unknown (l2update)");
	if (g.n != 5) {
		free(g.v);
		return;
	}
	CHECK(frame_of[0] == 1 && g.v[0].is_status &&
	    g.v[0].status == FSS_SUCCESS && strncmp(g.v[0].message,
	    "[{\"name\":\"matches\"", 18) == 0, "session: line 1 subscribed");

	w = want_tick(TICK_TRADE, 2);
	w.side = SIDE_SELL;		/* "side":"buy": the maker bought */
	strcpy(w.symbol, "BTC-USD");
	strcpy(w.trade_id, "10");
	w.price = 400230000000LL;
	w.size = 5.23512;
	w.ts_ns = utc_ns(2014, 11, 7, 8, 19, 27, 28459000);
	why = g.v[1].is_status ? "status" : tick_diff(&g.v[1].tick, &w);
	CHECK(frame_of[1] == 2 && why == NULL, "session: line 2 last_match "
	    "is a sell%s%s", why ? ": differs in " : "", why ? why : "");

	w = want_tick(TICK_QUOTE, 3);
	strcpy(w.symbol, "BTC-USD");
	w.bid = 400230000000LL;
	w.bid_size = 0.46688654;
	w.ask = 400240000000LL;
	w.ask_size = 1.5663704;
	w.ts_ns = utc_ns(2014, 11, 7, 8, 19, 28, 1000);
	why = g.v[2].is_status ? "status" : tick_diff(&g.v[2].tick, &w);
	CHECK(frame_of[2] == 3 && why == NULL, "session: line 3 ticker "
	    "quote%s%s", why ? ": differs in " : "", why ? why : "");

	w = want_tick(TICK_TRADE, 4);
	w.side = SIDE_BUY;		/* "side":"sell": the maker sold */
	strcpy(w.symbol, "BTC-USD");
	strcpy(w.trade_id, "11");
	w.price = 400240000000LL;
	w.size = 0.01;
	w.ts_ns = utc_ns(2014, 11, 7, 8, 19, 28, 1000);
	why = g.v[3].is_status ? "status" : tick_diff(&g.v[3].tick, &w);
	CHECK(frame_of[3] == 4 && why == NULL, "session: line 4 match is a "
	    "buy at the ask%s%s", why ? ": differs in " : "", why ? why : "");

	CHECK(frame_of[4] == 6 && g.v[4].is_status &&
	    g.v[4].status == FSS_ERROR && strcmp(g.v[4].message,
	    "Failed to subscribe: BTC-FOO is not a valid product") == 0,
	    "session: line 6 error with its reason");
	free(g.v);
}

/* ---- symbols ---- */

static const struct sym_case {
	const char	*in;
	const char	*want;		/* NULL: refused */
} to_cases[] = {
	{ "BTC-USD", "BTC-USD" },
	{ "ETH-EUR", "ETH-EUR" },
	{ "1INCH-USD", "1INCH-USD" },
	{ "A-B", "A-B" },
	{ "ABCDEFGHIJK-LMNOPQRSTUV", "ABCDEFGHIJK-LMNOPQRSTUV" }, /* 23 */
	{ "ABCDEFGHIJK-LMNOPQRSTUVW", NULL },	/* 24: too long */
	{ "", NULL },
	{ "BTCUSD", NULL },
	{ "btc-usd", NULL },		/* canonical is upper case */
	{ "Btc-USD", NULL },
	{ "BTC-", NULL },
	{ "-USD", NULL },
	{ "-", NULL },
	{ "BTC--USD", NULL },
	{ "BTC-USD-X", NULL },
	{ "BTC/USD", NULL },
	{ "BTC_USD", NULL },
	{ "BTC USD", NULL },
	{ "BTC-USD ", NULL },
	{ "BTC-\xc3\x9cSD", NULL },
}, from_cases[] = {
	{ "BTC-USD", "BTC-USD" },
	{ "btc-usd", "BTC-USD" },	/* lower case in, upper out */
	{ "Eth-Eur", "ETH-EUR" },
	{ "1inch-usd", "1INCH-USD" },
	{ "", NULL },
	{ "BTCUSD", NULL },
	{ "BTC/USD", NULL },
	{ "BTC-USD-X", NULL },
	{ "abcdefghijk-lmnopqrstuvw", NULL },
};

static void
test_symbols(void)
{
	char out[TICK_SYMBOL_LEN];
	size_t i;
	int n;

	for (i = 0; i < sizeof(to_cases) / sizeof(to_cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		n = venue_symbol_to(SOURCE_COINBASE, to_cases[i].in, out,
		    sizeof(out));
		if (to_cases[i].want != NULL)
			CHECK(n == (int)strlen(to_cases[i].want) &&
			    strcmp(out, to_cases[i].want) == 0,
			    "symbol_to \"%s\" -> \"%s\"", to_cases[i].in,
			    to_cases[i].want);
		else
			CHECK(n == -1, "symbol_to \"%s\" refused",
			    to_cases[i].in);
	}
	for (i = 0; i < sizeof(from_cases) / sizeof(from_cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		n = venue_symbol_from(SOURCE_COINBASE, from_cases[i].in,
		    strlen(from_cases[i].in), out, sizeof(out));
		if (from_cases[i].want != NULL)
			CHECK(n == (int)strlen(from_cases[i].want) &&
			    strcmp(out, from_cases[i].want) == 0,
			    "symbol_from \"%s\" -> \"%s\"", from_cases[i].in,
			    from_cases[i].want);
		else
			CHECK(n == -1, "symbol_from \"%s\" refused",
			    from_cases[i].in);
	}
	/* Only len bytes count; the output must fit cap with its NUL. */
	CHECK(venue_symbol_from(SOURCE_COINBASE, "BTC-USDXYZ", 7, out,
	    sizeof(out)) == 7 && strcmp(out, "BTC-USD") == 0,
	    "symbol_from reads len bytes only");
	CHECK(venue_symbol_to(SOURCE_COINBASE, "BTC-USD", out, 7) == -1 &&
	    venue_symbol_to(SOURCE_COINBASE, "BTC-USD", out, 8) == 7,
	    "symbol_to needs room for the NUL");
	CHECK(venue_symbol_to(SOURCE_COINBASE, "BTC-USD", out, 0) == -1,
	    "symbol_to with cap 0 refused");
}

/* ---- the subscribe message ---- */

static void
test_subscribe(void)
{
	static const char want1[] = "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\"],\"channels\":[\"matches\",\"ticker\","
	    "\"heartbeat\"]}";
	static const char want2[] = "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\",\"ETH-EUR\"],\"channels\":[\"matches\",\"ticker\","
	    "\"heartbeat\"]}";
	const char *one[] = { "BTC-USD" };
	const char *two[] = { "BTC-USD", "ETH-EUR" };
	const char *bad[] = { "BTC-USD", "btcusd" };
	char out[512];
	int n;

	n = venue_subscribe_msg(SOURCE_COINBASE, one, 1, out, sizeof(out));
	CHECK(n == (int)strlen(want1) && strcmp(out, want1) == 0,
	    "subscribe one product: %s", out);
	n = venue_subscribe_msg(SOURCE_COINBASE, two, 2, out, sizeof(out));
	CHECK(n == (int)strlen(want2) && strcmp(out, want2) == 0,
	    "subscribe two products: %s", out);
	CHECK(venue_subscribe_msg(SOURCE_COINBASE, two, 2, out,
	    sizeof(want2) - 1) == -1 && venue_subscribe_msg(SOURCE_COINBASE,
	    two, 2, out, sizeof(want2)) == (int)sizeof(want2) - 1,
	    "subscribe: -1 one byte short of room for the NUL, fits exactly");
	CHECK(venue_subscribe_msg(SOURCE_COINBASE, bad, 2, out,
	    sizeof(out)) == -1 && out[0] == '\0',
	    "subscribe with an unmappable symbol: -1, empty output");
	CHECK(venue_subscribe_msg(SOURCE_COINBASE, one, 0, out,
	    sizeof(out)) == -1, "subscribe to nothing: -1");
}

/* ---- venue_rfc3339_ns (venue.c; the coinbase helper owns these) ---- */

static const struct time_case {
	const char	*s;
	int		 ok;
	int		 y, mo, d, h, mi, sec;
	int64_t		 frac;
} time_cases[] = {
	{ "2021-10-02T20:34:01.789371Z", 1, 2021, 10, 2, 20, 34, 1,
	    789371000 },
	{ "1970-01-01T00:00:00Z", 1, 1970, 1, 1, 0, 0, 0, 0 },
	{ "2024-02-29T12:00:00Z", 1, 2024, 2, 29, 12, 0, 0, 0 },
	{ "2000-02-29T00:00:00Z", 1, 2000, 2, 29, 0, 0, 0, 0 },
	{ "2023-02-29T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2100-02-29T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-12-31T23:59:59Z", 1, 2024, 12, 31, 23, 59, 59, 0 },
	{ "2024-04-31T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-13-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-00-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-00T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T24:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:60:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00.5Z", 1, 2024, 1, 1, 0, 0, 0, 500000000 },
	{ "2024-01-01T00:00:00.123456789Z", 1, 2024, 1, 1, 0, 0, 0,
	    123456789 },
	{ "2024-01-01T00:00:00.1234567899999Z", 1, 2024, 1, 1, 0, 0, 0,
	    123456789 },		/* beyond nine digits: cut */
	{ "2024-01-01T00:00:00.000000001Z", 1, 2024, 1, 1, 0, 0, 0, 1 },
	{ "2024-01-01T00:00:00.Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00+00:00", 1, 2024, 1, 1, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00.25+00:00", 1, 2024, 1, 1, 0, 0, 0,
	    250000000 },
	{ "2024-01-01T00:00:00+01:00", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00-00:00", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00.5", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:00ZZ", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01 00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-1-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "2024-01-01T00:00:0xZ", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "+024-01-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "1969-12-31T23:59:59Z", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "Z", 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void
test_rfc3339(void)
{
	size_t i;
	int64_t ns, want;
	int r;

	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *tc = &time_cases[i];

		ns = -1;
		r = venue_rfc3339_ns(tc->s, strlen(tc->s), &ns);
		if (tc->ok) {
			want = utc_ns(tc->y, tc->mo, tc->d, tc->h, tc->mi,
			    tc->sec, tc->frac);
			CHECK(r == 0 && ns == want, "rfc3339 \"%s\" = %lld "
			    "(got %lld)", tc->s, (long long)want,
			    (long long)ns);
		} else
			CHECK(r == -1, "rfc3339 \"%s\" refused", tc->s);
	}
	/* Literal values, worked by hand: 2024 is 19723 days past 1970. */
	CHECK(venue_rfc3339_ns("2024-01-01T00:00:00Z", 20, &ns) == 0 &&
	    ns == 19723LL * 86400 * NS_PER_S, "2024-01-01 is day 19723");
	/* 2024-02-29 is day 19723 + 31 + 28 = 19782. */
	CHECK(venue_rfc3339_ns("2024-02-29T00:00:00.000000001Z", 30, &ns) ==
	    0 && ns == 19782LL * 86400 * NS_PER_S + 1,
	    "leap day 2024-02-29 is day 19782, plus 1 ns");
	/* Only len bytes count (a JSON string is not NUL-terminated). */
	CHECK(venue_rfc3339_ns("2024-01-01T00:00:00Zjunk", 20, &ns) == 0 &&
	    ns == 19723LL * 86400 * NS_PER_S, "rfc3339 reads len bytes only");
	CHECK(venue_rfc3339_ns("2024-01-01T00:00:00Z", 19, &ns) == -1,
	    "rfc3339 cut before the Z refused");
}

/*
 * Times past what int64 ns can hold (2262-04-11T23:47:16.854775807Z) must
 * be refused, not overflow. Run last: until venue.c bounds the year,
 * its multiplication overflows there and UBSan stops the test.
 */
static void
test_rfc3339_range(void)
{
	int64_t ns = 0;

	CHECK(venue_rfc3339_ns("2262-04-11T23:47:16.854775807Z", 30, &ns) ==
	    0 && ns == INT64_MAX, "rfc3339: the last time int64 ns holds");
	CHECK(venue_rfc3339_ns("2262-04-11T23:47:17Z", 20, &ns) == -1,
	    "rfc3339: one second later refused");
	CHECK(venue_rfc3339_ns("9999-12-31T23:59:59Z", 20, &ns) == -1,
	    "rfc3339: year 9999 refused");
}

int
main(void)
{
	/* Line by line: a sanitizer's abort must not eat the lines before. */
	venue_test_init();
	test_matches();
	test_tickers();
	test_control();
	test_malformed();
	test_prefixes();
	test_many();
	test_null_handlers();
	test_session();
	test_symbols();
	test_subscribe();
	test_rfc3339();
	test_mutations();	/* may hit the overflow below in a year */
	test_rfc3339_range();
	venue_parser_free(&vp);
	return check_report();
}
