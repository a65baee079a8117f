/*
 * webui/live_stats.c: the counters table, the feed-state rules with a
 * given clock (docs/live.md "status"), and the /metrics and /api/health
 * renderings against text worked out by hand.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../check.h"
#include "../../webui/live_stats.h"

static void
note(struct live_stats *s, const char *process, const char *key,
    int64_t value, int64_t now_ms)
{
	struct bus_stat st;

	memset(&st, 0, sizeof(st));
	snprintf(st.process, sizeof(st.process), "%s", process);
	snprintf(st.key, sizeof(st.key), "%s", key);
	st.value = value;
	live_stats_note(s, &st, now_ms);
}

static const struct live_feed *
feed(const struct live_stats *s, int64_t now, const char *process)
{
	static struct live_feed f[LIVE_MAX_PROCESSES];
	int i, n;

	n = live_stats_feeds(s, now, f, LIVE_MAX_PROCESSES);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].process, process) == 0)
			return &f[i];
	return NULL;
}

static void
test_feed_rules(void)
{
	struct live_stats s;
	const struct live_feed *f;
	struct live_feed all[4];

	live_stats_init(&s, "demo");
	note(&s, "aggregator", "bars_closed", 10, 1000);
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 1000);
	note(&s, "ingest-stock", "last_event_age_ms", 40, 1000);
	note(&s, "ingest-crypto", "feed_status", FEED_DISCONNECTED, 1000);
	note(&s, "ingest-crypto", "last_event_age_ms", -1, 1000);
	CHECK(live_stats_feeds(&s, 1000, all, 4) == 2 &&
	    strcmp(all[0].process, "ingest-crypto") == 0 &&
	    strcmp(all[1].process, "ingest-stock") == 0,
	    "feeds: the collectors only, sorted by process");
	f = feed(&s, 1500, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_DEMO &&
	    strcmp(f->source, "demo") == 0 &&
	    strcmp(f->asset_class, "stock") == 0 &&
	    strcmp(f->feed_status, "live") == 0,
	    "demo mode, no bars yet: source demo, state demo");
	CHECK(f != NULL && f->last_event_age_ms == 540,
	    "last_event_age_ms: 40 reported + 500 since (%lld)",
	    f != NULL ? (long long)f->last_event_age_ms : -2LL);
	f = feed(&s, 1500, "ingest-crypto");
	CHECK(f != NULL && f->state == LIVE_FEED_RECONNECTING &&
	    strcmp(f->asset_class, "crypto") == 0 &&
	    strcmp(f->feed_status, "disconnected") == 0 &&
	    f->last_event_age_ms == -1,
	    "disconnected: reconnecting; no event yet: -1");
	/* A bar says which source feeds stocks. */
	live_stats_note_bar(&s, SOURCE_POLYGON, ASSET_STOCK);
	f = feed(&s, 1500, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_LIVE &&
	    strcmp(f->source, "polygon") == 0,
	    "a polygon bar makes the stock feed live");
	live_stats_note_bar(&s, SOURCE_DEMO, ASSET_STOCK);
	f = feed(&s, 1500, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_DEMO,
	    "the newest bar's source wins");
	/* Stale: more than 10 s without counters. */
	f = feed(&s, 1000 + LIVE_STALE_MS, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_DEMO, "10 s: not yet stale");
	f = feed(&s, 1001 + LIVE_STALE_MS, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_STALE, "10.001 s: stale");
	f = feed(&s, 1001 + LIVE_STALE_MS, "ingest-crypto");
	CHECK(f != NULL && f->state == LIVE_FEED_STALE,
	    "stale wins over reconnecting");
	note(&s, "ingest-stock", "ticks", 5, 11500);
	f = feed(&s, 11600, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_DEMO,
	    "any counter makes it fresh again");
	note(&s, "ingest-stock", "feed_status", FEED_STALLED, 11600);
	f = feed(&s, 11600, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_RECONNECTING &&
	    strcmp(f->feed_status, "stalled") == 0, "stalled: reconnecting");
	note(&s, "ingest-stock", "feed_status", 99, 11600);
	f = feed(&s, 11600, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_RECONNECTING &&
	    strcmp(f->feed_status, "none") == 0, "an unknown status: none");
	live_stats_free(&s);

	live_stats_init(&s, "live");
	note(&s, "ingest-x", "feed_status", FEED_LIVE, 0);
	f = feed(&s, 0, "ingest-x");
	CHECK(f != NULL && f->state == LIVE_FEED_LIVE &&
	    strcmp(f->source, "unknown") == 0 &&
	    strcmp(f->asset_class, "unknown") == 0,
	    "live mode, unknown collector: live, source unknown");
	live_stats_free(&s);
}

/* Collectors that say who they are: feed_source, feed_asset_class. */
static void
test_feed_identity(void)
{
	struct live_stats s;
	const struct live_feed *f;
	struct live_feed all[8];
	struct live_buf b;
	struct live_counters lc;
	int n;

	live_stats_init(&s, "live");
	note(&s, "ingest-coinbase", "feed_status", FEED_LIVE, 1000);
	note(&s, "ingest-coinbase", "feed_source", SOURCE_COINBASE, 1000);
	note(&s, "ingest-coinbase", "feed_asset_class", ASSET_CRYPTO, 1000);
	note(&s, "ingest-kraken", "feed_status", FEED_DISCONNECTED, 1000);
	note(&s, "ingest-kraken", "feed_source", SOURCE_KRAKEN, 1000);
	note(&s, "ingest-kraken", "feed_asset_class", ASSET_CRYPTO, 1000);
	/* Another source's bar does not rename them. */
	live_stats_note_bar(&s, SOURCE_BINANCE, ASSET_CRYPTO);
	f = feed(&s, 1500, "ingest-coinbase");
	CHECK(f != NULL && strcmp(f->source, "coinbase") == 0 &&
	    strcmp(f->asset_class, "crypto") == 0 &&
	    f->state == LIVE_FEED_LIVE,
	    "feed_source 3, feed_asset_class 2: coinbase, crypto, live");
	f = feed(&s, 1500, "ingest-kraken");
	CHECK(f != NULL && strcmp(f->source, "kraken") == 0 &&
	    strcmp(f->asset_class, "crypto") == 0 &&
	    f->state == LIVE_FEED_RECONNECTING,
	    "a second crypto collector: its own source, kraken");
	/* The old guess is the fallback: name and bars. */
	note(&s, "ingest-crypto", "feed_status", FEED_LIVE, 1000);
	f = feed(&s, 1500, "ingest-crypto");
	CHECK(f != NULL && strcmp(f->source, "binance") == 0 &&
	    strcmp(f->asset_class, "crypto") == 0,
	    "without the counters: class from the name, source from bars");
	/* Out-of-range counters fall back too. */
	note(&s, "ingest-odd", "feed_status", FEED_LIVE, 1000);
	note(&s, "ingest-odd", "feed_source", SOURCE_MAX, 1000);
	note(&s, "ingest-odd", "feed_asset_class", 0, 1000);
	f = feed(&s, 1500, "ingest-odd");
	CHECK(f != NULL && strcmp(f->source, "unknown") == 0 &&
	    strcmp(f->asset_class, "unknown") == 0,
	    "feed_source out of range, asset class 0: the old guess");
	/* A demo collector naming itself: state demo. */
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 1000);
	note(&s, "ingest-stock", "feed_source", SOURCE_DEMO, 1000);
	note(&s, "ingest-stock", "feed_asset_class", ASSET_STOCK, 1000);
	f = feed(&s, 1500, "ingest-stock");
	CHECK(f != NULL && f->state == LIVE_FEED_DEMO &&
	    strcmp(f->source, "demo") == 0, "feed_source demo: state demo");

	n = live_stats_feeds(&s, 1500, all, 8);
	CHECK(live_feeds_state_of(all, n, "coinbase", "crypto") ==
	    LIVE_FEED_LIVE && live_feeds_state_of(all, n, "kraken",
	    "crypto") == LIVE_FEED_RECONNECTING,
	    "state of a series: the collector of its source");
	CHECK(live_feeds_state_of(all, n, "kraken", "stock") ==
	    LIVE_FEED_RECONNECTING && live_feeds_state_of(all, n, "kraken",
	    NULL) == LIVE_FEED_RECONNECTING,
	    "state of a series: by source when the class differs or is null");
	CHECK(live_feeds_state_of(all, n, "polygon", "stock") == -1,
	    "state of a series whose source nobody reads: none");
	CHECK(live_feeds_state_of(all, n, "", "crypto") == LIVE_FEED_LIVE &&
	    live_feeds_state_of(all, n, NULL, NULL) == -1,
	    "a row without source: by asset class (the best)");
	/* A collector whose source is not known yet may be the one. */
	CHECK(live_feeds_state_of(all, n, "polygon", "unknown") ==
	    LIVE_FEED_LIVE, "an unknown-source feed of the class counts");

	live_buf_init(&b);
	memset(&lc, 0, sizeof(lc));
	live_stats_health(&b, &s, &lc, "live", "", 1500);
	live_buf_raw(&b, "", 1);
	CHECK(!b.oom && strstr(b.p, "{\"process\":\"ingest-kraken\",\"source\":"
	    "\"kraken\",\"asset_class\":\"crypto\",\"state\":"
	    "\"reconnecting\"") != NULL,
	    "/api/health feeds: each collector with its own source");
	live_buf_free(&b);
	live_stats_free(&s);
}

static void
test_signature(void)
{
	struct live_stats s;
	struct live_feed f[4];
	uint64_t a, b, c;
	int n;

	live_stats_init(&s, "demo");
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 0);
	note(&s, "ingest-stock", "last_event_age_ms", 10, 0);
	n = live_stats_feeds(&s, 0, f, 4);
	a = live_feeds_signature(f, n);
	note(&s, "ingest-stock", "last_event_age_ms", 900, 500);
	n = live_stats_feeds(&s, 800, f, 4);
	b = live_feeds_signature(f, n);
	note(&s, "ingest-stock", "feed_status", FEED_DISCONNECTED, 900);
	n = live_stats_feeds(&s, 900, f, 4);
	c = live_feeds_signature(f, n);
	CHECK(a == b, "signature: ages do not change it");
	CHECK(b != c, "signature: a state change does");
	live_stats_free(&s);
}

static void
test_limits(void)
{
	struct live_stats s;
	char name[16];
	int i, refused = 0;
	struct bus_stat st;

	live_stats_init(&s, "demo");
	for (i = 0; i < LIVE_MAX_PROCESSES + 1; i++) {
		snprintf(name, sizeof(name), "p%03d", i);
		memset(&st, 0, sizeof(st));
		snprintf(st.process, sizeof(st.process), "%s", name);
		snprintf(st.key, sizeof(st.key), "k");
		refused += live_stats_note(&s, &st, 0) == -1;
	}
	CHECK(s.n == LIVE_MAX_PROCESSES && refused == 1 && s.refused == 1,
	    "64 processes kept, the 65th refused");
	for (i = 0; i < LIVE_MAX_COUNTERS + 5; i++) {
		memset(&st, 0, sizeof(st));
		snprintf(st.process, sizeof(st.process), "p000");
		snprintf(st.key, sizeof(st.key), "k%04d", i);
		live_stats_note(&s, &st, 0);
	}
	CHECK(s.p[0].n == LIVE_MAX_COUNTERS, "256 counters per process");
	memset(&st, 0, sizeof(st));
	snprintf(st.process, sizeof(st.process), "p001");
	CHECK(live_stats_note(&s, &st, 0) == -1, "an empty key is refused");
	note(&s, "p001", "k", 7, 3);
	CHECK(s.p[1].n == 1 && s.p[1].c[0].value == 7 &&
	    s.p[1].c[0].at_ms == 3, "a counter keeps its newest value");
	live_stats_free(&s);
}

static void
test_gauge_rule(void)
{
	static const struct {
		const char	*key;
		int		 gauge;
	} t[] = {
		{ "ticks", 0 }, { "bars_closed", 0 }, { "bus_gaps", 0 },
		{ "feed_status", 1 }, { "symbols", 1 }, { "pending_rows", 1 },
		{ "last_event_age_ms", 1 }, { "write_latency_us", 1 },
		{ "uptime_s", 1 }, { "db_bytes", 1 }, { "rss_bytes", 1 },
		{ "stall_limit_ms", 1 }, { "feed_delay_ms", 1 },
		{ "dropped_rows", 0 }, { "symbols_dropped", 0 },
		{ "statuses", 0 }, { "reconnects", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(live_metric_is_gauge(t[i].key) == t[i].gauge,
		    "metric type of %s: %s", t[i].key,
		    t[i].gauge ? "gauge" : "counter");
}

static const char want_metrics[] =
	"# TYPE tapewatch_bad_key_x counter\n"
	"tapewatch_bad_key_x{process=\"ingest-stock\"} 3\n"
	"# TYPE tapewatch_bars_written counter\n"
	"tapewatch_bars_written{process=\"st\\\"ore\"} 5\n"
	"# TYPE tapewatch_bus_gaps counter\n"
	"tapewatch_bus_gaps{process=\"ingest-stock\"} 0\n"
	"tapewatch_bus_gaps{process=\"st\\\"ore\"} 2\n"
	"# TYPE tapewatch_db_bytes gauge\n"
	"tapewatch_db_bytes{process=\"st\\\"ore\"} 4096\n"
	"# TYPE tapewatch_feed_status gauge\n"
	"tapewatch_feed_status{process=\"ingest-stock\"} 2\n"
	"# TYPE tapewatch_last_event_age_ms gauge\n"
	"tapewatch_last_event_age_ms{process=\"ingest-stock\"} -1\n"
	"# TYPE tapewatch_ticks counter\n"
	"tapewatch_ticks{process=\"ingest-stock\"} 10\n"
	"# TYPE tapewatch_last_event_age_seconds gauge\n"
	"tapewatch_last_event_age_seconds{process=\"ingest-stock\"} 0.500\n"
	"tapewatch_last_event_age_seconds{process=\"st\\\"ore\"} 12.345\n"
	"# TYPE tapewatch_feed_up gauge\n"
	"tapewatch_feed_up{process=\"ingest-stock\",source=\"demo\","
	"asset_class=\"stock\"} 1\n"
	"# TYPE tapewatch_live_bus_decode_errors counter\n"
	"tapewatch_live_bus_decode_errors{process=\"webui\"} 9\n"
	"# TYPE tapewatch_live_bus_gaps counter\n"
	"tapewatch_live_bus_gaps{process=\"webui\"} 7\n"
	"# TYPE tapewatch_live_bus_messages counter\n"
	"tapewatch_live_bus_messages{process=\"webui\"} 6\n"
	"# TYPE tapewatch_live_bus_missed_records counter\n"
	"tapewatch_live_bus_missed_records{process=\"webui\"} 8\n"
	"# TYPE tapewatch_live_clients gauge\n"
	"tapewatch_live_clients{process=\"webui\"} 1\n"
	"# TYPE tapewatch_live_clients_dropped_slow counter\n"
	"tapewatch_live_clients_dropped_slow{process=\"webui\"} 3\n"
	"# TYPE tapewatch_live_malformed_frames counter\n"
	"tapewatch_live_malformed_frames{process=\"webui\"} 5\n"
	"# TYPE tapewatch_live_messages_coalesced counter\n"
	"tapewatch_live_messages_coalesced{process=\"webui\"} 2\n"
	"# TYPE tapewatch_live_messages_sent counter\n"
	"tapewatch_live_messages_sent{process=\"webui\"} 100\n"
	"# TYPE tapewatch_live_queue_drops counter\n"
	"tapewatch_live_queue_drops{process=\"webui\"} 10\n"
	"# TYPE tapewatch_live_sessions_ended counter\n"
	"tapewatch_live_sessions_ended{process=\"webui\"} 4\n";

static void
own(struct live_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->clients = 1;
	c->messages_coalesced = 2;
	c->dropped_slow = 3;
	c->sessions_ended = 4;
	c->malformed_frames = 5;
	c->bus_messages = 6;
	c->bus_gaps = 7;
	c->bus_missed_records = 8;
	c->bus_decode_errors = 9;
	c->queue_drops = 10;
	c->messages_sent = 100;
}

static void
test_metrics(void)
{
	struct live_counters c;
	struct live_stats s;
	struct live_buf b;

	live_stats_init(&s, "demo");
	own(&c);
	note(&s, "st\"ore", "bars_written", 5, 7655);
	note(&s, "st\"ore", "db_bytes", 4096, 7655);
	note(&s, "st\"ore", "bus_gaps", 2, 7655);
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 19500);
	note(&s, "ingest-stock", "last_event_age_ms", -1, 19500);
	note(&s, "ingest-stock", "ticks", 10, 19500);
	note(&s, "ingest-stock", "bad-key.x", 3, 19500);
	note(&s, "ingest-stock", "bus_gaps", 0, 19500);
	/* Names webui renders itself are not taken from the bus. */
	note(&s, "ingest-stock", "feed_up", 0, 19500);
	note(&s, "ingest-stock", "live_clients", 50, 19500);
	note(&s, "ingest-stock", "webui_workers", 50, 19500);
	live_buf_init(&b);
	live_stats_metrics(&b, &s, &c, 20000);
	CHECK(b.p != NULL && strcmp(b.p, want_metrics) == 0,
	    "metrics text as worked out");
	if (b.p != NULL && strcmp(b.p, want_metrics) != 0)
		printf("# got:\n%s", b.p);
	live_buf_free(&b);
	live_stats_free(&s);
}

static void
test_health(void)
{
	struct live_counters c;
	struct live_stats s;
	struct live_buf b;
	json_error_t err;
	json_t *o, *p, *f, *l;

	live_stats_init(&s, "demo");
	own(&c);
	note(&s, "aggregator", "bars_closed", 1234, 1000);
	note(&s, "aggregator", "symbols", 13, 1200);
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 1900);
	note(&s, "ingest-stock", "last_event_age_ms", 40, 1900);
	live_buf_init(&b);
	live_stats_health(&b, &s, &c, "demo", "abcd\xe2\x80\xa6wxyz", 2000);
	o = json_loadb(b.p, b.len, JSON_REJECT_DUPLICATES, &err);
	CHECK(o != NULL, "health: valid JSON (%s)", b.p);
	CHECK(strcmp(json_string_value(json_object_get(o, "mode")), "demo") ==
	    0 && strcmp(json_string_value(json_object_get(o, "api_key")),
	    "abcd\xe2\x80\xa6wxyz") == 0, "health: mode and masked key");
	p = json_object_get(json_object_get(o, "processes"), "aggregator");
	CHECK(json_integer_value(json_object_get(json_object_get(p,
	    "counters"), "bars_closed")) == 1234 &&
	    json_integer_value(json_object_get(json_object_get(p,
	    "counters"), "symbols")) == 13 &&
	    json_integer_value(json_object_get(p, "last_event_age_ms")) == 800,
	    "health: a process's counters and age");
	f = json_array_get(json_object_get(o, "feeds"), 0);
	CHECK(json_array_size(json_object_get(o, "feeds")) == 1 &&
	    strcmp(json_string_value(json_object_get(f, "state")), "demo") ==
	    0 && json_integer_value(json_object_get(f, "last_event_age_ms")) ==
	    140, "health: feeds");
	l = json_object_get(o, "live");
	CHECK(json_integer_value(json_object_get(l, "clients")) == 1 &&
	    json_integer_value(json_object_get(l, "dropped_slow")) == 3 &&
	    json_integer_value(json_object_get(l, "queue_drops")) == 10 &&
	    json_integer_value(json_object_get(l, "messages_sent")) == 100 &&
	    json_object_size(l) == 11, "health: webui's own counters");
	json_decref(o);

	live_buf_reset(&b);
	live_stats_health(&b, &s, &c, "live", NULL, 2000);
	o = json_loadb(b.p, b.len, 0, &err);
	CHECK(o != NULL && strcmp(json_string_value(json_object_get(o,
	    "api_key")), "") == 0, "health: no key is \"\"");
	json_decref(o);
	live_buf_free(&b);
	live_stats_free(&s);
}

static void
test_status(void)
{
	struct live_stats s;
	struct live_feed f[4];
	struct live_buf b;
	int n;

	live_stats_init(&s, "demo");
	note(&s, "ingest-crypto", "feed_status", FEED_DISCONNECTED, 0);
	note(&s, "ingest-crypto", "last_event_age_ms", -1, 0);
	note(&s, "ingest-stock", "feed_status", FEED_LIVE, 0);
	note(&s, "ingest-stock", "last_event_age_ms", 40, 0);
	n = live_stats_feeds(&s, 100, f, 4);
	live_buf_init(&b);
	live_encode_status(&b, f, n, "demo", 100);
	CHECK(strcmp(b.p, "{\"type\":\"status\",\"mode\":\"demo\","
	    "\"server_ms\":100,\"feeds\":[{\"process\":\"ingest-crypto\","
	    "\"source\":\"demo\",\"asset_class\":\"crypto\","
	    "\"state\":\"reconnecting\",\"feed_status\":\"disconnected\","
	    "\"last_event_age_ms\":null},{\"process\":\"ingest-stock\","
	    "\"source\":\"demo\",\"asset_class\":\"stock\",\"state\":\"demo\","
	    "\"feed_status\":\"live\",\"last_event_age_ms\":140}]}") == 0,
	    "status message (%s)", b.p);
	live_buf_reset(&b);
	live_encode_status(&b, f, 0, "live", 5);
	CHECK(strcmp(b.p, "{\"type\":\"status\",\"mode\":\"live\","
	    "\"server_ms\":5,\"feeds\":[]}") == 0, "status with no feeds");
	live_buf_free(&b);
	live_stats_free(&s);
}

int
main(void)
{
	test_feed_rules();
	test_feed_identity();
	test_signature();
	test_limits();
	test_gauge_rule();
	test_metrics();
	test_health();
	test_status();
	return check_report();
}
