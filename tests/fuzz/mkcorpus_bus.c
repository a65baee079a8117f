/*
 * Writes the bus harness's seed corpus: valid messages of every kind made
 * with common/bus.h's own encoder (bus_batch_*), one file per message,
 * into the directory given. Run by hand when the record format changes
 * (BUS_VERSION): the files in tests/fuzz/corpus/bus/ are committed.
 *
 *   build/fuzz/mkcorpus_bus tests/fuzz/corpus/bus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bar.h"
#include "bus.h"
#include "tick.h"

#define T0_NS	1790649901913000000LL

static const char *dir;
static int n_files;

static void
put(const char *name, const void *msg, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(msg, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	n_files++;
}

static void
take(struct bus_batch *b, const char *name)
{
	const void *msg;
	size_t len;

	if (bus_batch_take(b, &msg, &len) == -1) {
		fprintf(stderr, "empty batch %s\n", name);
		exit(1);
	}
	put(name, msg, len);
}

static void
ticks(void)
{
	struct bus_batch b;
	struct tick t;

	if (bus_batch_init(&b, BUS_TICKS, 0x1234abcd, 8) == -1)
		exit(1);
	memset(&t, 0, sizeof(t));
	t.kind = TICK_TRADE;
	t.side = SIDE_SELL;
	t.asset_class = ASSET_CRYPTO;
	t.source = SOURCE_BINANCE;
	t.ts_ns = T0_NS;
	t.recv_ns = T0_NS + 2000000;
	strcpy(t.symbol, "BTC-USDT");
	strcpy(t.trade_id, "6720857582");
	t.price = 83034290000000;
	t.size = 0.00012;
	bus_batch_add_tick(&b, &t, T0_NS);
	take(&b, "ticks-trade");

	memset(&t, 0, sizeof(t));
	t.kind = TICK_TRADE;
	t.asset_class = ASSET_STOCK;
	t.source = SOURCE_POLYGON;
	t.tape = 3;
	t.exchange = 4;
	t.ts_ns = T0_NS;
	t.recv_ns = T0_NS + 1000000;
	strcpy(t.symbol, "NVDA");
	strcpy(t.trade_id, "52983525029461");
	t.n_conditions = 2;
	t.conditions[0] = 12;
	t.conditions[1] = 37;
	t.price = 495223400000;
	t.size = 100;
	bus_batch_add_tick(&b, &t, T0_NS);
	t.kind = TICK_QUOTE;
	t.n_conditions = 0;
	t.conditions[0] = t.conditions[1] = 0;
	t.trade_id[0] = '\0';
	t.price = 0;
	t.size = 0;
	t.bid = 495220000000;
	t.bid_size = 300;
	t.ask = 495230000000;
	t.ask_size = 100;
	t.ask_exchange = 11;
	bus_batch_add_tick(&b, &t, T0_NS);
	t.kind = TICK_FEED_BAR;
	t.bid = t.ask = 0;
	t.bid_size = t.ask_size = 0;
	t.exchange = t.ask_exchange = 0;
	t.open = 495200000000;
	t.high = 495310000000;
	t.low = 495190000000;
	t.close = 495300000000;
	t.vwap = 495250000000;
	t.volume = 1200;
	t.end_ns = T0_NS + 60 * NS_PER_S;
	bus_batch_add_tick(&b, &t, T0_NS);
	memset(&t, 0, sizeof(t));
	t.kind = TICK_STATUS;
	t.status = FEED_LIVE;
	t.asset_class = ASSET_STOCK;
	t.source = SOURCE_POLYGON;
	t.ts_ns = t.recv_ns = T0_NS;
	bus_batch_add_tick(&b, &t, T0_NS);
	take(&b, "ticks-mixed");
	bus_batch_free(&b);
}

static void
stats(void)
{
	struct bus_batch b;
	struct bus_stat s;

	if (bus_batch_init(&b, BUS_STATS, 7, 4) == -1)
		exit(1);
	memset(&s, 0, sizeof(s));
	strcpy(s.process, "ingest-crypto");
	strcpy(s.key, "ticks");
	s.value = 123456;
	bus_batch_add_stat(&b, &s, T0_NS);
	strcpy(s.key, "skipped_bad_json");
	s.value = 0;
	bus_batch_add_stat(&b, &s, T0_NS);
	take(&b, "stats");
	bus_batch_free(&b);
}

static void
bars(void)
{
	struct bus_batch b;
	struct bar r;

	if (bus_batch_init(&b, BUS_BARS, 99, 4) == -1)
		exit(1);
	memset(&r, 0, sizeof(r));
	strcpy(r.symbol, "AAPL");
	r.source = SOURCE_POLYGON;
	r.asset_class = ASSET_STOCK;
	r.state = BAR_CLOSED;
	r.interval_s = 60;
	r.start_ms = 1790649900000;
	r.open = 161870000000;
	r.high = 162000000000;
	r.low = 161500000000;
	r.close = 161900000000;
	r.vwap = 161800000000;
	r.volume = 1500;
	r.buy_volume = 800;
	r.sell_volume = 600;
	r.trades = 12;
	r.buy_trades = 6;
	r.sell_trades = 5;
	r.quotes = 40;
	r.spread_mean = 10000000;
	r.spread_min = 10000000;
	r.spread_max = 20000000;
	r.spread_bps = 0.62;
	r.delta_min = -100;
	r.delta_max = 250;
	r.n_declared = 0;
	r.n_inferred = 11;
	r.n_unknown = 1;
	r.first_ts_ns = T0_NS;
	r.last_ts_ns = T0_NS + 59 * NS_PER_S;
	r.updated_ns = T0_NS + 61 * NS_PER_S;
	bus_batch_add_bar(&b, &r, T0_NS);
	r.state = BAR_CORRECTED;
	r.revision = 1;
	r.flags = BAR_F_LATE | BAR_F_GAP;
	bus_batch_add_bar(&b, &r, T0_NS);
	take(&b, "bars");
	r.state = BAR_LIVE;
	r.flags = BAR_F_NO_PRICE | BAR_F_NO_SPREAD;
	bus_batch_add_bar(&b, &r, T0_NS);
	take(&b, "bars-live");
	bus_batch_free(&b);
}

static void
anomalies(void)
{
	struct bus_batch b;
	struct anomaly a;

	if (bus_batch_init(&b, BUS_ANOMALIES, 99, 4) == -1)
		exit(1);
	memset(&a, 0, sizeof(a));
	strcpy(a.symbol, "ETH-USD");
	a.source = SOURCE_COINBASE;
	a.asset_class = ASSET_CRYPTO;
	a.kind = ANOMALY_VOLUME_SPIKE;
	a.interval_s = 60;
	a.start_ms = 1790649900000;
	a.score = 7.5;
	a.value = 1234.5;
	a.threshold = 6;
	a.ts_ns = T0_NS;
	bus_batch_add_anomaly(&b, &a, T0_NS);
	a.kind = ANOMALY_SIDE_INVERTED;
	a.exchange = 4;
	bus_batch_add_anomaly(&b, &a, T0_NS);
	take(&b, "anomalies");
	bus_batch_free(&b);
}

static void
side_checks(void)
{
	struct bus_batch b;
	struct side_check c;

	if (bus_batch_init(&b, BUS_SIDE_CHECKS, 99, 4) == -1)
		exit(1);
	memset(&c, 0, sizeof(c));
	strcpy(c.symbol, "BTC-USD");
	c.source = SOURCE_KRAKEN;
	c.asset_class = ASSET_CRYPTO;
	c.trades = 1000;
	c.declared_buy = 480;
	c.declared_sell = 510;
	c.compared = 900;
	c.agree = 850;
	c.at_bid = 400;
	c.at_ask = 420;
	c.inside = 80;
	c.updated_ns = T0_NS;
	bus_batch_add_side_check(&b, &c, T0_NS);
	take(&b, "side-checks");
	bus_batch_free(&b);
}

static void
replay_req(void)
{
	uint8_t msg[BUS_HEADER_SIZE + BUS_REPLAY_REQ_SIZE];
	struct bus_header h;
	struct bus_replay_req r;

	memset(&h, 0, sizeof(h));
	h.kind = BUS_REPLAY_REQ;
	h.n_records = 1;
	h.publisher_id = 5;
	h.seq = 1;
	bus_encode_header(msg, &h);
	memset(&r, 0, sizeof(r));
	r.want_kind = BUS_BARS;
	r.since_ms = 1790649900000;
	r.after_cursor = 41;
	r.max_records = 500;
	bus_encode_replay_req(msg + BUS_HEADER_SIZE, &r);
	put("replay-req", msg, sizeof(msg));
	/* An empty reply: a header alone. */
	h.kind = BUS_BARS;
	h.n_records = 0;
	h.seq = 42;
	h.first_record = 42;
	bus_encode_header(msg, &h);
	put("bars-empty", msg, BUS_HEADER_SIZE);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus_bus DIR\n");
		return 64;
	}
	dir = argv[1];
	ticks();
	stats();
	bars();
	anomalies();
	side_checks();
	replay_req();
	printf("%d files in %s\n", n_files, dir);
	return 0;
}
