/*
 * feedsim's pure modules: the synthetic market (determinism, quotes and
 * trades consistent with each other and with feeds.md §3.1's crypto side
 * codes, heavy tails, volatility clustering, minute aggregates equal to
 * the OHLCV of the eligible trades of feeds.md §3.2), the JSON encoder
 * (every event parses back with jansson to the generator's values, with
 * exactly feeds.md §2's fields), subscription topics and malformed
 * frames. Every expectation is computed here, from the events and from
 * this file's own copy of the rules, never from the code under test.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../check.h"
#include "../../feedsim/encode.h"
#include "../../feedsim/faults.h"
#include "../../feedsim/market.h"
#include "../../feedsim/subs.h"
#include "tick.h"

#define START_NS	(1706649600000LL * NS_PER_MS)	/* 21:20 UTC */
#define MIN_MS		60000LL

static const char *const stocks[] = { "AAPL", "MSFT", "SPY", "ZZTEST" };
static const char *const cryptos[] = { "BTC-USD", "ETH-USD", "DOGE-USD",
	"NEW-USD" };

static void
setup_burst(struct market *m, int asset, uint64_t seed, double rate,
    double burst)
{
	struct market_cfg c;

	memset(&c, 0, sizeof(c));
	c.asset = asset;
	c.names = asset == ASSET_STOCK ? stocks : cryptos;
	c.n_names = 4;
	c.seed = seed;
	c.rate = rate;
	c.burst = burst;
	c.start_ns = START_NS;
	if (market_init(m, &c) != 0)
		abort();
}

static void
setup(struct market *m, int asset, uint64_t seed, double rate)
{
	setup_burst(m, asset, seed, rate, 2.5);
}

/* FNV-1a over the encoded stream: equal hashes, equal streams. */
static uint64_t
stream_hash(int asset, uint64_t seed, int n)
{
	struct market m;
	struct market_event ev;
	char buf[ENCODE_EVENT_MAX], *e, *p;
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	setup(&m, asset, seed, 5000);
	for (i = 0; i < n; i++) {
		market_next(&m, &ev);
		e = encode_event(buf, &ev);
		for (p = buf; p < e; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
		h = (h ^ (uint64_t)ev.send_ns) * 0x100000001b3ULL;
	}
	market_free(&m);
	return h;
}

static void
test_determinism(void)
{
	CHECK(stream_hash(ASSET_STOCK, 7, 100000) ==
	    stream_hash(ASSET_STOCK, 7, 100000),
	    "stocks: same seed, same 100k events and times");
	CHECK(stream_hash(ASSET_CRYPTO, 7, 100000) ==
	    stream_hash(ASSET_CRYPTO, 7, 100000),
	    "crypto: same seed, same 100k events and times");
	CHECK(stream_hash(ASSET_STOCK, 7, 1000) !=
	    stream_hash(ASSET_STOCK, 8, 1000), "stocks: another seed differs");
	CHECK(stream_hash(ASSET_CRYPTO, 7, 1000) !=
	    stream_hash(ASSET_CRYPTO, 8, 1000), "crypto: another seed differs");
}

/* feeds.md §3.2, consolidated columns: updates H/L, O/C, volume. */
static const struct rule {
	int	 code, hl, oc, vol;
} rules[] = {
	{ 0, 1, 1, 1 }, { 1, 1, 1, 1 }, { 2, 0, 0, 1 }, { 7, 0, 0, 1 },
	{ 12, 0, 0, 1 }, { 14, 1, 1, 1 }, { 15, 0, 0, 0 }, { 16, 0, 0, 0 },
	{ 37, 0, 0, 1 }, { 41, 1, 1, 1 },
};

/* ANDs the rows of every code; -1 for a code not in the table. */
static int
rules_for(const struct market_trade *t, int *hl, int *oc, int *vol)
{
	size_t i;
	int k;

	*hl = *oc = *vol = 1;
	for (k = 0; k < t->n_cond; k++) {
		for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
			if (rules[i].code == t->cond[k])
				break;
		if (i == sizeof(rules) / sizeof(rules[0]))
			return -1;
		*hl &= rules[i].hl;
		*oc &= rules[i].oc;
		*vol &= rules[i].vol;
	}
	return 0;
}

/* What the test expects of one symbol's minute. */
struct bucket {
	int64_t		 minute;
	int64_t		 o, h, l, c, v;
	double		 notional;
	int64_t		 n_vol, n_hl, n_oc;
	int		 got_agg;
};

struct symstate {
	int64_t		 bid[256], ask[256];	/* by venue id */
	struct bucket	 b[4];			/* by minute % 4 */
	int64_t		 day_v, day_open;
	double		 day_notional;
	double		 sizes_max;
	int64_t		 last_t;
};

struct tally {
	struct symstate	 s[4];
	int64_t		 n_trades, n_quotes, n_aggs, last_send;
	int64_t		 bad_order, bad_inside, bad_side, bad_size, bad_spread;
	int64_t		 bad_cond, bad_time, bad_agg, missing_agg, n_side[3];
	double		*sizes;
	int64_t		 n_sizes;
};

static struct bucket *
bucket_for(struct tally *ta, struct symstate *s, int64_t minute)
{
	struct bucket *b = &s->b[minute & 3];

	if (b->minute != minute) {
		if (b->minute != 0 && b->n_hl > 0 && !b->got_agg)
			ta->missing_agg++;
		memset(b, 0, sizeof(*b));
		b->minute = minute;
	}
	return b;
}

static void
bucket_add(struct bucket *b, int64_t p, int64_t size, int hl, int oc,
    int vol)
{
	if (hl) {
		b->h = b->n_hl == 0 || p > b->h ? p : b->h;
		b->l = b->n_hl == 0 || p < b->l ? p : b->l;
		b->n_hl++;
	}
	if (oc) {
		if (b->n_oc++ == 0)
			b->o = p;
		b->c = p;
	}
	if (vol) {
		b->v += size;
		b->notional += (double)p * (double)size;
		b->n_vol++;
	}
}

static void
check_trade(struct tally *ta, const struct market_event *ev)
{
	const struct market_trade *t = &ev->u.trade;
	struct symstate *s = &ta->s[ev->sym];
	int64_t bid = s->bid[t->exchange], ask = s->ask[t->exchange];
	int hl, oc, vol;

	ta->n_trades++;
	if (ev->asset == ASSET_STOCK)
		bid = s->bid[0], ask = s->ask[0];
	if (bid == 0 || t->price < bid || t->price > ask)
		ta->bad_inside++;
	if (t->size <= 0)
		ta->bad_size++;
	if (ev->asset == ASSET_CRYPTO) {
		/* §3.1: 2 = bought at the ask, 1 = sold at the bid. */
		if (t->n_cond == 1 && (t->cond[0] == 1 || t->cond[0] == 2)) {
			ta->n_side[t->cond[0]]++;
			if (t->price != (t->cond[0] == 2 ? ask : bid))
				ta->bad_side++;
		} else if (t->n_cond == 0 || (t->n_cond == 1 &&
		    t->cond[0] == 0))
			ta->n_side[0]++;
		else
			ta->bad_cond++;
		hl = oc = vol = 1;
		ta->sizes[ta->n_sizes++] = (double)t->size * (double)t->price;
	} else {
		if (rules_for(t, &hl, &oc, &vol) == -1 ||
		    (t->size < 100) != (memchr(t->cond, 37, t->n_cond) != NULL))
			ta->bad_cond++;
		ta->sizes[ta->n_sizes++] = (double)t->size;
	}
	bucket_add(bucket_for(ta, s, ev->ts_ms / MIN_MS), t->price, t->size,
	    hl, oc, vol);
	if (vol) {
		s->day_v += t->size;
		s->day_notional += (double)t->price * (double)t->size;
	}
	if (oc && s->day_open == 0)
		s->day_open = t->price;
}

static void
check_quote(struct tally *ta, const struct market_event *ev)
{
	const struct market_quote *q = &ev->u.quote;
	struct symstate *s = &ta->s[ev->sym];
	int x = ev->asset == ASSET_CRYPTO ? q->bid_exchange : 0;

	ta->n_quotes++;
	if (q->ask <= q->bid || q->bid <= 0)
		ta->bad_spread++;
	if (q->bid_size <= 0 || q->ask_size <= 0)
		ta->bad_size++;
	if (ev->asset == ASSET_STOCK && (q->bid_exchange == 4 ||
	    q->ask_exchange == 4))
		ta->bad_cond++;		/* the TRF prints, never quotes */
	s->bid[x] = q->bid;
	s->ask[x] = q->ask;
}

static int
near(int64_t a, double exact, double tol)
{
	return fabs((double)a - exact) <= tol;
}

static void
check_agg(struct tally *ta, const struct market_event *ev)
{
	const struct market_agg *a = &ev->u.agg;
	struct symstate *s = &ta->s[ev->sym];
	struct bucket *b = &s->b[(a->start_ms / MIN_MS) & 3];
	int ok, stock = ev->asset == ASSET_STOCK;

	ta->n_aggs++;
	ok = b->minute == a->start_ms / MIN_MS && a->end_ms ==
	    a->start_ms + MIN_MS && a->start_ms % MIN_MS == 0 &&
	    b->n_hl > 0 && !b->got_agg;
	ok = ok && a->open == b->o && a->close == b->c && a->high == b->h &&
	    a->low == b->l && a->volume == b->v &&
	    a->avg_size == llround((double)b->v / (double)b->n_vol);
	/* Sent rounded: 4 decimals for stocks, finer than 2e-5 for coins. */
	ok = ok && near(a->vwap, b->notional / (double)b->v,
	    stock ? 5e4 + 1 : fmax(1.0, (double)b->c * 2e-5));
	if (stock)
		ok = ok && a->day_volume == s->day_v &&
		    a->day_open == s->day_open &&
		    near(a->day_vwap, s->day_notional / (double)s->day_v,
		    5e4 + 1);
	b->got_agg = 1;
	ta->bad_agg += !ok;
}

static void
check_times(struct tally *ta, const struct market_event *ev)
{
	if (ev->send_ns < ta->last_send)
		ta->bad_order++;
	ta->last_send = ev->send_ns;
	if (ev->kind == MKT_AGG)
		return;
	if (ev->asset == ASSET_STOCK && ev->ts_ms != ev->send_ns / NS_PER_MS)
		ta->bad_time++;
	if (ev->asset == ASSET_CRYPTO && (ev->recv_ms !=
	    ev->send_ns / NS_PER_MS || ev->recv_ms < ev->ts_ms ||
	    ev->recv_ms - ev->ts_ms > MARKET_CRYPTO_MAX_LAT_MS))
		ta->bad_time++;
}

static void
run_market(struct tally *ta, int asset, int n)
{
	struct market m;
	struct market_event ev;
	int i;

	memset(ta, 0, sizeof(*ta));
	ta->sizes = calloc((size_t)n, sizeof(double));
	setup(&m, asset, 42, 200);
	for (i = 0; i < n; i++) {
		market_next(&m, &ev);
		check_times(ta, &ev);
		if (ev.kind == MKT_TRADE)
			check_trade(ta, &ev);
		else if (ev.kind == MKT_QUOTE)
			check_quote(ta, &ev);
		else
			check_agg(ta, &ev);
	}
	market_free(&m);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
test_market(int asset, const char *name)
{
	struct tally ta;
	double med, max;

	run_market(&ta, asset, 300000);
	CHECK(ta.bad_order == 0 && ta.bad_time == 0,
	    "%s: events in send order, t and r consistent", name);
	CHECK(ta.bad_inside == 0, "%s: every trade within the quote of its "
	    "venue (%lld trades)", name, (long long)ta.n_trades);
	CHECK(ta.bad_spread == 0 && ta.bad_size == 0,
	    "%s: spreads and sizes > 0", name);
	CHECK(ta.bad_cond == 0, "%s: conditions from the documented set",
	    name);
	CHECK(ta.n_quotes > 2 * ta.n_trades && ta.n_trades > 10000,
	    "%s: quotes more frequent than trades (%lld vs %lld)", name,
	    (long long)ta.n_quotes, (long long)ta.n_trades);
	qsort(ta.sizes, (size_t)ta.n_sizes, sizeof(double), cmp_double);
	med = ta.sizes[ta.n_sizes / 2];
	max = ta.sizes[ta.n_sizes - 1];
	CHECK(max / med > 100, "%s: heavy-tailed sizes (max/median %.0f)",
	    name, max / med);
	CHECK(ta.n_aggs > 40 && ta.bad_agg == 0 && ta.missing_agg == 0,
	    "%s: %lld minute aggregates equal the eligible trades' OHLCV",
	    name, (long long)ta.n_aggs);
	if (asset == ASSET_CRYPTO)
		CHECK(ta.bad_side == 0 && ta.n_side[1] > 1000 &&
		    ta.n_side[2] > 1000 && ta.n_side[0] > 10,
		    "crypto: c [2] at the ask, [1] at the bid, some no side");
	free(ta.sizes);
}

/* Mean autocorrelation of |1-second mid returns| over lags 1-5. */
static double
abs_return_acf(int asset)
{
	struct market m;
	struct market_event ev;
	static double r[20000];
	int64_t sec = START_NS / NS_PER_S;
	double mid = 0, prev = 0, mean = 0, var = 0, acf = 0, c;
	int n = 0, i, lag;

	setup(&m, asset, 3, 50);
	while (n < 20000) {
		market_next(&m, &ev);
		if (ev.send_ns / NS_PER_S > sec) {
			if (prev > 0 && mid > 0)
				r[n++] = fabs(log(mid / prev));
			prev = mid;
			sec = ev.send_ns / NS_PER_S;
		}
		if (ev.kind == MKT_QUOTE && ev.sym == 0)
			mid = (double)(ev.u.quote.bid + ev.u.quote.ask) / 2;
	}
	market_free(&m);
	for (i = 0; i < n; i++)
		mean += r[i] / n;
	for (i = 0; i < n; i++)
		var += (r[i] - mean) * (r[i] - mean);
	for (lag = 1; lag <= 5; lag++) {
		for (c = 0, i = lag; i < n; i++)
			c += (r[i] - mean) * (r[i - lag] - mean);
		acf += c / var / 5;
	}
	return acf;
}

static void
test_clustering(void)
{
	double s = abs_return_acf(ASSET_STOCK), k = abs_return_acf(ASSET_CRYPTO);

	CHECK(s > 0.05, "stocks: volatility clusters (acf |r| %.3f)", s);
	CHECK(k > 0.05, "crypto: volatility clusters (acf |r| %.3f)", k);
}


/* Hand-written: value, scale, the text a JSON writer should produce. */
static const struct {
	int64_t		 v;
	int		 scale;
	const char	*want;
} decimals[] = {
	{ 114125000000LL, 9, "114.125" },
	{ 100000000000LL, 9, "100" },
	{ 4522, 8, "4.522e-05" },	/* the live XT size of feeds.md §2 */
	{ 1, 8, "1e-08" },
	{ 10000, 8, "0.0001" },		/* 1e-4 itself: no exponent */
	{ 9999, 8, "9.999e-05" },
	{ 0, 9, "0" },
	{ -5, 2, "-0.05" },
	{ 1610000000, 8, "16.1" },
	{ 120000000, 9, "0.12" },
	{ 12345678901234567LL, 9, "12345678.901234567" },
	{ 5, 9, "5e-09" },
	{ 1234, 9, "1.234e-06" },
	{ INT64_MAX, 0, "9223372036854775807" },
};

static void
test_decimals(void)
{
	char buf[64], *e;
	size_t i;

	for (i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
		e = encode_decimal(buf, decimals[i].v, decimals[i].scale);
		*e = '\0';
		CHECK(strcmp(buf, decimals[i].want) == 0,
		    "decimal %lld scale %d -> %s (got %s)",
		    (long long)decimals[i].v, decimals[i].scale,
		    decimals[i].want, buf);
	}
}

static int
key_count_is(json_t *o, const char *const *keys, int n_opt_present)
{
	int n = 0;

	for (; *keys != NULL; keys++, n++)
		if (json_object_get(o, *keys) == NULL)
			return 0;
	return json_object_size(o) == (size_t)(n + n_opt_present);
}

static int
is_num(json_t *o, const char *k, double want)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) && json_number_value(v) == want;
}

static int
is_int(json_t *o, const char *k, int64_t want)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) == want;
}

static int
is_str(json_t *o, const char *k, const char *want)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

static int
conds_equal(json_t *o, const struct market_trade *t)
{
	json_t *c = json_object_get(o, "c");
	int i;

	if (t->n_cond == 0)
		return c == NULL;
	if (!json_is_array(c) || json_array_size(c) != t->n_cond)
		return 0;
	for (i = 0; i < t->n_cond; i++)
		if (!json_is_integer(json_array_get(c, (size_t)i)) ||
		    json_integer_value(json_array_get(c, (size_t)i)) !=
		    t->cond[i])
			return 0;
	return 1;
}

static double
price(int64_t v)
{
	return (double)v / 1e9;
}

static double
coins(int64_t v)
{
	return (double)v / 1e8;
}

static int
uuid_ok(json_t *o)
{
	json_t *v = json_object_get(o, "i");
	const char *s;
	int i;

	if (!json_is_string(v) || strlen(s = json_string_value(v)) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' :
		    strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	return s[14] == '4';
}

static int
stock_trade_ok(json_t *o, const struct market_event *ev)
{
	static const char *const keys[] = { "ev", "sym", "x", "i", "z", "p",
		"s", "t", "q", NULL };
	const struct market_trade *t = &ev->u.trade;
	char id[24];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)t->id_lo);
	return key_count_is(o, keys, (t->n_cond > 0) + 2 * (t->trf_id != 0)) &&
	    is_str(o, "ev", "T") && is_str(o, "sym", ev->name) &&
	    is_int(o, "x", t->exchange) && is_str(o, "i", id) &&
	    is_int(o, "z", ev->tape) && is_num(o, "p", price(t->price)) &&
	    is_int(o, "s", t->size) && conds_equal(o, t) &&
	    is_int(o, "t", ev->ts_ms) && is_int(o, "q", (int64_t)ev->seq) &&
	    (t->trf_id == 0 || (is_int(o, "trfi", t->trf_id) &&
	    is_int(o, "trft", t->trf_ms)));
}

static int
stock_quote_ok(json_t *o, const struct market_event *ev)
{
	static const char *const keys[] = { "ev", "sym", "bx", "bp", "bs",
		"ax", "ap", "as", "t", "q", "z", NULL };
	const struct market_quote *q = &ev->u.quote;
	json_t *i = json_object_get(o, "i");

	return key_count_is(o, keys, (q->cond >= 0) + (q->indicator != 0)) &&
	    is_str(o, "ev", "Q") && is_str(o, "sym", ev->name) &&
	    is_int(o, "bx", q->bid_exchange) && is_num(o, "bp", price(q->bid)) &&
	    is_int(o, "bs", q->bid_size) && is_int(o, "ax", q->ask_exchange) &&
	    is_num(o, "ap", price(q->ask)) && is_int(o, "as", q->ask_size) &&
	    (q->cond < 0 || is_int(o, "c", q->cond)) &&
	    (q->indicator == 0 || (json_is_array(i) &&
	    json_integer_value(json_array_get(i, 0)) == q->indicator)) &&
	    is_int(o, "t", ev->ts_ms) && is_int(o, "q", (int64_t)ev->seq) &&
	    is_int(o, "z", ev->tape);
}

static int
agg_common_ok(json_t *o, const struct market_agg *a)
{
	return is_num(o, "vw", price(a->vwap)) &&
	    is_num(o, "o", price(a->open)) && is_num(o, "c", price(a->close)) &&
	    is_num(o, "h", price(a->high)) && is_num(o, "l", price(a->low)) &&
	    is_int(o, "s", a->start_ms) && is_int(o, "e", a->end_ms);
}

static int
stock_agg_ok(json_t *o, const struct market_event *ev)
{
	static const char *const keys[] = { "ev", "sym", "v", "av", "op",
		"vw", "o", "c", "h", "l", "a", "z", "s", "e", NULL };
	const struct market_agg *a = &ev->u.agg;

	return key_count_is(o, keys, 0) && is_str(o, "ev", "AM") &&
	    is_str(o, "sym", ev->name) && is_int(o, "v", a->volume) &&
	    is_int(o, "av", a->day_volume) &&
	    is_num(o, "op", price(a->day_open)) &&
	    is_num(o, "a", price(a->day_vwap)) &&
	    is_int(o, "z", a->avg_size) && agg_common_ok(o, a);
}

static int
crypto_ok(json_t *o, const struct market_event *ev)
{
	static const char *const kt[] = { "ev", "pair", "p", "t", "s", "i",
		"x", "r", NULL };
	static const char *const kq[] = { "ev", "pair", "bp", "bs", "ap", "as",
		"t", "x", "r", NULL };
	static const char *const ka[] = { "ev", "pair", "v", "vw", "z", "o",
		"c", "h", "l", "s", "e", NULL };
	const struct market_trade *t = &ev->u.trade;
	const struct market_quote *q = &ev->u.quote;
	const struct market_agg *a = &ev->u.agg;

	if (!is_str(o, "pair", ev->name))
		return 0;
	if (ev->kind == MKT_TRADE)
		return key_count_is(o, kt, t->n_cond > 0) &&
		    is_str(o, "ev", "XT") && is_num(o, "p", price(t->price)) &&
		    is_int(o, "t", ev->ts_ms) && is_num(o, "s", coins(t->size)) &&
		    conds_equal(o, t) && uuid_ok(o) &&
		    is_int(o, "x", t->exchange) && is_int(o, "r", ev->recv_ms);
	if (ev->kind == MKT_QUOTE)
		return key_count_is(o, kq, 0) && is_str(o, "ev", "XQ") &&
		    is_num(o, "bp", price(q->bid)) &&
		    is_num(o, "bs", coins(q->bid_size)) &&
		    is_num(o, "ap", price(q->ask)) &&
		    is_num(o, "as", coins(q->ask_size)) &&
		    is_int(o, "t", ev->ts_ms) && is_int(o, "x", q->bid_exchange) &&
		    is_int(o, "r", ev->recv_ms);
	return key_count_is(o, ka, 0) && is_str(o, "ev", "XA") &&
	    is_num(o, "v", coins(a->volume)) &&
	    is_num(o, "z", coins(a->avg_size)) && agg_common_ok(o, a);
}

static int
event_ok(json_t *o, const struct market_event *ev)
{
	if (ev->asset == ASSET_CRYPTO)
		return crypto_ok(o, ev);
	if (ev->kind == MKT_TRADE)
		return stock_trade_ok(o, ev);
	return ev->kind == MKT_QUOTE ? stock_quote_ok(o, ev) :
	    stock_agg_ok(o, ev);
}

static void
test_round_trip(int asset, const char *name)
{
	struct market m;
	struct market_event ev;
	char buf[ENCODE_EVENT_MAX], *e;
	int64_t bad[MKT_KIND_MAX] = { 0 }, n[MKT_KIND_MAX] = { 0 }, expo = 0;
	json_t *o;
	int i;

	setup(&m, asset, 11, 100);
	for (i = 0; i < 200000; i++) {
		market_next(&m, &ev);
		e = encode_event(buf, &ev);
		n[ev.kind]++;
		if (e - buf >= ENCODE_EVENT_MAX / 2 || memchr(buf, '\n',
		    (size_t)(e - buf)) != NULL ||
		    (o = json_loadb(buf, (size_t)(e - buf), 0, NULL)) == NULL) {
			bad[ev.kind]++;
			continue;
		}
		bad[ev.kind] += !event_ok(o, &ev);
		*e = '\0';
		expo += strstr(buf, "e-0") != NULL;
		json_decref(o);
	}
	market_free(&m);
	for (i = 0; i < MKT_KIND_MAX; i++)
		CHECK(n[i] > 0 && bad[i] == 0, "%s kind %d: %lld events parse "
		    "back to their values with exactly their fields", name, i,
		    (long long)n[i]);
	if (asset == ASSET_CRYPTO)
		CHECK(expo > 0, "crypto: tiny sizes in exponent form (%lld)",
		    (long long)expo);
}

static void
test_status(void)
{
	char buf[256], *e;
	json_t *o;

	e = encode_status(buf, buf + sizeof(buf), "error",
	    "bad \"x\"\\\n\x01\xc3\xa9", 12);
	o = e == NULL ? NULL : json_loadb(buf, (size_t)(e - buf), 0, NULL);
	CHECK(o != NULL && key_count_is(o, (const char *const[]){ "ev",
	    "status", "message", NULL }, 0) && is_str(o, "ev", "status") &&
	    is_str(o, "status", "error") &&
	    is_str(o, "message", "bad \"x\"\\\n\x01??"),
	    "status: message escaped, peer bytes above 0x7f become '?'");
	json_decref(o);
	CHECK(encode_status(buf, buf + 40, "error", "x", 1) == NULL,
	    "status: refuses a buffer too small");
}

static const char *const stock_also[] = { "A", NULL };

static void
test_topics(void)
{
	static const char *const want[] = { "T.AAPL", "Q.*", "AM.MSFT" };
	const char *cur = " T.AAPL, Q.*,AM.MSFT ,,  ", *t;
	char got[3][16];
	size_t len;
	int n = 0;

	while (subs_next_topic(&cur, &t, &len) && n < 4) {
		if (n < 3 && len < 16) {
			memcpy(got[n], t, len);
			got[n][len] = '\0';
		}
		n++;
	}
	CHECK(n == 3 && strcmp(got[0], want[0]) == 0 &&
	    strcmp(got[1], want[1]) == 0 && strcmp(got[2], want[2]) == 0,
	    "topics: split on commas, spaces trimmed, empty ones skipped");
}

static const struct {
	const char	*topic;
	enum subs_status want;
} sub_cases[] = {
	{ "T.AAPL", SUBS_OK }, { "Q.*", SUBS_OK }, { "A.AAPL", SUBS_OK },
	{ "T.NOPE", SUBS_OK }, { "T.BRK.B", SUBS_OK }, { "T.AAPL", SUBS_OK },
	{ "ZZ.AAPL", SUBS_BAD_TOPIC }, { "T.", SUBS_BAD_TOPIC },
	{ "TAAPL", SUBS_BAD_TOPIC }, { "T.a b", SUBS_BAD_TOPIC },
	{ "T.\"x", SUBS_BAD_TOPIC }, { ".AAPL", SUBS_BAD_TOPIC },
};

static void
test_subs(void)
{
	struct subs_path p = { { "T", "Q", "AM" }, stock_also, stocks, 4 };
	static struct subs s;
	char t[32];
	size_t i;
	int full = 0;

	subs_init(&s);
	for (i = 0; i < sizeof(sub_cases) / sizeof(sub_cases[0]); i++)
		CHECK(subs_add(&s, &p, sub_cases[i].topic,
		    strlen(sub_cases[i].topic)) == sub_cases[i].want,
		    "subscribe %s", sub_cases[i].topic);
	CHECK(s.n_topics == 5, "subs: 5 distinct topics held");
	CHECK(subs_match(&s, MKT_TRADE, 0) && !subs_match(&s, MKT_TRADE, 1) &&
	    subs_match(&s, MKT_QUOTE, 3) && !subs_match(&s, MKT_AGG, 1),
	    "subs: T.AAPL matches only AAPL trades, Q.* every quote");
	subs_remove(&s, &p, "T.AAPL", 6);
	subs_remove(&s, &p, "Q.*", 3);
	subs_remove(&s, &p, "Q.*", 3);
	subs_remove(&s, &p, "T.NOPE", 6);
	CHECK(!subs_match(&s, MKT_TRADE, 0) && !subs_match(&s, MKT_QUOTE, 3) &&
	    s.n_topics == 2, "subs: unsubscribe removes exactly its topic");
	for (i = 0; i < SUBS_OTHER_MAX + 5; i++) {
		snprintf(t, sizeof(t), "A.S%zu", i);
		full += subs_add(&s, &p, t, strlen(t)) == SUBS_FULL;
	}
	CHECK(full == 7, "subs: other topics are bounded (%d refused)", full);
}

/* Three events of a stock market as one frame. */
static size_t
sample_frame(char *buf)
{
	struct market m;
	struct market_event ev;
	char *p = buf;
	int i;

	setup(&m, ASSET_STOCK, 5, 100);
	*p++ = '[';
	for (i = 0; i < 3; i++) {
		market_next(&m, &ev);
		if (i > 0)
			*p++ = ',';
		p = encode_event(p, &ev);
	}
	*p++ = ']';
	market_free(&m);
	return (size_t)(p - buf);
}

/* Every value of b is a's number written as a string. */
static int
stringified(json_t *a, json_t *b)
{
	const char *k;
	json_t *v, *w;

	if (!json_is_object(a) || json_object_size(a) != json_object_size(b))
		return 0;
	json_object_foreach(a, k, v) {
		w = json_object_get(b, k);
		if (json_is_number(v) ? !json_is_string(w) ||
		    strtod(json_string_value(w), NULL) != json_number_value(v) :
		    !json_equal(v, w))
			return 0;
	}
	return 1;
}

static void
test_faults(void)
{
	char src[3 * ENCODE_EVENT_MAX], dst[sizeof(src) + FAULTS_SLACK];
	size_t len = sample_frame(src), n;
	json_t *orig = json_loadb(src, len, 0, NULL), *o;

	n = faults_malform(dst, src, len, FAULT_INVALID_JSON, "AAPL", 0);
	CHECK(n == len && json_loadb(dst, n, 0, NULL) == NULL,
	    "fault: invalid json does not parse");
	n = faults_malform(dst, src, len, FAULT_TRUNCATED, "AAPL", 0);
	CHECK(n == len / 2 && json_loadb(dst, n, 0, NULL) == NULL,
	    "fault: truncated frame does not parse");
	n = faults_malform(dst, src, len, FAULT_BROKEN_EVENTS, "AAPL", 0);
	o = json_loadb(dst, n, 0, NULL);
	CHECK(o != NULL && json_array_size(o) == 7 &&
	    json_object_size(json_array_get(o, 0)) == 2 &&
	    is_str(json_array_get(o, 1), "p", "abc") &&
	    is_str(json_array_get(o, 2), "ev", "ZZ") &&
	    json_integer_value(json_array_get(o, 3)) == 42 &&
	    stringified(json_array_get(orig, 0), json_array_get(o, 4)) &&
	    json_equal(json_array_get(orig, 1), json_array_get(o, 5)) &&
	    json_equal(json_array_get(orig, 2), json_array_get(o, 6)),
	    "fault: broken events, then the frame's own with numbers as "
	    "strings");
	json_decref(o);
	json_decref(orig);
	n = faults_malform(dst, "{}", 2, FAULT_BROKEN_EVENTS, "AAPL", 0);
	CHECK(n == 1, "fault: a frame that is no array is truncated instead");
}

/*
 * Trades and quotes per virtual second over 2000 s: the mean against the
 * rate, and the variance over the mean (1 for a plain Poisson process,
 * far more when activity comes in bursts).
 */
static void
counts(double burst, double *mean, double *dispersion)
{
	static double n[2000];
	struct market m;
	struct market_event ev;
	double var = 0;
	int64_t s;
	int i;

	memset(n, 0, sizeof(n));
	setup_burst(&m, ASSET_STOCK, 9, 500, burst);
	for (;;) {
		market_next(&m, &ev);
		s = (ev.send_ns - START_NS) / NS_PER_S;
		if (s >= 2000)
			break;
		n[s] += ev.kind != MKT_AGG;
	}
	market_free(&m);
	for (*mean = 0, i = 0; i < 2000; i++)
		*mean += n[i] / 2000;
	for (i = 0; i < 2000; i++)
		var += (n[i] - *mean) * (n[i] - *mean) / 1999;
	*dispersion = var / *mean;
}

static void
test_bursts(void)
{
	double mean, disp;

	counts(2.5, &mean, &disp);
	CHECK(fabs(mean - 500) < 25, "bursty: long-run rate %.1f/s for 500",
	    mean);
	CHECK(disp > 10, "bursty: activity comes in bursts (dispersion %.1f)",
	    disp);
	counts(1, &mean, &disp);
	CHECK(fabs(mean - 500) < 25 && disp < 1.3,
	    "--burst 1: steady Poisson (rate %.1f, dispersion %.2f)", mean,
	    disp);
}

int
main(void)
{
	test_determinism();
	test_market(ASSET_STOCK, "stocks");
	test_market(ASSET_CRYPTO, "crypto");
	test_clustering();
	test_bursts();
	test_decimals();
	test_round_trip(ASSET_STOCK, "stocks");
	test_round_trip(ASSET_CRYPTO, "crypto");
	test_status();
	test_topics();
	test_subs();
	test_faults();
	return check_report();
}
