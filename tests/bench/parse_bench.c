/*
 * Frames per second through the collectors' parser, against the naive way:
 * (a) jansson's DOM (json_loadb per frame, then field access into a tick),
 * (b) polygon_parse_frame. One thread, so one core; each method parses
 * every frame over and over for about --seconds, then prints one line:
 *
 *   parse_bench method=polygon ticks_per_s=... mb_per_s=... frames=...
 *       ticks=... seconds=... pass_ticks=...
 *
 * pass_ticks, the ticks of one pass over the input, is the same for both
 * methods when they agree on what is a tick (the naive one checks less).
 *
 * Input: a --record file (one {"recv_ns":N,"frame":"..."} per line,
 * docs/collectors.md; "frame_b64" lines are skipped), parsed as the asset
 * class that yields more ticks unless --stock or --crypto says; or
 * --synth N frames made here: XT/XQ (or T/Q with --stock), a quarter of
 * them trades, 1 to --max-events events per frame, values shaped like
 * feeds.md §2's.
 *
 *   parse_bench [--stock] [--seconds S] [--max-events M] --synth N
 *   parse_bench [--stock] [--seconds S] FILE
 *
 * --only jansson|polygon runs one method (for perf record).
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "feed.h"
#include "fixed.h"
#include "polygon.h"
#include "tick.h"

#define SYNTH_SEED	0x9e3779b97f4a7c15ULL
#define EVENT_MAX	512	/* bytes of one synthetic event's text */

struct frames {
	char		*buf;		/* all frames, back to back */
	size_t		 len, cap;
	size_t		*off;		/* frame i is buf[off[i], off[i+1]) */
	size_t		 n, n_cap;
};

struct opts {
	int		 asset;		/* enum asset_class */
	double		 seconds;
	long		 synth;
	int		 max_events;
	const char	*only;		/* one method, for profiling */
	const char	*file;
};

struct sink {
	uint64_t	 ticks;
};

/* ---- frame storage ---- */

static void
frames_add(struct frames *fr, const char *s, size_t len)
{
	if (fr->n + 2 > fr->n_cap) {
		fr->n_cap = fr->n_cap ? fr->n_cap * 2 : 1024;
		if ((fr->off = realloc(fr->off, fr->n_cap *
		    sizeof(*fr->off))) == NULL)
			err(1, "realloc");
	}
	while (fr->len + len > fr->cap) {
		fr->cap = fr->cap ? fr->cap * 2 : 1 << 20;
		if ((fr->buf = realloc(fr->buf, fr->cap)) == NULL)
			err(1, "realloc");
	}
	if (fr->n == 0)
		fr->off[0] = 0;
	memcpy(fr->buf + fr->len, s, len);
	fr->len += len;
	fr->off[++fr->n] = fr->len;
}

static void
frames_load(struct frames *fr, const char *path)
{
	json_error_t jerr;
	json_t *rec, *fv;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long skipped = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while ((n = getline(&line, &cap, fp)) != -1) {
		if ((rec = json_loadb(line, (size_t)n, 0, &jerr)) == NULL)
			errx(1, "%s:%d: %s", path, jerr.line, jerr.text);
		fv = json_object_get(rec, "frame");
		if (json_is_string(fv))
			frames_add(fr, json_string_value(fv),
			    json_string_length(fv));
		else
			skipped++;
		json_decref(rec);
	}
	free(line);
	fclose(fp);
	if (skipped > 0)
		fprintf(stderr, "parse_bench: %ld lines without \"frame\" "
		    "skipped\n", skipped);
}

/* ---- synthetic frames ---- */

static uint64_t rng_state = SYNTH_SEED;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static double
rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

struct instrument {
	const char	*symbol;
	double		 price;
	double		 tick;		/* price increment */
	double		 size;		/* typical size */
};

static struct instrument crypto_syms[] = {
	{ "BTC-USD", 43575.6, 0.01, 0.05 },
	{ "ETH-USD", 2291.37, 0.01, 0.8 },
	{ "SOL-USD", 98.412, 0.001, 12 },
	{ "DOGE-USD", 0.07912, 0.00001, 25000 },
	{ "XRP-USD", 0.50731, 0.00001, 4000 },
};

static struct instrument stock_syms[] = {
	{ "AAPL", 161.87, 0.01, 100 },
	{ "MSFT", 114.125, 0.005, 100 },
	{ "NVDA", 495.22, 0.01, 100 },
	{ "SPY", 478.33, 0.01, 200 },
	{ "GTE", 0.4488, 0.0001, 1000 },
};

/* A price near the instrument's, on its tick, as exact decimal text. */
static void
price_text(char *buf, struct instrument *in, double offset)
{
	int64_t v;

	in->price *= 1 + (rng_unit() - 0.5) * 0.0002;
	if (fixed_from_double((double)(int64_t)((in->price + offset) /
	    in->tick) * in->tick, &v) == -1)
		v = PRICE_SCALE;
	/* Snap to 1e-5: fixed_from_double of 0.1-like values is inexact. */
	v = (v + 5000) / 10000 * 10000;
	fixed_format(buf, v);
}

static int
crypto_event(char *buf, int64_t t_ms, int is_trade)
{
	struct instrument *in = &crypto_syms[rng() % 5];
	char p[FIXED_TEXT_MAX], a[FIXED_TEXT_MAX];
	static const int venues[] = { 1, 2, 6, 23 };
	int x = venues[rng() % 4];

	price_text(p, in, 0);
	if (!is_trade) {
		price_text(a, in, in->tick * (double)(1 + rng() % 5));
		return snprintf(buf, EVENT_MAX, "{\"ev\":\"XQ\","
		    "\"pair\":\"%s\",\"bp\":%s,\"bs\":%.6g,\"ap\":%s,"
		    "\"as\":%.6g,\"t\":%lld,\"x\":%d,\"r\":%lld}",
		    in->symbol, p,
		    in->size * rng_unit() * 4, a, in->size * rng_unit() * 4,
		    (long long)t_ms, x, (long long)t_ms + 13);
	}
	if (rng() % 2 == 0)
		return snprintf(buf, EVENT_MAX, "{\"ev\":\"XT\","
		    "\"pair\":\"%s\",\"p\":%s,\"t\":%lld,\"s\":%.7g,"
		    "\"c\":[%d],\"i\":\"%08llx-"
		    "%04llx-4465-8215-%012llx\",\"x\":%d,\"r\":%lld}",
		    in->symbol, p, (long long)t_ms, in->size * rng_unit() * 2,
		    1 + (int)(rng() % 2), (unsigned long long)(rng() >> 32),
		    (unsigned long long)(rng() >> 48),
		    (unsigned long long)(rng() >> 16), x,
		    (long long)t_ms + 45);
	return snprintf(buf, EVENT_MAX, "{\"ev\":\"XT\",\"pair\":\"%s\","
	    "\"p\":%s,\"t\":%lld,\"s\":%.7g,\"c\":[%d],\"i\":%llu,\"x\":%d,"
	    "\"r\":%lld}", in->symbol, p, (long long)t_ms,
	    in->size * rng_unit() * 2, 1 + (int)(rng() % 2),
	    (unsigned long long)(rng() >> 40), x, (long long)t_ms + 45);
}

static int
stock_event(char *buf, int64_t t_ms, int is_trade, long seq)
{
	struct instrument *in = &stock_syms[rng() % 5];
	char p[FIXED_TEXT_MAX], a[FIXED_TEXT_MAX];
	static const int venues[] = { 4, 10, 11, 12, 15, 19 };

	price_text(p, in, 0);
	if (!is_trade) {
		price_text(a, in, in->tick * (double)(1 + rng() % 3));
		return snprintf(buf, EVENT_MAX, "{\"ev\":\"Q\",\"sym\":\"%s\","
		    "\"bx\":%d,\"bp\":%s,\"bs\":%d,\"ax\":%d,\"ap\":%s,"
		    "\"as\":%d,\"c\":0,\"i\":[604],\"t\":%lld,\"q\":%ld,"
		    "\"z\":3}", in->symbol, venues[rng() % 6], p,
		    100 * (int)(1 + rng() % 20), venues[rng() % 6], a,
		    100 * (int)(1 + rng() % 20), (long long)t_ms, seq);
	}
	return snprintf(buf, EVENT_MAX, "{\"ev\":\"T\",\"sym\":\"%s\","
	    "\"x\":%d,\"i\":\"%llu\",\"z\":3,\"p\":%s,\"s\":%d,"
	    "\"c\":[14,41],\"t\":%lld,\"q\":%ld}", in->symbol,
	    venues[rng() % 6], (unsigned long long)(rng() >> 44), p,
	    (int)(1 + rng() % 500), (long long)t_ms, seq);
}

static void
frames_synth(struct frames *fr, const struct opts *o)
{
	char ev[EVENT_MAX], *frame;
	size_t len;
	int64_t t_ms = 1706649628023LL;
	long i, seq = 4009402;
	int k, n, m;

	if ((frame = malloc((size_t)o->max_events * EVENT_MAX + 4)) == NULL)
		err(1, "malloc");
	for (i = 0; i < o->synth; i++) {
		n = 1 + (int)(rng() % (uint64_t)o->max_events);
		len = 0;
		frame[len++] = '[';
		for (k = 0; k < n; k++) {
			t_ms += (int64_t)(rng() % 3);
			m = o->asset == ASSET_STOCK ?
			    stock_event(ev, t_ms, rng() % 4 == 0, seq++) :
			    crypto_event(ev, t_ms, rng() % 4 == 0);
			if (k > 0)
				frame[len++] = ',';
			memcpy(frame + len, ev, (size_t)m);
			len += (size_t)m;
		}
		frame[len++] = ']';
		frames_add(fr, frame, len);
	}
	free(frame);
}

/* ---- method (a): jansson DOM, as a naive collector would ---- */

static int
dom_price(json_t *v, int64_t *out)
{
	if (json_is_string(v))
		return fixed_parse(json_string_value(v),
		    json_string_length(v), out);
	if (!json_is_number(v))
		return -1;
	return fixed_from_double(json_number_value(v), out);
}

static int
dom_size(json_t *v, double *out)
{
	if (json_is_string(v))
		return num_parse_double(json_string_value(v),
		    json_string_length(v), out);
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static void
dom_symbol(json_t *o, const char *key, struct tick *t)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s != NULL)
		snprintf(t->symbol, sizeof(t->symbol), "%s", s);
}

static void
dom_conditions(json_t *c, struct tick *t)
{
	size_t i;

	for (i = 0; i < json_array_size(c) && i < TICK_MAX_CONDITIONS; i++)
		t->conditions[t->n_conditions++] =
		    (uint16_t)json_integer_value(json_array_get(c, i));
}

static int
dom_trade(json_t *o, const char *sym_key, struct tick *t)
{
	json_t *id = json_object_get(o, "i");

	t->kind = TICK_TRADE;
	dom_symbol(o, sym_key, t);
	if (dom_price(json_object_get(o, "p"), &t->price) == -1 ||
	    dom_size(json_object_get(o, "s"), &t->size) == -1)
		return -1;
	t->ts_ns = json_integer_value(json_object_get(o, "t")) * NS_PER_MS;
	t->exchange = (uint32_t)json_integer_value(json_object_get(o, "x"));
	t->tape = (uint8_t)json_integer_value(json_object_get(o, "z"));
	if (json_is_string(id))
		snprintf(t->trade_id, sizeof(t->trade_id), "%s",
		    json_string_value(id));
	else if (json_is_integer(id))
		snprintf(t->trade_id, sizeof(t->trade_id), "%lld",
		    (long long)json_integer_value(id));
	dom_conditions(json_object_get(o, "c"), t);
	return 0;
}

static int
dom_quote(json_t *o, const char *sym_key, struct tick *t)
{
	t->kind = TICK_QUOTE;
	dom_symbol(o, sym_key, t);
	if (dom_price(json_object_get(o, "bp"), &t->bid) == -1 ||
	    dom_price(json_object_get(o, "ap"), &t->ask) == -1 ||
	    dom_size(json_object_get(o, "bs"), &t->bid_size) == -1 ||
	    dom_size(json_object_get(o, "as"), &t->ask_size) == -1)
		return -1;
	t->ts_ns = json_integer_value(json_object_get(o, "t")) * NS_PER_MS;
	t->exchange = (uint32_t)json_integer_value(json_object_get(o,
	    sym_key[0] == 'p' ? "x" : "bx"));
	return 0;
}

static void
dom_frame(const char *s, size_t len, struct sink *k)
{
	json_error_t jerr;
	json_t *root, *o;
	const char *ev;
	struct tick t;
	size_t i;
	int rc;

	if ((root = json_loadb(s, len, 0, &jerr)) == NULL)
		return;
	for (i = 0; i < json_array_size(root); i++) {
		o = json_array_get(root, i);
		if ((ev = json_string_value(json_object_get(o, "ev"))) == NULL)
			continue;
		memset(&t, 0, sizeof(t));
		if (strcmp(ev, "XT") == 0 || strcmp(ev, "T") == 0)
			rc = dom_trade(o, ev[0] == 'X' ? "pair" : "sym", &t);
		else if (strcmp(ev, "XQ") == 0 || strcmp(ev, "Q") == 0)
			rc = dom_quote(o, ev[0] == 'X' ? "pair" : "sym", &t);
		else
			continue;
		if (rc == 0)
			k->ticks++;
	}
	json_decref(root);
}

/* ---- method (b): polygon_parse_frame ---- */

static void
on_tick(void *arg, const struct tick *t)
{
	struct sink *k = arg;

	(void)t;
	k->ticks++;
}

/* The asset class whose parser finds more ticks in the frames. */
static int
frames_asset(const struct frames *fr)
{
	struct polygon_parser pp;
	struct feed_counts c[2];
	struct feed_handler h = { NULL, NULL, NULL };
	int k, ac[2] = { ASSET_STOCK, ASSET_CRYPTO };
	size_t i;

	memset(c, 0, sizeof(c));
	for (k = 0; k < 2; k++) {
		if (polygon_parser_init(&pp, (enum asset_class)ac[k],
		    SOURCE_POLYGON) == -1)
			err(1, "polygon_parser_init");
		for (i = 0; i < fr->n; i++)
			polygon_parse_frame(&pp, fr->buf + fr->off[i],
			    fr->off[i + 1] - fr->off[i], 0, &h, &c[k]);
		polygon_parser_free(&pp);
	}
	return c[0].ticks[TICK_TRADE] + c[0].ticks[TICK_QUOTE] >
	    c[1].ticks[TICK_TRADE] + c[1].ticks[TICK_QUOTE] ?
	    ASSET_STOCK : ASSET_CRYPTO;
}

/* ---- timing ---- */

static double
now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum method {
	M_JANSSON,
	M_POLYGON
};

static void
run(const struct frames *fr, const struct opts *o, enum method m)
{
	struct polygon_parser pp;
	struct feed_counts c;
	struct feed_handler h = { on_tick, NULL, NULL };
	struct sink k = { 0 };
	double t0, dt;
	uint64_t frames = 0, bytes = 0, pass_ticks = 0;
	size_t i;

	memset(&c, 0, sizeof(c));
	h.arg = &k;
	if (polygon_parser_init(&pp, (enum asset_class)o->asset,
	    SOURCE_POLYGON) == -1)
		err(1, "polygon_parser_init");
	t0 = now_s();
	do {
		for (i = 0; i < fr->n; i++) {
			const char *s = fr->buf + fr->off[i];
			size_t len = fr->off[i + 1] - fr->off[i];

			if (m == M_JANSSON)
				dom_frame(s, len, &k);
			else
				polygon_parse_frame(&pp, s, len, 0, &h, &c);
			bytes += len;
		}
		frames += fr->n;
		if (pass_ticks == 0)
			pass_ticks = k.ticks;
	} while ((dt = now_s() - t0) < o->seconds);
	polygon_parser_free(&pp);
	printf("parse_bench method=%s ticks_per_s=%.0f mb_per_s=%.1f "
	    "frames=%llu ticks=%llu seconds=%.2f pass_ticks=%llu\n",
	    m == M_JANSSON ? "jansson" : "polygon", (double)k.ticks / dt,
	    (double)bytes / dt / 1e6, (unsigned long long)frames,
	    (unsigned long long)k.ticks, dt, (unsigned long long)pass_ticks);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: parse_bench [--stock | --crypto] [--seconds S] "
	    "[--max-events M] [--only jansson|polygon]\n"
	    "                   --synth N | FILE\n");
	exit(64);
}

static void
opts_parse(struct opts *o, int argc, char *argv[])
{
	int i;

	o->asset = ASSET_UNKNOWN;
	o->seconds = 2;
	o->synth = 0;
	o->max_events = 200;
	o->only = NULL;
	o->file = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stock") == 0)
			o->asset = ASSET_STOCK;
		else if (strcmp(argv[i], "--crypto") == 0)
			o->asset = ASSET_CRYPTO;
		else if (strcmp(argv[i], "--synth") == 0 && i + 1 < argc)
			o->synth = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			o->seconds = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			o->only = argv[++i];
		else if (strcmp(argv[i], "--max-events") == 0 && i + 1 < argc)
			o->max_events = (int)strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && o->file == NULL)
			o->file = argv[i];
		else
			usage();
	}
	if ((o->synth > 0) == (o->file != NULL) || o->max_events < 1 ||
	    o->seconds <= 0)
		usage();
}

int
main(int argc, char *argv[])
{
	struct frames fr;
	struct opts o;

	memset(&fr, 0, sizeof(fr));
	opts_parse(&o, argc, argv);
	if (o.file != NULL) {
		frames_load(&fr, o.file);
	} else {
		if (o.asset == ASSET_UNKNOWN)
			o.asset = ASSET_CRYPTO;
		frames_synth(&fr, &o);
	}
	if (fr.n == 0)
		errx(1, "no frames");
	if (o.asset == ASSET_UNKNOWN)
		o.asset = frames_asset(&fr);
	printf("parse_bench input=%s asset=%s frames=%zu bytes=%zu\n",
	    o.file != NULL ? o.file : "synth", asset_class_name(o.asset),
	    fr.n, fr.len);
	if (o.only == NULL || strcmp(o.only, "jansson") == 0)
		run(&fr, &o, M_JANSSON);
	if (o.only == NULL || strcmp(o.only, "polygon") == 0)
		run(&fr, &o, M_POLYGON);
	free(fr.buf);
	free(fr.off);
	return 0;
}
