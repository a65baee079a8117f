/*
 * Binance spot frames to ticks (common/binance.c), Binance's symbols and
 * subscribe message. Every expected value is written by hand from
 * Binance's documentation (times cross-checked with libc's timegm), never
 * copied from the parser's output.
 *
 * Sources of the sample frames:
 *  [wss]       github.com/binance/binance-spot-api-docs web-socket-
 *              streams.md @a5e0bc3 (the version feeds.md §4 cites):
 *              "Trade Streams" (e trade, E/T 1672515782136, s BNBBTC,
 *              t 12345, p "0.001", q "100", m true, M true), "Aggregate
 *              Trade Streams" (a 12345, f 100, l 105), "Individual Symbol
 *              Book Ticker Streams" (u 400900217, BNBUSDT, 25.35190000 /
 *              31.21000000 / 25.36520000 / 40.66000000, no "e", no time),
 *              "Server Shutdown" (raw, and combined with stream
 *              "!serverShutdown", E 1770123456789), "Subscribe to a stream"
 *              ({"result":null,"id":1}), "Listing Subscriptions"
 *              ({"result":["btcusdt@aggTrade"],"id":3}), "Error Messages"
 *              ({"code": 0, "msg": "Unknown property","id": %s}, ...), and
 *              "Combined stream events are wrapped as follows:
 *              {"stream":"<streamName>","data":<rawPayload>}".
 *              Side: "m": "Is the buyer the market maker?"
 *  [err-live]  the error as the server really sends it, nested:
 *              {"error":{"code":2,"msg":"Invalid request: invalid stream"},
 *              "id":1}: not in the docs' table, but in several open-source
 *              Binance clients and their tests (GitHub).
 *  [live-2026] a spot trade captured on 2026-09-29 and kept in a client's
 *              test (GitHub): {"stream":"btcusdt@trade","data":{"e":
 *              "trade","E":1790649901913,"s":"BTCUSDT","t":6720857582,
 *              "p":"83034.29000000","q":"0.00062000","T":1790649901913,
 *              "m":true,"M":true}} (8-decimal strings).
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

#define VENUE_TEST_SOURCE	SOURCE_BINANCE
#include "venue_support.h"

#define DATA_FILE	"tests/data/binance/session.json"
#define MANY		10000

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

/* ---- trades: the aggressor side first ---- */

static void
test_trades(void)
{
	struct tick w;

	/* [wss] the documented trade: m true, the buyer made: a SELL. */
	w = want_tick(TICK_TRADE, 5);
	w.side = SIDE_SELL;
	strcpy(w.symbol, "BNB-BTC");
	strcpy(w.trade_id, "12345");
	w.price = 1000000LL;			/* 0.001 */
	w.size = 100;
	w.ts_ns = 1672515782136000000LL;
	CHECK(w.ts_ns == utc_ns(2022, 12, 31, 19, 43, 2, 136000000),
	    "T 1672515782136 ms is 2022-12-31T19:43:02.136Z (timegm)");
	check_one_tick("trade m true (buyer is maker) is a SELL [wss]",
	    "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
	    "\"t\":12345,\"p\":\"0.001\",\"q\":\"100\",\"T\":1672515782136,"
	    "\"m\":true,\"M\":true}", 5, &w);
	w.side = SIDE_BUY;
	check_one_tick("trade m false (seller is maker) is a BUY [wss]",
	    "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
	    "\"t\":12345,\"p\":\"0.001\",\"q\":\"100\",\"T\":1672515782136,"
	    "\"m\":false,\"M\":true}", 5, &w);

	/* [wss] 2023-12 shape, with buyer/seller order ids b and a. */
	check_one_tick("trade with the older b/a order ids: a id is not used",
	    "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
	    "\"t\":12345,\"p\":\"0.001\",\"q\":\"100\",\"b\":88,\"a\":50,"
	    "\"T\":1672515782136,\"m\":false,\"M\":true}", 5, &w);

	/* [wss] aggTrade: its id is the aggregate id a, not f or l. */
	w = want_tick(TICK_TRADE, 6);
	w.side = SIDE_SELL;
	strcpy(w.symbol, "BNB-BTC");
	strcpy(w.trade_id, "12345");
	w.price = 1000000LL;
	w.size = 100;
	w.ts_ns = 1672515782136000000LL;
	check_one_tick("aggTrade m true: SELL, id is a [wss]",
	    "{\"e\":\"aggTrade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
	    "\"a\":12345,\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,"
	    "\"T\":1672515782136,\"m\":true,\"M\":true}", 6, &w);
	w.side = SIDE_BUY;
	memset(w.trade_id, 0, sizeof(w.trade_id));
	strcpy(w.trade_id, "777");
	check_one_tick("aggTrade m false: BUY",
	    "{\"e\":\"aggTrade\",\"E\":1,\"s\":\"BNBBTC\",\"a\":777,"
	    "\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,"
	    "\"T\":1672515782136,\"m\":false,\"M\":true}", 6, &w);

	/* [live-2026] in the combined wrapper; ts is T, not E. */
	w = want_tick(TICK_TRADE, 7);
	w.side = SIDE_SELL;
	strcpy(w.symbol, "BTC-USDT");
	strcpy(w.trade_id, "6720857582");
	w.price = 83034290000000LL;		/* 83034.29 */
	w.size = 0.00062;
	w.ts_ns = utc_ns(2026, 9, 29, 2, 45, 1, 913000000);
	check_one_tick("combined btcusdt@trade unwrapped [live-2026]",
	    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\","
	    "\"E\":1790649901913,\"s\":\"BTCUSDT\",\"t\":6720857582,"
	    "\"p\":\"83034.29000000\",\"q\":\"0.00062000\","
	    "\"T\":1790649901913,\"m\":true,\"M\":true}}", 7, &w);
	w.ts_ns = 1790649901000000000LL;
	check_one_tick("trade time T, not event time E, is ts_ns",
	    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\","
	    "\"E\":1790649901913,\"s\":\"BTCUSDT\",\"t\":6720857582,"
	    "\"p\":\"83034.29000000\",\"q\":\"0.00062000\","
	    "\"T\":1790649901000,\"m\":true,\"M\":true}}", 7, &w);

	/* Numbers as numbers, keys in another order, FDUSD before USD. */
	w = want_tick(TICK_TRADE, 8);
	w.side = SIDE_BUY;
	strcpy(w.symbol, "ETH-FDUSD");
	strcpy(w.trade_id, "9");
	w.price = 2500500000000LL;		/* 2500.5 */
	w.size = 2;
	w.ts_ns = 0;
	check_one_tick("numbers as numbers, T 0, FDUSD quote",
	    "{\"m\":false,\"T\":0,\"q\":2,\"p\":2500.5,\"t\":9,"
	    "\"s\":\"ETHFDUSD\",\"e\":\"trade\"}", 8, &w);

	/* A huge id: cut at 39 bytes, flagged; the smallest price. */
	w = want_tick(TICK_TRADE, 9);
	w.side = SIDE_SELL;
	w.flags = TICK_F_TRADE_ID_TRUNCATED;
	strcpy(w.symbol, "BTC-USDT");
	strcpy(w.trade_id, "123456789012345678901234567890123456789");
	w.price = 1;
	w.size = 0;
	w.ts_ns = 1000000LL;
	check_one_tick("huge trade id cut at 39 bytes, price 0.000000001",
	    "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":"
	    "12345678901234567890123456789012345678901234567890,"
	    "\"p\":\"0.000000001\",\"q\":\"0\",\"T\":1,\"m\":true}", 9, &w);
}

/* ---- quotes: bookTicker ---- */

static void
test_book_tickers(void)
{
	struct tick w;

	/* [wss] no "e", no time: ts = recv_ns. */
	w = want_tick(TICK_QUOTE, 10);
	strcpy(w.symbol, "BNB-USDT");
	w.bid = 25351900000LL;
	w.bid_size = 31.21;
	w.ask = 25365200000LL;
	w.ask_size = 40.66;
	check_one_tick("bookTicker is a quote, ts = recv_ns [wss]",
	    "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\","
	    "\"B\":\"31.21000000\",\"a\":\"25.36520000\","
	    "\"A\":\"40.66000000\"}", 10, &w);
	w.recv_ns = w.ts_ns = 11;
	check_one_tick("combined btcusdt@bookTicker unwrapped",
	    "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":400900217,"
	    "\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
	    "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}}", 11, &w);

	w = want_tick(TICK_QUOTE, 12);
	strcpy(w.symbol, "ETH-BTC");
	w.bid = 101 * PRICE_SCALE;
	w.ask = 100 * PRICE_SCALE;
	w.bid_size = 1;
	w.ask_size = 2;
	check_one_tick("crossed quote goes out as it came",
	    "{\"u\":1,\"s\":\"ETHBTC\",\"b\":\"101\",\"B\":\"1\","
	    "\"a\":\"100\",\"A\":\"2\"}", 12, &w);
	w.bid = w.ask = 0;
	w.bid_size = w.ask_size = 0;
	check_one_tick("zero quote goes out as it came",
	    "{\"u\":0,\"s\":\"ETHBTC\",\"b\":\"0.00000000\",\"B\":\"0\","
	    "\"a\":\"0\",\"A\":\"0.0\"}", 12, &w);
}

/* ---- control messages ---- */

static const struct control_case {
	const char		*name;
	const char		*frame;
	int			 is_status;	/* 0: nothing comes out */
	enum feed_server_status	 status;
	const char		*message;
} control_cases[] = {
	{ "SUBSCRIBE response: success, the id as text [wss]",
	    "{\"result\":null,\"id\":1}", 1, FSS_SUCCESS, "1" },
	{ "success with a string id", "{\"result\":null,\"id\":\"ab1\"}", 1,
	    FSS_SUCCESS, "ab1" },
	{ "success without an id", "{\"result\":null}", 1, FSS_SUCCESS, "" },
	{ "LIST_SUBSCRIPTIONS answer: nothing, not skipped [wss]",
	    "{\"result\":[\"btcusdt@aggTrade\"],\"id\":3}", 0, FSS_OTHER,
	    NULL },
	{ "GET_PROPERTY answer: nothing [wss]",
	    "{\"result\":true,\"id\":2}", 0, FSS_OTHER, NULL },
	{ "error, the docs' form: msg [wss]",
	    "{\"code\": 0, \"msg\": \"Unknown property\",\"id\": 5}", 1,
	    FSS_ERROR, "Unknown property" },
	{ "error, the docs' form without id [wss]",
	    "{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 "
	    "column 1\"}", 1, FSS_ERROR,
	    "Invalid JSON: expected value at line 1 column 1" },
	{ "error, nested as the server sends it [err-live]",
	    "{\"error\":{\"code\":2,\"msg\":\"Invalid request: invalid "
	    "stream\"},\"id\":1}", 1, FSS_ERROR,
	    "Invalid request: invalid stream" },
	{ "error with id null",
	    "{\"error\":{\"code\":2,\"msg\":\"Invalid request: missing field "
	    "`method`\"},\"id\":null}", 1, FSS_ERROR,
	    "Invalid request: missing field `method`" },
	{ "error as a bare string", "{\"error\":\"bad\"}", 1, FSS_ERROR,
	    "bad" },
	{ "error without text", "{\"error\":{\"code\":2}}", 1, FSS_ERROR, "" },
	{ "error msg of the wrong type", "{\"code\":2,\"msg\":5}", 1,
	    FSS_ERROR, "" },
	{ "error text passed raw (escapes not decoded)",
	    "{\"code\":2,\"msg\":\"a\\\"b\"}", 1, FSS_ERROR, "a\\\"b" },
	{ "serverShutdown: force disconnect [wss]",
	    "{\"e\":\"serverShutdown\",\"E\":1770123456789}", 1,
	    FSS_FORCE_DISCONNECT, "serverShutdown" },
	{ "serverShutdown in the combined wrapper [wss]",
	    "{\"stream\":\"!serverShutdown\",\"data\":{\"e\":"
	    "\"serverShutdown\",\"E\":1770123456789}}", 1,
	    FSS_FORCE_DISCONNECT, "serverShutdown" },
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
	enum feed_parse	 ret;
	enum feed_parse	 why;
	uint64_t	 events;
} bad_cases[] = {
	{ "not JSON", "hello", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "empty frame", "", FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "truncated frame", "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"p\":\"1",
	    FEED_BAD_JSON, FEED_BAD_JSON, 0 },
	{ "two objects", "{\"result\":null}{\"result\":null}", FEED_BAD_JSON,
	    FEED_BAD_JSON, 0 },
	{ "top-level array (!ticker@arr)", "[{\"e\":\"24hrTicker\"}]",
	    FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "top-level string", "\"trade\"", FEED_NOT_OBJECT, FEED_NOT_OBJECT,
	    0 },
	{ "top-level number", "42", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "top-level null", "null", FEED_NOT_OBJECT, FEED_NOT_OBJECT, 0 },
	{ "wrapper data an array", "{\"stream\":\"!ticker@arr\",\"data\":"
	    "[{\"e\":\"24hrTicker\"}]}", FEED_OK, FEED_NOT_OBJECT, 1 },
	{ "wrapper data null", "{\"stream\":\"x\",\"data\":null}", FEED_OK,
	    FEED_NOT_OBJECT, 1 },
	{ "wrapper without data", "{\"stream\":\"btcusdt@trade\"}", FEED_OK,
	    FEED_MISSING_FIELD, 1 },
	{ "wrapper stream not a string", "{\"stream\":1,\"data\":{\"u\":1}}",
	    FEED_OK, FEED_BAD_TYPE, 1 },
	{ "empty object", "{}", FEED_OK, FEED_UNKNOWN_EV, 1 },
	{ "e not a string", "{\"e\":1,\"s\":\"BTCUSDT\"}", FEED_OK,
	    FEED_NO_EV, 1 },
	{ "e null", "{\"e\":null}", FEED_OK, FEED_NO_EV, 1 },
	{ "unknown e (kline)", "{\"e\":\"kline\",\"E\":1,\"s\":\"BNBBTC\","
	    "\"k\":{}}", FEED_OK, FEED_UNKNOWN_EV, 1 },
	{ "unknown e (24hrTicker, has b and a)", "{\"e\":\"24hrTicker\","
	    "\"s\":\"BNBBTC\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\","
	    "\"A\":\"1\"}", FEED_OK, FEED_UNKNOWN_EV, 1 },
	{ "e in another case", "{\"e\":\"TRADE\"}", FEED_OK,
	    FEED_UNKNOWN_EV, 1 },
	{ "partial depth snapshot: unknown", "{\"lastUpdateId\":160,"
	    "\"bids\":[[\"0.0024\",\"10\"]],\"asks\":[[\"0.0026\",\"100\"]]}",
	    FEED_OK, FEED_UNKNOWN_EV, 1 },
	{ "an id alone: unknown", "{\"id\":1}", FEED_OK, FEED_UNKNOWN_EV, 1 },
	{ "wrapped unknown e", "{\"stream\":\"btcusdt@depth\",\"data\":"
	    "{\"e\":\"depthUpdate\"}}", FEED_OK, FEED_UNKNOWN_EV, 1 },
};

/*
 * A trade or a bookTicker with one field replaced (value "" drops the
 * key). kind 'T' trade, 'B' bookTicker.
 */
static const struct field_case {
	char		 kind;
	const char	*name;
	const char	*key;
	const char	*value;
	enum feed_parse	 why;
} field_cases[] = {
	{ 'T', "trade: no s", "s", "", FEED_MISSING_FIELD },
	{ 'T', "trade: no t", "t", "", FEED_MISSING_FIELD },
	{ 'T', "trade: no p", "p", "", FEED_MISSING_FIELD },
	{ 'T', "trade: no q", "q", "", FEED_MISSING_FIELD },
	{ 'T', "trade: no m", "m", "", FEED_MISSING_FIELD },
	{ 'T', "trade: no T", "T", "", FEED_MISSING_FIELD },
	{ 'T', "trade: s a number", "s", "5", FEED_BAD_TYPE },
	{ 'T', "trade: s empty", "s", "\"\"", FEED_BAD_VALUE },
	{ 'T', "trade: s with a dash", "s", "\"BTC-USDT\"", FEED_BAD_VALUE },
	{ 'T', "trade: s unknown quote", "s", "\"BTCXYZ\"", FEED_BAD_VALUE },
	{ 'T', "trade: s only a quote", "s", "\"USDT\"", FEED_BAD_VALUE },
	{ 'T', "trade: s too long", "s",
	    "\"ABCDEFGHIJKLMNOPQRSUSDT\"", FEED_BAD_VALUE },
	{ 'T', "trade: s non-ASCII", "s", "\"\xc3\x9c" "USDT\"",
	    FEED_BAD_VALUE },
	{ 'T', "trade: s escaped", "s", "\"BTC\\u0055SDT\"", FEED_BAD_VALUE },
	{ 'T', "trade: t null", "t", "null", FEED_BAD_TYPE },
	{ 'T', "trade: t negative", "t", "-5", FEED_BAD_VALUE },
	{ 'T', "trade: t fraction", "t", "1.5", FEED_BAD_VALUE },
	{ 'T', "trade: t an object", "t", "{}", FEED_BAD_TYPE },
	{ 'T', "trade: price zero", "p", "\"0.00000000\"", FEED_BAD_VALUE },
	{ 'T', "trade: price negative", "p", "\"-0.001\"", FEED_BAD_VALUE },
	{ 'T', "trade: price not a number", "p", "\"abc\"", FEED_BAD_VALUE },
	{ 'T', "trade: price true", "p", "true", FEED_BAD_TYPE },
	{ 'T', "trade: price huge", "p", "\"1e400\"", FEED_BAD_VALUE },
	{ 'T', "trade: price beyond int64 fixed point", "p",
	    "\"9300000000000\"", FEED_BAD_VALUE },
	{ 'T', "trade: q negative", "q", "\"-1\"", FEED_BAD_VALUE },
	{ 'T', "trade: q huge", "q", "\"1e400\"", FEED_BAD_VALUE },
	{ 'T', "trade: q an array", "q", "[1]", FEED_BAD_TYPE },
	{ 'T', "trade: m a string", "m", "\"true\"", FEED_BAD_TYPE },
	{ 'T', "trade: m a number", "m", "1", FEED_BAD_TYPE },
	{ 'T', "trade: m null", "m", "null", FEED_BAD_TYPE },
	{ 'T', "trade: T negative", "T", "-1", FEED_BAD_VALUE },
	{ 'T', "trade: T a fraction", "T", "1672515782136.5",
	    FEED_BAD_VALUE },
	{ 'T', "trade: T not a number", "T", "\"soon\"", FEED_BAD_VALUE },
	{ 'T', "trade: T null", "T", "null", FEED_BAD_TYPE },
	{ 'T', "trade: T past what int64 ns holds", "T",
	    "9223372036855", FEED_BAD_VALUE },
	{ 'T', "trade: T huge", "T", "1e30", FEED_BAD_VALUE },
	{ 'B', "bookTicker: no u", "u", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: no s", "s", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: no b", "b", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: no B", "B", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: no a", "a", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: no A", "A", "", FEED_MISSING_FIELD },
	{ 'B', "bookTicker: u a string of letters", "u", "\"x\"",
	    FEED_BAD_VALUE },
	{ 'B', "bookTicker: u negative", "u", "-1", FEED_BAD_VALUE },
	{ 'B', "bookTicker: u an array", "u", "[]", FEED_BAD_TYPE },
	{ 'B', "bookTicker: s lower-case unknown quote", "s", "\"btcxyz\"",
	    FEED_BAD_VALUE },
	{ 'B', "bookTicker: negative bid", "b", "\"-1\"", FEED_BAD_VALUE },
	{ 'B', "bookTicker: null ask", "a", "null", FEED_BAD_TYPE },
	{ 'B', "bookTicker: huge ask", "a", "\"99999999999999999999\"",
	    FEED_BAD_VALUE },
	{ 'B', "bookTicker: bad bid size", "B", "\"lots\"", FEED_BAD_VALUE },
	{ 'B', "bookTicker: negative ask size", "A", "\"-0.5\"",
	    FEED_BAD_VALUE },
};

static void
field_frame(char *buf, size_t cap, const struct field_case *fc)
{
	static const char *const tkeys[] = { "s", "t", "p", "q", "T", "m" };
	static const char *const tvals[] = { "\"BNBBTC\"", "12345",
	    "\"0.001\"", "\"100\"", "1672515782136", "true" };
	static const char *const bkeys[] = { "u", "s", "b", "B", "a", "A" };
	static const char *const bvals[] = { "400900217", "\"BNBUSDT\"",
	    "\"25.35190000\"", "\"31.21000000\"", "\"25.36520000\"",
	    "\"40.66000000\"" };
	const char *const *keys = fc->kind == 'T' ? tkeys : bkeys;
	const char *const *vals = fc->kind == 'T' ? tvals : bvals;
	size_t i, n;

	n = (size_t)snprintf(buf, cap, fc->kind == 'T' ?
	    "{\"e\":\"trade\",\"E\":1672515782136" : "{\"x\":0");
	for (i = 0; i < 6; i++) {
		if (strcmp(keys[i], fc->key) != 0)
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], vals[i]);
		else if (fc->value[0] != '\0')
			n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
			    keys[i], fc->value);
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
	static const struct field_case none_t = { 'T', "", "-", "", FEED_OK },
	    none_b = { 'B', "", "-", "", FEED_OK };
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
	strcpy(w.symbol, "BNB-BTC");
	strcpy(w.trade_id, "12345");
	w.price = 1000000LL;
	w.size = 100;
	w.ts_ns = 1672515782136000000LL;
	check_one_tick("the trade cases' template is a good trade", frame, 1,
	    &w);
	field_frame(frame, sizeof(frame), &none_b);
	w = want_tick(TICK_QUOTE, 1);
	strcpy(w.symbol, "BNB-USDT");
	w.bid = 25351900000LL;
	w.bid_size = 31.21;
	w.ask = 25365200000LL;
	w.ask_size = 40.66;
	check_one_tick("the bookTicker cases' template is a good quote",
	    frame, 1, &w);
}

/* Every proper prefix of a good frame is bad JSON; nothing comes out. */
static void
test_prefixes(void)
{
	static const char frame[] = "{\"stream\":\"btcusdt@trade\",\"data\":"
	    "{\"e\":\"trade\",\"E\":1790649901913,\"s\":\"BTCUSDT\","
	    "\"t\":6720857582,\"p\":\"83034.29000000\",\"q\":\"0.00062000\","
	    "\"T\":1790649901913,\"m\":true,\"M\":true}}";
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
	    "all %zu proper prefixes of a wrapped trade are bad_json", bad);
	free(g.v);
}

/* Byte mutations: each frame accounted for exactly once, no bad read. */
static void
test_mutations(void)
{
	static const char *const frames[] = {
	    "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":400900217,"
	    "\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
	    "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}}",
	    "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
	    "\"t\":12345,\"p\":\"0.001\",\"q\":\"100\",\"T\":1672515782136,"
	    "\"m\":true,\"M\":true}" };
	static const char subst[] = "\"\\{}[]:,0-9.eZTabuxylmsr\x7f\x80\xff ";
	struct feed_counts c;
	struct got g;
	size_t f, pos, k, len, n = 0, nothing;
	char *copy;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	for (f = 0; f < 2; f++) {
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
	 * Only a query's answer ("result" not null) yields nothing and is
	 * not skipped, and no one-byte change of these frames makes one.
	 */
	nothing = n - (size_t)(c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages + skipped_total(&c));
	CHECK(c.frames == n && c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages + skipped_total(&c) <= n && nothing == 0 &&
	    g.n == c.ticks[TICK_QUOTE] + c.ticks[TICK_TRADE] +
	    c.status_messages, "%zu one-byte mutations: each accounted for "
	    "once (%llu quotes, %llu trades, %llu statuses, %llu skipped)", n,
	    (unsigned long long)c.ticks[TICK_QUOTE],
	    (unsigned long long)c.ticks[TICK_TRADE],
	    (unsigned long long)c.status_messages,
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
	    t->ts_ns != (int64_t)(m->n + 1) * NS_PER_MS ||
	    t->side != (m->n % 2 ? SIDE_SELL : SIDE_BUY) ||
	    strcmp(t->symbol, "BTC-USDT") != 0)
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
		len = snprintf(frame, sizeof(frame), "{\"stream\":"
		    "\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":%zu,"
		    "\"s\":\"BTCUSDT\",\"t\":%zu,\"p\":\"%zu.00000000\","
		    "\"q\":\"1\",\"T\":%zu,\"m\":%s,\"M\":true}}", k + 1,
		    k + 1, k + 1, k + 1, k % 2 ? "true" : "false");
		venue_parse_frame(&vp, frame, (size_t)len, 1, &h, &c);
	}
	CHECK(m.n == MANY && m.in_order && c.frames == MANY &&
	    c.events == MANY && c.ticks[TICK_TRADE] == MANY &&
	    skipped_total(&c) == 0, "%d wrapped trade frames: %d trades, in "
	    "order, sides alternating", MANY, MANY);

	/* Binance never batches trades: an array of them is not_object. */
	cap = (size_t)MANY * 160 + 2;
	if ((big = malloc(cap)) == NULL)
		exit(1);
	n = 0;
	big[n++] = '[';
	for (k = 0; k < MANY; k++)
		n += (size_t)snprintf(big + n, cap - n, "%s{\"e\":\"trade\","
		    "\"s\":\"BTCUSDT\",\"t\":%zu,\"p\":\"1\",\"q\":\"1\","
		    "\"T\":1,\"m\":true}", k ? "," : "", k);
	big[n++] = ']';
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(run_len(big, n, 1, &g, &c) == FEED_NOT_OBJECT && g.n == 0 &&
	    c.skipped[FEED_NOT_OBJECT] == 1 && c.events == 0,
	    "an array of %d trades is not_object, nothing out", MANY);

	/* A bookTicker after many keys (tokens grow). */
	n = 0;
	n += (size_t)snprintf(big + n, cap - n, "{");
	for (k = 0; k < MANY; k++)
		n += (size_t)snprintf(big + n, cap - n, "\"k%zu\":[%zu],", k,
		    k);
	n += (size_t)snprintf(big + n, cap - n, "\"u\":1,\"s\":\"BTCUSDT\","
	    "\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}");
	memset(&c, 0, sizeof(c));
	CHECK(run_len(big, n, 1, &g, &c) == FEED_OK && g.n == 1 &&
	    c.ticks[TICK_QUOTE] == 1 && g.v[0].tick.bid == PRICE_SCALE &&
	    g.v[0].tick.ask == 2 * PRICE_SCALE,
	    "a bookTicker after %d unknown keys is found", MANY);
	free(g.v);
	free(big);

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

static void
test_null_handlers(void)
{
	static const char *const frames[] = {
	    "{\"code\":2,\"msg\":\"x\"}",
	    "{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\","
	    "\"A\":\"1\"}",
	    "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\","
	    "\"q\":\"1\",\"T\":1,\"m\":true}" };
	struct feed_counts c;
	struct feed_handler h = { NULL, NULL, NULL };
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 3; i++)
		venue_parse_frame(&vp, frames[i], strlen(frames[i]), 1, &h, &c);
	CHECK(c.ticks[TICK_QUOTE] == 1 && c.ticks[TICK_TRADE] == 1 &&
	    c.status_messages == 1 && c.events == 3,
	    "NULL on_tick and on_status: still counted");
}

/* ---- the recorded session (tests/data/binance) ---- */

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
	CHECK(c.frames == 8 && c.events == 8 && c.ticks[TICK_TRADE] == 2 &&
	    c.ticks[TICK_QUOTE] == 2 && c.status_messages == 3 &&
	    c.skipped[FEED_UNKNOWN_EV] == 1 && skipped_total(&c) == 1 &&
	    g.n == 7, "session: 8 frames, 2 trades, 2 quotes, 3 statuses, "
	    "1 unknown (depthUpdate)");
	if (g.n != 7) {
		free(g.v);
		return;
	}
	CHECK(frame_of[0] == 1 && g.v[0].is_status &&
	    g.v[0].status == FSS_SUCCESS && strcmp(g.v[0].message, "1") == 0,
	    "session: line 1 subscribed (id 1)");

	w = want_tick(TICK_QUOTE, 2);
	strcpy(w.symbol, "BTC-USDT");
	w.bid = 83034280000000LL;
	w.bid_size = 1.5;
	w.ask = 83034290000000LL;
	w.ask_size = 0.25;
	why = g.v[1].is_status ? "status" : tick_diff(&g.v[1].tick, &w);
	CHECK(frame_of[1] == 2 && why == NULL, "session: line 2 bookTicker "
	    "quote%s%s", why ? ": differs in " : "", why ? why : "");

	w = want_tick(TICK_TRADE, 3);
	w.side = SIDE_BUY;		/* m false: the seller was the maker */
	strcpy(w.symbol, "BTC-USDT");
	strcpy(w.trade_id, "6720857581");
	w.price = 83034290000000LL;
	w.size = 0.01;
	w.ts_ns = utc_ns(2026, 9, 29, 2, 45, 1, 900000000);
	why = g.v[2].is_status ? "status" : tick_diff(&g.v[2].tick, &w);
	CHECK(frame_of[2] == 3 && why == NULL, "session: line 3 trade is a "
	    "buy at the ask%s%s", why ? ": differs in " : "", why ? why : "");

	w = want_tick(TICK_TRADE, 4);
	w.side = SIDE_SELL;		/* m true: the buyer was the maker */
	strcpy(w.symbol, "BTC-USDT");
	strcpy(w.trade_id, "6720857582");
	w.price = 83034280000000LL;
	w.size = 0.00062;
	w.ts_ns = utc_ns(2026, 9, 29, 2, 45, 1, 913000000);
	why = g.v[3].is_status ? "status" : tick_diff(&g.v[3].tick, &w);
	CHECK(frame_of[3] == 4 && why == NULL, "session: line 4 trade is a "
	    "sell at the bid%s%s", why ? ": differs in " : "", why ? why : "");

	w = want_tick(TICK_QUOTE, 5);
	strcpy(w.symbol, "ETH-BTC");
	w.bid = 36500000LL;		/* 0.0365 */
	w.bid_size = 10;
	w.ask = 36510000LL;
	w.ask_size = 12.5;
	why = g.v[4].is_status ? "status" : tick_diff(&g.v[4].tick, &w);
	CHECK(frame_of[4] == 5 && why == NULL, "session: line 5 ETHBTC "
	    "quote%s%s", why ? ": differs in " : "", why ? why : "");

	CHECK(frame_of[5] == 7 && g.v[5].is_status &&
	    g.v[5].status == FSS_ERROR && strcmp(g.v[5].message,
	    "Invalid request: invalid stream") == 0,
	    "session: line 7 error with its msg");
	CHECK(frame_of[6] == 8 && g.v[6].is_status &&
	    g.v[6].status == FSS_FORCE_DISCONNECT,
	    "session: line 8 serverShutdown");
	free(g.v);
}

/* ---- symbols ---- */

static const struct sym_case {
	const char	*in;
	const char	*want;		/* NULL: refused */
} to_cases[] = {
	{ "BTC-USDT", "BTCUSDT" },
	{ "BNB-BTC", "BNBBTC" },
	{ "ETH-FDUSD", "ETHFDUSD" },
	{ "BTC-TUSD", "BTCTUSD" },
	{ "BUSD-USDT", "BUSDUSDT" },
	{ "1INCH-USDT", "1INCHUSDT" },
	{ "BTC-EUR", "BTCEUR" },
	{ "BTC-USD", "BTCUSD" },		/* Binance.US */
	{ "ABCDEFGHIJKLMNOPQR-USDT", "ABCDEFGHIJKLMNOPQRUSDT" },	/* 23 */
	{ "ABCDEFGHIJKLMNOPQRS-USDT", NULL },	/* 24: too long */
	{ "", NULL },
	{ "BTCUSDT", NULL },			/* no dash */
	{ "btc-usdt", NULL },			/* canonical is upper case */
	{ "BTC-usdt", NULL },
	{ "BTC-XYZ", NULL },			/* unknown quote */
	{ "BTC-", NULL },
	{ "-USDT", NULL },
	{ "BTC--USDT", NULL },
	{ "BTC-USDT-X", NULL },
	{ "BTC/USDT", NULL },
	{ "BTC_USDT", NULL },
	{ "BTC USDT", NULL },
	{ "FOOT-USD", NULL },	/* "FOOTUSD" would come back as FOO-TUSD */
	{ "BTC-\xc3\x9cSDT", NULL },
}, from_cases[] = {
	{ "BTCUSDT", "BTC-USDT" },
	{ "btcusdt", "BTC-USDT" },		/* as in stream names */
	{ "BNBBTC", "BNB-BTC" },
	{ "ETHFDUSD", "ETH-FDUSD" },		/* not ETHFD-USD */
	{ "BTCTUSD", "BTC-TUSD" },		/* not BTCT-USD */
	{ "BUSDUSDT", "BUSD-USDT" },
	{ "ETHBTC", "ETH-BTC" },
	{ "BTCUSD", "BTC-USD" },
	{ "TUSD", "T-USD" },		/* the longest quote leaving a base */
	{ "1INCHUSDT", "1INCH-USDT" },
	{ "ABCDEFGHIJKLMNOPQRUSDT", "ABCDEFGHIJKLMNOPQR-USDT" },	/* 22 */
	{ "ABCDEFGHIJKLMNOPQRSUSDT", NULL },	/* 23: no room for the dash */
	{ "", NULL },
	{ "USDT", NULL },			/* a quote alone */
	{ "BTC", NULL },
	{ "BTCXYZ", NULL },			/* unknown quote: refused */
	{ "BTC-USDT", NULL },
	{ "BTC/USDT", NULL },
	{ "BTC USDT", NULL },
};

static void
test_symbols(void)
{
	char out[TICK_SYMBOL_LEN];
	size_t i;
	int n;

	for (i = 0; i < sizeof(to_cases) / sizeof(to_cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		n = binance_symbol_to(to_cases[i].in, out, sizeof(out));
		if (to_cases[i].want != NULL)
			CHECK(n == (int)strlen(to_cases[i].want) &&
			    strcmp(out, to_cases[i].want) == 0,
			    "symbol_to \"%s\" -> \"%s\"", to_cases[i].in,
			    to_cases[i].want);
		else
			CHECK(n == -1 && out[0] == '\0',
			    "symbol_to \"%s\" refused", to_cases[i].in);
	}
	for (i = 0; i < sizeof(from_cases) / sizeof(from_cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		n = binance_symbol_from(from_cases[i].in,
		    strlen(from_cases[i].in), out, sizeof(out));
		if (from_cases[i].want != NULL)
			CHECK(n == (int)strlen(from_cases[i].want) &&
			    strcmp(out, from_cases[i].want) == 0,
			    "symbol_from \"%s\" -> \"%s\"", from_cases[i].in,
			    from_cases[i].want);
		else
			CHECK(n == -1 && out[0] == '\0',
			    "symbol_from \"%s\" refused", from_cases[i].in);
	}
	CHECK(binance_symbol_from("BTCUSDTXYZ", 7, out, sizeof(out)) == 8 &&
	    strcmp(out, "BTC-USDT") == 0, "symbol_from reads len bytes only");
	CHECK(binance_symbol_from("BTCUSDT", 7, out, 8) == -1 &&
	    binance_symbol_from("BTCUSDT", 7, out, 9) == 8,
	    "symbol_from needs room for the dash and the NUL");
	CHECK(binance_symbol_to("BTC-USDT", out, 7) == -1 &&
	    binance_symbol_to("BTC-USDT", out, 8) == 7 &&
	    strcmp(out, "BTCUSDT") == 0, "symbol_to needs room for the NUL");
	CHECK(binance_symbol_to("BTC-USDT", out, 0) == -1 &&
	    binance_symbol_from("BTCUSDT", 7, out, 0) == -1,
	    "cap 0 refused");
	CHECK(venue_symbol_to(SOURCE_BINANCE, "BTC-USDT", out,
	    sizeof(out)) == 7 && venue_symbol_from(SOURCE_BINANCE,
	    "ETHBTC", 6, out, sizeof(out)) == 7 &&
	    strcmp(out, "ETH-BTC") == 0,
	    "venue_symbol_to/from reach Binance's");
}

/* ---- the subscribe message ---- */

static void
test_subscribe(void)
{
	static const char want1[] = "{\"method\":\"SUBSCRIBE\",\"params\":"
	    "[\"btcusdt@trade\",\"btcusdt@bookTicker\"],\"id\":1}";
	static const char want2[] = "{\"method\":\"SUBSCRIBE\",\"params\":"
	    "[\"btcusdt@trade\",\"btcusdt@bookTicker\",\"ethbtc@trade\","
	    "\"ethbtc@bookTicker\"],\"id\":1}";
	const char *one[] = { "BTC-USDT" };
	const char *two[] = { "BTC-USDT", "ETH-BTC" };
	const char *bad[] = { "BTC-USDT", "BTC-XYZ" };
	const char **lots;
	char out[512];
	size_t i;
	int n;

	n = binance_subscribe_msg(one, 1, out, sizeof(out));
	CHECK(n == (int)strlen(want1) && strcmp(out, want1) == 0,
	    "subscribe one symbol: %s", out);
	n = binance_subscribe_msg(two, 2, out, sizeof(out));
	CHECK(n == (int)strlen(want2) && strcmp(out, want2) == 0,
	    "subscribe two symbols: %s", out);
	CHECK(binance_subscribe_msg(two, 2, out, sizeof(want2) - 1) == -1 &&
	    out[0] == '\0' && binance_subscribe_msg(two, 2, out,
	    sizeof(want2)) == (int)sizeof(want2) - 1,
	    "subscribe: -1 one byte short of room for the NUL, fits exactly");
	CHECK(binance_subscribe_msg(bad, 2, out, sizeof(out)) == -1 &&
	    out[0] == '\0',
	    "subscribe with an unmappable symbol: -1, empty output");
	CHECK(binance_subscribe_msg(one, 0, out, sizeof(out)) == -1,
	    "subscribe to nothing: -1");
	/* 1024 streams a connection: 512 symbols fit, 513 do not. */
	if ((lots = malloc(513 * sizeof(*lots))) == NULL)
		exit(1);
	for (i = 0; i < 513; i++)
		lots[i] = "BTC-USDT";
	{
		char *big = malloc(VENUE_SUBSCRIBE_MAX + 1);

		if (big == NULL)
			exit(1);
		CHECK(binance_subscribe_msg(lots, 512, big,
		    VENUE_SUBSCRIBE_MAX + 1) > 0 && binance_subscribe_msg(lots,
		    513, big, VENUE_SUBSCRIBE_MAX + 1) == -1,
		    "subscribe: 512 symbols (1024 streams) fit, 513 refused");
		free(big);
	}
	free(lots);
	CHECK(venue_subscribe_msg(SOURCE_BINANCE, one, 1, out,
	    sizeof(out)) == (int)strlen(want1),
	    "venue_subscribe_msg reaches Binance's");
}

int
main(void)
{
	venue_test_init();
	test_trades();
	test_book_tickers();
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
