/*
 * webui/live_proto.c: client messages (valid and malformed), the watch
 * set, and the JSON of bars and anomalies against values worked out by
 * hand. jansson reads the encoder's output back; it also proves the text
 * is valid JSON and valid UTF-8.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../check.h"
#include "../../webui/live_proto.h"

static int
parse(const char *text, struct live_request *req, char *reason)
{
	return live_parse_request(text, strlen(text), req, reason, 96);
}

static void
test_valid(void)
{
	struct live_request req;
	char reason[96] = "";
	int rc;

	rc = parse("{\"op\":\"ping\"}", &req, reason);
	CHECK(rc == 0 && req.op == LIVE_OP_PING, "parse ping");
	rc = parse("{\"op\":\"ping\",\"id\":7,\"extra\":[1,2]}", &req, reason);
	CHECK(rc == 0 && req.op == LIVE_OP_PING, "parse ping ignores unknown "
	    "fields");
	rc = parse("{\"op\":\"watch\",\"symbols\":[\"MSFT\",\"AAPL\","
	    "\"BTC-USD\",\"AAPL\"],\"intervals\":[60,1,60]}", &req, reason);
	CHECK(rc == 0 && req.op == LIVE_OP_WATCH, "parse watch (%s)", reason);
	CHECK(req.watch.n_symbols == 3 &&
	    strcmp(req.watch.symbols[0], "MSFT") == 0 &&
	    strcmp(req.watch.symbols[1], "AAPL") == 0 &&
	    strcmp(req.watch.symbols[2], "BTC-USD") == 0,
	    "watch symbols deduplicated, in the order given");
	CHECK(strcmp(req.watch.sorted[0], "AAPL") == 0 &&
	    strcmp(req.watch.sorted[1], "BTC-USD") == 0 &&
	    strcmp(req.watch.sorted[2], "MSFT") == 0, "watch symbols sorted");
	CHECK(req.watch.n_intervals == 2 && req.watch.intervals[0] == 1 &&
	    req.watch.intervals[1] == 60,
	    "watch intervals deduplicated and ascending");
	CHECK(req.watch.all == 0, "watch without * is not all");
	rc = parse("{\"op\":\"watch\",\"symbols\":[\"*\"],"
	    "\"intervals\":[86400]}", &req, reason);
	CHECK(rc == 0 && req.watch.all == 1 && req.watch.n_symbols == 1,
	    "watch * alone");
	rc = parse(" {\"intervals\":[5],\"symbols\":[\"BRK.B\",\"X:BTCUSD\","
	    "\"EUR/USD\",\"a_b\"],\"op\":\"watch\"} ", &req, reason);
	CHECK(rc == 0 && req.watch.n_symbols == 4,
	    "watch: symbol characters . : / _ and any field order");
}

static void
test_limits(void)
{
	struct live_request req;
	char text[8192], reason[96];
	size_t n;
	int i, rc;

	n = (size_t)snprintf(text, sizeof(text),
	    "{\"op\":\"watch\",\"intervals\":[1],\"symbols\":[");
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"S%d\"",
		    i > 0 ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "]}");
	rc = parse(text, &req, reason);
	CHECK(rc == 0 && req.watch.n_symbols == 64, "64 symbols accepted");
	snprintf(text + n, sizeof(text) - n, ",\"S0\"]}");
	rc = parse(text, &req, reason);
	CHECK(rc == 0 && req.watch.n_symbols == 64,
	    "a duplicate does not count against 64");
	snprintf(text + n, sizeof(text) - n, ",\"S64\"]}");
	rc = parse(text, &req, reason);
	CHECK(rc == -1 && strcmp(reason, "symbols: at most 64") == 0,
	    "65 symbols refused (%s)", reason);
	rc = parse("{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":"
	    "[1,2,3,4,5,6,7,8]}", &req, reason);
	CHECK(rc == 0 && req.watch.n_intervals == 8, "8 intervals accepted");
	rc = parse("{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":"
	    "[1,2,3,4,5,6,7,8,9]}", &req, reason);
	CHECK(rc == -1 && strcmp(reason, "intervals: at most 8") == 0,
	    "9 intervals refused");
	rc = parse("{\"op\":\"watch\","
	    "\"symbols\":[\"ABCDEFGHIJKLMNOPQRSTUVW\"],"
	    "\"intervals\":[1]}", &req, reason);
	CHECK(rc == 0, "a 23-byte symbol accepted");
	/* 4096 bytes is the limit, whitespace included. */
	memset(text, ' ', sizeof(text));
	memcpy(text, "{\"op\":\"ping\"}", 13);
	rc = live_parse_request(text, 4096, &req, reason, sizeof(reason));
	CHECK(rc == 0, "a 4096-byte message accepted");
	rc = live_parse_request(text, 4097, &req, reason, sizeof(reason));
	CHECK(rc == -1, "a 4097-byte message refused");
}

static const struct {
	const char	*text;
	const char	*reason;
} bad[] = {
	{ "", "not a JSON object" },
	{ "[]", "not a JSON object" },
	{ "\"ping\"", "not a JSON object" },
	{ "{\"op\":\"ping\"", "not a JSON object" },
	{ "{\"op\":\"ping\"} {}", "not a JSON object" },
	{ "{\"op\":\"ping\",\"op\":\"ping\"}", "not a JSON object" },
	{ "{}", "op: missing or not a string" },
	{ "{\"op\":1}", "op: missing or not a string" },
	{ "{\"op\":\"subscribe\"}", "op: unknown" },
	{ "{\"op\":\"watch\"}", "symbols: missing or not an array" },
	{ "{\"op\":\"watch\",\"symbols\":\"AAPL\",\"intervals\":[1]}",
	  "symbols: missing or not an array" },
	{ "{\"op\":\"watch\",\"symbols\":[],\"intervals\":[1]}",
	  "symbols: at least one" },
	{ "{\"op\":\"watch\",\"symbols\":[1],\"intervals\":[1]}",
	  "symbols: not a string" },
	{ "{\"op\":\"watch\",\"symbols\":[\"\"],\"intervals\":[1]}",
	  "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /" },
	{ "{\"op\":\"watch\",\"symbols\":[\"AA PL\"],\"intervals\":[1]}",
	  "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /" },
	{ "{\"op\":\"watch\",\"symbols\":[\"ABCDEFGHIJKLMNOPQRSTUVWX\"],"
	  "\"intervals\":[1]}", "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\\\"B\"],\"intervals\":[1]}",
	  "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /" },
	{ "{\"op\":\"watch\",\"symbols\":[\"**\"],\"intervals\":[1]}",
	  "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"]}",
	  "intervals: missing or not an array" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[]}",
	  "intervals: at least one" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[0]}",
	  "intervals: integers 1..86400" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[86401]}",
	  "intervals: integers 1..86400" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[-60]}",
	  "intervals: integers 1..86400" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[1.5]}",
	  "intervals: integers 1..86400" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],\"intervals\":[\"60\"]}",
	  "intervals: integers 1..86400" },
	{ "{\"op\":\"watch\",\"symbols\":[\"A\"],"
	  "\"intervals\":[99999999999999999999]}", "not a JSON object" },
};

static void
test_malformed(void)
{
	struct live_request req;
	char reason[96];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reason[0] = '\0';
		rc = parse(bad[i].text, &req, reason);
		CHECK(rc == -1 && strcmp(reason, bad[i].reason) == 0,
		    "malformed %zu: %s -> \"%s\" (got \"%s\")", i, bad[i].text,
		    bad[i].reason, reason);
	}
	rc = live_parse_request("{\"op\":\"ping\"}\0", 14, &req, reason,
	    sizeof(reason));
	CHECK(rc == -1, "a NUL after the object refused");
	rc = live_parse_request("{\"op\":\"pi\0ng\"}", 14, &req, reason,
	    sizeof(reason));
	CHECK(rc == -1, "a NUL inside a string refused");
	rc = parse("{\"op\":\"\xff\xfe\"}", &req, reason);
	CHECK(rc == -1, "invalid UTF-8 refused");
}

static void
test_watch(void)
{
	struct live_request req;
	char reason[96];

	parse("{\"op\":\"watch\",\"symbols\":[\"*\",\"AAPL\",\"BTC-USD\"],"
	    "\"intervals\":[1,60]}", &req, reason);
	CHECK(live_watch_bar(&req.watch, "AAPL", 1), "watch: AAPL 1 s");
	CHECK(live_watch_bar(&req.watch, "AAPL", 60), "watch: AAPL 60 s");
	CHECK(live_watch_bar(&req.watch, "BTC-USD", 1), "watch: BTC-USD 1 s");
	CHECK(live_watch_bar(&req.watch, "MSFT", 60),
	    "watch: * takes MSFT at the coarsest interval");
	CHECK(!live_watch_bar(&req.watch, "MSFT", 1),
	    "watch: * does not take MSFT at 1 s");
	CHECK(!live_watch_bar(&req.watch, "AAPL", 5),
	    "watch: an interval not listed");
	CHECK(!live_watch_bar(&req.watch, "aapl", 1),
	    "watch: symbols are case-sensitive");
	CHECK(live_watch_symbol(&req.watch, "MSFT"),
	    "watch: * takes every symbol's anomalies");
	parse("{\"op\":\"watch\",\"symbols\":[\"AAPL\",\"BTC-USD\"],"
	    "\"intervals\":[1,60]}", &req, reason);
	CHECK(!live_watch_bar(&req.watch, "MSFT", 60),
	    "watch: without * MSFT is not taken");
	CHECK(live_watch_symbol(&req.watch, "BTC-USD") &&
	    !live_watch_symbol(&req.watch, "MSFT"),
	    "watch: anomalies of named symbols only");
	memset(&req.watch, 0, sizeof(req.watch));
	CHECK(!live_watch_bar(&req.watch, "AAPL", 60) &&
	    !live_watch_symbol(&req.watch, "AAPL"),
	    "watch: an empty set takes nothing");
}

static json_t *
load(const struct live_buf *b)
{
	json_error_t err;

	return json_loadb(b->p, b->len, JSON_REJECT_DUPLICATES, &err);
}

static int
num_is(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) && json_number_value(v) == want;
}

static int
int_is(json_t *o, const char *key, long long want)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) == want;
}

static int
str_is(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

static int
null_is(json_t *o, const char *key)
{
	return json_is_null(json_object_get(o, key));
}

/* The bars table's columns (store/writer.c), plus type and state. */
static const char *const bar_keys[] = {
	"type", "state", "symbol", "interval_s", "start_ms", "open", "high",
	"low", "close", "volume", "vwap", "trades", "buy_volume",
	"sell_volume", "buy_trades", "sell_trades", "quotes", "spread_mean",
	"spread_min", "spread_max", "spread_bps", "delta_min", "delta_max",
	"n_declared", "n_inferred", "n_unknown", "n_compared", "n_agree",
	"n_unknown_conditions", "gap", "late", "revision", "flags", "source",
	"asset_class", "first_ts_ns", "last_ts_ns", "updated_ms"
};

static void
sample_bar(struct bar *b)
{
	memset(b, 0, sizeof(*b));
	strcpy(b->symbol, "AAPL");
	b->source = SOURCE_POLYGON;
	b->asset_class = ASSET_STOCK;
	b->state = BAR_LIVE;
	b->interval_s = 60;
	b->start_ms = 1706649600000LL;
	b->open = 187250000000LL;	/* 187.25 */
	b->high = 187500000000LL;
	b->low = 187100000000LL;	/* 187.1 */
	b->close = 187400000000LL;
	b->vwap = 187312500000LL;	/* 187.3125 */
	b->volume = 1200.5;
	b->buy_volume = 800;
	b->sell_volume = 300.25;
	b->trades = 7;
	b->buy_trades = 4;
	b->sell_trades = 2;
	b->quotes = 31;
	b->spread_mean = 20000000;	/* 0.02 */
	b->spread_min = 10000000;
	b->spread_max = 50000000;
	b->spread_bps = 1.07;
	b->delta_min = -100;
	b->delta_max = 500;
	b->n_inferred = 6;
	b->n_unknown = 1;
	b->n_compared = 3;
	b->n_agree = 2;
	b->n_unknown_conditions = 1;
	b->revision = 2;
	b->flags = BAR_F_GAP | BAR_F_LATE;
	b->first_ts_ns = 1706649600120000000LL;
	b->last_ts_ns = 1706649628020000001LL;
	b->updated_ns = 1706649628101999999LL;
}

static void
test_bar(void)
{
	struct live_buf b;
	struct bar bar;
	json_t *o;
	size_t i;
	int all;

	live_buf_init(&b);
	sample_bar(&bar);
	live_encode_bar(&b, &bar);
	o = load(&b);
	CHECK(o != NULL && json_is_object(o), "bar: valid JSON object");
	for (i = 0, all = 1; i < sizeof(bar_keys) / sizeof(bar_keys[0]); i++)
		if (json_object_get(o, bar_keys[i]) == NULL) {
			printf("# missing %s\n", bar_keys[i]);
			all = 0;
		}
	CHECK(all, "bar: every bars column is there");
	CHECK(json_object_size(o) == sizeof(bar_keys) / sizeof(bar_keys[0]),
	    "bar: and nothing else");
	CHECK(str_is(o, "type", "bar") && str_is(o, "state", "live") &&
	    str_is(o, "symbol", "AAPL") && int_is(o, "interval_s", 60) &&
	    int_is(o, "start_ms", 1706649600000LL), "bar: key fields");
	CHECK(num_is(o, "open", 187.25) && num_is(o, "high", 187.5) &&
	    num_is(o, "low", 187.1) && num_is(o, "close", 187.4) &&
	    num_is(o, "vwap", 187.3125), "bar: prices as doubles");
	CHECK(num_is(o, "spread_mean", 0.02) && num_is(o, "spread_min", 0.01) &&
	    num_is(o, "spread_max", 0.05) && num_is(o, "spread_bps", 1.07),
	    "bar: spreads");
	CHECK(num_is(o, "volume", 1200.5) && num_is(o, "buy_volume", 800) &&
	    num_is(o, "sell_volume", 300.25) && num_is(o, "delta_min", -100) &&
	    num_is(o, "delta_max", 500), "bar: volumes");
	CHECK(int_is(o, "trades", 7) && int_is(o, "buy_trades", 4) &&
	    int_is(o, "sell_trades", 2) && int_is(o, "quotes", 31) &&
	    int_is(o, "n_declared", 0) && int_is(o, "n_inferred", 6) &&
	    int_is(o, "n_unknown", 1) && int_is(o, "n_compared", 3) &&
	    int_is(o, "n_agree", 2) && int_is(o, "n_unknown_conditions", 1),
	    "bar: counts");
	CHECK(int_is(o, "gap", 1) && int_is(o, "late", 1) &&
	    int_is(o, "flags", 3) && int_is(o, "revision", 2),
	    "bar: gap, late, flags, revision");
	CHECK(str_is(o, "source", "polygon") &&
	    str_is(o, "asset_class", "stock"), "bar: source, asset_class");
	CHECK(int_is(o, "first_ts_ns", 1706649600120000000LL) &&
	    int_is(o, "last_ts_ns", 1706649628020000001LL),
	    "bar: event times to the ns");
	CHECK(int_is(o, "updated_ms", 1706649628101LL),
	    "bar: updated_ms truncated like the store's");
	CHECK(strstr(b.p, "\"open\":187.25,") != NULL &&
	    strstr(b.p, "\"low\":187.1,") != NULL &&
	    strstr(b.p, "\"spread_min\":0.01,") != NULL &&
	    strstr(b.p, "\"volume\":1200.5,") != NULL,
	    "bar: shortest text (%s)", b.p);
	CHECK(strncmp(b.p, "{\"type\":\"bar\",\"state\":\"live\",", 29) == 0,
	    "bar: type and state first");
	json_decref(o);

	/* No price-setting trade, no quote, no volume: nulls. */
	live_buf_reset(&b);
	bar.flags = BAR_F_NO_PRICE | BAR_F_NO_SPREAD;
	bar.volume = 0;
	bar.state = BAR_CORRECTED;
	live_encode_bar(&b, &bar);
	o = load(&b);
	CHECK(o != NULL && null_is(o, "open") && null_is(o, "high") &&
	    null_is(o, "low") && null_is(o, "close"),
	    "bar: no_price gives null OHLC");
	CHECK(o != NULL && null_is(o, "vwap"),
	    "bar: no volume gives null vwap");
	CHECK(o != NULL && null_is(o, "spread_mean") &&
	    null_is(o, "spread_min") && null_is(o, "spread_max") &&
	    null_is(o, "spread_bps"), "bar: no_spread gives null spreads");
	CHECK(o != NULL && int_is(o, "gap", 0) && int_is(o, "late", 0) &&
	    int_is(o, "flags", 12) && str_is(o, "state", "corrected"),
	    "bar: flags without gap and late");
	json_decref(o);

	/* A price with 9 decimals, a volume that needs 17 digits. */
	live_buf_reset(&b);
	bar.flags = 0;
	bar.state = BAR_CLOSED;
	bar.open = 123456789LL;		/* 0.123456789 */
	bar.volume = 0.1 + 0.2;		/* 0.30000000000000004 */
	bar.buy_volume = NAN;
	live_encode_bar(&b, &bar);
	o = load(&b);
	CHECK(o != NULL && num_is(o, "open", 0.123456789) &&
	    strstr(b.p, "\"open\":0.123456789,") != NULL,
	    "bar: nine decimals exactly");
	CHECK(o != NULL && num_is(o, "volume", 0.1 + 0.2) &&
	    strstr(b.p, "\"volume\":0.30000000000000004,") != NULL,
	    "bar: 17 digits when needed");
	CHECK(o != NULL && null_is(o, "buy_volume"), "bar: NaN becomes null");
	json_decref(o);
	live_buf_free(&b);
}

static void
test_anomaly(void)
{
	struct live_buf b;
	struct anomaly a;
	json_t *o;

	memset(&a, 0, sizeof(a));
	strcpy(a.symbol, "BTC-USD");
	a.source = SOURCE_DEMO;
	a.asset_class = ASSET_CRYPTO;
	a.kind = ANOMALY_VOLUME_SPIKE;
	a.interval_s = 60;
	a.start_ms = 1706649600000LL;
	a.score = 7.5;
	a.value = 120000;
	a.threshold = 5;
	a.ts_ns = 1706649659990000000LL;
	a.exchange = 23;
	live_buf_init(&b);
	live_encode_anomaly(&b, &a);
	o = load(&b);
	CHECK(o != NULL && str_is(o, "type", "anomaly") &&
	    str_is(o, "symbol", "BTC-USD") && int_is(o, "interval_s", 60) &&
	    int_is(o, "start_ms", 1706649600000LL) &&
	    str_is(o, "kind", "volume_spike") && num_is(o, "score", 7.5) &&
	    num_is(o, "value", 120000) && num_is(o, "threshold", 5) &&
	    int_is(o, "ts_ns", 1706649659990000000LL) &&
	    int_is(o, "exchange", 23) && str_is(o, "source", "demo") &&
	    str_is(o, "asset_class", "crypto"), "anomaly: every field");
	CHECK(o != NULL && json_object_size(o) == 12, "anomaly: 12 keys");
	json_decref(o);
	live_buf_free(&b);
}

static void
test_strings(void)
{
	struct live_buf b;
	json_t *o;

	live_buf_init(&b);
	live_encode_error(&b, "a\"b\\c\n\x01\xff\xc3\xa9");
	CHECK(strcmp(b.p, "{\"type\":\"error\",\"reason\":"
	    "\"a\\\"b\\\\c\\u000a\\u0001\\ufffd\xc3\xa9\"}") == 0,
	    "escaping: quote, backslash, controls, bad UTF-8 (%s)", b.p);
	o = load(&b);
	CHECK(o != NULL, "escaping: valid JSON and UTF-8");
	json_decref(o);
	live_buf_reset(&b);
	live_encode_error(&b, "\xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80");
	o = load(&b);
	CHECK(o != NULL && strstr(b.p, "\xed") == NULL && strstr(b.p, "\xc0") ==
	    NULL && strstr(b.p, "\xf4") == NULL,
	    "escaping: surrogates, overlong, beyond U+10FFFF replaced");
	json_decref(o);
	live_buf_free(&b);
}

static void
test_small(void)
{
	struct live_request req;
	struct live_buf b;
	char reason[96];
	json_t *o, *a;

	live_buf_init(&b);
	live_encode_hello(&b, "alice", "viewer", 1706693000000LL, "demo",
	    1706649628123LL);
	o = load(&b);
	CHECK(o != NULL && str_is(o, "type", "hello") &&
	    str_is(o, "user", "alice") && str_is(o, "role", "viewer") &&
	    int_is(o, "expires_ms", 1706693000000LL) &&
	    str_is(o, "mode", "demo") &&
	    int_is(o, "server_ms", 1706649628123LL) &&
	    int_is(o, "max_symbols", 64) && int_is(o, "max_intervals", 8) &&
	    int_is(o, "max_message", 4096), "hello");
	json_decref(o);

	live_buf_reset(&b);
	parse("{\"op\":\"watch\",\"symbols\":[\"*\",\"AAPL\",\"*\"],"
	    "\"intervals\":[60,1]}", &req, reason);
	live_encode_watching(&b, &req.watch);
	CHECK(strcmp(b.p, "{\"type\":\"watching\",\"symbols\":[\"*\",\"AAPL\"],"
	    "\"intervals\":[1,60]}") == 0, "watching (%s)", b.p);
	o = load(&b);
	a = json_object_get(o, "symbols");
	CHECK(json_array_size(a) == 2, "watching: valid JSON");
	json_decref(o);

	live_buf_reset(&b);
	live_encode_pong(&b, 5);
	CHECK(strcmp(b.p, "{\"type\":\"pong\",\"server_ms\":5}") == 0, "pong");
	live_buf_reset(&b);
	live_encode_session(&b, 1706694800000LL);
	CHECK(strcmp(b.p, "{\"type\":\"session\",\"expires_ms\":1706694800000}")
	    == 0, "session");
	live_buf_free(&b);
}

int
main(void)
{
	test_valid();
	test_limits();
	test_malformed();
	test_watch();
	test_bar();
	test_anomaly();
	test_strings();
	test_small();
	return check_report();
}
