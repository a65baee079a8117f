/*
 * The collector loop shared by ingest-stock and ingest-crypto
 * (collector.h): ws_client callbacks that decode, hand results to pure
 * modules, and publish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "bus_nng.h"
#include "clock.h"
#include "collector.h"
#include "config.h"
#include "feed.h"
#include "log.h"
#include "polygon.h"
#include "polygon_session.h"
#include "ratelimit.h"
#include "record.h"
#include "venue.h"
#include "ws_client.h"

#define CONTROL_MAX		(64 * 1024)	/* a subscribe message */
#define STATS_MAX		64
#define SUMMARY_EVERY_S		15
#define MAX_SUBSCRIBE		1024	/* pairs of one venue connection */

struct collector {
	struct collector_config	 cfg;
	struct ws_client	*ws;
	struct polygon_parser	 parser;
	struct polygon_session	 session;
	struct venue_parser	 venue;		/* coinbase, kraken, binance */
	int			 is_venue;
	struct feed_handler	 handler;
	struct feed_counts	 counts;
	struct bus_pub		 pub;
	struct bus_batch	 ticks;
	struct bus_batch	 stats;
	struct record		 rec;
	struct ratelimit	 warn_rl;
	int64_t			 started_ns;
	int64_t			 last_data_recv_ns;
	int64_t			 last_event_ts_ns;
	int			 frame_had_data;
	int			 flush_armed;	/* the flush timer is set */
	int			 feed_status;	/* enum feed_status */
	uint64_t		 auth_failures;
	uint64_t		 kicked;
	unsigned		 seconds;
	uint64_t		 ticks_at_summary;
};

/* ---- configuration ---- */

struct collector_env {
	char	 source[32], symbols[32], url[32], bus[32], record[32], name[32];
};

static const char *
default_symbols(int ac)
{
	return ac == ASSET_CRYPTO ? "BTC-USD,ETH-USD,SOL-USD,DOGE-USD,XRP-USD" :
	    "AAPL,MSFT,NVDA,AMZN,TSLA,SPY,QQQ,AMD";
}

/* A keyless venue's public endpoint (feeds.md §4). Binance.com refuses
 * US addresses: Binance.US is wss://stream.binance.us:9443/ws (--url). */
static const char *
venue_url(int source)
{
	switch (source) {
	case SOURCE_COINBASE:
		return "wss://ws-feed.exchange.coinbase.com";
	case SOURCE_KRAKEN:
		return "wss://ws.kraken.com/v2";
	case SOURCE_BINANCE:
		return "wss://stream.binance.com:9443/ws";
	default:
		return NULL;
	}
}

static int
is_venue(int source)
{
	return venue_url(source) != NULL;
}

/* A name that fits the counters' process field and a socket's path. */
static int
valid_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

	return n > 0 && s[n] == '\0' && n < BUS_STAT_PROCESS_LEN;
}

/* The feed URL a source implies when --url is not given. */
static int
default_url(struct collector_config *cfg, const char *feedsim,
    const char *polygon_host, char *buf, size_t len)
{
	const char *path = cfg->asset_class == ASSET_CRYPTO ? "crypto" :
	    "stocks";

	if (cfg->source == SOURCE_DEMO)
		snprintf(buf, len, "ws://%s/%s", feedsim, path);
	else if (cfg->source == SOURCE_POLYGON)
		snprintf(buf, len, "wss://%s/%s", polygon_host, path);
	else if (is_venue(cfg->source))
		snprintf(buf, len, "%s", venue_url(cfg->source));
	else
		return -1;
	return 0;
}

/*
 * A keyless venue needs no key (none is handed to it, so none can leak to
 * it) and a list of pairs: the venues have no "every symbol" topic.
 */
static int
check_venue(struct collector_config *cfg)
{
	char one[TICK_SYMBOL_LEN], mapped[64];
	const char *p, *e;
	size_t n;

	if (cfg->api_key != NULL) {
		explicit_bzero(cfg->api_key, strlen(cfg->api_key));
		free(cfg->api_key);
		cfg->api_key = NULL;
	}
	if (strcmp(cfg->symbols, "*") == 0) {
		fprintf(stderr, "source %s: list the pairs to subscribe "
		    "(e.g. BTC-USD,ETH-USD); it has no \"*\"\n",
		    cfg->source_name);
		return EX_CONFIG_ERR;
	}
	for (p = cfg->symbols; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		if (n == 0 || n >= sizeof(one))
			goto bad;
		memcpy(one, p, n);
		one[n] = '\0';
		if (venue_symbol_to(cfg->source, one, mapped,
		    sizeof(mapped)) < 0)
			goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "source %s: \"%.*s\" is not a pair it can "
	    "subscribe (BASE-QUOTE, e.g. BTC-USD%s)\n", cfg->source_name,
	    (int)(e - p), p, cfg->source == SOURCE_BINANCE ?
	    "; Binance quotes in USDT: BTC-USDT" : "");
	return EX_CONFIG_ERR;
}

static int
check_source(struct collector_config *cfg)
{
	cfg->source = source_from_name(cfg->source_name);
	if (cfg->asset_class == ASSET_CRYPTO && is_venue(cfg->source))
		return check_venue(cfg);
	if (cfg->source != SOURCE_DEMO && cfg->source != SOURCE_POLYGON) {
		fprintf(stderr, "source \"%s\": this collector speaks %s\n",
		    cfg->source_name, cfg->asset_class == ASSET_CRYPTO ?
		    "demo, polygon, coinbase, kraken or binance" :
		    "demo or polygon");
		return EX_CONFIG_ERR;
	}
	if (cfg->source == SOURCE_POLYGON && cfg->api_key == NULL) {
		fprintf(stderr, "source polygon needs POLYGON_API_KEY or "
		    "POLYGON_API_KEY_FILE\n");
		return EX_CONFIG_ERR;
	}
	if (cfg->source == SOURCE_DEMO && cfg->api_key == NULL &&
	    (cfg->api_key = strdup("demo")) == NULL)
		return EX_FATAL;
	return 0;
}

int
collector_config_load(struct collector_config *cfg, int asset_class,
    const char *process, int argc, char **argv)
{
	static char url_buf[1024], bus_buf[1024];
	const char *prefix = asset_class == ASSET_CRYPTO ? "CRYPTO" : "STOCK";
	const char *run_dir = NULL, *feedsim = NULL, *polygon_host = NULL;
	struct collector_env e;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->name = process;
	cfg->asset_class = asset_class;
	snprintf(e.source, sizeof(e.source), "TW_%s_SOURCE", prefix);
	snprintf(e.symbols, sizeof(e.symbols), "TW_%s_SYMBOLS", prefix);
	snprintf(e.url, sizeof(e.url), "TW_%s_URL", prefix);
	snprintf(e.bus, sizeof(e.bus), "TW_%s_BUS", prefix);
	snprintf(e.record, sizeof(e.record), "TW_%s_RECORD", prefix);
	snprintf(e.name, sizeof(e.name), "TW_%s_NAME", prefix);
	{
		const struct config_opt opts[] = {
		{ "name", e.name, CONFIG_STR, &cfg->name, process, 0, 0,
		  "this collector's name in counters, logs and its default "
		  "bus endpoint (one per source when several run)" },
		{ "source", e.source, CONFIG_STR, &cfg->source_name, "demo",
		  0, 0, asset_class == ASSET_CRYPTO ? "demo (feedsim), polygon "
		  "(Polygon/Massive), or a keyless venue: coinbase, kraken, "
		  "binance" : "demo (feedsim) or polygon (Polygon/Massive)" },
		{ "symbols", e.symbols, CONFIG_STR, &cfg->symbols,
		  default_symbols(asset_class), 0, 0,
		  "comma list of symbols to subscribe, or *" },
		{ "url", e.url, CONFIG_STR, &cfg->url, NULL, 0, 0,
		  "feed endpoint (default: from the source)" },
		{ "api-key-file", "POLYGON_API_KEY", CONFIG_SECRET,
		  &cfg->api_key, NULL, 0, 0, "file holding the feed API key" },
		{ "bus", e.bus, CONFIG_STR, &cfg->bus_url, NULL, 0, 0,
		  "nng URL to publish ticks on "
		  "(default ipc://RUN_DIR/NAME.ipc)" },
		{ "run-dir", "TW_RUN_DIR", CONFIG_STR, &run_dir, "var/run",
		  0, 0, "directory of the ipc sockets" },
		{ "record", e.record, CONFIG_STR, &cfg->record_path, NULL,
		  0, 0, "append raw frames with receive times to FILE" },
		{ "ca-file", "TW_CA_FILE", CONFIG_STR, &cfg->ca_file, NULL,
		  0, 0, "extra CA certificate to trust for wss://" },
		{ "stall-min", "TW_STALL_MIN", CONFIG_DURATION,
		  &cfg->stall_min_ms, "15s", 100, 86400000,
		  "shortest silence taken as a stalled feed" },
		{ "stall-max", "TW_STALL_MAX", CONFIG_DURATION,
		  &cfg->stall_max_ms, "5m", 100, 86400000,
		  "longest silence before a reconnect, however quiet" },
		{ "stall-factor", "TW_STALL_FACTOR", CONFIG_DOUBLE,
		  &cfg->stall_factor, "20", 1, 1e6,
		  "stall limit = factor x the feed's mean gap" },
		{ "flush", "TW_BUS_FLUSH", CONFIG_DURATION, &cfg->flush_us,
		  "1ms", 0, 1000, "longest a tick waits for a batch" },
		{ "feedsim", "TW_FEEDSIM_LISTEN", CONFIG_STR, &feedsim,
		  "127.0.0.1:8765", 0, 0, "feedsim address (source demo)" },
		{ "polygon-host", "TW_POLYGON_HOST", CONFIG_STR, &polygon_host,
		  "socket.massive.com", 0, 0,
		  "Polygon/Massive host (delayed.massive.com: 15 min delayed)" },
		{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
		};

		if ((rc = config_load(opts, argc, argv,
		    "ingest-stock|ingest-crypto [options]", NULL)) != 0)
			return rc;
	}
	cfg->flush_us *= 1000;	/* the option is read in ms */
	/*
	 * Empty means the default: supervisor.conf's venue programs pass
	 * --url= and --record= so that ingest-crypto's TW_CRYPTO_* settings
	 * do not leak into them.
	 */
	if (cfg->url != NULL && cfg->url[0] == '\0')
		cfg->url = NULL;
	if (cfg->bus_url != NULL && cfg->bus_url[0] == '\0')
		cfg->bus_url = NULL;
	if (cfg->record_path != NULL && cfg->record_path[0] == '\0')
		cfg->record_path = NULL;
	if (cfg->symbols[0] == '\0')
		cfg->symbols = default_symbols(asset_class);
	if (!valid_name(cfg->name)) {
		fprintf(stderr, "name \"%s\": 1 to %d letters, digits, '-' "
		    "or '_'\n", cfg->name, BUS_STAT_PROCESS_LEN - 1);
		return EX_CONFIG_ERR;
	}
	/* Binance has no USD pairs; its canonical names keep USDT. */
	if (strcmp(cfg->source_name, "binance") == 0 &&
	    strcmp(cfg->symbols, default_symbols(asset_class)) == 0)
		cfg->symbols = "BTC-USDT,ETH-USDT,SOL-USDT,DOGE-USDT,XRP-USDT";
	if ((rc = check_source(cfg)) != 0)
		return rc;
	if (cfg->url == NULL) {
		if (default_url(cfg, feedsim, polygon_host, url_buf,
		    sizeof(url_buf)) == -1)
			return EX_CONFIG_ERR;
		cfg->url = url_buf;
	}
	if (cfg->bus_url == NULL) {
		bus_default_url(bus_buf, sizeof(bus_buf), run_dir, cfg->name);
		cfg->bus_url = bus_buf;
	}
	return 0;
}

void
collector_config_free(struct collector_config *cfg)
{
	if (cfg->api_key != NULL) {
		explicit_bzero(cfg->api_key, strlen(cfg->api_key));
		free(cfg->api_key);
		cfg->api_key = NULL;
	}
}

/* ---- publishing ---- */

static void
flush_ticks(struct collector *col)
{
	bus_pub_flush(&col->pub, &col->ticks);
}

static void
publish_status(struct collector *col, enum feed_status st)
{
	struct tick t;

	if (col->feed_status == (int)st)
		return;
	col->feed_status = st;
	memset(&t, 0, sizeof(t));
	t.kind = TICK_STATUS;
	t.status = (uint8_t)st;
	t.asset_class = (uint8_t)col->cfg.asset_class;
	t.source = (uint8_t)col->cfg.source;
	t.ts_ns = t.recv_ns = clock_now_ns();
	/* Status goes out at once, in order with the ticks before it. */
	bus_batch_add_tick(&col->ticks, &t, t.recv_ns);
	flush_ticks(col);
}

static void
stat_add(struct collector *col, const char *key, int64_t v, int64_t now)
{
	struct bus_stat s;

	memset(&s, 0, sizeof(s));
	snprintf(s.process, sizeof(s.process), "%s", col->cfg.name);
	snprintf(s.key, sizeof(s.key), "%s", key);
	s.value = v;
	bus_batch_add_stat(&col->stats, &s, now);
}

static uint64_t
malformed_total(const struct feed_counts *c)
{
	uint64_t n = 0;
	int i;

	for (i = FEED_OK + 1; i < FEED_PARSE_MAX; i++)
		n += c->skipped[i];
	return n;
}

static void
publish_stats(struct collector *col, int64_t now)
{
	const struct ws_client_stats *ws = ws_client_stats(col->ws);
	const struct feed_counts *c = &col->counts;
	char key[BUS_STAT_KEY_LEN];
	int i;

	stat_add(col, "frames", (int64_t)c->frames, now);
	stat_add(col, "events", (int64_t)c->events, now);
	stat_add(col, "trades", (int64_t)c->ticks[TICK_TRADE], now);
	stat_add(col, "quotes", (int64_t)c->ticks[TICK_QUOTE], now);
	stat_add(col, "feed_bars", (int64_t)c->ticks[TICK_FEED_BAR], now);
	stat_add(col, "status_messages", (int64_t)c->status_messages, now);
	stat_add(col, "ticks", (int64_t)(c->ticks[TICK_TRADE] +
	    c->ticks[TICK_QUOTE] + c->ticks[TICK_FEED_BAR]), now);
	stat_add(col, "malformed", (int64_t)malformed_total(c), now);
	for (i = FEED_OK + 1; i < FEED_PARSE_MAX; i++) {
		snprintf(key, sizeof(key), "skipped_%s",
		    feed_parse_str((enum feed_parse)i));
		stat_add(col, key, (int64_t)c->skipped[i], now);
	}
	stat_add(col, "connects", (int64_t)ws->connects, now);
	stat_add(col, "reconnects", (int64_t)ws->reconnects, now);
	stat_add(col, "connect_failures", (int64_t)ws->connect_failures, now);
	stat_add(col, "stalls", (int64_t)ws->stalls, now);
	stat_add(col, "stall_limit_ms", ws->stall_limit_ns / NS_PER_MS, now);
	stat_add(col, "oversize_frames", (int64_t)ws->oversize, now);
	stat_add(col, "auth_failures", (int64_t)col->auth_failures, now);
	stat_add(col, "kicked", (int64_t)col->kicked, now);
	stat_add(col, "feed_status", col->feed_status, now);
	/* Who this feed is, whatever --name says (tick.h's enum values). */
	stat_add(col, "feed_source", col->cfg.source, now);
	stat_add(col, "feed_asset_class", col->cfg.asset_class, now);
	stat_add(col, "last_event_age_ms", col->last_data_recv_ns == 0 ? -1 :
	    (now - col->last_data_recv_ns) / NS_PER_MS, now);
	stat_add(col, "feed_delay_ms", col->last_event_ts_ns == 0 ? -1 :
	    (col->last_data_recv_ns - col->last_event_ts_ns) / NS_PER_MS, now);
	stat_add(col, "bus_messages", (int64_t)col->pub.messages, now);
	stat_add(col, "bus_send_failures", (int64_t)col->pub.send_failures,
	    now);
	stat_add(col, "recorded_frames", (int64_t)col->rec.frames, now);
	stat_add(col, "record_errors", (int64_t)col->rec.errors, now);
	stat_add(col, "uptime_s", (now - col->started_ns) / NS_PER_S, now);
	bus_pub_flush(&col->pub, &col->stats);
}

static void
log_summary(struct collector *col, unsigned period_s)
{
	const struct ws_client_stats *ws = ws_client_stats(col->ws);
	const struct feed_counts *c = &col->counts;
	uint64_t ticks = c->ticks[TICK_TRADE] + c->ticks[TICK_QUOTE] +
	    c->ticks[TICK_FEED_BAR];

	log_info("stats ticks_per_s=%llu frames=%llu trades=%llu quotes=%llu "
	    "feed_bars=%llu "
	    "malformed=%llu reconnects=%llu stalls=%llu auth_failures=%llu "
	    "status=%s",
	    (unsigned long long)((ticks - col->ticks_at_summary) /
	    (period_s > 0 ? period_s : 1)),
	    (unsigned long long)c->frames,
	    (unsigned long long)c->ticks[TICK_TRADE],
	    (unsigned long long)c->ticks[TICK_QUOTE],
	    (unsigned long long)c->ticks[TICK_FEED_BAR],
	    (unsigned long long)malformed_total(c),
	    (unsigned long long)ws->reconnects,
	    (unsigned long long)ws->stalls,
	    (unsigned long long)col->auth_failures,
	    feed_status_name(col->feed_status));
	col->ticks_at_summary = ticks;
}

/* ---- feed events ---- */

static void
on_tick(void *arg, const struct tick *t)
{
	struct collector *col = arg;

	col->frame_had_data = 1;
	col->last_event_ts_ns = t->ts_ns;
	if (col->is_venue && col->feed_status != FEED_LIVE)
		publish_status(col, FEED_LIVE);	/* data proves the subscription */
	if (bus_batch_add_tick(&col->ticks, t, t->recv_ns) ==
	    col->ticks.max_records)
		flush_ticks(col);
}

/* Status text is raw JSON string content from the peer: keep it tame. */
static void
sanitize(char *dst, size_t dlen, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < dlen; i++)
		dst[n++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
		    s[i] != '\\') ? s[i] : '?';
	dst[n] = '\0';
}

static void
send_control(struct collector *col, enum polygon_action a)
{
	char *buf;
	size_t n;

	if ((buf = malloc(CONTROL_MAX)) == NULL)
		fatal("malloc");
	if (a == PA_SEND_AUTH)
		n = polygon_auth_message(buf, CONTROL_MAX, col->cfg.api_key);
	else
		n = polygon_subscribe_message(buf, CONTROL_MAX,
		    col->cfg.asset_class, col->cfg.symbols);
	if (n == 0)
		log_warnx("cannot build the %s message",
		    a == PA_SEND_AUTH ? "auth" : "subscribe");
	else
		ws_client_send(col->ws, buf, n);
	explicit_bzero(buf, n);
	free(buf);
}

/*
 * A venue's subscribe message(s): one text frame per line (Kraken takes
 * one channel per message).
 */
static void
venue_subscribe(struct collector *col)
{
	const char *sym[MAX_SUBSCRIBE];
	char *list, *p, *buf, *line, *next;
	size_t n = 0, ll;
	int len;

	if ((list = strdup(col->cfg.symbols)) == NULL ||
	    (buf = malloc(CONTROL_MAX)) == NULL)
		fatal("malloc");
	for (p = strtok(list, ","); p != NULL && n < MAX_SUBSCRIBE;
	    p = strtok(NULL, ","))
		sym[n++] = p;
	if ((len = venue_subscribe_msg(col->cfg.source, sym, n, buf,
	    CONTROL_MAX)) < 0)
		log_warnx("cannot build the subscribe message symbols=%s",
		    col->cfg.symbols);
	for (line = buf; len > 0 && *line != '\0'; line = next) {
		ll = strcspn(line, "\n");
		next = line + ll + (line[ll] == '\n');
		if (ll > 0)
			ws_client_send(col->ws, line, ll);
	}
	log_info("subscribing source=%s symbols=%s", col->cfg.source_name,
	    col->cfg.symbols);
	free(buf);
	free(list);
}

static void
on_venue_status(struct collector *col, enum feed_server_status st,
    const char *text)
{
	switch (st) {
	case FSS_SUCCESS:
		log_info("subscribed message=\"%s\"", text);
		publish_status(col, FEED_LIVE);
		break;
	case FSS_ERROR:
		log_warnx("venue error message=\"%s\"", text);
		break;
	case FSS_FORCE_DISCONNECT:
		col->kicked++;
		log_warnx("venue is closing the connection message=\"%s\"; "
		    "reconnecting", text);
		publish_status(col, FEED_KICKED);
		ws_client_restart(col->ws, "venue shutdown");
		break;
	default:
		log_debug("venue status message=\"%s\"", text);
		break;
	}
}

static void
on_status(void *arg, enum feed_server_status st, const char *msg, size_t len)
{
	struct collector *col = arg;
	char text[128], masked[MASK_KEY_MAX];

	sanitize(text, sizeof(text), msg, len);
	if (col->is_venue) {
		on_venue_status(col, st, text);
		return;
	}
	switch (polygon_session_status(&col->session, st)) {
	case PA_SEND_AUTH:
		log_info("authenticating key=%s",
		    mask_key(col->cfg.api_key, masked));
		send_control(col, PA_SEND_AUTH);
		break;
	case PA_SEND_SUBSCRIBE:
		log_info("authenticated; subscribing symbols=%s",
		    col->cfg.symbols);
		send_control(col, PA_SEND_SUBSCRIBE);
		publish_status(col, FEED_LIVE);
		break;
	case PA_AUTH_FAILED:
		col->auth_failures++;
		log_error("authentication failed status=%s message=\"%s\" "
		    "key=%s: check POLYGON_API_KEY; retrying with backoff",
		    feed_server_status_str(st), text,
		    mask_key(col->cfg.api_key, masked));
		publish_status(col, FEED_AUTH_FAILED);
		ws_client_restart(col->ws, "auth failed");
		break;
	case PA_KICKED:
		col->kicked++;
		log_warnx("server is dropping us status=%s message=\"%s\"",
		    feed_server_status_str(st), text);
		publish_status(col, FEED_KICKED);
		break;
	case PA_WARN:
		log_warnx("server status=%s message=\"%s\"",
		    feed_server_status_str(st), text);
		break;
	case PA_NONE:
		log_debug("server status=%s message=\"%s\"",
		    feed_server_status_str(st), text);
		break;
	}
}

static void
log_skips(struct collector *col, const uint64_t *before, int64_t now)
{
	uint64_t suppressed;
	int i;

	for (i = FEED_OK + 1; i < FEED_PARSE_MAX; i++) {
		if (col->counts.skipped[i] == before[i])
			continue;
		if (!ratelimit_ok(&col->warn_rl, now, &suppressed))
			continue;
		log_warnx("skipped %llu event(s) reason=%s total=%llu "
		    "(suppressed %llu similar lines)",
		    (unsigned long long)(col->counts.skipped[i] - before[i]),
		    feed_parse_str((enum feed_parse)i),
		    (unsigned long long)col->counts.skipped[i],
		    (unsigned long long)suppressed);
	}
}

static void
on_frame(struct ws_client *ws, const char *data, size_t len, int64_t recv_ns,
    void *arg)
{
	struct collector *col = arg;
	uint64_t before[FEED_PARSE_MAX];
	int64_t age_us;

	record_frame(&col->rec, recv_ns, data, len);
	memcpy(before, col->counts.skipped, sizeof(before));
	col->frame_had_data = 0;
	if (col->is_venue)
		venue_parse_frame(&col->venue, data, len, recv_ns,
		    &col->handler, &col->counts);
	else
		polygon_parse_frame(&col->parser, data, len, recv_ns,
		    &col->handler, &col->counts);
	log_skips(col, before, recv_ns);
	if (col->frame_had_data) {
		col->last_data_recv_ns = recv_ns;
		ws_client_data(ws, recv_ns);
	}
	if (col->ticks.n_records == 0)
		return;
	age_us = (recv_ns - col->ticks.first_add_ns) / 1000;
	if (age_us >= col->cfg.flush_us)
		flush_ticks(col);
	else if (!col->flush_armed) {
		col->flush_armed = 1;
		ws_client_timer(ws, col->cfg.flush_us - age_us);
	}
}

static void
on_open(struct ws_client *ws, void *arg)
{
	struct collector *col = arg;

	(void)ws;
	publish_status(col, FEED_CONNECTED);
	if (col->is_venue)
		venue_subscribe(col);	/* no auth; Coinbase wants it in 5 s */
	else
		polygon_session_start(&col->session);
}

static void
on_close(struct ws_client *ws, const char *reason, void *arg)
{
	struct collector *col = arg;

	(void)ws;
	flush_ticks(col);
	if (strcmp(reason, "stalled") == 0)
		publish_status(col, FEED_STALLED);
	else if (col->feed_status != FEED_AUTH_FAILED &&
	    col->feed_status != FEED_KICKED)
		publish_status(col, FEED_DISCONNECTED);
}

static void
on_timer(struct ws_client *ws, int64_t now_ns, void *arg)
{
	struct collector *col = arg;

	(void)ws;
	(void)now_ns;
	col->flush_armed = 0;
	flush_ticks(col);
}

static void
on_second(struct ws_client *ws, int64_t now_ns, void *arg)
{
	struct collector *col = arg;

	(void)ws;
	publish_stats(col, now_ns);
	record_flush(&col->rec);
	if (++col->seconds % SUMMARY_EVERY_S == 0)
		log_summary(col, SUMMARY_EVERY_S);
}

static const struct ws_client_events collector_events = {
	on_open, on_frame, on_close, on_timer, on_second
};

/* ---- lifecycle ---- */

struct collector *
collector_open(const struct collector_config *cfg)
{
	struct ws_client_config wc;
	struct collector *col;
	char masked[MASK_KEY_MAX];
	int rv;

	if ((col = calloc(1, sizeof(*col))) == NULL)
		fatal("calloc");
	col->cfg = *cfg;
	col->started_ns = clock_now_ns();
	ratelimit_init(&col->warn_rl, 1, 10);
	memset(&wc, 0, sizeof(wc));
	wc.url = cfg->url;
	wc.ca_file = cfg->ca_file;
	wc.stall_min_ms = cfg->stall_min_ms;
	wc.stall_max_ms = cfg->stall_max_ms;
	wc.stall_factor = cfg->stall_factor;
	wc.max_message = POLYGON_MAX_FRAME;
	wc.ev = &collector_events;
	wc.arg = col;
	/* First: it blocks the signals before nng starts its threads. */
	col->ws = ws_client_open(&wc);

	col->is_venue = is_venue(cfg->source);
	if (polygon_parser_init(&col->parser, cfg->asset_class,
	    cfg->source) == -1 || (col->is_venue &&
	    venue_parser_init(&col->venue, cfg->source) == -1))
		fatal("parser");
	col->handler.on_tick = on_tick;
	col->handler.on_status = on_status;
	col->handler.arg = col;
	if ((rv = bus_pub_open(&col->pub, cfg->bus_url)) != 0)
		fatalx("cannot publish on %s: %s", cfg->bus_url,
		    nng_strerror(rv));
	if (bus_batch_init(&col->ticks, BUS_TICKS, col->pub.publisher_id,
	    BUS_BATCH_TICKS) == -1 ||
	    bus_batch_init(&col->stats, BUS_STATS, col->pub.publisher_id,
	    STATS_MAX) == -1)
		fatal("bus batch");
	if (cfg->record_path != NULL &&
	    record_open(&col->rec, cfg->record_path) == -1)
		fatal("cannot open %s for recording", cfg->record_path);
	log_info("ready source=%s url=%s symbols=%s bus=%s key=%s%s%s",
	    source_name(cfg->source), cfg->url, cfg->symbols, cfg->bus_url,
	    mask_key(cfg->api_key, masked),
	    cfg->record_path != NULL ? " record=" : "",
	    cfg->record_path != NULL ? cfg->record_path : "");
	return col;
}

void
collector_run(struct collector *col)
{
	ws_client_run(col->ws);
}

void
collector_close(struct collector *col)
{
	flush_ticks(col);
	publish_stats(col, clock_now_ns());
	log_summary(col, col->seconds % SUMMARY_EVERY_S);
	ws_client_close(col->ws);
	record_close(&col->rec);
	bus_batch_free(&col->ticks);
	bus_batch_free(&col->stats);
	bus_pub_close(&col->pub);
	polygon_parser_free(&col->parser);
	if (col->is_venue)
		venue_parser_free(&col->venue);
	free(col);
}
