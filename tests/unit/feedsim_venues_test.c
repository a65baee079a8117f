/*
 * feedsim's venue encoders and subscribe parsing (feedsim/venues.c): the
 * messages of Coinbase Exchange, Kraken WS v2 and Binance spot for one
 * hand-made trade and quote, compared with text written here from the
 * venues' documented samples (research/feeds.md §4), with each venue's
 * side convention: an aggressive buy is a Coinbase "side":"sell" (the
 * maker's side), a Kraken "side":"buy" (the taker's) and a Binance
 * "m":false (the buyer is not the maker).
 */
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "../../feedsim/venues.h"
#include "tick.h"

static const char *const canon[] = { "BTC-USD", "ETH-USD", "ETH-BTC" };
static const char *const kraken[] = { "BTC/USD", "ETH/USD", "ETH/BTC" };
static const char *const binance[] = { "BTCUSDT", "ETHUSDT", "ETHBTC" };

static char out[VENUE_MSG_MAX * 2];

static int
eq(char *end, const char *want)
{
	*end = '\0';
	if (strcmp(out, want) != 0) {
		printf("# got  %s\n# want %s\n", out, want);
		return 0;
	}
	return 1;
}

static void
test_numbers(void)
{
	static const struct {
		int64_t v;
		int scale, min;
		const char *want;
	} t[] = {
		{ 370410, 8, 0, "0.0037041" },
		{ 4522, 8, 0, "0.00004522" },	/* never 4.522e-05 */
		{ 1, 8, 0, "0.00000001" },
		{ 500000000, 8, 0, "5" },
		{ 25351900000LL, 9, 8, "25.35190000" },
		{ 3121000000LL, 8, 8, "31.21000000" },
		{ 41353040000000LL, 9, 0, "41353.04" },
		{ -899000000, 9, 0, "-0.899" },
		{ 123, 2, 0, "1.23" },
		{ 0, 9, 0, "0" },
		{ 0, 9, 8, "0.00000000" },
		{ 123456789, 9, 8, "0.123456789" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(eq(venue_fixed(out, t[i].v, t[i].scale, t[i].min),
		    t[i].want), "fixed %s", t[i].want);
	CHECK(eq(venue_time(out, 0), "1970-01-01T00:00:00.000000Z"),
	    "time: the epoch");
	CHECK(eq(venue_time(out, 951782400000LL),
	    "2000-02-29T00:00:00.000000Z"), "time: a leap day");
	CHECK(eq(venue_time(out, 1633206841789LL),
	    "2021-10-02T20:34:01.789000Z"), "time: Coinbase's sample");
	CHECK(eq(venue_time(out, 1704067199999LL),
	    "2023-12-31T23:59:59.999000Z"), "time: the last ms of a year");
}

static void
test_wire(void)
{
	char w[VENUE_SYM_MAX];

	CHECK(venue_wire(VENUE_COINBASE, "BTC-USD", 0, w, sizeof(w)) == 0 &&
	    strcmp(w, "BTC-USD") == 0, "wire: coinbase BTC-USD");
	CHECK(venue_wire(VENUE_KRAKEN, "BTC-USD", 0, w, sizeof(w)) == 0 &&
	    strcmp(w, "BTC/USD") == 0, "wire: kraken BTC/USD");
	CHECK(venue_wire(VENUE_BINANCE, "BTC-USD", 0, w, sizeof(w)) == 0 &&
	    strcmp(w, "BTCUSDT") == 0, "wire: binance BTCUSDT (USD -> USDT)");
	CHECK(venue_wire(VENUE_BINANCE, "BTC-USD", 1, w, sizeof(w)) == 0 &&
	    strcmp(w, "btcusdt") == 0, "wire: binance stream btcusdt");
	CHECK(venue_wire(VENUE_BINANCE, "ETH-BTC", 0, w, sizeof(w)) == 0 &&
	    strcmp(w, "ETHBTC") == 0, "wire: binance ETHBTC stays");
	CHECK(venue_wire(VENUE_KRAKEN, "BTC-USD", 0, w, 5) == -1,
	    "wire: too long for the buffer");
}

static struct market_event
trade(int side, int64_t price, int64_t size)
{
	struct market_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = MKT_TRADE;
	ev.asset = ASSET_CRYPTO;
	ev.name = "BTC-USD";
	ev.ts_ms = 1633206841789LL;
	ev.recv_ms = 1633206841800LL;
	ev.u.trade.price = price;
	ev.u.trade.size = size;
	ev.u.trade.side = (uint8_t)side;
	ev.u.trade.id_hi = 0x0123456789abcdefULL;
	ev.u.trade.id_lo = 0xfedcba9876543210ULL;
	ev.u.trade.n_cond = 1;
	ev.u.trade.cond[0] = side == SIDE_BUY ? 2 : 1;
	return ev;
}

static struct market_event
quote(void)
{
	struct market_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = MKT_QUOTE;
	ev.asset = ASSET_CRYPTO;
	ev.name = "BTC-USD";
	ev.ts_ms = 1633206841000LL;
	ev.recv_ms = 1633206841050LL;
	ev.u.quote.bid = 41353040000000LL;
	ev.u.quote.ask = 41353500000000LL;
	ev.u.quote.bid_size = 150000000;	/* 1.5 */
	ev.u.quote.ask_size = 4522;		/* 0.00004522 */
	ev.u.quote.bid_exchange = ev.u.quote.ask_exchange = 1;
	return ev;
}

static int
is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	return s[14] == '4' && s[36] == '"';
}

static void
test_messages(void)
{
	struct venue_sym s;
	struct market_event q = quote(), b, sl;
	const char *m, *t;

	memset(&s, 0, sizeof(s));
	venue_update(&s, &q);
	CHECK(s.seq == 1 && s.trades == 0 && s.book_updates == 1 &&
	    s.have_quote && !s.have_trade, "update: a quote");
	CHECK(eq(binance_book(out, &s, "BTCUSDT"), "{\"u\":1,\"s\":\"BTCUSDT\","
	    "\"b\":\"41353.04000000\",\"B\":\"1.50000000\","
	    "\"a\":\"41353.50000000\",\"A\":\"0.00004522\"}"),
	    "binance bookTicker");
	CHECK(eq(coinbase_ticker(out, &q, &s), "{\"type\":\"ticker\","
	    "\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"41353.04\","
	    "\"open_24h\":\"41353.04\",\"volume_24h\":\"0\","
	    "\"low_24h\":\"41353.04\",\"high_24h\":\"41353.04\","
	    "\"best_bid\":\"41353.04\",\"best_bid_size\":\"1.5\","
	    "\"best_ask\":\"41353.5\",\"best_ask_size\":\"0.00004522\","
	    "\"time\":\"2021-10-02T20:34:01.000000Z\"}"),
	    "coinbase ticker before any trade: no side, trade_id, last_size");

	/* An aggressive buy of 0.0037041 at the ask 41353.5. */
	b = trade(SIDE_BUY, 41353500000000LL, 370410);
	venue_update(&s, &b);
	CHECK(s.seq == 2 && s.trades == 1 && s.last_side == SIDE_BUY,
	    "update: a trade");
	*coinbase_match(out, &b, &s) = '\0';
	t = "{\"type\":\"match\",\"trade_id\":1,\"maker_order_id\":\"";
	CHECK(strncmp(out, t, strlen(t)) == 0, "coinbase match: head");
	m = out + strlen(t);
	CHECK(is_uuid(m) && strncmp(m + 36, "\",\"taker_order_id\":\"", 20) ==
	    0 && is_uuid(m + 56) && memcmp(m, m + 56, 36) != 0,
	    "coinbase match: two distinct v4 order ids");
	CHECK(strcmp(m + 92, "\",\"side\":\"sell\",\"size\":\"0.0037041\","
	    "\"price\":\"41353.5\",\"product_id\":\"BTC-USD\",\"sequence\":2,"
	    "\"time\":\"2021-10-02T20:34:01.789000Z\"}") == 0,
	    "coinbase match: an aggressive buy is side sell (the maker)");
	CHECK(eq(kraken_trade(out, &b, &s, "BTC/USD"), "{\"channel\":\"trade\","
	    "\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
	    "\"side\":\"buy\",\"price\":41353.5,\"qty\":0.0037041,"
	    "\"ord_type\":\"market\",\"trade_id\":1,"
	    "\"timestamp\":\"2021-10-02T20:34:01.789000Z\"}]}"),
	    "kraken trade: side buy (the taker), numbers");
	CHECK(eq(binance_trade(out, &b, &s, "BTCUSDT"), "{\"e\":\"trade\","
	    "\"E\":1633206841800,\"s\":\"BTCUSDT\",\"t\":1,"
	    "\"p\":\"41353.50000000\",\"q\":\"0.00370410\",\"T\":1633206841789,"
	    "\"m\":false,\"M\":true}"), "binance trade: buy is m false");

	/* Then an aggressive sell of 1 at 41353.04: low, volume, change. */
	sl = trade(SIDE_SELL, 41353040000000LL, 100000000);
	venue_update(&s, &sl);
	CHECK(eq(binance_trade(out, &sl, &s, "BTCUSDT"), "{\"e\":\"trade\","
	    "\"E\":1633206841800,\"s\":\"BTCUSDT\",\"t\":2,"
	    "\"p\":\"41353.04000000\",\"q\":\"1.00000000\",\"T\":1633206841789,"
	    "\"m\":true,\"M\":true}"), "binance trade: sell is m true");
	*coinbase_match(out, &sl, &s) = '\0';
	CHECK(strstr(out, "\"side\":\"buy\",\"size\":\"1\",") != NULL,
	    "coinbase match: an aggressive sell is side buy");
	/* vwap = (41353.5 * 0.0037041 + 41353.04 * 1) / 1.0037041 */
	CHECK(eq(kraken_ticker(out, &s, "BTC/USD"), "{\"channel\":\"ticker\","
	    "\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
	    "\"bid\":41353.04,\"bid_qty\":1.5,\"ask\":41353.5,"
	    "\"ask_qty\":0.00004522,\"last\":41353.04,\"volume\":1.0037041,"
	    "\"vwap\":41353.041697598,\"low\":41353.04,\"high\":41353.5,"
	    "\"change\":-0.46,\"change_pct\":0}]}"),
	    "kraken ticker: figures since start");
	CHECK(eq(coinbase_heartbeat(out, "BTC-USD", &s, 1633206842000LL),
	    "{\"type\":\"heartbeat\",\"sequence\":3,\"last_trade_id\":2,"
	    "\"product_id\":\"BTC-USD\","
	    "\"time\":\"2021-10-02T20:34:02.000000Z\"}"), "coinbase heartbeat");

	/* /crypto's trades without a side get one from the id's low bit. */
	b.u.trade.side = SIDE_UNKNOWN;
	b.u.trade.id_lo = 6;
	CHECK(venue_side(&b.u.trade) == SIDE_SELL, "side: unknown, even id");
	b.u.trade.id_lo = 7;
	CHECK(venue_side(&b.u.trade) == SIDE_BUY, "side: unknown, odd id");
}

static struct vreq r;

static void
parse(enum venue v, const char *msg)
{
	const char *const *names = v == VENUE_KRAKEN ? kraken :
	    v == VENUE_BINANCE ? binance : canon;

	venue_parse(v, msg, strlen(msg), names, 3, &r);
}

static int
item(int i, int chan, int sym)
{
	return i < r.n && r.item[i].chan == chan && r.item[i].sym == sym;
}

static void
test_parse_coinbase(void)
{
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\",\"ETH-BTC\"],\"channels\":[\"matches\",\"ticker\","
	    "\"heartbeat\"]}");
	CHECK(r.op == VREQ_SUBSCRIBE && r.n == 6 && item(0, VCH_TRADE, 0) &&
	    item(1, VCH_TRADE, 2) && item(2, VCH_QUOTE, 0) &&
	    item(5, VCH_OTHER, 2), "coinbase: channels as strings");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\"],\"channels\":[\"matches\",{\"name\":\"ticker\","
	    "\"product_ids\":[\"ETH-USD\"]}]}");
	CHECK(r.op == VREQ_SUBSCRIBE && r.n == 2 && item(0, VCH_TRADE, 0) &&
	    item(1, VCH_QUOTE, 1), "coinbase: a channel object's own products");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\",\"ZZZ-USD\"],\"channels\":[\"matches\"]}");
	CHECK(r.op == VREQ_BAD &&
	    strcmp(r.error, "ZZZ-USD is not a valid product") == 0,
	    "coinbase: an unknown product fails the request");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\"],\"channels\":[\"level9\"]}");
	CHECK(r.op == VREQ_BAD &&
	    strcmp(r.error, "level9 is not a valid channel") == 0,
	    "coinbase: an unknown channel fails the request");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"channels\":"
	    "[\"matches\"]}");
	CHECK(r.op == VREQ_BAD, "coinbase: subscribe without products");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC-USD\"]}");
	CHECK(r.op == VREQ_BAD, "coinbase: no channels");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\"");
	CHECK(r.op == VREQ_BAD, "coinbase: invalid JSON");
	parse(VENUE_COINBASE, "{\"type\":\"hello\"}");
	CHECK(r.op == VREQ_BAD && strcmp(r.error,
	    "hello is not a valid type") == 0, "coinbase: an unknown type");
	parse(VENUE_COINBASE, "{\"type\":\"unsubscribe\",\"channels\":"
	    "[\"heartbeat\"]}");
	CHECK(r.op == VREQ_UNSUBSCRIBE && r.n == 1 && item(0, VCH_OTHER, -1),
	    "coinbase: unsubscribe a whole channel");
	parse(VENUE_COINBASE, "{\"type\":\"subscribe\",\"product_ids\":"
	    "[\"BTC\\\"-USD\"],\"channels\":[\"matches\"]}");
	CHECK(r.op == VREQ_BAD && strchr(r.error, '"') == NULL,
	    "coinbase: a quote in a product is not echoed");
}

static void
test_parse_kraken(void)
{
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"trade\",\"symbol\":[\"BTC/USD\",\"XX/YY\"],"
	    "\"snapshot\":false},\"req_id\":7}");
	CHECK(r.op == VREQ_SUBSCRIBE && r.n == 2 && item(0, VCH_TRADE, 0) &&
	    item(1, VCH_TRADE, -1) && strcmp(r.item[1].wire, "XX/YY") == 0 &&
	    strcmp(r.id, "7") == 0 && r.snapshot == 0,
	    "kraken: trade, an unknown symbol kept for its own answer");
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"ticker\",\"symbol\":[\"ETH/USD\"],"
	    "\"event_trigger\":\"bbo\"}}");
	CHECK(r.op == VREQ_SUBSCRIBE && r.n == 1 && item(0, VCH_QUOTE, 1) &&
	    r.id[0] == '\0' && r.snapshot == 1, "kraken: ticker on bbo");
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"ticker\",\"symbol\":[\"ETH/USD\"]}}");
	CHECK(r.op == VREQ_SUBSCRIBE && item(0, VCH_OTHER, 1),
	    "kraken: ticker on trades by default");
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"ticker\",\"symbol\":[\"ETH/USD\"],"
	    "\"event_trigger\":\"sometimes\"}}");
	CHECK(r.op == VREQ_BAD, "kraken: a bad event_trigger");
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"book\",\"symbol\":[\"ETH/USD\"]}}");
	CHECK(r.op == VREQ_BAD && strcmp(r.method, "subscribe") == 0,
	    "kraken: a channel feedsim does not serve");
	parse(VENUE_KRAKEN, "{\"method\":\"ping\",\"req_id\":42}");
	CHECK(r.op == VREQ_PING && strcmp(r.id, "42") == 0, "kraken: ping");
	parse(VENUE_KRAKEN, "{\"method\":\"fly\"}");
	CHECK(r.op == VREQ_BAD && strcmp(r.method, "fly") == 0 &&
	    strcmp(r.error, "Method not supported") == 0,
	    "kraken: an unknown method");
	parse(VENUE_KRAKEN, "[1,2]");
	CHECK(r.op == VREQ_BAD && strcmp(r.method, "error") == 0,
	    "kraken: not an object");
	parse(VENUE_KRAKEN, "{\"method\":\"subscribe\",\"params\":"
	    "{\"channel\":\"trade\",\"symbol\":\"BTC/USD\"}}");
	CHECK(r.op == VREQ_BAD, "kraken: symbol must be an array");
}

static void
test_parse_binance(void)
{
	parse(VENUE_BINANCE, "{\"method\":\"SUBSCRIBE\",\"params\":"
	    "[\"btcusdt@trade\",\"ethbtc@bookTicker\"],\"id\":1}");
	CHECK(r.op == VREQ_SUBSCRIBE && r.n == 2 && item(0, VCH_TRADE, 0) &&
	    item(1, VCH_QUOTE, 2) && strcmp(r.id, "1") == 0,
	    "binance: subscribe two streams");
	parse(VENUE_BINANCE, "{\"method\":\"UNSUBSCRIBE\",\"params\":"
	    "[\"BTCUSDT@trade\"],\"id\":\"abc\"}");
	CHECK(r.op == VREQ_UNSUBSCRIBE && item(0, VCH_TRADE, 0) &&
	    strcmp(r.id, "\"abc\"") == 0, "binance: a string id, any case");
	parse(VENUE_BINANCE, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
	CHECK(r.op == VREQ_LIST && strcmp(r.id, "3") == 0, "binance: list");
	parse(VENUE_BINANCE, "{\"method\":\"SUBSCRIBE\",\"params\":"
	    "[\"btcusd@trade\"],\"id\":4}");
	CHECK(r.op == VREQ_BAD && r.code == 2 && strcmp(r.id, "4") == 0,
	    "binance: no USD pair (BTCUSD) on Binance");
	parse(VENUE_BINANCE, "{\"method\":\"SUBSCRIBE\",\"params\":"
	    "[\"btcusdt@depth\"],\"id\":5}");
	CHECK(r.op == VREQ_BAD && r.code == 2, "binance: a stream not served");
	parse(VENUE_BINANCE, "{\"method\":\"SUBSCRIBE\",\"params\":[7],"
	    "\"id\":6}");
	CHECK(r.op == VREQ_BAD && r.code == 1, "binance: a non-string param");
	parse(VENUE_BINANCE, "{\"method\":\"JUMP\",\"id\":8}");
	CHECK(r.op == VREQ_BAD && r.code == 2, "binance: an unknown method");
	parse(VENUE_BINANCE, "{\"method\":");
	CHECK(r.op == VREQ_BAD && r.code == 3 && strcmp(r.id, "null") == 0,
	    "binance: invalid JSON");
	parse(VENUE_BINANCE, "{\"method\":\"SUBSCRIBE\",\"params\":[],"
	    "\"id\":[1]}");
	CHECK(r.op == VREQ_BAD && r.code == 2, "binance: an id of a bad type");
}

int
main(void)
{
	test_numbers();
	test_wire();
	test_messages();
	test_parse_coinbase();
	test_parse_kraken();
	test_parse_binance();
	return check_report();
}
