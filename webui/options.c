/*
 * webui's option table (options.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "options.h"
#include "query.h"

#define PATH_BUF	4096

/* "0.0.0.0:8443", "127.0.0.1:8443", "[::]:8443", ":8443", "8443". */
static int
parse_listen(struct webui_options *o)
{
	const char *s = o->listen, *colon;
	size_t hlen;
	long port;
	char *end;

	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		hlen = (size_t)(colon - s - 1);
		s++;
		colon++;
		o->ipv6 = 1;
	} else if ((colon = strrchr(s, ':')) != NULL)
		hlen = (size_t)(colon - s);
	else {
		hlen = 0;
		colon = s - 1;
	}
	if (hlen >= sizeof(o->host) || (!o->ipv6 && memchr(s, ':', hlen)))
		return -1;
	memcpy(o->host, s, hlen);
	o->host[hlen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 1 || port > 65535)
		return -1;
	o->port = (int)port;
	if (strcmp(o->host, "0.0.0.0") == 0 || strcmp(o->host, "::") == 0 ||
	    strcmp(o->host, "*") == 0)
		o->host[0] = '\0';
	return 0;
}

static void
derive_defaults(struct webui_options *o)
{
	static char market[PATH_BUF], auth[PATH_BUF], cert[PATH_BUF],
	    key[PATH_BUF], bus[PATH_BUF];

	if (o->cfg.market_db == NULL) {
		snprintf(market, sizeof(market), "%s/market.db", o->data_dir);
		o->cfg.market_db = market;
	}
	if (o->cfg.auth_db == NULL) {
		snprintf(auth, sizeof(auth), "%s/auth.db", o->data_dir);
		o->cfg.auth_db = auth;
	}
	o->tls_generate = o->tls_cert == NULL && o->tls_key == NULL;
	if (o->tls_cert == NULL) {
		snprintf(cert, sizeof(cert), "%s/tls/cert.pem", o->data_dir);
		o->tls_cert = cert;
	}
	if (o->tls_key == NULL) {
		snprintf(key, sizeof(key), "%s/tls/key.pem", o->data_dir);
		o->tls_key = key;
	}
	if (o->bus_urls_arg == NULL) {
		snprintf(bus, sizeof(bus), "ipc://%s/aggregator.ipc,"
		    "ipc://%s/ingest-stock.ipc,ipc://%s/ingest-crypto.ipc,"
		    "ipc://%s/store.ipc", o->run_dir, o->run_dir, o->run_dir,
		    o->run_dir);
		o->bus_urls_arg = bus;
	}
	if (o->feed_mode == NULL)
		o->feed_mode = strcmp(o->stock_source, "demo") == 0 &&
		    strcmp(o->crypto_source, "demo") == 0 ? "demo" : "live";
	if (o->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o->workers = (n > 0 ? n : 1) + 2;
	}
	if (o->hash_slots == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o->hash_slots = n > 0 ? n : 1;
	}
}

/* Checks what the table cannot; 0 or EX_CONFIG_ERR (said why). */
static int
check(struct webui_options *o)
{
	if (parse_listen(o) == -1) {
		fprintf(stderr, "listen \"%s\": want host:port, [v6]:port or "
		    "port\n", o->listen);
		return EX_CONFIG_ERR;
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		fprintf(stderr, "give both TW_TLS_CERT and TW_TLS_KEY, or "
		    "neither (a certificate is then made in DATA_DIR/tls)\n");
		return EX_CONFIG_ERR;
	}
	if ((o->cfg.n_intervals = query_parse_intervals(o->intervals,
	    o->cfg.intervals, QUERY_MAX_INTERVALS)) == -1) {
		fprintf(stderr, "intervals \"%s\": want increasing seconds, "
		    "e.g. 1,60\n", o->intervals);
		return EX_CONFIG_ERR;
	}
	if (strcmp(o->feed_mode != NULL ? o->feed_mode : "demo", "demo") != 0 &&
	    strcmp(o->feed_mode, "live") != 0) {
		fprintf(stderr, "feed mode \"%s\": want demo or live\n",
		    o->feed_mode);
		return EX_CONFIG_ERR;
	}
	return 0;
}

static int
finish(struct webui_options *o)
{
	derive_defaults(o);
	if (realpath(o->web_root_arg, o->web_root) == NULL) {
		/* Served as missing files until it appears (make web). */
		log_warn("web root %s", o->web_root_arg);
		snprintf(o->web_root, sizeof(o->web_root), "%s",
		    o->web_root_arg);
	}
	o->cfg.web_root = o->web_root;
	o->cfg.mode = o->feed_mode;
	o->cfg.masked_key = o->masked_key;
	o->cfg.busy_timeout_ms = (int)o->busy_timeout_ms;
	if ((o->bus_list = strdup(o->bus_urls_arg)) == NULL)
		fatal("strdup");
	if ((o->n_bus_urls = bus_split_urls(o->bus_list, o->bus_urls,
	    BUS_MAX_URLS)) == -1) {
		fprintf(stderr, "bus urls \"%s\": want a comma list of at most "
		    "%d urls\n", o->bus_urls_arg, BUS_MAX_URLS);
		return EX_CONFIG_ERR;
	}
	return 0;
}

int
webui_options_load(struct webui_options *o, int argc, char **argv)
{
	const struct config_opt opts[] = {
	{ "listen", "TW_WEB_LISTEN", CONFIG_STR, &o->listen, "0.0.0.0:8443",
	  0, 0, "address and port to serve HTTPS on (IPv6: [::]:8443)" },
	{ "data-dir", "TW_DATA_DIR", CONFIG_STR, &o->data_dir, "var/data", 0, 0,
	  "directory of market.db, auth.db and tls/" },
	{ "run-dir", "TW_RUN_DIR", CONFIG_STR, &o->run_dir, "var/run", 0, 0,
	  "directory of the bus's ipc sockets" },
	{ "market-db", "TW_MARKET_DB", CONFIG_STR, &o->cfg.market_db, NULL, 0,
	  0, "market data, read only (default DATA_DIR/market.db)" },
	{ "auth-db", "TW_AUTH_DB", CONFIG_STR, &o->cfg.auth_db, NULL, 0, 0,
	  "users and sessions (default DATA_DIR/auth.db)" },
	{ "tls-cert", "TW_TLS_CERT", CONFIG_STR, &o->tls_cert, NULL, 0, 0,
	  "certificate chain, PEM (default: made in DATA_DIR/tls)" },
	{ "tls-key", "TW_TLS_KEY", CONFIG_STR, &o->tls_key, NULL, 0, 0,
	  "its private key, PEM" },
	{ "plain-http", "TW_WEB_PLAIN_HTTP", CONFIG_BOOL, &o->plain_http, "0",
	  0, 0, "serve plain HTTP, only behind an HTTPS reverse proxy" },
	{ "session-idle", "TW_SESSION_IDLE", CONFIG_DURATION,
	  &o->cfg.limits.session_idle_ms, "30m", 1000, 86400000.0 * 30,
	  "a session ends after this long without a request" },
	{ "session-max", "TW_SESSION_MAX", CONFIG_DURATION,
	  &o->cfg.limits.session_max_ms, "12h", 1000, 86400000.0 * 30,
	  "a session ends this long after the login, used or not" },
	{ "web-root", "TW_WEB_ROOT", CONFIG_STR, &o->web_root_arg, "build/web",
	  0, 0, "the dashboard's static files" },
	{ "bus", "TW_WEB_BUS_URLS", CONFIG_STR, &o->bus_urls_arg, NULL, 0, 0,
	  "bus endpoints for live data and counters, comma list (default the "
	  "aggregator, both collectors and the store under RUN_DIR)" },
	{ "stock-source", "TW_STOCK_SOURCE", CONFIG_STR, &o->stock_source,
	  "demo", 0, 0, "the stock feed (demo data is marked simulated)" },
	{ "crypto-source", "TW_CRYPTO_SOURCE", CONFIG_STR, &o->crypto_source,
	  "demo", 0, 0, "the crypto feed" },
	{ "feed-mode", "TW_FEED_MODE", CONFIG_STR, &o->feed_mode, NULL, 0, 0,
	  "demo or live (default: demo when both sources are demo)" },
	{ "feed-key-masked", "TW_FEED_KEY_MASKED", CONFIG_STR, &o->masked_key,
	  "", 0, 0, "the feed API key as shown in /api/health, already masked "
	  "(webui never sees the key)" },
	{ "intervals", "TW_BAR_INTERVALS", CONFIG_STR, &o->intervals, "1,60", 0,
	  0, "bar intervals in seconds, as the aggregator makes them" },
	{ "workers", "TW_WEB_WORKERS", CONFIG_INT, &o->workers, "0", 0, 256,
	  "worker threads (0: cores + 2)" },
	{ "hash-slots", "TW_WEB_HASH_SLOTS", CONFIG_INT, &o->hash_slots, "0",
	  0, 64, "password hashes run at once, 64 MiB each (0: cores)" },
	{ "live-queue-max", "TW_LIVE_QUEUE_MAX", CONFIG_INT,
	  &o->live_queue_max, "16777216", 4096, 1 << 30,
	  "bytes queued for one /live client before it is dropped" },
	{ "busy-timeout", "TW_WEB_BUSY_TIMEOUT", CONFIG_DURATION,
	  &o->busy_timeout_ms, "2s", 10, 60000,
	  "wait for another process's SQLite lock" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = config_load(opts, argc, argv, "webui [options]", NULL)) != 0)
		return rc;
	if ((rc = check(o)) != 0)
		return rc;
	return finish(o);
}

void
webui_options_free(struct webui_options *o)
{
	free(o->bus_list);
	o->bus_list = NULL;
}
