/*
 * feedsim's options (docs/feedsim.md "Options"): one table, each with a
 * TW_FEEDSIM_* variable, read by common/config.c; then the checks that
 * span options. Runs before the server exists, so errors go to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feedsim.h"

#define USAGE	"feedsim [options]   (a Polygon/Massive WebSocket feed " \
		"simulator: ws://HOST:PORT/stocks and /crypto; /coinbase, " \
		"/kraken and /binance speak those venues' feeds)"
#define DEFAULT_SYMBOLS	"AAPL,MSFT,NVDA,AMZN,TSLA,SPY,QQQ,AMD,BTC-USD," \
			"ETH-USD,SOL-USD,DOGE-USD,XRP-USD"

/* docs/feedsim.md "Options"; opts_table copies it and sets each dst. */
#define E(n)	"TW_FEEDSIM_" n
static const struct config_opt options[] = {
	{ "listen", E("LISTEN"), CONFIG_STR, NULL, "127.0.0.1:8765", 0, 0,
	    "HOST:PORT to serve (port 0: any free port, logged)" },
	{ "rate", E("RATE"), CONFIG_DOUBLE, NULL, "200", 0.001, 2e7,
	    "trades + quotes per second, per path" },
	{ "burst", E("BURST"), CONFIG_DOUBLE, NULL, "2.5", 1, MARKET_BURST_MAX,
	    "intensity in bursts / mean intensity (1: steady)" },
	{ "symbols", E("SYMBOLS"), CONFIG_STR, NULL, DEFAULT_SYMBOLS, 0, 0,
	    "comma list; with '-': crypto pair, else stock" },
	{ "seed", E("SEED"), CONFIG_INT, NULL, "1", 0, 9007199254740991.0,
	    "random seed: same seed, same stream" },
	{ "start-ms", E("START_MS"), CONFIG_INT, NULL, NULL, 0, 9e15,
	    "virtual time of the start, Unix ms (default: now)" },
	{ "replay", E("REPLAY"), CONFIG_STR, NULL, NULL, 0, 0,
	    "play the frames of a --record FILE instead" },
	{ "replay-speed", E("REPLAY_SPEED"), CONFIG_DOUBLE, NULL, "1", 0,
	    1e6, "1: recorded timing; 0: as fast as clients read" },
	{ "replay-loop", E("REPLAY_LOOP"), CONFIG_BOOL, NULL, "0", 0, 0,
	    "start the replay over when it ends" },
	{ "replay-clients", E("REPLAY_CLIENTS"), CONFIG_INT, NULL, "1", 1,
	    1000, "subscribed clients to wait for before the replay starts" },
	{ "api-key-file", E("API_KEY"), CONFIG_SECRET, NULL, NULL, 0, 0,
	    "the key clients must send (default: any non-empty)" },
	{ "log-sent", E("LOG_SENT"), CONFIG_STR, NULL, NULL, 0, 0,
	    "write every frame sent, one per line, to FILE" },
	{ "drop-every", E("DROP_EVERY"), CONFIG_DOUBLE, NULL, "0", 0, 1e6,
	    "fault: cut each connection SECS after it opened" },
	{ "malformed-every", E("MALFORMED_EVERY"), CONFIG_INT, NULL, "0", 0,
	    1e9, "fault: make every Nth data frame malformed" },
	{ "stall-every", E("STALL_EVERY"), CONFIG_DOUBLE, NULL, "0", 0, 1e6,
	    "fault: stop sending data every SECS seconds ..." },
	{ "stall-for", E("STALL_FOR"), CONFIG_DOUBLE, NULL, "0", 0, 1e6,
	    "... for SECS seconds (sockets stay open)" },
	{ "refuse-auth", E("REFUSE_AUTH"), CONFIG_BOOL, NULL, "0", 0, 0,
	    "fault: answer every auth with auth_failed" },
	{ "flood", E("FLOOD"), CONFIG_STR, NULL, NULL, 0, 0,
	    "fault: flood this symbol of --symbols ..." },
	{ "flood-rate", E("FLOOD_RATE"), CONFIG_DOUBLE, NULL, "0", 0, 2e7,
	    "... with N more trades + quotes per second" },
	{ "tls-cert", E("TLS_CERT"), CONFIG_STR, NULL, NULL, 0, 0,
	    "PEM certificate: serve wss:// (with --tls-key)" },
	{ "tls-key", E("TLS_KEY"), CONFIG_STR, NULL, NULL, 0, 0,
	    "PEM private key for --tls-cert" },
	{ "auth-timeout", E("AUTH_TIMEOUT"), CONFIG_DOUBLE, NULL, "10", 0.05,
	    3600, "close a connection not authenticated after SECS" },
	{ "max-queue-mib", E("MAX_QUEUE_MIB"), CONFIG_INT, NULL, "64", 1,
	    4096, "a client with more unsent: slow_consumer" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
};
#undef E

static const struct config_opt *
opts_table(struct feedsim_opts *o)
{
	void *dst[] = { &o->listen, &o->rate, &o->burst, &o->symbols,
	    &o->seed, &o->start_ms, &o->replay, &o->replay_speed,
	    &o->replay_loop, &o->replay_clients, &o->api_key, &o->log_sent,
	    &o->drop_every_s, &o->malformed_every, &o->stall_every_s,
	    &o->stall_for_s, &o->refuse_auth, &o->flood, &o->flood_rate,
	    &o->tls_cert, &o->tls_key, &o->auth_timeout_s,
	    &o->max_queue_mib };
	size_t i;

	/* One entry per option, plus the end marker. */
	_Static_assert(sizeof(options) <= sizeof(o->table), "opts table");
	memcpy(o->table, options, sizeof(options));
	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
		o->table[i].dst = dst[i];
	return o->table;
}

/* "HOST:PORT", "[v6]:PORT" or ":PORT". */
static int
parse_listen(struct feedsim_opts *o)
{
	const char *colon = strrchr(o->listen, ':'), *h = o->listen;
	char *end;
	size_t n;
	long port;

	if (colon == NULL)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
		return -1;
	n = (size_t)(colon - h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n >= sizeof(o->host))
		return -1;
	memcpy(o->host, h, n);
	o->host[n] = '\0';
	if (strcmp(o->host, "localhost") == 0)
		strcpy(o->host, "127.0.0.1");
	o->port = (int)port;
	return 0;
}

static int
opts_check(struct feedsim_opts *o)
{
	if (parse_listen(o) == -1) {
		fprintf(stderr, "listen: bad HOST:PORT \"%s\"\n", o->listen);
		return EX_CONFIG_ERR;
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		fprintf(stderr, "tls-cert and tls-key go together\n");
		return EX_CONFIG_ERR;
	}
	if ((o->stall_every_s > 0) != (o->stall_for_s > 0)) {
		fprintf(stderr, "stall-every and stall-for go together\n");
		return EX_CONFIG_ERR;
	}
	if ((o->flood != NULL && o->flood[0] != '\0') !=
	    (o->flood_rate > 0)) {
		fprintf(stderr, "flood and flood-rate go together\n");
		return EX_CONFIG_ERR;
	}
	if (o->flood != NULL && o->flood[0] == '\0')
		o->flood = NULL;
	if (o->flood != NULL && o->replay != NULL) {
		fprintf(stderr, "flood: the synthetic market only, not with "
		    "replay\n");
		return EX_CONFIG_ERR;
	}
	if (o->api_key != NULL && o->api_key[0] == '\0') {
		fprintf(stderr, "api-key-file: the key is empty\n");
		return EX_CONFIG_ERR;
	}
	return 0;
}

int
opts_load(struct feedsim_opts *o, int argc, char **argv)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->start_ms = -1;
	if ((rc = config_load(opts_table(o), argc, argv, USAGE, NULL)) != 0)
		return rc;
	return opts_check(o);
}

void
opts_free(struct feedsim_opts *o)
{
	config_free(opts_table(o));
}

/* Symbols as feeds send them: letters, digits, '.', '-', '/', ':'. */
static int
symbol_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MARKET_SYM_LEN)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.-/:") == n;
}

/* The flooded symbol must be one feedsim serves. */
static int
opts_check_flood(struct feedsim *fs)
{
	const char *f = fs->o.flood;
	int path, i;

	if (f == NULL)
		return 0;
	path = SYMBOL_PATH(f);
	for (i = 0; i < fs->n_names[path]; i++)
		if (strcmp(fs->names[path][i], f) == 0)
			return 0;
	fprintf(stderr, "flood: \"%s\" is not one of --symbols\n", f);
	return -1;
}

/* --symbols into the two paths' lists (SYMBOL_PATH). */
int
opts_split_symbols(struct feedsim *fs)
{
	char *tok, *save = NULL;
	int path, i;

	if ((fs->sym_copy = strdup(fs->o.symbols)) == NULL)
		return -1;
	for (tok = strtok_r(fs->sym_copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (!symbol_ok(tok)) {
			fprintf(stderr, "symbols: bad symbol \"%s\"\n", tok);
			return -1;
		}
		path = SYMBOL_PATH(tok);
		for (i = 0; i < fs->n_names[path]; i++)
			if (strcmp(fs->names[path][i], tok) == 0)
				break;
		if (i < fs->n_names[path])
			continue;	/* listed twice */
		if (fs->n_names[path] == MARKET_MAX_SYMBOLS) {
			fprintf(stderr, "symbols: more than %d per path\n",
			    MARKET_MAX_SYMBOLS);
			return -1;
		}
		fs->names[path][fs->n_names[path]++] = tok;
	}
	return opts_check_flood(fs);
}
