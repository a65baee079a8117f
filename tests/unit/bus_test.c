/*
 * The bus record format: round trips of every record kind, the decoder's
 * checks (magic, version, kind, exact length, field ranges), batching, and
 * gap counting across publishers, restarts and lost messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "bus.h"
#include "le.h"

static int64_t
le_i64(const uint8_t *p)
{
	return lei64_get(p);
}

static struct tick
sample_trade(void)
{
	struct tick t;

	memset(&t, 0, sizeof(t));
	t.kind = TICK_TRADE;
	t.side = SIDE_SELL;
	t.asset_class = ASSET_CRYPTO;
	t.source = SOURCE_POLYGON;
	t.exchange = 23;
	t.ts_ns = 1706649628023LL * 1000000;
	t.recv_ns = 1706649628068LL * 1000000 + 123;
	strcpy(t.symbol, "BTC-USD");
	strcpy(t.trade_id, "1b254a48-7258-4465-8215-2610ccf9ab21");
	t.n_conditions = 1;
	t.conditions[0] = 1;
	t.price = 43575600000000LL;
	t.size = 4.522e-05;
	return t;
}

static void
test_tick_round_trips(void)
{
	uint8_t rec[BUS_TICK_SIZE];
	struct tick in, out;

	in = sample_trade();
	bus_encode_tick(rec, &in);
	CHECK(bus_decode_tick(rec, &out) == BUS_OK &&
	    memcmp(&in, &out, sizeof(in)) == 0, "trade round-trips");
	/* Bytes at fixed offsets, little-endian (docs/bus.md). */
	CHECK(rec[0] == TICK_TRADE && rec[1] == SIDE_SELL && rec[12] == 23 &&
	    rec[13] == 0 && strcmp((char *)rec + 40, "BTC-USD") == 0,
	    "trade fields sit at their documented offsets");

	memset(&in, 0, sizeof(in));
	in.kind = TICK_QUOTE;
	in.asset_class = ASSET_STOCK;
	in.source = SOURCE_DEMO;
	in.tape = 3;
	in.exchange = 4;
	in.ask_exchange = 7;
	in.ts_ns = 1536036818784LL * 1000000;
	strcpy(in.symbol, "MSFT");
	in.n_conditions = 1;
	in.bid = 114125000000LL;
	in.bid_size = 100;
	in.ask = 114128000000LL;
	in.ask_size = 160;
	bus_encode_tick(rec, &in);
	CHECK(bus_decode_tick(rec, &out) == BUS_OK &&
	    memcmp(&in, &out, sizeof(in)) == 0, "quote round-trips");

	memset(&in, 0, sizeof(in));
	in.kind = TICK_FEED_BAR;
	in.asset_class = ASSET_STOCK;
	in.source = SOURCE_POLYGON;
	strcpy(in.symbol, "GTE");
	in.ts_ns = 1610144640000LL * 1000000;
	in.end_ns = 1610144700000LL * 1000000;
	in.open = 448800000;
	in.high = 448900000;
	in.low = 448600000;
	in.close = 448600000;
	in.vwap = 448800000;
	in.volume = 4110;
	bus_encode_tick(rec, &in);
	CHECK(bus_decode_tick(rec, &out) == BUS_OK &&
	    memcmp(&in, &out, sizeof(in)) == 0, "feed bar round-trips");

	memset(&in, 0, sizeof(in));
	in.kind = TICK_STATUS;
	in.status = FEED_AUTH_FAILED;
	in.source = SOURCE_POLYGON;
	in.asset_class = ASSET_CRYPTO;
	in.ts_ns = 5;
	bus_encode_tick(rec, &in);
	CHECK(bus_decode_tick(rec, &out) == BUS_OK &&
	    memcmp(&in, &out, sizeof(in)) == 0, "status round-trips");
}

static void
test_tick_rejects(void)
{
	static const struct {
		const char	*name;
		unsigned	 offset;
		uint8_t		 value;
	} bad[] = {
		{ "kind 0", 0, 0 },
		{ "kind out of range", 0, TICK_KIND_MAX },
		{ "side out of range", 1, SIDE_MAX },
		{ "asset class out of range", 2, ASSET_MAX },
		{ "source out of range", 3, SOURCE_MAX },
		{ "too many conditions", 5, TICK_MAX_CONDITIONS + 1 },
		{ "status out of range", 6, FEED_STATUS_MAX },
	};
	uint8_t rec[BUS_TICK_SIZE];
	struct tick t = sample_trade(), out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bus_encode_tick(rec, &t);
		rec[bad[i].offset] = bad[i].value;
		CHECK(bus_decode_tick(rec, &out) == BUS_BAD_RECORD,
		    "tick with %s is rejected", bad[i].name);
	}
	bus_encode_tick(rec, &t);
	memset(rec + 40, 'A', TICK_SYMBOL_LEN);
	CHECK(bus_decode_tick(rec, &out) == BUS_BAD_RECORD,
	    "symbol without a NUL is rejected");
	bus_encode_tick(rec, &t);
	memset(rec + 64, 'A', TICK_TRADE_ID_LEN);
	CHECK(bus_decode_tick(rec, &out) == BUS_BAD_RECORD,
	    "trade id without a NUL is rejected");

	/* Too long to fit: the encoder truncates, keeping the NUL. */
	memset(t.trade_id, 'x', sizeof(t.trade_id));
	bus_encode_tick(rec, &t);
	CHECK(bus_decode_tick(rec, &out) == BUS_OK &&
	    strlen(out.trade_id) == TICK_TRADE_ID_LEN - 1,
	    "unterminated trade id is truncated by the encoder");
}

static void
test_stat_round_trip(void)
{
	uint8_t rec[BUS_STAT_SIZE];
	struct bus_stat in, out;

	memset(&in, 0, sizeof(in));
	strcpy(in.process, "ingest-crypto");
	strcpy(in.key, "ticks");
	in.value = -42;
	bus_encode_stat(rec, &in);
	CHECK(bus_decode_stat(rec, &out) == BUS_OK &&
	    memcmp(&in, &out, sizeof(in)) == 0, "stat round-trips");
	memset(rec, 'z', 24);
	CHECK(bus_decode_stat(rec, &out) == BUS_BAD_RECORD,
	    "stat without NUL in process is rejected");
}

/* Fills every field with a distinct value so a swapped offset shows. */
static void
test_bar_records(void)
{
	uint8_t rec[BUS_BAR_SIZE], arec[BUS_ANOMALY_SIZE];
	uint8_t crec[BUS_SIDE_CHECK_SIZE], rrec[BUS_REPLAY_REQ_SIZE];
	struct bar b, bo;
	struct anomaly a, ao;
	struct side_check c, co;
	struct bus_replay_req r, ro;

	memset(&b, 0, sizeof(b));
	strcpy(b.symbol, "AAPL");
	b.source = SOURCE_POLYGON;
	b.asset_class = ASSET_STOCK;
	b.state = BAR_CORRECTED;
	b.flags = BAR_F_GAP | BAR_F_LATE;
	b.interval_s = 60;
	b.revision = 3;
	b.start_ms = 1706649600000LL;
	b.open = 1;
	b.high = 2;
	b.low = 3;
	b.close = 4;
	b.vwap = 5;
	b.volume = 6.5;
	b.buy_volume = 7.5;
	b.sell_volume = 8.5;
	b.trades = 9;
	b.buy_trades = 10;
	b.sell_trades = 11;
	b.quotes = 12;
	b.spread_mean = 13;
	b.spread_min = 14;
	b.spread_max = 15;
	b.spread_bps = 16.25;
	b.delta_min = -17.5;
	b.delta_max = 18.5;
	b.n_declared = 19;
	b.n_inferred = 20;
	b.n_unknown = 21;
	b.n_compared = 22;
	b.n_agree = 23;
	b.n_unknown_conditions = 24;
	b.first_ts_ns = 25;
	b.last_ts_ns = 26;
	b.updated_ns = 27;
	bus_encode_bar(rec, &b);
	CHECK(bus_decode_bar(rec, &bo) == BUS_OK &&
	    memcmp(&b, &bo, sizeof(b)) == 0, "bar round-trips");
	CHECK(le_i64(rec + 40) == 1706649600000LL && rec[26] == BAR_CORRECTED,
	    "bar start_ms and state at their documented offsets");
	rec[26] = 0;
	CHECK(bus_decode_bar(rec, &bo) == BUS_BAD_RECORD, "bar state 0 rejected");
	bus_encode_bar(rec, &b);
	memset(rec + 32, 0, 4);
	CHECK(bus_decode_bar(rec, &bo) == BUS_BAD_RECORD,
	    "bar interval 0 rejected");

	memset(&a, 0, sizeof(a));
	strcpy(a.symbol, "BTC-USD");
	a.source = SOURCE_COINBASE;
	a.asset_class = ASSET_CRYPTO;
	a.kind = ANOMALY_LARGE_TRADE;
	a.interval_s = 1;
	a.start_ms = 5;
	a.score = 6.5;
	a.value = 7.5;
	a.threshold = 8.5;
	a.ts_ns = 9;
	a.exchange = 10;
	bus_encode_anomaly(arec, &a);
	CHECK(bus_decode_anomaly(arec, &ao) == BUS_OK &&
	    memcmp(&a, &ao, sizeof(a)) == 0, "anomaly round-trips");
	arec[26] = ANOMALY_KIND_MAX;
	CHECK(bus_decode_anomaly(arec, &ao) == BUS_BAD_RECORD,
	    "anomaly kind out of range rejected");

	memset(&c, 0, sizeof(c));
	strcpy(c.symbol, "ETH-USD");
	c.source = SOURCE_POLYGON;
	c.asset_class = ASSET_CRYPTO;
	c.inverted = 1;
	c.exchange = 23;
	c.trades = 1;
	c.declared_buy = 2;
	c.declared_sell = 3;
	c.compared = 4;
	c.agree = 5;
	c.at_bid = 6;
	c.at_ask = 7;
	c.inside = 8;
	c.updated_ns = 9;
	bus_encode_side_check(crec, &c);
	CHECK(bus_decode_side_check(crec, &co) == BUS_OK &&
	    memcmp(&c, &co, sizeof(c)) == 0, "side check round-trips");

	memset(&r, 0, sizeof(r));
	r.want_kind = BUS_ANOMALIES;
	r.since_ms = -5;
	r.after_cursor = 77;
	r.max_records = 1000;
	bus_encode_replay_req(rrec, &r);
	CHECK(bus_decode_replay_req(rrec, &ro) == BUS_OK &&
	    memcmp(&r, &ro, sizeof(r)) == 0, "replay request round-trips");
	rrec[0] = BUS_TICKS;
	CHECK(bus_decode_replay_req(rrec, &ro) == BUS_BAD_RECORD,
	    "replay of ticks is not offered");
}

static void
test_batch_and_header(void)
{
	struct bus_batch b;
	struct bus_header h;
	struct tick t = sample_trade(), out;
	const void *msg;
	uint8_t *copy;
	size_t len;
	uint32_t i, n = 0;
	int ok = 1;

	CHECK(bus_batch_init(&b, BUS_TICKS, 0xdeadbeef, 4) == 0,
	    "batch init");
	CHECK(bus_batch_take(&b, &msg, &len) == -1, "empty batch has no msg");
	for (i = 0; i < 4; i++) {
		t.ts_ns = i;
		n = bus_batch_add_tick(&b, &t, 100);
	}
	CHECK(n == 4, "add returns the count held (full at max)");
	CHECK(bus_batch_take(&b, &msg, &len) == 0 &&
	    len == BUS_HEADER_SIZE + 4 * BUS_TICK_SIZE, "full batch length");
	CHECK(bus_decode_header(msg, len, &h) == BUS_OK && h.kind == BUS_TICKS &&
	    h.n_records == 4 && h.publisher_id == 0xdeadbeef && h.seq == 1 &&
	    h.first_record == 0, "header fields of the first message");
	for (i = 0; i < 4; i++) {
		if (bus_decode_tick((const uint8_t *)msg + BUS_HEADER_SIZE +
		    i * BUS_TICK_SIZE, &out) != BUS_OK || out.ts_ns != i)
			ok = 0;
	}
	CHECK(ok, "records decode in order");
	CHECK(((const uint8_t *)msg)[0] == BUS_TICKS,
	    "kind is the first byte (SUB prefix filters)");

	bus_batch_add_tick(&b, &t, 200);
	CHECK(bus_batch_take(&b, &msg, &len) == 0 &&
	    bus_decode_header(msg, len, &h) == BUS_OK && h.seq == 2 &&
	    h.first_record == 4 && h.n_records == 1,
	    "second message numbers on from the first");

	copy = malloc(len + 1);
	memcpy(copy, msg, len);
	CHECK(bus_decode_header(copy, len - 1, &h) == BUS_BAD_LENGTH,
	    "one byte short is a bad length");
	CHECK(bus_decode_header(copy, len + 1, &h) == BUS_BAD_LENGTH,
	    "one byte long is a bad length");
	CHECK(bus_decode_header(copy, 31, &h) == BUS_SHORT,
	    "shorter than a header");
	copy[2] ^= 1;
	CHECK(bus_decode_header(copy, len, &h) == BUS_BAD_MAGIC, "bad magic");
	copy[2] ^= 1;
	copy[1] = BUS_VERSION + 1;
	CHECK(bus_decode_header(copy, len, &h) == BUS_BAD_VERSION,
	    "bad version");
	copy[1] = BUS_VERSION;
	copy[0] = 99;
	CHECK(bus_decode_header(copy, len, &h) == BUS_BAD_KIND, "bad kind");
	copy[0] = BUS_TICKS;
	copy[4] = 0xff;
	copy[5] = 0xff;
	copy[6] = 0xff;
	copy[7] = 0xff;
	CHECK(bus_decode_header(copy, len, &h) == BUS_BAD_LENGTH,
	    "huge record count is a bad length, not an overflow");
	free(copy);
	bus_batch_free(&b);
}

static struct bus_header
hdr(uint32_t pub, uint8_t kind, uint64_t seq, uint64_t first, uint32_t n)
{
	struct bus_header h;

	memset(&h, 0, sizeof(h));
	h.kind = kind;
	h.publisher_id = pub;
	h.seq = seq;
	h.first_record = first;
	h.n_records = n;
	return h;
}

static void
test_gaps(void)
{
	struct bus_gaps g;
	struct bus_gap_event ev;
	struct bus_header h;
	uint32_t p;

	bus_gaps_init(&g);
	h = hdr(7, BUS_TICKS, 50, 4900, 100);
	bus_gaps_note(&g, &h, &ev);
	CHECK(ev.is_new_stream && ev.missed_messages == 0 && g.gaps == 0,
	    "a late joiner's first message is not a gap");
	h = hdr(7, BUS_TICKS, 51, 5000, 100);
	bus_gaps_note(&g, &h, &ev);
	CHECK(!ev.is_new_stream && ev.missed_messages == 0, "in order");
	h = hdr(7, BUS_TICKS, 54, 5250, 10);
	bus_gaps_note(&g, &h, &ev);
	CHECK(ev.missed_messages == 2 && ev.missed_records == 150 &&
	    ev.expected_seq == 52, "two messages (150 records) missed");
	/* Another kind from the same publisher numbers separately. */
	h = hdr(7, BUS_STATS, 1, 0, 5);
	bus_gaps_note(&g, &h, &ev);
	h = hdr(7, BUS_STATS, 2, 5, 5);
	bus_gaps_note(&g, &h, &ev);
	CHECK(ev.missed_messages == 0 && g.gaps == 1,
	    "kinds are separate streams");
	h = hdr(9, BUS_TICKS, 1, 0, 1);
	bus_gaps_note(&g, &h, &ev);
	h = hdr(9, BUS_TICKS, 3, 2, 1);
	bus_gaps_note(&g, &h, &ev);
	CHECK(ev.missed_messages == 1 && g.gaps == 2 &&
	    g.missed_messages == 3 && g.missed_records == 151,
	    "publishers are separate streams; totals add up");
	h = hdr(9, BUS_TICKS, 1, 0, 1);
	bus_gaps_note(&g, &h, &ev);
	CHECK(ev.is_restart && g.restarts == 1 && g.gaps == 2,
	    "seq going back is a restart, not a gap");
	CHECK(g.messages == 8 && g.records == 223, "message and record totals");

	/* A full table forgets the least recently heard stream. */
	for (p = 100; p < 100 + BUS_GAP_STREAMS; p++) {
		h = hdr(p, BUS_TICKS, 1, 0, 1);
		bus_gaps_note(&g, &h, NULL);
	}
	CHECK(g.n_streams == BUS_GAP_STREAMS, "table is bounded");
	h = hdr(100 + BUS_GAP_STREAMS - 1, BUS_TICKS, 2, 1, 1);
	bus_gaps_note(&g, &h, &ev);
	CHECK(!ev.is_new_stream && ev.missed_messages == 0,
	    "a recent stream survives eviction");
}

int
main(void)
{
	test_tick_round_trips();
	test_tick_rejects();
	test_stat_round_trip();
	test_bar_records();
	test_batch_and_header();
	test_gaps();
	return check_report();
}
