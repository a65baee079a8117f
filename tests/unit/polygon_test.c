/*
 * Polygon/Massive frames to ticks (common/polygon.c): golden files, then
 * tables of malformed and edge-case input. Every expected value is written
 * by hand from feeds.md §1-§3, never copied from the parser's output.
 *
 * Golden files: tests/data/polygon/NAME.json holds frames, one per line,
 * byte for byte as a server sends them; NAME.want what they must yield.
 * Files named crypto_* are parsed as ASSET_CRYPTO, stocks_* as ASSET_STOCK,
 * always with SOURCE_POLYGON. The frame on line L is parsed with
 * recv_ns = L. Each .want line is one JSON object, in output order:
 *
 *   a tick    {"frame":L,"kind":"trade",...}: the fields of struct tick by
 *             their tick.h names. Absent fields are zero ("", [], "none",
 *             "unknown"), except asset_class and source, which default to
 *             the file's class and "polygon"; recv_ns is always L.
 *             kind, side, asset_class, source, status: names (tick.c).
 *             price, bid, ask, open, high, low, close, vwap: decimal
 *             strings ("114.125"), compared exactly in fixed point;
 *             JSON integers are allowed too, JSON reals are not.
 *             size, bid_size, ask_size, volume: JSON numbers or decimal
 *             strings, compared exactly as doubles.
 *             conditions: array of codes (n_conditions is its length).
 *             flags: integer, TICK_F_* (1 conditions cut, 2 trade id cut).
 *   a status  {"frame":L,"server_status":"auth_success","message":"..."}:
 *             one on_status call; the message is the raw JSON string
 *             content the parser passes on (escapes not decoded).
 *   counts    {"counts":{...}}: at most one line, struct feed_counts after
 *             the whole file: "frames", "events", "status_messages", ticks
 *             by kind name ("trade"), skips by reason ("bad_json"); absent
 *             keys are zero.
 */
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../check.h"
#include "feed.h"
#include "fixed.h"
#include "polygon.h"
#include "tick.h"

#define DATA_DIR	"tests/data/polygon"
#define MESSAGE_MAX	256
#define FRAME_MAX_TEST	8192	/* bytes of a frame built by a table case */
#define BIG_EVENTS	100000

/* ---- collecting what the parser hands over ---- */

struct item {
	int			 is_status;
	struct tick		 tick;
	enum feed_server_status	 status;
	char			 message[MESSAGE_MAX];
};

struct got {
	struct item	*v;
	size_t		 n, cap;
};

static struct item *
got_push(struct got *g)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		if ((g->v = realloc(g->v, g->cap * sizeof(*g->v))) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	return &g->v[g->n++];
}

static void
on_tick(void *arg, const struct tick *t)
{
	got_push(arg)->tick = *t;
}

static void
on_status(void *arg, enum feed_server_status st, const char *msg, size_t len)
{
	struct item *it = got_push(arg);

	it->is_status = 1;
	it->status = st;
	if (len >= MESSAGE_MAX)
		len = MESSAGE_MAX - 1;
	memcpy(it->message, msg, len);
}

/* Parses one frame into a fresh list; the caller frees g->v. */
static enum feed_parse
parse(struct polygon_parser *pp, const char *frame, size_t len,
    int64_t recv_ns, struct got *g, struct feed_counts *c)
{
	struct feed_handler h = { on_tick, on_status, NULL };

	h.arg = g;
	return polygon_parse_frame(pp, frame, len, recv_ns, &h, c);
}

static uint64_t
skipped_total(const struct feed_counts *c)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < FEED_PARSE_MAX; i++)
		n += c->skipped[i];
	return n;
}

/* ---- expected ticks, in the .want format ---- */

static const char *const price_keys[] = {
	"price", "bid", "ask", "open", "high", "low", "close", "vwap"
};
static const char *const size_keys[] = {
	"size", "bid_size", "ask_size", "volume"
};

static int64_t *
price_field(struct tick *t, const char *k)
{
	if (strcmp(k, "price") == 0)
		return &t->price;
	if (strcmp(k, "bid") == 0)
		return &t->bid;
	if (strcmp(k, "ask") == 0)
		return &t->ask;
	if (strcmp(k, "open") == 0)
		return &t->open;
	if (strcmp(k, "high") == 0)
		return &t->high;
	if (strcmp(k, "low") == 0)
		return &t->low;
	if (strcmp(k, "close") == 0)
		return &t->close;
	return strcmp(k, "vwap") == 0 ? &t->vwap : NULL;
}

static double *
size_field(struct tick *t, const char *k)
{
	if (strcmp(k, "size") == 0)
		return &t->size;
	if (strcmp(k, "bid_size") == 0)
		return &t->bid_size;
	if (strcmp(k, "ask_size") == 0)
		return &t->ask_size;
	return strcmp(k, "volume") == 0 ? &t->volume : NULL;
}

static int
want_name(json_t *v, int (*from)(const char *), uint8_t *out)
{
	int n;

	if (!json_is_string(v) || (n = from(json_string_value(v))) < 0)
		return -1;
	*out = (uint8_t)n;
	return 0;
}

static int
want_text(json_t *v, char *dst, size_t cap)
{
	if (!json_is_string(v) || json_string_length(v) >= cap)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
want_conditions(json_t *v, struct tick *t)
{
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > TICK_MAX_CONDITIONS)
		return -1;
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_integer(json_array_get(v, i)))
			return -1;
		t->conditions[i] =
		    (uint16_t)json_integer_value(json_array_get(v, i));
	}
	t->n_conditions = (uint8_t)i;
	return 0;
}

static int
want_price(json_t *v, int64_t *out)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v)) {
		if (json_integer_value(v) > INT64_MAX / PRICE_SCALE ||
		    json_integer_value(v) < INT64_MIN / PRICE_SCALE)
			return -1;
		*out = json_integer_value(v) * PRICE_SCALE;
		return 0;
	}
	return s != NULL ? fixed_parse(s, strlen(s), out) : -1;
}

static int
want_size(json_t *v, double *out)
{
	const char *s = json_string_value(v);

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	return s != NULL ? num_parse_double(s, strlen(s), out) : -1;
}

static int
want_int(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* The small integer fields of a .want tick line. */
static int
want_small(struct tick *t, const char *k, json_t *v)
{
	int64_t n;

	if (want_int(v, 0, UINT32_MAX, &n) == -1)
		return -1;
	if (strcmp(k, "exchange") == 0)
		t->exchange = (uint32_t)n;
	else if (strcmp(k, "ask_exchange") == 0)
		t->ask_exchange = (uint32_t)n;
	else if (strcmp(k, "tape") == 0 && n <= UINT8_MAX)
		t->tape = (uint8_t)n;
	else if (strcmp(k, "flags") == 0 && n <= UINT16_MAX)
		t->flags = (uint16_t)n;
	else
		return -1;
	return 0;
}

/* One key of a .want tick line; -1 for an unknown key or a bad value. */
static int
want_field(struct tick *t, const char *k, json_t *v)
{
	size_t i;

	for (i = 0; i < sizeof(price_keys) / sizeof(price_keys[0]); i++)
		if (strcmp(k, price_keys[i]) == 0)
			return want_price(v, price_field(t, k));
	for (i = 0; i < sizeof(size_keys) / sizeof(size_keys[0]); i++)
		if (strcmp(k, size_keys[i]) == 0)
			return want_size(v, size_field(t, k));
	if (strcmp(k, "kind") == 0)
		return want_name(v, tick_kind_from_name, &t->kind);
	if (strcmp(k, "side") == 0)
		return want_name(v, side_from_name, &t->side);
	if (strcmp(k, "asset_class") == 0)
		return want_name(v, asset_class_from_name, &t->asset_class);
	if (strcmp(k, "source") == 0)
		return want_name(v, source_from_name, &t->source);
	if (strcmp(k, "status") == 0)
		return want_name(v, feed_status_from_name, &t->status);
	if (strcmp(k, "symbol") == 0)
		return want_text(v, t->symbol, sizeof(t->symbol));
	if (strcmp(k, "trade_id") == 0)
		return want_text(v, t->trade_id, sizeof(t->trade_id));
	if (strcmp(k, "conditions") == 0)
		return want_conditions(v, t);
	if (strcmp(k, "ts_ns") == 0)
		return want_int(v, INT64_MIN, INT64_MAX, &t->ts_ns);
	if (strcmp(k, "end_ns") == 0)
		return want_int(v, INT64_MIN, INT64_MAX, &t->end_ns);
	return want_small(t, k, v);
}

/* A .want tick object to a struct tick; -1 (and the key) when malformed. */
static int
want_tick(json_t *o, int asset, int64_t recv_ns, struct tick *t,
    const char **bad_key)
{
	const char *k;
	json_t *v;

	memset(t, 0, sizeof(*t));
	t->asset_class = (uint8_t)asset;
	t->source = SOURCE_POLYGON;
	t->recv_ns = recv_ns;
	json_object_foreach(o, k, v) {
		if (strcmp(k, "frame") == 0)
			continue;
		*bad_key = k;
		if (want_field(t, k, v) == -1)
			return -1;
	}
	return 0;
}

/* The first field where two ticks differ, NULL when none does. */
static const char *
tick_diff(const struct tick *a, const struct tick *b)
{
	static const char *const names[] = {
		"kind", "side", "asset_class", "source", "tape",
		"n_conditions", "status", "flags", "exchange", "ask_exchange",
		"ts_ns", "recv_ns", "symbol", "trade_id", "conditions",
		"price", "size", "bid", "bid_size", "ask", "ask_size", "open",
		"high", "low", "close", "vwap", "volume", "end_ns"
	};
	const int differ[] = {
		a->kind != b->kind, a->side != b->side,
		a->asset_class != b->asset_class, a->source != b->source,
		a->tape != b->tape, a->n_conditions != b->n_conditions,
		a->status != b->status, a->flags != b->flags,
		a->exchange != b->exchange, a->ask_exchange != b->ask_exchange,
		a->ts_ns != b->ts_ns, a->recv_ns != b->recv_ns,
		memcmp(a->symbol, b->symbol, sizeof(a->symbol)) != 0,
		memcmp(a->trade_id, b->trade_id, sizeof(a->trade_id)) != 0,
		memcmp(a->conditions, b->conditions,
		    sizeof(a->conditions)) != 0,
		a->price != b->price, a->size != b->size, a->bid != b->bid,
		a->bid_size != b->bid_size, a->ask != b->ask,
		a->ask_size != b->ask_size, a->open != b->open,
		a->high != b->high, a->low != b->low, a->close != b->close,
		a->vwap != b->vwap, a->volume != b->volume,
		a->end_ns != b->end_ns
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (differ[i])
			return names[i];
	return NULL;
}

/* Whether an output item is what a .want object says; why not in *why. */
static int
item_matches(json_t *w, const struct item *it, int asset, int64_t frame,
    const char **why)
{
	const char *bad_key = "?";
	json_t *st = json_object_get(w, "server_status"), *msg;
	struct tick t;

	if (st != NULL) {
		msg = json_object_get(w, "message");
		*why = "status or message";
		if (!it->is_status || !json_is_string(st) ||
		    !json_is_string(msg) ||
		    strcmp(feed_server_status_str(it->status),
		    json_string_value(st)) != 0 ||
		    strcmp(it->message, json_string_value(msg)) != 0)
			return 0;
		*why = NULL;
		return 1;
	}
	if (want_tick(w, asset, frame, &t, &bad_key) == -1) {
		*why = bad_key;		/* a mistake in the .want file */
		return 0;
	}
	*why = "a status came instead of a tick";
	if (it->is_status)
		return 0;
	*why = tick_diff(&t, &it->tick);
	return *why == NULL;
}

/* ---- golden files ---- */

struct golden {
	char		 base[128];	/* file name without ".json" */
	int		 asset;
	struct got	 got;
	int64_t		*frame_of;	/* output item -> frame line */
	struct feed_counts counts;
};

static int
golden_asset(const char *path)
{
	const char *name = strrchr(path, '/') + 1;

	if (strncmp(name, "crypto_", 7) == 0)
		return ASSET_CRYPTO;
	if (strncmp(name, "stocks_", 7) == 0)
		return ASSET_STOCK;
	return ASSET_UNKNOWN;
}

static void
golden_parse(struct golden *g, FILE *fp)
{
	struct polygon_parser pp;
	char *line = NULL;
	size_t cap = 0, before, i;
	ssize_t n;
	int64_t lineno = 0;

	if (polygon_parser_init(&pp, (enum asset_class)g->asset,
	    SOURCE_POLYGON) == -1)
		exit(1);
	while ((n = getline(&line, &cap, fp)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		lineno++;
		before = g->got.n;
		parse(&pp, line, (size_t)n, lineno, &g->got, &g->counts);
		g->frame_of = realloc(g->frame_of, (g->got.n + 1) *
		    sizeof(*g->frame_of));
		for (i = before; i < g->got.n; i++)
			g->frame_of[i] = lineno;
	}
	free(line);
	polygon_parser_free(&pp);
}

static uint64_t
count_of(const struct feed_counts *c, const char *k)
{
	int i;

	if (strcmp(k, "frames") == 0)
		return c->frames;
	if (strcmp(k, "events") == 0)
		return c->events;
	if (strcmp(k, "status_messages") == 0)
		return c->status_messages;
	for (i = 1; i < TICK_KIND_MAX; i++)
		if (strcmp(k, tick_kind_name(i)) == 0)
			return c->ticks[i];
	for (i = 1; i < FEED_PARSE_MAX; i++)
		if (strcmp(k, feed_parse_str((enum feed_parse)i)) == 0)
			return c->skipped[i];
	return UINT64_MAX;
}

static void
golden_counts(const struct golden *g, json_t *want)
{
	static const char *const keys[] = { "frames", "events",
	    "status_messages" };
	const char *k;
	json_t *v;
	size_t i;
	int ok = 1, n;

	json_object_foreach(want, k, v)
		if (count_of(&g->counts, k) == UINT64_MAX)
			ok = 0;			/* a typo in the .want */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ok &= count_of(&g->counts, keys[i]) == (uint64_t)
		    json_integer_value(json_object_get(want, keys[i]));
	for (n = 1; n < TICK_KIND_MAX; n++)
		ok &= g->counts.ticks[n] == (uint64_t)json_integer_value(
		    json_object_get(want, tick_kind_name(n)));
	for (n = 1; n < FEED_PARSE_MAX; n++)
		ok &= g->counts.skipped[n] == (uint64_t)json_integer_value(
		    json_object_get(want, feed_parse_str((enum feed_parse)n)));
	CHECK(ok, "%s: counts (frames %llu events %llu ticks %llu/%llu/%llu "
	    "statuses %llu skipped %llu)", g->base,
	    (unsigned long long)g->counts.frames,
	    (unsigned long long)g->counts.events,
	    (unsigned long long)g->counts.ticks[TICK_TRADE],
	    (unsigned long long)g->counts.ticks[TICK_QUOTE],
	    (unsigned long long)g->counts.ticks[TICK_FEED_BAR],
	    (unsigned long long)g->counts.status_messages,
	    (unsigned long long)skipped_total(&g->counts));
}

static void
golden_compare(struct golden *g, FILE *fp)
{
	json_error_t jerr;
	json_t *w;
	char *line = NULL;
	const char *why;
	size_t cap = 0, k = 0;
	int lineno = 0, n_counts = 0;

	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		if ((w = json_loads(line, 0, &jerr)) == NULL) {
			CHECK(0, "%s.want:%d: %s", g->base, lineno, jerr.text);
			continue;
		}
		if (json_object_get(w, "counts") != NULL) {
			golden_counts(g, json_object_get(w, "counts"));
			n_counts++;
		} else if (k >= g->got.n) {
			CHECK(0, "%s.want:%d: nothing came out", g->base,
			    lineno);
		} else {
			why = "frame";
			CHECK(g->frame_of[k] == json_integer_value(
			    json_object_get(w, "frame")) &&
			    item_matches(w, &g->got.v[k], g->asset,
			    g->frame_of[k], &why),
			    "%s.want:%d: from frame %lld%s%s", g->base, lineno,
			    (long long)g->frame_of[k],
			    why != NULL ? ", differs in " : "",
			    why != NULL ? why : "");
			k++;
		}
		json_decref(w);
	}
	free(line);
	CHECK(k == g->got.n, "%s: %zu items expected, %zu came out", g->base,
	    k, g->got.n);
	CHECK(n_counts <= 1, "%s.want: at most one counts line", g->base);
}

static void
golden_run(const char *json_path)
{
	struct golden g;
	char want_path[512];
	FILE *fp;

	memset(&g, 0, sizeof(g));
	snprintf(want_path, sizeof(want_path), "%.*s.want",
	    (int)(strlen(json_path) - 5), json_path);
	snprintf(g.base, sizeof(g.base), "%.*s",
	    (int)(strlen(strrchr(json_path, '/') + 1) - 5),
	    strrchr(json_path, '/') + 1);
	g.asset = golden_asset(json_path);
	CHECK(g.asset != ASSET_UNKNOWN, "%s: named crypto_* or stocks_*",
	    g.base);
	CHECK(g.base[0] != '\0', "%s: a name", json_path);
	if ((fp = fopen(json_path, "r")) == NULL) {
		CHECK(0, "%s: open", json_path);
		return;
	}
	golden_parse(&g, fp);
	fclose(fp);
	if ((fp = fopen(want_path, "r")) == NULL) {
		CHECK(0, "%s: has a .want file", g.base);
	} else {
		golden_compare(&g, fp);
		fclose(fp);
	}
	free(g.got.v);
	free(g.frame_of);
}

static void
test_golden(void)
{
	const char *top = getenv("TW_TOP");
	char pattern[512];
	glob_t gl;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/%s/*.json",
	    top != NULL ? top : ".", DATA_DIR);
	if (glob(pattern, 0, NULL, &gl) != 0) {
		CHECK(0, "golden files under %s (run from the top)", pattern);
		return;
	}
	CHECK(gl.gl_pathc >= 6, "%zu golden files", gl.gl_pathc);
	for (i = 0; i < gl.gl_pathc; i++)
		golden_run(gl.gl_pathv[i]);
	globfree(&gl);
}

/* ---- frames that must yield nothing ---- */

#define F(s)	s, sizeof(s) - 1	/* text and length, NULs included */

static const struct frame_case {
	const char	*name;
	const char	*frame;
	size_t		 len;
	enum feed_parse	 want;
} frame_cases[] = {
	/* Invalid JSON that a lax tokenizer (jsmn) accepts. */
	{ "missing comma in array", F("[1 2]"), FEED_BAD_JSON },
	{ "double comma", F("[1,,2]"), FEED_BAD_JSON },
	{ "leading comma", F("[,1]"), FEED_BAD_JSON },
	{ "trailing comma in array", F("[1,]"), FEED_BAD_JSON },
	{ "lone comma", F("[,]"), FEED_BAD_JSON },
	{ "comma before the value", F(",[1]"), FEED_BAD_JSON },
	{ "colon before the value", F(":[1]"), FEED_BAD_JSON },
	{ "trailing comma in object",
	    F("[{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,\"t\":1,}]"),
	    FEED_BAD_JSON },
	{ "missing colon, string value",
	    F("[{\"ev\" \"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,\"t\":1}]"),
	    FEED_BAD_JSON },
	{ "double colon", F("[{\"ev\"::\"XT\"}]"), FEED_BAD_JSON },
	{ "colon for comma", F("[{\"ev\":\"XT\":\"pair\":\"A-B\"}]"),
	    FEED_BAD_JSON },
	{ "missing comma in object", F("[{\"a\":1 \"b\":2}]"),
	    FEED_BAD_JSON },
	{ "key without value", F("[{\"a\"}]"), FEED_BAD_JSON },
	{ "key after the last value", F("[{\"a\":1,\"b\"}]"),
	    FEED_BAD_JSON },
	{ "colon in an array", F("[\"a\":1]"), FEED_BAD_JSON },
	{ "colon after a number", F("[{\"a\":[1]:2}]"), FEED_BAD_JSON },
	{ "missing comma between objects", F("[{\"a\":1}{\"b\":2}]"),
	    FEED_BAD_JSON },
	{ "missing comma between arrays", F("[[1][2]]"), FEED_BAD_JSON },
	{ "comma inside a closed array", F("[[1,]]"), FEED_BAD_JSON },
	{ "comma in an empty object", F("[{,}]"), FEED_BAD_JSON },
	{ "two top-level values", F("[1] [2]"), FEED_BAD_JSON },
	{ "two top-level values, comma", F("[1],[2]"), FEED_BAD_JSON },
	{ "array then string", F("[1]\"a\""), FEED_BAD_JSON },
	{ "stray colon and bracket at the end", F("[1]:]"),
	    FEED_BAD_JSON },
	{ "stray comma at the end", F("[1],"), FEED_BAD_JSON },
	{ "tru", F("[tru]"), FEED_BAD_JSON },
	{ "nul", F("[nul]"), FEED_BAD_JSON },
	{ "truex", F("[truex]"), FEED_BAD_JSON },
	{ "fals", F("[fals]"), FEED_BAD_JSON },
	{ "1.2.3", F("[1.2.3]"), FEED_BAD_JSON },
	{ "leading zero", F("[01]"), FEED_BAD_JSON },
	{ "minus alone", F("[-]"), FEED_BAD_JSON },
	{ "1.", F("[1.]"), FEED_BAD_JSON },
	{ "1e", F("[1e]"), FEED_BAD_JSON },
	{ "1e+", F("[1e+]"), FEED_BAD_JSON },
	{ "minus minus", F("[--1]"), FEED_BAD_JSON },
	{ "number with letters", F("[12ab]"), FEED_BAD_JSON },
	{ "bad number in a used field",
	    F("[{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1.2.3,\"s\":1,\"t\":1}]"),
	    FEED_BAD_JSON },
	{ "raw tab in a string", F("[\"a\tb\"]"), FEED_BAD_JSON },
	{ "raw newline in a string", F("[\"a\nb\"]"), FEED_BAD_JSON },
	{ "raw 0x01 in a string", F("[\"a\x01z\"]"), FEED_BAD_JSON },
	{ "invalid UTF-8 byte", F("[\"\xff\"]"), FEED_BAD_JSON },
	{ "overlong UTF-8 slash", F("[\"\xc0\xaf\"]"), FEED_BAD_JSON },
	{ "UTF-8 surrogate", F("[\"\xed\xa0\x80\"]"), FEED_BAD_JSON },
	{ "UTF-8 beyond U+10FFFF", F("[\"\xf4\x90\x80\x80\"]"),
	    FEED_BAD_JSON },
	{ "cut UTF-8 sequence", F("[\"\xe2\x82\"]"), FEED_BAD_JSON },
	{ "NUL after the frame", F("[1]\0"), FEED_BAD_JSON },
	{ "NUL before the frame", F("\0[1]"), FEED_BAD_JSON },
	{ "NUL in a string", F("[\"a\0b\"]"), FEED_BAD_JSON },
	{ "NUL in a number", F("[1\0]"), FEED_BAD_JSON },
	/* Invalid JSON that any tokenizer refuses. */
	{ "bare word", F("[x]"), FEED_BAD_JSON },
	{ "True", F("[True]"), FEED_BAD_JSON },
	{ "plus sign", F("[+1]"), FEED_BAD_JSON },
	{ "leading dot", F("[.5]"), FEED_BAD_JSON },
	{ "single quotes", F("['a']"), FEED_BAD_JSON },
	{ "bad escape", F("[\"\\x\"]"), FEED_BAD_JSON },
	{ "short unicode escape", F("[\"\\u12\"]"), FEED_BAD_JSON },
	{ "mismatched brackets", F("[}"), FEED_BAD_JSON },
	{ "extra closing bracket", F("[1]]"), FEED_BAD_JSON },
	{ "object as a key", F("[{{}:1}]"), FEED_BAD_JSON },
	{ "number as a key", F("[{1:1}]"), FEED_BAD_JSON },
	{ "garbage after the frame", F("[1]x"), FEED_BAD_JSON },
	/* Truncated frames. */
	{ "empty frame", F(""), FEED_BAD_JSON },
	{ "only whitespace", F(" \r\n\t"), FEED_BAD_JSON },
	{ "open bracket", F("["), FEED_BAD_JSON },
	{ "cut in an object",
	    F("[{\"ev\":\"XT\",\"pair\":\"BTC-USD\",\"p\":1"),
	    FEED_BAD_JSON },
	{ "cut after an object", F("[{\"ev\":\"XT\"}"), FEED_BAD_JSON },
	{ "cut in a string", F("[\"abc"), FEED_BAD_JSON },
	{ "cut in a key", F("[{\"ev"), FEED_BAD_JSON },
	{ "cut after a number", F("[1"), FEED_BAD_JSON },
	{ "cut after a colon", F("[{\"a\":"), FEED_BAD_JSON },
	{ "cut in an escape", F("[\"\\"), FEED_BAD_JSON },
	/* Valid JSON, but no array. */
	{ "object", F("{\"ev\":\"XT\",\"pair\":\"BTC-USD\"}"),
	    FEED_NOT_ARRAY },
	{ "string", F("\"XT\""), FEED_NOT_ARRAY },
	{ "number", F("42"), FEED_NOT_ARRAY },
	{ "number in spaces", F(" -4.5e3 "), FEED_NOT_ARRAY },
	{ "true", F("true"), FEED_NOT_ARRAY },
	{ "null", F("null"), FEED_NOT_ARRAY },
	{ "two numbers", F("1 2"), FEED_BAD_JSON },
	{ "bare tru", F("tru"), FEED_BAD_JSON },
	{ "bare 01", F("01"), FEED_BAD_JSON },
};

static const char VALID_CRYPTO[] =
    "[{\"ev\":\"XT\",\"pair\":\"BTC-USD\",\"p\":1,\"s\":1,\"t\":1}]";

static void
test_frame_cases(void)
{
	struct polygon_parser pp;
	struct feed_counts c;
	struct got g;
	enum feed_parse rc;
	size_t i;

	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	for (i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]); i++) {
		const struct frame_case *fc = &frame_cases[i];

		memset(&c, 0, sizeof(c));
		memset(&g, 0, sizeof(g));
		rc = parse(&pp, fc->frame, fc->len, 1, &g, &c);
		CHECK(rc == fc->want && g.n == 0 && c.frames == 1 &&
		    c.events == 0 && c.skipped[fc->want] == 1 &&
		    skipped_total(&c) == 1, "frame %s: %s (got %s, %zu out)",
		    fc->name, feed_parse_str(fc->want), feed_parse_str(rc),
		    g.n);
		/* The next frame is not affected. */
		rc = parse(&pp, VALID_CRYPTO, sizeof(VALID_CRYPTO) - 1, 2, &g,
		    &c);
		CHECK(rc == FEED_OK && g.n == 1, "frame %s: the next frame "
		    "still parses", fc->name);
		free(g.v);
	}
	polygon_parser_free(&pp);
}

/* ---- events between two valid ones ---- */

/*
 * Every event case runs as [BEFORE, event, AFTER]: the two valid events
 * around it must come out whatever happens to it.
 */
static const char *const before_ev[ASSET_MAX] = {
	NULL,
	"{\"ev\":\"T\",\"sym\":\"AAA\",\"p\":1,\"s\":1,\"t\":1}",
	"{\"ev\":\"XT\",\"pair\":\"AAA-USD\",\"p\":1,\"s\":1,\"t\":1}"
};
static const char *const after_ev[ASSET_MAX] = {
	NULL,
	"{\"ev\":\"Q\",\"sym\":\"ZZZ\",\"bp\":1,\"bs\":1,\"ap\":2,\"as\":1,"
	    "\"t\":2}",
	"{\"ev\":\"XQ\",\"pair\":\"ZZZ-USD\",\"bp\":1,\"bs\":1,\"ap\":2,"
	    "\"as\":1,\"t\":2}"
};

struct sandwich {
	struct got		 got;
	struct feed_counts	 counts;
	enum feed_parse		 rc;
	int			 around_ok;	/* BEFORE and AFTER came out */
};

static void
sandwich_run(struct polygon_parser *pp, int asset, const char *event,
    struct sandwich *sw)
{
	char frame[FRAME_MAX_TEST];
	const struct item *first, *last;

	memset(sw, 0, sizeof(*sw));
	snprintf(frame, sizeof(frame), "[%s,%s,%s]", before_ev[asset], event,
	    after_ev[asset]);
	pp->asset_class = (uint8_t)asset;
	sw->rc = parse(pp, frame, strlen(frame), 77, &sw->got, &sw->counts);
	if (sw->got.n < 2)
		return;
	first = &sw->got.v[0];
	last = &sw->got.v[sw->got.n - 1];
	sw->around_ok = !first->is_status && !last->is_status &&
	    strncmp(first->tick.symbol, "AAA", 3) == 0 &&
	    strncmp(last->tick.symbol, "ZZZ", 3) == 0 &&
	    sw->counts.events == 3 && sw->rc == FEED_OK;
}

/* The event is skipped for want, and nothing else is lost. */
static void
check_skipped(struct polygon_parser *pp, int asset, const char *name,
    const char *event, enum feed_parse want)
{
	struct sandwich sw;

	sandwich_run(pp, asset, event, &sw);
	CHECK(sw.around_ok && sw.got.n == 2 && sw.counts.skipped[want] == 1 &&
	    skipped_total(&sw.counts) == 1, "%s %s: %s (%zu out, skipped "
	    "%s %llu)", asset_class_name(asset), name, feed_parse_str(want),
	    sw.got.n, feed_parse_str(want),
	    (unsigned long long)sw.counts.skipped[want]);
	free(sw.got.v);
}

static const struct event_case {
	const char	*name;
	int		 asset;
	const char	*event;
	enum feed_parse	 want;
} event_cases[] = {
	{ "number element", ASSET_CRYPTO, "42", FEED_NOT_OBJECT },
	{ "string element", ASSET_CRYPTO, "\"XT\"", FEED_NOT_OBJECT },
	{ "array element", ASSET_CRYPTO, "[{\"ev\":\"XT\"}]", FEED_NOT_OBJECT },
	{ "null element", ASSET_STOCK, "null", FEED_NOT_OBJECT },
	{ "true element", ASSET_STOCK, "true", FEED_NOT_OBJECT },
	{ "no ev", ASSET_CRYPTO, "{\"pair\":\"BTC-USD\",\"p\":1,\"s\":1,"
	    "\"t\":1}", FEED_NO_EV },
	{ "empty object", ASSET_STOCK, "{}", FEED_NO_EV },
	{ "ev a number", ASSET_CRYPTO, "{\"ev\":5}", FEED_NO_EV },
	{ "ev null", ASSET_CRYPTO, "{\"ev\":null}", FEED_NO_EV },
	{ "ev an array", ASSET_STOCK, "{\"ev\":[\"T\"]}", FEED_NO_EV },
	{ "EV upper case key", ASSET_STOCK, "{\"EV\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1}", FEED_NO_EV },
	{ "XL2", ASSET_CRYPTO, "{\"ev\":\"XL2\",\"pair\":\"BTC-USD\","
	    "\"t\":1,\"x\":1,\"b\":[[1.5,2]],\"a\":[[1.6,3]]}",
	    FEED_UNKNOWN_EV },
	{ "LULD", ASSET_STOCK, "{\"ev\":\"LULD\",\"T\":\"MSFT\",\"h\":1,"
	    "\"l\":0.5,\"t\":1}", FEED_UNKNOWN_EV },
	{ "stock trade on crypto", ASSET_CRYPTO, "{\"ev\":\"T\",\"sym\":"
	    "\"MSFT\",\"p\":1,\"s\":1,\"t\":1}", FEED_UNKNOWN_EV },
	{ "stock minute bar on crypto", ASSET_CRYPTO, "{\"ev\":\"AM\"}",
	    FEED_UNKNOWN_EV },
	{ "crypto trade on stocks", ASSET_STOCK, "{\"ev\":\"XT\",\"pair\":"
	    "\"BTC-USD\",\"p\":1,\"s\":1,\"t\":1}", FEED_UNKNOWN_EV },
	{ "crypto second bar on stocks", ASSET_STOCK, "{\"ev\":\"XAS\"}",
	    FEED_UNKNOWN_EV },
	{ "lower-case xt", ASSET_CRYPTO, "{\"ev\":\"xt\"}", FEED_UNKNOWN_EV },
	{ "empty ev", ASSET_CRYPTO, "{\"ev\":\"\"}", FEED_UNKNOWN_EV },
	{ "X alone", ASSET_CRYPTO, "{\"ev\":\"X\"}", FEED_UNKNOWN_EV },
	{ "XAM", ASSET_CRYPTO, "{\"ev\":\"XAM\"}", FEED_UNKNOWN_EV },
	{ "AS on stocks", ASSET_STOCK, "{\"ev\":\"AS\"}", FEED_UNKNOWN_EV },
	{ "zero price", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"BTC-USD\","
	    "\"p\":0,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "negative price", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"MSFT\","
	    "\"p\":-114.125,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "price below the fixed-point unit", ASSET_STOCK, "{\"ev\":\"T\","
	    "\"sym\":\"MSFT\",\"p\":1e-10,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "price too big for fixed point", ASSET_CRYPTO, "{\"ev\":\"XT\","
	    "\"pair\":\"BTC-USD\",\"p\":1e10,\"s\":1,\"t\":1}",
	    FEED_BAD_VALUE },
	{ "negative bid", ASSET_CRYPTO, "{\"ev\":\"XQ\",\"pair\":\"BTC-USD\","
	    "\"bp\":-0.01,\"bs\":1,\"ap\":1,\"as\":1,\"t\":1}",
	    FEED_BAD_VALUE },
	{ "negative ask", ASSET_STOCK, "{\"ev\":\"Q\",\"sym\":\"MSFT\","
	    "\"bp\":1,\"bs\":1,\"ap\":-1,\"as\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "zero bar open", ASSET_STOCK, "{\"ev\":\"A\",\"sym\":\"X\",\"o\":0,"
	    "\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":1,\"e\":2}",
	    FEED_BAD_VALUE },
	{ "zero vwap", ASSET_CRYPTO, "{\"ev\":\"XA\",\"pair\":\"A-B\","
	    "\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"vw\":0,\"s\":1,"
	    "\"e\":2}", FEED_BAD_VALUE },
	{ "bar ends at its start", ASSET_CRYPTO, "{\"ev\":\"XA\",\"pair\":"
	    "\"A-B\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":5,"
	    "\"e\":5}", FEED_BAD_VALUE },
	{ "bar ends before its start", ASSET_STOCK, "{\"ev\":\"AM\",\"sym\":"
	    "\"X\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":6,\"e\":5}",
	    FEED_BAD_VALUE },
	{ "negative size", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"BTC-USD\","
	    "\"p\":1,\"s\":-1,\"t\":1}", FEED_BAD_VALUE },
	{ "infinite size", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"BTC-USD\",\"p\":1,\"s\":1e400,\"t\":1}", FEED_BAD_VALUE },
	{ "negative volume", ASSET_STOCK, "{\"ev\":\"A\",\"sym\":\"X\","
	    "\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":-5,\"s\":1,\"e\":2}",
	    FEED_BAD_VALUE },
	{ "zero time", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"BTC-USD\","
	    "\"p\":1,\"s\":1,\"t\":0}", FEED_BAD_VALUE },
	{ "negative time", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"X\","
	    "\"p\":1,\"s\":1,\"t\":-1536036818784}", FEED_BAD_VALUE },
	{ "fractional time", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"X\","
	    "\"p\":1,\"s\":1,\"t\":1536036818784.5}", FEED_BAD_VALUE },
	{ "time beyond 2262", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"A-B\","
	    "\"p\":1,\"s\":1,\"t\":9223372036855}", FEED_BAD_VALUE },
	{ "time in a bad string", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"A-B\",\"p\":1,\"s\":1,\"t\":\"soon\"}", FEED_BAD_VALUE },
	{ "price string with a space", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"A-B\",\"p\":\" 1\",\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "price string empty", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"A-B\",\"p\":\"\",\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "price string with an escape", ASSET_CRYPTO, "{\"ev\":\"XT\","
	    "\"pair\":\"A-B\",\"p\":\"\\u0031\",\"s\":1,\"t\":1}",
	    FEED_BAD_VALUE },
	{ "symbol of 24 bytes", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"ABCDEFGHIJKLMNOPQRSTUVWX\",\"p\":1,\"s\":1,\"t\":1}",
	    FEED_BAD_VALUE },
	{ "huge symbol", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"AAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"p\":1,"
	    "\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "empty symbol", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"\",\"p\":1,"
	    "\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "symbol with a space", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":"
	    "\"BRK A\",\"p\":1,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "symbol not ASCII", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"BTC-\xe2\x82\xac\",\"p\":1,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "symbol with an escaped newline", ASSET_CRYPTO, "{\"ev\":\"XT\","
	    "\"pair\":\"BTC\\nUSD\",\"p\":1,\"s\":1,\"t\":1}",
	    FEED_BAD_VALUE },
	{ "symbol with an escaped e-acute", ASSET_CRYPTO, "{\"ev\":\"XT\","
	    "\"pair\":\"\\u00e9\",\"p\":1,\"s\":1,\"t\":1}", FEED_BAD_VALUE },
	{ "trade id not ASCII", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"A-B\",\"p\":1,\"s\":1,\"t\":1,\"i\":\"\xc3\xa9\"}",
	    FEED_BAD_VALUE },
	{ "trade id true", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"A-B\","
	    "\"p\":1,\"s\":1,\"t\":1,\"i\":true}", FEED_BAD_TYPE },
	{ "trade id an object", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1,\"i\":{}}", FEED_BAD_TYPE },
	{ "condition 65536", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[65536]}", FEED_BAD_VALUE },
	{ "condition -1", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"A-B\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[-1]}", FEED_BAD_VALUE },
	{ "condition 2.5", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"A-B\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[2.5]}", FEED_BAD_VALUE },
	{ "bad ninth condition", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[1,2,3,4,5,6,7,8,70000]}",
	    FEED_BAD_VALUE },
	{ "condition a word", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[\"x\"]}", FEED_BAD_VALUE },
	{ "condition true", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\","
	    "\"p\":1,\"s\":1,\"t\":1,\"c\":[true]}", FEED_BAD_TYPE },
	{ "condition an array", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":"
	    "\"A-B\",\"p\":1,\"s\":1,\"t\":1,\"c\":[[1]]}", FEED_BAD_TYPE },
	{ "trade conditions a scalar", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":"
	    "\"A\",\"p\":1,\"s\":1,\"t\":1,\"c\":12}", FEED_BAD_TYPE },
	{ "quote condition an array", ASSET_STOCK, "{\"ev\":\"Q\",\"sym\":"
	    "\"A\",\"bp\":1,\"bs\":1,\"ap\":1,\"as\":1,\"t\":1,\"c\":[1]}",
	    FEED_BAD_TYPE },
	{ "quote condition 70000", ASSET_STOCK, "{\"ev\":\"Q\",\"sym\":\"A\","
	    "\"bp\":1,\"bs\":1,\"ap\":1,\"as\":1,\"t\":1,\"c\":70000}",
	    FEED_BAD_VALUE },
	{ "tape 256", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,"
	    "\"s\":1,\"t\":1,\"z\":256}", FEED_BAD_VALUE },
	{ "tape -1", ASSET_STOCK, "{\"ev\":\"Q\",\"sym\":\"A\",\"bp\":1,"
	    "\"bs\":1,\"ap\":1,\"as\":1,\"t\":1,\"z\":-1}", FEED_BAD_VALUE },
	{ "exchange 2^32", ASSET_CRYPTO, "{\"ev\":\"XT\",\"pair\":\"A-B\","
	    "\"p\":1,\"s\":1,\"t\":1,\"x\":4294967296}", FEED_BAD_VALUE },
	{ "ask exchange -1", ASSET_STOCK, "{\"ev\":\"Q\",\"sym\":\"A\","
	    "\"bp\":1,\"bs\":1,\"ap\":1,\"as\":1,\"t\":1,\"ax\":-1}",
	    FEED_BAD_VALUE },
	{ "exchange an object", ASSET_CRYPTO, "{\"ev\":\"XQ\",\"pair\":"
	    "\"A-B\",\"bp\":1,\"bs\":1,\"ap\":1,\"as\":1,\"t\":1,\"x\":{}}",
	    FEED_BAD_TYPE },
	{ "fractional size string bad", ASSET_STOCK, "{\"ev\":\"T\",\"sym\":"
	    "\"A\",\"p\":1,\"s\":1,\"t\":1,\"ds\":\"half\"}", FEED_BAD_VALUE },
	{ "status without status", ASSET_CRYPTO, "{\"ev\":\"status\","
	    "\"message\":\"m\"}", FEED_MISSING_FIELD },
	{ "status a number", ASSET_STOCK, "{\"ev\":\"status\",\"status\":1}",
	    FEED_BAD_TYPE },
	{ "status message an object", ASSET_CRYPTO, "{\"ev\":\"status\","
	    "\"status\":\"error\",\"message\":{}}", FEED_BAD_TYPE },
	{ "bar in a stock trade's clothes", ASSET_STOCK, "{\"ev\":\"A\","
	    "\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1}", FEED_MISSING_FIELD },
	{ "crypto trade with sym", ASSET_CRYPTO, "{\"ev\":\"XT\",\"sym\":"
	    "\"BTC-USD\",\"p\":1,\"s\":1,\"t\":1}", FEED_MISSING_FIELD },
};

static void
test_event_cases(void)
{
	struct polygon_parser pp;
	size_t i;

	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	for (i = 0; i < sizeof(event_cases) / sizeof(event_cases[0]); i++)
		check_skipped(&pp, event_cases[i].asset, event_cases[i].name,
		    event_cases[i].event, event_cases[i].want);
	polygon_parser_free(&pp);
}

/* ---- every required field: absent, of each wrong type ---- */

#define FIELDS_MAX	8

/* Each event type with exactly its required fields (feeds.md §2). */
static const struct template {
	int		 asset;
	const char	*ev;
	const char	*fields[FIELDS_MAX][2];		/* key, value */
} templates[] = {
	{ ASSET_STOCK, "T", { { "sym", "\"MSFT\"" }, { "p", "1" },
	    { "s", "2" }, { "t", "3" } } },
	{ ASSET_STOCK, "Q", { { "sym", "\"MSFT\"" }, { "bp", "1" },
	    { "bs", "2" }, { "ap", "3" }, { "as", "4" }, { "t", "5" } } },
	{ ASSET_STOCK, "A", { { "sym", "\"MSFT\"" }, { "o", "1" },
	    { "h", "2" }, { "l", "3" }, { "c", "4" }, { "v", "5" },
	    { "s", "6" }, { "e", "7" } } },
	{ ASSET_STOCK, "AM", { { "sym", "\"MSFT\"" }, { "o", "1" },
	    { "h", "2" }, { "l", "3" }, { "c", "4" }, { "v", "5" },
	    { "s", "6" }, { "e", "7" } } },
	{ ASSET_CRYPTO, "XT", { { "pair", "\"BTC-USD\"" }, { "p", "1" },
	    { "s", "2" }, { "t", "3" } } },
	{ ASSET_CRYPTO, "XQ", { { "pair", "\"BTC-USD\"" }, { "bp", "1" },
	    { "bs", "2" }, { "ap", "3" }, { "as", "4" }, { "t", "5" } } },
	{ ASSET_CRYPTO, "XA", { { "pair", "\"BTC-USD\"" }, { "o", "1" },
	    { "h", "2" }, { "l", "3" }, { "c", "4" }, { "v", "5" },
	    { "s", "6" }, { "e", "7" } } },
	{ ASSET_CRYPTO, "XAS", { { "pair", "\"BTC-USD\"" }, { "o", "1" },
	    { "h", "2" }, { "l", "3" }, { "c", "4" }, { "v", "5" },
	    { "s", "6" }, { "e", "7" } } },
};

/* The template's event with field k left out (value NULL) or replaced. */
static void
template_event(const struct template *tp, int k, const char *value,
    char *buf, size_t cap)
{
	size_t n;
	int i;

	n = (size_t)snprintf(buf, cap, "{\"ev\":\"%s\"", tp->ev);
	for (i = 0; i < FIELDS_MAX && tp->fields[i][0] != NULL; i++) {
		if (i == k && value == NULL)
			continue;
		n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%s",
		    tp->fields[i][0], i == k ? value : tp->fields[i][1]);
	}
	snprintf(buf + n, cap - n, "}");
}

/* Required field k of a template: absent, then of each wrong type. */
static void
check_required(struct polygon_parser *pp, const struct template *tp, int k)
{
	static const char *const wrong_types[] = { "{}", "[]", "[1]", "true",
	    "false", "null", "{\"v\":1}" };
	char ev[1024], name[128];
	size_t w;

	snprintf(name, sizeof(name), "%s without %s", tp->ev,
	    tp->fields[k][0]);
	template_event(tp, k, NULL, ev, sizeof(ev));
	check_skipped(pp, tp->asset, name, ev, FEED_MISSING_FIELD);
	for (w = 0; w < sizeof(wrong_types) / sizeof(wrong_types[0]); w++) {
		snprintf(name, sizeof(name), "%s with %s %s", tp->ev,
		    tp->fields[k][0], wrong_types[w]);
		template_event(tp, k, wrong_types[w], ev, sizeof(ev));
		check_skipped(pp, tp->asset, name, ev, FEED_BAD_TYPE);
	}
	/* A symbol must be a string; a number must parse. */
	snprintf(name, sizeof(name), "%s with %s of the other scalar type",
	    tp->ev, tp->fields[k][0]);
	template_event(tp, k, k == 0 ? "5" : "\"five\"", ev, sizeof(ev));
	check_skipped(pp, tp->asset, name, ev,
	    k == 0 ? FEED_BAD_TYPE : FEED_BAD_VALUE);
}

static void
test_required_fields(void)
{
	const struct template *tp;
	struct polygon_parser pp;
	struct sandwich sw;
	char ev[1024];
	size_t i;
	int k;

	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		tp = &templates[i];
		template_event(tp, -1, NULL, ev, sizeof(ev));
		sandwich_run(&pp, tp->asset, ev, &sw);
		CHECK(sw.around_ok && sw.got.n == 3 &&
		    skipped_total(&sw.counts) == 0, "%s with its required "
		    "fields only is a tick", tp->ev);
		free(sw.got.v);
		for (k = 0; k < FIELDS_MAX && tp->fields[k][0] != NULL; k++)
			check_required(&pp, tp, k);
	}
	polygon_parser_free(&pp);
}

/* ---- valid events with something to check ---- */

static const struct value_case {
	const char	*name;
	int		 asset;
	const char	*event;
	const char	*want;		/* .want format, recv_ns 77 */
} value_cases[] = {
	{ "numbers as strings", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"BTC-USD\",\"p\":\"161.87\","
	    "\"s\":\"0.5\",\"t\":\"1651684192717\",\"x\":\"4\",\"c\":[\"2\"]}",
	    "{\"kind\":\"trade\",\"side\":\"buy\",\"symbol\":\"BTC-USD\","
	    "\"price\":\"161.87\",\"size\":0.5,\"ts_ns\":1651684192717000000,"
	    "\"exchange\":4,\"conditions\":[2]}" },
	{ "exponent sizes", ASSET_CRYPTO,
	    "{\"ev\":\"XQ\",\"pair\":\"BTC-USD\",\"bp\":4.3e4,\"bs\":4.522e-05,"
	    "\"ap\":43001,\"as\":1E2,\"t\":1.61e12}",
	    "{\"kind\":\"quote\",\"symbol\":\"BTC-USD\",\"bid\":\"43000\","
	    "\"bid_size\":0.00004522,\"ask\":\"43001\",\"ask_size\":100,"
	    "\"ts_ns\":1610000000000000000}" },
	{ "zero bid and ask: empty book sides", ASSET_STOCK,
	    "{\"ev\":\"Q\",\"sym\":\"MSFT\",\"bp\":0,\"bs\":0,\"ap\":0,"
	    "\"as\":0,\"t\":1}",
	    "{\"kind\":\"quote\",\"symbol\":\"MSFT\",\"ts_ns\":1000000}" },
	{ "negative zero size", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":-0.0,\"t\":1}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"1\","
	    "\"ts_ns\":1000000}" },
	{ "symbol of 23 bytes", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"ABCDEFGHIJKLMNOPQRSTUVW\",\"p\":1,"
	    "\"s\":1,\"t\":1}",
	    "{\"kind\":\"trade\",\"symbol\":\"ABCDEFGHIJKLMNOPQRSTUVW\","
	    "\"price\":\"1\",\"size\":1,\"ts_ns\":1000000}" },
	{ "escaped symbol", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"BTC\\/\\u0055SD\\\\\",\"p\":1,\"s\":1,"
	    "\"t\":1}",
	    "{\"kind\":\"trade\",\"symbol\":\"BTC/USD\\\\\",\"price\":\"1\","
	    "\"size\":1,\"ts_ns\":1000000}" },
	{ "trade id of 39 bytes", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"i\":\"123456789012345678901234567890123456789\"}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"trade_id\":"
	    "\"123456789012345678901234567890123456789\"}" },
	{ "trade id of 40 bytes", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"i\":\"123456789012345678901234567890123456789X\"}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"flags\":2,\"trade_id\":"
	    "\"123456789012345678901234567890123456789\"}" },
	{ "long numeric trade id", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"i\":12345678901234567890123456789012345678901234567890}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"flags\":2,\"trade_id\":"
	    "\"123456789012345678901234567890123456789\"}" },
	{ "escaped trade id cut after decoding", ASSET_STOCK,
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"i\":\"\\u0041\\u0042\\u0043\\u0044\\u0045\\u0046\\u0047\\u0048"
	    "\\u0049\\u004a\"}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"trade_id\":\"ABCDEFGHIJ\"}" },
	{ "exactly 8 conditions", ASSET_STOCK,
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"c\":[1,2,3,4,5,6,7,65535]}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"conditions\":[1,2,3,4,5,6,7,65535]}" },
	{ "9 conditions", ASSET_STOCK,
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"c\":[1,2,3,4,5,6,7,8,9]}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"conditions\":[1,2,3,4,5,6,7,8],\"flags\":1}" },
	{ "exchange 2^32-1, tape 255", ASSET_STOCK,
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1,"
	    "\"x\":4294967295,\"z\":255}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"exchange\":4294967295,\"tape\":255}" },
	{ "price with more than nine decimals rounds", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":0.0000000015,\"s\":1,"
	    "\"t\":1}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"0.000000002\","
	    "\"size\":1,\"ts_ns\":1000000}" },
	{ "latest time that fits", ASSET_CRYPTO,
	    "{\"ev\":\"XT\",\"pair\":\"A-B\",\"p\":1,\"s\":1,"
	    "\"t\":9223372036854}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":9223372036854000000}" },
	{ "stock trade keeps conditions, no side", ASSET_STOCK,
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1,\"c\":[2]}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"1\",\"size\":1,"
	    "\"ts_ns\":1000000,\"conditions\":[2]}" },
	{ "bar's z is not a tape", ASSET_STOCK,
	    "{\"ev\":\"A\",\"sym\":\"A\",\"o\":1,\"h\":2,\"l\":0.5,\"c\":1.5,"
	    "\"v\":10,\"z\":685,\"s\":1,\"e\":2}",
	    "{\"kind\":\"feed_bar\",\"symbol\":\"A\",\"open\":\"1\","
	    "\"high\":\"2\",\"low\":\"0.5\",\"close\":\"1.5\",\"volume\":10,"
	    "\"ts_ns\":1000000,\"end_ns\":2000000}" },
	{ "quote indicators ignored", ASSET_STOCK,
	    "{\"ev\":\"Q\",\"sym\":\"A\",\"bp\":1,\"bs\":1,\"ap\":2,\"as\":1,"
	    "\"t\":1,\"i\":[604,70000,\"x\"]}",
	    "{\"kind\":\"quote\",\"symbol\":\"A\",\"bid\":\"1\",\"bid_size\":1,"
	    "\"ask\":\"2\",\"ask_size\":1,\"ts_ns\":1000000}" },
	{ "fields in any order, unknown ones nested", ASSET_CRYPTO,
	    "{\"t\":1,\"x\":{\"deep\":[[{\"x\":1}]]},\"s\":1,\"q\":[],"
	    "\"pair\":\"A-B\",\"p\":2,\"ev\":\"XT\",\"x\":7}",
	    "{\"kind\":\"trade\",\"symbol\":\"A-B\",\"price\":\"2\",\"size\":1,"
	    "\"ts_ns\":1000000,\"exchange\":7}" },
	{ "escaped keys", ASSET_STOCK,
	    "{\"\\u0065v\":\"T\",\"s\\u0079m\":\"A\",\"\\u0070\":3,\"s\":1,"
	    "\"t\":1}",
	    "{\"kind\":\"trade\",\"symbol\":\"A\",\"price\":\"3\",\"size\":1,"
	    "\"ts_ns\":1000000}" },
	{ "optional fields null", ASSET_STOCK,
	    "{\"ev\":\"Q\",\"sym\":\"A\",\"bp\":1,\"bs\":1,\"ap\":2,\"as\":1,"
	    "\"t\":1,\"bx\":null,\"ax\":null,\"c\":null,\"z\":null}",
	    "{\"kind\":\"quote\",\"symbol\":\"A\",\"bid\":\"1\",\"bid_size\":1,"
	    "\"ask\":\"2\",\"ask_size\":1,\"ts_ns\":1000000}" },
};

static void
test_value_cases(void)
{
	struct polygon_parser pp;
	struct sandwich sw;
	json_error_t jerr;
	json_t *w;
	const char *why = NULL;
	size_t i;

	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *vc = &value_cases[i];

		why = NULL;
		if ((w = json_loads(vc->want, 0, &jerr)) == NULL) {
			CHECK(0, "%s: want: %s", vc->name, jerr.text);
			continue;
		}
		sandwich_run(&pp, vc->asset, vc->event, &sw);
		CHECK(sw.around_ok && sw.got.n == 3 &&
		    skipped_total(&sw.counts) == 0 &&
		    item_matches(w, &sw.got.v[1], vc->asset, 77, &why),
		    "%s %s (%zu out%s%s)", asset_class_name(vc->asset),
		    vc->name, sw.got.n, why != NULL ? ", differs in " : "",
		    why != NULL ? why : "");
		json_decref(w);
		free(sw.got.v);
	}
	polygon_parser_free(&pp);
}

/* ---- crypto side (polygon.h, feeds.md §3.1) ---- */

static const struct side_case {
	const char	*c;		/* the "c" member, or "" for none */
	int		 want;		/* enum side */
	int		 asset;
} side_cases[] = {
	{ "", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[]", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[0]", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[1]", SIDE_SELL, ASSET_CRYPTO },
	{ ",\"c\":[2]", SIDE_BUY, ASSET_CRYPTO },
	{ ",\"c\":[1,2]", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[2,1]", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[0,1]", SIDE_SELL, ASSET_CRYPTO },
	{ ",\"c\":[1,1]", SIDE_SELL, ASSET_CRYPTO },
	{ ",\"c\":[2,0,2]", SIDE_BUY, ASSET_CRYPTO },
	{ ",\"c\":[3]", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":null", SIDE_UNKNOWN, ASSET_CRYPTO },
	{ ",\"c\":[0,0,0,0,0,0,0,0,1]", SIDE_SELL, ASSET_CRYPTO },
	{ ",\"c\":[1]", SIDE_UNKNOWN, ASSET_STOCK },
	{ ",\"c\":[2]", SIDE_UNKNOWN, ASSET_STOCK },
};

static void
test_sides(void)
{
	struct polygon_parser pp;
	struct sandwich sw;
	char ev[256];
	size_t i;

	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	for (i = 0; i < sizeof(side_cases) / sizeof(side_cases[0]); i++) {
		const struct side_case *sc = &side_cases[i];

		snprintf(ev, sizeof(ev), "{\"ev\":\"%s\",\"%s\":\"A-B\","
		    "\"p\":1,\"s\":1,\"t\":1%s}",
		    sc->asset == ASSET_CRYPTO ? "XT" : "T",
		    sc->asset == ASSET_CRYPTO ? "pair" : "sym", sc->c);
		sandwich_run(&pp, sc->asset, ev, &sw);
		CHECK(sw.around_ok && sw.got.n == 3 &&
		    sw.got.v[1].tick.side == sc->want, "%s side for \"%s\": %s "
		    "(got %s)", asset_class_name(sc->asset), sc->c,
		    side_name(sc->want), sw.got.n == 3 ?
		    side_name(sw.got.v[1].tick.side) : "nothing");
		free(sw.got.v);
	}
	polygon_parser_free(&pp);
}

/* ---- sizes: empty, huge, over the bound ---- */

static void
test_empty_arrays(void)
{
	struct polygon_parser pp;
	struct feed_counts c;
	struct got g;

	if (polygon_parser_init(&pp, ASSET_STOCK, SOURCE_POLYGON) == -1)
		exit(1);
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(parse(&pp, "[]", 2, 1, &g, &c) == FEED_OK &&
	    parse(&pp, " [ \n] ", 6, 1, &g, &c) == FEED_OK && g.n == 0 &&
	    c.frames == 2 && c.events == 0 && skipped_total(&c) == 0,
	    "empty arrays: ok, nothing out, nothing skipped");
	free(g.v);
	polygon_parser_free(&pp);
}

struct big {
	size_t		 n;
	int		 in_order;
};

static void
big_tick(void *arg, const struct tick *t)
{
	struct big *b = arg;

	/* Event k has t = k + 1 ms and price k + 0.5. */
	if (t->ts_ns != (int64_t)(b->n + 1) * NS_PER_MS ||
	    t->price != (int64_t)b->n * PRICE_SCALE + PRICE_SCALE / 2)
		b->in_order = 0;
	b->n++;
}

static void
test_big_array(void)
{
	struct polygon_parser pp;
	struct feed_counts c;
	struct feed_handler h = { big_tick, NULL, NULL };
	struct big b = { 0, 1 };
	char *frame;
	size_t cap = (size_t)BIG_EVENTS * 64 + 2, n = 0;
	int k, pass;

	if ((frame = malloc(cap)) == NULL ||
	    polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	frame[n++] = '[';
	for (k = 0; k < BIG_EVENTS; k++)
		n += (size_t)snprintf(frame + n, cap - n, "%s{\"ev\":\"XT\","
		    "\"pair\":\"BTC-USD\",\"p\":%d.5,\"s\":1,\"t\":%d}",
		    k > 0 ? "," : "", k, k + 1);
	frame[n++] = ']';
	h.arg = &b;
	/* Twice: the second time, the grown token array is reused. */
	for (pass = 0; pass < 2; pass++) {
		memset(&c, 0, sizeof(c));
		b.n = 0;
		b.in_order = 1;
		CHECK(polygon_parse_frame(&pp, frame, n, 1, &h, &c) ==
		    FEED_OK && b.n == BIG_EVENTS && b.in_order &&
		    c.events == BIG_EVENTS &&
		    c.ticks[TICK_TRADE] == BIG_EVENTS, "%d events in one "
		    "frame all come out, in order (pass %d: %zu)", BIG_EVENTS,
		    pass + 1, b.n);
	}
	free(frame);
	polygon_parser_free(&pp);
}

static void
test_frame_bound(void)
{
	struct polygon_parser pp;
	struct feed_counts c;
	struct got g;
	char *frame;
	size_t max = POLYGON_MAX_FRAME;

	if ((frame = malloc(max + 1)) == NULL ||
	    polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		exit(1);
	memset(frame, ' ', max + 1);
	frame[0] = '[';
	frame[max - 1] = ']';
	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	CHECK(parse(&pp, frame, max, 1, &g, &c) == FEED_OK && g.n == 0 &&
	    skipped_total(&c) == 0, "a frame of exactly POLYGON_MAX_FRAME "
	    "bytes is parsed");
	frame[max - 1] = ' ';
	frame[max] = ']';
	CHECK(parse(&pp, frame, max + 1, 1, &g, &c) == FEED_TOO_LARGE &&
	    g.n == 0 && c.skipped[FEED_TOO_LARGE] == 1 && c.frames == 2 &&
	    skipped_total(&c) == 1, "one byte more is too_large");
	free(frame);
	free(g.v);
	polygon_parser_free(&pp);
}

/* ---- the status names ---- */

static const struct {
	const char		*s;
	enum feed_server_status	 want;
} status_cases[] = {
	{ "connected", FSS_CONNECTED },
	{ "success", FSS_SUCCESS },
	{ "auth_success", FSS_AUTH_SUCCESS },
	{ "auth_failed", FSS_AUTH_FAILED },
	{ "auth_timeout", FSS_AUTH_TIMEOUT },
	{ "auth_required", FSS_AUTH_REQUIRED },
	{ "error", FSS_ERROR },
	{ "max_connections", FSS_MAX_CONNECTIONS },
	{ "force_disconnect", FSS_FORCE_DISCONNECT },
	{ "slow_consumer", FSS_SLOW_CONSUMER },
	{ "CONNECTED", FSS_OTHER },
	{ "connect", FSS_OTHER },
	{ "connectedx", FSS_OTHER },
	{ "", FSS_OTHER },
};

static void
test_status_names(void)
{
	size_t i;

	for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++)
		CHECK(polygon_status_from(status_cases[i].s,
		    strlen(status_cases[i].s)) == status_cases[i].want,
		    "status \"%s\" -> %s", status_cases[i].s,
		    feed_server_status_str(status_cases[i].want));
	/* Not NUL-terminated: only len bytes count. */
	CHECK(polygon_status_from("errorXYZ", 5) == FSS_ERROR,
	    "status compares len bytes");
}

/* The handler's functions may be NULL: counting still happens. */
static void
test_null_handlers(void)
{
	static const char frame[] = "[{\"ev\":\"status\",\"status\":\"error\"},"
	    "{\"ev\":\"T\",\"sym\":\"A\",\"p\":1,\"s\":1,\"t\":1}]";
	struct polygon_parser pp;
	struct feed_counts c;
	struct feed_handler h = { NULL, NULL, NULL };

	if (polygon_parser_init(&pp, ASSET_STOCK, SOURCE_POLYGON) == -1)
		exit(1);
	memset(&c, 0, sizeof(c));
	CHECK(polygon_parse_frame(&pp, frame, sizeof(frame) - 1, 1, &h, &c) ==
	    FEED_OK && c.ticks[TICK_TRADE] == 1 && c.status_messages == 1,
	    "NULL on_tick and on_status: still counted");
	polygon_parser_free(&pp);
}

int
main(void)
{
	test_golden();
	test_frame_cases();
	test_event_cases();
	test_required_fields();
	test_value_cases();
	test_sides();
	test_empty_arrays();
	test_big_array();
	test_frame_bound();
	test_status_names();
	test_null_handlers();
	return check_report();
}
